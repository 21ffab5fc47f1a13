package org.vigil.quorum.internal.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.QuorumState;

/**
 * The tie-breaker device under seeded interleavings, in virtual time: for each seed the nodes' threads and the
 * arbiter's messages interleave differently ({@link ManualScheduler} jitter, {@link SimArbiter} latency), and
 * at every instant no two disjoint partitions may both be quorate ({@link DeviceSim} checks it on every
 * decision). Runs a few hundred seeds in seconds; a failing seed is printed with its steps and replays exactly
 * ({@code -Dvigil.qdsim.seed=S}).
 */
class QuorumDeviceInterleavingTest {

    /** Seeds per test (override with {@code -Dvigil.qdsim.seeds=N}). */
    static final int SEEDS = Integer.getInteger("vigil.qdsim.seeds", 500);
    /** Run only this seed ({@code -Dvigil.qdsim.seed=S}). */
    static final Long ONLY = Long.getLong("vigil.qdsim.seed");
    /** Print every seed's transcript ({@code -Dvigil.qdsim.dump=true}). */
    static final boolean DUMP = Boolean.getBoolean("vigil.qdsim.dump");

    @TempDir
    Path state;

    static String config(int nodes, String algorithm, String tieBreaker, long timeout, long syncTimeout,
                         boolean masterWins, boolean waitForAll) {
        StringBuilder b = new StringBuilder("totem {\n  version: 2\n  cluster_name: qsim\n}\n"
            + "quorum {\n  provider: corosync_votequorum\n");
        if (waitForAll) {
            b.append("  wait_for_all: 1\n");
        }
        b.append("  device {\n    model: net\n    timeout: ").append(timeout).append("\n    sync_timeout: ")
            .append(syncTimeout).append('\n');
        if (algorithm.equals("ffsplit")) {
            b.append("    votes: 1\n");
        }
        if (masterWins) {
            b.append("    master_wins: 1\n");
        }
        b.append("    net {\n      host: 127.0.0.1\n      port: 5403\n      algorithm: ").append(algorithm)
            .append("\n      tie_breaker: ").append(tieBreaker).append("\n    }\n  }\n}\nnodelist {\n");
        for (int i = 1; i <= nodes; i++) {
            b.append("  node {\n    ring0_addr: 10.62.0.").append(i).append("\n    nodeid: ").append(i)
                .append("\n  }\n");
        }
        return b.append("}\n").toString();
    }

    private List<Long> seeds(long base) {
        List<Long> s = new ArrayList<>();
        if (ONLY != null) {
            s.add(ONLY);
            return s;
        }
        for (int i = 0; i < SEEDS; i++) {
            s.add(base + i);
        }
        return s;
    }

    /** A seed's failure, thrown from a seed's run and collected by {@link #runSeeds}. */
    static final class SeedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SeedFailure(String message) {
            super(message);
        }
    }

    interface SeedRun {
        void run(long seed) throws Exception;
    }

    /** Runs every seed, then fails with the number of failed seeds and the first failure's transcript. */
    private void runSeeds(long base, SeedRun run) throws Exception {
        List<Long> seeds = seeds(base);
        List<Long> failed = new ArrayList<>();
        String first = null;
        for (long seed : seeds) {
            try {
                run.run(seed);
            } catch (SeedFailure e) {
                if (DUMP) {
                    System.out.println(e.getMessage());
                }
                failed.add(seed);
                if (first == null) {
                    first = e.getMessage();
                }
            }
        }
        if (!failed.isEmpty()) {
            fail(failed.size() + " of " + seeds.size() + " seeds failed: " + failed + "\nfirst failure: " + first);
        }
    }

    private static void check(DeviceSim sim, long seed) {
        if (sim.violation != null) {
            throw new SeedFailure("seed " + seed + ": two disjoint partitions quorate at once: " + sim.violation
                + "\n" + sim.transcript());
        }
    }

    private static void require(boolean ok, long seed, DeviceSim sim, String what) {
        if (!ok) {
            throw new SeedFailure("seed " + seed + ": " + what + "\n" + sim.transcript());
        }
    }

    /**
     * The 1|1 split of a 2-node ffsplit cluster (tie_breaker lowest): node 2's half must never be quorate,
     * whatever the interleaving of the two nodes' votequorum, device and the arbiter's messages.
     */
    @Test
    void aOneOneSplitNeverMakesNodeTwosHalfQuorateWhateverTheInterleaving() throws Exception {
        runSeeds(1000, seed -> {
            Random r = new Random(seed);
            long timeout = 2000 + 1000L * r.nextInt(9);
            long syncTimeout = timeout + 1000L * r.nextInt(25);
            DeviceSim sim = new DeviceSim(config(2, "ffsplit", "lowest", timeout, syncTimeout, false, false),
                state.resolve("s" + seed), seed, r.nextInt(30), r.nextInt(2000), 1 + r.nextInt(60), 1 + r.nextInt(15),
                3000);
            sim.boot(1);
            sim.boot(2);
            sim.heal();
            // both devices connected and voting: each node counts its device's vote
            require(sim.advanceUntil(60_000, () -> sim.allQuorateTogether() && sim.decision(1).totalVotes() == 3
                && sim.decision(2).totalVotes() == 3), seed, sim, "the cluster never became quorate with the device");
            sim.advance(r.nextInt(3000));
            sim.partition(List.of(Set.of(1), Set.of(2)));
            boolean settled = sim.advanceUntil(120_000, () -> quorate(sim, 1, List.of(1))
                && notQuorate(sim, 2, List.of(2)));
            for (String l : sim.log) {
                require(!l.contains("node 2 QUORATE [2]"), seed, sim, "node 2's half was quorate: " + l);
            }
            check(sim, seed);
            require(settled, seed, sim, "after the split node 1's half (with the tie-breaker) must be quorate and "
                + "node 2's not");
            sim.heal();
            require(sim.advanceUntil(120_000, sim::allQuorateTogether), seed, sim, "not quorate again after the heal");
            check(sim, seed);
        });
    }

    /**
     * The vote moves between two intact partitions: 4 nodes split 2|2 while only node 1 can reach the arbiter
     * ({1,2} gets the vote), then 3 and 4 reach it again and, having more connected nodes, win. The arbiter may ACK {3,4} only once node 1 has given the vote up: its device
     * acknowledges the NACK only when node 1 counts and announces the vote no more.
     */
    @Test
    void theVoteMovesToAnotherPartitionOnlyAfterTheFormerOneGaveItUp() throws Exception {
        runSeeds(9000, seed -> {
            Random r = new Random(seed);
            long timeout = 2000 + 1000L * r.nextInt(9);
            boolean mw = Boolean.getBoolean("vigil.qdsim.mw") || r.nextInt(3) == 0;
            DeviceSim sim = new DeviceSim(config(4, "ffsplit", "lowest", timeout, timeout + 1000L * r.nextInt(20),
                mw, false), state.resolve("m" + seed), seed, r.nextInt(30), r.nextInt(2000), 1 + r.nextInt(60),
                1 + r.nextInt(15), 3000);
            sim.log.add("config: timeout " + timeout + (mw ? ", master_wins" : ""));
            for (int id = 1; id <= 4; id++) {
                sim.boot(id);
            }
            sim.heal();
            require(sim.advanceUntil(60_000, sim::allQuorateTogether), seed, sim, "the cluster never became quorate");
            sim.cutArbiter(2, true);
            sim.cutArbiter(3, true);
            sim.cutArbiter(4, true);
            sim.advance(r.nextInt(2000));
            sim.partition(List.of(Set.of(1, 2), Set.of(3, 4)));
            require(sim.advanceUntil(120_000, () -> quorate(sim, 1, List.of(1, 2))), seed, sim,
                "node 1's half with the only connected device must win");
            sim.advance(r.nextInt(5000));
            sim.cutArbiter(3, false);
            sim.cutArbiter(4, false);
            boolean moved = sim.advanceUntil(120_000, () -> quorate(sim, 3, List.of(3, 4)) && quorate(sim, 4,
                List.of(3, 4)) && notQuorate(sim, 1, List.of(1, 2)));
            check(sim, seed);
            require(moved, seed, sim, "the vote must move to {3,4}, which has more nodes connected to the arbiter");
        });
    }

    static boolean quorate(DeviceSim sim, int id, List<Integer> members) {
        QuorumState s = sim.decision(id);
        return s != null && s.quorate() && s.members().equals(members);
    }

    static boolean notQuorate(DeviceSim sim, int id, List<Integer> members) {
        QuorumState s = sim.decision(id);
        return s != null && !s.quorate() && s.members().equals(members);
    }

    /**
     * Random faults on 2–4 nodes with ffsplit or lms (tie-breakers, master_wins, wait_for_all): partitions,
     * heals, crashes and restarts, the arbiter's link to a node cut and restored, the arbiter stopped and started,
     * the device and votequorum providers swapped. No two disjoint partitions are ever quorate at once; once all
     * is repaired the whole cluster is quorate again.
     */
    @Test
    void randomFaultsNeverMakeTwoDisjointPartitionsQuorate() throws Exception {
        runSeeds(5000, seed -> {
            Random r = new Random(seed);
            int n = 2 + r.nextInt(3);
            String algorithm = r.nextBoolean() ? "ffsplit" : "lms";
            String tb = switch (r.nextInt(3)) {
                case 0 -> "lowest";
                case 1 -> "highest";
                default -> String.valueOf(1 + r.nextInt(n));
            };
            long timeout = 2000 + 1000L * r.nextInt(9);
            long syncTimeout = timeout + 1000L * r.nextInt(25);
            boolean mw = r.nextInt(4) == 0;
            boolean wfa = r.nextInt(3) == 0;
            String cfg = config(n, algorithm, tb, timeout, syncTimeout, mw, wfa);
            DeviceSim sim = new DeviceSim(cfg, state.resolve("r" + seed), seed, r.nextInt(30), r.nextInt(2000),
                1 + r.nextInt(60), 1 + r.nextInt(15), 3000);
            sim.log.add("config: " + n + " nodes, " + algorithm + ", tie_breaker " + tb + ", timeout " + timeout
                + ", sync_timeout " + syncTimeout + (mw ? ", master_wins" : "") + (wfa ? ", wait_for_all" : ""));
            for (int id = 1; id <= n; id++) {
                sim.boot(id);
            }
            sim.heal();
            sim.advanceUntil(60_000, sim::allQuorateTogether);
            int steps = 4 + r.nextInt(8);
            Set<Integer> cutLinks = new HashSet<>();
            for (int step = 0; step < steps && sim.violation == null; step++) {
                List<Integer> upNodes = new ArrayList<>();
                for (int id = 1; id <= n; id++) {
                    if (sim.up(id)) {
                        upNodes.add(id);
                    }
                }
                int what = r.nextInt(10);
                if (what <= 2 && upNodes.size() >= 2) {
                    Collections.shuffle(upNodes, r);
                    int k = 1 + r.nextInt(upNodes.size() - 1);
                    sim.partition(List.of(Set.copyOf(upNodes.subList(0, k)), Set.copyOf(upNodes.subList(k,
                        upNodes.size()))));
                } else if (what == 3) {
                    sim.heal();
                } else if (what == 4 && upNodes.size() >= 2) {
                    sim.crash(upNodes.get(r.nextInt(upNodes.size())));
                } else if (what == 5 && upNodes.size() < n) {
                    for (int id = 1; id <= n; id++) {
                        if (!sim.up(id)) {
                            sim.boot(id);
                            break;
                        }
                    }
                } else if (what == 6) {
                    int id = 1 + r.nextInt(n);
                    boolean cut = !cutLinks.contains(id);
                    sim.cutArbiter(id, cut);
                    if (cut) {
                        cutLinks.add(id);
                    } else {
                        cutLinks.remove(id);
                    }
                } else if (what == 7) {
                    sim.arbiterUp(!sim.arbiter.isUp());
                } else if (what == 8 && !upNodes.isEmpty()) {
                    sim.swapDevice(upNodes.get(r.nextInt(upNodes.size())));
                } else if (!upNodes.isEmpty()) {
                    sim.swapVotequorum(upNodes.get(r.nextInt(upNodes.size())));
                }
                sim.advance(r.nextInt(4) == 0 ? r.nextInt(300) : r.nextInt(40_000));
            }
            check(sim, seed);
            // repair everything: every node up, one ring, the arbiter up and reachable
            for (int id : cutLinks) {
                sim.cutArbiter(id, false);
            }
            if (!sim.arbiter.isUp()) {
                sim.arbiterUp(true);
            }
            for (int id = 1; id <= n; id++) {
                if (!sim.up(id)) {
                    sim.boot(id);
                }
            }
            sim.heal();
            boolean back = sim.advanceUntil(180_000, sim::allQuorateTogether);
            if (DUMP) {
                System.out.println("seed " + seed + ":\n" + sim.transcript());
            }
            check(sim, seed);
            require(back, seed, sim, "the repaired cluster is not quorate as a whole");
        });
    }
}
