package org.vigil.kernel.api;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives quorum decisions. Called on the node's protocol thread; must not block or throw. */
@ConsumerType
@FunctionalInterface
public interface QuorumListener {
    void quorumChanged(QuorumState state);
}
