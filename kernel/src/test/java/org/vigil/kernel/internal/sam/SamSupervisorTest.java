package org.vigil.kernel.internal.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The availability manager's supervision on a virtual clock, with a simulated process: one that exits, one that
 * stops sending health checks, one that hangs (ignores SIGTERM), a quorum loss with the quorum policy, and the
 * stop policy.
 */
class SamSupervisorTest {

    /** A simulated process and clock around a supervisor. */
    static final class Harness implements SamSupervisor.Out {
        long now;
        long timerAt = -1;
        boolean alive;
        /** The process exits when asked (SIGTERM); a hung one does not. */
        boolean obeysTerm = true;
        int spawns;
        Integer finished;
        final List<String> actions = new ArrayList<>();
        final Map<String, Object> cmap = new TreeMap<>();
        final SamSupervisor sam;

        Harness(SamSupervisor.Policy policy) {
            sam = new SamSupervisor(policy, 1000, 500, this);
        }

        @Override
        public void spawn() {
            alive = true;
            spawns++;
            actions.add(now + " spawn");
        }

        @Override
        public void terminate(boolean force) {
            actions.add(now + (force ? " SIGKILL" : " SIGTERM"));
            if (force || obeysTerm) {
                alive = false;
                sam.onExit(force ? 137 : 143);
            }
        }

        @Override
        public void armTimer(long delayMs) {
            timerAt = now + delayMs;
        }

        @Override
        public void record(String key, Object value) {
            cmap.put("runtime.sam.app." + key, value);
        }

        @Override
        public void finished(int status) {
            finished = status;
            actions.add(now + " finished " + status);
        }

        @Override
        public void log(String text) {
        }

        /** Time passes to {@code t}; the process sends a health check every {@code hcEvery} ms (0: none). */
        void runTo(long t, long hcEvery) {
            while (now < t) {
                now++;
                if (alive && hcEvery > 0 && now % hcEvery == 0) {
                    sam.onHealthCheck(now);
                }
                if (timerAt == now) {
                    timerAt = -1;
                    sam.onTimer();
                }
            }
        }
    }

    @Test
    void aProcessThatExitsIsRestartedAndTheFailureIsRecorded() {
        Harness h = new Harness(SamSupervisor.Policy.RESTART);
        h.sam.start(true);
        h.runTo(2000, 300);
        h.alive = false;
        h.sam.onExit(3);
        assertEquals(2, h.spawns, "started again at once");
        assertEquals(1L, h.cmap.get("runtime.sam.app.recovery_count"));
        assertEquals("exited with status 3", h.cmap.get("runtime.sam.app.last_failure"));
        assertEquals("running", h.cmap.get("runtime.sam.app.state"));
        assertEquals("restart", h.cmap.get("runtime.sam.app.policy"));
        assertEquals(1000L, h.cmap.get("runtime.sam.app.poll_period"));
        h.runTo(5000, 300);
        assertEquals(2, h.spawns, "health checks keep it running");
        assertEquals(4800L, h.cmap.get("runtime.sam.app.last_updated"));
    }

    @Test
    void aProcessThatStopsSendingHealthChecksIsStoppedAndRestarted() {
        Harness h = new Harness(SamSupervisor.Policy.RESTART);
        h.sam.start(true);
        h.runTo(3000, 400);
        h.runTo(4500, 0);   // still running, no more checks
        assertEquals(List.of("0 spawn", "3800 SIGTERM", "3800 spawn"), h.actions,
            "stopped 1000 ms after its last check (2800), then started again");
        assertEquals("no health check for 1000 ms", h.cmap.get("runtime.sam.app.last_failure"));
        assertEquals(1L, h.cmap.get("runtime.sam.app.recovery_count"));
    }

    @Test
    void aHungProcessIsKilledAfterTheGraceAndRestarted() {
        Harness h = new Harness(SamSupervisor.Policy.RESTART);
        h.obeysTerm = false;
        h.sam.start(true);
        h.runTo(1000, 0);
        assertTrue(h.alive, "SIGTERM ignored");
        h.runTo(1600, 0);
        assertEquals(List.of("0 spawn", "1000 SIGTERM", "1500 SIGKILL", "1500 spawn"), h.actions);
        assertEquals("no health check for 1000 ms; it did not exit within 500 ms and was killed (hung)",
            h.cmap.get("runtime.sam.app.last_failure"));
    }

    @Test
    void withTheQuorumPolicyQuorumLossStopsTheProcessUntilQuorumReturns() {
        Harness h = new Harness(SamSupervisor.Policy.QUORUM_RESTART);
        h.sam.start(false);
        assertEquals(0, h.spawns, "not started without quorum");
        assertEquals("waiting_for_quorum", h.cmap.get("runtime.sam.app.state"));
        h.sam.onQuorum(true);
        h.runTo(2000, 300);
        h.sam.onQuorum(false);
        assertTrue(!h.alive, "stopped on quorum loss");
        assertEquals("waiting_for_quorum", h.cmap.get("runtime.sam.app.state"));
        assertEquals("quorum lost", h.cmap.get("runtime.sam.app.last_failure"));
        h.runTo(6000, 300);
        assertEquals(1, h.spawns, "no restart while not quorate (and no missed-check failures)");
        h.sam.onQuorum(true);
        assertEquals(2, h.spawns, "started again once quorate");
        h.alive = false;
        h.sam.onExit(1);
        assertEquals(3, h.spawns, "quorate: an exit is restarted");
        assertEquals(2L, h.cmap.get("runtime.sam.app.recovery_count"));
    }

    @Test
    void theRestartPolicyIgnoresQuorumAndTheStopPolicyEndsAtTheFirstFailure() {
        Harness r = new Harness(SamSupervisor.Policy.RESTART);
        r.sam.start(false);
        r.sam.onQuorum(true);
        r.sam.onQuorum(false);
        assertEquals(1, r.spawns);
        assertTrue(r.alive, "the restart policy does not look at quorum");

        Harness s = new Harness(SamSupervisor.Policy.STOP);
        s.sam.start(true);
        s.runTo(500, 0);
        s.alive = false;
        s.sam.onExit(2);
        assertEquals(1, s.spawns);
        assertEquals(Integer.valueOf(1), s.finished);
        assertEquals("stopped", s.cmap.get("runtime.sam.app.state"));
        assertEquals("exited with status 2", s.cmap.get("runtime.sam.app.last_failure"));
    }

    @Test
    void anOperatorStopEndsSupervisionWithoutARecovery() {
        Harness h = new Harness(SamSupervisor.Policy.RESTART);
        h.sam.start(true);
        h.runTo(800, 300);
        h.sam.stop();
        assertEquals(Integer.valueOf(0), h.finished);
        assertEquals(1, h.spawns);
        assertEquals(0L, h.cmap.get("runtime.sam.app.recovery_count"));
    }
}
