package org.vigil.kernel.internal.totem;

/**
 * The commit token: created by the representative once every member of the new membership agreed, it goes
 * round the new ring twice. On the first rotation each member fills in its entry (the ring it comes from and how
 * far it got there); on the second each member learns everyone's entry and enters RECOVERY.
 */
final class CommitToken {
    int sender;
    /** The new ring. */
    final int ringRep;
    final long ringSeq;
    /** Hop counter. */
    long tokenSeq;
    /** Number of hops made so far: member {@code members[membIndex % n]} is the next to process it. */
    int membIndex;
    /** The new ring's members in ring order; {@code members[0]} is the representative. */
    final NodeSet members;
    /** Per member (same order): entry filled, the old ring, its aru, its highest delivered and safe sequences. */
    final boolean[] filled;
    final int[] oldRingRep;
    final long[] oldRingSeq;
    final long[] aru;
    final long[] highDelivered;
    final long[] safe;
    /** Per member: its release and features (commit token trailer), filled in with its entry; null if unknown. */
    final Release[] release;

    CommitToken(int ringRep, long ringSeq, NodeSet members) {
        this.ringRep = ringRep;
        this.ringSeq = ringSeq;
        this.members = members;
        int n = members.size();
        filled = new boolean[n];
        oldRingRep = new int[n];
        oldRingSeq = new long[n];
        aru = new long[n];
        highDelivered = new long[n];
        safe = new long[n];
        release = new Release[n];
    }

    boolean allFilled() {
        for (boolean f : filled) {
            if (!f) {
                return false;
            }
        }
        return true;
    }
}
