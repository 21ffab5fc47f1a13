package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ./vigil demo}, the README's first command: starts 3 local nodes, shows them, stops them all. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoIT {

    @Test
    void demoStartsThreeNodesShowsTheirStatusAndStopsThem() throws Exception {
        Path dir = Files.createTempDirectory("vigil-demo-it");
        int base;
        try (DatagramSocket s = new DatagramSocket(0)) {
            base = s.getLocalPort() < 60000 ? s.getLocalPort() : 40000;
        }
        Path log = dir.resolve("demo.out");
        Process p = new ProcessBuilder(NodeProcessIT.VIGIL.toString(), "demo", "--for", "2", "--dir",
            dir.resolve("cluster").toString(), "--base-port", Integer.toString(base))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "demo ended by itself");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        for (int i = 1; i <= 3; i++) {
            assertTrue(out.contains("== node" + i + " "), out);
            assertTrue(out.contains(", node " + i + " (node" + i + "), up "), out);
        }
        assertTrue(out.contains("Stopped."), out);
        // the CIB: created on node1, read back on node3
        assertTrue(out.contains("== the CIB: a resource created on node1, read on node3 =="), out);
        assertTrue(out.contains("<primitive id=\"demo-dummy\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"),
            out);
        for (int i = 1; i <= 3; i++) {
            Path state = dir.resolve("cluster/node" + i);
            assertFalse(Files.exists(state.resolve("vigil.pid")), "node" + i + " stopped and cleaned up");
            assertFalse(Files.exists(state.resolve("vigil.sock")));
        }
    }
}
