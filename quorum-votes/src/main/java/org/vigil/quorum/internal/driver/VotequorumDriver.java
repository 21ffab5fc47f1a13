package org.vigil.quorum.internal.driver;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.spi.DevicePoll;
import org.vigil.kernel.spi.VoteContext;
import org.vigil.quorum.internal.votequorum.NodeFlags;
import org.vigil.quorum.internal.votequorum.VotequorumSettings;
import org.vigil.quorum.internal.votequorum.Votequorum;
import org.vigil.quorum.internal.votequorum.VqAction;
import org.vigil.quorum.internal.votequorum.VqCodec;
import org.vigil.quorum.internal.votequorum.VqMessage;

/**
 * Runs a {@link Votequorum} state machine on the kernel's ring: membership changes from
 * {@link org.vigil.kernel.api.ClusterMembership}, messages through the {@value #GROUP} CPG group, timers and
 * administrator requests on one {@link Scheduler} thread, decisions published through the {@link VoteContext}.
 *
 * <p>The membership sync follows corosync's: on each regular configuration every member multicasts its NODEINFO
 * for the new ring (a "sync" frame tagged with the ring id), and the sync is activated, i.e. the decision is
 * announced, once the sync NODEINFO of every member of the ring has been delivered (corosync's sync barrier) and
 * the quorum device, if it must, has polled for the new ring. A member that stays silent does not block the
 * cluster as in corosync: after {@code syncTimeoutMs} the sync is activated without it and the silence is
 * logged with the node ids.
 *
 * <p>Provider swaps: a driver started with a kept decision ({@link VoteContext#lastDecision}) resumes from it
 * (quorum, expected votes, quorate, members) and announces nothing before its first sync completes. When the
 * votequorum of another node restarts (its provider joins the CPG group again without a membership change),
 * every member sends its NODEINFO again so that the newcomer can complete its sync.
 *
 * <p>Bad frames are dropped and counted ({@code stats.votequorum.malformed_messages} in cmap); they never reach
 * the state machine. All public methods are thread-safe.
 */
public final class VotequorumDriver {

    /** The CPG group votequorum messages travel in. */
    public static final String GROUP = "vigil_votequorum";
    /** How long a sync waits for silent members before deciding without them, in ms. */
    public static final long DEFAULT_SYNC_TIMEOUT_MS = 5000;

    private static final Logger LOG = LoggerFactory.getLogger("vigil.VOTEQ");
    private static final int DEVICE_VOTE_BITS = NodeFlags.QDEVICE_CAST_VOTE | NodeFlags.QDEVICE_MASTER_WINS;
    private static final Set<String> U8_KEYS = Set.of("wait_for_all_status", "two_node", "qdevice_can_operate",
        "qdevice_master_wins");

    /**
     * The driver's state for status commands, published after every input.
     *
     * @param nodeId      this node
     * @param ring        the ring of the last sync (null before the first)
     * @param members     its members, sorted
     * @param quorate     whether this partition is quorate
     * @param syncing     true while a sync is in progress
     * @param ours        votequorum's information about this node
     * @param nodes       votequorum's information about each member it knows, by node id
     * @param malformed   malformed frames dropped so far
     */
    public record Snapshot(int nodeId, RingId ring, List<Integer> members, boolean quorate, boolean syncing,
                           Votequorum.Info ours, Map<Integer, Votequorum.Info> nodes, long malformed) {
    }

    private final VoteContext context;
    private final Scheduler scheduler;
    private final String providerName;
    private final long syncTimeoutMs;
    private final EvTrackingStore store;

    // owned by the scheduler thread
    private Votequorum vq;
    private CpgGroup group;
    private AutoCloseable membershipHandle;
    private RingId ring;
    private List<Integer> members = List.of();
    private boolean syncing;
    /** This node's sync NODEINFO for {@link #ring} has been sent (it waits for the device's poll). */
    private boolean syncInfoSent;
    private final Set<Integer> waiting = new TreeSet<>();
    private boolean waitDevice;
    private Scheduler.Timer syncTimer;
    private final TreeMap<RingId, Set<Integer>> early = new TreeMap<>();
    private final EnumMap<VqAction.Timer, Scheduler.Timer> timers = new EnumMap<>(VqAction.Timer.class);
    private final Deque<byte[]> backlog = new ArrayDeque<>();
    private Scheduler.Timer backlogTimer;
    private DevicePoll pendingPoll;
    private boolean registerRequested;
    /** Device vote withdrawals waiting until no device vote is counted or announced. */
    private final List<CompletableFuture<Void>> withdrawals = new ArrayList<>();
    /** Whether the last decision announced (by this or the kept earlier instance) may count the device's vote. */
    private boolean announcedWithDevice;
    private long malformed;
    private volatile Snapshot snapshot;
    private volatile boolean running;
    private QuorumState published;

    public VotequorumDriver(VoteContext context, Scheduler scheduler, String providerName, long syncTimeoutMs,
                            EvTrackingStore store) {
        this.context = context;
        this.scheduler = scheduler;
        this.providerName = providerName;
        this.syncTimeoutMs = syncTimeoutMs;
        this.store = store;
    }

    /** Starts: joins the CPG group and follows the membership. */
    public void start() {
        running = true;
        scheduler.execute(this::doStart);
    }

    /** Stops without telling the other nodes anything (a provider swap is not a node leaving). */
    public void stop() {
        running = false;
        CountDownLatch done = new CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                doStop();
            } finally {
                done.countDown();
            }
        });
        if (!scheduler.inThread() && scheduler.concurrent()) {
            try {
                done.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        scheduler.shutdown();
    }

    /** The node is shutting down: with allow_downscale, tell the others (corosync's LEAVING). */
    public void nodeLeaving() {
        CountDownLatch done = new CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                if (vq != null) {
                    apply(vq.leave(), false);
                }
            } finally {
                done.countDown();
            }
        });
        if (!scheduler.inThread() && scheduler.concurrent()) {
            try {
                done.await(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A quorum device poll from the kernel (the device provider). */
    public void devicePoll(DevicePoll poll) {
        scheduler.execute(() -> onDevicePoll(poll));
    }

    /**
     * The device gives up its vote ({@code poll} with {@code castVote} false): the returned future completes
     * once this node relies on no device vote, i.e. votequorum counts none, is not quorate through another node's
     * master_wins vote, and the last decision announced relied on neither (during a membership sync, the decision
     * of the ring before is still the announced one, so this waits for the sync's end). It never completes if
     * the driver stops first; the kernel then asks the next provider.
     */
    public CompletableFuture<Void> withdrawDeviceVote(DevicePoll poll) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        scheduler.execute(() -> {
            withdrawals.add(f);
            onDevicePoll(poll);
            checkWithdrawals();
        });
        return f;
    }

    /** The state for status commands; empty before the driver has started. */
    public Optional<Snapshot> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    /** {@code corosync-quorumtool -e N}. */
    public CompletableFuture<Votequorum.Status> setExpected(long expected) {
        return request(() -> vq.setExpected(expected));
    }

    /** {@code corosync-quorumtool -v V -n id}. */
    public CompletableFuture<Votequorum.Status> setVotes(int nodeId, long votes) {
        return request(() -> vq.setVotes(nodeId, votes));
    }

    /** {@code pcs quorum unblock}: stop waiting for all nodes. */
    public CompletableFuture<Votequorum.Status> cancelWaitForAll() {
        return request(() -> vq.cancelWaitForAll());
    }

    private CompletableFuture<Votequorum.Status> request(java.util.function.Supplier<Votequorum.Status> op) {
        CompletableFuture<Votequorum.Status> f = new CompletableFuture<>();
        scheduler.execute(() -> {
            if (vq == null || !running) {
                f.complete(Votequorum.Status.TRY_AGAIN);
                return;
            }
            Votequorum.Status s = op.get();
            apply(vq.takeActions(), false);
            f.complete(s);
        });
        return f;
    }

    // ------------------------------------------------------------------ scheduler thread

    private void doStart() {
        if (!running) {
            return;
        }
        VigilConfig config = context.node().config();
        int nodeId = context.node().nodeId();
        VotequorumSettings settings;
        try {
            settings = VotequorumSettings.from(config, nodeId);
        } catch (IllegalArgumentException e) {
            LOG.error("votequorum cannot start: {}", e.getMessage());
            running = false;
            return;
        }
        Votequorum.Seed seed = context.lastDecision().map(d -> seed(d, config)).orElse(null);
        // the kept decision may have counted the device's vote (we cannot tell): assume it did
        announcedWithDevice = seed != null;
        vq = new Votequorum(settings, nodeId, settings.evTracking() ? store.load() : 0, seed);
        try {
            group = context.cpg().join(GROUP, new Listener());
        } catch (RuntimeException e) {
            LOG.error("votequorum cannot join CPG group {}: {}", GROUP, e.toString());
            running = false;
            return;
        }
        apply(vq.takeActions(), false);
        if (context.lastDevicePoll().isPresent()) {
            waitDevice = seed != null && context.lastDevicePoll().get().castVote();
            onDevicePoll(context.lastDevicePoll().get());
        }
        membershipHandle = context.membership().addListener(e -> scheduler.execute(() -> onMembership(e)));
        LOG.info("votequorum started on node {}{}", Integer.toUnsignedString(nodeId),
            seed == null ? "" : " (resuming ring " + seed.ring() + ", " + (seed.quorate() ? "quorate" : "not quorate")
                + ")");
    }

    private static Votequorum.Seed seed(QuorumState d, VigilConfig config) {
        Map<Integer, Long> votes = new HashMap<>();
        for (VigilConfig.Node n : config.nodes()) {
            votes.put(n.nodeId(), n.votes());
        }
        return new Votequorum.Seed(d.quorate(), d.ringId(), d.members(), d.quorum(), d.expectedVotes(), votes);
    }

    private void doStop() {
        for (Scheduler.Timer t : timers.values()) {
            t.cancel();
        }
        timers.clear();
        cancel(syncTimer);
        cancel(backlogTimer);
        if (membershipHandle != null) {
            try {
                membershipHandle.close();
            } catch (Exception e) {
                LOG.debug("membership listener close: {}", e.toString());
            }
        }
        if (group != null) {
            group.close();
        }
        vq = null;
        LOG.info("votequorum stopped");
    }

    private void onMembership(MembershipEvent e) {
        if (vq == null || e.type() != MembershipEvent.Type.REGULAR) {
            return;
        }
        if (e.ringId().equals(ring) && !vq.syncInProgress()) {
            return;
        }
        ring = e.ringId();
        members = List.copyOf(e.members());
        apply(vq.syncInit(ring, members), true);
        syncing = true;
        syncInfoSent = false;
        waiting.clear();
        waiting.addAll(members);
        Set<Integer> seen = early.remove(ring);
        if (seen != null) {
            waiting.removeAll(seen);
        }
        early.keySet().removeIf(r -> r.compareTo(ring) <= 0);
        // until a member's NODEINFO for this ring arrives, its device's vote of the ring before does not count
        List<Integer> notHeard = new ArrayList<>(waiting);
        notHeard.remove((Integer) vq.nodeId());
        vq.clearDeviceVotes(notHeard);
        if (vq.info(0).map(i -> i.has(Votequorum.Info.QDEVICE_MASTER_WINS)).orElse(false)) {
            // master_wins, like the vote, is the device's for one ring: off until it polls for this one
            vq.qdeviceMasterWins(vq.qdeviceName(), false);
            apply(vq.takeActions(), false);
        }
        cancel(syncTimer);
        RingId syncRing = ring;
        syncTimer = scheduler.schedule(() -> onSyncTimeout(syncRing), memberWaitMs());
        applyPendingPoll();
        maybeActivate();
    }

    /**
     * How long a sync waits for a silent member. With a quorum device a member sends its sync NODEINFO only
     * after its device polled for the new ring (up to {@code quorum.device.sync_timeout}), so the wait is longer.
     */
    private long memberWaitMs() {
        VotequorumSettings s = vq.settings();
        return syncTimeoutMs + (s.qdeviceConfigured() ? s.qdeviceSyncTimeout() : 0);
    }

    /**
     * Sends this node's sync NODEINFO for the ring (corosync's {@code votequorum_sync_process}) once its quorum
     * device, if votequorum waits for it, has polled for the ring (or the wait timed out): the NODEINFO then
     * carries the device's vote for this ring, never the one of the ring before. It is what the other members'
     * sync barrier waits for, so, as in corosync where the barrier follows the device's poll, no member decides
     * on a device vote of the ring before.
     */
    private void maybeSendSyncInfo() {
        if (vq == null || !syncing || syncInfoSent || waitDevice || vq.syncWaitsForDevice()) {
            return;
        }
        syncInfoSent = true;
        apply(vq.syncProcess(), true);
    }

    private void onDeliver(CpgMember sender, byte[] data) {
        if (vq == null) {
            return;
        }
        VqCodec.Frame f;
        try {
            f = VqCodec.decode(data);
            if (f.message() instanceof VqMessage.NodeInfo n && n.nodeId() != sender.nodeId()
                && n.nodeId() != VqMessage.QDEVICE_NODEID) {
                throw new VqCodec.MalformedException("NODEINFO about node " + Integer.toUnsignedString(n.nodeId())
                    + " sent by another node");
            }
        } catch (VqCodec.MalformedException e) {
            malformed++;
            context.cmap().add("stats.votequorum.malformed_messages", 1);
            if (malformed <= 10 || malformed % 1000 == 0) {
                LOG.warn("dropped a malformed votequorum message from node {} ({} so far): {}",
                    Integer.toUnsignedString(sender.nodeId()), malformed, e.getMessage());
            }
            publishSnapshot();
            return;
        }
        int from = sender.nodeId();
        VqMessage m = f.message();
        if (m instanceof VqMessage.NodeInfo n && n.nodeId() != VqMessage.QDEVICE_NODEID && from != vq.nodeId()
            && ring != null && f.ring().compareTo(ring) < 0 && (n.flags() & DEVICE_VOTE_BITS) != 0) {
            // sent in a ring before ours: its device's vote was for that ring and does not count in this one
            m = new VqMessage.NodeInfo(n.nodeId(), n.votes(), n.expectedVotes(), n.flags() & ~DEVICE_VOTE_BITS);
        }
        apply(vq.deliver(from, m), false);
        if (f.sync()) {
            if (syncing && f.ring().equals(ring)) {
                waiting.remove(from);
            } else if (ring == null || f.ring().compareTo(ring) > 0) {
                early.computeIfAbsent(f.ring(), r -> new TreeSet<>()).add(from);
                while (early.size() > 8) {
                    early.remove(early.firstKey());
                }
            }
        }
        applyPendingPoll();
        maybeActivate();
    }

    private void onConfigurationChanged(List<CpgMember> joined) {
        if (vq == null || ring == null || group == null) {
            return;
        }
        CpgMember self = group.self();
        boolean other = joined.stream().anyMatch(m -> !m.equals(self) && !(m.nodeId() == self.nodeId()
            && m.pid() == self.pid()));
        if (other && !(syncing && !syncInfoSent)) {
            // another node's votequorum (re)started without a membership change: let it complete its sync (if our
            // own sync NODEINFO is still waiting for the device, it goes out when the device has polled)
            apply(vq.announce(), true);
        }
    }

    private void onSyncTimeout(RingId r) {
        if (vq == null || !syncing || !r.equals(ring)) {
            return;
        }
        if (!waiting.isEmpty()) {
            LOG.warn("sync of ring {}: no NODEINFO from node(s) {} within {} ms; deciding without them", ring,
                ids(waiting), syncTimeoutMs);
        }
        waiting.clear();
        if (waitDevice) {
            LOG.warn("sync of ring {}: the quorum device did not poll within {} ms", ring, syncTimeoutMs);
            waitDevice = false;
        }
        maybeActivate();
    }

    private void maybeActivate() {
        maybeSendSyncInfo();
        if (vq == null || !syncing || !syncInfoSent || !waiting.isEmpty() || waitDevice || vq.syncWaitsForDevice()) {
            publishSnapshot();
            return;
        }
        syncing = false;
        cancel(syncTimer);
        syncTimer = null;
        apply(vq.syncActivate(), false);
    }

    private void onTimer(VqAction.Timer t) {
        timers.remove(t);
        if (vq == null) {
            return;
        }
        apply(vq.timerExpired(t), false);
        maybeActivate();
    }

    private void onDevicePoll(DevicePoll p) {
        if (vq == null) {
            return;
        }
        if (!registered() && !registerRequested) {
            Votequorum.Status s = vq.qdeviceRegister(p.name());
            apply(vq.takeActions(), false);
            if (s != Votequorum.Status.OK) {
                LOG.warn("quorum device {} cannot register: {}", p.name(), s.csName());
                publishSnapshot();
                return;
            }
            registerRequested = true;
        }
        pendingPoll = p;
        applyPendingPoll();
        maybeActivate();
    }

    private void applyPendingPoll() {
        DevicePoll p = pendingPoll;
        if (p == null || vq == null || !registered()) {
            return;
        }
        Votequorum.Status s = vq.qdevicePoll(p.name(), p.ring(), p.castVote());
        apply(vq.takeActions(), false);
        if (s == Votequorum.Status.OK) {
            boolean mw = vq.info(0).map(i -> i.has(Votequorum.Info.QDEVICE_MASTER_WINS)).orElse(false);
            if (mw != p.masterWins()) {
                vq.qdeviceMasterWins(p.name(), p.masterWins());
                apply(vq.takeActions(), false);
            }
            pendingPoll = null;
            waitDevice = false;
        } else if (s == Votequorum.Status.MESSAGE_ERROR && ring != null && p.ring().compareTo(ring) > 0) {
            LOG.debug("quorum device polled for ring {} before this node synced it; kept", p.ring());
        } else {
            if (s != Votequorum.Status.MESSAGE_ERROR) {
                LOG.warn("quorum device poll refused: {}", s.csName());
            }
            pendingPoll = null;
        }
    }

    private boolean registered() {
        return vq.info(0).map(i -> i.has(Votequorum.Info.QDEVICE_REGISTERED)).orElse(false);
    }

    private void apply(List<VqAction> actions, boolean sync) {
        for (VqAction a : actions) {
            if (a instanceof VqAction.Send s) {
                send(VqCodec.encode(new VqCodec.Frame(sync && s.sync(), ring, s.message())));
            } else if (a instanceof VqAction.ArmTimer t) {
                cancel(timers.remove(t.timer()));
                VqAction.Timer which = t.timer();
                timers.put(which, scheduler.schedule(() -> onTimer(which), t.delayMs()));
            } else if (a instanceof VqAction.CancelTimer t) {
                cancel(timers.remove(t.timer()));
            } else if (a instanceof VqAction.Decide d) {
                if (ring != null && (published != null || !vq.syncInProgress())) {
                    publish(d);
                }
            } else if (a instanceof VqAction.SaveEvTracking e) {
                try {
                    store.save(e.value());
                } catch (IOException ex) {
                    LOG.warn("Unable to update ev_tracking_barrier on disk data: {}", ex.toString());
                }
            } else if (a instanceof VqAction.RuntimeValue r) {
                context.cmap().set("runtime.votequorum." + r.key(),
                    U8_KEYS.contains(r.key()) ? CmapType.UINT8 : CmapType.UINT32, r.value());
            } else if (a instanceof VqAction.ExpectedVotesChanged e) {
                LOG.debug("expected votes now {}", e.expectedVotes());
            } else if (a instanceof VqAction.Log l) {
                log(l);
            }
        }
        publishFigures();
        publishSnapshot();
    }

    /**
     * Publishes a decision with the figures of the calculation it came from (the device's flags can change
     * between a calculation and the next: a figure of the next state with the quorate flag of this one would be
     * a decision votequorum never made).
     */
    private void publish(VqAction.Decide d) {
        Votequorum.Info info = vq.info(0).orElseThrow();
        Votequorum.Calculation c = vq.lastCalculation();
        long total = c == null ? info.totalVotes() : c.totalVotes();
        announcedWithDevice = (c == null ? info.has(Votequorum.Info.QDEVICE_CAST_VOTE) : c.withDevice())
            || (d.quorate() && vq.quorateByMasterWins());
        QuorumState s = new QuorumState(d.quorate(), d.ring(), d.members(), List.of(), List.of(), total,
            info.expectedVotes(), info.quorum(), providerName);
        published = s;
        context.publish(s);
    }

    /**
     * corosync announces only quorate changes and sync results; Vigil's decision also carries the vote figures,
     * so a change of total votes, expected votes or quorum outside a sync (a reconfiguration, a device vote, the
     * last_man_standing timer) is announced too, once the driver has announced a first decision.
     */
    private void publishFigures() {
        QuorumState p = published;
        if (p == null || vq == null || vq.syncInProgress()) {
            return;
        }
        Votequorum.Info info = vq.info(0).orElseThrow();
        Votequorum.Calculation c = vq.lastCalculation();
        long total = c == null ? info.totalVotes() : c.totalVotes();
        if (total != p.totalVotes() || info.expectedVotes() != p.expectedVotes()
            || info.quorum() != p.quorum() || vq.quorate() != p.quorate()) {
            publish(vq.decision());
        }
    }

    private void send(byte[] frame) {
        if (group == null) {
            return;
        }
        if (!backlog.isEmpty() || !group.mcast(frame)) {
            backlog.addLast(frame);
            if (backlogTimer == null) {
                backlogTimer = scheduler.schedule(this::flushBacklog, 20);
            }
        }
    }

    private void flushBacklog() {
        backlogTimer = null;
        while (!backlog.isEmpty() && group != null) {
            if (!group.mcast(backlog.peekFirst())) {
                backlogTimer = scheduler.schedule(this::flushBacklog, 20);
                return;
            }
            backlog.removeFirst();
        }
    }

    /** Completes the withdrawals once votequorum counts no device vote and the last announcement counted none. */
    private void checkWithdrawals() {
        if (withdrawals.isEmpty() || vq == null || announcedWithDevice
            || vq.info(0).map(i -> i.has(Votequorum.Info.QDEVICE_CAST_VOTE)).orElse(true)
            || (vq.lastCalculation() != null && vq.lastCalculation().withDevice()) || vq.quorateByMasterWins()) {
            return;
        }
        List<CompletableFuture<Void>> done = List.copyOf(withdrawals);
        withdrawals.clear();
        done.forEach(f -> f.complete(null));
    }

    private void publishSnapshot() {
        if (vq == null) {
            return;
        }
        checkWithdrawals();
        Map<Integer, Votequorum.Info> nodes = new TreeMap<>();
        for (int id : vq.knownNodes()) {
            vq.info(id).ifPresent(i -> nodes.put(id, i));
        }
        snapshot = new Snapshot(vq.nodeId(), ring, List.copyOf(new TreeSet<>(members)), vq.quorate(), syncing,
            vq.info(0).orElseThrow(), nodes, malformed);
    }

    private static void log(VqAction.Log l) {
        switch (l.level()) {
            case DEBUG -> LOG.debug("{}", l.text());
            case INFO, NOTICE -> LOG.info("{}", l.text());
            case WARNING -> LOG.warn("{}", l.text());
            case ERROR, CRIT -> LOG.error("{}", l.text());
        }
    }

    private static void cancel(Scheduler.Timer t) {
        if (t != null) {
            t.cancel();
        }
    }

    private static String ids(Set<Integer> ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add(Integer.toUnsignedString(id));
        }
        return String.join(" ", out);
    }

    /** CPG callbacks: handed to the scheduler thread, in delivery order. */
    private final class Listener implements CpgListener {
        @Override
        public void deliver(String groupName, CpgMember sender, byte[] message) {
            scheduler.execute(() -> onDeliver(sender, message));
        }

        @Override
        public void configurationChanged(String groupName, List<CpgMember> groupMembers, List<CpgMember> left,
                                         List<CpgMember> joined) {
            List<CpgMember> j = List.copyOf(joined);
            scheduler.execute(() -> onConfigurationChanged(j));
        }
    }
}
