package org.vigil.quorum.internal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.quorum.internal.driver.VotequorumDriver;
import org.vigil.quorum.internal.votequorum.Votequorum;
import org.vigil.quorum.internal.votequorum.VqCodec;

/**
 * votequorum on a simulated ring: several nodes, each with the kernel's real quorum service and a votequorum
 * provider, messages in one total order. Checks the cluster behaviours of the issue (kill one of three, kill
 * two, restart; two_node; 1|1 partitions) and that swapping the provider (a bundle upgrade) never produces a
 * "not quorate" event.
 */
class VotequorumClusterTest {

    static final long SYNC_TIMEOUT = 3000;

    @TempDir
    Path state;

    static String config(int nodes, String... quorum) {
        StringBuilder b = new StringBuilder("totem {\n  version: 2\n  cluster_name: sim\n}\nquorum {\n"
            + "  provider: corosync_votequorum\n");
        for (String q : quorum) {
            b.append("  ").append(q).append('\n');
        }
        b.append("}\nnodelist {\n");
        for (int i = 1; i <= nodes; i++) {
            b.append("  node {\n    ring0_addr: 10.62.0.").append(i).append("\n    nodeid: ").append(i)
                .append("\n    name: node").append(i).append("\n  }\n");
        }
        return b.append("}\n").toString();
    }

    final class Cluster {
        final ManualScheduler scheduler = new ManualScheduler();
        final SimCluster sim;
        final Map<Integer, QuorumNode> nodes = new TreeMap<>();

        Cluster(String configText) throws Exception {
            sim = new SimCluster(scheduler, VigilConfig.fromText("sim.conf", configText), state);
            for (VigilConfig.Node n : VigilConfig.fromText("sim.conf", configText).nodes()) {
                nodes.put(n.nodeId(), new QuorumNode(sim, n.nodeId(), SYNC_TIMEOUT));
            }
        }

        QuorumNode n(int id) {
            return nodes.get(id);
        }

        /** Boots every node and joins them in one ring. */
        Cluster up() {
            for (QuorumNode q : nodes.values()) {
                q.boot();
            }
            sim.heal();
            settle();
            return this;
        }

        void settle() {
            scheduler.advance(10);
        }

        void partition(List<Set<Integer>> groups) {
            sim.partition(groups);
            settle();
        }

        /** Events with quorate=false since the given per-node event counts. */
        List<String> notQuorateSince(Map<Integer, Integer> marks) {
            List<String> out = new ArrayList<>();
            for (var e : nodes.entrySet()) {
                List<QuorumState> ev = e.getValue().events;
                for (int i = marks.getOrDefault(e.getKey(), 0); i < ev.size(); i++) {
                    if (!ev.get(i).quorate()) {
                        out.add("node " + e.getKey() + ": " + ev.get(i));
                    }
                }
            }
            return out;
        }

        Map<Integer, Integer> marks() {
            Map<Integer, Integer> m = new TreeMap<>();
            nodes.forEach((id, q) -> m.put(id, q.events.size()));
            return m;
        }
    }

    @Test
    void threeNodesKeepQuorumWithOneDownLoseItWithTwoDownAndRegainItOnRestart() throws Exception {
        Cluster c = new Cluster(config(3)).up();
        for (QuorumNode q : c.nodes.values()) {
            assertTrue(q.quorate(), "node " + q.sim().id() + " quorate at start: " + q.last());
            assertEquals(3, q.last().totalVotes());
            assertEquals(2, q.last().quorum());
            assertEquals(List.of(1, 2, 3), q.last().members());
        }
        c.n(3).crash();
        c.settle();
        assertTrue(c.n(1).quorate() && c.n(2).quorate(), "2 of 3 votes keep quorum");
        assertEquals(List.of(3), c.n(1).last().left());
        assertEquals(2, c.n(1).last().totalVotes());
        c.n(2).crash();
        c.settle();
        assertFalse(c.n(1).quorate(), "the survivor of 3 loses quorum");
        assertEquals(1, c.n(1).last().totalVotes());
        assertEquals(2, c.n(1).last().quorum(), "quorum does not decrease by itself");
        c.n(2).boot();
        c.n(3).boot();
        c.sim.heal();
        c.settle();
        for (QuorumNode q : c.nodes.values()) {
            assertTrue(q.quorate(), "node " + q.sim().id() + " quorate again: " + q.last());
            assertEquals(List.of(1, 2, 3), q.last().members());
        }
        assertEquals(List.of(2, 3), c.n(1).last().joined());
    }

    @Test
    void twoNodeClusterKeepsQuorumWhenEitherNodeDiesAndWaitsForAllOnColdStart() throws Exception {
        for (int victim = 1; victim <= 2; victim++) {
            Cluster c = new Cluster(config(2, "two_node: 1"));
            c.n(1).boot();
            c.settle();
            assertFalse(c.n(1).quorate(), "wait_for_all (implied by two_node): a lone node at cold start waits");
            c.n(2).boot();
            c.sim.heal();
            c.settle();
            assertTrue(c.n(1).quorate() && c.n(2).quorate());
            assertEquals(1, c.n(1).last().quorum(), "two_node: quorum 1");
            c.n(victim).crash();
            c.settle();
            QuorumNode survivor = c.n(3 - victim);
            assertTrue(survivor.quorate(), "two_node survivor stays quorate after node " + victim + " died");
            assertEquals(1, survivor.last().totalVotes());
        }
    }

    @Test
    void oneOnePartitionWithoutTieBreakerLeavesBothHalvesInquorate() throws Exception {
        Cluster c = new Cluster(config(2)).up();
        assertTrue(c.n(1).quorate());
        c.partition(List.of(Set.of(1), Set.of(2)));
        assertFalse(c.n(1).quorate());
        assertFalse(c.n(2).quorate());
    }

    @Test
    void autoTieBreakerGivesAnEvenSplitToTheHalfWithTheLowestNode() throws Exception {
        Cluster c = new Cluster(config(4, "auto_tie_breaker: 1")).up();
        c.partition(List.of(Set.of(1, 2), Set.of(3, 4)));
        assertTrue(c.n(1).quorate() && c.n(2).quorate(), "half with node 1 keeps quorum");
        assertFalse(c.n(3).quorate() || c.n(4).quorate(), "the other half does not");
        c.sim.heal();
        c.settle();
        c.nodes.values().forEach(q -> assertTrue(q.quorate()));
    }

    @Test
    void upgradingTheProviderNeverEmitsNotQuorate() throws Exception {
        // all up; one node down; two_node with one node down; every node swapped in turn
        List<Cluster> clusters = new ArrayList<>();
        Cluster full = new Cluster(config(3)).up();
        clusters.add(full);
        Cluster degraded = new Cluster(config(3)).up();
        degraded.n(3).crash();
        degraded.settle();
        clusters.add(degraded);
        Cluster two = new Cluster(config(2, "two_node: 1")).up();
        two.n(2).crash();
        two.settle();
        clusters.add(two);
        Cluster wfa = new Cluster(config(5, "wait_for_all: 1", "last_man_standing: 1")).up();
        wfa.n(5).crash();
        wfa.n(4).crash();
        wfa.settle();
        wfa.scheduler.advance(11_000);
        clusters.add(wfa);
        for (Cluster c : clusters) {
            Map<Integer, QuorumState> before = new TreeMap<>();
            c.nodes.forEach((id, q) -> {
                if (q.sim().up()) {
                    assertTrue(q.quorate(), "quorate before the upgrade: node " + id + " " + q.last());
                    before.put(id, q.last());
                }
            });
            Map<Integer, Integer> marks = c.marks();
            for (int id : before.keySet()) {
                QuorumNode q = c.n(id);
                q.unbindProvider();
                c.settle();
                q.bindNewProvider();
                c.settle();
                c.scheduler.advance(SYNC_TIMEOUT + 100);
            }
            assertEquals(List.of(), c.notQuorateSince(marks), "no not-quorate event during the upgrades");
            for (int id : before.keySet()) {
                QuorumState now = c.n(id).last();
                assertTrue(now.quorate());
                assertEquals(before.get(id).members(), now.members());
                assertEquals(before.get(id).quorum(), now.quorum(), "quorum figure kept");
                assertEquals(before.get(id).expectedVotes(), now.expectedVotes(), "expected votes kept");
            }
            // the new providers still work: a node loss is seen
            int victim = before.keySet().stream().max(Integer::compare).orElseThrow();
            if (before.size() > 1) {
                c.n(victim).crash();
                c.settle();
                int other = before.keySet().stream().min(Integer::compare).orElseThrow();
                assertTrue(c.n(other).last().left().contains(victim), "new provider follows the membership");
            }
        }
    }

    @Test
    void upgradeWhileAnotherNodeIsDownStillSeesThatNodeReturn() throws Exception {
        Cluster c = new Cluster(config(3)).up();
        c.n(3).crash();
        c.settle();
        c.n(1).unbindProvider();
        c.settle();
        c.n(1).bindNewProvider();
        c.settle();
        c.n(3).boot();
        c.sim.heal();
        c.settle();
        for (QuorumNode q : c.nodes.values()) {
            assertTrue(q.quorate());
            assertEquals(3, q.last().totalVotes(), "node " + q.sim().id() + " counts all votes");
        }
    }

    @Test
    void expectedVotesSetOnOneNodeReachesEveryNodeAndImpossibleValuesAreRefused() throws Exception {
        Cluster c = new Cluster(config(5)).up();
        c.n(5).crash();
        c.n(4).crash();
        c.settle();
        assertTrue(c.n(1).quorate());
        VotequorumDriver d = c.n(1).provider().driver().orElseThrow();
        var refused = d.setExpected(2);
        c.settle();
        assertEquals(Votequorum.Status.INVALID_PARAM, refused.get(), "expected votes below the votes present");
        var ok = d.setExpected(3);
        c.settle();
        assertEquals(Votequorum.Status.OK, ok.get());
        for (int id = 1; id <= 3; id++) {
            assertEquals(3, c.n(id).last().expectedVotes(), "node " + id);
            assertEquals(2, c.n(id).last().quorum(), "quorum lowered with expected votes on node " + id);
        }
        c.n(3).crash();
        c.settle();
        assertTrue(c.n(1).quorate(), "2 of the new 3 expected votes are a majority");
    }

    @Test
    void malformedFramesAreDroppedAndCountedWithoutChangingTheDecision() throws Exception {
        Cluster c = new Cluster(config(3)).up();
        QuorumState before = c.n(1).last();
        int events = c.n(1).events.size();
        c.n(1).sim().inject(VotequorumDriver.GROUP, 2, new byte[] {1, 2, 3});
        c.n(1).sim().inject(VotequorumDriver.GROUP, 2, new byte[300]);
        byte[] bad = VqCodec.encode(new VqCodec.Frame(false, before.ringId(),
            new org.vigil.quorum.internal.votequorum.VqMessage.NodeInfo(2, 1, 3, 0)));
        bad[3] = 99;
        c.n(1).sim().inject(VotequorumDriver.GROUP, 2, bad);
        byte[] impostor = VqCodec.encode(new VqCodec.Frame(false, before.ringId(),
            new org.vigil.quorum.internal.votequorum.VqMessage.NodeInfo(3, 50, 50, 1)));
        c.n(1).sim().inject(VotequorumDriver.GROUP, 2, impostor);
        c.settle();
        assertEquals(events, c.n(1).events.size(), "no new decision");
        assertEquals(before, c.n(1).last());
        assertEquals(4L, c.n(1).provider().driver().orElseThrow().snapshot().orElseThrow().malformed());
        assertEquals(4L, c.n(1).sim().cmap.get("stats.votequorum.malformed_messages").orElseThrow().value());
    }

    @Test
    void aMemberWithoutVotequorumDelaysTheSyncOnlyUntilTheTimeout() throws Exception {
        Cluster c = new Cluster(config(3));
        c.n(1).boot();
        c.n(2).boot();
        c.sim.start(3); // ring services only: node 3 never sends a NODEINFO
        c.sim.heal();
        c.settle();
        QuorumState atStart = c.n(1).last();
        assertTrue(atStart == null || !atStart.members().contains(3), "decision waits for node 3's NODEINFO");
        c.scheduler.advance(SYNC_TIMEOUT + 10);
        assertEquals(List.of(1, 2, 3), c.n(1).last().members(), "decided without node 3 after the timeout");
        assertTrue(c.n(1).quorate(), "2 votes of 3");
        assertEquals(2, c.n(1).last().totalVotes());
    }

    @Test
    void expectedVotesTrackingSurvivesARestart() throws Exception {
        Cluster c = new Cluster(config(3, "expected_votes_tracking: 1")).up();
        VotequorumDriver d = c.n(1).provider().driver().orElseThrow();
        var f = d.setExpected(5);
        c.settle();
        assertEquals(Votequorum.Status.OK, f.get());
        assertEquals(5, c.n(1).last().expectedVotes());
        c.n(1).crash();
        c.settle();
        c.n(1).boot();
        c.settle();
        assertEquals(5, c.n(1).provider().driver().orElseThrow().snapshot().orElseThrow().ours().expectedVotes(),
            "expected votes read back from <state dir>/ev_tracking");
        assertFalse(c.n(1).quorate(), "alone with 1 of 5 expected votes");
    }
}
