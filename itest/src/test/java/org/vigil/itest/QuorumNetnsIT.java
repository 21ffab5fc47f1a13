package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.NetnsCluster;

/**
 * votequorum on a real ring: node processes in network namespaces, real UDP, faults by kill -9 and nftables.
 * Needs root (CI's system tests).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QuorumNetnsIT {

    static final long T = 60_000;

    @BeforeEach
    void systemTests() {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
    }

    static String get(NetnsCluster c, int i, String key) {
        return RingUpgradeIT.get(c, i, key);
    }

    static boolean quorate(NetnsCluster c, int i) {
        return "1".equals(get(c, i, "runtime.vigil.quorum.quorate"));
    }

    static void await(NetnsCluster c, int i, String members, boolean quorate) throws InterruptedException {
        NetnsCluster.await("node" + i + ": members '" + members + "', quorate " + quorate + " (now '"
            + get(c, i, "runtime.totem.members") + "', " + quorate(c, i) + ")", T,
            () -> members.equals(get(c, i, "runtime.totem.members")) && quorate(c, i) == quorate);
    }

    @Test
    void threeNodesKeepQuorumWithTwoAndLoseItWithOne() throws Exception {
        try (NetnsCluster c = new NetnsCluster("vqa", "10.62.1", 3, Files.createTempDirectory("vigil-q3")).up()) {
            c.configure("token: 1000", "quorum {\n    provider: corosync_votequorum\n}\n");
            for (int i = 1; i <= 3; i++) {
                c.start(i);
            }
            for (int i = 1; i <= 3; i++) {
                await(c, i, "1 2 3", true);
            }
            c.kill9(3);
            await(c, 1, "1 2", true);
            await(c, 2, "1 2", true);
            assertEquals(0, c.vigil(1, "corosync-quorumtool", "-s").status(), "exit 0: quorate");
            c.kill9(2);
            await(c, 1, "1", false);
            NetnsCluster.Result q = c.vigil(1, "corosync-quorumtool", "-s");
            assertEquals(2, q.status(), "exit 2: not quorate");
            assertTrue(q.out().contains("Activity blocked"), q.out());
            c.start(2);
            c.start(3);
            for (int i = 1; i <= 3; i++) {
                await(c, i, "1 2 3", true);
            }
        }
    }

    @Test
    void twoNodeClusterWaitsForAllAtColdStartThenSurvivesTheLossOfEitherNode() throws Exception {
        try (NetnsCluster c = new NetnsCluster("vqb", "10.62.2", 2, Files.createTempDirectory("vigil-q2")).up()) {
            c.configure("token: 1000", "quorum {\n    provider: corosync_votequorum\n    two_node: 1\n}\n");
            c.start(1);
            c.awaitUp(1, T);
            NetnsCluster.await("node 1 alone in its ring", T, () -> "1".equals(get(c, 1, "runtime.totem.members")));
            Thread.sleep(4000);
            assertFalse(quorate(c, 1), "wait_for_all: not quorate before both nodes were seen");
            assertTrue(c.vigil(1, "corosync-quorumtool", "-s").out().contains("WaitForAll"));
            c.start(2);
            await(c, 1, "1 2", true);
            await(c, 2, "1 2", true);
            c.kill9(2);
            await(c, 1, "1", true);
            c.start(2);
            await(c, 2, "1 2", true);
            c.kill9(1);
            await(c, 2, "2", true);
        }
    }

    @Test
    void withTheArbiterAOneOnePartitionGivesQuorumToExactlyOneSide() throws Exception {
        Path dir = Files.createTempDirectory("vigil-qarb");
        try (NetnsCluster c = new NetnsCluster("vqc", "10.62.3", 3, dir).up()) {
            c.configure("token: 1000", "quorum {\n    provider: corosync_votequorum\n    device {\n"
                + "        model: net\n        net {\n            host: " + c.address(3) + "\n"
                + "            algorithm: ffsplit\n            tie_breaker: lowest\n        }\n    }\n}\n", 1, 2);
            c.exec(3, dir.resolve("qnetd.log"), NetnsCluster.root().resolve("vigil").toString(), "qnetd", "--bind",
                c.address(3));
            c.start(1);
            c.start(2);
            await(c, 1, "1 2", true);
            await(c, 2, "1 2", true);
            NetnsCluster.await("total votes 3 (two nodes and the device)", T, () -> {
                try {
                    return c.vigil(1, "corosync-quorumtool", "-s").out().contains("Total votes:      3");
                } catch (Exception e) {
                    return false;
                }
            });
            c.partition(Set.of(1), Set.of(2));
            NetnsCluster.await("both halves alone", T, () -> "1".equals(get(c, 1, "runtime.totem.members"))
                && "2".equals(get(c, 2, "runtime.totem.members")));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int samples = 0;
            while (System.nanoTime() < end) {
                boolean q1 = quorate(c, 1);
                boolean q2 = quorate(c, 2);
                assertFalse(q1 && q2, "both halves of a 1|1 split quorate");
                samples++;
            }
            await(c, 1, "1", true);
            await(c, 2, "2", false);
            System.out.println("arbiter, 1|1 split: node 1 quorate, node 2 not; never both over " + samples
                + " samples in 10 s");
            c.heal();
            await(c, 1, "1 2", true);
            await(c, 2, "1 2", true);
        }
    }
}
