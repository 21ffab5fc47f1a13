package org.vigil.kernel.internal.quorum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.QuorumListener;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.spi.DevicePoll;
import org.vigil.kernel.spi.VoteContext;
import org.vigil.kernel.spi.VoteProvider;

/**
 * The kernel's {@link QuorumService}: binds {@link VoteProvider} services (dynamic, greedy), runs the
 * highest-ranked {@code quorum} provider and the highest-ranked {@code device} provider, and keeps the last
 * decision and the last device poll itself, so that a provider swap (a bundle upgrade) never loses them: the
 * new provider finds them in its {@link VoteContext}, and listeners keep seeing the last decision until a new,
 * different one is published.
 *
 * <p>Providers start only when the ring services they need ({@link ClusterMembership}, {@link Cpg}) are
 * present. Decisions are announced to listeners in publication order, with {@code joined} and {@code left}
 * worked out against the previously announced decision; an identical decision is not announced twice.
 *
 * <p>Thread-safe: binding runs under one lock; announcements run under another, in order. Provider threads
 * never take the binding lock, so a provider may wait for its own thread in {@link VoteProvider#stop}. The
 * bind, unbind, activate and deactivate methods are public so that provider-swap tests can drive the keeper
 * without a framework.
 */
@Component(service = QuorumService.class, immediate = true)
public final class QuorumKeeper implements QuorumService {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.QUORUM");

    private final VigilNode node;
    private final Cmap cmap;
    private final Object bindLock = new Object();
    private final Object announceLock = new Object();
    private final List<Bound> bound = new ArrayList<>();
    private final CopyOnWriteArrayList<QuorumListener> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterMembership membership;
    private volatile Cpg cpg;
    private volatile QuorumState last;
    private volatile DevicePoll lastPoll;
    /** Device vote withdrawals not confirmed yet, with the poll that asked for them (under {@code this}). */
    private final List<Withdrawal> withdrawals = new ArrayList<>();
    /** Written under bindLock, read anywhere (a provider thread never takes bindLock: no lock-order cycle). */
    private volatile Running quorum;
    private volatile Running device;
    private boolean active;

    /** A bound provider with its ranking. */
    private record Bound(VoteProvider provider, String role, int ranking, long serviceId) {
    }

    /** The running provider of a role, with its context. */
    private record Running(Bound bound, Context context) {
    }

    /** A withdrawal of the device's vote the quorum provider has not confirmed yet. */
    private record Withdrawal(DevicePoll poll, CompletableFuture<Void> done) {
    }

    @Activate
    public QuorumKeeper(@Reference VigilNode node, @Reference Cmap cmap) {
        this.node = node;
        this.cmap = cmap;
    }

    @Activate
    public void activate() {
        synchronized (bindLock) {
            active = true;
            reselect();
        }
    }

    @Deactivate
    public void deactivate() {
        synchronized (bindLock) {
            active = false;
            if (quorum != null) {
                try {
                    quorum.bound().provider().nodeLeaving();
                } catch (RuntimeException e) {
                    LOG.warn("vote provider {} failed on node leave: {}", quorum.bound().provider().name(), e.toString());
                }
            }
            stop(device);
            device = null;
            stop(quorum);
            quorum = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    public void bindMembership(ClusterMembership m) {
        synchronized (bindLock) {
            membership = m;
            reselect();
        }
    }

    public void unbindMembership(ClusterMembership m) {
        synchronized (bindLock) {
            if (membership == m) {
                membership = null;
                reselect();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    public void bindCpg(Cpg c) {
        synchronized (bindLock) {
            cpg = c;
            reselect();
        }
    }

    public void unbindCpg(Cpg c) {
        synchronized (bindLock) {
            if (cpg == c) {
                cpg = null;
                reselect();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    public void bindProvider(VoteProvider provider, Map<String, Object> properties) {
        synchronized (bindLock) {
            Object role = properties.get(VoteProvider.ROLE);
            Object rank = properties.get("service.ranking");
            Object id = properties.get("service.id");
            bound.add(new Bound(provider, role == null ? VoteProvider.ROLE_QUORUM : role.toString(),
                rank instanceof Integer r ? r : 0, id instanceof Long l ? l : 0L));
            LOG.info("vote provider bound: {} (role {})", provider.name(), bound.get(bound.size() - 1).role());
            reselect();
        }
    }

    public void unbindProvider(VoteProvider provider, Map<String, Object> properties) {
        synchronized (bindLock) {
            bound.removeIf(b -> b.provider() == provider);
            LOG.info("vote provider unbound: {}", provider.name());
            reselect();
        }
    }

    @Override
    public Optional<QuorumState> current() {
        return Optional.ofNullable(last);
    }

    @Override
    public AutoCloseable addListener(QuorumListener listener) {
        synchronized (announceLock) {
            listeners.add(listener);
            QuorumState s = last;
            if (s != null) {
                call(listener, s);
            }
        }
        return () -> listeners.remove(listener);
    }

    /** The name of the running provider of a role, if any (for status commands and tests). */
    public Optional<String> running(String role) {
        Running r = role.equals(VoteProvider.ROLE_DEVICE) ? device : quorum;
        return r == null ? Optional.empty() : Optional.of(r.bound().provider().name());
    }

    // ------------------------------------------------------------------ selection

    private void reselect() {
        if (!active) {
            return;
        }
        boolean ringUp = membership != null && cpg != null;
        Bound bestQuorum = ringUp ? best(VoteProvider.ROLE_QUORUM) : null;
        Bound bestDevice = ringUp ? best(VoteProvider.ROLE_DEVICE) : null;
        if (quorum == null || quorum.bound() != bestQuorum) {
            stop(quorum);
            quorum = null;
            if (bestQuorum != null) {
                Running r = new Running(bestQuorum, new Context(bestQuorum.role()));
                quorum = r;
                if (!start(r)) {
                    quorum = null;
                } else {
                    reissueWithdrawals(r);
                }
            }
        }
        if (device == null || device.bound() != bestDevice) {
            stop(device);
            device = null;
            if (bestDevice != null) {
                Running r = new Running(bestDevice, new Context(bestDevice.role()));
                device = r;
                if (!start(r)) {
                    device = null;
                }
            }
        }
    }

    /** Highest service.ranking, then lowest service.id, as OSGi orders services. */
    private Bound best(String role) {
        Bound best = null;
        for (Bound b : bound) {
            if (!b.role().equals(role)) {
                continue;
            }
            if (best == null || b.ranking() > best.ranking()
                || (b.ranking() == best.ranking() && b.serviceId() < best.serviceId())) {
                best = b;
            }
        }
        return best;
    }

    private boolean start(Running r) {
        Bound b = r.bound();
        try {
            b.provider().start(r.context());
            LOG.info("vote provider {} started (role {}){}", b.provider().name(), b.role(),
                last == null ? "" : "; kept decision: " + describe(last));
            return true;
        } catch (RuntimeException e) {
            r.context().alive = false;
            LOG.error("vote provider {} failed to start: {}", b.provider().name(), e.toString());
            return false;
        }
    }

    private void stop(Running r) {
        if (r == null) {
            return;
        }
        r.context().alive = false;
        try {
            r.bound().provider().stop();
        } catch (RuntimeException e) {
            LOG.warn("vote provider {} failed to stop: {}", r.bound().provider().name(), e.toString());
        }
        LOG.info("vote provider {} stopped (role {}); the last decision is kept", r.bound().provider().name(),
            r.bound().role());
    }

    // ------------------------------------------------------------------ decisions

    private void accept(Context from, QuorumState state) {
        synchronized (announceLock) {
            Running q = quorum;
            if (!from.alive || q == null || q.context() != from) {
                return;
            }
            QuorumState prev = last;
            if (prev != null && sameDecision(prev, state)) {
                return;
            }
            List<Integer> joined = new ArrayList<>();
            List<Integer> left = new ArrayList<>();
            if (prev != null) {
                TreeSet<Integer> before = new TreeSet<>(prev.members());
                TreeSet<Integer> after = new TreeSet<>(state.members());
                for (int m : after) {
                    if (!before.contains(m)) {
                        joined.add(m);
                    }
                }
                for (int m : before) {
                    if (!after.contains(m)) {
                        left.add(m);
                    }
                }
            } else {
                joined.addAll(new TreeSet<>(state.members()));
            }
            QuorumState s = new QuorumState(state.quorate(), state.ringId(), List.copyOf(new TreeSet<>(state.members())),
                joined, left, state.totalVotes(), state.expectedVotes(), state.quorum(), state.provider());
            last = s;
            record(s, prev);
            for (QuorumListener l : listeners) {
                call(l, s);
            }
        }
    }

    private void record(QuorumState s, QuorumState prev) {
        if (prev == null || prev.quorate() != s.quorate()) {
            if (s.quorate()) {
                LOG.info("This node is within the primary component and will provide service.");
            } else {
                LOG.warn("This node is within the non-primary component and will NOT provide any services.");
            }
        }
        LOG.info("Members[{}]: {} (ring {}, {})", s.members().size(), join(s.members()), s.ringId(), describe(s));
        try {
            cmap.set("runtime.vigil.quorum.quorate", CmapType.UINT8, s.quorate() ? 1L : 0L);
            cmap.setString("runtime.vigil.quorum.provider", s.provider());
            cmap.setString("runtime.vigil.quorum.ring_id", String.valueOf(s.ringId()));
            cmap.setString("runtime.vigil.quorum.members", join(s.members()));
        } catch (RuntimeException e) {
            LOG.debug("cannot record quorum state in cmap: {}", e.toString());
        }
    }

    /** Two decisions are the same when everything but joined/left is equal. */
    static boolean sameDecision(QuorumState a, QuorumState b) {
        return a.quorate() == b.quorate() && Objects.equals(a.ringId(), b.ringId())
            && new TreeSet<>(a.members()).equals(new TreeSet<>(b.members())) && a.totalVotes() == b.totalVotes()
            && a.expectedVotes() == b.expectedVotes() && a.quorum() == b.quorum()
            && Objects.equals(a.provider(), b.provider());
    }

    private static void call(QuorumListener l, QuorumState s) {
        try {
            l.quorumChanged(s);
        } catch (RuntimeException e) {
            LOG.warn("quorum listener {} failed: {}", l, e.toString());
        }
    }

    private static String describe(QuorumState s) {
        return (s.quorate() ? "quorate" : "not quorate") + ", total votes " + s.totalVotes() + ", expected "
            + s.expectedVotes() + ", quorum " + s.quorum();
    }

    private static String join(List<Integer> ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(Integer.toUnsignedString(id));
        }
        return b.toString();
    }

    private void poll(Context from, DevicePoll poll) {
        Running d = device;
        if (!from.alive || d == null || d.context() != from) {
            return;
        }
        lastPoll = poll;
        Running q = quorum;
        VoteProvider target = q == null ? null : q.bound().provider();
        if (target != null) {
            try {
                target.devicePoll(poll);
            } catch (RuntimeException e) {
                LOG.warn("vote provider {} failed on a device poll: {}", target.name(), e.toString());
            }
        }
    }

    /**
     * The device gives up its vote: the stage completes when the quorum provider confirms that the node relies on
     * no device vote. A provider swapped out before confirming is replaced in this by the next one.
     */
    private CompletionStage<Void> withdraw(Context from, DevicePoll poll) {
        if (poll.castVote()) {
            throw new IllegalArgumentException("a withdrawal is a poll that does not cast the vote");
        }
        Withdrawal w = new Withdrawal(poll, new CompletableFuture<>());
        Running d = device;
        if (!from.alive || d == null || d.context() != from) {
            return w.done();
        }
        lastPoll = poll;
        synchronized (this) {
            withdrawals.add(w);
        }
        w.done().whenComplete((v, e) -> {
            synchronized (this) {
                withdrawals.remove(w);
            }
        });
        Running q = quorum;
        if (q != null) {
            ask(q, w);
        }
        return w.done();
    }

    private void reissueWithdrawals(Running q) {
        List<Withdrawal> pending;
        synchronized (this) {
            pending = List.copyOf(withdrawals);
        }
        for (Withdrawal w : pending) {
            ask(q, w);
        }
    }

    private void ask(Running q, Withdrawal w) {
        VoteProvider target = q.bound().provider();
        try {
            target.withdrawDeviceVote(w.poll()).whenComplete((v, e) -> {
                if (e == null) {
                    w.done().complete(null);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("vote provider {} failed on a device vote withdrawal: {}", target.name(), e.toString());
        }
    }

    /** The context of one provider instance; dead once the provider is stopped. */
    private final class Context implements VoteContext {
        private final String role;
        private volatile boolean alive = true;

        Context(String role) {
            this.role = role;
        }

        @Override
        public VigilNode node() {
            return node;
        }

        @Override
        public Cmap cmap() {
            return cmap;
        }

        @Override
        public ClusterMembership membership() {
            return membership;
        }

        @Override
        public Cpg cpg() {
            return cpg;
        }

        @Override
        public Optional<QuorumState> lastDecision() {
            return Optional.ofNullable(last);
        }

        @Override
        public void publish(QuorumState state) {
            if (alive && role.equals(VoteProvider.ROLE_QUORUM)) {
                accept(this, state);
            }
        }

        @Override
        public void devicePoll(DevicePoll poll) {
            if (alive && role.equals(VoteProvider.ROLE_DEVICE)) {
                poll(this, poll);
            }
        }

        @Override
        public CompletionStage<Void> withdrawVote(DevicePoll poll) {
            if (alive && role.equals(VoteProvider.ROLE_DEVICE)) {
                return withdraw(this, poll);
            }
            if (poll.castVote()) {
                throw new IllegalArgumentException("a withdrawal is a poll that does not cast the vote");
            }
            return new CompletableFuture<>();
        }

        @Override
        public Optional<DevicePoll> lastDevicePoll() {
            return Optional.ofNullable(lastPoll);
        }
    }
}
