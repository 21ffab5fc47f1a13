package org.vigil.crm.internal.simulate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder.Synapse;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Simulates the execution of a transition graph on a copy of the CIB, as {@code crm_simulate -S} does (Pacemaker's
 * {@code pcmk__simulate_transition()} in lib/pacemaker/pcmk_simulate.c, with the graph consumer of
 * pcmk_graph_consumer.c): every action succeeds with its expected result; each fired action is listed ("Resource
 * action", "Pseudo action", "Cluster action", "Fencing"), resource actions add an operation-history entry to the
 * node's status, fencing takes the node offline and clears its history and transient attributes. The CIB, unpacked
 * again, gives the revised status. One instance per run; not thread-safe.
 */
final class SimulatedExecution {

    private static final String FENCE = "stonith";

    /**
     * Simulates the transition: appends "Executing Cluster Transition:" and the fired actions to {@code out}, and
     * returns {@code cib} (a private copy the caller passes in) with the resulting status.
     */
    static XmlElement execute(WorkingSet ws, XmlElement cib, StringBuilder out) {
        out.append("Executing Cluster Transition:\n");
        new SimulatedExecution(ws, cib, out).run(ws.graph);
        return cib;
    }

    private final WorkingSet ws;
    private final XmlElement cib;
    private final StringBuilder out;
    private final Set<Action> confirmed = new HashSet<>();

    private SimulatedExecution(WorkingSet ws, XmlElement cib, StringBuilder out) {
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
        } else if (GraphBuilder.isClusterAction(a)) {
            cluster(a);
        } else if (a.is(Action.PSEUDO)) {
            pseudo(a);
        } else {
            resourceAction(a);
        }
    }



    private void item(String text) {
        out.append("  * ").append(text).append('\n');
    }

    private void pseudo(Action a) {
        boolean withNode = FENCE.equalsIgnoreCase(a.task) && a.node != null;
        item("Pseudo action:   " + GraphBuilder.taskKey(a) + (withNode ? " on " + a.node.uname : ""));
    }

    private void cluster(Action a) {
        String node = a.node == null ? "(null)" : a.node.uname;
        if (a.rsc != null && !a.is(Action.PSEUDO)) {
            item("Cluster action:  " + a.task + " for " + GraphBuilder.graphResourceId(a.rsc) + " on " + node);
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



    /**
     * pe_find_resource with renamed matching over all resources. Follows {@code pe_find_resource()} in
     * lib/pengine/status.c.
     */
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

    /** Follows {@code simulate_resource_action()} in lib/pacemaker/pcmk_simulate.c. */
    private void resourceAction(Action a) {
        if (a.rsc == null || a.node == null) {
            return;
        }
        if ("reprobe".equals(a.task)) {
            return;
        }
        String configName = GraphBuilder.graphResourceId(a.rsc);
        String name = configName;
        if (!known(name)) {
            String longName = GraphBuilder.graphLongId(a.rsc);
            if (longName != null && known(longName)) {
                name = longName;
            }
        }
        long interval = GraphBuilder.parseLong(a.meta.get("interval"));
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
        int targetRc = (int) GraphBuilder.parseLong(a.meta.get("op_target_rc"));
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

    /**
     * The node_state of a node, created when missing. Follows {@code pcmk__inject_node()} in
     * lib/pacemaker/pcmk_injections.c.
     */
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

    /** Follows {@code pcmk__inject_resource_history()} in lib/pacemaker/pcmk_injections.c. */
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

    /**
     * pcmk__event_from_graph_action + pcmk__create_history_xml for a successful result. Follows {@code
     * pcmk__event_from_graph_action()} in lib/pacemaker/pcmk_graph_consumer.c and {@code pcmk__create_history_xml()}
     * in lib/pacemaker/pcmk_sched_actions.c.
     */
    private void injectResult(XmlElement history, Action a, String rscId, long interval, int rc) {
        int callId = 0;
        for (XmlElement op : history.kids()) {
            callId = Math.max(callId, (int) GraphBuilder.parseLong(op.get("call-id")));
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
        if (a.node != null && !"notify".equals(task)) {
            // pcmk__create_history_xml() records the digest of the action's parameters, as an executor does for a
            // real result (Vigil's executor: OpDigest.of(ExecRequest.attributes())): without it, scheduling the
            // simulated CIB again finds no digest and restarts the resource "due to resource definition change"
            java.util.TreeMap<String, String> attrs = new java.util.TreeMap<>();
            org.vigil.crm.internal.scheduler.graph.GraphExport.addAttributes(a, a.node.uname, a.node.id, attrs,
                new java.util.HashMap<>());
            op.set("crm_feature_set", attrs.getOrDefault("crm_feature_set",
                org.vigil.crm.internal.scheduler.graph.GraphExport.FEATURE_SET));
            op.set("op-digest", org.vigil.crm.api.exec.OpDigest.of(attrs));
        }
    }
}
