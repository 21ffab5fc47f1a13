package org.vigil.kernel.internal.totem.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.internal.totem.TotemConfig;

/**
 * Virtual-time protocol bounds after a crash (not a speed test: the simulator's clock is virtual). Node 1 of an
 * idle 3-node ring must declare the token lost within the token timeout of the crash, and no earlier than the
 * token timeout minus the hold and a rotation (its timer started at its last token receipt), and deliver the
 * new membership one consensus timeout later. {@code vigil soak --timing} prints the figures next to corosync's.
 */
class MembershipTimingTest {

    private static void check(String[] totem) {
        TotemConfig cfg = TotemConfig.parse(3, totem);
        List<MembershipTiming.Trial> trials = MembershipTiming.trials(8, totem);
        for (MembershipTiming.Trial t : trials) {
            assertTrue(t.detectMillis() > 0 && t.detectMillis() <= cfg.token(), "detect " + t);
            assertTrue(t.detectMillis() >= cfg.token() - cfg.hold() - 50, "detect too early " + t);
            long reform = t.formedMillis() - t.detectMillis();
            assertTrue(reform >= cfg.consensus() && reform <= cfg.consensus() + 50, "re-formation " + t);
        }
    }

    @Test
    void seedTimings() {
        check(MembershipTiming.SEED);
    }

    @Test
    void fastTimings() {
        check(MembershipTiming.FAST);
    }
}
