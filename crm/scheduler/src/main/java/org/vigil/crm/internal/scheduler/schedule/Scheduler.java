package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;

/**
 * The scheduler's main sequence (Pacemaker's {@code pcmk__schedule_actions}): unpack the CIB, apply node health
 * and constraints, node criteria (locations, stickiness, failure thresholds), internal constraints, configuration
 * changes, placement, actions, remote orderings, fencing and shutdowns, and finally order and propagate.
 * A pure function of the CIB and the time; one instance per run.
 *
 * <p>Follows {@code pcmk__schedule_actions()} in lib/pacemaker/pcmk_sched_allocate.c.
 */
public final class Scheduler {

    private Scheduler() {
    }

    /**
     * Runs the scheduler on a CIB (the tree is modified: pass a copy if it is shared). Follows {@code
     * pcmk__schedule_actions()} in lib/pacemaker/pcmk_sched_allocate.c.
     */
    public static WorkingSet run(XmlElement cib, CrmTime now, boolean showScores) {
        return run(cib, now, showScores, true);
    }

    /**
     * Runs the scheduler.
     *
     * @param sanitized treat CIB files as sanitized copies (crm_simulate's default): a resource whose only changed
     *                  parameters are private ones is not restarted
     *
     * <p>Follows {@code pcmk__schedule_actions()} in lib/pacemaker/pcmk_sched_allocate.c.
     */
    public static WorkingSet run(XmlElement cib, CrmTime now, boolean showScores, boolean sanitized) {
        return run(cib, now, showScores, sanitized, null);
    }

    /**
     * Runs the scheduler, calling {@code afterUnpack} (when not null) once the CIB's status is unpacked and before
     * any scheduling decision: the working set then describes the cluster as it is (what a status display shows).
     *
     * <p>Follows {@code pcmk__schedule_actions()} in lib/pacemaker/pcmk_sched_allocate.c.
     */
    public static WorkingSet run(XmlElement cib, CrmTime now, boolean showScores, boolean sanitized,
                                 java.util.function.Consumer<WorkingSet> afterUnpack) {
        return run(cib, now, showScores, sanitized, afterUnpack, null);
    }

    /**
     * Runs the scheduler, recording where the resources' node scores come from in {@code trace} (when not null;
     * crm_resource --why --explain): the decisions are the same with and without.
     */
    public static WorkingSet run(XmlElement cib, CrmTime now, boolean showScores, boolean sanitized,
                                 java.util.function.Consumer<WorkingSet> afterUnpack,
                                 org.vigil.crm.internal.scheduler.model.ScoreTrace trace) {
        Timing t = new Timing();
        WorkingSet ws = new WorkingSet(cib, now);
        ws.trace = trace;
        ws.scores.enabled = showScores;
        if (sanitized) {
            ws.set(WorkingSet.SANITIZED);
        }
        new Unpacker(ws).unpack();
        t.mark("unpack");
        if (afterUnpack != null) {
            afterUnpack.accept(ws);
        }
        t.mark("status display");
        applyNodeHealth(ws);
        unpackConstraints(ws);
        t.mark("constraints");
        applyNodeCriteria(ws);
        t.mark("node criteria");
        for (Resource r : new ArrayList<>(ws.resources)) {
            r.internalConstraints();
        }
        t.mark("internal constraints");
        ConfigChanges.handle(ws);
        t.mark("configuration changes");
        allocateResources(ws);
        t.mark("assignment");
        scheduleResourceActions(ws);
        t.mark("actions");
        Remote.orderRemoteConnectionActions(ws);
        scheduleFencingAndShutdowns(ws);
        t.mark("fencing");
        ws.orderings.applyAll();
        t.mark("orderings");
        ws.graph = GraphBuilder.buildGraph(ws);
        // date rules evaluated anywhere (meta and instance attributes, options, locations, lifetimes)
        ws.updateRecheckTime(ws.rules.nextChange());
        t.mark("graph");
        return ws;
    }

    /**
     * Phase timings on standard error when the environment variable VIGIL_SCHEDULER_TIMING is set: wall time and the
     * thread's CPU time (the latter stays meaningful on a loaded machine).
     */
    private static final class Timing {
        private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
        private final boolean on = System.getenv("VIGIL_SCHEDULER_TIMING") != null;
        private long last = System.nanoTime();
        private long lastCpu = on ? THREADS.getCurrentThreadCpuTime() : 0;

        void mark(String phase) {
            if (on) {
                long now = System.nanoTime();
                long cpu = THREADS.getCurrentThreadCpuTime();
                System.err.printf("scheduler: %-22s %7.1f ms (cpu %7.1f ms)%n", phase, (now - last) / 1e6,
                    (cpu - lastCpu) / 1e6);
                last = now;
                lastCpu = cpu;
            }
        }
    }

    /** Follows {@code pcmk__apply_node_health()} in lib/pacemaker/pcmk_sched_nodes.c. */
    private static void applyNodeHealth(WorkingSet ws) {
        ws.locations.applyNodeHealth();
    }

    /**
     * Unpacks the constraints (crm_mon's bans need them). Follows {@code pcmk__unpack_constraints()} in
     * lib/pacemaker/pcmk_sched_constraints.c.
     */
    public static void unpackConstraints(WorkingSet ws) {
        XmlElement cons = Unpacker.section(ws.input, "constraints");
        if (cons == null) {
            return;
        }
        for (XmlElement x : cons.kids()) {
            String id = x.get("id");
            if (id == null) {
                continue;
            }
            XmlElement lifetime = x.firstChild("lifetime");
            if (lifetime != null && !ws.rules.evalRules(lifetime, ws.ruleContext(null))) {
                continue;
            }
            switch (x.name()) {
                case "rsc_order" -> ws.orderings.unpack(x);
                case "rsc_colocation" -> ws.colocations.unpack(x);
                case "rsc_location" -> ws.locations.unpack(x);
                case "rsc_ticket" -> Tickets.unpack(ws, x);
                default -> ws.warn("Unsupported constraint type: " + x.name());
            }
        }
    }

    /** Follows {@code apply_stickiness()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static void applyStickiness(WorkingSet ws, Resource rsc) {
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                applyStickiness(ws, c);
            }
            return;
        }
        if (!rsc.is(Resource.MANAGED) || rsc.stickiness < 1 || rsc.runningOn.size() != 1) {
            return;
        }
        Node node = rsc.runningOn.get(0);
        if (!ws.is(WorkingSet.SYMMETRIC) && !rsc.allowedNodes.containsKey(node)) {
            return;
        }
        ws.resourceLocation(rsc, node, rsc.stickiness, "stickiness");
    }

    /** Follows {@code failcount_clear_action_exists()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static boolean failcountClearActionExists(Node node, Resource rsc) {
        return !WorkingSet.resourceActions(rsc, node, "clear_failcount", true).isEmpty();
    }

    /** Follows {@code check_failure_threshold()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static void checkFailureThreshold(WorkingSet ws, Resource rsc, Node node, Unpacker u) {
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                checkFailureThreshold(ws, c, node, u);
            }
            return;
        }
        if (failcountClearActionExists(node, rsc)) {
            return;
        }
        Resource failed = thresholdReached(ws, rsc, node, u);
        if (failed != null) {
            ws.resourceLocation(failed, node, -Score.INFINITY, "__fail_limit__");
        }
    }

    /**
     * The resource to ban, or null. Follows {@code pcmk__threshold_reached()} in
     * lib/pacemaker/pcmk_sched_resource.c.
     */
    static Resource thresholdReached(WorkingSet ws, Resource rsc, Node node, Unpacker u) {
        if (rsc.migrationThreshold == 0) {
            return null;
        }
        if (rsc.is(Resource.FAILURE_IGNORED)) {
            return null;
        }
        int failCount = u.failcount(node, rsc, Unpacker.FC_EFFECTIVE | Unpacker.FC_FILLERS, null);
        if (failCount <= 0) {
            return null;
        }
        Resource ban = rsc;
        if (!rsc.is(Resource.UNIQUE)) {
            ban = rsc.top();
        }
        int remaining = rsc.migrationThreshold - failCount;
        return remaining <= 0 ? ban : null;
    }

    /** Follows {@code apply_exclusive_discovery()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static void applyExclusiveDiscovery(Resource rsc, Node node) {
        if (rsc.exclusiveDiscover || rsc.top().exclusiveDiscover) {
            for (Resource c : rsc.children) {
                applyExclusiveDiscovery(c, node);
            }
            NodeScore match = rsc.allowedNodes.get(node);
            if (match != null && match.discoverMode != NodeScore.DISCOVER_EXCLUSIVE) {
                match.weight = -Score.INFINITY;
            }
        }
    }

    /** Follows {@code apply_node_criteria()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static void applyNodeCriteria(WorkingSet ws) {
        if (ws.is(WorkingSet.SHUTDOWN_LOCK)) {
            for (Resource r : ws.resources) {
                r.shutdownLock();
            }
        }
        ws.locations.applyAll();
        for (Resource r : ws.resources) {
            applyStickiness(ws, r);
        }
        Unpacker u = new Unpacker(ws);
        for (Node node : ws.nodes) {
            for (Resource r : new ArrayList<>(ws.resources)) {
                checkFailureThreshold(ws, r, node, u);
                applyExclusiveDiscovery(r, node);
            }
        }
    }

    /** Follows {@code allocate_resources()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static void allocateResources(WorkingSet ws) {
        if (!"default".equalsIgnoreCase(ws.placementStrategy)) {
            ws.utilizationEngine.sortResources();
        }
        if (ws.is(WorkingSet.HAVE_REMOTE_NODES)) {
            for (Resource r : new ArrayList<>(ws.resources)) {
                if (r.isRemoteNode) {
                    r.assign(r.partialMigrationTarget);
                }
            }
        }
        for (Resource r : new ArrayList<>(ws.resources)) {
            if (!r.isRemoteNode) {
                r.assign(null);
            }
        }
    }

    /** Follows {@code clear_failcounts_if_orphaned()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static void clearFailcountsIfOrphaned(WorkingSet ws, Resource rsc, Unpacker u) {
        if (!rsc.is(Resource.ORPHAN)) {
            return;
        }
        for (Node node : ws.nodes) {
            if (!node.online) {
                continue;
            }
            if (u.failcount(node, rsc, Unpacker.FC_EFFECTIVE, null) == 0) {
                continue;
            }
            Action clear = ws.clearFailcount(rsc, node, "it is orphaned");
            ws.newOrdering(clear.rsc, null, clear, rsc, Util.opKey(rsc.id, "stop", 0), null, Ordering.OPTIONAL);
        }
    }

    /** Follows {@code schedule_resource_actions()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static void scheduleResourceActions(WorkingSet ws) {
        ConfigChanges.processParamChecks(ws);
        if (ws.is(WorkingSet.STARTUP_PROBES)) {
            ws.probes.scheduleProbes();
        }
        if (ws.is(WorkingSet.STOP_RSC_ORPHANS)) {
            Unpacker u = new Unpacker(ws);
            for (Resource r : new ArrayList<>(ws.resources)) {
                clearFailcountsIfOrphaned(ws, r, u);
            }
        }
        for (Resource r : new ArrayList<>(ws.resources)) {
            r.createActions();
        }
    }

    /** Follows {@code is_managed()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static boolean isManaged(Resource rsc) {
        if (rsc.is(Resource.MANAGED)) {
            return true;
        }
        for (Resource c : rsc.children) {
            if (isManaged(c)) {
                return true;
            }
        }
        return false;
    }

    /** Follows {@code schedule_fencing_and_shutdowns()} in lib/pacemaker/pcmk_sched_allocate.c. */
    private static void scheduleFencingAndShutdowns(WorkingSet ws) {
        Action dcDown = null;
        boolean haveManaged = false;
        for (Resource r : ws.resources) {
            if (isManaged(r)) {
                haveManaged = true;
                break;
            }
        }
        List<Action> fencingOps = new ArrayList<>();
        List<Action> shutdownOps = new ArrayList<>();
        for (Node node : ws.nodes) {
            Action fencing = null;
            if (node.isGuest()) {
                if (node.remoteRequiresReset && haveManaged && ws.canFence(node)) {
                    Fencing.fenceGuest(ws, node);
                }
                continue;
            }
            if (haveManaged && node.unclean && ws.canFence(node)) {
                fencing = ws.fenceOp(node, null, false, "node is unclean", false);
                Fencing.orderVsFence(ws, fencing);
                if (node.isDc) {
                    dcDown = fencing;
                } else {
                    if (!ws.is(WorkingSet.CONCURRENT_FENCING) && !fencingOps.isEmpty()) {
                        ws.orderActions(fencingOps.get(0), fencing, Ordering.OPTIONAL);
                    }
                    fencingOps.add(0, fencing);
                }
            } else if (!node.isGuestOrRemote() && node.online && node.shutdown) {
                Action down = ws.customAction(null, "do_shutdown-" + node.uname, "do_shutdown", node, false, true);
                ws.orderings.orderStopsBeforeShutdown(node, down);
                down.meta.put("op_no_wait", "true");
                if (node.isDc) {
                    dcDown = down;
                } else {
                    shutdownOps.add(0, down);
                }
            }
        }
        if (dcDown != null) {
            if ("do_shutdown".equals(dcDown.task)) {
                ws.orderings.orderAfterEach(dcDown, shutdownOps);
            }
            if (ws.is(WorkingSet.CONCURRENT_FENCING)) {
                ws.orderings.orderAfterEach(dcDown, fencingOps);
            } else if (!fencingOps.isEmpty()) {
                ws.orderActions(fencingOps.get(0), dcDown, Ordering.OPTIONAL);
            }
        }
    }
}
