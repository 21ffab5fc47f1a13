package org.vigil.transport.mcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real IP multicast: a network namespace ({@code vtm-mc}, 10.63.0.0/24 on one end of a veth pair with multicast on)
 * holds three "nodes"; a child JVM runs {@link McastProbe} inside it. Needs root (CI's system tests).
 */
@Timeout(120)
class McastTransportSystemTest {

    private static final String NS = "vtm-mc";

    static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
    }

    @BeforeAll
    static void namespace() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
        try {
            ip("netns", "del", NS);
        } catch (IOException e) {
            // was not there
        }
        ip("netns", "add", NS);
        ip("-n", NS, "link", "set", "lo", "up");
        ip("-n", NS, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
        ip("-n", NS, "link", "set", "d1", "up");
        for (int i = 1; i <= 3; i++) {
            ip("-n", NS, "addr", "add", "10.63.0." + i + "/24", "dev", "d0");
        }
        ip("-n", NS, "link", "set", "d0", "up", "multicast", "on");
        ip("-n", NS, "route", "add", "224.0.0.0/4", "dev", "d0");
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (Boolean.getBoolean("vigil.systemTests")) {
            ip("netns", "del", NS);
        }
    }

    @Test
    void multicastReachesEveryNodeAndTheTokenOnlyItsTarget() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder("ip", "netns", "exec", NS, java, "-cp", System.getProperty("java.class.path"),
            McastProbe.class.getName(), "10.63.0.1,10.63.0.2,10.63.0.3", "239.63.0.1", "5405")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("node ")).toList();
        assertEquals(List.of("node 1 got group-hello from 10.63.0.1", "node 2 got group-hello from 10.63.0.1",
            "node 3 got group-hello from 10.63.0.1", "node 3 got token-2-to-3 from 10.63.0.2"), lines, out);
    }
}
