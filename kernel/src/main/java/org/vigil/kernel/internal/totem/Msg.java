package org.vigil.kernel.internal.totem;

/**
 * One ordered MCAST message as stored in a ring's {@link SortQueue}: where its encoded bytes are (for
 * retransmission and RECOVERY re-sends) and the header fields the engine needs. Immutable once built.
 */
final class Msg {
    /** Body kinds ({@code encapsulated} in corosync): a re-sent old-ring message, or new application data. */
    static final byte KIND_RECOVERY = 1;
    static final byte KIND_REGULAR = 2;

    /** The bytes holding the encoded MCAST, at {@link #off} for {@link #len} bytes. */
    final byte[] buf;
    final int off;
    final int len;
    /** Ring the message was ordered in. */
    final int ringRep;
    final long ringSeq;
    /** Its position in that ring's total order (from 1). */
    final long seq;
    /** The node that sent (originated) the message. */
    final int origin;
    final byte kind;
    /** True when at least one chunk is SAFE: then the whole message waits for safe delivery. */
    final boolean safe;
    /** Offset in {@link #buf} of the body: the chunk list (regular) or the inner message (recovery). */
    final int bodyOff;
    /** For {@link #KIND_RECOVERY}: the re-sent old-ring message, decoded. */
    final Msg inner;

    Msg(byte[] buf, int off, int len, int ringRep, long ringSeq, long seq, int origin, byte kind, boolean safe,
        int bodyOff, Msg inner) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        this.ringRep = ringRep;
        this.ringSeq = ringSeq;
        this.seq = seq;
        this.origin = origin;
        this.kind = kind;
        this.safe = safe;
        this.bodyOff = bodyOff;
        this.inner = inner;
    }

    /** The encoded message as a standalone array (the stored array itself when it is one). */
    byte[] packet() {
        if (off == 0 && len == buf.length) {
            return buf;
        }
        byte[] p = new byte[len];
        System.arraycopy(buf, off, p, 0, len);
        return p;
    }
}
