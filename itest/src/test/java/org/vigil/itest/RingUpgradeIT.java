package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.BundleJars;
import org.vigil.itest.support.Distribution;
import org.vigil.itest.support.NetnsCluster;

/**
 * The headline feature on a running ring: {@code vigil upgrade} of the transport bundle on every node in turn,
 * while a CPG load runs (one sender, two receivers checking every message and the per-sender order). Three real
 * node processes on 127.0.0.1. Asserted: no membership change on any node, no message lost or duplicated; the
 * swap times and the longest delivery pause are printed.
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
            Thread.sleep(1500);   // counters are published every 500 ms: let them catch up with the formation
            Map<Integer, String> ringIds = new TreeMap<>();
            Map<Integer, String> gathers = new TreeMap<>();
            for (int i = 1; i <= 3; i++) {
                ringIds.put(i, get(c, i, "runtime.totem.ring_id"));
                gathers.put(i, get(c, i, "stats.srp.gather_entered"));
            }
            Path udpu;
            try (var files = Files.list(Distribution.home().resolve("export/vigil"))) {
                udpu = files.filter(f -> f.getFileName().toString().startsWith("transport-udpu-")).findFirst()
                    .orElseThrow();
            }
            String v1 = jarVersion(udpu);
            Path v2 = BundleJars.withVersion(udpu, v1 + "v2", dir.resolve("udpu-v2.jar"));

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
            String sent = RingNetnsIT.output(sender);
            assertEquals(0, sender.exitValue(), sent);
            long total = Long.parseLong(sent.replaceAll("(?s).* sent=(\\d+).*", "$1"));
            long gap = 0;
            for (Process r : receivers) {
                assertTrue(r.waitFor(120, TimeUnit.SECONDS));
                String out = RingNetnsIT.output(r);
                assertEquals(0, r.exitValue(), "no gap, no reordering, no duplicate: " + out);
                assertTrue(out.contains("RESULT delivered=" + total + " "), total + " sent; " + out);
                gap = Math.max(gap, Long.parseLong(out.replaceAll("(?s).*max_gap_ms=(\\d+).*", "$1")));
            }
            Thread.sleep(1500);
            for (int i = 1; i <= 3; i++) {
                assertEquals(ringIds.get(i), get(c, i, "runtime.totem.ring_id"), "node" + i + ": no membership change");
                assertEquals(gathers.get(i), get(c, i, "stats.srp.gather_entered"), "node" + i + ": never left OPERATIONAL");
                assertEquals(v1 + "v2", get(c, i, "runtime.transport.ring0.bundle_version"));
            }
            System.out.printf("%d ring(s): transport upgraded on 3 nodes under load (swaps %s ms), %d CPG messages, "
                + "none lost or duplicated, no membership change; longest delivery pause %d ms (%s)%n", rings, swaps,
                total, gap, sent.strip());
        }
    }

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
