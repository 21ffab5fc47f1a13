package org.vigil.kernel.internal.totem.sim;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.internal.totem.TotemConfig;
import org.vigil.kernel.internal.totem.TotemState;

/**
 * Membership timings after a crash, in virtual time, measured as the corosync anchor measured real corosync
 * ({@code anchors/corosync/REPORT.md} §3b): a 3-node ring, idle, node 3 crashes at t0 (a random moment of the
 * token's rotation), and on survivor node 1 we note when it declares the token lost (OPERATIONAL → GATHER,
 * corosync's "A processor failed, forming new configuration") and when it delivers the new regular
 * configuration without node 3 ("A new membership ... was formed").
 *
 * <pre>vigil soak --timing [--trials N] [--profile seed|fast|both]</pre>
 */
public final class MembershipTiming {

    static final String[] SEED = {"token: 3000", "token_retransmits_before_loss_const: 10", "join: 60",
        "consensus: 3600", "max_messages: 20"};
    static final String[] FAST = {"token: 1000", "token_coefficient: 0", "consensus: 1200", "join: 50"};

    /** The times of one trial, in milliseconds after the crash (-1 if it did not happen). */
    public record Trial(long detectMillis, long formedMillis) {
    }

    private MembershipTiming() {
    }

    /** Runs one crash trial with the given {@code totem {}} lines; {@code seed} picks the crash moment. */
    public static Trial trial(long seed, String... totem) {
        TotemConfig cfg = TotemConfig.parse(3, totem);
        Simulator sim = new Simulator(seed, 3, cfg, new Trace(200, Trace.Category.FAULT, Trace.Category.STATE,
            Trace.Category.CONFIG));
        for (int id = 1; id <= 3; id++) {
            sim.boot(id);
        }
        long token = cfg.token() * Simulator.MS;
        while (!sim.converged()) {
            sim.runFor(10 * Simulator.MS);
            if (sim.now() > 60_000 * Simulator.MS) {
                throw new IllegalStateException("the 3 nodes did not form a ring:\n" + sim.status());
            }
        }
        // Let the ring go idle (the representative holds the token), then crash at a random moment.
        sim.runFor(3 * token + new SplittableRandom(seed).nextLong(token));
        long[] detect = {-1};
        long[] formed = {-1};
        long t0 = sim.now();
        sim.setListener(new Simulator.Listener() {
            @Override
            public void stateChanged(long micros, int node, TotemState from, TotemState to, String reason) {
                if (node == 1 && from == TotemState.OPERATIONAL && to == TotemState.GATHER && detect[0] < 0) {
                    detect[0] = micros - t0;
                }
            }

            @Override
            public void configurationChange(long micros, int node, MembershipEvent ev) {
                if (node == 1 && ev.type() == MembershipEvent.Type.REGULAR && ev.members().equals(List.of(1, 2))
                    && formed[0] < 0) {
                    formed[0] = micros - t0;
                }
            }
        });
        sim.crash(3);
        long limit = sim.now() + 10 * (cfg.token() + cfg.consensus()) * Simulator.MS;
        while (formed[0] < 0 && sim.now() < limit) {
            sim.runFor(Simulator.MS);
        }
        return new Trial(detect[0] < 0 ? -1 : detect[0] / Simulator.MS, formed[0] < 0 ? -1 : formed[0] / Simulator.MS);
    }

    static int run(String[] args, PrintStream out) {
        int trials = 20;
        String profile = "both";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--profile" -> profile = args[++i];
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        out.println("3 nodes, idle ring, node 3 crashes at t0; times on node 1 in virtual ms after t0, "
            + trials + " trials (crash moment varied), median [min-max]");
        if (!profile.equals("fast")) {
            report(out, "seed (token 3000 -> 3650 with 3 nodes, retransmits 10, join 60, consensus 3600)", SEED,
                trials, "corosync 3.1.7 udpu/seed: loss declared 3496 [3410-3625], membership 7100 [7010-7225]");
        }
        if (!profile.equals("seed")) {
            report(out, "fast (token 1000, token_coefficient 0, join 50, consensus 1200)", FAST, trials,
                "corosync 3.1.7 udpu/fast: loss declared 1019 [872-1026], membership 2219 [2072-2226]");
        }
        return 0;
    }

    private static void report(PrintStream out, String title, String[] totem, int trials, String anchor) {
        TotemConfig cfg = TotemConfig.parse(3, totem);
        long[] d = new long[trials];
        long[] f = new long[trials];
        for (int t = 0; t < trials; t++) {
            Trial tr = trial(1000 + t, totem);
            d[t] = tr.detectMillis();
            f[t] = tr.formedMillis();
        }
        out.println(title + ": effective token " + cfg.token() + " ms, token_retransmit " + cfg.tokenRetransmit()
            + " ms, hold " + cfg.hold() + " ms, consensus " + cfg.consensus() + " ms");
        out.println("  vigil:    loss declared " + stat(d) + ", new membership delivered " + stat(f));
        out.println("  " + anchor);
    }

    static String stat(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        long median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return median + " [" + s[0] + "-" + s[s.length - 1] + "]";
    }

    /** For tests: the trials of one profile. */
    static List<Trial> trials(int count, String... totem) {
        List<Trial> l = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            l.add(trial(1000 + t, totem));
        }
        return l;
    }
}
