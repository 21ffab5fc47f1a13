package org.vigil.kernel.internal.totem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The codec: round trips, and every truncated, extended or mutated packet is rejected or decodes cleanly. */
class TotemCodecTest {

    private final NodeSet members = NodeSet.of(1, 2, 3, 0xAC100165);
    private final TotemCodec codec = new TotemCodec(members);

    private static OrfToken token() {
        OrfToken t = new OrfToken();
        t.ringRep = 1;
        t.ringSeq = 0x1d;
        t.tokenSeq = 77;
        t.seq = 1000;
        t.aru = 990;
        t.aruAddr = 2;
        t.backlog = 12;
        t.fcc = 33;
        t.retransFlg = true;
        t.installSeq = 500;
        t.rtr[0] = 991;
        t.rtr[1] = 995;
        t.rtrCount = 2;
        return t;
    }

    private static CommitToken commit() {
        CommitToken c = new CommitToken(1, 0x21, NodeSet.of(1, 2, 3));
        c.tokenSeq = 4;
        c.membIndex = 2;
        c.filled[0] = true;
        c.oldRingRep[0] = 1;
        c.oldRingSeq[0] = 0x1d;
        c.aru[0] = 40;
        c.highDelivered[0] = 38;
        c.safe[0] = 37;
        c.filled[1] = true;
        c.oldRingRep[1] = 2;
        c.oldRingSeq[1] = 0x19;
        c.aru[1] = 3;
        c.highDelivered[1] = 3;
        c.safe[1] = 3;
        return c;
    }

    /** One valid packet of every type, MCASTs with whole messages, fragments, SAFE chunks and a recovery one. */
    private List<byte[]> samples() {
        List<byte[]> l = new ArrayList<>();
        l.add(TotemCodec.encodeToken(token(), 2));
        l.add(TotemCodec.encodeCommit(commit(), 1));
        l.add(TotemCodec.encodeJoin(3, false, 0x1d, NodeSet.of(1, 2, 3), NodeSet.of(2)));
        l.add(TotemCodec.encodeJoin(2, true, 9, NodeSet.of(2), NodeSet.of(2)));
        l.add(TotemCodec.encodeJoin(3, false, 0x1d, NodeSet.of(1, 3), NodeSet.EMPTY, new Release(2, 7, 0b101)));
        l.add(TotemCodec.encodeRingMessage(TotemCodec.TYPE_MERGE_DETECT, 1, 1, 0x1d));
        l.add(TotemCodec.encodeMergeDetect(1, 1, 0x1d, new Release(0, 1, 3)));
        l.add(TotemCodec.encodeRingMessage(TotemCodec.TYPE_TOKEN_HOLD_CANCEL, 3, 1, 0x1d));
        SendQueue q = new SendQueue(1372 - TotemCodec.MCAST_HEADER);
        q.offer(new byte[10], false);
        q.offer(new byte[100], true);
        q.offer(new byte[3000], false);
        long seq = 1;
        while (!q.isEmpty()) {
            l.add(q.build(1, 1, 0x1d, seq++));
        }
        byte[] inner = l.get(l.size() - 1);
        byte[] rec = new byte[TotemCodec.MCAST_HEADER + inner.length];
        int body = TotemCodec.writeMcastHeader(rec, 0, 2, 1, 0x21, 9, Msg.KIND_RECOVERY);
        System.arraycopy(inner, 0, rec, body, inner.length);
        l.add(rec);
        return l;
    }

    private Object decode(byte[] b, int off, int len) throws TotemCodec.Malformed {
        int type = codec.type(b, off, len);
        return switch (type) {
            case TotemCodec.TYPE_ORF_TOKEN -> {
                OrfToken t = new OrfToken();
                codec.decodeToken(b, off, len, t);
                yield t;
            }
            case TotemCodec.TYPE_MCAST -> codec.decodeMcast(b, off, len);
            case TotemCodec.TYPE_JOIN -> codec.decodeJoin(b, off, len);
            case TotemCodec.TYPE_COMMIT_TOKEN -> codec.decodeCommit(b, off, len);
            default -> codec.decodeRingMessage(b, off, len, new int[1]);
        };
    }

    @Test
    void tokenRoundTrip() throws Exception {
        byte[] b = TotemCodec.encodeToken(token(), 2);
        assertEquals(TotemCodec.TOKEN_FIXED + 16, b.length);
        OrfToken t = new OrfToken();
        codec.decodeToken(b, 0, b.length, t);
        assertEquals(2, t.sender);
        assertEquals(0x1d, t.ringSeq);
        assertEquals(77, t.tokenSeq);
        assertEquals(1000, t.seq);
        assertEquals(990, t.aru);
        assertEquals(2, t.aruAddr);
        assertEquals(12, t.backlog);
        assertEquals(33, t.fcc);
        assertTrue(t.retransFlg);
        assertEquals(500, t.installSeq);
        assertEquals(2, t.rtrCount);
        assertEquals(995, t.rtr[1]);
        assertArrayEquals(b, TotemCodec.encodeToken(t, 2));
    }

    @Test
    void commitJoinRingRoundTrip() throws Exception {
        byte[] b = TotemCodec.encodeCommit(commit(), 1);
        CommitToken c = codec.decodeCommit(b, 0, b.length);
        assertEquals(NodeSet.of(1, 2, 3), c.members);
        assertEquals(2, c.membIndex);
        assertEquals(37, c.safe[0]);
        assertEquals(0x19, c.oldRingSeq[1]);
        assertArrayEquals(b, TotemCodec.encodeCommit(c, 1));
        byte[] j = TotemCodec.encodeJoin(3, false, 0x1d, NodeSet.of(1, 2, 3, 0xAC100165), NodeSet.of(2));
        JoinMessage jm = codec.decodeJoin(j, 0, j.length);
        assertEquals(new JoinMessage(3, false, 0x1d, NodeSet.of(1, 2, 3, 0xAC100165), NodeSet.of(2)), jm);
        byte[] m = TotemCodec.encodeRingMessage(TotemCodec.TYPE_MERGE_DETECT, 1, 2, 44);
        int[] rep = new int[1];
        assertEquals(44, codec.decodeRingMessage(m, 0, m.length, rep));
        assertEquals(2, rep[0]);
    }

    @Test
    void recoveryMcastCarriesTheOldMessage() throws Exception {
        List<byte[]> s = samples();
        byte[] rec = s.get(s.size() - 1);
        Msg m = codec.decodeMcast(rec, 0, rec.length);
        assertEquals(Msg.KIND_RECOVERY, m.kind);
        assertEquals(2, m.origin);
        assertEquals(0x21, m.ringSeq);
        assertEquals(1, m.inner.origin);
        assertEquals(0x1d, m.inner.ringSeq);
        assertArrayEquals(s.get(s.size() - 2), m.inner.packet());
    }

    /**
     * The length of a packet without its release trailer (a JOIN's, a commit token's), which is a valid packet
     * too (as a node before versioned joins sent it); -1 for a packet without a trailer.
     */
    private static int withoutTrailer(byte[] p) {
        int fixed = switch (p[1]) {
            case TotemCodec.TYPE_JOIN -> TotemCodec.JOIN_FIXED
                + 4 * (TotemCodec.getU16(p, TotemCodec.HEADER + 9) + TotemCodec.getU16(p, TotemCodec.HEADER + 11));
            case TotemCodec.TYPE_COMMIT_TOKEN -> TotemCodec.COMMIT_FIXED
                + TotemCodec.COMMIT_ENTRY * TotemCodec.getU16(p, TotemCodec.HEADER + 22);
            case TotemCodec.TYPE_MERGE_DETECT -> TotemCodec.RING_MSG;
            default -> -1;
        };
        return fixed == p.length ? -1 : fixed;
    }

    @Test
    void everyTruncationAndExtensionIsRejected() {
        for (byte[] p : samples()) {
            for (int len = 0; len < p.length; len++) {
                if (len == withoutTrailer(p)) {
                    continue;   // the trailer is optional: tested in releaseTrailers
                }
                byte[] cut = Arrays.copyOf(p, len);
                int l = len;
                assertThrows(TotemCodec.Malformed.class, () -> decode(cut, 0, l),
                    "a " + p.length + "-byte packet cut to " + len + " bytes was accepted");
            }
            byte[] longer = Arrays.copyOf(p, p.length + 1);
            assertThrows(TotemCodec.Malformed.class, () -> decode(longer, 0, longer.length));
        }
    }

    @Test
    void releaseTrailers() throws Exception {
        Release r = new Release(3, 65535, 0x8000_0000_0000_0003L);
        byte[] j = TotemCodec.encodeJoin(3, false, 0x1d, NodeSet.of(1, 3), NodeSet.of(1), r);
        assertEquals(TotemCodec.JOIN_FIXED + 12 + TotemCodec.JOIN_TRAILER, j.length);
        assertEquals(new JoinMessage(3, false, 0x1d, NodeSet.of(1, 3), NodeSet.of(1), r), codec.decodeJoin(j, 0,
            j.length));
        // without the trailer: a JOIN of an unknown release
        int fixed = withoutTrailer(j);
        assertEquals(null, codec.decodeJoin(j, 0, fixed).release());
        // a later release's longer trailer: its extra bytes are skipped
        byte[] longer = Arrays.copyOf(j, j.length + 5);
        TotemCodec.putU16(longer, fixed, TotemCodec.JOIN_TRAILER + 5);
        assertEquals(r, codec.decodeJoin(longer, 0, longer.length).release());
        // a trailer length that does not match the packet, or is too short to hold the release: malformed
        byte[] lying = j.clone();
        TotemCodec.putU16(lying, fixed, TotemCodec.JOIN_TRAILER + 1);
        assertThrows(TotemCodec.Malformed.class, () -> codec.decodeJoin(lying, 0, lying.length));
        byte[] shortT = Arrays.copyOf(j, fixed + 6);
        TotemCodec.putU16(shortT, fixed, 6);
        assertThrows(TotemCodec.Malformed.class, () -> codec.decodeJoin(shortT, 0, shortT.length));
        byte[] one = Arrays.copyOf(j, fixed + 1);
        assertThrows(TotemCodec.Malformed.class, () -> codec.decodeJoin(one, 0, one.length));

        // a MERGE_DETECT carries it too (a TOKEN_HOLD_CANCEL never)
        byte[] md = TotemCodec.encodeMergeDetect(2, 1, 7, r);
        int[] rp = new int[1];
        assertEquals(7, codec.decodeRingMessage(md, 0, md.length, rp));
        assertEquals(r, TotemCodec.mergeRelease(md, 0, md.length));
        byte[] thc = md.clone();
        thc[1] = TotemCodec.TYPE_TOKEN_HOLD_CANCEL;
        assertThrows(TotemCodec.Malformed.class, () -> codec.decodeRingMessage(thc, 0, thc.length, rp));

        // the commit token: each filled entry's release; an unfilled entry has none
        CommitToken c = commit();
        c.release[0] = r;
        c.release[1] = new Release(3, 65534, 1);
        byte[] b = TotemCodec.encodeCommit(c, 1);
        CommitToken d = codec.decodeCommit(b, 0, b.length);
        assertEquals(r, d.release[0]);
        assertEquals(new Release(3, 65534, 1), d.release[1]);
        assertEquals(null, d.release[2]);
        assertArrayEquals(b, TotemCodec.encodeCommit(d, 1));
        int cf = withoutTrailer(b);
        CommitToken old = codec.decodeCommit(b, 0, cf);
        assertEquals(null, old.release[0]);
        byte[] badEntry = b.clone();
        TotemCodec.putU16(badEntry, cf + 2, TotemCodec.COMMIT_RELEASE - 1);
        assertThrows(TotemCodec.Malformed.class, () -> codec.decodeCommit(badEntry, 0, badEntry.length));
        byte[] badLen = b.clone();
        TotemCodec.putU16(badLen, cf, 9);
        assertThrows(TotemCodec.Malformed.class, () -> codec.decodeCommit(badLen, 0, badLen.length));
    }

    @Test
    void theCompatibilityRule() {
        Release n = new Release(2, 4, 0);
        assertTrue(n.compatible(new Release(2, 4, 0)));
        assertTrue(n.compatible(new Release(2, 5, 0)));
        assertTrue(n.compatible(new Release(2, 3, 0)));
        assertTrue(new Release(2, 5, 0).compatible(n), "symmetric");
        assertFalse(n.compatible(new Release(2, 6, 0)), "two minors apart");
        assertFalse(n.compatible(new Release(2, 2, 0)), "two minors apart");
        assertFalse(n.compatible(new Release(3, 4, 0)), "another major");
        assertFalse(n.compatible(new Release(3, 0, 0)), "the next major");
        assertFalse(n.compatible(null));
        assertEquals(new Release(0, 1, 3), Release.parse("0.1.0-SNAPSHOT", 3));
        assertEquals(new Release(12, 30, 0), Release.parse("12.30", 0));
        assertThrows(IllegalArgumentException.class, () -> Release.parse("1", 0));
        assertThrows(IllegalArgumentException.class, () -> Release.parse("a.b", 0));
        assertThrows(IllegalArgumentException.class, () -> Release.parse("1.70000", 0));
        assertEquals(List.of("join-release", "refused-notice", "bit5"), Release.featureNames(0b100011));
        assertEquals("release 3.0 cannot join a ring of release 2.1 (releases work together only with the same "
            + "major number and minor numbers at most one apart)", Release.refusal(new Release(3, 0, 0),
            new Release(2, 1, 0)));
    }

    @Test
    void unknownNodesAndBadVersionsAreRejected() {
        byte[] j = TotemCodec.encodeJoin(3, false, 1, NodeSet.of(1, 9), NodeSet.EMPTY);
        assertThrows(TotemCodec.Malformed.class, () -> decode(j, 0, j.length));
        byte[] t = TotemCodec.encodeToken(token(), 7);
        assertThrows(TotemCodec.Malformed.class, () -> decode(t, 0, t.length));
        byte[] v = TotemCodec.encodeToken(token(), 2);
        v[0] = 2;
        assertThrows(TotemCodec.Malformed.class, () -> decode(v, 0, v.length));
        byte[] unsorted = TotemCodec.encodeJoin(3, false, 1, NodeSet.of(1, 2), NodeSet.EMPTY);
        TotemCodec.putInt(unsorted, TotemCodec.JOIN_FIXED, 2);
        TotemCodec.putInt(unsorted, TotemCodec.JOIN_FIXED + 4, 1);
        assertThrows(TotemCodec.Malformed.class, () -> decode(unsorted, 0, unsorted.length));
    }

    /** Random byte flips and length changes: the decoder either rejects a packet or returns, never throws. */
    @Test
    void mutatedPacketsNeverEscapeAsRuntimeExceptions() {
        SplittableRandom r = new SplittableRandom(42);
        List<byte[]> samples = samples();
        int rejected = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] p = samples.get(r.nextInt(samples.size())).clone();
            int flips = 1 + r.nextInt(4);
            for (int k = 0; k < flips; k++) {
                p[r.nextInt(p.length)] = (byte) r.nextInt(256);
            }
            try {
                decode(p, 0, p.length);
            } catch (TotemCodec.Malformed e) {
                rejected++;
            }
        }
        assertTrue(rejected > 100_000, "suspiciously few mutations rejected: " + rejected);
    }
}
