package org.vigil.kernel.spi;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.VigilNode;

/**
 * What the kernel gives a {@link VoteProvider} while it is active. Thread-safe. Once the provider is stopped its
 * context is dead: {@link #publish} and {@link #devicePoll} are ignored.
 */
@ProviderType
public interface VoteContext {

    VigilNode node();

    Cmap cmap();

    ClusterMembership membership();

    Cpg cpg();

    /** The last decision the kernel holds (from this or an earlier provider instance). */
    Optional<QuorumState> lastDecision();

    /**
     * Quorum role: publishes a quorum decision. Only the active {@code quorum} provider's decisions are used; an
     * identical decision to the last one is not re-announced. The kernel fills {@code joined} and {@code left}
     * against the previous decision it announced.
     */
    void publish(QuorumState state);

    /**
     * Device role: passes the device's poll to the active quorum provider. The kernel keeps the last poll for a
     * quorum provider that starts later ({@link #lastDevicePoll}).
     */
    void devicePoll(DevicePoll poll);

    /** The last device poll the kernel holds, if any. */
    Optional<DevicePoll> lastDevicePoll();
}
