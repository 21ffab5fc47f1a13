package org.vigil.kernel.internal.totem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Packing and fragmentation ({@link SendQueue}) against reassembly ({@link Reassembler}): every message comes
 * out whole and in order; with packets lost (a recovery hole) a message is delivered whole or not at all.
 */
class FragmentationTest {

    private final NodeSet members = NodeSet.of(1, 2);
    private final TotemCodec codec = new TotemCodec(members);

    private record Out(byte[] data, boolean safe) {
    }

    private List<Out> feed(List<byte[]> packets, boolean[] lose) throws Exception {
        List<Out> out = new ArrayList<>();
        Reassembler ra = new Reassembler(members, (origin, b, off, len, safe) ->
            out.add(new Out(Arrays.copyOfRange(b, off, off + len), safe)));
        for (int i = 0; i < packets.size(); i++) {
            if (lose != null && lose[i]) {
                continue;
            }
            byte[] p = packets.get(i);
            Msg m = codec.decodeMcast(p, 0, p.length);
            int q = m.bodyOff;
            int count = TotemCodec.getU16(p, q);
            q += 2;
            for (int c = 0; c < count; c++) {
                int flags = p[q];
                if ((flags & 3) == 3) {
                    int len = TotemCodec.getInt(p, q + 1);
                    ra.chunk(1, flags, 0, 0, p, q + 5, len);
                    q += 5 + len;
                } else {
                    int len = TotemCodec.getInt(p, q + 5);
                    ra.chunk(1, flags, TotemCodec.getU16(p, q + 1), TotemCodec.getU16(p, q + 3), p, q + 9, len);
                    q += 9 + len;
                }
            }
        }
        return out;
    }

    private static byte[] message(SplittableRandom r, int counter) {
        int x = r.nextInt(100);
        int size = x < 60 ? r.nextInt(200) : x < 90 ? r.nextInt(5000) : r.nextInt(300_000);
        byte[] b = new byte[size];
        r.nextBytes(b);
        if (size >= 4) {
            b[0] = (byte) (counter >>> 24);
            b[1] = (byte) (counter >>> 16);
            b[2] = (byte) (counter >>> 8);
            b[3] = (byte) counter;
        }
        return b;
    }

    @Test
    void everyMessageComesOutWholeAndInOrder() throws Exception {
        SplittableRandom r = new SplittableRandom(21);
        for (int round = 0; round < 30; round++) {
            int maxPacket = 400 + r.nextInt(9000);
            SendQueue q = new SendQueue(maxPacket);
            List<byte[]> in = new ArrayList<>();
            List<Boolean> safe = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] m = message(r, i);
                boolean s = r.nextBoolean();
                if (q.offer(m, s)) {
                    in.add(m);
                    safe.add(s);
                }
            }
            List<byte[]> packets = new ArrayList<>();
            long seq = 1;
            while (!q.isEmpty()) {
                byte[] p = q.build(1, 1, 9, seq++);
                assertTrue(p.length <= maxPacket, "packet of " + p.length + " > " + maxPacket);
                packets.add(p);
            }
            List<Out> out = feed(packets, null);
            assertEquals(in.size(), out.size());
            for (int i = 0; i < in.size(); i++) {
                assertArrayEquals(in.get(i), out.get(i).data(), "message " + i);
                assertEquals(safe.get(i), out.get(i).safe());
            }
        }
    }

    /**
     * Regression: with only a fragment index, a first fragment followed (after a lost packet) by the second
     * fragment of the sender's next message was glued into one wrong message. The per-message tag prevents it.
     */
    @Test
    void lostPacketsNeverProduceAMessageGluedFromTwo() throws Exception {
        SplittableRandom r = new SplittableRandom(99);
        for (int round = 0; round < 200; round++) {
            SendQueue q = new SendQueue(300 + r.nextInt(2000));
            List<byte[]> in = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                byte[] m = new byte[r.nextInt(4000)];
                r.nextBytes(m);
                q.offer(m, false);
                in.add(m);
            }
            List<byte[]> packets = new ArrayList<>();
            long seq = 1;
            while (!q.isEmpty()) {
                packets.add(q.build(1, 1, 9, seq++));
            }
            boolean[] lose = new boolean[packets.size()];
            for (int i = 0; i < lose.length; i++) {
                lose[i] = r.nextInt(4) == 0;
            }
            List<Out> out = feed(packets, lose);
            int next = 0;
            for (Out o : out) {
                while (next < in.size() && !Arrays.equals(in.get(next), o.data())) {
                    next++;
                }
                assertTrue(next < in.size(), "a delivered message is not one of the sent ones, or out of order");
                next++;
            }
        }
    }

    @Test
    void restartingTheHeadResendsTheWholeMessage() throws Exception {
        SendQueue q = new SendQueue(1000);
        byte[] big = new byte[5000];
        new SplittableRandom(1).nextBytes(big);
        q.offer(big, false);
        byte[] first = q.build(1, 1, 9, 1);
        byte[] second = q.build(1, 1, 9, 2);
        q.restartHead();
        List<byte[]> again = new ArrayList<>();
        long seq = 3;
        while (!q.isEmpty()) {
            again.add(q.build(1, 1, 13, seq++));
        }
        List<byte[]> all = new ArrayList<>(List.of(first, second));
        all.addAll(again);
        List<Out> out = feed(all, null);
        assertEquals(1, out.size());
        assertArrayEquals(big, out.get(0).data());
    }
}
