package org.vigil.quorum.internal.votequorum;

/**
 * The quorum figure, as corosync's {@code calculate_quorum} computes it (the OpenVMS cluster rule). Pure and
 * thread-safe; cross-checked against a brute-force search in the tests.
 */
public final class QuorumArithmetic {

    private QuorumArithmetic() {
    }

    /**
     * The votes needed for quorum.
     *
     * @param highestExpected the highest expected votes among the members (or the value forced by the caller)
     * @param totalVotes      the votes present
     * @param floor           the current quorum, which the result may not go below (0 when a decrease is allowed)
     * @param twoNode         {@code two_node} is in force
     * @param countedNodes    nodes (and the quorum device, if it votes) counted in {@code totalVotes}
     * @return {@code max(highestExpected/2 + 1, totalVotes/2 + 1, floor)}, or 1 for two_node with at most two
     *         nodes counted
     */
    public static long quorum(long highestExpected, long totalVotes, long floor, boolean twoNode, int countedNodes) {
        long q = Math.max(majority(highestExpected), majority(totalVotes));
        q = Math.max(q, floor);
        if (twoNode && countedNodes <= 2) {
            q = 1;
        }
        return q;
    }

    /** The smallest number of votes that is more than half of {@code votes}: {@code votes/2 + 1}. */
    public static long majority(long votes) {
        return (votes + 2) / 2;
    }
}
