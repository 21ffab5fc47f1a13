package org.vigil.kernel.internal.cpg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.CpgReason;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;

/**
 * Regression: the delivery trace node 1 saw on a real 3-node ring (its own singleton ring, then {1,2}, then
 * {1,2,3}), each node with one in-JVM member of the votequorum group, replayed into one CPG engine.
 */
class CpgReplayTest {

    static MembershipEvent ev(MembershipEvent.Type t, int rep, long seq, List<Integer> members, List<Integer> joined) {
        return new MembershipEvent(t, new RingId(rep, seq), members, joined, List.of());
    }

    @Test
    void membersOfNodesThatJoinLaterAreAddedFromTheirJoinLists() {
        List<byte[]> sent = new ArrayList<>();
        CpgEngine cpg = new CpgEngine(1, (m, g) -> sent.add(m));
        long pid = 2147483648L;
        RingId r5 = new RingId(1, 5);
        cpg.onConfiguration(ev(MembershipEvent.Type.TRANSITIONAL, 1, 5, List.of(1), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 5, List.of(1), List.of()));
        cpg.join("g", new CpgEngineTest.Recorder(), pid);
        cpg.onDeliver(1, CpgMessages.joinList(r5, List.of()));
        cpg.onDeliver(1, CpgMessages.join("g", pid));
        RingId r9 = new RingId(1, 9);
        cpg.onConfiguration(ev(MembershipEvent.Type.TRANSITIONAL, 1, 9, List.of(1), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 9, List.of(1, 2), List.of(2)));
        cpg.onDeliver(1, CpgMessages.joinList(r9, List.of(new CpgMessages.Entry("g", pid))));
        cpg.onDeliver(2, CpgMessages.joinList(r9, List.of(new CpgMessages.Entry("g", pid))));
        assertEquals(List.of(new CpgMember(1, pid, CpgReason.JOIN), new CpgMember(2, pid, CpgReason.JOIN)),
            cpg.groups().get("g"));
        RingId rd = new RingId(1, 13);
        cpg.onConfiguration(ev(MembershipEvent.Type.TRANSITIONAL, 1, 13, List.of(1, 2), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 13, List.of(1, 2, 3), List.of(3)));
        for (int n = 1; n <= 3; n++) {
            cpg.onDeliver(n, CpgMessages.joinList(rd, List.of(new CpgMessages.Entry("g", pid))));
        }
        Map<String, List<CpgMember>> g = cpg.groups();
        assertEquals(3, g.get("g").size(), g.toString());
    }

    /** Regression: a join made before the first ring formed used to hold back the join list, so sync never ended. */
    @Test
    void aJoinQueuedBeforeTheFirstRingDoesNotBlockSync() {
        List<byte[]> sent = new ArrayList<>();
        CpgEngine cpg = new CpgEngine(1, (m, g) -> sent.add(m));
        cpg.join("g", new CpgEngineTest.Recorder(), 7);
        assertEquals(0, sent.size(), "nothing is sent before the first ring");
        cpg.onConfiguration(ev(MembershipEvent.Type.TRANSITIONAL, 1, 5, List.of(1), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 5, List.of(1), List.of()));
        assertEquals(1, sent.size(), "the join list goes out at once");
        assertEquals(CpgMessages.JoinList.class, CpgMessages.decode(sent.get(0)).getClass());
        cpg.onDeliver(1, sent.get(0));
        assertEquals(2, sent.size(), "sync ended and the queued join followed");
        cpg.onDeliver(1, sent.get(1));
        assertEquals(List.of(new CpgMember(1, 7, CpgReason.JOIN)), cpg.groups().get("g"));
    }

    /** A join list Totem pushed back is retried by pump(), before anything queued. */
    @Test
    void aPushedBackJoinListIsRetried() {
        List<byte[]> sent = new ArrayList<>();
        boolean[] accept = {false};
        CpgEngine cpg = new CpgEngine(1, (m, g) -> accept[0] && sent.add(m));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 5, List.of(1), List.of()));
        cpg.join("g", new CpgEngineTest.Recorder(), 7);
        assertEquals(0, sent.size());
        accept[0] = true;
        cpg.pump();
        assertEquals(1, sent.size());
        assertEquals(CpgMessages.JoinList.class, CpgMessages.decode(sent.get(0)).getClass());
    }

    /** Regression: a sender kept sending through a long sync and CPG queued without limit (the node ran out of heap). */
    @Test
    void duringSyncMessagesAreRefusedOnceTheQueueIsFullButJoinsAndLeavesAreNot() {
        List<byte[]> sent = new ArrayList<>();
        CpgEngine cpg = new CpgEngine(1, (m, g) -> sent.add(m));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 5, List.of(1), List.of()));
        cpg.onDeliver(1, sent.get(0));
        var g = cpg.join("g", new CpgEngineTest.Recorder(), 7);
        cpg.onDeliver(1, sent.get(1));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 9, List.of(1, 2), List.of(2)));
        byte[] big = new byte[64 * 1024];
        int accepted = 0;
        while (g.mcast(big)) {
            accepted++;
            if (accepted > 1000) {
                break;
            }
        }
        assertEquals(CpgEngine.MAX_QUEUED_BYTES / CpgMessages.mcast("g", 7, big).length, accepted,
            "refused beyond the limit");
        var other = cpg.join("h", new CpgEngineTest.Recorder(), 8);
        other.close();
        cpg.onDeliver(1, sent.get(2));
        cpg.onDeliver(2, CpgMessages.joinList(new RingId(1, 9), List.of()));
        int flushed = sent.size() - 3;
        assertEquals(accepted + 2, flushed, "after sync: the queued messages, then the join and the leave");
    }

    static MembershipEvent trans(int rep, long seq, List<Integer> members, List<Integer> left) {
        return new MembershipEvent(MembershipEvent.Type.TRANSITIONAL, new RingId(rep, seq), members, List.of(), left);
    }

    /**
     * Regression (CibNetnsIT, "CIB stuck after a fast 3-way join"): nodes 1 and 3 formed ring 1.9 and node 2 joined
     * 10 ms later (ring 1.d) before any message of 1.9 was originated, so the join lists of 1.9 went out in 1.d,
     * stale. Node 1 took node 3 for a node synced with (it was in the previous ring) and skipped its 1.d list:
     * node 3's members stayed unknown to node 1 and their messages were dropped, forever.
     */
    @Test
    void membersOfANodeSharingARingThatEndedBeforeItsJoinListsComeFromTheNextRingsList() {
        List<byte[]> sent = new ArrayList<>();
        CpgEngine cpg = new CpgEngine(1, (m, g) -> sent.add(m));
        long pid = 2147483648L;
        CpgEngineTest.Recorder r = new CpgEngineTest.Recorder();
        RingId r5 = new RingId(1, 5);
        cpg.onConfiguration(trans(1, 5, List.of(1), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 5, List.of(1), List.of()));
        cpg.join("g", r, pid);
        cpg.onDeliver(1, CpgMessages.joinList(r5, List.of()));
        cpg.onDeliver(1, CpgMessages.join("g", pid));
        // Ring 1.9 with node 3; it ends before anything of it is delivered.
        RingId r9 = new RingId(1, 9);
        cpg.onConfiguration(trans(1, 9, List.of(1), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 9, List.of(1, 3), List.of(3)));
        // Ring 1.d: node 2 joins; the lists of 1.9 are delivered in it.
        RingId rd = new RingId(1, 13);
        cpg.onConfiguration(trans(1, 13, List.of(1, 3), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 13, List.of(1, 2, 3), List.of(2)));
        cpg.onDeliver(1, CpgMessages.joinList(r9, List.of(new CpgMessages.Entry("g", pid))));
        cpg.onDeliver(1, CpgMessages.joinList(rd, List.of(new CpgMessages.Entry("g", pid))));
        cpg.onDeliver(2, CpgMessages.joinList(rd, List.of(new CpgMessages.Entry("g", pid))));
        cpg.onDeliver(3, CpgMessages.joinList(r9, List.of(new CpgMessages.Entry("g", pid))));
        cpg.onDeliver(3, CpgMessages.joinList(rd, List.of(new CpgMessages.Entry("g", pid))));
        assertFalse(cpg.inSync());
        assertEquals(List.of(new CpgMember(1, pid, CpgReason.JOIN), new CpgMember(2, pid, CpgReason.JOIN),
            new CpgMember(3, pid, CpgReason.JOIN)), cpg.groups().get("g"));
        assertEquals("conf +3/" + pid + ":NODEUP", r.events.get(r.events.size() - 1));
        cpg.onDeliver(3, CpgMessages.mcast("g", pid, "from 3".getBytes()));
        assertEquals("msg 3/" + pid + " from 3", r.events.get(r.events.size() - 1));
        assertEquals(0, cpg.dropCounters()[0], "nothing dropped as from an unknown sender");
        // The next ring skips the lists of nodes synced with: it changes nothing.
        cpg.onConfiguration(trans(1, 17, List.of(1, 2, 3), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 17, List.of(1, 2, 3), List.of()));
        for (int n = 1; n <= 3; n++) {
            cpg.onDeliver(n, CpgMessages.joinList(new RingId(1, 17), List.of(new CpgMessages.Entry("g", pid))));
        }
        assertEquals(3, cpg.groups().get("g").size());
    }

    /**
     * Totem delivers the old ring's last messages after the transitional configuration: a join among them from a
     * node that left must not outlive the node (it came back as a member of a node that was gone, on some nodes
     * only: found by the seeded soak with CPG, seed 28).
     */
    @Test
    void aJoinFromADepartedNodeDeliveredInTheTransitionalConfigurationGoesWithTheNode() {
        List<byte[]> sent = new ArrayList<>();
        CpgEngine cpg = new CpgEngine(1, (m, g) -> sent.add(m));
        CpgEngineTest.Recorder r = new CpgEngineTest.Recorder();
        RingId r5 = new RingId(1, 5);
        cpg.onConfiguration(trans(1, 5, List.of(1), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 5, List.of(1, 2), List.of(2)));
        cpg.join("g", r, 1);
        cpg.onDeliver(1, CpgMessages.joinList(r5, List.of()));
        cpg.onDeliver(2, CpgMessages.joinList(r5, List.of(new CpgMessages.Entry("g", 20))));
        cpg.onDeliver(1, CpgMessages.join("g", 1));
        assertEquals(2, cpg.groups().get("g").size());
        // Node 2 fails; its last messages of ring 1.5 are delivered in the transitional configuration.
        cpg.onConfiguration(trans(1, 9, List.of(1), List.of(2)));
        cpg.onDeliver(2, CpgMessages.join("g", 21));
        cpg.onDeliver(2, CpgMessages.mcast("g", 21, "last words".getBytes()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 9, List.of(1), List.of()));
        assertEquals(List.of(new CpgMember(1, 1, CpgReason.JOIN)), cpg.groups().get("g"));
        assertEquals("conf -2/20:NODEDOWN -2/21:NODEDOWN", r.events.get(r.events.size() - 1));
        assertEquals("msg 2/21 last words", r.events.get(r.events.size() - 2),
            "a message of the transitional configuration reaches the members (its sender is still one)");
    }

    /**
     * The last join list of a sync delivered in the transitional configuration of the next ring, from a node that
     * has just left, completed that sync: the departed node was counted as synced with, and when it came back at
     * once (a new incarnation, in the very next ring) its join list was skipped and its members stayed unknown
     * (found by the seeded soak with CPG, seeds 1001..6000: 1667 and seven more).
     */
    @Test
    void aNodeThatLeftWhileItsLastJoinListWasInFlightBringsItsMembersAgainWhenItComesBack() {
        List<byte[]> sent = new ArrayList<>();
        CpgEngine cpg = new CpgEngine(1, (m, g) -> sent.add(m));
        CpgEngineTest.Recorder r = new CpgEngineTest.Recorder();
        cpg.onConfiguration(trans(1, 5, List.of(1), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 5, List.of(1), List.of()));
        cpg.join("g", r, 1);
        cpg.onDeliver(1, CpgMessages.joinList(new RingId(1, 5), List.of()));
        cpg.onDeliver(1, CpgMessages.join("g", 1));
        RingId r9 = new RingId(1, 9);
        cpg.onConfiguration(trans(1, 9, List.of(1), List.of()));
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 9, List.of(1, 3), List.of(3)));
        cpg.onDeliver(1, CpgMessages.joinList(r9, List.of(new CpgMessages.Entry("g", 1))));
        // Node 3 crashes; its list of 1.9 arrives in the transitional configuration of 1.d, ending that sync.
        cpg.onConfiguration(trans(1, 13, List.of(1), List.of(3)));
        cpg.onDeliver(3, CpgMessages.joinList(r9, List.of(new CpgMessages.Entry("g", 7))));
        // Node 3 is back at once, a new incarnation with another member.
        RingId rd = new RingId(1, 13);
        cpg.onConfiguration(ev(MembershipEvent.Type.REGULAR, 1, 13, List.of(1, 3), List.of(3)));
        cpg.onDeliver(3, CpgMessages.joinList(rd, List.of(new CpgMessages.Entry("g", 8))));
        cpg.onDeliver(1, CpgMessages.joinList(rd, List.of(new CpgMessages.Entry("g", 1))));
        assertFalse(cpg.inSync());
        assertEquals(List.of(new CpgMember(1, 1, CpgReason.JOIN), new CpgMember(3, 8, CpgReason.JOIN)),
            cpg.groups().get("g"));
    }
}
