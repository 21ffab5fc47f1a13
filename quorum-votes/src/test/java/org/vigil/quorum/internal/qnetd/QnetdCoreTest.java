package org.vigil.quorum.internal.qnetd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The arbiter's decision logic without sockets: ffsplit's and lms's rules, bad input. */
class QnetdCoreTest {

    /** Records the core's outputs; answers VOTEs like a device does when asked. */
    static final class Recorder implements QnetdCore.Out {
        final Map<Long, List<String>> sent = new HashMap<>();
        final List<Long> closed = new ArrayList<>();
        final List<long[]> timers = new ArrayList<>();

        @Override
        public void send(long conn, String line) {
            sent.computeIfAbsent(conn, k -> new ArrayList<>()).add(line);
        }

        @Override
        public void close(long conn, String reason) {
            closed.add(conn);
        }

        @Override
        public void timer(long conn, long delayMs) {
            timers.add(new long[] {conn, delayMs});
        }

        @Override
        public void log(String text) {
        }

        List<String> of(long conn) {
            return sent.getOrDefault(conn, List.of());
        }

        /** The last vote (ack/nack) a connection received in a VOTE or REPLY, or null. */
        String lastVote(long conn) {
            String v = null;
            for (String l : of(conn)) {
                if ((l.startsWith("VOTE ") || l.startsWith("REPLY ")) && (l.contains("vote=ack")
                    || l.contains("vote=nack"))) {
                    v = l.contains("vote=ack") ? "ack" : "nack";
                }
            }
            return v;
        }
    }

    static void hello(QnetdCore core, long conn, int node, String algorithm, int... config) {
        core.connected(conn);
        core.line(conn, "HELLO 1 cluster=c node=" + node + " algorithm=" + algorithm + " tie_breaker=lowest kap=on");
        core.line(conn, "CONFIG 1 nodes=" + join(config));
    }

    static String join(int... ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            b.append(b.length() > 0 ? "," : "").append(id);
        }
        return b.toString();
    }

    /** Answers every VOTE a connection got with VOTE_REPLY, as devices do. */
    static void ackVotes(QnetdCore core, Recorder r, long... conns) {
        boolean more = true;
        Map<Long, Integer> done = new HashMap<>();
        while (more) {
            more = false;
            for (long c : conns) {
                List<String> lines = r.of(c);
                for (int i = done.getOrDefault(c, 0); i < lines.size(); i++) {
                    String l = lines.get(i);
                    done.put(c, i + 1);
                    if (l.startsWith("VOTE ")) {
                        core.line(c, "VOTE_REPLY " + l.split(" ")[1]);
                        more = true;
                    }
                }
            }
        }
    }

    @Test
    void ffsplitGivesAOneOneSplitToExactlyOneSideAndNacksBeforeAcks() {
        Recorder r = new Recorder();
        QnetdCore core = new QnetdCore(r);
        hello(core, 1, 1, "ffsplit", 1, 2);
        hello(core, 2, 2, "ffsplit", 1, 2);
        core.line(1, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        core.line(2, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        ackVotes(core, r, 1, 2);
        assertEquals("ack", r.lastVote(1));
        assertEquals("ack", r.lastVote(2));
        // split 1|1: each reports its own ring
        int split1 = r.of(1).size();
        int split2 = r.of(2).size();
        core.line(1, "MEMBERSHIP 3 ring=1.8 nodes=1");
        core.line(2, "MEMBERSHIP 3 ring=2.8 nodes=2");
        List<String> to1 = List.copyOf(r.of(1));
        List<String> to2 = List.copyOf(r.of(2));
        assertTrue(to2.subList(split2, to2.size()).stream().anyMatch(l -> l.startsWith("VOTE ")
            && l.contains("vote=nack")), "the loser is NACKed: " + to2);
        assertTrue(to1.subList(split1, to1.size()).stream().noneMatch(l -> l.startsWith("VOTE ")),
            "no ACK to the winner while the loser has not acknowledged its NACK: " + to1);
        ackVotes(core, r, 1, 2);
        assertEquals("ack", r.lastVote(1), "tie_breaker lowest: node 1's half wins");
        assertEquals("nack", r.lastVote(2));
    }

    /**
     * The winner's acknowledgement of the ACK of the round before the split arrives late, after the loser's new
     * ring: it must not be taken for this round's (the flake of QdeviceTcpTest's 1|1 split, where the winner never
     * got its ACK).
     */
    @Test
    void aLateVoteReplyOfTheRoundBeforeDoesNotEndTheWinnersRound() {
        Recorder r = new Recorder();
        QnetdCore core = new QnetdCore(r);
        hello(core, 1, 1, "ffsplit", 1, 2);
        hello(core, 2, 2, "ffsplit", 1, 2);
        core.line(1, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        core.line(2, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        assertEquals("ack", r.lastVote(1));
        assertEquals("ack", r.lastVote(2));
        // node 2 acknowledges its ACK; node 1's acknowledgement is still on its way
        String lastTo1 = r.of(1).stream().filter(l -> l.startsWith("VOTE ")).reduce((x, y) -> y).orElseThrow();
        String lastTo2 = r.of(2).stream().filter(l -> l.startsWith("VOTE ")).reduce((x, y) -> y).orElseThrow();
        core.line(2, "VOTE_REPLY " + lastTo2.split(" ")[1]);
        int before = r.of(2).size();
        core.line(1, "MEMBERSHIP 3 ring=1.8 nodes=1");
        core.line(2, "MEMBERSHIP 3 ring=2.8 nodes=2");
        core.line(1, "VOTE_REPLY " + lastTo1.split(" ")[1]);
        String nack = r.of(2).subList(before, r.of(2).size()).stream()
            .filter(l -> l.startsWith("VOTE ") && l.contains("vote=nack")).findFirst().orElseThrow();
        core.line(2, "VOTE_REPLY " + nack.split(" ")[1]);
        assertTrue(r.of(1).stream().anyMatch(l -> l.startsWith("VOTE ") && l.endsWith("vote=ack ring=1.8")),
            "the winner gets its ACK for its new ring once the loser acknowledged its NACK: " + r.of(1));
        assertEquals("nack", r.lastVote(2));
    }

    @Test
    void ffsplitGivesTheVoteToTheBiggerPartition() {
        Recorder r = new Recorder();
        QnetdCore core = new QnetdCore(r);
        for (int n = 1; n <= 4; n++) {
            hello(core, n, n, "ffsplit", 1, 2, 3, 4);
        }
        for (int n = 1; n <= 4; n++) {
            core.line(n, "MEMBERSHIP 2 ring=1.4 nodes=1,2,3,4");
        }
        ackVotes(core, r, 1, 2, 3, 4);
        core.line(1, "MEMBERSHIP 3 ring=1.8 nodes=1");
        for (int n = 2; n <= 4; n++) {
            core.line(n, "MEMBERSHIP 3 ring=2.8 nodes=2,3,4");
        }
        ackVotes(core, r, 1, 2, 3, 4);
        assertEquals("nack", r.lastVote(1), "node 1 is the tie-breaker but alone");
        for (int n = 2; n <= 4; n++) {
            assertEquals("ack", r.lastVote(n));
        }
    }

    @Test
    void ffsplitKeepsTheVoteWithThePartitionThatHasItWhenTheOtherHalfComesBack() {
        Recorder r = new Recorder();
        long[] now = {0};
        QnetdCore core = new QnetdCore(r, () -> now[0]);
        hello(core, 1, 1, "ffsplit", 1, 2);
        hello(core, 2, 2, "ffsplit", 1, 2);
        core.line(1, "MEMBERSHIP 2 ring=1.8 nodes=1");
        core.line(2, "MEMBERSHIP 2 ring=2.8 nodes=2");
        ackVotes(core, r, 1, 2);
        assertEquals("ack", r.lastVote(1));
        core.disconnected(1);
        now[0] += QnetdCore.DEFAULT_LEASE_MS + QnetdCore.LEASE_MARGIN_MS;
        core.tick();
        ackVotes(core, r, 2);
        assertEquals("ack", r.lastVote(2));
        // node 1 (the tie-breaker) reconnects, still cut off from node 2
        hello(core, 3, 1, "ffsplit", 1, 2);
        core.line(3, "MEMBERSHIP 2 ring=1.8 nodes=1");
        ackVotes(core, r, 2, 3);
        assertEquals("nack", r.lastVote(3), "keep_active_partition_tie_breaker: node 2's half keeps the vote");
        assertEquals("ack", r.lastVote(2));
    }

    @Test
    void ffsplitWaitsWhileTheReportedMembershipsDisagree() {
        Recorder r = new Recorder();
        QnetdCore core = new QnetdCore(r);
        hello(core, 1, 1, "ffsplit", 1, 2);
        hello(core, 2, 2, "ffsplit", 1, 2);
        core.line(1, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        assertTrue(r.of(1).get(r.of(1).size() - 1).contains("vote=wait"), "node 2 has not reported ring 1.4");
        assertEquals(null, r.lastVote(1));
    }

    @Test
    void ffsplitMovesTheVoteWhenTheWinnerDisconnectsOnlyOnceItsLeaseIsOver() {
        Recorder r = new Recorder();
        long[] now = {0};
        QnetdCore core = new QnetdCore(r, () -> now[0]);
        hello(core, 1, 1, "ffsplit", 1, 2);
        hello(core, 2, 2, "ffsplit", 1, 2);
        core.line(1, "MEMBERSHIP 2 ring=1.8 nodes=1");
        core.line(2, "MEMBERSHIP 2 ring=2.8 nodes=2");
        ackVotes(core, r, 1, 2);
        assertEquals("ack", r.lastVote(1));
        assertEquals("nack", r.lastVote(2));
        core.disconnected(1);
        // node 1 may go on counting the vote in its partition [1] until its lease is over
        now[0] += QnetdCore.DEFAULT_LEASE_MS;
        core.tick();
        ackVotes(core, r, 2);
        assertEquals("nack", r.lastVote(2), "not while node 1 may still count the vote for its half");
        now[0] += QnetdCore.LEASE_MARGIN_MS;
        core.tick();
        ackVotes(core, r, 2);
        assertEquals("ack", r.lastVote(2), "the only connected half of a 1|1 split, once node 1's lease is over");
    }

    @Test
    void aDeviceThatLostTheWinnerOfItsRingGetsTheVoteAtOnce() {
        // node 2 crashes in a healthy 2-node ring: node 1's new ring [1] shares node 1 with the ring node 2 held the
        // vote for, so whatever node 2 may still announce, it is not disjoint from [1]
        Recorder r = new Recorder();
        long[] now = {0};
        QnetdCore core = new QnetdCore(r, () -> now[0]);
        hello(core, 1, 1, "ffsplit", 1, 2);
        hello(core, 2, 2, "ffsplit", 1, 2);
        core.line(1, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        core.line(2, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        ackVotes(core, r, 1, 2);
        assertEquals("ack", r.lastVote(2));
        core.disconnected(2);
        core.line(1, "MEMBERSHIP 3 ring=1.8 nodes=1");
        ackVotes(core, r, 1);
        assertTrue(r.of(1).stream().anyMatch(l -> l.startsWith("VOTE ") && l.contains("vote=ack ring=1.8")),
            "at once: " + r.of(1));
    }

    @Test
    void aVoteMovesToAnotherPartitionOnlyAfterTheHolderAcknowledgedItsNack() {
        Recorder r = new Recorder();
        long[] now = {0};
        QnetdCore core = new QnetdCore(r, () -> now[0]);
        for (int n = 1; n <= 4; n++) {
            hello(core, n, n, "ffsplit", 1, 2, 3, 4);
            core.line(n, "MEMBERSHIP 2 ring=1.4 nodes=1,2,3,4");
        }
        ackVotes(core, r, 1, 2, 3, 4);
        core.disconnected(2);
        core.disconnected(3);
        core.disconnected(4);
        core.line(1, "MEMBERSHIP 3 ring=1.8 nodes=1,2");
        ackVotes(core, r, 1);
        assertEquals("ack", r.lastVote(1), "{1,2}: the only partition with a connected node");
        // 3 and 4 come back in their own ring: 2 connected nodes against 1
        hello(core, 13, 3, "ffsplit", 1, 2, 3, 4);
        hello(core, 14, 4, "ffsplit", 1, 2, 3, 4);
        core.line(13, "MEMBERSHIP 3 ring=3.8 nodes=3,4");
        core.line(14, "MEMBERSHIP 3 ring=3.8 nodes=3,4");
        assertTrue(r.of(1).get(r.of(1).size() - 1).contains("VOTE") && r.of(1).get(r.of(1).size() - 1)
            .contains("vote=nack"), "node 1 is asked to give the vote up: " + r.of(1));
        assertEquals(null, r.lastVote(13), "no ACK to {3,4} while node 1 has not acknowledged");
        ackVotes(core, r, 13, 14);
        assertEquals(null, r.lastVote(13));
        ackVotes(core, r, 1);
        assertEquals("ack", r.lastVote(13));
        assertEquals("ack", r.lastVote(14));
    }

    @Test
    void aRestartedArbiterTakesNodesNotConnectedYetToHoldAVoteForOneLease() {
        Recorder r = new Recorder();
        long[] now = {0};
        QnetdCore core = new QnetdCore(r, () -> now[0]);
        hello(core, 1, 1, "ffsplit", 1, 2);
        core.line(1, "MEMBERSHIP 2 ring=1.8 nodes=1");
        assertEquals(null, r.lastVote(1), "node 2 may count a vote an arbiter before this one gave it");
        now[0] += QnetdCore.DEFAULT_LEASE_MS + QnetdCore.LEASE_MARGIN_MS;
        core.tick();
        assertEquals("ack", r.lastVote(1));
        // a device that reports what its node may still count
        hello(core, 2, 2, "ffsplit", 1, 2);
        core.line(2, "HELD 2 ring=2.4 nodes=2");
        core.line(2, "MEMBERSHIP 3 ring=2.8 nodes=2");
        ackVotes(core, r, 1, 2);
        assertEquals("ack", r.lastVote(1));
        assertEquals("nack", r.lastVote(2));
    }

    /** Runs the timers the core asked for (the server runs them after their delay). */
    static void fireTimers(QnetdCore core, Recorder r) {
        while (!r.timers.isEmpty()) {
            long[] t = r.timers.remove(0);
            core.timer(t[0]);
        }
    }

    @Test
    void lmsGivesTheOnlyVisiblePartitionTheVoteAndBreaksTiesWithTheLowestNode() {
        Recorder r = new Recorder();
        QnetdCore core = new QnetdCore(r);
        hello(core, 1, 1, "lms", 1, 2);
        hello(core, 2, 2, "lms", 1, 2);
        core.line(1, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        assertTrue(r.of(1).get(r.of(1).size() - 1).contains("vote=wait"), "node 2 has not reported ring 1.4 yet");
        core.line(2, "MEMBERSHIP 2 ring=1.4 nodes=1,2");
        fireTimers(core, r);
        assertEquals("ack", r.lastVote(1));
        assertEquals("ack", r.lastVote(2));
        core.line(1, "MEMBERSHIP 3 ring=1.8 nodes=1");
        core.line(2, "MEMBERSHIP 3 ring=2.8 nodes=2");
        fireTimers(core, r);
        core.line(1, "QUORUM 4 quorate=0 nodes=1");
        assertEquals("ack", r.lastVote(1), "tie: lowest node id");
        assertEquals("nack", r.lastVote(2));
        core.disconnected(2);
        core.line(1, "MEMBERSHIP 4 ring=1.c nodes=1");
        assertEquals("ack", r.lastVote(1), "last man standing");
    }

    @Test
    void malformedLinesAreIgnoredAndCountedAndABadHelloClosesTheConnection() {
        Recorder r = new Recorder();
        QnetdCore core = new QnetdCore(r);
        hello(core, 1, 1, "ffsplit", 1, 2);
        Random rnd = new Random(7);
        String[] bad = {"", "PING", "PING x", "MEMBERSHIP 2 ring=zz nodes=1", "MEMBERSHIP 2 ring=1.4 nodes=",
            "MEMBERSHIP 2 ring=1.4 nodes=2", "CONFIG 3 nodes=1,1", "FOO 1", "VOTE_REPLY -1", "x".repeat(2000),
            "QUORUM 4 quorate=2 nodes=1", "HELLO 1 cluster=c node=1 algorithm=ffsplit tie_breaker=lowest"};
        for (String b : bad) {
            core.line(1, b);
        }
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[rnd.nextInt(40)];
            rnd.nextBytes(junk);
            core.line(1, new String(junk, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        assertTrue(core.malformed() >= bad.length, "counted: " + core.malformed());
        assertTrue(r.closed.isEmpty(), "never closed for a bad line after HELLO");
        core.line(1, "PING 9");
        assertEquals("PONG 9", r.of(1).get(r.of(1).size() - 1));
        core.connected(5);
        core.line(5, "GARBAGE 1");
        assertEquals(List.of(5L), r.closed);
        assertTrue(r.of(5).get(0).startsWith("ERROR "));
    }

    @Test
    void aNodeThatConnectsAgainReplacesItsOldConnection() {
        Recorder r = new Recorder();
        QnetdCore core = new QnetdCore(r);
        hello(core, 1, 1, "ffsplit", 1, 2);
        hello(core, 2, 1, "ffsplit", 1, 2);
        assertEquals(List.of(1L), r.closed);
        assertEquals(java.util.Set.of(1), core.clients("c"));
        core.disconnected(1);
        assertEquals(java.util.Set.of(1), core.clients("c"), "closing the replaced connection changes nothing");
    }
}
