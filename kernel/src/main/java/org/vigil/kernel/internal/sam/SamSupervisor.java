package org.vigil.kernel.internal.sam;

/**
 * The simple availability manager's supervision of one local process (corosync's SAM, whose library's parent
 * process does this in {@code sam_parent_handler}; here in our words, as a pure state machine in the style of the
 * Totem engine): the process sends health checks at least every {@code interval}; a missed check or an exit is a
 * failure, and the recovery policy decides what follows.
 *
 * <ul>
 * <li>{@link Policy#RESTART}: the process is stopped (if still running) and started again;</li>
 * <li>{@link Policy#QUORUM_RESTART}: as RESTART, but only while the node is quorate: losing quorum stops the
 * process, and it is started again when quorum comes back (corosync's {@code SAM_RECOVERY_POLICY_QUORUM_RESTART});</li>
 * <li>{@link Policy#STOP}: the process is stopped and supervision ends with a failure (corosync's
 * {@code SAM_RECOVERY_POLICY_QUIT}).</li>
 * </ul>
 *
 * <p>A process that does not exit within {@code killGrace} of being asked to (SIGTERM) is killed (SIGKILL): a hung
 * process. What happened is recorded under {@code runtime.sam.NAME.*}: {@code policy}, {@code poll_period},
 * {@code state}, {@code recovery_count}, {@code last_failure}, {@code last_updated} (the time of the last health
 * check, ms), as corosync keeps {@code resources.process.PID.*}.
 *
 * <p>Inputs: {@link #start}, {@link #onHealthCheck}, {@link #onExit}, {@link #onQuorum}, {@link #onTimer},
 * {@link #stop}; time is given by the caller (ms, monotonic). Outputs go to an {@link Out}. One timer at a time.
 * Not thread-safe.
 */
public final class SamSupervisor {

    /** What a failure leads to. */
    public enum Policy {
        RESTART, QUORUM_RESTART, STOP;

        /** The policy named on a command line ({@code restart}, {@code quorum}, {@code stop}), or null. */
        public static Policy parse(String s) {
            return switch (s) {
                case "restart" -> RESTART;
                case "quorum", "quorum-restart" -> QUORUM_RESTART;
                case "stop", "quit" -> STOP;
                default -> null;
            };
        }

        public String word() {
            return switch (this) {
                case RESTART -> "restart";
                case QUORUM_RESTART -> "quorum-restart";
                case STOP -> "stop";
            };
        }
    }

    /** Where the process is. */
    public enum State {
        /** Started, no health check yet within the first interval, or checking in. */
        RUNNING,
        /** Asked to exit after a failure (or quorum loss, or an operator stop); waiting for its exit. */
        STOPPING,
        /** Exited; the quorum policy waits for quorum before starting it again. */
        WAITING_FOR_QUORUM,
        /** Supervision is over (STOP policy after a failure, or an operator stop). */
        STOPPED
    }

    /** The supervisor's outputs. */
    public interface Out {
        /** Start the process (again). */
        void spawn();

        /** Ask the process to exit (SIGTERM), or kill it ({@code force}: SIGKILL). */
        void terminate(boolean force);

        /** Call {@link SamSupervisor#onTimer} after {@code delayMs} (replaces the previous timer). */
        void armTimer(long delayMs);

        /** Set {@code runtime.sam.NAME.KEY} (a String or a Long). */
        void record(String key, Object value);

        /** Supervision ended; {@code status} is the wrapper's exit status (0 after an operator stop). */
        void finished(int status);

        /** A log line. */
        void log(String text);
    }

    private final Policy policy;
    private final long interval;
    private final long killGrace;
    private final Out out;
    private State state = State.STOPPED;
    private boolean quorate = true;
    private boolean forced;
    private boolean operatorStop;
    /** Why the process is being stopped (recorded as the last failure), or null for an operator stop. */
    private String failure;
    private long recoveries;

    /**
     * @param policy    what a failure leads to
     * @param interval  the longest time between two health checks, ms (0: no health checks, exits only)
     * @param killGrace how long a process may take to exit when asked before it is killed, ms
     * @param out       where the outputs go
     */
    public SamSupervisor(Policy policy, long interval, long killGrace, Out out) {
        if (interval < 0 || killGrace <= 0) {
            throw new IllegalArgumentException("interval must be ≥ 0 and the kill grace > 0");
        }
        this.policy = policy;
        this.interval = interval;
        this.killGrace = killGrace;
        this.out = out;
    }

    public State state() {
        return state;
    }

    public Policy policy() {
        return policy;
    }

    public long recoveries() {
        return recoveries;
    }

    /** Starts supervising: the process is started now (or, with the quorum policy and no quorum, once quorate). */
    public void start(boolean quorateNow) {
        quorate = quorateNow;
        out.record("policy", policy.word());
        out.record("poll_period", interval);
        out.record("recovery_count", 0L);
        if (policy == Policy.QUORUM_RESTART && !quorate) {
            setState(State.WAITING_FOR_QUORUM);
            out.log("waiting for quorum before starting the process");
            return;
        }
        spawn();
    }

    /** The process sent a health check at {@code nowMs}. */
    public void onHealthCheck(long nowMs) {
        out.record("last_updated", nowMs);
        if (state == State.RUNNING && interval > 0) {
            out.armTimer(interval);
        }
    }

    /** The timer ran out: a missed health check, or a process that did not exit when asked. */
    public void onTimer() {
        switch (state) {
            case RUNNING -> {
                if (interval > 0) {
                    fail("no health check for " + interval + " ms");
                }
            }
            case STOPPING -> {
                if (!forced) {
                    forced = true;
                    if (failure != null) {
                        failure = failure + "; it did not exit within " + killGrace + " ms and was killed (hung)";
                    }
                    out.log("the process did not exit within " + killGrace + " ms: killing it");
                    out.armTimer(killGrace);   // before: the exit may be reported (and a restart armed) at once
                    out.terminate(true);
                }
            }
            default -> {
            }
        }
    }

    /** The process exited with {@code status} (by itself, or as asked). */
    public void onExit(int status) {
        switch (state) {
            case RUNNING -> {
                failure = "exited with status " + status;
                recover();
            }
            case STOPPING -> recover();
            default -> {
            }
        }
    }

    /** The node's quorum changed. */
    public void onQuorum(boolean quorateNow) {
        boolean was = quorate;
        quorate = quorateNow;
        if (policy != Policy.QUORUM_RESTART || was == quorateNow) {
            return;
        }
        if (!quorateNow && state == State.RUNNING) {
            fail("quorum lost");
        } else if (quorateNow && state == State.WAITING_FOR_QUORUM) {
            out.log("quorum regained: starting the process again");
            spawn();
        }
    }

    /** An operator stop: the process is asked to exit and supervision ends (status 0). */
    public void stop() {
        operatorStop = true;
        if (state == State.RUNNING) {
            failure = null;
            terminate();
        } else if (state != State.STOPPING) {
            end(0);
        }
    }

    private void fail(String why) {
        failure = why;
        out.log("process failure: " + why);
        terminate();
    }

    private void terminate() {
        forced = false;
        setState(State.STOPPING);
        out.armTimer(killGrace);   // before: the exit may be reported (and a restart armed) at once
        out.terminate(false);
    }

    /** The process is gone: record the failure and apply the policy. */
    private void recover() {
        if (operatorStop) {
            end(0);
            return;
        }
        recoveries++;
        out.record("recovery_count", recoveries);
        out.record("last_failure", failure);
        switch (policy) {
            case STOP -> {
                out.log("recovery policy stop: not starting the process again (" + failure + ")");
                end(1);
            }
            case RESTART -> {
                out.log("restarting the process (" + failure + ")");
                spawn();
            }
            case QUORUM_RESTART -> {
                if (quorate) {
                    out.log("restarting the process (" + failure + ")");
                    spawn();
                } else {
                    out.log("the process stays stopped until the node is quorate again (" + failure + ")");
                    setState(State.WAITING_FOR_QUORUM);
                }
            }
        }
    }

    private void spawn() {
        setState(State.RUNNING);
        out.spawn();
        if (interval > 0) {
            out.armTimer(interval);
        }
    }

    private void end(int status) {
        setState(State.STOPPED);
        out.finished(status);
    }

    private void setState(State s) {
        state = s;
        out.record("state", s.name().toLowerCase(java.util.Locale.ROOT));
    }
}
