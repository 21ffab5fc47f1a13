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
import org.apache.commons.cli.CommandLine;
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
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code crm}, the SUSE family's cluster shell (crmsh 4.4), its basic one-line commands: {@code status},
 * {@code configure show [xml]}, {@code configure primitive|group|clone|location|colocation|order|property|delete},
 * {@code resource start|stop|status|move|ban|clear|cleanup}, {@code node standby|online}. Changes are made as crmsh
 * commits them (the configuration replaced); {@code --dry-run} (Vigil's) prints the transition instead, and
 * {@code --cib-file FILE} (Vigil's spelling of crmsh's {@code CIB_file=FILE}) works on a file with no node.
 *
 * <p>The command line is read as crmsh reads it (crmsh/main.py {@code parse_options()}, crmsh/ui_context.py
 * {@code Context.run()}): crm's own options by {@link ToolOptions} in argparse's manner, then the level and command,
 * whose words crmsh's {@code validate_arguments()}, {@code move_or_ban()} and {@code parse_option_for_nodes()} check
 * as here, errors in crmsh's words ({@code ERROR: level.command: ...}, exit 1).
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

    /** crmsh 4.4's usage (main.py's ArgumentParser), printed after "usage: " with its errors. */
    static final String USAGE = """
        crm [-h|--help] [OPTIONS] [SUBCOMMAND ARGS...]
        or crm help SUBCOMMAND

        For a list of available subcommands, use crm help.

        Use crm without arguments for an interactive session.
        Call a subcommand directly for a "single-shot" use.
        Call crm with a level name as argument to start an interactive
        session from that level.

        See the crm(8) man page or call crm help for more details.""";

    /** The version crmsh 4.4.1 (Debian 12) prints for {@code --version}. */
    static final String VERSION = "crm 4.4.0";

    /**
     * crm's own options as crmsh 4.4's {@code make_option_parser()} declares them (argparse: read up to the
     * subcommand, long ones by unambiguous prefix, unknown ones left aside), with Vigil's {@code --cib-file FILE} and
     * {@code --dry-run} (matched only in full, so that crmsh's abbreviations mean what they mean there).
     */
    static ToolOptions options() {
        return ToolOptions.argparse("crm", USAGE).ignoreUnknown()
            .longFlag("version", "show program's version number and exit")
            .value("f", "file", "FILE", "Load commands from the given file (not offered by Vigil's crm)")
            .value("c", "cib", "CIB", "Start the session using the given shadow CIB file (not offered by Vigil's "
                + "crm)")
            .value("D", "display", "OUTPUT_TYPE", "Choose one of the output options: plain, color-always, color, or "
                + "uppercase (Vigil's output is plain)")
            .flag("F", "force", "Make crm proceed with applying changes where it would normally ask")
            .flag("n", "no", "Automatically answer no when prompted")
            .flag("w", "wait", "Make crm wait for the cluster transition to finish (every change here returns once "
                + "applied)")
            .value("H", "history", "DIR|FILE|SESSION", "A cluster report to load into history")
            .flag("d", "debug", "Print verbose debugging information")
            .flag("R", "regression-tests", "Enables extra verbose trace logging used by the regression tests")
            .longValue("scriptdir", "DIR", "Extra directory where crm looks for cluster scripts")
            .shortValue("X", "PROFILE", "Collect profiling data and save in PROFILE")
            .value("o", "opt", "OPTION=VALUE", "Set crmsh option temporarily")
            .longValue("cib-file", "FILE", "(Vigil) work on this CIB file, as crmsh with CIB_file=FILE")
            .longFlag("dry-run", "(Vigil) change nothing, print the transition the change would cause")
            .exactOnly("cib-file", "dry-run");
    }

    /** crm's options with a string value, and their argparse {@code dest} (crmsh's check_space_option_value()). */
    private static final String[][] STRING_DESTS = {{"file", "filename"}, {"cib", "cib"}, {"display", "display"},
        {"history", "history"}, {"scriptdir", "scriptdir"}, {"X", "profile"}};

    /**
     * What crmsh's {@code parse_options()} refuses once argparse has read the line: an empty or blank value, a
     * display style it does not know, an {@code -o} that is not {@code SECTION.NAME=VALUE} (Python's own words for
     * the unpacking that failed); null when the options are good.
     */
    static String refused(CommandLine cl) {
        for (String[] d : STRING_DESTS) {
            String v = cl.getOptionValue(d[0]);
            if (v != null && v.strip().isEmpty()) {
                return "Space value not allowed for dest \"" + d[1] + "\"";
            }
        }
        String display = cl.getOptionValue("display");
        if (display != null && !List.of("plain", "color-always", "color", "uppercase").contains(display)) {
            return display + " not in plain, color-always, color, uppercase";
        }
        for (String o : cl.getOptionValues("opt") == null ? new String[0] : cl.getOptionValues("opt")) {
            String[] kv = o.split("=", -1);
            String why = unpack(kv.length);
            if (why == null) {
                why = unpack(kv[0].split("\\.", -1).length);
            }
            if (why != null) {
                return "Expected -o <section>.<name>=<value>: " + why;
            }
        }
        return null;
    }

    /** Python's error for {@code a, b = parts} with {@code n} parts, or null for two. */
    private static String unpack(int n) {
        return n == 2 ? null : n < 2 ? "not enough values to unpack (expected 2, got " + n + ")"
            : "too many values to unpack (expected 2)";
    }

    @Override
    public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) throws Exception {
        List<String> line = new ArrayList<>(args);
        String file = null;
        while (!line.isEmpty() && line.get(0).startsWith("CIB_file=")) {
            file = line.remove(0).substring("CIB_file=".length());
        }
        // argparse's usage and "crm: error: ..." are printed as they are (not after the tool's name)
        ToolOptions.Parsed parsed = options().parseOrExit(line, true, out, err);
        CommandLine cl = parsed.line();
        if (cl == null) {
            return parsed.status();
        }
        if (cl.hasOption("version")) {
            out.println(VERSION);
            return 0;
        }
        String bad = refused(cl);
        if (bad != null) {
            err.println("ERROR: " + bad);
            return 1;
        }
        for (String[] o : new String[][] {{"file", "-f/--file: commands from a file"},
            {"cib", "-c/--cib: shadow CIBs"}}) {
            if (cl.hasOption(o[0])) {
                err.println("ERROR: " + o[1] + " are not offered by Vigil's crm (one command a call; --cib-file FILE "
                    + "works on a CIB file)");
                return 1;
            }
        }
        if (cl.hasOption("cib-file")) {
            file = cl.getOptionValue("cib-file");
        }
        boolean dryRun = cl.hasOption("dry-run");
        boolean force = cl.hasOption("force");
        List<String> w = cl.getArgList();
        if (w.isEmpty() || w.get(0).equals("help") || w.get(0).equals("--")) {
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
            rc = dispatch(pcs, w, path != null, force, ctx, out, err);
        } catch (Pcs.PcsError e) {
            err.println("ERROR: " + qualified(w) + ": " + e.getMessage());
            return 1;
        } catch (Help h) {
            out.println(h.getMessage());
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

    /** crmsh's levels and their commands (crmsh 4.4's ui_root, ui_resource, ui_node, ui_configure). */
    private static final Map<String, List<String>> CRMSH = Map.of(
        "", List.of("cib", "cibstatus", "cluster", "configure", "corosync", "history", "maintenance", "node",
            "options", "ra", "report", "resource", "script", "site", "status", "verify", "help", "quit", "cd", "ls"),
        "resource", List.of("status", "show", "list", "start", "stop", "restart", "promote", "scores", "locate",
            "demote", "manage", "unmanage", "move", "migrate", "ban", "clear", "unmove", "unban", "unmigrate",
            "cleanup", "operations", "constraints", "failcount", "param", "secret", "meta", "utilization", "refresh",
            "reprobe", "maintenance", "trace", "untrace", "help", "up", "end", "quit", "cd", "ls"),
        "node", List.of("show", "list", "print", "standby", "online", "maintenance", "ready", "fence", "clearstate",
            "delete", "attribute", "utilization", "status_attr", "server", "help", "up", "end", "quit", "cd", "ls"),
        "configure", List.of("show", "primitive", "resource", "group", "clone", "ms", "master", "bundle",
            "rsc_template", "location", "colocation", "collocation", "order", "rsc_ticket", "property",
            "rsc_defaults", "op_defaults", "fencing_topology", "delete", "rm", "rename", "edit", "commit", "verify",
            "show", "get_property", "get-property", "set", "modgroup", "save", "load", "graph", "erase", "refresh",
            "ptest", "simulate", "upgrade", "schema", "node", "monitor", "user", "role", "acl_target", "tag", "alert",
            "rsctest", "xml", "filter", "cib", "cibstatus", "template", "history", "assist", "ra", "validate_all",
            "validate-all", "default_timeouts", "default-timeouts", "showobjects", "help", "up", "end", "quit", "cd",
            "ls"));

    /** crmsh's aliases (command.alias()) and the command each stands for, which crmsh names in its errors. */
    private static final Map<String, String> ALIASES = Map.ofEntries(Map.entry("resource.show", "status"),
        Map.entry("resource.list", "status"), Map.entry("resource.migrate", "move"),
        Map.entry("resource.unmove", "clear"), Map.entry("resource.unban", "clear"),
        Map.entry("resource.unmigrate", "clear"), Map.entry("resource.reprobe", "refresh"),
        Map.entry("node.list", "show"), Map.entry("configure.rm", "delete"),
        Map.entry("configure.resource", "primitive"), Map.entry("configure.master", "ms"),
        Map.entry("configure.collocation", "colocation"), Map.entry("configure.get-property", "get_property"),
        Map.entry("configure.validate-all", "validate_all"),
        Map.entry("configure.default-timeouts", "default_timeouts"), Map.entry("configure.simulate", "ptest"));

    /** crmsh's qualified name of the command a line runs ({@code resource.move}, {@code status}). */
    static String qualified(List<String> w) {
        String level = w.get(0);
        if (!CRMSH.containsKey(level) || level.isEmpty() || w.size() < 2) {
            return level;
        }
        return level + "." + ALIASES.getOrDefault(level + "." + w.get(1), w.get(1));
    }

    /** What crmsh answers for a command Vigil's crm does not carry out: crmsh has it, or has no such command. */
    private static Pcs.PcsError notOffered(String level, String cmd) {
        return new Pcs.PcsError(CRMSH.getOrDefault(level, List.of()).contains(cmd) ? "not offered by Vigil's crm"
            : "No such command");
    }

    /** A subcommand's help (argparse's, asked with -h): printed on standard output, exit 1 as crmsh ends it. */
    static final class Help extends Exception {
        private static final long serialVersionUID = 1L;

        Help(String text) {
            super(text, null, false, false);
        }
    }

    /**
     * crmsh's {@code validate_arguments()}: the number of words against the command's Python signature
     * ({@code named} as {@code pretty_arguments()} writes it; {@code max} -1 for no limit).
     */
    static void arity(String named, int min, int max, List<String> a) throws Pcs.PcsError {
        if (min == max && a.size() != min) {
            throw new Pcs.PcsError("Expected (" + named + "), takes exactly " + min + " arguments (" + a.size()
                + " given)");
        }
        if (a.size() < min) {
            throw new Pcs.PcsError("Expected (" + named + "), takes at least " + min + " arguments (" + a.size()
                + " given)");
        }
        if (max >= 0 && a.size() > max) {
            throw new Pcs.PcsError("Expected (" + named + "), takes at most " + max + " arguments (" + a.size()
                + " given)");
        }
    }

    private int dispatch(Pcs pcs, List<String> w, boolean file, boolean force, CommandContext ctx, PrintStream out,
                         PrintStream err) throws Exception {
        String level = w.get(0);
        String cmd = w.size() > 1 ? w.get(1) : "";
        List<String> a = w.size() > 2 ? w.subList(2, w.size()) : List.of();
        switch (level) {
            case "status" -> {
                String refusedBy = crmMonRefuses(w.subList(1, w.size()));
                if (refusedBy != null) {
                    err.println(refusedBy);
                    throw new Pcs.PcsError("crm_mon (rc=64): ");
                }
                pcs.out.append(new PcsCommand(null, clock, AgentMetadata.INSTALLED).monitorText(pcs.cib));
                return 0;
            }
            case "configure" -> {
                switch (cmd) {
                    case "show", "" -> {
                        if (a.contains("xml")) {
                            pcs.out.append(Xml.text(pcs.cib));
                        } else if (!a.isEmpty()) {
                            for (String id : a) {
                                // crmsh's show_objects(): an id it does not know ends the command, unqualified
                                if (Xml.byId(pcs.cib, id) == null && !id.equals("fencing_topology")
                                    && Xml.named(pcs.cib, "node").stream().noneMatch(n -> id.equals(n.get("uname")))) {
                                    err.println("ERROR: object " + id + " does not exist");
                                    return 1;
                                }
                            }
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
                    default -> throw notOffered(level, cmd);
                }
                return 0;
            }
            case "resource" -> {
                switch (cmd) {
                    case "start", "stop" -> {
                        if (a.isEmpty()) {
                            throw new Pcs.PcsError("Expected at least one resource as argument");
                        }
                        for (String r : a) {
                            if (pcs.resource(r) == null) {
                                throw new Pcs.PcsError("resource " + r + " does not exist");
                            }
                            meta(pcs, r, List.of("target-role=" + (cmd.equals("start") ? "Started" : "Stopped")));
                        }
                    }
                    case "status", "show", "list", "" -> pcs.out.append(new PcsCommand(null, clock,
                        AgentMetadata.INSTALLED).resourceStatus(pcs.cib));
                    case "move", "migrate", "ban" -> {
                        arity("rsc [args ...]", 1, -1, a);
                        List<String> c = moveOrBan(pcs, cmd.equals("ban") ? "ban" : "move", a, force);
                        if (file) {
                            if (cmd.equals("ban")) {
                                pcs.ban(a.get(0), c.contains("--node") ? c.get(c.indexOf("--node") + 1) : null);
                                return 0;
                            }
                            throw new Pcs.PcsError("resource move needs a running cluster");
                        }
                        return crmResource(c, ctx, out, err);
                    }
                    case "clear", "unmove", "unmigrate", "unban" -> {
                        arity("rsc", 1, 1, a);
                        if (file) {
                            pcs.clear(a.get(0), null);
                        } else {
                            return crmResource(List.of("--clear", "--resource", a.get(0)), ctx, out, err);
                        }
                    }
                    case "cleanup", "refresh", "reprobe" -> {
                        arity("[rsc] [node] [force]", 0, 3, a);
                        if (file) {
                            throw new Pcs.PcsError("resource " + cmd + " needs a running cluster");
                        }
                        List<String> c = new ArrayList<>(List.of(cmd.equals("cleanup") ? "--cleanup" : "--refresh"));
                        if (!a.isEmpty()) {
                            c.addAll(List.of("--resource", a.get(0)));
                        }
                        if (a.size() > 1) {
                            c.addAll(List.of("--node", a.get(1)));
                        }
                        if (a.size() > 2 || force) {
                            c.add("--force");
                        }
                        return crmResource(c, ctx, out, err);
                    }
                    default -> throw notOffered(level, cmd);
                }
                return 0;
            }
            case "node" -> {
                switch (cmd) {
                    case "standby", "online" -> {
                        List<String> nodes = standbyNodes(pcs, cmd, a);
                        pcs.standby(nodes, cmd.equals("standby"));
                    }
                    default -> throw notOffered(level, cmd);
                }
                return 0;
            }
            default -> throw notOffered("", level);
        }
    }

    /** crmsh's words of {@code status} and the crm_mon options they stand for (cmd_status.py). */
    private static final Map<String, String> STATUS_WORDS = Map.ofEntries(Map.entry("bynode", "-n"),
        Map.entry("inactive", "-r"), Map.entry("ops", "-o"), Map.entry("timing", "-t"),
        Map.entry("failcounts", "-f"), Map.entry("verbose", "-V"), Map.entry("quiet", "-Q"),
        Map.entry("html", "--as-html"), Map.entry("xml", "--as-xml"), Map.entry("simple", "-s"),
        Map.entry("tickets", "-c"), Map.entry("noheaders", "-D"), Map.entry("detail", "-R"),
        Map.entry("brief", "-b"), Map.entry("full", "-ncrft"));

    /**
     * {@code crm status WORD...}: crmsh hands the words to {@code crm_mon -1} (its own words turned into crm_mon's
     * options, others as they are), so crm_mon's parser judges them: its error (to be printed), or null.
     */
    static String crmMonRefuses(List<String> words) {
        List<String> mon = new ArrayList<>();
        for (String x : words) {
            mon.addAll(List.of(STATUS_WORDS.getOrDefault(x, x).split(" ")));
        }
        try {
            org.vigil.crm.internal.tools.CrmMonCommand.options().parse(mon, true);
            return null;
        } catch (UsageException e) {
            return e.status() == 0 ? null : e.getMessage();
        }
    }

    /** crmsh's {@code node standby|online} parser (ui_cluster.parse_option_for_nodes(): argparse, known args). */
    static ToolOptions nodeOptions(String cmd) {
        return ToolOptions.argparse("crm", cmd + " [--all | <node>... ]" + (cmd.equals("standby") ? " [lifetime]"
            : "")).interspersed().ignoreUnknown()
            .longFlag("all", "To " + cmd + " node on all nodes");
    }

    /**
     * The nodes of {@code node standby|online [--all | NODE...] [LIFETIME]} as crmsh picks them: the last word a
     * lifetime ({@code forever}, or {@code reboot}, which Vigil's crm does not offer) for standby, {@code --all}
     * every node, no node this host; an unknown option is taken for a node name, as crmsh takes it.
     */
    private static List<String> standbyNodes(Pcs pcs, String cmd, List<String> a) throws Pcs.PcsError, Help {
        List<String> words = new ArrayList<>(a);
        if (cmd.equals("standby") && !words.isEmpty() && List.of("reboot", "forever").contains(words.get(
            words.size() - 1))) {
            if (words.remove(words.size() - 1).equals("reboot")) {
                throw new Pcs.PcsError("a standby until reboot is not offered by Vigil's crm");
            }
        }
        CommandLine cl;
        try {
            cl = nodeOptions(cmd).parse(words, true);
        } catch (UsageException e) {
            if (e.status() == 0) {
                throw new Help(e.getMessage());
            }
            throw new Pcs.PcsError(e.getMessage());
        }
        List<String> names = cl.getArgList();
        if (cl.hasOption("all") && !names.isEmpty()) {
            throw new Pcs.PcsError("Should either use --all or specific node(s)");
        }
        List<String> members = Xml.section(pcs.cib, "nodes").children("node").stream().map(n -> n.get("uname"))
            .toList();
        if (cl.hasOption("all")) {
            return members;
        }
        if (names.isEmpty()) {
            return List.of(hostName());
        }
        for (String n : names) {
            if (!members.contains(n)) {
                throw new Pcs.PcsError("Node \"" + n + "\" is not a cluster node");
            }
        }
        return names;
    }

    /** This host's name, crmsh's {@code utils.this_node()} ({@code uname -n}). */
    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /**
     * crmsh's {@code move_or_ban()}: {@code RSC [NODE] [LIFETIME] [force]}; returns crm_resource's arguments. One
     * word is the node if it is one of the cluster's, else a lifetime; a move needs a node or {@code force}.
     */
    static List<String> moveOrBan(Pcs pcs, String action, List<String> a, boolean forced) throws Pcs.PcsError {
        String rsc = a.get(0);
        List<String> rest = new ArrayList<>(a.subList(1, a.size()));
        boolean force = rest.removeIf("force"::equals) || forced;
        String usage = "usage: " + action + " <rsc> [<node>] [<lifetime>] [force]";
        if (rest.size() >= 3) {
            throw new Pcs.PcsError(usage);
        }
        List<String> members = Xml.section(pcs.cib, "nodes").children("node").stream().map(n -> n.get("uname"))
            .toList();
        String node = null;
        String lifetime = null;
        if (rest.size() == 2) {
            node = rest.get(0);
            if (!members.contains(node)) {
                throw new Pcs.PcsError("Not our node: " + node);
            }
            lifetime = lifetime(rest.get(1));
        } else if (rest.size() == 1) {
            if (members.contains(rest.get(0))) {
                node = rest.get(0);
            } else {
                lifetime = lifetime(rest.get(0));
            }
        }
        String cap = Character.toUpperCase(action.charAt(0)) + action.substring(1);
        if (action.equals("move") && node == null && !force) {
            throw new Pcs.PcsError("No target node: " + cap + " requires either a target node or 'force'");
        }
        List<String> c = new ArrayList<>(List.of("--" + action, "--resource", rsc));
        if (node != null) {
            c.addAll(List.of("--node", node));
        }
        if (lifetime != null) {
            c.addAll(List.of("--lifetime", lifetime));
        }
        if (force) {
            c.add("--force");
        }
        return c;
    }

    /** crmsh's {@code fetch_lifetime_opt()}: {@code reboot}, {@code forever} or an ISO 8601 duration, else null. */
    private static String lifetime(String w) {
        return List.of("reboot", "forever").contains(w) || w.matches("P(\\d+[YMWD])*(T(\\d+[HMS])+)?") && w.length() > 1
            ? w : null;
    }

    private int crmResource(List<String> c, CommandContext ctx, PrintStream out, PrintStream err)
        throws Exception {
        AdminCommand tool = crmResource;
        if (tool == null) {
            err.println("ERROR: crm_resource is not available on this node");
            return 1;
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
