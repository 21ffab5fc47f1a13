package org.vigil.crm.api.fencer;

/**
 * One fencing operation as the fencers record it in their history (Pacemaker's {@code stonith_history_t}), and
 * the result a {@link Fencer#fence} request completes with. Immutable.
 *
 * @param id          the operation's id, unique in the cluster ({@code ORIGIN:N})
 * @param target      the node fenced
 * @param action      what was done to it
 * @param origin      the node whose fencer took the request
 * @param delegate    the node whose device did (or last tried) the action; null while none ran, and for a
 *                    manual confirmation
 * @param device      the device that did (or last tried) the action; null while none ran
 * @param client      who asked (e.g. {@code pacemaker-controld.1234}, {@code stonith_admin.5678})
 * @param state       pending, done or failed
 * @param completedMs when the operation ended, in epoch milliseconds on the node that recorded it (0 while
 *                    pending)
 * @param reason      why it failed (null unless {@link State#FAILED}); for a request merged into an operation
 *                    already in progress, the result is that operation's
 */
public record FenceEvent(String id, String target, FenceAction action, String origin, String delegate,
                         String device, String client, State state, long completedMs, String reason) {

    /** The state of a fencing operation. */
    public enum State {
        /** Asked for, not ended yet. */
        PENDING,
        /** The target was fenced. */
        DONE,
        /** No device could fence the target (or every one tried failed, or the time ran out). */
        FAILED
    }

    /** True once the operation has ended. */
    public boolean ended() {
        return state != State.PENDING;
    }
}
