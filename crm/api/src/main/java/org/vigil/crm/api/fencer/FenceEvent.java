package org.vigil.crm.api.fencer;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

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

    /**
     * How the status tools print this operation: Pacemaker's {@code stonith__history_description()}.
     * {@code stonith_admin --history} and {@code crm_mon -R} use the technical form ({@code technical}: "reboot of
     * node3 successful: delegate=node1, client=..., origin=node2, last-successful='...'"), {@code crm_mon} the
     * human one ("reboot of node3 by node1 for client@node2 last successful at ...").
     *
     * @param full           a line of the full history ({@code completed=}), not of the condensed one
     * @param laterSucceeded for a failure, the node from which a later attempt succeeded, or null
     * @param zone           the zone the completion time is printed in
     */
    public String describe(boolean full, String laterSucceeded, boolean technical, ZoneId zone) {
        StringBuilder b = new StringBuilder();
        b.append(switch (action) {
            case ON -> "unfencing";
            case OFF -> "turning off";
            case REBOOT -> "reboot";
        }).append(" of ").append(target);
        if (!technical) {
            if (ended() && delegate != null) {
                b.append(" by ").append(delegate);
            }
            b.append(" for ").append(client).append('@').append(origin);
            if (!full) {
                b.append(" last");
            }
        }
        b.append(' ').append(switch (state) {
            case DONE -> "successful";
            case FAILED -> "failed";
            case PENDING -> "pending";
        });
        if (state == State.FAILED && reason != null) {
            b.append(" (").append(reason).append(')');
        }
        if (technical) {
            b.append(": ");
            if (ended() && delegate != null) {
                b.append("delegate=").append(delegate).append(", ");
            }
            b.append("client=").append(client).append(", origin=").append(origin);
            if (ended()) {
                b.append(full ? ", completed" : state == State.FAILED ? ", last-failed" : ", last-successful")
                    .append("='").append(time(completedMs, zone)).append('\'');
            }
        } else if (ended()) {
            b.append(" at ").append(time(completedMs, zone));
        }
        if (state == State.FAILED && laterSucceeded != null) {
            b.append(" (a later attempt from ").append(laterSucceeded).append(" succeeded)");
        }
        return b.toString();
    }

    /**
     * For a failed operation, who succeeded later with the same action on the same target (Pacemaker's
     * {@code stonith__later_succeeded()}): that operation's delegate, "a manual confirmation" when an admin
     * confirmed it; null when none did (or {@code failed} did not fail).
     */
    public static String laterSucceeded(FenceEvent failed, java.util.List<FenceEvent> history) {
        if (failed.state() != State.FAILED) {
            return null;
        }
        for (FenceEvent e : history) {
            if (e.state() == State.DONE && e.target().equals(failed.target()) && e.action() == failed.action()
                && e.completedMs() > failed.completedMs()) {
                return e.delegate() == null ? "a manual confirmation" : e.delegate();
            }
        }
        return null;
    }

    /** Pacemaker's {@code crm_time_as_string} with date, time of day and time zone. */
    public static String time(long epochMs, ZoneId zone) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMs).atZone(zone);
        String s = t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        int offset = t.getOffset().getTotalSeconds();
        if (offset == 0) {
            return s + "Z";
        }
        int abs = Math.abs(offset) / 60;
        return s + String.format(" %c%02d:%02d", offset < 0 ? '-' : '+', abs / 60, abs % 60);
    }
}
