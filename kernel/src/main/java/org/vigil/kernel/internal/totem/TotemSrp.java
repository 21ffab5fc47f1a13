package org.vigil.kernel.internal.totem;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;

/**
 * The Totem single-ring protocol (SRP) for one node: total ordering, reliable delivery, flow control and
 * membership with extended virtual synchrony. A pure, single-threaded state machine in the style of etcd raft's
 * {@code RawNode}: its inputs are {@link #start()}, {@link #onPacket}, {@link #onTimer}, {@link #submit} and
 * {@link #shutdown()}; its outputs go to a {@link TotemOutput} (packets to send, deliveries, configuration
 * changes, timers to arm). It never reads a clock, sleeps, logs, starts threads or touches a socket.
 *
 * <h2>Protocol (docs/design/totem.md has the full description)</h2>
 * <ul>
 *   <li><b>Ordering.</b> One ORF token circulates over the members in ascending node id order. The holder stamps
 *       its new messages with {@code ++token.seq} and multicasts them. Every node delivers in seq order and stops at
 *       the first message it lacks (agreed order). A SAFE message also waits until the node has seen
 *       {@code token.aru ≥ seq} on the token it forwarded on its previous visit and on the one it now receives: in
 *       between, every member had the message (see {@link Ring#safeSeq}).</li>
 *   <li><b>Reliability.</b> A node lists the sequence numbers it has missed for {@code miss_count_const} visits on
 *       the token; the next node holding one of them multicasts it again. {@code aru}/{@code aru_addr} track the
 *       lowest "all received up to" of the ring; a node whose own stuck aru holds the ring back for
 *       {@code fail_recv_const} visits leaves it (FAILED TO RECEIVE).</li>
 *   <li><b>Flow control.</b> At most {@code max_messages} per visit and {@code window_size} per rotation
 *       ({@code token.fcc}), shared in proportion to each node's backlog ({@code token.backlog}).</li>
 *   <li><b>Membership.</b> Token loss, a foreign message or a MERGE_DETECT sends a node to GATHER, where JOIN
 *       messages (processor set, failed set) are exchanged until every live member proposes the same sets
 *       (consensus) or {@code consensus} expires. The lowest live node then sends the commit token twice round
 *       the new ring (COMMIT, then RECOVERY); members of the same old ring re-send, wrapped in new-ring messages,
 *       the old messages some of them miss; when every member provably has them all, each node delivers the
 *       rest of its old ring's messages, a TRANSITIONAL configuration, the messages after holes, and the REGULAR
 *       configuration of the new ring.</li>
 * </ul>
 *
 * <h2>Threading and ownership</h2>
 * Not thread-safe: one driver thread calls every method. Output callbacks happen synchronously during an input
 * call and must not call back into the engine. Arrays passed to {@link #onPacket(byte[])} and
 * {@link #submit} are kept by the engine (stored for retransmission or until sent): the caller must not modify
 * them afterwards. Malformed or truncated packets are dropped and counted ({@code rx_msg_dropped}); no packet
 * makes an input method throw.
 */
public final class TotemSrp {

    /** Largest application message {@link #submit} accepts (as corosync's {@code MESSAGE_SIZE_MAX}). */
    public static final int MAX_MESSAGE = TotemCodec.MAX_MESSAGE;

    /**
     * New messages are not sent while the ring's outstanding span ({@code token.seq} − lowest aru) would exceed
     * this (corosync's {@code QUEUE_RTR_ITEMS_SIZE_MAX}), so the sort queues stay bounded under partitions.
     */
    static final int FLOW_SPAN_LIMIT = 16384;
    /** How far above its aru a node looks for holes per token visit. */
    private static final int HOLE_SCAN_LIMIT = 4096;

    // Reasons reported to the probe.
    static final String BOOT = "boot";
    static final String TOKEN_LOST = "token lost";
    static final String HEARTBEAT_LOST = "token lost (heartbeat)";
    static final String COMMIT_TOKEN_LOST = "commit token lost";
    static final String RECOVERY_TOKEN_LOST = "token lost in recovery";
    static final String FOREIGN = "foreign message";
    static final String MERGE = "merge detect";
    static final String JOIN = "join";
    static final String LEAVE = "leave";
    static final String CONSENSUS_TIMEOUT = "consensus timeout";
    static final String NO_COMMIT = "consensus reached but no commit token";
    static final String FAILED_TO_RECEIVE = "failed to receive";
    static final String COMMIT = "commit token";
    static final String RECOVERY = "commit token second rotation";
    static final String OPERATIONAL = "recovery complete";
    static final String REFUSED = "refused";

    private static final TotemProbe NO_PROBE = new TotemProbe() {
    };

    /**
     * One ring's ordering state: its messages and how far this node got. Kept for the ring this node was last
     * OPERATIONAL in ({@link #op}, which RECOVERY draws on) and for the ring being recovered ({@link #cur}).
     */
    static final class Ring {
        final int rep;
        final long seq;
        final RingId id;
        final NodeSet members;
        /** Successor of this node in ring order. */
        final int next;
        final SortQueue queue = new SortQueue();
        /** Every message up to here has been received. */
        long myAru;
        /** Highest sequence number received. */
        long highSeqReceived;
        /** Highest sequence number delivered (or skipped, for recovery-kind messages). */
        long highDelivered;
        /**
         * Every member has received every message up to here: the minimum of the aru on the token this node
         * forwarded on its previous visit and the aru on the token it received on the visit after. In between,
         * each member either left the aru alone (its own aru was at least as high) or set it to its own aru, and
         * only the member that lowered it may raise it again, so no member lacking a message below it can have
         * passed the token on.
         */
        long safeSeq;
        // Token visit bookkeeping (all per ring).
        long myTokenSeq = -1;
        long lastForwardedAru = -1;
        long lastForwardedSeq = -1;
        long lastTokenMsgSeq = -1;
        int seqUnchanged;
        long lastArrivedAru = -1;
        int aruStuck;
        /** Backlog and transmissions this node reported on its previous visit (flow control). */
        int myPbl;
        int myTrc;

        Ring(int rep, long seq, NodeSet members, int me) {
            this.rep = rep;
            this.seq = seq;
            this.id = new RingId(rep, seq);
            this.members = members;
            this.next = members.next(me);
        }

        boolean is(int r, long s) {
            return rep == r && seq == s;
        }
    }

    private final int me;
    private final NodeSet configured;
    private final TotemConfig cfg;
    private final RingSeqStore seqStore;
    private final TotemOutput out;
    private final TotemCodec codec;
    private final TotemStats stats = new TotemStats();
    private TotemProbe probe = NO_PROBE;

    private TotemState state = TotemState.GATHER;
    private boolean started;
    private boolean stopped;

    /** The ring id this node last adopted (its boot ring, or the ring of the last commit token it accepted). */
    private int myRingRep;
    private long myRingSeq;
    /** Highest ring sequence number seen in any join or commit (the next ring gets this + 4). */
    private long highestRingSeq;

    /** The ring this node was last OPERATIONAL in (at first its one-member boot ring). */
    private Ring op;
    /** The ring whose ORF token this node handles: {@link #op} in OPERATIONAL, the new ring in RECOVERY. */
    private Ring cur;

    // GATHER: the processor set, the failed set and who agreed with them.
    private NodeSet proc;
    private NodeSet failed = NodeSet.EMPTY;
    private NodeSet consensus = NodeSet.EMPTY;
    /** COMMIT: the members of the ring being formed. */
    private NodeSet commitMembers;

    // RECOVERY: the transitional members and what the commit token said about their old ring.
    private NodeSet transMembers;
    private long recHighDelivered;
    private long recSafe;
    private final ArrayDeque<Msg> recoveryQueue = new ArrayDeque<>();
    private boolean initialTokenSent;

    /** The last token (ORF or commit) this node sent, for {@link TimerKind#TOKEN_RETRANSMIT}. */
    private byte[] lastToken;
    private int lastTokenDest;
    private boolean lastTokenIsCommit;
    /** The representative holds the token of an idle ring. */
    private boolean holding;
    private byte[] heldToken;
    /** Scratch for {@link #sendOnHeldToken}: the held token decoded again (the arrival scratch is reused). */
    private final OrfToken heldTok = new OrfToken();
    /** A non-representative saw the ring idle: the representative probably holds the token. */
    private boolean tokenHeldHint;

    private final SendQueue sendQueue;
    private final Reassembler reassembler;

    private final boolean[] armed = new boolean[TimerKind.VALUES.length];
    /** With {@code send_join}: the JOIN waiting for its delay ({@link TimerKind#SEND_JOIN}), or null. */
    private byte[] pendingJoin;
    /** Draws the {@code send_join} delays (the engine's only randomness; seeded by the simulator). */
    private final java.util.random.RandomGenerator random;
    /** Packets this node sends to itself (a one-member ring's token), handled when the current input ends. */
    private final ArrayDeque<byte[]> loopback = new ArrayDeque<>();
    private int depth;

    private final OrfToken tok = new OrfToken();
    private final int[] repScratch = new int[1];
    /**
     * A foreign message was answered with a MERGE_DETECT since this node last had its ring's token
     * ({@link #foreignMcast}): at most one such answer per token visit.
     */
    private boolean mergeAnswered;

    // Releases (docs/design/versioning.md): what this node announces, whom it keeps out, what the ring shares.
    /** This node's release and features, announced in every JOIN and commit token entry. */
    private Release release = Release.current();
    /**
     * Nodes kept out of the membership, with the release they announced (or told us in a REFUSED notice): their
     * packets are dropped, except JOINs, which are looked at again (a node restarted with another release).
     */
    private final java.util.TreeMap<Integer, Release> refused = new java.util.TreeMap<>();
    /** The refusals this node was told of by the refused node's peer (REFUSED notice) rather than decided. */
    private final java.util.Set<Integer> refusedByPeer = new java.util.HashSet<>();
    /** The members' releases and the effective feature set of the ring being recovered (from its commit token). */
    private java.util.Map<Integer, Release> pendingReleases = java.util.Map.of();
    private long pendingFeatures;
    /** The members' releases and the effective feature set of the current regular configuration. */
    private java.util.Map<Integer, Release> memberReleases = java.util.Map.of();
    private long effectiveFeatures;
    // The message being delivered (for the simulator's checkers).
    private RingId deliveringRing;
    private long deliveringSeq;
    private int deliveringChunk;

    /**
     * @param nodeId     this node's id (non-zero, one of {@code members})
     * @param members    the configured node ids (the node list); packets from other ids are dropped
     * @param config     timers and limits
     * @param ringSeq    where the ring sequence number is persisted
     * @param output     where the outputs go
     */
    public TotemSrp(int nodeId, int[] members, TotemConfig config, RingSeqStore ringSeq, TotemOutput output) {
        this(nodeId, members, config, ringSeq, output, new java.util.SplittableRandom());
    }

    /**
     * As {@link #TotemSrp(int, int[], TotemConfig, RingSeqStore, TotemOutput)}, with the random source of the
     * {@code send_join} delays (a seeded one makes a run repeatable).
     */
    public TotemSrp(int nodeId, int[] members, TotemConfig config, RingSeqStore ringSeq, TotemOutput output,
                    java.util.random.RandomGenerator random) {
        this.random = random;
        NodeSet cfgd = NodeSet.of(members);
        if (nodeId == 0 || !cfgd.contains(nodeId)) {
            throw new IllegalArgumentException("node id " + Integer.toUnsignedString(nodeId)
                + " must be non-zero and one of the configured members " + cfgd);
        }
        if (cfgd.size() > TotemCodec.MAX_MEMBERS || cfgd.contains(0)) {
            throw new IllegalArgumentException("at most " + TotemCodec.MAX_MEMBERS + " non-zero node ids");
        }
        this.me = nodeId;
        this.configured = cfgd;
        this.cfg = config;
        this.seqStore = ringSeq;
        this.out = output;
        this.codec = new TotemCodec(cfgd);
        this.sendQueue = new SendQueue(config.maxPacket() - TotemCodec.MCAST_HEADER);
        this.reassembler = new Reassembler(cfgd, this::deliverApp);
        this.proc = NodeSet.of(nodeId);
    }

    /** Sets the release and features this node announces (before {@link #start}; the default is the build's). */
    public void setRelease(Release r) {
        if (started) {
            throw new IllegalStateException("the release is set before the engine starts");
        }
        this.release = java.util.Objects.requireNonNull(r);
    }

    /** Installs an observer (null removes it). */
    public void setProbe(TotemProbe p) {
        this.probe = p == null ? NO_PROBE : p;
    }

    // ================================================================================================ inputs ====

    /**
     * Boots the node: loads the ring sequence, adds 1 and stores it (a restarted node never reuses a ring id),
     * then enters GATHER alone, which forms a one-node ring until the JOINs of others arrive.
     */
    public void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        long s = seqStore.load() + 1;
        seqStore.store(s);
        myRingRep = me;
        myRingSeq = s;
        highestRingSeq = s;
        op = new Ring(me, s, NodeSet.of(me), me);
        memberReleases = java.util.Map.of(me, release);
        effectiveFeatures = release.features();
        begin();
        try {
            gatherEnter(BOOT);
        } finally {
            end();
        }
    }

    /** A packet received from the network. The engine may keep the array. */
    public void onPacket(byte[] packet) {
        onPacket(packet, 0, packet.length);
    }

    /** A packet received from the network, at {@code packet[offset .. offset+length)}; the engine may keep the array. */
    public void onPacket(byte[] packet, int offset, int length) {
        if (!started || stopped) {
            return;
        }
        if (packet == null || offset < 0 || length < 0 || offset > packet.length - length) {
            stats.rxMsgDropped++;
            return;
        }
        begin();
        try {
            handle(packet, offset, length, false);
        } finally {
            end();
        }
    }

    /** A packet received from the network; its remaining bytes are copied. */
    public void onPacket(ByteBuffer packet) {
        byte[] b = new byte[packet.remaining()];
        packet.get(b);
        onPacket(b, 0, b.length);
    }

    /** A timer armed through {@link TotemOutput#armTimer} expired. Expiries of cancelled timers are ignored. */
    public void onTimer(TimerKind kind) {
        if (!started || stopped || !armed[kind.ordinal()]) {
            return;
        }
        armed[kind.ordinal()] = false;
        begin();
        try {
            switch (kind) {
                case TOKEN_LOSS -> tokenLoss();
                case TOKEN_RETRANSMIT -> tokenRetransmit();
                case TOKEN_HOLD -> {
                    if (holding) {
                        releaseHold();
                    }
                }
                case JOIN -> {
                    if (state == TotemState.GATHER) {
                        sendJoin();
                        arm(TimerKind.JOIN, cfg.join());
                    }
                }
                case CONSENSUS -> consensusTimeout();
                case HEARTBEAT -> heartbeatLoss();
                case SEND_JOIN -> {
                    byte[] j = pendingJoin;
                    pendingJoin = null;
                    if (j != null) {
                        out.multicast(j);
                        stats.membJoinTx++;
                    }
                }
                case MERGE_DETECT -> {
                    // (the nodes that refused this one, or that it refused, are not waited for: no retrying)
                    if (state == TotemState.OPERATIONAL && op.rep == me
                        && op.members.size() < configured.size() - refused.size()) {
                        out.multicast(TotemCodec.encodeMergeDetect(me, op.rep, op.seq, release));
                        stats.membMergeDetectTx++;
                    }
                }
            }
        } finally {
            end();
        }
    }

    /**
     * Queues an application message for ordered delivery to every member (this node included). Returns false
     * (and queues nothing) when the send queue is full: try again after deliveries. The engine keeps the array
     * until the message is sent; the caller must not modify it.
     *
     * @throws IllegalArgumentException if the payload is larger than {@link #MAX_MESSAGE}
     */
    public boolean submit(byte[] payload, Guarantee guarantee) {
        if (payload.length > MAX_MESSAGE) {
            throw new IllegalArgumentException("message of " + payload.length + " bytes is larger than the maximum "
                + MAX_MESSAGE);
        }
        if (!started || stopped || !sendQueue.offer(payload, guarantee == Guarantee.SAFE)) {
            return false;
        }
        begin();
        try {
            if (state == TotemState.OPERATIONAL) {
                if (holding) {
                    sendOnHeldToken();
                } else if (tokenHeldHint) {
                    tokenHeldHint = false;
                    out.multicast(TotemCodec.encodeRingMessage(TotemCodec.TYPE_TOKEN_HOLD_CANCEL, me, op.rep, op.seq));
                    stats.tokenHoldCancelTx++;
                }
            }
        } finally {
            end();
        }
        return true;
    }

    /**
     * Leaves the cluster: multicasts a LEAVE so the others form the next ring without waiting for timeouts, then
     * stops (later inputs are ignored). Messages still queued are not sent.
     */
    public void shutdown() {
        if (!started || stopped) {
            return;
        }
        out.multicast(TotemCodec.encodeJoin(me, true, myRingSeq, NodeSet.of(me), NodeSet.of(me), release));
        stats.membJoinTx++;
        for (TimerKind k : TimerKind.VALUES) {
            cancel(k);
        }
        stopped = true;
    }

    // ============================================================================================== queries ====

    public int nodeId() {
        return me;
    }

    public TotemState state() {
        return state;
    }

    /** The ring of the current (or, outside OPERATIONAL, the last) regular configuration. */
    public RingId ringId() {
        return op.id;
    }

    /** Members of the current (or last) regular configuration, ascending. */
    public List<Integer> members() {
        return op.members.toList();
    }

    public TotemStats stats() {
        return stats;
    }

    /** This node's release and features. */
    public Release release() {
        return release;
    }

    /**
     * The effective feature set of the current (or last) regular configuration: the intersection of its members'
     * sets, from the commit token that formed it, so every member computes the same one.
     */
    public long effectiveFeatures() {
        return effectiveFeatures;
    }

    /** The releases of the current (or last) regular configuration's members (a member of unknown release is absent). */
    public java.util.Map<Integer, Release> memberReleases() {
        return memberReleases;
    }

    /** The nodes kept out of the membership for their release, with the release each announced. */
    public java.util.Map<Integer, Release> refusedNodes() {
        return java.util.Collections.unmodifiableMap(refused);
    }

    /**
     * A REFUSED notice arrived: node {@code nodeId}, of release {@code theirs}, refuses this node, which it saw
     * as release {@code seenMajor.seenMinor}. It is kept out from now on (its packets dropped, no merge attempts
     * towards it) until it announces another release in a JOIN or MERGE_DETECT (it restarted, upgraded). The rule
     * being symmetric, a release this node cannot work with is refused here as well ({@link TotemOutput#refused}:
     * both sides log and show the refusal even when the first packet to cross was this node's).
     *
     * <p>A notice that refused another release than this node's is stale: it answers a packet of an earlier run
     * of this node (refused, then restarted on a compatible release), and the refusing node, which drops
     * whatever this node sends until it sees its release again, would keep it out for good (each side
     * waiting for the other: this node's MCASTs are dropped there; with every other node keeping it out, it
     * sends no MERGE_DETECT). Nothing is kept out; the notice is answered with this node's MERGE_DETECT, sent
     * to that node, whose release trailer lifts the refusal there ({@link #admit}) and starts the merge.
     *
     * @return false for a stale notice
     */
    public boolean onRefusedBy(int nodeId, Release theirs, int seenMajor, int seenMinor) {
        if (!started || stopped || nodeId == me || !configured.contains(nodeId)) {
            return true;
        }
        begin();
        try {
            if (!release.isVersion(seenMajor, seenMinor)) {
                out.unicast(nodeId, TotemCodec.encodeMergeDetect(me, op.rep, op.seq, release));
                stats.membMergeDetectTx++;
                return false;
            }
            refusedByPeer.add(nodeId);
            keepOut(nodeId, theirs);
            if (!release.compatible(theirs)) {
                // the rule is symmetric: this node refuses that one too, and says so on its side (the refused
                // node may send nothing more that would be refused here: it keeps this node out now)
                out.refused(nodeId, theirs);
            }
            return true;
        } finally {
            end();
        }
    }

    /** Messages waiting in the send queue. */
    public int queuedMessages() {
        return sendQueue.size();
    }

    public TotemConfig config() {
        return cfg;
    }

    /**
     * During a {@link TotemOutput#deliver} call: the position of the message in its ring's total order, as
     * {@code seq * 65536 + chunk}, where {@code seq} is the MCAST carrying its (last) piece.
     */
    public long deliveringPosition() {
        return (deliveringSeq << 16) | deliveringChunk;
    }

    /** During a {@link TotemOutput#deliver} call: the sequence number of the MCAST carrying the message's last piece. */
    public long deliveringSeq() {
        return deliveringSeq;
    }

    // ============================================================================================ dispatch ====

    private void begin() {
        depth++;
    }

    private void end() {
        try {
            if (depth == 1) {
                while (!loopback.isEmpty()) {
                    byte[] p = loopback.poll();
                    handle(p, 0, p.length, true);
                }
            }
        } finally {
            depth--;
        }
    }

    private void handle(byte[] b, int off, int len, boolean local) {
        try {
            int type = codec.type(b, off, len);
            if (!local && type != TotemCodec.TYPE_MCAST && TotemCodec.sender(b, off) == me) {
                // The driver never hands us our own packets: a loop or a forgery. (An MCAST names its
                // originator, and another node may retransmit ours: that is only a duplicate.)
                stats.rxMsgDropped++;
                return;
            }
            if (type == TotemCodec.TYPE_JOIN) {
                JoinMessage j = codec.decodeJoin(b, off, len);
                if (j.release() == null || admit(j.sender(), j.release())) {
                    onJoin(j);
                }
                return;
            }
            if (type == TotemCodec.TYPE_MERGE_DETECT && !local) {
                long seq = codec.decodeRingMessage(b, off, len, repScratch);
                Release r = TotemCodec.mergeRelease(b, off, len);
                int from = TotemCodec.sender(b, off);
                if (r != null ? !admit(from, r) : refused.containsKey(from)) {
                    if (r == null) {
                        stats.rxRefused++;
                        out.refused(from, refused.get(from));
                    }
                    return;
                }
                stats.membMergeDetectRx++;
                onMergeDetect(from, repScratch[0], seq);
                return;
            }
            if (!local && !refused.isEmpty()) {
                int from = TotemCodec.sender(b, off);
                Release r = refused.get(from);
                if (r != null) {
                    stats.rxRefused++;   // a node kept out: nothing of it reaches the membership
                    out.refused(from, r);
                    return;
                }
            }
            switch (type) {
                case TotemCodec.TYPE_ORF_TOKEN -> {
                    codec.decodeToken(b, off, len, tok);
                    stats.orfTokenRx++;
                    processToken(tok);
                }
                case TotemCodec.TYPE_MCAST -> onMcast(codec.decodeMcast(b, off, len));
                case TotemCodec.TYPE_COMMIT_TOKEN -> {
                    CommitToken c = codec.decodeCommit(b, off, len);
                    stats.membCommitTokenRx++;
                    onCommit(c);
                }
                case TotemCodec.TYPE_MERGE_DETECT -> {
                    long seq = codec.decodeRingMessage(b, off, len, repScratch);
                    stats.membMergeDetectRx++;
                    onMergeDetect(TotemCodec.sender(b, off), repScratch[0], seq);
                }
                case TotemCodec.TYPE_TOKEN_HOLD_CANCEL -> {
                    long seq = codec.decodeRingMessage(b, off, len, repScratch);
                    stats.tokenHoldCancelRx++;
                    if (holding && cur != null && cur.is(repScratch[0], seq)) {
                        releaseHold();
                    }
                }
                default -> stats.rxMsgDropped++;
            }
        } catch (TotemCodec.Malformed e) {
            stats.rxMsgDropped++;
        }
    }

    // ============================================================================================== timers ====

    private void arm(TimerKind k, long ms) {
        armed[k.ordinal()] = true;
        out.armTimer(k, ms);
    }

    private void cancel(TimerKind k) {
        if (armed[k.ordinal()]) {
            armed[k.ordinal()] = false;
            out.cancelTimer(k);
        }
    }

    private void tokenLoss() {
        switch (state) {
            case OPERATIONAL -> {
                stats.operationalTokenLost++;
                gatherEnter(TOKEN_LOST);
            }
            case COMMIT -> {
                stats.commitTokenLost++;
                gatherEnter(COMMIT_TOKEN_LOST);
            }
            case RECOVERY -> {
                stats.recoveryTokenLost++;
                gatherEnter(RECOVERY_TOKEN_LOST);
            }
            case GATHER -> {
            }
        }
    }

    /**
     * The heartbeat timer ran out: the token this node forwarded did not come back within
     * {@code heartbeat_failures_allowed} retransmit intervals plus the network delay. As corosync's
     * {@code timer_function_heartbeat_timeout}, this is a token loss in the current state (reported as a
     * heartbeat loss when OPERATIONAL).
     */
    private void heartbeatLoss() {
        if (state == TotemState.OPERATIONAL) {
            stats.operationalTokenLost++;
            gatherEnter(HEARTBEAT_LOST);
        } else {
            tokenLoss();
        }
    }

    private void tokenRetransmit() {
        if (lastToken == null || holding || state == TotemState.GATHER) {
            return;
        }
        out.unicast(lastTokenDest, lastToken);
        if (lastTokenIsCommit) {
            stats.membCommitTokenTx++;
        } else {
            stats.orfTokenTx++;
        }
        arm(TimerKind.TOKEN_RETRANSMIT, cfg.tokenRetransmit());
    }

    private void sendToken(int dest, byte[] bytes, boolean commit) {
        if (commit) {
            stats.membCommitTokenTx++;
        } else {
            stats.orfTokenTx++;
        }
        if (dest == me) {
            lastToken = null;
            cancel(TimerKind.TOKEN_RETRANSMIT);
            loopback.add(bytes);
            return;
        }
        lastToken = bytes;
        lastTokenDest = dest;
        lastTokenIsCommit = commit;
        out.unicast(dest, bytes);
        arm(TimerKind.TOKEN_RETRANSMIT, cfg.tokenRetransmit());
        if (!commit && cfg.heartbeat() > 0) {
            // corosync's reset_heartbeat_timeout on each forwarded ORF token
            arm(TimerKind.HEARTBEAT, cfg.heartbeat());
        }
    }

    private void releaseHold() {
        holding = false;
        byte[] b = heldToken;
        heldToken = null;
        cancel(TimerKind.TOKEN_HOLD);
        sendToken(cur.next, b, false);
    }

    /**
     * A message queued while this representative holds the idle ring's token: it goes out on that token now, as it
     * would have had it been queued just before the token arrived, and the token moves on. Without this the
     * representative's own message waited for a whole rotation (the hold is released to the next node first).
     * The token is still this node's (not forwarded), so this is the tail of its visit: the same flow control,
     * backlog and aru accounting as {@link #processToken}, added to what that visit did; the token's sequence
     * number is the one the visit gave it. (Corosync releases the hold on a local send; this goes one step
     * further, in the spirit of {@code orf_token_mcast()} run at the end of the visit.)
     */
    private void sendOnHeldToken() {
        Ring r = cur;
        OrfToken t = heldTok;
        try {
            codec.decodeToken(heldToken, 0, heldToken.length, t);
        } catch (TotemCodec.Malformed e) {
            releaseHold();   // cannot happen (this node encoded it); forwarding it as it is stays correct
            return;
        }
        holding = false;
        heldToken = null;
        cancel(TimerKind.TOKEN_HOLD);
        int cbl = sendQueue.backlogPackets();
        int allowed = allowed(t, r, cbl);
        int sent = sendQueued(t, r, allowed);
        cbl = sendQueue.backlogPackets();
        t.fcc = Math.max(0, t.fcc + sent);
        r.myTrc += sent;
        t.backlog = (int) Math.max(0, Math.min(Integer.MAX_VALUE, (long) t.backlog + cbl - r.myPbl));
        r.myPbl = cbl;
        updateAru(t, r.myAru, me);
        byte[] bytes = TotemCodec.encodeToken(t, me);
        r.lastForwardedAru = t.aru;
        r.lastForwardedSeq = t.seq;
        sendToken(r.next, bytes, false);
        deliver(r);
        r.queue.free(Math.min(r.safeSeq, r.highDelivered));
    }

    // ========================================================================================== membership ====

    private void setState(TotemState to, String reason) {
        TotemState from = state;
        state = to;
        probe.stateChanged(from, to, reason);
    }

    private void gatherEnter(String reason) {
        if (state == TotemState.OPERATIONAL) {
            proc = proc.union(op.members);
        }
        cur = null;
        commitMembers = null;
        transMembers = null;
        recoveryQueue.clear();
        holding = false;
        heldToken = null;
        lastToken = null;
        tokenHeldHint = false;
        cancel(TimerKind.TOKEN_LOSS);
        cancel(TimerKind.TOKEN_RETRANSMIT);
        cancel(TimerKind.TOKEN_HOLD);
        cancel(TimerKind.MERGE_DETECT);
        cancel(TimerKind.HEARTBEAT);
        proc = proc.with(me);
        failed = failed.without(me);
        consensus = NodeSet.of(me);
        stats.gatherEntered++;
        setState(TotemState.GATHER, reason);
        sendJoin();
        arm(TimerKind.JOIN, cfg.join());
        arm(TimerKind.CONSENSUS, cfg.consensus());
        checkConsensus();
    }

    /**
     * Multicasts this node's JOIN, or, with {@code send_join}, after a random delay below it (corosync's
     * {@code memb_join_message_send} sleeps that long first, so that a large ring's JOINs do not all leave at
     * once; here a timer waits instead and the JOIN goes out when it expires, whatever the state is then, as
     * corosync's does after its sleep). A JOIN already waiting is not delayed again: it is replaced by this newer
     * one (the latest sets).
     */
    private void sendJoin() {
        byte[] j = TotemCodec.encodeJoin(me, false, myRingSeq, proc, failed, release);
        if (cfg.sendJoin() == 0) {
            out.multicast(j);
            stats.membJoinTx++;
            return;
        }
        pendingJoin = j;
        if (!armed[TimerKind.SEND_JOIN.ordinal()]) {
            arm(TimerKind.SEND_JOIN, random.nextLong(cfg.sendJoin()));
        }
    }

    private void consensusTimeout() {
        stats.consensusTimeouts++;
        if (state != TotemState.GATHER) {
            return;
        }
        NodeSet live = proc.minus(failed);
        if (consensus.containsAll(live)) {
            // Everyone agreed but the commit token never came: start the round again (a dead representative
            // will not answer and is marked failed on the next timeout).
            gatherEnter(NO_COMMIT);
        } else {
            stats.gatherTokenLost++;
            failed = failed.union(live.minus(consensus));
            gatherEnter(CONSENSUS_TIMEOUT);
        }
    }

    private void checkConsensus() {
        if (state != TotemState.GATHER) {
            return;
        }
        NodeSet live = proc.minus(failed);
        if (consensus.containsAll(live) && live.first() == me) {
            CommitToken c = new CommitToken(me, Math.max(highestRingSeq, myRingSeq) + 4, live);
            c.sender = me;
            onCommit(c);
        }
    }

    /** True for a message of an older ring of a node that is now in my ring (delayed or retransmitted). */
    private boolean stale(int sender, long ringSeq) {
        return op.members.contains(sender) && ringSeq <= op.seq;
    }

    private void foreign(int sender, long ringSeq, String reason) {
        if (stale(sender, ringSeq)) {
            return;
        }
        if (state == TotemState.OPERATIONAL) {
            proc = op.members.with(sender);
            gatherEnter(reason);
        } else if (state == TotemState.GATHER && !proc.contains(sender) && !failed.contains(sender)) {
            proc = proc.with(sender);
            gatherEnter(reason);
        }
    }

    /**
     * An ordered message of a ring this node is not in (corosync's {@code message_handler_mcast} for a foreign
     * message: {@code memb_state_gather_enter(FOREIGN_MESSAGE_IN_OPERATIONAL_STATE)}). From a member of this node's
     * ring (it moved on to a newer ring), as corosync: to GATHER with it. From any other node, it does not change
     * the membership: an MCAST carries no release, and the node may be one this release must refuse (restarted on
     * another release, it multicasts in its own one-node ring before its JOIN or MERGE_DETECT reaches anyone, as
     * a real node's boot JOINs leave before its transport is open). Only a JOIN or MERGE_DETECT, which carry the
     * release, bring a node of another ring in ({@link #admit}). So that a merge does not wait for the other
     * ring's representative to go idle (a busy ring sends no MERGE_DETECT), an OPERATIONAL node answers with a
     * MERGE_DETECT of its own (with its release, at most one per visit of its ring's token): the other ring
     * checks this node's release and, compatible, enters GATHER, whose JOINs bring it in here; refused, it tells
     * this node so. (In GATHER this node's JOINs already reach the other ring.)
     */
    private void foreignMcast(Msg m) {
        if (op.members.contains(m.origin)) {
            foreign(m.origin, m.ringSeq, FOREIGN);
            return;
        }
        stats.rxForeignUnchecked++;
        if (state == TotemState.OPERATIONAL && !mergeAnswered) {
            mergeAnswered = true;
            out.multicast(TotemCodec.encodeMergeDetect(me, op.rep, op.seq, release));
            stats.membMergeDetectTx++;
        }
    }

    private void onMergeDetect(int sender, int rep, long seq) {
        if (state != TotemState.OPERATIONAL && state != TotemState.GATHER) {
            return;
        }
        if (op.is(rep, seq)) {
            return;
        }
        foreign(sender, seq, MERGE);
    }

    /**
     * The compatibility check of the release in a JOIN or MERGE_DETECT ({@link Release#compatible}): false when
     * the sender is kept out (refused now, or still). (A JOIN without the release trailer is let through as of an
     * unknown release with no features.) A refused node whose release now passes (it restarted with another
     * release) is let in again.
     */
    private boolean admit(int s, Release r) {
        Release was = refused.get(s);
        if (!release.compatible(r) || (was != null && refusedByPeer.contains(s) && was.equals(r))) {
            stats.rxRefused++;
            keepOut(s, r);
            out.refused(s, r);
            return false;
        }
        if (was != null) {
            refused.remove(s);
            refusedByPeer.remove(s);
            out.refusalLifted(s, r);
        }
        return true;
    }

    /** Keeps a node out of the membership: in GATHER, a node already proposed is marked failed. */
    private void keepOut(int s, Release r) {
        refused.put(s, r);
        if (state == TotemState.GATHER && proc.contains(s) && !failed.contains(s)) {
            failed = failed.with(s);
            gatherEnter(REFUSED);
        }
    }

    private void onJoin(JoinMessage j) {
        stats.membJoinRx++;
        int s = j.sender();
        if (j.ringSeq() > highestRingSeq) {
            highestRingSeq = j.ringSeq();
        }
        switch (state) {
            case OPERATIONAL -> {
                if (!j.leave() && j.failed().contains(me)) {
                    return; // it gave up on me; it forms its ring and we merge later
                }
                if (op.members.contains(s) && j.ringSeq() < op.seq) {
                    return; // a join from before our ring formed
                }
            }
            case COMMIT, RECOVERY -> {
                NodeSet forming = state == TotemState.COMMIT ? commitMembers : cur.members;
                if (!forming.contains(s) || (j.ringSeq() < myRingSeq && !j.leave())) {
                    return; // only a member of the forming ring that gave up on it (or leaves) can abort it
                }
            }
            case GATHER -> {
            }
        }
        if (j.leave()) {
            if (state == TotemState.GATHER && failed.contains(s)) {
                return;
            }
            proc = proc.with(s);
            failed = failed.with(s);
            gatherEnter(LEAVE);
            return;
        }
        if (failed.contains(s)) {
            if (state != TotemState.GATHER) {
                gatherEnter(JOIN);
            }
            return;
        }
        if (j.proc().equals(proc) && j.failed().equals(failed)) {
            if (state != TotemState.GATHER) {
                gatherEnter(JOIN);
            }
            consensus = consensus.with(s);
            checkConsensus();
            return;
        }
        if (proc.containsAll(j.proc()) && failed.containsAll(j.failed())) {
            if (state != TotemState.GATHER) {
                gatherEnter(JOIN);
            }
            return; // it knows less than I do; it will merge my join
        }
        proc = proc.union(j.proc());
        if (j.failed().contains(me)) {
            failed = failed.with(s); // it gave up on me: give up on it too, so both sides can agree
        } else {
            failed = failed.union(j.failed());
        }
        gatherEnter(JOIN);
        if (j.proc().equals(proc) && j.failed().equals(failed)) {
            consensus = consensus.with(s);
            checkConsensus();
        }
    }

    private void onCommit(CommitToken c) {
        int n = c.members.size();
        int idx = c.members.indexOf(me);
        if (idx < 0) {
            return;
        }
        switch (state) {
            case GATHER -> {
                // First rotation: fill in my entry if it proposes exactly my membership.
                if (c.ringSeq <= myRingSeq || c.membIndex != idx || c.filled[idx]
                    || !c.members.equals(proc.minus(failed))) {
                    return;
                }
                c.filled[idx] = true;
                c.release[idx] = release;
                c.oldRingRep[idx] = op.rep;
                c.oldRingSeq[idx] = op.seq;
                c.aru[idx] = op.myAru;
                c.highDelivered[idx] = op.highDelivered;
                c.safe[idx] = op.safeSeq;
                c.membIndex++;
                c.tokenSeq++;
                myRingRep = c.ringRep;
                myRingSeq = c.ringSeq;
                highestRingSeq = Math.max(highestRingSeq, c.ringSeq);
                seqStore.store(myRingSeq);
                commitMembers = c.members;
                cancel(TimerKind.JOIN);
                cancel(TimerKind.CONSENSUS);
                arm(TimerKind.TOKEN_LOSS, cfg.token());
                stats.commitEntered++;
                setState(TotemState.COMMIT, COMMIT);
                sendToken(c.members.get(c.membIndex % n), TotemCodec.encodeCommit(c, me), true);
            }
            case COMMIT -> {
                // Second rotation: everyone's entry is known.
                if (c.ringRep != myRingRep || c.ringSeq != myRingSeq || !c.allFilled() || c.membIndex != n + idx) {
                    return;
                }
                c.membIndex++;
                c.tokenSeq++;
                recoveryEnter(c);
                sendToken(c.members.get(c.membIndex % n), TotemCodec.encodeCommit(c, me), true);
            }
            case RECOVERY -> {
                // Back at the representative after two rotations: start the new ring's token.
                if (c.ringRep != me || c.ringRep != myRingRep || c.ringSeq != myRingSeq || !c.allFilled()
                    || c.membIndex != 2 * n || initialTokenSent) {
                    return;
                }
                initialTokenSent = true;
                lastToken = null;
                cancel(TimerKind.TOKEN_RETRANSMIT);
                OrfToken t = tok;
                t.sender = me;
                t.ringRep = cur.rep;
                t.ringSeq = cur.seq;
                t.tokenSeq = 0;
                t.seq = 0;
                t.aru = 0;
                t.aruAddr = 0;
                t.backlog = 0;
                t.fcc = 0;
                t.retransFlg = !recoveryQueue.isEmpty();
                t.installSeq = -1;
                t.rtrCount = 0;
                processToken(t);
            }
            case OPERATIONAL -> {
            }
        }
    }

    private void recoveryEnter(CommitToken c) {
        int n = c.members.size();
        Ring nw = new Ring(c.ringRep, c.ringSeq, c.members, me);
        int[] t = new int[n];
        int k = 0;
        long lowAru = Long.MAX_VALUE;
        long high = 0;
        long safe = 0;
        int owner = me;
        long ownerAru = -1;
        for (int i = 0; i < n; i++) {
            if (c.oldRingRep[i] == op.rep && c.oldRingSeq[i] == op.seq) {
                t[k++] = c.members.get(i);
                lowAru = Math.min(lowAru, c.aru[i]);
                high = Math.max(high, c.highDelivered[i]);
                safe = Math.max(safe, c.safe[i]);
                if (c.aru[i] > ownerAru) {
                    ownerAru = c.aru[i];
                    owner = c.members.get(i);
                }
            }
        }
        transMembers = NodeSet.ofSorted(Arrays.copyOf(t, k));
        // The new ring's releases and effective feature set, from the commit token every member holds now
        java.util.Map<Integer, Release> rel = new java.util.TreeMap<>();
        long features = -1L;
        for (int i = 0; i < n; i++) {
            Release r = c.release[i];
            if (r != null) {
                rel.put(c.members.get(i), r);
            }
            features &= r == null ? 0 : r.features();
        }
        pendingReleases = java.util.Collections.unmodifiableMap(rel);
        pendingFeatures = features;
        recHighDelivered = high;
        recSafe = safe;
        // Old-ring messages some transitional member may lack: those above the lowest aru. Each one up to the
        // highest aru is re-sent by the member with that aru (it has them all); above it, by everyone holding it.
        recoveryQueue.clear();
        for (long s = Math.max(lowAru + 1, op.queue.base()); s <= op.highSeqReceived; s++) {
            Msg m = op.queue.get(s);
            if (m != null && m.kind == Msg.KIND_REGULAR && (s > ownerAru || owner == me)) {
                recoveryQueue.add(m);
            }
        }
        cur = nw;
        initialTokenSent = false;
        arm(TimerKind.TOKEN_LOSS, cfg.token());
        stats.recoveryEntered++;
        setState(TotemState.RECOVERY, RECOVERY);
    }

    private void operationalEnter() {
        Ring old = op;
        Ring nw = cur;
        NodeSet trans = transMembers;
        // 1. What can still be delivered in the old regular configuration: everything up to what some
        //    transitional member delivered or knew safe there, then agreed messages up to the first hole or the
        //    first SAFE message not known safe. Every transitional member holds the same messages now and
        //    computes the same point.
        for (long s = old.highDelivered + 1; ; s++) {
            Msg m = old.queue.get(s);
            if (m == null || (m.kind == Msg.KIND_REGULAR && m.safe && s > recHighDelivered && s > recSafe)) {
                break;
            }
            old.highDelivered = s;
            if (m.kind == Msg.KIND_REGULAR) {
                deliverChunks(m, old.id);
            }
        }
        // 2. The transitional configuration.
        out.configurationChange(new MembershipEvent(MembershipEvent.Type.TRANSITIONAL, nw.id, trans.toList(),
            List.of(), old.members.minus(trans).toList()));
        // 3. The rest of the old ring's messages, skipping holes: a hole is a message no transitional member
        //    has, so its sender is not one of them and no transitional member delivered it.
        for (long s = old.highDelivered + 1; s <= old.highSeqReceived; s++) {
            Msg m = old.queue.get(s);
            if (m != null) {
                old.highDelivered = s;
                if (m.kind == Msg.KIND_REGULAR) {
                    deliverChunks(m, old.id);
                }
            }
        }
        reassembler.discardAll();
        stats.fragmentsDiscarded = reassembler.discarded();
        // 4. The regular configuration of the new ring (its releases and features first: listeners read them).
        memberReleases = pendingReleases;
        effectiveFeatures = pendingFeatures;
        out.configurationChange(new MembershipEvent(MembershipEvent.Type.REGULAR, nw.id, nw.members.toList(),
            nw.members.minus(trans).toList(), List.of()));
        old.queue.clear();
        op = nw;
        proc = nw.members;
        failed = NodeSet.EMPTY;
        consensus = NodeSet.EMPTY;
        transMembers = null;
        recoveryQueue.clear();
        sendQueue.restartHead();
        stats.operationalEntered++;
        setState(TotemState.OPERATIONAL, OPERATIONAL);
    }

    private void failedToReceive() {
        proc = proc.union(cur.members);
        failed = proc.without(me);
        gatherEnter(FAILED_TO_RECEIVE);
    }

    // ============================================================================================ ordering ====

    private void processToken(OrfToken t) {
        if (state != TotemState.OPERATIONAL && state != TotemState.RECOVERY) {
            return;
        }
        Ring r = cur;
        if (!r.is(t.ringRep, t.ringSeq) || t.tokenSeq <= r.myTokenSeq) {
            return;
        }
        r.myTokenSeq = t.tokenSeq;
        mergeAnswered = false;
        lastToken = null;
        cancel(TimerKind.TOKEN_RETRANSMIT);
        arm(TimerKind.TOKEN_LOSS, cfg.token());
        boolean isRep = r.rep == me;
        boolean flagOnArrival = t.retransFlg;
        long seqOnArrival = t.seq;

        r.safeSeq = Math.max(r.safeSeq, safePoint(r.lastForwardedAru, t.aru));
        if (t.aru == r.lastArrivedAru && t.aruAddr != 0) {
            r.aruStuck++;
        } else {
            r.aruStuck = 0;
        }
        r.lastArrivedAru = t.aru;
        boolean failToRecv = r.aruStuck > cfg.failRecvConst() && t.aruAddr == me;

        boolean unchanged = t.seq == r.lastTokenMsgSeq;
        r.seqUnchanged = unchanged ? r.seqUnchanged + 1 : 0;
        r.lastTokenMsgSeq = t.seq;
        boolean idle = r.seqUnchanged > cfg.seqnoUnchangedConst();
        if (isRep && state == TotemState.OPERATIONAL) {
            if (!unchanged) {
                cancel(TimerKind.MERGE_DETECT);
            } else if (!armed[TimerKind.MERGE_DETECT.ordinal()]) {
                arm(TimerKind.MERGE_DETECT, cfg.merge());
            }
        }
        // A member other than the representative takes the token for held one idle rotation earlier than the
        // representative holds it (>= rather than >), as corosync's message_handler_orf_token() sets my_token_held:
        // its last visit before the hold comes one rotation before the representative's, and with the same bound a
        // message it queued during the hold sent no cancel and waited for the hold timer (up to 0.8 x
        // token_retransmit: 190 ms with token 1000, 695 ms with the seed's timing)
        tokenHeldHint = !isRep && r.seqUnchanged >= cfg.seqnoUnchangedConst();

        // Retransmit what others miss and I have.
        int retx = 0;
        for (int i = 0; i < t.rtrCount; ) {
            long s = t.rtr[i];
            Msg m = r.queue.get(s);
            if (m != null) {
                out.multicast(m.packet());
                stats.mcastRetx++;
                retx++;
                t.rtrRemoveAt(i);
            } else if (r.queue.freed(s)) {
                t.rtrRemoveAt(i); // everyone has it
            } else {
                i++;
            }
        }

        // New messages (old-ring re-sends in RECOVERY).
        int cbl = state == TotemState.OPERATIONAL ? sendQueue.backlogPackets() : recoveryQueue.size();
        int allowed = allowed(t, r, cbl) - retx;
        int sent = 0;
        if (state == TotemState.OPERATIONAL) {
            sent = sendQueued(t, r, allowed);
            cbl = sendQueue.backlogPackets();
        } else {
            while (sent < allowed && !recoveryQueue.isEmpty()) {
                Msg old = recoveryQueue.poll();
                long seq = ++t.seq;
                byte[] p = new byte[TotemCodec.MCAST_HEADER + old.len];
                int body = TotemCodec.writeMcastHeader(p, 0, me, r.rep, r.seq, seq, Msg.KIND_RECOVERY);
                System.arraycopy(old.buf, old.off, p, body, old.len);
                Msg m = new Msg(p, 0, p.length, r.rep, r.seq, seq, me, Msg.KIND_RECOVERY, false, body, old);
                store(r, m);
                out.multicast(p);
                stats.mcastTx++;
                sent++;
            }
            cbl = recoveryQueue.size();
        }

        // Ask for what I miss.
        long end = Math.min(t.seq, r.myAru + HOLE_SCAN_LIMIT);
        for (long s = r.myAru + 1; s <= end; s++) {
            if (!r.queue.has(s) && r.queue.missed(s) >= cfg.missCountConst() && t.rtrCount < TotemCodec.RTR_MAX
                && !t.rtrContains(s)) {
                t.rtr[t.rtrCount++] = s;
            }
        }

        // Flow control accounting: replace my previous contribution with this visit's.
        t.fcc = Math.max(0, t.fcc + sent + retx - r.myTrc);
        r.myTrc = sent + retx;
        t.backlog = (int) Math.max(0, Math.min(Integer.MAX_VALUE, (long) t.backlog + cbl - r.myPbl));
        r.myPbl = cbl;

        updateAru(t, r.myAru, me);

        // RECOVERY: the representative learns when nobody has old messages left to send.
        if (state == TotemState.RECOVERY) {
            if (isRep) {
                if (t.installSeq < 0 && !flagOnArrival && r.lastForwardedAru >= 0) {
                    t.installSeq = seqOnArrival;
                }
                t.retransFlg = !recoveryQueue.isEmpty();
            } else if (!recoveryQueue.isEmpty()) {
                t.retransFlg = true;
            }
        }

        t.tokenSeq++;
        if (failToRecv) {
            failedToReceive();
            return;
        }
        byte[] bytes = TotemCodec.encodeToken(t, me);
        r.lastForwardedAru = t.aru;
        r.lastForwardedSeq = t.seq;
        if (isRep && state == TotemState.OPERATIONAL && idle && sendQueue.isEmpty() && t.rtrCount == 0) {
            // The token loss timer keeps running from the receipt (hold < token), as corosync's does.
            holding = true;
            heldToken = bytes;
            arm(TimerKind.TOKEN_HOLD, cfg.hold());
            cancel(TimerKind.HEARTBEAT);   // no token forwarded: corosync's cancel_heartbeat_timeout
        } else {
            sendToken(r.next, bytes, false);
        }

        if (state == TotemState.RECOVERY && t.installSeq >= 0 && r.safeSeq >= t.installSeq
            && r.myAru >= t.installSeq) {
            operationalEnter();
        }
        if (state == TotemState.OPERATIONAL) {
            deliver(r);
            r.queue.free(Math.min(r.safeSeq, r.highDelivered));
        }
    }

    /**
     * Stamps up to {@code allowed} queued messages with the token's next sequence numbers, keeps and multicasts them
     * ({@code orf_token_mcast()}); returns how many went.
     */
    private int sendQueued(OrfToken t, Ring r, int allowed) {
        int sent = 0;
        while (sent < allowed && !sendQueue.isEmpty()) {
            long seq = ++t.seq;
            byte[] p = sendQueue.build(me, r.rep, r.seq, seq);
            Msg m = new Msg(p, 0, p.length, r.rep, r.seq, seq, me, Msg.KIND_REGULAR, sendQueue.lastSafe(),
                TotemCodec.MCAST_HEADER, null);
            store(r, m);
            out.multicast(p);
            stats.mcastTx++;
            sent++;
        }
        return sent;
    }

    /**
     * The token's aru rule: lower it to my aru; raise it only if I was the one who lowered it last (or it was
     * complete, {@code aru_addr} 0). {@code aru_addr} names me unless the aru now covers every sequence number.
     */
    static void updateAru(OrfToken t, long myAru, int me) {
        if (myAru < t.aru || t.aruAddr == me || t.aruAddr == 0) {
            t.aru = myAru;
            t.aruAddr = t.aru == t.seq ? 0 : me;
        }
    }

    /**
     * What a node may deliver as safe on a token visit: the aru it forwarded on its previous visit (-1 for none)
     * and the aru that came back, whichever is lower (see {@link Ring#safeSeq}).
     */
    static long safePoint(long lastForwardedAru, long arrivedAru) {
        return lastForwardedAru < 0 ? 0 : Math.min(lastForwardedAru, arrivedAru);
    }

    private int allowed(OrfToken t, Ring r, int cbl) {
        long allowed = Math.min(cfg.maxMessages(), cfg.windowSize() - (long) t.fcc);
        long total = (long) t.backlog - r.myPbl + cbl;
        if (total > 0 && cbl > 0) {
            long share = Math.max(1, (cfg.windowSize() * (long) cbl + total - 1) / total);
            allowed = Math.min(allowed, share);
        }
        long span = t.seq - Math.min(t.aru, r.queue.base() - 1);
        allowed = Math.min(allowed, FLOW_SPAN_LIMIT - span);
        return (int) Math.max(0, allowed);
    }

    private void onMcast(Msg m) {
        stats.mcastRx++;
        switch (state) {
            case OPERATIONAL, RECOVERY -> {
                Ring r = cur;
                if (r.is(m.ringRep, m.ringSeq)) {
                    if (store(r, m)) {
                        if (lastToken != null && !lastTokenIsCommit && r.lastForwardedSeq >= 0
                            && m.seq > r.lastForwardedSeq) {
                            // Someone after me had the token: my last one arrived.
                            lastToken = null;
                            cancel(TimerKind.TOKEN_RETRANSMIT);
                        }
                        if (state == TotemState.OPERATIONAL) {
                            deliver(r);
                        }
                    }
                } else if (state == TotemState.OPERATIONAL && !op.is(m.ringRep, m.ringSeq)) {
                    foreignMcast(m);
                }
            }
            case GATHER -> {
                if (op.is(m.ringRep, m.ringSeq)) {
                    store(op, m); // a late message of my old ring: it helps the recovery
                } else {
                    foreignMcast(m);
                }
            }
            case COMMIT -> {
                // The old ring's messages are frozen from the commit on; the new ring has not started.
            }
        }
    }

    /** Stores a message of ring {@code r}; false if it was a duplicate (or out of the queue's reach). */
    private boolean store(Ring r, Msg m) {
        if (!r.queue.put(m.seq, m)) {
            return false;
        }
        probe.messageReceived(r.rep, r.seq, m.seq);
        if (m.seq > r.highSeqReceived) {
            r.highSeqReceived = m.seq;
        }
        while (r.queue.has(r.myAru + 1)) {
            r.myAru++;
        }
        if (m.kind == Msg.KIND_RECOVERY && state == TotemState.RECOVERY && r == cur
            && op.is(m.inner.ringRep, m.inner.ringSeq)) {
            store(op, m.inner);
        }
        return true;
    }

    private void deliver(Ring r) {
        while (r.highDelivered < r.myAru) {
            long s = r.highDelivered + 1;
            Msg m = r.queue.get(s);
            if (m.safe && s > r.safeSeq) {
                return;
            }
            r.highDelivered = s;
            if (m.kind == Msg.KIND_REGULAR) {
                deliverChunks(m, r.id);
            }
        }
    }

    private void deliverChunks(Msg m, RingId ring) {
        byte[] b = m.buf;
        int p = m.bodyOff;
        int count = TotemCodec.getU16(b, p);
        p += TotemCodec.CHUNK_COUNT;
        deliveringRing = ring;
        deliveringSeq = m.seq;
        for (int i = 0; i < count; i++) {
            int flags = b[p];
            int msgTag = 0;
            int frag = 0;
            int clen;
            if ((flags & (TotemCodec.F_FIRST | TotemCodec.F_LAST)) == (TotemCodec.F_FIRST | TotemCodec.F_LAST)) {
                clen = TotemCodec.getInt(b, p + 1);
                p += TotemCodec.WHOLE_HEADER;
            } else {
                msgTag = TotemCodec.getU16(b, p + 1);
                frag = TotemCodec.getU16(b, p + 3);
                clen = TotemCodec.getInt(b, p + 5);
                p += TotemCodec.FRAG_HEADER;
            }
            deliveringChunk = i;
            reassembler.chunk(m.origin, flags, msgTag, frag, b, p, clen);
            p += clen;
        }
        stats.fragmentsDiscarded = reassembler.discarded();
    }

    private void deliverApp(int origin, byte[] b, int off, int len, boolean safe) {
        stats.msgDelivered++;
        out.deliver(origin, b, off, len, safe ? Guarantee.SAFE : Guarantee.AGREED, deliveringRing);
    }

    @Override
    public String toString() {
        return "TotemSrp[node " + Integer.toUnsignedString(me) + ", " + state + ", ring " + op.id + " "
            + op.members + "]";
    }
}
