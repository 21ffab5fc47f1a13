package org.vigil.crm.internal.simulate;

import java.util.HashMap;
import java.util.Map;
import org.vigil.crm.api.GraphSettings;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;
import org.vigil.crm.internal.cib.XmlElement;

/**
 * A transition as Pacemaker's transition graph XML, what {@code crm_simulate --save-graph FILE} writes and pcs reads
 * ({@code pcs resource move} checks the simulated graph's {@code synapse/action_set/rsc_op} for what a change would
 * start, stop, promote or demote, pcs/lib/pacemaker/simulate.py).
 *
 * <p>Follows {@code pcmk__create_graph()} (the root's attributes), {@code add_action_to_graph()} (one synapse per
 * action, its priority, the {@code action_set} and the {@code inputs} triggers) and {@code create_graph_action()}
 * (the element per kind: {@code rsc_op}, {@code pseudo_event}, {@code crm_event}, with {@code primitive} and
 * {@code attributes}) in lib/pacemaker/pcmk_graph_producer.c.
 */
final class GraphXml {

    private GraphXml() {
    }

    static String of(Transition t) {
        XmlElement root = el("transition_graph");
        GraphSettings s = t.settings();
        root.set("cluster-delay", seconds(s.clusterDelayMs()));
        root.set("stonith-timeout", seconds(s.stonithTimeoutMs()));
        root.set("failed-stop-offset", s.failedStopOffset());
        root.set("failed-start-offset", s.failedStartOffset());
        root.set("transition_id", Integer.toString(t.transitionId()));
        if (s.batchLimit() > 0) {
            root.set("batch-limit", Integer.toString(s.batchLimit()));
        }
        if (s.migrationLimit() > 0) {
            root.set("migration-limit", Integer.toString(s.migrationLimit()));
        }
        if (s.recheckBy().isPresent()) {
            root.set("recheck-by", Long.toString(s.recheckBy().getAsLong()));
        }
        Map<Integer, TransitionAction> byId = new HashMap<>();
        for (TransitionAction a : t.actions()) {
            byId.put(a.id(), a);
        }
        int synapse = 0;
        for (TransitionAction a : t.actions()) {
            XmlElement syn = el("synapse");
            syn.set("id", Integer.toString(synapse++));
            if (a.priority() != 0) {
                syn.set("priority", Integer.toString(a.priority()));
            }
            XmlElement set = el("action_set");
            set.addChild(action(a, true));
            syn.addChild(set);
            XmlElement inputs = el("inputs");
            for (int in : a.inputs()) {
                TransitionAction first = byId.get(in);
                if (first != null) {
                    XmlElement trigger = el("trigger");
                    trigger.addChild(action(first, false));
                    inputs.addChild(trigger);
                }
            }
            syn.addChild(inputs);
            root.addChild(syn);
        }
        StringBuilder sb = new StringBuilder();
        root.write(sb, 0);
        return sb.toString();
    }

    /** One action's element; {@code details}: with its primitive and attributes (in the action set). */
    private static XmlElement action(TransitionAction a, boolean details) {
        XmlElement e = el(switch (a.kind()) {
            case RESOURCE -> "rsc_op";
            case PSEUDO -> "pseudo_event";
            case FENCE, CLUSTER -> "crm_event";
        });
        e.set("id", Integer.toString(a.id()));
        e.set("operation", a.task());
        e.set("operation_key", a.key());
        if (a.internalKey() != null) {
            e.set("internal_operation_key", a.internalKey());
        }
        if (a.node() != null) {
            e.set("on_node", a.node());
            e.set("on_node_uuid", a.nodeUuid());
        }
        if (a.routerNode() != null) {
            e.set("router_node", a.routerNode());
        }
        if (!details) {
            return e;
        }
        if (a.resource() != null) {
            XmlElement p = el("primitive");
            p.set("id", a.resource().id());
            if (a.resource().longId() != null && !a.resource().longId().equals(a.resource().id())) {
                p.set("long-id", a.resource().longId());
            }
            p.set("class", a.resource().agentClass());
            if (a.resource().provider() != null) {
                p.set("provider", a.resource().provider());
            }
            p.set("type", a.resource().type());
            e.addChild(p);
        }
        XmlElement attrs = el("attributes");
        for (Map.Entry<String, String> kv : a.attributes().entrySet()) {
            attrs.set(kv.getKey(), kv.getValue());
        }
        e.addChild(attrs);
        return e;
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private static XmlElement el(String name) {
        return new XmlElement(name, 0, 0);
    }
}
