package org.vigil.kernel.internal.totem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of node ids, kept sorted in ring order (ascending, node ids compared as unsigned 32-bit
 * numbers). Membership sets are small (at most {@link TotemCodec#MAX_MEMBERS}), so every operation is a merge of
 * two sorted arrays.
 */
final class NodeSet {

    static final NodeSet EMPTY = new NodeSet(new int[0]);

    private final int[] ids;

    private NodeSet(int[] sortedUnique) {
        this.ids = sortedUnique;
    }

    static NodeSet of(int... ids) {
        int[] a = ids.clone();
        sortUnsigned(a);
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (i == 0 || a[i] != a[i - 1]) {
                a[n++] = a[i];
            }
        }
        return new NodeSet(n == a.length ? a : Arrays.copyOf(a, n));
    }

    /** Wraps an array the caller guarantees is sorted (unsigned) and duplicate-free; the array is not copied. */
    static NodeSet ofSorted(int[] sortedUnique) {
        return new NodeSet(sortedUnique);
    }

    static boolean isSortedUnique(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (Integer.compareUnsigned(a[i - 1], a[i]) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static void sortUnsigned(int[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] ^= Integer.MIN_VALUE;
        }
        Arrays.sort(a);
        for (int i = 0; i < a.length; i++) {
            a[i] ^= Integer.MIN_VALUE;
        }
    }

    int size() {
        return ids.length;
    }

    boolean isEmpty() {
        return ids.length == 0;
    }

    int get(int i) {
        return ids[i];
    }

    /** The lowest id (the representative of a ring with these members). */
    int first() {
        return ids[0];
    }

    int indexOf(int id) {
        int lo = 0;
        int hi = ids.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Integer.compareUnsigned(ids[mid], id);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    boolean contains(int id) {
        return indexOf(id) >= 0;
    }

    /** The member after {@code id} in ring order (wrapping around); {@code id} must be a member. */
    int next(int id) {
        int i = indexOf(id);
        return ids[(i + 1) % ids.length];
    }

    NodeSet union(NodeSet o) {
        if (o.ids.length == 0 || containsAll(o)) {
            return this;
        }
        int[] r = new int[ids.length + o.ids.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < ids.length || j < o.ids.length) {
            if (j >= o.ids.length || (i < ids.length && Integer.compareUnsigned(ids[i], o.ids[j]) < 0)) {
                r[n++] = ids[i++];
            } else if (i >= ids.length || Integer.compareUnsigned(ids[i], o.ids[j]) > 0) {
                r[n++] = o.ids[j++];
            } else {
                r[n++] = ids[i++];
                j++;
            }
        }
        return new NodeSet(Arrays.copyOf(r, n));
    }

    NodeSet with(int id) {
        return contains(id) ? this : union(of(id));
    }

    NodeSet minus(NodeSet o) {
        int[] r = new int[ids.length];
        int n = 0;
        for (int id : ids) {
            if (!o.contains(id)) {
                r[n++] = id;
            }
        }
        return n == ids.length ? this : new NodeSet(Arrays.copyOf(r, n));
    }

    NodeSet without(int id) {
        return contains(id) ? minus(of(id)) : this;
    }

    NodeSet intersect(NodeSet o) {
        int[] r = new int[ids.length];
        int n = 0;
        for (int id : ids) {
            if (o.contains(id)) {
                r[n++] = id;
            }
        }
        return n == ids.length ? this : new NodeSet(Arrays.copyOf(r, n));
    }

    boolean containsAll(NodeSet o) {
        for (int id : o.ids) {
            if (!contains(id)) {
                return false;
            }
        }
        return true;
    }

    int[] toArray() {
        return ids.clone();
    }

    /** The ids as an immutable list (for membership events). */
    List<Integer> toList() {
        List<Integer> l = new ArrayList<>(ids.length);
        for (int id : ids) {
            l.add(id);
        }
        return List.copyOf(l);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeSet s && Arrays.equals(ids, s.ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append(Integer.toUnsignedString(ids[i]));
        }
        return sb.append(']').toString();
    }
}
