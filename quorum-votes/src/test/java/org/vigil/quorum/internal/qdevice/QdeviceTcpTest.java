package org.vigil.quorum.internal.qdevice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.MembershipListener;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.spi.DevicePoll;
import org.vigil.kernel.spi.VoteContext;
import org.vigil.quorum.internal.driver.ExecutorScheduler;
import org.vigil.quorum.internal.qnetd.QnetdServer;
import org.vigil.quorum.internal.sim.SimCluster;

/**
 * The quorum device against a real arbiter over TCP on 127.0.0.1 (on ports the system picks, so two runs on one
 * machine never meet): the arbiter in a thread and as a separate {@code vigil qnetd} process; the arbiter down; an
 * arbiter that sends garbage.
 */
class QdeviceTcpTest {

    @TempDir
    Path tmp;

    static String config(int port, String algorithm) {
        return "totem {\n  version: 2\n  cluster_name: qtest\n}\n"
            + "quorum {\n  provider: corosync_votequorum\n  device {\n    model: net\n    votes: 1\n"
            + "    timeout: 6000\n    sync_timeout: 12000\n    net {\n      host: 127.0.0.1\n      port: " + port + "\n      algorithm: "
            + algorithm + "\n    }\n  }\n}\n"
            + "nodelist {\n  node {\n    ring0_addr: 10.62.0.1\n    nodeid: 1\n  }\n"
            + "  node {\n    ring0_addr: 10.62.0.2\n    nodeid: 2\n  }\n}\n";
    }

    /** A node's view for one device: a membership we drive and the polls the device makes. */
    static final class Node implements VoteContext {
        final int id;
        final VigilConfig config;
        final CmapStore cmap = new CmapStore();
        final List<DevicePoll> polls = new CopyOnWriteArrayList<>();
        final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
        volatile MembershipEvent current;
        final Path state;
        QdeviceClient client;

        Node(int id, VigilConfig config, Path state) {
            this.id = id;
            this.config = config;
            this.state = state;
        }

        void ring(RingId ring, Integer... members) {
            MembershipEvent e = new MembershipEvent(MembershipEvent.Type.REGULAR, ring, List.of(members), List.of(),
                List.of());
            current = e;
            listeners.forEach(l -> l.membershipChanged(e));
        }

        QdeviceClient start() {
            client = new QdeviceClient(this, config.quorum().device(), new ExecutorScheduler("test-qdevice-" + id));
            client.start();
            return client;
        }

        /** The latest poll for a ring, if any. */
        Optional<DevicePoll> lastPoll(RingId ring) {
            List<DevicePoll> l = new ArrayList<>(polls);
            Collections.reverse(l);
            return l.stream().filter(p -> p.ring().equals(ring)).findFirst();
        }

        @Override
        public VigilNode node() {
            return SimCluster.testNode(id, state, config);
        }

        @Override
        public Cmap cmap() {
            return cmap;
        }

        @Override
        public ClusterMembership membership() {
            return new ClusterMembership() {
                @Override
                public MembershipEvent current() {
                    return current;
                }

                @Override
                public AutoCloseable addListener(MembershipListener listener) {
                    listeners.add(listener);
                    if (current != null) {
                        listener.membershipChanged(current);
                    }
                    return () -> listeners.remove(listener);
                }
            };
        }

        @Override
        public Cpg cpg() {
            return null;
        }

        @Override
        public Optional<QuorumState> lastDecision() {
            return Optional.empty();
        }

        @Override
        public void publish(QuorumState state) {
        }

        @Override
        public void devicePoll(DevicePoll poll) {
            polls.add(poll);
        }

        /** No votequorum here: a withdrawal is a poll, and this node relies on no vote at once. */
        @Override
        public java.util.concurrent.CompletionStage<Void> withdrawVote(DevicePoll poll) {
            polls.add(poll);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public Optional<DevicePoll> lastDevicePoll() {
            return Optional.empty();
        }
    }

    static void await(String what, long timeoutMs, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static final RingId JOINED = new RingId(1, 4);
    private static final RingId LEFT_HALF = new RingId(1, 8);
    private static final RingId RIGHT_HALF = new RingId(2, 8);

    /** Both nodes together, then a 1|1 split: exactly one half may cast the device's vote. */
    private void splitGivesTheVoteToExactlyOneHalf(Node a, Node b) throws Exception {
        a.ring(JOINED, 1, 2);
        b.ring(JOINED, 1, 2);
        await("both halves voting in the joined ring", 15000, () ->
            a.lastPoll(JOINED).map(DevicePoll::castVote).orElse(false)
                && b.lastPoll(JOINED).map(DevicePoll::castVote).orElse(false));
        a.ring(LEFT_HALF, 1);
        b.ring(RIGHT_HALF, 2);
        await("both halves polled for their new ring", 15000, () ->
            a.lastPoll(LEFT_HALF).isPresent() && b.lastPoll(RIGHT_HALF).isPresent());
        await("the winner got its vote", 15000, () -> a.lastPoll(LEFT_HALF).get().castVote()
            || b.lastPoll(RIGHT_HALF).get().castVote());
        Thread.sleep(1500);
        boolean va = a.lastPoll(LEFT_HALF).get().castVote();
        boolean vb = b.lastPoll(RIGHT_HALF).get().castVote();
        assertTrue(va ^ vb, "exactly one half casts the vote: node 1 " + va + ", node 2 " + vb);
        assertTrue(va, "tie_breaker lowest: node 1's half");
        boolean neverBoth = a.polls.stream().filter(p -> p.ring().equals(LEFT_HALF) && p.castVote()).count() == 0
            || b.polls.stream().filter(p -> p.ring().equals(RIGHT_HALF) && p.castVote()).count() == 0;
        assertTrue(neverBoth, "never did both halves cast the vote for their rings");
    }

    /** A TCP port on 127.0.0.1 that nothing listened on a moment ago (for a process to bind, or for none). */
    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void arbiterInAThreadGivesAOneOneSplitToExactlyOneHalf() throws Exception {
        try (QnetdServer server = new QnetdServer(new InetSocketAddress("127.0.0.1", 0), 16,
            new PrintStream(OutputStream.nullOutputStream())).start()) {
            VigilConfig cfg = VigilConfig.fromText("q.conf", config(server.address().getPort(), "ffsplit"));
            Node a = new Node(1, cfg, tmp.resolve("a"));
            Node b = new Node(2, cfg, tmp.resolve("b"));
            a.start();
            b.start();
            try {
                splitGivesTheVoteToExactlyOneHalf(a, b);
                assertEquals("Connected", a.client.status().state());
                assertEquals(0, server.malformed());
            } finally {
                a.client.stop();
                b.client.stop();
            }
        }
    }

    @Test
    void vigilQnetdProcessGivesAOneOneSplitToOneHalfAndItsLossIsReported() throws Exception {
        int port = freePort();
        VigilConfig cfg = VigilConfig.fromText("q.conf", config(port, "lms"));
        Process qnetd = startQnetd(port);
        Node a = new Node(1, cfg, tmp.resolve("a"));
        Node b = new Node(2, cfg, tmp.resolve("b"));
        try {
            a.start();
            b.start();
            splitGivesTheVoteToExactlyOneHalf(a, b);
            qnetd.destroy();
            qnetd.waitFor(5, TimeUnit.SECONDS);
            await("the arbiter's loss is seen", 20000, () -> a.client.status().state().equals("Disconnected"));
            await("no vote without the arbiter (lms without wait_for_all)", 20000, () ->
                !a.lastPoll(LEFT_HALF).get().castVote());
            assertTrue(a.client.status().lastError().length() > 0, "the reason is reported");
            qnetd = startQnetd(port);
            await("reconnected", 15000, () -> a.client.status().state().equals("Connected"));
        } finally {
            a.client.stop();
            b.client.stop();
            qnetd.destroy();
            if (!qnetd.waitFor(5, TimeUnit.SECONDS)) {
                qnetd.destroyForcibly();
            }
        }
    }

    @Test
    void arbiterDownIsReportedAndTheDeviceDoesNotVote() throws Exception {
        VigilConfig cfg = VigilConfig.fromText("q.conf", config(freePort(), "ffsplit"));
        Node a = new Node(1, cfg, tmp.resolve("a"));
        a.ring(JOINED, 1, 2);
        a.start();
        try {
            await("a failed connection", 20000, () -> a.client.status().reconnects() > 0);
            QdeviceStatus s = a.client.status();
            assertEquals("Disconnected", s.state());
            assertTrue(s.lastError().toLowerCase().contains("refused"), s.lastError());
            await("a poll without the vote", 20000, () -> a.lastPoll(JOINED).isPresent());
            assertTrue(a.polls.stream().noneMatch(DevicePoll::castVote), "never votes without an arbiter");
        } finally {
            a.client.stop();
        }
    }

    @Test
    void malformedArbiterRepliesAreIgnoredAndCounted() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        try (ServerSocket fake = new ServerSocket()) {
            fake.bind(new InetSocketAddress("127.0.0.1", 0));
            VigilConfig cfg = VigilConfig.fromText("q.conf", config(fake.getLocalPort(), "ffsplit"));
            Thread arbiter = new Thread(() -> {
                try (Socket s = fake.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.UTF_8));
                    OutputStream out = s.getOutputStream();
                    String l;
                    while ((l = in.readLine()) != null) {
                        heard.add(l);
                        if (l.startsWith("MEMBERSHIP")) {
                            String garbage = "garbage\nREPLY x\n" + "Z".repeat(3000) + "\nVOTE 1 vote=maybe ring=1.4\n"
                                + "REPLY 2 vote=ack ring=zz\nVOTE 3 vote=ack ring=1.4 ring=1.4\n\n"
                                + "VOTE 7 vote=ack ring=1.4\n";
                            out.write(garbage.getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        }
                    }
                } catch (Exception e) {
                    // test over
                }
            });
            arbiter.setDaemon(true);
            arbiter.start();
            Node a = new Node(1, cfg, tmp.resolve("a"));
            a.ring(JOINED, 1, 2);
            a.start();
            try {
                await("the valid vote after the garbage", 20000, () ->
                    a.lastPoll(JOINED).map(DevicePoll::castVote).orElse(false));
                await("VOTE_REPLY sent", 20000, () -> heard.contains("VOTE_REPLY 7"));
                QdeviceStatus s = a.client.status();
                assertEquals(7, s.malformed(), "every bad line counted: " + s);
                assertEquals("Connected", s.state(), "garbage does not drop the connection");
                assertEquals(7L, a.cmap.get("stats.qdevice.malformed_replies").orElseThrow().value());
            } finally {
                a.client.stop();
            }
        }
    }

    private static Process startQnetd(int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            "org.vigil.quorum.internal.qnetd.QnetdMain", "--port", String.valueOf(port), "--bind", "127.0.0.1")
            .redirectErrorStream(true).redirectOutput(new File("target/qnetd-" + port + ".log")).start();
        await("vigil qnetd listening on " + port, 15000, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (Exception e) {
                return !p.isAlive() && fail(p);
            }
        });
        return p;
    }

    private static boolean fail(Process p) {
        throw new AssertionError("vigil qnetd exited with " + p.exitValue());
    }
}
