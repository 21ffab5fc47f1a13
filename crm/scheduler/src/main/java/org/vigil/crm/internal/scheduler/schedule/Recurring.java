package org.vigil.crm.internal.scheduler.schedule;

import java.util.List;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Recurring operations (Pacemaker's pcmk_sched_recurring.c): monitors for the role a resource will have,
 * "Stopped"-role monitors elsewhere, cancellations when the role changes, and rescheduling.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_recurring.c.
 */
public final class Recurring {

    private final WorkingSet ws;

    public Recurring(WorkingSet ws) {
        this.ws = ws;
    }

    private record OpHistory(String id, String name, String key, Role role, long intervalMs) {
    }

    /** Follows {@code is_op_dup()} in lib/pacemaker/pcmk_sched_recurring.c. */
    private static boolean isOpDup(Resource rsc, String name, long interval) {
        String id = null;
        for (XmlElement op : rsc.opsXml.children("op")) {
            if (!name.equals(op.get("name")) || Util.parseInterval(op.get("interval")) != interval) {
                continue;
            }
            if (op.get("id") == null) {
                continue;
            }
            if (id == null) {
                id = op.get("id");
            } else {
                return true;
            }
        }
        return false;
    }

    /** Follows {@code is_recurring_history()} in lib/pacemaker/pcmk_sched_recurring.c. */
    private OpHistory recurringHistory(Resource rsc, XmlElement xml) {
        long interval = Util.parseInterval(xml.get("interval"));
        if (interval == 0) {
            return null;
        }
        String id = xml.get("id");
        if (id == null || id.isEmpty()) {
            return null;
        }
        String name = xml.get("name");
        if (name == null || List.of("stop", "start", "demote", "promote", "reload-agent", "migrate_to",
            "migrate_from").contains(name)) {
            return null;
        }
        if (isOpDup(rsc, name, interval)) {
            return null;
        }
        String roleS = xml.get("role");
        Role role = roleS == null ? Role.UNKNOWN : Role.parse(roleS);
        String key = Util.opKey(rsc.id, name, interval);
        if (ws.findRscOpEntry(rsc, key, false) == null) {
            return null;
        }
        return new OpHistory(id, name, key, role, interval);
    }

    /** Follows {@code active_recurring_should_be_optional()} in lib/pacemaker/pcmk_sched_recurring.c. */
    private boolean activeShouldBeOptional(Resource rsc, Node node, String key, Action start) {
        if (node == null) {
            return false;
        }
        if ((rsc.actionFlags(start, null) & Action.OPTIONAL) == 0) {
            return false;
        }
        List<Action> matches = WorkingSet.findActionsExact(rsc.actions, key, node);
        if (matches.isEmpty()) {
            return false;
        }
        for (Action a : matches) {
            if (a.is(Action.RESCHEDULE)) {
                return false;
            }
        }
        return true;
    }

    /** Follows {@code recurring_op_for_active()} in lib/pacemaker/pcmk_sched_recurring.c. */
    private void forActive(Resource rsc, Action start, Node node, OpHistory op) {
        if (op.role() == Role.STOPPED) {
            return;
        }
        boolean optional = activeShouldBeOptional(rsc, node, op.key(), start);
        if ((op.role() != Role.UNKNOWN && rsc.nextRole != op.role())
            || (op.role() == Role.UNKNOWN && rsc.nextRole == Role.PROMOTED)) {
            if (optional) {
                Action cancel = newCancelAction(rsc, op.name(), op.intervalMs(), node);
                String afterKey = null;
                switch (rsc.role) {
                    case UNPROMOTED, STARTED -> {
                        if (rsc.nextRole == Role.PROMOTED) {
                            afterKey = Util.opKey(rsc.id, "promote", 0);
                        } else if (rsc.nextRole == Role.STOPPED) {
                            afterKey = Util.opKey(rsc.id, "stop", 0);
                        }
                    }
                    case PROMOTED -> afterKey = Util.opKey(rsc.id, "demote", 0);
                    default -> {
                    }
                }
                if (afterKey != null) {
                    ws.newOrdering(rsc, null, cancel, rsc, afterKey, null, Ordering.RUNNABLE_LEFT);
                }
            }
            return;
        }
        Action mon = ws.customAction(rsc, op.key(), op.name(), node, optional, true);
        if (!start.isRunnable()) {
            mon.clear(Action.RUNNABLE);
        } else if (node == null || !node.online || node.unclean) {
            mon.clear(Action.RUNNABLE);
        }
        if (rsc.nextRole == Role.PROMOTED) {
            mon.meta.put("op_target_rc", "8");
        }
        if (node == null || rsc.is(Resource.MANAGED)) {
            ws.newOrdering(rsc, Util.opKey(rsc.id, "start", 0), null, null, mon.uuid, mon,
                Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT);
            ws.newOrdering(rsc, Util.opKey(rsc.id, "reload-agent", 0), null, null, mon.uuid, mon,
                Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT);
            if (rsc.nextRole == Role.PROMOTED) {
                ws.newOrdering(rsc, Util.opKey(rsc.id, "promote", 0), null, rsc, null, mon,
                    Ordering.OPTIONAL | Ordering.RUNNABLE_LEFT);
            } else if (rsc.role == Role.PROMOTED) {
                ws.newOrdering(rsc, Util.opKey(rsc.id, "demote", 0), null, rsc, null, mon,
                    Ordering.OPTIONAL | Ordering.RUNNABLE_LEFT);
            }
        }
    }

    /** Follows {@code cancel_if_running()} in lib/pacemaker/pcmk_sched_recurring.c. */
    private void cancelIfRunning(Resource rsc, Node node, String key, String name, long interval) {
        if (WorkingSet.findActionsExact(rsc.actions, key, node).isEmpty()) {
            return;
        }
        Action cancel = newCancelAction(rsc, name, interval, node);
        switch (rsc.nextRole) {
            case STARTED, UNPROMOTED -> ws.newOrdering(rsc, null, cancel, rsc, Util.opKey(rsc.id, "start", 0), null,
                Ordering.RUNNABLE_LEFT);
            default -> {
            }
        }
    }

    /** Follows {@code recurring_op_for_inactive()} in lib/pacemaker/pcmk_sched_recurring.c. */
    private void forInactive(Resource rsc, Node node, OpHistory op) {
        if (op.role() != Role.STOPPED) {
            return;
        }
        if (!rsc.is(Resource.UNIQUE)) {
            return;
        }
        for (Node stopNode : ws.nodes) {
            if (node != null && stopNode.uname.equalsIgnoreCase(node.uname)) {
                cancelIfRunning(rsc, node, op.key(), op.name(), op.intervalMs());
                continue;
            }
            boolean optional = !WorkingSet.findActionsExact(rsc.actions, op.key(), stopNode).isEmpty();
            Action mon = ws.customAction(rsc, op.key(), op.name(), stopNode, optional, true);
            mon.meta.put("op_target_rc", "7");
            if (rsc.is(Resource.MANAGED)) {
                for (Action probe : WorkingSet.resourceActions(rsc, stopNode, "monitor", false)) {
                    ws.orderActions(probe, mon, Ordering.RUNNABLE_LEFT);
                }
            }
            for (Action stop : WorkingSet.resourceActions(rsc, stopNode, "stop", true)) {
                if (!stop.isOptional() && !mon.isOptional() && !rsc.is(Resource.MANAGED)) {
                    mon.set(Action.OPTIONAL);
                }
                if (!stop.isRunnable()) {
                    mon.clear(Action.RUNNABLE);
                }
                if (rsc.is(Resource.MANAGED)) {
                    ws.newOrdering(rsc, Util.opKey(rsc.id, "stop", 0), stop, null, null, mon,
                        Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT);
                }
            }
            if (!stopNode.online || stopNode.unclean) {
                mon.clear(Action.RUNNABLE);
            }
        }
    }

    /** Follows {@code pcmk__create_recurring_actions()} in lib/pacemaker/pcmk_sched_recurring.c. */
    void createRecurringActions(Resource rsc) {
        if (rsc.is(Resource.BLOCK) || rsc.is(Resource.MAINTENANCE)) {
            return;
        }
        Action start = null;
        if (rsc.allocatedTo == null) {
            // nothing for active roles
        } else if (rsc.allocatedTo.node.maintenance) {
            // skip
        } else if (rsc.nextRole != Role.STOPPED || !rsc.is(Resource.MANAGED)) {
            start = ws.startAction(rsc, rsc.allocatedTo.node, true);
        }
        if (rsc.opsXml == null) {
            return;
        }
        for (XmlElement op : rsc.opsXml.children("op")) {
            OpHistory h = recurringHistory(rsc, op);
            if (h == null) {
                continue;
            }
            if (start != null) {
                forActive(rsc, start, rsc.allocatedTo.node, h);
            }
            forInactive(rsc, rsc.allocatedTo == null ? null : rsc.allocatedTo.node, h);
        }
    }

    /** Follows {@code pcmk__new_cancel_action()} in lib/pacemaker/pcmk_sched_recurring.c. */
    Action newCancelAction(Resource rsc, String task, long intervalMs, Node node) {
        String key = Util.opKey(rsc.id, task, intervalMs);
        Action cancel = ws.customAction(rsc, key, "cancel", node, false, true);
        rsc.retask(cancel, "cancel");
        cancel.cancelTask = task;
        WorkingSet.addHashParam(cancel.meta, "operation", task);
        WorkingSet.addHashParam(cancel.meta, "interval", Long.toString(intervalMs));
        return cancel;
    }

    /** Follows {@code pcmk__schedule_cancel()} in lib/pacemaker/pcmk_sched_recurring.c. */
    void scheduleCancel(Resource rsc, String callId, String task, long intervalMs, Node node) {
        Action cancel = newCancelAction(rsc, task, intervalMs, node);
        WorkingSet.addHashParam(cancel.meta, "call-id", callId);
        ws.newOrdering(rsc, Util.opKey(rsc.id, "stop", 0), null, rsc, null, cancel, Ordering.OPTIONAL);
    }

    /** Follows {@code pcmk__reschedule_recurring()} in lib/pacemaker/pcmk_sched_recurring.c. */
    void reschedule(Resource rsc, String task, long intervalMs, Node node) {
        ws.triggerUnfencing(rsc, node, "Device parameters changed (reschedule)", null);
        Action op = ws.customAction(rsc, Util.opKey(rsc.id, task, intervalMs), task, node, true, true);
        op.set(Action.RESCHEDULE);
    }
}
