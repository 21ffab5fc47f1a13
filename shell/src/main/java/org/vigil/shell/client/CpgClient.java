package org.vigil.shell.client;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A process's membership of one CPG group through its node's admin socket: what corosync's libcpg is to a
 * corosync client. Plain Java, no framework. The protocol is the kernel's {@code CpgClientSession}.
 *
 * <p>Use: {@link #connect}, then call {@link #mcast} from any one thread and {@link #dispatch} (blocking, until
 * the connection ends) from another. {@link #mcast} blocks while the ring pushes back.
 */
public final class CpgClient implements AutoCloseable {

    /** One member: a node and a pid. */
    public record Member(int nodeId, long pid, int reason) {
    }

    /** Receives the group's traffic, in the ring's agreed order. */
    public interface Handler {
        void deliver(int nodeId, long pid, byte[] message);

        default void configurationChanged(List<Member> members, List<Member> left, List<Member> joined) {
        }

        default void error(String message) {
        }
    }

    private static final String MAGIC = "\u0001VIGIL-CPG/1\n";

    private final SocketChannel channel;
    private final OutputStream out;
    private final DataInputStream in;
    private final long pid;

    private CpgClient(SocketChannel channel, long pid) {
        this.channel = channel;
        // Not Channels.newInputStream/newOutputStream: they share the channel's blockingLock, so a thread waiting
        // in dispatch() would block every mcast().
        this.out = new java.io.BufferedOutputStream(new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        }, 1 << 16);
        this.in = new DataInputStream(new java.io.BufferedInputStream(new java.io.InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
            }
        }, 1 << 16));
        this.pid = pid;
    }

    /**
     * Connects to the node whose state directory holds {@code socket} and joins {@code group} as member
     * {@code (node, pid)}.
     */
    public static CpgClient connect(Path socket, String group, long pid) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        CpgClient c = new CpgClient(ch, pid);
        c.out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
        byte[] name = group.getBytes(StandardCharsets.UTF_8);
        c.frame(1, ByteBuffer.allocate(8 + name.length).putLong(pid).put(name).array());
        c.out.flush();
        return c;
    }

    /** This member's pid. */
    public long pid() {
        return pid;
    }

    /** Multicasts a message to the group (agreed order, this member included). Not flushed: see {@link #flush}. */
    public synchronized void mcast(byte[] message) throws IOException {
        frame(2, message);
    }

    /**
     * Multicasts a message in safe order: delivered once every node of the configuration has it
     * ({@code CpgGuarantee.SAFE}). Not flushed: see {@link #flush}.
     */
    public synchronized void mcastSafe(byte[] message) throws IOException {
        frame(4, message);
    }

    /** Sends buffered messages now. */
    public synchronized void flush() throws IOException {
        out.flush();
    }

    /** Leaves the group (reason LEAVE); the node then closes the connection. */
    public synchronized void leave() throws IOException {
        frame(3, new byte[0]);
        out.flush();
    }

    private void frame(int type, byte[] body) throws IOException {
        out.write(type);
        out.write(ByteBuffer.allocate(4).putInt(body.length).array());
        out.write(body);
    }

    /** Reads the group's traffic and calls the handler until the connection ends. */
    public void dispatch(Handler handler) throws IOException {
        try {
            while (true) {
                int type = in.readUnsignedByte();
                int len = in.readInt();
                byte[] body = in.readNBytes(len);
                if (body.length != len) {
                    return;
                }
                ByteBuffer b = ByteBuffer.wrap(body);
                switch (type) {
                    case 1 -> {
                        List<Member> members = members(b, false);
                        List<Member> left = members(b, true);
                        List<Member> joined = members(b, true);
                        handler.configurationChanged(members, left, joined);
                    }
                    case 2 -> {
                        int node = b.getInt();
                        long from = b.getLong();
                        byte[] m = new byte[b.remaining()];
                        b.get(m);
                        handler.deliver(node, from, m);
                    }
                    case 3 -> handler.error(new String(body, StandardCharsets.UTF_8));
                    default -> throw new IOException("unknown frame type " + type + " from the node");
                }
            }
        } catch (EOFException e) {
            // the node closed the connection
        }
    }

    private static List<Member> members(ByteBuffer b, boolean withReason) {
        int n = Short.toUnsignedInt(b.getShort());
        List<Member> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Member(b.getInt(), b.getLong(), withReason ? b.get() : 1));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
