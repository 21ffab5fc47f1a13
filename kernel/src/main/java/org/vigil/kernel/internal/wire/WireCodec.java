package org.vigil.kernel.internal.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Vigil's datagram format around the Totem engine's bytes: a versioned header with the cluster identity, and
 * with {@code crypto_cipher}/{@code crypto_hash} (or {@code secauth: on}) authenticated encryption.
 *
 * <pre>
 * offset size  field
 *  0     2     magic 0x56 0x47 ("VG")
 *  2     1     version (1)
 *  3     1     mode: 0 clear, 1 AES-GCM (encrypted + authenticated), 2 HMAC (authenticated only)
 *  4     4     cluster id: the first 4 bytes of SHA-256(cluster_name)
 *  8     4     sender node id
 *  12    4     sender boot id (random per process start)
 *  16    8     sequence number of this sender's datagrams (modes 1 and 2)
 *  24    ...   mode 0: payload | mode 1: AES-GCM ciphertext + 16-byte tag | mode 2: payload + HMAC
 * </pre>
 * In mode 1 the 96-bit GCM nonce is boot id ‖ sequence, unique per key as long as a boot id is not reused with a
 * sequence already spent (a new random boot id at every start); the header is the additional authenticated
 * data. Keys are derived from the shared key file with HKDF-SHA256 (salt {@code vigil-totem-v1}, info = cluster
 * name and cipher), so one authkey serves several clusters without key reuse.
 *
 * <p>Decoding never throws: a datagram that is short, foreign, of another version or cluster, not protected
 * when it must be, or fails authentication is reported as a {@link Drop} reason for the caller to count.
 * An instance is thread-safe (each thread gets its own Cipher/Mac).
 */
public final class WireCodec {

    public static final int HEADER = 16;
    public static final int SECURE_HEADER = 24;
    private static final int TAG = 16;
    private static final byte MODE_CLEAR = 0;
    private static final byte MODE_GCM = 1;
    private static final byte MODE_HMAC = 2;

    /** Why a datagram was dropped; names match the cmap counters {@code stats.wire.rx_<name>}. */
    public enum Drop { TOO_SHORT, BAD_MAGIC, BAD_VERSION, WRONG_CLUSTER, UNPROTECTED, AUTH_FAILED }

    /** A decoded datagram, or the reason it was dropped. */
    public record Decoded(Drop drop, int sender, byte[] payload) {
        public boolean ok() {
            return drop == null;
        }
    }

    private final int clusterId;
    private final int self;
    private final int bootId;
    private final byte mode;
    private final SecretKeySpec key;
    private final String macAlgorithm;
    private final int macLength;
    private final AtomicLong sequence = new AtomicLong();
    private final ThreadLocal<Cipher> ciphers;
    private final ThreadLocal<Mac> macs;

    /**
     * @param clusterName   {@code totem.cluster_name} (null: no name)
     * @param self          this node's id, written as the sender
     * @param cipher        {@code none}, {@code aes128}, {@code aes192} or {@code aes256}
     * @param hash          {@code none}, {@code md5}, {@code sha1}, {@code sha256}, {@code sha384}, {@code sha512}
     * @param authkey       the shared key bytes (required unless both are none)
     */
    public WireCodec(String clusterName, int self, String cipher, String hash, byte[] authkey) {
        this.clusterId = clusterId(clusterName);
        this.self = self;
        this.bootId = new SecureRandom().nextInt();
        if (!cipher.equals("none")) {
            mode = MODE_GCM;
            int bits = Integer.parseInt(cipher.substring(3));
            key = new SecretKeySpec(hkdf(authkey, clusterName, cipher, bits / 8), "AES");
            macAlgorithm = null;
            macLength = TAG;
        } else if (!hash.equals("none")) {
            mode = MODE_HMAC;
            macAlgorithm = "Hmac" + switch (hash) {
                case "md5" -> "MD5";
                case "sha1" -> "SHA1";
                case "sha256" -> "SHA256";
                case "sha384" -> "SHA384";
                case "sha512" -> "SHA512";
                default -> throw new IllegalArgumentException("unknown crypto_hash " + hash);
            };
            key = new SecretKeySpec(hkdf(authkey, clusterName, hash, 32), macAlgorithm);
            macLength = mac().getMacLength();
        } else {
            mode = MODE_CLEAR;
            key = null;
            macAlgorithm = null;
            macLength = 0;
        }
        ciphers = ThreadLocal.withInitial(() -> {
            try {
                return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        macs = ThreadLocal.withInitial(this::mac);
    }

    private Mac mac() {
        try {
            Mac m = Mac.getInstance(macAlgorithm);
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes the format adds to a payload (the engine's MTU budget shrinks by this much). */
    public int overhead() {
        return mode == MODE_CLEAR ? HEADER : SECURE_HEADER + macLength;
    }

    /** True when datagrams are authenticated. */
    public boolean secure() {
        return mode != MODE_CLEAR;
    }

    /** The cluster id of a cluster name, as written at offset 4. */
    public static int clusterId(String clusterName) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                .digest((clusterName == null ? "" : clusterName).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(h).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Wraps an engine payload into one datagram. */
    public ByteBuffer encode(byte[] payload, int off, int len) {
        ByteBuffer out = ByteBuffer.allocate(overhead() + len);
        out.put((byte) 0x56).put((byte) 0x47).put((byte) 1).put(mode).putInt(clusterId).putInt(self).putInt(bootId);
        if (mode == MODE_CLEAR) {
            out.put(payload, off, len);
            return out.flip();
        }
        long seq = sequence.incrementAndGet();
        out.putLong(seq);
        try {
            if (mode == MODE_GCM) {
                Cipher c = ciphers.get();
                c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce(bootId, seq)));
                c.updateAAD(out.array(), 0, SECURE_HEADER);
                c.doFinal(payload, off, len, out.array(), SECURE_HEADER);
                out.position(out.capacity());
            } else {
                out.put(payload, off, len);
                Mac m = macs.get();
                m.update(out.array(), 0, SECURE_HEADER + len);
                m.doFinal(out.array(), SECURE_HEADER + len);
                out.position(out.capacity());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encrypting a datagram failed", e);
        }
        return out.flip();
    }

    private static byte[] nonce(int boot, long seq) {
        return ByteBuffer.allocate(12).putInt(boot).putLong(seq).array();
    }

    /** Unwraps one received datagram; never throws. */
    public Decoded decode(ByteBuffer datagram) {
        int n = datagram.remaining();
        if (n < HEADER) {
            return new Decoded(Drop.TOO_SHORT, 0, null);
        }
        byte[] b = new byte[n];
        datagram.duplicate().get(b);
        if (b[0] != 0x56 || b[1] != 0x47) {
            return new Decoded(Drop.BAD_MAGIC, 0, null);
        }
        if (b[2] != 1) {
            return new Decoded(Drop.BAD_VERSION, 0, null);
        }
        ByteBuffer h = ByteBuffer.wrap(b);
        if (h.getInt(4) != clusterId) {
            return new Decoded(Drop.WRONG_CLUSTER, 0, null);
        }
        int sender = h.getInt(8);
        if (b[3] != mode) {
            // a clear datagram on a secure ring (or the reverse) is never accepted
            return new Decoded(Drop.UNPROTECTED, sender, null);
        }
        if (mode == MODE_CLEAR) {
            return new Decoded(null, sender, Arrays.copyOfRange(b, HEADER, n));
        }
        if (n < SECURE_HEADER + macLength) {
            return new Decoded(Drop.TOO_SHORT, sender, null);
        }
        try {
            if (mode == MODE_GCM) {
                Cipher c = ciphers.get();
                c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce(h.getInt(12), h.getLong(16))));
                c.updateAAD(b, 0, SECURE_HEADER);
                return new Decoded(null, sender, c.doFinal(b, SECURE_HEADER, n - SECURE_HEADER));
            }
            Mac m = macs.get();
            m.update(b, 0, n - macLength);
            byte[] expect = m.doFinal();
            if (!MessageDigest.isEqual(expect, Arrays.copyOfRange(b, n - macLength, n))) {
                return new Decoded(Drop.AUTH_FAILED, sender, null);
            }
            return new Decoded(null, sender, Arrays.copyOfRange(b, SECURE_HEADER, n - macLength));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return new Decoded(Drop.AUTH_FAILED, sender, null);
        }
    }

    /** HKDF-SHA256 (RFC 5869) of the key file into a key of {@code length} bytes. */
    static byte[] hkdf(byte[] ikm, String clusterName, String purpose, int length) {
        if (ikm == null || ikm.length == 0) {
            throw new IllegalArgumentException("a key is required for crypto " + purpose);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("vigil-totem-v1".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] info = ((clusterName == null ? "" : clusterName) + "/" + purpose).getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[length];
            byte[] t = new byte[0];
            for (int i = 0, counter = 1; i < length; counter++) {
                mac.update(t);
                mac.update(info);
                mac.update((byte) counter);
                t = mac.doFinal();
                int k = Math.min(t.length, length - i);
                System.arraycopy(t, 0, out, i, k);
                i += k;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
