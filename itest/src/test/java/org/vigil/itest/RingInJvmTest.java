package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.internal.ring.RingDriver;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;
import org.vigil.kernel.spi.TransportSpec;
import org.vigil.transport.udpu.UdpuTransport;

/**
 * The ring tests of {@code RingNetnsIT} in one JVM, for speed: three ring drivers on real UDP sockets on
 * 127.0.0.1 (the udpu transport), with faults injected between the sockets and the drivers (crash, partition,
 * random loss, a wrong key, garbage datagrams).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RingInJvmTest {

    /** One node: its driver, cmap and the fault filter on its receive path. */
    static final class Node {
        final int id;
        final CmapStore cmap = new CmapStore();
        final Set<Integer> blockedFrom = ConcurrentHashMap.newKeySet();
        volatile int lossPercent;
        final Random rnd;
        Transport.Channel channel;
        RingDriver driver;

        Node(int id) {
            this.id = id;
            this.rnd = new Random(id);
        }

        String members() {
            return cmap.get("runtime.totem.members").map(CmapEntry::valueString).orElse("");
        }
    }

    final Map<Integer, Node> nodes = new HashMap<>();
    final List<Path> dirs = new ArrayList<>();
    int basePort;
    VigilConfig config;

    @AfterEach
    void stop() {
        for (Node n : nodes.values()) {
            if (n.driver != null) {
                n.driver.halt();
            }
            if (n.channel != null) {
                n.channel.close();
            }
        }
    }

    void configure(String totemExtra) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            basePort = Math.min(s.getLocalPort(), 60000);
        }
        StringBuilder c = new StringBuilder("totem {\n version: 2\n cluster_name: injvm\n token: 1000\n")
            .append(totemExtra).append("}\nnodelist {\n");
        for (int i = 1; i <= 3; i++) {
            c.append(" node {\n  ring0_addr: 127.0.0.1\n  ring0_port: ").append(basePort + i).append("\n  nodeid: ")
                .append(i).append("\n }\n");
        }
        config = VigilConfig.fromText("injvm.conf", c.append("}\n").toString());
    }

    Node start(int id, byte[] key) throws Exception {
        Node n = nodes.computeIfAbsent(id, Node::new);
        Path dir = Files.createTempDirectory("vigil-injvm-" + id);
        dirs.add(dir);
        Map<Integer, InetSocketAddress> peers = new HashMap<>();
        for (VigilConfig.Node cn : config.nodes()) {
            peers.put(cn.nodeId(), new InetSocketAddress(InetAddress.getLoopbackAddress(), cn.ports().get(0)));
        }
        DatagramReceiver[] receiver = {(r, f, d) -> { }};
        n.channel = new UdpuTransport().open(new TransportSpec(0, peers.get(id), peers, null, 1, 1500, 0, 0),
            (ring, from, datagram) -> {
                if (n.lossPercent > 0 && n.rnd.nextInt(100) < n.lossPercent) {
                    return;
                }
                int fromPort = from.getPort();
                for (int b : n.blockedFrom) {
                    if (fromPort == basePort + b) {
                        return;
                    }
                }
                receiver[0].received(ring, from, datagram);
            });
        n.driver = new RingDriver(config, id, dir, n.cmap, new RingDriver.Links() {
            @Override
            public Transport.Channel channel(int ring) {
                return n.channel;
            }

            @Override
            public void setReceiver(DatagramReceiver r) {
                receiver[0] = r;
            }
        }, key).start();
        return n;
    }

    void crash(int id) {
        Node n = nodes.get(id);
        n.driver.halt();
        n.channel.close();
        n.driver = null;
        n.channel = null;
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    void awaitMembers(String expected, int... ids) throws InterruptedException {
        for (int id : ids) {
            await("node" + id + " members " + expected + " (now " + nodes.get(id).members() + ")",
                () -> expected.equals(nodes.get(id).members()));
        }
    }

    @Test
    void ringFormsSurvivesACrashSplitsAndMerges() throws Exception {
        configure("");
        for (int i = 1; i <= 3; i++) {
            start(i, null);
        }
        awaitMembers("1 2 3", 1, 2, 3);
        crash(3);
        awaitMembers("1 2", 1, 2);
        assertEquals("left", nodes.get(1).cmap.get("runtime.members.3.status").orElseThrow().valueString());
        start(3, null);
        awaitMembers("1 2 3", 1, 2, 3);
        assertEquals("2", nodes.get(1).cmap.get("runtime.members.3.join_count").orElseThrow().valueString());
        nodes.get(1).blockedFrom.addAll(Set.of(2, 3));
        nodes.get(2).blockedFrom.add(1);
        nodes.get(3).blockedFrom.add(1);
        awaitMembers("1", 1);
        awaitMembers("2 3", 2, 3);
        for (Node n : nodes.values()) {
            n.blockedFrom.clear();
        }
        awaitMembers("1 2 3", 1, 2, 3);
    }

    @Test
    void cpgMessagesArriveCompleteAndInOrderThroughTwentyPercentLoss() throws Exception {
        configure("");
        for (int i = 1; i <= 3; i++) {
            start(i, null);
        }
        awaitMembers("1 2 3", 1, 2, 3);
        Map<Integer, List<Long>> got = new HashMap<>();
        List<CpgGroup> groups = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            List<Long> seen = new CopyOnWriteArrayList<>();
            got.put(i, seen);
            groups.add(nodes.get(i).driver.cpg().join("lossy", new CpgListener() {
                @Override
                public void deliver(String group, CpgMember sender, byte[] message) {
                    seen.add(ByteBuffer.wrap(message).getLong());
                }

                @Override
                public void configurationChanged(String g, List<CpgMember> m, List<CpgMember> l, List<CpgMember> j) {
                }
            }));
        }
        await("3 members in the group", () -> groups.get(0).members().size() == 3);
        for (Node n : nodes.values()) {
            n.lossPercent = 20;
        }
        int count = 2000;
        for (long s = 0; s < count; s++) {
            byte[] m = ByteBuffer.allocate(s % 10 == 0 ? 3000 : 64).putLong(s).array();
            while (!groups.get(0).mcast(m)) {
                Thread.sleep(1);
            }
        }
        await("every message at every node", () -> got.values().stream().allMatch(l -> l.size() >= count));
        for (Node n : nodes.values()) {
            n.lossPercent = 0;
        }
        List<Long> expected = new ArrayList<>();
        for (long s = 0; s < count; s++) {
            expected.add(s);
        }
        for (int i = 1; i <= 3; i++) {
            assertEquals(expected, got.get(i), "node" + i + ": all messages, once, in order");
        }
    }

    /**
     * The {@code stats.wire.*} drop counters of {@code n} except authentication failures (node 3's wrong key) and
     * its own multicasts looped back (they grow with the ring's own traffic: CI once saw 5007 of 5000), summed; only
     * what was received ({@code rx_}): a garbage datagram whose first byte reads as another wire format, from the
     * address of node 3 (outside the ring; every node here is 127.0.0.1), is counted in {@code rx_bad_version} and
     * also answered with a REFUSED notice ({@code tx_refused_notice}, at most one per node every 5 s; CI saw 5001).
     */
    static long garbageDrops(Node n) {
        long sum = 0;
        for (CmapEntry e : n.cmap.iterate("stats.wire.rx_")) {
            if (!e.key().equals("stats.wire.rx_auth_failed") && !e.key().equals("stats.wire.rx_own_looped")) {
                sum += e.longValue();
            }
        }
        return sum;
    }

    @Test
    void aNodeWithTheWrongKeyNeverJoinsAndGarbageIsCounted() throws Exception {
        configure(" crypto_cipher: aes256\n crypto_hash: sha256\n");
        byte[] key = new byte[256];
        new Random(1).nextBytes(key);
        byte[] wrong = new byte[256];
        new Random(2).nextBytes(wrong);
        start(1, key);
        start(2, key);
        awaitMembers("1 2", 1, 2);
        String ring = nodes.get(1).cmap.get("runtime.totem.ring_id").orElseThrow().valueString();
        start(3, wrong);
        Thread.sleep(5000);
        assertEquals("1 2", nodes.get(1).members());
        assertEquals("3", nodes.get(3).members());
        assertEquals(ring, nodes.get(1).cmap.get("runtime.totem.ring_id").orElseThrow().valueString());
        await("auth failures counted", () -> nodes.get(1).cmap.get("stats.wire.rx_auth_failed")
            .map(e -> e.longValue() > 0).orElse(false));
        // Node 3's wrong-key datagrams keep arriving (rx_auth_failed): count only what the garbage can cause, as a
        // delta, so nothing node 1 counted before can stand in for it.
        long before = garbageDrops(nodes.get(1));
        int garbage = 5000;
        Random rnd = new Random(3);
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < garbage; i++) {
                byte[] g = new byte[rnd.nextInt(1400)];
                rnd.nextBytes(g);
                s.send(new DatagramPacket(g, g.length, InetAddress.getLoopbackAddress(), basePort + 1));
                if (i % 100 == 99) {
                    Thread.sleep(5);
                }
            }
        }
        // Loopback UDP may still drop a few under a loaded machine (the socket buffer): 98 % must be counted.
        int least = garbage * 98 / 100;
        await("the " + garbage + " garbage datagrams counted", () -> garbageDrops(nodes.get(1)) - before >= least);
        Thread.sleep(1500);   // counters are published every 500 ms: anything counted twice would show by now
        long counted = garbageDrops(nodes.get(1)) - before;
        assertTrue(counted >= least && counted <= garbage, counted + " of " + garbage + " garbage datagrams counted "
            + "(each at most once)");
        assertEquals("1 2", nodes.get(1).members());
        assertEquals(ring, nodes.get(1).cmap.get("runtime.totem.ring_id").orElseThrow().valueString());
    }
}
