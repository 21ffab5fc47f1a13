package org.vigil.quorum.internal.votequorum;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.vigil.kernel.api.RingId;

/**
 * Vigil's wire form of votequorum messages, carried in the {@code vigil_votequorum} CPG group.
 *
 * <pre>
 * offset size field
 *      0    2 magic 0x5651 ("VQ")
 *      2    1 version (1)
 *      3    1 type: 1 NODEINFO, 2 RECONFIGURE, 3 QDEVICE_REG
 *      4    1 frame flags: bit 0 = sent for the membership sync of {@code ring}
 *      5    4 ring representative (u32)
 *      9    8 ring sequence (u64)
 *     17      body (all integers big-endian, unsigned)
 *   NODEINFO    nodeid u32, votes u32, expected_votes u32, flags u32         (16 bytes)
 *   RECONFIGURE nodeid u32, value u32, param u8 (1 expected, 2 votes, 3 cancel WFA)  (9 bytes)
 *   QDEVICE_REG operation u8 (1 register, 0 unregister), name length u8, name (UTF-8, 1..64 bytes)
 * </pre>
 *
 * <p>Decoding is bounds-checked and never throws anything but {@link MalformedException}: a frame that is too
 * short or too long, has a bad magic, an unknown type or parameter, or a name that is not UTF-8 is rejected.
 * A newer version's frame is accepted if its body starts with the version 1 fields (extra bytes are ignored),
 * so an upgraded node can talk to an older one. Stateless and thread-safe.
 */
public final class VqCodec {

    /** Frame magic. */
    public static final int MAGIC = 0x5651;
    /** The version this codec writes. */
    public static final int VERSION = 1;
    /** Largest frame accepted. */
    public static final int MAX_FRAME = 256;
    /** Longest quorum device name, in bytes. */
    public static final int MAX_NAME = 64;
    static final int HEADER = 17;
    static final int TYPE_NODEINFO = 1;
    static final int TYPE_RECONFIGURE = 2;
    static final int TYPE_QDEVICE_REG = 3;

    private VqCodec() {
    }

    /**
     * One decoded frame.
     *
     * @param sync    the sender sent it as its membership-sync NODEINFO for {@code ring}
     * @param ring    the ring the sender was in when it sent the frame
     * @param message the message
     */
    public record Frame(boolean sync, RingId ring, VqMessage message) {
    }

    /** A frame that cannot be decoded; the message says why. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedException(String reason) {
            super(reason);
        }
    }

    /** Encodes a frame. */
    public static byte[] encode(Frame frame) {
        ByteBuffer b = ByteBuffer.allocate(MAX_FRAME);
        b.putShort((short) MAGIC).put((byte) VERSION);
        VqMessage m = frame.message();
        int type = m instanceof VqMessage.NodeInfo ? TYPE_NODEINFO
            : m instanceof VqMessage.Reconfigure ? TYPE_RECONFIGURE : TYPE_QDEVICE_REG;
        b.put((byte) type).put((byte) (frame.sync() ? 1 : 0));
        RingId ring = frame.ring() == null ? new RingId(0, 0) : frame.ring();
        b.putInt(ring.rep()).putLong(ring.seq());
        if (m instanceof VqMessage.NodeInfo n) {
            b.putInt(n.nodeId()).putInt(u32(n.votes())).putInt(u32(n.expectedVotes())).putInt(n.flags());
        } else if (m instanceof VqMessage.Reconfigure r) {
            b.putInt(r.nodeId()).putInt(u32(r.value())).put((byte) r.param().code);
        } else if (m instanceof VqMessage.QdeviceReg q) {
            byte[] name = q.name().getBytes(StandardCharsets.UTF_8);
            if (name.length == 0 || name.length > MAX_NAME) {
                throw new IllegalArgumentException("quorum device name must be 1.." + MAX_NAME + " bytes");
            }
            b.put((byte) (q.register() ? 1 : 0)).put((byte) name.length).put(name);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Decodes a frame, checking every bound. */
    public static Frame decode(byte[] data) throws MalformedException {
        if (data == null || data.length < HEADER) {
            throw new MalformedException("frame of " + (data == null ? 0 : data.length) + " bytes is shorter than "
                + "the " + HEADER + "-byte header");
        }
        if (data.length > MAX_FRAME) {
            throw new MalformedException("frame of " + data.length + " bytes is longer than " + MAX_FRAME);
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        int magic = b.getShort() & 0xFFFF;
        if (magic != MAGIC) {
            throw new MalformedException(String.format("bad magic 0x%04x", magic));
        }
        int version = b.get() & 0xFF;
        if (version < 1) {
            throw new MalformedException("bad version " + version);
        }
        int type = b.get() & 0xFF;
        int frameFlags = b.get() & 0xFF;
        if ((frameFlags & ~1) != 0 && version == VERSION) {
            throw new MalformedException("unknown frame flags 0x" + Integer.toHexString(frameFlags));
        }
        RingId ring = new RingId(b.getInt(), b.getLong());
        try {
            VqMessage m = switch (type) {
                case TYPE_NODEINFO -> {
                    int nodeId = b.getInt();
                    long votes = b.getInt() & 0xFFFF_FFFFL;
                    long expected = b.getInt() & 0xFFFF_FFFFL;
                    int flags = b.getInt();
                    if (version == VERSION && (flags & ~NodeFlags.ALL) != 0) {
                        throw new MalformedException("unknown node flags 0x" + Integer.toHexString(flags));
                    }
                    yield new VqMessage.NodeInfo(nodeId, votes, expected, flags & NodeFlags.ALL);
                }
                case TYPE_RECONFIGURE -> {
                    int nodeId = b.getInt();
                    long value = b.getInt() & 0xFFFF_FFFFL;
                    int code = b.get() & 0xFF;
                    VqMessage.Param p = VqMessage.Param.of(code);
                    if (p == null) {
                        throw new MalformedException("unknown reconfigure parameter " + code);
                    }
                    yield new VqMessage.Reconfigure(nodeId, value, p);
                }
                case TYPE_QDEVICE_REG -> {
                    int op = b.get() & 0xFF;
                    if (op > 1) {
                        throw new MalformedException("unknown qdevice operation " + op);
                    }
                    int len = b.get() & 0xFF;
                    if (len == 0 || len > MAX_NAME) {
                        throw new MalformedException("qdevice name length " + len + " out of 1.." + MAX_NAME);
                    }
                    byte[] name = new byte[len];
                    b.get(name);
                    yield new VqMessage.QdeviceReg(op == 1, utf8(name));
                }
                default -> throw new MalformedException("unknown message type " + type);
            };
            if (version == VERSION && b.hasRemaining()) {
                throw new MalformedException(b.remaining() + " bytes after the message");
            }
            return new Frame((frameFlags & 1) != 0, ring, m);
        } catch (BufferUnderflowException e) {
            throw new MalformedException("message type " + type + " truncated at " + data.length + " bytes");
        }
    }

    private static String utf8(byte[] bytes) throws MalformedException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException("qdevice name is not UTF-8");
        }
    }

    private static int u32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("value " + v + " does not fit in 32 unsigned bits");
        }
        return (int) v;
    }
}
