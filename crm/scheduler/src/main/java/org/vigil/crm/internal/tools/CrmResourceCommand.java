package org.vigil.crm.internal.tools;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.api.attrd.Attrd;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.output.MonitorText;
import org.vigil.crm.internal.scheduler.output.StatusPrinter;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;
import org.vigil.crm.toolsupport.JsonOutput;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code crm_resource}, the cluster half of Pacemaker 2.1.5's tool ({@code tools/crm_resource*.c}): {@code --list},
 * {@code --locate}, {@code --move}, {@code --ban}, {@code --clear} (the {@code cli-prefer-RSC} and
 * {@code cli-ban-RSC-on-NODE} location constraints, ids, messages and exit codes as Pacemaker's; with
 * {@code --promoted} (or {@code --master}) the constraints are for the Promoted role), {@code --cleanup} and
 * {@code --refresh} (fail counts deleted through attrd, operation history forgotten through the controller),
 * {@code --why} (resource and node forms, with Pacemaker's checks), resource attributes ({@code --set-parameter},
 * {@code --get-parameter}, {@code --delete-parameter} with {@code --meta}, {@code --utilization},
 * {@code --set-name}, {@code --nvpair}, {@code --recursive}, {@code --force}: see {@link ResourceAttributes}),
 * {@code --query-xml}, {@code --query-xml-raw}, {@code --list-operations}, {@code --list-all-operations},
 * {@code --constraints} and {@code --stack} (see {@link ConstraintsList}), {@code --delete -t TYPE}, {@code --fail}
 * (through {@link Controller#failResource}), {@code --clear --expired}, {@code --digests} (text).
 *
 * <p>The agent half (agent listings, meta-data, {@code --force-*} actions) is the shell bundle's {@code crm_resource}:
 * this command ranks above it and hands it every command line it does not handle.
 *
 * {@code --wait} (until the scheduler, run here on the current CIB, has no action left to take) and
 * {@code --restart} (stop through {@code target-role=Stopped}, or a ban for a clone instance on one node, wait, put
 * it back, wait): see {@link Restart} and {@link PendingActions}.
 *
 * <p>{@code --output-as xml} for {@code --list}, {@code --locate}, {@code --constraints}, {@code --stack}, {@code --why},
 * {@code --query-xml} and {@code --query-xml-raw} (the
 * {@code pacemaker-result} document, errors in its status), and {@code --output-as json} for the same commands (that
 * document in JSON by {@link JsonOutput}'s rule, docs/tools-json.md); other commands refuse both with a usage error.
 *
 * <p>Not offered yet: XML output of the other commands ({@code --list-operations}, {@code --digests}, ...),
 * {@code --get-property}/{@code --set-property}.
 */
@Component(property = {AdminCommand.NAME + "=crm_resource", "service.ranking:Integer=10",
    AdminCommand.DESCRIPTION + "=manage cluster resources: crm_resource --list | --locate | --move | --ban | --clear"
        + " | --cleanup | --refresh | --why | --restart -r RSC [-N NODE] [--lifetime P1D] [--timeout T] [--promoted]"
        + " | --set-parameter P -v V | --get-parameter P | --delete-parameter P -r RSC [--meta|--utilization]"
        + " | --query-xml -r RSC | --list-operations | --constraints | --stack -r RSC | --delete -r RSC -t TYPE | --fail | --digests -r RSC -N NODE [NAME=VALUE...] | --wait [--timeout T]"})
public final class CrmResourceCommand implements AdminCommand {

    static final String TOOL = "crm_resource";
    /** {@code ctime()} without its newline: {@code Tue Mar  7 10:05:00 2023}. */
    private static final java.time.format.DateTimeFormatter CTIME = java.time.format.DateTimeFormatter.ofPattern(
        "EEE MMM ppd HH:mm:ss yyyy", java.util.Locale.ROOT);
    static final int EX_USAGE = 64;
    static final int EX_NOSUCH = 105;
    static final int EX_EXISTS = 108;
    static final int EX_INVALID_PARAM = 2;
    static final int EX_UNAVAILABLE = 69;
    static final int EX_ERROR = 1;
    static final int EX_MULTIPLE = 109;
    static final int EX_DISCONNECT = 102;
    static final int EX_SOFTWARE = 70;
    static final int EX_UNIMPLEMENT_FEATURE = 3;
    private static final long TIMEOUT_MS = 30_000;
    static final int EX_TIMEOUT = 124;
    private static final List<String> COMMANDS = List.of("list", "locate", "move", "ban", "clear", "cleanup",
        "refresh", "why", "wait", "restart", "set-parameter", "get-parameter", "delete-parameter", "query-xml",
        "query-xml-raw", "list-operations", "list-all-operations", "constraints", "stack",
        "delete", "fail", "digests");
    private static final Set<String> CLUSTER_COMMANDS = union(COMMANDS, "expired");
    /** The commands with an XML form ({@code --output-as xml}). */
    private static final Set<String> XML_COMMANDS = Set.of("list", "locate", "constraints", "stack", "why",
        "query-xml", "query-xml-raw");

    private static Set<String> union(List<String> l, String... more) {
        Set<String> s = new java.util.HashSet<>(l);
        s.addAll(List.of(more));
        return Set.copyOf(s);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Cib cib;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Controller controller;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Attrd attrd;

    /** This node, when the kernel runs: its state directory holds the DC's saved scheduler inputs. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile org.vigil.kernel.api.VigilNode vigilNode;

    /** The shell's crm_resource (agents), for the command lines this one does not handle. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY,
        target = "(&(" + AdminCommand.NAME + "=crm_resource)(!(component.name=org.vigil.crm.internal.tools"
            + ".CrmResourceCommand)))")
    volatile AdminCommand agents;

    private final ToolClock clock;

    @Activate
    public CrmResourceCommand() {
        this(null, null, null, ToolClock.SYSTEM);
    }

    /** Outside OSGi (tests): the services (any may be null) and the clock. */
    public CrmResourceCommand(Cib cib, Controller controller, Attrd attrd, ToolClock clock) {
        this.cib = cib;
        this.controller = controller;
        this.attrd = attrd;
        this.clock = clock;
    }

    static ToolOptions options() {
        return new ToolOptions(TOOL, "crm_resource [options]")
            .flag("L", "list", "List all cluster resources with status")
            .flag("W", "locate", "Show node(s) currently running resource")
            .flag("M", "move", "Create a constraint to move resource (to --node, else away from where it runs)")
            .flag("B", "ban", "Create a constraint to keep resource off a node (--node, else where it runs)")
            .flag("U", "clear", "Remove constraints created by --ban and/or --move")
            .flag("C", "cleanup", "Clear failures and forget failed operations of the resource (all without -r)")
            .flag("R", "refresh", "Forget the operation history of the resource (all without -r), re-detect it")
            .flag("Y", "why", "Show why resources are not running")
            .longFlag("explain", "With --why -r RSC (Vigil's): on every node, the score the scheduler gives the "
                + "resource now and each constraint, ban, stickiness, fail count or ticket that made it")
            .longValue("transitions", "N", "With --why --explain: also for the last N transitions the DC computed "
                + "(its saved inputs, STATE/pengine/pe-input-*.bz2; on the DC)")
            .flag("a", "constraints", "Display the location and colocation constraints of the resource (its group or"
                + " clone unless --force)")
            .flag("A", "stack", "As --constraints, following the colocations of the colocated resources in turn")
            .flag("e", "expired", "Modifies the --clear argument to remove constraints with expired lifetimes")
            .flag("D", "delete", "(Advanced) Delete a resource from the CIB. Required: -t")
            .flag("F", "fail", "(Advanced) Tell the cluster this resource has failed (with -r and -N)")
            .longFlag("digests", "(Advanced) Show parameter hashes that Pacemaker uses to detect configuration "
                + "changes (only accurate if there is resource history on the specified node). Required: --resource,"
                + " --node. Optional: any NAME=VALUE parameters will be used to override the configuration (to see "
                + "what the hash would be with those changes).")
            .value("t", "resource-type", "ELEMENT", "Resource XML element (primitive, group, etc.) (with -D)")
            .longFlag("restart", "Tell the cluster to restart this resource and anything that depends on it")
            .longFlag("wait", "Wait until the cluster settles into a stable state")
            .value("r", "resource", "ID", "Resource ID")
            .value("N", "node", "NAME", "Node name")
            .value("u", "lifetime", "TIMESPEC", "Lifespan (as ISO 8601 duration) of created constraints")
            .value("T", "timeout", "N", "Abort if command does not finish in this time (with --restart, --wait)")
            .value("p", "set-parameter", "PARAM", "Set resource parameter PARAM (an instance attribute unless --meta"
                + " or --utilization) to --parameter-value")
            .value("g", "get-parameter", "PARAM", "Display the value of resource parameter PARAM")
            .value("d", "delete-parameter", "PARAM", "Delete resource parameter PARAM")
            .value("v", "parameter-value", "VALUE", "Value to use with --set-parameter")
            .flag("m", "meta", "Use resource meta-attribute instead of instance attribute")
            .flag("z", "utilization", "Use resource utilization attribute instead of instance attribute")
            .value("s", "set-name", "ID", "(Advanced) XML ID of attributes element to use (with -p, -d)")
            .value("i", "nvpair", "ID", "(Advanced) XML ID of nvpair element to use (with -p, -d)")
            .longFlag("recursive", "Follow colocation chains when using --set-parameter")
            .flag("O", "list-operations", "List active resource operations, optionally filtered by --resource"
                + " and/or --node")
            .flag("o", "list-all-operations", "List all resource operations, optionally filtered by --resource"
                + " and/or --node")
            .flag("q", "query-xml", "Show XML configuration of resource (after any template expansion)")
            .flag("w", "query-xml-raw", "Show XML configuration of resource (before any template expansion)")
            .longFlag("promoted", "Limit scope of command to promoted role (with -B, -M, -U)")
            .longFlag("master", "Deprecated: Use --promoted instead")
            .flag("f", "force", "Force the action (--move: also ban the current location)")
            .flag("Q", "quiet", "Be less descriptive in output")
            .flag("V", "verbose", "Increase debug output (accepted, no effect)")
            .longValue("output-as", "FORMAT", "Specify output format as one of: text (default), xml or json (with --list,"
                + " --locate, --constraints, --stack, --why, --query-xml, --query-xml-raw)");
    }

    /** True when the command line is one of this command's (else it goes to the agents' crm_resource). */
    static boolean clusterCommand(List<String> args) {
        for (String a : args) {
            String name = a.startsWith("--") ? a.substring(2).split("=", 2)[0] : null;
            if (name != null && CLUSTER_COMMANDS.contains(name)) {
                return true;
            }
            if (a.length() >= 2 && a.charAt(0) == '-' && a.charAt(1) != '-') {
                for (char c : a.substring(1).toCharArray()) {
                    if ("LWMBUCRYpgdqwOoaADFe".indexOf(c) >= 0) {
                        return true;
                    }
                    if ("rNuTvsit".indexOf(c) >= 0) {
                        break;   // the rest is a value
                    }
                }
            }
            if (a.equals("-l")) {
                return true;
            }
        }
        return false;
    }

    /** A failure with Pacemaker's message and exit status. */
    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        final int exit;

        Failed(int exit, String message) {
            super(message);
            this.exit = exit;
        }
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        List<String> a = new ArrayList<>(args);
        a.replaceAll(s -> s.equals("-l") ? "--list" : s);   // -l is --list-raw in 2.1.5; -L in the tools' docs
        if (!clusterCommand(a) && (a.contains("--help") || a.contains("-?"))) {
            // one help for the whole tool, as Pacemaker's crm_resource --help: the cluster's commands, then the
            // agent listings the shell's half serves
            out.println(options().help());
            AdminCommand other = agents;
            if (other != null) {
                out.println();
                other.execute(List.of("--help"), out, err);
            }
            return 0;
        }
        if (!clusterCommand(a)) {
            AdminCommand other = agents;
            if (other == null) {
                err.println(TOOL + ": the agent commands of crm_resource are not available (shell bundle)");
                return EX_UNAVAILABLE;
            }
            return other.execute(args, out, err);
        }
        CommandLine cl = options().parseOrHelp(a, true, out);
        if (cl == null) {
            return 0;
        }
        String command = null;
        for (String c : COMMANDS) {
            if (cl.hasOption(c)) {
                if (command != null) {
                    throw new UsageException(TOOL + ": --" + command + " and --" + c + " cannot be used together",
                        EX_USAGE);
                }
                command = c;
            }
        }
        if (cl.hasOption("expired") && !"clear".equals(command)) {
            throw new UsageException(TOOL + ": --expired requires --clear or -U", EX_USAGE);
        }
        List<String> rest = cl.getArgList();
        if (!rest.isEmpty() && !"digests".equals(command)) {
            // only --digests takes arguments (NAME=VALUE overrides); the others list them as Pacemaker does
            StringBuilder m = new StringBuilder(TOOL + ": non-option ARGV-elements:\n");
            for (int i = 0; i < rest.size(); i++) {
                m.append('[').append(i + 1).append(" of ").append(rest.size()).append("] ").append(rest.get(i))
                    .append('\n');
            }
            throw new UsageException(m.toString(), EX_USAGE);
        }
        Cib c = cib;
        if (c == null) {
            err.println(TOOL + ": Error: cluster is not available on this node");
            return EX_UNAVAILABLE;
        }
        String format = cl.getOptionValue("output-as", "text");
        if (!format.equals("text") && !format.equals("xml") && !format.equals("json")) {
            throw new UsageException(TOOL + ": Error creating output format " + format + ": Unknown output format",
                EX_USAGE);
        }
        boolean xml = !format.equals("text");
        boolean json = format.equals("json");
        if (xml && !XML_COMMANDS.contains(command)) {
            throw new UsageException(TOOL + ": --output-as " + format + " is not available with --" + command
                + " (only with --" + String.join(", --", new TreeSet<>(XML_COMMANDS)) + ")", EX_USAGE);
        }
        Run run = new Run(c, cl, out, err);
        if (xml) {
            run.xml = new StringBuilder();
            try {
                int rc = dispatch(run, command, args);
                String doc = xmlResult(args, run.xml, rc, null);
                out.print(json ? JsonOutput.fromXml(doc, TOOL) : doc);
                return rc;
            } catch (Failed f) {
                String doc = xmlResult(args, run.xml, f.exit, TOOL + ": " + f.getMessage());
                out.print(json ? JsonOutput.fromXml(doc, TOOL) : doc);
                return f.exit;
            }
        }
        try {
            return dispatch(run, command, args);
        } catch (Failed f) {
            err.println(TOOL + ": " + f.getMessage());
            return f.exit;
        }
    }

    /**
     * The XML form's document: {@code pacemaker-result} with the request, what the command wrote and the status
     * (with the error, if any). Follows xml_finish() in lib/common/output_xml.c.
     */
    static String xmlResult(List<String> args, CharSequence body, int exit, String error) {
        StringBuilder b = new StringBuilder("<pacemaker-result api-version=\"")
            .append(org.vigil.crm.internal.scheduler.output.MonitorXml.API_VERSION).append("\" request=\"");
        org.vigil.crm.internal.scheduler.output.MonitorXml.escape(b, TOOL + (args.isEmpty() ? "" : " "
            + String.join(" ", args)));
        b.append("\">\n").append(body);
        b.append("  <status code=\"").append(exit).append("\" message=\"").append(exit == 0 ? "OK" : exitText(exit))
            .append('"');
        if (error == null) {
            b.append("/>\n");
        } else {
            b.append(">\n    <errors>\n      <error>").append(text(error)).append("</error>\n    </errors>\n"
                + "  </status>\n");
        }
        return b.append("</pacemaker-result>\n").toString();
    }

    /** libxml2's escaping of text content. */
    static String text(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;");
    }

    /** An attribute value, escaped. */
    static String attr(String s) {
        StringBuilder b = new StringBuilder();
        org.vigil.crm.internal.scheduler.output.MonitorXml.escape(b, s);
        return b.toString();
    }

    private static int dispatch(Run run, String command, List<String> args) throws Failed, InterruptedException {
        return switch (command) {
            case "list" -> run.list();
            case "locate" -> run.locate();
            case "move" -> run.move();
            case "ban" -> run.ban();
            case "clear" -> run.clear();
            case "cleanup" -> run.cleanup(true);
            case "refresh" -> run.cleanup(false);
            case "why" -> run.why();
            case "wait" -> run.waitTillStable();
            case "restart" -> run.restart();
            case "set-parameter" -> run.setParameter();
            case "get-parameter" -> run.getParameter();
            case "delete-parameter" -> run.deleteParameter();
            case "query-xml" -> run.queryXml(true);
            case "query-xml-raw" -> run.queryXml(false);
            case "list-operations" -> run.listOperations(true);
            case "list-all-operations" -> run.listOperations(false);
            case "constraints" -> run.constraints(false);
            case "stack" -> run.constraints(true);
            case "delete" -> run.delete();
            case "fail" -> run.fail();
            case "digests" -> run.digests(args);
            default -> throw new IllegalStateException(command);
        };
    }

    /** crm_exit_str() of the exit codes used here. */
    static String exitText(int code) {
        return switch (code) {
            case EX_NOSUCH -> "No such object";
            case EX_EXISTS -> "Requested item already exists";
            case EX_MULTIPLE -> "Multiple items match request";
            case EX_INVALID_PARAM -> "Invalid parameter";
            case EX_USAGE -> "Incorrect usage";
            case 78 -> "Invalid configuration";
            case EX_DISCONNECT -> "Not connected";
            case EX_SOFTWARE -> "Internal software bug";
            case EX_UNIMPLEMENT_FEATURE -> "Unimplemented";
            case EX_TIMEOUT -> "Timeout occurred";
            default -> "Error occurred";
        };
    }

    /** A failure after which Pacemaker adds "Error performing operation: ..." (every code but usage). */
    static Failed operationFailed(int exit, String message) {
        return new Failed(exit, message == null ? "Error performing operation: " + exitText(exit)
            : message + "\nError performing operation: " + exitText(exit));
    }

    /** One invocation. */
    final class Run {
        final Cib cib;
        final CommandLine cl;
        final PrintStream out;
        final PrintStream err;
        /** The -r name (a promotable parent's id after a --promoted move of its child). */
        String rscId;
        final String hostName;
        final boolean force;
        final boolean quiet;
        /** {@code --promoted} (or {@code --master}). */
        boolean promoted;
        /** How -r names are matched (pe_find_renamed with pe_find_anon, or pe_find_any for the attribute commands). */
        int findFlags = Resource.FIND_RENAMED | Resource.FIND_ANON;
        WorkingSet ws;
        Resource rsc;
        Node node;
        /** What the command writes in the XML form (indented for {@code pacemaker-result}); null for text. */
        StringBuilder xml;
        /** Pacemaker's {@code out->quiet}: informational lines are not printed ({@code -Q}, or a restart's ban). */
        boolean silenced;

        Run(Cib cib, CommandLine cl, PrintStream out, PrintStream err) {
            this.cib = cib;
            this.cl = cl;
            this.out = out;
            this.err = err;
            rscId = cl.getOptionValue("resource");
            hostName = cl.getOptionValue("node");
            force = cl.hasOption("force");
            quiet = cl.hasOption("quiet");
            silenced = quiet;
            promoted = cl.hasOption("promoted") || cl.hasOption("master");
        }

        ToolClock clock() {
            return clock;
        }

        /** An informational line ({@code out->info()}): printed unless silenced. */
        void info(String line) {
            if (!silenced) {
                out.println(line);
            }
        }

        /**
         * {@code --timeout} in milliseconds as {@code crm_get_msec()} reads it (a number, seconds unless a unit
         * follows), 0 when not given. Deliberate difference: a value it cannot read is a usage error (Pacemaker
         * takes it as -1 and times out at once).
         */
        long timeoutMs() throws Failed {
            String t = cl.getOptionValue("timeout");
            if (t == null) {
                return 0;
            }
            long ms = org.vigil.crm.internal.cib.Util.parseMsec(t);
            if (ms < 0) {
                throw new Failed(EX_USAGE, "Invalid --timeout value: " + t);
            }
            return ms;
        }

        /** --wait: follows wait_till_stable(). */
        int waitTillStable() throws Failed, InterruptedException {
            return new PendingActions(cib, clock, out).waitTillStable(timeoutMs()) ? 0
                : failTimeout();
        }

        int failTimeout() throws Failed {
            throw operationFailed(EX_TIMEOUT, null);
        }

        /** --restart: follows cli_resource_restart(). */
        int restart() throws Failed, InterruptedException {
            load(true);
            notAnInstance();
            new Restart(this).run(timeoutMs());
            return 0;
        }

        /** The set type of -p/-g/-d: instance attributes unless --meta or --utilization (the last given wins). */
        String setType() {
            String type = ResourceAttributes.INSTANCE;
            for (org.apache.commons.cli.Option o : cl.getOptions()) {
                if ("meta".equals(o.getLongOpt())) {
                    type = ResourceAttributes.META;
                } else if ("utilization".equals(o.getLongOpt())) {
                    type = ResourceAttributes.UTILIZATION;
                }
            }
            return type;
        }

        /** --set-parameter: follows the cmd_set_param case of crm_resource's main(). */
        int setParameter() throws Failed, InterruptedException {
            findFlags = Resource.FIND_RENAMED | Resource.FIND_ANY;
            load(true);
            String value = cl.getOptionValue("parameter-value");
            if (value == null || value.isEmpty()) {
                throw new Failed(EX_USAGE, "You need to supply a value with the -v option");
            }
            new ResourceAttributes(this).update(rsc, rscId, cl.getOptionValue("set-name"), setType(),
                cl.getOptionValue("nvpair"), cl.getOptionValue("set-parameter"), value, cl.hasOption("recursive"));
            return 0;
        }

        /** --get-parameter: follows the cmd_get_param case of crm_resource's main(). */
        int getParameter() throws Failed {
            findFlags = Resource.FIND_RENAMED | Resource.FIND_ANY;
            load(true);
            new ResourceAttributes(this).get(rsc, setType(), cl.getOptionValue("get-parameter"));
            return 0;
        }

        /** --delete-parameter: follows the cmd_delete_param case of crm_resource's main(). */
        int deleteParameter() throws Failed, InterruptedException {
            findFlags = Resource.FIND_RENAMED | Resource.FIND_ANY;
            load(true);
            new ResourceAttributes(this).delete(rsc, rscId, cl.getOptionValue("set-name"), setType(),
                cl.getOptionValue("nvpair"), cl.getOptionValue("delete-parameter"));
            return 0;
        }

        /**
         * --query-xml (after template expansion) and --query-xml-raw (as configured): the resource as crm_mon shows
         * it, then its XML. Follows cli_resource_print().
         */
        int queryXml(boolean expanded) throws Failed {
            findFlags = Resource.FIND_RENAMED | Resource.FIND_ANY;
            load(true);
            if (xml != null) {
                // resource_config list: the resource's crm_mon element, then its XML as character data
                StringBuilder config = new StringBuilder();
                (!expanded && rsc.origXml != null ? rsc.origXml : rsc.xml).write(config, 0);
                xml.append("  <resource_config>\n").append(org.vigil.crm.internal.scheduler.output.MonitorXml
                    .resourceElement(rsc, new StatusPrinter.Show(false, true, false, false), 2))
                    .append("    <xml><![CDATA[").append(config).append("]]></xml>\n  </resource_config>\n");
                return 0;
            }
            StringBuilder s = new StringBuilder();
            StringBuilder fancy = new StringBuilder();
            StatusPrinter.printResource(rsc, new StatusPrinter.Show(false, true, false, false), fancy);
            plain(fancy.toString(), s);
            s.append("Resource XML:\n");
            org.vigil.crm.internal.cib.XmlElement x = !expanded && rsc.origXml != null ? rsc.origXml : rsc.xml;
            x.write(s, 0);
            out.print(s);
            return 0;
        }

        /**
         * crm_mon's nested list as Pacemaker's plain (not "fancy") text output prints it: list headers left out,
         * items without their indentation and bullet.
         */
        private void plain(String fancy, StringBuilder into) {
            List<String> lines = fancy.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                int indent = indent(l);
                if (i + 1 < lines.size() && indent(lines.get(i + 1)) > indent) {
                    continue;   // a list's header
                }
                String item = l.substring(indent);
                into.append(item.startsWith("* ") ? item.substring(2) : item).append('\n');
            }
        }

        private static int indent(String l) {
            int i = 0;
            while (i < l.length() && l.charAt(i) == ' ') {
                i++;
            }
            return i;
        }

        /**
         * --list-operations (active: since the last start) and --list-all-operations: the operation history in the
         * status, of the -r resource and on the -N node when given, each as crm_mon's {@code node-and-op}. Follows
         * cli_resource_print_operations() and find_operations(); -r is a history entry's id, not looked up.
         */
        int listOperations(boolean active) throws Failed {
            findFlags = 0;
            load(false);
            XmlElement status = ws.input.firstChild("status");
            List<String> lines = new ArrayList<>();
            for (XmlElement state : status == null ? List.<XmlElement>of() : status.kids()) {
                if (!state.is("node_state")) {
                    continue;
                }
                String uname = state.get("uname");
                if (hostName != null && !hostName.equalsIgnoreCase(uname)) {
                    continue;
                }
                Node n = ws.findNode(uname);
                if (n == null || !n.online && !ws.is(WorkingSet.STONITH_ENABLED)) {
                    continue;
                }
                XmlElement lrm = state.firstChild("lrm");
                XmlElement entries = lrm == null ? null : lrm.firstChild("lrm_resources");
                for (XmlElement entry : entries == null ? List.<XmlElement>of() : entries.kids()) {
                    if (!entry.is("lrm_resource") || rscId != null && !rscId.equalsIgnoreCase(entry.get("id"))) {
                        continue;
                    }
                    List<XmlElement> ops = Unpacker.sortedOps(entry);
                    int[] startStop = active ? Unpacker.activeOps(ops) : null;
                    for (int i = 0; i < ops.size(); i++) {
                        if (active && startStop[0] < startStop[1]) {
                            break;
                        } else if (active && i < startStop[0]) {
                            continue;
                        }
                        lines.add(nodeAndOp(ops.get(i), entry.get("id"), uname));
                    }
                }
            }
            lines.forEach(out::println);
            return 0;
        }

        /** crm_mon's {@code node-and-op} in text: follows node_and_op() in lib/pengine/pe_output.c. */
        private String nodeAndOp(XmlElement op, String opRsc, String uname) {
            findFlags = Resource.FIND_RENAMED;   // pe_find_resource(), in tree order
            Resource r = find(ws, opRsc);
            StringBuilder b = new StringBuilder(r != null ? StatusPrinter.resourceOnlyText(r)
                : "Unknown resource " + opRsc);
            String key = op.get("operation_key");
            b.append(": ").append(key != null ? key : op.get("id")).append(" (node=").append(uname)
                .append(", call=").append(op.get("call-id")).append(", rc=").append(op.get("rc-code"));
            String change = op.get("last-rc-change");
            if (change != null && change.matches("-?[0-9]+")) {
                b.append(", last-rc-change='").append(CTIME.format(java.time.Instant.ofEpochSecond(
                    Long.parseLong(change)).atZone(clock.zone()))).append("', exec=").append(op.get("exec-time"))
                    .append("ms");
            }
            int status;
            try {
                status = Math.max(-2, Integer.parseInt(op.get("op-status")));
            } catch (NumberFormatException e) {
                status = -2;
            }
            return b.append("): ").append(MonitorText.execStatusText(status)).toString();
        }

        /** --constraints and --stack (recursive): follows the cmd_colocations case of crm_resource's main(). */
        int constraints(boolean recursive) throws Failed {
            load(true);
            if (xml != null) {
                xml.append(ConstraintsList.xml(ws, rsc, recursive, force, "  "));
            } else {
                out.print(ConstraintsList.text(ws, rsc, recursive, force));
            }
            return 0;
        }

        /**
         * --delete: removes the element of the -t kind with the resource's id from the resources section (the CIB's
         * delete finds it at any depth, element names in any case). Follows delete() in crm_resource.c: the
         * resource must exist (looked up as pe_find_renamed|pe_find_any) and -t must be given.
         */
        int delete() throws Failed, InterruptedException {
            findFlags = Resource.FIND_RENAMED | Resource.FIND_ANY;
            load(true);
            String type = cl.getOptionValue("resource-type");
            if (type == null) {
                throw operationFailed(EX_NOSUCH, "You need to specify a resource type with -t");
            }
            XmlNode victim;
            try {
                victim = XmlNode.of(type, "id", rscId);
            } catch (IllegalArgumentException e) {
                throw operationFailed(EX_INVALID_PARAM, "Invalid resource type '" + type + "': " + e.getMessage());
            }
            submit(new CibRequest(CibRequest.Op.DELETE, "resources", null, victim, Set.of(), TOOL, "root"), false);
            return 0;
        }

        /**
         * --fail: the node's controller records a made-up failure of the resource there, and the cluster recovers
         * it ({@link Controller#failResource}). Follows the cmd_fail case of crm_resource's main(),
         * cli_resource_fail() and send_lrm_rsc_op(): -r and -N required, the node must exist (the resource is
         * looked up only once the controller is reached), a primitive with a class and type, the node online; the
         * history id is the instance's clone name when it has one.
         */
        int fail() throws Failed, InterruptedException {
            findFlags = 0;
            if (rscId == null) {
                throw new Failed(EX_USAGE, "Must supply a resource id with -r");
            }
            if (hostName == null) {
                throw new Failed(EX_USAGE, "Must supply a node name with -N");
            }
            load(false);
            Controller ctl = controller;
            if (ctl == null) {
                throw operationFailed(EX_DISCONNECT, "Error connecting to the controller: Connection refused");
            }
            findFlags = Resource.FIND_RENAMED;
            Resource r = find(ws, rscId);
            if (r == null) {
                err.println("Resource " + rscId + " not found");
                throw operationFailed(EX_NOSUCH, null);
            }
            if (r.variant != Resource.Variant.PRIMITIVE) {
                err.println("We can only process primitive resources, not " + rscId);
                throw operationFailed(EX_SOFTWARE, null);
            }
            String agentClass = r.xml.get("class");
            String type = r.xml.get("type");
            if (agentClass == null || type == null) {
                err.println("Resource " + rscId + " does not have a class and type");
                throw operationFailed(EX_SOFTWARE, null);
            }
            if (!node.online) {
                err.println("Node " + hostName + " is not online");
                throw operationFailed(EX_DISCONNECT, null);
            }
            if (node.isGuestOrRemote() && (node.remoteRsc == null || node.remoteRsc.currentNode() == null)) {
                err.println("No cluster connection to Pacemaker Remote node " + hostName + " detected");
                throw operationFailed(EX_DISCONNECT, null);
            }
            info("Waiting for 1 reply from the controller");
            try {
                clock.await(ctl.failResource(r.cloneName != null ? r.cloneName : r.id, node.uname, agentClass,
                    r.xml.get("provider"), type).thenApply(v -> v), TIMEOUT_MS);
            } catch (java.util.concurrent.ExecutionException e) {
                err.println("Error: bad reply from controller: " + exitText(EX_ERROR) + " ("
                    + (e.getCause() != null ? e.getCause().getMessage() : e) + ")");
                throw operationFailed(EX_ERROR, null);
            } catch (java.util.concurrent.TimeoutException e) {
                throw operationFailed(EX_TIMEOUT, "Aborting because no messages received in " + TIMEOUT_MS / 1000 + " seconds");
            }
            info("... got reply (done)");
            return 0;
        }

        /**
         * --digests: the digests of the resource's operation on the node, as the scheduler calculates them to
         * detect configuration changes; the command line's NAME=VALUE arguments override parameters. Follows the
         * cmd_digests case of crm_resource's main(), pcmk__resource_digests(), best_op() and the text form of the
         * {@code digests} message (list items only: plain text prints no header).
         *
         * @param original the command line as given (Pacemaker names its first word in a parse error)
         */
        int digests(List<String> original) throws Failed {
            java.util.Map<String, String> overrides = new java.util.LinkedHashMap<>();
            for (String arg : cl.getArgList()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("([^=]+)=\\s*(\\S+).*", java.util.regex.Pattern.DOTALL)
                    .matcher(arg);
                if (!m.matches()) {
                    throw new Failed(EX_USAGE, "Error parsing '" + original.get(0) + "' as a name=value pair");
                }
                overrides.put(m.group(1), m.group(2));
            }
            if (rscId == null) {
                throw new Failed(EX_USAGE, "Must supply a resource id with -r");
            }
            if (hostName == null) {
                throw new Failed(EX_USAGE, "Must supply a node name with -N");
            }
            load(true);
            if (rsc.variant != Resource.Variant.PRIMITIVE) {
                throw operationFailed(EX_UNIMPLEMENT_FEATURE, null);
            }
            XmlElement op = bestOp(rsc, node);
            String task = op == null ? null : op.get("operation");
            long interval = 0;
            if (task == null) {
                task = "start";
            } else {
                interval = Unpacker.longAttr(op, "interval", 0);
            }
            org.vigil.crm.internal.scheduler.unpack.Digests d = org.vigil.crm.internal.scheduler.unpack.Digests
                .calculate(ws, rsc, task, interval, node, op, overrides, true);
            if (d.digestAllCalc != null) {
                out.println(d.digestAllCalc + " (all parameters)");
            }
            if (d.digestSecureCalc != null) {
                out.println(d.digestSecureCalc + " (non-private parameters)");
            }
            if (d.digestRestartCalc != null) {
                out.println(d.digestRestartCalc + " (non-reloadable parameters)");
            }
            return 0;
        }

        /**
         * The history entry whose digests --digests shows: an effective one (a probe, start, promote or
         * migrate_from) before any other, a recurring one before other non-recurring ones, a success before the last
         * failure, one with a restart digest before one without, then the newest. Follows best_op() in
         * lib/pacemaker/pcmk_resource.c (the history found by the node's name and the resource's id).
         */
        private XmlElement bestOp(Resource r, Node n) {
            XmlElement status = ws.input.firstChild("status");
            XmlElement history = null;
            for (XmlElement state : status == null ? List.<XmlElement>of() : status.kids()) {
                if (!state.is("node_state") || !n.uname.equals(state.get("uname"))) {
                    continue;
                }
                XmlElement lrm = state.firstChild("lrm");
                XmlElement entries = lrm == null ? null : lrm.firstChild("lrm_resources");
                for (XmlElement e : entries == null ? List.<XmlElement>of() : entries.kids()) {
                    if (e.is("lrm_resource") && r.id.equals(e.get("id"))) {
                        history = history == null ? e : history;
                    }
                }
            }
            XmlElement best = null;
            boolean bestEffective = false;
            long bestInterval = 0;
            boolean bestFailure = false;
            String bestDigest = null;
            for (XmlElement op : history == null ? List.<XmlElement>of() : history.kids()) {
                if (!op.is("lrm_rsc_op")) {
                    continue;
                }
                String digest = op.get("op-restart-digest");
                long interval = Unpacker.longAttr(op, "interval", 0);
                String task = op.get("operation");
                boolean effective = interval == 0 && task != null && List.of("monitor", "start", "promote",
                    "migrate_from").contains(task.toLowerCase(java.util.Locale.ROOT));
                String id = op.get("id");
                boolean failure = id != null && id.endsWith("_last_failure_0");
                if (best != null) {
                    if (bestEffective) {
                        if (!effective) {
                            continue;
                        }
                    } else if (bestInterval != 0 && !effective && interval == 0) {
                        continue;
                    }
                    if (!bestFailure && failure || bestDigest != null && digest == null
                        || Unpacker.isNewerOp(best, op, true) > 0) {
                        continue;
                    }
                }
                best = op;
                bestEffective = effective;
                bestInterval = interval;
                bestFailure = failure;
                bestDigest = digest;
            }
            return best;
        }

        /** Unpacks the CIB; finds the resource (required when {@code needRsc}) and the node. */
        void load(boolean needRsc) throws Failed {
            if (needRsc && rscId == null) {
                throw new Failed(EX_USAGE, "Must supply a resource id with -r");
            }
            ws = ClusterState.unpack(cib.current().root(), clock);
            if (rscId != null && findFlags != 0) {
                rsc = find(ws, rscId);
                if (rsc == null) {
                    throw operationFailed(EX_NOSUCH, "Resource '" + rscId + "' not found");
                }
            }
            if (hostName != null) {
                node = ws.findNode(hostName);
                if (node == null) {
                    throw operationFailed(EX_NOSUCH, "Node '" + hostName + "' not found");
                }
            }
        }

        /** pe_find_resource_with_flags(pe_find_renamed | pe_find_anon): ids, clone names, anonymous base names. */
        private Resource find(WorkingSet set, String id) {
            for (Resource r : set.resources) {
                Resource match = r.findRsc(id, null, findFlags);
                if (match != null) {
                    return match;
                }
            }
            return null;
        }

        /** The clone-instance check of --ban, --clear, --move. */
        void notAnInstance() throws Failed {
            if (rscId.indexOf(':') >= 0 && rsc.parent != null && rsc.parent.isClone()) {
                throw operationFailed(EX_INVALID_PARAM, "Cannot operate on clone resource instance '" + rscId
                    + "'");
            }
        }

        int list() throws Failed {
            load(false);
            if (xml != null) {
                // resource-list in XML: every resource, inactive ones and pending actions included
                String list = org.vigil.crm.internal.scheduler.output.MonitorXml.resourceList(ws,
                    new StatusPrinter.Show(true, true, false, false), 1);
                xml.append(list);
                if (list.isEmpty()) {
                    throw operationFailed(EX_NOSUCH, null);
                }
                return 0;
            }
            StringBuilder s = new StringBuilder();
            if (!StatusPrinter.printResourceList(ws, s)) {
                out.print(s);
                throw operationFailed(EX_NOSUCH, null);
            }
            out.print(s);
            return 0;
        }

        /** Follows cli_resource_search() and resource-search-list. */
        int locate() throws Failed {
            load(true);
            List<String[]> found = new ArrayList<>();   // node, " Promoted" or ""
            Resource top = rsc.top();
            if (rsc.isClone()) {
                nodeInfo(rsc, found);
            } else if (top.isClone() && !rsc.is(Resource.UNIQUE) && rsc.cloneName != null
                && rscId.equalsIgnoreCase(rsc.cloneName) && !rscId.equalsIgnoreCase(rsc.id)) {
                nodeInfo(top, found);
            } else {
                for (Node n : rsc.runningOn) {
                    found.add(0, new String[] {n.uname, rsc.state(true) == Role.PROMOTED ? " Promoted" : ""});
                }
            }
            if (xml != null) {
                // resource-search-list in XML
                xml.append("  <nodes resource=\"").append(attr(rscId)).append('"');
                if (found.isEmpty()) {
                    xml.append("/>\n");
                    return 0;
                }
                xml.append(">\n");
                for (String[] f : found) {
                    xml.append("    <node").append(f[1].isEmpty() ? "" : " state=\"promoted\"").append('>')
                        .append(text(f[0])).append("</node>\n");
                }
                xml.append("  </nodes>\n");
                return 0;
            }
            if (found.isEmpty()) {
                if (!quiet) {
                    err.println("resource " + rscId + " is NOT running");
                }
                return 0;
            }
            for (String[] f : found) {
                out.println(quiet ? f[0] : "resource " + rscId + " is running on: " + f[0] + f[1]);
            }
            return 0;
        }

        /** build_node_info_list(): every instance's nodes, prepended. */
        private void nodeInfo(Resource clone, List<String[]> found) {
            for (Resource child : clone.children) {
                for (Node n : child.runningOn) {
                    found.add(0, new String[] {n.uname, child.state(true) == Role.PROMOTED ? " Promoted" : ""});
                }
            }
        }

        /** pe__find_active_requires(): the active node, with the count in {@code count[0]}. */
        Node active(Resource r, int[] count) {
            int[] counts = new int[2];
            Node n = r.runningOn.isEmpty() ? null : r.findActiveOn(counts);
            count[0] = r.is(Resource.NEEDS_FENCING) ? counts[0] : counts[1];
            return n;
        }

        int ban() throws Failed, InterruptedException {
            load(true);
            notAnInstance();
            if (hostName == null) {
                return banOrMove();
            }
            banNode(node.uname);
            return 0;
        }

        int move() throws Failed, InterruptedException {
            load(true);
            notAnInstance();
            if (hostName == null) {
                return banOrMove();
            }
            return moveTo();
        }

        /** Follows ban_or_move(): ban the one node the resource is active (or promoted) on. */
        int banOrMove() throws Failed, InterruptedException {
            int[] count = new int[1];
            Node current = active(rsc, count);
            if (count[0] == 1) {
                banNode(current.uname);
                return 0;
            }
            if (rsc.is(Resource.PROMOTABLE)) {
                int promoted = 0;
                current = null;
                for (Resource child : rsc.children) {
                    if (child.state(true) == Role.PROMOTED) {
                        promoted++;
                        current = child.currentNode();
                    }
                }
                if (promoted == 1 && current != null) {
                    banNode(current.uname);
                    return 0;
                }
                throw new Failed(EX_USAGE, "Resource '" + rscId + "' not moved: active in " + count[0]
                    + " locations (promoted in " + promoted + ").\nTo prevent '" + rscId + "' from running on a "
                    + "specific location, specify a node.To prevent '" + rscId + "' from being promoted at a "
                    + "specific location, specify a node and the --promoted option.");
            }
            throw new Failed(EX_USAGE, "Resource '" + rscId + "' not moved: active in " + count[0]
                + " locations.\nTo prevent '" + rscId + "' from running on a specific location, specify a node.");
        }

        /** Follows cli_resource_move(). */
        int moveTo() throws Failed, InterruptedException {
            if (promoted && !rsc.is(Resource.PROMOTABLE)) {
                Resource p = rsc.top();
                if (p.is(Resource.PROMOTABLE)) {
                    info("Using parent '" + rsc.id + "' for move instead of '" + rscId + "'.");
                    rscId = p.id;
                    rsc = p;
                } else {
                    info("Ignoring --promoted option: " + rscId + " is not promotable");
                    promoted = false;
                }
            }
            int[] count = new int[1];
            Node current = active(rsc, count);
            Resource target = rsc;
            if (rsc.is(Resource.PROMOTABLE)) {
                int promotedCount = 0;
                Node promotedNode = null;
                for (Resource child : rsc.children) {
                    if (child.state(true) == Role.PROMOTED) {
                        target = child;
                        promotedNode = child.currentNode();
                        promotedCount++;
                    }
                }
                if (promoted || promotedCount != 0) {
                    count[0] = promotedCount;
                    current = promotedNode;
                }
            }
            if (count[0] > 1) {
                if (target.isClone()) {
                    current = null;
                } else {
                    throw operationFailed(EX_MULTIPLE, null);
                }
            }
            boolean curIsDest = current != null && current == node;
            if (curIsDest && !force) {
                throw operationFailed(EX_EXISTS, null);
            }
            clear(null, false);
            clear(node.uname, true);
            prefer(node.uname);
            if (force && !curIsDest) {
                if (current != null) {
                    banNode(current.uname);
                } else if (count[0] > 1) {
                    String state = promoted ? "promoted" : "active";
                    info("Resource '" + rscId + "' is currently " + state + " in " + count[0] + " locations. One "
                        + "may now move to " + node.uname);
                    info("To prevent '" + rscId + "' from being " + state + " at a specific location, specify a "
                        + "node.");
                }
            }
            return 0;
        }

        /** parse_cli_lifetime(): the end of the lifetime as crm_time_as_string() writes it, or null. */
        String lifetimeEnd() throws Failed {
            String lifetime = cl.getOptionValue("lifetime");
            if (lifetime == null) {
                return null;
            }
            CrmTime.Duration d = CrmTime.parseDuration(lifetime);
            if (d == null) {
                err.println("Invalid duration specified: " + lifetime + "\nPlease refer to "
                    + "https://en.wikipedia.org/wiki/ISO_8601#Durations for examples of valid durations");
                throw new Failed(EX_USAGE, "Error performing operation: Invalid parameter");
            }
            CrmTime later = CrmTime.ofEpochSecond(clock.nowMillis() / 1000, clock.zone()).plus(d);
            String s = timeString(later);
            info("Migration will take effect until: " + s);
            return s;
        }

        /** Follows cli_resource_ban(). */
        void banNode(String host) throws Failed, InterruptedException {
            banNode(rscId, host);
        }

        /** Follows cli_resource_ban() for resource {@code rid}. */
        void banNode(String rid, String host) throws Failed, InterruptedException {
            String later = lifetimeEnd();
            String id = "cli-ban-" + rid + "-on-" + host;
            info("WARNING: Creating rsc_location constraint '" + id + "' with a score of -INFINITY for "
                + "resource " + rid + " on " + host + ".\n\tThis will prevent " + rid + " from "
                + (promoted ? "being promoted" : "running") + " on "
                + host + " until the constraint is removed using the clear option or by editing the CIB with an "
                + "appropriate tool\n\tThis will be the case even if " + host + " is the last node in the cluster");
            XmlNode location;
            if (later == null) {
                location = XmlNode.of("rsc_location", "id", id, "rsc", rid, "role", role(), "node", host,
                    "score", "-INFINITY");
            } else {
                location = XmlNode.of("rsc_location", "id", id, "rsc", rid, "role", role()).withChildren(
                    List.of(rule(id + "-rule", "-INFINITY", id + "-expr", host, id + "-lifetime", later)));
            }
            update(location);
        }

        /** The role of the constraints written: Promoted with --promoted (promoted_role_name()), else Started. */
        String role() {
            return promoted ? "Promoted" : "Started";
        }

        /** Follows cli_resource_prefer(). */
        void prefer(String host) throws Failed, InterruptedException {
            String later = lifetimeEnd();
            String id = "cli-prefer-" + rscId;
            XmlNode location;
            if (later == null) {
                location = XmlNode.of("rsc_location", "id", id, "rsc", rscId, "role", role(), "node", host,
                    "score", "INFINITY");
            } else {
                location = XmlNode.of("rsc_location", "id", id, "rsc", rscId, "role", role()).withChildren(
                    List.of(rule("cli-prefer-rule-" + rscId, "INFINITY", "cli-prefer-expr-" + rscId, host,
                        "cli-prefer-lifetime-end-" + rscId, later)));
            }
            update(location);
        }

        private XmlNode rule(String ruleId, String score, String exprId, String host, String lifetimeId,
                             String end) {
            return XmlNode.of("rule", "id", ruleId, "score", score, "boolean-op", "and").withChildren(List.of(
                XmlNode.of("expression", "id", exprId, "attribute", "#uname", "operation", "eq", "value", host,
                    "type", "string"),
                XmlNode.of("date_expression", "id", lifetimeId, "operation", "lt", "end", end)));
        }

        /** cib_conn->cmds->update() of one constraint: merged into the constraints section, created if new. */
        void update(XmlNode location) throws Failed, InterruptedException {
            submit(new CibRequest(CibRequest.Op.MODIFY, "constraints", null,
                XmlNode.of("constraints").withChildren(List.of(location)), EnumSet.of(CibRequest.Flag.CAN_CREATE),
                TOOL, "root"), false);
        }

        /** Submits; with {@code absentOk}, "no such object" is success (Pacemaker's -ENXIO). */
        void submit(CibRequest r, boolean absentOk) throws Failed, InterruptedException {
            try {
                clock.await(cib.update(r), TIMEOUT_MS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof CibError ce) {
                    if (absentOk && ce.exitCode() == CibError.NOSUCH) {
                        return;
                    }
                    throw operationFailed(ce.exitCode(), null);
                }
                throw operationFailed(EX_ERROR, String.valueOf(e.getCause()));
            } catch (java.util.concurrent.TimeoutException e) {
                throw operationFailed(EX_TIMEOUT, null);
            }
        }

        /**
         * Follows cli_resource_clear(): on one node (the rule form by XPath, then the short forms), or on every
         * node when {@code host} is null.
         */
        void clear(String host, boolean bans) throws Failed, InterruptedException {
            clear(rscId, host, bans);
        }

        /** cli_resource_clear() for resource {@code rid}. */
        void clear(String rid, String host, boolean bans) throws Failed, InterruptedException {
            if (host == null) {
                for (Node n : ws.nodes) {
                    clear(rid, n.uname, bans);
                }
                return;
            }
            // a delete that this node's copy shows has nothing to remove is not sent (a CIB round trip each: a
            // --move clears before it prefers, and usually finds nothing)
            Set<String> ids = locationIds(cib.current().root());
            if (ids.contains("cli-prefer-" + rid)) {
                submit(new CibRequest(CibRequest.Op.DELETE, null, "//rsc_location[@id='cli-prefer-" + rid
                    + "'][rule[@id='cli-prefer-rule-" + rid + "']/expression[@attribute='#uname' and @value='" + host
                    + "']]", null, Set.of(), TOOL, "root"), true);
                ids = locationIds(cib.current().root());
            }
            List<XmlNode> fragment = new ArrayList<>();
            if (bans && ids.contains("cli-ban-" + rid + "-on-" + host)) {
                fragment.add(XmlNode.of("rsc_location", "id", "cli-ban-" + rid + "-on-" + host));
            }
            if (ids.contains("cli-prefer-" + rid)) {
                fragment.add(force ? XmlNode.of("rsc_location", "id", "cli-prefer-" + rid)
                    : XmlNode.of("rsc_location", "id", "cli-prefer-" + rid, "node", host));
            }
            if (!fragment.isEmpty()) {
                submit(new CibRequest(CibRequest.Op.DELETE, "constraints", null,
                    XmlNode.of("constraints").withChildren(fragment), Set.of(), TOOL, "root"), true);
            }
        }

        /** Follows clear_constraints(): prints the location constraints that went away. */
        int clear() throws Failed, InterruptedException {
            boolean expired = cl.hasOption("expired");
            load(!expired);
            if (rscId != null) {
                notAnInstance();
            }
            Set<String> before = locationIds(cib.current().root());
            if (expired) {
                clearExpired();
            } else {
                clear(node == null ? null : node.uname, true);
            }
            if (!quiet) {
                before.removeAll(locationIds(cib.current().root()));
                for (String id : before) {
                    out.println("Removing constraint: " + id);
                }
            }
            return 0;
        }

        /**
         * --clear --expired: removes the cli-ban and cli-prefer constraints (of the -r resource as given, on the -N
         * node, for the promoted role with --promoted) whose lifetime's end has passed. Follows
         * cli_resource_clear_all_expired() and build_clear_xpath_string(): a constraint's lifetime is the one
         * {@code date_expression} its XPath finds in the whole document (by the id the tool gives it; with a node,
         * the union with the node-form constraints of that node, so when both exist nothing matches; with a node
         * and a resource or --promoted, only those: Pacemaker's quirk, kept); a missing
         * end is now (not expired), one that does not parse has expired; deletions stop at the first error.
         */
        void clearExpired() throws Failed, InterruptedException {
            XmlNode root = cib.current().root();
            CrmTime now = CrmTime.ofEpochSecond(clock.nowMillis() / 1000, clock.zone());
            String h = node == null ? null : hostName;
            for (XmlNode location : elements(root, "rsc_location", new ArrayList<>())) {
                String id = location.attribute("id");
                if (id == null || !id.startsWith("cli-ban-") && !id.startsWith("cli-prefer-")) {
                    continue;
                }
                String lifetimeId = id.startsWith("cli-ban-") ? id + "-lifetime"
                    : "cli-prefer-lifetime-end-" + location.attribute("rsc");
                List<XmlNode> matches = new ArrayList<>();
                for (XmlNode l : elements(root, "rsc_location", new ArrayList<>())) {
                    boolean rscRole = (rscId == null || rscId.equals(l.attribute("rsc")))
                        && (!promoted || role().equals(l.attribute("role")));
                    if (h != null && h.equals(l.attribute("node")) && rscRole) {
                        matches.add(l);   // the first half of the union: itself, not a date expression
                    }
                    if (!rscRole || h != null && (rscId != null || promoted)) {
                        // with a node and a resource or role, Pacemaker 2.1.5 builds this half of the XPath with
                        // a GString where a string belongs: it never finds the lifetime (nothing expires)
                        continue;
                    }
                    List<XmlNode> under = new ArrayList<>();
                    if (h == null) {
                        for (XmlNode c : l.children()) {
                            elements(c, "date_expression", under);
                        }
                    } else {
                        for (XmlNode rule : l.children("rule")) {
                            boolean onHost = rule.children("expression").stream().anyMatch(e ->
                                "#uname".equals(e.attribute("attribute")) && h.equals(e.attribute("value")));
                            if (onHost) {
                                for (XmlNode c : rule.children()) {
                                    elements(c, "date_expression", under);
                                }
                            }
                        }
                    }
                    for (XmlNode d : under) {
                        if (lifetimeId.equals(d.attribute("id")) && !matches.contains(d)) {
                            matches.add(d);
                        }
                    }
                }
                if (matches.size() != 1) {
                    continue;
                }
                String endText = matches.get(0).attribute("end");
                CrmTime end = endText == null ? now : CrmTime.parse(endText, now);
                if (end == null || now.compareTo(end) > 0) {
                    submit(new CibRequest(CibRequest.Op.DELETE, "constraints", null, XmlNode.of("constraints")
                        .withChildren(List.of(XmlNode.of("rsc_location", "id", id))), Set.of(), TOOL, "root"),
                        false);
                }
            }
        }

        /** The elements named {@code name} at or under {@code x}, in document order. */
        private List<XmlNode> elements(XmlNode x, String name, List<XmlNode> into) {
            if (x.is(name)) {
                into.add(x);
            }
            for (XmlNode c : x.children()) {
                elements(c, name, into);
            }
            return into;
        }

        private Set<String> locationIds(XmlNode root) {
            Set<String> ids = new TreeSet<>();
            collect(root, ids);
            return ids;
        }

        private void collect(XmlNode x, Set<String> ids) {
            if (x.is("rsc_location") && x.attribute("id") != null) {
                ids.add(x.attribute("id"));
            }
            for (XmlNode c : x.children()) {
                collect(c, ids);
            }
        }

        /**
         * --cleanup (fail counts and failed operations) and --refresh (the whole history): per node the resource is
         * known on, "Cleaned up RSC on NODE". Follows cli_resource_delete() and cli_cleanup_all().
         */
        int cleanup(boolean justFailures) throws Failed, InterruptedException {
            load(false);
            Attrd a = attrd;
            Controller ctl = controller;
            if (a == null || ctl == null) {
                throw operationFailed(EX_UNAVAILABLE, "Error connecting to the controller: the attribute manager"
                    + " and the controller must run on this node");
            }
            if (rsc == null) {
                clearFailures(a, null, hostName);
                List<String> nodes = new ArrayList<>();
                for (Node n : ws.nodes) {
                    if (hostName == null || n == node) {
                        nodes.add(n.uname);
                    }
                }
                for (Resource r : primitives(ws.resources, new ArrayList<>())) {
                    if (done.add(historyId(r))) {
                        forget(ctl, historyId(r), nodes);
                    }
                }
                out.println("Cleaned up all resources on " + (hostName == null ? "all nodes" : hostName));
                return 0;
            }
            Resource target = force ? rsc : rsc.top();
            for (Resource r : primitives(List.of(target), new ArrayList<>())) {
                Collection<Node> nodes;
                if (node != null) {
                    nodes = List.of(node);
                } else if (!r.knownOn.isEmpty()) {
                    nodes = r.knownOn;
                } else if (force) {
                    nodes = ws.nodes;
                } else {
                    nodes = r.allowedNodes.keySet();
                }
                for (Node n : new LinkedHashSet<>(nodes)) {
                    if (node == null && !n.online) {
                        continue;
                    }
                    if (done.add(historyId(r) + "@" + n.uname)) {
                        clearFailures(a, failName(r), n.uname);
                        forget(ctl, historyId(r), List.of(n.uname));
                    }
                    out.println("Cleaned up " + r.id + " on " + n.uname);
                }
            }
            return 0;
        }

        /** The (resource history, node) pairs cleaned up so far: the instances of an anonymous clone share one. */
        private final Set<String> done = new java.util.HashSet<>();

        /**
         * The name attrd knows a resource's fail counts by: an anonymous clone instance's without its
         * {@code :N}. Follows {@code rsc_fail_name()} in crm_resource_runtime.c.
         */
        private static String failName(Resource r) {
            String name = r.cloneName != null ? r.cloneName : r.id;
            return r.is(Resource.UNIQUE) ? name : WorkingSet.cloneStrip(name);
        }

        /**
         * The id the node's controller knows the resource's history by ({@code lrm_resource}): an anonymous clone
         * instance's is the primitive's id, not the instance's ({@code p:0} has none). Follows
         * {@code send_lrm_rsc_op()} in crm_resource_runtime.c, which asks for the {@code clone_name}; an instance
         * the scheduler did not find in any history (no {@code clone_name}) is asked for by the stripped id, the
         * one its history on the node would have.
         */
        private static String historyId(Resource r) {
            if (r.cloneName != null) {
                return r.cloneName;
            }
            boolean anonInstance = r.parent != null && r.parent.isClone() && !r.is(Resource.UNIQUE);
            return anonInstance ? WorkingSet.cloneStrip(r.id) : r.id;
        }

        private List<Resource> primitives(List<Resource> from, List<Resource> into) {
            for (Resource r : from) {
                if (r.children.isEmpty()) {
                    into.add(r);
                } else {
                    primitives(r.children, into);
                }
            }
            return into;
        }

        private void clearFailures(Attrd a, String resource, String host) throws Failed, InterruptedException {
            try {
                clock.await(a.clearFailures(resource, null, 0, host).written(), TIMEOUT_MS);
            } catch (org.vigil.crm.api.attrd.AttrdError e) {
                throw operationFailed(e.exitCode(), "Unable to clean up " + (resource == null ? "all" : resource)
                    + " failures on " + (host == null ? "all nodes" : host) + ": " + e.getMessage());
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw operationFailed(EX_ERROR, "Unable to clean up failures: " + e);
            }
        }

        private void forget(Controller ctl, String resource, List<String> nodes) throws Failed,
            InterruptedException {
            try {
                clock.await(ctl.forgetHistory(resource, nodes), TIMEOUT_MS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw operationFailed(EX_ERROR, "Cleaned " + resource + " failures on " + String.join(",", nodes)
                    + ", but unable to clean history: " + (e.getCause() != null ? e.getCause().getMessage() : e));
            }
        }

        /**
         * --why: whether the resource(s) run (on the node, with -N) and the configuration that may keep them from
         * running. Follows the text form of the {@code resource-reasons-list} message. Like Pacemaker 2.1.5's, the
         * node form lists only the resources active on the node (the tool does not schedule, so none is "assigned
         * but not running"), and bans, failures and location scores are not among the reasons it gives.
         */
        int why() throws Failed {
            load(false);
            if (cl.hasOption("explain")) {
                if (rsc == null) {
                    throw new Failed(EX_USAGE, "--explain needs a resource (-r)");
                }
                if (xml != null) {
                    throw new Failed(EX_USAGE, "--explain is text only");
                }
                out.print(WhyExplain.explain(cib.current().root(), rsc.id, clock));
                String n = cl.getOptionValue("transitions");
                if (n != null) {
                    int count;
                    try {
                        count = Integer.parseInt(n);
                    } catch (NumberFormatException e) {
                        count = -1;
                    }
                    if (count < 1) {
                        throw new Failed(EX_USAGE, "--transitions needs a positive number, not '" + n + "'");
                    }
                    org.vigil.kernel.api.VigilNode self = vigilNode;
                    if (self == null) {
                        throw new Failed(EX_NOSUCH, "the saved transitions are kept by the DC in its state "
                            + "directory (STATE/pengine): run this on the DC's node");
                    }
                    out.print(WhyExplain.history(self.stateDir().resolve("pengine"), count, rsc.id));
                }
                return 0;
            }
            if (xml != null) {
                whyXml();
                return 0;
            }
            if (rsc == null && node == null) {
                for (Resource r : ws.resources) {
                    out.println("Resource " + r.id + " is " + (running(r) ? "" : "not ") + "running");
                    checks(r, null);
                }
            } else if (rsc != null && node != null) {
                out.println("Resource " + rsc.id + " is " + (runningOn(rsc, hostName) ? "" : "not ")
                    + "running on host " + node.uname);
                checks(rsc, node);
            } else if (rsc == null) {
                for (Resource r : node.runningRsc) {
                    out.println("Resource " + r.id + " is running on host " + node.uname);
                    checks(r, node);
                }
            } else {
                out.println("Resource " + rsc.id + " is " + (running(rsc) ? "" : "not ") + "running");
                checks(rsc, null);
            }
            return 0;
        }

        /** --why in XML: follows resource_reasons_list_xml() and resource_check_list_xml(). */
        private void whyXml() {
            if (rsc == null && node == null) {
                xml.append("  <reason>\n    <resources>\n");
                for (Resource r : ws.resources) {
                    xml.append("      <resource id=\"").append(attr(r.id)).append("\" running=\"").append(running(r))
                        .append("\">\n");
                    checkXml(r, null, "        ");
                    xml.append("      </resource>\n");
                }
                xml.append("    </resources>\n  </reason>\n");
            } else if (rsc != null && node != null) {
                xml.append("  <reason").append(runningOn(rsc, hostName) ? " running_on=\"" + attr(node.uname) + "\""
                    : "").append(">\n");
                checkXml(rsc, node, "    ");
                xml.append("  </reason>\n");
            } else if (rsc == null) {
                xml.append("  <reason>\n");
                if (node.runningRsc.isEmpty()) {
                    xml.append("    <resources/>\n");
                } else {
                    xml.append("    <resources>\n");
                    for (Resource r : node.runningRsc) {
                        xml.append("      <resource id=\"").append(attr(r.id)).append("\" running=\"true\" host=\"")
                            .append(attr(node.uname)).append("\">\n");
                        checkXml(r, node, "        ");
                        xml.append("      </resource>\n");
                    }
                    xml.append("    </resources>\n");
                }
                xml.append("  </reason>\n");
            } else {
                xml.append("  <reason running=\"").append(running(rsc)).append("\">\n");
                checkXml(rsc, null, "    ");
                xml.append("  </reason>\n");
            }
        }

        /** One resource's {@code check} element: the reasons {@link #checks} prints, as attributes. */
        private void checkXml(Resource r, Node on, String indent) {
            StringBuilder b = new StringBuilder(indent).append("<check id=\"").append(attr(r.top().id)).append('"');
            String role = r.meta.get("target-role");
            if (role != null) {
                Role parsed = Role.parse(role);
                if (parsed == Role.STOPPED) {
                    b.append(" remain_stopped=\"true\"");
                } else if (parsed == Role.UNPROMOTED && r.top().is(Resource.PROMOTABLE)) {
                    b.append(" promotable=\"false\"");
                }
            }
            String managed = r.meta.get("is-managed");
            if (managed != null && !org.vigil.crm.internal.cib.Util.isTrue(managed)) {
                b.append(" unmanaged=\"true\"");
            }
            if (r.lockNode != null) {
                b.append(" locked-to=\"").append(attr(r.lockNode.uname)).append('"');
            }
            if (unhealthy(r, on)) {
                b.append(" unhealthy=\"true\"");
            }
            xml.append(b).append("/>\n");
        }

        /** {@code rsc->fns->location(rsc, &hosts, TRUE)} found a node. */
        private boolean running(Resource r) {
            List<Node> where = new ArrayList<>();
            r.location(where, 1);
            return !where.isEmpty();
        }

        /** Follows resource_is_running_on(): the host given by name or node id, in any case. */
        private boolean runningOn(Resource r, String host) {
            List<Node> where = new ArrayList<>();
            r.location(where, 1);
            for (Node n : where) {
                if (host.equalsIgnoreCase(n.uname) || host.equalsIgnoreCase(n.id)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The reasons in the configuration that may keep a resource stopped, named by its top resource. Follows
         * cli_resource_check() (check_role(), check_managed(), check_locked(), check_node_health()) and the text
         * form of the {@code resource-check-list} message.
         */
        void checks(Resource r, Node on) {
            String top = r.top().id;
            String role = r.meta.get("target-role");
            if (role != null) {
                Role parsed = Role.parse(role);
                if (parsed == Role.STOPPED) {
                    out.println("Configuration specifies '" + top + "' should remain stopped");
                } else if (parsed == Role.UNPROMOTED && r.top().is(Resource.PROMOTABLE)) {
                    out.println("Configuration specifies '" + top + "' should not be promoted");
                }
            }
            String managed = r.meta.get("is-managed");
            if (managed != null && !org.vigil.crm.internal.cib.Util.isTrue(managed)) {
                out.println("Configuration prevents cluster from stopping or starting unmanaged '" + top + "'");
            }
            if (r.lockNode != null) {
                out.println("'" + top + "' is locked to node " + r.lockNode.uname + " due to shutdown");
            }
            if (unhealthy(r, on)) {
                out.println("'" + top + "' cannot run on unhealthy nodes due to node-health-strategy='"
                    + ws.pref("node-health-strategy") + "'");
            }
        }

        /** Follows check_node_health(): on the node, or (without one) on every allowed node. */
        private boolean unhealthy(Resource r, Node on) {
            if (on != null) {
                return unhealthy(on);
            }
            boolean allowed = false;
            for (Node n : r.allowedNodes.keySet()) {
                allowed = true;
                if (!unhealthy(n)) {
                    return false;
                }
            }
            return allowed;
        }

        /** Follows node_is_unhealthy(): red (migrate-on-red) or not green (only-green) by pe__node_health(). */
        private boolean unhealthy(Node n) {
            return switch (ws.healthStrategy()) {
                case "migrate-on-red" -> StatusPrinter.health(ws, n) < 0;
                case "only-green" -> StatusPrinter.health(ws, n) <= 0;
                default -> false;
            };
        }
    }

    /** crm_time_as_string() with date, time of day and time zone: "2026-12-08 04:27:45Z" in UTC. */
    static String timeString(CrmTime t) {
        java.time.OffsetDateTime v = t.value();
        int off = v.getOffset().getTotalSeconds();
        String zone = off == 0 ? "Z" : String.format("%s%02d:%02d", off < 0 ? "-" : "+", Math.abs(off) / 3600,
            Math.abs(off) % 3600 / 60);
        return String.format("%04d-%02d-%02d %02d:%02d:%02d%s", v.getYear(), v.getMonthValue(), v.getDayOfMonth(),
            v.getHour(), v.getMinute(), v.getSecond(), zone);
    }
}
