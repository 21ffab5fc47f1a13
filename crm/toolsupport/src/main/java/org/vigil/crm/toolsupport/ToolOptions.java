package org.vigil.crm.toolsupport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.vigil.kernel.api.command.UsageException;

/**
 * Option parsing for the Pacemaker tools the CIB and scheduler bundles provide, with Apache Commons CLI: short and long forms
 * as the tools have them ({@code -o resources}, {@code --scope=resources}, {@code --scope resources}); an unknown
 * option or a missing value is a usage error with exit status 64 ({@code CRM_EX_USAGE}).
 *
 * <p>Not thread-safe: one per call.
 */
public final class ToolOptions {

    private final String tool;
    private final String usage;
    private final Options options = new Options();

    public ToolOptions(String tool, String usage) {
        this.tool = tool;
        this.usage = usage;
        flag("?", "help", "Show help options");
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
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(false).build()
                .parse(options, args.toArray(new String[0]));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage() + "\nTry '" + tool + " --help' for the options", 64);
        }
        if (cl.hasOption("help")) {
            throw new UsageException(help(), 0);
        }
        if (!allowArguments && !cl.getArgList().isEmpty()) {
            throw new UsageException("non-option arguments: " + String.join(" ", cl.getArgList()) + "\nTry '" + tool
                + " --help' for the options", 64);
        }
        return cl;
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

    public String help() {
        StringWriter w = new StringWriter();
        new HelpFormatter().printHelp(new PrintWriter(w), 110, usage, null, options, 2, 4, null);
        return w.toString().stripTrailing();
    }
}
