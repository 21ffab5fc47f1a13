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
 *
 * <p>{@code --output-as xml} prints Pacemaker's {@code <pacemaker-result>} document (the values of a query as
 * {@code <attribute name= value= host=/>}, the exit status and errors in {@code <status>}); see {@link Output}.
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
        + "Output Options:\n"
        + "  --output-as=FORMAT          Specify output format as one of: text (default), xml\n\n"
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
        if (!format.equals("text") && !format.equals("xml")) {
            return fail(err, 1, "Error creating output format " + format + ": Unknown output format");
        }
        Output o = new Output(format.equals("xml"), out, err, request(args));
        return o.finish(run(cl, o));
    }

    /** The command itself, its output through {@code o}; returns the exit status. */
    private int run(CommandLine cl, Output o) {
        for (String opt : new String[] {"l", "S"}) {
            String lifetime = cl.getOptionValue(opt);
            if (lifetime != null && !Set.of("nodes", "forever", "status", "reboot").contains(lifetime)) {
                return o.fail(64, "Unknown value for --lifetime: " + lifetime);
            }
        }
        // the last command given wins, as with Pacemaker's option callbacks
        char command = 'Q';
        String value = null;
        for (Option opt : cl.getOptions()) {
            if (opt.getOpt() != null && COMMANDS.contains(opt.getOpt())) {
                command = opt.getOpt().equals("v") ? 'U' : opt.getOpt().charAt(0);
                value = opt.getValue();
            }
        }
        String name = cl.getOptionValue("n");
        String delayText = cl.getOptionValue("d");
        if (command != 'R' && name == null) {
            return o.fail(64, "Command requires --name argument");
        } else if ((command == 'B' || command == 'Y') && delayText == null) {
            o.info("Warning: '" + command + "' command given without required --delay");
        }
        Duration delay = null;
        if (delayText != null) {
            try {
                delay = Values.delay(delayText);
            } catch (IllegalArgumentException e) {
                return o.fail(64, "Invalid --delay: " + e.getMessage());
            }
        }
        String node = cl.getOptionValue("N");
        if (command == 'Q') {
            return query(name, cl.hasOption("A") ? null : node == null ? attrd.localNode() : node, o);
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
            return o.fail(e.exitCode(), "Could not update " + name + "=" + (value == null ? "(null)" : value)
                + ": " + e.getMessage());
        }
    }

    private int query(String name, String node, Output o) {
        List<AttributeValue> values;
        try {
            values = attrd.query(name, node);
        } catch (AttrdError e) {
            return o.fail(e.exitCode(), "Could not query value of " + name + ": " + e.getMessage());
        }
        if (values.isEmpty()) {
            return o.fail(78, "Could not query value of " + name + ": attribute does not exist");
        }
        for (AttributeValue v : values) {
            o.attribute(v);
        }
        return 0;
    }

    /** The command line as Pacemaker quotes it for the {@code request} attribute ({@code pcmk__quote_cmdline()}). */
    static String request(List<String> args) {
        StringBuilder b = new StringBuilder(TOOL);
        for (String a : args) {
            b.append(' ');
            if (a.indexOf(' ') < 0) {
                b.append(a);
            } else {
                b.append('\'').append(a.replace("'", "\\'")).append('\'');
            }
        }
        return b.toString();
    }

    /**
     * Pacemaker's text and XML output formats for this tool: in text, informational lines and
     * {@link #line(AttributeValue)} on standard output and errors on standard error; in XML, one
     * {@code <pacemaker-result>} document on standard output with an {@code <attribute>} per value
     * ({@code attribute_xml()} in lib/pacemaker/pcmk_output.c), the exit status and the errors
     * ({@code xml_finish()} in lib/common/output_xml.c), informational lines left out.
     */
    static final class Output {
        private final boolean xml;
        private final PrintStream out;
        private final PrintStream err;
        private final String request;
        private final StringBuilder items = new StringBuilder();
        private final List<String> errors = new java.util.ArrayList<>();

        Output(boolean xml, PrintStream out, PrintStream err, String request) {
            this.xml = xml;
            this.out = out;
            this.err = err;
            this.request = request;
        }

        void info(String line) {
            if (!xml) {
                out.println(line);
            }
        }

        void attribute(AttributeValue v) {
            if (!xml) {
                out.println(line(v));
                return;
            }
            items.append("  <attribute name=\"").append(escape(v.name())).append("\" value=\"")
                .append(escape(v.value() == null ? "" : v.value())).append('"');
            if (v.node() != null && !v.node().isEmpty()) {
                items.append(" host=\"").append(escape(v.node())).append('"');
            }
            items.append("/>\n");
        }

        int fail(int status, String message) {
            if (xml) {
                errors.add(TOOL + ": " + message);
            } else {
                err.println(TOOL + ": " + message);
            }
            return status;
        }

        int finish(int status) {
            if (!xml) {
                return status;
            }
            StringBuilder b = new StringBuilder();
            b.append("<pacemaker-result api-version=\"2.25\" request=\"").append(escape(request)).append("\">\n");
            b.append(items);
            b.append("  <status code=\"").append(status).append("\" message=\"").append(escape(exitText(status)))
                .append('"');
            if (errors.isEmpty()) {
                b.append("/>\n");
            } else {
                b.append(">\n    <errors>\n");
                for (String e : errors) {
                    b.append("      <error>").append(escapeText(e)).append("</error>\n");
                }
                b.append("    </errors>\n  </status>\n");
            }
            b.append("</pacemaker-result>\n");
            out.print(b);
            return status;
        }
    }

    /** XML escaping of element text as libxml2 writes it. */
    static String escapeText(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** XML escaping of attribute values as libxml2 writes them. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\n' -> b.append("&#10;");
                case '\r' -> b.append("&#13;");
                case '\t' -> b.append("&#9;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** crm_exit_str() of the exit statuses this tool returns. */
    static String exitText(int code) {
        return switch (code) {
            case 0 -> "OK";
            case 1 -> "Error occurred";
            case 2 -> "Invalid parameter";
            case 64 -> "Incorrect usage";
            case 69 -> "Necessary service unavailable";
            case 78 -> "Invalid configuration";
            case 102 -> "Not connected";
            case 105 -> "No such object";
            case 106 -> "Quorum required";
            case 124 -> "Timeout occurred";
            default -> "Error occurred";
        };
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
