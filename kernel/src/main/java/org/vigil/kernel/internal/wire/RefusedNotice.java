package org.vigil.kernel.internal.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The REFUSED notice: what a node sends back, once in a while, to a node it keeps out of the ring for its
 * release (a JOIN outside the compatibility rule) or for a datagram format it cannot read (a
 * {@link WireCodec.Drop#BAD_VERSION} drop), so that the refused node logs the reason instead of looking silently
 * OFFLINE (docs/design/versioning.md). It travels as the payload of an ordinary datagram of wire format 1
 * ({@link WireCodec}: same cluster check and crypto as everything else), so every release that reads format 1
 * reads it; its first byte, {@value #KIND} ({@code 'R'}), tells it from a Totem packet, whose first byte is the
 * Totem format version (1). A reader that does not know it hands it to Totem, which drops it as malformed.
 *
 * <pre>
 * u8  'R' (0x52)       the payload kind: a REFUSED notice
 * u8  1                notice format
 * u8  why              1 = release outside the rule, 2 = wire format this node cannot read
 * u16 major · u16 minor · u64 features     the refusing node's release
 * u16 major · u16 minor                    the refused node's release as seen (0xFFFF.0xFFFF: unknown)
 * u16 n · n bytes      the reason, UTF-8, at most {@value #MAX_TEXT} bytes
 * </pre>
 *
 * @param why        {@link #WHY_RELEASE} or {@link #WHY_WIRE_FORMAT}
 * @param major      the refusing node's release
 * @param minor      the refusing node's release
 * @param features   the refusing node's features
 * @param peerMajor  the refused node's release as the refusing node saw it ({@link #UNKNOWN} if not known)
 * @param peerMinor  likewise
 * @param reason     the reason in words
 */
public record RefusedNotice(int why, int major, int minor, long features, int peerMajor, int peerMinor,
                            String reason) {

    /** First payload byte of a notice. */
    public static final byte KIND = 0x52;
    public static final int WHY_RELEASE = 1;
    public static final int WHY_WIRE_FORMAT = 2;
    public static final int UNKNOWN = 0xFFFF;
    static final int FORMAT = 1;
    static final int FIXED = 1 + 1 + 1 + 2 + 2 + 8 + 2 + 2 + 2;
    public static final int MAX_TEXT = 1000;

    /** True when a decoded datagram payload is a notice rather than a Totem packet. */
    public static boolean isNotice(byte[] payload) {
        return payload != null && payload.length > 0 && payload[0] == KIND;
    }

    /** The payload bytes (the reason is cut to {@value #MAX_TEXT} bytes of whole characters). */
    public byte[] encode() {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        String r = reason;
        while (text.length > MAX_TEXT) {
            r = r.substring(0, r.length() - 1);
            text = r.getBytes(StandardCharsets.UTF_8);
        }
        return ByteBuffer.allocate(FIXED + text.length).put(KIND).put((byte) FORMAT).put((byte) why)
            .putShort((short) major).putShort((short) minor).putLong(features)
            .putShort((short) peerMajor).putShort((short) peerMinor).putShort((short) text.length).put(text).array();
    }

    /**
     * Reads a notice; null for anything that is not a well-formed one (wrong kind or format, a length that does
     * not match, an unknown reason code, control characters in the text). Never throws.
     */
    public static RefusedNotice decode(byte[] p) {
        if (p == null || p.length < FIXED || p[0] != KIND || p[1] != FORMAT) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(p);
        int why = p[2];
        int major = Short.toUnsignedInt(b.getShort(3));
        int minor = Short.toUnsignedInt(b.getShort(5));
        long features = b.getLong(7);
        int peerMajor = Short.toUnsignedInt(b.getShort(15));
        int peerMinor = Short.toUnsignedInt(b.getShort(17));
        int n = Short.toUnsignedInt(b.getShort(19));
        if ((why != WHY_RELEASE && why != WHY_WIRE_FORMAT) || n > MAX_TEXT || p.length != FIXED + n) {
            return null;
        }
        String text = new String(p, FIXED, n, StandardCharsets.UTF_8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\uFFFD') {
                return null;   // a log line must not be forged or garbled by a peer's text
            }
        }
        return new RefusedNotice(why, major, minor, features, peerMajor, peerMinor, text);
    }

    /** The refusing node's release, {@code major.minor}. */
    public String version() {
        return major + "." + minor;
    }
}
