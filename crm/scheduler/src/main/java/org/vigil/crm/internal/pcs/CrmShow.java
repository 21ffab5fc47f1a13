package org.vigil.crm.internal.pcs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.vigil.crm.internal.cib.XmlElement;

/**
 * {@code crm configure show}: the configuration in crmsh's syntax, as crmsh 4.4.1 prints it
 * ({@code CibObject.repr_cli()} and its subclasses in crmsh/cibconfig.py, {@code crmsh/cliformat.py}, followed for
 * behaviour): one object per entry, sorted by kind (nodes, primitives, groups, clones, constraints, properties,
 * defaults) and then by id; continuation lines joined with {@code " \\\n\t"}.
 *
 * <p>Shown: nodes (attributes, utilization), primitives (params, meta, utilization, operations), groups, clones,
 * bundles, tags, location (node and score, rules), colocation, order and ticket constraints with or without resource
 * sets, fencing topology, cluster properties, resource and operation defaults and alerts. What crmsh's syntax cannot
 * say (its {@code cli_use_validate()} round trip fails: an attribute the syntax lacks, two sets read back as one, an
 * id with '.') is shown as crmsh shows it, {@code xml <element ...>}. Resource templates too; ACLs and the CIB's
 * comments are not yet shown ({@code # not shown: ...}, comments left out).
 */
final class CrmShow {

    private static final Pattern NO_QUOTES = Pattern.compile("^[\\w.-]+$", Pattern.UNICODE_CHARACTER_CLASS);

    private record Obj(int rank, String id, String text) {
    }

    private CrmShow() {
    }

    static String show(XmlElement cib) {
        List<Obj> objs = new ArrayList<>();
        XmlElement conf = cib.firstChild("configuration");
        if (conf == null) {
            return "";
        }
        XmlElement nodes = conf.firstChild("nodes");
        if (nodes != null) {
            for (XmlElement n : nodes.children("node")) {
                objs.add(new Obj(0, n.get("id"), node(n)));
            }
        }
        XmlElement resources = conf.firstChild("resources");
        if (resources != null) {
            for (XmlElement r : resources.kids()) {
                resource(r, objs);
            }
        }
        XmlElement cons = conf.firstChild("constraints");
        if (cons != null) {
            for (XmlElement c : cons.kids()) {
                String t = constraint(c);
                objs.add(new Obj(t.startsWith("# ") ? 1000 : c.is("rsc_ticket") ? 10 : 9, c.get("id"), t));
            }
        }
        XmlElement fencing = conf.firstChild("fencing-topology");
        if (fencing != null) {
            objs.add(new Obj(11, "fencing_topology", fencingTopology(fencing, nodes == null ? 0
                : nodes.children("node").size())));
        }
        XmlElement tags = conf.firstChild("tags");
        if (tags != null) {
            for (XmlElement t : tags.children("tag")) {
                StringBuilder line = new StringBuilder("tag " + t.get("id"));
                t.children("obj_ref").forEach(r -> line.append(' ').append(r.get("id")));
                objs.add(new Obj(7, t.get("id"), line.toString()));
            }
        }
        XmlElement alerts = conf.firstChild("alerts");
        if (alerts != null) {
            for (XmlElement a : alerts.children("alert")) {
                objs.add(new Obj(15, a.get("id"), alert(a)));
            }
        }
        XmlElement crmConfig = conf.firstChild("crm_config");
        if (crmConfig != null) {
            for (XmlElement s : crmConfig.children("cluster_property_set")) {
                objs.add(new Obj(12, s.get("id"), set("property", s)));
            }
        }
        for (String d : List.of("rsc_defaults", "op_defaults")) {
            XmlElement sec = conf.firstChild(d);
            if (sec != null) {
                for (XmlElement s : sec.children("meta_attributes")) {
                    objs.add(new Obj(d.equals("rsc_defaults") ? 13 : 14, s.get("id"), set(d, s)));
                }
            }
        }
        objs.sort(Comparator.comparingInt(Obj::rank).thenComparing(Obj::id));
        StringBuilder out = new StringBuilder();
        for (Obj o : objs) {
            out.append(o.text()).append('\n');
        }
        return out.toString();
    }

    private static String join(List<String> parts) {
        return String.join(" \\\n\t", parts);
    }

    /** {@code quote_wrap()}. */
    static String quote(String v) {
        if (NO_QUOTES.matcher(v).matches()) {
            return v;
        }
        return "\"" + v.replace("\"", "\\\"") + "\"";
    }

    private static String nv(String name, String value) {
        if (value != null && name.startsWith("passw")) {
            value = "******";   // crmsh's obscure_pattern passw*
        }
        return value == null ? name : name + "=" + quote(value);
    }

    /** {@code _attr_set_str()}: {@code params a=1 b=2}. */
    private static String attrSet(String keyword, XmlElement set) {
        StringBuilder s = new StringBuilder(keyword);
        String score = set.get("score");
        if (score != null) {
            s.append(' ').append(score(score)).append(':');
        }
        for (XmlElement rule : set.children("rule")) {
            s.append(" rule ").append(rule(rule));
        }
        for (XmlElement nv : set.children("nvpair")) {
            s.append(' ').append(nv(nv.get("name"), nv.get("value")));
        }
        return s.toString();
    }

    private static String score(String s) {
        return s.replace("INFINITY", "inf");
    }

    private static String node(XmlElement n) {
        String uname = n.get("uname");
        String id = n.get("id");
        // crmsh's syntax has no node score, and no id with a '.' besides the name: the XML then (cli_use_validate())
        if (id.contains(".") && !id.equals(uname)
            || !List.of("id", "uname", "type", "description").containsAll(n.attributes().keySet())) {
            return xml(n);
        }
        StringBuilder head = new StringBuilder("node");
        if (!id.equals(uname)) {
            head.append(NO_QUOTES.matcher(id).matches() ? " " + id + ":" : " $id=\"" + id + "\"");
        }
        head.append(' ').append(uname);
        String type = n.get("type");
        if (type != null && !type.equals("normal")) {
            head.append(':').append(type);
        }
        List<String> parts = new ArrayList<>();
        parts.add(head.toString());
        for (XmlElement c : n.kids()) {
            if (c.is("instance_attributes")) {
                parts.add(attrSet("attributes", c));
            } else if (c.is("utilization")) {
                parts.add(attrSet("utilization", c));
            }
        }
        return join(parts);
    }

    private static void resource(XmlElement r, List<Obj> objs) {
        switch (r.name()) {
            case "primitive" -> objs.add(new Obj(2, r.get("id"), primitive(r)));
            case "group" -> {
                objs.add(new Obj(4, r.get("id"), container("group", r)));
                r.children("primitive").forEach(p -> objs.add(new Obj(2, p.get("id"), primitive(p))));
            }
            case "clone", "master" -> {
                objs.add(new Obj(r.is("master") ? 5 : 6, r.get("id"), container(r.is("master") ? "ms" : "clone",
                    r)));
                for (XmlElement c : r.kids()) {
                    if (c.is("primitive") || c.is("group")) {
                        resource(c, objs);
                    }
                }
            }
            case "template" -> objs.add(new Obj(1, r.get("id"), primitive(r, "rsc_template")));
            case "bundle" -> {
                objs.add(new Obj(3, r.get("id"), bundle(r)));
                r.children("primitive").forEach(p -> objs.add(new Obj(2, p.get("id"), primitive(p))));
            }
            default -> objs.add(new Obj(1000, r.get("id"), "# not shown: " + r.name() + " " + r.get("id")));
        }
    }

    /** What crmsh's {@code CibBundle} writes of a bundle's children ({@code set_names}); any other shows the XML. */
    private static final Map<String, String> BUNDLE_PARTS = Map.of("docker", "docker", "network", "network",
        "storage", "storage", "primitive", "primitive", "meta_attributes", "meta", "instance_attributes", "params");

    /**
     * {@code CibBundle} ({@code _attr_set_str()} for each child): the container's and the network's attributes as
     * written, the port and storage mappings, the primitive's id, the meta attributes; the primitive itself is an
     * object of its own.
     */
    private static String bundle(XmlElement b) {
        List<String> parts = new ArrayList<>(List.of("bundle " + b.get("id")));
        List<XmlElement> kids = new ArrayList<>(b.kids());
        // crmsh's bundle keeps its primitive last (after the meta attributes)
        kids.sort(Comparator.comparing(k -> k.is("primitive")));
        for (XmlElement c : kids) {
            String keyword = BUNDLE_PARTS.get(c.name());
            if (keyword == null || (c.is("meta_attributes") || c.is("instance_attributes"))
                && b.kids().stream().skip(b.kids().indexOf(c) + 1L).anyMatch(k -> k.is("docker"))) {
                return xml(b);   // a set before the container: crmsh shows the XML
            }
            StringBuilder s = new StringBuilder(keyword);
            if (c.is("docker") || c.is("network")) {
                c.attributes().forEach((k, v) -> s.append(' ').append(k).append('=').append(quote(v)));
            }
            if (c.is("primitive")) {
                s.append(' ').append(c.get("id"));
            }
            for (String mapping : List.of("port-mapping", "storage-mapping")) {
                for (XmlElement m : c.children(mapping)) {
                    s.append(' ').append(mapping);
                    m.attributes().forEach((k, v) -> s.append(' ').append(k).append('=').append(quote(v)));
                }
            }
            if (c.is("meta_attributes") || c.is("instance_attributes")) {
                s.setLength(0);
                s.append(attrSet(keyword, c));
            }
            parts.add(s.toString());
        }
        return join(parts);
    }

    private static String agent(XmlElement p) {
        String cls = p.get("class");
        String prov = p.get("provider");
        String type = p.get("type");
        boolean unique = cls == null && prov == null || "ocf".equals(cls) && prov == null || "heartbeat".equals(prov);
        if (unique) {
            return type;
        }
        return (cls == null ? "" : cls + ":") + (prov == null ? "" : prov + ":") + type;
    }

    private static String primitive(XmlElement p) {
        return primitive(p, "primitive");
    }

    /** {@code CibPrimitive}: a primitive, or ({@code rsc_template}) a resource template. */
    private static String primitive(XmlElement p, String keyword) {
        XmlElement emptyOps = p.firstChild("operations");
        if (emptyOps != null && emptyOps.kids().isEmpty() && emptyOps.attributes().isEmpty()) {
            return xml(p);   // an empty <operations/> is not said in crmsh's syntax (cli_use_validate())
        }
        List<String> parts = new ArrayList<>();
        parts.add(keyword + " " + p.get("id") + " " + (p.get("template") != null ? "@" + p.get("template")
            : agent(p)));
        if (p.get("description") != null) {
            parts.add(nv("description", p.get("description")));
        }
        for (XmlElement c : p.kids()) {
            switch (c.name()) {
                case "instance_attributes" -> parts.add(attrSet("params", c));
                case "meta_attributes" -> parts.add(attrSet("meta", c));
                case "utilization" -> parts.add(attrSet("utilization", c));
                case "operations" -> {
                    if (c.get("id") != null) {
                        parts.add("operations $id=" + quote(c.get("id")));
                    } else if (c.get("id-ref") != null) {
                        parts.add("operations  $id-ref=" + quote(c.get("id-ref")));
                    }
                    for (XmlElement o : c.children("op")) {
                        StringBuilder s = new StringBuilder("op ").append(o.get("name"));
                        for (Map.Entry<String, String> a : o.attributes().entrySet()) {
                            if (!a.getKey().equals("id") && !a.getKey().equals("name")) {
                                s.append(' ').append(nv(a.getKey(), a.getValue()));
                            }
                        }
                        parts.add(s.toString());
                        // CibOp's sets, each a line of its own
                        for (XmlElement set : o.kids()) {
                            if (set.is("instance_attributes") || set.is("meta_attributes")) {
                                parts.add(attrSet(set.is("meta_attributes") ? "op_meta" : "op_params", set));
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        return join(parts);
    }

    private static String container(String keyword, XmlElement g) {
        List<String> parts = new ArrayList<>();
        StringBuilder head = new StringBuilder(keyword).append(' ').append(g.get("id"));
        for (XmlElement c : g.kids()) {
            if (c.is("primitive") || c.is("group") && !keyword.equals("group")) {
                head.append(' ').append(c.get("id"));
            }
        }
        parts.add(head.toString());
        if (g.get("description") != null) {
            parts.add(nv("description", g.get("description")));
        }
        for (XmlElement c : g.kids()) {
            if (c.is("meta_attributes")) {
                parts.add(attrSet("meta", c));
            } else if (c.is("instance_attributes")) {
                parts.add(attrSet("params", c));
            }
        }
        return join(parts);
    }

    private static String withRole(XmlElement c, String attr, String roleAttr) {
        String r = c.get(attr);
        return c.get(roleAttr) == null ? r : r + ":" + c.get(roleAttr);
    }

    /** The attributes crmsh's syntax carries, per constraint; any other makes crmsh show the XML. */
    private static final Map<String, List<String>> CLI_ATTRIBUTES = Map.of(
        "rsc_location", List.of("id", "rsc", "rsc-pattern", "role", "resource-discovery", "node", "score",
            "score-attribute"),
        "rsc_colocation", List.of("id", "score", "score-attribute", "rsc", "with-rsc", "rsc-role", "with-rsc-role",
            "node-attribute"),
        "rsc_order", List.of("id", "score", "kind", "first", "then", "first-action", "then-action", "symmetrical"),
        "rsc_ticket", List.of("id", "ticket", "rsc", "rsc-role", "loss-policy"));

    /**
     * Whether crmsh can show the constraint in its syntax ({@code cli_use_validate()}: the text parsed back must be
     * the same XML): only attributes its syntax has, resource sets with only theirs and no two plain sets (neither
     * unordered nor optional) with the same action or role one after the other (crmsh reads them back as one set),
     * rules only in locations.
     */
    private static boolean cliShowable(XmlElement c) {
        List<String> known = CLI_ATTRIBUTES.get(c.name());
        if (known == null || !known.containsAll(c.attributes().keySet())
            || c.is("rsc_colocation") && c.get("score") == null && c.get("score-attribute") == null) {
            return false;   // (a colocation's score is not optional in crmsh's syntax)
        }
        String qualifier = c.is("rsc_order") ? "action" : "role";
        String previousPlain = null;   // the qualifier of the set before, when it was written without brackets
        for (XmlElement k : c.kids()) {
            if (k.is("resource_set")) {
                if (!List.of("id", "sequential", "require-all", qualifier).containsAll(k.attributes().keySet())
                    || k.kids().stream().anyMatch(r -> !r.is("resource_ref"))) {
                    return false;
                }
                boolean plain = !"false".equals(k.get("sequential")) && !"false".equals(k.get("require-all"));
                String q = Xml.get(k, qualifier, "");
                if (plain && q.equals(previousPlain)) {
                    return false;   // written one after the other, two such sets read back as one
                }
                previousPlain = plain ? q : null;
            } else if (!(k.is("rule") && c.is("rsc_location"))) {
                return false;
            }
        }
        return true;
    }

    /** crmsh's fallback for what its syntax cannot say: {@code xml} and the element, a line each. */
    private static String xml(XmlElement e) {
        XmlElement copy = e.deepCopy();
        dropDefaults(copy);
        StringBuilder sb = new StringBuilder();
        copy.write(sb, 0);
        return "xml " + String.join(" \\\n", sb.toString().stripTrailing().split("\n"));
    }

    /** Attributes crmsh drops where they have their default ({@code attr_defaults} of constants.py and xmlutil.py). */
    private static final Map<String, Map<String, String>> DEFAULTS = Map.of("node", Map.of("type", "normal"),
        "resource_set", Map.of("sequential", "true", "require-all", "true"), "rule", Map.of("boolean-op", "and"),
        "expression", Map.of("type", "string"));

    private static void dropDefaults(XmlElement e) {
        DEFAULTS.getOrDefault(e.name(), Map.of()).forEach((k, v) -> {
            if (v.equals(e.get(k))) {
                e.removeAttribute(k);
            }
        });
        e.kids().forEach(CrmShow::dropDefaults);
    }

    /** {@code rsc_set_constraint()} of crmsh/cliformat.py: the sets, {@code ( )} unordered, {@code [ ]} optional. */
    private static List<String> sets(XmlElement c, String objType) {
        List<String> col = new ArrayList<>();
        int cnt = 0;
        Boolean sequential = null;
        Boolean requireAll = null;
        for (XmlElement n : c.children("resource_set")) {
            sequential = n.get("sequential") == null ? null : org.vigil.crm.internal.cib.Util.isTrue(n.get("sequential"));
            requireAll = n.get("require-all") == null ? null : org.vigil.crm.internal.cib.Util.isTrue(
                n.get("require-all"));
            if (Boolean.FALSE.equals(requireAll)) {
                col.add("[");
            } else if (Boolean.FALSE.equals(sequential)) {
                col.add("(");
            }
            String q = objType.equals("order") ? n.get("action") : n.get("role");
            for (XmlElement r : n.children("resource_ref")) {
                col.add(q == null || q.isEmpty() ? r.get("id") : r.get("id") + ":" + q);
                cnt++;
            }
            if (Boolean.FALSE.equals(requireAll)) {
                if (sequential == null || sequential) {
                    col.add("sequential=true");
                }
                col.add("]");
            } else if (Boolean.FALSE.equals(sequential)) {
                col.add(")");
            }
        }
        boolean ticket = objType.equals("rsc_ticket");
        boolean seqAll = (sequential == null || sequential) && (requireAll == null || requireAll);
        if (!objType.equals("location") && (seqAll && !ticket && cnt <= 2 || ticket && cnt <= 1)) {
            col.add(0, "_rsc_set_");
        }
        return col;
    }

    private static String constraint(XmlElement c) {
        if (!cliShowable(c)) {
            return xml(c);
        }
        boolean hasSets = c.firstChild("resource_set") != null;
        String id = c.get("id");
        switch (c.name()) {
            case "rsc_location" -> {
                String rsc = c.get("rsc") != null ? c.get("rsc") : c.get("rsc-pattern") != null
                    ? "/" + c.get("rsc-pattern") + "/" : "{ " + String.join(" ", sets(c, "location")) + " }";
                StringBuilder s = new StringBuilder("location ").append(id).append(' ').append(rsc);
                for (String a : List.of("role", "resource-discovery")) {
                    if (c.get(a) != null) {
                        s.append(' ').append(a).append('=').append(c.get(a));
                    }
                }
                if (c.get("node") != null) {
                    s.append(' ').append(score(scoreOf(c))).append(": ").append(c.get("node"));
                }
                List<String> parts = new ArrayList<>();
                parts.add(s.toString());
                for (XmlElement rule : c.children("rule")) {
                    parts.add("rule " + rule(rule));
                }
                return join(parts);
            }
            case "rsc_colocation", "rsc_order" -> {
                boolean order = c.is("rsc_order");
                String sc = scoreOf(c);
                if (sc.isEmpty() && c.get("kind") != null) {
                    sc = c.get("kind");
                }
                StringBuilder s = new StringBuilder(order ? "order " : "colocation ").append(id).append(' ');
                if (!sc.isEmpty()) {
                    s.append(score(sc)).append(": ");
                }
                if (hasSets) {
                    s.append(String.join(" ", sets(c, order ? "order" : "colocation")));
                    if (order && c.get("symmetrical") != null) {
                        s.append(" symmetrical=").append(c.get("symmetrical"));
                    } else if (!order && c.get("node-attribute") != null) {
                        s.append(" node-attribute=").append(c.get("node-attribute"));
                    }
                } else if (order) {
                    s.append(withRole(c, "first", "first-action")).append(' ').append(withRole(c, "then",
                        "then-action"));
                    if (c.get("symmetrical") != null) {
                        s.append(" symmetrical=").append(c.get("symmetrical"));
                    }
                } else {
                    s.append(withRole(c, "rsc", "rsc-role")).append(' ').append(withRole(c, "with-rsc",
                        "with-rsc-role"));
                    if (c.get("node-attribute") != null) {
                        s.append(" node-attribute=").append(c.get("node-attribute"));
                    }
                }
                return s.toString();
            }
            case "rsc_ticket" -> {
                return "rsc_ticket " + id + " " + c.get("ticket") + ": " + (hasSets
                    ? String.join(" ", sets(c, "rsc_ticket")) : withRole(c, "rsc", "rsc-role"))
                    + (c.get("loss-policy") == null ? "" : " loss-policy=" + c.get("loss-policy"));
            }
            default -> {
                return "# not shown: " + c.name() + " " + id;
            }
        }
    }

    /**
     * {@code CibFencingOrder._repr_cli_head()}: each target's levels in index order, a level's devices as written;
     * one line when every node has the same levels.
     */
    private static String fencingTopology(XmlElement f, int nodeCount) {
        Map<String, java.util.TreeMap<Integer, String>> byTarget = new java.util.LinkedHashMap<>();
        for (XmlElement l : f.children("fencing-level")) {
            String target = l.get("target-pattern") != null ? "pattern:" + l.get("target-pattern")
                : l.get("target-attribute") != null ? "attr:" + l.get("target-attribute") + "=" + l.get("target-value")
                : l.get("target") + ":";
            int index;
            try {
                index = Integer.parseInt(Xml.get(l, "index", "0"));
            } catch (NumberFormatException e) {
                index = 0;
            }
            byTarget.computeIfAbsent(target, t -> new java.util.TreeMap<>()).put(index, l.get("devices"));
        }
        java.util.Set<String> levels = new java.util.HashSet<>();
        List<String> parts = new ArrayList<>(List.of("fencing_topology"));
        for (Map.Entry<String, java.util.TreeMap<Integer, String>> e : byTarget.entrySet()) {
            String devs = String.join(" ", e.getValue().values());
            levels.add(devs);
            parts.add(e.getKey() + " " + devs);
        }
        if (levels.size() == 1 && byTarget.size() == nodeCount) {
            return "fencing_topology " + levels.iterator().next();
        }
        return join(parts);
    }

    /**
     * {@code CibAlert}: {@code alert ID PATH}, then its sets ({@code attributes}, {@code meta}), {@code select} and
     * each recipient ({@code to VALUE}, its sets in braces when the alert's own sets come after a recipient).
     */
    private static String alert(XmlElement a) {
        List<String> parts = new ArrayList<>(List.of("alert " + a.get("id") + " " + quote(Xml.get(a, "path", ""))));
        List<XmlElement> kids = a.kids();
        int first = -1;
        for (int i = 0; i < kids.size() && first < 0; i++) {
            if (kids.get(i).is("recipient")) {
                first = i;
            }
        }
        boolean complex = first >= 0 && kids.subList(first + 1, kids.size()).stream()
            .anyMatch(k -> k.is("instance_attributes") || k.is("meta_attributes"));
        for (XmlElement c : kids) {
            switch (c.name()) {
                case "instance_attributes" -> parts.add(attrSet("attributes", c));
                case "meta_attributes" -> parts.add(attrSet("meta", c));
                case "select" -> {
                    List<String> r = new ArrayList<>(List.of("select"));
                    for (XmlElement sel : c.kids()) {
                        if (sel.name().startsWith("select_")) {
                            r.add(sel.name().substring("select_".length()));
                            if (sel.is("select_attributes")) {
                                r.add("{");
                                sel.children("attribute").forEach(x -> r.add(x.get("name")));
                                r.add("}");
                            }
                        }
                    }
                    parts.add(String.join(" ", r));
                }
                case "recipient" -> {
                    List<String> r = new ArrayList<>(List.of("to"));
                    if (complex) {
                        r.add("{");
                    }
                    r.add(quote(Xml.get(c, "value", "")));
                    for (XmlElement set : c.kids()) {
                        if (set.is("instance_attributes") || set.is("meta_attributes")) {
                            r.add(attrSet(set.is("meta_attributes") ? "meta" : "attributes", set));
                        }
                    }
                    if (complex) {
                        r.add("}");
                    }
                    parts.add(String.join(" ", r));
                }
                default -> {
                }
            }
        }
        return join(parts);
    }

    /** {@code cli_rule()}: {@code [$role=ROLE] [SCORE:] EXPR [and|or EXPR]...}. */
    private static String rule(XmlElement rule) {
        List<String> s = new ArrayList<>();
        if (rule.get("role") != null) {
            s.add("$role=" + quote(rule.get("role")));
        }
        String sc = rule.get("score");
        if (sc == null || sc.isEmpty()) {
            sc = rule.get("score-attribute");
        }
        if (sc != null && !sc.isEmpty() && !sc.equals("INFINITY")) {
            s.add(score(sc) + ":");
        }
        List<String> exprs = new ArrayList<>();
        for (XmlElement x : rule.kids()) {
            if (x.is("expression")) {
                String op = x.get("operation");
                if (x.get("type") != null && !x.get("type").equals("string")) {
                    op = x.get("type") + ":" + op;
                }
                String value = x.get("value");
                String src = x.get("value-source");
                exprs.add(value == null || value.isEmpty() ? op + " " + x.get("attribute")
                    : x.get("attribute") + " " + op + " " + (src == null || src.equals("literal") ? value
                        : src + "{" + value + "}"));
            } else if (x.is("date_expression")) {
                exprs.add(dateExpression(x));
            }
        }
        s.add(String.join(" " + Xml.get(rule, "boolean-op", "and") + " ", exprs));
        return String.join(" ", s);
    }

    /** {@code date_exp2cli()}: {@code date lt|gt VALUE}, {@code date in start=.. end=..}, {@code date spec ...}. */
    private static String dateExpression(XmlElement x) {
        String op = Xml.get(x, "operation", "");
        List<String> l = new ArrayList<>(List.of("date", switch (op) {
            case "in_range" -> "in";
            case "date_spec" -> "spec";
            default -> op;
        }));
        if (op.equals("lt") || op.equals("gt")) {
            l.add(quote(Xml.get(x, op.equals("lt") ? "end" : "start", "")));
        } else {
            if (op.equals("in_range")) {
                for (String a : List.of("start", "end")) {
                    if (x.get(a) != null) {
                        l.add(a + "=" + quote(x.get(a)));
                    }
                }
            }
            for (XmlElement c : x.kids()) {
                if (c.is("duration") || c.is("date_spec")) {
                    c.attributes().forEach((k, v) -> {
                        if (!k.equals("id")) {
                            l.add(k + "=" + quote(v));
                        }
                    });
                }
            }
        }
        return String.join(" ", l);
    }

    private static String scoreOf(XmlElement c) {
        String s = c.get("score");
        if (s == null || s.isEmpty()) {
            s = c.get("score-attribute");
        }
        return s == null ? "" : s;
    }

    private static String set(String keyword, XmlElement s) {
        List<String> parts = new ArrayList<>();
        String id = s.get("id");
        if (id.contains(".") || s.get("score") != null || Xml.named(s, "rule").stream().anyMatch(r -> r.kids()
            .stream().anyMatch(k -> !k.is("expression") && !k.is("date_expression") && !k.is("rule")))) {
            return xml(s);   // not said in crmsh 4.4's syntax (op and resource expressions too): the XML
        }
        parts.add(keyword + " " + (NO_QUOTES.matcher(id).matches() ? id + ":" : "$id=\"" + id + "\""));
        for (XmlElement nv : s.children("nvpair")) {
            parts.add(nv(nv.get("name"), nv.get("value")));
        }
        return join(parts);
    }
}
