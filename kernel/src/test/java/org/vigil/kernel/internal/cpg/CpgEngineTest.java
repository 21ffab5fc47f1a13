package org.vigil.kernel.internal.cpg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgGuarantee;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.CpgReason;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.internal.totem.Guarantee;

/**
 * CPG over a simulated ring: each partition is a totally ordered bus that delivers every submitted message to
 * all its nodes in one order, with configuration changes as Totem delivers them (transitional, then regular).
 */
class CpgEngineTest {

    /** A simulated cluster of CPG engines split into partitions, each with its own total order. */
    static final class Bus {
        final Map<Integer, CpgEngine> engines = new HashMap<>();
        final Map<Integer, Deque<byte[]>> outbox = new HashMap<>();
        /** The guarantee each node's CPG asked Totem for, message by message. */
        final Map<Integer, List<Guarantee>> guarantees = new HashMap<>();
        List<Set<Integer>> partitions = new ArrayList<>();
        Map<Integer, List<Integer>> lastMembers = new HashMap<>();
        long seq;

        Bus(int... nodes) {
            for (int n : nodes) {
                outbox.put(n, new ArrayDeque<>());
                guarantees.put(n, new ArrayList<>());
                engines.put(n, new CpgEngine(n, (payload, guarantee) -> {
                    guarantees.get(n).add(guarantee);
                    return outbox.get(n).add(payload);
                }));
            }
        }

        /** Forms the given partitions as new rings: transitional then regular events, then runs sync. */
        void form(List<Set<Integer>> parts) {
            seq += 4;
            partitions = parts;
            for (Set<Integer> p : parts) {
                List<Integer> members = new ArrayList<>(new TreeSet<>(p));
                RingId ring = new RingId(members.get(0), seq);
                for (int n : members) {
                    List<Integer> before = lastMembers.getOrDefault(n, List.of(n));
                    List<Integer> trans = new ArrayList<>(before);
                    trans.retainAll(members);
                    List<Integer> left = new ArrayList<>(before);
                    left.removeAll(members);
                    List<Integer> joined = new ArrayList<>(members);
                    joined.removeAll(before);
                    CpgEngine e = engines.get(n);
                    e.onConfiguration(new MembershipEvent(MembershipEvent.Type.TRANSITIONAL, ring, trans, List.of(),
                        left));
                    e.onConfiguration(new MembershipEvent(MembershipEvent.Type.REGULAR, ring, members, joined,
                        List.of()));
                    lastMembers.put(n, members);
                }
            }
            pump();
        }

        /** Delivers everything submitted, partition by partition, in submission order (round-robin senders). */
        void pump() {
            boolean any = true;
            while (any) {
                any = false;
                for (Set<Integer> p : partitions) {
                    for (int n : new TreeSet<>(p)) {
                        byte[] m = outbox.get(n).poll();
                        if (m != null) {
                            any = true;
                            for (int r : new TreeSet<>(p)) {
                                engines.get(r).onDeliver(n, m);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Records callbacks of one member. */
    public static final class Recorder implements CpgListener {
        final List<String> events = new ArrayList<>();
        final List<byte[]> messages = new ArrayList<>();
        List<CpgMember> members = List.of();

        @Override
        public void deliver(String group, CpgMember sender, byte[] message) {
            events.add("msg " + sender.nodeId() + "/" + sender.pid() + " " + new String(message));
            messages.add(message);
        }

        @Override
        public void configurationChanged(String group, List<CpgMember> members, List<CpgMember> left,
                                         List<CpgMember> joined) {
            this.members = members;
            StringBuilder s = new StringBuilder("conf");
            for (CpgMember m : joined) {
                s.append(" +").append(m.nodeId()).append('/').append(m.pid()).append(':').append(m.reason());
            }
            for (CpgMember m : left) {
                s.append(" -").append(m.nodeId()).append('/').append(m.pid()).append(':').append(m.reason());
            }
            events.add(s.toString());
        }
    }

    @Test
    void joinMcastAndLeaveAreSeenByEveryMemberInOneOrder() {
        Bus bus = new Bus(1, 2, 3);
        bus.form(List.of(Set.of(1, 2, 3)));
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        Recorder r3 = new Recorder();
        CpgGroup g1 = bus.engines.get(1).join("crmd", r1, 101);
        CpgGroup g2 = bus.engines.get(2).join("crmd", r2, 202);
        bus.pump();
        CpgGroup g3 = bus.engines.get(3).join("crmd", r3, 303);
        bus.pump();
        assertEquals(List.of("conf +1/101:JOIN", "conf +2/202:JOIN", "conf +3/303:JOIN"), r1.events);
        assertEquals(List.of("conf +2/202:JOIN", "conf +3/303:JOIN"), r2.events, "a member sees its own join");
        g1.mcast("a".getBytes());
        g2.mcast("b".getBytes());
        g3.mcast("c".getBytes());
        g1.mcast("d".getBytes());
        bus.pump();
        List<String> order = r1.events.subList(3, 7);
        assertEquals(order, r2.events.subList(2, 6), "agreed order");
        assertEquals(order, r3.events.subList(1, 5), "sender included");
        g2.close();
        bus.pump();
        assertEquals("conf -2/202:LEAVE", r1.events.get(r1.events.size() - 1));
        assertEquals("conf -2/202:LEAVE", r2.events.get(r2.events.size() - 1), "the leaver sees its leave");
        assertEquals(2, g1.members().size());
        assertThrows(IllegalStateException.class, () -> g2.mcast("x".getBytes()));
        int before = r2.events.size();
        g1.mcast("after".getBytes());
        bus.pump();
        assertEquals(before, r2.events.size(), "a member that left gets nothing more");
    }

    @Test
    void aSafeMessageGoesToTotemAsSafeAndEverythingElseAsAgreed() {
        Bus bus = new Bus(1, 2);
        bus.form(List.of(Set.of(1, 2)));
        Recorder r2 = new Recorder();
        CpgGroup g1 = bus.engines.get(1).join("g", new Recorder(), 101);
        bus.engines.get(2).join("g", r2, 202);
        bus.pump();
        bus.guarantees.get(1).clear();
        g1.mcast("a".getBytes());
        g1.mcast("b".getBytes(), CpgGuarantee.SAFE);
        g1.mcast("c".getBytes(), CpgGuarantee.AGREED);
        g1.close();
        bus.pump();
        assertEquals(List.of(Guarantee.AGREED, Guarantee.SAFE, Guarantee.AGREED, Guarantee.AGREED),
            bus.guarantees.get(1), "plain, safe, agreed, then the leave");
        assertEquals(List.of("msg 1/101 a", "msg 1/101 b", "msg 1/101 c", "conf -1/101:LEAVE"),
            r2.events.subList(r2.events.size() - 4, r2.events.size()), "one order whatever the guarantee");
    }

    @Test
    void nodeFailureTakesItsMembersWithReasonNodedown() {
        Bus bus = new Bus(1, 2, 3);
        bus.form(List.of(Set.of(1, 2, 3)));
        Recorder r1 = new Recorder();
        bus.engines.get(1).join("g", r1, 1);
        bus.engines.get(3).join("g", new Recorder(), 31);
        bus.engines.get(3).join("g", new Recorder(), 32);
        bus.pump();
        bus.form(List.of(Set.of(1, 2), Set.of(3)));
        assertEquals("conf -3/31:NODEDOWN -3/32:NODEDOWN", r1.events.get(r1.events.size() - 1));
        assertEquals(List.of(new CpgMember(1, 1, CpgReason.JOIN)), r1.members);
    }

    @Test
    void mergeBringsTheOtherSidesMembersWithReasonNodeup() {
        Bus bus = new Bus(1, 2, 3);
        bus.form(List.of(Set.of(1, 2), Set.of(3)));
        Recorder r1 = new Recorder();
        Recorder r3 = new Recorder();
        bus.engines.get(1).join("g", r1, 1);
        bus.engines.get(3).join("g", r3, 3);
        bus.pump();
        assertEquals(1, r1.members.size());
        bus.form(List.of(Set.of(1, 2, 3)));
        assertEquals("conf +3/3:NODEUP", r1.events.get(r1.events.size() - 1));
        assertEquals("conf +1/1:NODEUP", r3.events.get(r3.events.size() - 1));
        assertEquals(r1.members, r3.members);
        assertEquals(2, r1.members.size());
    }

    @Test
    void operationsDuringSyncAreQueuedUntilEveryJoinListArrived() {
        Bus bus = new Bus(1, 2);
        bus.form(List.of(Set.of(1, 2)));
        Recorder r2 = new Recorder();
        bus.engines.get(2).join("g", r2, 2);
        bus.pump();
        // A new ring starts (node 2 partitioned and back); node 1 joins before the join lists are delivered.
        bus.form(List.of(Set.of(1), Set.of(2)));
        bus.seq += 4;
        RingId ring = new RingId(1, bus.seq);
        bus.partitions = List.of(Set.of(1, 2));
        for (int n : List.of(1, 2)) {
            List<Integer> joined = List.of(n == 1 ? 2 : 1);
            bus.engines.get(n).onConfiguration(new MembershipEvent(MembershipEvent.Type.TRANSITIONAL, ring,
                List.of(n), List.of(), List.of()));
            bus.engines.get(n).onConfiguration(new MembershipEvent(MembershipEvent.Type.REGULAR, ring, List.of(1, 2),
                joined, List.of()));
        }
        Recorder r1 = new Recorder();
        CpgGroup g1 = bus.engines.get(1).join("g", r1, 1);
        g1.mcast("early".getBytes());
        assertTrue(bus.engines.get(1).inSync());
        assertEquals(1, bus.outbox.get(1).size(), "only the join list went to Totem");
        bus.pump();
        assertFalse(bus.engines.get(1).inSync());
        assertTrue(r2.events.contains("msg 1/1 early"), r2.events.toString());
        assertTrue(r2.events.indexOf("conf +1/1:JOIN") < r2.events.indexOf("msg 1/1 early"));
    }

    @Test
    void messagesFromNonMembersAndMalformedMessagesAreDroppedAndCounted() {
        Bus bus = new Bus(1, 2);
        bus.form(List.of(Set.of(1, 2)));
        Recorder r1 = new Recorder();
        bus.engines.get(1).join("g", r1, 1);
        bus.pump();
        bus.engines.get(1).onDeliver(2, CpgMessages.mcast("g", 99, "spoof".getBytes()));
        bus.engines.get(1).onDeliver(2, new byte[] {1, 3, 0});
        bus.engines.get(1).onDeliver(2, new byte[0]);
        assertArrayEquals(new long[] {1, 2}, bus.engines.get(1).dropCounters());
        assertFalse(r1.events.stream().anyMatch(e -> e.contains("spoof")));
    }

    @Test
    void groupNamesAreLimitedTo128Bytes() {
        Bus bus = new Bus(1);
        assertThrows(IllegalArgumentException.class, () -> bus.engines.get(1).join("x".repeat(129), new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> bus.engines.get(1).join("", new Recorder()));
        bus.engines.get(1).join("é".repeat(64), new Recorder());
    }

    @Test
    void codecRejectsEveryTruncationAndRandomBytes() {
        List<byte[]> valid = List.of(CpgMessages.join("grp", 7), CpgMessages.leave("grp", 7, CpgReason.PROCDOWN),
            CpgMessages.mcast("grp", 7, new byte[] {1, 2, 3}),
            CpgMessages.joinList(new RingId(1, 8), List.of(new CpgMessages.Entry("a", 1), new CpgMessages.Entry("b", 2))));
        for (byte[] v : valid) {
            assertTrue(CpgMessages.decode(v) != null);
            for (int cut = 0; cut < v.length; cut++) {
                assertEquals(null, CpgMessages.decode(java.util.Arrays.copyOf(v, cut)), "truncated at " + cut);
            }
        }
        Random rnd = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            byte[] g = new byte[rnd.nextInt(40)];
            rnd.nextBytes(g);
            CpgMessages.decode(g);
        }
    }

    /** Seeded random joins, leaves, messages, splits and merges: once merged and synced, every node agrees. */
    @Test
    void randomSplitsAndMergesConverge() {
        for (int seed = 0; seed < 2000; seed++) {
            Random rnd = new Random(seed);
            Bus bus = new Bus(1, 2, 3, 4);
            bus.form(List.of(Set.of(1, 2, 3, 4)));
            Map<Integer, List<CpgGroup>> open = new HashMap<>();
            for (int step = 0; step < 40; step++) {
                int n = 1 + rnd.nextInt(4);
                switch (rnd.nextInt(5)) {
                    case 0, 1 -> open.computeIfAbsent(n, k -> new ArrayList<>())
                        .add(bus.engines.get(n).join("g" + rnd.nextInt(2), new Recorder()));
                    case 2 -> {
                        List<CpgGroup> mine = open.getOrDefault(n, List.of());
                        if (!mine.isEmpty()) {
                            mine.remove(rnd.nextInt(mine.size())).close();
                        }
                    }
                    case 3 -> {
                        List<CpgGroup> mine = open.getOrDefault(n, List.of());
                        if (!mine.isEmpty()) {
                            mine.get(rnd.nextInt(mine.size())).mcast(new byte[] {(byte) step});
                        }
                    }
                    default -> {
                        Set<Integer> a = new TreeSet<>();
                        for (int k = 1; k <= 4; k++) {
                            if (rnd.nextBoolean()) {
                                a.add(k);
                            }
                        }
                        Set<Integer> b = new TreeSet<>(Set.of(1, 2, 3, 4));
                        b.removeAll(a);
                        bus.form(a.isEmpty() || b.isEmpty() ? List.of(Set.of(1, 2, 3, 4)) : List.of(a, b));
                    }
                }
                if (rnd.nextBoolean()) {
                    bus.pump();
                }
            }
            bus.form(List.of(Set.of(1, 2, 3, 4)));
            Map<String, List<CpgMember>> expected = bus.engines.get(1).groups();
            for (int n = 2; n <= 4; n++) {
                assertEquals(expected, bus.engines.get(n).groups(), "seed " + seed + ": node " + n + " disagrees");
            }
            int live = 0;
            for (List<CpgGroup> l : open.values()) {
                live += l.size();
            }
            int listed = expected.values().stream().mapToInt(List::size).sum();
            assertEquals(live, listed, "seed " + seed + ": every open handle, and only those, is a member");
        }
    }
}
