package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.NetnsCluster;

/** The namespace harness itself: node processes in namespaces, and fault rules that really drop datagrams. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NetnsClusterIT {

    /** Sends one UDP datagram from node {@code from} to node {@code to} and says whether it arrived. */
    static boolean udpReaches(NetnsCluster c, int from, int to) throws Exception {
        Process rx = new ProcessBuilder("ip", "netns", "exec", c.ns(to), "python3", "-c",
            "import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(('" + c.address(to)
                + "',5999));s.settimeout(2)\ntry:\n print(s.recv(100).decode())\nexcept Exception:\n print('none')")
            .start();
        Thread.sleep(500);
        NetnsCluster.sh("ip", "netns", "exec", c.ns(from), "python3", "-c",
            "import socket;socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(b'ping',('" + c.address(to)
                + "',5999))");
        String out = new String(rx.getInputStream().readAllBytes()).strip();
        rx.waitFor(10, TimeUnit.SECONDS);
        return out.equals("ping");
    }

    @Test
    void nodesRunInTheirNamespacesAndFaultRulesDropDatagrams() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
        try (NetnsCluster c = new NetnsCluster("vth", "10.64.9", 3, Files.createTempDirectory("vigil-netns"))) {
            c.up().configure("token: 1000", null);
            for (int i = 1; i <= 3; i++) {
                c.start(i);
            }
            for (int i = 1; i <= 3; i++) {
                c.awaitUp(i, 60_000);
                NetnsCluster.Result r = c.vigil(i, "status");
                assertTrue(r.out().contains(", node " + i + " (node" + i + ")"), r.out());
            }
            assertTrue(udpReaches(c, 1, 2));
            c.partition(Set.of(1), Set.of(2, 3));
            assertFalse(udpReaches(c, 1, 2), "partitioned");
            assertTrue(udpReaches(c, 2, 3), "same side");
            c.heal();
            assertTrue(udpReaches(c, 1, 2), "healed");
            c.loss(3, 100);
            assertFalse(udpReaches(c, 2, 3), "100 % loss");
            c.heal();
            c.kill9(2);
            assertFalse(c.alive(2));
            c.start(2);
            c.awaitUp(2, 60_000);
            assertEquals(0, c.vigil(2, "status").status());
        }
        String left = NetnsCluster.sh("ip", "netns", "list");
        assertFalse(List.of(left.split("\n")).stream().anyMatch(l -> l.startsWith("vth")), left);
    }
}
