package org.vigil.quorum.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.quorum.internal.driver.VotequorumDriver;
import org.vigil.quorum.internal.qdevice.QdeviceStatus;
import org.vigil.quorum.internal.sim.ManualScheduler;
import org.vigil.quorum.internal.sim.QuorumNode;
import org.vigil.quorum.internal.sim.SimCluster;
import org.vigil.quorum.internal.votequorum.Votequorum;

/** {@code corosync-quorumtool} and {@code pcs quorum}: layout against corosync's own output, options, exit codes. */
class QuorumtoolCommandTest {

    @TempDir
    Path state;

    /** corosync 3.1.7's {@code corosync-quorumtool -s} on node 1 of 3 (anchors/corosync/results/admin-commands.raw). */
    static final String ANCHOR = """
        Quorum information
        ------------------
        Date:             Mon Nov 23 11:37:01 2026
        Quorum provider:  corosync_votequorum
        Nodes:            3
        Node ID:          1
        Ring ID:          1.33
        Quorate:          Yes

        Votequorum information
        ----------------------
        Expected votes:   3
        Highest expected: 3
        Total votes:      3
        Quorum:           2 \s
        Flags:            Quorate\s

        Membership information
        ----------------------
            Nodeid      Votes Name
                 1          1 node1 (local)
                 2          1 node2
                 3          1 node3
        """;

    static Votequorum.Info info(int id, long votes, long expected, long total, long quorum, int flags) {
        return new Votequorum.Info(id, Votequorum.NodeState.MEMBER, votes, expected, expected, total, quorum, flags,
            "", 0);
    }

    @Test
    void statusLayoutIsCorosyncs() throws Exception {
        Map<Integer, Votequorum.Info> nodes = new TreeMap<>();
        for (int i = 1; i <= 3; i++) {
            nodes.put(i, info(i, 1, 3, 3, 2, Votequorum.Info.QUORATE));
        }
        VotequorumDriver.Snapshot s = new VotequorumDriver.Snapshot(1, new RingId(1, 0x33), List.of(1, 2, 3), true,
            false, nodes.get(1), nodes, 0);
        ZoneId zone = ZoneId.of("UTC");
        var date = LocalDateTime.parse("Mon Nov 23 11:37:01 2026",
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)).atZone(zone).toInstant();
        String ours = QuorumtoolFormat.status(s, "corosync_votequorum", id -> "node" + id, null, false,
            QuorumtoolFormat.IdFormat.DECIMAL, QuorumtoolFormat.Order.ADDRESS, date, zone);
        assertEquals(ANCHOR, ours);
        Path raw = Path.of(System.getProperty("vigil.shared", "../shared"), "anchors", "corosync", "results",
            "admin-commands.raw");
        if (Files.exists(raw)) {
            List<String> block = new ArrayList<>();
            boolean in = false;
            for (String l : Files.readAllLines(raw)) {
                if (l.startsWith("## quorumtool")) {
                    in = true;
                } else if (in && l.startsWith("  | ")) {
                    block.add(l.substring(4));
                } else if (in && l.equals("  |")) {
                    block.add("");
                } else if (in && !block.isEmpty() && !l.startsWith("  |")) {
                    break;
                }
            }
            assertEquals(String.join("\n", block) + "\n", ours, "identical to the measured corosync output");
        }
    }

    private final class Cluster {
        final ManualScheduler scheduler = new ManualScheduler();
        final SimCluster sim;
        final Map<Integer, QuorumNode> nodes = new TreeMap<>();

        Cluster(String text) throws Exception {
            VigilConfig cfg = VigilConfig.fromText("t.conf", text);
            sim = new SimCluster(scheduler, cfg, state);
            for (VigilConfig.Node n : cfg.nodes()) {
                nodes.put(n.nodeId(), new QuorumNode(sim, n.nodeId(), 3000).boot());
            }
            sim.heal();
            scheduler.advance(10);
        }

        Result run(int node, String... args) throws Exception {
            QuorumNode q = nodes.get(node);
            var cmd = new QuorumtoolCommand(q.sim().vigilNode(), q.provider(), null);
            return Result.of(o -> cmd.execute(List.of(args), o.out, o.err));
        }

        Result pcs(int node, String... args) throws Exception {
            QuorumNode q = nodes.get(node);
            var cmd = new PcsQuorumCommand(q.sim().vigilNode(), q.sim().cmap, q.provider());
            return Result.of(o -> cmd.execute(List.of(args), o.out, o.err));
        }
    }

    record Result(int status, String out, String err) {
        interface Body {
            int run(Streams s) throws Exception;
        }

        static Result of(Body b) throws Exception {
            Streams s = new Streams();
            int st = b.run(s);
            return new Result(st, s.o.toString(StandardCharsets.UTF_8), s.e.toString(StandardCharsets.UTF_8));
        }
    }

    static final class Streams {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8);
    }

    static String conf(int n, String... quorum) {
        StringBuilder b = new StringBuilder("totem {\n  version: 2\n  cluster_name: t\n}\nquorum {\n"
            + "  provider: corosync_votequorum\n");
        for (String q : quorum) {
            b.append("  ").append(q).append('\n');
        }
        b.append("}\nnodelist {\n");
        for (int i = 1; i <= n; i++) {
            b.append("  node {\n    ring0_addr: 10.62.0.").append(i).append("\n    nodeid: ").append(i)
                .append(i == 3 ? "" : "\n    name: node" + i).append("\n  }\n");
        }
        return b.append("}\n").toString();
    }

    @Test
    void exitStatusIsZeroWhenQuorateAndTwoWhenNot() throws Exception {
        Cluster c = new Cluster(conf(3));
        Result r = c.run(1, "-s");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Quorate:          Yes\n"), r.out());
        assertTrue(r.out().contains("         3          1 10.62.0.3\n"), "a node without a name shows its address");
        c.nodes.get(2).crash();
        c.nodes.get(3).crash();
        c.scheduler.advance(10);
        r = c.run(1);
        assertEquals(QuorumtoolCommand.EXIT_NOT_QUORATE, r.status());
        assertTrue(r.out().contains("Quorum:           2 Activity blocked\n"), r.out());
        assertTrue(r.out().contains("Total votes:      1\n"), r.out());
        assertTrue(r.out().contains("Flags:            \n"), r.out());
        assertTrue(r.out().contains("Nodes:            1\n"), r.out());
    }

    @Test
    void flagsFollowTheConfiguration() throws Exception {
        Cluster c = new Cluster(conf(2, "two_node: 1"));
        assertTrue(c.run(1, "-s").out().contains("Flags:            2Node Quorate WaitForAll \n"));
        Cluster d = new Cluster(conf(4, "wait_for_all: 1", "last_man_standing: 1", "auto_tie_breaker: 1"));
        assertTrue(d.run(2).out().contains("Flags:            Quorate WaitForAll LastManStanding AutoTieBreaker \n"),
            d.run(2).out());
    }

    @Test
    void listMachineParsableHexAndOrder() throws Exception {
        Cluster c = new Cluster(conf(3));
        Result l = c.run(2, "-l");
        assertEquals(0, l.status());
        assertEquals("\nMembership information\n----------------------\n    Nodeid      Votes Name\n"
            + "         1          1 node1\n         2          1 node2 (local)\n         3          1 10.62.0.3\n",
            l.out());
        Result p = c.run(2, "-l", "-p");
        assertTrue(p.out().contains("    Nodeid      Votes    Qdevice Name\n"), p.out());
        assertTrue(p.out().contains("         1          1         NR node1\n"), p.out());
        Result h = c.run(2, "-lH", "-o", "n");
        assertTrue(h.out().contains("0x00000001          1 node1\n"), h.out());
        assertTrue(h.out().indexOf("10.62.0.3") < h.out().indexOf("node1"), "ordered by name");
    }

    @Test
    void expectedVotesChangeAndBadValues() throws Exception {
        Cluster c = new Cluster(conf(5));
        c.nodes.get(4).crash();
        c.nodes.get(5).crash();
        c.scheduler.advance(10);
        Result bad = c.run(1, "-e", "0");
        assertEquals(1, bad.status());
        assertEquals("New expected votes value was not valid, try a positive number\n", bad.err());
        assertEquals(1, c.run(1, "-e", "x").status());
        Result refused = runAsync(c, () -> c.run(1, "-e", "2"));
        assertEquals(1, refused.status());
        assertEquals("Unable to set expected votes: CS_ERR_INVALID_PARAM\n", refused.err());
        Result ok = runAsync(c, () -> c.run(1, "-e3"));
        assertEquals(0, ok.status(), ok.err());
        assertTrue(c.run(2, "-s").out().contains("Expected votes:   3\n"), "applied on every node");
        Result usage = c.run(1, "-x");
        assertEquals(1, usage.status());
        assertTrue(usage.err().contains("invalid option -- 'x'"));
    }

    /** -e and -v wait for the driver, which runs on the test's scheduler: run the scheduler meanwhile. */
    private static Result runAsync(Cluster c, java.util.concurrent.Callable<Result> call) throws Exception {
        var f = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        while (!f.isDone()) {
            c.scheduler.advance(1);
            Thread.sleep(2);
        }
        return f.get();
    }

    @Test
    void pcsQuorumStatusIsQuorumtoolMachineParsableAndAlwaysExitsZero() throws Exception {
        Cluster c = new Cluster(conf(3));
        c.nodes.get(2).crash();
        c.nodes.get(3).crash();
        c.scheduler.advance(10);
        Result pcs = c.pcs(1, "status");
        assertEquals(0, pcs.status(), "pcs reports, it does not fail, when not quorate");
        Result p = c.run(1, "-s", "-p");
        assertEquals(p.out().replaceAll("Date: .*", ""), pcs.out().replaceAll("Date: .*", ""));
        assertTrue(pcs.out().contains("    Nodeid      Votes    Qdevice Name\n"));
        Result unblock = c.pcs(1, "unblock", "--force");
        assertEquals(1, unblock.status(), "not waiting for all: " + unblock.err());
        Result none = c.pcs(1);
        assertEquals(1, none.status());
        assertEquals("", none.out(), "a failure");
        assertTrue(none.err().startsWith("Usage: pcs quorum"), "says why on standard error: " + none.err());
        Result help = c.pcs(1, "help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("Usage: pcs quorum"), help.out());
        org.junit.jupiter.api.Assertions.assertThrows(org.vigil.kernel.api.command.UsageException.class,
            () -> c.pcs(1, "bogus"));
    }

    @Test
    void unblockCancelsWaitForAllOnEveryNode() throws Exception {
        Cluster c = new Cluster(conf(3, "wait_for_all: 1"));
        c.nodes.get(2).crash();
        c.nodes.get(3).crash();
        c.scheduler.advance(10);
        // node 1 alone: lost quorum, waiting for all again
        assertEquals(QuorumtoolCommand.EXIT_NOT_QUORATE, c.run(1).status());
        assertEquals(1, c.pcs(1, "unblock").status(), "needs --force");
        Result r = runAsync(c, () -> c.pcs(1, "unblock", "--force"));
        assertEquals(0, r.status(), r.err());
        assertEquals("Quorum unblocked\nWaiting for nodes canceled\n", r.out());
    }

    @Test
    void deviceSectionReportsAnUnreachableArbiter() {
        Map<Integer, Votequorum.Info> nodes = new TreeMap<>();
        int flags = Votequorum.Info.QUORATE | Votequorum.Info.QDEVICE_REGISTERED | Votequorum.Info.QDEVICE_ALIVE;
        for (int i = 1; i <= 2; i++) {
            nodes.put(i, new Votequorum.Info(i, Votequorum.NodeState.MEMBER, 1, 3, 3, 2, 2, flags, "Qdevice", 1));
        }
        VotequorumDriver.Snapshot s = new VotequorumDriver.Snapshot(1, new RingId(1, 8), List.of(1, 2), true, false,
            nodes.get(1), nodes, 0);
        QdeviceStatus d = new QdeviceStatus("127.0.0.1", 5403, "ffsplit", "lowest", "Disconnected",
            "Connection refused", 0, "NACK (arbiter unreachable)", null, new RingId(1, 8), false, 2, 5, 1);
        String out = QuorumtoolFormat.status(s, "corosync_votequorum", id -> "node" + id, d, false,
            QuorumtoolFormat.IdFormat.DECIMAL, QuorumtoolFormat.Order.ADDRESS, java.time.Instant.EPOCH,
            ZoneId.of("UTC"));
        assertTrue(out.contains("Flags:            Quorate Qdevice \n"), out);
        assertTrue(out.contains("    Nodeid      Votes    Qdevice Name\n"), out);
        assertTrue(out.contains("         1          1   A,NV,NMW node1 (local)\n"), out);
        // corosync: the padded columns, then 11 spaces and the device's name
        assertTrue(out.contains("         0          0            Qdevice (votes 1)\n"), out);
        assertTrue(out.contains("State:            Disconnected (Connection refused)\n"), out);
        assertTrue(out.contains("Malformed replies: 2\n"), out);
    }
}
