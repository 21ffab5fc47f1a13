package org.vigil.kernel.spi;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.VigilNode;

/**
 * What the kernel gives a {@link VoteProvider} while it is active. Thread-safe. Once the provider is stopped its
 * context is dead: {@link #publish}, {@link #devicePoll} and {@link #withdrawVote} are ignored.
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

    /**
     * Device role: gives up the device's vote ({@code poll} must have {@code castVote} false; it is passed on like
     * {@link #devicePoll}) and tells when this node no longer relies on it: the stage completes once the active
     * quorum provider counts no device vote and the last decision it announced counted none either (during a
     * membership sync the decision of the ring before is still the announced one, so this can take until the
     * sync's end). It stays incomplete while that is not so, and across a swap of the quorum provider the kernel
     * asks the new one. A device waits for it before it tells its arbiter that the vote was given up, so that the
     * arbiter never hands the vote to another partition while this node still counts it. Never completes once
     * this context is dead.
     *
     * @throws IllegalArgumentException if {@code poll.castVote()} is true
     */
    CompletionStage<Void> withdrawVote(DevicePoll poll);

    /** The last device poll the kernel holds, if any. */
    Optional<DevicePoll> lastDevicePoll();
}
