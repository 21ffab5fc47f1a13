package org.vigil.kernel.internal.totem.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The CI soak with CPG: the fault schedules of {@link TotemSeededFaultsTest} (seeds 1..1000) with CPG members of
 * two groups on every node joining, leaving and sending throughout; once the ring holds, every node must agree on
 * every group's members and every member must get every message of a last round. {@code ./vigil soak --seeds N
 * --cpg} runs more.
 */
class CpgSeededFaultsTest {

    static final int SEEDS = 1000;

    @Test
    void thousandSeededFaultSchedulesKeepCpgMembersAndMessagesAgreed() throws Exception {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<SoakRun.Result>> futures = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            long s = seed;
            futures.add(pool.submit(() -> SoakRun.run(s, 0, false, true)));
        }
        StringBuilder failures = new StringBuilder();
        int violations = 0;
        long transitionalDeliveries = 0;
        for (Future<SoakRun.Result> f : futures) {
            SoakRun.Result r = f.get();
            transitionalDeliveries += r.counters().getOrDefault("check.transitional_deliveries", 0L);
            if (!r.ok()) {
                violations++;
                failures.append(SoakMain.describe(r)).append('\n').append(r.trace()).append('\n');
            }
        }
        pool.shutdown();
        assertEquals(0, violations, violations + " of " + SEEDS + " seeds broke an invariant:\n" + failures);
        assertTrue(transitionalDeliveries > 0, "the schedules never delivered in a transitional configuration");
    }
}
