package org.vigil.quorum.internal.votequorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.RingId;

/**
 * The quorum arithmetic against brute force on seeded random inputs: the figure is the smallest vote count
 * that is a strict majority of both the expected and the present votes, and no two disjoint partitions of a
 * cluster are ever quorate together (without two_node, which trades that for fencing; auto_tie_breaker only with
 * one vote per node, see {@link #unequalVotesWithTheTieBreakerCanGiveQuorumToBothHalves}).
 */
class QuorumArithmeticTest {

    /** Brute force: the smallest q with 2q > highestExpected and 2q > total, then the floor and two_node. */
    static long bruteForce(long highestExpected, long total, long floor, boolean twoNode, int counted) {
        long q = 0;
        while (2 * q <= highestExpected || 2 * q <= total) {
            q++;
        }
        q = Math.max(q, floor);
        return twoNode && counted <= 2 ? 1 : q;
    }

    @Test
    void formulaEqualsBruteForceOnSeededRandomInputs() {
        Random r = new Random(0x51);
        for (int i = 0; i < 200_000; i++) {
            long expected = r.nextInt(2000);
            long total = r.nextInt(2000);
            long floor = r.nextInt(4) == 0 ? r.nextInt(2000) : 0;
            boolean two = r.nextInt(5) == 0;
            int counted = r.nextInt(6);
            assertEquals(bruteForce(expected, total, floor, two, counted),
                QuorumArithmetic.quorum(expected, total, floor, two, counted),
                "expected " + expected + " total " + total + " floor " + floor + " two_node " + two);
        }
    }

    /** Two halves of a random cluster, each running votequorum: never both quorate. */
    @Test
    void noTwoDisjointPartitionsAreBothQuorateOnSeededRandomClusters() {
        Random r = new Random(0x5151);
        int splits = 0;
        for (int i = 0; i < 3000; i++) {
            int n = 2 + r.nextInt(8);
            long[] votes = new long[n];
            long sum = 0;
            // corosync's tie-breaker rule compares node counts with votes: with unequal votes it can give quorum
            // to both halves (VigilConfig warns), so the tie-breaker is only checked with one vote per node
            boolean atb = r.nextBoolean();
            for (int k = 0; k < n; k++) {
                votes[k] = atb ? 1 : r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(3);
                sum += votes[k];
            }
            if (sum == 0) {
                continue;
            }
            boolean wfa = r.nextBoolean();
            List<Integer> a = new ArrayList<>();
            List<Integer> b = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                (r.nextBoolean() ? a : b).add(k);
            }
            if (a.isEmpty() || b.isEmpty()) {
                continue;
            }
            Votequorum[] nodes = new Votequorum[n + 1];
            List<Integer> all = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                all.add(k);
            }
            for (int k = 1; k <= n; k++) {
                VotequorumSettings s = VotequorumSettings.of(votes[k - 1], n, sum, 0, false, wfa, false, 10000,
                    atb && (sum % 2 == 0 || wfa), "lowest", false, false, false, -1, 10000, 30000);
                nodes[k] = new Votequorum(s, k, 0, null);
                nodes[k].takeActions();
            }
            ring(nodes, all, new RingId(1, 4));
            ring(nodes, a, new RingId(a.get(0), 8));
            ring(nodes, b, new RingId(b.get(0), 8));
            splits++;
            boolean qa = nodes[a.get(0)].quorate();
            boolean qb = nodes[b.get(0)].quorate();
            assertFalse(qa && qb, "split brain: votes " + java.util.Arrays.toString(votes) + " halves " + a + " | "
                + b + " atb " + atb + " wfa " + wfa);
        }
        System.out.println("split-brain check: " + splits + " random splits, never both halves quorate");
    }

    /**
     * Pins corosync's behaviour (checked against corosync-vqsim): auto_tie_breaker compares the number of nodes
     * that left with the quorum in votes, so with unequal votes both halves can be quorate. VigilConfig warns
     * about auto_tie_breaker with unequal votes.
     */
    @Test
    void unequalVotesWithTheTieBreakerCanGiveQuorumToBothHalves() {
        long[] votes = {3, 3, 1};
        Votequorum[] nodes = new Votequorum[4];
        for (int k = 1; k <= 3; k++) {
            nodes[k] = new Votequorum(VotequorumSettings.of(votes[k - 1], 3, 7, 0, false, true, false, 10000, true,
                "lowest", false, false, false, -1, 10000, 30000), k, 0, null);
        }
        ring(nodes, List.of(1, 2, 3), new RingId(1, 4));
        ring(nodes, List.of(2, 3), new RingId(2, 8));
        ring(nodes, List.of(1), new RingId(1, 8));
        assertEquals(true, nodes[2].quorate(), "4 of 7 votes");
        assertEquals(true, nodes[1].quorate(), "3 = 7/2 votes with the tie-breaker node, as corosync decides");
    }

    /** One ring, corosync's order: every member's NODEINFO delivered to every member, then the sync activated. */
    static void ring(Votequorum[] nodes, List<Integer> members, RingId ring) {
        List<int[]> senders = new ArrayList<>();
        List<VqMessage> messages = new ArrayList<>();
        for (int m : members) {
            nodes[m].syncInit(ring, members);
            for (VqAction act : nodes[m].syncProcess()) {
                if (act instanceof VqAction.Send s) {
                    senders.add(new int[] {m});
                    messages.add(s.message());
                }
            }
        }
        for (int i = 0; i < messages.size(); i++) {
            for (int m : members) {
                nodes[m].deliver(senders.get(i)[0], messages.get(i));
            }
        }
        for (int m : members) {
            nodes[m].syncActivate();
        }
    }
}
