package org.vigil.kernel.internal.totem;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * Counters of one engine, named like corosync's {@code stats.srp.*} cmap keys so the driver can publish them
 * unchanged ({@link #forEach}). Written only by the engine's thread; a driver reads them on that thread (or
 * accepts slightly stale values from another thread: the fields are plain longs).
 */
public final class TotemStats {
    long orfTokenTx;
    long orfTokenRx;
    long mcastTx;
    long mcastRetx;
    long mcastRx;
    long membJoinTx;
    long membJoinRx;
    long membCommitTokenTx;
    long membCommitTokenRx;
    long membMergeDetectTx;
    long membMergeDetectRx;
    long tokenHoldCancelTx;
    long tokenHoldCancelRx;
    long operationalEntered;
    long operationalTokenLost;
    long gatherEntered;
    long gatherTokenLost;
    long commitEntered;
    long commitTokenLost;
    long recoveryEntered;
    long recoveryTokenLost;
    long consensusTimeouts;
    long rxMsgDropped;
    /** Packets of nodes kept out for their release (JOINs refused, and everything else they sent). */
    long rxRefused;
    /**
     * Vigil: ordered messages of another ring from a node outside this node's ring, which do not change the
     * membership (their release is unchecked; TotemSrp answers with a MERGE_DETECT).
     */
    long rxForeignUnchecked;
    /** Vigil: partly received fragmented messages thrown away (sender left, hole after recovery). */
    long fragmentsDiscarded;
    /** Vigil: messages delivered to the application (whole, after reassembly). */
    long msgDelivered;

    /** Calls {@code action} with each counter's corosync name (without the {@code stats.srp.} prefix). */
    public void forEach(ObjLongConsumer<String> action) {
        action.accept("orf_token_tx", orfTokenTx);
        action.accept("orf_token_rx", orfTokenRx);
        action.accept("mcast_tx", mcastTx);
        action.accept("mcast_retx", mcastRetx);
        action.accept("mcast_rx", mcastRx);
        action.accept("memb_join_tx", membJoinTx);
        action.accept("memb_join_rx", membJoinRx);
        action.accept("memb_commit_token_tx", membCommitTokenTx);
        action.accept("memb_commit_token_rx", membCommitTokenRx);
        action.accept("memb_merge_detect_tx", membMergeDetectTx);
        action.accept("memb_merge_detect_rx", membMergeDetectRx);
        action.accept("token_hold_cancel_tx", tokenHoldCancelTx);
        action.accept("token_hold_cancel_rx", tokenHoldCancelRx);
        action.accept("operational_entered", operationalEntered);
        action.accept("operational_token_lost", operationalTokenLost);
        action.accept("gather_entered", gatherEntered);
        action.accept("gather_token_lost", gatherTokenLost);
        action.accept("commit_entered", commitEntered);
        action.accept("commit_token_lost", commitTokenLost);
        action.accept("recovery_entered", recoveryEntered);
        action.accept("recovery_token_lost", recoveryTokenLost);
        action.accept("consensus_timeouts", consensusTimeouts);
        action.accept("rx_msg_dropped", rxMsgDropped);
        action.accept("rx_refused", rxRefused);
        action.accept("rx_foreign_unchecked", rxForeignUnchecked);
        action.accept("fragments_discarded", fragmentsDiscarded);
        action.accept("msg_delivered", msgDelivered);
    }

    /** The counters as an ordered map (for tests and printing). */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        forEach(m::put);
        return m;
    }

    /** The value of one counter by its corosync name, or -1 for an unknown name. */
    public long get(String name) {
        return toMap().getOrDefault(name, -1L);
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
