package org.vigil.quorum.internal.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgGuarantee;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.CpgReason;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.MembershipListener;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;

/**
 * An in-JVM simulated cluster for protocol tests (a simulated network, as DESIGN §10 allows): per node a
 * {@link ClusterMembership} and a {@link Cpg} that deliver in one total order to every member of a partition
 * (extended virtual synchrony is trivially kept: membership changes and messages go through the same
 * {@link ManualScheduler} queue). Nodes can be started, crashed and partitioned; a membership change gives
 * each partition a new ring (representative: lowest node id; sequence: one counter for the cluster, as Totem's
 * ring sequence only grows). Thread-safe: every operation runs under the cluster's lock, so a multicast is
 * delivered to all receivers (their listeners only enqueue work) before another one starts.
 */
public final class SimCluster {

    private final ManualScheduler scheduler;
    private final VigilConfig config;
    private final Path stateRoot;
    private final Map<Integer, SimNode> nodes = new TreeMap<>();
    private long ringSeq;
    private long pids = 1000;
    /** Seeded delivery latency (0: a multicast is delivered at once). */
    private java.util.Random latency;
    private int maxLatencyMs;
    private long lastDeliveryAt;
    private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();

    /** A multicast on its way: delivered at {@code at} to the nodes still in {@code ring}. */
    private record Pending(SimGroup from, RingId ring, byte[] message, long at) {
    }

    public SimCluster(ManualScheduler scheduler, VigilConfig config, Path stateRoot) {
        this.scheduler = scheduler;
        this.config = config;
        this.stateRoot = stateRoot;
        for (VigilConfig.Node n : config.nodes()) {
            nodes.put(n.nodeId(), new SimNode(n.nodeId()));
        }
    }

    public SimNode node(int id) {
        return nodes.get(id);
    }

    public ManualScheduler scheduler() {
        return scheduler;
    }

    /**
     * Multicasts take a seeded random time of 1..{@code maxMs} ms to be delivered, still in one total order for
     * all receivers (the order they were sent in); a membership change first delivers everything still on its
     * way to the nodes of the old ring (extended virtual synchrony: the old ring's messages come before the new
     * configuration). Without this a multicast reaches every receiver's queue at once.
     */
    public synchronized void setLatency(long seed, int maxMs) {
        this.latency = new java.util.Random(seed);
        this.maxLatencyMs = maxMs;
    }

    /** Delivers every multicast on its way now (before a configuration change). */
    private void flush() {
        while (!pending.isEmpty()) {
            Pending p = pending.removeFirst();
            deliver(p.from(), p.ring(), p.message());
        }
    }

    private synchronized void deliverDue() {
        while (!pending.isEmpty() && pending.peekFirst().at() <= scheduler.now()) {
            Pending p = pending.removeFirst();
            deliver(p.from(), p.ring(), p.message());
        }
    }

    /** Delivers a multicast of {@code from}, sent in {@code ring}, to the groups of the nodes still in it. */
    private void deliver(SimGroup from, RingId ring, byte[] message) {
        for (SimNode n : nodes.values()) {
            if (!n.up || !ring.equals(n.ring)) {
                continue;
            }
            for (SimGroup g : n.groups) {
                if (g.name.equals(from.name) && !g.closed) {
                    for (CpgListener l : g.listeners) {
                        l.deliver(from.name, from.self, message.clone());
                    }
                }
            }
        }
    }

    /**
     * Sets the connectivity: the given groups of running nodes form partitions (nodes not listed and not down
     * form a partition of their own each). Every partition whose member set changed gets a new ring.
     */
    public synchronized void partition(List<Set<Integer>> groups) {
        Map<Integer, Integer> part = new HashMap<>();
        int p = 0;
        for (Set<Integer> g : groups) {
            for (int id : g) {
                part.put(id, p);
            }
            p++;
        }
        for (SimNode n : nodes.values()) {
            if (n.up && !part.containsKey(n.id)) {
                part.put(n.id, p++);
            }
        }
        Map<Integer, TreeSet<Integer>> byPart = new TreeMap<>();
        for (var e : part.entrySet()) {
            if (nodes.get(e.getKey()).up) {
                byPart.computeIfAbsent(e.getValue(), k -> new TreeSet<>()).add(e.getKey());
            }
        }
        for (TreeSet<Integer> members : byPart.values()) {
            boolean changed = members.stream().anyMatch(id -> !nodes.get(id).members.equals(members));
            if (changed) {
                newRing(members);
            }
        }
    }

    /** All running nodes in one partition. */
    public synchronized void heal() {
        TreeSet<Integer> all = new TreeSet<>();
        for (SimNode n : nodes.values()) {
            if (n.up) {
                all.add(n.id);
            }
        }
        partition(List.of(all));
    }

    /** Starts (or restarts) a node's ring services; it forms a ring alone until {@link #partition} joins it. */
    public synchronized void start(int id) {
        SimNode n = nodes.get(id);
        n.up = true;
        n.members = new TreeSet<>();
        newRing(new TreeSet<>(Set.of(id)));
    }

    /** Crashes a node: its ring services stop dead, the others form new rings without it. */
    public synchronized void crash(int id) {
        SimNode n = nodes.get(id);
        n.up = false;
        n.members = new TreeSet<>();
        for (SimGroup g : List.copyOf(n.groups)) {
            g.listeners.clear();
        }
        n.groups.clear();
        n.membershipListeners.clear();
        Map<Set<Integer>, Boolean> seen = new HashMap<>();
        for (SimNode o : nodes.values()) {
            if (o.up && o.members.contains(id) && !seen.containsKey(o.members)) {
                seen.put(o.members, true);
                TreeSet<Integer> rest = new TreeSet<>(o.members);
                rest.remove(id);
                newRing(rest);
            }
        }
    }

    private void newRing(TreeSet<Integer> members) {
        flush();
        RingId ring = new RingId(members.first(), ringSeq += 4);
        for (int id : members) {
            SimNode n = nodes.get(id);
            TreeSet<Integer> before = n.members;
            List<Integer> left = new ArrayList<>();
            for (int b : before) {
                if (!members.contains(b)) {
                    left.add(b);
                }
            }
            List<Integer> joined = new ArrayList<>();
            for (int m : members) {
                if (!before.contains(m)) {
                    joined.add(m);
                }
            }
            TreeSet<Integer> survivors = new TreeSet<>(before);
            survivors.retainAll(members);
            n.members = new TreeSet<>(members);
            n.ring = ring;
            MembershipEvent trans = new MembershipEvent(MembershipEvent.Type.TRANSITIONAL, n.ring,
                List.copyOf(survivors), List.of(), left);
            MembershipEvent reg = new MembershipEvent(MembershipEvent.Type.REGULAR, ring, List.copyOf(members),
                joined, List.of());
            n.current = reg;
            for (MembershipListener l : n.membershipListeners) {
                l.membershipChanged(trans);
                l.membershipChanged(reg);
            }
            // CPG: group members of nodes that left this node's view leave its groups
            for (SimGroup g : n.groups) {
                g.refresh();
            }
        }
    }

    /** One simulated node: membership, CPG, a VigilNode, a cmap. */
    /** A {@link VigilNode} for tests: node {@code id} named "node<id>", started at 0, version 0.1.0. */
    public static VigilNode testNode(int id, Path stateDir, VigilConfig config) {
        return new VigilNode() {
            @Override
            public int nodeId() {
                return id;
            }

            @Override
            public String name() {
                return "node" + id;
            }

            @Override
            public Path stateDir() {
                return stateDir;
            }

            @Override
            public VigilConfig config() {
                return config;
            }

            @Override
            public long startedAtMillis() {
                return 0;
            }

            @Override
            public String version() {
                return "0.1.0";
            }
        };
    }

    public final class SimNode {
        final int id;
        boolean up;
        TreeSet<Integer> members = new TreeSet<>();
        RingId ring = new RingId(0, 0);
        MembershipEvent current;
        final List<MembershipListener> membershipListeners = new CopyOnWriteArrayList<>();
        final List<SimGroup> groups = new CopyOnWriteArrayList<>();
        public final CmapStore cmap = new CmapStore();

        SimNode(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public boolean up() {
            return up;
        }

        public TreeSet<Integer> members() {
            return members;
        }

        public VigilNode vigilNode() {
            return testNode(id, stateRoot.resolve("node" + id), config);
        }

        public ClusterMembership membership() {
            return new ClusterMembership() {
                @Override
                public MembershipEvent current() {
                    return current;
                }

                @Override
                public AutoCloseable addListener(MembershipListener listener) {
                    synchronized (SimCluster.this) {
                        membershipListeners.add(listener);
                        if (up && current != null) {
                            listener.membershipChanged(current);
                        }
                    }
                    return () -> membershipListeners.remove(listener);
                }
            };
        }

        public Cpg cpg() {
            return new Cpg() {
                @Override
                public org.vigil.kernel.api.CpgGroup join(String name, org.vigil.kernel.api.CpgListener listener) {
                    synchronized (SimCluster.this) {
                        SimGroup g = new SimGroup(SimNode.this, name, listener, pids++);
                        groups.add(g);
                        g.joinAnnounce();
                        return g;
                    }
                }

                @Override
                public org.vigil.kernel.api.CpgGroup join(String name, org.vigil.kernel.api.CpgListener listener,
                                                          long pid) {
                    throw new UnsupportedOperationException("not used by the quorum providers");
                }

                @Override
                public java.util.Map<String, java.util.List<org.vigil.kernel.api.CpgMember>> groups() {
                    throw new UnsupportedOperationException("not used by the quorum providers");
                }
            };
        }

        /** Delivers raw bytes into a group on this node as if {@code fromNode} had multicast them (bad input). */
        public void inject(String group, int fromNode, byte[] data) {
            synchronized (SimCluster.this) {
                injectLocked(group, fromNode, data);
            }
        }

        private void injectLocked(String group, int fromNode, byte[] data) {
            for (SimGroup g : groups) {
                if (g.name.equals(group)) {
                    g.listener.deliver(group, new CpgMember(fromNode, 1, CpgReason.JOIN), data);
                }
            }
        }
    }

    /** A node's membership of a CPG group. */
    private final class SimGroup implements CpgGroup {
        final SimNode node;
        final String name;
        final CpgListener listener;
        final CpgMember self;
        final List<CpgListener> listeners = new CopyOnWriteArrayList<>();
        List<CpgMember> view = List.of();
        boolean closed;

        SimGroup(SimNode node, String name, CpgListener listener, long pid) {
            this.node = node;
            this.name = name;
            this.listener = listener;
            this.self = new CpgMember(node.id, pid, CpgReason.JOIN);
            listeners.add(listener);
        }

        /** All members of this group among the nodes this node can see. */
        List<CpgMember> computeView() {
            List<CpgMember> out = new ArrayList<>();
            for (int id : node.members) {
                SimNode o = nodes.get(id);
                for (SimGroup g : o.groups) {
                    if (g.name.equals(name) && !g.closed) {
                        out.add(g.self);
                    }
                }
            }
            return out;
        }

        void joinAnnounce() {
            flush();
            for (int id : node.members) {
                for (SimGroup g : nodes.get(id).groups) {
                    if (g.name.equals(name)) {
                        g.refresh();
                    }
                }
            }
        }

        void refresh() {
            List<CpgMember> now = computeView();
            List<CpgMember> left = new ArrayList<>(view);
            left.removeAll(now);
            List<CpgMember> joined = new ArrayList<>(now);
            joined.removeAll(view);
            view = now;
            if (!left.isEmpty() || !joined.isEmpty()) {
                for (CpgListener l : listeners) {
                    l.configurationChanged(name, now, left, joined);
                }
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CpgMember self() {
            return self;
        }

        @Override
        public boolean mcast(byte[] message, CpgGuarantee guarantee) {
            synchronized (SimCluster.this) {
                return mcastLocked(message);
            }
        }

        private boolean mcastLocked(byte[] message) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (maxLatencyMs > 0) {
                long now = scheduler.now();
                long at = Math.max(lastDeliveryAt, now + 1 + latency.nextInt(maxLatencyMs));
                lastDeliveryAt = at;
                pending.addLast(new Pending(this, node.ring, message.clone(), at));
                scheduler.at(at - now, SimCluster.this::deliverDue);
                return true;
            }
            for (int id : node.members) {
                for (SimGroup g : nodes.get(id).groups) {
                    if (g.name.equals(name) && !g.closed) {
                        for (CpgListener l : g.listeners) {
                            l.deliver(name, self, message.clone());
                        }
                    }
                }
            }
            return true;
        }

        @Override
        public List<CpgMember> members() {
            return view;
        }

        @Override
        public void close() {
            synchronized (SimCluster.this) {
                closeLocked();
            }
        }

        private void closeLocked() {
            if (closed) {
                return;
            }
            flush();
            closed = true;
            node.groups.remove(this);
            for (int id : node.members) {
                for (SimGroup g : nodes.get(id).groups) {
                    if (g.name.equals(name)) {
                        g.refresh();
                    }
                }
            }
        }
    }
}
