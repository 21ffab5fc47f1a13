package org.vigil.quorum.internal.votequorum;

import java.util.List;
import org.vigil.kernel.api.RingId;

/**
 * What the {@link Votequorum} state machine asks its driver to do. The state machine never sends, sleeps, logs
 * or writes files itself: every effect is one of these, returned in order from each input.
 */
public sealed interface VqAction {

    /** Timers the state machine uses. */
    enum Timer {
        /** last_man_standing_window: recalculate expected votes from the members still here. */
        LAST_MAN_STANDING,
        /** The quorum device has not polled within its timeout: drop its vote. */
        QDEVICE
    }

    /**
     * Multicast a message to every member (this node included), in agreed order.
     *
     * @param message the message
     * @param sync    true for the NODEINFO sent as part of the membership sync of the current ring
     */
    record Send(VqMessage message, boolean sync) implements VqAction {
    }

    /** (Re)arm a timer: it fires once after {@code delayMs} unless cancelled or re-armed. */
    record ArmTimer(Timer timer, long delayMs) implements VqAction {
    }

    /** Cancel a timer if armed. */
    record CancelTimer(Timer timer) implements VqAction {
    }

    /**
     * A quorum decision for the upper layers (corosync's quorum callback).
     *
     * @param quorate whether this partition is quorate
     * @param ring    the ring of the last membership sync
     * @param members the ring's members, sorted
     */
    record Decide(boolean quorate, RingId ring, List<Integer> members) implements VqAction {
        public Decide {
            members = List.copyOf(members);
        }
    }

    /** Expected votes changed (corosync's expected-votes callback to library clients). */
    record ExpectedVotesChanged(long expectedVotes) implements VqAction {
    }

    /** Persist the expected_votes_tracking value ({@code <state dir>/ev_tracking}). */
    record SaveEvTracking(long value) implements VqAction {
    }

    /**
     * A runtime value corosync keeps under {@code runtime.votequorum.*} in cmap.
     *
     * @param key   the key below {@code runtime.votequorum.}
     * @param value the value (u32 or u8 in corosync)
     */
    record RuntimeValue(String key, long value) implements VqAction {
    }

    /** A log line for the {@code [VOTEQ]} subsystem. */
    record Log(Level level, String text) implements VqAction {
    }

    /** Log levels. */
    enum Level { DEBUG, INFO, NOTICE, WARNING, ERROR, CRIT }
}
