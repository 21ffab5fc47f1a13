package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;

/**
 * Pacemaker Remote and guest nodes: how actions on a remote node are ordered against its connection resource
 * (and, for a guest node, its container), when such a node must be fenced because its connection cannot be
 * recovered, and which cluster node hosts the connection for an action. Static helpers over one working set.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_remote.c.
 */
public final class Remote {

    private Remote() {
    }

    /** The state of a remote node's connection resource for this transition. */
    enum ConnectionState { UNKNOWN, ALIVE, RESTING, FAILED, STOPPED }

    /** Follows {@code pcmk__rsc_corresponds_to_guest()} in lib/pacemaker/pcmk_sched_remote.c. */
    static Resource resourceContainsGuestNode(WorkingSet ws, Resource rsc) {
        if (rsc != null && ws.is(WorkingSet.HAVE_REMOTE_NODES)) {
            for (Resource f : rsc.fillers) {
                if (f.isRemoteNode) {
                    return f;
                }
            }
        }
        return null;
    }

    /**
     * Whether rsc is the container of the guest node. Follows {@code pcmk__rsc_corresponds_to_guest()} in
     * lib/pacemaker/pcmk_sched_remote.c.
     */
    static boolean rscCorrespondsToGuest(Resource rsc, Node node) {
        return rsc != null && !rsc.fillers.isEmpty() && node != null && node.remoteRsc != null
            && node.remoteRsc.container == rsc;
    }

    /** Follows {@code get_remote_node_state()} in lib/pacemaker/pcmk_sched_remote.c. */
    static ConnectionState state(Node node) {
        Resource remote = node.remoteRsc;
        Node clusterNode = remote.currentNode();
        if (remote.nextRole == Role.STOPPED || remote.allocatedTo == null) {
            if (clusterNode != null && clusterNode.unclean) {
                return ConnectionState.FAILED;
            }
            if (!remote.is(Resource.FAILED)) {
                return ConnectionState.STOPPED;
            }
            if (remote.nextRole == Role.STOPPED && remote.remoteReconnectMs != 0 && node.remoteWasFenced
                && !Unpacker.shutdownRequested(node)) {
                return ConnectionState.UNKNOWN;
            }
            return ConnectionState.FAILED;
        } else if (clusterNode == null) {
            return ConnectionState.UNKNOWN;
        } else if (clusterNode.unclean || !clusterNode.online) {
            return ConnectionState.RESTING;
        } else if (remote.runningOn.size() > 1 && remote.partialMigrationSource != null
            && remote.partialMigrationTarget != null) {
            return ConnectionState.RESTING;
        }
        return ConnectionState.ALIVE;
    }

    /** Follows {@code pcmk__is_failed_remote_node()} in lib/pacemaker/pcmk_sched_remote.c. */
    static boolean isFailedRemoteNode(WorkingSet ws, Node node) {
        return node.isRemoteOnly() && node.remoteRsc != null && state(node) == ConnectionState.FAILED;
    }

    private static String startKey(Resource rsc) {
        return Util.opKey(rsc.id, "start", 0);
    }

    private static String stopKey(Resource rsc) {
        return Util.opKey(rsc.id, "stop", 0);
    }

    /** Follows {@code order_start_then_action()} in lib/pacemaker/pcmk_sched_remote.c. */
    private static void orderStartThenAction(WorkingSet ws, Resource first, Action then, int extra) {
        if (first != null && then != null) {
            ws.newOrdering(first, startKey(first), null, then.rsc, null, then,
                Ordering.PRESERVE | Ordering.RUNNABLE_LEFT | extra);
        }
    }

    /** Follows {@code order_action_then_stop()} in lib/pacemaker/pcmk_sched_remote.c. */
    private static void orderActionThenStop(WorkingSet ws, Action first, Resource then, int extra) {
        if (first != null && then != null) {
            ws.newOrdering(first.rsc, null, first, then, stopKey(then), null, Ordering.PRESERVE | extra);
        }
    }

    private static boolean isRecurring(Action a) {
        String interval = a.meta.get("interval");
        return interval != null && !"0".equals(interval);
    }

    /**
     * text2task, reduced to what the remote orderings distinguish. Follows {@code task_from_action_or_key()} in
     * lib/pacemaker/pcmk_sched_migration.c.
     */
    private static String task(Action a) {
        String t = a.task;
        if ("migrate_to".equalsIgnoreCase(t) || "migrate_from".equalsIgnoreCase(t)) {
            return "stop";
        }
        return t;
    }

    /** Follows {@code apply_remote_ordering()} in lib/pacemaker/pcmk_sched_remote.c. */
    private static void applyRemoteOrdering(WorkingSet ws, Action action) {
        if (action.rsc == null) {
            return;
        }
        ConnectionState state = state(action.node);
        Resource remote = action.node.remoteRsc;
        switch (task(action)) {
            case "start", "promote" -> orderStartThenAction(ws, remote, action,
                state == ConnectionState.FAILED ? Ordering.IMPLIES_THEN : Ordering.NONE);
            case "stop" -> {
                if (state == ConnectionState.ALIVE) {
                    orderActionThenStop(ws, action, remote, Ordering.IMPLIES_FIRST);
                } else if (state == ConnectionState.FAILED) {
                    ws.fenceNode(action.node, "resources are active but connection is unrecoverable", false);
                } else if (remote.nextRole == Role.STOPPED) {
                    orderActionThenStop(ws, action, remote, Ordering.IMPLIES_FIRST);
                } else {
                    orderStartThenAction(ws, remote, action, Ordering.NONE);
                }
            }
            case "demote" -> {
                if (state == ConnectionState.RESTING || state == ConnectionState.UNKNOWN) {
                    orderStartThenAction(ws, remote, action, Ordering.NONE);
                }
            }
            default -> {
                if (isRecurring(action)) {
                    orderStartThenAction(ws, remote, action, Ordering.IMPLIES_THEN);
                } else {
                    Node clusterNode = remote.currentNode();
                    if ("monitor".equals(action.task) && state == ConnectionState.FAILED) {
                        ws.fenceNode(action.node, "resources are in unknown state and connection is unrecoverable",
                            false);
                    }
                    if (clusterNode != null && state == ConnectionState.STOPPED) {
                        orderActionThenStop(ws, action, remote, Ordering.RUNNABLE_LEFT);
                    } else {
                        orderStartThenAction(ws, remote, action, Ordering.NONE);
                    }
                }
            }
        }
    }

    private static boolean isKnownTask(String task) {
        return switch (task) {
            case "stop", "stopped", "start", "running", "notify", "notified", "monitor", "promote", "promoted",
                "demote", "demoted", "do_shutdown", "stonith" -> true;
            default -> false;
        };
    }

    /** Follows {@code apply_container_ordering()} in lib/pacemaker/pcmk_sched_remote.c. */
    private static void applyContainerOrdering(WorkingSet ws, Action action) {
        Resource remote = action.node.remoteRsc;
        Resource container = remote.container;
        if (container.is(Resource.FAILED)) {
            ws.fenceNode(action.node, "container failed", false);
        }
        switch (task(action)) {
            case "start", "promote" -> {
                orderStartThenAction(ws, container, action, Ordering.IMPLIES_THEN);
                orderStartThenAction(ws, remote, action, Ordering.NONE);
            }
            case "stop", "demote" -> {
                if (!container.is(Resource.FAILED)) {
                    orderActionThenStop(ws, action, remote, Ordering.NONE);
                }
            }
            default -> {
                if (isRecurring(action)) {
                    if (isKnownTask(action.task)) {
                        orderStartThenAction(ws, remote, action, Ordering.IMPLIES_THEN);
                    }
                } else {
                    orderStartThenAction(ws, remote, action, Ordering.NONE);
                }
            }
        }
    }

    /** Follows {@code pcmk__order_remote_connection_actions()} in lib/pacemaker/pcmk_sched_remote.c. */
    static void orderRemoteConnectionActions(WorkingSet ws) {
        if (!ws.is(WorkingSet.HAVE_REMOTE_NODES)) {
            return;
        }
        for (Action action : new ArrayList<>(ws.actions)) {
            if (action.rsc == null) {
                continue;
            }
            if (action.rsc.isRemoteNode && "clear_failcount".equalsIgnoreCase(action.task)) {
                ws.newOrdering(action.rsc, null, action, action.rsc, startKey(action.rsc), null,
                    Ordering.OPTIONAL);
                continue;
            }
            if (action.node == null || !action.node.isRemote() || action.is(Action.PSEUDO)) {
                continue;
            }
            Resource remote = action.node.remoteRsc;
            if (remote == null) {
                continue;
            }
            if ("start".equalsIgnoreCase(action.task)) {
                for (Action other : new ArrayList<>(action.rsc.actions)) {
                    if (other.node != action.node && other.node != null
                        && "stop".equalsIgnoreCase(other.task)) {
                        ws.newOrdering(remote, startKey(remote), null, action.rsc, null, other, Ordering.OPTIONAL);
                    }
                }
            }
            if (remote.container != null) {
                applyContainerOrdering(ws, action);
            } else {
                applyRemoteOrdering(ws, action);
            }
        }
    }

    /**
     * The cluster node that talks to a remote node for an action. Follows {@code pcmk__connection_host_for_action()}
     * in lib/pacemaker/pcmk_sched_remote.c.
     */
    public static Node connectionHost(Action action) {
        if ("stonith".equalsIgnoreCase(action.task) || action.node == null || !action.node.isRemote()
            || action.node.remoteRsc == null) {
            return null;
        }
        Resource remote = action.node.remoteRsc;
        Node beganOn = remote.currentNode();
        Node endedOn = remote.allocatedTo == null ? null : remote.allocatedTo.node;
        boolean partialMigration = remote.container == null && remote.partialMigrationTarget != null;
        if (beganOn == null) {
            return endedOn;
        }
        if (endedOn == null || beganOn == endedOn) {
            return beganOn;
        }
        String task = action.task;
        if ("notify".equalsIgnoreCase(task)) {
            task = action.meta.get("notify_operation");
        }
        if (task != null && !partialMigration && switch (task.toLowerCase(java.util.Locale.ROOT)) {
            case "cancel", "stop", "demote", "migrate_from", "migrate_to" -> true;
            default -> false;
        }) {
            return beganOn;
        }
        return endedOn;
    }
}
