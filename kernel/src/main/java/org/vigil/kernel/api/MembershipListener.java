package org.vigil.kernel.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives Totem configuration changes. Called on the node's protocol thread, in delivery order; must return
 * quickly and must not block or throw.
 */
@ConsumerType
@FunctionalInterface
public interface MembershipListener {
    void membershipChanged(MembershipEvent event);
}
