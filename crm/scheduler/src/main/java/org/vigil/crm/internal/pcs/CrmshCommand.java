package org.vigil.crm.internal.pcs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.simulate.Simulation;
import org.vigil.crm.internal.tools.ToolClock;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;

/**
 * {@code crm}, the SUSE family's cluster shell (crmsh 4.4), its basic one-line commands: {@code status},
 * {@code configure show [xml]}, {@code configure primitive|group|clone|location|colocation|order|property|delete},
 * {@code resource start|stop|status|move|ban|clear|cleanup}, {@code node standby|online}. Changes are made as crmsh
 * commits them (the configuration replaced); {@code --dry-run} (Vigil's) prints the transition instead, and
 * {@code --cib-file FILE} (Vigil's spelling of crmsh's {@code CIB_file=FILE}) works on a file with no node.
 */
@Component(property = {AdminCommand.NAME + "=crm",
    AdminCommand.DESCRIPTION + "=the crm shell (crmsh 4.4 basics): crm [--cib-file F] [--dry-run] status | configure "
        + "show|primitive|group|clone|location|colocation|order|property|delete | resource start|stop|move|cleanup|"
        + "status | node standby|online"})
public final class CrmshCommand implements AdminCommand {

    private static final long TIMEOUT_MS = 30_000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Cib cib;

    /** crm_resource, for move, ban, clear and cleanup on a node. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY, target = "(" + AdminCommand.NAME + "=crm_resource)")
    volatile AdminCommand crmResource;

    private final ToolClock clock;

    @Activate
    public CrmshCommand() {
        this(null, ToolClock.SYSTEM);
    }

    /** Outside OSGi (tests): a CIB (may be null: {@code --cib-file} only) and the clock. */
    public CrmshCommand(Cib cib, ToolClock clock) {
        this.cib = cib;
        this.clock = clock;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return execute(args, CommandContext.ofNode(), out, err);
    }

    @Override
    public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) throws Exception {
        List<String> w = new ArrayList<>();
        String file = null;
        boolean dryRun = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--cib-file") && i + 1 < args.size()) {
                file = args.get(++i);
            } else if (a.startsWith("--cib-file=")) {
                file = a.substring("--cib-file=".length());
            } else if (a.startsWith("CIB_file=") && w.isEmpty()) {
                file = a.substring("CIB_file=".length());
            } else if (a.equals("--dry-run")) {
                dryRun = true;
            } else if (a.equals("-w") || a.equals("--wait") || a.equals("-F") || a.equals("--force")) {
                // accepted: every change here returns once applied
            } else {
                w.add(a);
            }
        }
        if (w.isEmpty() || w.get(0).equals("help") || w.get(0).equals("--help")) {
            out.println(usage());
            return w.isEmpty() ? 1 : 0;
        }
        Path path = file == null ? null : ctx.resolve(file);
        Cib live = cib;
        XmlElement root;
        if (path != null) {
            try {
                root = Simulation.load(path);
            } catch (CibException e) {
                err.println("ERROR: cannot read the CIB file " + file + ": " + e.getMessage());
                return 1;
            }
        } else if (live == null) {
            err.println("ERROR: the cluster is not running on this node (use --cib-file FILE)");
            return 1;
        } else {
            root = Xml.copy(live.current().root());
        }
        XmlElement before = root.deepCopy();
        Pcs pcs = new Pcs(root, new Pcs.Flags(path != null, true, false, true, false, null, false),
            AgentMetadata.INSTALLED);
        int rc;
        try {
            rc = dispatch(pcs, w, path != null, ctx, out, err);
        } catch (Pcs.PcsError e) {
            err.println("ERROR: " + e.getMessage());
            return 1;
        }
        out.print(pcs.out);
        if (rc != 0 || !pcs.changed) {
            return rc;
        }
        if (dryRun) {
            out.print(new PcsCommand(null, clock, AgentMetadata.INSTALLED).transition(before, root));
            return 0;
        }
        return commit(root, path, live, err);
    }

    private int commit(XmlElement root, Path path, Cib live, PrintStream err) throws InterruptedException {
        if (path != null) {
            long epoch = org.vigil.crm.internal.cib.Score.parseLeadingLong(root.get("epoch") == null ? "0"
                : root.get("epoch"), 0);
            root.set("epoch", Long.toString(epoch + 1));
            try {
                Files.writeString(path, Xml.text(root), StandardCharsets.UTF_8);
                return 0;
            } catch (IOException e) {
                err.println("ERROR: cannot write " + path + ": " + e.getMessage());
                return 1;
            }
        }
        try {
            clock.await(live.update(CibRequest.of(CibRequest.Op.REPLACE, "configuration",
                XmlText.parse(Xml.text(root.firstChild("configuration")), "crm"), "crm")), TIMEOUT_MS);
            return 0;
        } catch (CibException e) {
            err.println("ERROR: could not replace the CIB: " + e.getMessage());
            return 1;
        } catch (ExecutionException e) {
            err.println("ERROR: could not replace the CIB: " + (e.getCause() instanceof CibError ce
                ? ce.getMessage() : e.getCause()));
            return 1;
        } catch (TimeoutException e) {
            err.println("ERROR: could not replace the CIB: Timer expired");
            return 124;
        }
    }

    private int dispatch(Pcs pcs, List<String> w, boolean file, CommandContext ctx, PrintStream out,
                         PrintStream err) throws Exception {
        String level = w.get(0);
        String cmd = w.size() > 1 ? w.get(1) : "";
        List<String> a = w.size() > 2 ? w.subList(2, w.size()) : List.of();
        switch (level) {
            case "status" -> {
                pcs.out.append(new PcsCommand(null, clock, AgentMetadata.INSTALLED).monitorText(pcs.cib));
                return 0;
            }
            case "configure" -> {
                switch (cmd) {
                    case "show", "" -> {
                        if (a.contains("xml")) {
                            pcs.out.append(Xml.text(pcs.cib));
                        } else if (!a.isEmpty()) {
                            String all = CrmShow.show(pcs.cib);
                            for (String entry : all.split("\n(?!\t)")) {
                                String id = entry.split("[ :]", 3).length > 1 ? entry.split("[ :]", 3)[1] : "";
                                if (a.contains(id)) {
                                    pcs.out.append(entry).append('\n');
                                }
                            }
                        } else {
                            pcs.out.append(CrmShow.show(pcs.cib));
                        }
                    }
                    case "primitive" -> primitive(pcs, a);
                    case "group" -> {
                        List<String> members = new ArrayList<>();
                        int i = 1;
                        while (i < a.size() && !a.get(i).equals("meta")) {
                            members.add(a.get(i++));
                        }
                        List<String> g = new ArrayList<>();
                        g.add(a.isEmpty() ? "" : a.get(0));
                        g.addAll(members);
                        pcs.groupAdd(g);
                        if (i < a.size()) {
                            meta(pcs, a.get(0), a.subList(i + 1, a.size()));
                        }
                    }
                    case "clone", "ms" -> {
                        if (a.size() < 2) {
                            throw new Pcs.PcsError("usage: " + cmd + " <id> <rsc> [meta <name>=<value>...]");
                        }
                        List<String> c = new ArrayList<>(List.of(a.get(1), a.get(0)));
                        c.addAll(a.subList(2, a.size()).stream().filter(x -> !x.equals("meta")).toList());
                        pcs.clone(c, cmd.equals("ms"));
                    }
                    case "location" -> location(pcs, a);
                    case "colocation", "collocation" -> colocation(pcs, a);
                    case "order" -> order(pcs, a);
                    case "property" -> pcs.propertySet(a.stream().filter(x -> x.contains("=")).toList());
                    case "rsc_defaults" -> pcs.defaults("rsc_defaults", a);
                    case "op_defaults" -> pcs.defaults("op_defaults", a);
                    case "delete" -> delete(pcs, a);
                    default -> throw new Pcs.PcsError("configure " + cmd + ": not offered by Vigil's crm");
                }
                return 0;
            }
            case "resource" -> {
                switch (cmd) {
                    case "start", "stop" -> {
                        for (String r : a) {
                            if (pcs.resource(r) == null) {
                                throw new Pcs.PcsError("resource " + r + " does not exist");
                            }
                            meta(pcs, r, List.of("target-role=" + (cmd.equals("start") ? "Started" : "Stopped")));
                        }
                    }
                    case "status", "show", "" -> pcs.out.append(new PcsCommand(null, clock, AgentMetadata.INSTALLED)
                        .resourceStatus(pcs.cib));
                    case "ban" -> {
                        if (file) {
                            pcs.ban(a.get(0), a.size() > 1 ? a.get(1) : null);
                        } else {
                            return crmResource("--ban", a, ctx, out, err);
                        }
                    }
                    case "clear", "unmove", "unmigrate", "unban" -> {
                        if (file) {
                            pcs.clear(a.get(0), null);
                        } else {
                            return crmResource("--clear", a, ctx, out, err);
                        }
                    }
                    case "move", "migrate" -> {
                        if (file) {
                            throw new Pcs.PcsError("resource move needs a running cluster");
                        }
                        return crmResource("--move", a, ctx, out, err);
                    }
                    case "cleanup", "refresh" -> {
                        if (file) {
                            throw new Pcs.PcsError("resource " + cmd + " needs a running cluster");
                        }
                        return crmResource("--" + cmd, a, ctx, out, err);
                    }
                    default -> throw new Pcs.PcsError("resource " + cmd + ": not offered by Vigil's crm");
                }
                return 0;
            }
            case "node" -> {
                switch (cmd) {
                    case "standby" -> pcs.standby(a, true);
                    case "online" -> pcs.standby(a, false);
                    default -> throw new Pcs.PcsError("node " + cmd + ": not offered by Vigil's crm");
                }
                return 0;
            }
            default -> throw new Pcs.PcsError(level + ": not offered by Vigil's crm (status, configure, resource, "
                + "node)");
        }
    }

    private int crmResource(String op, List<String> a, CommandContext ctx, PrintStream out, PrintStream err)
        throws Exception {
        AdminCommand tool = crmResource;
        if (tool == null) {
            err.println("ERROR: crm_resource is not available on this node");
            return 1;
        }
        List<String> c = new ArrayList<>(List.of(op));
        if (!a.isEmpty()) {
            c.addAll(List.of("--resource", a.get(0)));
        }
        if (a.size() > 1) {
            c.addAll(List.of("--node", a.get(1)));
        }
        return tool.execute(c, ctx, out, err);
    }

    /** The meta attributes of a resource set (its first set, created as {@code ID-meta_attributes}). */
    private static void meta(Pcs pcs, String id, List<String> pairs) throws Pcs.PcsError {
        XmlElement r = pcs.resource(id);
        if (r == null) {
            throw new Pcs.PcsError("resource " + id + " does not exist");
        }
        Xml.update(pcs.cib, Xml.set(pcs.cib, r, "meta_attributes", true), Pcs.pairs(pairs));
        pcs.changed = true;
    }

    /** {@code configure primitive ID AGENT [params ...] [meta ...] [utilization ...] [op NAME ...]...}. */
    private static void primitive(Pcs pcs, List<String> a) throws Pcs.PcsError {
        if (a.size() < 2) {
            throw new Pcs.PcsError("usage: primitive <rsc> {[<class>:[<provider>:]]<type>} [params ...] [meta ...] "
                + "[op ...]");
        }
        String id = a.get(0);
        if (Xml.idExists(pcs.cib, id)) {
            throw new Pcs.PcsError("object " + id + " already exists");
        }
        String[] agent = a.get(1).split(":");
        XmlElement p = Xml.el("primitive", "id", id);
        if (agent.length == 3) {
            p.set("class", agent[0]);
            p.set("provider", agent[1]);
            p.set("type", agent[2]);
        } else if (agent.length == 2) {
            p.set("class", agent[0]);
            p.set("type", agent[1]);
        } else {
            p.set("class", "ocf");
            p.set("provider", "heartbeat");
            p.set("type", agent[0]);
        }
        Pcs.Sections s = Pcs.Sections.of(a.subList(2, a.size()), "params", "meta", "utilization", "op");
        if (!s.head().isEmpty()) {
            throw new Pcs.PcsError("unexpected " + s.head().get(0) + " (params, meta, utilization or op expected)");
        }
        XmlElement ops = null;
        for (Map.Entry<String, List<String>> g : s.groups()) {
            if (g.getKey().equals("op")) {
                if (g.getValue().isEmpty()) {
                    throw new Pcs.PcsError("op: the action is missing");
                }
                Map<String, String> o = Pcs.pairs(g.getValue().subList(1, g.getValue().size()));
                String name = g.getValue().get(0);
                String interval = o.getOrDefault("interval", "0s");
                if (ops == null) {
                    ops = Xml.el("operations");
                }
                XmlElement op = Xml.el("op", "name", name);
                op.set("interval", interval);
                o.forEach((k, v) -> {
                    if (!k.equals("interval")) {
                        op.set(k, v);
                    }
                });
                op.set("id", Xml.unique(pcs.cib, id + "-" + name + "-" + interval));
                ops.addChild(op);
            } else {
                String kind = switch (g.getKey()) {
                    case "params" -> "instance_attributes";
                    case "meta" -> "meta_attributes";
                    default -> "utilization";
                };
                XmlElement set = p.firstChild(kind);
                if (set == null) {
                    set = Xml.el(kind, "id", Xml.unique(pcs.cib, id + "-" + kind));
                    p.addChild(set);
                }
                for (Map.Entry<String, String> e : Pcs.pairs(g.getValue()).entrySet()) {
                    set.addChild(Xml.el("nvpair", "name", e.getKey(), "value", e.getValue(), "id",
                        Xml.unique(pcs.cib, set.get("id") + "-" + e.getKey())));
                }
            }
        }
        if (ops != null) {
            p.addChild(ops);
        }
        Xml.section(pcs.cib, "resources").addChild(p);
        pcs.changed = true;
    }

    /** {@code configure location ID RSC SCORE: NODE}. */
    private static void location(Pcs pcs, List<String> a) throws Pcs.PcsError {
        if (a.size() < 4 || !a.get(2).endsWith(":")) {
            throw new Pcs.PcsError("usage: location <id> <rsc> <score>: <node>");
        }
        newConstraint(pcs, a.get(0), Xml.el("rsc_location", "id", a.get(0), "rsc", a.get(1), "score",
            score(a.get(2)), "node", a.get(3)), a.get(1));
    }

    /** {@code configure colocation ID SCORE: RSC[:ROLE] WITH-RSC[:ROLE]}. */
    private static void colocation(Pcs pcs, List<String> a) throws Pcs.PcsError {
        if (a.size() != 4 || !a.get(1).endsWith(":")) {
            throw new Pcs.PcsError("usage: colocation <id> <score>: <rsc>[:<role>] <with-rsc>[:<role>]");
        }
        String[] r = a.get(2).split(":");
        String[] w = a.get(3).split(":");
        XmlElement c = Xml.el("rsc_colocation", "id", a.get(0), "score", score(a.get(1)), "rsc", r[0]);
        if (r.length > 1) {
            c.set("rsc-role", r[1]);
        }
        c.set("with-rsc", w[0]);
        if (w.length > 1) {
            c.set("with-rsc-role", w[1]);
        }
        newConstraint(pcs, a.get(0), c, r[0], w[0]);
    }

    /** {@code configure order ID [KIND:|SCORE:] FIRST[:ACTION] THEN[:ACTION] [symmetrical=BOOL]}. */
    private static void order(Pcs pcs, List<String> a) throws Pcs.PcsError {
        List<String> l = new ArrayList<>(a);
        if (l.size() < 3) {
            throw new Pcs.PcsError("usage: order <id> [kind:] first then [symmetrical=<bool>]");
        }
        String id = l.remove(0);
        XmlElement o = Xml.el("rsc_order", "id", id);
        if (l.get(0).endsWith(":")) {
            String k = l.remove(0);
            k = k.substring(0, k.length() - 1);
            if (List.of("Mandatory", "Optional", "Serialize").contains(k)) {
                o.set("kind", k);
            } else {
                o.set("score", score(k + ":"));
            }
        }
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> rscs = new ArrayList<>();
        for (String x : l) {
            if (x.contains("=")) {
                opts.putAll(Pcs.pairs(List.of(x)));
            } else {
                rscs.add(x);
            }
        }
        if (rscs.size() != 2) {
            throw new Pcs.PcsError("usage: order <id> [kind:] first then [symmetrical=<bool>]");
        }
        String[] f = rscs.get(0).split(":");
        String[] t = rscs.get(1).split(":");
        o.set("first", f[0]);
        if (f.length > 1) {
            o.set("first-action", f[1]);
        }
        o.set("then", t[0]);
        if (t.length > 1) {
            o.set("then-action", t[1]);
        }
        opts.forEach(o::set);
        newConstraint(pcs, id, o, f[0], t[0]);
    }

    private static String score(String s) {
        String v = s.endsWith(":") ? s.substring(0, s.length() - 1) : s;
        return switch (v) {
            case "inf", "+inf" -> "INFINITY";
            case "-inf" -> "-INFINITY";
            default -> v;
        };
    }

    private static void newConstraint(Pcs pcs, String id, XmlElement c, String... rscs) throws Pcs.PcsError {
        if (Xml.idExists(pcs.cib, id)) {
            throw new Pcs.PcsError("object " + id + " already exists");
        }
        for (String r : rscs) {
            if (pcs.resource(r) == null) {
                throw new Pcs.PcsError("resource " + r + " does not exist");
            }
        }
        Xml.section(pcs.cib, "constraints").addChild(c);
        pcs.changed = true;
    }

    /** {@code configure delete ID...}: resources (with their constraints), constraints, property sets. */
    private static void delete(Pcs pcs, List<String> ids) throws Pcs.PcsError {
        for (String id : ids) {
            XmlElement e = Xml.byId(pcs.cib, id);
            if (e == null) {
                throw new Pcs.PcsError("object " + id + " does not exist");
            }
            if (e.is("primitive") || e.is("group")) {
                pcs.resourceDelete(id);
                pcs.err.setLength(0);
            } else {
                e.parent().removeChild(e);
                pcs.changed = true;
            }
        }
    }

    static String usage() {
        return """
            usage: crm [--cib-file FILE] [--dry-run] <level> <command> [<args>]
            Vigil's crm (crmsh 4.4 basics):
              status
              configure show [xml] [ID...]
              configure primitive ID AGENT [params N=V...] [meta N=V...] [op ACTION N=V...]...
              configure group ID RSC... [meta N=V...] | clone ID RSC [meta N=V...] | ms ID RSC [meta N=V...]
              configure location ID RSC SCORE: NODE | colocation ID SCORE: RSC WITH-RSC
              configure order ID [KIND:] FIRST[:ACTION] THEN[:ACTION] | property N=V... | delete ID...
              resource start|stop|status|move|ban|clear|cleanup RSC [NODE]
              node standby|online NODE
            --dry-run changes nothing and prints the transition the change would cause.""";
    }
}
