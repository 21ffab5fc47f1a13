package org.vigil.crm.internal.scheduler;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.vigil.crm.api.CibDocument;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.ResourceRef;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.simulate.TestClock;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Compares the {@link Transition} the policy engine computes for a CIB with the transition graph XML Pacemaker 2.1.5
 * wrote for the same input ({@code crm_simulate -G}, or the corpus' {@code exp/NAME.exp}): the graph settings and,
 * per action (matched by operation key and node, since action numbers may differ), the element kind, the node
 * uuid, router node, internal key, the {@code <primitive>} and every {@code <attributes>} entry, and the inputs
 * (by key and node). {@code crm_feature_set} and {@code batch-limit}, which the corpus' harness strips, are only
 * compared when present in the expected file.
 */
final class GraphComparison {

    /** One action of an expected graph. */
    record Expected(String element, String task, String key, String node, String nodeUuid, String router,
                    String internalKey, Map<String, String> primitive, Map<String, String> attributes,
                    TreeSet<String> inputs) {
    }

    private GraphComparison() {
    }

    /** The engine's transition for a CIB file, at its execution-date or the test clock. */
    static Transition schedule(Path xml) throws Exception {
        return schedule(xml, TestClock.NOW);
    }

    /** The engine's transition for a CIB file, at its execution-date or else {@code clock}. */
    static Transition schedule(Path xml, Instant clock) throws Exception {
        PolicyEngine pe = new StandardPolicyEngine(true);   // the regression inputs are sanitized CIBs
        CibDocument cib;
        try (InputStream in = Files.newInputStream(xml)) {
            cib = pe.parse(in, xml.getFileName().toString());
        }
        Instant now = cib.executionDate().isPresent() ? Instant.ofEpochSecond(cib.executionDate().getAsLong())
            : clock;
        return pe.schedule(cib, now, TestClock.ZONE, 0, "te-uuid-for-tests");
    }

    static String ref(String key, String node) {
        return key + (node == null ? "" : "@" + node);
    }

    /** The differences between an expected graph file and a transition; empty when they agree. */
    static List<String> compare(Path expectedGraph, Transition t) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element root = f.newDocumentBuilder().parse(expectedGraph.toFile()).getDocumentElement();
        List<String> diffs = new ArrayList<>();
        compareSettings(root, t, diffs);
        Map<String, List<Expected>> expected = new TreeMap<>();
        NodeList synapses = root.getElementsByTagName("synapse");
        for (int i = 0; i < synapses.getLength(); i++) {
            Element syn = (Element) synapses.item(i);
            Element action = firstElement(child(syn, "action_set"));
            Map<String, String> prim = new TreeMap<>();
            Element primitive = child(action, "primitive");
            if (primitive != null) {
                prim.putAll(attributes(primitive));
            }
            Element attrsEl = child(action, "attributes");
            Map<String, String> attrs = attrsEl == null ? new TreeMap<>() : attributes(attrsEl);
            TreeSet<String> inputs = new TreeSet<>();
            Element in = child(syn, "inputs");
            if (in != null) {
                for (Element trigger : children(in, "trigger")) {
                    Element ta = firstElement(trigger);
                    inputs.add(ref(ta.getAttribute("operation_key"), attr(ta, "on_node")));
                }
            }
            Expected e = new Expected(action.getTagName(), action.getAttribute("operation"),
                action.getAttribute("operation_key"), attr(action, "on_node"), attr(action, "on_node_uuid"),
                attr(action, "router_node"), attr(action, "internal_operation_key"), prim, attrs, inputs);
            expected.computeIfAbsent(ref(e.key(), e.node()), k -> new ArrayList<>()).add(e);
        }
        Map<Integer, String> ourIdToRef = new LinkedHashMap<>();
        Map<String, List<TransitionAction>> actual = new TreeMap<>();
        for (TransitionAction a : t.actions()) {
            String r = ref(a.key(), a.node());
            ourIdToRef.put(a.id(), r);
            actual.computeIfAbsent(r, k -> new ArrayList<>()).add(a);
        }
        TreeSet<String> refs = new TreeSet<>(expected.keySet());
        refs.addAll(actual.keySet());
        for (String r : refs) {
            List<Expected> es = expected.getOrDefault(r, List.of());
            List<TransitionAction> as = new ArrayList<>(actual.getOrDefault(r, List.of()));
            if (es.size() != as.size()) {
                diffs.add(r + ": " + es.size() + " expected, " + as.size() + " actual");
                continue;
            }
            // several actions with one key and node (pseudo stops of one resource on several nodes): match each
            // expected action with an actual one that agrees, else report against the first left
            for (Expected e : es) {
                List<String> best = null;
                TransitionAction match = null;
                for (TransitionAction a : as) {
                    List<String> d = new ArrayList<>();
                    compareAction(r, e, a, ourIdToRef, d);
                    if (d.isEmpty() || best == null) {
                        best = d;
                        match = a;
                        if (d.isEmpty()) {
                            break;
                        }
                    }
                }
                as.remove(match);
                diffs.addAll(best);
            }
        }
        return diffs;
    }

    private static void compareSettings(Element root, Transition t, List<String> diffs) {
        var s = t.settings();
        check(diffs, "graph cluster-delay", Util.parseInterval(root.getAttribute("cluster-delay")),
            s.clusterDelayMs());
        check(diffs, "graph stonith-timeout", Util.parseInterval(root.getAttribute("stonith-timeout")),
            s.stonithTimeoutMs());
        check(diffs, "graph failed-stop-offset", root.getAttribute("failed-stop-offset"), s.failedStopOffset());
        check(diffs, "graph failed-start-offset", root.getAttribute("failed-start-offset"), s.failedStartOffset());
        if (root.hasAttribute("batch-limit")) {
            check(diffs, "graph batch-limit", Integer.parseInt(root.getAttribute("batch-limit")), s.batchLimit());
        }
        check(diffs, "graph migration-limit",
            root.hasAttribute("migration-limit") ? Integer.parseInt(root.getAttribute("migration-limit")) : -1,
            s.migrationLimit());
        check(diffs, "graph recheck-by",
            root.hasAttribute("recheck-by") ? Long.parseLong(root.getAttribute("recheck-by")) : null,
            s.recheckBy().isPresent() ? s.recheckBy().getAsLong() : null);
        check(diffs, "graph transition_id", Integer.parseInt(root.getAttribute("transition_id")), t.transitionId());
    }

    private static void compareAction(String r, Expected e, TransitionAction a, Map<Integer, String> ourIdToRef,
                                      List<String> diffs) {
        String kind = switch (a.kind()) {
            case RESOURCE -> "rsc_op";
            case PSEUDO -> "pseudo_event";
            case FENCE, CLUSTER -> "crm_event";
        };
        check(diffs, r + " element", e.element(), kind);
        check(diffs, r + " operation", e.task(), a.task());
        if (!"pseudo_event".equals(e.element())) {
            check(diffs, r + " on_node_uuid", e.nodeUuid(), a.nodeUuid());
            check(diffs, r + " router_node", e.router(), a.routerNode());
        }
        check(diffs, r + " internal_operation_key", e.internalKey(), a.internalKey());
        if (!e.primitive().isEmpty()) {
            ResourceRef rsc = a.resource();
            Map<String, String> ours = new TreeMap<>();
            if (rsc != null) {
                put(ours, "id", rsc.id());
                put(ours, "long-id", rsc.longId());
                put(ours, "class", rsc.agentClass());
                put(ours, "provider", rsc.provider());
                put(ours, "type", rsc.type());
            }
            check(diffs, r + " primitive", e.primitive(), ours);
        }
        Map<String, String> ours = new TreeMap<>(a.attributes());
        if (!e.attributes().containsKey("crm_feature_set")) {
            ours.remove("crm_feature_set");
        }
        if (!Objects.equals(e.attributes(), ours)) {
            TreeSet<String> names = new TreeSet<>(e.attributes().keySet());
            names.addAll(ours.keySet());
            StringBuilder sb = new StringBuilder(r + " attributes:");
            for (String n : names) {
                String x = e.attributes().get(n);
                String y = ours.get(n);
                if (!Objects.equals(x, y)) {
                    sb.append(' ').append(n).append(" expected=").append(x).append(" actual=").append(y).append(';');
                }
            }
            diffs.add(sb.toString());
        }
        String expectedTargetRc = e.attributes().getOrDefault("CRM_meta_op_target_rc", "0");
        check(diffs, r + " target rc", Integer.parseInt(expectedTargetRc), a.targetRc());
        TreeSet<String> inputs = new TreeSet<>();
        for (int id : a.inputs()) {
            inputs.add(ourIdToRef.getOrDefault(id, "#" + id));
        }
        check(diffs, r + " inputs", e.inputs(), inputs);
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private static void check(List<String> diffs, String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            diffs.add(what + ": expected " + expected + ", actual " + actual);
        }
    }

    private static String attr(Element e, String name) {
        return e.hasAttribute(name) ? e.getAttribute(name) : null;
    }

    private static Map<String, String> attributes(Element e) {
        Map<String, String> m = new TreeMap<>();
        var a = e.getAttributes();
        for (int i = 0; i < a.getLength(); i++) {
            m.put(a.item(i).getNodeName(), a.item(i).getNodeValue());
        }
        return m;
    }

    private static Element firstElement(Element e) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element x) {
                return x;
            }
        }
        return null;
    }

    private static Element child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element x && x.getTagName().equals(name)) {
                return x;
            }
        }
        return null;
    }

    private static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element x && x.getTagName().equals(name)) {
                out.add(x);
            }
        }
        return out;
    }
}
