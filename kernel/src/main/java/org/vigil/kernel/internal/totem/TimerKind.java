package org.vigil.kernel.internal.totem;

/**
 * The timers a {@link TotemSrp} engine asks its driver to run. At most one timer of each kind is armed at a time:
 * arming a kind again replaces the earlier deadline. Durations come from {@link TotemConfig}.
 */
public enum TimerKind {
    /** {@code token}: no token for this long means the ring is broken (OPERATIONAL, COMMIT, RECOVERY). */
    TOKEN_LOSS,
    /** {@code token_retransmit}: re-send the last token (ORF or commit) this node forwarded. */
    TOKEN_RETRANSMIT,
    /** {@code hold}: the representative of an idle ring forwards the token it holds. */
    TOKEN_HOLD,
    /** {@code join}: re-send the JOIN message while in GATHER. */
    JOIN,
    /** {@code consensus}: give up waiting for the members that have not agreed (GATHER). */
    CONSENSUS,
    /** {@code merge}: the representative of an idle ring multicasts MERGE_DETECT so other rings find it. */
    MERGE_DETECT,
    /**
     * {@code heartbeat_failures_allowed × token_retransmit + max_network_delay}: armed each time this node forwards
     * the ORF token (with the heartbeat mode on); the token not back by then is lost, before {@code token}.
     */
    HEARTBEAT,
    /** A random delay below {@code send_join}: the JOIN waits for it before it is multicast. */
    SEND_JOIN;

    static final TimerKind[] VALUES = values();
}
