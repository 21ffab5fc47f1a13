package org.vigil.crm.internal.cib;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vigil.crm.api.CibException;

/**
 * Structural checks of a parsed CIB, standing in for Pacemaker's schema validation: the checks that make
 * {@code crm_simulate} refuse a CIB (exit status 78) are errors here too, each naming the element's line and
 * column. Checked in the configuration section (the union of what pacemaker-1.0 to pacemaker-3.x allow, so a CIB
 * valid under its own {@code validate-with} passes): element names per parent, the {@code id} attribute where it
 * is required, unique ids, score syntax ({@code integer}, {@code INFINITY}, {@code +INFINITY}, {@code -INFINITY}),
 * and that every id reference ({@code id-ref}, constraint {@code rsc}/{@code with-rsc}/{@code first}/{@code then},
 * {@code resource_ref}, {@code obj_ref}, {@code template}) names an existing id. A reference to an existing id
 * that is not a resource is not an error: the scheduler ignores that constraint with a warning, as Pacemaker
 * does. {@code validate-with="none"} skips the checks, as in Pacemaker. Stateless; thread-safe.
 *
 * <p>Stands in for the RelaxNG validation of lib/common/schemas.c.
 */
public final class CibChecker {

    /** Element name to the child elements it may have; absent = no children; {@code ANY} = not checked. */
    private static final Map<String, Set<String>> CHILDREN = new HashMap<>();
    private static final Set<String> ANY = Set.of("*");
    /** Elements that must carry an id (unless they are an id-ref). */
    private static final Set<String> NEEDS_ID = new HashSet<>();
    /** Elements with a {@code score} attribute of the score type. */
    private static final Set<String> SCORED = Set.of("rsc_location", "rsc_colocation", "rsc_order", "resource_set",
        "rule", "node", "cluster_property_set", "meta_attributes", "instance_attributes", "utilization");

    static {
        Set<String> nvset = Set.of("rule", "nvpair", "attributes");
        Set<String> rule = Set.of("expression", "date_expression", "rule", "rsc_expression", "op_expression");
        CHILDREN.put("configuration", Set.of("crm_config", "rsc_defaults", "op_defaults", "nodes", "resources",
            "constraints", "fencing-topology", "acls", "tags", "alerts"));
        CHILDREN.put("crm_config", Set.of("cluster_property_set"));
        CHILDREN.put("rsc_defaults", Set.of("meta_attributes", "instance_attributes"));
        CHILDREN.put("op_defaults", Set.of("meta_attributes", "instance_attributes"));
        for (String s : List.of("cluster_property_set", "meta_attributes", "instance_attributes", "utilization",
            "attributes")) {
            CHILDREN.put(s, nvset);
        }
        CHILDREN.put("nodes", Set.of("node"));
        CHILDREN.put("node", Set.of("instance_attributes", "utilization"));
        CHILDREN.put("resources", Set.of("primitive", "template", "group", "clone", "master", "bundle"));
        CHILDREN.put("primitive", Set.of("meta_attributes", "instance_attributes", "operations", "utilization"));
        CHILDREN.put("template", Set.of("meta_attributes", "instance_attributes", "operations", "utilization"));
        CHILDREN.put("group", Set.of("primitive", "meta_attributes", "instance_attributes"));
        CHILDREN.put("clone", Set.of("primitive", "group", "meta_attributes", "instance_attributes"));
        CHILDREN.put("master", Set.of("primitive", "group", "meta_attributes", "instance_attributes"));
        CHILDREN.put("bundle", Set.of("docker", "rkt", "podman", "network", "storage", "primitive",
            "meta_attributes", "instance_attributes"));
        CHILDREN.put("network", Set.of("port-mapping"));
        CHILDREN.put("storage", Set.of("storage-mapping"));
        CHILDREN.put("operations", Set.of("op"));
        CHILDREN.put("op", Set.of("meta_attributes", "instance_attributes"));
        CHILDREN.put("constraints", Set.of("rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket"));
        CHILDREN.put("rsc_location", Set.of("rule", "resource_set", "lifetime"));
        CHILDREN.put("rsc_colocation", Set.of("resource_set", "lifetime"));
        CHILDREN.put("rsc_order", Set.of("resource_set", "lifetime"));
        CHILDREN.put("rsc_ticket", Set.of("resource_set"));
        CHILDREN.put("resource_set", Set.of("resource_ref"));
        CHILDREN.put("lifetime", Set.of("rule"));
        CHILDREN.put("rule", rule);
        CHILDREN.put("date_expression", Set.of("date_spec", "duration"));
        CHILDREN.put("tags", Set.of("tag"));
        CHILDREN.put("tag", Set.of("obj_ref"));
        CHILDREN.put("fencing-topology", Set.of("fencing-level"));
        CHILDREN.put("acls", ANY);
        CHILDREN.put("alerts", ANY);
        for (String s : List.of("expression", "date_spec", "duration", "nvpair", "resource_ref", "obj_ref",
            "port-mapping", "storage-mapping", "fencing-level", "docker", "rkt", "podman", "rsc_expression",
            "op_expression")) {
            CHILDREN.put(s, Set.of());
        }
        NEEDS_ID.addAll(List.of("cluster_property_set", "node", "primitive", "template", "group", "clone",
            "master", "bundle", "op", "rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket", "resource_set",
            "rule", "expression", "date_expression", "tag", "fencing-level", "port-mapping", "storage-mapping",
            "resource_ref", "obj_ref"));
    }

    private CibChecker() {
    }

    /**
     * Checks a parsed CIB.
     *
     * @param root   the document element
     * @param source the file name for messages
     * @throws CibException naming the first problem's place
     */
    public static void check(XmlElement root, String source) throws CibException {
        if (!root.is("cib")) {
            throw error(source, root, "the root element is <" + root.name() + ">, not <cib>");
        }
        XmlElement config = null;
        for (XmlElement c : root.kids()) {
            if (c.is("configuration")) {
                if (config != null) {
                    throw error(source, c, "a second <configuration> element");
                }
                config = c;
            } else if (!c.is("status")) {
                throw error(source, c, "element <" + c.name() + "> is not allowed in <cib> (expected <configuration>"
                    + " or <status>)");
            }
        }
        if (config == null) {
            throw error(source, root, "<cib> has no <configuration> element");
        }
        if ("none".equals(root.get("validate-with"))) {
            return;
        }
        for (String required : List.of("crm_config", "nodes", "resources", "constraints")) {
            if (config.firstChild(required) == null) {
                throw error(source, config, "<configuration> has no <" + required + "> element");
            }
        }
        Map<String, XmlElement> ids = new HashMap<>();
        walk(config, source, ids);
        checkReferences(config, source, ids);
    }

    private static void walk(XmlElement el, String source, Map<String, XmlElement> ids) throws CibException {
        Set<String> allowed = CHILDREN.get(el.name());
        String id = el.get("id");
        boolean isRef = el.has("id-ref");
        if (id != null && !el.is("resource_ref") && !el.is("obj_ref") && !el.is("node")) {
            // (a node's id is plain text in the schema, not an xsd:ID: a remote node shares its resource's id)
            if (id.isEmpty()) {
                throw error(source, el, "<" + el.name() + "> has an empty id");
            }
            XmlElement previous = ids.putIfAbsent(id, el);
            if (previous != null) {
                throw error(source, el, "id '" + id + "' of <" + el.name() + "> is already used by <"
                    + previous.name() + "> at line " + previous.line());
            }
        } else if (id == null && !isRef && NEEDS_ID.contains(el.name())) {
            throw error(source, el, "<" + el.name() + "> has no id attribute");
        }
        if (el.is("node") && el.parent() != null && el.parent().is("nodes") && !el.has("uname")) {
            throw error(source, el, "<node> has no uname attribute");
        }
        if (SCORED.contains(el.name())) {
            String score = el.get("score");
            if (score != null && !validScore(score)) {
                throw error(source, el, "score '" + shorten(score) + "' of <" + el.name() + "> is not an integer,"
                    + " INFINITY, +INFINITY or -INFINITY");
            }
        }
        if (allowed == ANY) {
            collectIds(el, ids);
            return;
        }
        for (XmlElement c : el.kids()) {
            if (allowed == null || !allowed.contains(c.name())) {
                throw error(source, c, "element <" + c.name() + "> is not allowed in <" + el.name() + ">"
                    + (allowed == null || allowed.isEmpty() ? "" : " (expected one of " + sorted(allowed) + ")"));
            }
            walk(c, source, ids);
        }
    }

    private static void collectIds(XmlElement el, Map<String, XmlElement> ids) {
        for (XmlElement c : el.kids()) {
            String id = c.get("id");
            if (id != null) {
                ids.putIfAbsent(id, c);
            }
            collectIds(c, ids);
        }
    }

    private static void checkReferences(XmlElement el, String source, Map<String, XmlElement> ids)
        throws CibException {
        checkRef(el, "id-ref", source, ids);
        switch (el.name()) {
            case "rsc_location", "rsc_ticket" -> checkRef(el, "rsc", source, ids);
            case "rsc_colocation" -> {
                checkRef(el, "rsc", source, ids);
                checkRef(el, "with-rsc", source, ids);
            }
            case "rsc_order" -> {
                checkRef(el, "first", source, ids);
                checkRef(el, "then", source, ids);
            }
            case "resource_ref", "obj_ref" -> checkRef(el, "id", source, ids);
            case "primitive" -> checkRef(el, "template", source, ids);
            case "acls", "alerts" -> {
                return;
            }
            default -> {
            }
        }
        for (XmlElement c : el.kids()) {
            checkReferences(c, source, ids);
        }
    }

    private static void checkRef(XmlElement el, String attr, String source, Map<String, XmlElement> ids)
        throws CibException {
        String ref = el.get(attr);
        if (ref != null && !ids.containsKey(ref)) {
            throw error(source, el, "attribute " + attr + " of <" + el.name() + "> references an unknown id '"
                + shorten(ref) + "'");
        }
    }

    /** Pacemaker's score type: an xsd:integer, or INFINITY with an optional sign. */
    public static boolean validScore(String s) {
        if (s.equals("INFINITY") || s.equals("+INFINITY") || s.equals("-INFINITY")) {
            return true;
        }
        String t = s.strip();
        int i = 0;
        if (!t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-')) {
            i = 1;
        }
        if (i >= t.length()) {
            return false;
        }
        for (; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (ch < '0' || ch > '9') {
                return false;
            }
        }
        return true;
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", new java.util.TreeSet<>(names));
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static CibException error(String source, XmlElement el, String detail) {
        return new CibException(source, el.line(), el.column(), detail);
    }
}
