package org.vigil.agents.internal.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.agents.internal.SystemTests;

/** The runner helper's life: death while actions run, restart, closing with work in flight. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentRunnerTest {

    /** The runner under test: the default choice (the native helper where the build has it). */
    AgentRunner newRunner() {
        AgentRunner r = new AgentRunner(null);
        SystemTests.require(r.available(), r.unavailableReason());
        return r;
    }

    private static ProcessSpec sh(String script, long timeoutMs) {
        return new ProcessSpec(List.of("/bin/sh", "-c", script), Map.of("PATH", "/usr/bin:/bin"), null, null,
            Duration.ofMillis(timeoutMs), Duration.ofMillis(500), 4096);
    }

    @Test
    void aDeadHelperFailsWhatItRanAndIsReplacedForTheNextAction() throws Exception {
        AgentRunner r = newRunner();
        try {
            RunHandle slow = r.run(sh("sleep 30", 60_000));
            long helper = r.helperPid();
            assertTrue(helper > 0);
            Thread.sleep(200);
            ProcessHandle.of(helper).orElseThrow().destroyForcibly();
            ProcessOutcome lost = slow.outcome().get(20, TimeUnit.SECONDS);
            assertEquals(Ending.RUNNER_LOST, lost.ending());
            assertTrue(lost.message().contains("exited unexpectedly"), lost.message());
            if (lost.pid() > 0) {
                ProcessHandle.of(lost.pid()).ifPresent(ProcessHandle::destroyForcibly);  // the orphaned sleep
            }
            ProcessOutcome next = r.run(sh("echo again", 10_000)).outcome().get(20, TimeUnit.SECONDS);
            assertEquals(Ending.EXITED, next.ending());
            assertEquals("again\n", next.stdoutText());
            assertTrue(r.helperPid() != helper);
        } finally {
            r.close();
        }
    }

    @Test
    void closingLetsActionsInFlightFinishAndLaterActionsStillRunOnce() throws Exception {
        AgentRunner r = newRunner();
        RunHandle inFlight = r.run(sh("sleep 1; echo finished", 20_000));
        Thread.sleep(100);
        long helper = r.helperPid();
        r.close();
        assertEquals(0, r.helperPid());
        ProcessOutcome late = r.run(sh("echo late", 10_000)).outcome().get(20, TimeUnit.SECONDS);
        assertEquals("late\n", late.stdoutText());
        ProcessOutcome o = inFlight.outcome().get(20, TimeUnit.SECONDS);
        assertEquals(Ending.EXITED, o.ending());
        assertEquals("finished\n", o.stdoutText());
        assertTrue(o.pid() > 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(helper).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(ProcessHandle.of(helper).map(ph -> !ph.isAlive()).orElse(true),
            "the closed helper did not exit after its last action");
    }

    @Test
    void standardInputIsFedAndClosed() throws Exception {
        AgentRunner r = newRunner();
        try {
            ProcessSpec s = new ProcessSpec(List.of("/bin/cat"), Map.of(), null, "a=1\nb=2\n".getBytes(),
                Duration.ofSeconds(10), Duration.ofMillis(500), 4096);
            CompletableFuture<ProcessOutcome> f = r.run(s).outcome();
            assertEquals("a=1\nb=2\n", f.get(20, TimeUnit.SECONDS).stdoutText());
        } finally {
            r.close();
        }
    }

    @Test
    void aNulByteInTheEnvironmentIsRefusedNotCutShort() throws Exception {
        AgentRunner r = newRunner();
        try {
            ProcessSpec s = new ProcessSpec(List.of("/usr/bin/env"), Map.of("A", "before\0after"), null, null,
                Duration.ofSeconds(10), Duration.ofMillis(500), 4096);
            ProcessOutcome o = r.run(s).outcome().get(20, TimeUnit.SECONDS);
            assertEquals(Ending.NOT_STARTED, o.ending(), o.stdoutText());
            // the helper is still fine
            assertEquals("ok\n", r.run(sh("echo ok", 10_000)).outcome().get(20, TimeUnit.SECONDS).stdoutText());
        } finally {
            r.close();
        }
    }
}
