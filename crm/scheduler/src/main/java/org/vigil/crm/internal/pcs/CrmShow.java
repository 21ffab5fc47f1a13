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
 * simple location (node and score), colocation and order constraints, cluster properties and resource and operation
 * defaults. Rules, resource sets, templates, bundles, tags, ACLs, alerts and fencing topology are not yet shown
 * (they appear as {@code # not shown: ...} comments).
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
        XmlElement crmConfig = conf.firstChild("crm_config");
        if (crmConfig != null) {
            for (XmlElement s : crmConfig.children("cluster_property_set")) {
                objs.add(new Obj(11, s.get("id"), set("property", s)));
            }
        }
        for (String d : List.of("rsc_defaults", "op_defaults")) {
            XmlElement sec = conf.firstChild(d);
            if (sec != null) {
                for (XmlElement s : sec.children("meta_attributes")) {
                    objs.add(new Obj(d.equals("rsc_defaults") ? 12 : 13, s.get("id"), set(d, s)));
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
            default -> objs.add(new Obj(1000, r.get("id"), "# not shown: " + r.name() + " " + r.get("id")));
        }
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
        List<String> parts = new ArrayList<>();
        parts.add("primitive " + p.get("id") + " " + (p.get("template") != null ? "@" + p.get("template")
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
                        for (XmlElement ia : o.children("instance_attributes")) {
                            for (XmlElement nv : ia.children("nvpair")) {
                                s.append(' ').append(nv(nv.get("name"), nv.get("value")));
                            }
                        }
                        parts.add(s.toString());
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

    private static String constraint(XmlElement c) {
        if (c.firstChild("resource_set") != null || c.firstChild("rule") != null && !c.is("rsc_location")) {
            return "# not shown: " + c.name() + " " + c.get("id") + " (resource sets)";
        }
        String id = c.get("id");
        switch (c.name()) {
            case "rsc_location" -> {
                String rsc = c.get("rsc") != null ? c.get("rsc") : "/" + c.get("rsc-pattern") + "/";
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
                if (order) {
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
                return "rsc_ticket " + id + " " + c.get("ticket") + ": " + withRole(c, "rsc", "rsc-role")
                    + (c.get("loss-policy") == null ? "" : " loss-policy=" + c.get("loss-policy"));
            }
            default -> {
                return "# not shown: " + c.name() + " " + id;
            }
        }
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
                exprs.add("date " + Xml.get(x, "operation", "") + " " + Xml.get(x, "start", Xml.get(x, "end", "")));
            }
        }
        s.add(String.join(" " + Xml.get(rule, "boolean-op", "and") + " ", exprs));
        return String.join(" ", s);
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
        parts.add(keyword + " " + (NO_QUOTES.matcher(id).matches() ? id + ":" : "$id=\"" + id + "\""));
        for (XmlElement nv : s.children("nvpair")) {
            parts.add(nv(nv.get("name"), nv.get("value")));
        }
        return join(parts);
    }
}
