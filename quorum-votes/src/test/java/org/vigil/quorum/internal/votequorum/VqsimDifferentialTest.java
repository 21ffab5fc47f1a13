package org.vigil.quorum.internal.votequorum;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.config.VigilConfig;

/**
 * Differential test against the real oracle: corosync's own votequorum simulator ({@code corosync-vqsim},
 * Debian package {@code corosync-vqsim}, listed in {@code .ci/packages}). Generated scenarios (fixed seeds;
 * 2–9 nodes, votes per node, two_node, wait_for_all, last_man_standing, auto_tie_breaker with each node rule,
 * expected_votes, allow_downscale, expected_votes_tracking, then partitions, heals, stops and starts) run in
 * vqsim and in {@link VqsimModel}; after every step, every node must report the same ring, the same
 * membership and the same quorate state, and the same total votes and expected votes as corosync's own
 * calculation logged (for at least {@link #MIN_VOTES_COMPARED} of the node states: the figure is printed), and
 * the NODEINFO traffic must be the same both ways: every one a corosync node received was sent by the matching
 * Vigil node with the same content, and every one a Vigil node sent in a ring was received by each live member of
 * that ring in corosync. A test-only
 * LD_PRELOAD shim (built with gcc from {@code vqsim-log-shim.c}) captures the simulated nodes' debug logs, which
 * give each node's exact input order ({@link VqsimReplay}). The first difference is printed with its scenario
 * (seed, configuration and steps) and vqsim's transcript.
 *
 * <p>vqsim does not print the quorum figure; it is checked by {@link QuorumArithmeticTest} and the protocol
 * tests. Runs when {@code vigil.systemTests} is true (CI, where it must run) or {@code corosync-vqsim} is on
 * the PATH. {@code -Dvigil.vqsim.scenarios=N} changes the count (default 500),
 * {@code -Dvigil.vqsim.seed=S} runs one seed, {@code -Dvigil.vqsim.workers=W} the scenarios run at once (default
 * three per CPU, 4..8: the runs mostly wait for vqsim's node processes to go quiet). A scenario that differs is
 * re-run at slower paces before the difference is believed; those re-runs have a budget (count and time, see
 * {@link #maxSlowerRuns}), past which the test fails saying so.
 */
class VqsimDifferentialTest {

    private static final long BASE_SEED = 0x5651_0000L;
    /**
     * The paces a scenario is run at: the quiet gap that tells vqsim's node processes are done with a step, and
     * the longest wait for it. A difference found at one pace is confirmed at the next, slower one (a loaded
     * machine can deschedule a node process for longer than a gap, and a step is then read too early); only a
     * difference at every pace is reported.
     */
    private static final long[][] PACES = {{15, 5_000}, {200, 20_000}, {1000, 60_000}};

    /**
     * The smallest share of node states whose total and expected votes are compared with corosync's own logged
     * calculation (a node state without a logged calculation is compared on ring, members and quorate only).
     */
    static final double MIN_VOTES_COMPARED = 0.95;

    /**
     * The re-runs at a slower pace the whole test may spend: at most this many ({@code
     * -Dvigil.vqsim.maxSlowerRuns}, default 5% of the scenarios, at least 5) and this long in total ({@code
     * -Dvigil.vqsim.maxSlowerSeconds}, default 300 s). Beyond that the test fails: either the machine is too
     * loaded for the fast pace to mean anything, or the fast pace finds real differences.
     */
    private static int maxSlowerRuns(int scenarios) {
        return Integer.getInteger("vigil.vqsim.maxSlowerRuns", Math.max(5, scenarios / 20));
    }

    private static final long MAX_SLOWER_NANOS =
        TimeUnit.SECONDS.toNanos(Long.getLong("vigil.vqsim.maxSlowerSeconds", 300));

    @Test
    void vigilVotequorumAgreesWithCorosyncVqsimOnGeneratedScenarios(@TempDir Path tmp) throws Exception {
        boolean system = Boolean.getBoolean("vigil.systemTests");
        boolean present = onPath("corosync-vqsim");
        Assumptions.assumeTrue(system || present, "corosync-vqsim is not installed (apt-get install corosync-vqsim)");
        assertTrue(present, "vigil.systemTests is set but corosync-vqsim is not on the PATH (.ci/packages lists it)");
        Path shim = buildShim(tmp);
        Assumptions.assumeTrue(shim != null || system, "gcc is not installed: the vqsim log shim cannot be built");
        assertTrue(shim != null, "vigil.systemTests is set but the vqsim log shim did not build (gcc and libqb "
            + "from .ci/packages)");
        int count = Integer.getInteger("vigil.vqsim.scenarios", 500);
        List<Long> seeds = new ArrayList<>();
        if (System.getProperty("vigil.vqsim.seed") != null) {
            seeds.add(Long.getLong("vigil.vqsim.seed"));
        } else {
            for (int i = 0; i < count; i++) {
                seeds.add(BASE_SEED + i);
            }
        }
        // the runs mostly wait (for quiet logs): more of them than CPUs keeps the machine busy
        int workers = Integer.getInteger("vigil.vqsim.workers",
            Math.max(4, Math.min(8, 3 * Runtime.getRuntime().availableProcessors())));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        AtomicInteger scenarios = new AtomicInteger();
        AtomicLong steps = new AtomicLong();
        AtomicLong nodeStates = new AtomicLong();
        AtomicLong loggedStates = new AtomicLong();
        AtomicLong messages = new AtomicLong();
        AtomicLong toNobody = new AtomicLong();
        AtomicInteger slower = new AtomicInteger();
        AtomicLong slowerNanos = new AtomicLong();
        int slowerLimit = maxSlowerRuns(seeds.size());
        List<Future<String>> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (long seed : seeds) {
            results.add(pool.submit(() -> {
                VqScenario s = VqScenario.generate(seed);
                Outcome o = null;
                for (int pace = 0; pace < PACES.length; pace++) {
                    if (pace > 0) {
                        // confirm at a slower pace (a loaded machine cannot fake a difference), within the budget
                        int n = slower.incrementAndGet();
                        long spent = slowerNanos.get();
                        if (n > slowerLimit || spent > MAX_SLOWER_NANOS) {
                            slower.decrementAndGet(); // not run
                            return "slower re-runs exhausted: re-run " + n + " refused (limit " + slowerLimit + "), "
                                + TimeUnit.NANOSECONDS.toSeconds(spent) + " s spent in re-runs (limit "
                                + TimeUnit.NANOSECONDS.toSeconds(MAX_SLOWER_NANOS) + " s). Either the machine is "
                                + "too loaded for this test or the difference is real; this scenario's difference "
                                + "at the " + PACES[pace - 1][0] + " ms pace:\n" + s + "\n" + o.difference
                                + "\n--- corosync-vqsim transcript ---\n" + o.transcript;
                        }
                    }
                    Path dir = Files.createDirectories(tmp.resolve("s" + seed + "-" + pace));
                    long r0 = System.nanoTime();
                    o = run(s, dir, shim, PACES[pace][0], PACES[pace][1]);
                    if (pace > 0) {
                        slowerNanos.addAndGet(System.nanoTime() - r0);
                    }
                    if (o.difference == null) {
                        break;
                    }
                }
                if (o.difference != null) {
                    return s + "\n" + o.difference + "\n--- corosync-vqsim transcript ---\n" + o.transcript;
                }
                scenarios.incrementAndGet();
                steps.addAndGet(o.steps);
                nodeStates.addAndGet(o.nodeStates);
                loggedStates.addAndGet(o.loggedStates);
                messages.addAndGet(o.messages);
                toNobody.addAndGet(o.toNobody);
                return null;
            }));
        }
        pool.shutdown();
        String first = null;
        try {
            for (Future<String> f : results) {
                String d = f.get(30, TimeUnit.MINUTES);
                if (d != null && first == null) {
                    first = d;
                }
            }
        } finally {
            // on an error, stop the other runs (their vqsim processes end with them) before the directory goes
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        double votesShare = nodeStates.get() == 0 ? 0 : (double) loggedStates.get() / nodeStates.get();
        System.out.printf("vqsim differential: %d scenarios, %d steps, %d node states compared (quorate, ring, "
                + "members), %d of them (%.1f%%) also on total and expected votes, %d NODEINFO messages identical "
                + "both ways (%d sent before a ring, to nobody), %s, %d ms, %d workers, %d runs repeated at a "
                + "slower pace (%d s)%n",
            scenarios.get(), steps.get(), nodeStates.get(), loggedStates.get(), 100 * votesShare, messages.get(),
            toNobody.get(), first == null ? "0 differences" : "FIRST DIFFERENCE BELOW", ms, workers, slower.get(),
            TimeUnit.NANOSECONDS.toSeconds(slowerNanos.get()));
        if (VqsimProcess.DUMP != null) {
            Files.write(Path.of("target", "vqsim-dump.log"), VqsimProcess.DUMP);
        }
        if (first != null) {
            fail("Vigil's votequorum differs from corosync-vqsim:\n" + first);
        }
        assertTrue(scenarios.get() == seeds.size(), "every scenario ran");
        assertTrue(messages.get() > 0, "corosync's messages were read");
        assertTrue(votesShare >= MIN_VOTES_COMPARED, String.format("only %d of %d node states (%.1f%%) had their "
            + "total and expected votes compared with corosync's logged calculation; at least %.0f%% must be",
            loggedStates.get(), nodeStates.get(), 100 * votesShare, 100 * MIN_VOTES_COMPARED));
    }

    private record Outcome(String difference, String transcript, long steps, long nodeStates, long loggedStates,
                           long messages, long toNobody) {
    }

    /** A settled vqsim: what {@code show} printed and each node process's log position at that moment. */
    private record Snapshot(Map<Integer, VqsimProcess.Shown> shown, Map<Integer, Integer> cut) {
    }

    private static Outcome run(VqScenario s, Path dir, Path shim, long gapMs, long settleMs) throws Exception {
        VigilConfig cfg = s.config();
        VqsimReplay model = new VqsimReplay(cfg);
        long nodeStates = 0;
        long logged = 0;
        try (VqsimProcess vq = new VqsimProcess(dir, s.configText(dir.toString()), shim)) {
            Map<Integer, Integer> previous = new HashMap<>();
            String step = "start";
            for (int i = -1; i < s.steps().size(); i++) {
                if (i < 0) {
                    model.start();
                } else {
                    step = s.steps().get(i);
                    model.command(step);
                    vq.send(step);
                }
                Map<Integer, VqsimReplay.Shape> want = model.shapes();
                Snapshot snap = settle(vq, want, model.forkOrder(), gapMs, settleMs);
                String diff = shape(want, snap.shown());
                if (diff == null) {
                    Map<Integer, List<VqsimReplay.Event>> events = new HashMap<>();
                    try {
                        for (int node : want.keySet()) {
                            int pid = vq.pid(model.forkOrder().lastIndexOf(node));
                            events.put(node, vq.events(pid, previous.getOrDefault(pid, 0), snap.cut().get(pid)));
                        }
                        diff = model.replay(events);
                    } catch (IOException e) {
                        // typically a node process descheduled longer than the quiet gap: the log was cut in the
                        // middle of a function; a slower pace tells
                        diff = e.getMessage();
                    }
                }
                previous = snap.cut();
                Map<Integer, VqsimReplay.NodeView> views = model.views();
                if (diff == null) {
                    diff = compare(views, snap.shown());
                }
                if (diff == null) {
                    for (VqsimReplay.NodeView v : views.values()) {
                        int pid = vq.pid(model.forkOrder().lastIndexOf(v.nodeId()));
                        VqsimProcess.Logged l = vq.logged(pid, snap.cut().get(pid), v.nodeId());
                        if (l == null) {
                            continue;
                        }
                        logged++;
                        if (l.totalVotes() != v.totalVotes() || l.ourExpected() != v.ourExpected()) {
                            diff = "node " + v.nodeId() + ": corosync calculated total votes " + l.totalVotes()
                                + ", expected votes " + l.ourExpected() + "; Vigil total votes " + v.totalVotes()
                                + ", expected votes " + v.ourExpected() + " (quorum " + v.quorum() + ")";
                            break;
                        }
                    }
                }
                if (diff != null) {
                    return new Outcome("after step " + (i + 1) + " '" + step + "': " + diff, vq.transcript(), 0, 0,
                        0, 0, 0);
                }
                nodeStates += views.size();
            }
            return new Outcome(null, null, s.steps().size() + 1, nodeStates, logged, model.messagesMatched(),
                model.messagesToNobody());
        }
    }

    /**
     * Polls vqsim until every node shows the ring and membership the partitions imply and the node processes'
     * logs have been quiet for {@code gapMs}; then takes the log positions and checks with one more
     * {@code show} that nothing moved in between.
     */
    private static Snapshot settle(VqsimProcess vq, Map<Integer, VqsimReplay.Shape> want, List<Integer> forkOrder,
                                   long gapMs, long settleMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settleMs);
        Thread.sleep(12);
        while (true) {
            Map<Integer, VqsimProcess.Shown> shown = vq.show(30_000);
            boolean forked = vq.pid(forkOrder.size() - 1) > 0;
            boolean quiet = System.nanoTime() - vq.lastLogNanos() >= TimeUnit.MILLISECONDS.toNanos(gapMs);
            if (forked && quiet && shape(want, shown) == null) {
                Map<Integer, Integer> cut = vq.logPositions();
                Map<Integer, VqsimProcess.Shown> again = vq.show(30_000);
                if (cut.equals(vq.logPositions()) && again.equals(shown)) {
                    return new Snapshot(again, cut);
                }
            }
            if (System.nanoTime() > deadline) {
                return new Snapshot(shown, vq.logPositions());
            }
            Thread.sleep(Math.max(3, gapMs / 3));
        }
    }

    /** Null when every node shows the expected partition, ring and members. */
    private static String shape(Map<Integer, VqsimReplay.Shape> want, Map<Integer, VqsimProcess.Shown> got) {
        if (!want.keySet().equals(got.keySet())) {
            return "nodes shown " + got.keySet() + ", expected " + want.keySet();
        }
        for (var e : want.entrySet()) {
            VqsimReplay.Shape w = e.getValue();
            VqsimProcess.Shown g = got.get(e.getKey());
            if (g.quorate() == null) {
                return "node " + e.getKey() + " is uninitialized";
            }
            if (g.partition() != w.partition() || !g.ring().equals(w.ring()) || !g.view().equals(w.view())) {
                return "node " + e.getKey() + ": corosync shows partition " + g.partition() + " ring " + g.ring()
                    + " members " + g.view() + "; the partitions imply partition " + w.partition() + " ring "
                    + w.ring() + " members " + w.view();
            }
        }
        return null;
    }

    private static String compare(Map<Integer, VqsimReplay.NodeView> want, Map<Integer, VqsimProcess.Shown> got) {
        for (VqsimReplay.NodeView w : want.values()) {
            VqsimProcess.Shown g = got.get(w.nodeId());
            if (!w.ring().equals(g.ring()) || !w.view().equals(g.view())) {
                return "node " + w.nodeId() + ": corosync is in ring " + g.ring() + " with " + g.view()
                    + ", Vigil in ring " + w.ring() + " with " + w.view();
            }
            if (!Objects.equals(g.quorate(), w.quorate())) {
                return "node " + w.nodeId() + " (members " + w.view() + "): corosync quorate=" + g.quorate()
                    + ", Vigil quorate=" + w.quorate() + " (Vigil: total votes " + w.totalVotes() + ", expected "
                    + w.ourExpected() + ", quorum " + w.quorum() + ")";
            }
        }
        return null;
    }

    /** Compiles the test's LD_PRELOAD log shim; null when gcc or libqb is missing. */
    private static Path buildShim(Path tmp) throws IOException, InterruptedException {
        if (!onPath("gcc")) {
            return null;
        }
        Path src = tmp.resolve("vqsim-log-shim.c");
        try (InputStream in = VqsimDifferentialTest.class.getResourceAsStream("/vqsim/vqsim-log-shim.c")) {
            Files.copy(Objects.requireNonNull(in), src);
        }
        Path so = tmp.resolve("vqsim-log-shim.so");
        Process p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-o", so.toString(), src.toString(),
            "-l:libqb.so.100", "-ldl").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.out.println("vqsim log shim not built (total/expected votes not compared): " + out);
            return null;
        }
        return so;
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
