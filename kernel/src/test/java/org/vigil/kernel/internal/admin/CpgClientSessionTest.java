package org.vigil.kernel.internal.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgGuarantee;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.CpgReason;

/**
 * The node's side of an external CPG member over a real Unix socket, with a group that delivers every message
 * straight back to all joined listeners (what the ring does, without the ring): a member that sends faster than
 * it reads is slowed down and loses nothing; a member that stops reading while others send is disconnected with
 * an ERROR frame, and the node's queue stays bounded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CpgClientSessionTest {

    @TempDir
    Path dir;

    /** Delivers every mcast to every joined listener, on the caller's thread, like the ring in agreed order. */
    static final class LoopbackCpg implements Cpg {
        final List<CpgListener> listeners = new CopyOnWriteArrayList<>();
        final AtomicLong closed = new AtomicLong();
        /** The guarantee of every message sent, in order. */
        final List<CpgGuarantee> guarantees = new CopyOnWriteArrayList<>();

        @Override
        public CpgGroup join(String group, CpgListener listener) {
            return join(group, listener, 0);
        }

        @Override
        public synchronized CpgGroup join(String group, CpgListener listener, long pid) {
            listeners.add(listener);
            CpgMember me = new CpgMember(1, pid, CpgReason.JOIN);
            return new CpgGroup() {
                @Override
                public String name() {
                    return group;
                }

                @Override
                public CpgMember self() {
                    return me;
                }

                @Override
                public boolean mcast(byte[] message, CpgGuarantee guarantee) {
                    guarantees.add(guarantee);
                    deliverAll(group, me, message);
                    return true;
                }

                @Override
                public List<CpgMember> members() {
                    return List.of(me);
                }

                @Override
                public void close() {
                    listeners.remove(listener);
                    closed.incrementAndGet();
                }
            };
        }

        synchronized void deliverAll(String group, CpgMember from, byte[] message) {
            for (CpgListener l : listeners) {
                l.deliver(group, from, message);
            }
        }

        @Override
        public Map<String, List<CpgMember>> groups() {
            return Map.of();
        }
    }

    /** A connected client socket whose node side runs a session on its own thread. */
    private SocketChannel connect(Cpg cpg, String name) throws IOException {
        Path sock = dir.resolve(name + ".sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(sock));
        SocketChannel nodeSide = server.accept();
        server.close();
        Thread t = new Thread(() -> {
            try (nodeSide) {
                new CpgClientSession(cpg, ChannelStreams.in(nodeSide), ChannelStreams.out(nodeSide), nodeSide).run();
            } catch (IOException e) {
                // the client went away
            }
        }, "session-" + name);
        t.setDaemon(true);
        t.start();
        return client;
    }

    private static void frame(SocketChannel ch, int type, byte[] body) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(body.length).put(body).flip();
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void join(SocketChannel ch, String group) throws IOException {
        byte[] name = group.getBytes(StandardCharsets.UTF_8);
        frame(ch, 1, ByteBuffer.allocate(8 + name.length).putLong(ProcessHandle.current().pid()).put(name).array());
    }

    @Test
    void aSafeFrameIsSentWithTheSafeGuaranteeAndAPlainOneAgreed() throws Exception {
        LoopbackCpg cpg = new LoopbackCpg();
        SocketChannel client = connect(cpg, "safe");
        join(client, "g");
        frame(client, 2, "plain".getBytes(StandardCharsets.UTF_8));
        frame(client, 4, "safe".getBytes(StandardCharsets.UTF_8));
        frame(client, 2, "plain again".getBytes(StandardCharsets.UTF_8));
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(client)));
        List<String> delivered = new java.util.ArrayList<>();
        while (delivered.size() < 3) {
            int type = in.readUnsignedByte();
            byte[] body = in.readNBytes(in.readInt());
            if (type == 3) {
                fail("disconnected: " + new String(body, StandardCharsets.UTF_8));
            }
            if (type == 2) {
                delivered.add(new String(body, 12, body.length - 12, StandardCharsets.UTF_8));
            }
        }
        assertEquals(List.of("plain", "safe", "plain again"), delivered);
        assertEquals(List.of(CpgGuarantee.AGREED, CpgGuarantee.SAFE, CpgGuarantee.AGREED), cpg.guarantees);
        client.close();
    }

    @Test
    void aMemberThatSendsFasterThanItReadsIsSlowedDownAndLosesNothing() throws Exception {
        LoopbackCpg cpg = new LoopbackCpg();
        SocketChannel client = connect(cpg, "fast");
        join(client, "g");
        int size = 4096;
        int count = 25_000;   // 100 MiB of deliveries: more than the node ever queues for one client
        AtomicLong written = new AtomicLong();
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    byte[] m = new byte[size];
                    ByteBuffer.wrap(m).putInt(i);
                    frame(client, 2, m);
                    written.incrementAndGet();
                }
            } catch (IOException e) {
                // reported below through the count
            }
        }, "sender");
        sender.start();
        // Nobody reads yet: the node must stop reading this client instead of queueing all of it.
        long before;
        long after = written.get();
        do {
            before = after;
            Thread.sleep(500);
            after = written.get();
        } while (after != before);
        assertTrue(after < count, "the sender was never slowed down: it wrote all " + count + " messages");
        // Now read everything: every message arrives, once, in order, and no ERROR frame.
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(client)));
        int next = 0;
        while (next < count) {
            int type = in.readUnsignedByte();
            byte[] body = in.readNBytes(in.readInt());
            if (type == 3) {
                fail("disconnected: " + new String(body, StandardCharsets.UTF_8));
            }
            if (type == 2) {
                assertEquals(next, ByteBuffer.wrap(body, 12, 4).getInt(), "delivery order");
                next++;
            }
        }
        sender.join(10_000);
        assertEquals(count, written.get());
        client.close();
    }

    @Test
    void aMemberThatStopsReadingIsDisconnectedWithAReasonAndTheQueueStaysBounded() throws Exception {
        LoopbackCpg cpg = new LoopbackCpg();
        SocketChannel idle = connect(cpg, "idle");
        join(idle, "g");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cpg.listeners.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, cpg.listeners.size());
        CpgMember other = new CpgMember(2, 42, CpgReason.JOIN);
        byte[] m = new byte[64 * 1024];
        // 4 × the node's limit, from another member; the idle client reads nothing meanwhile
        long total = 4 * CpgClientSession.MAX_QUEUED_BYTES / m.length;
        for (long i = 0; i < total; i++) {
            cpg.deliverAll("g", other, m);
        }
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(idle)));
        long deliveries = 0;
        String error = null;
        try {
            while (true) {
                int type = in.readUnsignedByte();
                byte[] body = in.readNBytes(in.readInt());
                if (type == 2) {
                    deliveries++;
                } else if (type == 3) {
                    error = new String(body, StandardCharsets.UTF_8);
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            // the node closed the connection
        }
        assertTrue(error != null && error.contains("did not read"), "ERROR frame naming the reason: " + error);
        // what the node queued, plus what sat in its write buffer and the socket buffers (a few MiB at most)
        assertTrue(deliveries > 0 && deliveries * m.length <= CpgClientSession.MAX_QUEUED_BYTES + (8 << 20),
            "deliveries before the disconnection stay within the limit: " + deliveries + " of " + total);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cpg.listeners.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(cpg.listeners.isEmpty(), "the disconnected client left the group");
        idle.close();
    }
}
