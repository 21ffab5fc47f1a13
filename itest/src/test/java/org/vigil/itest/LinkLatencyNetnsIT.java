package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.NetnsCluster;

/**
 * Per-link heartbeats between real node processes in network namespaces, two redundant rings (rrp passive) with
 * AES-GCM: every node's {@code /metrics} has a plausible round trip to every other node on both links
 * ({@code vigil_link_latency_seconds}); an nftables rule that drops ring 1 between nodes 1 and 2 turns that link
 * down on both ends ({@code vigil_link_connected 0}, {@code corosync-cfgtool -n}) while the other links stay up
 * and the membership does not change; removing the rule brings it back. Then the same cluster on IP multicast
 * (transport udp) measures every peer on both links too. Needs root (CI's system tests).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinkLatencyNetnsIT {

    static final String SUBNET = "10.65.4";
    static final int RING1_PORT = 5407;
    static NetnsCluster cluster;
    static Path dir;
    static final long TIMEOUT = 60_000;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
        dir = Files.createTempDirectory("vigil-links-netns");
        cluster = new NetnsCluster("vlk", SUBNET, 3, dir);   // assigned first: @AfterAll cleans up what up() made
        cluster.up();
        Path key = dir.resolve("authkey");
        NetnsCluster.sh(NetnsCluster.root().resolve("vigil").toString(), "keygen", "-k", key.toString());
        for (int i = 1; i <= 3; i++) {
            Files.createDirectories(cluster.stateDir(i));
            Files.copy(key, cluster.stateDir(i).resolve("authkey"));
        }
        startAll(config("udpu"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Two rings on each node's eth0 (ports 5405 and 5407), token 1000 (effective 1650 ms with three
     * nodes): pings every 412 ms, down after 825 ms. */
    static Path config(String transport) throws Exception {
        boolean mcast = transport.equals("udp");
        StringBuilder c = new StringBuilder("totem {\n version: 2\n cluster_name: vlk\n transport: " + transport
            + "\n token: 1000\n rrp_mode: passive\n crypto_cipher: aes256\n crypto_hash: sha256\n");
        for (int r = 0; r < 2; r++) {
            c.append(" interface {\n  ringnumber: ").append(r).append("\n  mcastport: ").append(r == 0 ? 5405 : RING1_PORT)
                .append('\n');
            if (mcast) {
                c.append("  bindnetaddr: ").append(SUBNET).append(".0\n  mcastaddr: 239.65.4.").append(r + 1)
                    .append('\n');
            }
            c.append(" }\n");
        }
        c.append("}\nnodelist {\n");
        for (int i = 1; i <= 3; i++) {
            c.append(" node {\n  ring0_addr: ").append(cluster.address(i)).append("\n  ring1_addr: ")
                .append(cluster.address(i)).append("\n  nodeid: ").append(i).append("\n  name: node").append(i)
                .append("\n }\n");
        }
        c.append("}\n");
        Path p = dir.resolve("vigil-" + transport + ".conf");
        Files.writeString(p, c.toString());
        return p;
    }

    static void startAll(Path conf) throws Exception {
        for (int i = 1; i <= 3; i++) {
            cluster.start(i, conf);
        }
        for (int i = 1; i <= 3; i++) {
            cluster.awaitUp(i, TIMEOUT);
        }
        for (int i = 1; i <= 3; i++) {
            int n = i;
            NetnsCluster.await("node" + i + " members 1 2 3", TIMEOUT, () -> members(n).equals("1 2 3"));
        }
    }

    static String members(int i) {
        try {
            NetnsCluster.Result r = cluster.vigil(i, "corosync-cmapctl", "-g", "runtime.totem.members");
            return r.status() == 0 ? r.out().substring(r.out().indexOf("= ") + 2).strip() : "";
        } catch (Exception e) {
            return "";
        }
    }

    /** Node {@code i}'s /metrics, fetched inside its namespace (the endpoint binds 127.0.0.1:9664 there). */
    static String metrics(int i) {
        try {
            NetnsCluster.Result r = NetnsCluster.run(List.of("ip", "netns", "exec", cluster.ns(i), "curl", "-sf",
                "--max-time", "5", "http://127.0.0.1:9664/metrics"), null);
            return r.status() == 0 ? r.out() : "";
        } catch (Exception e) {
            return "";
        }
    }

    /** A sample's value in a scrape, or NaN when it is not there. */
    static double sample(String metrics, String name, int node, int link) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{link=\"" + link + "\",nodeid=\"" + node + "\"} (\\S+)$")
            .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Every node has a round trip to every other node on both links, up, within the ping timeout. */
    static List<String> awaitLatencies(String transport) throws Exception {
        List<String> figures = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            for (int p = 1; p <= 3; p++) {
                for (int r = 0; r < 2 && p != i; r++) {
                    int node = i;
                    int peer = p;
                    int link = r;
                    String[] last = {""};
                    String what = transport + ": node" + i + " measures node" + p + " on link" + r;
                    try {
                        NetnsCluster.await(what, TIMEOUT, () -> {
                            last[0] = metrics(node);
                            return sample(last[0], "vigil_link_connected", peer, link) == 1.0
                                && sample(last[0], "vigil_link_latency_seconds", peer, link) > 0;
                        });
                    } catch (AssertionError e) {
                        throw new AssertionError(e.getMessage() + "; " + diagnosis(node, peer, last[0]), e);
                    }
                    double ave = sample(last[0], "vigil_link_latency_seconds", p, r);
                    double max = sample(last[0], "vigil_link_latency_max_seconds", p, r);
                    double min = sample(last[0], "vigil_link_latency_min_seconds", p, r);
                    figures.add(String.format("node%d->node%d link%d ave %.3f ms (min %.3f, max %.3f)", i, p, r,
                        ave * 1e3, min * 1e3, max * 1e3));
                    // a PONG later than the link timeout is discarded (knet's process_pong): half the effective token,
                    // 1000 + 650 ms per node beyond two = 1650 ms for three nodes, so no sample exceeds 825 ms
                    assertTrue(min > 0 && min <= ave && ave <= max && max <= 0.825, figures.toString());
                }
            }
        }
        System.out.println(transport + " heartbeat round trips: " + String.join("; ", figures));
        return figures;
    }

    /** What node {@code i} knew of its links when a wait failed: its last scrape's link lines (or that the scrape
     * failed), {@code corosync-cfgtool -n}, the knet counters for {@code peer} and its log's last lines. */
    static String diagnosis(int i, int peer, String lastScrape) {
        StringBuilder d = new StringBuilder("node" + i + "'s last /metrics link lines: ");
        if (lastScrape.isEmpty()) {
            d.append("(the scrape failed or was empty)");
        } else {
            lastScrape.lines().filter(l -> l.startsWith("vigil_link_")).forEach(l -> d.append("\n  ").append(l));
        }
        try {
            NetnsCluster.Result n = cluster.vigil(i, "corosync-cfgtool", "-n");
            d.append("\ncorosync-cfgtool -n (").append(n.status()).append("):\n").append(n.out()).append(n.err());
            NetnsCluster.Result k = cluster.vigil(i, "corosync-cmapctl", "-m", "stats");
            k.out().lines().filter(l -> l.startsWith("stats.knet.node" + peer + ".") || l.startsWith("stats.wire"))
                .forEach(l -> d.append("\n  ").append(l));
            List<String> log = Files.readAllLines(cluster.log(i));
            d.append("\nnode").append(i).append("'s log, last lines:\n")
                .append(String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size())));
        } catch (Exception e) {
            d.append("\n(diagnosis failed: ").append(e).append(')');
        }
        return d.toString();
    }

    @Test
    @Order(1)
    void udpuMeasuresEveryPeerOnBothLinks() throws Exception {
        awaitLatencies("udpu");
    }

    @Test
    @Order(2)
    void aBlockedLinkGoesDownOnBothEndsAndComesBack() throws Exception {
        String ringId = ringId(1);
        // ring 1 (port 5407) between nodes 1 and 2 drops, both ways; ring 0 and node 3 are untouched
        cluster.nft(1, "    ip saddr " + cluster.address(2) + " udp dport " + RING1_PORT + " drop\n");
        cluster.nft(2, "    ip saddr " + cluster.address(1) + " udp dport " + RING1_PORT + " drop\n");
        try {
            NetnsCluster.await("node1: node2 link1 down in /metrics", TIMEOUT,
                () -> sample(metrics(1), "vigil_link_connected", 2, 1) == 0.0);
            NetnsCluster.await("node2: node1 link1 down in /metrics", TIMEOUT,
                () -> sample(metrics(2), "vigil_link_connected", 1, 1) == 0.0);
            Thread.sleep(2000);
            String m1 = metrics(1);
            assertEquals(0.0, sample(m1, "vigil_link_connected", 2, 1), m1);
            assertEquals(1.0, sample(m1, "vigil_link_connected", 2, 0), "ring 0 to node 2 stays up: " + m1);
            assertEquals(1.0, sample(m1, "vigil_link_connected", 3, 1), "ring 1 to node 3 stays up: " + m1);
            assertTrue(sample(m1, "vigil_link_down_total", 2, 1) >= 1, m1);
            String m3 = metrics(3);
            assertEquals(1.0, sample(m3, "vigil_link_connected", 1, 1), "node 3 still hears node 1 on ring 1");
            assertEquals(1.0, sample(m3, "vigil_link_connected", 2, 1), "node 3 still hears node 2 on ring 1");
            NetnsCluster.Result n = cluster.vigil(1, "corosync-cfgtool", "-n");
            assertEquals(0, n.status(), n.err());
            assertTrue(n.out().contains("nodeid: 2 reachable\n   LINK: 0 udpu (" + cluster.address(1) + "->"
                + cluster.address(2) + ") enabled connected mtu: "), n.out());
            assertTrue(n.out().contains("   LINK: 1 udpu (" + cluster.address(1) + "->" + cluster.address(2)
                + ") enabled mtu: "), n.out());
            System.out.println("node1's corosync-cfgtool -n with ring 1 to node 2 blocked:\n" + n.out());
            for (int i = 1; i <= 3; i++) {
                assertEquals("1 2 3", members(i), "node" + i + ": no membership change");
            }
            assertEquals(ringId, ringId(1), "the ring was not re-formed");
        } finally {
            cluster.heal();
        }
        NetnsCluster.await("node1: node2 link1 up again", TIMEOUT,
            () -> sample(metrics(1), "vigil_link_connected", 2, 1) == 1.0);
        NetnsCluster.await("node2: node1 link1 up again", TIMEOUT,
            () -> sample(metrics(2), "vigil_link_connected", 1, 1) == 1.0);
    }

    static String ringId(int i) throws Exception {
        NetnsCluster.Result r = cluster.vigil(i, "corosync-cmapctl", "-g", "runtime.totem.ring_id");
        assertEquals(0, r.status(), r.err());
        return r.out().strip();
    }

    @Test
    @Order(3)
    void multicastMeasuresEveryPeerOnBothLinks() throws Exception {
        for (int i = 1; i <= 3; i++) {
            cluster.stop(i);
        }
        startAll(config("udp"));
        NetnsCluster.Result s = cluster.vigil(1, "corosync-cfgtool", "-s");
        assertTrue(s.out().contains("transport udp"), s.out());
        awaitLatencies("udp (multicast)");
        assertFalse(metrics(1).isEmpty());
    }
}
