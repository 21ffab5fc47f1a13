package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Location;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.Output;
import org.vigil.crm.internal.scheduler.unpack.ResourceFactory;

/**
 * A clone (anonymous or globally unique, optionally promotable): instances of one primitive or group spread over
 * the nodes (Pacemaker's clone.c and pcmk_sched_clone.c).
 *
 * <p>Follows lib/pacemaker/pcmk_sched_clone.c (assignment and actions) and lib/pengine/clone.c (instances).
 */
public final class Clone extends Resource {

    public int cloneMax;
    public int cloneNodeMax = 1;
    public int promotedMax = 1;
    public int promotedNodeMax = 1;
    int totalClones;
    public boolean ordered;
    public XmlElement childXml;
    public ResourceFactory factory;
    public Notifications.Data startNotify;
    public Notifications.Data stopNotify;
    public Notifications.Data promoteNotify;
    public Notifications.Data demoteNotify;
    boolean promotionAdded;
    boolean promotionConstrained;

    public Clone(WorkingSet ws) {
        super(ws, Variant.CLONE);
    }

    // ---------------------------------------------------------------- unpack helpers

    /** Follows {@code pe__create_clone_child()} in lib/pengine/clone.c. */
    public Resource createChild() {
        boolean asOrphan = totalClones >= cloneMax;
        XmlElement copy = childXml.deepCopy();
        copy.set("clone", Integer.toString(totalClones));
        Resource child = factory.unpackResource(copy, this);
        if (child == null) {
            return null;
        }
        totalClones++;
        children.add(child);
        if (asOrphan) {
            child.setRecursive(ORPHAN);
        }
        WorkingSet.addHashParam(child.meta, "clone-max", Integer.toString(cloneMax));
        ws.indexResource(child);
        return child;
    }

    public void forceAnonymous() {
        cloneNodeMax = 1;
        cloneMax = Math.min(cloneMax, ws.nodes.size());
    }

    /** Follows {@code pe__is_universal_clone()} in lib/pengine/clone.c. */
    public boolean isUniversal() {
        return cloneMax == ws.nodes.size();
    }

    Resource findInstance(String sub) {
        return ws.findResource(childXml.get("id") + ":" + sub);
    }

    String childXmlId() {
        return childXml.get("id");
    }

    static int copiesPerNode(Resource rsc) {
        switch (rsc.variant) {
            case PRIMITIVE, GROUP:
                return 1;
            case CLONE: {
                String m = rsc.meta.get("clone-node-max");
                if (m == null) {
                    return 1;
                }
                return ResourceFactory.scanMinInt(m, 0);
            }
            case BUNDLE:
                return ((Bundle) rsc).replicasPerHost();
            default:
                return 0;
        }
    }

    /**
     * get_complex_task with allow_non_atomic: "done" tasks map to their action for primitives. Follows {@code
     * get_complex_task()} in lib/pengine/pe_actions.c.
     */
    static String complexTask(Resource rsc, String task) {
        if (rsc != null && rsc.variant == Variant.PRIMITIVE) {
            switch (task) {
                case "stopped":
                    return "stop";
                case "running":
                    return "start";
                case "demoted":
                    return "demote";
                case "promoted":
                    return "promote";
                default:
                    return task;
            }
        }
        return task;
    }

    /** Follows {@code is_set_recursive()} in lib/pengine/clone.c. */
    static boolean isSetRecursive(Resource rsc, long flag, boolean any) {
        boolean all = !any;
        if (rsc.is(flag)) {
            if (any) {
                return true;
            }
        } else if (all) {
            return false;
        }
        for (Resource c : rsc.children) {
            if (isSetRecursive(c, flag, any)) {
                if (any) {
                    return true;
                }
            } else if (all) {
                return false;
            }
        }
        return all;
    }

    // ---------------------------------------------------------------- pairing

    /** Follows {@code is_child_compatible()} in lib/pacemaker/pcmk_sched_clone.c. */
    static boolean isChildCompatible(Resource child, Node localNode, Role filter, boolean current) {
        Node node = null;
        Role nextRole = child.state(current);
        if (!isSetRecursive(child, BLOCK, true)) {
            node = child.location(null, current ? 1 : 0);
        }
        if (filter != Role.UNKNOWN && nextRole != filter) {
            return false;
        }
        return node != null && node == localNode;
    }

    /** Follows {@code find_compatible_child_by_node()} in lib/pacemaker/pcmk_sched_bundle.c. */
    static Resource findCompatibleChildByNode(Resource localChild, Node localNode, Resource rsc, Role filter,
                                              boolean current) {
        if (localNode == null) {
            return null;
        }
        for (Resource c : containersOrChildren(rsc)) {
            if (isChildCompatible(c, localNode, filter, current)) {
                return c;
            }
        }
        return null;
    }

    static List<Resource> containersOrChildren(Resource rsc) {
        return rsc.variant == Variant.BUNDLE ? ((Bundle) rsc).containerList() : rsc.children;
    }

    /**
     * The instance of {@code rsc} to pair with {@code localChild}. Follows {@code find_compatible_child()} in
     * lib/pacemaker/pcmk_sched_clone.c.
     */
    static Resource findCompatibleChild(WorkingSet ws, Resource localChild, Resource rsc, Role filter,
                                        boolean current) {
        Node localNode = localChild.location(null, current ? 1 : 0);
        if (localNode != null) {
            return findCompatibleChildByNode(localChild, localNode, rsc, filter, current);
        }
        List<NodeScore> scratch = new ArrayList<>(localChild.allowedNodes.values());
        ws.locations.sortNodes(scratch, null);
        for (NodeScore ns : scratch) {
            Resource pair = findCompatibleChildByNode(localChild, ns.node, rsc, filter, current);
            if (pair != null) {
                return pair;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- assignment

    /** Follows {@code can_run_instance()} in lib/pacemaker/pcmk_sched_clone.c. */
    private static NodeScore canRunInstance(Resource rsc, Node node, int limit) {
        if (node == null) {
            for (NodeScore ns : new ArrayList<>(rsc.allowedNodes.values())) {
                canRunInstance(rsc, ns.node, limit);
            }
            return null;
        }
        if (!Locations.available(node, false, false) || rsc.is(ORPHAN)) {
            updateScoreRecursive(rsc, node, -Score.INFINITY);
            return null;
        }
        NodeScore local = topAllowedNode(rsc, node);
        if (local == null) {
            updateScoreRecursive(rsc, node, -Score.INFINITY);
            return null;
        } else if (local.weight < 0) {
            updateScoreRecursive(rsc, node, local.weight);
            updateScoreRecursive(rsc, node, -Score.INFINITY);
            return null;
        } else if (local.count < limit) {
            return local;
        }
        updateScoreRecursive(rsc, node, -Score.INFINITY);
        return null;
    }

    /** Follows {@code common_update_score()} in lib/pengine/complex.c. */
    static void updateScoreRecursive(Resource rsc, Node node, int score) {
        NodeScore ns = rsc.allowedNodes.get(node);
        if (ns != null) {
            ns.weight = Score.add(ns.weight, score);
        }
        for (Resource c : rsc.children) {
            updateScoreRecursive(c, node, score);
        }
    }

    /** Follows {@code pcmk__top_allowed_node()} in lib/pacemaker/pcmk_sched_nodes.c. */
    static NodeScore topAllowedNode(Resource rsc, Node node) {
        if (rsc == null || node == null) {
            return null;
        }
        Map<Node, NodeScore> allowed = rsc.parent == null ? rsc.allowedNodes : rsc.parent.allowedNodes;
        return allowed.get(node);
    }

    /**
     * The parent's (clone's or bundle's) colocations, applied to an instance. Follows {@code
     * append_parent_colocation()} in lib/pacemaker/pcmk_sched_clone.c.
     */
    private static void appendParentColocation(Resource child, boolean all) {
        Resource parent = child.parent;
        for (Colocation c : parent.thisWith) {
            if (all || c.score < 0 || c.score == Score.INFINITY) {
                Colocations.addThisWith(child, c);
            }
        }
        for (Colocation c : parent.withThis) {
            if (!Colocations.hasInfluence(c, child)) {
                continue;
            }
            if (all || c.score < 0) {
                Colocations.addWithThis(child, c);
            }
        }
    }

    /** Follows {@code allocate_instance()} in lib/pacemaker/pcmk_sched_clone.c. */
    private static NodeScore allocateInstance(WorkingSet ws, Resource rsc, Node prefer, boolean allColoc, int limit) {
        if (!rsc.is(PROVISIONAL)) {
            Node n = rsc.location(null, 0);
            return n == null ? null : new NodeScore(n, 0);
        } else if (rsc.is(ALLOCATING)) {
            return null;
        }
        appendParentColocation(rsc, allColoc);
        if (prefer != null) {
            NodeScore lp = rsc.allowedNodes.get(prefer);
            if (lp == null || lp.weight < 0) {
                return null;
            }
        }
        canRunInstance(rsc, null, limit);
        Map<Node, NodeScore> backup = Locations.copyTable(rsc.allowedNodes);
        NodeScore chosen = rsc.assign(prefer);
        if (chosen != null && prefer != null && chosen.node != prefer) {
            rsc.allowedNodes = backup;
            ws.locations.unassign(rsc);
            chosen = null;
        }
        if (chosen != null) {
            NodeScore local = topAllowedNode(rsc, chosen.node);
            if (local != null) {
                local.count++;
            }
        }
        return chosen;
    }

    /**
     * Assigns clone instances (or bundle containers) to nodes. Follows {@code distribute_children()} in
     * lib/pacemaker/pcmk_sched_clone.c.
     */
    static void distributeChildren(WorkingSet ws, List<Resource> kids, List<NodeScore> nodes, int max, int perHostMax) {
        int allocated = 0;
        int availableNodes = 0;
        for (NodeScore ns : nodes) {
            ns.count = 0;
            if (Locations.available(ns.node, false, false)) {
                availableNodes++;
            }
        }
        boolean allColoc = max < availableNodes;
        int loopMax = availableNodes > 0 ? max / availableNodes : 0;
        if (loopMax < 1) {
            loopMax = 1;
        }
        for (Resource child : kids) {
            if (allocated >= max) {
                break;
            }
            if (child.runningOn.isEmpty() || !child.is(PROVISIONAL) || child.is(FAILED)) {
                continue;
            }
            Node childNode = child.currentNode();
            NodeScore local = topAllowedNode(child, childNode);
            if (!Locations.available(childNode.copy(), true, false)) {
                continue;
            }
            if (local != null && local.count >= loopMax) {
                continue;
            }
            if (allocateInstance(ws, child, childNode, allColoc, perHostMax) != null) {
                allocated++;
            }
        }
        for (Resource child : kids) {
            if (!child.is(PROVISIONAL)) {
                // already assigned
            } else if (allocated >= max) {
                ws.resourceLocation(child, null, -Score.INFINITY, "clone:limit_reached");
            } else if (allocateInstance(ws, child, null, allColoc, perHostMax) != null) {
                allocated++;
            }
        }
    }

    /** Follows {@code pcmk__clone_allocate()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public NodeScore assign(Node prefer) {
        if (!is(PROVISIONAL)) {
            return null;
        } else if (is(ALLOCATING)) {
            return null;
        }
        if (is(PROMOTABLE)) {
            Promotable.addPromotionScores(ws, this);
        }
        set(ALLOCATING);
        for (Colocation c : new ArrayList<>(thisWith)) {
            c.primary.assign(prefer);
        }
        for (Colocation c : new ArrayList<>(withThis)) {
            if (Colocations.hasInfluence(c, null)) {
                float factor = c.score / (float) Score.INFINITY;
                allowedNodes = ws.colocations.addColocatedNodeScores(c.dependent, id, allowedNodes,
                    c.nodeAttribute, factor, Colocations.SELECT_ACTIVE | Colocations.SELECT_NONNEGATIVE);
            }
        }
        ws.scores.show(this, "pcmk__clone_allocate", allowedNodes);
        List<NodeScore> nodes = new ArrayList<>(allowedNodes.values());
        ws.locations.sortNodes(nodes, null);
        sortChildrenByInstance();
        distributeChildren(ws, children, nodes, cloneMax, cloneNodeMax);
        if (is(PROMOTABLE)) {
            Promotable.setInstanceRoles(ws, this);
        }
        clear(PROVISIONAL | ALLOCATING);
        return null;
    }

    private void sortChildrenByInstance() {
        List<Resource> sorted = mergeSort(children, (a, b) -> ws.clones.cmpInstance(a, b));
        children.clear();
        children.addAll(sorted);
    }

    void sortChildrenByNumber() {
        List<Resource> sorted = mergeSort(children, Clone::cmpInstanceNumber);
        children.clear();
        children.addAll(sorted);
    }

    /** GLib-style stable merge sort that tolerates inconsistent comparators. */
    static <T> List<T> mergeSort(List<T> list, java.util.Comparator<T> cmp) {
        if (list.size() < 2) {
            return new ArrayList<>(list);
        }
        int mid = (list.size() + 1) / 2;
        List<T> l = mergeSort(list.subList(0, mid), cmp);
        List<T> r = mergeSort(list.subList(mid, list.size()), cmp);
        List<T> out = new ArrayList<>(list.size());
        int i = 0;
        int j = 0;
        while (i < l.size() && j < r.size()) {
            if (cmp.compare(l.get(i), r.get(j)) <= 0) {
                out.add(l.get(i++));
            } else {
                out.add(r.get(j++));
            }
        }
        while (i < l.size()) {
            out.add(l.get(i++));
        }
        while (j < r.size()) {
            out.add(r.get(j++));
        }
        return out;
    }

    /** Follows {@code pcmk__cmp_instance_number()} in lib/pacemaker/pcmk_sched_resource.c. */
    static int cmpInstanceNumber(Resource a, Resource b) {
        return Long.signum(instanceNumber(a) - instanceNumber(b));
    }

    static long instanceNumber(Resource r) {
        int d = r.id.lastIndexOf(':');
        if (d < 0) {
            d = r.id.lastIndexOf('-');
        }
        return Score.parseLeadingLong(r.id.substring(d + 1), 0);
    }

    // ---------------------------------------------------------------- actions

    /** Follows {@code clone_update_pseudo_status()} in lib/pacemaker/pcmk_sched_clone.c. */
    private static boolean[] updatePseudoStatus(Resource rsc, boolean[] st) {
        // st = {stopping, starting, active}
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                updatePseudoStatus(c, st);
            }
            return st;
        }
        if (!rsc.runningOn.isEmpty()) {
            st[2] = true;
        }
        for (int i = rsc.actions.size() - 1; i >= 0; i--) {
            Action a = rsc.actions.get(i);
            if (st[1] && st[0]) {
                return st;
            } else if (a.isOptional()) {
                continue;
            } else if (!a.is(Action.PSEUDO) && !a.isRunnable()) {
                continue;
            } else if ("stop".equalsIgnoreCase(a.task)) {
                st[0] = true;
            } else if ("start".equalsIgnoreCase(a.task)) {
                if (a.isRunnable()) {
                    st[1] = true;
                }
            }
        }
        return st;
    }

    /**
     * clone_create_pseudo_actions (shared with bundles). Follows {@code clone_create_pseudo_actions()} in
     * lib/pacemaker/pcmk_sched_clone.c.
     */
    static Notifications.Data[] createPseudoActions(WorkingSet ws, Resource rsc, List<Resource> kids,
                                                    boolean withNotify) {
        boolean childActive = false;
        boolean childStarting = false;
        boolean childStopping = false;
        boolean allowDependentMigrations = true;
        for (Resource child : kids) {
            child.createActions();
            boolean[] st = updatePseudoStatus(child, new boolean[3]);
            if (st[0] && st[1]) {
                allowDependentMigrations = false;
            }
            childStopping |= st[0];
            childStarting |= st[1];
            childActive |= st[2];
        }
        Action start = ws.newRscPseudoAction(rsc, "start", !childStarting, true);
        Action started = ws.newRscPseudoAction(rsc, "running", !childStarting, false);
        started.priority = Score.INFINITY;
        if (childActive || childStarting) {
            started.set(Action.RUNNABLE);
        }
        Notifications.Data sn = null;
        Notifications.Data tn = null;
        if (withNotify) {
            sn = Notifications.cloneNotifPseudoOps(ws, rsc, "start", start, started);
        }
        Action stop = ws.newRscPseudoAction(rsc, "stop", !childStopping, true);
        Action stopped = ws.newRscPseudoAction(rsc, "stopped", !childStopping, true);
        stopped.priority = Score.INFINITY;
        if (allowDependentMigrations) {
            stop.set(Action.MIGRATE_RUNNABLE);
        }
        if (withNotify) {
            tn = Notifications.cloneNotifPseudoOps(ws, rsc, "stop", stop, stopped);
            if (sn != null && tn != null) {
                ws.orderActions(tn.postDone, sn.pre, Ordering.OPTIONAL);
            }
        }
        return new Notifications.Data[] {sn, tn};
    }

    /** Follows {@code find_rsc_action()} in lib/pacemaker/pcmk_sched_clone.c. */
    private static Action findRscAction(Resource rsc, String task) {
        Action match = null;
        for (Action op : WorkingSet.resourceActions(rsc, null, task, false)) {
            if (!op.isOptional()) {
                if (match != null) {
                    return null;
                }
                match = op;
            }
        }
        return match;
    }

    /** Follows {@code child_ordering_constraints()} in lib/pacemaker/pcmk_sched_clone.c. */
    private void childOrderingConstraints() {
        if (!ordered) {
            return;
        }
        sortChildrenByNumber();
        Action lastStop = null;
        Action lastStart = null;
        for (Resource child : children) {
            Action stop = findRscAction(child, "stop");
            if (stop != null) {
                if (lastStop != null) {
                    ws.orderActions(stop, lastStop, Ordering.OPTIONAL);
                }
                lastStop = stop;
            }
            Action start = findRscAction(child, "start");
            if (start != null) {
                if (lastStart != null) {
                    ws.orderActions(lastStart, start, Ordering.OPTIONAL);
                }
                lastStart = start;
            }
        }
    }

    /** Follows {@code clone_create_actions()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public void createActions() {
        Notifications.Data[] n = createPseudoActions(ws, this, children, startNotify == null);
        if (startNotify == null) {
            startNotify = n[0];
        }
        if (stopNotify == null) {
            stopNotify = n[1];
        }
        childOrderingConstraints();
        if (is(PROMOTABLE)) {
            Promotable.createActions(ws, this);
        }
    }

    /** Follows {@code clone_create_probe()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public boolean createProbe(Node node) {
        sortChildrenByNumber();
        if (children.isEmpty()) {
            return false;
        }
        if (exclusiveDiscover) {
            NodeScore allowed = allowedNodes.get(node);
            if (allowed != null && allowed.discoverMode != NodeScore.DISCOVER_EXCLUSIVE) {
                allowedNodes.remove(node);
                return false;
            }
        }
        if (is(UNIQUE)) {
            return ws.probes.probeResourceList(children, node);
        }
        Resource child = findInstanceOn(node);
        if (child == null) {
            for (Resource c : children) {
                Node local = c.location(null, 0);
                if (local != null && local == node) {
                    child = c;
                    break;
                }
            }
        }
        if (child == null) {
            child = children.get(0);
        }
        return child.createProbe(node);
    }

    /** Follows {@code rsc_known_on()} in lib/pacemaker/pcmk_sched_clone.c. */
    private static boolean rscKnownOn(Resource rsc, Node node) {
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                if (rscKnownOn(c, node)) {
                    return true;
                }
            }
            return false;
        }
        return rsc.knownOn.contains(node);
    }

    /** Follows {@code find_instance_on()} in lib/pacemaker/pcmk_sched_clone.c. */
    private Resource findInstanceOn(Node node) {
        for (Resource c : children) {
            if (rscKnownOn(c, node)) {
                return c;
            }
        }
        return null;
    }

    /** Follows {@code clone_internal_constraints()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public void internalConstraints() {
        ws.orderResourceActions(this, "stopped", this, "start", Ordering.OPTIONAL);
        ws.orderResourceActions(this, "start", this, "running", Ordering.RUNNABLE_LEFT);
        ws.orderResourceActions(this, "stop", this, "stopped", Ordering.RUNNABLE_LEFT);
        if (is(PROMOTABLE)) {
            ws.orderResourceActions(this, "demoted", this, "stop", Ordering.OPTIONAL);
            ws.orderResourceActions(this, "running", this, "promote", Ordering.RUNNABLE_LEFT);
        }
        if (ordered) {
            sortChildrenByNumber();
        }
        Resource last = null;
        for (Resource child : children) {
            child.internalConstraints();
            ws.orderResourceActions(this, "start", child, "start",
                Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_FIRST_PRINTED);
            ws.orderResourceActions(child, "start", this, "running", Ordering.IMPLIES_THEN_PRINTED);
            if (ordered && last != null) {
                ws.orderResourceActions(last, "start", child, "start", Ordering.OPTIONAL);
            }
            ws.orderResourceActions(this, "stop", child, "stop", Ordering.IMPLIES_FIRST_PRINTED);
            ws.orderResourceActions(child, "stop", this, "stopped", Ordering.IMPLIES_THEN_PRINTED);
            if (ordered && last != null) {
                ws.orderResourceActions(child, "stop", last, "stop", Ordering.OPTIONAL);
            }
            last = child;
        }
        if (is(PROMOTABLE)) {
            Promotable.orderPromotableInstances(ws, this);
        }
    }

    /** Follows {@code pcmk__clone_apply_coloc_score()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public void applyColocScore(Resource dependent, Resource primary, Colocation c, boolean forDependent) {
        if (forDependent) {
            // A clone as dependent applies its colocations through its instances
            return;
        }
        if (dependent.variant != Variant.PRIMITIVE) {
            return;
        }
        if (primary.is(PROMOTABLE)) {
            if (primary.is(PROVISIONAL)) {
                return;
            } else if (c.primaryRole == Role.UNKNOWN) {
                // handle normally
            } else if (dependent.is(PROVISIONAL)) {
                Promotable.updateDependentWithPromotable(ws, primary, dependent, c);
                return;
            } else if (c.dependentRole == Role.PROMOTED) {
                Promotable.updatePromotableDependentPriority(ws, primary, dependent, c);
                return;
            }
        }
        boolean interleave = false;
        if (Util.isTrue(c.dependent.meta.get("interleave"))
            && c.dependent.variant.ordinal() > Variant.GROUP.ordinal()) {
            if (copiesPerNode(c.dependent) != copiesPerNode(c.primary)) {
                ws.warn("Cannot interleave " + c.dependent.id + " and " + c.primary.id
                    + " because they do not support the same number of instances per node");
            } else {
                interleave = true;
            }
        }
        if (primary.is(PROVISIONAL)) {
            return;
        } else if (interleave) {
            Resource primaryInstance = findCompatibleChild(ws, dependent, primary, Role.UNKNOWN, false);
            if (primaryInstance != null) {
                dependent.applyColocScore(dependent, primaryInstance, c, true);
            } else if (c.score >= Score.INFINITY) {
                ws.locations.assignResource(dependent, null, true);
            }
            return;
        } else if (c.score >= Score.INFINITY) {
            List<Node> affected = new ArrayList<>();
            for (Resource child : primary.children) {
                Node chosen = child.location(null, 0);
                if (chosen != null && !isSetRecursive(child, BLOCK, true)) {
                    affected.add(0, chosen);
                }
            }
            nodeListExclude(dependent.allowedNodes, affected);
            return;
        }
        for (Resource child : primary.children) {
            child.applyColocScore(dependent, child, c, false);
        }
    }

    /**
     * node_list_exclude without merging: nodes not in the list get -INFINITY. Follows {@code node_list_exclude()} in
     * lib/pengine/utils.c.
     */
    private static void nodeListExclude(Map<Node, NodeScore> hash, List<Node> list) {
        for (NodeScore ns : hash.values()) {
            if (!list.contains(ns.node)) {
                ns.weight = -Score.INFINITY;
            }
        }
        for (Node n : list) {
            if (!hash.containsKey(n)) {
                NodeScore c = n.copy();
                c.weight = -Score.INFINITY;
                hash.put(n, c);
            }
        }
    }

    /**
     * The task the children perform for a clone action. Follows {@code clone_child_action()} in
     * lib/pacemaker/pcmk_sched_clone.c.
     */
    static String childTask(Action action) {
        Resource child = action.rsc.children.isEmpty() ? null : action.rsc.children.get(0);
        if ("notify".equalsIgnoreCase(action.task) || "notified".equalsIgnoreCase(action.task)) {
            String key = action.uuid;
            int stop = 0;
            for (int lpc = key.length() - 1; lpc > 0; lpc--) {
                if (key.charAt(lpc) == '_' && stop == 0) {
                    stop = lpc;
                } else if (key.charAt(lpc) == '_') {
                    lpc++;
                    return complexTask(child, key.substring(lpc, stop));
                }
            }
            return "no_action";
        }
        return complexTask(child, action.task);
    }

    /** Follows {@code summary_action_flags()} in lib/pacemaker/pcmk_sched_clone.c. */
    static int summaryActionFlags(Action action, List<Resource> kids, Node node) {
        boolean anyRunnable = false;
        String task = childTask(action);
        int flags = Action.OPTIONAL | Action.RUNNABLE | Action.PSEUDO;
        for (Resource child : kids) {
            Action childAction = WorkingSet.findFirstAction(child, task,
                child.children.isEmpty() ? node : null);
            if (childAction != null) {
                int childFlags = child.actionFlags(childAction, node);
                if ((flags & Action.OPTIONAL) != 0 && (childFlags & Action.OPTIONAL) == 0) {
                    flags &= ~Action.OPTIONAL;
                    action.clear(Action.OPTIONAL);
                }
                if ((childFlags & Action.RUNNABLE) != 0) {
                    anyRunnable = true;
                }
            }
        }
        if (!anyRunnable) {
            flags &= ~Action.RUNNABLE;
            if (node == null) {
                action.clear(Action.RUNNABLE);
            }
        }
        return flags;
    }

    /** Follows {@code clone_action_flags()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public int actionFlags(Action action, Node node) {
        return summaryActionFlags(action, action.rsc.children, node);
    }

    /** Follows {@code pcmk__multi_update_actions()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public int updateOrderedActions(Action first, Action then, Node node, int flags, int filter, int type) {
        return ws.clones.multiUpdateActions(first, then, node, flags, filter, type);
    }

    /** Follows {@code clone_rsc_location()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public void applyLocation(Location location) {
        ws.locations.applyLocation(this, location);
        for (Resource c : children) {
            c.applyLocation(location);
        }
    }

    /** Follows {@code pcmk__output_resource_actions()} in lib/pacemaker/pcmk_sched_resource.c. */
    @Override
    public void outputActions(Output out) {
        for (Resource c : children) {
            c.outputActions(out);
        }
    }

    /** Follows {@code pcmk__clone_add_utilization()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public void addUtilization(Resource orig, List<Resource> all, Map<String, Integer> util) {
        if (!is(PROVISIONAL)) {
            return;
        }
        boolean existing = false;
        for (Resource child : children) {
            if (all.contains(child)) {
                existing = true;
            } else {
                for (Resource m : child.children) {
                    if (all.contains(m)) {
                        child.addUtilization(orig, all, util);
                        existing = true;
                        break;
                    }
                }
            }
        }
        if (!existing && !children.isEmpty()) {
            children.get(0).addUtilization(orig, all, util);
        }
    }

    /** Follows {@code pcmk__clone_shutdown_lock()} in lib/pacemaker/pcmk_sched_clone.c. */
    @Override
    public void shutdownLock() {
        // clones do not support shutdown locks
    }
}
