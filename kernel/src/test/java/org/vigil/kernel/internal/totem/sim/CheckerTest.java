package org.vigil.kernel.internal.totem.sim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.internal.totem.Guarantee;

/**
 * The checkers must catch what they claim to: each test replays a small history that breaks one invariant (or
 * keeps them all) straight into a {@link Checker}, without an engine.
 */
class CheckerTest {

    private static final RingId R1 = new RingId(1, 5);
    private static final RingId R2 = new RingId(1, 9);

    private Checker c;
    private Checker.Inc n1;
    private Checker.Inc n2;
    private Checker.Inc n3;
    private int counter;

    @BeforeEach
    void ringOfThree() {
        c = new Checker();
        n1 = c.newIncarnation(1, 1);
        n2 = c.newIncarnation(2, 1);
        n3 = c.newIncarnation(3, 1);
        for (Checker.Inc i : List.of(n1, n2, n3)) {
            c.configurationChange(i, trans(R1, List.of(i.node), List.of()));
            c.configurationChange(i, reg(R1, List.of(1, 2, 3), without(List.of(1, 2, 3), i.node)));
        }
    }

    private static List<Integer> without(List<Integer> l, int x) {
        return l.stream().filter(v -> v != x).toList();
    }

    private static MembershipEvent trans(RingId r, List<Integer> members, List<Integer> left) {
        return new MembershipEvent(MembershipEvent.Type.TRANSITIONAL, r, members, List.of(), left);
    }

    private static MembershipEvent reg(RingId r, List<Integer> members, List<Integer> joined) {
        return new MembershipEvent(MembershipEvent.Type.REGULAR, r, members, joined, List.of());
    }

    /** Submits a message from {@code origin}; returns its payload. */
    private byte[] msg(Checker.Inc origin, Guarantee g) {
        byte[] p = Payloads.make(origin.node, ++counter, 40);
        c.submitted(origin, Payloads.msgId(origin.node, counter), g, p.length);
        return p;
    }

    private void deliver(Checker.Inc at, byte[] p, Guarantee g, RingId r, long seq) {
        c.delivered(at, Payloads.getInt(p, 0), p, 0, p.length, g, r, seq << 16, seq);
    }

    private void receivedByAll(long seq) {
        for (int node = 1; node <= 3; node++) {
            received(node, seq);
        }
    }

    /** Node {@code node} got message {@code seq} of R1: the network carried it there and its engine stored it. */
    private void received(int node, long seq) {
        c.carried(node, R1.rep(), R1.seq(), seq);
        c.stored(node, R1.rep(), R1.seq(), seq);
    }

    @Test
    void aConsistentHistoryPasses() {
        byte[] a = msg(n1, Guarantee.AGREED);
        byte[] b = msg(n2, Guarantee.SAFE);
        receivedByAll(1);
        receivedByAll(2);
        assertDoesNotThrow(() -> {
            for (Checker.Inc i : List.of(n1, n2, n3)) {
                deliver(i, a, Guarantee.AGREED, R1, 1);
                deliver(i, b, Guarantee.SAFE, R1, 2);
            }
            c.finalChecks();
        });
    }

    @Test
    void duplicateDelivery() {
        byte[] a = msg(n1, Guarantee.AGREED);
        deliver(n1, a, Guarantee.AGREED, R1, 1);
        Checker.Violation v = assertThrows(Checker.Violation.class, () -> deliver(n1, a, Guarantee.AGREED, R1, 2));
        assertTrue(v.getMessage().contains("twice"), v.getMessage());
    }

    @Test
    void twoMessagesAtOnePosition() {
        byte[] a = msg(n1, Guarantee.AGREED);
        byte[] b = msg(n2, Guarantee.AGREED);
        deliver(n1, a, Guarantee.AGREED, R1, 1);
        assertThrows(Checker.Violation.class, () -> deliver(n2, b, Guarantee.AGREED, R1, 1));
    }

    @Test
    void oneMessageAtTwoPositionsAcrossTheTransitionalConfiguration() {
        // n3 delivers its message a at position 1 of R1 in the regular configuration. n1 moves to a transitional
        // configuration without n3 and delivers the same message at position 3: skipping position 1 is allowed
        // there (its sender left), so only "a message has one position" can notice.
        byte[] a = msg(n3, Guarantee.AGREED);
        deliver(n3, a, Guarantee.AGREED, R1, 1);
        c.configurationChange(n1, trans(R2, List.of(1, 2), List.of(3)));
        Checker.Violation v = assertThrows(Checker.Violation.class, () -> deliver(n1, a, Guarantee.AGREED, R1, 3));
        assertTrue(v.getMessage().contains("elsewhere at position 1.0"), v.getMessage());
    }

    @Test
    void oneMessageAtTwoPositionsInTheRegularConfigurationOfTwoNodes() {
        byte[] a = msg(n1, Guarantee.AGREED);
        deliver(n1, a, Guarantee.AGREED, R1, 1);
        Checker.Violation v = assertThrows(Checker.Violation.class, () -> deliver(n2, a, Guarantee.AGREED, R1, 2));
        assertTrue(v.getMessage().contains("elsewhere at position"), v.getMessage());
    }

    @Test
    void aGapInTheRegularConfiguration() {
        byte[] a = msg(n1, Guarantee.AGREED);
        byte[] b = msg(n1, Guarantee.AGREED);
        deliver(n1, a, Guarantee.AGREED, R1, 1);
        deliver(n1, b, Guarantee.AGREED, R1, 2);
        Checker.Violation v = assertThrows(Checker.Violation.class, () -> deliver(n2, b, Guarantee.AGREED, R1, 2));
        assertTrue(v.getMessage().contains("skipped"), v.getMessage());
    }

    @Test
    void aGapFoundLater() {
        byte[] a = msg(n1, Guarantee.AGREED);
        byte[] b = msg(n1, Guarantee.AGREED);
        deliver(n1, b, Guarantee.AGREED, R1, 2);
        // n1 jumped to position 2 and only now does anyone reveal position 1.
        assertThrows(Checker.Violation.class, () -> deliver(n2, a, Guarantee.AGREED, R1, 1));
    }

    @Test
    void safeBeforeEveryMemberReceivedIt() {
        byte[] a = msg(n1, Guarantee.SAFE);
        received(1, 1);
        received(2, 1);
        Checker.Violation v = assertThrows(Checker.Violation.class, () -> deliver(n1, a, Guarantee.SAFE, R1, 1));
        assertTrue(v.getMessage().contains("before member 3"), v.getMessage());
    }

    @Test
    void safeWhenAnEngineReportsStoringWhatTheNetworkNeverCarriedToIt() {
        byte[] a = msg(n1, Guarantee.SAFE);
        received(1, 1);
        received(2, 1);
        // n3's engine claims to hold seq 1, but no packet carrying it ever reached n3.
        c.stored(3, R1.rep(), R1.seq(), 1);
        Checker.Violation v = assertThrows(Checker.Violation.class, () -> deliver(n1, a, Guarantee.SAFE, R1, 1));
        assertTrue(v.getMessage().contains("before member 3")
            && v.getMessage().contains("the network never carried it there"), v.getMessage());
    }

    @Test
    void safeWhenAMemberWasSentTheMessageButItsEngineDidNotKeepIt() {
        byte[] a = msg(n1, Guarantee.SAFE);
        received(1, 1);
        received(2, 1);
        c.carried(3, R1.rep(), R1.seq(), 1);
        Checker.Violation v = assertThrows(Checker.Violation.class, () -> deliver(n1, a, Guarantee.SAFE, R1, 1));
        assertTrue(v.getMessage().contains("before member 3")
            && v.getMessage().contains("did not report storing it"), v.getMessage());
    }

    @Test
    void safeInTheTransitionalConfigurationNeedsOnlyItsMembers() {
        byte[] a = msg(n1, Guarantee.SAFE);
        received(1, 1);
        received(2, 1);
        c.configurationChange(n1, trans(R2, List.of(1, 2), List.of(3)));
        assertDoesNotThrow(() -> deliver(n1, a, Guarantee.SAFE, R1, 1));
    }

    @Test
    void skippingAMessageOfATransitionalMemberIsCaught() {
        byte[] a = msg(n2, Guarantee.AGREED);
        byte[] b = msg(n1, Guarantee.AGREED);
        deliver(n3, a, Guarantee.AGREED, R1, 1);
        c.configurationChange(n1, trans(R2, List.of(1, 2), List.of(3)));
        assertThrows(Checker.Violation.class, () -> deliver(n1, b, Guarantee.AGREED, R1, 2));
    }

    @Test
    void skippingAMessageOfANodeThatLeftIsAllowedInTheTransitionalConfiguration() {
        byte[] a = msg(n3, Guarantee.AGREED);
        byte[] b = msg(n1, Guarantee.AGREED);
        deliver(n3, a, Guarantee.AGREED, R1, 1);
        c.configurationChange(n1, trans(R2, List.of(1, 2), List.of(3)));
        assertDoesNotThrow(() -> deliver(n1, b, Guarantee.AGREED, R1, 2));
    }

    @Test
    void virtualSynchronyNodesMovingTogetherDeliveredDifferentSets() {
        byte[] a = msg(n3, Guarantee.AGREED);
        c.configurationChange(n1, trans(R2, List.of(1, 2), List.of(3)));
        deliver(n1, a, Guarantee.AGREED, R1, 1);
        c.configurationChange(n1, reg(R2, List.of(1, 2), List.of()));
        c.configurationChange(n2, trans(R2, List.of(1, 2), List.of(3)));
        Checker.Violation v = assertThrows(Checker.Violation.class,
            () -> c.configurationChange(n2, reg(R2, List.of(1, 2), List.of())));
        assertTrue(v.getMessage().contains("virtual synchrony"), v.getMessage());
    }

    @Test
    void membersDisagreeOnARing() {
        c.configurationChange(n1, trans(R2, List.of(1, 2), List.of(3)));
        c.configurationChange(n1, reg(R2, List.of(1, 2), List.of()));
        c.configurationChange(n3, trans(R2, List.of(3), List.of(1, 2)));
        assertThrows(Checker.Violation.class, () -> c.configurationChange(n3, reg(R2, List.of(1, 2, 3),
            List.of(1, 2))));
    }

    @Test
    void wrongLeftList() {
        assertThrows(Checker.Violation.class, () -> c.configurationChange(n1, trans(R2, List.of(1, 2), List.of())));
    }

    @Test
    void corruptedOrForeignPayloads() {
        byte[] a = msg(n1, Guarantee.AGREED);
        a[20] ^= 1;
        assertThrows(Checker.Violation.class, () -> deliver(n2, a, Guarantee.AGREED, R1, 1));
        byte[] b = msg(n1, Guarantee.AGREED);
        assertThrows(Checker.Violation.class, () -> c.delivered(n2, 2, b, 0, b.length, Guarantee.AGREED, R1,
            2 << 16, 2));
        byte[] never = Payloads.make(2, 999, 30);
        assertThrows(Checker.Violation.class, () -> deliver(n2, never, Guarantee.AGREED, R1, 3));
    }

    @Test
    void aSenderThatNeverDeliveredItsOwnMessage() {
        msg(n1, Guarantee.AGREED);
        Checker.Violation v = assertThrows(Checker.Violation.class, () -> c.finalChecks());
        assertTrue(v.getMessage().contains("own message"), v.getMessage());
    }
}
