package org.vigil.kernel.internal.totem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * send_join and the scheduling-pause check on their own (the heartbeat mode, the pause and send_join in a
 * cluster: golden scenarios 16–18).
 */
class TotemKnobsTest {

    /** Records the timers an engine arms (and counts its packets). */
    static final class Timers implements TotemOutput {
        final Map<TimerKind, Long> armed = new EnumMap<>(TimerKind.class);
        final java.util.List<byte[]> sent = new java.util.ArrayList<>();

        @Override
        public void unicast(int nodeId, byte[] packet) {
            sent.add(packet);
        }

        @Override
        public void multicast(byte[] packet) {
            sent.add(packet);
        }

        @Override
        public void deliver(int sender, byte[] data, int offset, int length, Guarantee guarantee,
                            org.vigil.kernel.api.RingId ring) {
        }

        @Override
        public void configurationChange(org.vigil.kernel.api.MembershipEvent event) {
        }

        @Override
        public void armTimer(TimerKind kind, long delayMillis) {
            armed.put(kind, delayMillis);
        }

        @Override
        public void cancelTimer(TimerKind kind) {
            armed.remove(kind);
        }
    }

    @Test
    void withSendJoinAJoinWaitsARandomDelayBelowItAndIsNotDelayedTwice() {
        TotemConfig cfg = TotemConfig.parse(3, "token: 1000", "token_coefficient: 0", "send_join: 40");
        for (int seed = 0; seed < 20; seed++) {
            Timers t = new Timers();
            TotemSrp e = new TotemSrp(1, new int[] {1, 2, 3}, cfg, new RingSeqStore.InMemory(), t,
                new SplittableRandom(seed));
            e.start();
            assertEquals(0, t.sent.size(), "no JOIN at once with send_join");
            long delay = t.armed.get(TimerKind.SEND_JOIN);
            assertTrue(delay >= 0 && delay < 40, "delay " + delay);
            e.onTimer(TimerKind.JOIN);   // the JOIN re-send while one waits: not delayed again
            assertEquals(delay, t.armed.get(TimerKind.SEND_JOIN));
            e.onTimer(TimerKind.SEND_JOIN);
            assertEquals(1, t.sent.size(), "the JOIN goes out when its delay is over");
            assertEquals(TotemCodec.TYPE_JOIN, t.sent.get(0)[1]);
        }
        Timers now = new Timers();
        new TotemSrp(1, new int[] {1, 2, 3}, TotemConfig.parse(3, "token: 1000"), new RingSeqStore.InMemory(), now)
            .start();
        assertEquals(1, now.sent.size(), "without send_join the JOIN goes out at once");
        assertTrue(!now.armed.containsKey(TimerKind.SEND_JOIN));
    }

    @Test
    void aSchedulingPauseAboveFourFifthsOfTheTokenIsReportedAsCorosyncDoes() {
        SchedulingPause p = new SchedulingPause(1000);
        assertEquals(333, p.intervalMillis());
        assertEquals(800, p.thresholdMillis());
        long ms = 1_000_000L;
        assertNull(p.check(5_000 * ms), "the first call only starts the measure");
        assertNull(p.check(5_333 * ms));
        assertNull(p.check(6_133 * ms), "exactly the threshold is no pause");
        String w = p.check(7_033 * ms);
        assertEquals("process was not scheduled for 900.0000 ms (threshold is 800.0000 ms), token timeout risk: "
            + "consider a larger token timeout", w);
        assertEquals(1, p.events());
        assertEquals(900 * ms, p.lastPauseNanos());
        assertNull(p.check(7_366 * ms));
    }
}
