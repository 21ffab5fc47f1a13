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
final class GHashOrder {

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

    static List<String> of(Collection<String> keys) {
        final int size = 8;
        final int mod = 7;
        final int mask = size - 1;
        if (keys.size() >= size - 1) {
            return new ArrayList<>(keys);
        }
        String[] slots = new String[size];
        for (String key : keys) {
            long hash = Integer.toUnsignedLong(strHash(key));
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
