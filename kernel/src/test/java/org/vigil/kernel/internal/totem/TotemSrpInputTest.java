package org.vigil.kernel.internal.totem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.internal.totem.sim.DirectRing;

/** What the engine does with bad input: malformed packets are dropped and counted, never thrown. */
class TotemSrpInputTest {

    private static final TotemConfig CFG = TotemConfig.parse(3, "token: 1000", "token_coefficient: 0");

    /** Captures what an engine sends. */
    static final class Capture implements TotemOutput {
        final List<byte[]> sent = new ArrayList<>();
        final List<MembershipEvent> events = new ArrayList<>();
        int delivered;

        @Override
        public void unicast(int nodeId, byte[] packet) {
            sent.add(packet);
        }

        @Override
        public void multicast(byte[] packet) {
            sent.add(packet);
        }

        @Override
        public void deliver(int sender, byte[] data, int offset, int length, Guarantee guarantee, RingId ring) {
            delivered++;
        }

        @Override
        public void configurationChange(MembershipEvent event) {
            events.add(event);
        }

        @Override
        public void armTimer(TimerKind kind, long delayMillis) {
        }

        @Override
        public void cancelTimer(TimerKind kind) {
        }
    }

    @Test
    void aFreshNodeFormsItsOwnRingAndPersistsTheRingSequence() {
        Capture c = new Capture();
        RingSeqStore.InMemory store = new RingSeqStore.InMemory(40);
        TotemSrp e = new TotemSrp(2, new int[] {1, 2, 3}, CFG, store, c);
        e.start();
        assertEquals(TotemState.OPERATIONAL, e.state());
        assertEquals(List.of(2), e.members());
        // +1 at boot (41), +4 for the ring it formed.
        assertEquals(45, store.load());
        assertEquals(new RingId(2, 45), e.ringId());
        assertEquals(2, c.events.size());
        assertEquals(MembershipEvent.Type.TRANSITIONAL, c.events.get(0).type());
        assertEquals(List.of(2), c.events.get(1).members());
    }

    @Test
    void garbageAndTruncatedPacketsAreDroppedAndCountedInEveryState() {
        SplittableRandom r = new SplittableRandom(7);
        Capture c = new Capture();
        TotemSrp e = new TotemSrp(1, new int[] {1, 2, 3}, CFG, new RingSeqStore.InMemory(), c);
        e.start();
        List<byte[]> real = new ArrayList<>(c.sent);
        long fed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] p;
            if (i % 2 == 0 && !real.isEmpty()) {
                byte[] src = real.get(r.nextInt(real.size()));
                p = java.util.Arrays.copyOf(src, r.nextInt(src.length));
            } else {
                p = new byte[r.nextInt(300)];
                r.nextBytes(p);
            }
            e.onPacket(p);
            fed++;
        }
        e.onPacket(ByteBuffer.wrap(new byte[] {1, 0, 0}));
        e.onPacket(new byte[10], 5, 10);
        assertEquals(fed + 2, e.stats().get("rx_msg_dropped"));
    }

    /** Mutated real traffic fed into a working ring: no exception escapes, whatever the bytes say. */
    @Test
    void mutatedTrafficNeverThrowsOutOfTheEngine() {
        DirectRing ring = new DirectRing(3, CFG);
        SplittableRandom r = new SplittableRandom(11);
        Capture tap = new Capture();
        TotemSrp source = new TotemSrp(2, new int[] {1, 2, 3}, CFG, new RingSeqStore.InMemory(), tap);
        source.start();
        for (int k = 0; k < 50; k++) {
            source.submit(new byte[r.nextInt(4000)], k % 3 == 0 ? Guarantee.SAFE : Guarantee.AGREED);
        }
        for (int k = 0; k < 200; k++) {
            source.onTimer(TimerKind.TOKEN_HOLD);
        }
        List<byte[]> real = new ArrayList<>(tap.sent);
        assertTrue(real.size() > 10);
        for (int i = 0; i < 50_000; i++) {
            byte[] p = real.get(r.nextInt(real.size())).clone();
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                p[r.nextInt(p.length)] = (byte) r.nextInt(256);
            }
            ring.engine(1 + r.nextInt(3)).onPacket(p);
            if (i % 1000 == 0) {
                ring.pumpUntil(() -> false, 2000);
            }
        }
        ring.pumpUntil(() -> false, 100_000);
    }

    @Test
    void submitRefusesWhenTheQueueIsFullAndRejectsOversizedMessages() {
        Capture c = new Capture();
        TotemSrp e = new TotemSrp(1, new int[] {1, 2}, CFG, new RingSeqStore.InMemory(), c);
        assertFalse(e.submit(new byte[1], Guarantee.AGREED), "accepted before start");
        e.start();
        e.onPacket(TotemCodec.encodeJoin(2, false, 1, NodeSet.of(1, 2), NodeSet.EMPTY));
        assertEquals(TotemState.COMMIT, e.state(), "both agree at once; the commit token waits for node 2");
        assertThrows(IllegalArgumentException.class, () -> e.submit(new byte[TotemSrp.MAX_MESSAGE + 1],
            Guarantee.AGREED));
        assertTrue(e.submit(new byte[TotemSrp.MAX_MESSAGE], Guarantee.AGREED), "a 1 MiB message must fit");
        int accepted = 1;
        while (e.submit(new byte[64 << 10], Guarantee.SAFE)) {
            accepted++;
        }
        assertEquals(1 + 48, accepted, "the queue holds 4 MiB: the 1 MiB message and 48 of 64 kiB");
        assertEquals(accepted, e.queuedMessages());
    }

    @Test
    void constructorChecksTheNodeIdAgainstTheMembers() {
        Capture c = new Capture();
        assertThrows(IllegalArgumentException.class,
            () -> new TotemSrp(4, new int[] {1, 2, 3}, CFG, new RingSeqStore.InMemory(), c));
        assertThrows(IllegalArgumentException.class,
            () -> new TotemSrp(0, new int[] {0, 1}, CFG, new RingSeqStore.InMemory(), c));
    }

    @Test
    void timersThatAreNotArmedAreIgnored() {
        Capture c = new Capture();
        TotemSrp e = new TotemSrp(1, new int[] {1, 2, 3}, CFG, new RingSeqStore.InMemory(), c);
        e.start();
        long joins = e.stats().get("memb_join_tx");
        e.onTimer(TimerKind.JOIN); // a one-node ring is OPERATIONAL: no JOIN timer is armed
        e.onTimer(TimerKind.CONSENSUS);
        assertEquals(joins, e.stats().get("memb_join_tx"));
        assertEquals(TotemState.OPERATIONAL, e.state());
    }
}
