package org.vigil.crm.toolsupport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.apache.commons.cli.AmbiguousOptionException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;
import org.vigil.kernel.api.command.UsageException;

/**
 * The one option parser of Vigil's command-line tools, with Apache Commons CLI: short and long forms as the tools
 * have them ({@code -o resources}, {@code --scope=resources}, {@code --scope resources}, {@code -g key}). A bad
 * command line is answered in the wording and with the exit status of the real tool's own parser:
 * <ul>
 * <li>{@link Style#GLIB}, Pacemaker's tools (GLib's {@code g_option_context_parse()} as {@code pcmk__cmdline_parse()}
 *     reports it): {@code crm_node: Unknown option --bogus}, {@code crm_node: Missing argument for -N},
 *     {@code crmadmin: Error parsing option -t} (a value the option's callback refused), exit 64
 *     ({@code CRM_EX_USAGE});</li>
 * <li>{@link Style#GETOPT} and {@link Style#GETOPT_LONG}, corosync's tools (glibc's {@code getopt()} and
 *     {@code getopt_long()}): {@code corosync-cmapctl: invalid option -- 'Z'},
 *     {@code corosync-cfgtool: unrecognized option '--bogus'}, {@code corosync-cfgtool: option requires an argument
 *     -- 'k'}, exit 1 ({@code EXIT_FAILURE}), optionally followed by the tool's usage (corosync-quorumtool prints
 *     it).</li>
 * </ul>
 *
 * <p>Not thread-safe: one per call.
 */
public final class ToolOptions {

    /** Whose parser the messages imitate. */
    public enum Style {
        /** Pacemaker's tools: GLib option parsing, exit 64; {@code -?}/{@code --help} prints the help. */
        GLIB,
        /** glibc {@code getopt()}, short options only (a long option is {@code invalid option -- '-'}), exit 1. */
        GETOPT,
        /** glibc {@code getopt_long()}: long options too, unambiguous prefixes accepted, exit 1. */
        GETOPT_LONG,
        /**
         * Python's {@code getopt.gnu_getopt()} as pcs reports it ({@code Error: option --bogus not recognized},
         * exit 1): long options by unambiguous prefix, words and options in any order.
         */
        PYTHON_GETOPT
    }

    private final String tool;
    private final String usage;
    private final Style style;
    private final Options options = new Options();
    private String usageOnError;
    private List<String> lastArgs = List.of();

    /** A Pacemaker tool ({@link Style#GLIB}), with {@code -?}/{@code --help}. */
    public ToolOptions(String tool, String usage) {
        this(tool, usage, Style.GLIB);
    }

    private ToolOptions(String tool, String usage, Style style) {
        this.tool = tool;
        this.usage = usage;
        this.style = style;
        if (style == Style.GLIB) {
            flag("?", "help", "Show help options");
        }
    }

    /**
     * A corosync tool: getopt's messages and exit status 1; no help option is added (the tool declares its own
     * {@code -h}).
     *
     * @param longOptions the tool parses with {@code getopt_long()} (else {@code getopt()}: short options only)
     */
    public static ToolOptions getopt(String tool, String usage, boolean longOptions) {
        return new ToolOptions(tool, usage, longOptions ? Style.GETOPT_LONG : Style.GETOPT);
    }

    /** A tool that parses with Python's {@code getopt.gnu_getopt()} and says "Error: ..." (pcs), exit 1. */
    public static ToolOptions pythonGetopt(String tool, String usage) {
        return new ToolOptions(tool, usage, Style.PYTHON_GETOPT);
    }

    /** Text printed after a parse error's line (corosync-quorumtool prints its usage there). */
    public ToolOptions usageOnError(String text) {
        this.usageOnError = text;
        return this;
    }

    /** A flag with only a short form (corosync's tools). */
    public ToolOptions shortFlag(String shortName, String description) {
        options.addOption(Option.builder(shortName).desc(description).build());
        return this;
    }

    /** An option with a value and only a short form (corosync's tools). */
    public ToolOptions shortValue(String shortName, String argName, String description) {
        options.addOption(Option.builder(shortName).hasArg().argName(argName).desc(description).build());
        return this;
    }

    public ToolOptions flag(String shortName, String longName, String description) {
        options.addOption(Option.builder(shortName).longOpt(longName).desc(description).build());
        return this;
    }

    public ToolOptions value(String shortName, String longName, String argName, String description) {
        options.addOption(Option.builder(shortName).longOpt(longName).hasArg().argName(argName).desc(description)
            .build());
        return this;
    }

    /** An option whose value may be left out ({@code -p} or {@code --promotion=RSC}). */
    public ToolOptions optionalValue(String shortName, String longName, String argName, String description) {
        options.addOption(Option.builder(shortName).longOpt(longName).optionalArg(true).numberOfArgs(1)
            .argName(argName).desc(description).build());
        return this;
    }

    /** A long-only option (a deprecated spelling, or one without a short form). */
    public ToolOptions longFlag(String longName, String description) {
        options.addOption(Option.builder().longOpt(longName).desc(description).build());
        return this;
    }

    /** A long-only option with a value. */
    public ToolOptions longValue(String longName, String argName, String description) {
        options.addOption(Option.builder().longOpt(longName).hasArg().argName(argName).desc(description).build());
        return this;
    }

    /** Parses; {@code --help} is answered by throwing a UsageException with status 0 carrying the help text. */
    public CommandLine parse(List<String> args) throws UsageException {
        return parse(args, false);
    }

    /** Parses; with {@code allowArguments}, arguments that are not options are left in the command line's list. */
    public CommandLine parse(List<String> args, boolean allowArguments) throws UsageException {
        CommandLine cl;
        lastArgs = List.copyOf(args);
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(style == Style.GETOPT_LONG
                    || style == Style.PYTHON_GETOPT).build()
                .parse(options, joinValues(args));
        } catch (AmbiguousOptionException e) {
            throw error(style == Style.PYTHON_GETOPT ? "option " + e.getOption() + " not a unique prefix"
                : style == Style.GETOPT_LONG ? "option '" + e.getOption() + "' is ambiguous" : e.getMessage());
        } catch (UnrecognizedOptionException e) {
            throw error(unknown(e.getOption()));
        } catch (MissingArgumentException e) {
            throw error(missing(e.getOption()));
        } catch (ParseException e) {
            throw error(e.getMessage());
        }
        if (style == Style.GLIB && cl.hasOption("help")) {
            throw new UsageException(help(), 0);
        }
        if (!allowArguments && !cl.getArgList().isEmpty()) {
            throw new UsageException("non-option arguments: " + String.join(" ", cl.getArgList()) + "\nTry '" + tool
                + " --help' for the options", exitStatus());
        }
        return cl;
    }

    /**
     * An option that needs a value takes the next word, whatever it looks like, as GLib and getopt do
     * ({@code crmadmin -t -D} is a timeout of "-D"; {@code corosync-cfgtool -k -s} a node id of "-s"): Commons CLI
     * would take a word starting with '-' for an option, so such a pair is passed joined ({@code --timeout=-D},
     * {@code -k-s}).
     */
    private String[] joinValues(List<String> args) throws UsageException {
        List<String> out = new java.util.ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                out.addAll(args.subList(i, args.size()));
                break;
            }
            Option o = null;
            if (a.startsWith("--") && a.length() > 2 && !a.contains("=")) {
                o = style == Style.GETOPT_LONG || style == Style.PYTHON_GETOPT ? longOption(a.substring(2))
                    : options.getOption(a.substring(2));
                if (o != null && style != Style.GETOPT_LONG && style != Style.PYTHON_GETOPT
                    && !a.substring(2).equals(o.getLongOpt())) {
                    o = null;
                }
            } else if (a.length() == 2 && a.charAt(0) == '-' && a.charAt(1) != '-') {
                o = options.hasShortOption(a.substring(1)) ? options.getOption(a.substring(1)) : null;
            }
            if (o != null && o.hasOptionalArg() && style == Style.GLIB && i + 1 < args.size()
                && args.get(i + 1).startsWith("-") && args.get(i + 1).length() > 1 && !declared(args.get(i + 1))) {
                // GLib gives an optional value only a word that does not start with '-' (Commons CLI would take
                // "--bogus=1" or "-1" as the value): such a word is an option, and an unknown one
                throw error(unknown(args.get(i + 1)));
            }
            if (o != null && o.hasArg() && !o.hasOptionalArg() && i + 1 < args.size()
                && args.get(i + 1).startsWith("-") && !args.get(i + 1).isEmpty()) {
                String v = args.get(++i);
                out.add(a.startsWith("--") ? a + "=" + v : a + v);
            } else {
                out.add(a);
            }
        }
        return out.toArray(new String[0]);
    }

    /** The exit status of a usage error: 64 ({@code CRM_EX_USAGE}) for Pacemaker's tools, 1 for corosync's. */
    public int exitStatus() {
        return style == Style.GLIB ? 64 : 1;
    }

    /**
     * The error for a value the option does not take, as the real tool says it: GLib's {@code Error parsing option
     * -t} (the spelling typed) for Pacemaker's tools; corosync's tools word their own, so they pass {@code message}.
     *
     * @param opt     the option's short or long name
     * @param message the tool's own message (corosync), or null for GLib's
     */
    public UsageException badValue(String opt, String message) {
        if (message != null) {
            return new UsageException(message, exitStatus());
        }
        return error("Error parsing option " + typed(options.getOption(opt)));
    }

    private UsageException error(String line) {
        String text = style == Style.PYTHON_GETOPT ? "Error: " + line : tool + ": " + line;
        if (usageOnError != null) {
            text += "\n" + usageOnError.stripTrailing();
        }
        return new UsageException(text, exitStatus());
    }

    /** The unknown option as the real parser names it: the first unknown letter of a cluster of short options. */
    private String unknown(String token) {
        boolean isLong = token.startsWith("--");
        if (isLong) {
            String name = token.contains("=") ? token.substring(0, token.indexOf('=')) : token;
            return switch (style) {
                case GLIB -> "Unknown option " + token;
                case GETOPT -> "invalid option -- '-'";
                case GETOPT_LONG -> "unrecognized option '" + name + "'";
                case PYTHON_GETOPT -> {
                    Option o = longOption(name.substring(2));
                    yield o != null && !o.hasArg() && token.contains("=")
                        ? "option --" + o.getLongOpt() + " must not have an argument"
                        : "option " + name + " not recognized";
                }
            };
        }
        char bad = token.length() > 1 ? token.charAt(1) : '-';
        for (int i = 1; i < token.length(); i++) {
            Option o = options.getOption(String.valueOf(token.charAt(i)));
            if (o == null || !options.hasShortOption(String.valueOf(token.charAt(i)))) {
                bad = token.charAt(i);
                break;
            }
            if (o.hasArg()) {
                break;
            }
        }
        return switch (style) {
            case GLIB -> "Unknown option -" + bad;
            case PYTHON_GETOPT -> "option -" + bad + " not recognized";
            default -> "invalid option -- '" + bad + "'";
        };
    }

    private String missing(Option o) {
        String spelled = typed(o);
        if (style == Style.GLIB) {
            return "Missing argument for " + spelled;
        }
        if (style == Style.PYTHON_GETOPT) {
            return "option " + (spelled.startsWith("--") ? "--" + o.getLongOpt() : spelled) + " requires argument";
        }
        return spelled.startsWith("--") ? "option '" + spelled + "' requires an argument"
            : "option requires an argument -- '" + spelled.substring(1) + "'";
    }

    /** Whether the word names a declared option (a long one exactly, or the first letter of short ones). */
    private boolean declared(String word) {
        if (word.startsWith("--")) {
            String name = word.contains("=") ? word.substring(2, word.indexOf('=')) : word.substring(2);
            return options.hasLongOption(name);
        }
        return options.hasShortOption(word.substring(1, 2));
    }

    /** The long option named exactly, or by a unique prefix (Python's and getopt_long's rule), else null. */
    private Option longOption(String name) {
        Option exact = null;
        Option prefixed = null;
        int matches = 0;
        for (Option o : options.getOptions()) {
            if (o.getLongOpt() == null) {
                continue;
            }
            if (o.getLongOpt().equals(name)) {
                exact = o;
            } else if (o.getLongOpt().startsWith(name)) {
                prefixed = o;
                matches++;
            }
        }
        return exact != null ? exact : matches == 1 ? prefixed : null;
    }

    /** How the user spelled the option in the last parse ({@code -t} or {@code --timeout}), short form if unknown. */
    private String typed(Option o) {
        if (o == null) {
            return "?";
        }
        String found = null;
        for (String a : lastArgs) {
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (o.getLongOpt() != null && name.startsWith("--") && name.length() > 2
                && o.getLongOpt().startsWith(name.substring(2))) {
                found = name;
            } else if (o.getOpt() != null && a.startsWith("-" + o.getOpt()) && !a.startsWith("--")) {
                found = "-" + o.getOpt();
            }
        }
        if (found != null) {
            return found;
        }
        return o.getOpt() != null ? "-" + o.getOpt() : "--" + o.getLongOpt();
    }

    /** Every spelling of every option ({@code -x}, {@code --xml-file}), in declaration order. */
    public List<String> spellings() {
        List<String> all = new java.util.ArrayList<>();
        for (Option o : options.getOptions()) {
            if (o.getOpt() != null) {
                all.add("-" + o.getOpt());
            }
            if (o.getLongOpt() != null) {
                all.add("--" + o.getLongOpt());
            }
        }
        return all;
    }

    /**
     * The help text. Pacemaker's tools (GLib) begin it with "Usage:" and the tool's synopsis on the next line, as
     * GLib's help does; the options follow in Commons CLI's layout.
     */
    public String help() {
        StringWriter w = new StringWriter();
        if (style == Style.GLIB) {
            new HelpFormatter().printHelp(new PrintWriter(w), 110, "Usage:\n  " + usage + "\n\nOptions:", null,
                options, 2, 4, null);
            String text = w.toString();
            text = text.startsWith("usage: ") ? text.substring("usage: ".length()) : text;
            return text.stripTrailing();
        }
        new HelpFormatter().printHelp(new PrintWriter(w), 110, usage, null, options, 2, 4, null);
        return w.toString().stripTrailing();
    }
}
