package org.vigil.kernel.internal.cpg;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgGuarantee;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.CpgReason;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.internal.totem.Guarantee;

/**
 * Closed process groups over Totem's total order, with corosync's semantics: a member is (node, pid); joins,
 * leaves and messages are totally ordered; nodes that leave the ring take their members with them (NODEDOWN,
 * computed by every survivor from the transitional configuration); nodes that join bring theirs (NODEUP, from
 * the join list each node multicasts once per new ring).
 *
 * <p><b>Sync.</b> After each regular configuration every node multicasts a {@link CpgMessages.JoinList} of its
 * own members (as of the list's place in the total order); nodes new to this node's view bring their members that
 * way. "New" is relative to the last ring whose sync <em>completed</em> here (corosync's {@code my_old_member_list}),
 * not to the previous ring: when a ring ends before its join lists are delivered (two nodes form a ring and a third
 * joins milliseconds later), the lists of that ring are stale in the next one, and the members of the nodes that
 * shared the short ring are known to each other only from the next ring's lists. Until the lists of all members
 * of the ring have been delivered, local joins, leaves and messages are queued
 * (and handed to Totem, in order, when sync ends), so a message never reaches a node before its sender's
 * membership does. A message from a sender not (yet) known is held during sync and dropped (and
 * counted) if its sender is still unknown after it, as corosync does.
 *
 * <p><b>Safe delivery.</b> A message sent with {@link CpgGuarantee#SAFE} goes to Totem as a safe message: Totem
 * delivers it, in its place in the one order, once every node of the configuration has it (in a transitional
 * configuration, to the survivors, as extended virtual synchrony says). Joins, leaves and join lists are agreed.
 * corosync's CPG takes the flag and delivers agreed anyway; here it is kept.
 *
 * <p>Inputs ({@link #onConfiguration}, {@link #onDeliver}) come from the node's protocol thread; the API may be
 * called from any thread. All state is guarded by this object's lock; listeners are called with it held, in
 * delivery order, and may call back into the API.
 */
public final class CpgEngine implements Cpg {

    /**
     * Where CPG hands its messages: Totem's multicast, in agreed order or, for a {@link CpgGuarantee#SAFE} message,
     * safe order; false means "try again later".
     */
    @FunctionalInterface
    public interface OrderedSender {
        boolean submit(byte[] payload, Guarantee guarantee);
    }

    private static final Comparator<CpgMember> ORDER =
        Comparator.comparingInt(CpgMember::nodeId).thenComparingLong(CpgMember::pid);
    /** In-JVM members get pids from here up, so they never collide with a client process's own pid. */
    private static final long FIRST_HANDLE = 1L << 31;

    private final int self;
    private final OrderedSender sender;
    /** group -> members (reason JOIN in lists), sorted by (node, pid). */
    private final Map<String, TreeSet<CpgMember>> groups = new TreeMap<>();
    /** (group, pid) of this node's members -> their handle. */
    private final Map<Key, Handle> local = new LinkedHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(FIRST_HANDLE);
    private final Deque<Pending> queued = new ArrayDeque<>();
    private long queuedBytes;
    /** Bytes of messages CPG holds back (during sync, or while Totem pushes back) before it refuses more. */
    static final long MAX_QUEUED_BYTES = 4L << 20;
    /** Messages from not-yet-known senders held during one sync; beyond it they are dropped and counted. */
    private static final int MAX_HELD = 10_000;
    private final List<Held> held = new ArrayList<>();
    private RingId syncRing;
    /** This node's join list for the current sync, until Totem has accepted it. */
    private Pending joinList;
    private Set<Integer> awaiting = Set.of();
    /** Nodes whose join lists of the current sync bring members this node does not know yet. */
    private Set<Integer> joinedNodes = Set.of();
    /**
     * Nodes whose members this node knows from ordered joins and leaves: the members of the last ring whose sync
     * completed here (this node always), less those that left since. Only these may be skipped in the next sync.
     */
    private final Set<Integer> synced = new HashSet<>();
    /** Nodes that left (transitional configuration) whose members go with the next regular configuration. */
    private final Set<Integer> departed = new HashSet<>();
    /** The members of the ring being synced. */
    private Set<Integer> syncMembers = Set.of();
    private boolean inSync = true;
    private long droppedUnknownSender;
    private long droppedMalformed;

    private record Key(String group, long pid) {
    }

    private record Held(int node, CpgMessages.Mcast message) {
    }

    /** A message waiting for sync to end (or for Totem to accept it), with the handle it joins or leaves. */
    private record Pending(byte[] payload, Handle handle, boolean join, boolean leave, Guarantee guarantee) {
        Pending(byte[] payload, Handle handle, boolean join, boolean leave) {
            this(payload, handle, join, leave, Guarantee.AGREED);
        }
    }

    public CpgEngine(int self, OrderedSender sender) {
        this.self = self;
        this.sender = sender;
        synced.add(self);
    }

    // ---- inputs from the protocol thread ------------------------------------------------------------------

    /** A Totem configuration change, delivered in order with the messages. */
    public synchronized void onConfiguration(MembershipEvent e) {
        if (e.type() == MembershipEvent.Type.TRANSITIONAL) {
            synced.retainAll(e.members());
            synced.add(self);
            // Their members go when the regular configuration comes, not now: Totem may still deliver messages
            // of the old ring from them in the transitional configuration (a join among them would otherwise
            // come back as a member of a node that is gone), as corosync applies its downlist at the end of sync.
            departed.addAll(e.left());
            return;
        }
        nodeDown(departed);
        departed.clear();
        syncRing = e.ringId();
        awaiting = new HashSet<>(e.members());
        syncMembers = Set.copyOf(e.members());
        // Not e.joined() (new since the previous ring): a node that shared the previous ring but whose join list
        // of that ring never reached this node (the ring ended first) is new to this node too.
        synced.retainAll(e.members());
        Set<Integer> fresh = new HashSet<>(e.members());
        fresh.removeAll(synced);
        joinedNodes = Set.copyOf(fresh);
        inSync = true;
        // The list states this node's members as of the list's own place in the total order: joins already
        // handed to Totem are delivered before it and count; leaves already handed to Totem are delivered before
        // it and do not; queued joins and leaves come after it.
        List<CpgMessages.Entry> mine = new ArrayList<>();
        for (Handle h : local.values()) {
            if ((h.joined || h.joinSent) && !h.leaveSent) {
                mine.add(new CpgMessages.Entry(h.group, h.pid));
            }
        }
        // The list goes to Totem at once, ahead of anything queued: sync cannot end without it.
        joinList = new Pending(CpgMessages.joinList(syncRing, mine), null, false, false);
        flush();
    }

    /** A message delivered by Totem in agreed order from node {@code from}. */
    public synchronized void onDeliver(int from, byte[] payload) {
        CpgMessages.Message m = CpgMessages.decode(payload);
        if (m == null) {
            droppedMalformed++;
            return;
        }
        if (m instanceof CpgMessages.Join j) {
            CpgMember member = new CpgMember(from, j.pid(), CpgReason.JOIN);
            if (groups.computeIfAbsent(j.group(), g -> new TreeSet<>(ORDER)).add(member)) {
                notifyGroup(j.group(), List.of(), List.of(member));
            }
        } else if (m instanceof CpgMessages.Leave l) {
            CpgMember member = new CpgMember(from, l.pid(), l.reason());
            if (remove(l.group(), member)) {
                notifyGroup(l.group(), List.of(member), List.of());
            }
            if (from == self) {
                local.remove(new Key(l.group(), l.pid()));
            }
        } else if (m instanceof CpgMessages.Mcast mc) {
            if (isMember(mc.group(), from, mc.pid())) {
                deliverToGroup(from, mc);
            } else if (inSync && held.size() < MAX_HELD) {
                held.add(new Held(from, mc));
            } else {
                droppedUnknownSender++;
            }
        } else if (m instanceof CpgMessages.JoinList jl) {
            onJoinList(from, jl);
        }
    }

    /** Removes every member of the given nodes, reason NODEDOWN. */
    private void nodeDown(Set<Integer> left) {
        if (left.isEmpty()) {
            return;
        }
        for (String g : new ArrayList<>(groups.keySet())) {
            List<CpgMember> gone = new ArrayList<>();
            for (CpgMember m : groups.get(g)) {
                if (left.contains(m.nodeId())) {
                    gone.add(new CpgMember(m.nodeId(), m.pid(), CpgReason.NODEDOWN));
                }
            }
            if (!gone.isEmpty()) {
                for (CpgMember m : gone) {
                    remove(g, m);
                }
                notifyGroup(g, gone, List.of());
            }
        }
    }

    private void onJoinList(int from, CpgMessages.JoinList jl) {
        if (!jl.ring().equals(syncRing) || !awaiting.contains(from)) {
            return;   // from an earlier ring's sync, or a duplicate
        }
        awaiting.remove(from);
        if (joinedNodes.contains(from)) {
            // A node new to this node's view brings its members (NODEUP). Members of nodes synced with before are
            // known from the ordered joins and leaves since (extended virtual synchrony).
            Map<String, List<CpgMember>> up = new TreeMap<>();
            for (CpgMessages.Entry e : jl.members()) {
                CpgMember m = new CpgMember(from, e.pid(), CpgReason.JOIN);
                if (groups.computeIfAbsent(e.group(), g -> new TreeSet<>(ORDER)).add(m)) {
                    up.computeIfAbsent(e.group(), g -> new ArrayList<>())
                        .add(new CpgMember(from, e.pid(), CpgReason.NODEUP));
                }
            }
            for (var u : up.entrySet()) {
                notifyGroup(u.getKey(), List.of(), u.getValue());
            }
        }
        if (awaiting.isEmpty()) {
            endSync();
        }
    }

    private void endSync() {
        inSync = false;
        // Not the nodes that left meanwhile: the last list of a sync may be delivered in the transitional
        // configuration of the next ring, after the node it names has gone (and may come back as a new
        // incarnation, which has to bring its members again).
        for (int n : syncMembers) {
            if (!departed.contains(n)) {
                synced.add(n);
            }
        }
        List<Held> release = new ArrayList<>(held);
        held.clear();
        for (Held h : release) {
            if (isMember(h.message().group(), h.node(), h.message().pid())) {
                deliverToGroup(h.node(), h.message());
            } else {
                droppedUnknownSender++;
            }
        }
        flush();
    }

    /** Hands the pending join list, then (outside sync) queued messages, to Totem until it pushes back. */
    private void flush() {
        if (joinList != null) {
            if (!submitNow(joinList)) {
                return;
            }
            joinList = null;
        }
        while (!queued.isEmpty() && !inSync) {
            if (!submitNow(queued.peekFirst())) {
                return;   // back-pressure: the rest goes with the next local operation
            }
            queuedBytes -= queued.pollFirst().payload().length;
        }
    }

    private boolean submitNow(Pending p) {
        if (!sender.submit(p.payload(), p.guarantee())) {
            return false;
        }
        if (p.handle() != null) {
            if (p.join()) {
                p.handle().joinSent = true;
            }
            if (p.leave()) {
                p.handle().leaveSent = true;
            }
        }
        return true;
    }

    // ---- the Cpg API -----------------------------------------------------------------------------------

    @Override
    public CpgGroup join(String group, CpgListener listener) {
        return join(group, listener, nextHandle.getAndIncrement());
    }

    /** Joins with an explicit pid (an external client process's own). */
    @Override
    public synchronized CpgGroup join(String group, CpgListener listener, long pid) {
        CpgMessages.name(group);
        Key key = new Key(group, pid);
        if (local.containsKey(key)) {
            throw new IllegalStateException("pid " + pid + " has already joined " + group);
        }
        Handle h = new Handle(group, pid, listener);
        local.put(key, h);
        send(new Pending(CpgMessages.join(group, pid), h, true, false));
        return h;
    }

    /**
     * Hands a message to Totem now, or queues it while sync runs or earlier ones wait. Messages are refused
     * (false: "try again", corosync's CS_ERR_TRY_AGAIN) once {@value #MAX_QUEUED_BYTES} bytes wait; joins and
     * leaves are always taken (they are small and must not be lost).
     */
    private boolean send(Pending p) {
        flush();
        boolean membership = p.join() || p.leave();
        if (inSync || !queued.isEmpty()) {
            if (!membership && queuedBytes + p.payload().length > MAX_QUEUED_BYTES) {
                return false;
            }
            enqueue(p);
            return true;
        }
        if (submitNow(p)) {
            return true;
        }
        if (membership) {
            enqueue(p);   // membership changes must not be lost: retried by pump()
            return true;
        }
        return false;
    }

    private void enqueue(Pending p) {
        queued.addLast(p);
        queuedBytes += p.payload().length;
    }

    /** Retries what Totem pushed back (the driver calls this periodically). */
    public synchronized void pump() {
        flush();
    }

    /** Messages dropped because their sender was not a member; malformed CPG messages. */
    public synchronized long[] dropCounters() {
        return new long[] {droppedUnknownSender, droppedMalformed};
    }

    @Override
    public synchronized Map<String, List<CpgMember>> groups() {
        Map<String, List<CpgMember>> out = new TreeMap<>();
        groups.forEach((g, m) -> {
            if (!m.isEmpty()) {
                out.put(g, List.copyOf(m));
            }
        });
        return out;
    }

    /** True while CPG waits for the join lists of a new ring. */
    public synchronized boolean inSync() {
        return inSync;
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private boolean isMember(String group, int node, long pid) {
        TreeSet<CpgMember> m = groups.get(group);
        return m != null && m.contains(new CpgMember(node, pid, CpgReason.JOIN));
    }

    private boolean remove(String group, CpgMember m) {
        TreeSet<CpgMember> set = groups.get(group);
        if (set == null) {
            return false;
        }
        boolean removed = set.remove(m);
        if (set.isEmpty()) {
            groups.remove(group);
        }
        return removed;
    }

    private List<Handle> localMembers(String group) {
        List<Handle> out = new ArrayList<>();
        for (Handle h : local.values()) {
            if (h.group.equals(group) && h.joined) {
                out.add(h);
            }
        }
        return out;
    }

    private void notifyGroup(String group, List<CpgMember> left, List<CpgMember> joined) {
        List<CpgMember> members = groups.containsKey(group) ? List.copyOf(groups.get(group)) : List.of();
        for (CpgMember j : joined) {
            if (j.nodeId() == self) {
                Handle h = local.get(new Key(group, j.pid()));
                if (h != null) {
                    h.joined = true;
                }
            }
        }
        for (Handle h : localMembers(group)) {
            try {
                h.listener.configurationChanged(group, members, left, joined);
            } catch (RuntimeException e) {
                // a listener must not break delivery to the others
            }
        }
        for (CpgMember l : left) {
            if (l.nodeId() == self) {
                Handle h = local.get(new Key(group, l.pid()));
                if (h != null) {
                    h.joined = false;
                }
            }
        }
    }

    private void deliverToGroup(int from, CpgMessages.Mcast mc) {
        CpgMember senderMember = new CpgMember(from, mc.pid(), CpgReason.JOIN);
        for (Handle h : localMembers(mc.group())) {
            try {
                h.listener.deliver(mc.group(), senderMember, mc.data().clone());
            } catch (RuntimeException e) {
                // as above
            }
        }
    }

    /** A local member of one group. */
    private final class Handle implements CpgGroup {
        final String group;
        final long pid;
        final CpgListener listener;
        boolean joined;
        boolean closed;
        boolean joinSent;
        boolean leaveSent;

        Handle(String group, long pid, CpgListener listener) {
            this.group = group;
            this.pid = pid;
            this.listener = listener;
        }

        @Override
        public String name() {
            return group;
        }

        @Override
        public CpgMember self() {
            return new CpgMember(CpgEngine.this.self, pid, CpgReason.JOIN);
        }

        @Override
        public boolean mcast(byte[] message, CpgGuarantee guarantee) {
            synchronized (CpgEngine.this) {
                if (closed) {
                    throw new IllegalStateException("CPG handle for " + group + " is closed");
                }
                return send(new Pending(CpgMessages.mcast(group, pid, message), this, false, false,
                    guarantee == CpgGuarantee.SAFE ? Guarantee.SAFE : Guarantee.AGREED));
            }
        }

        @Override
        public List<CpgMember> members() {
            synchronized (CpgEngine.this) {
                TreeSet<CpgMember> m = groups.get(group);
                return m == null ? List.of() : List.copyOf(m);
            }
        }

        /** Leaves the group with reason LEAVE. */
        @Override
        public void close() {
            leave(CpgReason.LEAVE);
        }

        /** Leaves with a reason: PROCDOWN when the client's process or connection went away. */
        void leave(CpgReason reason) {
            synchronized (CpgEngine.this) {
                if (closed) {
                    return;
                }
                closed = true;
                send(new Pending(CpgMessages.leave(group, pid, reason), this, false, true));
            }
        }
    }

    /** Leaves a group on behalf of a client whose connection closed (reason PROCDOWN). */
    public static void procDown(CpgGroup group) {
        if (group instanceof Handle h) {
            h.leave(CpgReason.PROCDOWN);
        } else {
            group.close();   // another implementation knows one way to leave
        }
    }
}
