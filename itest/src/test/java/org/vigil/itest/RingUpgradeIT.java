package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.BundleJars;
import org.vigil.itest.support.Distribution;
import org.vigil.itest.support.NetnsCluster;
import org.vigil.itest.support.UpgradeMarker;
import org.vigil.shell.client.CpgClient;

/**
 * The headline feature on a running ring: {@code vigil upgrade} of the transport bundle on every node in turn,
 * while a CPG load runs (one sender, two receivers checking every message and the per-sender order). Three real
 * node processes on 127.0.0.1. The upgrade goes to a new build whose code differs ({@link BundleJars#newBuild}:
 * it writes a token to cmap when it starts), and each node must show that token afterwards. Asserted: no
 * membership change, seen from outside the nodes by a CPG client on each node that records every configuration
 * change it is sent during the upgrade, and from the nodes' own ring id and GATHER count (a reformation with the
 * same members changes no CPG membership); no message lost or duplicated. Every cmap read must succeed. The swap
 * times and the longest delivery pause are printed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RingUpgradeIT {

    @Test
    void twoPassiveRingsUpgradeUnderLoadWithoutMembershipChangeOrLoss() throws Exception {
        scenario(2, "rrp_mode: passive", 5900);
    }

    @Test
    void oneRingUpgradeWithinTheTokenTimeoutCausesNoMembershipChange() throws Exception {
        scenario(1, "", 5950);
    }

    private static final Pattern SWAP = Pattern.compile("upgraded org.vigil.transport.udpu \\S+ -> \\S+ in (\\d+) ms");

    private void scenario(int rings, String extra, int basePort) throws Exception {
        Path dir = Files.createTempDirectory("vigil-ring-upgrade");
        try (NetnsCluster c = NetnsCluster.local(3, dir, basePort).up()) {
            c.configure("token: 1000\n" + extra, null, rings);
            for (int i = 1; i <= 3; i++) {
                c.start(i);
            }
            for (int i = 1; i <= 3; i++) {
                c.awaitUp(i, 60_000);
            }
            for (int i = 1; i <= 3; i++) {
                int n = i;
                NetnsCluster.await("node" + n + " in a ring of 3", 60_000, () -> "1 2 3".equals(get(c, n,
                    "runtime.totem.members")));
            }
            List<ConfchgWatcher> watchers = new ArrayList<>();
            try {
                for (int i = 1; i <= 3; i++) {
                    watchers.add(new ConfchgWatcher(c.stateDir(i).resolve("vigil.sock"), i));
                }
                for (ConfchgWatcher w : watchers) {
                    NetnsCluster.await("the watcher on node" + w.node + " sees the 3 watchers", 30_000,
                        () -> w.lastMembers() == 3);
                }
                upgradeUnderLoad(c, dir, rings, watchers);
            } finally {
                for (ConfchgWatcher w : watchers) {
                    w.close();
                }
            }
        }
    }

    private void upgradeUnderLoad(NetnsCluster c, Path dir, int rings, List<ConfchgWatcher> watchers)
        throws Exception {
        Thread.sleep(1500);   // counters are published every 500 ms: let them catch up with the formation
        Map<Integer, String> ringIds = new TreeMap<>();
        Map<Integer, String> gathers = new TreeMap<>();
        for (int i = 1; i <= 3; i++) {
            ringIds.put(i, read(c, i, "runtime.totem.ring_id"));
            gathers.put(i, read(c, i, "stats.srp.gather_entered"));
        }
        Path udpu;
        try (var files = Files.list(Distribution.home().resolve("export/vigil"))) {
            udpu = files.filter(f -> f.getFileName().toString().startsWith("transport-udpu-")).findFirst()
                .orElseThrow();
        }
        String v1 = jarVersion(udpu);
        String token = "udpu-v2-" + System.nanoTime();
        Path v2 = BundleJars.newBuild(udpu, v1 + "v2", token, dir.resolve("udpu-v2.jar"));
        String marker = UpgradeMarker.key("org.vigil.transport.udpu");
        for (int i = 1; i <= 3; i++) {
            NetnsCluster.Result r = c.vigil(i, "corosync-cmapctl", "-g", marker);
            assertTrue(r.status() == 1 && (r.out() + r.err()).contains("CS_ERR_NOT_EXIST"),
                "node" + i + ": no build marker before the upgrade (the release has no such code): " + r);
        }
        int[] confchgsBefore = new int[watchers.size()];
        for (int k = 0; k < watchers.size(); k++) {
            confchgsBefore[k] = watchers.get(k).changes.size();
        }

        List<Process> receivers = new ArrayList<>();
        for (int i = 2; i <= 3; i++) {
            receivers.add(RingNetnsIT.benchAt(dir, c.stateDir(i), "recv", "-t", "5", "-g", "upgrade"));
        }
        Thread.sleep(1500);
        Process sender = RingNetnsIT.benchAt(dir, c.stateDir(1), "send", "-s", "64", "-t", "10", "-w", "3", "-g",
            "upgrade");
        Thread.sleep(3000);
        List<Long> swaps = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            NetnsCluster.Result r = c.vigil(i, "upgrade", v2.toString());
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("other bundles restarted: none"), r.out());
            Matcher m = SWAP.matcher(r.out());
            assertTrue(m.find(), r.out());
            swaps.add(Long.parseLong(m.group(1)));
            Thread.sleep(1000);
        }
        assertTrue(sender.waitFor(120, TimeUnit.SECONDS));
        for (Process r : receivers) {
            assertTrue(r.waitFor(120, TimeUnit.SECONDS));
        }
        for (int k = 0; k < watchers.size(); k++) {
            ConfchgWatcher w = watchers.get(k);
            assertEquals(List.of(), w.errors, "node" + w.node + ": CPG errors to the watcher");
            assertTrue(w.connected(), "node" + w.node + ": the watcher's CPG connection stayed up");
            assertEquals(List.of(), w.changes.subList(confchgsBefore[k], w.changes.size()),
                "node" + w.node + ": configuration changes a CPG client saw during the upgrade");
        }
        String sent = RingNetnsIT.output(sender);
        assertEquals(0, sender.exitValue(), sent);
        long total = Long.parseLong(sent.replaceAll("(?s).* sent=(\\d+).*", "$1"));
        long gap = 0;
        for (Process r : receivers) {
            String out = RingNetnsIT.output(r);
            assertEquals(0, r.exitValue(), "no gap, no reordering, no duplicate: " + out);
            assertTrue(out.contains("RESULT delivered=" + total + " "), total + " sent; " + out);
            gap = Math.max(gap, Long.parseLong(out.replaceAll("(?s).*max_gap_ms=(\\d+).*", "$1")));
        }
        Thread.sleep(1500);
        for (int i = 1; i <= 3; i++) {
            assertEquals(ringIds.get(i), read(c, i, "runtime.totem.ring_id"), "node" + i + ": no ring change");
            assertEquals(gathers.get(i), read(c, i, "stats.srp.gather_entered"),
                "node" + i + ": never left OPERATIONAL");
            assertEquals(v1 + "v2", read(c, i, "runtime.transport.ring0.bundle_version"));
            assertEquals(token, read(c, i, marker), "node" + i + ": the new build's code runs");
        }
        int seen = 0;
        for (ConfchgWatcher w : watchers) {
            seen += w.changes.size();
        }
        System.out.printf("%d ring(s): transport upgraded to a new build on 3 nodes under load (swaps %s ms), "
            + "%d CPG messages, none lost or duplicated, no membership change (ring ids kept; outside CPG "
            + "watchers saw only their own %d joins); longest delivery pause %d ms (%s)%n", rings, swaps, total,
            seen, gap, sent.strip());
    }

    /**
     * An outside CPG member of group {@code upgrade-watch} on one node (this test's JVM, through the node's admin
     * socket, as libcpg), recording every configuration change and error it is sent.
     */
    static final class ConfchgWatcher implements AutoCloseable {
        final int node;
        final CpgClient client;
        final List<String> changes = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final Thread reader;
        private volatile int lastMembers;
        private volatile boolean closing;

        ConfchgWatcher(Path socket, int node) throws Exception {
            this.node = node;
            this.client = CpgClient.connect(socket, "upgrade-watch", ProcessHandle.current().pid());
            this.reader = new Thread(() -> {
                try {
                    client.dispatch(new CpgClient.Handler() {
                        @Override
                        public void deliver(int nodeId, long pid, byte[] message) {
                        }

                        @Override
                        public void configurationChanged(List<CpgClient.Member> members,
                            List<CpgClient.Member> left, List<CpgClient.Member> joined) {
                            lastMembers = members.size();
                            changes.add("members " + members + " left " + left + " joined " + joined);
                        }

                        @Override
                        public void error(String message) {
                            errors.add(message);
                        }
                    });
                } catch (Exception e) {
                    if (!closing) {
                        errors.add("read failed: " + e);
                    }
                }
            }, "confchg-watcher-node" + node);
            reader.setDaemon(true);
            reader.start();
        }

        int lastMembers() {
            return lastMembers;
        }

        /** True while the node keeps the connection open. */
        boolean connected() {
            return reader.isAlive();
        }

        @Override
        public void close() throws Exception {
            closing = true;
            client.close();
            reader.join(5000);
        }
    }

    /** A cmap value of node {@code i}; a failed read fails the test. */
    static String read(NetnsCluster c, int i, String key) throws Exception {
        NetnsCluster.Result r = key.startsWith("stats.") ? c.vigil(i, "corosync-cmapctl", "-m", "stats", "-g", key)
            : c.vigil(i, "corosync-cmapctl", "-g", key);
        assertEquals(0, r.status(), "node" + i + ": reading " + key + ": " + r.out() + r.err());
        int eq = r.out().indexOf("= ");
        assertTrue(eq >= 0, "node" + i + ": reading " + key + ": " + r.out());
        return r.out().substring(eq + 2).strip();
    }

    /** A cmap value of node {@code i}, or "" when it cannot be read (for polling until a node is ready). */
    static String get(NetnsCluster c, int i, String key) {
        try {
            NetnsCluster.Result r = key.startsWith("stats.") ? c.vigil(i, "corosync-cmapctl", "-m", "stats", "-g", key)
                : c.vigil(i, "corosync-cmapctl", "-g", key);
            return r.status() == 0 ? r.out().substring(r.out().indexOf("= ") + 2).strip() : "";
        } catch (Exception e) {
            return "";
        }
    }

    static String jarVersion(Path jar) throws Exception {
        try (var jf = new java.util.jar.JarFile(jar.toFile())) {
            return jf.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
    }
}
