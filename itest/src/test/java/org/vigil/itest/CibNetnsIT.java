package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.NetnsCluster;

/**
 * The replicated CIB on real node processes in network namespaces (real UDP, faults by kill -9 and nftables):
 * an update made on one node is on every node, identical; a node that was down when it was made has it after it
 * rejoins; a partition with updates on both sides merges by Pacemaker's version rule (the higher version wins and
 * the other side's changes are logged as discarded). Needs root (CI's system tests).
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class CibNetnsIT {

    static final long T = 60_000;

    @BeforeEach
    void systemTests() {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
    }

    static String get(NetnsCluster c, int i, String key) {
        return RingUpgradeIT.get(c, i, key);
    }

    /** The whole CIB as node i holds it (configuration and status), as {@code cibadmin --query} prints it. */
    static String cib(NetnsCluster c, int i) throws Exception {
        NetnsCluster.Result r = c.vigil(i, "cibadmin", "--query");
        assertEquals(0, r.status(), "node" + i + ": " + r.err());
        return r.out();
    }

    static void awaitMembers(NetnsCluster c, String members, int... nodes) throws InterruptedException {
        for (int i : nodes) {
            NetnsCluster.await("node" + i + " members '" + members + "' (now '" + get(c, i, "runtime.totem.members")
                + "')", T, () -> members.equals(get(c, i, "runtime.totem.members")));
        }
    }

    /** The {@code <configuration>} section of a CIB's text. */
    static String configuration(String cib) {
        int a = cib.indexOf("<configuration");
        int b = cib.indexOf("</configuration>");
        assertTrue(a >= 0 && b > a, cib);
        return cib.substring(a, b);
    }

    /** Waits until every listed node holds the same CIB (same text), out of its sync round; returns it. */
    static String awaitSame(NetnsCluster c, int... nodes) throws Exception {
        String[] last = new String[1];
        NetnsCluster.await("the same CIB on nodes " + java.util.Arrays.toString(nodes), T, () -> {
            try {
                String first = null;
                for (int i : nodes) {
                    if (!"0".equals(get(c, i, "runtime.cib.syncing"))) {
                        return false;
                    }
                    String x = cib(c, i);
                    if (first == null) {
                        first = x;
                    } else if (!first.equals(x)) {
                        return false;
                    }
                }
                last[0] = first;
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        return last[0];
    }

    static void ok(NetnsCluster.Result r) {
        assertEquals(0, r.status(), r.out() + r.err());
    }

    static String primitive(String id) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>";
    }

    @Test
    void anUpdateOnOneNodeIsOnEveryNodeAndReachesANodeThatWasDownWhenItRejoins() throws Exception {
        try (NetnsCluster c = new NetnsCluster("vcr", "10.63.1", 3, Files.createTempDirectory("vigil-cib3")).up()) {
            c.configure("token: 1000", "");
            for (int i = 1; i <= 3; i++) {
                c.start(i);
            }
            awaitMembers(c, "1 2 3", 1, 2, 3);
            ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", primitive("r1")));
            String same = awaitSame(c, 1, 2, 3);
            assertTrue(same.contains("id=\"r1\""), same);
            // a change from another node, then a create of an id that exists (made on another node)
            ok(c.vigil(2, "cibadmin", "--modify", "-X", "<primitive id=\"r1\" description=\"from node2\"/>"));
            NetnsCluster.Result dup = c.vigil(3, "cibadmin", "--create", "-o", "resources", "-X", primitive("r1"));
            assertEquals(108, dup.status(), dup.err());
            assertTrue(dup.err().contains("Call cib_create failed: File exists"), dup.err());
            awaitSame(c, 1, 2, 3);

            c.kill9(3);
            awaitMembers(c, "1 2", 1, 2);
            ok(c.vigil(2, "cibadmin", "--create", "-o", "resources", "-X", primitive("while-3-was-down")));
            ok(c.vigil(1, "cibadmin", "--modify", "-X",
                "<primitive id=\"r1\" description=\"changed while node3 was down\"/>"));
            String epochWithout3 = get(c, 1, "runtime.cib.epoch");
            c.start(3);
            awaitMembers(c, "1 2 3", 1, 2, 3);
            String after = awaitSame(c, 1, 2, 3);
            assertTrue(after.contains("while-3-was-down") && after.contains("changed while node3 was down"), after);
            assertEquals(epochWithout3, get(c, 3, "runtime.cib.epoch"));
            // node3 restarted from its own disk copy, which was older: it took the cluster's, and says so
            String log3 = Files.readString(c.log(3));
            assertTrue(log3.contains("CIB: loaded version"), log3);
        }
    }

    @Test
    void aPartitionWithUpdatesOnBothSidesMergesByTheVersionRule() throws Exception {
        try (NetnsCluster c = new NetnsCluster("vcp", "10.63.2", 3, Files.createTempDirectory("vigil-cibp")).up()) {
            c.configure("token: 1000", "");
            for (int i = 1; i <= 3; i++) {
                c.start(i);
            }
            awaitMembers(c, "1 2 3", 1, 2, 3);
            ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", primitive("base")));
            awaitSame(c, 1, 2, 3);

            c.partition(Set.of(1), Set.of(2, 3));
            awaitMembers(c, "1", 1);
            awaitMembers(c, "2 3", 2, 3);
            // the minority makes one configuration change, the majority three: the majority's version is higher
            ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", primitive("minority-only")));
            for (int k = 1; k <= 3; k++) {
                ok(c.vigil(k == 2 ? 3 : 2, "cibadmin", "--create", "-o", "resources", "-X", primitive("majority-" + k)));
            }
            long minority = Long.parseLong(get(c, 1, "runtime.cib.epoch"));
            long majority = Long.parseLong(get(c, 2, "runtime.cib.epoch"));
            assertTrue(majority > minority, majority + " > " + minority);

            c.heal();
            awaitMembers(c, "1 2 3", 1, 2, 3);
            // the configurations merge by the version rule (the status may still hold the probe history the
            // losing side's controller wrote for its discarded resource, as Pacemaker's would until it is cleaned)
            String merged = configuration(awaitSame(c, 1, 2, 3));
            assertTrue(merged.contains("majority-1") && merged.contains("majority-2") && merged.contains("majority-3"),
                merged);
            assertFalse(merged.contains("minority-only"), "the lower version's change is discarded");
            assertEquals(Long.toString(majority), get(c, 1, "runtime.cib.epoch"));
            String log1 = Files.readString(c.log(1));
            assertTrue(log1.contains("CIB: replacing our copy") && log1.contains("discarded"), log1);
            assertTrue(log1.contains("minority-only"), "the discarded change is named in the log");

            // the other way round: a side that made more changes wins even if it is the smaller one
            c.partition(Set.of(1), Set.of(2, 3));
            awaitMembers(c, "1", 1);
            awaitMembers(c, "2 3", 2, 3);
            for (int k = 1; k <= 3; k++) {
                ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", primitive("lone-" + k)));
            }
            ok(c.vigil(2, "cibadmin", "--create", "-o", "resources", "-X", primitive("pair-1")));
            c.heal();
            awaitMembers(c, "1 2 3", 1, 2, 3);
            String merged2 = configuration(awaitSame(c, 1, 2, 3));
            assertTrue(merged2.contains("lone-3") && !merged2.contains("pair-1"), merged2);
        }
    }
}
