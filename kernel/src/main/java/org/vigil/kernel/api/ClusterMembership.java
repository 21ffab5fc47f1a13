package org.vigil.kernel.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The Totem membership as seen by this node. Thread-safe.
 */
@ProviderType
public interface ClusterMembership {

    /** The last regular configuration delivered (a singleton ring of this node before the first one forms). */
    MembershipEvent current();

    /**
     * Registers a listener for configuration changes. A listener added while the node is operational first
     * receives the current regular configuration.
     *
     * @return a handle whose {@code close()} removes the listener
     */
    AutoCloseable addListener(MembershipListener listener);
}
