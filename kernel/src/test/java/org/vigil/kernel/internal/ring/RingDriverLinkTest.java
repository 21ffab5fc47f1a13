package org.vigil.kernel.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.internal.wire.WireCodec;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;

/**
 * The ring driver's heartbeats, with the transports replaced by a recorder: it PINGs the peer on both rings,
 * sealed with the cluster key; a sealed PONG from the peer brings the link up with a latency in cmap; a PING from
 * the peer is answered on the ring it came on; garbage link frames (sealed, so they pass authentication) and
 * unsealed ones are counted and dropped, and the node keeps answering.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingDriverLinkTest {

    @TempDir
    Path dir;

    record Sent(int ring, int node, byte[] payload) {
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    static long stat(CmapStore cmap, String key) {
        return cmap.get(key).map(CmapEntry::longValue).orElse(-1L);
    }

    static final String CONF = """
            totem {
             version: 2
             cluster_name: links
             token: 1000
             rrp_mode: passive
             crypto_cipher: aes256
             crypto_hash: sha256
             interface {
              ringnumber: 0
             }
             interface {
              ringnumber: 1
             }
            }
            nodelist {
             node {
              ring0_addr: 127.0.0.1
              ring0_port: 47711
              ring1_addr: 127.0.0.1
              ring1_port: 47811
              nodeid: 1
             }
             node {
              ring0_addr: 127.0.0.2
              ring0_port: 47712
              ring1_addr: 127.0.0.2
              ring1_port: 47812
              nodeid: 2
             }
            }
            """;

    /** What node 2 does with a link frame node 1 sent it on a ring (already unsealed). */
    interface Node2 {
        void got(int ring, int nodeId, byte[] payload);
    }

    static byte[] key() {
        byte[] key = new byte[128];
        new Random(3).nextBytes(key);
        return key;
    }

    /** Node 1's driver on two recorded rings: every link frame it sends goes to {@code node2}, unsealed. */
    RingDriver driver(CmapStore cmap, WireCodec peer, AtomicReference<DatagramReceiver> receiver, Node2 node2)
        throws Exception {
        Transport.Channel[] channels = new Transport.Channel[2];
        for (int r = 0; r < 2; r++) {
            int ring = r;
            channels[r] = new Transport.Channel() {
                @Override
                public void send(int nodeId, ByteBuffer datagram) {
                    WireCodec.Decoded d = peer.decode(datagram);
                    if (d.ok() && LinkFrame.isLinkFrame(d.payload())) {
                        node2.got(ring, nodeId, d.payload());
                    }
                }

                @Override
                public void multicast(ByteBuffer datagram) {
                }

                @Override
                public void close() {
                }
            };
        }
        return new RingDriver(VigilConfig.fromText("t.conf", CONF), 1, dir, cmap, new RingDriver.Links() {
            @Override
            public Transport.Channel channel(int ring) {
                return channels[ring];
            }

            @Override
            public void setReceiver(DatagramReceiver r) {
                receiver.set(r);
            }
        }, key());
    }

    @Test
    void pingsBothRingsAnswersPingsAndDropsGarbage() throws Exception {
        WireCodec peer = new WireCodec("links", 2, "aes256", "sha256", key());
        CmapStore cmap = new CmapStore();
        List<Sent> sent = new CopyOnWriteArrayList<>();
        AtomicReference<DatagramReceiver> receiver = new AtomicReference<>();
        RingDriver driver = driver(cmap, peer, receiver, (ring, nodeId, payload) -> sent.add(new Sent(ring, nodeId, payload)));
        InetSocketAddress[] from = {new InetSocketAddress("127.0.0.2", 47712), new InetSocketAddress("127.0.0.2", 47812)};
        try {
            driver.start();
            await("pings to node 2 on both rings", () -> sent.stream().filter(s -> s.ring() == 0).count() >= 3
                && sent.stream().filter(s -> s.ring() == 1).count() >= 3);
            for (Sent s : sent) {
                LinkFrame f = LinkFrame.decode(s.payload());
                assertNotNull(f);
                assertEquals(LinkFrame.PING, f.code());
                assertEquals(2, s.node());
                assertEquals(s.ring(), f.link(), "a ping names the link it is sent on");
                assertEquals(2, f.target());
            }
            // node 2 answers the pings on ring 0 only
            Thread.sleep(5);
            int answered = 0;
            for (Sent s : sent) {
                if (s.ring() == 0) {
                    byte[] pong = LinkFrame.decode(s.payload()).pong(1).encode();
                    receiver.get().received(0, from[0], peer.encode(pong, 0, pong.length));
                    answered++;
                }
            }
            assertTrue(answered >= 2);
            await("link 0 of node 2 up with its samples, link 1 not", () ->
                stat(cmap, "stats.knet.node2.link0.connected") == 1
                && stat(cmap, "stats.knet.node2.link0.latency_samples") >= 2
                && stat(cmap, "stats.knet.node2.link1.connected") == 0);
            assertTrue(stat(cmap, "stats.knet.node2.link0.latency_ave") > 0, "a round trip of at least 5 ms");
            assertTrue(stat(cmap, "stats.knet.node2.link0.latency_max") >= 5000);
            assertEquals(0, stat(cmap, "stats.knet.node2.link1.latency_samples"));
            assertEquals(1, stat(cmap, "stats.knet.node1.link0.connected"), "this node");

            // node 2 pings node 1 on ring 1: answered on ring 1
            sent.clear();
            byte[] ping = new LinkFrame(LinkFrame.PING, 1, 1, 42).encode();
            receiver.get().received(1, from[1], peer.encode(ping, 0, ping.length));
            await("a pong on ring 1", () -> sent.stream().anyMatch(s -> s.ring() == 1
                && LinkFrame.decode(s.payload()).code() == LinkFrame.PONG));
            Sent pong = sent.stream().filter(s -> LinkFrame.decode(s.payload()).code() == LinkFrame.PONG)
                .findFirst().orElseThrow();
            assertEquals(new LinkFrame(LinkFrame.PONG, 1, 2, 42), LinkFrame.decode(pong.payload()), "to node 2, the pinger");

            // garbage: sealed (authenticated) link frames that are short, name another link or node; random bytes
            long malformedBefore = Math.max(0, stat(cmap, "stats.wire.rx_link_malformed"));
            byte[][] bad = {{(byte) 0x80}, {(byte) 0x81, 0, 0}, {(byte) 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
                new LinkFrame(LinkFrame.PING, 0, 1, 1).encode(), new LinkFrame(LinkFrame.PING, 1, 3, 1).encode()};
            for (byte[] b : bad) {
                receiver.get().received(1, from[1], peer.encode(b, 0, b.length));
            }
            await("each bad frame counted", () -> stat(cmap, "stats.wire.rx_link_malformed")
                == malformedBefore + bad.length);
            Random rnd = new Random(7);
            long authFailedBefore = Math.max(0, stat(cmap, "stats.wire.rx_auth_failed"));
            for (int i = 0; i < 20_000; i++) {
                byte[] b = new byte[1 + rnd.nextInt(60)];
                rnd.nextBytes(b);
                b[0] = (byte) (0x80 | b[0]);
                receiver.get().received(rnd.nextInt(2), from[0], peer.encode(b, 0, b.length));
                // and unsealed ones: they fail authentication before anything reads them
                receiver.get().received(rnd.nextInt(2), from[0], ByteBuffer.wrap(b));
            }
            await("malformed link frames counted", () -> stat(cmap, "stats.wire.rx_link_malformed")
                >= malformedBefore + bad.length);
            await("unsealed garbage dropped before parsing", () -> stat(cmap, "stats.wire.rx_too_short")
                + stat(cmap, "stats.wire.rx_bad_magic") + Math.max(0, stat(cmap, "stats.wire.rx_auth_failed"))
                >= authFailedBefore + 1);
            // still answering
            sent.clear();
            ping = new LinkFrame(LinkFrame.PING, 0, 1, 43).encode();
            Thread.sleep(2000);   // the garbage may have used the PONG budget: let it refill
            receiver.get().received(0, from[0], peer.encode(ping, 0, ping.length));
            await("a pong after the garbage", () -> sent.stream().anyMatch(s -> s.ring() == 0
                && LinkFrame.decode(s.payload()).code() == LinkFrame.PONG));
        } finally {
            driver.close();
        }
    }

    /**
     * Ring 1's heartbeats go unanswered while ring 0's are answered: ring 1 is marked faulty (corosync 2's passive
     * rrp); once node 2 answers on ring 1 again, the ring is re-enabled by itself after
     * rrp_autorecovery_check_timeout (corosync 2's "Automatically recovered ring 1"), with no corosync-cfgtool -r.
     */
    @Test
    void aSilentRingIsMarkedFaultyAndRecoversByItselfWhenItsLinkAnswers() throws Exception {
        WireCodec peer = new WireCodec("links", 2, "aes256", "sha256", key());
        CmapStore cmap = new CmapStore();
        AtomicReference<DatagramReceiver> receiver = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicIntegerArray answering = new java.util.concurrent.atomic.AtomicIntegerArray(new int[] {1, 0});
        InetSocketAddress[] from = {new InetSocketAddress("127.0.0.2", 47712), new InetSocketAddress("127.0.0.2", 47812)};
        java.util.concurrent.ExecutorService node2 = java.util.concurrent.Executors.newSingleThreadExecutor();
        RingDriver driver = driver(cmap, peer, receiver, (ring, nodeId, payload) -> {
            LinkFrame f = LinkFrame.decode(payload);
            if (answering.get(ring) == 1 && f != null && f.code() == LinkFrame.PING) {
                byte[] pong = f.pong(1).encode();
                node2.execute(() -> receiver.get().received(ring, from[ring], peer.encode(pong, 0, pong.length)));
            }
        });
        try {
            driver.start();
            await("ring 1 faulty, ring 0 connected", () -> stat(cmap, "runtime.totem.link.1.faulty") == 1
                && stat(cmap, "stats.knet.node2.link0.connected") == 1);
            assertEquals(0, stat(cmap, "stats.knet.node2.link1.connected"));
            assertTrue(cmap.get("runtime.totem.link.1.fault_reason").isPresent());
            assertTrue(stat(cmap, "runtime.totem.link.0.faulty") <= 0, "ring 0 works");
            answering.set(1, 1);
            await("ring 1 recovered by itself", () -> stat(cmap, "runtime.totem.link.1.faulty") == 0
                && stat(cmap, "stats.knet.node2.link1.connected") == 1);
            assertTrue(cmap.get("runtime.totem.link.1.fault_reason").isEmpty());
        } finally {
            driver.close();
            node2.shutdownNow();
        }
    }
}
