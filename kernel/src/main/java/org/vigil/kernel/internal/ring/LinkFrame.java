package org.vigil.kernel.internal.ring;

import java.nio.ByteBuffer;

/**
 * The link-level heartbeat frames of the ring driver, below the Totem engine: a PING each node sends to each peer
 * on each link (ring) every ping interval, and the PONG that answers it, as knet's heartbeat does (libknet
 * {@code threads_heartbeat.c} {@code _handle_check_each}, {@code threads_rx.c} {@code process_ping}/{@code
 * process_pong}). They travel inside Vigil's datagram format ({@code WireCodec}), so they are authenticated and
 * encrypted exactly as Totem's packets are.
 *
 * <pre>
 * offset size  field
 *  0     1     code: 0x80 PING, 0x81 PONG  (a Totem packet starts with its version, 1: never 0x80 or above)
 *  1     1     link (ring) number the frame was sent on
 *  2     4     target node id (PING: the node pinged; PONG: the node that sent the PING)
 *  6     8     sequence number of the PING (a PONG echoes it)
 *  14    ...   ignored (room for later fields; a reader of this version reads the 14 bytes only)
 * </pre>
 * The round-trip time is measured against the pinger's own record of when it sent that sequence number, never
 * against a time carried in the frame, so a garbage or replayed PONG cannot invent a latency.
 *
 * <p>{@link #decode} never throws: anything that is not a well-formed frame is null.
 */
public record LinkFrame(int code, int link, int target, long seq) {

    /** First byte of a PING frame. */
    public static final int PING = 0x80;
    /** First byte of a PONG frame. */
    public static final int PONG = 0x81;
    /** Length of a frame of this version. */
    public static final int LENGTH = 14;

    public LinkFrame {
        if (code != PING && code != PONG) {
            throw new IllegalArgumentException("not a link frame code: " + code);
        }
        if (link < 0 || link > 255) {
            throw new IllegalArgumentException("link out of range: " + link);
        }
    }

    /** True when an authenticated payload is a link frame rather than a Totem packet (its first byte). */
    public static boolean isLinkFrame(byte[] payload) {
        return payload.length > 0 && (payload[0] & 0x80) != 0;
    }

    /** The frame's bytes. */
    public byte[] encode() {
        return ByteBuffer.allocate(LENGTH).put((byte) code).put((byte) link).putInt(target).putLong(seq).array();
    }

    /** The PONG answering this PING, from the pinged node back to {@code pinger}. */
    public LinkFrame pong(int pinger) {
        return new LinkFrame(PONG, link, pinger, seq);
    }

    /** Decodes a frame; null for anything that is not one of this format (short, unknown code). */
    public static LinkFrame decode(byte[] b) {
        if (b == null || b.length < LENGTH) {
            return null;
        }
        int code = b[0] & 0xFF;
        if (code != PING && code != PONG) {
            return null;
        }
        ByteBuffer h = ByteBuffer.wrap(b);
        return new LinkFrame(code, b[1] & 0xFF, h.getInt(2), h.getLong(6));
    }
}
