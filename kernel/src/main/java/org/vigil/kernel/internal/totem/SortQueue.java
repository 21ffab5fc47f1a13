package org.vigil.kernel.internal.totem;

import java.util.Arrays;

/**
 * The messages of one ring indexed by sequence number (corosync's {@code sq}): a circular array covering
 * {@code [base, base + capacity)}, grown by doubling up to {@link #MAX_SPAN}. Sequence numbers below
 * {@code base} have been freed (every member had them and this node delivered them). Also keeps, per missing
 * sequence number, how many token visits it has been seen missing ({@code miss_count_const}).
 */
final class SortQueue {

    /** Largest distance between the lowest kept and the highest storable sequence number. */
    static final int MAX_SPAN = 1 << 16;

    private Msg[] slots = new Msg[64];
    private byte[] misses = new byte[64];
    private long base = 1;

    long base() {
        return base;
    }

    Msg get(long seq) {
        if (seq < base || seq - base >= slots.length) {
            return null;
        }
        return slots[(int) seq & (slots.length - 1)];
    }

    boolean has(long seq) {
        return get(seq) != null;
    }

    /** True when {@code seq} is below the freed point (so it was received and delivered). */
    boolean freed(long seq) {
        return seq < base;
    }

    /**
     * Stores a message. Returns false (and stores nothing) when its number is freed, already present or more than
     * {@link #MAX_SPAN} above the base.
     */
    boolean put(long seq, Msg m) {
        if (seq < base || seq - base >= MAX_SPAN) {
            return false;
        }
        while (seq - base >= slots.length) {
            grow();
        }
        int i = (int) seq & (slots.length - 1);
        if (slots[i] != null) {
            return false;
        }
        slots[i] = m;
        misses[i] = 0;
        return true;
    }

    /** Counts one more token visit on which {@code seq} was missing; returns the new count (saturates). */
    int missed(long seq) {
        if (seq < base || seq - base >= MAX_SPAN) {
            return 0;
        }
        while (seq - base >= slots.length) {
            grow();
        }
        int i = (int) seq & (slots.length - 1);
        if (misses[i] < Byte.MAX_VALUE) {
            misses[i]++;
        }
        return misses[i];
    }

    /** Frees every message up to and including {@code upTo}. */
    void free(long upTo) {
        if (upTo < base) {
            return;
        }
        long end = Math.min(upTo, base + slots.length - 1);
        for (long s = base; s <= end; s++) {
            int i = (int) s & (slots.length - 1);
            slots[i] = null;
            misses[i] = 0;
        }
        base = upTo + 1;
    }

    private void grow() {
        int cap = slots.length;
        Msg[] ns = new Msg[cap * 2];
        byte[] nm = new byte[cap * 2];
        for (long s = base; s < base + cap; s++) {
            int oi = (int) s & (cap - 1);
            int ni = (int) s & (cap * 2 - 1);
            ns[ni] = slots[oi];
            nm[ni] = misses[oi];
        }
        slots = ns;
        misses = nm;
    }

    /** Drops everything (the ring is gone). */
    void clear() {
        Arrays.fill(slots, null);
        Arrays.fill(misses, (byte) 0);
    }
}
