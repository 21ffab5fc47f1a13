package org.vigil.crm.internal.scheduler.output;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * The transition summary, worded like crm_simulate's {@code Transition Summary:} (Pacemaker's
 * {@code rsc_action_default} and {@code rsc_action_item}): one line per resource change, with the reason and
 * "blocked" markers, and the fencing lines.
 *
 * <p>Follows {@code pcmk__output_actions()} in lib/pacemaker/pcmk_sched_actions.c and {@code rsc_action_item()},
 * {@code rsc_action_default()} in lib/pacemaker/pcmk_output.c.
 */
public final class Output {

    private final List<String> lines = new ArrayList<>();
    private int rscWidth = 5;
    private int detailWidth = 5;

    public List<String> lines() {
        return lines;
    }

    private static String pad(String s, int w) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < w) {
            sb.append(' ');
        }
        return sb.toString();
    }

    private static String padLeft(String s, int w) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() + s.length() < w) {
            sb.append(' ');
        }
        return sb.append(s).toString();
    }

    /** Follows {@code node_action()} in lib/pacemaker/pcmk_output.c. */
    void nodeAction(String task, String nodeName, String reason) {
        if (task == null || reason == null) {
            return;
        }
        lines.add(task + " " + nodeName + " '" + reason + "'");
    }

    private void item(String change, Resource rsc, Node origin, Node destination, Action action, Action source) {
        if (source == null) {
            source = action;
        }
        int len = rsc.id.length();
        if (len > rscWidth) {
            rscWidth = len + 2;
        }
        boolean needRole = rsc.role.gt(Role.STARTED) || rsc.nextRole.gt(Role.UNPROMOTED);
        boolean sameHost = origin != null && destination != null && origin == destination;
        boolean sameRole = rsc.role == rsc.nextRole;
        String details;
        if (needRole && origin == null) {
            details = rsc.role.text() + " -> " + rsc.nextRole.text() + " " + destination.uname;
        } else if (origin == null) {
            details = destination.uname;
        } else if (needRole && destination == null) {
            details = rsc.role.text() + " " + origin.uname;
        } else if (destination == null) {
            details = origin.uname;
        } else if (needRole && sameRole && sameHost) {
            details = rsc.role.text() + " " + origin.uname;
        } else if (sameRole && sameHost) {
            details = origin.uname;
        } else if (needRole && sameRole) {
            details = origin.uname + " -> " + destination.uname + " " + rsc.role.text();
        } else if (sameRole) {
            details = origin.uname + " -> " + destination.uname;
        } else if (sameHost) {
            details = rsc.role.text() + " -> " + rsc.nextRole.text() + " " + origin.uname;
        } else {
            details = rsc.role.text() + " " + origin.uname + " -> " + rsc.nextRole.text() + " " + destination.uname;
        }
        if (details.length() > detailWidth) {
            detailWidth = details.length();
        }
        String reason = null;
        boolean runnable = action != null && action.isRunnable();
        if (source != null && source.reason != null && !runnable) {
            reason = "due to " + source.reason + " (blocked)";
        } else if (source != null && source.reason != null) {
            reason = "due to " + source.reason;
        } else if (!runnable) {
            reason = "blocked";
        }
        lines.add(pad(change, 8) + "   " + pad(rsc.id, rscWidth) + "   ( " + padLeft(details, detailWidth) + " )"
            + (reason != null ? "  " + reason : ""));
    }

    private static Action first(List<Action> l) {
        return l.isEmpty() ? null : l.get(0);
    }

    /** Follows {@code rsc_action_default()} in lib/pacemaker/pcmk_output.c. */
    public void rscAction(Resource rsc, Node current, Node next) {
        if (!rsc.is(Resource.MANAGED) || (current == null && next == null)) {
            return;
        }
        boolean moving = current != null && next != null && current != next;
        Action start = first(WorkingSet.resourceActions(rsc, next, "start", false));
        Node startNode = (start == null || !start.isRunnable()) ? null : current;
        Action stop = first(WorkingSet.resourceActions(rsc, startNode, "stop", false));
        if (stop == null && rsc.is(Resource.STOP_UNEXPECTED)) {
            stop = first(WorkingSet.resourceActions(rsc, null, "stop", false));
        }
        Action promote = first(WorkingSet.resourceActions(rsc, next, "promote", false));
        Action demote = first(WorkingSet.resourceActions(rsc, next, "demote", false));

        if (rsc.role == rsc.nextRole) {
            if (next == null) {
                return;
            }
            Action migrate = first(WorkingSet.resourceActions(rsc, next, "migrate_from", false));
            if (migrate != null && current != null && migrate.isRunnable()) {
                item("Migrate", rsc, current, next, start, null);
            } else if (rsc.is(Resource.RELOAD)) {
                item("Reload", rsc, current, next, start, null);
            } else if (start == null || start.isOptional()) {
                if (demote != null && promote != null && !demote.isOptional() && !promote.isOptional()) {
                    item("Re-promote", rsc, current, next, promote, demote);
                }
            } else if (!start.isRunnable()) {
                item("Stop", rsc, current, null, stop, (stop != null && stop.reason != null) ? stop : start);
            } else if (moving && current != null) {
                item(rsc.is(Resource.FAILED) ? "Recover" : "Move", rsc, current, next, stop, null);
            } else if (rsc.is(Resource.FAILED)) {
                item("Recover", rsc, current, null, stop, null);
            } else {
                item("Restart", rsc, current, next, start, null);
            }
            return;
        }
        if (stop != null && (rsc.nextRole == Role.STOPPED || (start != null && !start.isRunnable()))) {
            String key = org.vigil.crm.internal.cib.Util.opKey(rsc.id, "stop", 0);
            for (Node node : rsc.runningOn) {
                Action stopOp = first(WorkingSet.findActions(rsc.actionsWithUuid(key), key, node));
                item("Stop", rsc, node, null, stopOp, (stopOp != null && stopOp.reason != null) ? stopOp : start);
            }
        } else if (stop != null && rsc.all(Resource.FAILED | Resource.STOP)) {
            item("Recover", rsc, current, next, stop, start);
        } else if (moving) {
            item("Move", rsc, current, next, stop, null);
        } else if (rsc.is(Resource.RELOAD)) {
            item("Reload", rsc, current, next, start, null);
        } else if (stop != null && !stop.isOptional()) {
            item("Restart", rsc, current, next, start, null);
        } else if (rsc.role == Role.PROMOTED) {
            item("Demote", rsc, current, next, demote, null);
        } else if (rsc.nextRole == Role.PROMOTED) {
            item("Promote", rsc, current, next, promote, null);
        } else if (rsc.role == Role.STOPPED && rsc.nextRole.gt(Role.STOPPED)) {
            item("Start", rsc, current, next, start, null);
        }
    }

    /** Follows {@code pcmk__output_actions()} in lib/pacemaker/pcmk_sched_actions.c. */
    public void outputActions(WorkingSet ws) {
        for (int i = ws.actions.size() - 1; i >= 0; i--) {
            Action a = ws.actions.get(i);
            if (a.rsc != null || a.isOptional()) {
                continue;
            }
            String task;
            if ("do_shutdown".equalsIgnoreCase(a.task)) {
                task = "Shutdown";
            } else if ("stonith".equalsIgnoreCase(a.task)) {
                task = "Fence (" + a.meta.get("stonith_action") + ")";
            } else {
                continue;
            }
            String nodeName = null;
            if (a.node != null && a.node.isGuest()) {
                nodeName = a.node.uname + " (resource: " + a.node.remoteRsc.container.id + ")";
            } else if (a.node != null) {
                nodeName = a.node.uname;
            }
            nodeAction(task, nodeName, a.reason);
        }
        for (Resource r : ws.resources) {
            r.outputActions(this);
        }
    }
}
