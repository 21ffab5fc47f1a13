package org.vigil.kernel.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WireCodecTest {

    private static final byte[] KEY = new byte[256];
    private static final byte[] OTHER_KEY = new byte[256];

    static {
        new Random(1).nextBytes(KEY);
        new Random(2).nextBytes(OTHER_KEY);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void everyModeRoundTripsAndNamesTheSender() {
        byte[] payload = "totem message".getBytes();
        for (String[] m : new String[][] {{"none", "none"}, {"aes256", "sha256"}, {"aes128", "sha1"},
            {"none", "sha256"}, {"none", "md5"}}) {
            WireCodec a = new WireCodec("c1", 7, m[0], m[1], KEY);
            WireCodec b = new WireCodec("c1", 9, m[0], m[1], KEY);
            ByteBuffer d = a.encode(payload, 0, payload.length);
            assertEquals(a.overhead() + payload.length, d.remaining());
            WireCodec.Decoded r = b.decode(d);
            assertTrue(r.ok(), m[0] + "/" + m[1] + ": " + r.drop());
            assertEquals(7, r.sender());
            assertArrayEquals(payload, r.payload());
        }
    }

    @Test
    void encryptionHidesThePayloadAndEachDatagramUsesAFreshNonce() {
        WireCodec a = new WireCodec("c1", 1, "aes256", "sha256", KEY);
        byte[] payload = "secret-secret-secret".getBytes();
        byte[] d1 = bytes(a.encode(payload, 0, payload.length));
        byte[] d2 = bytes(a.encode(payload, 0, payload.length));
        assertFalse(new String(d1).contains("secret"));
        assertNotEquals(java.util.Arrays.toString(d1), java.util.Arrays.toString(d2));
    }

    @Test
    void tamperingWithAnyByteIsDetected() {
        for (String[] m : new String[][] {{"aes256", "sha256"}, {"none", "sha256"}}) {
            WireCodec a = new WireCodec("c1", 1, m[0], m[1], KEY);
            byte[] d = bytes(a.encode(new byte[40], 0, 40));
            for (int i = 0; i < d.length; i++) {
                byte[] t = d.clone();
                t[i] ^= 0x01;
                WireCodec.Decoded r = a.decode(ByteBuffer.wrap(t));
                assertFalse(r.ok(), m[0] + ": flipping byte " + i + " went unnoticed");
            }
        }
    }

    @Test
    void wrongKeyWrongClusterAndMixedModesAreDropped() {
        WireCodec good = new WireCodec("c1", 1, "aes256", "sha256", KEY);
        ByteBuffer d = good.encode(new byte[10], 0, 10);
        assertEquals(WireCodec.Drop.AUTH_FAILED, new WireCodec("c1", 2, "aes256", "sha256", OTHER_KEY).decode(d).drop());
        assertEquals(WireCodec.Drop.WRONG_CLUSTER, new WireCodec("c2", 2, "aes256", "sha256", KEY).decode(d).drop());
        ByteBuffer clear = new WireCodec("c1", 3, "none", "none", null).encode(new byte[10], 0, 10);
        assertEquals(WireCodec.Drop.UNPROTECTED, good.decode(clear).drop());
        assertEquals(WireCodec.Drop.UNPROTECTED, new WireCodec("c1", 3, "none", "none", null).decode(d).drop());
    }

    @Test
    void shortForeignAndOtherVersionDatagramsAreDropped() {
        WireCodec c = new WireCodec("c1", 1, "aes256", "sha256", KEY);
        assertEquals(WireCodec.Drop.TOO_SHORT, c.decode(ByteBuffer.wrap(new byte[3])).drop());
        assertEquals(WireCodec.Drop.BAD_MAGIC, c.decode(ByteBuffer.wrap(new byte[64])).drop());
        byte[] d = bytes(c.encode(new byte[10], 0, 10));
        d[2] = 2;
        assertEquals(WireCodec.Drop.BAD_VERSION, c.decode(ByteBuffer.wrap(d)).drop());
        byte[] cut = java.util.Arrays.copyOf(bytes(c.encode(new byte[10], 0, 10)), 30);
        assertFalse(c.decode(ByteBuffer.wrap(cut)).ok());
    }

    /** A million random or mutated datagrams: no exception, nothing accepted without the key. */
    @Test
    void garbageNeverThrowsAndNeverAuthenticates() {
        WireCodec c = new WireCodec("c1", 1, "aes256", "sha256", KEY);
        byte[] valid = bytes(c.encode(new byte[100], 0, 100));
        Random rnd = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            byte[] g;
            if (i % 2 == 0) {
                g = new byte[rnd.nextInt(200)];
                rnd.nextBytes(g);
                if (g.length > 4 && rnd.nextBoolean()) {
                    g[0] = 0x56;
                    g[1] = 0x47;
                    g[2] = 1;
                    g[3] = (byte) rnd.nextInt(3);
                }
            } else {
                g = valid.clone();
                g[rnd.nextInt(g.length)] = (byte) rnd.nextInt();
                if (java.util.Arrays.equals(g, valid)) {
                    continue;
                }
            }
            assertFalse(c.decode(ByteBuffer.wrap(g)).ok());
        }
    }

    @Test
    void keygenWritesAPrivateKeyAndRefusesToReplaceOne(@TempDir Path dir) throws IOException {
        Path k = dir.resolve("etc/authkey");
        AuthKey.generate(k, 256, false);
        assertEquals(256, AuthKey.load(k).length);
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(k)));
        byte[] first = AuthKey.load(k);
        assertThrows(IOException.class, () -> AuthKey.generate(k, 256, false));
        assertArrayEquals(first, AuthKey.load(k));
        AuthKey.generate(k, 512, true);
        assertEquals(512, AuthKey.load(k).length);
        assertThrows(IOException.class, () -> AuthKey.generate(dir.resolve("x"), 64, false));
        Files.write(dir.resolve("short"), new byte[10]);
        IOException e = assertThrows(IOException.class, () -> AuthKey.load(dir.resolve("short")));
        assertTrue(e.getMessage().contains("128 to 4096 bytes"));
        assertTrue(assertThrows(IOException.class, () -> AuthKey.load(dir.resolve("none"))).getMessage()
            .contains("vigil keygen"));
    }
}
