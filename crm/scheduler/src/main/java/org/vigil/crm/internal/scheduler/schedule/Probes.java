package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.ActionLink;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Probes: one-shot monitors that find out whether a resource is already active on a node before the cluster
 * acts there (Pacemaker's pcmk_sched_probes.c), and their orderings.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_probes.c.
 */
public final class Probes {

    private final WorkingSet ws;

    public Probes(WorkingSet ws) {
        this.ws = ws;
    }

    /** Follows {@code pcmk__probe_resource_list()} in lib/pacemaker/pcmk_sched_probes.c. */
    boolean probeResourceList(List<Resource> rscs, Node node) {
        boolean any = false;
        for (Resource r : rscs) {
            if (r.createProbe(node)) {
                any = true;
            }
        }
        return any;
    }

    /** Follows {@code probe_then_start()} in lib/pacemaker/pcmk_sched_probes.c. */
    private void probeThenStart(Resource rsc1, Resource rsc2) {
        if (rsc1.allocatedTo != null && !rsc1.knownOn.contains(rsc1.allocatedTo.node)) {
            ws.newOrdering(rsc1, Util.opKey(rsc1.id, "monitor", 0), null, rsc2, Util.opKey(rsc2.id, "start", 0),
                null, Ordering.OPTIONAL);
        }
    }

    /** Follows {@code guest_resource_will_stop()} in lib/pacemaker/pcmk_sched_probes.c. */
    private static boolean guestResourceWillStop(Node node) {
        Resource guest = node.remoteRsc.container;
        return node.remoteRequiresReset || node.unclean || guest.is(Resource.FAILED)
            || guest.nextRole == Role.STOPPED
            || (guest.role.gt(Role.STOPPED) && guest.allocatedTo != null
                && !guest.runningOn.contains(guest.allocatedTo.node));
    }

    /** Follows {@code probe_action()} in lib/pacemaker/pcmk_sched_probes.c. */
    private Action probeAction(Resource rsc, Node node) {
        Action probe = ws.customAction(rsc, rsc.key0("monitor"), "monitor", node, false, true);
        probe.clear(Action.OPTIONAL);
        Fencing.orderVsUnfence(ws, rsc, node, probe, Ordering.OPTIONAL);
        if (!rsc.runningOn.contains(node)) {
            probe.meta.put("op_target_rc", "7");
        } else if (rsc.role == Role.PROMOTED) {
            probe.meta.put("op_target_rc", "8");
        }
        return probe;
    }

    /** Follows {@code pcmk__probe_rsc_on_node()} in lib/pacemaker/pcmk_sched_probes.c. */
    public boolean probeRscOnNode(Resource rsc, Node node) {
        int flags = Ordering.OPTIONAL;
        Resource top = rsc.top();
        if (!ws.is(WorkingSet.STARTUP_PROBES)) {
            return false;
        }
        if (node.isGuestOrRemote()) {
            String cls = rsc.xml.get("class");
            if ("stonith".equals(cls)) {
                return false;
            } else if (node.isGuest() && Remote.resourceContainsGuestNode(ws, rsc) != null) {
                return false;
            } else if (rsc.isRemoteNode) {
                return false;
            }
        }
        if (!rsc.children.isEmpty()) {
            return probeResourceList(rsc.children, node);
        }
        if (rsc.container != null && !rsc.isRemoteNode) {
            return false;
        } else if (rsc.is(Resource.ORPHAN)) {
            return false;
        } else if (rsc.knownOn.contains(node)) {
            return false;
        }
        NodeScore allowed = rsc.allowedNodes.get(node);
        if (rsc.exclusiveDiscover || top.exclusiveDiscover) {
            if (allowed == null) {
                return false;
            } else if (allowed.discoverMode != NodeScore.DISCOVER_EXCLUSIVE) {
                return false;
            }
        }
        int mode = allowed == null ? node.discoverMode : allowed.discoverMode;
        if (mode == NodeScore.DISCOVER_NEVER) {
            return false;
        }
        if (node.isGuest()) {
            Resource guest = node.remoteRsc.container;
            if (guest.role == Role.STOPPED) {
                probeThenStart(guest, top);
                return false;
            } else if (guestResourceWillStop(node)) {
                ws.newOrdering(guest, Util.opKey(guest.id, "stop", 0), null, top, Util.opKey(top.id, "start", 0),
                    null, Ordering.OPTIONAL);
                return false;
            }
        }
        Action probe = probeAction(rsc, node);
        if ((rsc.is(Resource.FENCE_DEVICE) && ws.is(WorkingSet.ENABLE_UNFENCING)) || !top.isClone()) {
            top = rsc;
        }
        if (!probe.isRunnable() && rsc.runningOn.isEmpty()) {
            flags |= Ordering.RUNNABLE_LEFT;
        }
        ws.newOrdering(rsc, null, probe, top, top.key0("start"), null, flags);
        ws.newOrdering(rsc, null, probe, top, rsc.key0("reload-agent"), null, Ordering.OPTIONAL);
        return true;
    }

    /** Follows {@code pcmk__schedule_probes()} in lib/pacemaker/pcmk_sched_probes.c. */
    void scheduleProbes() {
        for (Node node : ws.nodes) {
            if (!node.online) {
                if (Remote.isFailedRemoteNode(ws, node)) {
                    ws.fenceNode(node, "the connection is unrecoverable", false);
                }
                continue;
            } else if (node.unclean) {
                continue;
            } else if (!node.rscDiscoveryEnabled) {
                continue;
            }
            String probed = node.attrs.get("probe_complete");
            if (probed != null && !Util.isTrue(probed)) {
                Action op = ws.customAction(null, "probe_again-" + node.uname, "probe_again", node, false, true);
                op.meta.put("op_no_wait", "true");
                continue;
            }
            probeResourceList(ws.resources, node);
        }
    }

    /** Follows {@code probe_needed_before_action()} in lib/pacemaker/pcmk_sched_probes.c. */
    private static boolean probeNeededBefore(Action probe, Action then) {
        if ("stonith".equalsIgnoreCase(then.task) && probe.node != null && then.node != null
            && probe.node == then.node && "on".equalsIgnoreCase(then.meta.get("stonith_action"))) {
            return false;
        }
        return !("do_shutdown".equals(then.task) && probe.node != null && then.node != null
            && probe.node != then.node);
    }

    /** Follows {@code add_probe_orderings_for_stops()} in lib/pacemaker/pcmk_sched_probes.c. */
    private void addProbeOrderingsForStops() {
        for (Ordering order : new ArrayList<>(ws.orderingConstraints)) {
            int orderFlags = Ordering.OPTIONAL;
            if (order.flags == Ordering.NONE) {
                continue;
            }
            if (order.firstRsc == null || order.firstRsc == order.thenRsc) {
                continue;
            }
            if ((order.firstAction == null && order.firstTask == null)
                || (order.thenAction == null && order.thenTask == null)) {
                continue;
            }
            if (order.firstAction != null && !"stop".equals(order.firstAction.task)) {
                continue;
            } else if (order.firstAction == null && !order.firstTask.endsWith("_stop_0")) {
                continue;
            }
            if (order.thenRsc != null && order.firstRsc.container == order.thenRsc) {
                if (order.thenAction != null && "stop".equals(order.thenAction.task)) {
                    continue;
                } else if (order.thenAction == null && order.thenTask.endsWith("_stop_0")) {
                    continue;
                }
            }
            if ((order.flags & Ordering.APPLY_FIRST_NON_MIGRATABLE) != 0) {
                orderFlags |= Ordering.APPLY_FIRST_NON_MIGRATABLE;
            }
            if ((order.flags & Ordering.SAME_NODE) != 0) {
                orderFlags |= Ordering.SAME_NODE;
            }
            if (order.flags == Ordering.ANTI_COLOCATION || order.flags == Ordering.LOAD) {
                orderFlags = order.flags;
            }
            List<Action> probes = WorkingSet.resourceActions(order.firstRsc, null, "monitor", false);
            if (probes.isEmpty()) {
                continue;
            }
            List<Action> thenActions;
            if (order.thenAction != null) {
                thenActions = List.of(order.thenAction);
            } else if (order.thenRsc != null) {
                thenActions = WorkingSet.findActions(order.thenRsc.actionsWithUuid(order.thenTask), order.thenTask,
                    null);
                if (thenActions.isEmpty()) {
                    continue;
                }
            } else {
                thenActions = List.of();
            }
            for (Action probe : probes) {
                for (Action then : thenActions) {
                    if (probeNeededBefore(probe, then)) {
                        ws.orderActions(probe, then, orderFlags);
                    }
                }
            }
        }
    }

    /** Follows {@code add_restart_orderings_for_probe()} in lib/pacemaker/pcmk_sched_probes.c. */
    private void addRestartOrderingsForProbe(Action probe, Action after) {
        if (after == null || probe == null || probe.rsc == null || probe.rsc.variant != Resource.Variant.PRIMITIVE
            || !"monitor".equalsIgnoreCase(probe.task)) {
            return;
        }
        if (after.is(Action.TRACKING)) {
            return;
        }
        after.set(Action.TRACKING);
        tracked.add(after);
        if (after.rsc != null && after.rsc.variant == Resource.Variant.PRIMITIVE && probe.rsc != after.rsc) {
            List<Action> thenActions = List.of();
            if ("start".equalsIgnoreCase(after.task)) {
                thenActions = WorkingSet.resourceActions(after.rsc, null, "stop", false);
            } else if ("promote".equalsIgnoreCase(after.task)) {
                thenActions = WorkingSet.resourceActions(after.rsc, null, "demote", false);
            }
            for (Action then : thenActions) {
                if (!then.is(Action.PSEUDO)) {
                    ws.orderActions(probe, then, Ordering.OPTIONAL);
                    if (recorded != null) {
                        recorded.add(then);
                    }
                }
            }
        }
        boolean interleave = false;
        Resource compatible = null;
        if (after.rsc != null && after.rsc.variant.ordinal() > Resource.Variant.GROUP.ordinal()) {
            interleave = Util.isTrue(after.rsc.meta.get("interleave"));
            if (interleave) {
                compatible = Clone.findCompatibleChild(ws, probe.rsc, after.rsc, Role.UNKNOWN, false);
            }
        }
        for (int i = after.after.size() - 1; i >= 0; i--) {
            ActionLink aw = after.after.get(i);
            if ((aw.type & Ordering.IMPLIES_THEN) == 0) {
                if (after.rsc == null || after.rsc.variant.ordinal() < Resource.Variant.GROUP.ordinal()
                    || probe.rsc.parent == after.rsc || aw.action.rsc == null
                    || aw.action.rsc.variant.ordinal() > Resource.Variant.GROUP.ordinal()
                    || after.rsc != aw.action.rsc.parent) {
                    continue;
                }
                if (after.rsc.variant.ordinal() > Resource.Variant.GROUP.ordinal() && interleave
                    && (compatible == null || compatible != aw.action.rsc)) {
                    continue;
                }
            }
            addRestartOrderingsForProbe(probe, aw.action);
        }
    }

    /** The orderings made by the current walk (for replaying them for the resource's other probes). */
    private List<Action> recorded;

    private static boolean sameActions(List<Action> a, List<Action> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** Actions marked while walking from one probe; cleared afterwards (only those, not all actions). */
    private final List<Action> tracked = new ArrayList<>();

    /** Follows {@code clear_actions_tracking_flag()} in lib/pacemaker/pcmk_sched_probes.c. */
    private void clearTracking() {
        for (Action a : tracked) {
            a.clear(Action.TRACKING);
        }
        tracked.clear();
    }

    /** Follows {@code add_restart_orderings_for_rsc()} in lib/pacemaker/pcmk_sched_probes.c. */
    private void addRestartOrderingsForRsc(Resource rsc) {
        if (rsc.variant != Resource.Variant.PRIMITIVE) {
            for (Resource c : rsc.children) {
                addRestartOrderingsForRsc(c);
            }
            return;
        }
        // The walk from a probe depends only on the probe's resource and the actions the probe is ordered
        // before, so the probes of one resource on every node (identical in both) replay the first walk's
        // orderings instead of walking again (the walk is what makes crm_simulate's cost grow faster than
        // nodes x resources).
        List<Action> memoTargets = null;
        List<Action> memoThens = null;
        for (Action probe : WorkingSet.resourceActions(rsc, null, "monitor", false)) {
            List<Action> targets = new ArrayList<>(probe.after.size());
            for (ActionLink l : probe.after) {
                targets.add(l.action);
            }
            if (memoTargets != null && sameActions(memoTargets, targets)) {
                for (Action then : memoThens) {
                    ws.orderActions(probe, then, Ordering.OPTIONAL);
                }
                continue;
            }
            recorded = new ArrayList<>();
            for (int i = probe.after.size() - 1; i >= 0; i--) {
                ActionLink then = probe.after.get(i);
                addRestartOrderingsForProbe(probe, then.action);
                clearTracking();
            }
            memoTargets = targets;
            memoThens = recorded;
            recorded = null;
        }
    }

    /** Follows {@code pcmk__order_probes()} in lib/pacemaker/pcmk_sched_probes.c. */
    void orderProbes() {
        for (Resource r : ws.resources) {
            addRestartOrderingsForRsc(r);
        }
        addProbeOrderingsForStops();
    }
}
