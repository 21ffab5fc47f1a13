package org.vigil.kernel.internal.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@code vigil sam run} with real processes (sh) and a recorded node: a process that exits, one that stops sending
 * health checks, one that hangs, restarts until stopped, and quorum loss with the quorum policy. Each is bounded
 * (a few seconds at most).
 */
class SamRunTest {

    /** The node: what was recorded, and a quorum the test sets. */
    static final class Node implements SamRun.NodeLink {
        final Map<String, Object> cmap = new ConcurrentHashMap<>();
        volatile Boolean quorate = true;

        @Override
        public void record(String name, String key, Object value) {
            cmap.put(key, value);
        }

        @Override
        public Boolean quorate() {
            return quorate;
        }
    }

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(log, true);

    private int run(Node node, String... args) {
        return SamRun.run(args, err, node);
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aProcessThatExitsEndsSupervisionUnderTheStopPolicy() {
        Node n = new Node();
        assertEquals(1, run(n, "run", "--interval", "0", "--policy", "stop", "--name", "app", "--", "sh", "-c",
            "exit 3"));
        assertEquals("exited with status 3", n.cmap.get("last_failure"));
        assertEquals(1L, n.cmap.get("recovery_count"));
        assertEquals("stopped", n.cmap.get("state"));
        assertEquals("stop", n.cmap.get("policy"));
    }

    @Test
    void aProcessThatStopsSendingHealthChecksIsAFailure() {
        Node n = new Node();
        assertEquals(1, run(n, "run", "--interval", "400ms", "--policy", "stop", "--grace", "2s", "--", "sh", "-c",
            "for i in 1 2 3; do echo hc > \"$VIGIL_SAM_FIFO\"; sleep 0.1; done; exec sleep 20"));
        assertEquals("no health check for 400 ms", n.cmap.get("last_failure"), log.toString());
        assertTrue(n.cmap.containsKey("last_updated"), "its health checks were recorded: " + n.cmap);
    }

    @Test
    void aHungProcessIsKilledAfterTheGrace() {
        Node n = new Node();
        long start = System.nanoTime();
        assertEquals(1, run(n, "run", "--interval", "300ms", "--policy", "stop", "--grace", "300ms", "--", "sh", "-c",
            "trap '' TERM; echo hc > \"$VIGIL_SAM_FIFO\"; exec sleep 20"));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15),
            "the process was killed, not waited for until its own end (20 s)");
        assertEquals("no health check for 300 ms; it did not exit within 300 ms and was killed (hung)",
            n.cmap.get("last_failure"), log.toString());
    }

    @Test
    void theRestartPolicyStartsTheProcessAgainUntilStopped() throws Exception {
        Node n = new Node();
        SamRun.Instance i = SamRun.parse(new String[] {"run", "--interval", "0", "--", "sh", "-c", "sleep 0.1; exit 4"},
            err, n);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return i.runToEnd();
            } catch (InterruptedException e) {
                return -1;
            }
        });
        await("three restarts", () -> n.cmap.get("recovery_count") instanceof Long c && c >= 3);
        i.stop();
        assertEquals(0, status.get(20, TimeUnit.SECONDS), "an operator stop ends with status 0");
        assertEquals("exited with status 4", n.cmap.get("last_failure"));
    }

    @Test
    void withTheQuorumPolicyQuorumLossStopsTheProcessUntilQuorumReturns() throws Exception {
        Node n = new Node();
        SamRun.Instance i = SamRun.parse(new String[] {"run", "--interval", "0", "--policy", "quorum", "--", "sh",
            "-c", "exec sleep 20"}, err, n);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return i.runToEnd();
            } catch (InterruptedException e) {
                return -1;
            }
        });
        await("running", () -> "running".equals(n.cmap.get("state")));
        n.quorate = false;
        await("stopped on quorum loss", () -> "waiting_for_quorum".equals(n.cmap.get("state")));
        assertEquals("quorum lost", n.cmap.get("last_failure"));
        n.quorate = true;
        await("started again once quorate", () -> "running".equals(n.cmap.get("state")));
        i.stop();
        assertEquals(0, status.get(20, TimeUnit.SECONDS));
        assertEquals(1L, n.cmap.get("recovery_count"));
    }

    @Test
    void badArgumentsAreRefused() {
        assertEquals(2, run(new Node(), "run", "--policy", "maybe", "--", "true"));
        assertTrue(log.toString().contains("--policy must be restart, quorum or stop, not 'maybe'"), log.toString());
        assertEquals(2, run(new Node(), "run", "--interval", "5x", "--", "true"));
        assertEquals(2, run(new Node(), "run", "--interval", "1s"));
        assertTrue(log.toString().contains("no command after --"), log.toString());
    }
}
