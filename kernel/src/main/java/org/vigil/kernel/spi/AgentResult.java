package org.vigil.kernel.spi;

import java.time.Duration;

/**
 * The outcome of one agent action. Immutable.
 *
 * @param exec     how the action ended
 * @param status   the OCF meaning of the exit code when {@code exec} is DONE; otherwise the closest OCF code
 *                 (ERR_INSTALLED when not installed, ERR_CONFIGURED for rejected parameters, ERR_GENERIC for
 *                 timeouts and other failures), as Pacemaker records them
 * @param exitCode the raw exit status (-1 if the agent did not exit on its own or never ran)
 * @param output   captured standard output (bounded: a note at the end says so when it was truncated)
 * @param error    captured standard error (bounded likewise), or the reason the action could not run
 * @param elapsed  wall time the action took
 */
public record AgentResult(ExecStatus exec, OcfStatus status, int exitCode, String output, String error,
                          Duration elapsed) {

    /** The prefix OCF agents put before their one-line failure reason on standard error. */
    public static final String EXIT_REASON_PREFIX = "ocf-exit-reason:";

    /** True when the action ran and returned {@link OcfStatus#OK}. */
    public boolean ok() {
        return exec == ExecStatus.DONE && status == OcfStatus.OK;
    }

    /**
     * The agent's exit reason: the last {@value #EXIT_REASON_PREFIX} line of standard error, or for an action
     * that did not end by itself the first line of {@link #error()}; null if there is none.
     */
    public String exitReason() {
        String reason = null;
        if (error != null) {
            for (String line : error.split("\n")) {
                int i = line.indexOf(EXIT_REASON_PREFIX);
                if (i >= 0) {
                    reason = line.substring(i + EXIT_REASON_PREFIX.length()).strip();
                }
            }
            if (reason == null && exec != ExecStatus.DONE && !error.isBlank()) {
                reason = error.strip().split("\n", 2)[0];
            }
        }
        return reason;
    }

    /** A result for an action that did not run (or did not end by itself). */
    public static AgentResult failed(ExecStatus exec, OcfStatus status, String reason, Duration elapsed) {
        return new AgentResult(exec, status, -1, "", reason, elapsed);
    }
}
