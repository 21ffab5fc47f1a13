package org.vigil.quorum.internal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.quorum.internal.driver.ExecutorScheduler;
import org.vigil.quorum.internal.qdevice.QdeviceProvider;
import org.vigil.quorum.internal.qnetd.QnetdServer;

/**
 * A 2-node cluster with the tie-breaker device, end to end on real threads: the kernel's quorum service,
 * votequorum and the quorum device on each node, a {@code vigil qnetd} arbiter on 127.0.0.1 (TCP), the ring
 * simulated. The cluster survives the loss of either node; a 1|1 partition gives quorum to exactly one side.
 */
class QuorumDeviceClusterTest {

    @TempDir
    Path state;

    static String config(int port) {
        return "totem {\n  version: 2\n  cluster_name: arb\n}\n"
            + "quorum {\n  provider: corosync_votequorum\n  device {\n    model: net\n    timeout: 6000\n"
            + "    sync_timeout: 12000\n    net {\n      host: 127.0.0.1\n      port: " + port + "\n"
            + "      algorithm: ffsplit\n      tie_breaker: lowest\n    }\n  }\n}\n"
            + "nodelist {\n  node {\n    ring0_addr: 10.62.0.1\n    nodeid: 1\n  }\n"
            + "  node {\n    ring0_addr: 10.62.0.2\n    nodeid: 2\n  }\n}\n";
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private Map<Integer, QuorumNode> boot(SimCluster sim) {
        Map<Integer, QuorumNode> nodes = new TreeMap<>();
        for (int id = 1; id <= 2; id++) {
            int n = id;
            QuorumNode q = new QuorumNode(sim, id, 3000, () -> new ExecutorScheduler("test-votequorum-" + n));
            q.boot();
            q.bindDevice(new QdeviceProvider());
            nodes.put(id, q);
        }
        sim.heal();
        return nodes;
    }

    private static boolean decided(QuorumNode q, boolean quorate, long totalVotes, Integer... members) {
        QuorumState s = q.last();
        return s != null && s.quorate() == quorate && s.totalVotes() == totalVotes
            && s.members().equals(List.of(members));
    }

    @Test
    void survivesTheLossOfEitherNodeAndAOneOneSplitHasOneQuorateSide() throws Exception {
        for (int victim = 1; victim <= 2; victim++) {
            try (QnetdServer qnetd = new QnetdServer(new InetSocketAddress("127.0.0.1", 0), 16,
                new PrintStream(OutputStream.nullOutputStream())).start()) {
                int port = qnetd.address().getPort();
                SimCluster sim = new SimCluster(new ManualScheduler(), VigilConfig.fromText("arb.conf",
                    config(port)), state.resolve("v" + victim));
                Map<Integer, QuorumNode> nodes = boot(sim);
                try {
                    await("both nodes quorate with the device's vote", () -> decided(nodes.get(1), true, 3, 1, 2)
                        && decided(nodes.get(2), true, 3, 1, 2));
                    assertEquals(3, nodes.get(1).last().expectedVotes(), "2 nodes + the device's default vote");
                    QuorumNode survivor = nodes.get(3 - victim);
                    int mark = survivor.events.size();
                    nodes.get(victim).crash();
                    await("node " + survivor.sim().id() + " quorate alone with the device after node " + victim
                        + " died", () -> decided(survivor, true, 2, survivor.sim().id()));
                    List<QuorumState> after = List.copyOf(survivor.events.subList(mark, survivor.events.size()));
                    assertTrue(after.stream().allMatch(QuorumState::quorate),
                        "the survivor never reported itself not quorate: " + after);
                } finally {
                    for (QuorumNode q : nodes.values()) {
                        if (q.sim().up()) {
                            q.shutdown();
                        }
                    }
                }
            }
        }
    }

    @Test
    void aOneOnePartitionGivesQuorumToExactlyOneSide() throws Exception {
        try (QnetdServer qnetd = new QnetdServer(new InetSocketAddress("127.0.0.1", 0), 16,
            new PrintStream(OutputStream.nullOutputStream())).start()) {
            int port = qnetd.address().getPort();
            SimCluster sim = new SimCluster(new ManualScheduler(), VigilConfig.fromText("arb.conf", config(port)),
                state);
            Map<Integer, QuorumNode> nodes = boot(sim);
            try {
                await("both quorate", () -> decided(nodes.get(1), true, 3, 1, 2)
                    && decided(nodes.get(2), true, 3, 1, 2));
                sim.partition(List.of(Set.of(1), Set.of(2)));
                await("both halves decided", () -> nodes.get(1).last().members().equals(List.of(1))
                    && nodes.get(2).last().members().equals(List.of(2)) && !nodes.get(2).last().quorate()
                    && nodes.get(1).last().quorate());
                Thread.sleep(2500);
                assertTrue(nodes.get(1).quorate(), "tie_breaker lowest: node 1's side has quorum");
                assertFalse(nodes.get(2).quorate(), "node 2's side has not");
                assertEquals(2, nodes.get(1).last().totalVotes(), "node 1 + the device");
                assertEquals(1, nodes.get(2).last().totalVotes());
                long bothQuorate = nodes.get(2).events.stream().filter(e -> e.members().equals(List.of(2))
                    && e.quorate()).count();
                assertEquals(0, bothQuorate, "node 2's half was never quorate");
                sim.heal();
                await("healed", () -> decided(nodes.get(1), true, 3, 1, 2) && decided(nodes.get(2), true, 3, 1, 2));
            } finally {
                for (QuorumNode q : nodes.values()) {
                    q.shutdown();
                }
            }
        }
    }

    @Test
    void withTheArbiterDownBothNodesStayQuorateAndNothingCrashes() throws Exception {
        int port; // nothing listens here
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SimCluster sim = new SimCluster(new ManualScheduler(), VigilConfig.fromText("arb.conf", config(port)), state);
        Map<Integer, QuorumNode> nodes = boot(sim);
        try {
            await("both quorate on their own 2 votes of 3", () -> decided(nodes.get(1), true, 2, 1, 2)
                && decided(nodes.get(2), true, 2, 1, 2));
            Thread.sleep(1500);
            assertTrue(nodes.get(1).quorate() && nodes.get(2).quorate());
        } finally {
            for (QuorumNode q : nodes.values()) {
                q.shutdown();
            }
        }
    }
}
