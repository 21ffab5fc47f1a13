package org.vigil.quorum.internal.votequorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.RingId;

/** The votequorum wire codec: round trips, every bound, and seeded fuzzing (never anything but Malformed). */
class VqCodecTest {

    static VqMessage randomMessage(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> new VqMessage.NodeInfo(r.nextInt(), r.nextLong() & 0xFFFF_FFFFL, r.nextLong() & 0xFFFF_FFFFL,
                r.nextInt(256));
            case 1 -> new VqMessage.Reconfigure(r.nextInt(), r.nextLong() & 0xFFFF_FFFFL,
                VqMessage.Param.values()[r.nextInt(3)]);
            default -> new VqMessage.QdeviceReg(r.nextBoolean(), "dev" + "x".repeat(r.nextInt(50)));
        };
    }

    @Test
    void everyMessageSurvivesARoundTrip() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            VqCodec.Frame f = new VqCodec.Frame(r.nextBoolean(), new RingId(r.nextInt(), r.nextLong()),
                randomMessage(r));
            byte[] b = VqCodec.encode(f);
            assertEquals(f, VqCodec.decode(b));
            assertArrayEquals(b, VqCodec.encode(VqCodec.decode(b)));
        }
    }

    @Test
    void truncatedExtendedAndCorruptedFramesAreRejected() {
        byte[] ok = VqCodec.encode(new VqCodec.Frame(true, new RingId(1, 4), new VqMessage.NodeInfo(1, 1, 3, 9)));
        for (int len = 0; len < ok.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(ok, len);
            assertThrows(VqCodec.MalformedException.class, () -> VqCodec.decode(cut), "truncated to " + len);
        }
        byte[] longer = java.util.Arrays.copyOf(ok, ok.length + 1);
        assertThrows(VqCodec.MalformedException.class, () -> VqCodec.decode(longer), "trailing byte");
        byte[] magic = ok.clone();
        magic[0] = 0;
        assertThrows(VqCodec.MalformedException.class, () -> VqCodec.decode(magic));
        byte[] type = ok.clone();
        type[3] = 9;
        assertThrows(VqCodec.MalformedException.class, () -> VqCodec.decode(type));
        byte[] flags = ok.clone();
        flags[VqCodec.HEADER + 15] = (byte) 0xFF;
        flags[VqCodec.HEADER + 14] = 1;
        assertThrows(VqCodec.MalformedException.class, () -> VqCodec.decode(flags), "unknown node flag bits");
        assertThrows(VqCodec.MalformedException.class, () -> VqCodec.decode(new byte[VqCodec.MAX_FRAME + 1]));
        assertThrows(VqCodec.MalformedException.class, () -> VqCodec.decode(null));
    }

    @Test
    void aNewerVersionWithExtraFieldsIsUnderstood() throws Exception {
        byte[] ok = VqCodec.encode(new VqCodec.Frame(false, new RingId(2, 8), new VqMessage.NodeInfo(2, 1, 3, 1)));
        byte[] v2 = java.util.Arrays.copyOf(ok, ok.length + 4);
        v2[2] = 2;
        assertEquals(new VqMessage.NodeInfo(2, 1, 3, 1), VqCodec.decode(v2).message());
    }

    @Test
    void fuzzedInputOnlyEverThrowsMalformed() {
        Random r = new Random(7);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (r.nextBoolean()) {
                b = new byte[r.nextInt(64)];
                r.nextBytes(b);
                if (b.length >= 2) {
                    b[0] = 0x56;
                    b[1] = 0x51;
                }
            } else {
                b = VqCodec.encode(new VqCodec.Frame(r.nextBoolean(), new RingId(r.nextInt(), r.nextLong()),
                    randomMessage(r)));
                int flips = 1 + r.nextInt(3);
                for (int k = 0; k < flips; k++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            try {
                VqCodec.decode(b);
                accepted++;
            } catch (VqCodec.MalformedException e) {
                // expected for most
            } catch (RuntimeException e) {
                throw new AssertionError("decode threw " + e + " for " + java.util.HexFormat.of().formatHex(b), e);
            }
        }
        System.out.println("VqCodec fuzz: 200000 inputs, " + accepted + " decoded, the rest rejected as malformed");
    }
}
