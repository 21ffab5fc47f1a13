package org.vigil.kernel.api;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's quorum state. The kernel keeps the last decision itself, so replacing or upgrading the vote
 * provider bundle never produces a spurious "not quorate" event. Thread-safe.
 */
@ProviderType
public interface QuorumService {

    /** The last decision; empty until a vote provider has made one. */
    Optional<QuorumState> current();

    /**
     * Registers a listener; it first receives the current decision, if any.
     *
     * @return a handle whose {@code close()} removes the listener
     */
    AutoCloseable addListener(QuorumListener listener);
}
