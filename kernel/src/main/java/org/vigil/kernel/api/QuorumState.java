package org.vigil.kernel.api;

import java.util.List;

/**
 * One quorum decision: whether the partition this node is in may run resources.
 *
 * @param quorate       whether this partition has quorum
 * @param ringId        the ring the decision applies to
 * @param members       node ids of the partition (sorted)
 * @param joined        nodes that joined since the previous decision
 * @param left          nodes that left since the previous decision
 * @param totalVotes    votes present in the partition, quorum device included
 * @param expectedVotes expected votes in force
 * @param quorum        votes needed for quorum
 * @param provider      name of the vote provider that made the decision
 */
public record QuorumState(boolean quorate, RingId ringId, List<Integer> members, List<Integer> joined,
                          List<Integer> left, long totalVotes, long expectedVotes, long quorum, String provider) {

    public QuorumState {
        members = List.copyOf(members);
        joined = List.copyOf(joined);
        left = List.copyOf(left);
    }
}
