package org.vigil.crm.internal.scheduler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;

/**
 * Builds the transition graph from a scheduled working set and simulates its execution on a copy of the CIB, as
 * {@code crm_simulate -S} does: every action succeeds with its expected result; each fired action is listed
 * ("Resource action", "Pseudo action", "Cluster action", "Fencing"), resource actions add an operation-history
 * entry to the node's status, fencing takes the node offline and clears its history and transient attributes.
 * The returned CIB, unpacked again, gives the revised status. One call per working set; not thread-safe.
 */
public final class TransitionRunner {

    /** One graph step: an action and the actions it waits for (Pacemaker's synapse). */
    public record Synapse(Action action, List<Action> inputs) {
    }

    private static final String FENCE = "stonith";
    private static final String SHUTDOWN = "do_shutdown";

    private final WorkingSet ws;
    private final List<Synapse> synapses = new ArrayList<>();

    private TransitionRunner(WorkingSet ws) {
        this.ws = ws;
    }

    /**
     * Builds the transition graph of a scheduled working set (the scheduler's last step; it also creates the
     * clone notification actions), in Pacemaker's synapse order.
     */
    public static List<Synapse> buildGraph(WorkingSet ws) {
        TransitionRunner r = new TransitionRunner(ws);
        r.build();
        return r.synapses;
    }

    /**
     * Simulates the transition: appends "Executing Cluster Transition:" and the fired actions to {@code out}, and
     * returns {@code cib} (a private copy the caller passes in) with the resulting status.
     */
    public static XmlElement execute(WorkingSet ws, XmlElement cib, StringBuilder out) {
        out.append("Executing Cluster Transition:\n");
        new Execution(ws, cib, out).run(ws.graph);
        return cib;
    }

    // ---------------------------------------------------------------- graph (pcmk__create_graph)

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

    private void addOwnActions(Resource rsc) {
        // Pacemaker prepends to a resource's action list: newest first
        for (int i = rsc.actions.size() - 1; i >= 0; i--) {
            addAction(rsc.actions.get(i));
        }
    }

    /** pcmk__deduplicate_action_inputs: inputs sorted by action id, duplicates merged. */
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

    /** should_add_action_to_graph. */
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

    private static boolean orderingCanChangeActions(ActionLink in) {
        return (in.type & ~(Ordering.IMPLIES_FIRST_PRINTED | Ordering.IMPLIES_THEN_PRINTED
            | Ordering.OPTIONAL)) != 0;
    }

    /** should_add_input_to_graph. */
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

    /** The graph's task key of an action (clone instances under their history name). */
    static String taskKey(Action a) {
        return Execution.taskKey(a);
    }

    /** The resource id as the executor knows it (the XML id for anonymous clone instances). */
    static String graphResourceId(Resource rsc) {
        return Execution.graphResourceId(rsc);
    }

    /** Whether the controller itself carries out this action (shutdown, fail count clearing, history deletion). */
    static boolean isClusterAction(Action a) {
        return SHUTDOWN.equalsIgnoreCase(a.task) || "clear_failcount".equals(a.task) || "lrm_delete".equals(a.task);
    }

    /**
     * The synapses in the order a controller whose every action succeeds at once would run them (each after its
     * inputs); synapses that can never become ready (an input outside the graph) come last.
     */
    static List<Synapse> executionOrder(List<Synapse> synapses) {
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

    /** pcmk__graph_has_loop: whether an input of {@code action} leads back to {@code init} in the graph. */
    static boolean graphHasLoop(Action init, Action action, ActionLink input) {
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
        for (ActionLink in : input.action.before) {
            if (graphHasLoop(init, input.action, in)) {
                loop = true;
                break;
            }
        }
        input.action.clear(Action.TRACKING);
        return loop;
    }

    // ---------------------------------------------------------------- simulated execution

    /** Fires synapses whose inputs are confirmed until none is left that can fire. */
    private static final class Execution {
        private final WorkingSet ws;
        private final XmlElement cib;
        private final StringBuilder out;
        private final Set<Action> confirmed = new HashSet<>();

        Execution(WorkingSet ws, XmlElement cib, StringBuilder out) {
            this.ws = ws;
            this.cib = cib;
            this.out = out;
        }

        void run(List<Synapse> synapses) {
            boolean[] fired = new boolean[synapses.size()];
            boolean progress = true;
            while (progress) {
                progress = false;
                for (int i = 0; i < synapses.size(); i++) {
                    if (fired[i]) {
                        continue;
                    }
                    Synapse s = synapses.get(i);
                    if (!confirmed.containsAll(s.inputs())) {
                        continue;
                    }
                    fired[i] = true;
                    progress = true;
                    fire(s.action());
                    confirmed.add(s.action());
                }
            }
            if (System.getenv("VIGIL_DEBUG_GRAPH") != null) {
                for (int i = 0; i < synapses.size(); i++) {
                    if (!fired[i]) {
                        Synapse s = synapses.get(i);
                        StringBuilder sb = new StringBuilder("unfired " + s.action().uuid + " waits for:");
                        for (Action in : s.inputs()) {
                            if (!confirmed.contains(in)) {
                                sb.append(' ').append(in.uuid).append(in.node == null ? "" : "@" + in.node.uname)
                                    .append(in.is(Action.DUMPED) ? "(in graph)" : "(not in graph)");
                            }
                        }
                        System.err.println(sb);
                    }
                }
            }
        }

        private void fire(Action a) {
            if (FENCE.equalsIgnoreCase(a.task)) {
                if (a.is(Action.PSEUDO)) {
                    pseudo(a);
                } else {
                    fence(a);
                }
            } else if (isClusterAction(a)) {
                cluster(a);
            } else if (a.is(Action.PSEUDO)) {
                pseudo(a);
            } else {
                resourceAction(a);
            }
        }

        static String taskKey(Action a) {
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

        private static long parseLong(String s) {
            if (s == null) {
                return 0;
            }
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        private void item(String text) {
            out.append("  * ").append(text).append('\n');
        }

        private void pseudo(Action a) {
            boolean withNode = FENCE.equalsIgnoreCase(a.task) && a.node != null;
            item("Pseudo action:   " + taskKey(a) + (withNode ? " on " + a.node.uname : ""));
        }

        private void cluster(Action a) {
            String node = a.node == null ? "(null)" : a.node.uname;
            if (a.rsc != null && !a.is(Action.PSEUDO)) {
                item("Cluster action:  " + a.task + " for " + graphResourceId(a.rsc) + " on " + node);
            } else {
                item("Cluster action:  " + a.task + " on " + node);
            }
        }

        private void fence(Action a) {
            String op = a.meta.get("stonith_action");
            String target = a.node == null ? "(null)" : a.node.uname;
            item("Fencing " + target + " (" + op + ")");
            if (!"on".equalsIgnoreCase(op) && a.node != null) {
                XmlElement state = nodeState(a.node.uname, a.node.id);
                state.set("in_ccm", "false");
                state.set("crmd", "offline");
                state.set("join", "down");
                state.set("expected", "down");
                state.set("crm-debug-origin", "simulate_fencing_action");
                for (XmlElement c : new ArrayList<>(state.kids())) {
                    if (c.is("lrm") || c.is("transient_attributes")) {
                        state.removeChild(c);
                    }
                }
            }
        }

        /** The id the graph gives a resource (its XML id for anonymous clone instances). */
        static String graphResourceId(Resource rsc) {
            if (rsc.is(Resource.ORPHAN) && rsc.cloneName != null) {
                return rsc.cloneName;
            } else if (!rsc.is(Resource.UNIQUE)) {
                return rsc.xmlId();
            }
            return rsc.id;
        }

        /** The graph's long id for a resource (id-long), or null. */
        private static String graphLongId(Resource rsc) {
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

        /** pe_find_resource with renamed matching over all resources. */
        private boolean known(String id) {
            for (Resource r : ws.resources) {
                if (matches(r, id)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean matches(Resource r, String id) {
            if (id.equals(r.id) || id.equals(r.cloneName)) {
                return true;
            }
            for (Resource c : r.children) {
                if (matches(c, id)) {
                    return true;
                }
            }
            return false;
        }

        private void resourceAction(Action a) {
            if (a.rsc == null || a.node == null) {
                return;
            }
            if ("reprobe".equals(a.task)) {
                return;
            }
            String configName = graphResourceId(a.rsc);
            String name = configName;
            if (!known(name)) {
                String longName = graphLongId(a.rsc);
                if (longName != null && known(longName)) {
                    name = longName;
                }
            }
            long interval = parseLong(a.meta.get("interval"));
            String task = a.task;
            if ("delete".equals(task) || "meta-data".equals(task)) {
                item(String.format("Resource action: %-15s %s on %s", name, task, a.node.uname));
                return;
            }
            if (interval != 0) {
                item(String.format("Resource action: %-15s %s=%d on %s", name, task, interval, a.node.uname));
            } else {
                item(String.format("Resource action: %-15s %s on %s", name, task, a.node.uname));
            }
            XmlElement state = nodeState(a.node.uname, a.node.id);
            XmlElement history = resourceHistory(state, name, configName, a.rsc.xml);
            int targetRc = (int) parseLong(a.meta.get("op_target_rc"));
            injectResult(history, a, configName, interval, targetRc);
        }

        private XmlElement status() {
            XmlElement st = cib.firstChild("status");
            if (st == null) {
                st = new XmlElement("status", 0, 0);
                cib.addChild(st);
            }
            return st;
        }

        /** pcmk__inject_node: the node_state of a node, created when missing. */
        private XmlElement nodeState(String uname, String uuid) {
            XmlElement st = status();
            for (XmlElement ns : st.children("node_state")) {
                if (uname.equals(ns.get("uname"))) {
                    return ns;
                }
            }
            XmlElement ns = new XmlElement("node_state", 0, 0);
            ns.set("id", uuid == null ? uname : uuid);
            ns.set("uname", uname);
            st.addChild(ns);
            return ns;
        }

        private static XmlElement findHistory(XmlElement state, String id) {
            XmlElement lrm = state.firstChild("lrm");
            if (lrm == null) {
                return null;
            }
            XmlElement rscs = lrm.firstChild("lrm_resources");
            if (rscs == null) {
                return null;
            }
            for (XmlElement r : rscs.children("lrm_resource")) {
                if (id.equals(r.get("id"))) {
                    return r;
                }
            }
            return null;
        }

        /** pcmk__inject_resource_history. */
        private static XmlElement resourceHistory(XmlElement state, String name, String configName,
                                                  XmlElement rscXml) {
            XmlElement h = findHistory(state, name);
            if (h == null && !name.equals(configName)) {
                h = findHistory(state, configName);
            }
            if (h != null) {
                return h;
            }
            XmlElement lrm = state.firstChild("lrm");
            if (lrm == null) {
                lrm = new XmlElement("lrm", 0, 0);
                lrm.set("id", state.get("id"));
                state.addChild(lrm);
            }
            XmlElement rscs = lrm.firstChild("lrm_resources");
            if (rscs == null) {
                rscs = new XmlElement("lrm_resources", 0, 0);
                lrm.addChild(rscs);
            }
            h = new XmlElement("lrm_resource", 0, 0);
            h.set("id", configName);
            h.set("class", rscXml.get("class"));
            h.set("provider", rscXml.get("provider"));
            h.set("type", rscXml.get("type"));
            rscs.addChild(h);
            return h;
        }

        /** pcmk__event_from_graph_action + pcmk__create_history_xml for a successful result. */
        private void injectResult(XmlElement history, Action a, String rscId, long interval, int rc) {
            int callId = 0;
            for (XmlElement op : history.kids()) {
                callId = Math.max(callId, (int) parseLong(op.get("call-id")));
            }
            callId++;
            String task = a.task;
            if ("reload".equals(task) || "reload-agent".equals(task)) {
                task = "start";
            }
            String key = Util.opKey(rscId, task, interval);
            String opId;
            if ("notify".equals(task)) {
                opId = Util.notifyKey(rscId, a.meta.get("notify_type"), a.meta.get("notify_operation"));
                rc = 0;
            } else if ("migrate_to".equals(task) || "migrate_from".equals(task)) {
                opId = key;
            } else if (interval > 0) {
                opId = key;
            } else {
                opId = rscId + "_last_0";
            }
            XmlElement op = null;
            for (XmlElement o : history.children("lrm_rsc_op")) {
                if (opId.equals(o.get("id"))) {
                    op = o;
                    break;
                }
            }
            if (op == null) {
                op = new XmlElement("lrm_rsc_op", 0, 0);
                history.addChild(op);
            }
            String transitionKey = "-1:" + callId + ":" + rc + ":77a4b3a6-6bd1-4ad8-a5d9-4bb7a1b8b8bd";
            op.set("id", opId);
            op.set("operation_key", key);
            op.set("operation", task);
            op.set("crm-debug-origin", "crm_simulate");
            op.set("transition-key", transitionKey);
            op.set("transition-magic", "0:" + rc + ";" + transitionKey);
            op.set("exit-reason", "");
            op.set("call-id", Integer.toString(callId));
            op.set("rc-code", Integer.toString(rc));
            op.set("op-status", "0");
            op.set("interval", Long.toString(interval));
            op.set("last-rc-change", Long.toString(ws.now.epochSecond()));
            op.set("exec-time", "0");
            op.set("queue-time", "0");
            if ("migrate_to".equals(task) || "migrate_from".equals(task)) {
                op.set("migrate_source", a.meta.get("migrate_source"));
                op.set("migrate_target", a.meta.get("migrate_target"));
            }
        }
    }
}
