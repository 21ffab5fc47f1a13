package org.vigil.crm.internal.scheduler.graph;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.ActionLink;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Bundle;
import org.vigil.crm.internal.scheduler.schedule.Clone;
import org.vigil.crm.internal.scheduler.schedule.Notifications;

/**
 * Builds the transition graph from a scheduled working set (Pacemaker's {@code pcmk__create_graph()} in
 * lib/pacemaker/pcmk_graph_producer.c): which actions become synapses, and which of their orderings become inputs.
 * One call per working set; not thread-safe.
 */
public final class GraphBuilder {

    /** One graph step: an action and the actions it waits for (Pacemaker's synapse). */
    public record Synapse(Action action, List<Action> inputs) {
    }

    private static final String FENCE = "stonith";
    private static final String SHUTDOWN = "do_shutdown";

    private final WorkingSet ws;
    private final List<Synapse> synapses = new ArrayList<>();

    private GraphBuilder(WorkingSet ws) {
        this.ws = ws;
    }

    /**
     * Builds the transition graph of a scheduled working set (the scheduler's last step; it also creates the
     * clone notification actions), in Pacemaker's synapse order.
     *
     * <p>Follows {@code pcmk__create_graph()} in lib/pacemaker/pcmk_graph_producer.c.
     */
    public static List<Synapse> buildGraph(WorkingSet ws) {
        GraphBuilder r = new GraphBuilder(ws);
        r.build();
        return r.synapses;
    }


    // ---------------------------------------------------------------- graph (pcmk__create_graph)

    /** Follows {@code pcmk__create_graph()} in lib/pacemaker/pcmk_graph_producer.c. */
    private void build() {
        for (Action a : ws.actions) {
            a.clear(Action.DUMPED);
            a.clear(Action.DEDUP);
        }
        for (Resource rsc : ws.resources) {
            addResourceActions(rsc);
        }
        for (int i = ws.actions.size() - 1; i >= 0; i--) {
            addAction(ws.actions.get(i));
        }
    }

    /** Follows {@code pcmk__add_rsc_actions_to_graph()} in lib/pacemaker/pcmk_graph_producer.c. */
    private void addResourceActions(Resource rsc) {
        if (rsc instanceof Bundle b) {
            b.addActionsToGraph(this::addResourceActions);
            return;
        }
        if (rsc.variant == Resource.Variant.CLONE) {
            // clone_expand: refresh the clone's summary flags, then add the instances' notifications
            for (int i = rsc.actions.size() - 1; i >= 0; i--) {
                rsc.actionFlags(rsc.actions.get(i), null);
            }
            Clone clone = (Clone) rsc;
            Notifications.createNotifications(rsc, clone.startNotify);
            Notifications.createNotifications(rsc, clone.stopNotify);
            Notifications.createNotifications(rsc, clone.promoteNotify);
            Notifications.createNotifications(rsc, clone.demoteNotify);
            for (Resource c : rsc.children) {
                addResourceActions(c);
            }
            addOwnActions(rsc);
            return;
        }
        addOwnActions(rsc);
        for (Resource c : rsc.children) {
            addResourceActions(c);
        }
    }

    /** Follows {@code pcmk__add_rsc_actions_to_graph()} in lib/pacemaker/pcmk_graph_producer.c. */
    private void addOwnActions(Resource rsc) {
        // Pacemaker prepends to a resource's action list: newest first
        for (int i = rsc.actions.size() - 1; i >= 0; i--) {
            addAction(rsc.actions.get(i));
        }
    }

    /**
     * Inputs sorted by action id, duplicates merged. Follows {@code pcmk__deduplicate_action_inputs()} in
     * lib/pacemaker/pcmk_sched_actions.c.
     */
    private static void dedupInputs(Action action) {
        action.before.sort((a, b) -> Integer.compare(a.action.id, b.action.id));
        ActionLink last = null;
        for (int i = 0; i < action.before.size(); i++) {
            ActionLink in = action.before.get(i);
            if (last != null && in.action.id == last.action.id) {
                last.type |= in.type;
                if (in.dumped) {
                    last.dumped = true;
                }
                action.before.remove(i--);
            } else {
                last = in;
                in.dumped = false;
            }
        }
    }

    /** Follows {@code add_action_to_graph()} in lib/pacemaker/pcmk_graph_producer.c. */
    private void addAction(Action action) {
        if (!action.is(Action.DEDUP)) {
            dedupInputs(action);
            action.set(Action.DEDUP);
        }
        if (action.is(Action.DUMPED) || !shouldAddAction(action)) {
            return;
        }
        action.set(Action.DUMPED);
        List<Action> inputs = new ArrayList<>();
        for (ActionLink in : action.before) {
            if (shouldAddInput(action, in)) {
                in.dumped = true;
                inputs.add(in.action);
            }
        }
        synapses.add(new Synapse(action, inputs));
    }

    /** Follows {@code should_add_action_to_graph()} in lib/pacemaker/pcmk_graph_producer.c. */
    static boolean shouldAddAction(Action action) {
        if (!action.is(Action.RUNNABLE)) {
            return false;
        }
        if (action.is(Action.OPTIONAL) && !action.is(Action.PRINT_ALWAYS)) {
            return false;
        }
        if (action.rsc != null && !action.rsc.is(Resource.MANAGED) && !"monitor".equals(action.task)) {
            String interval = action.meta.get("interval");
            if (interval == null || "0".equals(interval)) {
                return false;
            }
        }
        if (action.is(Action.PSEUDO) || FENCE.equalsIgnoreCase(action.task)
            || SHUTDOWN.equalsIgnoreCase(action.task)) {
            return true;
        }
        if (action.node == null) {
            return false;
        }
        if (action.is(Action.DC)) {
            return true;
        } else if (action.node.isGuest() && !action.node.remoteRequiresReset) {
            return true;
        } else if (!action.node.online) {
            return false;
        } else {
            return !action.node.unclean;
        }
    }

    /** Follows {@code ordering_can_change_actions()} in lib/pacemaker/pcmk_graph_producer.c. */
    private static boolean orderingCanChangeActions(ActionLink in) {
        return (in.type & ~(Ordering.IMPLIES_FIRST_PRINTED | Ordering.IMPLIES_THEN_PRINTED
            | Ordering.OPTIONAL)) != 0;
    }

    /** Follows {@code should_add_input_to_graph()} in lib/pacemaker/pcmk_graph_producer.c. */
    private static boolean shouldAddInput(Action action, ActionLink in) {
        Action first = in.action;
        if (in.dumped) {
            return true;
        }
        if (in.type == Ordering.NONE) {
            return false;
        } else if (!first.is(Action.RUNNABLE) && !orderingCanChangeActions(in)) {
            return false;
        } else if (!first.is(Action.RUNNABLE) && (in.type & Ordering.ONE_OR_MORE) != 0) {
            return false;
        } else if ((in.type & Ordering.IMPLIES_FIRST_MIGRATABLE) != 0 && !first.is(Action.RUNNABLE)) {
            return false;
        } else if ((in.type & Ordering.APPLY_FIRST_NON_MIGRATABLE) != 0 && first.is(Action.MIGRATE_RUNNABLE)) {
            return false;
        } else if (in.type == Ordering.OPTIONAL && first.is(Action.MIGRATE_RUNNABLE)
            && first.uuid.endsWith("_stop_0")) {
            return false;
        } else if (in.type == Ordering.LOAD) {
            Node inputNode = first.node;
            if (action.rsc != null && "migrate_to".equalsIgnoreCase(action.task)) {
                Node allocated = action.rsc.allocatedTo == null ? null : action.rsc.allocatedTo.node;
                if (inputNode == null || allocated == null || inputNode != allocated) {
                    in.type = Ordering.NONE;
                    return false;
                }
            } else if (inputNode == null || action.node == null || inputNode != action.node) {
                in.type = Ordering.NONE;
                return false;
            } else if (first.is(Action.OPTIONAL)) {
                in.type = Ordering.NONE;
                return false;
            }
        } else if (in.type == Ordering.ANTI_COLOCATION) {
            if (first.node != null && action.node != null && first.node != action.node) {
                in.type = Ordering.NONE;
                return false;
            } else if (first.is(Action.OPTIONAL)) {
                in.type = Ordering.NONE;
                return false;
            }
        } else if (first.rsc != null && first.rsc != action.rsc && first.rsc.is(Resource.FAILED)
            && !first.rsc.is(Resource.MANAGED) && first.uuid.endsWith("_stop_0") && action.rsc != null
            && action.rsc.isClone()) {
            action.rsc.ws.warn("Ignoring requirement that " + first.uuid + " complete before " + action.uuid
                + ": unmanaged failed resources cannot prevent clone shutdown");
            return false;
        } else if (first.is(Action.OPTIONAL) && !first.is(Action.PRINT_ALWAYS) && !first.is(Action.DUMPED)
            && !shouldAddAction(first)) {
            return false;
        }
        return true;
    }

    /** Whether the controller itself carries out this action (shutdown, fail count clearing, history deletion). */
    public static boolean isClusterAction(Action a) {
        return SHUTDOWN.equalsIgnoreCase(a.task) || "clear_failcount".equals(a.task) || "lrm_delete".equals(a.task);
    }

    /**
     * The synapses in the order a controller whose every action succeeds at once would run them (each after its
     * inputs); synapses that can never become ready (an input outside the graph) come last.
     */
    public static List<Synapse> executionOrder(List<Synapse> synapses) {
        List<Synapse> order = new ArrayList<>(synapses.size());
        Set<Action> done = new HashSet<>();
        boolean[] fired = new boolean[synapses.size()];
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int i = 0; i < synapses.size(); i++) {
                if (!fired[i] && done.containsAll(synapses.get(i).inputs())) {
                    fired[i] = true;
                    progress = true;
                    order.add(synapses.get(i));
                    done.add(synapses.get(i).action());
                }
            }
        }
        for (int i = 0; i < synapses.size(); i++) {
            if (!fired[i]) {
                order.add(synapses.get(i));
            }
        }
        return order;
    }

    /**
     * Whether an input of {@code action} leads back to {@code init} in the graph. Follows {@code
     * pcmk__graph_has_loop()} in lib/pacemaker/pcmk_graph_producer.c.
     */
    public static boolean graphHasLoop(Action init, Action action, ActionLink input) {
        if (input.action.is(Action.TRACKING)) {
            return false;
        }
        if (!shouldAddInput(action, input)) {
            return false;
        }
        if (input.action == init) {
            return true;
        }
        input.action.set(Action.TRACKING);
        boolean loop = false;
        List<ActionLink> inputs = input.action.before;
        for (int i = inputs.size() - 1; i >= 0; i--) {
            if (graphHasLoop(init, input.action, inputs.get(i))) {
                loop = true;
                break;
            }
        }
        input.action.clear(Action.TRACKING);
        return loop;
    }

    /** The graph's task key of an action (clone instances under their history name). */
    public static String taskKey(Action a) {
        if (a.rsc != null && a.rsc.cloneName != null) {
            long interval = parseLong(a.meta.get("interval"));
            if ("notify".equals(a.task)) {
                return Util.notifyKey(a.rsc.cloneName, a.meta.get("notify_type"),
                    a.meta.get("notify_operation"));
            } else if (a.cancelTask != null) {
                return Util.opKey(a.rsc.cloneName, a.cancelTask, interval);
            }
            return Util.opKey(a.rsc.cloneName, a.task, interval);
        }
        return a.uuid;
    }

    public static long parseLong(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The id the graph gives a resource (its XML id for anonymous clone instances). */
    public static String graphResourceId(Resource rsc) {
        if (rsc.is(Resource.ORPHAN) && rsc.cloneName != null) {
            return rsc.cloneName;
        } else if (!rsc.is(Resource.UNIQUE)) {
            return rsc.xmlId();
        }
        return rsc.id;
    }

    /** The graph's long id for a resource (id-long), or null. */
    public static String graphLongId(Resource rsc) {
        if (rsc.is(Resource.ORPHAN) && rsc.cloneName != null) {
            return rsc.id;
        } else if (!rsc.is(Resource.UNIQUE)) {
            if (rsc.cloneName != null && !rsc.xmlId().equals(rsc.cloneName)) {
                return rsc.cloneName;
            }
            return rsc.id;
        }
        return null;
    }
}
