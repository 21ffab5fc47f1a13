package org.vigil.kernel.internal.totem;

/**
 * The ORF token ("ordering, reliability, flow control"), decoded. Mutable and reused by the engine: it is
 * decoded into, updated during the token visit, then encoded again for the next member.
 */
final class OrfToken {
    /** Node that forwarded this copy. */
    int sender;
    /** Ring the token belongs to. */
    int ringRep;
    long ringSeq;
    /** Hop counter: each forward increments it; a copy not newer than the last one processed is a duplicate. */
    long tokenSeq;
    /** Highest message sequence number assigned on the ring. */
    long seq;
    /** "All received up to": the lowest aru a member reported this rotation, set by {@link #aruAddr}. */
    long aru;
    /** Member that lowered {@link #aru} last and alone may raise it; 0 when aru was equal to seq when set. */
    int aruAddr;
    /** Sum of the members' queued messages (flow control). */
    int backlog;
    /** Messages sent during the last rotation (flow control). */
    int fcc;
    /** RECOVERY: some member still has old-ring messages to re-send (reset by the representative each visit). */
    boolean retransFlg;
    /** RECOVERY: highest sequence number of the re-sent old-ring messages, -1 until the representative knows it. */
    long installSeq = -1;
    /** Retransmission requests: sequence numbers some member misses. */
    final long[] rtr = new long[TotemCodec.RTR_MAX];
    int rtrCount;

    boolean rtrContains(long s) {
        for (int i = 0; i < rtrCount; i++) {
            if (rtr[i] == s) {
                return true;
            }
        }
        return false;
    }

    void rtrRemoveAt(int i) {
        rtr[i] = rtr[--rtrCount];
    }
}
