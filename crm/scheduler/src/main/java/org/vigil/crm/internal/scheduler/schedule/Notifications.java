package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Clone notifications: the "pre"/"confirmed-pre"/"post"/"confirmed-post" pseudo-actions that bracket a clone's
 * start, stop, promote and demote, and (when the graph is built) one "notify" action per instance and node with
 * the {@code notify_*} variables agents receive (which instances start, stop, are active, on which nodes).
 * One instance per clone action kind and scheduler run.
 *
 * <p>Follows lib/pengine/pe_notif.c.
 */
public final class Notifications {

    /** Follows {@code pe__create_notifications()} in lib/pengine/pe_notif.c. */
    private Notifications() {
    }

    /** A clone instance and the node it is on or acts on. */
    private record Entry(Resource rsc, Node node) {
    }

    /** Notification data of one clone action kind (Pacemaker's notify_data_t). */
    static final class Data {
        String action;
        Action pre;
        Action preDone;
        Action post;
        Action postDone;
        Map<Node, NodeScore> allowedNodes;
        final List<Entry> active = new ArrayList<>();
        final List<Entry> inactive = new ArrayList<>();
        final List<Entry> promoted = new ArrayList<>();
        final List<Entry> unpromoted = new ArrayList<>();
        final List<Entry> start = new ArrayList<>();
        final List<Entry> stop = new ArrayList<>();
        final List<Entry> promote = new ArrayList<>();
        final List<Entry> demote = new ArrayList<>();
        /** The notify_* variables, in the order Pacemaker adds them. */
        final Map<String, String> keys = new LinkedHashMap<>();
    }

    /**
     * One of the four pseudo-actions around a clone action: {@code phase} is pre or post. Follows {@code
     * new_notify_pseudo_action()} in lib/pengine/pe_notif.c.
     */
    private static Action newPseudo(WorkingSet ws, Resource rsc, Action action, String notifAction,
                                    String notifType, String phase, String operation) {
        Action notify = ws.customAction(rsc, Util.notifyKey(rsc.id, notifType, action.task), notifAction, null,
            action.isOptional(), true);
        notify.set(Action.PSEUDO);
        WorkingSet.addHashParam(notify.meta, "notify_key_type", notifType);
        WorkingSet.addHashParam(notify.meta, "notify_key_operation", action.task);
        WorkingSet.addHashParam(notify.meta, "notify_type", phase);
        WorkingSet.addHashParam(notify.meta, "notify_operation", operation);
        return notify;
    }

    /**
     * A post pseudo-action: top priority, runnable exactly when the completed action is. Follows {@code
     * new_post_notify_action()} in lib/pengine/pe_notif.c.
     */
    private static Action newPostPseudo(WorkingSet ws, Resource rsc, Action complete, String notifAction,
                                        String notifType, String operation) {
        Action notify = newPseudo(ws, rsc, complete, notifAction, notifType, "post", operation);
        notify.priority = Score.INFINITY;
        if (complete.isRunnable()) {
            notify.set(Action.RUNNABLE);
        } else {
            notify.clear(Action.RUNNABLE);
        }
        return notify;
    }

    /**
     * Null unless the clone has notify=true. Follows {@code pe__clone_notif_pseudo_ops()} in lib/pengine/pe_notif.c.
     */
    static Data cloneNotifPseudoOps(WorkingSet ws, Resource rsc, String task, Action action, Action complete) {
        if (!rsc.is(Resource.NOTIFY)) {
            return null;
        }
        Data n = new Data();
        n.action = task;
        if (action != null) {
            n.pre = newPseudo(ws, rsc, action, "notify", "pre", "pre", n.action);
            n.pre.set(Action.RUNNABLE);
            n.preDone = newPseudo(ws, rsc, action, "notified", "confirmed-pre", "pre", n.action);
            n.preDone.set(Action.RUNNABLE);
            ws.orderActions(n.pre, n.preDone, Ordering.OPTIONAL);
            ws.orderActions(n.preDone, action, Ordering.OPTIONAL);
        }
        if (complete != null) {
            n.post = newPostPseudo(ws, rsc, complete, "notify", "post", n.action);
            n.postDone = newPostPseudo(ws, rsc, complete, "notified", "confirmed-post", n.action);
            ws.orderActions(complete, n.post, Ordering.IMPLIES_THEN);
            ws.orderActions(n.post, n.postDone, Ordering.IMPLIES_THEN);
        }
        if (action != null && complete != null) {
            ws.orderActions(n.preDone, n.post, Ordering.OPTIONAL);
        }
        return n;
    }

    /**
     * The per-instance notify actions (done when the graph is built). Follows {@code pe__create_notifications()} in
     * lib/pengine/pe_notif.c.
     */
    public static void createNotifications(Resource rsc, Data n) {
        if (rsc == null || n == null) {
            return;
        }
        collectResourceData(rsc, true, n);
        addNotifKeys(rsc, n);
        createNotifyActions(rsc, n);
    }

    /**
     * Notifications for a stop implied by fencing. Follows {@code pe__order_notifs_after_fencing()} in
     * lib/pengine/pe_notif.c.
     */
    static void orderNotifsAfterFencing(WorkingSet ws, Action stop, Resource rsc, Action stonith) {
        Data n = cloneNotifPseudoOps(ws, rsc, "stop", null, stonith);
        if (n != null) {
            collectResourceData(rsc, false, n);
            n.keys.put("notify_stop_resource", rsc.id);
            n.keys.put("notify_stop_uname", stop.node.uname);
            createNotifyActions(rsc.top(), n);
        }
    }

    /** Follows {@code collect_resource_data()} in lib/pengine/pe_notif.c. */
    private static void collectResourceData(Resource rsc, boolean activity, Data n) {
        if (n.allowedNodes == null) {
            n.allowedNodes = rsc.allowedNodes;
        }
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                collectResourceData(c, activity, n);
            }
            return;
        }
        Node node = rsc.runningOn.isEmpty() ? null : rsc.runningOn.get(0);
        Entry entry = new Entry(rsc, node);
        switch (rsc.role) {
            case STOPPED -> n.inactive.add(entry);
            case STARTED -> n.active.add(entry);
            case UNPROMOTED -> {
                n.unpromoted.add(entry);
                n.active.add(entry);
            }
            case PROMOTED -> {
                n.promoted.add(entry);
                n.active.add(entry);
            }
            default -> rsc.ws.warn("Resource " + rsc.id + " role " + rsc.role.text()
                + " is not supported for notifications");
        }
        if (!activity) {
            return;
        }
        for (int i = rsc.actions.size() - 1; i >= 0; i--) {
            Action op = rsc.actions.get(i);
            if (op.isOptional() || op.node == null) {
                continue;
            }
            String task = op.task;
            if ("stop".equals(task) && op.node.unclean) {
                // created anyway
            } else if (!op.isRunnable()) {
                continue;
            }
            Entry e = new Entry(rsc, op.node);
            switch (task) {
                case "start" -> n.start.add(e);
                case "stop" -> n.stop.add(e);
                case "promote" -> n.promote.add(e);
                case "demote" -> n.demote.add(e);
                default -> {
                }
            }
        }
    }

    private static final Comparator<Entry> ENTRY_ORDER = (a, b) -> {
        int c = a.rsc().id.compareTo(b.rsc().id);
        if (c != 0) {
            return c;
        }
        if (a.node() == null && b.node() == null) {
            return 0;
        } else if (a.node() == null) {
            return 1;
        } else if (b.node() == null) {
            return -1;
        }
        return a.node().id.compareTo(b.node().id);
    };

    /**
     * {resource names, node names} (" " when empty). Follows {@code notify_entries_to_strings()} in
     * lib/pengine/pe_notif.c.
     */
    private static String[] toStrings(List<Entry> list, boolean withNodes) {
        list.sort(ENTRY_ORDER);
        StringBuilder rscs = new StringBuilder();
        StringBuilder nodes = new StringBuilder();
        String last = null;
        for (Entry e : list) {
            if (withNodes && e.node() == null) {
                continue;
            }
            if (e.rsc().id.equals(last)) {
                continue;
            }
            last = e.rsc().id;
            word(rscs, e.rsc().id);
            if (withNodes) {
                word(nodes, e.node().uname);
            }
        }
        return new String[] {rscs.length() == 0 ? " " : rscs.toString(),
            nodes.length() == 0 ? " " : nodes.toString()};
    }

    private static void word(StringBuilder sb, String w) {
        if (sb.length() > 0) {
            sb.append(' ');
        }
        sb.append(w);
    }

    /** Follows {@code get_node_names()} in lib/pengine/pe_notif.c. */
    private static String nodeNames(Collection<Node> nodes, boolean hosts) {
        StringBuilder sb = new StringBuilder();
        for (Node node : nodes) {
            Node n = node;
            if (hosts && n.isGuest() && n.remoteRsc != null && n.remoteRsc.container != null
                && !n.remoteRsc.container.runningOn.isEmpty()) {
                n = n.remoteRsc.container.runningOn.get(0);
            }
            word(sb, n.uname);
        }
        return sb.length() == 0 ? " " : sb.toString();
    }

    /** Follows {@code add_notif_keys()} in lib/pengine/pe_notif.c. */
    private static void addNotifKeys(Resource rsc, Data n) {
        boolean required = false;
        String[] s = toStrings(n.stop, true);
        if (!" ".equals(s[0]) && "stop".equals(n.action)) {
            required = true;
        }
        n.keys.put("notify_stop_resource", s[0]);
        n.keys.put("notify_stop_uname", s[1]);
        if (!n.start.isEmpty() && "start".equals(n.action)) {
            required = true;
        }
        s = toStrings(n.start, true);
        n.keys.put("notify_start_resource", s[0]);
        n.keys.put("notify_start_uname", s[1]);
        if (!n.demote.isEmpty() && "demote".equals(n.action)) {
            required = true;
        }
        s = toStrings(n.demote, true);
        n.keys.put("notify_demote_resource", s[0]);
        n.keys.put("notify_demote_uname", s[1]);
        if (!n.promote.isEmpty() && "promote".equals(n.action)) {
            required = true;
        }
        s = toStrings(n.promote, true);
        n.keys.put("notify_promote_resource", s[0]);
        n.keys.put("notify_promote_uname", s[1]);
        s = toStrings(n.active, true);
        n.keys.put("notify_active_resource", s[0]);
        n.keys.put("notify_active_uname", s[1]);
        s = toStrings(n.unpromoted, true);
        n.keys.put("notify_unpromoted_resource", s[0]);
        n.keys.put("notify_unpromoted_uname", s[1]);
        n.keys.put("notify_slave_resource", s[0]);
        n.keys.put("notify_slave_uname", s[1]);
        s = toStrings(n.promoted, true);
        n.keys.put("notify_promoted_resource", s[0]);
        n.keys.put("notify_promoted_uname", s[1]);
        n.keys.put("notify_master_resource", s[0]);
        n.keys.put("notify_master_uname", s[1]);
        s = toStrings(n.inactive, false);
        n.keys.put("notify_inactive_resource", s[0]);
        List<Node> available = new ArrayList<>();
        if (n.allowedNodes != null) {
            for (NodeScore ns : n.allowedNodes.values()) {
                available.add(ns.node);
            }
        }
        available.sort((a, b) -> Util.numericCompare(a.uname, b.uname));
        n.keys.put("notify_available_uname", nodeNames(available, false));
        if ("host".equals(rsc.meta.get("container-attribute-target"))) {
            n.keys.put("notify_all_hosts", nodeNames(rsc.ws.nodes, true));
        }
        n.keys.put("notify_all_uname", nodeNames(rsc.ws.nodes, false));
        if (required && n.pre != null) {
            n.pre.clear(Action.OPTIONAL);
            n.preDone.clear(Action.OPTIONAL);
        }
        if (required && n.post != null) {
            n.post.clear(Action.OPTIONAL);
            n.postDone.clear(Action.OPTIONAL);
        }
    }

    /** Follows {@code add_notify_data_to_action_meta()} in lib/pengine/pe_notif.c. */
    private static void addKeysToMeta(Data n, Action action) {
        for (Map.Entry<String, String> e : n.keys.entrySet()) {
            WorkingSet.addHashParam(action.meta, e.getKey(), e.getValue());
        }
    }

    /** Follows {@code find_remote_start()} in lib/pengine/pe_notif.c. */
    private static Action findRemoteStart(Action action) {
        if (action != null && action.node != null && action.node.remoteRsc != null) {
            return WorkingSet.findFirstAction(action.node.remoteRsc, "start", null);
        }
        return null;
    }

    /** Follows {@code create_notify_actions()} in lib/pengine/pe_notif.c. */
    private static void createNotifyActions(Resource rsc, Data n) {
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                createNotifyActions(c, n);
            }
            return;
        }
        for (Action op : new ArrayList<>(rsc.actions)) {
            if (!op.isOptional() && op.node != null) {
                switch (op.task) {
                    case "start", "stop", "promote", "demote" -> addKeysToMeta(n, op);
                    default -> {
                    }
                }
            }
        }
        String task = n.action;
        switch (task) {
            case "start" -> {
                if (n.start.isEmpty()) {
                    return;
                }
            }
            case "promote" -> {
                if (n.promote.isEmpty()) {
                    return;
                }
            }
            case "demote" -> {
                if (n.demote.isEmpty()) {
                    return;
                }
            }
            default -> {
            }
        }
        if (rsc.role != Role.STOPPED && ("stop".equals(task) || "demote".equals(task))) {
            Action stop = WorkingSet.findFirstAction(rsc, "stop", null);
            for (Node current : new ArrayList<>(rsc.runningOn)) {
                if (stop != null && stop.is(Action.PSEUDO) && (current.unclean || current.remoteRequiresReset)) {
                    continue;
                }
                newNotifyAction(rsc, current, n.pre, n.preDone, n);
                if ("demote".equals(task) || stop == null || stop.isOptional()) {
                    newPostNotifyAction(rsc, current, n);
                }
            }
        }
        if (rsc.nextRole != Role.STOPPED && ("start".equals(task) || "promote".equals(task))) {
            Action start = WorkingSet.findFirstAction(rsc, "start", null);
            if (start != null) {
                Action remoteStart = findRemoteStart(start);
                if (remoteStart != null && !remoteStart.isRunnable()) {
                    return;
                }
            }
            if (rsc.allocatedTo == null) {
                rsc.ws.warn("Next role '" + rsc.nextRole.text() + "' but " + rsc.id + " is not allocated");
                return;
            }
            if (!"start".equals(task) || start == null || start.isOptional()) {
                newNotifyAction(rsc, rsc.allocatedTo.node, n.pre, n.preDone, n);
            }
            newPostNotifyAction(rsc, rsc.allocatedTo.node, n);
        }
    }

    /** Follows {@code new_notify_action()} in lib/pengine/pe_notif.c. */
    private static Action newNotifyAction(Resource rsc, Node node, Action op, Action notifyDone, Data n) {
        if (op == null || notifyDone == null || !node.online || !op.isRunnable()) {
            return null;
        }
        String type = op.meta.get("notify_type");
        String task = op.meta.get("notify_operation");
        String key = Util.notifyKey(rsc.id, type, task);
        Action notify = rsc.ws.customAction(rsc, key, op.task, node, op.isOptional(), true);
        for (Map.Entry<String, String> e : op.meta.entrySet()) {
            notify.meta.putIfAbsent(e.getKey(), e.getValue());
        }
        addKeysToMeta(n, notify);
        rsc.ws.orderActions(op, notify, Ordering.OPTIONAL);
        rsc.ws.orderActions(notify, notifyDone, Ordering.OPTIONAL);
        return notify;
    }

    /** Follows {@code new_post_notify_action()} in lib/pengine/pe_notif.c. */
    private static void newPostNotifyAction(Resource rsc, Node node, Data n) {
        Action notify = newNotifyAction(rsc, node, n.post, n.postDone, n);
        if (notify != null) {
            notify.priority = Score.INFINITY;
        }
        if (n.postDone == null) {
            return;
        }
        for (Action mon : new ArrayList<>(rsc.actions)) {
            String interval = mon.meta.get("interval");
            if (interval == null || "0".equals(interval) || "cancel".equals(mon.task)) {
                continue;
            }
            rsc.ws.orderActions(n.postDone, mon, Ordering.OPTIONAL);
        }
    }
}
