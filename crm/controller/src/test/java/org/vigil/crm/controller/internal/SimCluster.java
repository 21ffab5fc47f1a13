package org.vigil.crm.controller.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.Executor;
import org.vigil.crm.api.exec.OpDigest;
import org.vigil.crm.cib.internal.LoopbackCib;

/**
 * A deterministic simulation of a cluster of controllers: virtual time, one event queue, CPG's agreed order and
 * virtual synchrony modelled as one global delivery sequence (every member sees every message and membership change
 * at the same point), one CIB shared by all nodes (the real CIB engine, in memory), the real scheduler, and
 * executors that run "agents" against a model of the machines (which resource runs where). Seeded: the same seed
 * gives the same run.
 *
 * <p>What it leaves out: the ring (membership changes are given), partitions of the CIB (one copy), real agents.
 */
final class SimCluster {

    private record Event(long at, long seq, Runnable task) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
        ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long seq;
    private long now = 1_700_000_000_000L;
    final Random random;
    final LoopbackCib cib;
    final PolicyEngine scheduler = PolicyEngine.standard();
    final Map<Integer, SimNode> nodes = new TreeMap<>();
    /** The machines: resource id -> the nodes it runs on (more than one is a violation). */
    final Map<String, Set<String>> running = new TreeMap<>();
    final List<String> violations = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    /** How many history publications fail before they work again (a copy that changed under the patch). */
    int failPublishes;
    /** How long an executor takes to publish its history at a join (virtual ms). */
    long publishMs = 2;
    /** A {@link #scripted} value: the operation never completes. */
    static final int HANG = Integer.MIN_VALUE;
    /** Agent behaviour: "rsc@node:op" -> rc to return instead of the model's, or {@link #HANG}. */
    final Map<String, Integer> scripted = new HashMap<>();
    private final Set<Integer> group = new TreeSet<>();
    private boolean quorate;
    /** The delivery sequence's clock: deliveries happen in the order they were sent, one per millisecond slot. */
    private long wireTime;

    SimCluster(long seed, XmlNode initialCib) {
        random = new Random(seed);
        cib = new LoopbackCib(initialCib, "sim");
        cib.listen(this::cibChanged);
    }

    long now() {
        return now;
    }

    void at(long delay, Runnable task) {
        queue.add(new Event(now + Math.max(0, delay), seq++, task));
    }

    /** Work in flight (messages, CIB updates, agent runs): the cluster is not settled while there is any. */
    private int busy;

    /** Like {@link #at}, for work that keeps the cluster from being settled until it ran. */
    void work(long delay, Runnable task) {
        busy++;
        at(delay, () -> {
            busy--;
            task.run();
        });
    }

    /** The most events one call may run: beyond it the cluster is looping, and the run fails with its log. */
    static final int MAX_EVENTS = 300_000;

    private void guard(int events) {
        if (events > MAX_EVENTS) {
            throw new AssertionError("more than " + MAX_EVENTS + " events without settling; the log's end:\n"
                + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size())));
        }
    }

    /** Runs events until {@code until} (virtual ms from now) or until nothing is left. */
    void run(long forMs) {
        long end = now + forMs;
        int events = 0;
        while (!queue.isEmpty() && queue.peek().at <= end) {
            guard(++events);
            Event e = queue.poll();
            now = Math.max(now, e.at);
            e.task.run();
            check();
        }
        now = Math.max(now, end);
    }

    /** Runs until {@code condition} holds (checked after every event), at most {@code maxMs} of virtual time. */
    boolean runUntil(java.util.function.BooleanSupplier condition, long maxMs) {
        long end = now + maxMs;
        int events = 0;
        while (!condition.getAsBoolean()) {
            guard(++events);
            if (queue.isEmpty() || queue.peek().at > end) {
                now = Math.max(now, Math.min(end, queue.isEmpty() ? end : queue.peek().at));
                if (queue.isEmpty() || now >= end) {
                    return condition.getAsBoolean();
                }
                continue;
            }
            Event e = queue.poll();
            now = Math.max(now, e.at);
            e.task.run();
            check();
        }
        return true;
    }

    /** Violations seen and not yet over, so one double-active episode is reported once. */
    private final java.util.Set<String> ongoing = new java.util.HashSet<>();

    private void check() {
        java.util.Set<String> now2 = new java.util.HashSet<>();
        for (Map.Entry<String, Set<String>> e : running.entrySet()) {
            if (e.getValue().size() > 1) {
                String v = e.getKey() + " active on " + e.getValue();
                now2.add(v);
                if (ongoing.add(v)) {
                    violations.add("at " + now + ": " + v);
                }
            }
        }
        ongoing.retainAll(now2);
    }

    // ---- nodes ------------------------------------------------------------------------------------------------

    SimNode add(int id, String name, long startedAt) {
        SimNode n = new SimNode(id, name, startedAt);
        nodes.put(id, n);
        return n;
    }

    /** The node's controller joins the group (its node started). */
    void start(int id) {
        SimNode n = nodes.get(id);
        n.up = true;
        if (n.epoch > 0) {
            n.startedAt = now;   // a restarted node is a new process
        }
        n.core = new ControllerCore(id, n.name, n.startedAt, n.envForNewCore(), 4);
        n.core.setRelease(n.release);
        n.executor = new SimExecutor(n);
        group.add(id);
        broadcastConfchg();
        n.deliver(() -> {
            n.core.started();
            n.core.ringChanged(ring());
            n.core.quorumChanged(quorate);
        });
    }

    /**
     * The node's CIB copy syncs with the others' for {@code ms} from now (a node that met the cluster after running
     * alone): the CIB has one copy here, so this only makes {@code cibSyncing()} say so.
     */
    void startSyncing(int id, long ms) {
        nodes.get(id).syncingUntil = now + ms;
    }

    /**
     * The CIB copy is replaced by {@code copy} in a sync (a partition heals and the other side's newer copy wins):
     * through the CIB engine's own sync path, so the controllers hear a change with {@code sync} set. The one copy
     * here stands for every node's.
     */
    void replaceCibBySync(XmlNode copy) {
        cib.replaceBySync(copy);
    }

    /** Whether a fencer runs (the controllers' fencing actions go to {@link #fence}); off: none on any node. */
    boolean fencing;
    /** Fencing takes this long (virtual ms). */
    long fenceMs = 200;
    /** Nodes no device can fence (the fencer answers FAILED). */
    final Set<String> unfenceable = new TreeSet<>();
    /** Every fencing done, in order: "target action". */
    final List<String> fenced = new ArrayList<>();

    /**
     * The fencer: after {@link #fenceMs} the target is powered off (a crash, if it still ran) and the answer comes
     * back to the asking node, DONE or (for an {@link #unfenceable} target) FAILED. A reboot leaves the node down
     * (the test starts it again when it likes).
     */
    CompletionStage<org.vigil.crm.api.fencer.FenceEvent> fence(SimNode asker, String target,
                                                               org.vigil.crm.api.fencer.FenceAction action,
                                                               String client) {
        CompletableFuture<org.vigil.crm.api.fencer.FenceEvent> out = new CompletableFuture<>();
        long e = asker.epoch;
        log.add(now + " fencer: " + client + " asks to " + action.wireName() + " " + target);
        at(fenceMs, () -> {
            boolean ok = !unfenceable.contains(target);
            if (ok) {
                for (SimNode n : nodes.values()) {
                    if (n.name.equals(target) && n.up && action != org.vigil.crm.api.fencer.FenceAction.ON) {
                        crash(n.id);
                    }
                }
                fenced.add(target + " " + action.wireName());
            }
            log.add(now + " fencer: " + action.wireName() + " of " + target + (ok ? " done" : " failed"));
            org.vigil.crm.api.fencer.FenceEvent ev = new org.vigil.crm.api.fencer.FenceEvent("op-" + fenced.size(),
                target, action, asker.name, ok ? "alpha" : null, ok ? "fence-dev" : null, client,
                ok ? org.vigil.crm.api.fencer.FenceEvent.State.DONE : org.vigil.crm.api.fencer.FenceEvent.State.FAILED,
                now, ok ? null : "no device can fence " + target);
            if (asker.up && asker.epoch == e) {
                asker.deliver(() -> out.complete(ev));
            }
            // every controller hears of it (the fencer's listener)
            for (SimNode n : nodes.values()) {
                if (n.up) {
                    n.deliver(() -> {
                        if (n.core != null) {
                            n.core.fenced(ev);
                        }
                    });
                }
            }
        });
        return out;
    }

    /** The node dies: its controller and executor vanish, and so does everything running on the machine. */
    void crash(int id) {
        SimNode n = nodes.get(id);
        n.up = false;
        n.core = null;
        n.executor = null;
        n.epoch++;
        for (Set<String> where : running.values()) {
            where.remove(n.name);
        }
        group.remove(id);
        log.add(now + " crash " + n.name);
        broadcastConfchg();
    }

    /**
     * An orderly stop of the node: its controller asks the cluster to stop its resources, and once the DC lets it
     * go the node leaves (its processes end, as a stopped node's do).
     *
     * @return completes when the node has left
     */
    java.util.concurrent.CompletableFuture<Void> shutdown(int id) {
        SimNode n = nodes.get(id);
        java.util.concurrent.CompletableFuture<Void> gone = new java.util.concurrent.CompletableFuture<>();
        long epoch = n.epoch;
        n.core.shutdown().whenComplete((v, e) -> at(1, () -> {
            if (n.up && n.epoch == epoch) {
                log.add(now + " " + n.name + " stopped in order");
                crash(id);
                gone.complete(null);
            }
        }));
        return gone;
    }

    /**
     * The node's controller is replaced by a new revision (its executor and resources stay): the old one says it
     * leaves for an upgrade and leaves the group; {@code awayMs} later a new one joins.
     */
    void upgradeController(int id, long awayMs) {
        SimNode n = nodes.get(id);
        ControllerCore old = n.core;
        old.leavingForUpgrade().whenComplete((v, e) -> {
            if (n.core != old) {
                return;
            }
            n.core = null;
            n.gen++;
            group.remove(id);
            log.add(now + " " + n.name + " controller leaves for an upgrade");
            broadcastConfchg();
            at(awayMs, () -> comeBack(n));
        });
    }

    private void comeBack(SimNode n) {
        int id = n.id;
        {
            if (!n.up || n.core != null) {
                return;
            }
            n.core = new ControllerCore(id, n.name, n.startedAt, n.envForNewCore(), 4);
            n.core.setRelease(n.release);
            group.add(id);
            log.add(now + " " + n.name + " new controller revision joins");
            broadcastConfchg();
            n.deliver(() -> {
                n.core.started();
                n.core.ringChanged(Set.copyOf(ring()));
                n.core.quorumChanged(quorate);
                n.core.executorAvailable();
            });
        }
    }

    /** The ring's members: nodes that are up (a controller being upgraded is still in the ring). */
    private Set<Integer> ring() {
        Set<Integer> r = new TreeSet<>();
        for (SimNode n : nodes.values()) {
            if (n.up) {
                r.add(n.id);
            }
        }
        return r;
    }

    void setQuorate(boolean q) {
        quorate = q;
        for (SimNode n : nodes.values()) {
            if (n.up && n.core != null) {
                n.deliver(() -> n.core.quorumChanged(q));
            }
        }
    }

    private void broadcastConfchg() {
        Set<Integer> members = Set.copyOf(group);
        wire(() -> {
            Set<Integer> ring = ring();
            for (SimNode n : nodes.values()) {
                if (n.up && members.contains(n.id) && n.core != null) {
                    n.core.groupChanged(members);
                    n.core.ringChanged(ring);
                }
            }
        });
    }

    /** Appends a delivery to the agreed sequence. */
    private void wire(Runnable delivery) {
        wireTime = Math.max(wireTime, now) + 1 + random.nextInt(2);
        busy++;
        queue.add(new Event(wireTime, seq++, () -> {
            busy--;
            delivery.run();
        }));
    }

    private void cibChanged(CibChange change) {
        for (SimNode n : nodes.values()) {
            if (n.up) {
                SimNode target = n;
                long epoch = n.epoch;
                work(1, () -> {
                    if (target.up && target.epoch == epoch && target.core != null) {
                        target.core.cibChanged(change);
                    }
                });
            }
        }
    }

    SimNode dcNode() {
        for (SimNode n : nodes.values()) {
            if (n.up && n.core != null && n.core.isDc()) {
                return n;
            }
        }
        return null;
    }

    /** The DC exists, is idle, and every member agrees who it is. */
    boolean settled() {
        if (busy > 0) {
            return false;
        }
        SimNode dc = dcNode();
        if (dc == null || !dc.core.idle()) {
            return false;
        }
        for (SimNode n : nodes.values()) {
            if (n.up && (n.core == null || n.core.dc() == null || n.core.dc() != dc.id)) {
                return false;
            }
        }
        return true;
    }

    Set<String> where(String rsc) {
        return running.getOrDefault(rsc, Set.of());
    }

    // ---- one node ---------------------------------------------------------------------------------------------

    final class SimNode implements ControllerCore.Env {
        final int id;
        final String name;
        long startedAt;
        /** The node's Vigil release (a rolling upgrade sets it before the node starts again). */
        String release = "0.1";
        boolean up;
        long epoch;
        /** Until when (virtual time) this node's CIB copy is syncing with the others' (see {@link #startSyncing}). */
        long syncingUntil;
        ControllerCore core;
        SimExecutor executor;
        /** The controller revision: what an older one sends or times after it was replaced is dropped. */
        int gen;
        final List<String> events = new ArrayList<>();

        /** The environment of a new controller revision (what it does after being replaced goes nowhere). */
        ControllerCore.Env envForNewCore() {
            int mine = gen;
            SimNode self = this;
            return new ControllerCore.Env() {
                private boolean current() {
                    return self.gen == mine && self.core != null;
                }

                @Override
                public void send(XmlNode message) {
                    if (current()) {
                        self.send(message);
                    }
                }

                @Override
                public CibSnapshot cib() {
                    return self.cib();
                }

                @Override
                public boolean cibSyncing() {
                    return self.cibSyncing();
                }

                @Override
                public CompletionStage<CibSnapshot> cibUpdate(CibRequest request) {
                    return self.cibUpdate(request);
                }

                @Override
                public Transition schedule(CibSnapshot snapshot, int transitionId, String teUuid) {
                    return self.schedule(snapshot, transitionId, teUuid);
                }

                @Override
                public Executor executor() {
                    return current() ? self.executor : null;
                }

                @Override
                public ControllerCore.Timer timer(long delayMs, Runnable task) {
                    return self.timer(delayMs, () -> {
                        if (current()) {
                            task.run();
                        }
                    });
                }

                @Override
                public long now() {
                    return self.now();
                }

                @Override
                public String configuredName(int nodeId) {
                    return self.configuredName(nodeId);
                }

                @Override
                public List<Integer> configuredNodes() {
                    return self.configuredNodes();
                }

                @Override
                public void event(String kind, String text) {
                    self.event(kind, text);
                }

                @Override
                public CompletionStage<org.vigil.crm.api.fencer.FenceEvent> fence(String target,
                        org.vigil.crm.api.fencer.FenceAction action, String client) {
                    return fencing ? SimCluster.this.fence(self, target, action, client) : null;
                }
            };
        }

        SimNode(int id, String name, long startedAt) {
            this.id = id;
            this.name = name;
            this.startedAt = startedAt;
        }

        /** Runs {@code task} on this node soon, unless it died meanwhile. */
        void deliver(Runnable task) {
            long e = epoch;
            work(0, () -> {
                if (up && epoch == e) {
                    task.run();
                }
            });
        }

        @Override
        public void send(XmlNode message) {
            int from = id;
            long e = epoch;
            wire(() -> {
                SimNode sender = nodes.get(from);
                if (!sender.up || sender.epoch != e) {
                    return;   // a message of a dead process is not delivered (CPG: sent before the confchg or never)
                }
                for (SimNode n : nodes.values()) {
                    if (n.up && group.contains(n.id) && n.core != null) {
                        n.core.delivered(from, message);
                    }
                }
            });
        }

        @Override
        public CibSnapshot cib() {
            return cib.current();
        }

        @Override
        public boolean cibSyncing() {
            return now < syncingUntil;
        }

        @Override
        public CompletionStage<CibSnapshot> cibUpdate(CibRequest request) {
            CompletableFuture<CibSnapshot> out = new CompletableFuture<>();
            long e = epoch;
            work(1 + random.nextInt(3), () -> {
                if (!up || epoch != e) {
                    return;
                }
                cib.update(request).whenComplete((s, ex) -> {
                    if (ex != null) {
                        out.completeExceptionally(ex);
                    } else {
                        out.complete(s);
                    }
                });
            });
            return out;
        }

        @Override
        public Transition schedule(CibSnapshot snapshot, int transitionId, String teUuid) {
            return scheduler.schedule(snapshot, Instant.ofEpochMilli(now), ZoneOffset.UTC, transitionId, teUuid);
        }

        @Override
        public Executor executor() {
            return executor;
        }

        @Override
        public ControllerCore.Timer timer(long delayMs, Runnable task) {
            boolean[] cancelled = {false};
            long e = epoch;
            at(delayMs, () -> {
                if (!cancelled[0] && up && epoch == e) {
                    task.run();
                }
            });
            return () -> cancelled[0] = true;
        }

        @Override
        public long now() {
            return now;
        }

        @Override
        public String configuredName(int nodeId) {
            SimNode n = nodes.get(nodeId);
            return n == null ? null : n.name;
        }

        @Override
        public List<Integer> configuredNodes() {
            return List.copyOf(nodes.keySet());
        }

        @Override
        public void event(String kind, String text) {
            events.add(now + " " + kind + " " + text);
            log.add(now + " " + name + " " + kind + ": " + text);
        }
    }

    // ---- executors --------------------------------------------------------------------------------------------

    /** An executor that "runs" Dummy-like agents against the machine model and records results as the real one. */
    final class SimExecutor implements Executor {
        final SimNode node;
        final Map<String, Map<String, XmlNode>> history = new LinkedHashMap<>();
        final Map<String, String[]> agentOf = new HashMap<>();
        /** recurring operation key -> request */
        final Map<String, ExecRequest> recurring = new TreeMap<>();
        int calls;
        int active;

        SimExecutor(SimNode node) {
            this.node = node;
        }

        private boolean alive(long e) {
            return node.up && node.epoch == e && node.executor == this;
        }

        @Override
        public CompletionStage<Outcome> execute(ExecRequest r) {
            CompletableFuture<Outcome> out = new CompletableFuture<>();
            long e = node.epoch;
            agentOf.put(r.resourceId(), new String[] {r.standard(), r.provider(), r.type()});
            if (r.intervalMs() == 0 && !r.probe() && !r.operation().equals("cancel")
                && !r.operation().equals("notify")) {
                // record-pending, as the real executor: the history says the operation is under way
                String rsc = r.resourceId();
                XmlNode pending = XmlNode.of("lrm_rsc_op", "id", rsc + "_last_0", "operation_key", r.operationKey(),
                    "operation", r.operation(), "crm-debug-origin", "do_update_resource", "crm_feature_set", "3.16.1",
                    "transition-key", r.transitionKey(), "transition-magic", "-1:193;" + r.transitionKey(),
                    "exit-reason", "", "on_node", node.name, "call-id", "-1", "rc-code", "193", "op-status", "-1",
                    "interval", "0", "last-rc-change", Long.toString(now / 1000), "exec-time", "0", "queue-time", "0",
                    "op-digest", OpDigest.of(r.attributes()));
                history.computeIfAbsent(rsc, k -> new LinkedHashMap<>()).put(pending.id(), pending);
                write(rsc, List.of(pending), List.of());
            }
            active++;
            work(5 + random.nextInt(20), () -> {
                if (!alive(e)) {
                    return;
                }
                active--;
                String op = r.operation();
                Set<String> where = running.computeIfAbsent(r.resourceId(), k -> new TreeSet<>());
                boolean here = where.contains(node.name);
                Integer forced = scripted.get(r.resourceId() + "@" + node.name + ":" + op);
                if (forced != null && forced == HANG) {
                    log.add(now + " " + node.name + " " + r.operationKey() + " hangs");
                    return;   // the agent never answers; the executor's own timeout is not modelled
                }
                int rc;
                switch (op) {
                    case "start", "promote", "demote", "migrate_from" -> {
                        rc = forced != null ? forced : 0;
                        if (rc == 0) {
                            where.add(node.name);
                        }
                    }
                    case "stop", "migrate_to" -> {
                        rc = forced != null ? forced : 0;
                        if (rc == 0) {
                            where.remove(node.name);
                        }
                    }
                    case "monitor" -> rc = forced != null ? forced : here ? 0 : 7;
                    case "cancel" -> {
                        String key = r.resourceId() + "_" + r.meta("operation") + "_" + r.meta("interval");
                        recurring.remove(key);
                        Map<String, XmlNode> h = history.get(r.resourceId());
                        boolean had = h != null && h.remove(key) != null;
                        if (had) {
                            write(r.resourceId(), List.of(XmlNode.of("lrm_rsc_op", "id", key, "__delete__", "true")),
                                List.of());
                        }
                        out.complete(new Outcome(r.operationKey(), r.transitionKey(), 0, 0, false, null, ""));
                        return;
                    }
                    default -> rc = forced != null ? forced : 0;
                }
                if (op.equals("notify")) {
                    out.complete(new Outcome(r.operationKey(), r.transitionKey(), rc, 0, false, null, ""));
                    return;
                }
                if (r.intervalMs() > 0) {
                    recurring.put(r.operationKey(), r);
                }
                if (op.equals("stop") && rc == 0) {
                    Map<String, XmlNode> h = history.getOrDefault(r.resourceId(), Map.of());
                    List<XmlNode> gone = new ArrayList<>();
                    for (String key : new ArrayList<>(h.keySet())) {
                        if (recurring.remove(key) != null || key.matches(".*_monitor_[1-9][0-9]*")) {
                            h.remove(key);
                            gone.add(XmlNode.of("lrm_rsc_op", "id", key, "__delete__", "true"));
                        }
                    }
                    record(r, rc, gone, out);
                } else {
                    record(r, rc, List.of(), out);
                }
            });
            return out;
        }

        /** Writes a result under Pacemaker's ids and completes {@code out} once it is in the CIB. */
        void record(ExecRequest r, int rc, List<XmlNode> extra, CompletableFuture<Outcome> out) {
            int target = r.targetRc();
            boolean failed = ControllerCore.effectiveRc(rc) != ControllerCore.effectiveRc(target);
            List<String> ids = new ArrayList<>();
            String rsc = r.resourceId();
            if (failed) {
                ids.add(rsc + "_last_failure_0");
                if (r.intervalMs() == 0) {
                    ids.add(rsc + "_last_0");
                }
            } else {
                ids.add(r.intervalMs() > 0 ? r.operationKey() : rsc + "_last_0");
            }
            int call = ++calls;
            List<XmlNode> entries = new ArrayList<>(extra);
            Map<String, XmlNode> h = history.computeIfAbsent(rsc, k -> new LinkedHashMap<>());
            for (String entryId : ids) {
                XmlNode x = XmlNode.of("lrm_rsc_op", "id", entryId, "operation_key", r.operationKey(), "operation",
                    r.operation(), "crm-debug-origin", "do_update_resource", "crm_feature_set", "3.16.1",
                    "transition-key", r.transitionKey(), "transition-magic", "0:" + rc + ";" + r.transitionKey(),
                    "exit-reason", "", "on_node", node.name, "call-id", Integer.toString(call), "rc-code",
                    Integer.toString(rc), "op-status", "0", "interval", Long.toString(r.intervalMs()),
                    "last-rc-change", Long.toString(now / 1000), "exec-time", "10", "queue-time", "0", "op-digest",
                    OpDigest.of(r.attributes()));
                h.put(entryId, x);
                entries.add(x);
            }
            List<XmlNode> attrs = new ArrayList<>();
            if (failed && !(r.operation().equals("monitor") && r.intervalMs() == 0)) {
                String suffix = rsc + "#" + r.operation() + "_" + r.intervalMs();
                String value = r.operation().equals("start") || r.operation().equals("stop") ? "INFINITY"
                    : "value++";
                attrs.add(XmlNode.of("nvpair", "id", "status-" + node.id + "-fail-count-" + suffix, "name",
                    "fail-count-" + suffix, "value", value));
                attrs.add(XmlNode.of("nvpair", "id", "status-" + node.id + "-last-failure-" + suffix, "name",
                    "last-failure-" + suffix, "value", Long.toString(now / 1000)));
            }
            write(rsc, entries, attrs).whenComplete((s, ex) -> {
                if (out != null) {
                    out.complete(new Outcome(r.operationKey(), r.transitionKey(), rc, 0, ex == null,
                        s == null ? null : s.version(), ""));
                }
            });
        }

        CompletionStage<CibSnapshot> write(String rsc, List<XmlNode> entries, List<XmlNode> attrs) {
            String[] a = agentOf.getOrDefault(rsc, new String[] {"ocf", "heartbeat", "Dummy"});
            XmlNode ns = XmlNode.of("node_state", "id", Integer.toString(node.id), "uname", node.name)
                .plusChild(XmlNode.of("lrm", "id", Integer.toString(node.id)).plusChild(XmlNode.of("lrm_resources")
                    .plusChild(XmlNode.of("lrm_resource", "id", rsc, "class", a[0], "provider", a[1], "type", a[2])
                        .withChildren(entries))));
            if (!attrs.isEmpty()) {
                ns = ns.plusChild(XmlNode.of("transient_attributes", "id", Integer.toString(node.id)).plusChild(
                    XmlNode.of("instance_attributes", "id", "status-" + node.id).withChildren(attrs)));
            }
            return cib.update(new CibRequest(CibRequest.Op.MODIFY, "status", null, ns,
                Set.of(CibRequest.Flag.CAN_CREATE, CibRequest.Flag.MIXED_UPDATE), "crmd", "hacluster"));
        }

        /** The machine lost the resource: the recurring monitor notices (a changed result is recorded). */
        void monitorFails(String rsc) {
            for (ExecRequest r : recurring.values()) {
                if (r.resourceId().equals(rsc) && r.operation().equals("monitor")) {
                    record(r, 7, List.of(), null);
                }
            }
        }

        @Override
        public CompletionStage<Outcome> delete(String resourceId, String transitionKey) {
            history.remove(resourceId);
            recurring.keySet().removeIf(k -> k.startsWith(resourceId + "_"));
            CompletableFuture<Outcome> out = new CompletableFuture<>();
            cib.update(new CibRequest(CibRequest.Op.DELETE, null, "/cib/status/node_state[@id='" + node.id
                + "']/lrm/lrm_resources/lrm_resource[@id='" + resourceId + "']", null, Set.of(), "crmd", "hacluster"))
                .whenComplete((s, e) -> out.complete(new Outcome(resourceId + "_delete_0", transitionKey, 0, 0, false,
                    s == null ? null : s.version(), "")));
            return out;
        }

        @Override
        public CompletionStage<CibVersion> publish() {
            if (node.cibSyncing()) {
                // a real node computes the history's patch against its own copy, which the sync is replacing: the
                // patch would keep what the cluster's copy holds of this node's previous life
                violations.add(now + " " + node.name + " published its history while its CIB was syncing");
            }
            XmlNode resources = XmlNode.of("lrm_resources");
            for (Map.Entry<String, Map<String, XmlNode>> e : history.entrySet()) {
                String[] a = agentOf.getOrDefault(e.getKey(), new String[] {"ocf", "heartbeat", "Dummy"});
                resources = resources.plusChild(XmlNode.of("lrm_resource", "id", e.getKey(), "class", a[0],
                    "provider", a[1], "type", a[2]).withChildren(new ArrayList<>(e.getValue().values())));
            }
            XmlNode lrm = XmlNode.of("lrm", "id", Integer.toString(node.id)).plusChild(resources);
            CompletableFuture<CibVersion> out = new CompletableFuture<>();
            long e = node.epoch;
            work(publishMs, () -> {
                if (!alive(e)) {
                    return;
                }
                if (failPublishes > 0) {
                    failPublishes--;
                    log.add(now + " " + node.name + " publishing its history failed (scripted)");
                    out.completeExceptionally(new org.vigil.crm.api.cib.CibError(org.vigil.crm.api.cib.CibError.NOSUCH,
                        "the XPath matches nothing", "sim"));
                    return;
                }
                boolean exists = false;
                XmlNode status = cib.current().status();
                for (XmlNode ns : status.children("node_state")) {
                    exists |= ns.id().equals(Integer.toString(node.id)) && ns.firstChild("lrm") != null;
                }
                CompletionStage<CibSnapshot> s = exists
                    ? cib.update(new CibRequest(CibRequest.Op.REPLACE, null, "/cib/status/node_state[@id='" + node.id
                        + "']/lrm", lrm, Set.of(), "crmd", "hacluster"))
                    : cib.update(new CibRequest(CibRequest.Op.MODIFY, "status", null, XmlNode.of("node_state", "id",
                        Integer.toString(node.id), "uname", node.name).plusChild(lrm),
                        Set.of(CibRequest.Flag.CAN_CREATE), "crmd", "hacluster"));
                s.whenComplete((snap, ex) -> {
                    if (ex != null) {
                        out.completeExceptionally(ex);
                    } else {
                        out.complete(snap.version());
                    }
                });
            });
            return out;
        }

        @Override
        public List<String> recurring() {
            return List.copyOf(recurring.keySet());
        }

        @Override
        public int active() {
            return active;
        }
    }
}
