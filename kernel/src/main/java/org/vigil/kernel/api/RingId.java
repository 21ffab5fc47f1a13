package org.vigil.kernel.api;

/**
 * Identity of one Totem ring configuration: the representative's node id and a sequence number that only grows
 * (persisted across restarts). Printed as corosync does, {@code rep.seq} in hex, e.g. {@code 1.9}.
 *
 * @param rep the representative (lowest node id of the ring)
 * @param seq the ring sequence number
 */
public record RingId(int rep, long seq) implements Comparable<RingId> {

    @Override
    public String toString() {
        return Integer.toHexString(rep) + "." + Long.toHexString(seq);
    }

    @Override
    public int compareTo(RingId o) {
        int c = Long.compareUnsigned(seq, o.seq);
        return c != 0 ? c : Integer.compareUnsigned(rep, o.rep);
    }
}
