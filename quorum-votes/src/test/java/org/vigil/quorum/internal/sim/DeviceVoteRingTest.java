package org.vigil.quorum.internal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.spi.DevicePoll;
import org.vigil.kernel.spi.VoteContext;
import org.vigil.kernel.spi.VoteProvider;
import org.vigil.quorum.internal.votequorum.NodeFlags;
import org.vigil.quorum.internal.votequorum.VqCodec;
import org.vigil.quorum.internal.votequorum.VqMessage;
import org.vigil.quorum.internal.driver.VotequorumDriver;

/**
 * A quorum device's vote is cast for one ring: on a simulated ring with scripted device polls (the test plays
 * the device), no node counts a vote of the ring before in the new ring's decision, neither its own device's nor,
 * through master_wins, another node's; and a device's withdrawal is confirmed only once nothing counts it.
 */
class DeviceVoteRingTest {

    @TempDir
    Path state;

    /** A device the test scripts: it polls when told to. */
    static final class ScriptedDevice implements VoteProvider {
        VoteContext context;

        @Override
        public String name() {
            return "Qdevice";
        }

        @Override
        public void start(VoteContext c) {
            context = c;
        }

        @Override
        public void stop() {
        }

        void poll(RingId ring, boolean cast, boolean masterWins) {
            context.devicePoll(new DevicePoll("Qdevice", ring, cast, masterWins));
        }
    }

    /** 3 nodes, lms device (2 votes: expected 5, quorum 3), master_wins. */
    static String config() {
        StringBuilder b = new StringBuilder("totem {\n  version: 2\n  cluster_name: mw\n}\nquorum {\n"
            + "  provider: corosync_votequorum\n  device {\n    model: net\n    timeout: 10000\n    sync_timeout: 4000\n"
            + "    master_wins: 1\n    net {\n      host: 127.0.0.1\n      algorithm: lms\n    }\n  }\n}\nnodelist {\n");
        for (int i = 1; i <= 3; i++) {
            b.append("  node {\n    ring0_addr: 10.62.0.").append(i).append("\n    nodeid: ").append(i).append("\n  }\n");
        }
        return b.append("}\n").toString();
    }

    final class Cluster {
        final ManualScheduler scheduler = new ManualScheduler();
        final SimCluster sim;
        final Map<Integer, QuorumNode> nodes = new TreeMap<>();
        final Map<Integer, ScriptedDevice> devices = new TreeMap<>();

        Cluster() throws Exception {
            VigilConfig cfg = VigilConfig.fromText("mw.conf", config());
            sim = new SimCluster(scheduler, cfg, state);
            for (int id = 1; id <= 3; id++) {
                QuorumNode q = new QuorumNode(sim, id, 3000);
                nodes.put(id, q);
                q.boot();
                ScriptedDevice d = new ScriptedDevice();
                devices.put(id, d);
                q.bindDevice(d);
            }
            sim.heal();
            scheduler.advance(10);
        }

        RingId ring(int id) {
            return sim.node(id).ring;
        }

        /**
         * Node 1's device casts its vote with master_wins; the devices of nodes 2 and 3 (master_wins too: a node
         * uses master_wins only if its own device asks for it) do not cast theirs.
         */
        void node1HasTheMasterWinsVote() {
            devices.get(1).poll(ring(1), true, true);
            others(false);
            scheduler.advance(10);
            QuorumState s = nodes.get(1).last();
            assertTrue(s.quorate() && s.totalVotes() == 5, "3 nodes + the device's 2 votes: " + s);
        }

        /** The devices of nodes 2 and 3 poll for their current rings (without casting their vote). */
        void others(boolean advance) {
            for (int id = 2; id <= 3; id++) {
                devices.get(id).poll(ring(id), false, true);
            }
            if (advance) {
                scheduler.advance(10);
            }
        }

        List<QuorumState> quorateWith(int id, List<Integer> members) {
            return nodes.get(id).events.stream().filter(e -> e.quorate() && e.members().equals(members)).toList();
        }
    }

    @Test
    void aMemberDecidesOnAnotherNodesMasterWinsVoteOnlyOnceThatNodesDevicePolledForTheNewRing() throws Exception {
        Cluster c = new Cluster();
        c.node1HasTheMasterWinsVote();
        c.sim.partition(List.of(Set.of(1, 2), Set.of(3)));
        c.scheduler.advance(10);
        c.others(true);
        c.scheduler.advance(1000);
        // node 1's votequorum waits for its device; its sync NODEINFO (what node 2 waits for) waits with it
        assertTrue(c.quorateWith(2, List.of(1, 2)).isEmpty(), "node 2 has decided nothing on the old vote");
        c.devices.get(1).poll(c.ring(1), false, true); // the arbiter said NACK for the new ring
        c.scheduler.advance(100);
        assertTrue(c.quorateWith(2, List.of(1, 2)).isEmpty(), "2 votes of 5 and no master_wins vote: "
            + c.nodes.get(2).events);
        assertFalse(c.nodes.get(2).quorate());
        assertFalse(c.nodes.get(1).quorate());
        assertEquals(List.of(1, 2), c.nodes.get(2).last().members());
    }

    @Test
    void aSilentMembersMasterWinsVoteOfTheRingBeforeDoesNotCount() throws Exception {
        Cluster c = new Cluster();
        c.node1HasTheMasterWinsVote();
        // node 1's votequorum goes away (its bundle is being replaced) and the ring changes meanwhile
        c.nodes.get(1).unbindProvider();
        c.sim.partition(List.of(Set.of(1, 2), Set.of(3)));
        c.scheduler.advance(10);
        c.others(true);
        c.scheduler.advance(VotequorumDriver.DEFAULT_SYNC_TIMEOUT_MS + 10_000);
        assertEquals(List.of(1, 2), c.nodes.get(2).last().members(), "node 2 decided without node 1");
        assertTrue(c.quorateWith(2, List.of(1, 2)).isEmpty(), "node 1's vote was cast for the ring before: "
            + c.nodes.get(2).events);
        // a NODEINFO node 1 sent in the ring before, delivered late, brings no vote either
        int flags = NodeFlags.QUORATE | NodeFlags.QDEVICE_REGISTERED | NodeFlags.QDEVICE_ALIVE
            | NodeFlags.QDEVICE_CAST_VOTE | NodeFlags.QDEVICE_MASTER_WINS;
        byte[] stale = VqCodec.encode(new VqCodec.Frame(false, new RingId(1, 4),
            new VqMessage.NodeInfo(1, 1, 5, flags)));
        c.sim.node(2).inject(VotequorumDriver.GROUP, 1, stale);
        c.scheduler.advance(100);
        assertTrue(c.quorateWith(2, List.of(1, 2)).isEmpty(), "a stale NODEINFO: " + c.nodes.get(2).events);
        // the same NODEINFO sent in the current ring counts (master_wins)
        byte[] fresh = VqCodec.encode(new VqCodec.Frame(false, c.ring(2), new VqMessage.NodeInfo(1, 1, 5, flags)));
        c.sim.node(2).inject(VotequorumDriver.GROUP, 1, fresh);
        c.others(true);
        assertTrue(c.nodes.get(2).quorate(), "master_wins with a vote of this ring: " + c.nodes.get(2).last());
    }

    @Test
    void aWithdrawalIsConfirmedOnlyOnceTheAnnouncedDecisionNoLongerCountsTheVote() throws Exception {
        Cluster c = new Cluster();
        c.node1HasTheMasterWinsVote();
        c.sim.partition(List.of(Set.of(1, 2), Set.of(3)));
        c.scheduler.advance(10);
        // the arbiter NACKs node 1 for its new ring; node 2's device has not polled for it yet, so the sync of
        // {1,2} waits for node 2, and node 1 still announces the decision of the ring before, with the vote
        CompletableFuture<Void> done = c.devices.get(1).context.withdrawVote(new DevicePoll("Qdevice", c.ring(1),
            false, true)).toCompletableFuture();
        c.scheduler.advance(500);
        assertEquals(List.of(1, 2, 3), c.nodes.get(1).last().members());
        assertTrue(c.nodes.get(1).last().quorate());
        assertFalse(done.isDone(), "node 1 still announces a decision that counted the vote");
        c.others(true);
        c.scheduler.advance(100);
        QuorumState s = c.nodes.get(1).last();
        assertEquals(List.of(1, 2), s.members());
        assertFalse(s.quorate(), "2 votes of 5, no master_wins vote");
        assertTrue(done.isDone(), "confirmed once the decision without the vote is announced");
    }
}
