package org.vigil.kernel.internal.totem.sim;

/**
 * The simulator's application messages: {@code u32 origin, u32 counter, u32 length} and then a byte pattern
 * derived from those, so a checker can verify sender, length and every byte of a delivered message.
 */
final class Payloads {
    static final int HEADER = 12;

    private Payloads() {
    }

    static byte[] make(int origin, int counter, int length) {
        int len = Math.max(HEADER, length);
        byte[] b = new byte[len];
        putInt(b, 0, origin);
        putInt(b, 4, counter);
        putInt(b, 8, len);
        for (int i = HEADER; i < len; i++) {
            b[i] = pattern(origin, counter, i);
        }
        return b;
    }

    static byte pattern(int origin, int counter, int i) {
        return (byte) (origin * 31 + counter * 17 + i * 7 + (i >>> 8));
    }

    static long msgId(int origin, int counter) {
        return ((long) origin << 32) | (counter & 0xFFFFFFFFL);
    }

    static String name(long id) {
        return (id >>> 32) + ":" + (int) id;
    }

    static int getInt(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    static void putInt(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }
}
