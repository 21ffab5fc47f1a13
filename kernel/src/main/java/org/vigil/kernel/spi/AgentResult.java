package org.vigil.kernel.spi;

import java.time.Duration;

/**
 * The outcome of one agent action.
 *
 * @param exec     how the action ended
 * @param status   the OCF meaning of the exit code (only meaningful when {@code exec} is DONE)
 * @param exitCode the raw exit status (-1 if the agent did not exit on its own)
 * @param output   captured standard output (possibly truncated)
 * @param error    captured standard error (possibly truncated), or the reason the action could not run
 * @param elapsed  wall time the action took
 */
public record AgentResult(ExecStatus exec, OcfStatus status, int exitCode, String output, String error,
                          Duration elapsed) {

    /** True when the action ran and returned {@link OcfStatus#OK}. */
    public boolean ok() {
        return exec == ExecStatus.DONE && status == OcfStatus.OK;
    }
}
