package org.vigil.crm.internal.scheduler.graph;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.vigil.crm.api.GraphSettings;
import org.vigil.crm.api.ResourceRef;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder.Synapse;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Clone;
import org.vigil.crm.internal.scheduler.schedule.Remote;

/**
 * Turns a scheduled working set's graph into the {@link Transition} the controller executes: the graph-wide
 * settings and, per action, what Pacemaker writes into the transition graph XML (the element kind, operation key,
 * target node and router, the {@code <primitive>} and the sorted {@code <attributes>}), plus the transition key
 * the controller gives the executor.
 *
 * <p>Follows {@code pcmk__create_graph()} (the {@code <transition_graph>} attributes), {@code create_graph_action()},
 * {@code add_node_details()}, {@code add_resource_details()} and {@code add_action_attributes()} in
 * lib/pacemaker/pcmk_graph_producer.c, and {@code pcmk__transition_key()} in lib/common/operations.c.
 */
public final class GraphExport {

    /** The CRM feature set Pacemaker 2.1.5 writes into every action's attributes. */
    public static final String FEATURE_SET = "3.16.1";

    private GraphExport() {
    }

    /**
     * The transition of a scheduled working set, its actions in an order where each comes after its inputs.
     *
     * @param transitionId the controller's transition number
     * @param teUuid       the controller's transition engine UUID
     */
    public static Transition transition(WorkingSet ws, int transitionId, String teUuid) {
        List<Synapse> order = GraphBuilder.executionOrder(ws.graph);
        List<TransitionAction> actions = new ArrayList<>(order.size());
        Map<String, String> metaNames = new java.util.HashMap<>();
        for (Synapse s : order) {
            actions.add(action(s, transitionId, teUuid, metaNames));
        }
        return new Transition(transitionId, teUuid, settings(ws), actions, ws.summary(),
            new ArrayList<>(new LinkedHashSet<>(ws.warnings)));
    }

    /** The {@code <transition_graph>} attributes. Follows {@code pcmk__create_graph()}. */
    static GraphSettings settings(WorkingSet ws) {
        long clusterDelay = Util.parseInterval(ws.pref("cluster-delay"));
        long stonithTimeout = Util.parseInterval(ws.pref("stonith-timeout"));
        String failedStart = ws.is(WorkingSet.START_FAILURE_FATAL) ? "INFINITY" : "1";
        int batchLimit = (int) Score.parseLeadingLong(ws.pref("batch-limit"), 0);
        long migrationLimit = Score.parseLeadingLong(ws.pref("migration-limit"), -1);
        return new GraphSettings(clusterDelay, stonithTimeout, "INFINITY", failedStart, batchLimit,
            migrationLimit > 0 ? (int) migrationLimit : -1,
            ws.recheckBy > 0 ? OptionalLong.of(ws.recheckBy) : OptionalLong.empty());
    }

    /** One graph action. Follows {@code create_graph_action()}. */
    static TransitionAction action(Synapse s, int transitionId, String teUuid, Map<String, String> metaNames) {
        Action a = s.action();
        TransitionAction.Kind kind = kind(a);
        boolean needsNodeInfo = kind != TransitionAction.Kind.PSEUDO || isFence(a);
        String key = GraphBuilder.taskKey(a);
        String internalKey = a.rsc != null && a.rsc.cloneName != null ? a.uuid : null;
        String node = null;
        String nodeUuid = null;
        String router = null;
        TreeMap<String, String> attrs = new TreeMap<>();
        if (needsNodeInfo && a.node != null) {
            node = a.node.uname;
            nodeUuid = a.node.id;
            Node host = Remote.connectionHost(a);
            router = host == null ? null : host.uname;
        }
        ResourceRef rsc = a.rsc == null ? null : resourceRef(a);
        addAttributes(a, node, nodeUuid, attrs, metaNames);
        int targetRc = (int) Score.parseLeadingLong(attrs.get(TransitionAction.META_PREFIX + "op_target_rc"), 0);
        String transitionKey = kind == TransitionAction.Kind.PSEUDO ? null
            : transitionKey(a.id, transitionId, targetRc, teUuid);
        List<Integer> inputs = new ArrayList<>(s.inputs().size());
        for (Action in : s.inputs()) {
            inputs.add(in.id);
        }
        return new TransitionAction(a.id, kind, a.task, key, internalKey, node, nodeUuid, router, rsc, attrs,
            targetRc, transitionKey, a.priority, inputs);
    }

    /** Follows {@code pcmk__transition_key()} in lib/common/operations.c (the UUID padded to 36 characters). */
    public static String transitionKey(int actionId, int transitionId, int targetRc, String teUuid) {
        StringBuilder sb = new StringBuilder(48).append(actionId).append(':').append(transitionId).append(':')
            .append(targetRc).append(':').append(teUuid);
        for (int i = teUuid.length(); i < 36; i++) {
            sb.append(' ');
        }
        return sb.toString();
    }

    private static boolean isFence(Action a) {
        return "stonith".equalsIgnoreCase(a.task);
    }

    /**
     * The element kind create_graph_action() chooses. Follows {@code create_graph_action()} in
     * lib/pacemaker/pcmk_graph_producer.c.
     */
    static TransitionAction.Kind kind(Action a) {
        if (isFence(a)) {
            return a.is(Action.PSEUDO) ? TransitionAction.Kind.PSEUDO : TransitionAction.Kind.FENCE;
        } else if (GraphBuilder.isClusterAction(a)) {
            return TransitionAction.Kind.CLUSTER;
        } else if (a.is(Action.PSEUDO)) {
            return TransitionAction.Kind.PSEUDO;
        }
        return TransitionAction.Kind.RESOURCE;
    }

    /** The {@code <primitive>} element. Follows {@code add_resource_details()}. */
    static ResourceRef resourceRef(Action a) {
        Resource r = a.rsc;
        String id = GraphBuilder.graphResourceId(r);
        String longId = GraphBuilder.graphLongId(r);
        if (a.is(Action.PSEUDO)) {
            return new ResourceRef(id, longId, null, null, null);
        }
        return new ResourceRef(id, longId, r.meta.get("class"), r.meta.get("provider"), r.meta.get("type"));
    }

    /** The {@code <attributes>} element. Follows {@code add_action_attributes()}. */
    public static void addAttributes(Action a, String onNode, String onNodeUuid, TreeMap<String, String> attrs,
                              Map<String, String> metaNames) {
        attrs.put("crm_feature_set", FEATURE_SET);
        for (Map.Entry<String, String> e : a.extra.entrySet()) {
            attrs.putIfAbsent(e.getKey(), e.getValue());
        }
        if (a.rsc != null && (a.node != null || a.rsc.variant == Resource.Variant.PRIMITIVE)) {
            Map<String, String> params = a.rsc.params(a.node);
            if (a.node != null) {
                params = substituteRemoteAddr(a.rsc, params);
            }
            for (Map.Entry<String, String> e : params.entrySet()) {
                // hash2smartfield: names starting with a digit become <param> children, not attributes
                if (!e.getKey().isEmpty() && !Character.isDigit(e.getKey().charAt(0))) {
                    attrs.putIfAbsent(e.getKey(), e.getValue());
                }
            }
        }
        // the action's meta, where create_graph_action() has set on_node and on_node_uuid
        for (Map.Entry<String, String> e : a.meta.entrySet()) {
            String k = e.getKey();
            if (onNode != null && (k.equals("on_node") || k.equals("on_node_uuid"))) {
                continue;
            }
            putMeta(attrs, k, e.getValue(), metaNames);
        }
        if (onNode != null) {
            putMeta(attrs, "on_node", onNode, metaNames);
            putMeta(attrs, "on_node_uuid", onNodeUuid, metaNames);
        }
        if (a.rsc != null) {
            for (Resource p = a.rsc; p != null; p = p.parent) {
                addGraphMeta(p, attrs);
            }
            addBundleMeta(a, attrs, metaNames);
        } else if (isFence(a) && a.node != null) {
            for (Map.Entry<String, String> e : a.node.attrs.entrySet()) {
                putMeta(attrs, e.getKey(), e.getValue(), metaNames);
            }
        }
    }

    /** Follows {@code hash2metafield()} in lib/common/nvpair.c (no overwrite; '#' and ':' names skipped). */
    private static void putMeta(TreeMap<String, String> attrs, String key, String value,
                                Map<String, String> metaNames) {
        if (key == null || value == null || key.indexOf('#') >= 0 || key.indexOf(':') >= 0) {
            return;
        }
        attrs.putIfAbsent(metaNames.computeIfAbsent(key, GraphExport::metaName), value);
    }

    /** Follows {@code crm_meta_name()} in lib/common/nvpair.c. */
    static String metaName(String key) {
        return TransitionAction.META_PREFIX + key.replace('-', '_');
    }

    /** The resource variant's add_graph_meta (these overwrite). */
    private static void addGraphMeta(Resource r, TreeMap<String, String> attrs) {
        if (r.variant == Resource.Variant.PRIMITIVE) {
            addPrimitiveGraphMeta(r, attrs);
        } else if (r.variant == Resource.Variant.CLONE && r instanceof Clone c) {
            addCloneGraphMeta(c, attrs);
        }
    }

    /** Follows {@code pcmk__primitive_add_graph_meta()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private static void addPrimitiveGraphMeta(Resource r, TreeMap<String, String> attrs) {
        String v = r.meta.get("clone");
        if (v != null) {
            attrs.put(metaName("clone"), v);
        }
        v = r.meta.get("remote-node");
        if (v != null) {
            attrs.put(metaName("remote-node"), v);
        }
        for (Resource p = r; p != null; p = p.parent) {
            if (p.container != null) {
                attrs.put(metaName("container"), p.container.id);
            }
        }
        v = r.meta.get("external-ip");
        if (v != null) {
            attrs.put("pcmk_external_ip", v);
        }
    }

    /** Follows {@code clone_append_meta()} in lib/pacemaker/pcmk_sched_clone.c. */
    private static void addCloneGraphMeta(Clone c, TreeMap<String, String> attrs) {
        attrs.put(metaName("globally-unique"), c.is(Resource.UNIQUE) ? "true" : "false");
        attrs.put(metaName("notify"), c.is(Resource.NOTIFY) ? "true" : "false");
        attrs.put(metaName("clone-max"), Integer.toString(c.cloneMax));
        attrs.put(metaName("clone-node-max"), Integer.toString(c.cloneNodeMax));
        if (c.is(Resource.PROMOTABLE)) {
            attrs.put(metaName("promoted-max"), Integer.toString(c.promotedMax));
            attrs.put(metaName("promoted-node-max"), Integer.toString(c.promotedNodeMax));
            attrs.put(metaName("master-max"), Integer.toString(c.promotedMax));
            attrs.put(metaName("master-node-max"), Integer.toString(c.promotedNodeMax));
        }
    }

    /** Follows {@code pcmk__add_bundle_meta_to_xml()} in lib/pacemaker/pcmk_sched_remote.c. */
    private static void addBundleMeta(Action a, TreeMap<String, String> attrs, Map<String, String> metaNames) {
        if (a.node == null || !a.node.isGuest()) {
            return;
        }
        String task = a.task;
        if ("notify".equals(task) || "notified".equals(task)) {
            task = a.meta.get("notify_operation");
        }
        Resource container = a.node.remoteRsc.container;
        Node host = null;
        if (task != null) {
            switch (task) {
                case "stop", "stopped", "demote", "demoted" -> host = container.currentNode();
                case "start", "running", "monitor", "promote", "promoted" ->
                    host = container.allocatedTo == null ? null : container.allocatedTo.node;
                default -> {
                }
            }
        }
        if (host != null) {
            putMeta(attrs, "container-attribute-target", a.rsc.meta.get("container-attribute-target"), metaNames);
            putMeta(attrs, "physical_host", host.uname, metaNames);
        }
    }

    /** Follows {@code pcmk__substitute_remote_addr()} in lib/pacemaker/pcmk_sched_remote.c. */
    private static Map<String, String> substituteRemoteAddr(Resource rsc, Map<String, String> params) {
        if ("#uname".equals(params.get("addr"))) {
            String base = rsc.params(null).get("addr");
            if (base != null) {
                Map<String, String> copy = new java.util.LinkedHashMap<>(params);
                copy.put("addr", base);
                return copy;
            }
        }
        return params;
    }
}
