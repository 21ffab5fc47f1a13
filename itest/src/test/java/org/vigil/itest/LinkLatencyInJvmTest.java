package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.internal.ring.RingDriver;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;
import org.vigil.kernel.spi.TransportSpec;
import org.vigil.transport.udpu.UdpuTransport;

/**
 * Per-link heartbeats on a real 3-node ring in one JVM: two redundant rings (rrp passive, AES-GCM) on real UDP
 * sockets on 127.0.0.1 (the udpu transport). Every node measures a round trip to every other node on both links
 * (cmap {@code stats.knet.node<N>.link<R>.latency_*}), and a link whose datagrams are dropped (ring 1 between
 * nodes 1 and 2, in both directions) goes down on both ends while every other link stays up and the membership
 * does not change; it comes back up when the datagrams flow again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkLatencyInJvmTest {

    static final class Node {
        final int id;
        final CmapStore cmap = new CmapStore();
        /** (ring, node) pairs whose datagrams this node drops. */
        final Set<List<Integer>> blocked = ConcurrentHashMap.newKeySet();
        final Transport.Channel[] channels = new Transport.Channel[2];
        RingDriver driver;

        Node(int id) {
            this.id = id;
        }

        long stat(String key) {
            return cmap.get(key).map(CmapEntry::longValue).orElse(-1L);
        }

        String members() {
            return cmap.get("runtime.totem.members").map(CmapEntry::valueString).orElse("");
        }
    }

    final Map<Integer, Node> nodes = new HashMap<>();
    int basePort;
    VigilConfig config;

    @AfterEach
    void stop() {
        for (Node n : nodes.values()) {
            if (n.driver != null) {
                n.driver.halt();
            }
            for (Transport.Channel ch : n.channels) {
                if (ch != null) {
                    ch.close();
                }
            }
        }
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    int port(int ring, int node) {
        return basePort + 100 * ring + node;
    }

    void start(int id, byte[] key) throws Exception {
        Node n = nodes.computeIfAbsent(id, Node::new);
        DatagramReceiver[] receiver = {(r, f, d) -> { }};
        for (int ring = 0; ring < 2; ring++) {
            Map<Integer, InetSocketAddress> peers = new HashMap<>();
            for (int p = 1; p <= 3; p++) {
                peers.put(p, new InetSocketAddress(InetAddress.getLoopbackAddress(), port(ring, p)));
            }
            n.channels[ring] = new UdpuTransport().open(new TransportSpec(ring, peers.get(id), peers, null, 1, 1500,
                0, 0), (r, from, datagram) -> {
                    int sender = from.getPort() - basePort - 100 * r;
                    if (!n.blocked.contains(List.of(r, sender))) {
                        receiver[0].received(r, from, datagram);
                    }
                });
        }
        n.driver = new RingDriver(config, id, Files.createTempDirectory("vigil-links-" + id), n.cmap,
            new RingDriver.Links() {
                @Override
                public Transport.Channel channel(int ring) {
                    return n.channels[ring];
                }

                @Override
                public void setReceiver(DatagramReceiver r) {
                    receiver[0] = r;
                }
            }, key).start();
    }

    static String k(int node, int link, String what) {
        return "stats.knet.node" + node + ".link" + link + "." + what;
    }

    @Test
    void everyNodeMeasuresEveryPeerOnEveryLinkAndABlockedLinkGoesDown() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            basePort = Math.min(s.getLocalPort(), 60000);
        }
        StringBuilder c = new StringBuilder("""
            totem {
             version: 2
             cluster_name: links
             token: 2000
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
            """);
        for (int i = 1; i <= 3; i++) {
            c.append(" node {\n  ring0_addr: 127.0.0.1\n  ring0_port: ").append(port(0, i))
                .append("\n  ring1_addr: 127.0.0.1\n  ring1_port: ").append(port(1, i))
                .append("\n  nodeid: ").append(i).append("\n }\n");
        }
        config = VigilConfig.fromText("links.conf", c.append("}\n").toString());
        byte[] key = new byte[128];
        new java.util.Random(11).nextBytes(key);
        for (int i = 1; i <= 3; i++) {
            start(i, key);
        }
        for (int i = 1; i <= 3; i++) {
            Node n = nodes.get(i);
            await("node" + i + " members 1 2 3 (" + n.members() + ")", () -> n.members().equals("1 2 3"));
        }
        // every node, every peer, both links: up, with a few samples of a plausible round trip
        List<String> figures = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Node n = nodes.get(i);
            for (int p = 1; p <= 3; p++) {
                for (int r = 0; r < 2; r++) {
                    if (p == i) {
                        continue;
                    }
                    int peer = p;
                    int link = r;
                    await("node" + i + ": node" + p + " link" + r + " up with 3 samples", () ->
                        n.stat(k(peer, link, "connected")) == 1 && n.stat(k(peer, link, "latency_samples")) >= 3);
                    long ave = n.stat(k(p, r, "latency_ave"));
                    long min = n.stat(k(p, r, "latency_min"));
                    long max = n.stat(k(p, r, "latency_max"));
                    figures.add("node" + i + "->node" + p + " link" + r + ": ave " + ave + " us, min " + min
                        + ", max " + max);
                    // loopback on a shared 2-core machine: above zero, within the ping timeout (the effective
                    // token 2000 + 650 for the third node, / 2: 1325 ms; a slower answer is discarded, as knet does)
                    assertTrue(min > 0 && min <= ave && ave <= max && max <= 1_325_000, figures.toString());
                }
            }
        }
        System.out.println("heartbeat round trips (in-JVM, 127.0.0.1): " + String.join("; ", figures));

        // drop ring 1 between nodes 1 and 2, both ways
        Node n1 = nodes.get(1);
        Node n2 = nodes.get(2);
        long downs = n1.stat(k(2, 1, "down_count"));
        n1.blocked.add(List.of(1, 2));
        n2.blocked.add(List.of(1, 1));
        await("node1: node2 link1 down", () -> n1.stat(k(2, 1, "connected")) == 0);
        await("node2: node1 link1 down", () -> n2.stat(k(1, 1, "connected")) == 0);
        assertEquals(downs + 1, n1.stat(k(2, 1, "down_count")));
        Thread.sleep(1500);
        assertEquals(1, n1.stat(k(2, 0, "connected")), "ring 0 to node 2 still up");
        assertEquals(1, n1.stat(k(3, 1, "connected")), "ring 1 to node 3 still up");
        assertEquals(1, n2.stat(k(3, 1, "connected")));
        assertEquals(0, n1.stat(k(2, 1, "connected")), "still down");
        for (int i = 1; i <= 3; i++) {
            assertEquals("1 2 3", nodes.get(i).members(), "node" + i + ": the membership did not change");
        }
        n1.blocked.clear();
        n2.blocked.clear();
        await("node1: node2 link1 up again", () -> n1.stat(k(2, 1, "connected")) == 1);
        await("node2: node1 link1 up again", () -> n2.stat(k(1, 1, "connected")) == 1);
        StringBuilder after = new StringBuilder();
        for (int p = 2; p <= 3; p++) {
            for (int r = 0; r < 2; r++) {
                after.append(" node1->node").append(p).append(" link").append(r).append(": ave ")
                    .append(n1.stat(k(p, r, "latency_ave"))).append(" us, min ").append(n1.stat(k(p, r, "latency_min")))
                    .append(", max ").append(n1.stat(k(p, r, "latency_max"))).append(", samples ")
                    .append(n1.stat(k(p, r, "latency_samples"))).append(";");
            }
        }
        System.out.println("heartbeat round trips at the end:" + after);
    }
}
