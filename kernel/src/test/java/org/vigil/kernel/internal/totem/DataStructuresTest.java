package org.vigil.kernel.internal.totem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The engine's small data structures cross-checked against plain JDK collections on seeded random input. */
class DataStructuresTest {

    @Test
    void sortQueueBehavesLikeAMapWithAFreedPrefix() {
        SplittableRandom r = new SplittableRandom(3);
        for (int round = 0; round < 50; round++) {
            SortQueue q = new SortQueue();
            TreeMap<Long, Msg> ref = new TreeMap<>();
            long base = 1;
            long high = 0;
            for (int i = 0; i < 5000; i++) {
                int op = r.nextInt(10);
                if (op < 6) {
                    long s = base + r.nextLong(Math.min(SortQueue.MAX_SPAN + 100, 3000));
                    Msg m = new Msg(new byte[0], 0, 0, 1, 1, s, 1, Msg.KIND_REGULAR, false, 0, null);
                    boolean expect = s >= base && s - base < SortQueue.MAX_SPAN && !ref.containsKey(s);
                    assertEquals(expect, q.put(s, m), "put " + s);
                    if (expect) {
                        ref.put(s, m);
                        high = Math.max(high, s);
                    }
                } else if (op < 9) {
                    long s = base - 5 + r.nextLong(4000);
                    assertEquals(ref.get(s), q.get(s), "get " + s);
                    assertEquals(s < base, q.freed(s));
                } else if (high >= base) {
                    long upTo = base + r.nextLong(high - base + 1);
                    q.free(upTo);
                    ref.headMap(upTo, true).clear();
                    base = upTo + 1;
                    assertEquals(base, q.base());
                }
            }
        }
    }

    @Test
    void nodeSetMatchesASortedSetOfUnsignedIds() {
        SplittableRandom r = new SplittableRandom(5);
        int[] pool = {1, 2, 3, 7, 100, 0x7FFFFFFF, 0x80000000, 0xAC100165, 0xFFFFFFFF};
        for (int i = 0; i < 20_000; i++) {
            int[] a = pick(r, pool);
            int[] b = pick(r, pool);
            NodeSet x = NodeSet.of(a);
            NodeSet y = NodeSet.of(b);
            TreeSet<Long> sa = set(a);
            TreeSet<Long> sb = set(b);
            assertEquals(list(sa), ids(x));
            TreeSet<Long> u = new TreeSet<>(sa);
            u.addAll(sb);
            assertEquals(list(u), ids(x.union(y)));
            TreeSet<Long> m = new TreeSet<>(sa);
            m.removeAll(sb);
            assertEquals(list(m), ids(x.minus(y)));
            TreeSet<Long> in = new TreeSet<>(sa);
            in.retainAll(sb);
            assertEquals(list(in), ids(x.intersect(y)));
            assertEquals(sa.containsAll(sb), x.containsAll(y));
            assertEquals(sa.equals(sb), x.equals(y));
            if (!sa.isEmpty()) {
                long first = sa.first();
                assertEquals((int) first, x.first());
                Long nx = sa.higher(first);
                assertEquals((int) (nx == null ? first : nx), x.next((int) first));
                long last = sa.last();
                assertEquals((int) first, x.next((int) last), "the ring wraps around");
            }
        }
    }

    private static int[] pick(SplittableRandom r, int[] pool) {
        int n = r.nextInt(pool.length + 1);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = pool[r.nextInt(pool.length)];
        }
        return a;
    }

    private static TreeSet<Long> set(int[] a) {
        TreeSet<Long> s = new TreeSet<>();
        for (int v : a) {
            s.add(v & 0xFFFFFFFFL);
        }
        return s;
    }

    private static List<Long> list(TreeSet<Long> s) {
        return new ArrayList<>(s);
    }

    private static List<Long> ids(NodeSet s) {
        List<Long> l = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            l.add(s.get(i) & 0xFFFFFFFFL);
        }
        return l;
    }
}
