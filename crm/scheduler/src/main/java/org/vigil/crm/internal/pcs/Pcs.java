package org.vigil.crm.internal.pcs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.internal.cib.XmlElement;

/**
 * The CIB edits and listings of pcs 0.11 ({@code pcs/resource.py}, {@code pcs/constraint.py}, {@code pcs/prop.py},
 * {@code pcs/lib/commands/*} of pcs 0.11.5, followed for behaviour and wording): one command line applied to a
 * private copy of the CIB, its text in {@link #out} and {@link #err}. The caller decides what becomes of the
 * changed copy (pushed to the cluster, written to the {@code -f} file, or only scheduled for {@code --dry-run}).
 *
 * <p>Not thread-safe: one per command line.
 */
final class Pcs {

    /** A refusal: printed as {@code Error: MESSAGE}, exit 1, nothing changed. */
    static final class PcsError extends Exception {
        private static final long serialVersionUID = 1L;

        /** Raised by a command of pcs's library layer, which ends its errors with a summary line. */
        final boolean library;

        PcsError(String message) {
            this(message, false);
        }

        PcsError(String message, boolean library) {
            super(message);
            this.library = library;
        }

        /** A library command's refusal. */
        static PcsError lib(String message) {
            return new PcsError(message, true);
        }
    }

    /** The global options pcs takes anywhere on its command line. */
    record Flags(boolean file, boolean force, boolean full, boolean noDefaultOps, boolean disabled, String group,
        boolean all) {
    }

    final XmlElement cib;
    final Flags flags;
    final AgentMetadata.Source agents;
    final StringBuilder out = new StringBuilder();
    final StringBuilder err = new StringBuilder();
    boolean changed;

    Pcs(XmlElement cib, Flags flags, AgentMetadata.Source agents) {
        this.cib = cib;
        this.flags = flags;
        this.agents = agents;
    }

    // ---------------------------------------------------------------- resources

    /** The resource element (primitive, group, clone, master, bundle) with this id, or null. */
    XmlElement resource(String id) {
        for (XmlElement e : Xml.all(Xml.section(cib, "resources"), x -> id.equals(x.get("id")))) {
            if (e.is("primitive") || e.is("group") || e.is("clone") || e.is("master") || e.is("bundle")) {
                return e;
            }
        }
        return null;
    }

    /** The resource, or the refusal {@code Error: Unable to find resource: ID} of pcs's older commands. */
    private XmlElement existingResource(String id) throws PcsError {
        XmlElement r = resource(id);
        if (r == null) {
            throw new PcsError("Unable to find resource: " + id);
        }
        return r;
    }

    /** The resource, or the refusal of pcs's library commands. */
    private XmlElement libResource(String id) throws PcsError {
        XmlElement r = resource(id);
        if (r == null) {
            throw PcsError.lib("bundle/clone/group/resource '" + id + "' does not exist");
        }
        return r;
    }

    /** Splits {@code name=value} words (up to a keyword) into a map, in order. */
    static Map<String, String> pairs(List<String> words) throws PcsError {
        Map<String, String> m = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new PcsError("missing value of '" + w + "' option");
            }
            m.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return m;
    }

    /** The words of a command line in sections: the leading ones, then one list per keyword occurrence. */
    record Sections(List<String> head, List<Map.Entry<String, List<String>>> groups) {
        static Sections of(List<String> words, String... keywords) {
            List<String> head = new ArrayList<>();
            List<Map.Entry<String, List<String>>> groups = new ArrayList<>();
            List<String> current = head;
            for (String w : words) {
                if (List.of(keywords).contains(w)) {
                    current = new ArrayList<>();
                    groups.add(Map.entry(w, current));
                } else {
                    current.add(w);
                }
            }
            return new Sections(head, groups);
        }
    }

    /** {@code standard:provider:type}, with pcs's deduction from a bare type. */
    AgentMetadata.Agent agentName(String name) throws PcsError {
        String[] p = name.split(":", -1);
        if (p.length == 3 && p[0].equals("ocf")) {
            return new AgentMetadata.Agent(p[0], p[1], p[2]);
        }
        if (p.length == 2 && !p[0].equals("ocf")) {
            return new AgentMetadata.Agent(p[0], null, p[1]);
        }
        if (p.length == 1 && !name.isEmpty()) {
            List<String> providers = agents.providers(name);
            if (providers.size() == 1) {
                AgentMetadata.Agent a = new AgentMetadata.Agent("ocf", providers.get(0), name);
                err.append("Assumed agent name '").append(a.full()).append("' (deduced from '").append(name)
                    .append("')\n");
                return a;
            }
            if (providers.isEmpty()) {
                throw new PcsError("Unable to find agent '" + name + "', try specifying its full name");
            }
            List<String> full = providers.stream().map(pr -> "'ocf:" + pr + ":" + name + "'").toList();
            throw PcsError.lib("Multiple agents match '" + name + "', please specify full name: "
                + String.join(", ", full.subList(0, full.size() - 1)) + " or " + full.get(full.size() - 1));
        }
        throw new PcsError("Invalid resource agent name '" + name + "'. Use standard:provider:type when standard "
            + "is 'ocf' or standard:type otherwise.");
    }

    /** {@code pcs resource create ID AGENT [NAME=VALUE]... [op ACTION ...]... [meta NAME=VALUE...] [--group G]}. */
    void resourceCreate(List<String> args, boolean stonith) throws PcsError {
        if (args.size() < 2) {
            throw new PcsError("You must specify resource id and resource agent name");
        }
        String id = args.get(0);
        Sections s = Sections.of(args.subList(2, args.size()), "op", "meta");
        AgentMetadata.Agent agent = stonith ? new AgentMetadata.Agent("stonith", null, args.get(1))
            : agentName(args.get(1));
        if (!stonith && agent.stonith()) {
            throw new PcsError("This command does not accept stonith resource. Use 'pcs stonith create' instead.");
        }
        if (Xml.idExists(cib, id)) {
            throw new PcsError("'" + id + "' already exists");
        }
        if (!id.equals(Xml.sanitize(id)) || id.isEmpty()) {
            throw new PcsError("invalid resource name '" + id + "'");
        }
        XmlNode md = agents.metadata(agent);
        if (md == null && !flags.force()) {
            throw new PcsError("Agent '" + agent.full() + "' is not installed or does not provide valid metadata, "
                + "use --force to override");
        }
        Map<String, String> attrs = pairs(s.head());
        Map<String, String> meta = new LinkedHashMap<>();
        List<Map<String, String>> ops = new ArrayList<>();
        for (Map.Entry<String, List<String>> g : s.groups()) {
            if (g.getKey().equals("meta")) {
                meta.putAll(pairs(g.getValue()));
            } else {
                if (g.getValue().isEmpty()) {
                    throw new PcsError("When using 'op' you must specify an operation name and at least one "
                        + "option");
                }
                Map<String, String> op = new LinkedHashMap<>();
                op.put("name", g.getValue().get(0));
                op.putAll(pairs(g.getValue().subList(1, g.getValue().size())));
                ops.add(op);
            }
        }
        if (md != null && !flags.force()) {
            List<String> allowed = new ArrayList<>(AgentMetadata.parameters(md));
            if (agent.standard().equals("ocf")) {
                // pcs offers the OCF tracing parameters ocf-shellfuncs reads for every agent
                allowed.addAll(List.of("trace_ra", "trace_file"));
            }
            List<String> bad = attrs.keySet().stream().filter(k -> !allowed.contains(k)).sorted().toList();
            if (!bad.isEmpty()) {
                throw PcsError.lib("invalid resource option" + (bad.size() > 1 ? "s" : "") + " '"
                    + String.join("', '", bad) + "', allowed options are: '"
                    + String.join("', '", allowed.stream().sorted().toList()) + "', use --force to override");
            }
        }
        if (flags.disabled()) {
            meta.put("target-role", "Stopped");
        }
        XmlElement prim = Xml.el("primitive", "id", id, "class", agent.standard());
        prim.set("type", agent.type());
        if (agent.provider() != null) {
            prim.set("provider", agent.provider());
        }
        if (!attrs.isEmpty()) {
            XmlElement ia = Xml.el("instance_attributes", "id", Xml.unique(cib, id + "-instance_attributes"));
            prim.addChild(ia);
            for (Map.Entry<String, String> e : attrs.entrySet()) {
                ia.addChild(Xml.el("nvpair", "id", Xml.unique(cib, ia.get("id") + "-" + e.getKey()), "name",
                    e.getKey(), "value", e.getValue()));
            }
        }
        if (!meta.isEmpty()) {
            XmlElement ma = Xml.el("meta_attributes", "id", Xml.unique(cib, id + "-meta_attributes"));
            prim.addChild(ma);
            for (Map.Entry<String, String> e : meta.entrySet()) {
                ma.addChild(Xml.el("nvpair", "id", Xml.unique(cib, ma.get("id") + "-" + e.getKey()), "name",
                    e.getKey(), "value", e.getValue()));
            }
        }
        // the agent's default operations (get_default_operations()), those named by the admin replaced by theirs
        List<Map<String, String>> all = new ArrayList<>();
        java.util.Set<String> named = new java.util.HashSet<>();
        ops.forEach(o -> named.add(o.get("name")));
        List<AgentMetadata.Action> actions = new ArrayList<>();
        for (AgentMetadata.Action a : AgentMetadata.actions(md)) {
            boolean keep = stonith ? a.name().equals("monitor")
                : !flags.noDefaultOps() && !List.of("meta-data", "status", "validate-all").contains(a.name());
            if (keep || (flags.noDefaultOps() && a.name().equals("monitor"))) {
                actions.add(a);
            }
        }
        if (actions.stream().noneMatch(a -> a.name().equals("monitor"))) {
            actions.add(new AgentMetadata.Action("monitor", null, null, null, null, null));
        }
        for (AgentMetadata.Action a : actions) {
            if (named.contains(a.name())) {
                continue;
            }
            Map<String, String> op = new LinkedHashMap<>();
            op.put("name", a.name());
            op.put("interval", a.interval() != null && !a.interval().isEmpty() ? a.interval()
                : a.name().equals("monitor") ? "60s" : "0s");
            if (a.startDelay() != null) {
                op.put("start-delay", a.startDelay());
            }
            if (a.timeout() != null && !(flags.noDefaultOps() && !stonith)) {
                op.put("timeout", a.timeout());
            }
            if (a.role() != null) {
                op.put("role", a.role());
            }
            if (a.depth() != null && !a.depth().equals("0")) {
                op.put("OCF_CHECK_LEVEL", a.depth());
            }
            all.add(op);
        }
        for (Map<String, String> o : ops) {
            o.putIfAbsent("interval", o.get("name").equals("monitor") ? "60s" : "0s");
            all.add(o);
        }
        all.sort(Comparator.comparing(o -> o.get("name")));
        XmlElement operations = Xml.el("operations");
        prim.addChild(operations);
        for (Map<String, String> o : all) {
            operations.addChild(op(id, o, operations));
        }
        XmlElement resources = Xml.section(cib, "resources");
        if (flags.group() != null) {
            XmlElement g = resource(flags.group());
            if (g == null) {
                g = Xml.el("group", "id", flags.group());
                resources.addChild(g);
            } else if (!g.is("group")) {
                throw new PcsError("'" + flags.group() + "' is not a group");
            }
            g.addChild(prim);
        } else {
            resources.addChild(prim);
        }
        changed = true;
    }

    private XmlElement op(String rsc, Map<String, String> o, XmlElement siblings) {
        XmlElement e = Xml.el("op");
        String level = null;
        for (Map.Entry<String, String> a : o.entrySet()) {
            if (a.getKey().equals("OCF_CHECK_LEVEL")) {
                level = a.getValue();
            } else if (!a.getKey().equals("id")) {
                e.set(a.getKey(), a.getValue());
            }
        }
        String id = o.containsKey("id") ? o.get("id") : Xml.sanitize(rsc + "-" + o.get("name") + "-interval-"
            + o.get("interval"));
        String candidate = id;
        int n = 1;
        while (Xml.idExists(cib, candidate) || idIn(siblings, candidate)) {
            candidate = id + "-" + n++;
        }
        e.set("id", candidate);
        if (level != null) {
            XmlElement ia = Xml.el("instance_attributes", "id", candidate + "-instance_attributes");
            ia.addChild(Xml.el("nvpair", "id", candidate + "-instance_attributes-OCF_CHECK_LEVEL", "name",
                "OCF_CHECK_LEVEL", "value", level));
            e.addChild(ia);
        }
        return e;
    }

    private static boolean idIn(XmlElement e, String id) {
        return !Xml.all(e, x -> id.equals(x.get("id"))).isEmpty();
    }

    /** {@code pcs resource delete|remove ID}: its constraints first, then the resource (and an emptied group). */
    void resourceDelete(String id) throws PcsError {
        XmlElement r = resource(id);
        if (r == null || !r.is("primitive") && !r.is("group")) {
            if (r == null) {
                throw new PcsError("Resource '" + id + "' does not exist.");
            }
        }
        XmlElement parent = r.parent();
        XmlElement target = r;
        String msg = null;
        if (r.is("primitive") && parent.is("group") && parent.children("primitive").size() == 1) {
            target = parent;
            msg = "and group";
            if (parent.parent().is("clone") || parent.parent().is("master")) {
                target = parent.parent();
                msg = parent.parent().is("clone") ? "and group and clone" : "and group and M/S";
            }
        } else if (parent.is("clone") || parent.is("master")) {
            target = parent;
        }
        removeReferences(id);
        if (target != r) {
            removeReferences(target.is("group") ? target.get("id") : target.firstChild("group") != null
                ? target.firstChild("group").get("id") : target.get("id"));
            if (target.is("clone") || target.is("master")) {
                removeReferences(target.get("id"));
            }
        }
        err.append(msg == null ? "Deleting Resource - " + id : "Deleting Resource (" + msg + ") - " + id)
            .append('\n');
        target.parent().removeChild(target);
        changed = true;
    }

    /** {@code remove_resource_references()}: the constraints naming the resource (or its clone). */
    private void removeReferences(String id) {
        XmlElement cons = Xml.section(cib, "constraints");
        List<XmlElement> found = new ArrayList<>();
        XmlElement prim = Xml.all(Xml.section(cib, "resources"), e -> e.is("primitive") && id.equals(e.get("id")))
            .stream().findFirst().orElse(null);
        if (prim != null && (prim.parent().is("clone") || prim.parent().is("master"))) {
            collectConstraints(cons, prim.parent().get("id"), found);
        }
        collectConstraints(cons, id, found);
        for (XmlElement c : found) {
            err.append("Removing Constraint - ").append(c.get("id")).append('\n');
            cons.removeChild(c);
        }
        for (XmlElement ref : Xml.named(cons, "resource_ref")) {
            if (id.equals(ref.get("id"))) {
                XmlElement set = ref.parent();
                set.removeChild(ref);
                err.append("Removing ").append(id).append(" from set ").append(set.get("id")).append('\n');
                if (set.children("resource_ref").isEmpty()) {
                    err.append("Removing set ").append(set.get("id")).append('\n');
                    XmlElement c = set.parent();
                    c.removeChild(set);
                    if (c.children("resource_set").isEmpty()) {
                        c.parent().removeChild(c);
                        err.append("Removing constraint ").append(c.get("id")).append('\n');
                    }
                }
            }
        }
    }

    private static void collectConstraints(XmlElement cons, String id, List<XmlElement> into) {
        for (String kind : List.of("rsc_colocation", "rsc_location", "rsc_order", "rsc_ticket")) {
            for (XmlElement c : Xml.named(cons, kind)) {
                for (String a : List.of("rsc", "first", "then", "with-rsc")) {
                    if (id.equals(c.get(a))) {
                        if (!into.contains(c)) {
                            into.add(c);
                        }
                        break;
                    }
                }
            }
        }
    }

    /** {@code pcs resource update ID [NAME=VALUE]... [op ACTION NAME=VALUE...]... [meta NAME=VALUE...]}. */
    void resourceUpdate(List<String> args) throws PcsError {
        if (args.isEmpty()) {
            throw new PcsError("You must specify a resource to update");
        }
        String id = args.get(0);
        XmlElement r = existingResource(id);
        Sections s = Sections.of(args.subList(1, args.size()), "op", "meta");
        Map<String, String> attrs = pairs(s.head());
        if (!attrs.isEmpty()) {
            Xml.update(cib, Xml.set(cib, r, "instance_attributes", true), attrs);
        }
        for (Map.Entry<String, List<String>> g : s.groups()) {
            if (g.getKey().equals("meta")) {
                Xml.update(cib, Xml.set(cib, r, "meta_attributes", true), pairs(g.getValue()));
            } else if (g.getValue().size() >= 2) {
                List<String> w = g.getValue();
                Map<String, String> want = pairs(w.subList(1, w.size()));
                String role = want.getOrDefault("role", "Started");
                XmlElement ops = r.firstChild("operations");
                int at = -1;
                if (ops != null) {
                    // resource_update(): the first op of that name and role is replaced, in its place
                    List<XmlElement> list = ops.children("op");
                    for (int i = 0; i < list.size(); i++) {
                        XmlElement o = list.get(i);
                        if (w.get(0).equals(o.get("name")) && role.equals(Xml.get(o, "role", "Started"))) {
                            at = ops.kids().indexOf(o);
                            ops.removeChild(o);
                            break;
                        }
                    }
                }
                addOp(r, w, false, at);
            }
        }
        changed = true;
    }

    /**
     * {@code resource_operation_add()}: an op from {@code ACTION NAME=VALUE...}, its options sorted, inserted at
     * {@code at} (-1: appended); refused when one with the same action and interval exists, and with {@code strict}
     * when one with the same action and role exists.
     */
    private void addOp(XmlElement r, List<String> w, boolean strict, int at) throws PcsError {
        String rid = r.get("id");
        String name = w.get(0);
        if (name.contains("=")) {
            throw new PcsError(name + " does not appear to be a valid operation action");
        }
        TreeMap<String, String> props = new TreeMap<>(pairs(w.subList(1, w.size())));
        if (!flags.force()) {
            for (String k : props.keySet()) {
                if (!List.of("id", "name", "interval", "description", "start-delay", "interval-origin", "timeout",
                    "enabled", "record-pending", "role", "on-fail", "OCF_CHECK_LEVEL").contains(k)) {
                    throw new PcsError(k + " is not a valid op option (use --force to override)");
                }
            }
        }
        props.putIfAbsent("interval", name.equals("monitor") ? "60s" : "0s");
        String id = props.remove("id");
        if (id != null && Xml.idExists(cib, id)) {
            throw new PcsError("id '" + id + "' is already in use, please specify another one");
        }
        if (id == null) {
            id = Xml.unique(cib, rid + "-" + name + "-interval-" + props.get("interval"));
        }
        XmlElement op = Xml.el("op", "id", id, "name", name);
        String level = props.remove("OCF_CHECK_LEVEL");
        props.forEach(op::set);
        if (level != null) {
            XmlElement ia = Xml.el("instance_attributes", "id", Xml.unique(cib, "params-" + id));
            ia.addChild(Xml.el("nvpair", "name", "OCF_CHECK_LEVEL", "value", level, "id",
                Xml.unique(cib, id + "-OCF_CHECK_LEVEL-" + level)));
            op.addChild(ia);
        }
        XmlElement ops = r.firstChild("operations");
        if (ops == null) {
            ops = Xml.el("operations");
            r.addChild(ops);
        } else {
            long secs = seconds(props.get("interval"));
            List<XmlElement> same = ops.children("op").stream().filter(o -> name.equals(o.get("name"))
                && seconds(o.get("interval")) == secs).toList();
            if (!same.isEmpty()) {
                throw new PcsError("operation " + name + " with interval " + secs + "s already specified for " + rid
                    + ":\n" + String.join("\n", same.stream().map(Pcs::opString).toList()));
            }
            String role = Xml.get(op, "role", "Started");
            List<XmlElement> byName = ops.children("op").stream().filter(o -> name.equals(o.get("name"))
                && role.equals(Xml.get(o, "role", "Started"))).toList();
            if (strict && !flags.force() && !byName.isEmpty()) {
                throw new PcsError("operation " + name + " already specified for " + rid + ", use --force to "
                    + "override:\n" + String.join("\n", byName.stream().map(Pcs::opString).toList()));
            }
        }
        if (at < 0 || at >= ops.kids().size()) {
            ops.addChild(op);
        } else {
            List<XmlElement> after = new ArrayList<>(ops.kids().subList(at, ops.kids().size()));
            after.forEach(ops::removeChild);
            ops.addChild(op);
            after.forEach(ops::addChild);
        }
    }

    /** {@code operation_to_string()}: {@code monitor interval=10s timeout=20s (ID)}. */
    private static String opString(XmlElement o) {
        StringBuilder sb = new StringBuilder(o.get("name"));
        new TreeMap<>(o.attributes()).forEach((k, v) -> {
            if (!k.equals("id") && !k.equals("name")) {
                sb.append(' ').append(k).append('=').append(v);
            }
        });
        for (XmlElement nv : Xml.named(o, "nvpair")) {
            sb.append(' ').append(nv.get("name")).append('=').append(nv.get("value"));
        }
        return sb.append(" (").append(o.get("id")).append(')').toString();
    }

    /** {@code timeout_to_seconds_legacy()}: an interval in seconds (-1 if it is not one). */
    static long seconds(String v) {
        if (v == null) {
            return -1;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(s|sec|m|min|h|hr)?").matcher(v);
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String u = m.group(2) == null ? "s" : m.group(2);
        return switch (u) {
            case "m", "min" -> n * 60;
            case "h", "hr" -> n * 3600;
            default -> n;
        };
    }

    /** {@code pcs resource enable|disable ID...}: the meta attribute {@code target-role}. */
    void resourceEnable(List<String> ids, boolean enable) throws PcsError {
        if (ids.isEmpty()) {
            throw new PcsError("You must specify resource(s) to " + (enable ? "enable" : "disable"));
        }
        List<XmlElement> rs = new ArrayList<>();
        for (String id : ids) {
            XmlElement r = resource(id);
            if (r == null) {
                throw PcsError.lib("bundle/clone/group/resource/tag '" + id + "' does not exist");
            }
            rs.add(r);
        }
        for (XmlElement r : rs) {
            if (enable) {
                for (XmlElement e : targets(r)) {
                    for (XmlElement ma : e.children("meta_attributes")) {
                        XmlElement nv = Xml.nvpair(ma, "target-role");
                        if (nv != null) {
                            ma.removeChild(nv);
                        }
                    }
                }
            } else {
                Xml.update(cib, Xml.set(cib, r, "meta_attributes", true), Map.of("target-role", "Stopped"));
            }
        }
        changed = true;
    }

    /**
     * {@code pcs resource unmanage|manage ID... [--monitor]}: meta {@code is-managed=false} (unmanage) or its removal
     * (manage) on the resources pcs picks for each given one (pcs's {@code find_resources_to_unmanage} and
     * {@code find_resources_to_manage}, see {@link #toUnmanage} and {@link #toManage}); with {@code --monitor} the
     * primitives' monitor operations are disabled ({@code enabled="false"}) or enabled (the attribute removed).
     * Manage warns about a given resource's primitives left without an enabled monitor.
     */
    void resourceManage(List<String> ids, boolean manage, boolean monitor) throws PcsError {
        if (ids.isEmpty()) {
            throw new PcsError("You must specify resource(s) to " + (manage ? "manage" : "unmanage"));
        }
        List<XmlElement> given = new ArrayList<>();
        for (String id : ids) {
            XmlElement r = resource(id);
            if (r == null) {
                throw PcsError.lib("bundle/clone/group/resource/tag '" + id + "' does not exist");
            }
            given.add(r);
        }
        java.util.LinkedHashSet<XmlElement> picked = new java.util.LinkedHashSet<>();
        for (XmlElement r : given) {
            picked.addAll(manage ? toManage(r) : toUnmanage(r));
        }
        java.util.LinkedHashSet<XmlElement> prims = new java.util.LinkedHashSet<>();
        for (XmlElement e : picked) {
            if (manage) {
                XmlElement ma = Xml.set(cib, e, "meta_attributes", false);
                if (ma != null) {
                    Xml.update(cib, ma, Map.of("is-managed", ""));
                }
                if (monitor && e.is("primitive")) {
                    prims.add(e);
                }
            } else {
                Xml.update(cib, Xml.set(cib, e, "meta_attributes", true), Map.of("is-managed", "false"));
                if (monitor) {
                    prims.addAll(Xml.all(e, x -> x.is("primitive")));
                }
            }
        }
        for (XmlElement p : prims) {
            for (XmlElement op : monitors(p)) {
                if (manage) {
                    op.removeAttribute("enabled");
                } else {
                    op.set("enabled", "false");
                }
            }
        }
        if (manage) {
            List<XmlElement> sorted = new ArrayList<>(given);
            sorted.sort(java.util.Comparator.comparing(e -> e.get("id")));
            for (XmlElement r : sorted) {
                for (XmlElement p : Xml.all(r, x -> x.is("primitive"))) {
                    List<XmlElement> ops = monitors(p);
                    if (!ops.isEmpty() && ops.stream().noneMatch(o -> org.vigil.crm.internal.cib.Util.isTrue(Xml.get(o, "enabled", "true")))) {
                        err.append("Warning: Resource '").append(p.get("id")).append("' has no enabled monitor "
                            + "operations. Re-run with '--monitor' to enable them.\n");
                    }
                }
            }
        }
        changed = true;
    }

    private static List<XmlElement> monitors(XmlElement primitive) {
        List<XmlElement> ops = new ArrayList<>();
        for (XmlElement os : primitive.children("operations")) {
            for (XmlElement o : os.children("op")) {
                if ("monitor".equals(o.get("name"))) {
                    ops.add(o);
                }
            }
        }
        return ops;
    }

    /**
     * What unmanaging a resource sets unmanaged (pcs's {@code find_resources_to_unmanage}): a primitive itself; a
     * group's primitives (not the group); a clone's inner resource, likewise; a bundle and its primitive.
     */
    static List<XmlElement> toUnmanage(XmlElement r) {
        if (r.is("bundle")) {
            XmlElement in = r.firstChild("primitive");
            return in == null ? List.of(r) : List.of(r, in);
        }
        if (r.is("clone") || r.is("master")) {
            XmlElement in = r.firstChild("group") != null ? r.firstChild("group") : r.firstChild("primitive");
            if (in == null) {
                return List.of();
            }
            r = in;
        }
        if (r.is("group")) {
            return r.children("primitive");
        }
        return r.is("primitive") ? List.of(r) : List.of();
    }

    /**
     * What managing a resource sets managed (pcs's {@code find_resources_to_manage}): the resource, the clone or
     * bundle holding it (directly or through its group), the group holding a primitive, and its own children (a
     * clone's group or primitive, a group's primitives, a clone's group's primitives).
     */
    static List<XmlElement> toManage(XmlElement r) {
        List<XmlElement> out = new ArrayList<>();
        out.add(r);
        XmlElement p = r.parent();
        if (p != null && r.is("primitive") && p.is("group")) {
            XmlElement gp = p.parent();
            if (gp != null && (gp.is("clone") || gp.is("master"))) {
                out.add(gp);
            }
            out.add(p);
        } else if (p != null && (p.is("clone") || p.is("master")) && (r.is("group") || r.is("primitive"))) {
            out.add(p);
        } else if (p != null && p.is("bundle") && r.is("primitive")) {
            out.add(p);
        }
        for (XmlElement c : r.kids()) {
            if (c.is("group") || c.is("primitive")) {
                out.add(c);
                if (c.is("group")) {
                    out.addAll(c.children("primitive"));
                }
            }
        }
        return out;
    }

    /** Enabling a resource also enables its clone or group parent and its children, as pcs does. */
    private static List<XmlElement> targets(XmlElement r) {
        List<XmlElement> out = new ArrayList<>(Xml.all(r, e -> e.is("primitive") || e.is("group")
            || e.is("clone") || e.is("master") || e.is("bundle")));
        XmlElement p = r.parent();
        if (p != null && (p.is("clone") || p.is("master") || p.is("bundle"))) {
            out.add(p);
        }
        return out;
    }

    /** {@code pcs resource config [ID...]} ({@code resources_to_text()}). */
    void resourceConfig(List<String> ids, boolean stonith) throws PcsError {
        XmlElement resources = Xml.section(cib, "resources");
        List<String> missing = ids.stream().filter(id -> resource(id) == null).toList();
        if (!missing.isEmpty()) {
            missing.forEach(id -> err.append("Warning: Unable to find resource '").append(id).append("'\n"));
            if (missing.size() == ids.size()) {
                throw new PcsError("No resource found");
            }
        }
        List<String> lines = new ArrayList<>();
        for (String kind : List.of("primitive", "group", "clone", "master", "bundle")) {
            for (XmlElement e : Xml.named(resources, kind)) {
                boolean show = ids.isEmpty() ? e.parent() == resources : ids.contains(e.get("id"));
                boolean isStonith = "stonith".equals(e.get("class"));
                if (show && (!e.is("primitive") || isStonith == stonith)) {
                    lines.addAll(resourceText(e));
                }
            }
        }
        lines.forEach(l -> out.append(l).append('\n'));
    }

    private List<String> resourceText(XmlElement e) {
        List<String> body = new ArrayList<>();
        String desc = e.get("description");
        if (desc != null) {
            body.add("Description: " + desc);
        }
        body.addAll(nvsetText("Attributes", e.firstChild("instance_attributes")));
        body.addAll(nvsetText("Meta Attributes", e.firstChild("meta_attributes")));
        if (e.is("primitive")) {
            body.addAll(nvsetText("Utilization", e.firstChild("utilization")));
            XmlElement ops = e.firstChild("operations");
            if (ops != null && !ops.children("op").isEmpty()) {
                body.add("Operations:");
                for (XmlElement o : ops.children("op")) {
                    body.add("  " + o.get("name") + ": " + o.get("id"));
                    for (String[] p : opPairs(o)) {
                        body.add("    " + p[0] + "=" + quote(p[1]));
                    }
                }
            }
            String type = "class=" + e.get("class") + (e.get("provider") == null ? "" : " provider="
                + e.get("provider")) + " type=" + e.get("type");
            return indent("Resource: " + e.get("id") + " (" + type + ")", body);
        }
        if (e.is("group")) {
            for (XmlElement p : e.children("primitive")) {
                body.addAll(resourceText(p));
            }
            return indent("Group: " + e.get("id"), body);
        }
        for (XmlElement c : e.kids()) {
            if (c.is("primitive") || c.is("group")) {
                body.addAll(resourceText(c));
            }
        }
        return indent((e.is("bundle") ? "Bundle: " : "Clone: ") + e.get("id"), body);
    }

    private static List<String> indent(String head, List<String> body) {
        List<String> out = new ArrayList<>();
        out.add(head);
        body.forEach(l -> out.add("  " + l));
        return out;
    }

    /** {@code _resource_operation_to_pairs()}: interval first, then pcs's fixed order. */
    private static List<String[]> opPairs(XmlElement o) {
        List<String[]> p = new ArrayList<>();
        p.add(new String[] {"interval", o.get("interval")});
        if (o.get("start-delay") != null) {
            p.add(new String[] {"start-delay", o.get("start-delay")});
        } else if (o.get("interval-origin") != null) {
            p.add(new String[] {"interval-origin", o.get("interval-origin")});
        }
        for (String a : List.of("timeout", "enabled", "record-pending", "role", "on-fail")) {
            if (o.get(a) != null) {
                // pcs prints the booleans as 1 or 0 (its _bool_to_cli_value)
                boolean bool = a.equals("enabled") || a.equals("record-pending");
                p.add(new String[] {a, bool ? (org.vigil.crm.internal.cib.Util.isTrue(o.get(a)) ? "1" : "0")
                    : o.get(a)});
            }
        }
        XmlElement ia = o.firstChild("instance_attributes");
        XmlElement level = Xml.nvpair(ia, "OCF_CHECK_LEVEL");
        if (level != null) {
            p.add(new String[] {"OCF_CHECK_LEVEL", level.get("value")});
        }
        return p;
    }

    private static String quote(String v) {
        if (v == null) {
            return "";
        }
        if (v.isEmpty() || v.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'')) {
            return "'" + v.replace("'", "'\"'\"'") + "'";
        }
        return v;
    }

    private static List<String> nvsetText(String label, XmlElement set) {
        if (set == null || set.children("nvpair").isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        out.add(label + ": " + set.get("id"));
        TreeMap<String, String> sorted = new TreeMap<>();
        for (XmlElement nv : set.children("nvpair")) {
            sorted.put(nv.get("name"), nv.get("value"));
        }
        sorted.forEach((k, v) -> out.add("  " + k + "=" + quote(v)));
        return out;
    }

    // ---------------------------------------------------------------- crm_resource's constraints (ban, move, clear)

    /** {@code pcs resource ban RSC [NODE]} as crm_resource --ban writes it on a file. */
    void ban(String rsc, String node) throws PcsError {
        libResource(rsc);
        if (node == null) {
            throw new PcsError("You must specify a node when banning in a file (no status is available)");
        }
        String id = "cli-ban-" + rsc + "-on-" + node;
        XmlElement cons = Xml.section(cib, "constraints");
        XmlElement old = Xml.byId(cib, id);
        if (old != null) {
            old.parent().removeChild(old);
        }
        cons.addChild(Xml.el("rsc_location", "id", id, "rsc", rsc, "role", "Started", "node", node, "score",
            "-INFINITY"));
        err.append("Warning: Creating location constraint '").append(id).append("' with a score of -INFINITY for ")
            .append("resource ").append(rsc).append(" on ").append(node).append(".\n\tThis will prevent ").append(rsc)
            .append(" from running on ").append(node).append(" until the constraint is removed\n\tThis will be the ")
            .append("case even if ").append(node).append(" is the last node in the cluster\n");
        changed = true;
    }

    /** {@code pcs resource clear RSC [NODE]}: the cli-ban and cli-prefer constraints of the resource. */
    void clear(String rsc, String node) throws PcsError {
        libResource(rsc);
        XmlElement cons = Xml.section(cib, "constraints");
        for (XmlElement c : new ArrayList<>(cons.children("rsc_location"))) {
            String id = c.get("id");
            boolean mine = rsc.equals(c.get("rsc")) && id != null && (id.equals("cli-prefer-" + rsc)
                || id.startsWith("cli-ban-" + rsc + "-on-"));
            if (mine && (node == null || node.equals(c.get("node")))) {
                err.append("Removing constraint: ").append(id).append('\n');
                cons.removeChild(c);
                changed = true;
            }
        }
    }

    // ---------------------------------------------------------------- constraints

    /** {@code pcs constraint location RSC prefers|avoids NODE[=SCORE]...} ({@code location_prefer()}). */
    void locationPrefers(String rsc, boolean prefer, List<String> nodes) throws PcsError {
        if (nodes.isEmpty()) {
            throw new PcsError("Usage: pcs constraint location <resource> prefers|avoids <node>[=<score>]...");
        }
        if (flags.file() || flags.force()) {
            err.append("Warning: Validation for node existence in the cluster will be skipped\n");
        } else {
            List<String> known = Xml.named(Xml.section(cib, "nodes"), "node").stream().map(n -> n.get("uname"))
                .toList();
            for (String n : nodes) {
                String name = n.split("=", 2)[0];
                if (!known.contains(name)) {
                    throw new PcsError("Node '" + name + "' does not seem to be in the cluster, use --force to "
                        + "override");
                }
            }
        }
        List<String[]> adds = new ArrayList<>();
        for (String n : nodes) {
            String[] nv = n.split("=", 2);
            String score;
            if (nv.length == 1) {
                score = prefer ? "INFINITY" : "-INFINITY";
            } else {
                score = nv[1];
                checkScore(score);
                if (!prefer) {
                    score = score.startsWith("-") ? score.substring(1) : "-" + score;
                }
            }
            adds.add(new String[] {Xml.sanitize("location-" + rsc + "-" + nv[0] + "-" + score), nv[0], score});
        }
        if (resource(rsc) == null) {
            throw new PcsError("Resource '" + rsc + "' does not exist");
        }
        XmlElement cons = Xml.section(cib, "constraints");
        for (String[] a : adds) {
            for (XmlElement c : new ArrayList<>(Xml.named(cons, "rsc_location"))) {
                if (a[0].equals(c.get("id")) || a[1].equals(c.get("node")) && rsc.equals(c.get("rsc"))) {
                    c.parent().removeChild(c);
                }
            }
            cons.addChild(Xml.el("rsc_location", "id", a[0], "rsc", rsc, "node", a[1], "score", a[2]));
        }
        changed = true;
    }

    private static void checkScore(String score) throws PcsError {
        if (!score.matches("[+-]?([0-9]+|INFINITY)")) {
            throw new PcsError("invalid score '" + score + "', use integer or INFINITY or -INFINITY");
        }
    }

    /** {@code pcs constraint order [ACTION] A then [ACTION] B [OPTION=VALUE]...}. */
    void order(List<String> args) throws PcsError {
        List<String> a = new ArrayList<>(args);
        List<String> actions = List.of("start", "promote", "demote", "stop");
        String firstAction = "start";
        if (!a.isEmpty() && actions.contains(a.get(0))) {
            firstAction = a.remove(0);
        }
        if (a.size() < 3 || !a.get(1).equals("then")) {
            throw new PcsError("Usage: pcs constraint order [action] <resource id> then [action] <resource id> "
                + "[options]");
        }
        String first = a.get(0);
        a.remove(0);
        a.remove(0);
        String thenAction = firstAction.equals("start") || true ? "start" : "start";
        if (actions.contains(a.get(0))) {
            thenAction = a.remove(0);
        }
        if (a.isEmpty()) {
            throw new PcsError("Usage: pcs constraint order [action] <resource id> then [action] <resource id> "
                + "[options]");
        }
        String then = a.remove(0);
        Map<String, String> opts = pairs(a);
        for (String r : List.of(first, then)) {
            if (resource(r) == null) {
                throw new PcsError("Resource '" + r + "' does not exist");
            }
        }
        String kind = opts.containsKey("kind") ? opts.get("kind") : null;
        String symmetrical = opts.get("symmetrical");
        String id = opts.get("id");
        if (id == null) {
            id = Xml.unique(cib, Xml.sanitize("order-" + first + "-" + then + "-" + (kind == null ? "mandatory"
                : kind)));
        } else if (Xml.idExists(cib, id)) {
            throw new PcsError("id '" + id + "' is already in use, please specify another one");
        }
        XmlElement cons = Xml.section(cib, "constraints");
        String text = firstAction + " " + first + " then " + thenAction + " " + then;
        if (!flags.force()) {
            for (XmlElement c : cons.children("rsc_order")) {
                if (first.equals(c.get("first")) && then.equals(c.get("then"))
                    && firstAction.equals(Xml.get(c, "first-action", "start"))
                    && thenAction.equals(Xml.get(c, "then-action", "start"))) {
                    throw new PcsError("duplicate constraint already exists, use --force to override\n  "
                        + orderText(c, true));
                }
            }
        }
        err.append("Adding ").append(first).append(' ').append(then).append(" (kind: ")
            .append(kind == null ? "Mandatory" : kind).append(") (Options: first-action=").append(firstAction)
            .append(" then-action=").append(thenAction);
        XmlElement o = Xml.el("rsc_order", "first", first, "then", then);
        for (Map.Entry<String, String> e : opts.entrySet()) {
            if (!e.getKey().equals("id")) {
                o.set(e.getKey(), e.getValue());
                if (!e.getKey().equals("kind")) {
                    err.append(' ').append(e.getKey()).append('=').append(e.getValue());
                }
            }
        }
        err.append(")\n");
        o.set("first-action", firstAction);
        o.set("then-action", thenAction);
        o.set("id", id);
        if (symmetrical != null) {
            o.set("symmetrical", symmetrical);
        }
        cons.addChild(o);
        changed = true;
        assert text != null;
    }

    /** {@code pcs constraint colocation add [ROLE] A with [ROLE] B [SCORE] [OPTION=VALUE]...}. */
    void colocationAdd(List<String> args) throws PcsError {
        List<String> a = new ArrayList<>(args);
        List<String> roles = List.of("Promoted", "Unpromoted", "Started", "Stopped", "Master", "Slave");
        String role1 = null;
        String role2 = null;
        if (!a.isEmpty() && roles.stream().anyMatch(r -> r.equalsIgnoreCase(a.get(0)))) {
            role1 = a.remove(0);
        }
        if (a.size() < 3 || !a.get(1).equals("with")) {
            throw new PcsError("Usage: pcs constraint colocation add [role] <source resource id> with [role] "
                + "<target resource id> [score] [options] [id=constraint-id]");
        }
        String rsc = a.remove(0);
        a.remove(0);
        if (roles.stream().anyMatch(r -> r.equalsIgnoreCase(a.get(0)))) {
            role2 = a.remove(0);
        }
        if (a.isEmpty()) {
            throw new PcsError("Usage: pcs constraint colocation add [role] <source resource id> with [role] "
                + "<target resource id> [score] [options] [id=constraint-id]");
        }
        String with = a.remove(0);
        String score = "INFINITY";
        if (!a.isEmpty() && !a.get(0).contains("=")) {
            score = a.remove(0);
            if (score.startsWith("-")) {
                err.append("Deprecation Warning: Using '").append(score).append("' without '--' is deprecated, "
                    + "those parameters will be considered position independent options in future pcs versions\n");
            }
            checkScore(score);
        }
        Map<String, String> opts = pairs(a);
        for (String r : List.of(rsc, with)) {
            if (resource(r) == null) {
                throw new PcsError("Resource '" + r + "' does not exist");
            }
        }
        XmlElement cons = Xml.section(cib, "constraints");
        if (!flags.force()) {
            for (XmlElement c : cons.children("rsc_colocation")) {
                boolean same = rsc.equals(c.get("rsc")) && with.equals(c.get("with-rsc"))
                    || rsc.equals(c.get("with-rsc")) && with.equals(c.get("rsc"));
                if (same) {
                    throw new PcsError("duplicate constraint already exists, use --force to override\n  "
                        + colocationText(c, true));
                }
            }
        }
        String id = opts.remove("id");
        if (id == null) {
            id = Xml.unique(cib, Xml.sanitize("colocation-" + rsc + "-" + with + "-" + score));
        } else if (Xml.idExists(cib, id)) {
            throw new PcsError("id '" + id + "' is already in use, please specify another one");
        }
        XmlElement c = Xml.el("rsc_colocation", "rsc", rsc, "with-rsc", with, "score", score);
        if (role1 != null) {
            c.set("rsc-role", role(role1));
        }
        if (role2 != null) {
            c.set("with-rsc-role", role(role2));
        }
        opts.forEach(c::set);
        c.set("id", id);
        cons.addChild(c);
        changed = true;
    }

    private static String role(String r) {
        return switch (r.toLowerCase(java.util.Locale.ROOT)) {
            case "master" -> "Promoted";
            case "slave" -> "Unpromoted";
            default -> Character.toUpperCase(r.charAt(0)) + r.substring(1).toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code pcs constraint remove|delete ID...} (also {@code location|order|colocation remove ID}). */
    void constraintRemove(List<String> ids, String kind) throws PcsError {
        if (ids.isEmpty()) {
            throw new PcsError("You must specify at least one constraint id");
        }
        XmlElement cons = Xml.section(cib, "constraints");
        for (String id : ids) {
            XmlElement c = null;
            for (XmlElement e : cons.kids()) {
                if (id.equals(e.get("id")) && (kind == null || e.is(kind))) {
                    c = e;
                    break;
                }
            }
            if (c == null && kind == null) {
                // a rule of a location constraint is removed by "pcs constraint rule remove"
                throw new PcsError("Unable to find constraint - '" + id + "'");
            }
            if (c == null) {
                throw new PcsError("resource location id: " + id + " not found.");
            }
            cons.removeChild(c);
        }
        changed = true;
    }

    /** {@code pcs constraint ref RSC...}. */
    void constraintRef(List<String> rscs) {
        XmlElement cons = Xml.section(cib, "constraints");
        for (String r : rscs) {
            out.append("Resource: ").append(r).append('\n');
            List<XmlElement> found = new ArrayList<>();
            XmlElement prim = Xml.all(Xml.section(cib, "resources"), e -> e.is("primitive") && r.equals(e.get("id")))
                .stream().findFirst().orElse(null);
            if (prim != null && (prim.parent().is("clone") || prim.parent().is("master"))) {
                collectConstraints(cons, prim.parent().get("id"), found);
            }
            collectConstraints(cons, r, found);
            java.util.TreeSet<String> sets = new java.util.TreeSet<>();
            for (XmlElement ref : Xml.named(cons, "resource_ref")) {
                if (r.equals(ref.get("id"))) {
                    sets.add(ref.parent().parent().get("id"));
                }
            }
            if (found.isEmpty() && sets.isEmpty()) {
                out.append("  No Matches.\n");
            }
            found.forEach(c -> out.append("  ").append(c.get("id")).append('\n'));
            sets.forEach(s -> out.append("  ").append(s).append('\n'));
        }
    }

    /**
     * A ticket constraint as pcs prints it (pcs's ticket {@code constraint_plain}): {@code [ROLE ]RSC}, its other
     * attributes sorted as {@code name=value}, the id with {@code --full}.
     */
    private static String ticketText(XmlElement c, boolean full) {
        StringBuilder s = new StringBuilder();
        if (c.get("rsc-role") != null && !c.get("rsc-role").isEmpty()) {
            s.append(c.get("rsc-role")).append(' ');
        }
        s.append(Xml.get(c, "rsc", ""));
        new TreeMap<>(c.attributes()).forEach((k, v) -> {
            if (!List.of("rsc", "rsc-role", "id").contains(k)) {
                s.append(' ').append(k).append('=').append(v);
            }
        });
        if (full) {
            s.append(" (id:").append(Xml.get(c, "id", "")).append(')');
        }
        return s.toString();
    }

    /**
     * {@code pcs constraint ticket add TICKET [ROLE] RESOURCE [loss-policy=...] [id=ID]} (pcs's ticket
     * {@code parse_add} and {@code create}): the words up to the first {@code NAME=VALUE} are the ticket, the
     * optional role and the resource; the resource must exist and not sit in a clone or bundle (unless
     * {@code --force}); the id is {@code ticket-TICKET-RSC[-ROLE]}; a constraint with the same ticket, resource and
     * role is a duplicate (unless {@code --force}).
     */
    void ticketAdd(List<String> args) throws PcsError {
        int at = 0;
        while (at < args.size() && !args.get(at).contains("=")) {
            at++;
        }
        List<String> head = args.subList(0, at);
        if (head.isEmpty()) {
            throw new PcsError("Ticket not specified");
        }
        List<String> spec = head.subList(1, head.size());
        if (spec.size() != 1 && spec.size() != 2) {
            throw new PcsError("invalid resource specification: '" + String.join(" ", spec) + "'");
        }
        String ticket = head.get(0);
        String role = spec.size() == 2 ? spec.get(0) : "";
        String rsc = spec.get(spec.size() - 1);
        Map<String, String> opts = new LinkedHashMap<>(pairs(args.subList(at, args.size())));
        if (opts.containsKey("rsc-role")) {
            throw new PcsError("Resource role must not be specified among options, specify it before resource id");
        }
        XmlElement r = resource(rsc);
        if (r == null) {
            throw new PcsError("bundle/clone/group/resource '" + rsc + "' does not exist");
        }
        XmlElement p = r.parent();
        while (p != null && !(p.is("clone") || p.is("master") || p.is("bundle")) && !p.is("resources")) {
            p = p.parent();
        }
        if (p != null && !p.is("resources") && !r.is("clone") && !r.is("master") && !r.is("bundle")) {
            if (!flags.force()) {
                throw new PcsError(rsc + " is a " + (p.is("bundle") ? "bundle" : "clone") + " resource, you should "
                    + "use the " + (p.is("bundle") ? "bundle" : "clone") + " id: " + p.get("id") + " when adding "
                    + "constraints, use --force to override");
            }
        }
        List<String> bad = new ArrayList<>();
        for (String k : opts.keySet()) {
            if (!List.of("loss-policy", "id").contains(k)) {
                bad.add(k);
            }
        }
        if (!bad.isEmpty()) {
            throw PcsError.lib("invalid option" + (bad.size() > 1 ? "s" : "") + " '" + String.join("', '", bad)
                + "', allowed options are: 'id', 'loss-policy'");
        }
        String lp = opts.get("loss-policy");
        if (lp != null) {
            if (!List.of("fence", "stop", "freeze", "demote").contains(lp)) {
                throw PcsError.lib("'" + lp + "' is not a valid loss-policy value, use 'demote', 'fence', "
                    + "'freeze', 'stop'");
            }
        }
        if (!role.isEmpty()) {
            String cap = role.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                + role.substring(1).toLowerCase(java.util.Locale.ROOT);
            if (!List.of("Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave").contains(cap)) {
                throw PcsError.lib("'" + role + "' is not a valid role value, use 'Master', 'Promoted', 'Slave', "
                    + "'Started', 'Stopped', 'Unpromoted'");
            }
            if (cap.equals("Master") || cap.equals("Slave")) {
                err.append("Deprecation Warning: Value '").append(cap).append("' of option role is deprecated and "
                    + "should not be used, use '").append(cap.equals("Master") ? "Promoted" : "Unpromoted")
                    .append("' value instead\n");
            }
            role = cap.equals("Master") ? "Promoted" : cap.equals("Slave") ? "Unpromoted" : cap;
        }
        XmlElement cons = Xml.section(cib, "constraints");
        String id = opts.remove("id");
        if (id == null) {
            id = Xml.unique(cib, Xml.sanitize("ticket-" + ticket + "-" + rsc + (role.isEmpty() ? "" : "-" + role)));
        } else if (Xml.idExists(cib, id)) {
            throw new PcsError("'" + id + "' already exists");
        }
        XmlElement c = Xml.el("rsc_ticket", "id", id, "ticket", ticket, "rsc", rsc);
        if (!role.isEmpty()) {
            c.set("rsc-role", role);
        }
        if (lp != null) {
            c.set("loss-policy", lp);
        }
        if (!flags.force()) {
            for (XmlElement o : cons.children("rsc_ticket")) {
                if (ticket.equals(o.get("ticket")) && rsc.equals(o.get("rsc"))
                    && role.equals(Xml.get(o, "rsc-role", ""))) {
                    err.append("Duplicate constraints:\n  ").append(ticketText(o, true)).append('\n');
                    throw PcsError.lib("duplicate constraint already exists, use --force to override");
                }
            }
        }
        cons.addChild(c);
        changed = true;
    }

    /**
     * {@code pcs constraint ticket remove TICKET RESOURCE} (pcs's ticket {@code remove}): every plain ticket
     * constraint of that ticket and resource, and the resource's reference in ticket sets (a set left empty goes,
     * and a constraint left without sets goes).
     */
    void ticketRemove(List<String> args) throws PcsError {
        if (args.size() != 2) {
            throw new PcsError("Usage: pcs constraint ticket remove <ticket> <resource id>");
        }
        XmlElement cons = Xml.section(cib, "constraints");
        boolean any = false;
        for (XmlElement c : new ArrayList<>(cons.children("rsc_ticket"))) {
            if (!args.get(0).equals(c.get("ticket"))) {
                continue;
            }
            if (args.get(1).equals(c.get("rsc"))) {
                cons.removeChild(c);
                any = true;
                continue;
            }
            for (XmlElement set : new ArrayList<>(c.children("resource_set"))) {
                for (XmlElement ref : new ArrayList<>(set.children("resource_ref"))) {
                    if (args.get(1).equals(ref.get("id"))) {
                        set.removeChild(ref);
                        any = true;
                    }
                }
                if (set.children("resource_ref").isEmpty()) {
                    c.removeChild(set);
                }
            }
            if (c.children("resource_set").isEmpty() && c.get("rsc") == null) {
                cons.removeChild(c);
            }
        }
        if (!any) {
            throw new PcsError("no matching ticket constraint found");
        }
        changed = true;
    }

    /** {@code pcs constraint [config] [--full]} and its location/order/colocation/ticket parts. */
    void constraintConfig(String only, boolean full) {
        XmlElement cons = Xml.section(cib, "constraints");
        if (only == null || only.equals("location")) {
            out.append("Location Constraints:\n");
            // location_lines(): by resource (patterns first, then by name), enabled then disabled, each in CIB order
            TreeMap<String, List<XmlElement>> byRsc = new TreeMap<>();
            for (XmlElement c : cons.children("rsc_location")) {
                String key = c.get("rsc-pattern") != null ? "0Resource pattern: " + c.get("rsc-pattern")
                    : "1Resource: " + Xml.get(c, "rsc", "");
                byRsc.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
            }
            for (Map.Entry<String, List<XmlElement>> e : byRsc.entrySet()) {
                List<String> lines = new ArrayList<>();
                lines.add("  " + e.getKey().substring(1));
                List<XmlElement> on = e.getValue().stream().filter(c -> c.get("node") != null && positive(c)).toList();
                List<XmlElement> off = e.getValue().stream().filter(c -> c.get("node") != null && !positive(c))
                    .toList();
                if (!on.isEmpty()) {
                    lines.add("    Enabled on:");
                    on.forEach(c -> lines.add(locationLine(c, full)));
                }
                if (!off.isEmpty()) {
                    lines.add("    Disabled on:");
                    off.forEach(c -> lines.add(locationLine(c, full)));
                }
                lines.addAll(ruleLines(e.getValue(), full));
                if (lines.size() > 2) {
                    lines.forEach(l -> out.append(l).append('\n'));
                }
            }
        }
        if (only == null || only.equals("order")) {
            out.append("Ordering Constraints:\n");
            for (XmlElement c : cons.children("rsc_order")) {
                if (c.get("first") != null) {
                    out.append("  ").append(orderText(c, full)).append('\n');
                }
            }
        }
        if (only == null || only.equals("colocation")) {
            out.append("Colocation Constraints:\n");
            for (XmlElement c : cons.children("rsc_colocation")) {
                if (c.get("rsc") != null) {
                    out.append("  ").append(colocationText(c, full)).append('\n');
                }
            }
        }
        if (only == null || only.equals("ticket")) {
            out.append("Ticket Constraints:\n");
            for (XmlElement c : cons.children("rsc_ticket")) {
                if (c.get("rsc") != null) {
                    out.append("  ").append(ticketText(c, full)).append('\n');
                }
            }
        }
    }

    private static boolean positive(XmlElement c) {
        String score = Xml.get(c, "score", "0");
        if (score.isEmpty()) {
            score = "0";
        }
        return !score.startsWith("-");
    }

    private static String locationLine(XmlElement c, boolean full) {
        StringBuilder s = new StringBuilder("      Node: ").append(c.get("node")).append(" (score:")
            .append(Xml.get(c, "score", "0").isEmpty() ? "0" : Xml.get(c, "score", "0")).append(')');
        if (c.get("role") != null && !c.get("role").isEmpty()) {
            String r = c.get("role");
            s.append(" (role:").append(role(r)).append(')');
        }
        if (c.get("resource-discovery") != null) {
            s.append(" (resource-discovery=").append(c.get("resource-discovery")).append(')');
        }
        if (full) {
            s.append(" (id:").append(c.get("id")).append(')');
        }
        return s.toString();
    }

    /** The rules of location constraints ({@code _show_location_rules()}), expressions of the simple kinds. */
    private static List<String> ruleLines(List<XmlElement> constraints, boolean full) {
        TreeMap<String, XmlElement> byId = new TreeMap<>();
        for (XmlElement c : constraints) {
            if (!c.children("rule").isEmpty()) {
                byId.put(c.get("id"), c);
            }
        }
        List<String> out = new ArrayList<>();
        for (XmlElement c : byId.values()) {
            out.add("    Constraint: " + c.get("id") + (c.get("resource-discovery") == null ? ""
                : " (resource-discovery=" + c.get("resource-discovery") + ")"));
            for (XmlElement rule : c.children("rule")) {
                rule(rule, "      ", full, out);
            }
        }
        return out;
    }

    private static void rule(XmlElement rule, String indent, boolean full, List<String> out) {
        List<String> opts = new ArrayList<>();
        new TreeMap<>(rule.attributes()).forEach((k, v) -> {
            if (!k.equals("id")) {
                opts.add(k + "=" + v);
            }
        });
        out.add(indent + "Rule: " + String.join(" ", opts) + (full ? " (id:" + rule.get("id") + ")" : ""));
        for (XmlElement x : rule.kids()) {
            if (x.is("rule")) {
                rule(x, indent + "  ", full, out);
                continue;
            }
            String text;
            if (x.is("expression")) {
                String op = Xml.get(x, "operation", "");
                text = op.equals("defined") || op.equals("not_defined") ? op + " " + x.get("attribute")
                    : x.get("attribute") + " " + op + (x.get("type") != null ? " " + x.get("type") : "") + " "
                        + Xml.get(x, "value", "");
            } else {
                text = x.name();
            }
            out.add(indent + "  Expression: " + text + (full ? " (id:" + x.get("id") + ")" : ""));
        }
    }

    /** {@code constraint_plain()} of pcs/common/reports/constraints/order.py. */
    private static String orderText(XmlElement c, boolean full) {
        List<String> parts = new ArrayList<>();
        String fa = Xml.get(c, "first-action", "");
        String ta = Xml.get(c, "then-action", "");
        if (!fa.isEmpty()) {
            parts.add(fa);
        }
        parts.add(Xml.get(c, "first", ""));
        parts.add("then");
        if (!ta.isEmpty()) {
            parts.add(ta);
        }
        parts.add(Xml.get(c, "then", ""));
        String kind = Xml.get(c, "kind", "");
        String score = Xml.get(c, "score", "");
        parts.add(!kind.isEmpty() ? "(kind:" + kind + ")" : score.isEmpty() ? "(kind:Mandatory)"
            : "(score:" + score + ")");
        String sym = c.get("symmetrical");
        if (sym != null && !List.of("true", "on", "yes", "y", "1").contains(sym.toLowerCase(java.util.Locale.ROOT))) {
            parts.add("(non-symmetrical)");
        }
        List<String> opts = new ArrayList<>();
        for (Map.Entry<String, String> a : c.attributes().entrySet()) {
            if (!List.of("first", "then", "first-action", "then-action", "id", "score", "kind", "symmetrical")
                .contains(a.getKey())) {
                opts.add(a.getKey() + "=" + a.getValue());
            }
        }
        if (!opts.isEmpty()) {
            parts.add("(Options: " + String.join(" ", opts) + ")");
        }
        if (full) {
            parts.add("(id:" + c.get("id") + ")");
        }
        return String.join(" ", parts.stream().filter(p -> !p.isEmpty()).toList());
    }

    /** {@code constraint_plain()} of pcs/common/reports/constraints/colocation.py. */
    private static String colocationText(XmlElement c, boolean full) {
        StringBuilder s = new StringBuilder().append(Xml.get(c, "rsc", "")).append(" with ")
            .append(Xml.get(c, "with-rsc", "")).append(" (score:").append(Xml.get(c, "score", "")).append(')');
        new TreeMap<>(c.attributes()).forEach((k, v) -> {
            if (!List.of("rsc", "with-rsc", "id", "score").contains(k)) {
                s.append(" (").append(k).append(':').append(v).append(')');
            }
        });
        if (full) {
            s.append(" (id:").append(c.get("id")).append(')');
        }
        return s.toString();
    }

    // ---------------------------------------------------------------- properties, nodes, defaults

    /** The set pcs edits: the first {@code cluster_property_set}, created as {@code cib-bootstrap-options}. */
    private XmlElement propertySet() {
        XmlElement crmConfig = Xml.section(cib, "crm_config");
        XmlElement set = crmConfig.firstChild("cluster_property_set");
        if (set == null) {
            set = Xml.el("cluster_property_set", "id", Xml.unique(cib, "cib-bootstrap-options"));
            crmConfig.addChild(set);
        }
        return set;
    }

    void propertySet(List<String> args) throws PcsError {
        if (args.isEmpty()) {
            throw new PcsError("Usage: pcs property set <property>=[<value>]...");
        }
        Xml.update(cib, propertySet(), pairs(args));
        changed = true;
    }

    void propertyUnset(List<String> names) throws PcsError {
        if (names.isEmpty()) {
            throw new PcsError("Usage: pcs property unset <property>...");
        }
        XmlElement set = propertySet();
        for (String n : names) {
            if (Xml.nvpair(set, n) == null && !flags.force()) {
                throw PcsError.lib("Cannot remove property '" + n + "', it is not present in property set '"
                    + set.get("id") + "', use --force to override");
            }
        }
        Map<String, String> m = new LinkedHashMap<>();
        names.forEach(n -> m.put(n, ""));
        Xml.update(cib, set, m);
        changed = true;
    }

    /** {@code pcs property [config]}: every set's properties, merged and sorted, in the legacy form. */
    void propertyConfig() {
        TreeMap<String, String> props = new TreeMap<>();
        for (XmlElement set : Xml.section(cib, "crm_config").children("cluster_property_set")) {
            for (XmlElement nv : set.children("nvpair")) {
                props.put(nv.get("name"), nv.get("value"));
            }
        }
        out.append("Cluster Properties:\n");
        props.forEach((k, v) -> out.append(' ').append(k).append(": ").append(v).append('\n'));
    }

    /** {@code pcs node standby|unstandby NODE...|--all}, as crm_attribute writes a permanent node attribute. */
    void standby(List<String> names, boolean on) throws PcsError {
        nodeFlag(names, "standby", on);
    }

    /**
     * {@code pcs node standby|unstandby|maintenance|unmaintenance NODE...|--all} (pcs's
     * {@code _set_instance_attrs_node_list}): the node attribute {@code standby} or {@code maintenance} set to
     * {@code on}, or removed, in the nodes' first attribute set, as crm_attribute writes it.
     */
    void nodeFlag(List<String> names, String attr, boolean on) throws PcsError {
        List<XmlElement> nodes = Xml.section(cib, "nodes").children("node");
        List<XmlElement> targets = new ArrayList<>();
        if (flags.all()) {
            targets.addAll(nodes);
        } else {
            if (names.isEmpty()) {
                throw new PcsError("You must specify a node (or --all)");
            }
            for (String n : names) {
                XmlElement node = nodes.stream().filter(x -> n.equals(x.get("uname"))).findFirst().orElse(null);
                if (node == null) {
                    throw new PcsError("Node '" + n + "' does not appear to exist in configuration");
                }
                targets.add(node);
            }
        }
        for (XmlElement node : targets) {
            XmlElement set = node.firstChild("instance_attributes");
            if (on) {
                if (set == null) {
                    set = Xml.el("instance_attributes", "id", Xml.unique(cib, "nodes-" + node.get("id")));
                    node.addChild(set);
                }
                XmlElement nv = Xml.nvpair(set, attr);
                if (nv == null) {
                    set.addChild(Xml.el("nvpair", "id", Xml.unique(cib, set.get("id") + "-" + attr), "name",
                        attr, "value", "on"));
                } else {
                    nv.set("value", "on");
                }
            } else if (set != null) {
                XmlElement nv = Xml.nvpair(set, attr);
                if (nv != null) {
                    set.removeChild(nv);
                }
            }
        }
        changed = true;
    }

    /**
     * {@code pcs node attribute [NODE [NAME=VALUE...]]} (pcs's {@code node_attribute_cmd}): without values the nodes'
     * attributes (the first set of each node, sorted), else each pair set on the node as {@code crm_attribute -t nodes
     * --update} writes it, or removed for an empty value (refused, exit 2, when the node has no such attribute).
     */
    int nodeAttribute(List<String> args) throws PcsError {
        List<XmlElement> nodes = Xml.section(cib, "nodes").children("node");
        if (args.size() <= 1) {
            java.util.TreeMap<String, java.util.TreeMap<String, String>> all = new java.util.TreeMap<>();
            for (XmlElement n : nodes) {
                String name = n.get("uname");
                if (!args.isEmpty() && !args.get(0).equals(name)) {
                    continue;
                }
                XmlElement set = n.firstChild("instance_attributes");
                if (set != null) {
                    for (XmlElement nv : set.children("nvpair")) {
                        all.computeIfAbsent(name, k -> new java.util.TreeMap<>()).put(nv.get("name"),
                            Xml.get(nv, "value", ""));
                    }
                }
            }
            out.append("Node Attributes:\n");
            all.forEach((n, m) -> {
                out.append(' ').append(n).append(':');
                m.forEach((k, v) -> out.append(' ').append(k).append('=').append(v));
                out.append('\n');
            });
            return 0;
        }
        String name = args.get(0);
        XmlElement node = nodes.stream().filter(x -> name.equals(x.get("uname"))).findFirst().orElse(null);
        Map<String, String> pairs = pairs(args.subList(1, args.size()));
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            XmlElement set = node == null ? null : node.firstChild("instance_attributes");
            XmlElement nv = set == null ? null : Xml.nvpair(set, e.getKey());
            if (e.getValue().isEmpty()) {
                if (nv == null) {
                    if (!flags.force()) {
                        err.append("Error: attribute: '").append(e.getKey()).append("' doesn't exist for node: '")
                            .append(name).append("'\n");
                        return 2;
                    }
                    continue;
                }
                set.removeChild(nv);
            } else {
                if (node == null) {
                    throw new PcsError("Unable to set attribute: node '" + name + "' not found");
                }
                if (set == null) {
                    set = Xml.el("instance_attributes", "id", Xml.unique(cib, "nodes-" + node.get("id")));
                    node.addChild(set);
                }
                if (nv == null) {
                    set.addChild(Xml.el("nvpair", "id", Xml.unique(cib, set.get("id") + "-" + e.getKey()), "name",
                        e.getKey(), "value", e.getValue()));
                } else {
                    nv.set("value", e.getValue());
                }
            }
            changed = true;
        }
        return 0;
    }

    /** {@code pcs resource defaults [set] NAME=VALUE...} and {@code pcs resource op defaults ...}. */
    void defaults(String section, List<String> args) throws PcsError {
        XmlElement s = Xml.section(cib, section);
        if (args.isEmpty()) {
            XmlElement set = s.firstChild("meta_attributes");
            if (set == null) {
                out.append("No defaults set\n");
                return;
            }
            for (XmlElement m : s.children("meta_attributes")) {
                out.append("Meta Attrs: ").append(m.get("id")).append('\n');
                TreeMap<String, String> sorted = new TreeMap<>();
                m.children("nvpair").forEach(nv -> sorted.put(nv.get("name"), nv.get("value")));
                sorted.forEach((k, v) -> out.append("  ").append(k).append('=').append(quote(v)).append('\n'));
            }
            return;
        }
        List<String> a = args;
        if (a.get(0).equals("update") || a.get(0).equals("set")) {
            a = a.subList(1, a.size());
        }
        XmlElement set = s.firstChild("meta_attributes");
        if (set == null) {
            set = Xml.el("meta_attributes", "id", Xml.unique(cib, section.equals("rsc_defaults")
                ? "rsc_defaults-meta_attributes" : "op_defaults-meta_attributes"));
            s.addChild(set);
        }
        Xml.update(cib, set, pairs(a));
        changed = true;
    }

    // ---------------------------------------------------------------- groups and clones

    /** {@code pcs resource group add GROUP RSC...}: the resources moved into the group (created if new). */
    void groupAdd(List<String> args) throws PcsError {
        if (args.size() < 2) {
            throw new PcsError("Usage: pcs resource group add <group id> <resource id>...");
        }
        String gid = args.get(0);
        XmlElement g = resource(gid);
        if (g != null && !g.is("group")) {
            throw new PcsError("'" + gid + "' is not a group");
        }
        if (g == null && Xml.idExists(cib, gid)) {
            throw new PcsError("'" + gid + "' already exists");
        }
        List<XmlElement> members = new ArrayList<>();
        List<String> missing = args.subList(1, args.size()).stream().filter(id -> resource(id) == null).toList();
        if (!missing.isEmpty()) {
            boolean none = missing.size() == args.size() - 1;
            for (String id : none ? missing : missing.subList(0, missing.size() - 1)) {
                err.append("Error: '").append(id).append("' does not exist\n");
            }
            throw PcsError.lib(none ? "Cannot modify group '" + gid + "', no resources to add or remove specified"
                : "'" + missing.get(missing.size() - 1) + "' does not exist");
        }
        for (String id : args.subList(1, args.size())) {
            XmlElement r = resource(id);
            if (!r.is("primitive")) {
                throw new PcsError("'" + id + "' is not a primitive resource");
            }
            if (r.parent().is("clone") || r.parent().is("master") || r.parent().is("bundle")) {
                throw new PcsError("cannot group clone resources");
            }
            members.add(r);
        }
        if (g == null) {
            g = Xml.el("group", "id", gid);
            Xml.section(cib, "resources").addChild(g);
        }
        for (XmlElement r : members) {
            XmlElement old = r.parent();
            old.removeChild(r);
            g.addChild(r);
            if (old.is("group") && old.children("primitive").isEmpty()) {
                old.parent().removeChild(old);
            }
        }
        changed = true;
    }

    /** {@code pcs resource group remove GROUP [RSC...]}: members moved out (all: the group dissolved). */
    void groupRemove(List<String> args) throws PcsError {
        if (args.isEmpty()) {
            throw new PcsError("Usage: pcs resource group remove <group id> [resource id]...");
        }
        XmlElement g = resource(args.get(0));
        if (g == null || !g.is("group")) {
            throw new PcsError("Group '" + args.get(0) + "' does not exist");
        }
        List<XmlElement> members = new ArrayList<>();
        if (args.size() == 1) {
            members.addAll(g.children("primitive"));
        } else {
            for (String id : args.subList(1, args.size())) {
                XmlElement r = g.children("primitive").stream().filter(p -> id.equals(p.get("id"))).findFirst()
                    .orElse(null);
                if (r == null) {
                    throw new PcsError("Resource '" + id + "' does not exist in group '" + args.get(0) + "'");
                }
                members.add(r);
            }
        }
        XmlElement parent = g.parent();
        for (XmlElement r : members) {
            g.removeChild(r);
            parent.addChild(r);
        }
        if (g.children("primitive").isEmpty()) {
            removeReferences(g.get("id"));
            parent.removeChild(g);
        }
        changed = true;
    }

    /** {@code pcs resource clone|promotable RSC [CLONE-ID] [meta] [NAME=VALUE...]}. */
    void clone(List<String> args, boolean promotable) throws PcsError {
        if (args.isEmpty()) {
            throw new PcsError("Usage: pcs resource " + (promotable ? "promotable" : "clone") + " <resource id> "
                + "[<clone id>] [meta] [<clone meta options>]");
        }
        XmlElement r = resource(args.get(0));
        if (r == null) {
            throw new PcsError("unable to find group or resource: " + args.get(0));
        }
        if (!r.is("primitive") && !r.is("group")) {
            throw new PcsError(args.get(0) + " is already a clone resource");
        }
        if (r.parent().is("clone") || r.parent().is("master")) {
            throw new PcsError(args.get(0) + " is already a clone resource");
        }
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        String cid = args.get(0) + "-clone";
        if (!rest.isEmpty() && !rest.get(0).contains("=") && !rest.get(0).equals("meta")) {
            cid = rest.remove(0);
        }
        rest.remove("meta");
        if (Xml.idExists(cib, cid)) {
            throw new PcsError("'" + cid + "' already exists");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        if (promotable) {
            meta.put("promotable", "true");
        }
        meta.putAll(pairs(rest));
        XmlElement parent = r.parent();
        XmlElement c = Xml.el("clone", "id", cid);
        // pcs appends the clone to the resources
        parent.removeChild(r);
        c.addChild(r);
        if (!meta.isEmpty()) {
            XmlElement ma = Xml.el("meta_attributes", "id", Xml.unique(cib, cid + "-meta_attributes"));
            for (Map.Entry<String, String> e : meta.entrySet()) {
                ma.addChild(Xml.el("nvpair", "id", Xml.unique(cib, ma.get("id") + "-" + e.getKey()), "name",
                    e.getKey(), "value", e.getValue()));
            }
            c.addChild(ma);
        }
        parent.addChild(c);
        // the constraints of the resource now name its clone
        String rid = r.get("id");
        for (XmlElement k : Xml.section(cib, "constraints").kids()) {
            for (String a : List.of("rsc", "with-rsc", "first", "then")) {
                if (rid.equals(k.get(a))) {
                    k.set(a, cid);
                }
            }
        }
        changed = true;
    }

    /** {@code pcs resource op add RSC ACTION NAME=VALUE...}. */
    void opAdd(List<String> args) throws PcsError {
        if (args.size() < 2) {
            throw new PcsError("Usage: pcs resource op add <resource id> <operation action> [operation properties]");
        }
        addOp(existingResource(args.get(0)), args.subList(1, args.size()), true, -1);
        changed = true;
    }

    /** {@code pcs resource op remove RSC ACTION [NAME=VALUE...]} or {@code op remove OP-ID}. */
    void opRemove(List<String> args) throws PcsError {
        if (args.isEmpty()) {
            throw new PcsError("Usage: pcs resource op remove <resource id> <operation action> [...]");
        }
        if (args.size() == 1) {
            XmlElement o = Xml.byId(cib, args.get(0));
            if (o == null || !o.is("op")) {
                throw new PcsError("unable to find operation id: " + args.get(0));
            }
            o.parent().removeChild(o);
            changed = true;
            return;
        }
        XmlElement r = existingResource(args.get(0));
        Map<String, String> want = pairs(args.subList(2, args.size()));
        XmlElement ops = r.firstChild("operations");
        boolean found = false;
        if (ops != null) {
            for (XmlElement o : new ArrayList<>(ops.children("op"))) {
                boolean match = args.get(1).equals(o.get("name"));
                for (Map.Entry<String, String> w : want.entrySet()) {
                    match &= w.getValue().equals(o.get(w.getKey()));
                }
                if (match) {
                    ops.removeChild(o);
                    found = true;
                }
            }
        }
        if (!found) {
            throw new PcsError("Unable to find operation matching: " + String.join(" ", args.subList(1,
                args.size())));
        }
        changed = true;
    }
}
