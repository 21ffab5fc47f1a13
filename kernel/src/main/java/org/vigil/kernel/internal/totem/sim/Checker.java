package org.vigil.kernel.internal.totem.sim;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.internal.totem.Guarantee;

/**
 * The simulator's invariant checkers. Every delivery and configuration change of every node is checked when it
 * happens, against everything the other nodes did so far; {@link #finalChecks} adds the checks that need the
 * whole run. A broken invariant throws {@link Violation}.
 *
 * <p>Invariants (a node incarnation is one boot of a node; a configuration is a ring's regular configuration, or
 * the transitional configuration that ends it):
 * <ol>
 *   <li><b>Integrity</b>: a delivered message is one that was submitted, by the node reported as its sender, with
 *       the same guarantee, length and content.</li>
 *   <li><b>No duplicates</b>: an incarnation delivers a message at most once.</li>
 *   <li><b>Total order</b>: every message belongs to one ring and has one position in it, whichever node and
 *       whichever configuration of that ring (regular or transitional) delivers it; a position holds one
 *       message; every incarnation delivers in increasing position.</li>
 *   <li><b>No gaps</b>: in a ring's regular configuration an incarnation delivers every message of the ring up
 *       to its last delivery there (regular deliveries of all members are prefixes of one order); in the
 *       transitional configuration it may skip only messages whose sender is not a transitional member.</li>
 *   <li><b>Safe delivery</b>: a SAFE message is delivered only once every member of the configuration it is
 *       delivered in (the ring's members, or the transitional members) has received it. "Received" needs two
 *       independent records: the simulated network carried the MCAST holding it to that member (or the member
 *       sent it itself), see {@link #carried}, and the member's engine reported storing it, see
 *       {@link #stored}. The network record is the one an engine cannot fake; the store report adds that the
 *       member kept what it was given.</li>
 *   <li><b>Virtual synchrony</b>: incarnations that go from the same ring to the same next ring delivered the same
 *       messages in the old ring, split the same way between its regular and transitional configurations, and
 *       agree on the transitional members.</li>
 *   <li><b>Configuration sanity</b>: TRANSITIONAL then REGULAR, each containing the node; transitional members
 *       are old members; left = old members − transitional; joined = new members − transitional; every
 *       incarnation sees the same members for a ring; ring sequence numbers only grow per incarnation.</li>
 *   <li><b>Self delivery</b> (final): an incarnation alive at the end delivered every message it submitted.</li>
 * </ol>
 */
public final class Checker {

    /** A broken invariant. */
    public static final class Violation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Violation(String message) {
            super(message);
        }
    }

    /** Per node incarnation. */
    final class Inc {
        final int node;
        final int number;
        boolean alive = true;
        RingId ring;
        List<Integer> ringMembers = List.of();
        boolean inTrans;
        List<Integer> transMembers = List.of();
        long lastPos = -1;
        long lastRegularPos = -1;
        final HashSet<Long> delivered = new HashSet<>();
        final List<Long> submitted = new ArrayList<>();
        List<Long> regularLog = new ArrayList<>();
        List<Long> transLog = new ArrayList<>();
        /** The message ids delivered in the current ring, in order (for the final ring comparison). */
        long badPacketsDelivered;

        Inc(int node, int number) {
            this.node = node;
            this.number = number;
        }

        @Override
        public String toString() {
            return "n" + node + (number > 1 ? "#" + number : "");
        }
    }

    /** What all incarnations did in one ring. */
    static final class RingRec {
        List<Integer> members;
        final TreeMap<Long, Long> byPos = new TreeMap<>();
        /** Message id → its position in this ring (the converse of {@link #byPos}). */
        final Map<Long, Long> posOf = new HashMap<>();
        final Map<Inc, Long> regularMax = new HashMap<>();
        final Map<Inc, Set<Long>> deliveredPos = new HashMap<>();
        /** Per node: the sequence numbers of this ring its engine reported storing. */
        final Map<Integer, BitSet> stored = new HashMap<>();
        /** Per node: the sequence numbers of this ring the simulated network carried to it (or it sent). */
        final Map<Integer, BitSet> carried = new HashMap<>();
        final Map<Inc, List<Integer>> transOf = new HashMap<>();
        final Map<Long, Integer> originAt = new HashMap<>();
        final List<Inc> regularMembers = new ArrayList<>();
    }

    private record Transition(List<Long> regular, List<Long> trans, List<Integer> transMembers, Inc first) {
    }

    private record Submitted(int origin, Guarantee guarantee, int length) {
    }

    private final Map<RingId, RingRec> rings = new HashMap<>();
    private final Map<Long, RingId> ringOfMsg = new HashMap<>();
    private final Map<Long, Submitted> submitted = new HashMap<>();
    private final Map<List<RingId>, Transition> transitions = new HashMap<>();
    private final List<Inc> incs = new ArrayList<>();
    private long deliveries;
    private long configChanges;
    private long transDeliveries;
    private long transSkips;
    private long safeDeliveries;
    private long safeTransDeliveries;

    // Caches for stored() and carried(): the last ring looked up per node.
    private final Receipts storedCache = new Receipts(true);
    private final Receipts carriedCache = new Receipts(false);

    /** One node's receipts of the last ring it was given, looked up again only when the ring changes. */
    private final class Receipts {
        final boolean engineReport;
        final Map<Integer, RingId> lastRing = new HashMap<>();
        final Map<Integer, BitSet> lastBits = new HashMap<>();

        Receipts(boolean engineReport) {
            this.engineReport = engineReport;
        }

        void set(int node, int rep, long ringSeq, long seq) {
            RingId last = lastRing.get(node);
            BitSet bits;
            if (last != null && last.rep() == rep && last.seq() == ringSeq) {
                bits = lastBits.get(node);
            } else {
                RingId id = new RingId(rep, ringSeq);
                RingRec rr = ring(id);
                bits = (engineReport ? rr.stored : rr.carried).computeIfAbsent(node, k -> new BitSet());
                lastRing.put(node, id);
                lastBits.put(node, bits);
            }
            bits.set((int) seq);
        }
    }

    Inc newIncarnation(int node, int number) {
        Inc i = new Inc(node, number);
        incs.add(i);
        return i;
    }

    List<Inc> incarnations() {
        return incs;
    }

    public long deliveries() {
        return deliveries;
    }

    public long configChanges() {
        return configChanges;
    }

    /** What the run exercised: deliveries by configuration kind and guarantee, transitional skips. */
    public java.util.TreeMap<String, Long> coverage() {
        java.util.TreeMap<String, Long> m = new java.util.TreeMap<>();
        m.put("check.deliveries", deliveries);
        m.put("check.config_changes", configChanges);
        m.put("check.transitional_deliveries", transDeliveries);
        m.put("check.transitional_skips", transSkips);
        m.put("check.safe_deliveries", safeDeliveries);
        m.put("check.safe_transitional_deliveries", safeTransDeliveries);
        return m;
    }

    private RingRec ring(RingId id) {
        return rings.computeIfAbsent(id, k -> new RingRec());
    }

    private static Violation fail(String msg) {
        return new Violation(msg);
    }

    /** A message was accepted by {@code inc}'s engine. */
    void submitted(Inc inc, long msgId, Guarantee g, int length) {
        submitted.put(msgId, new Submitted(inc.node, g, length));
        inc.submitted.add(msgId);
    }

    /** The engine refused a message registered with {@link #submitted}. */
    void unsubmitted(Inc inc, long msgId) {
        submitted.remove(msgId);
        inc.submitted.remove(inc.submitted.size() - 1);
    }

    /** Node {@code node}'s engine reported storing ordered message {@code seq} of ring {@code (rep, ringSeq)}. */
    void stored(int node, int rep, long ringSeq, long seq) {
        storedCache.set(node, rep, ringSeq, seq);
    }

    /**
     * The simulated network handed node {@code node} an MCAST carrying ordered message {@code seq} of ring
     * {@code (rep, ringSeq)} (directly, or wrapped in a recovery MCAST), or the node multicast it itself. The
     * caller decodes this from the packet bytes, not from anything the engine says.
     */
    void carried(int node, int rep, long ringSeq, long seq) {
        carriedCache.set(node, rep, ringSeq, seq);
    }

    /** Decodes the simulator's payload: {@code u32 origin, u32 counter, u32 length, pattern}. */
    static long checkPayload(int sender, byte[] b, int off, int len) {
        if (len < Payloads.HEADER) {
            throw fail("delivered a message of " + len + " bytes, shorter than any submitted");
        }
        int origin = Payloads.getInt(b, off);
        int counter = Payloads.getInt(b, off + 4);
        int total = Payloads.getInt(b, off + 8);
        if (origin != sender) {
            throw fail("message " + origin + ":" + counter + " delivered with sender " + sender);
        }
        if ((total & Payloads.CARRIER) != 0) {
            total &= ~Payloads.CARRIER;
            if (total != len || len < Payloads.CARRIER_HEADER) {
                throw fail("message " + origin + ":" + counter + " delivered with " + len + " bytes, sent with "
                    + total);
            }
            if (Payloads.getInt(b, off + Payloads.HEADER) != Payloads.crc(b, off + Payloads.CARRIER_HEADER,
                len - Payloads.CARRIER_HEADER)) {
                throw fail("message " + origin + ":" + counter + " corrupted (CRC of the carried bytes)");
            }
            return Payloads.msgId(origin, counter);
        }
        if (total != len) {
            throw fail("message " + origin + ":" + counter + " delivered with " + len + " bytes, sent with " + total);
        }
        for (int i = Payloads.HEADER; i < len; i++) {
            if (b[off + i] != Payloads.pattern(origin, counter, i)) {
                throw fail("message " + origin + ":" + counter + " corrupted at byte " + i);
            }
        }
        return Payloads.msgId(origin, counter);
    }

    void delivered(Inc inc, int sender, byte[] b, int off, int len, Guarantee g, RingId ring, long pos, long seq) {
        deliveries++;
        long id = checkPayload(sender, b, off, len);
        String what = "message " + Payloads.name(id) + " at " + inc;
        Submitted s = submitted.get(id);
        if (s == null) {
            throw fail(what + ": never submitted");
        }
        if (s.guarantee() != g) {
            throw fail(what + ": delivered " + g + ", submitted " + s.guarantee());
        }
        if (!inc.delivered.add(id)) {
            throw fail(what + ": delivered twice");
        }
        if (inc.ring == null || !inc.ring.equals(ring)) {
            throw fail(what + ": delivered in ring " + ring + " while the node's configuration is ring " + inc.ring);
        }
        RingId other = ringOfMsg.putIfAbsent(id, ring);
        if (other != null && !other.equals(ring)) {
            throw fail(what + ": delivered in ring " + ring + ", elsewhere in ring " + other);
        }
        RingRec rr = ring(ring);
        Long prevPos = rr.posOf.putIfAbsent(id, pos);
        if (prevPos != null && prevPos != pos) {
            throw fail(what + ": delivered at position " + posName(pos) + " of ring " + ring + " ("
                + (inc.inTrans ? "transitional" : "regular") + " configuration), elsewhere at position "
                + posName(prevPos));
        }
        Long prevId = rr.byPos.putIfAbsent(pos, id);
        if (prevId != null && prevId != id) {
            throw fail(what + ": position " + posName(pos) + " of ring " + ring + " holds " + Payloads.name(prevId)
                + " elsewhere");
        }
        rr.originAt.put(pos, sender);
        if (pos <= inc.lastPos) {
            throw fail(what + ": position " + posName(pos) + " after " + posName(inc.lastPos));
        }
        // Known messages this node skipped.
        NavigableMap<Long, Long> skipped = rr.byPos.subMap(inc.lastPos, false, pos, false);
        if (!inc.inTrans) {
            if (!skipped.isEmpty()) {
                throw fail(what + ": skipped " + Payloads.name(skipped.firstEntry().getValue()) + " at "
                    + posName(skipped.firstKey()) + " in the regular configuration of ring " + ring);
            }
            inc.lastRegularPos = pos;
            rr.regularMax.put(inc, pos);
            inc.regularLog.add(id);
        } else {
            transDeliveries++;
            transSkips += skipped.size();
            for (var e : skipped.entrySet()) {
                int origin = rr.originAt.get(e.getKey());
                if (inc.transMembers.contains(origin)) {
                    throw fail(what + ": skipped " + Payloads.name(e.getValue()) + " of transitional member "
                        + origin + " in the transitional configuration of ring " + ring);
                }
            }
            inc.transLog.add(id);
        }
        inc.lastPos = pos;
        rr.deliveredPos.computeIfAbsent(inc, k -> new HashSet<>()).add(pos);
        // Anyone whose regular deliveries went past this position must have delivered it.
        for (var e : rr.regularMax.entrySet()) {
            Inc q = e.getKey();
            if (q != inc && e.getValue() > pos && !rr.deliveredPos.get(q).contains(pos)) {
                throw fail(what + ": " + q + " skipped it (position " + posName(pos) + ") in the regular "
                    + "configuration of ring " + ring);
            }
        }
        if (g == Guarantee.SAFE) {
            safeDeliveries++;
            if (inc.inTrans) {
                safeTransDeliveries++;
            }
            List<Integer> conf = inc.inTrans ? inc.transMembers : inc.ringMembers;
            for (int m : conf) {
                BitSet carriedTo = rr.carried.get(m);
                BitSet storedBy = rr.stored.get(m);
                boolean wasCarried = carriedTo != null && carriedTo.get((int) seq);
                boolean wasStored = storedBy != null && storedBy.get((int) seq);
                if (!wasCarried || !wasStored) {
                    throw fail(what + ": SAFE message delivered in the " + (inc.inTrans ? "transitional" : "regular")
                        + " configuration " + conf + " of ring " + ring + " before member " + m
                        + " received it (seq " + seq + ": "
                        + (wasCarried ? "carried there" : "the network never carried it there") + ", "
                        + (wasStored ? "stored" : "its engine did not report storing it") + ")");
                }
            }
        }
    }

    static String posName(long pos) {
        return pos < 0 ? "start" : (pos >>> 16) + "." + (pos & 0xFFFF);
    }

    void configurationChange(Inc inc, MembershipEvent ev) {
        configChanges++;
        String what = inc + " " + ev.type() + " " + ev.ringId() + " " + ev.members();
        if (!ev.members().contains(inc.node)) {
            throw fail(what + ": the node is not a member of its own configuration");
        }
        if (ev.type() == MembershipEvent.Type.TRANSITIONAL) {
            if (inc.inTrans) {
                throw fail(what + ": two TRANSITIONAL configurations in a row");
            }
            if (inc.ring == null) {
                if (!ev.members().equals(List.of(inc.node)) || !ev.left().isEmpty()) {
                    throw fail(what + ": the first transitional configuration of a node must be itself alone");
                }
            } else {
                if (!inc.ringMembers.containsAll(ev.members())) {
                    throw fail(what + ": transitional members not all in the old ring " + inc.ringMembers);
                }
                List<Integer> left = new ArrayList<>(inc.ringMembers);
                left.removeAll(ev.members());
                if (!left.equals(ev.left())) {
                    throw fail(what + ": left " + ev.left() + ", expected " + left);
                }
            }
            if (!ev.joined().isEmpty()) {
                throw fail(what + ": a transitional configuration with joined nodes");
            }
            inc.inTrans = true;
            inc.transMembers = ev.members();
            if (inc.ring != null) {
                ring(inc.ring).transOf.put(inc, ev.members());
            }
            return;
        }
        if (!inc.inTrans) {
            throw fail(what + ": REGULAR without a TRANSITIONAL before it");
        }
        if (inc.ring != null && ev.ringId().compareTo(inc.ring) <= 0) {
            throw fail(what + ": ring id not newer than the previous ring " + inc.ring);
        }
        List<Integer> joined = new ArrayList<>(ev.members());
        joined.removeAll(inc.transMembers);
        if (!joined.equals(ev.joined()) || !ev.left().isEmpty()) {
            throw fail(what + ": joined " + ev.joined() + " left " + ev.left() + ", expected joined " + joined);
        }
        if (!ev.members().containsAll(inc.transMembers)) {
            throw fail(what + ": transitional members " + inc.transMembers + " are not all in the new ring");
        }
        RingRec rr = ring(ev.ringId());
        if (rr.members == null) {
            rr.members = ev.members();
        } else if (!rr.members.equals(ev.members())) {
            throw fail(what + ": another node installed ring " + ev.ringId() + " with members " + rr.members);
        }
        if (inc.ring != null) {
            List<RingId> key = List.of(inc.ring, ev.ringId());
            Transition t = new Transition(inc.regularLog, inc.transLog, inc.transMembers, inc);
            Transition first = transitions.putIfAbsent(key, t);
            if (first != null) {
                if (!first.transMembers().equals(t.transMembers())) {
                    throw fail(what + ": transitional members " + t.transMembers() + " but " + first.first()
                        + " had " + first.transMembers() + " for the same change " + key);
                }
                if (!first.regular().equals(t.regular()) || !first.trans().equals(t.trans())) {
                    throw fail(what + ": virtual synchrony broken: going from ring " + inc.ring + " to "
                        + ev.ringId() + " with " + first.first() + ", it delivered " + summary(t) + " in the old ring"
                        + " but " + first.first() + " delivered " + summary(first));
                }
            }
        }
        rr.regularMembers.add(inc);
        inc.ring = ev.ringId();
        inc.ringMembers = ev.members();
        inc.inTrans = false;
        inc.transMembers = List.of();
        inc.lastPos = -1;
        inc.lastRegularPos = -1;
        inc.regularLog = new ArrayList<>();
        inc.transLog = new ArrayList<>();
    }

    private static String summary(Transition t) {
        return t.regular().size() + " regular " + shortList(t.regular()) + " + " + t.trans().size()
            + " transitional " + shortList(t.trans());
    }

    private static String shortList(List<Long> ids) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ids.size(); i++) {
            if (i == 8 && ids.size() > 12) {
                sb.append(", ... ");
                i = ids.size() - 3;
            }
            sb.append(i == 0 ? "" : ",").append(Payloads.name(ids.get(i)));
        }
        return sb.append(']').toString();
    }

    /**
     * Whole-run checks: transitional skips against everything now known, and self delivery for the
     * incarnations alive at the end.
     */
    void finalChecks() {
        for (var re : rings.entrySet()) {
            RingRec rr = re.getValue();
            for (var te : rr.transOf.entrySet()) {
                Inc p = te.getKey();
                Set<Long> mine = rr.deliveredPos.getOrDefault(p, Set.of());
                long max = mine.stream().mapToLong(Long::longValue).max().orElse(-1);
                for (var e : rr.byPos.headMap(max, false).entrySet()) {
                    int origin = rr.originAt.get(e.getKey());
                    if (!mine.contains(e.getKey()) && te.getValue().contains(origin)) {
                        throw fail(p + " skipped " + Payloads.name(e.getValue()) + " of transitional member "
                            + origin + " in ring " + re.getKey());
                    }
                }
            }
        }
        for (Inc i : incs) {
            if (!i.alive) {
                continue;
            }
            for (long id : i.submitted) {
                if (!i.delivered.contains(id)) {
                    throw fail(i + " never delivered its own message " + Payloads.name(id));
                }
            }
        }
    }

    /** The final ring: every incarnation alive in it delivered the same messages there. */
    void checkFinalRing(RingId ring, List<Inc> members) {
        RingRec rr = ring(ring);
        TreeSet<Long> all = new TreeSet<>(rr.byPos.keySet());
        for (Inc i : members) {
            Set<Long> mine = rr.deliveredPos.getOrDefault(i, Set.of());
            if (!mine.containsAll(all)) {
                TreeSet<Long> missing = new TreeSet<>(all);
                missing.removeAll(mine);
                throw fail(i + " did not deliver " + missing.size() + " message(s) of the final ring " + ring
                    + ", first " + Payloads.name(rr.byPos.get(missing.first())));
            }
        }
    }
}
