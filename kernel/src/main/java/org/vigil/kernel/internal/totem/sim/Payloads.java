package org.vigil.kernel.internal.totem.sim;

/**
 * The simulator's application messages: {@code u32 origin, u32 counter, u32 length} and then a byte pattern
 * derived from those, so a checker can verify sender, length and every byte of a delivered message.
 *
 * <p>A <em>carrier</em> brings the bytes of a layer above Totem (CPG) instead of the pattern: its length word has
 * {@link #CARRIER} set and is followed by {@code u32 CRC-32} of the carried bytes, so the checker still verifies
 * sender, length and content.
 */
final class Payloads {
    static final int HEADER = 12;
    /** Flag in the length word of a carrier. */
    static final int CARRIER = 0x80000000;
    /** Header of a carrier: the common header, then the CRC-32 of the carried bytes. */
    static final int CARRIER_HEADER = HEADER + 4;

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

    /** A carrier of {@code body} (the bytes of a layer above Totem). */
    static byte[] carrier(int origin, int counter, byte[] body) {
        byte[] b = new byte[CARRIER_HEADER + body.length];
        putInt(b, 0, origin);
        putInt(b, 4, counter);
        putInt(b, 8, b.length | CARRIER);
        putInt(b, 12, crc(body, 0, body.length));
        System.arraycopy(body, 0, b, CARRIER_HEADER, body.length);
        return b;
    }

    /** True when the message at {@code off} (at least {@link #HEADER} bytes) is a carrier. */
    static boolean isCarrier(byte[] b, int off) {
        return (getInt(b, off + 8) & CARRIER) != 0;
    }

    static int crc(byte[] b, int off, int len) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(b, off, len);
        return (int) c.getValue();
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
