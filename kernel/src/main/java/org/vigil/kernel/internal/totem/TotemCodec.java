package org.vigil.kernel.internal.totem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Vigil's Totem message codec, version 1. Every packet starts with a 6-byte header
 * {@code u8 version, u8 type, u32 sender}; all numbers are big-endian; a ring id is {@code u32 rep, u64 seq}.
 *
 * <pre>
 * type 0 ORF_TOKEN     ring · u64 token_seq · u64 seq · u64 aru · u32 aru_addr · u32 backlog · u32 fcc ·
 *                      u8 flags (1 = retrans_flg) · i64 install_seq · u16 n · u64 rtr[n]          65 + 8n bytes
 * type 1 MCAST         ring · u64 seq · u8 kind · body                                             27 + body
 *                      kind 2 (regular): u16 count · count × chunk, where a chunk is a whole message
 *                                        {u8 flags (1 first | 2 last [| 4 safe]) · u32 length · bytes} or a
 *                                        fragment {u8 flags · u16 tag · u16 index · u32 length · bytes}
 *                                        (the tag tells the sender's fragmented messages apart; index 0 is
 *                                        the first fragment, flagged first; the last is flagged last)
 *                      kind 1 (recovery): one whole regular MCAST of the old ring (its header names
 *                                         the node that originated it)
 * type 2 MERGE_DETECT  ring · [the JOIN's release trailer]                                          18 (+ 14) bytes
 *                      (a node whose JOINs were lost, say sent before its transport was open, is known by its
 *                      release from its MERGE_DETECT before anyone enters GATHER for it)
 * type 3 JOIN          u8 flags (1 = leave) · u64 ring_seq · u16 p · u16 f · u32 proc[p] · u32 failed[f] ·
 *                      [trailer: u16 tlen · u16 major · u16 minor · u64 features · (tlen - 12) bytes a later
 *                      release may add, skipped]   the release and feature set of the sender ({@link Release});
 *                      a JOIN without the trailer is read as of an unknown release with no features
 * type 4 COMMIT_TOKEN  ring (new) · u64 token_seq · u16 memb_index · u16 n · u32 member[n] ·
 *                      n × {u8 filled · old ring · u64 aru · u64 high_delivered · u64 safe}      30 + 41n bytes ·
 *                      [trailer: u16 tlen · u16 esize · n × {u16 major · u16 minor · u64 features · (esize - 12)
 *                      bytes skipped}]   each member's release, filled in with its entry on the first rotation,
 *                      so that every member computes the ring's effective feature set from the same bytes
 * type 5 TOKEN_HOLD_CANCEL ring                                                                    18 bytes
 * </pre>
 *
 * <p>Decoding checks every length, count and range before the engine sees a field: node ids must be configured
 * members, lists strictly ascending, counts must match the packet length exactly. Any violation throws
 * {@link Malformed} (a shared, stack-trace-free instance), which the engine counts as {@code rx_msg_dropped}.
 * The datagram header around these bytes (magic, cluster, crypto) is the driver's business.
 *
 * <p>Instances are immutable and thread-safe.
 */
final class TotemCodec {

    static final int VERSION = 1;
    static final int TYPE_ORF_TOKEN = 0;
    static final int TYPE_MCAST = 1;
    static final int TYPE_MERGE_DETECT = 2;
    static final int TYPE_JOIN = 3;
    static final int TYPE_COMMIT_TOKEN = 4;
    static final int TYPE_TOKEN_HOLD_CANCEL = 5;

    static final int HEADER = 6;
    static final int RING_ID = 12;
    /** Retransmission requests one token carries. */
    static final int RTR_MAX = 48;
    /** Largest membership (join lists, commit token). */
    static final int MAX_MEMBERS = 256;
    static final int TOKEN_FIXED = HEADER + RING_ID + 8 + 8 + 8 + 4 + 4 + 4 + 1 + 8 + 2;
    static final int MCAST_HEADER = HEADER + RING_ID + 8 + 1;
    static final int CHUNK_COUNT = 2;
    /** Chunk header of a whole message: flags, length. */
    static final int WHOLE_HEADER = 5;
    /** Chunk header of a fragment: flags, message tag, fragment index, length. */
    static final int FRAG_HEADER = 9;
    static final int MAX_CHUNKS = 0xFFFF;
    static final int MAX_FRAGMENTS = 0xFFFF;
    static final int RING_MSG = HEADER + RING_ID;
    static final int JOIN_FIXED = HEADER + 1 + 8 + 2 + 2;
    /** The JOIN trailer as this release writes it: length, major, minor, features. */
    static final int JOIN_TRAILER = 2 + 2 + 2 + 8;
    /** Longest trailer accepted (a later release may append fields; they are skipped). */
    static final int JOIN_TRAILER_MAX = 1024;
    static final int COMMIT_FIXED = HEADER + RING_ID + 8 + 2 + 2;
    static final int COMMIT_ENTRY = 4 + 1 + RING_ID + 8 + 8 + 8;
    /** A commit token trailer entry as this release writes it: major, minor, features. */
    static final int COMMIT_RELEASE = 2 + 2 + 8;

    static final int F_FIRST = 1;
    static final int F_LAST = 2;
    static final int F_SAFE = 4;

    /** Largest application message (after reassembly), as corosync's {@code MESSAGE_SIZE_MAX}. */
    static final int MAX_MESSAGE = 1 << 20;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    /** A packet failed a check. One shared instance without a stack trace: throwing it costs nothing. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        static final Malformed INSTANCE = new Malformed();

        private Malformed() {
            super("malformed Totem packet", null, false, false);
        }
    }

    private final NodeSet configured;

    TotemCodec(NodeSet configured) {
        this.configured = configured;
    }

    // ---- primitive access -------------------------------------------------------------------------------------

    static int getInt(byte[] b, int p) {
        return (int) INT.get(b, p);
    }

    static long getLong(byte[] b, int p) {
        return (long) LONG.get(b, p);
    }

    static int getU16(byte[] b, int p) {
        return ((short) SHORT.get(b, p)) & 0xFFFF;
    }

    static void putInt(byte[] b, int p, int v) {
        INT.set(b, p, v);
    }

    static void putLong(byte[] b, int p, long v) {
        LONG.set(b, p, v);
    }

    static void putU16(byte[] b, int p, int v) {
        SHORT.set(b, p, (short) v);
    }

    private static Malformed bad() {
        return Malformed.INSTANCE;
    }

    private void member(int id) throws Malformed {
        if (!configured.contains(id)) {
            throw bad();
        }
    }

    // ---- header -----------------------------------------------------------------------------------------------

    /**
     * Checks the common header and returns the packet type. The sender must be a configured node.
     */
    int type(byte[] b, int off, int len) throws Malformed {
        if (len < HEADER || b[off] != VERSION) {
            throw bad();
        }
        int type = b[off + 1];
        if (type < TYPE_ORF_TOKEN || type > TYPE_TOKEN_HOLD_CANCEL) {
            throw bad();
        }
        member(getInt(b, off + 2));
        return type;
    }

    static int sender(byte[] b, int off) {
        return getInt(b, off + 2);
    }

    private static int header(byte[] b, int off, int type, int sender) {
        b[off] = VERSION;
        b[off + 1] = (byte) type;
        putInt(b, off + 2, sender);
        return off + HEADER;
    }

    // ---- ORF token ----------------------------------------------------------------------------------------------

    void decodeToken(byte[] b, int off, int len, OrfToken t) throws Malformed {
        if (len < TOKEN_FIXED) {
            throw bad();
        }
        int p = off + HEADER;
        t.sender = getInt(b, off + 2);
        t.ringRep = getInt(b, p);
        t.ringSeq = getLong(b, p + 4);
        t.tokenSeq = getLong(b, p + 12);
        t.seq = getLong(b, p + 20);
        t.aru = getLong(b, p + 28);
        t.aruAddr = getInt(b, p + 36);
        t.backlog = getInt(b, p + 40);
        t.fcc = getInt(b, p + 44);
        int flags = b[p + 48];
        t.installSeq = getLong(b, p + 49);
        int n = getU16(b, p + 57);
        p += 59;
        member(t.ringRep);
        if (t.ringSeq < 0 || t.tokenSeq < 0 || t.seq < 0 || t.aru < 0 || t.aru > t.seq
            || t.seq - t.aru > SortQueue.MAX_SPAN || (t.aruAddr != 0 && !configured.contains(t.aruAddr))
            || t.backlog < 0 || t.fcc < 0 || (flags & ~1) != 0 || t.installSeq < -1 || t.installSeq > t.seq
            || n > RTR_MAX || len != TOKEN_FIXED + 8 * n) {
            throw bad();
        }
        t.retransFlg = flags != 0;
        for (int i = 0; i < n; i++) {
            long s = getLong(b, p + 8 * i);
            if (s < 1 || s > t.seq) {
                throw bad();
            }
            t.rtr[i] = s;
        }
        t.rtrCount = n;
    }

    static byte[] encodeToken(OrfToken t, int sender) {
        byte[] b = new byte[TOKEN_FIXED + 8 * t.rtrCount];
        int p = header(b, 0, TYPE_ORF_TOKEN, sender);
        putInt(b, p, t.ringRep);
        putLong(b, p + 4, t.ringSeq);
        putLong(b, p + 12, t.tokenSeq);
        putLong(b, p + 20, t.seq);
        putLong(b, p + 28, t.aru);
        putInt(b, p + 36, t.aruAddr);
        putInt(b, p + 40, t.backlog);
        putInt(b, p + 44, t.fcc);
        b[p + 48] = (byte) (t.retransFlg ? 1 : 0);
        putLong(b, p + 49, t.installSeq);
        putU16(b, p + 57, t.rtrCount);
        p += 59;
        for (int i = 0; i < t.rtrCount; i++) {
            putLong(b, p + 8 * i, t.rtr[i]);
        }
        return b;
    }

    // ---- MCAST --------------------------------------------------------------------------------------------------

    /** Decodes an MCAST; for a recovery one also its inner message. The bytes are referenced, not copied. */
    Msg decodeMcast(byte[] b, int off, int len) throws Malformed {
        return decodeMcast(b, off, len, false);
    }

    private Msg decodeMcast(byte[] b, int off, int len, boolean inner) throws Malformed {
        if (len < MCAST_HEADER + CHUNK_COUNT) {
            throw bad();
        }
        if (inner && (b[off] != VERSION || b[off + 1] != TYPE_MCAST)) {
            throw bad();
        }
        int origin = getInt(b, off + 2);
        int p = off + HEADER;
        int rep = getInt(b, p);
        long rseq = getLong(b, p + 4);
        long seq = getLong(b, p + 12);
        byte kind = b[p + 20];
        p += 21;
        member(origin);
        member(rep);
        if (rseq < 0 || seq < 1) {
            throw bad();
        }
        int end = off + len;
        if (kind == Msg.KIND_REGULAR) {
            boolean safe = checkChunks(b, p, end);
            return new Msg(b, off, len, rep, rseq, seq, origin, kind, safe, p, null);
        }
        if (kind == Msg.KIND_RECOVERY && !inner) {
            Msg in = decodeMcast(b, p, end - p, true);
            return new Msg(b, off, len, rep, rseq, seq, origin, kind, false, p, in);
        }
        throw bad();
    }

    /** Validates a chunk list; returns true when a chunk is SAFE. */
    private static boolean checkChunks(byte[] b, int p, int end) throws Malformed {
        int count = getU16(b, p);
        p += CHUNK_COUNT;
        if (count == 0) {
            throw bad();
        }
        boolean safe = false;
        for (int i = 0; i < count; i++) {
            if (end - p < WHOLE_HEADER) {
                throw bad();
            }
            int flags = b[p];
            if ((flags & ~7) != 0) {
                throw bad();
            }
            int clen;
            if ((flags & (F_FIRST | F_LAST)) == (F_FIRST | F_LAST)) {
                clen = getInt(b, p + 1);
                p += WHOLE_HEADER;
            } else {
                if (end - p < FRAG_HEADER) {
                    throw bad();
                }
                int frag = getU16(b, p + 3);
                clen = getInt(b, p + 5);
                p += FRAG_HEADER;
                if (((flags & F_FIRST) != 0) != (frag == 0)) {
                    throw bad();
                }
            }
            if (clen < 0 || clen > end - p) {
                throw bad();
            }
            safe |= (flags & F_SAFE) != 0;
            p += clen;
        }
        if (p != end) {
            throw bad();
        }
        return safe;
    }

    /** Writes an MCAST header at {@code off}; returns the offset of the body. */
    static int writeMcastHeader(byte[] b, int off, int origin, int rep, long rseq, long seq, byte kind) {
        int p = header(b, off, TYPE_MCAST, origin);
        putInt(b, p, rep);
        putLong(b, p + 4, rseq);
        putLong(b, p + 12, seq);
        b[p + 20] = kind;
        return p + 21;
    }

    static int writeWholeHeader(byte[] b, int p, int flags, int len) {
        b[p] = (byte) flags;
        putInt(b, p + 1, len);
        return p + WHOLE_HEADER;
    }

    static int writeFragHeader(byte[] b, int p, int flags, int tag, int fragIndex, int len) {
        b[p] = (byte) flags;
        putU16(b, p + 1, tag);
        putU16(b, p + 3, fragIndex);
        putInt(b, p + 5, len);
        return p + FRAG_HEADER;
    }

    // ---- ring-only messages (MERGE_DETECT, TOKEN_HOLD_CANCEL) ---------------------------------------------------

    /** Decodes the ring id of a MERGE_DETECT or TOKEN_HOLD_CANCEL into {@code out[0]} (rep) and returns the seq. */
    long decodeRingMessage(byte[] b, int off, int len, int[] repOut) throws Malformed {
        if (len != RING_MSG && (b[off + 1] != TYPE_MERGE_DETECT || len < RING_MSG)) {
            throw bad();
        }
        if (len != RING_MSG) {
            trailer(b, off + RING_MSG, len - RING_MSG);   // checked here, read by mergeRelease
        }
        int rep = getInt(b, off + HEADER);
        long seq = getLong(b, off + HEADER + 4);
        member(rep);
        if (seq < 0) {
            throw bad();
        }
        repOut[0] = rep;
        return seq;
    }

    static byte[] encodeRingMessage(int type, int sender, int rep, long seq) {
        byte[] b = new byte[RING_MSG];
        int p = header(b, 0, type, sender);
        putInt(b, p, rep);
        putLong(b, p + 4, seq);
        return b;
    }

    // ---- JOIN ---------------------------------------------------------------------------------------------------

    JoinMessage decodeJoin(byte[] b, int off, int len) throws Malformed {
        if (len < JOIN_FIXED) {
            throw bad();
        }
        int sender = getInt(b, off + 2);
        int p = off + HEADER;
        int flags = b[p];
        long ringSeq = getLong(b, p + 1);
        int np = getU16(b, p + 9);
        int nf = getU16(b, p + 11);
        p += 13;
        if ((flags & ~1) != 0 || ringSeq < 0 || np > MAX_MEMBERS || nf > MAX_MEMBERS
            || len < JOIN_FIXED + 4 * (np + nf)) {
            throw bad();
        }
        NodeSet proc = readIds(b, p, np);
        NodeSet failed = readIds(b, p + 4 * np, nf);
        int t = off + JOIN_FIXED + 4 * (np + nf);
        Release release = off + len == t ? null : trailer(b, t, off + len - t);
        return new JoinMessage(sender, flags != 0, ringSeq, proc, failed, release);
    }

    /** The release trailer at {@code b[t .. t+rest)}: its own length first, so a later release can append fields. */
    private static Release trailer(byte[] b, int t, int rest) throws Malformed {
        if (rest < 2) {
            throw bad();
        }
        int tlen = getU16(b, t);
        if (tlen < JOIN_TRAILER || tlen > JOIN_TRAILER_MAX || tlen != rest) {
            throw bad();
        }
        return new Release(getU16(b, t + 2), getU16(b, t + 4), getLong(b, t + 6));
    }

    /** The release trailer of a MERGE_DETECT already checked by {@link #decodeRingMessage}, or null. */
    static Release mergeRelease(byte[] b, int off, int len) {
        if (len <= RING_MSG) {
            return null;
        }
        try {
            return trailer(b, off + RING_MSG, len - RING_MSG);
        } catch (Malformed e) {
            return null;
        }
    }

    /** A MERGE_DETECT with the release trailer. */
    static byte[] encodeMergeDetect(int sender, int rep, long seq, Release release) {
        byte[] b = new byte[RING_MSG + JOIN_TRAILER];
        int p = header(b, 0, TYPE_MERGE_DETECT, sender);
        putInt(b, p, rep);
        putLong(b, p + 4, seq);
        putU16(b, RING_MSG, JOIN_TRAILER);
        putU16(b, RING_MSG + 2, release.major());
        putU16(b, RING_MSG + 4, release.minor());
        putLong(b, RING_MSG + 6, release.features());
        return b;
    }

    private NodeSet readIds(byte[] b, int p, int n) throws Malformed {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = getInt(b, p + 4 * i);
            member(ids[i]);
        }
        if (!NodeSet.isSortedUnique(ids)) {
            throw bad();
        }
        return NodeSet.ofSorted(ids);
    }

    /** A JOIN without the release trailer (as a node before versioned joins wrote it; tests). */
    static byte[] encodeJoin(int sender, boolean leave, long ringSeq, NodeSet proc, NodeSet failed) {
        return encodeJoin(sender, leave, ringSeq, proc, failed, null);
    }

    /** A JOIN with the release trailer of {@code release} (none when null). */
    static byte[] encodeJoin(int sender, boolean leave, long ringSeq, NodeSet proc, NodeSet failed,
                             Release release) {
        int fixed = JOIN_FIXED + 4 * (proc.size() + failed.size());
        byte[] b = new byte[fixed + (release == null ? 0 : JOIN_TRAILER)];
        if (release != null) {
            putU16(b, fixed, JOIN_TRAILER);
            putU16(b, fixed + 2, release.major());
            putU16(b, fixed + 4, release.minor());
            putLong(b, fixed + 6, release.features());
        }
        int p = header(b, 0, TYPE_JOIN, sender);
        b[p] = (byte) (leave ? 1 : 0);
        putLong(b, p + 1, ringSeq);
        putU16(b, p + 9, proc.size());
        putU16(b, p + 11, failed.size());
        p += 13;
        for (int i = 0; i < proc.size(); i++, p += 4) {
            putInt(b, p, proc.get(i));
        }
        for (int i = 0; i < failed.size(); i++, p += 4) {
            putInt(b, p, failed.get(i));
        }
        return b;
    }

    // ---- COMMIT_TOKEN -------------------------------------------------------------------------------------------

    CommitToken decodeCommit(byte[] b, int off, int len) throws Malformed {
        if (len < COMMIT_FIXED) {
            throw bad();
        }
        int sender = getInt(b, off + 2);
        int p = off + HEADER;
        int rep = getInt(b, p);
        long rseq = getLong(b, p + 4);
        long tokenSeq = getLong(b, p + 12);
        int index = getU16(b, p + 20);
        int n = getU16(b, p + 22);
        p += 24;
        if (n < 1 || n > MAX_MEMBERS || len < COMMIT_FIXED + COMMIT_ENTRY * n || rseq < 0 || tokenSeq < 0
            || index > 3 * n) {
            throw bad();
        }
        int t = off + COMMIT_FIXED + COMMIT_ENTRY * n;
        int rest = off + len - t;
        int esize = 0;
        if (rest != 0) {
            if (rest < 4) {
                throw bad();
            }
            esize = getU16(b, t + 2);
            if (getU16(b, t) != rest || esize < COMMIT_RELEASE || esize > JOIN_TRAILER_MAX
                || rest != 4 + esize * n) {
                throw bad();
            }
        }
        NodeSet members = readIds(b, p, n);
        if (members.first() != rep) {
            throw bad();
        }
        p += 4 * n;
        CommitToken c = new CommitToken(rep, rseq, members);
        c.sender = sender;
        c.tokenSeq = tokenSeq;
        c.membIndex = index;
        for (int i = 0; i < n; i++, p += COMMIT_ENTRY - 4) {
            int filled = b[p];
            if (filled != 0 && filled != 1) {
                throw bad();
            }
            c.filled[i] = filled == 1;
            c.oldRingRep[i] = getInt(b, p + 1);
            c.oldRingSeq[i] = getLong(b, p + 5);
            c.aru[i] = getLong(b, p + 13);
            c.highDelivered[i] = getLong(b, p + 21);
            c.safe[i] = getLong(b, p + 29);
            if (c.filled[i] && (c.oldRingSeq[i] < 0 || c.aru[i] < 0 || c.highDelivered[i] < 0 || c.safe[i] < 0
                || !configured.contains(c.oldRingRep[i]))) {
                throw bad();
            }
            if (esize > 0 && c.filled[i]) {
                int e = t + 4 + esize * i;
                c.release[i] = new Release(getU16(b, e), getU16(b, e + 2), getLong(b, e + 4));
            }
        }
        return c;
    }

    static byte[] encodeCommit(CommitToken c, int sender) {
        int n = c.members.size();
        int fixed = COMMIT_FIXED + COMMIT_ENTRY * n;
        int tlen = 4 + COMMIT_RELEASE * n;
        byte[] b = new byte[fixed + tlen];
        putU16(b, fixed, tlen);
        putU16(b, fixed + 2, COMMIT_RELEASE);
        for (int i = 0; i < n; i++) {
            Release r = c.release[i];
            if (r != null) {
                int e = fixed + 4 + COMMIT_RELEASE * i;
                putU16(b, e, r.major());
                putU16(b, e + 2, r.minor());
                putLong(b, e + 4, r.features());
            }
        }
        int p = header(b, 0, TYPE_COMMIT_TOKEN, sender);
        putInt(b, p, c.ringRep);
        putLong(b, p + 4, c.ringSeq);
        putLong(b, p + 12, c.tokenSeq);
        putU16(b, p + 20, c.membIndex);
        putU16(b, p + 22, n);
        p += 24;
        for (int i = 0; i < n; i++, p += 4) {
            putInt(b, p, c.members.get(i));
        }
        for (int i = 0; i < n; i++, p += COMMIT_ENTRY - 4) {
            b[p] = (byte) (c.filled[i] ? 1 : 0);
            putInt(b, p + 1, c.oldRingRep[i]);
            putLong(b, p + 5, c.oldRingSeq[i]);
            putLong(b, p + 13, c.aru[i]);
            putLong(b, p + 21, c.highDelivered[i]);
            putLong(b, p + 29, c.safe[i]);
        }
        return b;
    }
}
