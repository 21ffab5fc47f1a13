package org.vigil.shell.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both admin clients (the JVM one and the perl one the launcher prefers) give up on a node that accepts the
 * connection but never answers (stopped, deadlocked): a message naming the state directory and exit 124, after
 * the timeout. About two seconds.
 */
class VigilClientTimeoutTest {

    @TempDir
    Path dir;

    /** A socket that accepts and then says nothing, as a stopped node's does. */
    private ServerSocketChannel silentNode(List<SocketChannel> keep) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("vigil.sock")));
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    keep.add(server.accept());
                }
            } catch (Exception e) {
                // closed at the end of the test
            }
        }, "silent-node");
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    @Timeout(20)
    void javaClientTimesOutOnASilentNode() throws Exception {
        List<SocketChannel> keep = new ArrayList<>();
        try (ServerSocketChannel server = silentNode(keep)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = VigilClient.run(new String[] {"--state-dir", dir.toString(), "crmadmin", "-D"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                500);
            assertEquals(124, status);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("no answer from the node at " + dir),
                err.toString(StandardCharsets.UTF_8));
        } finally {
            for (SocketChannel c : keep) {
                c.close();
            }
        }
    }

    @Test
    void perlClientTimesOutOnASilentNode() throws Exception {
        Path script = Path.of("../distribution/src/main/sh/vigil-client.pl").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(script) && new File("/usr/bin/perl").canExecute(), "no perl");
        List<SocketChannel> keep = new ArrayList<>();
        try (ServerSocketChannel server = silentNode(keep)) {
            ProcessBuilder pb = new ProcessBuilder("perl", script.toString(), "--state-dir", dir.toString(),
                "crm_mon", "-1").redirectErrorStream(true);
            pb.environment().put("VIGIL_TIMEOUT", "1");
            Process p = pb.start();
            try {
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the perl client hangs");
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(124, p.exitValue(), text);
                assertTrue(text.contains("no answer from the node at " + dir + " within 1 s"), text);
            } finally {
                p.destroyForcibly();
            }
        } finally {
            for (SocketChannel c : keep) {
                c.close();
            }
        }
    }

    @Test
    void theBoundCoversTheCommandsOwnTimeout() {
        assertEquals(120_000, VigilClient.timeoutMs(null, new String[] {"crm_mon", "-1"}));
        assertEquals(5_000, VigilClient.timeoutMs("5", new String[] {"crm_mon", "-1"}));
        assertEquals(0, VigilClient.timeoutMs("0", new String[] {"crm_mon", "-1"}));
        assertEquals(630_000, VigilClient.timeoutMs(null, new String[] {"crm_resource", "--wait", "--timeout", "10min"}));
        assertEquals(330_000, VigilClient.timeoutMs(null, new String[] {"wait", "--ready", "-t", "300"}));
        assertEquals(120_000, VigilClient.timeoutMs(null, new String[] {"crm_mon", "-t", "-1"}));
        assertEquals(3_630_000, VigilClient.timeoutMs(null, new String[] {"crm_resource", "--timeout=soon"}));
    }
}
