package org.vigil.kernel.internal.totem;

import org.vigil.kernel.config.ConfigException;
import org.vigil.kernel.config.VigilConfig;

/**
 * The effective Totem settings one engine runs with. Immutable. Timers are in milliseconds and already include
 * corosync's derivations (token_coefficient per node above 2, token_retransmit = token / (retransmits + 0.2),
 * hold, consensus = 1.2 × token): build it with {@link #from(VigilConfig.Totem)}, which takes them from the
 * validated configuration, or with {@link #parse(int, String...)} for tests and the simulator.
 *
 * @param token                      token loss timeout ({@code runtime.config.totem.token})
 * @param tokenRetransmit            interval of token retransmissions
 * @param hold                       how long the representative of an idle ring holds the token
 * @param join                       JOIN re-send interval in GATHER
 * @param consensus                  GATHER deadline
 * @param merge                      MERGE_DETECT interval of an idle ring's representative
 * @param tokenRetransmitsBeforeLoss {@code token_retransmits_before_loss_const} (informational: it already shaped
 *                                   {@code tokenRetransmit})
 * @param failRecvConst              token visits with a stuck aru before a node declares it fails to receive
 * @param seqnoUnchangedConst        idle token rotations before the representative holds the token
 * @param maxMessages                new messages one node may send per token visit
 * @param windowSize                 messages the whole ring may send per token rotation
 * @param missCountConst             token visits a hole must be seen before it is put on the retransmit list
 * @param netmtu                     the configured {@code netmtu}; the engine keeps its packets within
 *                                   {@link #maxPacket()}
 * @param sendJoin                   {@code send_join}: a JOIN is multicast after a random delay below this (0: at
 *                                   once)
 * @param heartbeat                  the heartbeat timeout ({@code heartbeat_failures_allowed × token_retransmit +
 *                                   max_network_delay}), or 0 when the heartbeat mode is off (not configured, or
 *                                   not below {@code token}: corosync turns it off then)
 */
public record TotemConfig(long token, long tokenRetransmit, long hold, long join, long consensus, long merge,
                          long tokenRetransmitsBeforeLoss, int failRecvConst, int seqnoUnchangedConst,
                          int maxMessages, int windowSize, int missCountConst, int netmtu, long sendJoin,
                          long heartbeat) {

    /**
     * Bytes of {@code netmtu} reserved for what the driver puts around an engine packet: IPv6 + UDP headers
     * (48), Vigil's datagram header (magic, version, cluster hash, sender: 16) and AES-GCM nonce and tag (28),
     * rounded up.
     */
    public static final int DATAGRAM_OVERHEAD = 128;

    /** Smallest accepted {@code netmtu}. */
    public static final int MIN_NETMTU = 576;

    public TotemConfig {
        positive("token", token);
        positive("token_retransmit", tokenRetransmit);
        positive("hold", hold);
        positive("join", join);
        positive("consensus", consensus);
        positive("merge", merge);
        positive("fail_recv_const", failRecvConst);
        positive("seqno_unchanged_const", seqnoUnchangedConst);
        positive("max_messages", maxMessages);
        positive("window_size", windowSize);
        positive("miss_count_const", missCountConst);
        if (sendJoin < 0 || heartbeat < 0) {
            throw new IllegalArgumentException("send_join and the heartbeat timeout must not be negative");
        }
        if (netmtu < MIN_NETMTU) {
            throw new IllegalArgumentException("netmtu " + netmtu + " is below the minimum of " + MIN_NETMTU);
        }
        if (maxMessages > 10_000 || windowSize > 10_000) {
            throw new IllegalArgumentException("max_messages and window_size must be at most 10000");
        }
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    /** The largest packet the engine produces for messages and tokens ({@code netmtu − DATAGRAM_OVERHEAD}). */
    public int maxPacket() {
        return netmtu - DATAGRAM_OVERHEAD;
    }

    /**
     * The engine settings of a validated configuration. {@code hold} is capped at {@code token_retransmit} (its
     * derived default is 0.8 of it): the representative's token loss timer keeps running while it holds the
     * token, so a hold as long as the token timeout would break an idle ring.
     */
    public static TotemConfig from(VigilConfig.Totem t) {
        long hold = Math.max(1, Math.min(t.hold(), t.tokenRetransmit()));
        return new TotemConfig(t.token(), t.tokenRetransmit(), hold, t.join(), t.consensus(),
            t.merge(), t.tokenRetransmitsBeforeLoss(), (int) t.failRecvConst(), (int) t.seqnoUnchangedConst(),
            (int) t.maxMessages(), (int) t.windowSize(), (int) t.missCountConst(), t.netmtu(), t.sendJoin(),
            heartbeatTimeout(t));
    }

    /**
     * The heartbeat timeout of a configuration, as corosync's {@code totemsrp_initialize} derives it:
     * {@code heartbeat_failures_allowed × token_retransmit + max_network_delay}; 0 (the mode off) when
     * {@code heartbeat_failures_allowed} is 0 or the result is not below the token timeout.
     */
    public static long heartbeatTimeout(VigilConfig.Totem t) {
        if (t.heartbeatFailuresAllowed() == 0 || t.heartbeatFailuresAllowed() >= t.token()) {
            return 0;   // off, or certainly not below token (token_retransmit is at least 1 ms)
        }
        long hb = t.heartbeatFailuresAllowed() * t.tokenRetransmit() + t.maxNetworkDelay();
        return hb < t.token() ? hb : 0;
    }

    /**
     * Builds the settings for a cluster of {@code nodes} nodes from {@code totem {}} lines such as
     * {@code "token: 1000"}, through the same validation and derivations as a real configuration file.
     *
     * @throws IllegalArgumentException when the lines do not make a valid configuration
     */
    public static TotemConfig parse(int nodes, String... totemLines) {
        StringBuilder sb = new StringBuilder("totem {\n    version: 2\n    transport: udpu\n");
        for (String l : totemLines) {
            sb.append("    ").append(l).append('\n');
        }
        sb.append("}\nnodelist {\n");
        for (int i = 1; i <= nodes; i++) {
            sb.append("    node {\n        ring0_addr: 10.0.0.").append(i).append("\n        nodeid: ").append(i)
                .append("\n    }\n");
        }
        sb.append("}\n");
        try {
            return from(VigilConfig.fromText("totem-sim.conf", sb.toString()).totem());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * An upper bound, in milliseconds, on the time a set of connected, fault-free nodes needs to end up in one
     * ring after the last fault, derived from the timers (see docs/design/totem.md, "Convergence bound"):
     * one token loss, three consensus rounds (a round that excludes dead members, a round started by a stale
     * failed set, the merge round), two merge detections of an idle ring (merge + hold + the idle rotations
     * before the hold, bounded by a token retransmit interval each), and a second of slack for join exchanges,
     * commit and recovery rotations and packets still in flight.
     */
    public long convergenceBoundMillis() {
        return token + 3 * consensus + 2 * (merge + hold + tokenRetransmit) + 1000;
    }
}
