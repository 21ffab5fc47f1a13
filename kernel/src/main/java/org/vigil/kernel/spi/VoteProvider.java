package org.vigil.kernel.spi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source of quorum decisions or extra votes: votequorum itself, or a quorum (tie-breaker) device. Registered
 * as a service with the property {@value #ROLE}: {@code quorum} for the provider that decides quorum (one is
 * used, the highest ranked) or {@code device} for a provider of an extra vote (one is used, the highest ranked).
 *
 * <p>The kernel binds providers through a dynamic, greedy reference. It calls {@link #start} when it makes a
 * provider active and {@link #stop} when it replaces or unbinds it; calls for one provider never overlap, but
 * they come from framework threads, so a provider hands its work to a thread of its own and returns quickly.
 * The kernel keeps the last published decision and the last device poll across a swap of providers: a new
 * provider finds them in its {@link VoteContext} and must not publish before it has caught up with the cluster
 * (so upgrading the provider's bundle never produces a spurious "not quorate" event).
 */
@ConsumerType
public interface VoteProvider {

    /** Service property: {@code quorum} or {@code device}. */
    String ROLE = "vigil.vote.role";
    /** {@link #ROLE} value of the provider that decides quorum. */
    String ROLE_QUORUM = "quorum";
    /** {@link #ROLE} value of a quorum device provider. */
    String ROLE_DEVICE = "device";

    /** Short name shown by {@code corosync-quorumtool}, e.g. {@code corosync_votequorum}. */
    String name();

    /** Starts contributing; the context stays valid until {@link #stop}. */
    void start(VoteContext context);

    /** Stops contributing; the provider must not use the context afterwards. This is not a node leaving. */
    void stop();

    /**
     * Quorum role: the active device provider polled (see {@link DevicePoll}). Called on the thread that called
     * {@link VoteContext#devicePoll}; must not block. The default ignores device polls.
     */
    default void devicePoll(DevicePoll poll) {
    }

    /**
     * Quorum role: the active device gives up its vote ({@link VoteContext#withdrawVote}): apply {@code poll} as
     * {@link #devicePoll} does and complete the returned stage once no device vote is counted and the last
     * decision this provider published counted none. Called on the device's thread; must not block. The default
     * passes the poll on and never completes: a provider that cannot tell never confirms.
     */
    default CompletionStage<Void> withdrawDeviceVote(DevicePoll poll) {
        devicePoll(poll);
        return new CompletableFuture<>();
    }

    /**
     * Quorum role: the node is shutting down cleanly (the kernel is stopping, not swapping providers); a provider
     * may tell the other nodes (corosync's LEAVING flag with {@code allow_downscale}). Called before
     * {@link #stop}; may block for at most a second. The default does nothing.
     */
    default void nodeLeaving() {
    }
}
