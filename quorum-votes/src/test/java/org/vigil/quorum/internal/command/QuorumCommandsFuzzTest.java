package org.vigil.quorum.internal.command;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.fuzz.CommandFuzz;
import org.vigil.kernel.fuzz.CommandFuzz.Line;
import org.vigil.kernel.fuzz.CommandFuzz.Outcome;
import org.vigil.quorum.internal.driver.VotequorumDriver;
import org.vigil.quorum.internal.sim.ManualScheduler;
import org.vigil.quorum.internal.sim.QuorumNode;
import org.vigil.quorum.internal.sim.SimCluster;

/**
 * Fuzz target {@code quorumcommands}: sessions of up to four command lines of {@code corosync-quorumtool} and
 * {@code pcs quorum} (the real commands, fuzzer-chosen arguments in the input format of {@link CommandFuzz}) on
 * node 1 of a simulated three-node cluster with {@code wait_for_all} (the real votequorum providers, kernel quorum
 * service and CPG of each node, {@link SimCluster}, on a deterministic scheduler). A line {@code crash N...} is no
 * command: it crashes those nodes (not node 1), so a session can go on without quorum. Commands that wait for the
 * cluster ({@code -e}, {@code -v}, {@code unblock}) run on a worker thread while the scheduler is advanced, as the
 * commands' unit tests run them.
 *
 * <p>Invariants, per command line: nothing but a usage error leaves the command; the exit status is one the tool
 * documents ({@code corosync-quorumtool} 0, 1 error, 2 not quorate; {@code pcs} 0 or 1); a non-zero exit says why
 * on standard error (except {@code corosync-quorumtool}'s 2, whose answer is the status it prints); what is printed
 * is bounded (64 KiB plus 64 bytes per byte of arguments); a command that failed, and one that only shows the status,
 * left every node's votequorum state as it was.
 */
class QuorumCommandsFuzzTest {

    private static final List<String> COMMANDS = List.of("corosync-quorumtool", "pcs quorum", "crash");
    private static final Set<Integer> QUORUMTOOL_EXIT = CommandFuzz.statuses(0, 1, QuorumtoolCommand.EXIT_NOT_QUORATE);
    private static final Set<Integer> PCS_EXIT = CommandFuzz.statuses(0, 1);
    private static final long FIXED_OUTPUT = 64 << 10;
    private static final long OUTPUT_PER_BYTE = 64;
    /** Simulated time for the cluster to settle after a change (a ring forms and syncs in well under it). */
    private static final long SETTLE_MS = 5000;
    private static final VigilConfig CONFIG;
    private static final Path STATE;
    /** Runs the commands, so that the fuzzing thread can run the cluster's scheduler meanwhile. */
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "quorumcommands-fuzz");
        t.setDaemon(true);
        return t;
    });
    static final List<String> WORDS;

    static {
        try {
            CONFIG = VigilConfig.fromText("corosync.conf", QuorumtoolCommandTest.conf(3, "wait_for_all: 1"));
            // the nodes' state directories (votequorum keeps nothing there without expected_votes_tracking)
            STATE = Files.createTempDirectory("vigil-quorumcommands-fuzz");
            STATE.toFile().deleteOnExit();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
        WORDS = words();
    }

    @MethodSource("sessions")
    @FuzzTest
    void sessions(byte[] input) throws Exception {
        ManualScheduler scheduler = new ManualScheduler();
        SimCluster sim = new SimCluster(scheduler, CONFIG, STATE);
        Map<Integer, QuorumNode> nodes = new TreeMap<>();
        for (VigilConfig.Node n : CONFIG.nodes()) {
            nodes.put(n.nodeId(), new QuorumNode(sim, n.nodeId(), 3000).boot());
        }
        sim.heal();
        scheduler.advance(SETTLE_MS);
        QuorumNode one = nodes.get(1);
        for (Line l : CommandFuzz.decode(input, COMMANDS, WORDS)) {
            if (l.command().equals("crash")) {
                for (String a : l.args()) {
                    QuorumNode n = a.equals("2") ? nodes.get(2) : a.equals("3") ? nodes.get(3) : null;
                    if (n != null && n.sim().up()) {
                        n.crash();
                    }
                }
                scheduler.advance(SETTLE_MS);
                continue;
            }
            AdminCommand command = l.command().equals("pcs quorum")
                ? new PcsQuorumCommand(one.sim().vigilNode(), one.sim().cmap, one.provider())
                : new QuorumtoolCommand(one.sim().vigilNode(), one.provider(), null);
            Map<Integer, Optional<VotequorumDriver.Snapshot>> before = state(nodes);
            Future<Outcome> f = WORKER.submit(() -> CommandFuzz.run(command, l, CommandContext.ofNode()));
            while (!f.isDone()) {
                scheduler.advance(1);
                Thread.onSpinWait();
            }
            Outcome o = f.get();
            scheduler.advance(10);
            check(l, o, before, state(nodes));
        }
    }

    /** The invariants for one command line. */
    static void check(Line l, Outcome o, Map<Integer, Optional<VotequorumDriver.Snapshot>> before,
                      Map<Integer, Optional<VotequorumDriver.Snapshot>> after) {
        boolean pcs = l.command().equals("pcs quorum");
        CommandFuzz.assertNothingEscaped(l, o);
        CommandFuzz.assertStatusIn(pcs ? PCS_EXIT : QUORUMTOOL_EXIT, l, o);
        CommandFuzz.assertFailureExplained(l, o, !pcs && o.status() == QuorumtoolCommand.EXIT_NOT_QUORATE);
        CommandFuzz.assertOutputBounded(l, o, FIXED_OUTPUT, 0, OUTPUT_PER_BYTE);
        boolean changes = pcs ? l.args().size() > 0 && !l.args().get(0).equals("status")
            : l.args().stream().anyMatch(a -> a.startsWith("-") && a.matches("-[^-]*[ev].*"));
        if ((o.status() != 0 || !changes) && !before.equals(after)) {
            throw new AssertionError(l + ": exit " + o.status() + (changes ? "" : " (it only shows)")
                + ", but votequorum changed from\n  " + before + "\nto\n  " + after + "\n" + o);
        }
    }

    private static Map<Integer, Optional<VotequorumDriver.Snapshot>> state(Map<Integer, QuorumNode> nodes) {
        Map<Integer, Optional<VotequorumDriver.Snapshot>> m = new TreeMap<>();
        nodes.forEach((id, n) -> m.put(id, n.sim().up() && n.provider() != null
            ? n.provider().driver().flatMap(VotequorumDriver::snapshot) : Optional.empty()));
        return m;
    }

    // ---- vocabulary and seeds --------------------------------------------------------------------------------

    private static List<String> words() {
        Set<String> w = new LinkedHashSet<>(List.of(
            "-s", "-m", "-l", "-a", "-p", "-v", "-n", "-e", "-H", "-i", "-o", "-f", "-h", "-V", "-lp", "-sH", "-e3",
            "-v0", "-oa", "-on", "-oi", "-lpHo", "--", "-", "a", "n", "i", "x",
            "status", "expected-votes", "unblock", "--force", "help", "--help",
            "0", "1", "2", "3", "4", "9", "-1", "2147483647", "2147483648", "4294967295", "4294967296",
            "9999999999", "99999999999", "00000000001", "+1", " 1", "1 ", "0x1", "\u0663", "\uff11", ""));
        return List.copyOf(w);
    }

    static Stream<Arguments> sessions() {
        List<Line[]> s = new ArrayList<>();
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool")});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", "-s")});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", "-l", "-p", "-H", "-o", "n")});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", r("-lpHo"), r("i"))});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", "-s", "-i")});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", "-e", "2")});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", r("-e"), r("4"))});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", "-v", "2", "-n", "3")});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", r("-v0"), r("-n"), r("4294967295"))});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", "-h")});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", "-V")});
        s.add(new Line[] {CommandFuzz.line("corosync-quorumtool", "-m")});
        s.add(new Line[] {CommandFuzz.line("crash", "2", "3"), CommandFuzz.line("corosync-quorumtool", "-s")});
        s.add(new Line[] {CommandFuzz.line("crash", "3"), CommandFuzz.line("corosync-quorumtool", "-e", "2"),
            CommandFuzz.line("corosync-quorumtool", "-l")});
        s.add(new Line[] {CommandFuzz.line("pcs quorum", "status")});
        s.add(new Line[] {CommandFuzz.line("pcs quorum")});
        s.add(new Line[] {CommandFuzz.line("pcs quorum", r("expected-votes"), r("3"))});
        s.add(new Line[] {CommandFuzz.line("crash", "2", "3"), CommandFuzz.line("pcs quorum", "unblock"),
            CommandFuzz.line("pcs quorum", "unblock", "--force"), CommandFuzz.line("corosync-quorumtool", "-s")});
        s.add(new Line[] {CommandFuzz.line("pcs quorum", "unblock", "--force")});
        s.add(new Line[] {CommandFuzz.line("pcs quorum", "bogus")});
        return s.stream().map(l -> Arguments.of((Object) CommandFuzz.encode(l)));
    }

    private static String r(String word) {
        return CommandFuzz.ref(WORDS, word);
    }
}
