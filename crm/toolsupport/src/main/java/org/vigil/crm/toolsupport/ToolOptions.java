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
 * <li>{@link Style#PYTHON_GETOPT}, pcs (Python's {@code getopt.gnu_getopt()}): {@code Error: option --bogus not
 *     recognized}, exit 1;</li>
 * <li>{@link Style#ARGPARSE}, crmsh (Python's {@code argparse}, {@code parse_known_args()} with the subcommand
 *     as {@code REMAINDER}): the usage, then {@code crm: error: argument -f/--file: expected one argument}, exit 2;
 *     options are read up to the first word that is not one, the rest is the subcommand's.</li>
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
        PYTHON_GETOPT,
        /**
         * Python's {@code argparse} as crmsh 4.4's {@code crm} uses it ({@code parse_known_args()}, the subcommand
         * a {@code REMAINDER}): options up to the first word that is not one, long options by unambiguous prefix,
         * {@code -h}/{@code --help}; errors are the usage and {@code crm: error: ...}, exit 2.
         */
        ARGPARSE
    }

    private final String tool;
    private final String usage;
    private final Style style;
    private final Options options = new Options();
    private String usageOnError;
    private List<String> lastArgs = List.of();
    /** Argparse: unknown options are dropped, as {@code parse_known_args()} leaves them aside. */
    private boolean ignoreUnknown;
    /** Argparse: options among the arguments too. */
    private boolean interspersed;
    /** Argparse: long options matched only when spelled in full (Vigil's own, not the real tool's). */
    private final java.util.Set<String> exactOnly = new java.util.HashSet<>();
    /** GLib: {@code -h} is help when the tool has no {@code -h} of its own (GLib's context_has_h_entry()). */
    private boolean glibH;

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

    /**
     * A tool that parses with Python's {@code argparse} (crmsh's {@code crm}), with {@code -h}/{@code --help}:
     * errors are the usage line and {@code TOOL: error: ...}, exit 2.
     *
     * @param usage the usage text after {@code usage: }, as argparse prints it
     */
    public static ToolOptions argparse(String tool, String usage) {
        return new ToolOptions(tool, usage, Style.ARGPARSE).flag("h", "help", "show this help message and exit");
    }

    /**
     * Argparse: unknown options are not refused, as {@code parse_known_args()} leaves them aside: dropped before the
     * subcommand (crm's own options), or, {@link #interspersed()}, left among the arguments in their place.
     */
    public ToolOptions ignoreUnknown() {
        this.ignoreUnknown = true;
        return this;
    }

    /**
     * Argparse: options are read among the arguments too (a parser with no {@code REMAINDER}: crmsh's
     * {@code node standby [--all | NODE...]}), not only before the first argument.
     */
    public ToolOptions interspersed() {
        this.interspersed = true;
        return this;
    }

    /**
     * Argparse: these long options are matched only when spelled in full (options Vigil adds to a real tool's, so
     * that an abbreviation resolves, or is ambiguous, as with the real tool).
     */
    public ToolOptions exactOnly(String... longNames) {
        exactOnly.addAll(List.of(longNames));
        return this;
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
        prepare();
        String[] tokens = style == Style.ARGPARSE ? argparseTokens(args) : joinValues(args);
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(style == Style.GETOPT_LONG
                    || style == Style.PYTHON_GETOPT).build()
                .parse(options, tokens);
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
        if (style == Style.GLIB && (cl.hasOption("help") || glibH && cl.hasOption("h"))) {
            throw new UsageException(help(), 0);
        }
        if (!allowArguments && !cl.getArgList().isEmpty()) {
            throw new UsageException("non-option arguments: " + String.join(" ", cl.getArgList()) + "\nTry '" + tool
                + " --help' for the options", exitStatus());
        }
        return cl;
    }

    /**
     * Parses, or prints the help: the help asked for ({@code --help}) is printed on {@code out} and null returned
     * (the tool then exits 0); a bad command line throws the tool's UsageException.
     *
     * @param allowArguments arguments that are not options are left in the command line's list
     * @return the command line, or null when the help was printed
     */
    public CommandLine parseOrHelp(List<String> args, boolean allowArguments, java.io.PrintStream out)
        throws UsageException {
        try {
            return parse(args, allowArguments);
        } catch (UsageException e) {
            if (e.status() == 0) {
                out.println(e.getMessage());
                return null;
            }
            throw e;
        }
    }

    /** As {@link #parseOrHelp(List, boolean, java.io.PrintStream)} with no arguments allowed but options. */
    public CommandLine parseOrHelp(List<String> args, java.io.PrintStream out) throws UsageException {
        return parseOrHelp(args, false, out);
    }

    /** What {@link #parseOrExit} read: the command line, or (line null) the status the tool exits with. */
    public record Parsed(CommandLine line, int status) {
    }

    /**
     * Parses, for a tool that prints its own errors: the help asked for is printed on {@code out} (status 0), a bad
     * command line's error on {@code err} as it is (status: the tool's usage status); then the line is null.
     */
    public Parsed parseOrExit(List<String> args, boolean allowArguments, java.io.PrintStream out,
                              java.io.PrintStream err) {
        try {
            CommandLine cl = parseOrHelp(args, allowArguments, out);
            return new Parsed(cl, 0);
        } catch (UsageException e) {
            err.println(e.getMessage().stripTrailing());
            return new Parsed(null, e.status());
        }
    }

    /** A tool's work, which may end in a UsageException. */
    @FunctionalInterface
    public interface Body {
        int run() throws Exception;
    }

    /**
     * Runs a tool that prints its own usage errors: a UsageException from {@code body} is printed as it is (the help,
     * status 0, on {@code out}; an error on {@code err}, the real tool's own wording) and its status returned.
     */
    public static int printingUsage(java.io.PrintStream out, java.io.PrintStream err, Body body) throws Exception {
        try {
            return body.run();
        } catch (UsageException e) {
            (e.status() == 0 ? out : err).println(e.getMessage());
            return e.status();
        }
    }

    /** Once the tool's options are declared: GLib's {@code -h} for help where the tool has no {@code -h}. */
    private void prepare() {
        if (style == Style.GLIB && !glibH && !options.hasShortOption("h")) {
            options.addOption(Option.builder("h").desc("Show help options").build());
            glibH = true;
        }
    }

    /**
     * Argparse's reading ({@code _parse_known_args()} of Python 3.11) turned into tokens Commons CLI reads without
     * guessing: each option found by its exact name or an unambiguous prefix of a long name, written
     * {@code --name=value} (or {@code -X=value}); a flag's letters in one word ({@code -wF}) one by one; the first
     * word that is not an option, and all after it, the subcommand's (after {@code --}). Unknown options are dropped
     * ({@link #ignoreUnknown()}) or refused ({@code unrecognized arguments: ...}); {@code -h}/{@code --help} is
     * answered where argparse meets it, before any later error.
     */
    private String[] argparseTokens(List<String> args) throws UsageException {
        List<String> out = new java.util.ArrayList<>();
        List<String> unknown = new java.util.ArrayList<>();
        List<String> words = new java.util.ArrayList<>();
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (!optionLike(a)) {
                if (interspersed && !a.equals("--")) {
                    words.add(a);
                    continue;
                }
                break;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                Option o = argparseLong(a, name);
                if (o == null) {
                    unknown.add(a);
                    words.add(a);
                    continue;
                }
                String spelled = "--" + o.getLongOpt();
                if (!o.hasArg()) {
                    if (eq >= 0) {
                        throw error("argument " + argparseName(o) + ": ignored explicit argument '"
                            + a.substring(eq + 1) + "'");
                    }
                    helpIfAsked(o);
                    out.add(spelled);
                    continue;
                }
                String v = eq >= 0 ? a.substring(eq + 1) : null;
                if (v == null) {
                    if (i + 1 >= args.size() || optionLike(args.get(i + 1))) {
                        throw error("argument " + argparseName(o) + ": expected one argument");
                    }
                    v = args.get(++i);
                }
                out.add(spelled + "=" + v);
                continue;
            }
            // one dash: -fVALUE, -f=VALUE, -f VALUE, or flags in one word (-wF)
            int eq = a.indexOf('=');
            Option o;
            String rest;
            if (eq == 2 && options.hasShortOption(a.substring(1, 2))) {
                o = options.getOption(a.substring(1, 2));
                rest = a.substring(3);
            } else if (options.hasShortOption(a.substring(1, 2))) {
                o = options.getOption(a.substring(1, 2));
                rest = a.length() > 2 ? a.substring(2) : null;
            } else {
                unknown.add(a);
                words.add(a);
                continue;
            }
            while (!o.hasArg()) {
                helpIfAsked(o);
                out.add("-" + o.getOpt());
                if (rest == null) {
                    break;
                }
                if (rest.isEmpty() || !options.hasShortOption(rest.substring(0, 1))) {
                    throw error("argument " + argparseName(o) + ": ignored explicit argument '" + rest + "'");
                }
                o = options.getOption(rest.substring(0, 1));
                rest = rest.length() > 1 ? rest.substring(1) : null;
            }
            if (o.hasArg()) {
                if (rest == null) {
                    if (i + 1 >= args.size() || optionLike(args.get(i + 1))) {
                        throw error("argument " + argparseName(o) + ": expected one argument");
                    }
                    rest = args.get(++i);
                }
                out.add(o.getLongOpt() != null ? "--" + o.getLongOpt() + "=" + rest : "-" + o.getOpt() + "=" + rest);
            }
        }
        if (!unknown.isEmpty() && !ignoreUnknown) {
            throw error("unrecognized arguments: " + String.join(" ", unknown));
        }
        if (!interspersed) {
            words.removeAll(unknown);
        }
        words.addAll(args.subList(i, args.size()));
        if (!words.isEmpty()) {
            out.add("--");
            out.addAll(words);
        }
        return out.toArray(new String[0]);
    }

    /** Argparse answers {@code -h} when it reads it, before any error later on the line. */
    private void helpIfAsked(Option o) throws UsageException {
        if ("help".equals(o.getLongOpt())) {
            throw new UsageException(help(), 0);
        }
    }

    /**
     * Whether argparse takes the word for an option ('O' in its pattern): it starts with '-', is not '-' alone nor
     * a negative number (the tools have no option that looks like one), and has no space.
     */
    private static boolean optionLike(String a) {
        return a.startsWith("-") && a.length() > 1 && !a.equals("--") && !a.contains(" ")
            && !a.matches("-\\d+|-\\d*\\.\\d+");
    }

    /** Argparse's name of an option in its errors: every spelling, {@code -f/--file}. */
    private static String argparseName(Option o) {
        return o.getOpt() == null ? "--" + o.getLongOpt()
            : o.getLongOpt() == null ? "-" + o.getOpt() : "-" + o.getOpt() + "/--" + o.getLongOpt();
    }

    /** The long option argparse finds for {@code --name}: exact, or the one it is a prefix of; null if none. */
    private Option argparseLong(String token, String name) throws UsageException {
        if (options.hasLongOption(name)) {
            return options.getOption(name);
        }
        List<String> matches = new java.util.ArrayList<>();
        Option found = null;
        for (Option o : options.getOptions()) {
            if (o.getLongOpt() != null && o.getLongOpt().startsWith(name) && !exactOnly.contains(o.getLongOpt())) {
                matches.add("--" + o.getLongOpt());
                found = o;
            }
        }
        if (matches.size() > 1) {
            throw error("ambiguous option: " + token + " could match " + String.join(", ", matches));
        }
        return found;
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
        return style == Style.GLIB ? 64 : style == Style.ARGPARSE ? 2 : 1;
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
        if (style == Style.ARGPARSE) {
            return new UsageException("usage: " + usage.stripTrailing() + "\n" + tool + ": error: " + line,
                exitStatus());
        }
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
                case ARGPARSE -> "unrecognized arguments: " + token;
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
        prepare();
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
