package org.vigil.quorum.internal.votequorum;

import java.util.ArrayList;
import java.util.List;
import org.vigil.kernel.config.VigilConfig;

/**
 * The votequorum settings of one node, worked out from the configuration as corosync's votequorum does at
 * startup: this node's votes, the expected votes (configured, or the node list's sum, plus the quorum device's
 * votes when it is counted by default), the features and the combinations that switch features off.
 *
 * <p>Fatal combinations are rejected by {@link VigilConfig} with file and line; what corosync only logs (a
 * feature disabled because of another) ends up in {@link #notes()}. Immutable.
 *
 * @param nodeVotes             this node's votes ({@code nodelist.node.N.quorum_votes}, default 1)
 * @param nodeCount             nodes in the node list
 * @param nodelistVotes         the node list's sum of votes (used for the auto_tie_breaker parity rule)
 * @param nodelistExpected      the node list's sum of votes, plus the device's votes when they are the default
 * @param expectedConfigured    {@code quorum.expected_votes} as written, 0 when absent
 * @param twoNode               {@code two_node} in force
 * @param waitForAll            {@code wait_for_all} in force (explicit or implied by two_node)
 * @param lastManStanding       {@code last_man_standing} in force
 * @param lastManStandingWindow {@code last_man_standing_window} in ms
 * @param atb                   the auto_tie_breaker mode in force
 * @param atbNodes              the tie-breaker node ids for {@link AtbMode#LIST}, in order
 * @param allowDownscale        {@code allow_downscale}
 * @param evTracking            {@code expected_votes_tracking} (implied by allow_downscale)
 * @param qdeviceConfigured     a quorum device is configured ({@code quorum.device.model})
 * @param qdeviceVotes          the quorum device's votes (0 without a device)
 * @param qdeviceTimeout        device poll timeout in ms
 * @param qdeviceSyncTimeout    device poll timeout during a membership change in ms
 * @param notes                 what corosync would log at startup about switched-off features
 */
public record VotequorumSettings(long nodeVotes, int nodeCount, long nodelistVotes, long nodelistExpected,
                                 long expectedConfigured, boolean twoNode, boolean waitForAll,
                                 boolean lastManStanding, long lastManStandingWindow, AtbMode atb,
                                 List<Integer> atbNodes, boolean allowDownscale, boolean evTracking,
                                 boolean qdeviceConfigured, long qdeviceVotes, long qdeviceTimeout,
                                 long qdeviceSyncTimeout, List<String> notes) {

    /** auto_tie_breaker modes, with corosync's numbers for {@code runtime.votequorum.atb_type}. */
    public enum AtbMode {
        NONE, LOWEST, HIGHEST, LIST
    }

    public VotequorumSettings {
        atbNodes = List.copyOf(atbNodes);
        notes = List.copyOf(notes);
    }

    /**
     * The settings of node {@code nodeId} for a validated configuration.
     *
     * @throws IllegalArgumentException if the node is not in the node list
     */
    public static VotequorumSettings from(VigilConfig config, int nodeId) {
        VigilConfig.Node self = config.node(nodeId).orElseThrow(() ->
            new IllegalArgumentException("node " + Integer.toUnsignedString(nodeId) + " is not in the node list"));
        VigilConfig.Quorum q = config.quorum();
        long sum = config.nodes().stream().mapToLong(VigilConfig.Node::votes).sum();
        return of(self.votes(), config.nodes().size(), sum, q.expectedVotesConfigured() ? q.expectedVotes() : 0,
            q.twoNode(), q.waitForAllConfigured() ? q.waitForAll() : null, q.lastManStanding(),
            q.lastManStandingWindow(), q.autoTieBreaker(), q.autoTieBreakerNode(), q.allowDownscale(),
            q.expectedVotesTracking(), q.device() != null, q.device() == null ? -1
                : q.device().votesConfigured() ? q.device().votes() : -1,
            q.device() == null ? 10000 : q.device().timeoutMs(), q.device() == null ? 30000 : q.device().syncTimeoutMs());
    }

    /**
     * Works the settings out from raw values, with corosync's startup rules.
     *
     * @param waitForAll   explicit wait_for_all, or null when not configured (then it follows two_node)
     * @param qdeviceVotes configured device votes, or -1 when not configured (default: node count − 1)
     */
    public static VotequorumSettings of(long nodeVotes, int nodeCount, long nodelistVotes, long expectedConfigured,
                                        boolean twoNode, Boolean waitForAll, boolean lms, long lmsWindow,
                                        boolean atb, String atbNode, boolean allowDownscale, boolean evTracking,
                                        boolean qdevice, long qdeviceVotes, long qdeviceTimeout,
                                        long qdeviceSyncTimeout) {
        List<String> notes = new ArrayList<>();
        AtbMode mode = AtbMode.NONE;
        List<Integer> list = new ArrayList<>();
        if (atb) {
            mode = AtbMode.LOWEST;
            if (atbNode != null) {
                mode = parseAtb(atbNode, list);
                if (mode == AtbMode.NONE) {
                    notes.add("auto_tie_breaker_node is not valid; auto_tie_breaker is disabled");
                }
            }
        }
        if (allowDownscale) {
            evTracking = true;
        }
        boolean wfa = waitForAll != null ? waitForAll : twoNode;
        boolean two = twoNode;
        if (two && mode != AtbMode.NONE) {
            notes.add("two_node and auto_tie_breaker are both specified but are not compatible; two_node is "
                + "disabled");
            two = false;
            if (waitForAll == null) {
                wfa = false;
            }
        }
        if (mode != AtbMode.NONE && nodelistVotes % 2 != 0 && !wfa) {
            if (lms) {
                throw new IllegalArgumentException("auto_tie_breaker & last_man_standing not available in odd "
                    + "sized cluster");
            }
            notes.add("auto_tie_breaker is set and the cluster has an odd number of votes without wait_for_all; "
                + "auto_tie_breaker is disabled");
            mode = AtbMode.NONE;
        }
        long devVotes = 0;
        long expected = nodelistVotes;
        if (qdevice) {
            if (qdeviceVotes >= 0) {
                devVotes = qdeviceVotes;
            } else if (nodeCount == nodelistVotes && expectedConfigured == 0) {
                devVotes = nodelistVotes - 1;
                expected = nodelistVotes + devVotes;
            }
        }
        return new VotequorumSettings(nodeVotes, nodeCount, nodelistVotes, expected, expectedConfigured, two, wfa,
            lms, lmsWindow, mode, list, allowDownscale, evTracking, qdevice, devVotes, qdeviceTimeout,
            qdeviceSyncTimeout, notes);
    }

    /**
     * This node's expected votes at startup: {@code quorum.expected_votes}, replaced by the persisted tracking
     * value when {@code expected_votes_tracking} is on, else the node list's.
     *
     * @param evTrackingBarrier the value read from {@code <state dir>/ev_tracking} (0 when absent)
     */
    public long initialExpected(long evTrackingBarrier) {
        long configured = evTracking ? evTrackingBarrier : expectedConfigured;
        return configured != 0 ? configured : nodelistExpected;
    }

    /** corosync's parse: {@code lowest}, {@code highest}, or (if the text starts with a number) a list of ids. */
    static AtbMode parseAtb(String text, List<Integer> out) {
        if (text.equals("lowest")) {
            return AtbMode.LOWEST;
        }
        if (text.equals("highest")) {
            return AtbMode.HIGHEST;
        }
        for (String part : text.trim().split("\\s+")) {
            try {
                long v = Long.parseLong(part);
                if (v <= 0 || v > 0xFFFF_FFFFL) {
                    break;
                }
                out.add((int) v);
            } catch (NumberFormatException e) {
                break;
            }
        }
        return out.isEmpty() ? AtbMode.NONE : AtbMode.LIST;
    }
}
