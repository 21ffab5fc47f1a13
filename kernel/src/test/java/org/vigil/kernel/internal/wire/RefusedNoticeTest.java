package org.vigil.kernel.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RefusedNoticeTest {

    static final RefusedNotice N = new RefusedNotice(RefusedNotice.WHY_RELEASE, 0, 1, 3, 1, 1,
        "release 1.1 cannot join a ring of release 0.1 (same major, at most one minor apart)");

    @Test
    void roundTripInsideAFormatOneDatagram() {
        byte[] p = N.encode();
        assertTrue(RefusedNotice.isNotice(p));
        assertEquals(N, RefusedNotice.decode(p));
        assertEquals("0.1", N.version());
        // it travels as an ordinary format-1 datagram, crypto and all
        WireCodec a = new WireCodec("c", 1, "aes256", "sha256", new byte[32]);
        WireCodec b = new WireCodec("c", 2, "aes256", "sha256", new byte[32]);
        ByteBuffer d = a.encode(p, 0, p.length);
        assertEquals(1, d.get(2), "wire format 1");
        WireCodec.Decoded got = b.decode(d);
        assertTrue(got.ok());
        assertEquals(1, got.sender());
        assertEquals(N, RefusedNotice.decode(got.payload()));
        // a Totem packet (first byte: Totem format 1) is not a notice
        assertFalse(RefusedNotice.isNotice(new byte[] {1, 3}));
    }

    @Test
    void aLongReasonIsCutToWholeCharacters() {
        RefusedNotice n = new RefusedNotice(RefusedNotice.WHY_WIRE_FORMAT, 1, 2, 0, RefusedNotice.UNKNOWN,
            RefusedNotice.UNKNOWN, "é".repeat(900));
        RefusedNotice d = RefusedNotice.decode(n.encode());
        assertEquals(500, d.reason().length());
        assertEquals(RefusedNotice.UNKNOWN, d.peerMajor());
    }

    @Test
    void everyTruncationExtensionAndBadFieldIsRejected() {
        byte[] p = N.encode();
        for (int len = 0; len < p.length; len++) {
            assertNull(RefusedNotice.decode(Arrays.copyOf(p, len)), "cut to " + len);
        }
        assertNull(RefusedNotice.decode(Arrays.copyOf(p, p.length + 1)));
        byte[] why = p.clone();
        why[2] = 3;
        assertNull(RefusedNotice.decode(why), "unknown reason code");
        byte[] fmt = p.clone();
        fmt[1] = 2;
        assertNull(RefusedNotice.decode(fmt), "unknown notice format");
        byte[] ctl = p.clone();
        ctl[ctl.length - 1] = '\n';
        assertNull(RefusedNotice.decode(ctl), "a control character would forge log lines");
        byte[] utf = p.clone();
        utf[utf.length - 1] = (byte) 0xC3;
        assertNull(RefusedNotice.decode(utf), "broken UTF-8");
    }

    @Test
    void randomBytesNeverThrow() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 20000; i++) {
            byte[] b = new byte[r.nextInt(0, 60)];
            r.nextBytes(b);
            if (b.length > 1 && r.nextBoolean()) {
                b[0] = RefusedNotice.KIND;
                b[1] = 1;
            }
            RefusedNotice.decode(b);
        }
    }
}
