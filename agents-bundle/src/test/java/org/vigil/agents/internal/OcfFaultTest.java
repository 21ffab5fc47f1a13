package org.vigil.agents.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.ocf.OcfAgent;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;

/**
 * OCF agents that misbehave, and requests that are wrong, run through the real runner against small shell
 * agents in a throw-away OCF root (a custom provider directory, as the seed's {@code mirantis} one).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OcfFaultTest {

    @TempDir
    Path root;
    AgentSettings settings;
    AgentRunner runner;
    final List<Long> daemons = new ArrayList<>();

    @BeforeEach
    void setUp() {
        SystemTests.require(TestAgents.runnerAvailable(),
            "no runner helper (native or python3) to run external agents");
        settings = TestAgents.settings(root, 64 * 1024);
        runner = newRunner();
        SystemTests.require(runner.available(), runner.unavailableReason());
    }

    /** The runner under test: the default choice (the native helper where the build has it). */
    AgentRunner newRunner() {
        return new AgentRunner(null);
    }

    @AfterEach
    void tearDown() {
        if (runner != null) {
            runner.close();
        }
        for (long pid : daemons) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private OcfAgent agent(String type, String params, String cases) throws Exception {
        TestAgents.ocfAgent(root, "vigiltest", type, params, cases);
        return new OcfAgent("vigiltest", type, settings, runner);
    }

    private static AgentResult run(OcfAgent a, String rsc, String action, Map<String, String> params, long timeoutMs)
        throws Exception {
        return a.execute(AgentRequest.of(rsc, action, params, Duration.ofMillis(timeoutMs))).toCompletableFuture()
            .get(50, TimeUnit.SECONDS);
    }

    @Test
    void lifeCycleOfACustomProviderAgentUsesItsStateFile() throws Exception {
        OcfAgent a = agent("Stateful", TestAgents.param("state", "string", true), """
            start) touch "$OCF_RESKEY_state"; exit 0 ;;
            stop) rm -f "$OCF_RESKEY_state"; exit 0 ;;
            monitor) [ -f "$OCF_RESKEY_state" ] && exit 0; exit 7 ;;
            """);
        Map<String, String> p = Map.of("state", root.resolve("s1").toString());
        assertEquals(OcfStatus.NOT_RUNNING, run(a, "r1", "monitor", p, 5000).status());
        AgentResult start = run(a, "r1", "start", p, 5000);
        assertTrue(start.ok(), start.toString());
        assertTrue(Files.exists(root.resolve("s1")));
        assertEquals(OcfStatus.OK, run(a, "r1", "monitor", p, 5000).status());
        assertTrue(run(a, "r1", "stop", p, 5000).ok());
        assertEquals(OcfStatus.NOT_RUNNING, run(a, "r1", "monitor", p, 5000).status());
        assertEquals("ocf:vigiltest:Stateful", a.spec());
    }

    @Test
    void theOcfEnvironmentIsComplete() throws Exception {
        OcfAgent a = agent("Env", TestAgents.param("ip", "string", false), """
            start) env | grep -E '^(OCF_|HA_RSCTMP)' | sort; exit 0 ;;
            """);
        AgentRequest req = new AgentRequest("vip:0", "start", Map.of("ip", "10.61.0.5"),
            Map.of("notify_type", "pre", "notify_operation", "start", "clone-max", "2"), Duration.ofSeconds(7),
            Duration.ZERO);
        AgentResult r = a.execute(req).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.toString());
        String env = r.output();
        for (String line : List.of("OCF_ROOT=" + settings.ocfRoot(), "OCF_RESOURCE_INSTANCE=vip:0",
            "OCF_RESOURCE_TYPE=Env", "OCF_RESOURCE_PROVIDER=vigiltest", "OCF_RESKEY_ip=10.61.0.5",
            "OCF_RESKEY_CRM_meta_timeout=7000", "OCF_RESKEY_CRM_meta_interval=0",
            "OCF_RESKEY_CRM_meta_notify_type=pre", "OCF_RESKEY_CRM_meta_notify_operation=start",
            "OCF_RESKEY_CRM_meta_clone_max=2", "OCF_RA_VERSION_MAJOR=1", "HA_RSCTMP=" + settings.rscTmp())) {
            assertTrue(env.lines().anyMatch(line::equals), "missing " + line + " in\n" + env);
        }
    }

    @Test
    void everyOcfExitCodeMapsToItsStatus() throws Exception {
        OcfAgent a = agent("Exit", TestAgents.param("code", "integer", true), """
            start) exit "$OCF_RESKEY_code" ;;
            """);
        Map<Integer, OcfStatus> expected = new HashMap<>();
        for (OcfStatus s : OcfStatus.values()) {
            if (s != OcfStatus.UNKNOWN) {
                expected.put(s.code(), s);
            }
        }
        expected.put(42, OcfStatus.UNKNOWN);
        for (Map.Entry<Integer, OcfStatus> e : expected.entrySet()) {
            AgentResult r = run(a, "x", "start", Map.of("code", e.getKey().toString()), 5000);
            assertEquals(ExecStatus.DONE, r.exec());
            assertEquals(e.getValue(), r.status(), "exit " + e.getKey());
            assertEquals(e.getKey().intValue(), r.exitCode());
        }
    }

    @Test
    void aMissingAgentIsNotInstalled() throws Exception {
        OcfAgent a = new OcfAgent("vigiltest", "NoSuchAgent", settings, runner);
        AgentResult r = run(a, "x", "start", Map.of(), 5000);
        assertEquals(ExecStatus.NOT_INSTALLED, r.exec());
        assertEquals(OcfStatus.ERR_INSTALLED, r.status());
        assertTrue(r.exitReason().contains("not installed"), r.exitReason());
    }

    @Test
    void aNonExecutableScriptIsRefusedWithPermissionDenied() throws Exception {
        OcfAgent a = agent("NoExec", "", "start) exit 0 ;;");
        Files.setPosixFilePermissions(a.path(), PosixFilePermissions.fromString("rw-r--r--"));
        AgentResult r = run(a, "x", "start", Map.of(), 5000);
        assertEquals(ExecStatus.ERROR, r.exec());
        assertEquals(OcfStatus.ERR_PERM, r.status());
        assertTrue(r.error().contains("Permission denied"), r.error());
    }

    @Test
    void aHangingAgentTimesOutAndItsWholeProcessGroupIsGone() throws Exception {
        Path pids = root.resolve("pids");
        OcfAgent a = agent("Hang", TestAgents.param("pids", "string", true), """
            start)
              sleep 300 & echo $! >> "$OCF_RESKEY_pids"
              ( trap '' TERM; while :; do sleep 1; done ) & echo $! >> "$OCF_RESKEY_pids"
              echo $$ >> "$OCF_RESKEY_pids"
              while :; do sleep 1; done ;;
            """);
        long t0 = System.nanoTime();
        AgentResult r = run(a, "hang", "start", Map.of("pids", pids.toString()), 1500);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ExecStatus.TIMED_OUT, r.exec());
        assertEquals(OcfStatus.ERR_GENERIC, r.status());
        assertTrue(r.exitReason().contains("timed out after 1500 ms"), r.exitReason());
        assertTrue(ms < 15_000, "took " + ms + " ms");
        List<String> lines = Files.readAllLines(pids);
        assertEquals(3, lines.size(), lines.toString());
        for (String l : lines) {
            long pid = Long.parseLong(l.strip());
            assertFalse(TestAgents.alive(pid), "process " + pid + " of the timed-out agent is still there");
        }
    }

    @Test
    void fiftyMegabytesOfOutputAreReadButOnlyTheBoundIsKept() throws Exception {
        OcfAgent a = agent("Loud", "", """
            start) head -c 52428800 /dev/zero | tr '\\0' x; echo done >&2; exit 0 ;;
            """);
        AgentResult r = run(a, "loud", "start", Map.of(), 30000);
        assertTrue(r.ok(), r.exec() + " " + r.error());
        assertTrue(r.output().length() < 64 * 1024 + 200, "kept " + r.output().length());
        assertTrue(r.output().contains("[output truncated: 52428800 bytes, first 65536 kept]"));
        assertTrue(r.error().contains("done"));
    }

    @Test
    void exitStatus137IsAnUnknownErrorButASigkillIsAnExecutionError() throws Exception {
        OcfAgent a = agent("Die", "", """
            start) exit 137 ;;
            stop) kill -KILL $$ ;;
            """);
        AgentResult exited = run(a, "d", "start", Map.of(), 5000);
        assertEquals(ExecStatus.DONE, exited.exec());
        assertEquals(OcfStatus.UNKNOWN, exited.status());
        assertEquals(137, exited.exitCode());
        AgentResult killed = run(a, "d", "stop", Map.of(), 5000);
        assertEquals(ExecStatus.ERROR, killed.exec());
        assertEquals(-1, killed.exitCode());
        assertTrue(killed.error().contains("killed by signal 9 (KILL)"), killed.error());
    }

    @Test
    void unknownParametersAreRefusedAndTheAgentNeverStarts() throws Exception {
        Path log = root.resolve("ran");
        OcfAgent a = agent("Strict", TestAgents.param("log", "string", true), """
            start) echo ran >> "$OCF_RESKEY_log"; exit 0 ;;
            """);
        AgentResult r = run(a, "s", "start", Map.of("log", log.toString(), "colour", "blue"), 5000);
        assertEquals(ExecStatus.ERROR, r.exec());
        assertEquals(OcfStatus.ERR_CONFIGURED, r.status());
        assertTrue(r.error().contains("unknown parameter 'colour' for ocf:vigiltest:Strict (known: log)"), r.error());
        assertFalse(Files.exists(log));
        assertEquals(List.of("unknown parameter 'colour' for ocf:vigiltest:Strict (known: log)"),
            a.validate(Map.of("log", "x", "colour", "blue")));
    }

    @Test
    void aMissingRequiredParameterFailsValidationAndTheAgentNeverStarts() throws Exception {
        Path marker = root.resolve("started");
        OcfAgent a = agent("Needs", TestAgents.param("ip", "string", true) + TestAgents.param("n", "integer", false),
            "start) touch " + marker + "; exit 0 ;;");
        AgentResult r = run(a, "n", "start", Map.of(), 5000);
        assertEquals(OcfStatus.ERR_CONFIGURED, r.status());
        assertTrue(r.error().contains("required parameter 'ip' of ocf:vigiltest:Needs is missing"), r.error());
        AgentResult bad = run(a, "n", "start", Map.of("ip", "10.61.0.1", "n", "three"), 5000);
        assertTrue(bad.error().contains("'three' is not an integer"), bad.error());
        assertFalse(Files.exists(marker), "the agent ran although validation failed");
        assertTrue(run(a, "n", "start", Map.of("ip", "10.61.0.1", "n", "3"), 5000).ok());
        assertTrue(Files.exists(marker));
    }

    @Test
    void parameterValuesWithShellMetacharactersArePassedVerbatim() throws Exception {
        Path out = root.resolve("value");
        Path pwned = root.resolve("pwned");
        OcfAgent a = agent("Echo", TestAgents.param("value", "string", true) + TestAgents.param("out", "string", true),
            "start) printf '%s' \"$OCF_RESKEY_value\" > \"$OCF_RESKEY_out\"; exit 0 ;;");
        String nasty = "a;b && touch " + pwned + " $(touch " + pwned + ") `touch " + pwned + "` 'single' \"double\""
            + "\nsecond line\\n | > < * ? ~ $HOME ${PATH} é";
        AgentResult r = run(a, "e", "start", Map.of("value", nasty, "out", out.toString()), 5000);
        assertTrue(r.ok(), r.toString());
        assertEquals(nasty, Files.readString(out, StandardCharsets.UTF_8));
        assertFalse(Files.exists(pwned), "a parameter value was interpreted by a shell");
        AgentResult nul = run(a, "e", "start", Map.of("value", "a\0b", "out", out.toString()), 5000);
        assertEquals(OcfStatus.ERR_CONFIGURED, nul.status());
    }

    @Test
    void aDaemonHoldingTheAgentsStdoutDoesNotHangTheRunner() throws Exception {
        Path pidFile = root.resolve("daemon.pid");
        OcfAgent a = agent("Daemon", TestAgents.param("pidfile", "string", true), """
            start) sleep 60 & echo $! > "$OCF_RESKEY_pidfile"; echo started; exit 0 ;;
            """);
        long t0 = System.nanoTime();
        AgentResult r = run(a, "dm", "start", Map.of("pidfile", pidFile.toString()), 30000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long daemon = Long.parseLong(Files.readString(pidFile).strip());
        daemons.add(daemon);
        assertTrue(r.ok(), r.toString());
        assertTrue(r.output().contains("started"));
        assertTrue(ms < 10_000, "the runner waited " + ms + " ms for the daemon");
        assertTrue(TestAgents.alive(daemon), "the daemon an agent started must be left alone");
        // and the runner still works for the next action
        assertTrue(run(a, "dm", "start", Map.of("pidfile", root.resolve("d2").toString()), 30000).ok());
        daemons.add(Long.parseLong(Files.readString(root.resolve("d2")).strip()));
    }

    @Test
    void cancellingKillsTheGroupAndReportsCancelled() throws Exception {
        OcfAgent a = agent("Slow", "", "start) sleep 120; exit 0 ;;");
        AgentRequest req = AgentRequest.of("slow", "start", Map.of(), Duration.ofSeconds(60));
        CompletableFuture<AgentResult> f = a.execute(req).toCompletableFuture();
        Thread.sleep(300);
        assertTrue(a.cancel(req));
        AgentResult r = f.get(20, TimeUnit.SECONDS);
        assertEquals(ExecStatus.CANCELLED, r.exec());
        assertFalse(a.cancel(req));
    }

    @Test
    void actionNamesThatAreNotPlainWordsAreRefused() throws Exception {
        OcfAgent a = agent("Plain", "", "start) exit 0 ;;");
        AgentResult r = run(a, "p", "start; rm -rf /", Map.of(), 5000);
        assertEquals(OcfStatus.ERR_UNIMPLEMENTED, r.status());
        assertEquals(OcfStatus.ERR_UNIMPLEMENTED, run(a, "p", "promote", Map.of(), 5000).status());
    }

    @Test
    void manyActionsRunConcurrently() throws Exception {
        // Each monitor waits (up to 20 s) until all 20 have started: they can only all succeed if they overlap.
        Path barrier = Files.createDirectories(root.resolve("barrier"));
        OcfAgent a = agent("Par", TestAgents.param("dir", "string", true), """
            monitor)
              touch "$OCF_RESKEY_dir/$OCF_RESOURCE_INSTANCE"; n=0
              while [ "$(ls "$OCF_RESKEY_dir" | wc -l)" -lt 20 ]; do
                n=$((n+1)); [ $n -gt 200 ] && exit 1; sleep 0.1
              done
              exit 7 ;;
            """);
        List<CompletableFuture<AgentResult>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(a.execute(AgentRequest.of("p" + i, "monitor", Map.of("dir", barrier.toString()),
                Duration.ofSeconds(40))).toCompletableFuture());
        }
        for (CompletableFuture<AgentResult> f : all) {
            assertEquals(OcfStatus.NOT_RUNNING, f.get(45, TimeUnit.SECONDS).status(), "monitors did not overlap");
        }
    }

    @Test
    void actionsStartedFromCompletionsWithLargeOutputsDoNotDeadlock() throws Exception {
        OcfAgent a = agent("Big", "", "monitor) head -c 200000 /dev/zero | tr '\\0' y; exit 0 ;;");
        List<CompletableFuture<Integer>> chains = new ArrayList<>();
        for (int c = 0; c < 30; c++) {
            chains.add(chain(a, "c" + c, 5));
        }
        for (CompletableFuture<Integer> f : chains) {
            assertEquals(5, f.get(50, TimeUnit.SECONDS));
        }
    }

    /** Runs n monitors one after another, each started from the previous one's completion. */
    private static CompletableFuture<Integer> chain(OcfAgent a, String rsc, int n) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        step(a, rsc, n, 0, done);
        return done;
    }

    private static void step(OcfAgent a, String rsc, int n, int i, CompletableFuture<Integer> done) {
        a.execute(AgentRequest.of(rsc, "monitor", Map.of(), Duration.ofSeconds(40))).thenAccept(r -> {
            if (!r.ok() || r.output().length() < 64 * 1024) {
                done.completeExceptionally(new AssertionError(r.toString()));
            } else if (i + 1 == n) {
                done.complete(n);
            } else {
                step(a, rsc, n, i + 1, done);
            }
        });
    }

    @Test
    void metaDataIsParsedAndCachedUntilTheFileChanges() throws Exception {
        OcfAgent a = agent("Meta", TestAgents.param("ip", "string", true), "start) exit 0 ;;");
        assertEquals("Meta", a.parsedMetaData().name());
        assertEquals("1.1", a.parsedMetaData().ocfVersion());
        assertNotNull(a.parsedMetaData().parameter("ip").orElse(null));
        TestAgents.ocfAgent(root, "vigiltest", "Meta", TestAgents.param("cidr", "integer", false), "start) exit 0 ;;");
        Files.setLastModifiedTime(a.path(), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
            + 5000));
        assertTrue(a.parsedMetaData().parameter("cidr").isPresent());
        assertTrue(a.validate(Map.of()).isEmpty());
    }
}
