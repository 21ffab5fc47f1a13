package org.vigil.kernel.api;

import java.util.List;
import java.util.Optional;
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

    /**
     * The release and features a member of the current regular configuration announced (this node included);
     * empty for a node that is not a member, or whose release is not known.
     *
     * @since 1.2
     */
    default Optional<NodeRelease> release(int nodeId) {
        return Optional.empty();
    }

    /**
     * The ring's effective feature set: the features every member of the current regular configuration has,
     * computed from the same commit token on every member, so all members agree. A bundle uses a feature (sends
     * a new message type, say) only while it is in this set; it changes, in order with the membership events,
     * when a member without it joins or the last one without it leaves.
     *
     * @since 1.2
     */
    default List<String> features() {
        return List.of();
    }
}
