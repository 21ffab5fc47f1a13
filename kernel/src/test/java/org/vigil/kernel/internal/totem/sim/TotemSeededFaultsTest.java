package org.vigil.kernel.internal.totem.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The CI soak: a fixed set of 1,000 seeded fault schedules (seeds 1..1000; 3–7 nodes, partitions one- and
 * two-way, loss, duplication, reordering delays, crashes and restarts, pauses, lost tokens, malformed packets,
 * message bursts up to 200 kB and floods beyond the send queue), each checked by every invariant checker and for
 * convergence within the derived bound. {@code ./vigil soak --seeds N} runs more.
 */
class TotemSeededFaultsTest {

    static final int SEEDS = 1000;

    @Test
    void thousandSeededFaultSchedulesKeepEveryInvariant() throws Exception {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<SoakRun.Result>> futures = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            long s = seed;
            futures.add(pool.submit(() -> SoakRun.run(s, 0, false)));
        }
        StringBuilder failures = new StringBuilder();
        int violations = 0;
        Map<String, Long> totals = new TreeMap<>();
        int[] sizes = new int[8];
        for (Future<SoakRun.Result> f : futures) {
            SoakRun.Result r = f.get();
            r.counters().forEach((k, v) -> totals.merge(k, v, Long::sum));
            sizes[r.nodes()]++;
            if (!r.ok()) {
                violations++;
                failures.append(SoakMain.describe(r)).append('\n').append(r.trace()).append('\n');
            }
        }
        pool.shutdown();
        assertEquals(0, violations, violations + " of " + SEEDS + " seeds broke an invariant:\n" + failures);
        // The schedules really exercise the protocol (a schedule generator that stopped producing faults would
        // make this test pass without testing anything).
        for (int n = 3; n <= 7; n++) {
            assertTrue(sizes[n] > 100, "too few runs with " + n + " nodes: " + sizes[n]);
        }
        for (String key : List.of("reason.token_lost", "reason.consensus_timeout", "reason.token_lost_in_recovery",
            "reason.commit_token_lost", "reason.failed_to_receive", "reason.merge_detect", "reason.foreign_message",
            "reason.leave", "mcast_retx", "rx_msg_dropped", "sim.submit_refused", "fragments_discarded",
            "check.transitional_deliveries", "check.safe_transitional_deliveries", "check.transitional_skips")) {
            assertTrue(totals.getOrDefault(key, 0L) > 0, "the schedules never exercised " + key + ": " + totals);
        }
        assertTrue(totals.get("check.deliveries") > 500_000, "too little traffic: " + totals);
    }
}
