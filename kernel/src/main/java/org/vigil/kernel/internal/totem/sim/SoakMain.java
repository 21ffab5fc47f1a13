package org.vigil.kernel.internal.totem.sim;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./vigil soak}: runs seeded fault schedules on the simulator and reports violations.
 *
 * <pre>
 * vigil soak --seeds N [--nodes K] [--first-seed S] [--threads T] [--trace] [--cpg]
 * vigil soak --seed S [--nodes K]          one seed, printing its whole trace
 * vigil soak --timing [--trials N]        membership timings after a crash (see MembershipTiming)
 * </pre>
 *
 * Ends with the line {@code N seeds, V violations}; exits 1 when V &gt; 0, printing each failing seed with the
 * violation and the end of its trace (replay it with {@code --seed S}).
 */
public final class SoakMain {

    private SoakMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        long seeds = -1;
        long first = 1;
        int nodes = 0;
        int threads = Runtime.getRuntime().availableProcessors();
        boolean one = false;
        boolean timing = false;
        boolean verbose = false;
        boolean cpg = false;
        List<String> timingArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--seeds" -> seeds = Long.parseLong(args[++i]);
                    case "--first-seed" -> first = Long.parseLong(args[++i]);
                    case "--seed" -> {
                        first = Long.parseLong(args[++i]);
                        seeds = 1;
                        one = true;
                    }
                    case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                    case "--threads" -> threads = Integer.parseInt(args[++i]);
                    case "--timing" -> timing = true;
                    case "--counters" -> verbose = true;
                    case "--cpg" -> cpg = true;
                    case "--trials", "--profile" -> {
                        timingArgs.add(a);
                        timingArgs.add(args[++i]);
                    }
                    case "-h", "--help" -> {
                        usage(out);
                        return 0;
                    }
                    default -> {
                        err.println("vigil soak: unknown option '" + a + "'");
                        usage(err);
                        return 2;
                    }
                }
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                err.println("vigil soak: option " + a + " needs a number");
                return 2;
            }
        }
        if (timing) {
            return MembershipTiming.run(timingArgs.toArray(new String[0]), out);
        }
        if (seeds < 1 || (nodes != 0 && (nodes < 2 || nodes > 32)) || threads < 1) {
            usage(err);
            return 2;
        }
        if (one) {
            SoakRun.Result r = SoakRun.run(first, nodes, true, cpg);
            out.print(r.trace());
            out.println(describe(r));
            out.println("1 seeds, " + (r.ok() ? 0 : 1) + " violations");
            return r.ok() ? 0 : 1;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<SoakRun.Result>> futures = new ArrayList<>();
        final int k = nodes;
        final boolean withCpg = cpg;
        for (long s = first; s < first + seeds; s++) {
            long seed = s;
            futures.add(pool.submit(() -> SoakRun.run(seed, k, false, withCpg)));
        }
        int violations = 0;
        long steps = 0;
        long deliveries = 0;
        long maxConverge = 0;
        double maxRatio = 0;
        java.util.TreeMap<String, Long> totals = new java.util.TreeMap<>();
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        for (Future<SoakRun.Result> f : futures) {
            SoakRun.Result r = f.get();
            steps += r.steps();
            deliveries += r.deliveries();
            r.counters().forEach((key, v) -> totals.merge(key, v, Long::sum));
            if (r.ok()) {
                maxConverge = Math.max(maxConverge, r.convergeMillis());
                maxRatio = Math.max(maxRatio, (double) r.convergeMillis() / r.boundMillis());
            } else {
                violations++;
                out.println("seed " + r.seed() + " FAILED: " + describe(r));
                out.print(r.trace());
                out.println("replay: ./vigil soak --seed " + r.seed() + (k > 0 ? " --nodes " + k : ""));
            }
            if (done.incrementAndGet() % 1000 == 0) {
                err.println("vigil soak: " + done.get() + " seeds done, " + violations + " violations");
            }
        }
        pool.shutdown();
        if (verbose) {
            totals.forEach((key, v) -> out.println("  " + key + " = " + v));
        }
        out.printf("%d steps, %d deliveries checked, longest convergence after the last fault %d ms "
                + "(at most %.0f%% of its bound), %.1f s%n", steps, deliveries, maxConverge, 100 * maxRatio,
            (System.nanoTime() - t0) / 1e9);
        out.println(seeds + " seeds, " + violations + " violations");
        return violations > 0 ? 1 : 0;
    }

    static String describe(SoakRun.Result r) {
        return "seed " + r.seed() + ", " + r.nodes() + " nodes, profile " + r.profile() + ", "
            + r.virtualMillis() + " ms virtual, " + r.steps() + " steps, " + r.deliveries() + " deliveries"
            + (r.ok() ? ", converged " + r.convergeMillis() + " ms after the last fault (bound " + r.boundMillis()
                + " ms)" : "\nVIOLATION: " + r.violation());
    }

    private static void usage(PrintStream p) {
        p.println("usage: vigil soak --seeds N [--nodes K] [--first-seed S] [--threads T] [--counters] [--cpg]");
        p.println("       (--cpg: CPG members on every node, checked for agreement and delivery)");
        p.println("       vigil soak --seed S [--nodes K] [--cpg] (one seed with its whole trace)");
        p.println("       vigil soak --timing [--trials N] [--profile seed|fast|both]");
    }
}
