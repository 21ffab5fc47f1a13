package org.vigil.kernel.internal.totem;

import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;

/**
 * Everything a {@link TotemSrp} engine asks of its driver. The engine calls these methods synchronously from
 * inside its input methods ({@code start}, {@code onPacket}, {@code onTimer}, {@code submit}, ...), on the caller's
 * thread. An implementation must not call back into the engine from a callback; it queues the work instead (the
 * driver's event loop, the simulator's event queue).
 */
public interface TotemOutput {

    /**
     * Sends a packet to one node (the ORF token and the commit token). The array is never modified after the call,
     * so the driver may keep it (until the datagram is written) without copying.
     */
    void unicast(int nodeId, byte[] packet);

    /**
     * Sends a packet to every configured node except this one (udpu: one datagram per member; udp: one IP
     * multicast). The engine has already applied the packet locally. The array is never modified after the call.
     */
    void multicast(byte[] packet);

    /**
     * Delivers one application message in total order. The bytes are only valid during the call (they may be a
     * slice of a received packet or a reused reassembly buffer): copy what must be kept.
     *
     * @param sender    the node that submitted the message
     * @param guarantee the guarantee it was submitted with (it has been met)
     * @param ring      the ring the message was ordered in: the current configuration's ring for messages
     *                  delivered in a regular configuration, the old ring for those delivered in a transitional one
     */
    void deliver(int sender, byte[] data, int offset, int length, Guarantee guarantee, RingId ring);

    /**
     * A configuration change, in order with the deliveries: a TRANSITIONAL event (the members that come from this
     * node's old ring, with the nodes that left) and then a REGULAR one (the new ring, with the nodes that
     * joined). Both carry the new ring's id.
     */
    void configurationChange(MembershipEvent event);

    /** Arms (or re-arms, replacing the earlier deadline) the timer of this kind, {@code delayMillis} from now. */
    void armTimer(TimerKind kind, long delayMillis);

    /** Cancels the timer of this kind if it is armed. */
    void cancelTimer(TimerKind kind);

    /**
     * A packet of node {@code nodeId} was refused: its release {@code theirs} (announced in its JOIN, or told in
     * a REFUSED notice) is outside the compatibility rule, so it is kept out of the membership. Called for every
     * such packet: the driver logs once per node and release, and answers with a REFUSED notice at a bounded
     * rate.
     */
    default void refused(int nodeId, Release theirs) {
    }

    /** Node {@code nodeId}, refused earlier, announced a release this node accepts ({@code theirs}): let in. */
    default void refusalLifted(int nodeId, Release theirs) {
    }
}
