package org.vigil.kernel.internal.cpg;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.vigil.kernel.api.CpgReason;
import org.vigil.kernel.api.RingId;

/**
 * The CPG messages that travel in Totem's agreed order, and their bounds-checked codec. Every message starts
 * with a version byte and a type byte; group names are UTF-8, 1..128 bytes.
 */
public final class CpgMessages {

    public static final byte VERSION = 1;
    public static final int MAX_NAME = 128;
    public static final int MAX_JOINLIST = 65535;

    private CpgMessages() {
    }

    /** A decoded message. */
    public sealed interface Message permits Join, Leave, Mcast, JoinList {
    }

    /** A member joined a group. */
    public record Join(String group, long pid) implements Message {
    }

    /** A member left a group (LEAVE, or PROCDOWN when its process went away). */
    public record Leave(String group, long pid, CpgReason reason) implements Message {
    }

    /** A message to a group from one of its members. */
    public record Mcast(String group, long pid, byte[] data) implements Message {
    }

    /** A node's own members of every group, sent once per new ring during CPG's sync. */
    public record JoinList(RingId ring, List<Entry> members) implements Message {
        public JoinList {
            members = List.copyOf(members);
        }
    }

    /** One (group, pid) of a join list. */
    public record Entry(String group, long pid) {
    }

    private static final byte JOIN = 1;
    private static final byte LEAVE = 2;
    private static final byte MCAST = 3;
    private static final byte JOINLIST = 4;

    static byte[] name(String group) {
        byte[] b = group.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > MAX_NAME) {
            throw new IllegalArgumentException("a CPG group name is 1 to " + MAX_NAME + " bytes of UTF-8, not "
                + b.length);
        }
        return b;
    }

    public static byte[] join(String group, long pid) {
        byte[] n = name(group);
        return ByteBuffer.allocate(4 + n.length + 8).put(VERSION).put(JOIN).putShort((short) n.length).put(n)
            .putLong(pid).array();
    }

    public static byte[] leave(String group, long pid, CpgReason reason) {
        byte[] n = name(group);
        return ByteBuffer.allocate(5 + n.length + 8).put(VERSION).put(LEAVE).putShort((short) n.length).put(n)
            .putLong(pid).put((byte) reason.code()).array();
    }

    public static byte[] mcast(String group, long pid, byte[] data) {
        byte[] n = name(group);
        return ByteBuffer.allocate(4 + n.length + 8 + 4 + data.length).put(VERSION).put(MCAST)
            .putShort((short) n.length).put(n).putLong(pid).putInt(data.length).put(data).array();
    }

    public static byte[] joinList(RingId ring, List<Entry> members) {
        if (members.size() > MAX_JOINLIST) {
            throw new IllegalArgumentException("too many local CPG members: " + members.size());
        }
        int size = 2 + 12 + 2;
        List<byte[]> names = new ArrayList<>();
        for (Entry e : members) {
            byte[] n = name(e.group());
            names.add(n);
            size += 2 + n.length + 8;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(VERSION).put(JOINLIST).putInt(ring.rep()).putLong(ring.seq())
            .putShort((short) members.size());
        for (int i = 0; i < members.size(); i++) {
            b.putShort((short) names.get(i).length).put(names.get(i)).putLong(members.get(i).pid());
        }
        return b.array();
    }

    /**
     * Decodes a message; returns null for anything malformed (wrong version or type, truncated, trailing bytes,
     * an empty or oversized name, an unknown reason), never throws.
     */
    public static Message decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != VERSION) {
                return null;
            }
            Message m = switch (b.get()) {
                case JOIN -> new Join(readName(b), b.getLong());
                case LEAVE -> {
                    String g = readName(b);
                    long pid = b.getLong();
                    CpgReason r = reason(b.get());
                    yield r == null ? null : new Leave(g, pid, r);
                }
                case MCAST -> {
                    String g = readName(b);
                    long pid = b.getLong();
                    int len = b.getInt();
                    if (len < 0 || len > b.remaining()) {
                        yield null;
                    }
                    byte[] data = new byte[len];
                    b.get(data);
                    yield new Mcast(g, pid, data);
                }
                case JOINLIST -> {
                    RingId ring = new RingId(b.getInt(), b.getLong());
                    int n = Short.toUnsignedInt(b.getShort());
                    List<Entry> entries = new ArrayList<>(Math.min(n, 1024));
                    for (int i = 0; i < n; i++) {
                        entries.add(new Entry(readName(b), b.getLong()));
                    }
                    yield new JoinList(ring, entries);
                }
                default -> null;
            };
            return m == null || b.hasRemaining() ? null : m;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String readName(ByteBuffer b) {
        int len = Short.toUnsignedInt(b.getShort());
        if (len == 0 || len > MAX_NAME || len > b.remaining()) {
            throw new IllegalArgumentException("bad name length " + len);
        }
        byte[] n = new byte[len];
        b.get(n);
        return new String(n, StandardCharsets.UTF_8);
    }

    private static CpgReason reason(byte code) {
        for (CpgReason r : CpgReason.values()) {
            if (r.code() == code) {
                return r;
            }
        }
        return null;
    }
}
