package org.vigil.crm.internal.scheduler.schedule;

import java.util.List;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Orderings between fencing and resource actions (Pacemaker's pcmk_sched_fencing.c): stops on a fenced node
 * become pseudo-actions implied by the fencing, starts wait for it, and unfencing precedes resources that need it.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_fencing.c.
 */
final class Fencing {

    private Fencing() {
    }

    /** Follows {@code rsc_is_known_on()} in lib/pacemaker/pcmk_sched_fencing.c. */
    private static boolean rscIsKnownOn(Resource rsc, Node node) {
        if (rsc.knownOn.contains(node)) {
            return true;
        }
        return rsc.variant == Resource.Variant.PRIMITIVE && rsc.parent != null && rsc.parent.isAnonClone()
            && rsc.parent.knownOn.contains(node);
    }

    /** Follows {@code order_start_vs_fencing()} in lib/pacemaker/pcmk_sched_fencing.c. */
    private static void orderStartVsFencing(WorkingSet ws, Resource rsc, Action stonith) {
        Node target = stonith.node;
        for (Action action : new java.util.ArrayList<>(rsc.actions)) {
            switch (action.needs) {
                case FENCING -> ws.orderActions(stonith, action, Ordering.OPTIONAL);
                case QUORUM -> {
                    if ("start".equalsIgnoreCase(action.task) && rsc.allowedNodes.containsKey(target)
                        && !rscIsKnownOn(rsc, target)) {
                        ws.orderActions(stonith, action, Ordering.OPTIONAL | Ordering.RUNNABLE_LEFT);
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Follows {@code order_stop_vs_fencing()} in lib/pacemaker/pcmk_sched_fencing.c. */
    private static void orderStopVsFencing(WorkingSet ws, Resource rsc, Action stonith) {
        Node target = stonith.node;
        Resource top = rsc.top();
        List<Action> stops = WorkingSet.resourceActions(rsc, target, "stop", false);
        boolean orderImplicit = rsc.is(Resource.NEEDS_FENCING) || target.isGuest();
        Action parentStop = null;
        if (!stops.isEmpty() && orderImplicit) {
            parentStop = WorkingSet.findFirstAction(top, "stop", null);
        }
        for (Action action : stops) {
            action.set(Action.PSEUDO | Action.RUNNABLE);
            if (orderImplicit) {
                action.set(Action.IMPLIED_BY_STONITH);
                if (!rsc.isBundled()) {
                    ws.orderActions(stonith, action, Ordering.PRESERVE);
                }
                ws.orderActions(stonith, parentStop, Ordering.PRESERVE);
            }
            if (rsc.is(Resource.NOTIFY)) {
                Notifications.orderNotifsAfterFencing(ws, action, rsc, stonith);
            }
        }
        for (Action action : WorkingSet.resourceActions(rsc, target, "demote", false)) {
            if (!action.node.online || action.node.unclean || rsc.is(Resource.FAILED)) {
                action.set(Action.PSEUDO | Action.RUNNABLE);
                if (rsc.isBundled()) {
                    // ordered after the parent's implied stop
                } else if (orderImplicit) {
                    ws.orderActions(stonith, action, Ordering.PRESERVE | Ordering.OPTIONAL);
                }
            }
        }
    }

    /** Follows {@code rsc_stonith_ordering()} in lib/pacemaker/pcmk_sched_fencing.c. */
    private static void rscStonithOrdering(WorkingSet ws, Resource rsc, Action stonith) {
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                rscStonithOrdering(ws, c, stonith);
            }
        } else if (!rsc.is(Resource.MANAGED)) {
            // unmanaged
        } else {
            orderStartVsFencing(ws, rsc, stonith);
            orderStopVsFencing(ws, rsc, stonith);
        }
    }

    /** Follows {@code pcmk__order_vs_fence()} in lib/pacemaker/pcmk_sched_fencing.c. */
    static void orderVsFence(WorkingSet ws, Action stonith) {
        for (Resource r : new java.util.ArrayList<>(ws.resources)) {
            rscStonithOrdering(ws, r, stonith);
        }
    }

    /** Follows {@code pcmk__order_vs_unfence()} in lib/pacemaker/pcmk_sched_fencing.c. */
    static void orderVsUnfence(WorkingSet ws, Resource rsc, Node node, Action action, int order) {
        if ((rsc.is(Resource.FENCE_DEVICE) && ws.is(WorkingSet.ENABLE_UNFENCING))
            || rsc.is(Resource.NEEDS_UNFENCING)) {
            Action unfence = ws.fenceOp(node, "on", true, null, false);
            ws.orderActions(unfence, action, order);
            if (!nodeUnfenced(node)) {
                ws.triggerUnfencing(null, node, "required by " + rsc.id + " " + action.task, null);
            }
        }
    }

    /** Follows {@code pcmk__node_unfenced()} in lib/pacemaker/pcmk_sched_fencing.c. */
    static boolean nodeUnfenced(Node node) {
        String u = node.attrs.get("#node-unfenced");
        return u != null && !u.equals("0");
    }

    /** Follows {@code pcmk__fence_guest()} in lib/pacemaker/pcmk_sched_fencing.c. */
    static void fenceGuest(WorkingSet ws, Node node) {
        Resource container = node.remoteRsc.container;
        Action stop = null;
        String fenceAction = "off";
        if (container != null) {
            stop = WorkingSet.findFirstAction(container, "stop", null);
            if (WorkingSet.findFirstAction(container, "start", null) != null) {
                fenceAction = "reboot";
            }
        }
        Action stonith = ws.fenceOp(node, fenceAction, false, "guest is unclean", false);
        stonith.set(Action.PSEUDO | Action.RUNNABLE);
        if (stop != null && stop.is(Action.PSEUDO)) {
            Action parentStonith = ws.fenceOp(stop.node, null, false, null, false);
            ws.orderActions(parentStonith, stonith, Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN);
        } else if (stop != null) {
            ws.orderActions(stop, stonith, Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN);
        } else {
            stop = WorkingSet.findFirstAction(node.remoteRsc, "stop", null);
            if (stop != null) {
                ws.orderActions(stop, stonith, Ordering.OPTIONAL);
            }
        }
        orderVsFence(ws, stonith);
    }

    /** Follows {@code pcmk__order_restart_vs_unfence()} in lib/pacemaker/pcmk_sched_fencing.c. */
    static void orderRestartVsUnfence(WorkingSet ws, Resource rsc, Node node) {
        Action unfence = ws.fenceOp(node, "on", true, null, false);
        ws.newOrdering(rsc, org.vigil.crm.internal.cib.Util.opKey(rsc.id, "stop", 0), null, null, unfence.uuid,
            unfence, Ordering.OPTIONAL | Ordering.SAME_NODE);
        ws.newOrdering(null, unfence.uuid, unfence, rsc, org.vigil.crm.internal.cib.Util.opKey(rsc.id, "start", 0),
            null, Ordering.IMPLIES_THEN_ON_NODE | Ordering.SAME_NODE);
    }
}
