package org.vigil.quorum.internal.votequorum;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.vigil.kernel.config.ConfigException;
import org.vigil.kernel.config.VigilConfig;

/**
 * A generated votequorum scenario: a cluster configuration (2–9 nodes, votes per node, quorum options) and a
 * sequence of vqsim commands (partitions, heals, node stops and starts). The same text drives
 * {@code corosync-vqsim} and {@link VqsimModel}.
 *
 * @param seed    the seed it was generated from (replays exactly)
 * @param nodes   node count (node ids 1..nodes)
 * @param votes   votes of node i+1
 * @param options quorum{} lines (key: value)
 * @param steps   vqsim commands, e.g. {@code split 1:3,4}
 */
record VqScenario(long seed, int nodes, long[] votes, List<String> options, List<String> steps) {

    /** Partitions the generator uses (vqsim has 16). */
    static final int PARTITIONS = 4;
    /** last_man_standing_window used in generated scenarios, in ms (vqsim runs it in real time). */
    static final long LMS_WINDOW = 120;

    /** The corosync.conf text (also valid for Vigil). */
    String configText(String stateDir) {
        StringBuilder b = new StringBuilder();
        b.append("totem {\n  version: 2\n  cluster_name: vqdiff\n}\n");
        b.append("system {\n  state_dir: ").append(stateDir).append("\n}\n");
        b.append("logging {\n  to_stderr: yes\n  to_syslog: no\n  debug: on\n  timestamp: off\n}\n");
        b.append("quorum {\n  provider: corosync_votequorum\n");
        for (String o : options) {
            b.append("  ").append(o).append('\n');
        }
        b.append("}\nnodelist {\n");
        for (int i = 1; i <= nodes; i++) {
            b.append("  node {\n    ring0_addr: 10.62.0.").append(i).append("\n    nodeid: ").append(i).append('\n');
            if (votes[i - 1] != 1) {
                b.append("    quorum_votes: ").append(votes[i - 1]).append('\n');
            }
            b.append("  }\n");
        }
        b.append("}\n");
        return b.toString();
    }

    /** The configuration as Vigil reads it. */
    VigilConfig config() throws ConfigException {
        return VigilConfig.fromText("vqdiff-" + seed + ".conf", configText("/tmp"));
    }

    boolean option(String key) {
        return options.stream().anyMatch(o -> o.equals(key + ": 1"));
    }

    @Override
    public String toString() {
        return "scenario seed " + seed + ": " + nodes + " nodes, votes " + java.util.Arrays.toString(votes)
            + ", quorum {" + String.join("; ", options) + "}, steps " + steps;
    }

    /** Generates a scenario that Vigil's configuration check accepts. */
    static VqScenario generate(long seed) {
        Random r = new Random(seed);
        for (int attempt = 0; ; attempt++) {
            VqScenario s = tryGenerate(seed, r);
            try {
                s.config();
                return s;
            } catch (ConfigException e) {
                if (attempt > 50) {
                    throw new IllegalStateException("cannot generate a valid scenario for seed " + seed + ": " + e);
                }
            }
        }
    }

    private static VqScenario tryGenerate(long seed, Random r) {
        int n = 2 + r.nextInt(8);
        long[] votes = new long[n];
        boolean uneven = r.nextInt(10) < 3;
        long sum = 0;
        for (int i = 0; i < n; i++) {
            votes[i] = uneven ? 1 + r.nextInt(3) : 1;
            sum += votes[i];
        }
        List<String> opts = new ArrayList<>();
        boolean twoNode = n == 2 && r.nextInt(10) < 4;
        if (twoNode) {
            opts.add("two_node: 1");
        }
        int wfa = r.nextInt(10);
        if (wfa < 3) {
            opts.add("wait_for_all: 1");
        } else if (wfa == 3) {
            opts.add("wait_for_all: 0");
        }
        if (r.nextInt(10) < 2) {
            opts.add("last_man_standing: 1");
            opts.add("last_man_standing_window: " + LMS_WINDOW);
        }
        if (!twoNode && r.nextInt(10) < 3) {
            opts.add("auto_tie_breaker: 1");
            int kind = r.nextInt(3);
            if (kind == 1) {
                opts.add("auto_tie_breaker_node: highest");
            } else if (kind == 2) {
                List<Integer> ids = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    ids.add(i);
                }
                Collections.shuffle(ids, r);
                int k = 1 + r.nextInt(Math.min(3, n));
                opts.add("auto_tie_breaker_node: " + ids.subList(0, k).stream().map(String::valueOf)
                    .collect(Collectors.joining(" ")));
            }
        }
        if (r.nextInt(100) < 15) {
            long ev = Math.max(1, sum - 2 + r.nextInt(5));
            opts.add("expected_votes: " + ev);
        }
        if (r.nextInt(100) < 5) {
            opts.add("allow_downscale: 1");
        } else if (r.nextInt(100) < 10) {
            opts.add("expected_votes_tracking: 1");
        }
        List<String> steps = steps(r, n);
        return new VqScenario(seed, n, votes, opts, steps);
    }

    private static List<String> steps(Random r, int n) {
        List<List<Integer>> parts = new ArrayList<>();
        for (int i = 0; i < PARTITIONS; i++) {
            parts.add(new ArrayList<>());
        }
        for (int i = 1; i <= n; i++) {
            parts.get(0).add(i);
        }
        TreeSet<Integer> down = new TreeSet<>();
        List<String> steps = new ArrayList<>();
        int count = 3 + r.nextInt(5);
        while (steps.size() < count) {
            int kind = r.nextInt(10);
            if (kind < 4) {
                // split: move a proper subset of a partition with 2+ nodes to an empty partition
                List<Integer> candidates = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    if (parts.get(p).size() >= 2) {
                        candidates.add(p);
                    }
                }
                int empty = firstEmpty(parts);
                if (candidates.isEmpty() || empty < 0) {
                    continue;
                }
                List<Integer> from = parts.get(candidates.get(r.nextInt(candidates.size())));
                List<Integer> shuffled = new ArrayList<>(from);
                Collections.shuffle(shuffled, r);
                List<Integer> moved = new ArrayList<>(shuffled.subList(0, 1 + r.nextInt(from.size() - 1)));
                from.removeAll(moved);
                parts.get(empty).addAll(moved);
                steps.add("split " + empty + ":" + moved.stream().map(String::valueOf).collect(Collectors.joining(",")));
            } else if (kind < 7) {
                List<Integer> nonEmpty = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    if (!parts.get(p).isEmpty()) {
                        nonEmpty.add(p);
                    }
                }
                if (nonEmpty.size() < 2) {
                    continue;
                }
                Collections.shuffle(nonEmpty, r);
                int a = nonEmpty.get(0);
                int b = nonEmpty.get(1);
                parts.get(a).addAll(parts.get(b));
                parts.get(b).clear();
                steps.add("join " + a + " " + b);
            } else if (kind < 9) {
                List<Integer> live = new ArrayList<>();
                for (List<Integer> p : parts) {
                    live.addAll(p);
                }
                if (live.size() <= 1) {
                    continue;
                }
                int victim = live.get(r.nextInt(live.size()));
                for (List<Integer> p : parts) {
                    p.remove(Integer.valueOf(victim));
                }
                down.add(victim);
                steps.add("down " + victim);
            } else {
                if (down.isEmpty()) {
                    continue;
                }
                List<Integer> ds = new ArrayList<>(down);
                int id = ds.get(r.nextInt(ds.size()));
                int p = r.nextInt(PARTITIONS);
                down.remove(id);
                parts.get(p).add(id);
                steps.add("up " + p + ":" + id);
            }
        }
        return steps;
    }

    private static int firstEmpty(List<List<Integer>> parts) {
        for (int p = 0; p < parts.size(); p++) {
            if (parts.get(p).isEmpty()) {
                return p;
            }
        }
        return -1;
    }
}
