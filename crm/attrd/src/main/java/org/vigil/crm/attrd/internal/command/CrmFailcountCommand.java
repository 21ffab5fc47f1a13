package org.vigil.crm.attrd.internal.command;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.AmbiguousOptionException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.crm.api.attrd.Attrd;
import org.vigil.crm.api.attrd.AttrdError;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.attrd.internal.AttrdService;
import org.vigil.crm.attrd.internal.NodeNames;
import org.vigil.crm.attrd.internal.Values;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * {@code crm_failcount}, as Pacemaker 2.1.5's shell wrapper ({@code tools/crm_failcount.in}) behaves:
 * {@code -G -r RSC [-N NODE] [-n OP -I INTERVAL]} prints {@code scope=status  name=fail-count-RSC value=N}, N the
 * sum of the resource's per-operation fail counts on the node (INFINITY once it reaches 1000000), or one
 * operation's count, read from the CIB's status; {@code -D} deletes the fail counts and last-failure times through
 * attrd (Pacemaker runs {@code crm_resource --cleanup}, which also has the controller re-probe the resource: that
 * part is the controller's) and prints {@code Cleaned up RSC on NODE}. Options, messages and exit codes (64 usage,
 * 105 no such resource) are the wrapper's, including its deprecated ones.
 */
@Component(property = {AdminCommand.NAME + "=crm_failcount",
    AdminCommand.DESCRIPTION + "=query or delete a resource's fail counts: crm_failcount -G|-D -r RSC [-N NODE] "
        + "[-n OP -I INTERVAL]"})
public final class CrmFailcountCommand implements AdminCommand {

    static final String USAGE = """
        Usage: crm_failcount <command> [<options>]
        Common options:
         --help                 Display this text, then exit
         --version              Display version information, then exit
         -V, --verbose          Specify multiple times to increase debug output
         -q, --quiet            Print only the value (if querying)

        Commands:
         -G, --query            Query the current value of the resource's fail count
         -D, --delete           Delete resource's recorded failures

        Additional Options:
         -r, --resource=value   Name of the resource to use (required)
         -n, --operation=value  Name of operation to use (instead of all operations)
         -I, --interval=value   If operation is specified, its interval
         -N, --node=value       Use failcount on named node (instead of local node)""";

    static final String HELP = "crm_failcount - Query or delete resource fail counts\n\n" + USAGE;

    private static final int EX_USAGE = 64;
    private static final int EX_NOSUCH = 105;

    private final Attrd attrd;
    private final Cib cib;
    private final NodeNames names;

    @Activate
    public CrmFailcountCommand(@Reference Attrd attrd, @Reference Cib cib, @Reference VigilNode node) {
        this(attrd, cib, AttrdService.names(node));
    }

    CrmFailcountCommand(Attrd attrd, Cib cib, NodeNames names) {
        this.attrd = attrd;
        this.cib = cib;
        this.names = names;
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("help").build());
        o.addOption(Option.builder().longOpt("version").build());
        o.addOption(Option.builder("V").longOpt("verbose").build());
        o.addOption(Option.builder("q").longOpt("quiet").build());
        o.addOption(Option.builder("Q").build());
        o.addOption(Option.builder("G").longOpt("query").build());
        o.addOption(Option.builder().longOpt("get-value").build());
        o.addOption(Option.builder("D").longOpt("delete").build());
        o.addOption(Option.builder().longOpt("delete-attr").build());
        o.addOption(Option.builder("r").longOpt("resource").hasArg().build());
        o.addOption(Option.builder().longOpt("resource-id").hasArg().build());
        o.addOption(Option.builder("n").longOpt("operation").hasArg().build());
        o.addOption(Option.builder("I").longOpt("interval").hasArg().build());
        o.addOption(Option.builder("N").longOpt("node").hasArg().build());
        o.addOption(Option.builder("U").longOpt("uname").hasArg().build());
        o.addOption(Option.builder("v").longOpt("attr-value").hasArg().build());
        o.addOption(Option.builder("i").longOpt("attr-id").hasArg().build());
        o.addOption(Option.builder("l").longOpt("lifetime").hasArg().build());
        return o;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) {
        CommandLine cl;
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(true).build()
                .parse(options(), args.toArray(new String[0]));
        } catch (AmbiguousOptionException e) {
            err.println("crm_failcount: option '" + e.getOption() + "' is ambiguous");
            return usage(out, err, null);
        } catch (UnrecognizedOptionException e) {
            String o = e.getOption();
            err.println("crm_failcount: " + (o.startsWith("--") ? "unrecognized option '" + o + "'"
                : "invalid option -- '" + o.substring(1, Math.min(2, o.length())) + "'"));
            return usage(out, err, null);
        } catch (MissingArgumentException e) {
            Option o = e.getOption();
            err.println("crm_failcount: " + (o.getOpt() != null ? "option requires an argument -- '" + o.getOpt()
                + "'" : "option '--" + o.getLongOpt() + "' requires an argument"));
            return usage(out, err, null);
        } catch (ParseException e) {
            err.println("crm_failcount: " + e.getMessage());
            return usage(out, err, null);
        }
        String command = null;
        String resource = null;
        String operation = null;
        String interval = "0";
        String target = attrd.localNode();
        boolean quiet = false;
        for (Option o : cl.getOptions()) {
            String key = o.getOpt() != null ? o.getOpt() : o.getLongOpt();
            switch (key) {
                case "help" -> {
                    out.println(HELP);
                    return 0;
                }
                case "version" -> {
                    out.println("Pacemaker 2.1.5 (crm_failcount of Vigil)");
                    return 0;
                }
                case "q", "Q" -> quiet = true;
                case "V" -> {
                    // more debug output: nothing to add
                }
                case "G", "get-value" -> command = "query";
                case "D", "delete-attr" -> command = "delete";
                case "r", "resource-id" -> resource = o.getValue();
                case "n" -> operation = o.getValue();
                case "I" -> interval = o.getValue();
                case "N", "U" -> target = o.getValue();
                case "v" -> {
                    if (o.getValue().equals("0")) {
                        command = "delete";
                    } else {
                        err.println("warning: ignoring deprecated option '" + typed(o) + "' with nonzero value");
                    }
                }
                case "i", "l" -> err.println("warning: ignoring deprecated option '" + typed(o) + "'");
                default -> throw new IllegalStateException(key);
            }
        }
        if (!cl.getArgList().isEmpty()) {
            err.println("crm_failcount: unexpected argument '" + cl.getArgList().get(0) + "'");
            return usage(out, err, null);
        }
        if (command == null) {
            return usage(out, err, "must specify a command");
        }
        if (resource == null || resource.isEmpty()) {
            return usage(out, err, "resource name required");
        }
        if (target == null || target.isEmpty()) {
            return usage(out, err, "node name required");
        }
        Long intervalMs = Values.intervalMs(interval);
        if (intervalMs == null) {
            err.println("warning: Unrecognized interval, using 0");
            intervalMs = 0L;
        }
        return command.equals("query") ? query(target, resource, operation, intervalMs, quiet, out, err)
            : clear(target, resource, operation, intervalMs, quiet, out, err);
    }

    private int query(String target, String resource, String operation, long intervalMs, boolean quiet,
                      PrintStream out, PrintStream err) {
        XmlNode root = cib.current().root();
        String id = names.idOf(root, target);
        Map<String, String> attrs = id == null ? Map.of() : transientAttributes(root, id);
        String rscAttr = "fail-count-" + resource;
        String display;
        String count;
        if (operation != null) {
            display = rscAttr + "#" + operation + "_" + intervalMs;
            count = single(id, target, attrs, display, err);
        } else {
            display = rscAttr;
            count = sum(attrs, rscAttr + "#");
        }
        // attributes set before Pacemaker 1.1.17: one per resource
        if ("0".equals(count)) {
            count = single(id, target, attrs, rscAttr, err);
            if (!"0".equals(count)) {
                display = rscAttr;
            }
        }
        out.println(quiet ? count : "scope=status  name=" + display + " value=" + count);
        return 0;
    }

    /** {@code crm_attribute --query -t status -d 0}: the value, 0 when unset, nothing for an unknown node. */
    private static String single(String id, String target, Map<String, String> attrs, String name, PrintStream err) {
        if (id == null) {
            err.println("crm_attribute: Could not map name=" + target + " to a UUID");
            return "";
        }
        return attrs.getOrDefault(name, "0");
    }

    /** The sum of the numeric and INFINITY values of the attributes starting with {@code prefix}. */
    static String sum(Map<String, String> attrs, String prefix) {
        long sum = 0;
        for (Map.Entry<String, String> e : attrs.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String v = e.getValue();
            if (v.equals("INFINITY")) {
                return "INFINITY";
            }
            if (v.matches("[0-9]+")) {
                sum += v.length() > 12 ? Values.INFINITY : Long.parseLong(v);
            }
        }
        return sum >= Values.INFINITY ? "INFINITY" : Long.toString(sum);
    }

    private static Map<String, String> transientAttributes(XmlNode root, String nodeId) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        XmlNode status = root.firstChild("status");
        if (status == null) {
            return out;
        }
        for (XmlNode state : status.children("node_state")) {
            XmlNode h = nodeId.equals(state.id()) ? state.firstChild("transient_attributes") : null;
            if (h == null) {
                continue;
            }
            for (XmlNode set : h.children("instance_attributes")) {
                for (XmlNode nv : set.children("nvpair")) {
                    if (nv.attribute("name") != null) {
                        out.putIfAbsent(nv.attribute("name"), nv.attribute("value", ""));
                    }
                }
            }
        }
        return out;
    }

    private int clear(String target, String resource, String operation, long intervalMs, boolean quiet,
                      PrintStream out, PrintStream err) {
        if (!resourceExists(cib.current().root(), resource)) {
            err.println("crm_resource: Resource '" + resource + "' not found");
            return EX_NOSUCH;
        }
        try {
            attrd.clearFailures(resource, operation, intervalMs, target);
        } catch (AttrdError e) {
            err.println("crm_resource: " + e.getMessage());
            return e.exitCode();
        }
        if (!quiet) {
            out.println("Cleaned up " + resource + " on " + target);
        }
        return 0;
    }

    /** True if the configuration has a resource with this id (a clone instance {@code R:N} counts as R). */
    static boolean resourceExists(XmlNode root, String resource) {
        String id = resource.contains(":") ? resource.substring(0, resource.indexOf(':')) : resource;
        XmlNode conf = root.firstChild("configuration");
        XmlNode resources = conf == null ? null : conf.firstChild("resources");
        return resources != null && (findResource(resources, id) || findResource(resources, resource));
    }

    private static boolean findResource(XmlNode n, String id) {
        for (XmlNode c : n.children()) {
            if ((c.is("primitive") || c.is("group") || c.is("clone") || c.is("master") || c.is("bundle"))
                && id.equals(c.id())) {
                return true;
            }
            if ((c.is("group") || c.is("clone") || c.is("master") || c.is("bundle")) && findResource(c, id)) {
                return true;
            }
        }
        return false;
    }

    private static String typed(Option o) {
        return o.getOpt() != null ? "-" + o.getOpt() : "--" + o.getLongOpt();
    }

    /** The wrapper's {@code exit_usage}: the error on stderr, a blank line and the usage on stdout, exit 64. */
    private static int usage(PrintStream out, PrintStream err, String error) {
        if (error != null) {
            err.println("error: " + error);
        }
        out.println();
        out.println(USAGE);
        return EX_USAGE;
    }
}
