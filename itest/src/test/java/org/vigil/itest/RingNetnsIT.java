package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.NetnsCluster;

/**
 * Three real Vigil nodes, each a JVM in its own network namespace, on real UDP (udpu) with AES-GCM: the ring
 * forms; survives kill -9 of a node and takes it back; splits 1|2 and merges; delivers CPG messages complete and
 * in order through 20 % random loss (which must show as retransmissions); keeps out a node with the wrong key; shrugs off garbage datagrams;
 * refuses a node of an incompatible release with a message on both sides and an undisturbed ring, and takes in one of
 * the next minor release (docs/design/versioning.md).
 * Faults are nftables rules inside the namespaces. Needs root (CI's system tests).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RingNetnsIT {

    static NetnsCluster cluster;
    static Path dir;
    static final long TIMEOUT = 60_000;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
        dir = Files.createTempDirectory("vigil-ring-netns");
        cluster = new NetnsCluster("vtr", "10.64.0", 3, dir).up();
        cluster.nodeJavaOpts(i -> i == 3 ? node3Opts : "");
        cluster.configure("""
            token: 1000
            crypto_cipher: aes256
            crypto_hash: sha256
            """, null);
        Path key = dir.resolve("authkey");
        NetnsCluster.sh(NetnsCluster.root().resolve("vigil").toString(), "keygen", "-k", key.toString());
        for (int i = 1; i <= 3; i++) {
            Files.createDirectories(cluster.stateDir(i));
            Files.copy(key, cluster.stateDir(i).resolve("authkey"));
            cluster.start(i);
        }
        for (int i = 1; i <= 3; i++) {
            cluster.awaitUp(i, TIMEOUT);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String members(int i) {
        try {
            NetnsCluster.Result r = cluster.vigil(i, "corosync-cmapctl", "-g", "runtime.totem.members");
            return r.status() == 0 ? r.out().substring(r.out().indexOf("= ") + 2).strip() : "";
        } catch (Exception e) {
            return "";
        }
    }

    static String cmap(int i, String key) throws Exception {
        NetnsCluster.Result r = key.startsWith("stats.") ? cluster.vigil(i, "corosync-cmapctl", "-m", "stats", "-g", key)
            : cluster.vigil(i, "corosync-cmapctl", "-g", key);
        return r.status() == 0 ? r.out().substring(r.out().indexOf("= ") + 2).strip() : "";
    }

    static void awaitMembers(String expected, int... nodes) throws InterruptedException {
        for (int i : nodes) {
            NetnsCluster.await("node" + i + " members '" + expected + "' (now '" + members(i) + "')", TIMEOUT,
                () -> members(i).equals(expected));
        }
    }

    @Test
    @Order(1)
    void ringForms() throws Exception {
        awaitMembers("1 2 3", 1, 2, 3);
        // "connected" = the link answers the heartbeats (knet's meaning): up within a ping timeout of the start
        String[] out = {""};
        NetnsCluster.await("node2's cfgtool -s shows node 1 connected", TIMEOUT, () -> {
            try {
                out[0] = cluster.vigil(2, "corosync-cfgtool", "-s").out();
            } catch (Exception e) {
                return false;
            }
            return out[0].contains("nodeid:          1:\tconnected");
        });
        NetnsCluster.Result cfg = cluster.vigil(2, "corosync-cfgtool", "-s");
        assertTrue(cfg.out().contains("nodeid:          1:\tconnected"), cfg.out());
        assertTrue(cfg.out().contains("nodeid:          2:\tlocalhost"), cfg.out());
        assertEquals("r(0) ip(10.64.0.13)", cmap(1, "runtime.members.3.ip"));
    }

    @Test
    @Order(2)
    void killedNodeIsDroppedAndTakenBackWhenItRestarts() throws Exception {
        awaitMembers("1 2 3", 1, 2, 3);
        long t0 = System.nanoTime();
        cluster.kill9(3);
        awaitMembers("1 2", 1, 2);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("kill -9 of node 3 -> new membership on nodes 1, 2 after " + ms + " ms");
        assertEquals("left", cmap(1, "runtime.members.3.status"));
        cluster.start(3);
        awaitMembers("1 2 3", 1, 2, 3);
        assertEquals("joined", cmap(1, "runtime.members.3.status"));
        assertEquals("2", cmap(1, "runtime.members.3.join_count"));
    }

    @Test
    @Order(3)
    void partitionSplitsTheRingAndHealingMergesIt() throws Exception {
        awaitMembers("1 2 3", 1, 2, 3);
        cluster.partition(Set.of(1), Set.of(2, 3));
        awaitMembers("1", 1);
        awaitMembers("2 3", 2, 3);
        cluster.heal();
        awaitMembers("1 2 3", 1, 2, 3);
    }

    /**
     * Messages of each size (64 B and 4000 B) sent through the loss: 500 in the suite (at 20 % loss on every node the
     * ring carries about 20 such messages a second, so CI's time); {@code -Dvigil.ring.lossyEach=1500} for more.
     */
    static final int LOSSY_EACH = Integer.getInteger("vigil.ring.lossyEach", 500);

    @Test
    @Order(4)
    void cpgMessagesArriveCompleteAndInOrderThroughTwentyPercentLoss() throws Exception {
        awaitMembers("1 2 3", 1, 2, 3);
        long retxBefore = retransmissions();
        for (int i = 1; i <= 3; i++) {
            cluster.loss(i, 20);
        }
        try {
            List<Process> receivers = new ArrayList<>();
            for (int i = 2; i <= 3; i++) {
                receivers.add(bench("recv", i, "-t", "30", "-g", "lossy"));
            }
            Thread.sleep(2000);
            Process sender = bench("send", 1, "-s", "64,4000", "-n", String.valueOf(LOSSY_EACH), "-w", "3", "-g",
                "lossy");
            assertTrue(sender.waitFor(300, TimeUnit.SECONDS), "sender finished");
            String sent = output(sender);
            assertEquals(0, sender.exitValue(), sent);
            long total = 0;
            for (String line : sent.split("\n")) {
                if (line.startsWith("RESULT")) {
                    total += Long.parseLong(line.replaceAll(".* sent=(\\d+).*", "$1"));
                }
            }
            assertEquals(2L * LOSSY_EACH, total, "messages sent through the loss: " + sent);
            for (Process r : receivers) {
                if (!r.waitFor(180, TimeUnit.SECONDS)) {
                    r.destroy();
                    r.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("a receiver did not finish: " + output(r) + "; sender: " + sent);
                }
                String out = output(r);
                assertEquals(0, r.exitValue(), "no gap and no reordering: " + out);
                assertTrue(out.contains("RESULT delivered=" + total + " "), "every message delivered once: " + total
                    + " sent; " + out);
            }
            Thread.sleep(1500);   // counters are published every 500 ms
            long retx = retransmissions() - retxBefore;
            // A loss rule that matched nothing would leave the ring nothing to repair: the loss must show.
            assertTrue(retx > 0, "the 20 % loss rule dropped datagrams: the ring retransmitted " + retx);
            System.out.println("20 % loss on every node: " + total + " CPG messages delivered to all, in order; "
                + "retransmitted (all nodes): " + retx);
        } finally {
            cluster.heal();
        }
    }

    /** {@code stats.srp.mcast_retx} summed over the nodes; a failed read fails the test. */
    static long retransmissions() throws Exception {
        long sum = 0;
        for (int i = 1; i <= 3; i++) {
            NetnsCluster.Result r = cluster.vigil(i, "corosync-cmapctl", "-m", "stats", "-g", "stats.srp.mcast_retx");
            assertEquals(0, r.status(), "node" + i + ": reading stats.srp.mcast_retx: " + r.out() + r.err());
            sum += Long.parseLong(r.out().substring(r.out().indexOf("= ") + 2).strip());
        }
        return sum;
    }

    static final java.util.Map<Process, Path> OUTPUTS = new java.util.concurrent.ConcurrentHashMap<>();

    static String output(Process p) throws Exception {
        return Files.readString(OUTPUTS.get(p));
    }

    /** A CPG benchmark process talking to node {@code i}'s admin socket (from the host, through its socket file). */
    static Process bench(String mode, int i, String... args) throws Exception {
        return benchAt(dir, cluster.stateDir(i), mode, args);
    }

    /** The CPG benchmark talking to the node whose state directory is {@code stateDir}; output kept in a file. */
    static Process benchAt(Path dir, Path stateDir, String mode, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
            System.getProperty("java.class.path"), "org.vigil.bench.cpg.CpgBench", mode, "--socket",
            stateDir.resolve("vigil.sock").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "bench-" + mode, ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        OUTPUTS.put(p, out);
        return p;
    }

    @Test
    @Order(5)
    void aNodeWithTheWrongKeyNeverJoinsAndTheRingIsUndisturbed() throws Exception {
        awaitMembers("1 2 3", 1, 2, 3);
        cluster.stop(3);
        awaitMembers("1 2", 1, 2);
        String ring = cmap(1, "runtime.totem.ring_id");
        Path other = dir.resolve("other-key");
        NetnsCluster.sh(NetnsCluster.root().resolve("vigil").toString(), "keygen", "-k", other.toString());
        Files.copy(other, cluster.stateDir(3).resolve("authkey"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        cluster.start(3);
        cluster.awaitUp(3, TIMEOUT);
        Thread.sleep(8000);
        assertEquals("1 2", members(1));
        assertEquals("1 2", members(2));
        assertEquals(ring, cmap(1, "runtime.totem.ring_id"), "no membership change on the good nodes");
        assertEquals("3", members(3), "the node with the wrong key stays alone");
        long rejected = Long.parseLong(cmap(1, "stats.wire.rx_auth_failed"));
        assertTrue(rejected > 0, "its datagrams were rejected and counted: " + rejected);
        cluster.stop(3);
        Files.copy(dir.resolve("authkey"), cluster.stateDir(3).resolve("authkey"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        cluster.start(3);
        awaitMembers("1 2 3", 1, 2, 3);
    }

    @Test
    @Order(6)
    void garbageDatagramsAreCountedAndTheNodeStaysUp() throws Exception {
        awaitMembers("1 2 3", 1, 2, 3);
        String ring = cmap(1, "runtime.totem.ring_id");
        long before = wireDrops(1);
        NetnsCluster.sh("ip", "netns", "exec", cluster.ns(2), "python3", "-c", """
            import os, random, socket, time
            random.seed(7)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for i in range(20000):
                if i % 100 == 99:
                    time.sleep(0.01)   # stay within the receiver's socket buffer: every datagram must arrive
                n = random.randint(0, 1400)
                b = bytearray(os.urandom(n))
                if n > 4 and i % 3 == 0:
                    b[0:4] = b'VG\\x01' + bytes([random.randint(0, 2)])
                s.sendto(bytes(b), ('10.64.0.11', 5405))
            """);
        Thread.sleep(2000);
        assertEquals(0, cluster.vigil(1, "status").status(), "node 1 is up");
        assertEquals("1 2 3", members(1));
        assertEquals(ring, cmap(1, "runtime.totem.ring_id"), "no membership change");
        long counted = wireDrops(1) - before;
        assertTrue(counted >= 19000, "garbage counted in stats.wire.*: " + counted);
    }

    /** Node 3's own JVM options (the release override of {@link #aNodeOfAnIncompatibleReleaseIsRefusedWithAMessageOnBothSides}). */
    static volatile String node3Opts = "";

    /**
     * Rolling upgrades (docs/design/versioning.md): node 3 restarted as the next major release (the test override
     * {@code -Dvigil.release}, the only thing that differs: same jars) is kept out of the ring, and both sides say
     * so, once, in their logs (WARN) and in cmap, and in {@code corosync-cfgtool -s} / {@code vigil status}; the
     * ring of nodes 1 and 2 is not disturbed. Back on the build's release, node 3 joins again and the refusal is
     * cleared.
     */
    @Test
    @Order(7)
    void aNodeOfAnIncompatibleReleaseIsRefusedWithAMessageOnBothSides() throws Exception {
        awaitMembers("1 2 3", 1, 2, 3);
        String release = cmap(1, "runtime.totem.release");
        assertTrue(release.matches("\\d+\\.\\d+"), "node 1 announces its release: '" + release + "'");
        String next = (Integer.parseInt(release.substring(0, release.indexOf('.'))) + 1)
            + release.substring(release.indexOf('.'));
        cluster.stop(3);
        awaitMembers("1 2", 1, 2);
        String ring = cmap(1, "runtime.totem.ring_id");
        long log1 = Files.size(cluster.log(1));
        long log3 = Files.exists(cluster.log(3)) ? Files.size(cluster.log(3)) : 0;
        node3Opts = "-Dvigil.release=" + next;
        try {
            cluster.start(3);
            cluster.awaitUp(3, TIMEOUT);
            String why = "release " + next + " cannot join a ring of release " + release
                + " (releases work together only with the same major number and minor numbers at most one apart)";
            NetnsCluster.await("node 1 refuses node 3 in cmap", TIMEOUT,
                () -> why.equals(cmapQuiet(1, "runtime.totem.refused.3")));
            NetnsCluster.await("node 3 learns it was refused", TIMEOUT,
                () -> cmapQuiet(3, "runtime.totem.refused_by.1").contains(why)
                    || cmapQuiet(3, "runtime.totem.refused_by.2").contains(why));
            Thread.sleep(8000);   // more JOINs and merge attempts would come in this time, were they not stopped
            assertEquals("1 2", members(1));
            assertEquals("1 2", members(2));
            assertEquals(ring, cmap(1, "runtime.totem.ring_id"), "no membership change on the good nodes");
            assertEquals("3", members(3), "the refused node stays alone");
            assertEquals(why, cmap(2, "runtime.totem.refused.3"));
            String l1 = Files.readString(cluster.log(1)).substring((int) log1);
            String l3 = Files.readString(cluster.log(3)).substring((int) log3);
            String refusedLine = "WARN  [TOTEM ] Refused node 3 (release " + next + "): " + why;
            assertTrue(l1.contains(refusedLine), "node 1 logs the refusal: " + tail(l1));
            assertEquals(1, l1.split(java.util.regex.Pattern.quote(refusedLine), -1).length - 1,
                "logged once, not per packet");
            assertTrue(l3.contains("WARN  [TOTEM ] refused by node 1 (release " + release + "): " + why)
                || l3.contains("WARN  [TOTEM ] refused by node 2 (release " + release + "): " + why),
                "node 3 logs why it is refused: " + tail(l3));
            String cfg3 = cluster.vigil(3, "corosync-cfgtool", "-s").out();
            assertTrue(cfg3.contains("disconnected (refused: refused by node "), cfg3);
            String status1 = cluster.vigil(1, "status").out();
            assertTrue(status1.contains("Refused:   node 3: " + why), status1);
            assertTrue(cluster.vigil(3, "status").out().contains("Release:   " + next), "node 3's release shown");
            long notices = Long.parseLong(cmap(1, "stats.wire.tx_refused_notice"));
            assertTrue(notices >= 1 && notices <= 4, "REFUSED notices sent by node 1, at most one per 5 s: "
                + notices);
        } finally {
            node3Opts = "";
            cluster.stop(3);
        }
        cluster.start(3);
        awaitMembers("1 2 3", 1, 2, 3);
        assertEquals("", cmapQuiet(1, "runtime.totem.refused.3"), "the refusal is cleared once node 3 is back");
        assertEquals(release, cmap(1, "runtime.members.3.release"));
    }

    /**
     * The other half of the rule: node 3 restarted as the next minor release with one more feature (the test
     * overrides {@code -Dvigil.release} and {@code -Dvigil.release.features}: same jars, only what the node
     * announces differs) joins the ring; the ring's effective feature set stays the old one on every node, and
     * node 3 sees the members' releases. Not a full N → N+1 upgrade: no new message type is exercised.
     */
    @Test
    @Order(8)
    void aNodeOfTheNextMinorReleaseJoinsAndTheRingKeepsTheSharedFeatures() throws Exception {
        awaitMembers("1 2 3", 1, 2, 3);
        String release = cmap(1, "runtime.totem.release");
        String features = cmap(1, "runtime.totem.features");
        String next = release.substring(0, release.indexOf('.') + 1)
            + (Integer.parseInt(release.substring(release.indexOf('.') + 1)) + 1);
        cluster.stop(3);
        awaitMembers("1 2", 1, 2);
        node3Opts = "-Dvigil.release=" + next + " -Dvigil.release.features=8000";
        try {
            cluster.start(3);
            awaitMembers("1 2 3", 1, 2, 3);
            assertEquals(next, cmap(1, "runtime.members.3.release"));
            assertEquals(release, cmap(3, "runtime.members.1.release"));
            assertEquals(features, cmap(1, "runtime.totem.features"), "the shared features are the old ones");
            assertEquals(features, cmap(3, "runtime.totem.features"), "on the new node too");
            assertTrue(cmap(3, "runtime.totem.release_features").endsWith(" bit15"), "node 3 has one more");
            assertEquals("", cmapQuiet(1, "runtime.totem.refused.3"));
        } finally {
            node3Opts = "";
            cluster.stop(3);
        }
        cluster.start(3);
        awaitMembers("1 2 3", 1, 2, 3);
    }

    static String cmapQuiet(int i, String key) {
        try {
            return cmap(i, key);
        } catch (Exception e) {
            return "";
        }
    }

    static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }

    static long wireDrops(int i) throws Exception {
        NetnsCluster.Result r = cluster.vigil(i, "corosync-cmapctl", "-m", "stats", "stats.wire.");
        long sum = 0;
        for (String line : r.out().split("\n")) {
            if (line.contains("= ")) {
                sum += Long.parseLong(line.substring(line.indexOf("= ") + 2).strip());
            }
        }
        return sum;
    }
}
