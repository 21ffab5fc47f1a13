package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real node process started with the {@code vigil} launcher, driven through the real command-line client:
 * start, admin socket, commands and their exit codes, a second node on the same state dir, SIGTERM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeProcessIT {

    static final Path ROOT = Path.of(System.getProperty("vigil.root", "..")).toAbsolutePath().normalize();
    static final Path VIGIL = ROOT.resolve("vigil");

    static Path dir;
    static Path state;
    static Path conf;
    static Process node;

    record Result(int status, String out, String err) {
    }

    static Result vigil(String... args) throws Exception {
        return run(List.of(args));
    }

    static Result run(List<String> args) throws Exception {
        return run(args, null);
    }

    static Result run(List<String> args, String client) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(VIGIL.toString());
        cmd.addAll(args);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (client != null) {
            pb.environment().put("VIGIL_CLIENT", client);
        }
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Process startNode(Path config, Path stateDir, Path log, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(VIGIL.toString(), "node", "-c", config.toString(),
            "--state-dir", stateDir.toString()));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void awaitSocket(Path stateDir, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("node exited with " + p.exitValue());
            }
            if (Files.exists(stateDir.resolve("vigil.sock"))
                && vigil("--state-dir", stateDir.toString(), "status").status() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("node did not answer on " + stateDir);
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("vigil-node-it");
        state = dir.resolve("state");
        conf = dir.resolve("vigil.conf");
        Files.writeString(conf, "totem {\n version: 2\n cluster_name: it\n token: 1000\n}\nnodelist {\n node {\n"
            + " ring0_addr: 127.0.0.1\n ring0_port: " + freePort() + "\n nodeid: 1\n name: node1\n }\n}\n");
        node = startNode(conf, state, dir.resolve("node.log"), "--node-id", "1");
        awaitSocket(state, node);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null && node.isAlive()) {
            node.destroyForcibly();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }

    String[] at(String... args) {
        String[] out = new String[args.length + 2];
        out[0] = "--state-dir";
        out[1] = state.toString();
        System.arraycopy(args, 0, out, 2, args.length);
        return out;
    }

    @Test
    void statusShowsNodeUptimeAndEveryBundleActive() throws Exception {
        Result r = vigil(at("status"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(", node 1 (node1), up "), r.out());
        assertTrue(r.out().contains("org.vigil.kernel"), r.out());
        for (String line : r.out().split("\n")) {
            if (line.matches("\\s*\\d+\\s+\\S+\\s+\\d+\\s+.*")) {
                assertTrue(line.contains("Active"), line);
            }
        }
    }

    @Test
    void socketIsPrivateAndPidFileNamesTheNode() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
            state.resolve("vigil.sock"))));
        assertEquals(Long.toString(node.pid()), Files.readString(state.resolve("vigil.pid")).strip());
    }

    @Test
    void theProtocolThreadIsScheduledSchedRrAsCorosyncIs() throws Exception {
        // system.sched_rr defaults to yes: the ring's threads run SCHED_RR at priority 99 (root may set it)
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("vigil.systemTests"),
            "system tests (root: SCHED_RR needs CAP_SYS_NICE) are off");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String seen = "no vigil-totem thread";
        while (System.nanoTime() < deadline) {
            try (var tasks = Files.list(Path.of("/proc/" + node.pid() + "/task"))) {
                for (Path t : tasks.toList()) {
                    String comm;
                    String stat;
                    try {
                        comm = Files.readString(t.resolve("comm")).strip();
                        stat = Files.readString(t.resolve("stat"));
                    } catch (IOException gone) {
                        continue;
                    }
                    if (comm.startsWith("vigil-totem-")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        seen = comm + " policy " + f[41 - 3] + " rt_priority " + f[40 - 3];
                        if (f[41 - 3].equals("2") && f[40 - 3].equals("99")) {
                            return;
                        }
                    }
                }
            }
            Thread.sleep(100);
        }
        org.junit.jupiter.api.Assertions.fail("the protocol thread is not SCHED_RR 99: " + seen);
    }

    @Test
    void cmapctlReadsTheConfigurationInCorosyncFormat() throws Exception {
        Result r = vigil(at("corosync-cmapctl", "-g", "totem.token"));
        assertEquals(0, r.status(), r.err());
        assertEquals("totem.token (u32) = 1000\n", r.out());
        r = vigil(at("corosync-cmapctl", "runtime.config.totem.token"));
        assertTrue(r.out().startsWith("runtime.config.totem.token (u32) = 1000\n"), r.out());
        r = vigil(at("corosync-cmapctl", "-g", "totem.nosuchkey"));
        assertEquals(1, r.status());
        assertEquals("Can't get key totem.nosuchkey. Error CS_ERR_NOT_EXIST\n", r.err());
    }

    @Test
    void cmapctlSetsAndDeletesButRefusesReadOnlyKeys() throws Exception {
        assertEquals(0, vigil(at("corosync-cmapctl", "-s", "test.key", "str", "a value; $(rm -rf /) 'q'")).status());
        assertEquals("test.key (str) = a value; $(rm -rf /) 'q'\n",
            vigil(at("corosync-cmapctl", "-g", "test.key")).out(), "arguments arrive verbatim");
        assertEquals(0, vigil(at("corosync-cmapctl", "-d", "test.key")).status());
        Result ro = vigil(at("corosync-cmapctl", "-s", "totem.transport", "str", "udp"));
        assertEquals(1, ro.status());
        assertTrue(ro.err().contains("CS_ERR_ACCESS"), ro.err());
        Result bad = vigil(at("corosync-cmapctl", "-s", "test.n", "u8", "300"));
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("out of range"), bad.err());
    }

    /** The launcher's perl client and the Java client speak the same protocol with the same results. */
    @Test
    void javaAndPerlClientsGiveTheSameAnswers() throws Exception {
        List<List<String>> cases = List.of(List.of("corosync-cmapctl", "-g", "totem.token"),
            List.of("corosync-cmapctl", "-g", "no.such.key"), List.of("nosuch"), List.of("bundles", "vigil"),
            List.of("corosync-cmapctl", "-s", "parity.key", "str", "a b\nc 'd' \"e\" $(f) ; g ü"),
            List.of("corosync-cmapctl", "-g", "parity.key"));
        for (List<String> c : cases) {
            List<String> args = new ArrayList<>(List.of("--state-dir", state.toString()));
            args.addAll(c);
            Result perl = run(args, "perl");
            Result java = run(args, "java");
            assertEquals(perl, java, "same answer for " + c);
        }
        Result none = run(List.of("--state-dir", dir.resolve("none").toString(), "status"), "java");
        assertEquals(run(List.of("--state-dir", dir.resolve("none").toString(), "status"), "perl"), none);
    }

    @Test
    void unknownCommandIsAClearErrorWithStatus127() throws Exception {
        Result r = vigil(at("frobnicate", "--now"));
        assertEquals(127, r.status());
        assertEquals("vigil: unknown command 'frobnicate' (try 'vigil help')\n", r.err());
    }

    @Test
    void gogoCommandsArePassedThrough() throws Exception {
        Result r = vigil(at("lb"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("org.vigil.kernel") || r.out().contains("Vigil kernel"), r.out());
    }

    /** One plain command line per connection (as with socat): the output comes back raw. */
    @Test
    void plainCommandLineOnTheSocketStreamsTheOutputBack() throws Exception {
        for (String line : List.of("status", "lb")) {
            try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
                ch.connect(java.net.UnixDomainSocketAddress.of(state.resolve("vigil.sock")));
                ch.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
                String out = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(),
                    StandardCharsets.UTF_8);
                assertTrue(out.contains("org.vigil.kernel") || out.contains("Vigil kernel"), line + ": " + out);
            }
        }
    }

    @Test
    void helpListsTheCommands() throws Exception {
        Result r = vigil(at("help"));
        assertEquals(0, r.status());
        for (String c : List.of("status", "bundles", "corosync-cmapctl", "upgrade")) {
            assertTrue(r.out().contains("  " + c + " "), r.out());
        }
    }

    @Test
    void upgradeOfAFileThatIsNotABundleIsRefused() throws Exception {
        Path junk = dir.resolve("junk.jar");
        Files.writeString(junk, "not a jar at all");
        Result r = vigil(at("upgrade", junk.toString()));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("nothing was changed"), r.err());
        assertEquals(0, vigil(at("status")).status(), "the node is still fine");
    }

    @Test
    void secondNodeOnTheSameStateDirIsRefusedAndTheFirstIsUntouched() throws Exception {
        String pidBefore = Files.readString(state.resolve("vigil.pid"));
        Process second = startNode(conf, state, dir.resolve("second.log"), "--node-id", "1");
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, second.exitValue());
        String log = Files.readString(dir.resolve("second.log"));
        assertTrue(log.contains("another node is already running with state dir"), log);
        assertEquals(pidBefore, Files.readString(state.resolve("vigil.pid")));
        assertTrue(node.isAlive());
        assertEquals(0, vigil(at("status")).status());
        assertTrue(Files.isDirectory(state.resolve("felix-cache")), "the running node's framework cache is intact");
    }

    /**
     * A restarted node keeps its Felix bundle cache (no bundle installed anew) while nothing changed, and installs
     * anew when the cache no longer holds what the last installation recorded (here: one bundle's recorded
     * last-modified time altered in the stamp, as an upgrade in place would change it).
     */
    @Test
    void aRestartedNodeKeepsItsBundleCacheUntilTheBundlesDiffer() throws Exception {
        Path st = dir.resolve("cache-state");
        Path c = dir.resolve("cache.conf");
        Files.writeString(c, Files.readString(conf).replaceAll("ring0_port: \\d+", "ring0_port: " + freePort()));
        String first = traceStart(c, st, "cache1.log");
        assertFalse(first.contains("reusing the bundle cache"), first);
        assertTrue(first.contains("bundles installed"), first);
        Path stamp = st.resolve("felix-cache.stamp");
        assertTrue(Files.exists(stamp), "the installation is recorded");

        String second = traceStart(c, st, "cache2.log");
        assertTrue(second.contains("reusing the bundle cache"), second);
        assertTrue(second.contains("framework initialized from its cache\n")
            || second.contains("framework initialized from its cache\r"), second);
        assertFalse(second.contains("bundles installed"), second);

        List<String> lines = new ArrayList<>(Files.readAllLines(stamp));
        int i = 0;
        while (!lines.get(i).startsWith("bundle ")) {
            i++;
        }
        String[] f = lines.get(i).split(" ");
        f[3] = Long.toString(Long.parseLong(f[3]) - 1000);
        lines.set(i, String.join(" ", f));
        Files.write(stamp, lines);
        String third = traceStart(c, st, "cache3.log");
        assertTrue(third.contains("the bundle cache is not used (cached bundle differs"), third);
        assertTrue(third.contains("bundles installed"), third);
    }

    /** Starts a node with the boot trace on, waits for its socket, stops it with SIGTERM; its output. */
    private static String traceStart(Path config, Path stateDir, String logName) throws Exception {
        Path log = dir.resolve(logName);
        ProcessBuilder pb = new ProcessBuilder(VIGIL.toString(), "node", "-c", config.toString(), "--state-dir",
            stateDir.toString(), "--node-id", "1").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("VIGIL_JAVA_OPTS", "-Dvigil.boot.trace=true");
        Process p = pb.start();
        try {
            awaitSocket(stateDir, p);
        } finally {
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node stopped on SIGTERM");
        }
        return Files.readString(log);
    }

    @Test
    void clientWithNoNodeRunningSaysSo() throws Exception {
        Result r = vigil("--state-dir", dir.resolve("nowhere").toString(), "status");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("vigil: no node is running with state dir "), r.err());
    }

    @Test
    void badConfigurationStopsTheNodeBeforeItStarts() throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "totem {\n token: -5\n}\n");
        Process p = startNode(bad, dir.resolve("bad-state"), dir.resolve("bad.log"));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        String log = Files.readString(dir.resolve("bad.log"));
        assertTrue(log.contains(bad + ":2: totem.token: '-5' is negative"), log);
        assertFalse(Files.exists(dir.resolve("bad-state/vigil.sock")));
    }

    @Test
    void seedConfigurationIsNeverStartedOnThisHost() throws Exception {
        Path seed = Path.of(System.getProperty("vigil.shared", ROOT.resolve("../shared").toString()), "seeds",
            "corosync.conf");
        if (!Files.exists(seed)) {
            seed = dir.resolve("seed.conf");
            Files.writeString(seed, "totem {\n version: 2\n transport: udpu\n interface {\n member {\n"
                + " memberaddr: 172.16.101.3\n }\n ringnumber: 0\n }\n}\n");
        }
        Process p = startNode(seed, dir.resolve("seed-state"), dir.resolve("seed.log"));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        assertTrue(Files.readString(dir.resolve("seed.log")).contains("No valid name found for local host"));
    }

    @Test
    void configCheckPrintsEffectiveValuesAndWarnings() throws Exception {
        Result r = vigil("config", "check", conf.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("runtime.config.totem.consensus (u32) = 1200"), r.out());
        Path bad = dir.resolve("unclosed.conf");
        Files.writeString(bad, "totem {\n version: 2\n");
        r = vigil("config", "check", bad.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith(bad + ":1: Missing closing brace for section 'totem'"), r.err());
    }

    @Test
    void sigtermStopsANodeCleanly() throws Exception {
        Path s2 = dir.resolve("state2");
        Path c2 = dir.resolve("two.conf");
        Files.writeString(c2, Files.readString(conf).replaceAll("ring0_port: \\d+", "ring0_port: " + freePort()));
        Process p = startNode(c2, s2, dir.resolve("two.log"), "--node-id", "1");
        awaitSocket(s2, p);
        ProcessHandle java = p.toHandle();
        java.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("two.log"), StandardCharsets.UTF_8));
        assertFalse(Files.exists(s2.resolve("vigil.pid")));
        assertFalse(Files.exists(s2.resolve("vigil.sock")));
        assertTrue(Files.readString(dir.resolve("two.log")).contains("Vigil Cluster Engine exiting"));
    }
}
