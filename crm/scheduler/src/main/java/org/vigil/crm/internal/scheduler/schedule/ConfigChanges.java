package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.Digests;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;

/**
 * Resource definition changes since operations ran (Pacemaker's pcmk__handle_rsc_config_changes and
 * pcmk__check_action_config): orphaned recurring operations are cancelled, changed agents are cleaned up and
 * restarted, changed parameters lead to a restart, a reload or a rescheduled monitor.
 *
 * <p>Follows {@code pcmk__handle_rsc_config_changes()} in lib/pacemaker/pcmk_sched_allocate.c and {@code
 * pcmk__check_action_config()} in lib/pacemaker/pcmk_sched_actions.c.
 */
final class ConfigChanges {

    /** Follows {@code pcmk__handle_rsc_config_changes()} in lib/pacemaker/pcmk_sched_actions.c. */
    private ConfigChanges() {
    }

    /** Follows {@code action_in_config()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static boolean actionInConfig(WorkingSet ws, Resource rsc, String task, long interval) {
        return ws.findRscOpEntry(rsc, Util.opKey(rsc.id, task, interval), false) != null;
    }

    /** Follows {@code task_for_digest()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static String taskForDigest(String task, long interval) {
        if (interval == 0 && ("monitor".equals(task) || "migrate_from".equals(task) || "promote".equals(task))) {
            return "start";
        }
        return task;
    }

    /** Follows {@code only_sanitized_changed()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static boolean onlySanitizedChanged(WorkingSet ws, XmlElement op, Digests d) {
        if (!ws.is(WorkingSet.SANITIZED)) {
            return false;
        }
        String secure = op.get("op-secure-digest");
        return d.rc != Digests.MATCH && secure != null && d.digestSecureCalc != null
            && d.digestSecureCalc.equals(secure);
    }

    /** Follows {@code force_restart()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static void forceRestart(WorkingSet ws, Resource rsc, String task, long interval, Node node) {
        Action required = ws.customAction(rsc, Util.opKey(rsc.id, task, interval), task, null, false, true);
        required.setReason("resource definition change", true);
        ws.triggerUnfencing(rsc, node, "Device parameters changed", null);
    }

    /** Follows {@code schedule_reload()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static void scheduleReload(WorkingSet ws, Resource rsc, Node node) {
        if (rsc.variant != Resource.Variant.PRIMITIVE) {
            for (Resource c : rsc.children) {
                scheduleReload(ws, c, node);
            }
            return;
        }
        if (node == null || !rsc.is(Resource.MANAGED) || rsc.is(Resource.FAILED)) {
            return;
        }
        if (rsc.is(Resource.START_PENDING)) {
            ws.customAction(rsc, Util.opKey(rsc.id, "stop", 0), "stop", node, false, true);
            return;
        }
        rsc.set(Resource.RELOAD);
        Action reload = ws.customAction(rsc, Util.opKey(rsc.id, "reload-agent", 0), "reload-agent", node, false,
            true);
        reload.setReason("resource definition change", false);
        ws.newOrdering(null, null, reload, rsc, Util.opKey(rsc.id, "stop", 0), null,
            Ordering.OPTIONAL | Ordering.THEN_CANCELS_FIRST);
        ws.newOrdering(null, null, reload, rsc, Util.opKey(rsc.id, "demote", 0), null,
            Ordering.OPTIONAL | Ordering.THEN_CANCELS_FIRST);
    }

    /** Follows {@code pcmk__check_action_config()} in lib/pacemaker/pcmk_sched_actions.c. */
    static boolean checkActionConfig(WorkingSet ws, Resource rsc, Node node, XmlElement op) {
        String task = op.get("operation");
        if (task == null) {
            return false;
        }
        long interval = Unpacker.longAttr(op, "interval", 0);
        if (interval > 0) {
            if (actionInConfig(ws, rsc, task, interval)) {
                // still configured
            } else if (ws.is(WorkingSet.STOP_ACTION_ORPHANS)) {
                ws.recurring.scheduleCancel(rsc, op.get("call-id"), task, interval, node);
                return true;
            } else {
                return true;
            }
        }
        task = taskForDigest(task, interval);
        Digests d = Digests.compare(ws, rsc, op, node);
        if (onlySanitizedChanged(ws, op, d)) {
            return false;
        }
        switch (d.rc) {
            case Digests.RESTART:
                forceRestart(ws, rsc, task, interval, node);
                return true;
            case Digests.ALL:
            case Digests.UNKNOWN:
                if (interval > 0) {
                    ws.recurring.reschedule(rsc, task, interval, node);
                } else if (op.get("op-restart-digest") != null) {
                    ws.triggerUnfencing(rsc, node, "Device parameters changed (reload)", null);
                    scheduleReload(ws, rsc, node);
                } else {
                    forceRestart(ws, rsc, task, interval, node);
                }
                return true;
            default:
                return false;
        }
    }

    /** Follows {@code pcmk__rsc_agent_changed()} in lib/pacemaker/pcmk_sched_resource.c. */
    static boolean agentChanged(WorkingSet ws, Resource rsc, Node node, XmlElement entry, boolean activeOnNode) {
        boolean changed = false;
        for (String attr : new String[] {"type", "class", "provider"}) {
            String value = rsc.xml.get(attr);
            String old = entry.get(attr);
            if (value == null ? old != null : !value.equals(old)) {
                changed = true;
                ws.triggerUnfencing(rsc, node, "Device definition changed", null);
            }
        }
        if (changed && activeOnNode) {
            ws.customAction(rsc, Util.opKey(rsc.id, "stop", 0), "stop", node, false, true);
            rsc.set(Resource.START_PENDING);
        }
        return changed;
    }

    /** Follows {@code process_rsc_history()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static void processRscHistory(WorkingSet ws, XmlElement entry, Resource rsc, Node node, Unpacker u) {
        if (rsc.is(Resource.ORPHAN)) {
            if (rsc.top().isAnonClone()) {
                return;
            }
            Primitive.scheduleCleanup(ws, rsc, node, false);
            return;
        }
        if (!rsc.runningOn.contains(node)) {
            if (agentChanged(ws, rsc, node, entry, false)) {
                Primitive.scheduleCleanup(ws, rsc, node, false);
            }
            return;
        }
        if (agentChanged(ws, rsc, node, entry, true)) {
            Primitive.scheduleCleanup(ws, rsc, node, false);
        }
        List<XmlElement> sorted = Unpacker.sortedOps(entry);
        int[] idx = Unpacker.activeOps(sorted);
        int startIndex = idx[0];
        int stopIndex = idx[1];
        if (startIndex < stopIndex) {
            return;
        }
        int offset = -1;
        for (XmlElement op : sorted) {
            if (++offset < startIndex) {
                continue;
            }
            String task = op.get("operation");
            long interval = Unpacker.longAttr(op, "interval", 0);
            if (interval > 0 && (rsc.is(Resource.MAINTENANCE) || node.maintenance)) {
                ws.recurring.scheduleCancel(rsc, op.get("call-id"), task, interval, node);
            } else if (interval > 0 || "monitor".equalsIgnoreCase(task) || "start".equalsIgnoreCase(task)
                || "promote".equalsIgnoreCase(task) || "migrate_from".equalsIgnoreCase(task)) {
                if (Bundle.needsRemoteName(rsc)) {
                    ws.paramChecks.add(0, new WorkingSet.ParamCheck(op, rsc, node, false));
                } else if (checkActionConfig(ws, rsc, node, op)
                    && u.failcount(node, rsc, Unpacker.FC_EFFECTIVE, null) != 0) {
                    ws.clearFailcount(rsc, node, "action definition changed");
                }
            }
        }
    }

    private static void addMatching(List<Resource> out, Resource rsc, String id) {
        if (rsc.id.equals(id) || (rsc.cloneName != null && rsc.cloneName.equals(id))) {
            out.add(0, rsc);
        }
        for (Resource c : rsc.children) {
            addMatching(out, c, id);
        }
    }

    /** Follows {@code pcmk__handle_rsc_config_changes()} in lib/pacemaker/pcmk_sched_actions.c. */
    static void handle(WorkingSet ws) {
        Unpacker u = new Unpacker(ws);
        XmlElement status = ws.input.firstChild("status");
        if (status == null) {
            return;
        }
        for (Node node : ws.nodes) {
            if (!node.maintenance && !Locations.available(node, false, false)) {
                continue;
            }
            XmlElement history = null;
            for (XmlElement state : status.kids()) {
                if (state.is("node_state") && node.uname.equals(state.get("uname"))) {
                    XmlElement lrm = state.firstChild("lrm");
                    history = lrm == null ? null : lrm.firstChild("lrm_resources");
                    break;
                }
            }
            if (history == null) {
                continue;
            }
            for (XmlElement entry : history.children("lrm_resource")) {
                if (entry.kids().isEmpty()) {
                    continue;
                }
                List<Resource> matches = new ArrayList<>();
                for (Resource r : ws.resources) {
                    addMatching(matches, r, entry.get("id"));
                }
                for (Resource r : matches) {
                    if (r.variant == Resource.Variant.PRIMITIVE) {
                        processRscHistory(ws, entry, r, node, u);
                    }
                }
            }
        }
    }

    /** The deferred checks (bundle remote names known only after placement). */
    static void processParamChecks(WorkingSet ws) {
        Unpacker u = new Unpacker(ws);
        for (WorkingSet.ParamCheck c : new ArrayList<>(ws.paramChecks)) {
            String reason = null;
            if (!c.lastFailure()) {
                if (checkActionConfig(ws, c.rsc(), c.node(), c.op())
                    && u.failcount(c.node(), c.rsc(), Unpacker.FC_EFFECTIVE, null) != 0) {
                    reason = "action definition changed";
                }
            } else {
                Digests d = Digests.compare(ws, c.rsc(), c.op(), c.node());
                if (d.rc != Digests.UNKNOWN && d.rc != Digests.MATCH) {
                    reason = "resource parameters have changed";
                }
            }
            if (reason != null) {
                ws.clearFailcount(c.rsc(), c.node(), reason);
            }
        }
        ws.paramChecks.clear();
    }
}
