package org.vigil.kernel.internal.totem;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The safe-delivery rule against a brute-force oracle: a token goes round a ring whose members receive messages
 * late and out of order; on each visit the engine's rule ({@link TotemSrp#updateAru}, {@link TotemSrp#safePoint})
 * gives a safe point, and the oracle, which sees every member's real aru, checks that nobody lacks a message at or
 * below it.
 */
class SafeRuleTest {

    @Test
    void theSafePointNeverExceedsTheRealLowestAru() {
        SplittableRandom r = new SplittableRandom(17);
        long checks = 0;
        long positive = 0;
        for (int round = 0; round < 300; round++) {
            int n = 2 + r.nextInt(6);
            int seqCap = 20_000;
            boolean[][] has = new boolean[n][seqCap];
            long[] aru = new long[n];
            long[] lastForwarded = new long[n];
            java.util.Arrays.fill(lastForwarded, -1);
            OrfToken t = new OrfToken();
            double loss = r.nextDouble() * 0.5;
            for (int hop = 0; hop < 3000; hop++) {
                int me = hop % n;
                // Late arrivals: each member picks up some of the messages it lacked.
                for (int k = 0; k < n; k++) {
                    for (long s = aru[k] + 1; s <= t.seq; s++) {
                        if (!has[k][(int) s] && r.nextDouble() > loss) {
                            has[k][(int) s] = true;
                        }
                    }
                    while (aru[k] + 1 <= t.seq && has[k][(int) aru[k] + 1]) {
                        aru[k]++;
                    }
                }
                long safe = TotemSrp.safePoint(lastForwarded[me], t.aru);
                long realMin = Long.MAX_VALUE;
                for (long a : aru) {
                    realMin = Math.min(realMin, a);
                }
                assertTrue(safe <= realMin, "safe point " + safe + " but a member's aru is " + realMin);
                checks++;
                if (safe > 0) {
                    positive++;
                }
                // The holder sends some new messages (it has them at once).
                int sends = r.nextInt(4);
                for (int k = 0; k < sends && t.seq < seqCap - 1; k++) {
                    t.seq++;
                    has[me][(int) t.seq] = true;
                }
                while (aru[me] + 1 <= t.seq && has[me][(int) aru[me] + 1]) {
                    aru[me]++;
                }
                TotemSrp.updateAru(t, aru[me], me + 1);
                lastForwarded[me] = t.aru;
            }
        }
        assertTrue(positive > checks / 2, "the rule must also make progress: " + positive + " of " + checks);
    }
}
