package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.agents.internal.AgentSettings;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.fence.ExternalFenceAgent;
import org.vigil.itest.support.NetnsCluster;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.FenceRequest;

/**
 * The test fence agent {@code distribution/src/main/fence/fence_vigil_test} (shipped with the distribution, the
 * demo cluster's fence device too): it powers a "node" (here a {@code sleep} process standing in for a node process)
 * off by killing the pid in its pid file and on by running its start command, over the {@code fence_*} stdin
 * protocol; run directly and through the agents bundle's {@link ExternalFenceAgent}, as the fencer runs it. No
 * namespaces, no root.
 */
@Timeout(120)
class FenceTestAgentTest {

    /** The directory of the test fence agent, for {@code -Dvigil.agents.fence.dir} (the demo's nodes use it too). */
    static final Path AGENT_DIR = NetnsCluster.root().resolve("distribution/src/main/fence");
    static final Path AGENT = AGENT_DIR.resolve("fence_vigil_test");

    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void check() {
        assertTrue(Files.isExecutable(AGENT), AGENT + " must be executable (git keeps its mode)");
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        // processes the agent's start command started (detached), by the pids they wrote
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                String pid = Files.readString(f).strip();
                if (!pid.isEmpty()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    /** A stand-in for node {@code name}'s process, with its pid file. */
    private long node(String name) throws IOException {
        Process p = new ProcessBuilder("sleep", "300").start();
        started.add(p);
        Files.writeString(dir.resolve(name + ".pid"), p.pid() + "\n");
        return p.pid();
    }

    private record Run(int status, String out, String err) {
    }

    private Run agent(String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(AGENT.toString()).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the agent hung");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
            new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private String params() {
        return "pidfile=" + dir.resolve("{port}.pid") + "\nlog=" + dir.resolve("actions.log") + "\n";
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void waitDead(long pid) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (alive(pid) && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }

    @Test
    void powersNodesOffAndOnThroughTheStdinProtocol() throws Exception {
        long n1 = node("n1");
        long n2 = node("n2");
        Run md = agent("action=metadata\n");
        assertEquals(0, md.status());
        assertTrue(md.out().contains("<resource-agent name=\"fence_vigil_test\"") && md.out().contains(
            "<action name=\"list\"") && md.out().contains("<action name=\"status\""), md.out());

        Run list = agent("action=list\n" + params());
        assertEquals(0, list.status(), list.err());
        assertEquals(List.of("n1", "n2"), List.of(list.out().strip().split("\n")));
        assertEquals(0, agent("action=monitor\n" + params()).status());
        assertEquals(0, agent("action=status\nport=n1\n" + params()).status(), "on");

        Run off = agent("action=off\nport=n1\nnodename=n1\n" + params());
        assertEquals(0, off.status(), off.err());
        waitDead(n1);
        assertFalse(alive(n1), "off kills the node's process");
        assertTrue(alive(n2), "and only that one");
        assertEquals(2, agent("action=status\nport=n1\n" + params()).status(), "off");
        assertEquals(0, agent("action=off\nport=n1\n" + params()).status(), "off when off succeeds");

        // on: the start command starts the node again and writes its pid file
        String start = "start_cmd=sleep 300 & echo $! > " + dir.resolve("{port}.pid") + "\non_wait=10\n";
        Run on = agent("action=on\nplug=n1\n" + start + params());
        assertEquals(0, on.status(), on.err());
        assertEquals(0, agent("action=status\nport=n1\n" + params()).status(), "on again");
        long again = Long.parseLong(Files.readString(dir.resolve("n1.pid")).strip());
        assertTrue(again != n1 && alive(again));

        // reboot: off, then on
        Run reboot = agent("action=reboot\nport=n1\n" + start + params());
        assertEquals(0, reboot.status(), reboot.err());
        waitDead(again);
        assertFalse(alive(again));
        long third = Long.parseLong(Files.readString(dir.resolve("n1.pid")).strip());
        assertTrue(third != again && alive(third));

        List<String> log = Files.readAllLines(dir.resolve("actions.log")).stream()
            .map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        assertTrue(log.containsAll(List.of("off n1 ok", "status n1 off", "on n1 ok", "reboot n1 ok")), log.toString());
    }

    /** The demo's layout: the plug names the node's state directory, its pid file is DIR/{port}/vigil.pid. */
    @Test
    void thePlugCanNameTheDirectoryOfThePidFile() throws Exception {
        long[] pids = new long[2];
        for (int i = 1; i <= 2; i++) {
            Process p = new ProcessBuilder("sleep", "300").start();
            started.add(p);
            Files.writeString(Files.createDirectories(dir.resolve("node" + i)).resolve("vigil.pid"), p.pid() + "\n");
            pids[i - 1] = p.pid();
        }
        String params = "pidfile=" + dir.resolve("{port}/vigil.pid") + "\n";
        Run monitor = agent("action=monitor\n" + params);
        assertEquals(0, monitor.status(), monitor.err());
        Run list = agent("action=list\n" + params);
        assertEquals(new Run(0, "node1\nnode2\n", ""), list);
        Run off = agent("action=off\nport=node2\n" + params);
        assertEquals(0, off.status(), off.err());
        waitDead(pids[1]);
        assertFalse(alive(pids[1]), "off kills node2's process");
        assertTrue(alive(pids[0]), "and only that one");
        Run gone = agent("action=monitor\npidfile=" + dir.resolve("gone/{port}/vigil.pid") + "\n");
        assertEquals(1, gone.status());
        assertTrue(gone.err().contains("the pid directory " + dir.resolve("gone") + " does not exist"), gone.err());
    }

    @Test
    void aBrokenSwitchAndBadInputFailWithAReason() throws Exception {
        long n1 = node("n1");
        Path broken = dir.resolve("broken");
        Files.createFile(broken);
        Run r = agent("action=off\nport=n1\nfail_file=" + broken + "\n" + params());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("power switch is broken"), r.err());
        assertTrue(alive(n1), "a failed off leaves the node running");
        assertEquals(0, agent("action=status\nport=n1\nfail_file=" + broken + "\n" + params()).status(),
            "status still answers");
        Files.delete(broken);
        assertEquals(0, agent("action=off\nport=n1\nfail_file=" + broken + "\n" + params()).status(), "works again");

        Run noPid = agent("action=off\nport=n1\n");
        assertEquals(1, noPid.status());
        assertTrue(noPid.err().contains("pidfile is required"), noPid.err());
        Run noPlug = agent("action=off\n" + params());
        assertEquals(1, noPlug.status());
        assertTrue(noPlug.err().contains("no plug"), noPlug.err());
        Run bad = agent("action=explode\nport=n1\n" + params());
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("unknown action 'explode'"), bad.err());
        Run noStart = agent("action=on\nport=n1\n" + params());
        assertEquals(1, noStart.status());
        assertTrue(noStart.err().contains("no start_cmd"), noStart.err());
    }

    @Test
    void theAgentsBundleRunsItAsTheFencerDoes() throws Exception {
        long n3 = node("n3");
        AgentSettings settings = AgentSettings.from(k -> switch (k) {
            case "vigil.agents.fence.dir" -> AGENT_DIR.toString();
            case "vigil.agents.state.dir" -> dir.resolve("state").toString();
            default -> null;
        });
        try (AgentRunner runner = new AgentRunner(null)) {
            ExternalFenceAgent agent = new ExternalFenceAgent("fence_vigil_test", settings, runner);
            assertTrue(agent.metaData().contains("fence_vigil_test"));
            Map<String, String> p = Map.of("pidfile", dir.resolve("{port}.pid").toString(), "nodename", "n3",
                "pcmk_host_list", "n3");
            AgentResult list = agent.execute(new FenceRequest("list", null, p, Duration.ofSeconds(20)))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertTrue(list.ok(), list.toString());
            assertEquals("n3", list.output().strip());
            AgentResult off = agent.execute(new FenceRequest("off", "n3", p, Duration.ofSeconds(20)))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertTrue(off.ok(), off.toString());
            waitDead(n3);
            assertFalse(alive(n3));
            AgentResult status = agent.execute(new FenceRequest("status", "n3", p, Duration.ofSeconds(20)))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(2, status.exitCode(), status.toString());
        }
    }
}
