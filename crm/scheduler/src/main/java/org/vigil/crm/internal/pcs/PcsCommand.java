package org.vigil.crm.internal.pcs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.MonitorText;
import org.vigil.crm.internal.scheduler.output.StatusPrinter;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;
import org.vigil.crm.internal.simulate.Simulation;
import org.vigil.crm.internal.tools.ToolClock;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code pcs}, the Red Hat family's cluster shell, in pcs 0.11's syntax and wording for the commands that read and
 * write the CIB ({@link Pcs} has the edits): {@code status [resources]}, {@code resource create|delete|update|config|
 * status|enable|disable|manage|unmanage|ban|move|clear|cleanup|restart|group add|group remove|clone|promotable|op add|
 * op remove|defaults}, {@code constraint [config] [--full]}, {@code constraint location|order|colocation|ticket}
 * (add, config, remove), {@code constraint remove|ref}, {@code property set|unset|config},
 * {@code node standby|unstandby|maintenance|unmaintenance|attribute},
 * {@code stonith create|config|delete|fence|history} (fence and history through {@code stonith_admin}),
 * {@code cluster cib [FILE] [scope=S|--config]}, {@code cluster cib-push FILE [scope=S|--config|diff-against=ORIG]}
 * (through {@code cibadmin} and {@code crm_diff}, as pcs runs them). ({@code pcs quorum ...} is the quorum
 * bundle's command.)
 *
 * <p>Like pcs, every change reads the CIB, edits the configuration and pushes it back whole (pcs's
 * {@code cibadmin --replace -o configuration}); with {@code -f FILE} it works on that file instead and needs no node.
 * {@code --dry-run} (Vigil's addition) changes nothing: it prints the transition the scheduler would compute for the
 * changed CIB, as {@code crm_simulate} prints it. On a node, {@code move}, {@code ban}, {@code clear},
 * {@code cleanup} and {@code restart} are handed to {@code crm_resource}, as pcs does.
 *
 * <p>Option parsing: as pcs's own, the options are taken out of the line first wherever they stand (pcs's
 * {@code gnu_getopt} with its option list, here {@link ToolOptions} in Python getopt's wording: {@code Error: option
 * --bogus not recognized}), the words left (positional words and the {@code NAME=VALUE} groups introduced by
 * keywords such as {@code op} and {@code meta}) are read by the subcommands.
 */
@Component(property = {AdminCommand.NAME + "=pcs",
    AdminCommand.DESCRIPTION + "=the pcs shell (0.11 syntax): pcs [-f FILE] [--dry-run] status|resource|constraint|"
        + "property|node|stonith ..."})
public final class PcsCommand implements AdminCommand {

    static final String TOOL = "pcs";
    private static final long TIMEOUT_MS = 30_000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Cib cib;

    /** crm_resource (the highest ranked: the scheduler bundle's), for move, ban, clear and cleanup on a node. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY, target = "(" + AdminCommand.NAME + "=crm_resource)")
    volatile AdminCommand crmResource;

    /** stonith_admin (the highest ranked: the fencer bundle's), for {@code pcs stonith fence|history}. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY, target = "(" + AdminCommand.NAME + "=stonith_admin)")
    volatile AdminCommand stonithAdmin;

    /** cibadmin (the CIB bundle's), for {@code pcs cluster cib-push}, as pcs runs it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY, target = "(" + AdminCommand.NAME + "=cibadmin)")
    volatile AdminCommand cibadmin;

    /** crm_diff (the CIB bundle's), for {@code pcs cluster cib-push diff-against=}, as pcs runs it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY, target = "(" + AdminCommand.NAME + "=crm_diff)")
    volatile AdminCommand crmDiff;

    private final ToolClock clock;
    private final AgentMetadata.Source agents;

    @Activate
    public PcsCommand() {
        this(null, ToolClock.SYSTEM, AgentMetadata.INSTALLED);
    }

    /** Outside OSGi (tests): the CIB (may be null: {@code -f} only), clock and agents. */
    PcsCommand(Cib cib, ToolClock clock, AgentMetadata.Source agents) {
        this.cib = cib;
        this.clock = clock;
        this.agents = agents;
    }

    /** Outside OSGi (tests of the CIB bundle): a CIB, the clock, the installed agents. */
    public PcsCommand(Cib cib, ToolClock clock) {
        this(cib, clock, AgentMetadata.INSTALLED);
    }

    /**
     * Outside OSGi (OfflineMain, tests): the {@code cibadmin} and {@code crm_diff} that {@code cluster cib-push}
     * runs (on the file's CIB); returns this.
     */
    public PcsCommand withCibTools(AdminCommand cibadmin, AdminCommand crmDiff) {
        this.cibadmin = cibadmin;
        this.crmDiff = crmDiff;
        return this;
    }

    /** Outside OSGi: files only ({@code -f}), the installed agents. */
    public static PcsCommand offline() {
        return new PcsCommand(null, ToolClock.SYSTEM, AgentMetadata.INSTALLED);
    }

    /** Stands for a negative number among the words while the options are parsed. */
    private static final String NEGATIVE = "\u0001negative-number-";

    /** pcs 0.11.5's long options that take a value (PCS_LONG_OPTIONS entries ending in "="). */
    private static final java.util.Set<String> VALUE_OPTIONS = java.util.Set.of("request-timeout", "name", "group",
        "node", "from", "to", "after", "before", "corosync_conf", "booth-conf", "booth-key", "output-format", "token");

    /**
     * pcs's options, as pcs 0.11.5 parses them: {@code getopt.gnu_getopt(argv, PCS_SHORT_OPTIONS = "hf:p:u:",
     * PCS_LONG_OPTIONS)} (pcs/app.py main(), pcs/cli/common/parse_args.py), and Vigil's {@code --dry-run}. Those
     * Vigil's pcs does not act on are still known, so that they are refused by name rather than as unknown.
     */
    static ToolOptions options() {
        ToolOptions o = ToolOptions.pythonGetopt(TOOL, "pcs [-f file] [-h] [commands]...")
            .flag("h", "help", "help").shortValue("f", "FILE", "CIB file").shortValue("p", "PASSWORD", "password")
            .shortValue("u", "USER", "user").longFlag("dry-run", "Vigil: print the transition, change nothing");
        for (String f : new String[] {"debug", "version", "help", "fullhelp", "force", "skip-offline", "autodelete",
            "simulate", "all", "full", "local", "wait", "config", "start", "enable", "disabled", "off", "brief", "safe",
            "no-strict", "strict", "pacemaker", "corosync", "no-default-ops", "defaults", "nodesc", "master",
            "promoted", "no-watchdog-validation", "no-cluster-uuid", "no-keys-sync", "hide-inactive", "monitor",
            "groups", "expired", "no-expire-check", "overwrite", "agent-validation"}) {
            if (!f.equals("help")) {
                o.longFlag(f, f);
            }
        }
        for (String v : VALUE_OPTIONS) {
            o.longValue(v, "VALUE", v);
        }
        return o;
    }

    /** pcs's {@code _is_negative_num()}: "-" and an integer, or anything Python's float() reads ("-INFINITY"). */
    static boolean negativeNumber(String a) {
        if (!a.startsWith("-") || a.length() < 2) {
            return false;
        }
        String r = a.substring(1).strip().toLowerCase(java.util.Locale.ROOT);
        if (r.equals("inf") || r.equals("infinity") || r.equals("nan")) {
            return true;
        }
        return r.matches("(\\d+(_\\d+)*)?(\\.\\d*)?([e][-+]?\\d+)?") && r.chars().anyMatch(Character::isDigit);
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return execute(args, CommandContext.ofNode(), out, err);
    }

    @Override
    public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl;
        List<String> words = new ArrayList<>();
        String wait = null;
        try {
            // pcs's main(): "--wait=N" becomes --wait (N kept), and negative numbers that are not an option's value
            // (a score "-100", "-INFINITY") are words, not options (parse_args.filter_out_non_option_negative_numbers)
            List<String> argv = new ArrayList<>();
            List<String> negatives = new ArrayList<>();
            ToolOptions o = options();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.startsWith("--wait=") && a.length() > "--wait=".length()) {
                    wait = a.substring("--wait=".length());
                    a = "--wait";
                }
                String prev = i > 0 ? args.get(i - 1) : "";
                boolean prevTakesValue = prev.equals("-f") || prev.equals("-p") || prev.equals("-u")
                    || (prev.startsWith("--") && !prev.contains("=") && VALUE_OPTIONS.contains(prev.substring(2)));
                if (negativeNumber(a) && !prevTakesValue) {
                    negatives.add(a);
                    a = NEGATIVE + (negatives.size() - 1);
                }
                argv.add(a);
            }
            cl = o.parse(argv, true);
            for (String w : cl.getArgList()) {
                words.add(w.startsWith(NEGATIVE) ? negatives.get(Integer.parseInt(w.substring(NEGATIVE.length()))) : w);
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (org.apache.commons.cli.Option opt : cl.getOptions()) {
                String name = opt.getLongOpt() != null ? "--" + opt.getLongOpt() : "-" + opt.getOpt();
                if (!seen.add(name)) {
                    throw new UsageException("Error: " + name + " can only be used once", 1);
                }
            }
        } catch (UsageException e) {
            err.println(e.getMessage());
            if (e.getMessage().startsWith("Error: option ")) {
                err.println(usage());   // pcs prints its usage after a getopt error
            }
            return 1;
        }
        if (cl.hasOption("h")) {
            out.println(usage());
            return 0;
        }
        if (cl.hasOption("wait") && wait == null) {
            wait = "";
        }
        String file = cl.getOptionValue("f");
        boolean force = cl.hasOption("force");
        boolean dryRun = cl.hasOption("dry-run");
        boolean full = cl.hasOption("full");
        boolean noDefaultOps = cl.hasOption("no-default-ops");
        boolean disabled = cl.hasOption("disabled");
        boolean all = cl.hasOption("all");
        boolean off = cl.hasOption("off");
        boolean monitor = cl.hasOption("monitor");
        String group = cl.getOptionValue("group");
        boolean config = cl.hasOption("config");
        for (String unsupported : new String[] {"p", "u", "debug", "skip-offline", "autodelete", "simulate", "local",
            "start", "enable", "request-timeout", "brief", "safe", "no-strict", "strict", "pacemaker",
            "corosync", "defaults", "nodesc", "master", "promoted", "name", "node", "from", "to", "after", "before",
            "corosync_conf", "booth-conf", "booth-key", "no-watchdog-validation", "no-cluster-uuid", "no-keys-sync",
            "hide-inactive", "groups", "expired", "no-expire-check", "overwrite", "output-format", "fullhelp",
            "version", "token", "agent-validation"}) {
            if (cl.hasOption(unsupported)) {
                err.println("Error: option " + (unsupported.length() == 1 ? "-" : "--") + unsupported
                    + " is not supported by Vigil's pcs");
                return 1;
            }
        }
        if (words.isEmpty()) {
            out.println(usage());
            return 1;
        }
        if (words.get(0).equals("resource") && words.size() > 1 && words.get(1).equals("restart")) {
            return restart(words.subList(2, words.size()), wait, file != null, ctx, out, err);
        }
        if (words.get(0).equals("cluster") && words.size() > 1
            && (words.get(1).equals("cib") || words.get(1).equals("cib-push"))) {
            CibFiles files = new CibFiles(file == null ? null : ctx.resolve(file), config, wait, ctx, out, err);
            try {
                return words.get(1).equals("cib") ? files.get(words.subList(2, words.size()))
                    : files.push(words.subList(2, words.size()));
            } catch (Pcs.PcsError e) {
                err.println("Error: " + e.getMessage());
                return 1;
            }
        }
        if (words.get(0).equals("stonith") && words.size() > 1
            && (words.get(1).equals("fence") || words.get(1).equals("history"))) {
            return fence(words.subList(1, words.size()), off, file != null, ctx, out, err);
        }
        XmlElement root;
        Path path = file == null ? null : ctx.resolve(file);
        Cib live = cib;
        if (path != null) {
            try {
                root = Simulation.load(path);
            } catch (CibException e) {
                err.println("Error: unable to read the CIB file " + file + ": " + e.getMessage());
                return 1;
            }
        } else if (live == null) {
            err.println("Error: unable to get cib: the cluster is not running on this node (use -f FILE)");
            return 1;
        } else {
            root = Xml.copy(live.current().root());
        }
        XmlElement before = dryRun ? root.deepCopy() : null;   // only --dry-run compares before and after
        Pcs pcs = new Pcs(root, new Pcs.Flags(path != null, force, full, noDefaultOps, disabled, group, all), agents);
        int rc;
        try {
            rc = dispatch(pcs, words, path != null, monitor, ctx, out, err);
        } catch (Pcs.PcsError e) {
            err.print(pcs.err);
            err.println("Error: " + e.getMessage());
            if (e.library) {
                err.println("Error: Errors have occurred, therefore pcs is unable to continue");
            }
            return 1;
        }
        out.print(pcs.out);
        err.print(pcs.err);
        if (rc != 0 || !pcs.changed) {
            return rc;
        }
        if (dryRun) {
            out.print(transition(before, root));
            return 0;
        }
        return commit(root, path, live, err);
    }

    /** Writes the changed CIB: to the file (epoch + 1), or to the cluster (the configuration replaced). */
    private int commit(XmlElement root, Path path, Cib live, PrintStream err) throws InterruptedException {
        XmlElement conf = root.firstChild("configuration");
        if (path != null) {
            long epoch = org.vigil.crm.internal.cib.Score.parseLeadingLong(root.get("epoch") == null ? "0"
                : root.get("epoch"), 0);
            root.set("epoch", Long.toString(epoch + 1));
            root.set("num_updates", "0");
            try {
                Files.writeString(path, Xml.text(root), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("Error: unable to write the CIB file " + path + ": " + e.getMessage());
                return 1;
            }
            return 0;
        }
        try {
            CibRequest req = CibRequest.of(CibRequest.Op.REPLACE, "configuration",
                XmlText.parse(Xml.text(conf), "pcs"), TOOL);
            clock.await(live.update(req), TIMEOUT_MS);
            return 0;
        } catch (CibException e) {
            err.println("Error: Unable to update cib\n" + e.getMessage());
            return 1;
        } catch (ExecutionException e) {
            String why = e.getCause() instanceof CibError ce ? ce.getMessage() : String.valueOf(e.getCause());
            err.println("Error: Unable to update cib\nCall cib_replace failed: " + why);
            return 1;
        } catch (TimeoutException e) {
            err.println("Error: Unable to update cib\nCall cib_replace failed: Timer expired");
            return 124;
        }
    }

    /** {@code --dry-run}: the transition the scheduler computes for the changed CIB (crm_simulate's summary). */
    String transition(XmlElement before, XmlElement after) throws Exception {
        CrmTime now = CrmTime.ofEpochSecond(clock.nowMillis() / 1000, clock.zone());
        List<String> was = Simulation.withLargeStack(() -> Scheduler.run(before.deepCopy(), now, false).summary());
        List<String> will = Simulation.withLargeStack(() -> Scheduler.run(after.deepCopy(), now, false).summary());
        StringBuilder s = new StringBuilder("Dry run: the CIB is not changed. The transition this change would "
            + "cause:\nTransition Summary:\n");
        for (String l : will) {
            s.append("  * ").append(l).append(was.contains(l) ? "   (already planned without the change)" : "")
                .append('\n');
        }
        if (will.isEmpty()) {
            s.append("  (nothing starts, stops, moves or restarts)\n");
        }
        return s.toString();
    }

    private int dispatch(Pcs pcs, List<String> w, boolean file, boolean monitor, CommandContext ctx,
                         PrintStream out, PrintStream err) throws Exception {
        String cmd = w.get(0);
        List<String> rest = w.subList(1, w.size());
        String sub = rest.isEmpty() ? "" : rest.get(0);
        List<String> subArgs = rest.isEmpty() ? List.of() : rest.subList(1, rest.size());
        switch (cmd) {
            case "status" -> {
                if (sub.equals("resources")) {
                    pcs.out.append(resourceStatus(pcs.cib));
                    return 0;
                }
                if (file) {
                    throw new Pcs.PcsError("When '-f' is specified, '--corosync_conf' must be specified as well");
                }
                pcs.out.append(fullStatus(pcs.cib, pcs.flags.full()));
                return 0;
            }
            case "resource" -> {
                return resource(pcs, sub, subArgs, file, monitor, ctx, out, err);
            }
            case "stonith" -> {
                switch (sub) {
                    case "create" -> pcs.resourceCreate(subArgs, true);
                    case "config", "" -> pcs.resourceConfig(subArgs, true);
                    case "delete", "remove" -> pcs.resourceDelete(one(subArgs));
                    default -> throw new Pcs.PcsError("unknown stonith command '" + sub + "' (Vigil offers create, "
                        + "config, delete; fence and history: stonith_admin)");
                }
                return 0;
            }
            case "constraint" -> {
                switch (sub) {
                    case "", "config", "list", "show" -> pcs.constraintConfig(null, pcs.flags.full());
                    case "location" -> {
                        if (subArgs.isEmpty() || List.of("config", "show").contains(subArgs.get(0))) {
                            pcs.constraintConfig("location", pcs.flags.full());
                        } else if (List.of("remove", "delete").contains(subArgs.get(0))) {
                            pcs.constraintRemove(subArgs.subList(1, Math.min(2, subArgs.size())), "rsc_location");
                        } else if (subArgs.size() >= 2 && List.of("prefers", "avoids").contains(subArgs.get(1))) {
                            pcs.locationPrefers(subArgs.get(0), subArgs.get(1).equals("prefers"),
                                subArgs.subList(2, subArgs.size()));
                        } else {
                            throw new Pcs.PcsError("Usage: pcs constraint location <resource> prefers|avoids "
                                + "<node>[=<score>]...");
                        }
                    }
                    case "order" -> {
                        if (subArgs.isEmpty() || List.of("config", "show").contains(subArgs.get(0))) {
                            pcs.constraintConfig("order", pcs.flags.full());
                        } else if (List.of("remove", "delete").contains(subArgs.get(0))) {
                            pcs.constraintRemove(subArgs.subList(1, subArgs.size()), "rsc_order");
                        } else {
                            pcs.order(subArgs);
                        }
                    }
                    case "colocation" -> {
                        if (subArgs.isEmpty() || List.of("config", "show").contains(subArgs.get(0))) {
                            pcs.constraintConfig("colocation", pcs.flags.full());
                        } else if (subArgs.get(0).equals("add")) {
                            pcs.colocationAdd(subArgs.subList(1, subArgs.size()));
                        } else if (List.of("remove", "delete").contains(subArgs.get(0))) {
                            pcs.constraintRemove(subArgs.subList(1, subArgs.size()), "rsc_colocation");
                        } else {
                            throw new Pcs.PcsError("Usage: pcs constraint colocation add|remove|config ...");
                        }
                    }
                    case "ticket" -> {
                        if (subArgs.isEmpty() || List.of("config", "show").contains(subArgs.get(0))) {
                            pcs.constraintConfig("ticket", pcs.flags.full());
                        } else if (subArgs.get(0).equals("add")) {
                            pcs.ticketAdd(subArgs.subList(1, subArgs.size()));
                        } else if (List.of("remove", "delete").contains(subArgs.get(0))) {
                            pcs.ticketRemove(subArgs.subList(1, subArgs.size()));
                        } else {
                            throw new Pcs.PcsError("Usage: pcs constraint ticket add|remove|config ...");
                        }
                    }
                    case "remove", "delete" -> pcs.constraintRemove(subArgs, null);
                    case "ref" -> pcs.constraintRef(subArgs);
                    default -> throw new Pcs.PcsError("unknown constraint command '" + sub + "'");
                }
                return 0;
            }
            case "property" -> {
                switch (sub) {
                    case "", "config", "list", "show" -> pcs.propertyConfig();
                    case "set" -> pcs.propertySet(subArgs);
                    case "unset" -> pcs.propertyUnset(subArgs);
                    default -> throw new Pcs.PcsError("unknown property command '" + sub + "'");
                }
                return 0;
            }
            case "node" -> {
                switch (sub) {
                    case "standby" -> pcs.standby(subArgs, true);
                    case "unstandby" -> pcs.standby(subArgs, false);
                    case "maintenance" -> pcs.nodeFlag(subArgs, "maintenance", true);
                    case "unmaintenance" -> pcs.nodeFlag(subArgs, "maintenance", false);
                    case "attribute" -> {
                        return pcs.nodeAttribute(subArgs);
                    }
                    default -> throw new Pcs.PcsError("unknown node command '" + sub + "' (Vigil offers standby, "
                        + "unstandby, maintenance, unmaintenance, attribute)");
                }
                return 0;
            }
            case "cluster" -> {
                if (sub.equals("cib")) {
                    pcs.out.append(Xml.text(pcs.cib));
                    return 0;
                }
                throw new Pcs.PcsError("unknown cluster command '" + sub + "' (Vigil offers cib; the status: pcs "
                    + "status)");
            }
            default -> throw new Pcs.PcsError("unknown command '" + cmd + "'");
        }
    }

    /** pcs's {@code is_valid_cib_scope()}: the sections {@code cluster cib} and {@code cib-push} accept. */
    static final List<String> CIB_SCOPES = List.of("acls", "alerts", "configuration", "constraints", "crm_config",
        "fencing-topology", "nodes", "op_defaults", "resources", "rsc_defaults", "tags");

    /**
     * {@code pcs cluster cib [FILE] [scope=S|--config]} and {@code pcs cluster cib-push FILE [scope=S|--config]
     * [diff-against=ORIG] [--wait[=N]]}: follow {@code get_cib()} and {@code cluster_push()} in pcs 0.11.5's
     * pcs/cluster.py, which read the CIB with {@code cibadmin -l -Q}, push it with {@code cibadmin --replace
     * --xml-file} (a whole CIB older than the cluster's is refused), or diff with {@code crm_diff --no-version} and
     * push the patch with {@code cibadmin --patch}. The tools are the node's own (on a file: the file's).
     */
    private final class CibFiles {
        private final Path file;
        private final boolean config;
        private final String wait;
        private final CommandContext ctx;
        private final PrintStream out;
        private final PrintStream err;

        CibFiles(Path file, boolean config, String wait, CommandContext ctx, PrintStream out, PrintStream err) {
            this.file = file;
            this.config = config;
            this.wait = wait;
            this.ctx = ctx;
            this.out = out;
            this.err = err;
        }

        /** {@code get_cib()} of pcs/cluster.py. */
        int get(List<String> argv) throws Exception {
            if (argv.size() > 2) {
                throw usage("cib [filename] [scope=<scope> | --config]");
            }
            String[] given = {null};
            String filename = words(argv, "cib [filename] [scope=<scope> | --config]", (name, value) -> {
                if (!name.equals("scope") || config) {
                    return false;
                }
                given[0] = scope(value);
                return true;
            });
            String scope = config ? "configuration" : given[0];
            String output = query(scope);
            if (filename == null) {
                out.println(output.stripTrailing());
                return 0;
            }
            Path target = ctx.resolve(filename);
            try {
                Files.writeString(target, output, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new Pcs.PcsError("Unable to write to file '" + filename + "', " + reason(e));
            }
            return 0;
        }

        /** {@code utils.get_cib()}: what {@code cibadmin -l -Q [--scope=S]} prints. */
        private String query(String scope) throws Pcs.PcsError {
            XmlElement root;
            if (file != null) {
                try {
                    root = Simulation.load(file);
                } catch (CibException e) {
                    throw new Pcs.PcsError("unable to get cib");
                }
            } else {
                Cib live = cib;
                if (live == null) {
                    throw new Pcs.PcsError("unable to get cib");
                }
                root = Xml.copy(live.current().root());
            }
            XmlElement section = scope == null ? root : section(root, scope);
            if (section == null) {
                throw new Pcs.PcsError("unable to get cib, scope '" + scope + "' not present in cib");
            }
            return Xml.text(section);
        }

        /** {@code pcmk_find_cib_element()}: a section by name, {@code configuration} or one of its children. */
        private static XmlElement section(XmlElement root, String scope) {
            XmlElement conf = root.firstChild("configuration");
            if (scope.equals("configuration") || conf == null) {
                return conf;
            }
            return conf.firstChild(scope);
        }

        /** {@code cluster_push()} of pcs/cluster.py. */
        int push(List<String> argv) throws Exception {
            String syntax = "cib-push <filename> [--wait[=<n>]] [diff-against=<filename_original> | scope=<scope> | "
                + "--config]";
            if (argv.size() > 2) {
                throw usage(syntax);
            }
            String timeout = null;
            // pcs validates only a --wait with a value (a bare --wait reads as false there)
            if (wait != null && !wait.isEmpty()) {
                if (file != null) {
                    throw new Pcs.PcsError("Cannot use '-f' together with '--wait'");
                }
                {
                    long t = Pcs.seconds(wait);
                    if (t < 0) {
                        throw new Pcs.PcsError(wait + " is not a valid number of seconds to wait");
                    }
                    timeout = Long.toString(t);
                }
            }
            String[] given = {null, null};
            String filename = words(argv, syntax, (name, value) -> {
                switch (name) {
                    case "scope" -> {
                        if (config) {
                            throw new Pcs.PcsError("Cannot use both scope and --config");
                        }
                        given[0] = scope(value);
                    }
                    case "diff-against" -> given[1] = value;
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            String scope = config ? "configuration" : given[0];
            String diffAgainst = given[1];
            if (diffAgainst != null && scope != null) {
                throw new Pcs.PcsError("Cannot use both scope and diff-against");
            }
            if (filename == null) {
                throw usage(syntax);
            }
            Path newFile = ctx.resolve(filename);
            XmlNode parsed;
            try {
                parsed = XmlText.parse(Files.readString(newFile, StandardCharsets.UTF_8), filename);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new Pcs.PcsError("unable to parse new cib: [Errno 2] No such file or directory: '" + filename
                    + "'");
            } catch (IOException e) {
                throw new Pcs.PcsError("unable to parse new cib: " + reason(e));
            } catch (CibException e) {
                throw new Pcs.PcsError("unable to parse new cib: " + e.getMessage());
            }
            if (scope != null && !hasElement(parsed, scope)) {
                throw new Pcs.PcsError("unable to push cib, scope '" + scope + "' not present in new cib");
            }
            AdminCommand admin = cibadmin;
            if (admin == null) {
                throw new Pcs.PcsError("unable to push cib\ncibadmin is not available here");
            }
            if (diffAgainst != null) {
                AdminCommand differ = crmDiff;
                if (differ == null) {
                    throw new Pcs.PcsError("unable to diff the CIBs:\ncrm_diff is not available here");
                }
                Captured diff = run(differ, List.of("--original", ctx.resolve(diffAgainst).toString(), "--new",
                    newFile.toString(), "--no-version"), ctx);
                // 0: no difference, 1: a difference, more: an error
                if (diff.rc() > 1) {
                    throw new Pcs.PcsError("unable to diff the CIBs:\n" + diff.err());
                }
                if (diff.rc() == 0) {
                    err.println("The new CIB is the same as the original CIB, nothing to push.");
                    return 0;
                }
                Captured patch = run(admin, List.of("--patch", "--xml-pipe"), new CommandContext(ctx.cwd(),
                    diff.out().getBytes(StandardCharsets.UTF_8)));
                if (patch.rc() != 0) {
                    throw new Pcs.PcsError("unable to push cib\n" + patch.err() + patch.out());
                }
            } else {
                List<String> command = new ArrayList<>(List.of("--replace", "--xml-file", newFile.toString()));
                if (scope != null) {
                    command.add("--scope=" + scope);
                }
                Captured replace = run(admin, command, ctx);
                if (replace.rc() == 103) {
                    throw new Pcs.PcsError("Unable to push to the CIB because pushed configuration is older than "
                        + "existing one. If you are sure you want to push this configuration, try to use --config "
                        + "to replace only configuration part instead of whole CIB. Otherwise get current "
                        + "configuration by running command 'pcs cluster cib' and update that.");
                }
                if (replace.rc() != 0) {
                    // utils.run(): standard output and error together
                    throw new Pcs.PcsError("unable to push cib\n" + replace.out() + replace.err());
                }
            }
            err.println("CIB updated");
            if (wait == null) {
                return 0;
            }
            AdminCommand resource = crmResource;
            if (resource == null) {
                throw new Pcs.PcsError("crm_resource is not available on this node");
            }
            List<String> command = new ArrayList<>(List.of("--wait"));
            if (timeout != null) {
                command.add("--timeout");
                command.add(timeout);
            }
            Captured w = run(resource, command, ctx);
            if (w.rc() != 0) {
                List<String> msg = new ArrayList<>();
                if (w.rc() == 124) {
                    msg.add("waiting timeout");
                }
                if (!(w.out() + w.err()).isEmpty()) {
                    msg.add("\n" + w.out() + w.err());
                }
                throw new Pcs.PcsError(String.join("\n", msg).strip());
            }
            return 0;
        }

        /** minidom's {@code getElementsByTagName()} on the document: the root or any element below. */
        private static boolean hasElement(XmlNode x, String name) {
            if (x.is(name)) {
                return true;
            }
            for (XmlNode c : x.children()) {
                if (hasElement(c, name)) {
                    return true;
                }
            }
            return false;
        }

        /** One {@code NAME=VALUE} word of {@code cluster cib|cib-push}: taken (true), or not one of the command's. */
        @FunctionalInterface
        private interface Pair {
            boolean take(String name, String value) throws Pcs.PcsError;
        }

        /**
         * The words of {@code cluster cib|cib-push} as pcs's loops read them, in order: a word without '=' is the file
         * name (the last one wins), a {@code NAME=VALUE} goes to {@code pair}, and one it does not take is the
         * command's usage error.
         *
         * @return the file name, or null
         */
        private static String words(List<String> argv, String syntax, Pair pair) throws Pcs.PcsError {
            String filename = null;
            for (String arg : argv) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    filename = arg;
                } else if (!pair.take(arg.substring(0, eq), arg.substring(eq + 1))) {
                    throw usage(syntax);
                }
            }
            return filename;
        }

        /** A {@code scope=} value: one of the CIB's sections, else pcs's error. */
        private static String scope(String value) throws Pcs.PcsError {
            if (!CIB_SCOPES.contains(value)) {
                throw new Pcs.PcsError("invalid CIB scope '" + value + "'");
            }
            return value;
        }

        private static Pcs.PcsError usage(String syntax) {
            return new Pcs.PcsError("Usage: pcs cluster " + syntax);
        }

        private static String reason(IOException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    /** What a tool printed and returned. */
    private record Captured(int rc, String out, String err) {
    }

    private static Captured run(AdminCommand tool, List<String> args, CommandContext ctx) throws Exception {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
        int rc;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            try {
                rc = tool.execute(args, ctx, po, pe);
            } catch (org.vigil.kernel.api.command.UsageException u) {
                pe.println(u.getMessage());
                rc = u.status();
            }
        }
        return new Captured(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /**
     * {@code pcs stonith fence NODE [--off]} and {@code pcs stonith history [show] [NODE]}: the fencer's, through
     * stonith_admin, as pcs runs it.
     */
    private int fence(List<String> w, boolean off, boolean file, CommandContext ctx, PrintStream out,
                      PrintStream err) throws Exception {
        if (file) {
            err.println("Error: Specified option '-f' is not supported in this command");
            return 1;
        }
        AdminCommand tool = stonithAdmin;
        if (tool == null) {
            err.println("Error: the fencer is not available on this node");
            return 1;
        }
        if (w.get(0).equals("fence")) {
            if (w.size() != 2) {
                err.println("Error: Usage: pcs stonith fence <node> [--off]");
                return 1;
            }
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            int rc;
            try (PrintStream e = new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)) {
                rc = tool.execute(List.of(off ? "--fence" : "--reboot", w.get(1)), ctx, e, e);
            }
            if (rc != 0) {
                err.println("Error: unable to fence '" + w.get(1) + "'");
                err.print(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
                return 1;
            }
            out.println("Node: " + w.get(1) + " " + (off ? "powered off" : "fenced"));
            return 0;
        }
        List<String> rest = w.subList(1, w.size());
        if (!rest.isEmpty() && rest.get(0).equals("show")) {
            rest = rest.subList(1, rest.size());
        }
        return tool.execute(List.of("--history", rest.isEmpty() ? "*" : rest.get(0)), ctx, out, err);
    }

    /**
     * {@code pcs resource restart RESOURCE [NODE] [--wait=N]} (pcs's {@code resource_restart}): handed to
     * {@code crm_resource --restart} on a node (pcs refuses {@code -f}); a clone's or bundle's member is restarted
     * as its clone or bundle, and a node is only accepted for a clone or bundle.
     */
    private int restart(List<String> w, String wait, boolean file, CommandContext ctx, PrintStream out,
                        PrintStream err) throws Exception {
        if (file) {
            err.println("Error: Specified option '-f' is not supported in this command");
            return 1;
        }
        if (w.isEmpty()) {
            err.println("Error: You must specify a resource to restart");
            return 1;
        }
        Cib live = cib;
        AdminCommand tool = crmResource;
        if (live == null || tool == null) {
            err.println("Error: unable to get cib: the cluster is not running on this node");
            return 1;
        }
        XmlElement root = Xml.copy(live.current().root());
        String rsc = w.get(0);
        XmlElement r = new Pcs(root, new Pcs.Flags(false, false, false, false, false, null, false), agents)
            .resource(rsc);
        XmlElement parent = r == null ? null : r.parent();
        if (parent != null && parent.is("group")) {
            parent = parent.parent();
        }
        if (parent != null && (parent.is("clone") || parent.is("master") || parent.is("bundle"))) {
            err.println("Warning: using " + parent.get("id") + "... (if a resource is a clone or bundle you must "
                + "use the clone or bundle name)");
            r = parent;
            rsc = parent.get("id");
        }
        List<String> c = new ArrayList<>(List.of("--restart", "--resource", rsc));
        if (w.size() > 1) {
            if (r == null || !(r.is("clone") || r.is("master") || r.is("bundle"))) {
                err.println("Error: can only restart on a specific node for a clone or bundle resource");
                return 1;
            }
            c.add("--node");
            c.add(w.get(1));
        }
        if (wait != null) {
            if (wait.isEmpty()) {
                err.println("Error: You must specify the number of seconds to wait");
                return 1;
            }
            c.add("--timeout");
            c.add(wait);
        }
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        int rc;
        try (PrintStream b = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            rc = tool.execute(c, ctx, b, b);
        }
        if (rc != 0) {
            err.println("Error: " + buf.toString(StandardCharsets.UTF_8).strip());
            return 1;
        }
        err.println(rsc + " successfully restarted");
        return 0;
    }

    private static String one(List<String> args) throws Pcs.PcsError {
        if (args.size() != 1) {
            throw new Pcs.PcsError("You must specify exactly one resource id");
        }
        return args.get(0);
    }

    private int resource(Pcs pcs, String sub, List<String> a, boolean file, boolean monitor, CommandContext ctx,
                         PrintStream out, PrintStream err) throws Exception {
        switch (sub) {
            case "", "status" -> pcs.out.append(resourceStatus(pcs.cib));
            case "create" -> pcs.resourceCreate(a, false);
            case "delete", "remove" -> pcs.resourceDelete(one(a));
            case "update" -> pcs.resourceUpdate(a);
            case "config" -> pcs.resourceConfig(a, false);
            case "enable" -> pcs.resourceEnable(a, true);
            case "disable" -> pcs.resourceEnable(a, false);
            case "manage" -> pcs.resourceManage(a, true, monitor);
            case "unmanage" -> pcs.resourceManage(a, false, monitor);
            case "defaults" -> pcs.defaults("rsc_defaults", a);
            case "op" -> {
                if (a.isEmpty()) {
                    throw new Pcs.PcsError("Usage: pcs resource op add|remove|defaults ...");
                }
                switch (a.get(0)) {
                    case "add" -> pcs.opAdd(a.subList(1, a.size()));
                    case "remove", "delete" -> pcs.opRemove(a.subList(1, a.size()));
                    case "defaults" -> pcs.defaults("op_defaults", a.subList(1, a.size()));
                    default -> throw new Pcs.PcsError("unknown op command '" + a.get(0) + "'");
                }
            }
            case "group" -> {
                if (a.isEmpty()) {
                    throw new Pcs.PcsError("Usage: pcs resource group add|remove ...");
                }
                switch (a.get(0)) {
                    case "add" -> pcs.groupAdd(a.subList(1, a.size()));
                    case "remove", "delete" -> pcs.groupRemove(a.subList(1, a.size()));
                    default -> throw new Pcs.PcsError("unknown group command '" + a.get(0) + "'");
                }
            }
            case "clone" -> pcs.clone(a, false);
            case "promotable" -> pcs.clone(a, true);
            case "ban", "move", "clear", "cleanup", "refresh" -> {
                if (a.isEmpty() && !sub.equals("cleanup") && !sub.equals("refresh")) {
                    throw new Pcs.PcsError("You must specify a resource to " + sub);
                }
                if (file) {
                    if (sub.equals("ban")) {
                        pcs.ban(a.get(0), a.size() > 1 ? a.get(1) : null);
                    } else if (sub.equals("clear")) {
                        pcs.clear(a.get(0), a.size() > 1 ? a.get(1) : null);
                    } else {
                        throw new Pcs.PcsError("Specified option '-f' is not supported in this command");
                    }
                    return 0;
                }
                return crmResource(sub, a, ctx, out, err);
            }
            default -> throw new Pcs.PcsError("unknown resource command '" + sub + "'");
        }
        return 0;
    }

    /** move, ban, clear and cleanup on a node: crm_resource's, as pcs runs it. */
    private int crmResource(String sub, List<String> a, CommandContext ctx, PrintStream out, PrintStream err)
        throws Exception {
        AdminCommand tool = crmResource;
        if (tool == null) {
            err.println("Error: crm_resource is not available on this node");
            return 1;
        }
        List<String> c = new ArrayList<>();
        switch (sub) {
            case "move" -> c.add("--move");
            case "ban" -> c.add("--ban");
            case "clear" -> c.add("--clear");
            case "refresh" -> c.add("--refresh");
            default -> c.add("--cleanup");
        }
        if (!a.isEmpty()) {
            c.add("--resource");
            c.add(a.get(0));
        }
        if (a.size() > 1) {
            c.add("--node");
            c.add(a.get(1).startsWith("node=") ? a.get(1).substring(5) : a.get(1));
        }
        return tool.execute(c, ctx, out, err);
    }

    /** The crm_mon text with inactive resources, as pcs reads it. */
    String monitorText(XmlElement cib) {
        long now = clock.nowMillis();
        WorkingSet ws = StatusPrinter.unpackOnly(cib.deepCopy(), CrmTime.ofEpochSecond(now / 1000, clock.zone()));
        MonitorText.Options options = new MonitorText.Options(new StatusPrinter.Show(true, true, false, false),
            true, false, false, "corosync", null);
        return new MonitorText(options, clock.zone()).print(ws, now / 1000);
    }

    /** {@code pcs status resources}: the lines of crm_mon's resource list ({@code resource_status()}). */
    String resourceStatus(XmlElement cib) {
        StringBuilder s = new StringBuilder();
        boolean in = false;
        boolean any = false;
        for (String line : monitorText(cib).split("\n", -1)) {
            if (line.equals("  * No resources")) {
                return "NO resources configured\n";
            }
            if (line.equals("Full List of Resources:")) {
                in = true;
                continue;
            }
            if (in && line.isEmpty()) {
                break;
            }
            if (in && !line.matches(".*(stonith:.*)")) {
                s.append(line).append('\n');
                any = true;
            }
        }
        return any || in ? (any ? s.toString() : "NO resources configured\n") : s.toString();
    }

    /**
     * {@code pcs status} on the running cluster, as pcs 0.11's {@code full_cluster_status_plaintext()} puts it
     * together: the cluster name, pcs's warnings about the configuration, crm_mon's status with inactive resources,
     * and the daemons' status ({@link #daemonStatus}).
     */
    private String fullStatus(XmlElement cib, boolean full) {
        String name = null;
        for (XmlElement nv : Xml.named(Xml.section(cib, "crm_config"), "nvpair")) {
            if ("cluster-name".equals(nv.get("name"))) {
                name = nv.get("value");
            }
        }
        StringBuilder b = new StringBuilder("Cluster name: " + (name == null ? "" : name) + "\n");
        List<String> warnings = statusWarnings(cib);
        if (!warnings.isEmpty()) {
            b.append("\nWARNINGS:\n");
            warnings.forEach(w -> b.append(w).append('\n'));
            b.append('\n');
        }
        b.append(monitorText(cib).stripTrailing()).append("\n\nDaemon Status:\n");
        daemonStatus(SYSTEMD_UNITS).forEach(l -> b.append("  ").append(l).append('\n'));
        return b.toString();
    }

    /**
     * pcs 0.11's warnings above the status ({@code _stonith_warnings()} with no SBD, {@code
     * _move_constraints_warnings()}): fencing enabled with no fence device, fence devices with {@code action} or
     * with {@code method=cycle}, resources with the location constraints of a move or ban ({@code cli-*}) left.
     */
    static List<String> statusWarnings(XmlElement cib) {
        List<String> out = new ArrayList<>();
        boolean enabled = true;
        XmlElement config = Xml.section(cib, "crm_config");
        for (XmlElement set : config == null ? List.<XmlElement>of() : config.children("cluster_property_set")) {
            for (XmlElement nv : set.children("nvpair")) {
                if ("stonith-enabled".equals(nv.get("name")) && isFalse(nv.get("value"))) {
                    enabled = false;
                }
            }
        }
        List<XmlElement> stonith = Xml.named(cib, "primitive").stream().filter(p -> "stonith".equals(p.get("class")))
            .toList();
        List<String> withAction = new ArrayList<>();
        List<String> withCycle = new ArrayList<>();
        for (XmlElement p : stonith) {
            for (XmlElement set : p.children("instance_attributes")) {
                for (XmlElement nv : set.children("nvpair")) {
                    String v = nv.get("value");
                    if ("action".equals(nv.get("name")) && v != null && !v.isEmpty()) {
                        withAction.add(p.get("id"));
                    }
                    if ("method".equals(nv.get("name")) && "cycle".equals(v)) {
                        withCycle.add(p.get("id"));
                    }
                }
            }
        }
        if (enabled && stonith.isEmpty()) {
            out.add("No stonith devices and stonith-enabled is not false");
        }
        if (!withAction.isEmpty()) {
            out.add("Following stonith devices have the 'action' option set, it is recommended to set "
                + quotedList(List.of("pcmk_off_action", "pcmk_reboot_action")) + " instead: "
                + quotedList(withAction));
        }
        if (!withCycle.isEmpty()) {
            out.add("Following stonith devices have the 'method' option set to 'cycle' which is potentially "
                + "dangerous, please consider using 'onoff': " + quotedList(withCycle));
        }
        java.util.Set<String> moved = new java.util.HashSet<>();
        XmlElement constraints = Xml.section(cib, "constraints");
        for (XmlElement c : constraints == null ? List.<XmlElement>of() : constraints.children("rsc_location")) {
            if (c.get("id") != null && c.get("id").startsWith("cli-") && c.get("rsc") != null) {
                moved.add(c.get("rsc"));
            }
        }
        if (!moved.isEmpty()) {
            out.add("Following resources have been moved and their move constraints are still in place: "
                + quotedList(new ArrayList<>(moved)));
            out.add("Run 'pcs constraint location' or 'pcs resource clear <resource id>' to view or remove the "
                + "constraints, respectively");
        }
        return out;
    }

    /** pcs's {@code format_list()}: sorted, each in single quotes, comma-separated. */
    private static String quotedList(List<String> items) {
        return String.join(", ", items.stream().sorted().map(i -> "'" + i + "'").toList());
    }

    /** pcs's {@code is_false()}. */
    private static boolean isFalse(String v) {
        return v != null && List.of("false", "off", "n", "no", "0").contains(v.toLowerCase(java.util.Locale.ROOT));
    }

    /** Where systemd keeps the units enabled at boot (their links in the targets' {@code .wants} directories). */
    static final Path SYSTEMD_UNITS = Path.of("/etc/systemd/system");

    /**
     * The "Daemon Status" lines of pcs 0.11 ({@code _format_local_services_status()}: corosync, pacemaker and pcsd
     * always, {@code active|inactive/enabled|disabled}). On Vigil the node itself does corosync's and pacemaker's
     * work, so both are active while this command runs in it; they are enabled when a vigil unit is enabled in
     * systemd ({@code vigil*.service} linked from a {@code *.wants} directory of {@code units}). There is no pcsd:
     * inactive/disabled, as pcs shows a pcsd that is not there.
     */
    static List<String> daemonStatus(Path units) {
        boolean enabled = false;
        try (java.util.stream.Stream<Path> wants = Files.list(units)) {
            for (Path dir : (Iterable<Path>) wants.filter(d -> d.getFileName().toString().endsWith(".wants"))::iterator) {
                try (java.util.stream.Stream<Path> links = Files.list(dir)) {
                    enabled |= links.anyMatch(l -> l.getFileName().toString().matches("vigil.*\\.service"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no systemd here: not enabled
        }
        String state = "active/" + (enabled ? "enabled" : "disabled");
        return List.of("corosync: " + state, "pacemaker: " + state, "pcsd: inactive/disabled");
    }

    static String usage() {
        return """
            Usage: pcs [-f file] [--force] [--dry-run] <command> [<args>]
            Control and configure the cluster (Vigil's pcs: the pcs 0.11 commands that read and write the CIB).

            Commands:
                status [resources]          the cluster status (crm_mon), or its resource list
                resource create|delete|update|config|status|enable|disable|move|ban|clear|cleanup|refresh
                resource manage|unmanage <id>... [--monitor], restart <resource> [<node>] [--wait=<n>]
                resource group add|remove, clone, promotable, op add|remove, defaults, op defaults
                constraint [config] [--full], location|order|colocation|ticket (add, config, remove), remove, ref
                property set|unset|config
                node standby|unstandby|maintenance|unmaintenance <node>...|--all
                node attribute [<node> [<name>=<value>...]]
                stonith create|config|delete, stonith fence <node> [--off], stonith history [node]
                cluster cib
                quorum status               (the quorum bundle's)

            --dry-run changes nothing and prints the transition the change would cause.""";
    }
}
