package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.BundleJars;

/**
 * What a careless admin or an attacker on the admin socket can do to a real node, with the node's own heap
 * settings (the launcher's 256 MB): none of it takes the node down, a failed upgrade puts the previous revision
 * back, an upgrade survives a restart and rolls back, and a node that cannot start says why in one line and
 * leaves nothing behind. Each test pins one finding of the hardening review (issue 12), each of which failed on
 * the node before it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NodeHardeningIT {

    static final Path ROOT = Path.of(System.getProperty("vigil.root", "..")).toAbsolutePath().normalize();
    static final Path VIGIL = ROOT.resolve("vigil");
    static final Path EXPORT = ROOT.resolve("distribution/target/export/vigil");
    static final String MCAST = "org.vigil.transport.mcast";

    Path dir;
    Path state;
    Path conf;
    Process node;

    record Result(int status, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("vigil-hardening-it");
        state = dir.resolve("state");
        conf = dir.resolve("vigil.conf");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(conf, "totem {\n version: 2\n cluster_name: hard\n token: 1000\n}\nnodelist {\n node {\n"
            + " ring0_addr: 127.0.0.1\n ring0_port: " + port + "\n nodeid: 1\n name: node1\n }\n}\n");
    }

    @AfterEach
    void stop() throws Exception {
        stopNode();
        if (dir != null) {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void startNode(String... javaOpts) throws Exception {
        node = nodeProcess(state, String.join(" ", javaOpts)).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(node.isAlive(), () -> "node exited: " + log());
            if (Files.exists(state.resolve("vigil.sock")) && vigil(dir, "status").status() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("node did not answer: " + log());
    }

    private ProcessBuilder nodeProcess(Path stateDir, String javaOpts) {
        ProcessBuilder pb = new ProcessBuilder(VIGIL.toString(), "node", "-c", conf.toString(), "--state-dir",
            stateDir.toString(), "--node-id", "1").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()));
        if (!javaOpts.isEmpty()) {
            pb.environment().put("VIGIL_JAVA_OPTS", javaOpts);
        }
        return pb;
    }

    private void stopNode() throws Exception {
        if (node != null && node.isAlive()) {
            node.destroy();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                node.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("node.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Runs the vigil client in {@code cwd} against this test's node. */
    private Result vigil(Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(VIGIL.toString(), "--state-dir", state.toString()));
        cmd.addAll(List.of(args));
        return exec(cwd, cmd);
    }

    private Result exec(Path cwd, List<String> cmd) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile())
            .redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Sends raw bytes to the admin socket and returns everything the node answers until it closes. */
    private byte[] raw(byte[] head, long bodyBytes) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(state.resolve("vigil.sock")));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(65536);
                try {
                    while (ch.read(b.clear()) > 0) {
                        synchronized (answer) {
                            answer.write(b.array(), 0, b.position());
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            reader.start();
            ch.write(ByteBuffer.wrap(head));
            ByteBuffer chunk = ByteBuffer.wrap(new byte[1 << 20]);
            try {
                for (long left = bodyBytes; left > 0; ) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), left));
                    left -= ch.write(chunk);
                }
                ch.shutdownOutput();
            } catch (IOException e) {
                // the node may close once it has answered
            }
            reader.join(60_000);
            synchronized (answer) {
                return answer.toByteArray();
            }
        }
    }

    private long rssKb() throws IOException {
        long pid = Long.parseLong(Files.readString(state.resolve("vigil.pid")).strip());
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    // ---- 1. one admin request must not end the node --------------------------------------------------------

    @Test
    void aThirtyMegabyteArgumentIsRefusedAndTheNodeStaysUp() throws Exception {
        startNode();
        byte[] head = ("\u0001VIGIL/1\n1\n" + (30 << 20) + "\n").getBytes(StandardCharsets.US_ASCII);
        String answer = new String(raw(head, 30 << 20), StandardCharsets.UTF_8);
        assertTrue(answer.contains("request too large: argument 1 brings it to 31457280 bytes"), answer);
        assertTrue(answer.endsWith("X2\n"), answer);
        assertTrue(node.isAlive(), log());
        // a 10 MB argument is not echoed back either, and does not swell the node
        long before = rssKb();
        byte[] ten = ("\u0001VIGIL/1\n1\n" + (10 << 20) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] a10 = raw(ten, 10 << 20);
        assertTrue(a10.length < 1024, "answer of " + a10.length + " bytes");
        long after = rssKb();
        assertTrue(after - before < 64 * 1024, "RSS grew from " + before + " to " + after + " kB");
        assertEquals(0, vigil(dir, "status").status());
        Result stats = vigil(dir, "corosync-cmapctl", "-m", "stats", "stats.ipcs.global.rejected");
        assertTrue(stats.out().contains("stats.ipcs.global.rejected (u64) = 2"), stats.out());
    }

    // ---- 2. heavy tools run outside the node's heap ---------------------------------------------------------

    @Test
    void crmSimulateOfAFiftyMegabyteCibNeverEndsTheNode() throws Exception {
        // the tool's own heap is small here so that the child runs out quickly; the node's is the launcher's
        startNode("-Dvigil.tools.heap=96m");
        Path big = dir.resolve("big.xml");
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write(("<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">"
                + "<configuration><crm_config/><nodes><node id=\"1\" uname=\"node1\"/></nodes><resources>\n")
                .getBytes(StandardCharsets.US_ASCII));
            int i = 0;
            while (Files.size(big) < 50L << 20) {
                StringBuilder b = new StringBuilder();
                for (int k = 0; k < 1000; k++, i++) {
                    b.append("<primitive id=\"r").append(i).append("\" class=\"ocf\" provider=\"heartbeat\" "
                        + "type=\"Dummy\"><instance_attributes id=\"r").append(i).append("-ia\"><nvpair id=\"r")
                        .append(i).append("-ia-f\" name=\"fake\" value=\"").append(i).append("\"/>"
                        + "</instance_attributes></primitive>\n");
                }
                out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            out.write("</resources><constraints/></configuration><status/></cib>\n".getBytes(StandardCharsets.US_ASCII));
        }
        Result r = vigil(dir, "crm_simulate", "-x", "big.xml", "-S");
        assertEquals(3, r.status(), r.err());
        assertTrue(r.err().contains("needs more than the 96m of memory this tool may use"), r.err());
        assertTrue(node.isAlive(), log());
        assertEquals(0, vigil(dir, "status").status());
    }

    // ---- 3, 4, 5. upgrades: all or nothing, durable, reversible ------------------------------------------

    private Path mcastJar() throws IOException {
        try (var l = Files.list(EXPORT)) {
            return l.filter(p -> p.getFileName().toString().startsWith("transport-mcast")).findFirst().orElseThrow();
        }
    }

    /** The transport's line once the node has started it (bundles start one after another after the socket opens). */
    private String activeMcastLine() throws Exception {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        String l = mcastLine();
        while (!l.contains(" Active ") && System.nanoTime() < end) {
            Thread.sleep(100);
            l = mcastLine();
        }
        return l;
    }

    private String mcastLine() throws Exception {
        Result b = vigil(dir, "bundles", MCAST);
        return b.out().lines().filter(l -> l.contains(MCAST)).findFirst().orElseThrow(() -> new AssertionError(b));
    }

    private static String version(String bundleLine) {
        Matcher m = Pattern.compile("^\\s*\\d+\\s+\\S+\\s+\\d+\\s+(\\S+)").matcher(bundleLine);
        assertTrue(m.find(), bundleLine);
        return m.group(1);
    }

    @Test
    void aFailedUpdateReinstatesTheRunningRevision() throws Exception {
        startNode();
        String before = activeMcastLine();
        Path bad = BundleJars.withHeaders(mcastJar(), dir.resolve("mcast-bad.jar"), "Bundle-Version", "9.0.0",
            "Bundle-Activator", "org.vigil.transport.mcast.NoSuchActivator");
        Result r = vigil(dir, "upgrade", "mcast-bad.jar");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("NoSuchActivator"), r.err());
        assertTrue(r.err().contains(MCAST + " " + version(before) + " was reinstated and is Active"), r.err());
        String after = mcastLine();
        assertEquals(version(before), version(after));
        assertTrue(after.contains("Active") && after.contains("vigil.jar"), after);
        assertFalse(Files.exists(state.resolve("bundles/ledger")), "a failed upgrade is not recorded");
        // and the node's ring transport bundle is still serving: the node answers and its ring is formed
        assertTrue(vigil(dir, "corosync-cmapctl", "-g", "runtime.totem.members").out().contains("1"));
    }

    @Test
    void aFailedInstallOfANewBundleLeavesNothingBehind() throws Exception {
        startNode();
        Path bad = BundleJars.bundle(dir.resolve("extra.jar"), new String[0], new String[] {
            "Bundle-SymbolicName", "org.vigil.itest.extra", "Bundle-Version", "1.0.0",
            "Bundle-Activator", "org.vigil.itest.extra.Missing"});
        Result r = vigil(dir, "upgrade", bad.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("nothing remains installed"), r.err());
        assertFalse(vigil(dir, "bundles").out().contains("org.vigil.itest.extra"));
        assertFalse(vigil(dir, "lb").out().contains("org.vigil.itest.extra"));
    }

    @Test
    void anUpgradeSurvivesARestartAndRollsBackAndForth() throws Exception {
        startNode();
        String shipped = version(mcastLine());
        Path jars = Files.createDirectories(dir.resolve("jars"));
        BundleJars.withVersion(mcastJar(), "9.0.0", jars.resolve("mcast-9.jar"));
        // a relative name means the file beside the admin, not in the node's directory
        Result up = vigil(jars, "upgrade", "mcast-9.jar");
        assertEquals(0, up.status(), up.err());
        assertTrue(up.out().contains("upgraded " + MCAST + " " + shipped + " -> 9.0.0"), up.out());
        Files.delete(jars.resolve("mcast-9.jar"));   // the node keeps its own copy

        stopNode();
        startNode();
        String line = mcastLine();
        assertEquals("9.0.0", version(line), "the upgrade survives the restart");
        assertTrue(line.contains("upgrade ") && line.contains("from " + jars.resolve("mcast-9.jar")), line);

        Result back = vigil(dir, "upgrade", "--rollback", MCAST);
        assertEquals(0, back.status(), back.err());
        assertTrue(back.out().contains("rolled back " + MCAST + " 9.0.0 -> " + shipped + " (from vigil.jar)"), back.out());
        assertTrue(mcastLine().contains("vigil.jar"));
        stopNode();
        startNode();
        assertEquals(shipped, version(mcastLine()), "the rollback survives the restart too");
        Result again = vigil(dir, "upgrade", "--rollback", MCAST);
        assertEquals(0, again.status(), again.err());
        assertEquals("9.0.0", version(mcastLine()), "the rolled-back revision was kept");
    }

    @Test
    void upgradeNamesADirectoryAsADirectory() throws Exception {
        startNode();
        Files.createDirectories(dir.resolve("adir.jar"));
        Result r = vigil(dir, "upgrade", "adir.jar");
        assertEquals(1, r.status());
        assertTrue(r.err().contains(dir.resolve("adir.jar") + " is a directory, not a bundle jar"), r.err());
        Result missing = vigil(dir, "upgrade", "missing.jar");
        assertTrue(missing.err().contains(dir.resolve("missing.jar") + ": no such file"), missing.err());
    }

    // ---- 7. a bad frame gets an explanation -----------------------------------------------------------------

    @Test
    void badFramesAreExplained() throws Exception {
        startNode();
        List<String> many = new ArrayList<>(List.of(VIGIL.toString(), "--state-dir", state.toString(), "bundles"));
        for (int i = 1; i <= 5000; i++) {
            many.add(Integer.toString(i));
        }
        Result r = exec(dir, many);
        assertEquals(2, r.status());
        assertTrue(r.err().contains("vigil: bad request: argument count 5001 is out of range 0..4096"), r.err());
        String huge = new String(raw("\u0001VIGIL/1\n99999999999\n".getBytes(StandardCharsets.US_ASCII), 0),
            StandardCharsets.UTF_8);
        assertTrue(huge.contains("argument count 99999999999 is out of range") && huge.endsWith("X2\n"), huge);
        String negative = new String(raw("\u0001VIGIL/1\n1\n-1\n".getBytes(StandardCharsets.US_ASCII), 0),
            StandardCharsets.UTF_8);
        assertTrue(negative.contains("length of argument 1 '-1' is not a non-negative number"), negative);
        assertTrue(node.isAlive());
    }

    // ---- 6. start failures: one line, non-zero, nothing half-written --------------------------------------

    private void mount(Path at, String options) throws Exception {
        Files.createDirectories(at);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString())
            .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    private static void umount(Path at) throws Exception {
        new ProcessBuilder("umount", "-l", at.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }

    private Result startExpectingFailure(Path stateDir) throws Exception {
        Path out = dir.resolve("fail-" + System.nanoTime() + ".log");
        Process p = nodeProcess(stateDir, "").redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the node started where it should not: " + Files.readString(out));
        }
        return new Result(p.exitValue(), "", Files.readString(out));
    }

    @Test
    void aFullDiskOrAReadOnlyStateDirStopsTheStartWithTheCauseInOneLine() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, mounts) are off");
        Path full = dir.resolve("full");
        mount(full, "size=2m");
        try {
            Result r = startExpectingFailure(full.resolve("state"));
            assertNotEquals(0, r.status(), r.err());
            assertTrue(r.err().contains("No space left on device"), r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
            assertFalse(Files.exists(full.resolve("state/felix-cache")), "no partial framework cache is left");
            assertFalse(Files.exists(full.resolve("state/vigil.pid")), "no pid file is left");
        } finally {
            umount(full);
        }
        Path ro = dir.resolve("ro");
        mount(ro, "size=1m");
        Files.createDirectories(ro.resolve("state"));
        Process remount = new ProcessBuilder("mount", "-o", "remount,ro", ro.toString()).start();
        assertTrue(remount.waitFor(30, TimeUnit.SECONDS));
        try {
            Result r = startExpectingFailure(ro.resolve("state"));
            assertNotEquals(0, r.status(), r.err());
            assertTrue(r.err().strip().lines().count() == 1, r.err());
            assertTrue(r.err().contains("read-only file system"), r.err());
        } finally {
            umount(ro);
        }
    }

    @Test
    void anUpgradeOnAFullDiskChangesNothing() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, mounts) are off");
        Path small = dir.resolve("small");
        mount(small, "size=40m");
        try {
            state = small.resolve("state");
            startNode();
            String before = activeMcastLine();
            // fill the file system, leaving less than the jar needs
            long jarSize = Files.size(mcastJar());
            Path filler = small.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] mb = new byte[64 * 1024];
                while (small.getFileSystem().provider().getFileStore(small).getUsableSpace() > jarSize / 2) {
                    out.write(mb);
                }
            } catch (IOException e) {
                // full
            }
            Path v9 = BundleJars.withVersion(mcastJar(), "9.0.0", dir.resolve("mcast-9.jar"));
            Result r = vigil(dir, "upgrade", v9.toString());
            assertEquals(1, r.status(), r.out());
            assertTrue(r.err().toLowerCase(java.util.Locale.ROOT).contains("no space left on device"), r.err());
            assertTrue(r.err().strip().endsWith("nothing was changed"), r.err());
            assertEquals(before, mcastLine());
            try (var l = Files.list(state.resolve("bundles"))) {
                assertEquals(List.of(), l.map(p -> p.getFileName().toString()).toList(), "nothing half-written");
            } catch (java.nio.file.NoSuchFileException e) {
                // nothing written at all
            }
            Files.delete(filler);
            stopNode();
        } finally {
            stopNode();
            umount(small);
        }
    }
}
