package org.vigil.kernel.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.internal.totem.Release;
import org.vigil.kernel.internal.wire.RefusedNotice;
import org.vigil.kernel.internal.wire.WireCodec;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;

/**
 * The ring driver's side of a refusal (docs/design/versioning.md): a JOIN of a release outside the rule, and a
 * datagram of a wire format this node cannot read, are answered with a REFUSED notice (format 1, at most one per
 * node every 5 s), logged once and shown in cmap; a notice received is shown in cmap on the refused side.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RingDriverRefusalTest {

    @TempDir
    Path dir;

    record Sent(int node, ByteBuffer datagram) {
    }

    static final String CFG = """
        totem {
         version: 2
         cluster_name: refusal
        }
        nodelist {
         node {
          ring0_addr: 127.0.0.1
          nodeid: 1
         }
         node {
          ring0_addr: 127.0.0.2
          nodeid: 2
         }
         node {
          ring0_addr: 127.0.0.3
          nodeid: 3
         }
        }
        """;

    /** A Totem JOIN (TotemCodec format 1) of {@code sender} alone, with the release trailer. */
    static byte[] join(int sender, Release r) {
        return ByteBuffer.allocate(6 + 13 + 4 + 14).put((byte) 1).put((byte) 3).putInt(sender)
            .put((byte) 0).putLong(1).putShort((short) 1).putShort((short) 0).putInt(sender)
            .putShort((short) 14).putShort((short) r.major()).putShort((short) r.minor()).putLong(r.features())
            .array();
    }

    static void await(String what, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(c.getAsBoolean(), what);
    }

    /** The refusal notices among what the driver sent (it also sends the links' heartbeat PINGs). */
    static List<Sent> notices(List<Sent> sent) {
        WireCodec any = new WireCodec("refusal", 9, "none", "none", null);
        return sent.stream().filter(s -> {
            WireCodec.Decoded d = any.decode(s.datagram().duplicate());
            return d.ok() && RefusedNotice.isNotice(d.payload());
        }).toList();
    }

    /** The Totem packet type of a datagram the driver sent (byte 1 of the payload; -1 for anything else). */
    static int totemType(Sent s) {
        WireCodec.Decoded d = new WireCodec("refusal", 9, "none", "none", null).decode(s.datagram().duplicate());
        return d.ok() && d.payload().length > 1 && d.payload()[0] == 1 ? d.payload()[1] : -1;
    }

    static String cmap(CmapStore cmap, String key) {
        return cmap.get(key).map(e -> e.valueString()).orElse("");
    }

    /** Node 1's driver on one ring whose every datagram sent is recorded in {@code sent}. */
    RingDriver recordingDriver(CmapStore cmap, AtomicReference<DatagramReceiver> receiver, List<Sent> sent)
        throws Exception {
        Transport.Channel channel = new Transport.Channel() {
            @Override
            public void send(int nodeId, ByteBuffer datagram) {
                sent.add(new Sent(nodeId, datagram.duplicate()));
            }

            @Override
            public void multicast(ByteBuffer datagram) {
            }

            @Override
            public void close() {
            }
        };
        return new RingDriver(VigilConfig.fromText("t.conf", CFG), 1, dir, cmap, new RingDriver.Links() {
            @Override
            public Transport.Channel channel(int ring) {
                return channel;
            }

            @Override
            public void setReceiver(DatagramReceiver r) {
                receiver.set(r);
            }
        }, null);
    }

    @Test
    void refusedJoinsAndUnreadableFormatsAreAnsweredLoggedAndShown() throws Exception {
        CmapStore cmap = new CmapStore();
        AtomicReference<DatagramReceiver> receiver = new AtomicReference<>();
        List<Sent> sent = new CopyOnWriteArrayList<>();
        RingDriver driver = recordingDriver(cmap, receiver, sent);
        Release own = Release.current();
        Release next = new Release(own.major() + 1, own.minor(), own.features());
        WireCodec node2 = new WireCodec("refusal", 2, "none", "none", null);
        WireCodec node3 = new WireCodec("refusal", 3, "none", "none", null);
        try {
            driver.start();
            assertEquals(own.version(), cmap(cmap, "runtime.totem.release"));

            // node 2 announces the next major in its JOIN, three times: refused, told once
            for (int i = 0; i < 3; i++) {
                byte[] j = join(2, next);
                receiver.get().received(0, new InetSocketAddress("127.0.0.2", 5405), node2.encode(j, 0, j.length));
            }
            String why = Release.refusal(next, own);
            await("node 2 refused in cmap", () -> why.equals(cmap(cmap, "runtime.totem.refused.2")));
            await("a notice to node 2", () -> notices(sent).stream().anyMatch(s -> s.node() == 2));
            Thread.sleep(300);
            List<Sent> to2 = notices(sent).stream().filter(s -> s.node() == 2).toList();
            assertEquals(1, to2.size(), "one notice for three JOINs (at most one per node every 5 s)");
            WireCodec.Decoded d = new WireCodec("refusal", 2, "none", "none", null).decode(to2.get(0).datagram());
            assertTrue(d.ok(), "a format-1 datagram");
            RefusedNotice n = RefusedNotice.decode(d.payload());
            assertNotNull(n);
            assertEquals(RefusedNotice.WHY_RELEASE, n.why());
            assertEquals(own.version(), n.version());
            assertEquals(next.major(), n.peerMajor());
            assertEquals(why, n.reason());

            // node 3 sends a datagram of wire format 2: answered in format 1, by its configured address
            ByteBuffer v2 = node3.encode(new byte[] {1, 2, 3}, 0, 3);
            v2.put(2, (byte) 2);
            receiver.get().received(0, new InetSocketAddress("127.0.0.3", 5405), v2);
            await("a notice to node 3", () -> notices(sent).stream().anyMatch(s -> s.node() == 3));
            RefusedNotice w = RefusedNotice.decode(node2.decode(notices(sent).stream().filter(s -> s.node() == 3)
                .findFirst().orElseThrow().datagram()).payload());
            assertEquals(RefusedNotice.WHY_WIRE_FORMAT, w.why());
            assertTrue(w.reason().startsWith("wire format 2 cannot be read by release " + own.version()), w.reason());
            assertTrue(cmap(cmap, "runtime.totem.refused.3").startsWith("wire format 2"));
            // from an address that is no configured node's: only counted
            int before = notices(sent).size();
            ByteBuffer stray = node3.encode(new byte[] {1}, 0, 1);
            stray.put(2, (byte) 7);
            receiver.get().received(0, new InetSocketAddress("127.0.0.9", 5405), stray);
            Thread.sleep(300);
            assertEquals(before, notices(sent).size(), "no notice to an unknown address");

            // the other way round: node 3 tells this node it is refused
            RefusedNotice told = new RefusedNotice(RefusedNotice.WHY_RELEASE, next.major(), next.minor(), 0,
                own.major(), own.minor(), Release.refusal(own, next));
            byte[] p = told.encode();
            receiver.get().received(0, new InetSocketAddress("127.0.0.3", 5405), node3.encode(p, 0, p.length));
            await("refused_by.3 in cmap", () -> cmap(cmap, "runtime.totem.refused_by.3")
                .equals("refused by node 3 (release " + next.version() + "): " + Release.refusal(own, next)));

            // a notice that refused another release than this node's: stale (it answers an earlier run of this
            // node, restarted since): not a refusal of this run; answered with this node's MERGE_DETECT, whose
            // release lets it in there
            RefusedNotice stale = new RefusedNotice(RefusedNotice.WHY_RELEASE, own.major(), own.minor(), 0,
                next.major(), next.minor(), Release.refusal(next, own));
            byte[] q = stale.encode();
            receiver.get().received(0, new InetSocketAddress("127.0.0.2", 5405), node2.encode(q, 0, q.length));
            await("a MERGE_DETECT to node 2", () -> sent.stream().anyMatch(s -> s.node() == 2 && totemType(s) == 2));
            await("counted in stats.wire.rx_stale_notice", () -> "1".equals(cmap(cmap, "stats.wire.rx_stale_notice")));
            assertEquals("", cmap(cmap, "runtime.totem.refused_by.2"), "not shown as a refusal");
            assertEquals("0", cmap(cmap, "stats.wire.rx_bad_notice"));
        } finally {
            driver.close();
        }
    }

    /**
     * A refused node is shown disconnected ({@code stats.knet.node<N>.link<R>.connected} 0, so that
     * {@code corosync-cfgtool -s} prints {@code disconnected (refused: ...)}) even while its link answers the
     * heartbeats: it cannot take part in the ring. Its link is up before the refusal, and again once it is lifted.
     */
    @Test
    void aRefusedNodeIsShownDisconnectedThoughItsLinkAnswers() throws Exception {
        CmapStore cmap = new CmapStore();
        AtomicReference<DatagramReceiver> receiver = new AtomicReference<>();
        List<Sent> sent = new CopyOnWriteArrayList<>();
        RingDriver driver = recordingDriver(cmap, receiver, sent);
        Release own = Release.current();
        Release next = new Release(own.major() + 1, own.minor(), own.features());
        WireCodec node2 = new WireCodec("refusal", 2, "none", "none", null);
        InetSocketAddress from2 = new InetSocketAddress("127.0.0.2", 5405);
        java.util.Set<Sent> answered = java.util.concurrent.ConcurrentHashMap.newKeySet();
        // node 2's link answers every PING sent to it
        Runnable answer = () -> {
            for (Sent s : sent) {
                WireCodec.Decoded d = node2.decode(s.datagram().duplicate());
                if (s.node() == 2 && d.ok() && LinkFrame.isLinkFrame(d.payload()) && answered.add(s)) {
                    byte[] pong = LinkFrame.decode(d.payload()).pong(1).encode();
                    receiver.get().received(0, from2, node2.encode(pong, 0, pong.length));
                }
            }
        };
        String key = "stats.knet.node2.link0.connected";
        try {
            driver.start();
            await("node 2's link up", () -> {
                answer.run();
                return "1".equals(cmap(cmap, key));
            });
            byte[] j = join(2, next);
            receiver.get().received(0, from2, node2.encode(j, 0, j.length));
            await("node 2 refused", () -> !cmap(cmap, "runtime.totem.refused.2").isEmpty());
            await("shown disconnected while its link answers", () -> {
                answer.run();
                return "0".equals(cmap(cmap, key));
            });
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < until) {
                answer.run();
                Thread.sleep(50);
            }
            assertEquals("0", cmap(cmap, key), "still disconnected: the link answers, the node is refused");

            // node 2 back on this release: let in, its link shown up again
            j = join(2, own);
            receiver.get().received(0, from2, node2.encode(j, 0, j.length));
            await("the refusal lifted and the link shown up", () -> {
                answer.run();
                return cmap(cmap, "runtime.totem.refused.2").isEmpty() && "1".equals(cmap(cmap, key));
            });
        } finally {
            driver.close();
        }
    }
}
