package org.vigil.quorum.internal.votequorum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.vigil.kernel.api.RingId;
import org.vigil.quorum.internal.votequorum.VotequorumSettings.AtbMode;
import org.vigil.quorum.internal.votequorum.VqAction.Level;
import org.vigil.quorum.internal.votequorum.VqAction.Timer;

/**
 * votequorum for one node, as a pure, single-threaded state machine with corosync's semantics
 * ({@code exec/votequorum.c} of corosync 3.1.7, re-implemented from its behaviour).
 *
 * <p>Inputs: the start of a membership sync ({@link #syncInit}), the messages delivered in agreed order
 * ({@link #deliver}), the end of the sync ({@link #syncActivate}), timer expiries ({@link #timerExpired}),
 * administrator requests ({@link #setExpected}, {@link #setVotes}, {@link #cancelWaitForAll}) and the quorum
 * device's calls ({@link #qdeviceRegister}, {@link #qdevicePoll}, ...). Every input returns the actions to
 * carry out, in order ({@link VqAction}): messages to multicast, timers, decisions, values to persist, log
 * lines. It never reads a clock, sleeps, logs or does I/O, so the same inputs always give the same outputs.
 *
 * <p>The per-ring flow is corosync's: on a membership change every member multicasts its NODEINFO (and its
 * quorum device's); each NODEINFO updates the sender's entry and recalculates; the decision is announced when
 * the sync completes, i.e. when the NODEINFO of every member for the new ring has been delivered (the driver's
 * barrier), and again whenever quorum changes outside a sync.
 *
 * <p>Not thread-safe: one driver thread owns an instance.
 */
public final class Votequorum {

    /** A node's state in the votequorum table, as corosync's {@code nodestate_t}. */
    public enum NodeState {
        MEMBER, DEAD, LEAVING
    }

    /** Results of administrator and device requests, named after corosync's {@code cs_error_t}. */
    public enum Status {
        OK, INVALID_PARAM, NOT_EXIST, ACCESS, EXIST, MESSAGE_ERROR, TRY_AGAIN;

        /** corosync's name, e.g. {@code CS_ERR_INVALID_PARAM}. */
        public String csName() {
            return this == OK ? "CS_OK" : "CS_ERR_" + name();
        }
    }

    /**
     * State carried over from an earlier instance (a provider swap): the decision the kernel kept.
     *
     * @param quorate       the kept decision
     * @param ring          the ring it applies to
     * @param members       the ring's members
     * @param quorum        the quorum figure then
     * @param expectedVotes the expected votes then
     * @param memberVotes   the configured votes of the members (for members not yet heard from)
     */
    public record Seed(boolean quorate, RingId ring, List<Integer> members, long quorum, long expectedVotes,
                       Map<Integer, Long> memberVotes) {
        public Seed {
            members = List.copyOf(members);
            memberVotes = Map.copyOf(memberVotes);
        }
    }

    /**
     * What {@code corosync-quorumtool} shows about a node ({@code votequorum_getinfo}).
     *
     * @param nodeId          the node
     * @param state           its state in this node's table
     * @param votes           its votes
     * @param expectedVotes   its expected votes
     * @param highestExpected the highest expected votes among members
     * @param totalVotes      the members' votes, plus the device's when the node's device casts its vote
     * @param quorum          the quorum figure
     * @param flags           {@code VOTEQUORUM_INFO_*} bits ({@link Info#TWONODE} ...)
     * @param qdeviceName     the device's name, or empty
     * @param qdeviceVotes    the device's votes
     */
    public record Info(int nodeId, NodeState state, long votes, long expectedVotes, long highestExpected,
                       long totalVotes, long quorum, int flags, String qdeviceName, long qdeviceVotes) {
        public static final int TWONODE = 1;
        public static final int QUORATE = 2;
        public static final int WAIT_FOR_ALL = 4;
        public static final int LAST_MAN_STANDING = 8;
        public static final int AUTO_TIE_BREAKER = 16;
        public static final int ALLOW_DOWNSCALE = 32;
        public static final int QDEVICE_REGISTERED = 64;
        public static final int QDEVICE_ALIVE = 128;
        public static final int QDEVICE_CAST_VOTE = 256;
        public static final int QDEVICE_MASTER_WINS = 512;

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    /**
     * The inputs and result of the last quorum calculation, for tests and diagnostics.
     *
     * @param totalVotes    votes counted
     * @param ourExpected   this node's expected votes at the time
     * @param quorum        the result
     * @param withDevice    whether the quorum device's vote was among the votes counted
     */
    public record Calculation(long totalVotes, long ourExpected, long quorum, boolean withDevice) {
    }

    private static final class Node {
        final int id;
        NodeState state = NodeState.DEAD;
        long votes;
        long expected;
        int flags;

        Node(int id) {
            this.id = id;
        }
    }

    /** The flag bits a node's quorum device sets through its polls. */
    private static final int DEVICE_BITS = NodeFlags.QDEVICE_REGISTERED | NodeFlags.QDEVICE_ALIVE
        | NodeFlags.QDEVICE_CAST_VOTE | NodeFlags.QDEVICE_MASTER_WINS;
    /** The bits of a device's vote (what master_wins counts). */
    private static final int VOTE_BITS = NodeFlags.QDEVICE_CAST_VOTE | NodeFlags.QDEVICE_MASTER_WINS;

    private final VotequorumSettings settings;
    private final Node us;
    private final Node qdevice;
    /** The node table, ordered by node id (signed, as corosync compares them). */
    private final TreeMap<Integer, Node> nodes = new TreeMap<>();
    private List<VqAction> out = new ArrayList<>();

    private boolean twoNode;
    private final boolean waitForAll;
    private boolean lastManStanding;
    private final AtbMode atb;
    private final boolean allowDownscale;
    private final boolean evTracking;

    private long quorum;
    private boolean quorate;
    private boolean quorateByMasterWins;
    private boolean wfaStatus;
    private long evBarrier;
    private long evTrackingBarrier;
    private int lowestNodeId = -1;
    private int highestNodeId = -1;
    private int[] members = new int[0];
    private int[] previousMembers = new int[0];
    private RingId ring = new RingId(0, 0);
    private boolean syncInProgress;
    private boolean syncNodeinfoSent;
    private boolean lmsTimerSet;
    private boolean qdeviceTimerSet;
    private boolean syncWaitForPoll;
    private boolean qdeviceCanOperate;
    private boolean qdeviceMasterWins;
    private String qdeviceName = "";
    private boolean qdeviceRegistering;
    private Calculation lastCalculation;

    /**
     * Starts votequorum on node {@code nodeId} (corosync's {@code votequorum_exec_init_fn}): reads the settings,
     * calculates quorum for a cluster of one and multicasts this node's NODEINFO. Take the resulting actions
     * with {@link #takeActions()}.
     *
     * @param evTrackingBarrier the persisted expected_votes_tracking value (0 when none)
     * @param seed              state kept from an earlier instance, or null for a fresh start
     */
    public Votequorum(VotequorumSettings settings, int nodeId, long evTrackingBarrier, Seed seed) {
        if (nodeId == 0) {
            throw new IllegalArgumentException("node id 0 is reserved for the quorum device");
        }
        this.settings = settings;
        qdevice = new Node(VqMessage.QDEVICE_NODEID);
        us = allocate(nodeId);
        us.state = NodeState.MEMBER;
        us.flags |= NodeFlags.FIRST;
        runtime("this_node_id", Integer.toUnsignedLong(nodeId));
        twoNode = settings.twoNode();
        waitForAll = settings.waitForAll();
        lastManStanding = settings.lastManStanding();
        atb = settings.atb();
        allowDownscale = settings.allowDownscale();
        evTracking = settings.evTracking();
        runtime("atb_type", atb.ordinal());
        for (String note : settings.notes()) {
            log(Level.CRIT, note);
        }
        qdeviceCanOperate = settings.qdeviceConfigured();
        runtime("qdevice_can_operate", qdeviceCanOperate ? 1 : 0);
        if (evTracking) {
            updateEvTrackingBarrier(evTrackingBarrier);
        }
        us.votes = settings.nodeVotes();
        us.expected = settings.initialExpected(evTracking ? evTrackingBarrier : 0);
        qdevice.votes = settings.qdeviceVotes();
        updateEvBarrier(us.expected);
        runtime("two_node", twoNode ? 1 : 0);
        if (waitForAll) {
            updateWaitForAllStatus(true);
        }
        if (seed != null) {
            resume(seed);
        }
        recalculateQuorum(false, false);
        sendNodeInfo(us.id, false);
    }

    private void resume(Seed seed) {
        syncInProgress = true;
        us.flags &= ~NodeFlags.FIRST;
        us.expected = Math.max(1, seed.expectedVotes());
        quorum = seed.quorum();
        quorate = seed.quorate();
        if (quorate) {
            us.flags |= NodeFlags.QUORATE;
            if (waitForAll) {
                updateWaitForAllStatus(false);
            }
        }
        ring = seed.ring();
        members = seed.members().stream().mapToInt(Integer::intValue).toArray();
        for (int id : members) {
            if (id == us.id) {
                continue;
            }
            Node n = nodes.computeIfAbsent(id, Node::new);
            n.state = NodeState.MEMBER;
            n.votes = seed.memberVotes().getOrDefault(id, 1L);
            n.expected = us.expected;
        }
        log(Level.INFO, "resuming from the kept decision: ring " + ring + ", " + (quorate ? "quorate" : "not quorate")
            + ", quorum " + quorum + ", expected votes " + us.expected);
    }

    /** The actions produced since the last call, in order. */
    public List<VqAction> takeActions() {
        List<VqAction> a = out;
        out = new ArrayList<>();
        return a;
    }

    // ------------------------------------------------------------------ inputs

    /**
     * A new regular membership (corosync's {@code votequorum_sync_init}): nodes that left are marked dead and
     * the last_man_standing timer is decided. Follow it with {@link #syncProcess()}.
     *
     * @param newRing    the new ring
     * @param memberList its members
     */
    public List<VqAction> syncInit(RingId newRing, Collection<Integer> memberList) {
        int[] newMembers = memberList.stream().mapToInt(Integer::intValue).toArray();
        syncInProgress = true;
        syncNodeinfoSent = false;
        syncWaitForPoll = false;
        if (newMembers.length > 1) {
            us.flags &= ~NodeFlags.FIRST;
        }
        boolean someoneLeft = false;
        for (int id : members) {
            if (!contains(newMembers, id)) {
                someoneLeft = true;
                Node n = find(id);
                if (n != null) {
                    n.state = NodeState.DEAD;
                }
            }
        }
        if (lastManStanding) {
            if ((newMembers.length >= quorum && someoneLeft)
                || (newMembers.length <= quorum && atb != AtbMode.NONE && lowestNodeInPartition())) {
                out.add(new VqAction.ArmTimer(Timer.LAST_MAN_STANDING, settings.lastManStandingWindow()));
                lmsTimerSet = true;
            }
        }
        previousMembers = members;
        members = newMembers;
        ring = newRing;
        if (has(us.flags, NodeFlags.QDEVICE_REGISTERED) && has(us.flags, NodeFlags.QDEVICE_ALIVE)) {
            out.add(new VqAction.ArmTimer(Timer.QDEVICE, settings.qdeviceSyncTimeout()));
            qdeviceTimerSet = true;
            syncWaitForPoll = true;
            log(Level.INFO, "waiting for quorum device " + qdeviceName + " poll (but maximum for "
                + settings.qdeviceSyncTimeout() + " ms)");
        }
        return takeActions();
    }

    /**
     * The sync's process step (corosync's {@code votequorum_sync_process}): the first call after
     * {@link #syncInit} multicasts this node's NODEINFO and its quorum device's for the new ring, and the
     * device's registration if it has one; later calls send nothing.
     */
    public List<VqAction> syncProcess() {
        if (syncNodeinfoSent) {
            return takeActions();
        }
        syncNodeinfoSent = true;
        sendNodeInfo(us.id, true);
        sendNodeInfo(VqMessage.QDEVICE_NODEID, true);
        if (!qdeviceName.isEmpty()) {
            out.add(new VqAction.Send(new VqMessage.QdeviceReg(true, qdeviceName), false));
        }
        return takeActions();
    }

    /**
     * Multicasts this node's NODEINFO and its device's again, as sync messages of the current ring: used when
     * another node's votequorum restarts without a membership change (a provider swap), so that it can complete
     * the sync it starts. corosync has no such case (votequorum only restarts with corosync).
     */
    public List<VqAction> announce() {
        sendNodeInfo(us.id, true);
        sendNodeInfo(VqMessage.QDEVICE_NODEID, true);
        return takeActions();
    }

    /**
     * Forgets the device votes (cast vote, master_wins) other nodes announced in an earlier ring: a device's vote
     * is cast for one ring, so until a member's NODEINFO for the current ring arrives its device's vote of the
     * ring before does not count, here or in master_wins. The driver calls it after {@link #syncInit} for the
     * members not yet heard from in the new ring. Not in corosync, whose NODEINFO carries no ring.
     */
    public void clearDeviceVotes(Collection<Integer> nodeIds) {
        for (int id : nodeIds) {
            Node n = nodes.get(id);
            if (n != null && n != us) {
                n.flags &= ~VOTE_BITS;
            }
        }
    }

    /**
     * True while the sync of the current ring must wait for a poll of the quorum device carrying the new ring id
     * (corosync's {@code sync_process} returning -1); the wait ends with such a poll or the device timer.
     */
    public boolean syncWaitsForDevice() {
        return syncInProgress && has(us.flags, NodeFlags.QDEVICE_REGISTERED) && syncWaitForPoll;
    }

    /** The sync of the current ring is complete: recalculate and announce the decision. */
    public List<VqAction> syncActivate() {
        recalculateQuorum(false, false);
        out.add(decision());
        syncInProgress = false;
        return takeActions();
    }

    /** A message delivered in agreed order from node {@code sender}. */
    public List<VqAction> deliver(int sender, VqMessage message) {
        if (message instanceof VqMessage.NodeInfo n) {
            nodeInfo(sender, n);
        } else if (message instanceof VqMessage.Reconfigure r) {
            reconfigure(sender, r);
        } else if (message instanceof VqMessage.QdeviceReg q) {
            qdeviceReg(sender, q);
        }
        return takeActions();
    }

    /** A timer armed by an {@link VqAction.ArmTimer} fired. */
    public List<VqAction> timerExpired(Timer timer) {
        switch (timer) {
            case LAST_MAN_STANDING -> {
                if (!lmsTimerSet) {
                    break;
                }
                lmsTimerSet = false;
                if (quorate) {
                    recalculateQuorum(true, true);
                }
            }
            case QDEVICE -> {
                if (!has(us.flags, NodeFlags.QDEVICE_ALIVE) || !qdeviceTimerSet) {
                    break;
                }
                us.flags &= ~(NodeFlags.QDEVICE_ALIVE | NodeFlags.QDEVICE_CAST_VOTE);
                log(Level.INFO, "lost contact with quorum device " + qdeviceName);
                sendNodeInfo(us.id, false);
                qdeviceTimerSet = false;
                syncWaitForPoll = false;
            }
        }
        return takeActions();
    }

    /**
     * {@code corosync-quorumtool -e N}: validates the new expected votes and multicasts the change.
     *
     * @return {@link Status#INVALID_PARAM} if {@code expected} is below the votes present, or would make a
     *         quorate cluster lose quorum
     */
    public Status setExpected(long expected) {
        if (expected < 1 || expected > 0xFFFF_FFFFL) {
            return Status.INVALID_PARAM;
        }
        long[] total = new long[1];
        long newQuorum = calculateQuorum(true, expected, total, false, false, false);
        if (expected < total[0] || (quorate && newQuorum > total[0])) {
            return Status.INVALID_PARAM;
        }
        updateNodeExpectedVotes(expected);
        out.add(new VqAction.Send(new VqMessage.Reconfigure(us.id, expected, VqMessage.Param.EXPECTED_VOTES), false));
        return Status.OK;
    }

    /**
     * {@code corosync-quorumtool -v V [-n id]}: validates a node's new votes and multicasts the change.
     *
     * @return {@link Status#NOT_EXIST} for an unknown node, {@link Status#INVALID_PARAM} if the change would give
     *         an impossible quorum
     */
    public Status setVotes(int nodeId, long votes) {
        Node n = find(nodeId);
        if (n == null) {
            return Status.NOT_EXIST;
        }
        if (votes < 0 || votes > 0xFFFF_FFFFL) {
            return Status.INVALID_PARAM;
        }
        long saved = n.votes;
        n.votes = votes;
        long[] total = new long[1];
        long newQuorum = calculateQuorum(true, 0, total, false, false, allowDownscale);
        n.votes = saved;
        if (newQuorum < total[0] / 2 || newQuorum > total[0]) {
            return Status.INVALID_PARAM;
        }
        out.add(new VqAction.Send(new VqMessage.Reconfigure(nodeId, votes, VqMessage.Param.NODE_VOTES), false));
        return Status.OK;
    }

    /** {@code pcs quorum unblock} ({@code quorum.cancel_wait_for_all}): every node stops waiting for all. */
    public Status cancelWaitForAll() {
        out.add(new VqAction.Send(new VqMessage.Reconfigure(us.id, 0, VqMessage.Param.CANCEL_WFA), false));
        return Status.OK;
    }

    /** The node leaves cleanly (corosync's exit): with allow_downscale it tells the others. */
    public List<VqAction> leave() {
        if (allowDownscale) {
            us.flags |= NodeFlags.LEAVING;
            sendNodeInfo(us.id, false);
        }
        return takeActions();
    }

    /** The local quorum device registers ({@code votequorum_qdevice_register}). */
    public Status qdeviceRegister(String name) {
        if (!qdeviceCanOperate) {
            log(Level.INFO, "Registration of quorum device is disabled by incorrect configuration");
            return Status.ACCESS;
        }
        if (has(us.flags, NodeFlags.QDEVICE_REGISTERED)) {
            if (name.equals(qdeviceName)) {
                return Status.OK;
            }
            log(Level.WARNING, "A new qdevice with different name (new: " + name + " old: " + qdeviceName
                + ") is trying to re-register!");
            return Status.EXIST;
        }
        if (qdeviceRegistering) {
            return Status.TRY_AGAIN;
        }
        qdeviceRegistering = true;
        out.add(new VqAction.Send(new VqMessage.QdeviceReg(true, name), false));
        return Status.OK;
    }

    /** The local quorum device unregisters. */
    public Status qdeviceUnregister(String name) {
        if (!has(us.flags, NodeFlags.QDEVICE_REGISTERED)) {
            return Status.NOT_EXIST;
        }
        if (!name.equals(qdeviceName)) {
            return Status.INVALID_PARAM;
        }
        if (qdeviceTimerSet) {
            out.add(new VqAction.CancelTimer(Timer.QDEVICE));
            qdeviceTimerSet = false;
            syncWaitForPoll = false;
        }
        us.flags &= ~(NodeFlags.QDEVICE_REGISTERED | NodeFlags.QDEVICE_ALIVE | NodeFlags.QDEVICE_CAST_VOTE
            | NodeFlags.QDEVICE_MASTER_WINS);
        sendNodeInfo(us.id, false);
        out.add(new VqAction.Send(new VqMessage.QdeviceReg(false, name), false));
        return Status.OK;
    }

    /**
     * The local quorum device's poll ({@code votequorum_qdevice_poll}): it is alive and casts its vote or not,
     * for the ring it names. A poll for another ring than the last sync's is refused.
     */
    public Status qdevicePoll(String name, RingId pollRing, boolean castVote) {
        if (!qdeviceCanOperate) {
            return Status.ACCESS;
        }
        if (!has(us.flags, NodeFlags.QDEVICE_REGISTERED)) {
            return Status.NOT_EXIST;
        }
        if (!ring.equals(pollRing)) {
            log(Level.DEBUG, "Received poll ring id (" + pollRing + ") != last sync ring id (" + ring
                + "). Ignoring poll call.");
            return Status.MESSAGE_ERROR;
        }
        if (!name.equals(qdeviceName)) {
            return Status.INVALID_PARAM;
        }
        int old = us.flags;
        us.flags |= NodeFlags.QDEVICE_ALIVE;
        if (castVote) {
            us.flags |= NodeFlags.QDEVICE_CAST_VOTE;
        } else {
            us.flags &= ~NodeFlags.QDEVICE_CAST_VOTE;
        }
        if (us.flags != old) {
            sendNodeInfo(us.id, false);
        }
        out.add(new VqAction.ArmTimer(Timer.QDEVICE, settings.qdeviceTimeout()));
        qdeviceTimerSet = true;
        syncWaitForPoll = false;
        return Status.OK;
    }

    /** The local quorum device asks for (or gives up) master_wins. */
    public Status qdeviceMasterWins(String name, boolean allow) {
        if (!qdeviceCanOperate) {
            return Status.ACCESS;
        }
        if (!has(us.flags, NodeFlags.QDEVICE_REGISTERED)) {
            return Status.NOT_EXIST;
        }
        if (!name.equals(qdeviceName)) {
            return Status.INVALID_PARAM;
        }
        int old = us.flags;
        if (allow) {
            us.flags |= NodeFlags.QDEVICE_MASTER_WINS;
        } else {
            us.flags &= ~NodeFlags.QDEVICE_MASTER_WINS;
        }
        if (us.flags != old) {
            sendNodeInfo(us.id, false);
        }
        qdeviceMasterWins = allow;
        runtime("qdevice_master_wins", allow ? 1 : 0);
        return Status.OK;
    }

    // ------------------------------------------------------------------ queries

    /** This node's id. */
    public int nodeId() {
        return us.id;
    }

    /** Whether this node's partition is quorate now. */
    public boolean quorate() {
        return quorate;
    }

    /** Whether this node's partition is quorate now only through a quorum device's master_wins vote. */
    public boolean quorateByMasterWins() {
        return quorateByMasterWins;
    }

    /** The ring of the last membership sync. */
    public RingId ring() {
        return ring;
    }

    /** The members of the last membership sync, in the order given. */
    public List<Integer> members() {
        return Arrays.stream(members).boxed().toList();
    }

    /** The quorum figure now. */
    public long quorum() {
        return quorum;
    }

    /** True while a membership sync is in progress. */
    public boolean syncInProgress() {
        return syncInProgress;
    }

    /** The quorum device's registered name, or empty. */
    public String qdeviceName() {
        return qdeviceName;
    }

    /** The settings this instance runs with. */
    public VotequorumSettings settings() {
        return settings;
    }

    /** The last quorum calculation (null before the first). */
    public Calculation lastCalculation() {
        return lastCalculation;
    }

    /** The node ids in this node's table, ascending. */
    public List<Integer> knownNodes() {
        return List.copyOf(nodes.keySet());
    }

    /** {@code votequorum_getinfo} for a node of the table (0: this node). */
    public Optional<Info> info(int nodeId) {
        Node node = nodeId == VqMessage.QDEVICE_NODEID ? us : find(nodeId);
        if (node == null) {
            return Optional.empty();
        }
        long highest = 0;
        long total = 0;
        for (Node n : nodes.values()) {
            if (n.state == NodeState.MEMBER) {
                highest = Math.max(highest, n.expected);
                total += n.votes;
            }
        }
        if (has(node.flags, NodeFlags.QDEVICE_CAST_VOTE)) {
            total += qdevice.votes;
        }
        int flags = 0;
        flags |= twoNode ? Info.TWONODE : 0;
        flags |= quorate ? Info.QUORATE : 0;
        flags |= waitForAll ? Info.WAIT_FOR_ALL : 0;
        flags |= lastManStanding ? Info.LAST_MAN_STANDING : 0;
        flags |= atb != AtbMode.NONE ? Info.AUTO_TIE_BREAKER : 0;
        flags |= allowDownscale ? Info.ALLOW_DOWNSCALE : 0;
        flags |= has(node.flags, NodeFlags.QDEVICE_REGISTERED) ? Info.QDEVICE_REGISTERED : 0;
        flags |= has(node.flags, NodeFlags.QDEVICE_ALIVE) ? Info.QDEVICE_ALIVE : 0;
        flags |= has(node.flags, NodeFlags.QDEVICE_CAST_VOTE) ? Info.QDEVICE_CAST_VOTE : 0;
        flags |= has(node.flags, NodeFlags.QDEVICE_MASTER_WINS) ? Info.QDEVICE_MASTER_WINS : 0;
        return Optional.of(new Info(node.id, node.state, node.votes, node.expected, highest, total, quorum, flags,
            qdeviceName, qdevice.votes));
    }

    /** The decision as it stands (what {@link #syncActivate} announces). */
    public VqAction.Decide decision() {
        return new VqAction.Decide(quorate, ring, Arrays.stream(members).sorted().boxed().toList());
    }

    // ------------------------------------------------------------------ message handlers

    private void nodeInfo(int sender, VqMessage.NodeInfo m) {
        int nodeId = m.nodeId();
        log(Level.DEBUG, "got nodeinfo message from cluster node " + Integer.toUnsignedString(sender));
        log(Level.DEBUG, "nodeinfo message[" + Integer.toUnsignedString(nodeId) + "]: votes: " + m.votes()
            + ", expected: " + m.expectedVotes() + " flags: " + m.flags());
        Node node = find(nodeId);
        boolean newNode = node == null;
        if (newNode) {
            node = allocate(nodeId);
        }
        long oldVotes = newNode ? 0 : node.votes;
        long oldExpected = newNode ? 0 : node.expected;
        NodeState oldState = newNode ? NodeState.DEAD : node.state;
        int oldFlags = newNode ? 0 : node.flags;
        boolean allowDowngrade = false;
        boolean byNode = false;

        if (nodeId == VqMessage.QDEVICE_NODEID) {
            Node senderNode = find(sender);
            if (senderNode == null) {
                // corosync asserts here; a device NODEINFO from a node we never heard of is ignored
                log(Level.WARNING, "quorum device NODEINFO from unknown node " + Integer.toUnsignedString(sender)
                    + " ignored");
                return;
            }
            if (!quorate && has(senderNode.flags, NodeFlags.QUORATE)) {
                node.votes = m.votes();
            } else {
                node.votes = Math.max(node.votes, m.votes());
            }
        } else {
            if (node == us) {
                // our own NODEINFO coming back: the device bits are ours, set by the device's polls since it was
                // sent (an older echo must not bring back a vote the device took away, nor a vote of an old ring)
                node.flags = (m.flags() & ~DEVICE_BITS) | (us.flags & DEVICE_BITS);
            } else {
                node.flags = m.flags();
            }
            node.votes = m.votes();
            node.state = NodeState.MEMBER;
            if (has(node.flags, NodeFlags.LEAVING)) {
                node.state = NodeState.LEAVING;
                allowDowngrade = true;
                byNode = true;
            }
            if (!quorate && has(node.flags, NodeFlags.QUORATE)) {
                allowDowngrade = true;
                us.expected = m.expectedVotes();
            }
            if (has(node.flags, NodeFlags.QUORATE) || evTracking) {
                node.expected = m.expectedVotes();
            } else {
                node.expected = us.expected;
            }
            if (lastManStanding && node.votes > 1) {
                log(Level.WARNING, "Last Man Standing feature is supported only when all cluster nodes votes are "
                    + "set to 1. Disabling LMS.");
                lastManStanding = false;
                if (lmsTimerSet) {
                    out.add(new VqAction.CancelTimer(Timer.LAST_MAN_STANDING));
                    lmsTimerSet = false;
                }
            }
        }
        if (newNode || nodeId == us.id || has(node.flags, NodeFlags.FIRST) || oldVotes != node.votes
            || oldExpected != node.expected || oldFlags != node.flags || oldState != node.state) {
            recalculateQuorum(allowDowngrade, byNode);
        }
        if (waitForAll && !has(node.flags, NodeFlags.WFASTATUS) && has(node.flags, NodeFlags.QUORATE)) {
            updateWaitForAllStatus(false);
        }
    }

    private void reconfigure(int sender, VqMessage.Reconfigure m) {
        log(Level.DEBUG, "got reconfigure message from cluster node " + Integer.toUnsignedString(sender) + " for "
            + Integer.toUnsignedString(m.nodeId()));
        switch (m.param()) {
            case EXPECTED_VOTES -> {
                updateNodeExpectedVotes(m.value());
                out.add(new VqAction.ExpectedVotesChanged(us.expected));
                updateEvBarrier(m.value());
                if (evTracking) {
                    us.expected = Math.max(us.expected, evTrackingBarrier);
                }
                recalculateQuorum(true, false);
            }
            case NODE_VOTES -> {
                Node node = find(m.nodeId());
                if (node == null) {
                    return;
                }
                node.votes = m.value();
                recalculateQuorum(true, false);
            }
            case CANCEL_WFA -> {
                updateWaitForAllStatus(false);
                log(Level.INFO, "wait_for_all_status reset by user on node " + Integer.toUnsignedString(m.nodeId())
                    + ".");
                recalculateQuorum(false, false);
            }
        }
    }

    private void qdeviceReg(int sender, VqMessage.QdeviceReg m) {
        if (m.register()) {
            if (sender != us.id) {
                if (qdeviceName.isEmpty()) {
                    qdeviceName = m.name();
                }
                return;
            }
            if (has(us.flags, NodeFlags.QDEVICE_REGISTERED)) {
                return;
            }
            if (!qdeviceRegistering) {
                return;
            }
            qdeviceRegistering = false;
            if (qdeviceName.isEmpty()) {
                qdeviceName = m.name();
            }
            if (m.name().equals(qdeviceName)) {
                us.flags |= NodeFlags.QDEVICE_REGISTERED;
                sendNodeInfo(VqMessage.QDEVICE_NODEID, false);
                sendNodeInfo(us.id, false);
            } else {
                log(Level.WARNING, "A new qdevice with different name (new: " + m.name() + " old: " + qdeviceName
                    + ") is trying to register!");
            }
        } else {
            boolean wipe = true;
            for (Node n : nodes.values()) {
                if (n.state == NodeState.MEMBER && has(n.flags, NodeFlags.QDEVICE_REGISTERED)) {
                    wipe = false;
                }
            }
            if (wipe) {
                qdeviceName = "";
            }
        }
    }

    // ------------------------------------------------------------------ quorum calculation

    /**
     * corosync's {@code calculate_quorum}: the OpenVMS rule {@code max(highest_expected/2+1, total/2+1)}, never
     * below the current quorum unless a decrease is allowed, 1 for two_node with at most two nodes counted.
     */
    private long calculateQuorum(boolean allowDecrease, long maxExpected, long[] totalOut, boolean record,
                                 boolean logTable, boolean downscale) {
        long total = 0;
        long highest = 0;
        int counted = 0;
        if (downscale && allowDecrease && maxExpected != 0) {
            maxExpected = Math.max(evBarrier, maxExpected);
        }
        for (Node n : nodes.values()) {
            if (logTable) {
                log(Level.DEBUG, "node " + Integer.toUnsignedString(n.id) + " state=" + (n.state.ordinal() + 1)
                    + ", votes=" + n.votes + ", expected=" + n.expected);
            }
            if (n.state == NodeState.MEMBER) {
                highest = Math.max(highest, n.expected);
                total += n.votes;
                counted++;
            }
        }
        boolean withDevice = has(us.flags, NodeFlags.QDEVICE_CAST_VOTE);
        if (withDevice) {
            total += qdevice.votes;
            counted++;
        }
        if (maxExpected > 0) {
            highest = maxExpected;
        }
        long q = QuorumArithmetic.quorum(highest, total, allowDecrease ? 0 : quorum, twoNode, counted);
        totalOut[0] = total;
        if (record) {
            lastCalculation = new Calculation(total, us.expected, q, withDevice);
        }
        return q;
    }

    private void recalculateQuorum(boolean allowDecrease, boolean byCurrentNodes) {
        long total = 0;
        int count = 0;
        for (Node n : nodes.values()) {
            if (n.state == NodeState.MEMBER) {
                count++;
                total += n.votes;
            }
        }
        if (qdevice.votes != 0) {
            total += qdevice.votes;
            count++;
        }
        if (!byCurrentNodes) {
            count = 0;
        }
        if (total > us.expected) {
            us.expected = total;
            out.add(new VqAction.ExpectedVotesChanged(us.expected));
        }
        if (evTracking && us.expected > evTrackingBarrier) {
            updateEvTrackingBarrier(us.expected);
        }
        long[] counted = new long[1];
        quorum = calculateQuorum(allowDecrease, count, counted, true, true, allowDownscale);
        updateNodeExpectedVotes(count);
        areWeQuorate(counted[0]);
    }

    private void areWeQuorate(long totalVotes) {
        if (waitForAll && wfaStatus) {
            if (totalVotes != us.expected) {
                log(Level.NOTICE, "Waiting for all cluster members. Current votes: " + totalVotes
                    + " expected_votes: " + us.expected);
                return;
            }
            updateWaitForAllStatus(false);
        }
        boolean q = quorum <= totalVotes;
        if (q) {
            updateLowestHighest();
        }
        if (atb != AtbMode.NONE && totalVotes == us.expected / 2
            && previousMembers.length - members.length < quorum && checkAutoTieBreaker()) {
            q = true;
        }
        boolean byMasterWins = false;
        if (qdeviceMasterWins && !q && masterWinsPartition()) {
            log(Level.DEBUG, "node is quorate as part of master_wins partition");
            q = true;
            byMasterWins = true;
        }
        quorateByMasterWins = byMasterWins;
        boolean changed = q != quorate;
        if (changed) {
            log(Level.DEBUG, q ? "quorum regained, resuming activity" : "quorum lost, blocking activity");
        }
        quorate = q;
        if (quorate) {
            us.flags |= NodeFlags.QUORATE;
        } else {
            us.flags &= ~NodeFlags.QUORATE;
        }
        if (waitForAll) {
            updateWaitForAllStatus(!quorate);
        }
        if (changed && !syncInProgress) {
            out.add(decision());
        }
    }

    private void updateNodeExpectedVotes(long expected) {
        if (expected == 0) {
            return;
        }
        for (Node n : nodes.values()) {
            if (n.state == NodeState.MEMBER) {
                n.expected = expected;
            }
        }
    }

    private void updateLowestHighest() {
        lowestNodeId = us.id;
        highestNodeId = us.id;
        for (Node n : nodes.values()) {
            if (n.state == NodeState.MEMBER) {
                lowestNodeId = Math.min(lowestNodeId, n.id);
                highestNodeId = Math.max(highestNodeId, n.id);
            }
        }
        runtime("lowest_node_id", Integer.toUnsignedLong(lowestNodeId));
        runtime("highest_node_id", Integer.toUnsignedLong(highestNodeId));
    }

    private boolean lowestNodeInPartition() {
        Node n = find(lowestNodeId);
        return n != null && n.state == NodeState.MEMBER && nodes.containsKey(lowestNodeId);
    }

    private boolean highestNodeInPartition() {
        Node n = find(highestNodeId);
        return n != null && n.state == NodeState.MEMBER && nodes.containsKey(highestNodeId);
    }

    /**
     * The tie-breaker rule: lowest/highest node id seen when last quorate is here; or, for a list, the first
     * listed node present here wins unless a node listed before it was in the previous partition.
     */
    private boolean checkAutoTieBreaker() {
        if (atb == AtbMode.LOWEST) {
            return lowestNodeInPartition();
        }
        if (atb == AtbMode.HIGHEST) {
            return highestNodeInPartition();
        }
        List<Integer> list = settings.atbNodes();
        for (int i = 0; i < list.size(); i++) {
            if (contains(members, list.get(i))) {
                for (int j = 0; j < i; j++) {
                    if (contains(previousMembers, list.get(j))) {
                        log(Level.DEBUG, "ATB_LIST found node " + Integer.toUnsignedString(list.get(j))
                            + " in previous partition but not here, quorum denied");
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    private boolean masterWinsPartition() {
        for (Node n : nodes.values()) {
            if (n.state == NodeState.MEMBER && has(n.flags, NodeFlags.QDEVICE_MASTER_WINS)
                && has(n.flags, NodeFlags.QDEVICE_CAST_VOTE)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ helpers

    private Node allocate(int nodeId) {
        Node n = new Node(nodeId);
        if (nodeId != VqMessage.QDEVICE_NODEID) {
            nodes.put(nodeId, n);
        }
        return n;
    }

    private Node find(int nodeId) {
        if (us != null && nodeId == us.id) {
            return us;
        }
        if (nodeId == VqMessage.QDEVICE_NODEID) {
            return qdevice;
        }
        return nodes.get(nodeId);
    }

    private void sendNodeInfo(int nodeId, boolean sync) {
        Node n = find(nodeId);
        if (n == null) {
            return;
        }
        if (nodeId != VqMessage.QDEVICE_NODEID) {
            log(Level.DEBUG, "flags: " + NodeFlags.describe(n.flags));
        }
        out.add(new VqAction.Send(new VqMessage.NodeInfo(nodeId, n.votes, n.expected, n.flags), sync));
    }

    private void updateWaitForAllStatus(boolean status) {
        wfaStatus = status;
        if (status) {
            us.flags |= NodeFlags.WFASTATUS;
        } else {
            us.flags &= ~NodeFlags.WFASTATUS;
        }
        runtime("wait_for_all_status", status ? 1 : 0);
    }

    private void updateEvBarrier(long expected) {
        evBarrier = expected;
        runtime("ev_barrier", expected);
    }

    private void updateEvTrackingBarrier(long value) {
        evTrackingBarrier = value;
        runtime("ev_tracking_barrier", value);
        out.add(new VqAction.SaveEvTracking(value));
    }

    private void runtime(String key, long value) {
        out.add(new VqAction.RuntimeValue(key, value));
    }

    private void log(Level level, String text) {
        out.add(new VqAction.Log(level, text));
    }

    private static boolean has(int flags, int bit) {
        return (flags & bit) != 0;
    }

    private static boolean contains(int[] list, int id) {
        for (int v : list) {
            if (v == id) {
                return true;
            }
        }
        return false;
    }
}
