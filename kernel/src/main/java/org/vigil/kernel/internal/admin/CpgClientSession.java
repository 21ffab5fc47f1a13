package org.vigil.kernel.internal.admin;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgGuarantee;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;

/**
 * One external process as a CPG member, over the admin socket (what libcpg is to corosync): after the line
 * {@value #MAGIC} the connection carries frames {@code [u8 type][u32 length][bytes]}.
 *
 * <pre>
 * client -> node   1 JOIN    u64 pid, then the group name (UTF-8)      (first frame, exactly once)
 *                  2 MCAST   the message (agreed order, to every member, sender included)
 *                  3 LEAVE   (empty) leave with reason LEAVE; the node then closes the connection
 *                  4 MCAST_SAFE  the message, in safe order ({@link org.vigil.kernel.api.CpgGuarantee#SAFE})
 * node -> client   1 CONFCHG u16 n, n × (u32 node, u64 pid)  members
 *                            u16 n, n × (u32 node, u64 pid, u8 reason)  left, then the same for joined
 *                  2 DELIVER u32 node, u64 pid, then the message
 *                  3 ERROR   UTF-8 text; the node then closes the connection
 * </pre>
 * A closed connection leaves the group with reason PROCDOWN. Flow control: while the ring pushes back, or while
 * more than {@value #SEND_PAUSE_BYTES} bytes of deliveries wait for this client to read them, the node stops
 * reading the client's frames (the socket buffers fill and the client's writes block), so a member that sends
 * faster than it reads is slowed down to its own reading speed instead of being dropped. Deliveries wait in a
 * bounded queue ({@value #MAX_QUEUED_BYTES} bytes, counting a per-frame overhead); a client that stops reading
 * while the others keep sending is disconnected with an ERROR frame rather than let the node's memory grow.
 */
final class CpgClientSession implements CpgListener {

    static final String MAGIC = "\u0001VIGIL-CPG/1";
    private static final int MAX_FRAME = org.vigil.kernel.internal.totem.TotemSrp.MAX_MESSAGE - 512;
    static final long MAX_QUEUED_BYTES = 64L << 20;
    static final long SEND_PAUSE_BYTES = 8L << 20;
    /** What a queued frame costs besides its bytes (array header, queue node). */
    private static final int FRAME_OVERHEAD = 48;
    private static final byte[] STOP = new byte[0];

    private final Cpg cpg;
    private final InputStream in;
    private final OutputStream out;
    private final BlockingQueue<byte[]> outbound = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean overflow = new AtomicBoolean();

    private final java.io.Closeable connection;

    /**
     * @param in         the connection after the {@value #MAGIC} line (read through a buffer from here on)
     * @param out        the connection's raw output (written through a buffer, flushed when nothing waits)
     * @param connection closed when this client is disconnected for not reading
     */
    CpgClientSession(Cpg cpg, InputStream in, OutputStream out, java.io.Closeable connection) {
        this.cpg = cpg;
        this.in = new java.io.BufferedInputStream(in, 64 * 1024);
        this.out = new java.io.BufferedOutputStream(out, 64 * 1024);
        this.connection = connection;
    }

    /** Serves the connection until the client leaves or goes away; runs on the connection's thread. */
    void run() throws IOException {
        Thread writer = new Thread(this::writeLoop, "vigil-cpg-client-writer");
        writer.setDaemon(true);
        writer.start();
        CpgGroup group = null;
        DataInputStream din = new DataInputStream(in);
        try {
            while (true) {
                int type;
                byte[] body;
                try {
                    type = din.readUnsignedByte();
                    int len = din.readInt();
                    if (len < 0 || len > MAX_FRAME) {
                        error("frame of " + len + " bytes (the limit is " + MAX_FRAME + ")");
                        return;
                    }
                    body = din.readNBytes(len);
                    if (body.length != len) {
                        return;
                    }
                } catch (EOFException e) {
                    return;
                } catch (IOException e) {
                    if (overflow.get()) {
                        return;   // disconnected for not reading: the writer closed the connection
                    }
                    throw e;
                }
                if (overflow.get()) {
                    return;
                }
                switch (type) {
                    case 1 -> {
                        if (group != null || body.length < 9) {
                            error(group != null ? "already joined" : "malformed JOIN");
                            return;
                        }
                        ByteBuffer b = ByteBuffer.wrap(body);
                        long pid = b.getLong();
                        String name = new String(body, 8, body.length - 8, StandardCharsets.UTF_8);
                        try {
                            group = cpg.join(name, this, pid);
                        } catch (IllegalArgumentException | IllegalStateException e) {
                            error(e.getMessage());
                            return;
                        }
                    }
                    case 2, 4 -> {
                        if (group == null) {
                            error("MCAST before JOIN (CPG groups are closed)");
                            return;
                        }
                        // this client has not read what was delivered to it: stop reading, so it blocks
                        while (queuedBytes.get() > SEND_PAUSE_BYTES && !overflow.get()) {
                            sleepQuietly();
                        }
                        CpgGuarantee guarantee = type == 4 ? CpgGuarantee.SAFE : CpgGuarantee.AGREED;
                        while (!overflow.get() && !group.mcast(body, guarantee)) {
                            sleepQuietly();   // the ring pushes back: stop reading, so the client blocks
                        }
                        if (overflow.get()) {
                            return;
                        }
                    }
                    case 3 -> {
                        if (group != null) {
                            group.close();
                            group = null;
                        }
                        return;
                    }
                    default -> {
                        error("unknown frame type " + type);
                        return;
                    }
                }
            }
        } finally {
            if (group != null) {
                org.vigil.kernel.internal.cpg.CpgEngine.procDown(group);
            }
            outbound.offer(STOP);
            try {
                writer.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void error(String message) {
        enqueue(frame(3, message.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] frame(int type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(body.length).put(body).array();
    }

    private void enqueue(byte[] f) {
        if (overflow.get()) {
            return;
        }
        if (queuedBytes.addAndGet(f.length + FRAME_OVERHEAD) > MAX_QUEUED_BYTES) {
            overflow.set(true);
            byte[] why = ("this client did not read " + MAX_QUEUED_BYTES + " bytes of deliveries; disconnected")
                .getBytes(StandardCharsets.UTF_8);
            outbound.offer(frame(3, why));
            return;
        }
        outbound.offer(f);
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] f = outbound.poll(1, TimeUnit.SECONDS);
                if (f == STOP || (f == null && overflow.get())) {
                    out.flush();
                    return;
                }
                if (f == null) {
                    continue;
                }
                queuedBytes.addAndGet(-(f.length + FRAME_OVERHEAD));
                out.write(f);
                if (f[0] == 3 && overflow.get()) {
                    out.flush();   // the overflow notice: nothing after it
                    connection.close();
                    return;
                }
                if (outbound.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            overflow.set(true);   // the client is gone: the reader ends at its next frame
        }
    }

    @Override
    public void deliver(String group, CpgMember sender, byte[] message) {
        byte[] body = ByteBuffer.allocate(12 + message.length).putInt(sender.nodeId()).putLong(sender.pid())
            .put(message).array();
        enqueue(frame(2, body));
    }

    @Override
    public void configurationChanged(String group, List<CpgMember> members, List<CpgMember> left,
                                     List<CpgMember> joined) {
        ByteBuffer b = ByteBuffer.allocate(6 + 12 * members.size() + 13 * (left.size() + joined.size()));
        b.putShort((short) members.size());
        for (CpgMember m : members) {
            b.putInt(m.nodeId()).putLong(m.pid());
        }
        for (List<CpgMember> l : List.of(left, joined)) {
            b.putShort((short) l.size());
            for (CpgMember m : l) {
                b.putInt(m.nodeId()).putLong(m.pid()).put((byte) m.reason().code());
            }
        }
        enqueue(frame(1, b.array()));
    }
}
