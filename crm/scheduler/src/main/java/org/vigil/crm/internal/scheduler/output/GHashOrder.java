package org.vigil.crm.internal.scheduler.output;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The order in which GLib (2.50 and later) iterates a {@code GHashTable} of string keys ({@code g_str_hash},
 * {@code g_str_equal}) filled with the given keys in the given order: Pacemaker prints some lists (crm_mon's
 * tickets) in that order. The table starts with 8 slots (modulus 7); a key's first slot is
 * {@code (hash * 11) % mod}, collisions probe quadratically ({@code index += ++step, & mask}), iteration runs over
 * the slots in order. The table grows once 8 slots are in use; with more keys than fit without growing, the keys are
 * returned in insertion order (not emulated).
 */
public final class GHashOrder {

    private GHashOrder() {
    }

    /** {@code g_str_hash()}: djb2 over the bytes taken as signed chars. */
    static int strHash(String key) {
        int h = 5381;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 5) + h + b;
        }
        return h;
    }

    public static List<String> of(Collection<String> keys) {
        if (keys.size() >= 7) {
            return new ArrayList<>(keys);
        }
        return slots(keys, GHashOrder::strHash);
    }

    /**
     * {@code pcmk__str_hash()} (lib/common/strings.c, 2.1.5): {@code h = 31 * h + c} from 0 over the bytes taken as
     * signed chars, GLib's old string hash, which Pacemaker's {@code pcmk__strkey_table()} tables use.
     */
    static int pcmkStrHash(String key) {
        int h = 0;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 5) - h + b;
        }
        return h;
    }

    /**
     * The iteration order of a table made by Pacemaker's {@code pcmk__strkey_table()} ({@code pcmk__str_hash},
     * {@code g_str_equal}): the ticket tables (the working set's tickets, each ticket's state, crm_ticket's attributes
     * to set), any number of keys, growing as GLib 2.74 grows it.
     */
    public static List<String> ofPacemakerStrkey(Collection<String> keys) {
        return new Table(GHashOrder::pcmkStrHash).insertAll(keys);
    }

    /** GLib's {@code prime_mod[]}: the modulus for each table size {@code 1 << shift}. */
    private static final int[] PRIME_MOD = {1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381,
        32749, 65521, 131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213, 33554393, 67108859,
        134217689, 268435399, 536870909, 1073741789, 2147483647};

    /**
     * A GHashTable (GLib 2.74, gvariant-free ghash.c) that only gets new keys: open addressing with quadratic probing,
     * {@code g_hash_table_maybe_resize()} after each new key, {@code g_hash_table_resize()} relocating the entries
     * in place in slot order ({@code resize_map()}), iteration in slot order.
     */
    private static final class Table {
        private final java.util.function.ToIntFunction<String> hashFn;
        private int size = 8;
        private int mod = 7;
        private String[] slots = new String[8];
        private long[] hashes = new long[8];
        private int nnodes;

        Table(java.util.function.ToIntFunction<String> hashFn) {
            this.hashFn = hashFn;
        }

        private int index(long hash) {
            return (int) (((hash * 11) & 0xffffffffL) % mod);
        }

        List<String> insertAll(Collection<String> keys) {
            for (String key : keys) {
                insert(key);
            }
            List<String> out = new ArrayList<>();
            for (String k : slots) {
                if (k != null) {
                    out.add(k);
                }
            }
            return out;
        }

        /** {@code g_hash_table_insert_internal()} of a key; an existing key keeps its slot. */
        private void insert(String key) {
            long hash = Integer.toUnsignedLong(hashFn.applyAsInt(key));
            if (hash < 2) {
                hash = 2;
            }
            int i = index(hash);
            int step = 0;
            int mask = size - 1;
            while (slots[i] != null) {
                if (hashes[i] == hash && slots[i].equals(key)) {
                    return;
                }
                step++;
                i = (i + step) & mask;
            }
            slots[i] = key;
            hashes[i] = hash;
            nnodes++;
            // g_hash_table_maybe_resize(): no deletions, so occupied == nnodes
            if (size <= nnodes + nnodes / 16) {
                resize();
            }
        }

        /** {@code g_hash_table_resize()}: the new size from {@code nnodes * 1.333}, entries moved in slot order. */
        private void resize() {
            int oldSize = size;
            int target = (int) (nnodes * 1.333);
            int shift = 0;
            for (int n = target; n != 0; n >>= 1) {
                shift++;
            }
            shift = Math.max(shift, 3);
            size = 1 << shift;
            mod = PRIME_MOD[shift];
            int mask = size - 1;
            slots = java.util.Arrays.copyOf(slots, Math.max(size, oldSize));
            hashes = java.util.Arrays.copyOf(hashes, Math.max(size, oldSize));
            boolean[] moved = new boolean[Math.max(size, oldSize)];
            for (int i = 0; i < oldSize; i++) {
                if (slots[i] == null || moved[i]) {
                    continue;
                }
                String key = slots[i];
                long hash = hashes[i];
                slots[i] = null;
                hashes[i] = 0;
                while (true) {
                    int at = index(hash);
                    int step = 0;
                    while (moved[at]) {
                        step++;
                        at = (at + step) & mask;
                    }
                    moved[at] = true;
                    String evicted = slots[at];
                    long evictedHash = hashes[at];
                    slots[at] = key;
                    hashes[at] = hash;
                    if (evicted == null) {
                        break;
                    }
                    key = evicted;
                    hash = evictedHash;
                }
            }
            slots = java.util.Arrays.copyOf(slots, size);
            hashes = java.util.Arrays.copyOf(hashes, size);
        }
    }

    private static List<String> slots(Collection<String> keys, java.util.function.ToIntFunction<String> hashFn) {
        final int size = 8;
        final int mod = 7;
        final int mask = size - 1;
        String[] slots = new String[size];
        for (String key : keys) {
            long hash = Integer.toUnsignedLong(hashFn.applyAsInt(key));
            if (hash < 2) {
                hash = 2;
            }
            int index = (int) (((hash * 11) & 0xffffffffL) % mod);
            int step = 0;
            while (slots[index] != null) {
                if (slots[index].equals(key)) {
                    break;
                }
                step++;
                index = (index + step) & mask;
            }
            slots[index] = key;
        }
        List<String> out = new ArrayList<>();
        for (String s : slots) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }
}
