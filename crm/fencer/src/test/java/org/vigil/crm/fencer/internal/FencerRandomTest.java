package org.vigil.crm.fencer.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.fencer.FenceAction;

/**
 * Seeded random runs of {@link FencerSim}: random clusters of 3 to 5 nodes, random devices (host lists, bans,
 * delays, timeouts), sometimes a topology, and a minute of random requests, crashes, reboots, frozen fencers,
 * device failures and hangs, manual confirmations; then every node continues and the cluster settles. The
 * simulator's invariants must hold: every node that ends an operation ends it alike, an operation ends DONE only
 * after a device fenced its target (or a confirmation), and nothing stays pending once the cluster settles.
 *
 * <p>{@code -Dvigil.fencer.seeds=N} runs N seeds (default 200), {@code -Dvigil.fencer.seed=S} just seed S;
 * {@code -Dvigil.fencer.verbose=true} traces every message.
 */
class FencerRandomTest {

    @TestFactory
    Stream<DynamicTest> randomRuns() {
        Long one = Long.getLong("vigil.fencer.seed");
        LongStream seeds = one != null ? LongStream.of(one) : LongStream.rangeClosed(1, Long.getLong("vigil.fencer.seeds", 200));
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            FencerSim sim = run(seed);
            assertTrue(sim.violations.isEmpty(), "seed " + seed + ": " + sim.violations + "\n" + sim.trace);
        }));
    }

    static FencerSim run(long seed) throws CibException {
        Random r = new Random(seed);
        FencerSim sim = new FencerSim(seed);
        sim.verbose = Boolean.getBoolean("vigil.fencer.verbose");
        sim.agents.put("fence_static", new FencerConfig.AgentInfo(false, false, false));
        sim.agents.put("fence_sim", new FencerConfig.AgentInfo(true, true, false));
        sim.agents.put("fence_status", new FencerConfig.AgentInfo(false, true, false));
        int n = 3 + r.nextInt(3);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add("n" + i);
            sim.addNode("n" + i);
        }
        List<String> cib = new ArrayList<>();
        int devices = 1 + r.nextInt(4);
        List<String> ids = new ArrayList<>();
        for (int d = 1; d <= devices; d++) {
            String id = "d" + d;
            ids.add(id);
            String agent = List.of("fence_static", "fence_sim", "fence_status").get(r.nextInt(3));
            StringBuilder line = new StringBuilder("device " + id + " " + agent);
            if (agent.equals("fence_static")) {
                List<String> hosts = new ArrayList<>();
                for (String h : names) {
                    if (r.nextInt(3) > 0) {
                        hosts.add(h);
                    }
                }
                if (!hosts.isEmpty()) {
                    line.append(" pcmk_host_list=").append(String.join(",", hosts));
                }
            } else if (agent.equals("fence_sim")) {
                sim.listOutput.put(id, String.join(" ", names.subList(0, 1 + r.nextInt(n))));
            }
            if (r.nextInt(4) == 0) {
                line.append(" pcmk_delay_max=").append(1 + r.nextInt(5)).append('s');
            }
            if (r.nextInt(3) == 0) {
                line.append(" pcmk_reboot_timeout=").append(2 + r.nextInt(10)).append('s')
                    .append(" pcmk_off_timeout=").append(2 + r.nextInt(10)).append('s');
            }
            cib.add(line.toString());
            for (String h : names) {
                if (r.nextInt(5) == 0) {
                    cib.add("ban " + id + " " + h);
                }
            }
            sim.deviceMs.put(id, 50L + r.nextInt(3000));
        }
        if (r.nextBoolean()) {
            for (int l = 1; l <= 1 + r.nextInt(3); l++) {
                List<String> devs = new ArrayList<>();
                for (int k = 0; k <= r.nextInt(2); k++) {
                    devs.add(r.nextInt(8) == 0 ? "nosuch" : ids.get(r.nextInt(ids.size())));
                }
                String t = r.nextBoolean() ? "level " + names.get(r.nextInt(n)) : "level-pattern n[1-3]";
                cib.add(t + " " + l + " " + String.join(",", devs));
            }
        }
        if (r.nextBoolean()) {
            cib.add("stonith-timeout " + (3 + r.nextInt(20)) + "s");
        }
        sim.cib = XmlText.parse(FencerScenario.cibXml(cib), "random");
        sim.trace.append("cib: ").append(cib).append('\n');
        for (String h : names) {
            sim.boot(h);
        }
        sim.runUntil(10);
        for (int step = 0; step < 60; step++) {
            sim.runUntil(sim.now + r.nextInt(2000));
            String node = names.get(r.nextInt(n));
            FencerSim.SimNode sn = sim.nodes.get(node);
            int what = r.nextInt(20);
            if (what < 8) {
                if (sn.alive && !sn.frozen) {
                    FenceAction a = List.of(FenceAction.REBOOT, FenceAction.REBOOT, FenceAction.OFF, FenceAction.ON)
                        .get(r.nextInt(4));
                    sim.fence(node, names.get(r.nextInt(n)), a);
                }
            } else if (what < 10) {
                sim.crash(node);
            } else if (what < 12) {
                if (!sn.alive) {
                    sim.boot(node);
                }
            } else if (what < 14) {
                if (sn.alive) {
                    sim.freeze(node, !sn.frozen);
                }
            } else if (what < 17) {
                sim.behaviour.put(ids.get(r.nextInt(ids.size())),
                    FencerSim.Behaviour.values()[r.nextInt(FencerSim.Behaviour.values().length)]);
            } else if (what < 18) {
                if (sn.alive && !sn.frozen) {
                    sim.confirm(node, names.get(r.nextInt(n)));
                }
            } else if (sn.alive && !sn.frozen) {
                sim.list(node, names.get(r.nextInt(n)));
            }
        }
        for (FencerSim.SimNode sn : sim.nodes.values()) {
            if (sn.frozen) {
                sim.freeze(sn.name, false);
            }
        }
        sim.stabilize();
        return sim;
    }
}
