package org.vigil.transport.udpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.kernel.spi.Transport;
import org.vigil.kernel.spi.TransportSpec;

/** Real UDP sockets on 127.0.0.1: three udpu channels as three nodes of one ring. */
@Timeout(30)
class UdpuTransportTest {

    private final UdpuTransport transport = new UdpuTransport();
    private final List<Transport.Channel> channels = new ArrayList<>();
    private final Map<Integer, BlockingQueue<byte[]>> inbox = new HashMap<>();

    @AfterEach
    void close() {
        channels.forEach(Transport.Channel::close);
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Map<Integer, InetSocketAddress> ring(int nodes) throws IOException {
        Map<Integer, InetSocketAddress> peers = new HashMap<>();
        for (int i = 1; i <= nodes; i++) {
            peers.put(i, new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort()));
        }
        return peers;
    }

    private Transport.Channel open(int node, Map<Integer, InetSocketAddress> peers, int mtu) throws IOException {
        BlockingQueue<byte[]> q = new LinkedBlockingQueue<>();
        inbox.put(node, q);
        Transport.Channel ch = transport.open(new TransportSpec(0, peers.get(node), peers, null, 1, mtu, 0, 0),
            (ring, from, datagram) -> {
                byte[] b = new byte[datagram.remaining()];
                datagram.get(b);
                q.add(b);
            });
        channels.add(ch);
        return ch;
    }

    @Test
    void multicastReachesEveryMemberIncludingSelfAndSendReachesOne() throws Exception {
        Map<Integer, InetSocketAddress> peers = ring(3);
        Transport.Channel one = open(1, peers, 1500);
        open(2, peers, 1500);
        open(3, peers, 1500);
        byte[] msg = "hello ring".getBytes();
        ByteBuffer buf = ByteBuffer.wrap(msg.clone());
        one.multicast(buf);
        buf.clear().put(new byte[buf.capacity()]);   // the caller may reuse its buffer at once
        for (int n = 1; n <= 3; n++) {
            assertArrayEquals(msg, inbox.get(n).poll(5, TimeUnit.SECONDS), "node " + n);
        }
        one.send(3, ByteBuffer.wrap("token".getBytes()));
        assertArrayEquals("token".getBytes(), inbox.get(3).poll(5, TimeUnit.SECONDS));
        assertNull(inbox.get(2).poll(200, TimeUnit.MILLISECONDS));
        one.send(99, ByteBuffer.wrap("nobody".getBytes()));   // unknown member: silently dropped
    }

    @Test
    void datagramsUpToTheMtuArriveWhole() throws Exception {
        Map<Integer, InetSocketAddress> peers = ring(2);
        Transport.Channel one = open(1, peers, 9000);
        open(2, peers, 9000);
        byte[] big = new byte[9000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        one.send(2, ByteBuffer.wrap(big));
        assertArrayEquals(big, inbox.get(2).poll(5, TimeUnit.SECONDS));
    }

    @Test
    void aBusyPortFailsCleanlyAndAClosedPortCanBeReused() throws Exception {
        Map<Integer, InetSocketAddress> peers = ring(1);
        try (DatagramSocket squatter = new DatagramSocket(peers.get(1))) {
            assertThrows(IOException.class, () -> open(1, peers, 1500));
        }
        Transport.Channel ch = open(1, peers, 1500);
        ch.close();
        ch.close();
        Transport.Channel again = open(1, peers, 1500);
        again.send(1, ByteBuffer.wrap(new byte[] {7}));
        assertEquals(7, inbox.get(1).poll(5, TimeUnit.SECONDS)[0]);
    }

    /** Sends from several threads at once; a window of 64 in flight keeps within the kernel's socket buffer. */
    @Test
    void manyDatagramsFromSeveralThreadsAllArrive() throws Exception {
        Map<Integer, InetSocketAddress> peers = ring(2);
        Transport.Channel one = open(1, peers, 1500);
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
        int[] next = new int[2];
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(2000);
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        channels.add(transport.open(new TransportSpec(0, peers.get(2), peers, null, 1, 1500, 0, 0),
            (ring, from, datagram) -> {
                int id = datagram.getInt();
                int seq = datagram.getInt();
                if (next[id]++ != seq) {
                    errors.add("sender " + id + ": got " + seq + ", expected " + (next[id] - 1));
                }
                window.release();
                done.countDown();
            }));
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    window.acquireUninterruptibly();
                    one.send(2, ByteBuffer.allocate(8).putInt(id).putInt(i).flip());
                }
            }));
        }
        threads.forEach(Thread::start);
        assertTrue(done.await(20, TimeUnit.SECONDS), "all 2000 arrived; missing " + done.getCount());
        assertEquals(List.of(), errors, "each sender's datagrams arrive whole and in order");
    }
}
