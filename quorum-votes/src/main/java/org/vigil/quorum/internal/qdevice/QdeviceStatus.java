package org.vigil.quorum.internal.qdevice;

import org.vigil.kernel.api.RingId;

/**
 * What the quorum device knows, for {@code corosync-quorumtool -s}.
 *
 * @param host        the arbiter's host
 * @param port        the arbiter's port
 * @param algorithm   ffsplit or lms
 * @param tieBreaker  lowest, highest or a node id
 * @param state       Connected, Connecting or Disconnected
 * @param lastError   why it is not connected (empty when connected)
 * @param sinceMillis wall-clock time the state began
 * @param vote        the arbiter's last vote (ACK, NACK, ...)
 * @param voteRing    the ring that vote is for (null if none)
 * @param ring        the node's current ring (null before the first)
 * @param castVote    whether the last poll cast the device's vote
 * @param malformed   malformed replies ignored
 * @param reconnects  failed connection attempts and lost connections
 * @param votes       the device's votes
 */
public record QdeviceStatus(String host, int port, String algorithm, String tieBreaker, String state,
                            String lastError, long sinceMillis, String vote, RingId voteRing, RingId ring,
                            boolean castVote, long malformed, long reconnects, long votes) {
}
