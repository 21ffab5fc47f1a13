package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.ActionLink;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Behaviour shared by clones and bundles: comparing instances for placement order, and propagating orderings
 * into instances (interleaved or not).
 *
 * <p>Follows the instance helpers of lib/pacemaker/pcmk_sched_clone.c and lib/pacemaker/pcmk_sched_resource.c
 * ({@code pcmk__cmp_instance()}, {@code pcmk__multi_update_actions()}).
 */
public final class Clones {

    private final WorkingSet ws;

    public Clones(WorkingSet ws) {
        this.ws = ws;
    }

    /** Follows {@code did_fail()} in lib/pacemaker/pcmk_sched_resource.c. */
    private static boolean didFail(Resource rsc) {
        if (rsc.is(Resource.FAILED)) {
            return true;
        }
        for (Resource c : rsc.children) {
            if (didFail(c)) {
                return true;
            }
        }
        return false;
    }

    /** Follows {@code pcmk__top_allowed_node()} in lib/pacemaker/pcmk_sched_nodes.c. */
    private static Node nodeIfAllowed(Resource rsc, Node node) {
        if (node != null) {
            NodeScore allowed = rsc.allowedNodes.get(node);
            if (allowed == null || allowed.weight < 0) {
                return null;
            }
        }
        return node;
    }

    /** Follows {@code apply_parent_colocations()} in lib/pacemaker/pcmk_sched_resource.c. */
    private Map<Node, NodeScore> applyParentColocations(Resource rsc, Map<Node, NodeScore> nodes) {
        for (Colocation c : new ArrayList<>(rsc.parent.thisWith)) {
            nodes = ws.colocations.addColocatedNodeScores(c.primary, rsc.id, nodes, c.nodeAttribute,
                c.score / (float) org.vigil.crm.internal.cib.Score.INFINITY, Colocations.SELECT_DEFAULT);
        }
        for (Colocation c : new ArrayList<>(rsc.parent.withThis)) {
            if (!Colocations.hasInfluence(c, rsc)) {
                continue;
            }
            nodes = ws.colocations.addColocatedNodeScores(c.dependent, rsc.id, nodes, c.nodeAttribute,
                c.score / (float) org.vigil.crm.internal.cib.Score.INFINITY, Colocations.SELECT_NONNEGATIVE);
        }
        return nodes;
    }

    /** Follows {@code cmp_instance_by_colocation()} in lib/pacemaker/pcmk_sched_resource.c. */
    private int cmpByColocation(Resource i1, Resource i2) {
        Node c1 = i1.currentNode();
        Node c2 = i2.currentNode();
        Map<Node, NodeScore> s1 = new java.util.LinkedHashMap<>();
        s1.put(c1, c1.copy());
        Map<Node, NodeScore> s2 = new java.util.LinkedHashMap<>();
        s2.put(c2, c2.copy());
        s1 = applyParentColocations(i1, s1);
        s2 = applyParentColocations(i2, s2);
        NodeScore n1 = s1.get(c1);
        NodeScore n2 = s2.get(c2);
        if (n1.weight < n2.weight) {
            return 1;
        } else if (n1.weight > n2.weight) {
            return -1;
        }
        return 0;
    }

    /**
     * Which clone instance to place first. Follows {@code pcmk__cmp_instance()} in
     * lib/pacemaker/pcmk_sched_resource.c.
     */
    int cmpInstance(Resource a, Resource b) {
        int[] ca = new int[2];
        int[] cb = new int[2];
        Node n1 = a.findActiveOn(ca);
        Node n2 = b.findActiveOn(cb);
        int nn1 = ca[0];
        int nn2 = cb[0];
        if (nn1 > 0 && nn2 > 0) {
            if (nn1 < nn2) {
                return -1;
            } else if (nn1 > nn2) {
                return 1;
            }
        }
        boolean can1 = true;
        boolean can2 = true;
        if (n1 != null && nodeIfAllowed(a, n1) == null) {
            n1 = null;
            can1 = false;
        }
        if (n2 != null && nodeIfAllowed(b, n2) == null) {
            n2 = null;
            can2 = false;
        }
        if (can1 && !can2) {
            return -1;
        } else if (!can1 && can2) {
            return 1;
        }
        if (a.priority > b.priority) {
            return -1;
        } else if (a.priority < b.priority) {
            return 1;
        }
        if (n1 == null && n2 == null) {
            return 0;
        } else if (n1 == null) {
            return 1;
        } else if (n2 == null) {
            return -1;
        }
        can1 = Locations.available(n1, false, false);
        can2 = Locations.available(n2, false, false);
        if (can1 && !can2) {
            return -1;
        } else if (!can1 && can2) {
            return 1;
        }
        NodeScore t1 = Clone.topAllowedNode(a, n1);
        NodeScore t2 = Clone.topAllowedNode(b, n2);
        if (t1 == null && t2 == null) {
            return 0;
        } else if (t1 == null) {
            return 1;
        } else if (t2 == null) {
            return -1;
        }
        if (t1.count < t2.count) {
            return -1;
        } else if (t1.count > t2.count) {
            return 1;
        }
        can1 = didFail(a);
        can2 = didFail(b);
        if (!can1 && can2) {
            return -1;
        } else if (can1 && !can2) {
            return 1;
        }
        int rc = cmpByColocation(a, b);
        if (rc != 0) {
            return rc;
        }
        return Clone.cmpInstanceNumber(a, b);
    }

    // ---------------------------------------------------------------- orderings into instances

    /** Follows {@code can_interleave_actions()} in lib/pacemaker/pcmk_sched_bundle.c. */
    private static boolean canInterleaveActions(Action first, Action then) {
        if (first.rsc == null || then.rsc == null || first.rsc == then.rsc) {
            return false;
        }
        if (first.rsc.variant.ordinal() < Resource.Variant.CLONE.ordinal()
            || then.rsc.variant.ordinal() < Resource.Variant.CLONE.ordinal()) {
            return false;
        }
        Resource rsc;
        if (then.uuid.endsWith("_stop_0") || then.uuid.endsWith("_demote_0")) {
            rsc = first.rsc;
        } else {
            rsc = then.rsc;
        }
        return Util.isTrue(rsc.meta.get("interleave"));
    }

    /** Follows {@code multi_update_interleave_actions()} in lib/pacemaker/pcmk_sched_bundle.c. */
    private int multiUpdateInterleaveActions(Action first, Action then, Node node, int filter, int type) {
        boolean current = first.uuid.endsWith("_stopped_0") || first.uuid.endsWith("_demoted_0");
        int changed = Orderings.UPDATED_NONE;
        for (Resource thenChild : new ArrayList<>(Clone.containersOrChildren(then.rsc))) {
            Resource firstChild = Clone.findCompatibleChild(ws, thenChild, first.rsc, Role.UNKNOWN, current);
            if (firstChild == null && current) {
                // nothing
            } else if (firstChild == null) {
                if ((type & (Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN)) != 0) {
                    if (ws.locations.assignResource(thenChild, null, true)) {
                        changed |= Orderings.UPDATED_THEN;
                    }
                }
            } else {
                String firstTask = Clone.childTask(first);
                Action firstAction;
                Action thenAction;
                Bundle.Replica firstReplica = Bundle.replicaForContainer(first.rsc, firstChild, node);
                if (first.task.contains("stop") && firstReplica != null && firstReplica.child != null) {
                    firstAction = WorkingSet.findFirstAction(firstReplica.child, firstTask, node);
                } else {
                    firstAction = WorkingSet.findFirstAction(firstChild, firstTask, node);
                }
                Bundle.Replica thenReplica = Bundle.replicaForContainer(then.rsc, thenChild, node);
                if (then.task.contains("mote") && thenReplica != null && thenReplica.child != null) {
                    thenAction = WorkingSet.findFirstAction(thenReplica.child, then.task, node);
                } else {
                    thenAction = WorkingSet.findFirstAction(thenChild, then.task, node);
                }
                if (firstAction == null || thenAction == null) {
                    continue;
                }
                if (ws.orderActions(firstAction, thenAction, type)) {
                    changed |= Orderings.UPDATED_FIRST | Orderings.UPDATED_THEN;
                }
                changed |= thenChild.updateOrderedActions(firstAction, thenAction, node,
                    firstChild.actionFlags(firstAction, node), filter, type);
            }
        }
        return changed;
    }

    /** Follows {@code pcmk__multi_update_actions()} in lib/pacemaker/pcmk_sched_bundle.c. */
    int multiUpdateActions(Action first, Action then, Node node, int flags, int filter, int type) {
        int changed = Orderings.UPDATED_NONE;
        if (canInterleaveActions(first, then)) {
            changed = multiUpdateInterleaveActions(first, then, node, filter, type);
        } else if (then.rsc != null) {
            changed |= ws.orderings.updateOrderedActions(first, then, node, flags, filter, type);
            for (Resource thenChild : new ArrayList<>(Clone.containersOrChildren(then.rsc))) {
                Action childAction = WorkingSet.findFirstAction(thenChild, then.task, node);
                if (childAction != null) {
                    int childFlags = thenChild.actionFlags(childAction, node);
                    int childChanged = Orderings.UPDATED_NONE;
                    if ((childFlags & Action.RUNNABLE) != 0) {
                        childChanged |= thenChild.updateOrderedActions(first, childAction, node, flags, filter,
                            type);
                    }
                    changed |= childChanged;
                    if ((childChanged & Orderings.UPDATED_THEN) != 0) {
                        List<ActionLink> after = childAction.after;
                        for (int i = after.size() - 1; i >= 0; i--) {
                            ws.orderings.updateActionForOrderings(after.get(i).action);
                        }
                    }
                }
            }
        }
        return changed;
    }
}
