package org.vigil.crm.attrd.internal.command;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.attrd.AttributeValue;
import org.vigil.crm.attrd.internal.Values;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * {@code attrd_updater}, with Pacemaker 2.1.5's options, output and exit codes ({@code tools/attrd_updater.c}):
 * {@code -n NAME} with one of {@code -U VALUE} (also {@code -v}), {@code -B VALUE}, {@code -Y}, {@code -Q}
 * (the default), {@code -D}, {@code -R}; {@code -d DELAY}, {@code -s SET}, {@code -N NODE}, {@code -A},
 * {@code -p}, {@code -l} (checked, then ignored, as Pacemaker's attrd ignores it). A query prints
 * {@code name="pingd" host="bravo" value="1000"} per node; an update returns once attrd holds the value (the CIB
 * write follows, after the delay), as Pacemaker's does.
 *
 * <p>Where Pacemaker 2.1.5 is known to be wrong, this follows what later releases fixed: {@code -U} with
 * {@code -d} sets the delay too (2.1.7), and {@code -Q} without {@code -N} or {@code -A} asks for the local node
 * (2.1.6). Refused where Pacemaker accepts silently and does nothing: an unknown node (exit 105), an invalid delay
 * (exit 64), {@code -Y} of an attribute that does not exist (exit 105).
 */
@Component(property = {AdminCommand.NAME + "=attrd_updater",
    AdminCommand.DESCRIPTION + "=query and update node attributes: attrd_updater -n NAME -U|-B VALUE|-Y|-Q|-D|-R "
        + "[-d DELAY] [-N NODE|-A] [-s SET] [-p]"})
public final class AttrdUpdaterCommand implements AdminCommand {

    static final String TOOL = "attrd_updater";
    private static final Set<String> COMMANDS = Set.of("U", "v", "B", "Y", "Q", "D", "R");
    private static final String INDENT = "\n                              ";

    static final String HELP = "Usage:\n"
        + "  attrd_updater [OPTION?]\n\n"
        + "query and update Pacemaker node attributes\n\n"
        + "Help Options:\n"
        + "  -h, --help                  Show help options\n\n"
        + "Required Arguments:\n"
        + "  -n, --name=NAME             The attribute's name\n\n"
        + "Command:\n"
        + "  -U, --update=VALUE          Update attribute's value in attrd. If this causes the value" + INDENT
        + "to change, it will also be updated in the cluster configuration.\n"
        + "  -B, --update-both=VALUE     Update attribute's value and time to wait (dampening) in" + INDENT
        + "attrd. If this causes the value or dampening to change," + INDENT
        + "the attribute will also be written to the cluster configuration," + INDENT
        + "so be aware that repeatedly changing the dampening reduces its" + INDENT + "effectiveness."
        + INDENT + "Requires -d/--delay\n"
        + "  -Y, --update-delay          Update attribute's dampening in attrd. If this causes" + INDENT
        + "the dampening to change, the attribute will also be written" + INDENT
        + "to the cluster configuration, so be aware that repeatedly" + INDENT
        + "changing the dampening reduces its effectiveness." + INDENT + "Requires -d/--delay\n"
        + "  -Q, --query                 Query the attribute's value from attrd\n"
        + "  -D, --delete                Unset attribute from attrd (its value is removed from the CIB)\n"
        + "  -R, --refresh               (Advanced) Force attrd to resend all current" + INDENT
        + "values to the CIB\n\n"
        + "Additional Options:\n"
        + "  -d, --delay=SECONDS         The time to wait (dampening) in seconds for further changes" + INDENT
        + "before sending to the CIB\n"
        + "  -s, --set=SET               (Advanced) The attribute set in which to place the value\n"
        + "  -N, --node=NODE             Set the attribute for the named node (instead of the local one)\n"
        + "  -A, --all                   Show values of the attribute for all nodes (query only)\n"
        + "  -l, --lifetime=SECTION      (Not yet implemented) Lifetime of the node attribute (silently" + INDENT
        + "ignored by cluster)\n"
        + "  -p, --private               If this creates a new attribute, never write the attribute to CIB\n\n"
        + "Application Options:\n"
        + "  -$, --version               Display software version and exit\n"
        + "  -V, --verbose               Increase debug output (may be specified multiple times)";

    private final Attrd attrd;

    @Activate
    public AttrdUpdaterCommand(@Reference Attrd attrd) {
        this.attrd = attrd;
    }

    static Options options() {
        Options o = new Options();
        o.addOption(flag("h", "help"));
        o.addOption(Option.builder().longOpt("help-all").build());
        o.addOption(value("n", "name"));
        o.addOption(value("U", "update"));
        o.addOption(value("v", null));
        o.addOption(value("B", "update-both"));
        o.addOption(flag("Y", "update-delay"));
        o.addOption(flag("Q", "query"));
        o.addOption(flag("D", "delete"));
        o.addOption(flag("R", "refresh"));
        o.addOption(value("d", "delay"));
        o.addOption(value("s", "set"));
        o.addOption(value("N", "node"));
        o.addOption(flag("A", "all"));
        o.addOption(value("l", "lifetime"));
        o.addOption(value("S", "section"));
        o.addOption(flag("p", "private"));
        o.addOption(flag("q", "quiet"));
        o.addOption(flag("$", "version"));
        o.addOption(flag("V", "verbose"));
        o.addOption(Option.builder().longOpt("output-as").hasArg().build());
        return o;
    }

    private static Option flag(String s, String l) {
        return Option.builder(s).longOpt(l).build();
    }

    private static Option value(String s, String l) {
        return Option.builder(s).longOpt(l).hasArg().build();
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) {
        CommandLine cl;
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(false).build()
                .parse(options(), args.toArray(new String[0]));
        } catch (UnrecognizedOptionException e) {
            return fail(err, 64, "Unknown option " + e.getOption());
        } catch (MissingArgumentException e) {
            Option o = e.getOption();
            String last = args.isEmpty() ? "" : args.get(args.size() - 1);
            return fail(err, 64, "Missing argument for " + (last.startsWith("--") || o.getOpt() == null
                ? "--" + o.getLongOpt() : "-" + o.getOpt()));
        } catch (ParseException e) {
            return fail(err, 64, e.getMessage());
        }
        if (cl.hasOption("h") || cl.hasOption("help-all")) {
            out.println(HELP);
            return 0;
        }
        if (cl.hasOption("$")) {
            out.println("Pacemaker 2.1.5 (attrd_updater of Vigil)");
            return 0;
        }
        // arguments that are not options are ignored, as Pacemaker's attrd_updater ignores them
        String format = cl.getOptionValue("output-as", "text");
        if (!format.equals("text")) {
            return fail(err, 64, "Invalid --output-as: " + format + " (this attrd_updater prints text only)");
        }
        for (String opt : new String[] {"l", "S"}) {
            String lifetime = cl.getOptionValue(opt);
            if (lifetime != null && !Set.of("nodes", "forever", "status", "reboot").contains(lifetime)) {
                return fail(err, 64, "Unknown value for --lifetime: " + lifetime);
            }
        }
        // the last command given wins, as with Pacemaker's option callbacks
        char command = 'Q';
        String value = null;
        for (Option o : cl.getOptions()) {
            if (COMMANDS.contains(o.getOpt())) {
                command = o.getOpt().equals("v") ? 'U' : o.getOpt().charAt(0);
                value = o.getValue();
            }
        }
        String name = cl.getOptionValue("n");
        String delayText = cl.getOptionValue("d");
        if (command != 'R' && name == null) {
            return fail(err, 64, "Command requires --name argument");
        } else if ((command == 'B' || command == 'Y') && delayText == null) {
            out.println("Warning: '" + command + "' command given without required --delay");
        }
        Duration delay = null;
        if (delayText != null) {
            try {
                delay = Values.delay(delayText);
            } catch (IllegalArgumentException e) {
                return fail(err, 64, "Invalid --delay: " + e.getMessage());
            }
        }
        String node = cl.getOptionValue("N");
        if (command == 'Q') {
            return query(name, cl.hasOption("A") ? null : node == null ? attrd.localNode() : node, out, err);
        }
        if (command == 'R') {
            attrd.refresh();
            return 0;
        }
        AttributeUpdate u = switch (command) {
            case 'U', 'B' -> AttributeUpdate.set(name, value).withDelay(delay);
            case 'D' -> AttributeUpdate.delete(name);
            case 'Y' -> delay == null ? null : AttributeUpdate.delayOnly(name, delay);
            default -> throw new IllegalStateException(String.valueOf(command));
        };
        if (u == null) {
            return 0;   // -Y without a delay: Pacemaker's attrd ignores it
        }
        u = u.on(node).in(cl.getOptionValue("s"));
        if (cl.hasOption("p")) {
            u = u.privately();
        }
        try {
            attrd.update(u);
            return 0;
        } catch (AttrdError e) {
            return fail(err, e.exitCode(), "Could not update " + name + "=" + (value == null ? "(null)" : value)
                + ": " + e.getMessage());
        }
    }

    private int query(String name, String node, PrintStream out, PrintStream err) {
        List<AttributeValue> values;
        try {
            values = attrd.query(name, node);
        } catch (AttrdError e) {
            return fail(err, e.exitCode(), "Could not query value of " + name + ": " + e.getMessage());
        }
        if (values.isEmpty()) {
            return fail(err, 78, "Could not query value of " + name + ": attribute does not exist");
        }
        for (AttributeValue v : values) {
            out.println(line(v));
        }
        return 0;
    }

    /** Pacemaker's {@code attribute_default()} output: {@code name="N" host="H" value="V"}. */
    static String line(AttributeValue v) {
        return "name=\"" + v.name() + "\" host=\"" + v.node() + "\" value=\"" + (v.value() == null ? "" : v.value())
            + "\"";
    }

    private static int fail(PrintStream err, int status, String message) {
        err.println(TOOL + ": " + message);
        return status;
    }
}
