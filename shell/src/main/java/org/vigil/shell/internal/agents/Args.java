package org.vigil.shell.internal.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.UsageException;

/**
 * The options of the agent tools of this bundle ({@code crm_resource --list-agents ...}, {@code stonith_admin
 * --list-installed}) on the one option parser, {@link ToolOptions} (GLib's wording and exit status 64, as
 * Pacemaker's tools): {@code --name value}, {@code --name=value}, {@code -x value}, flags without values; every
 * word must be an option. Not thread-safe (one per command call).
 */
final class Args {

    /** One option as given: its canonical long name and value (null for flags). */
    record Opt(String name, String value) {
    }

    private Args() {
    }

    /**
     * @param args       the command's arguments
     * @param withValue  long names of options that take a value
     * @param flags      long names of options without a value
     * @param shortNames pairs of short and long names, e.g. {@code "-r", "resource"}
     */
    static List<Opt> parse(List<String> args, Set<String> withValue, Set<String> flags, String tool,
                           String... shortNames) throws UsageException {
        ToolOptions o = new ToolOptions(tool, tool + " [options]");
        for (String name : withValue) {
            String s = shortOf(name, shortNames);
            if (s == null) {
                o.longValue(name, "VALUE", name);
            } else {
                o.value(s, name, "VALUE", name);
            }
        }
        for (String name : flags) {
            String s = shortOf(name, shortNames);
            if (s == null) {
                o.longFlag(name, name);
            } else {
                o.flag(s, name, name);
            }
        }
        CommandLine cl;
        try {
            cl = o.parse(args, true);
        } catch (UsageException e) {
            if (e.status() == 0 && flags.contains("help")) {
                return List.of(new Opt("help", null));   // the tool prints its own help
            }
            throw e;
        }
        if (!cl.getArgList().isEmpty()) {
            throw new UsageException(tool + ": unexpected argument '" + cl.getArgList().get(0) + "'\nTry '" + tool
                + " --help'", 64);
        }
        List<Opt> out = new ArrayList<>();
        for (Option opt : cl.getOptions()) {
            out.add(new Opt(opt.getLongOpt(), opt.getValue()));
        }
        return out;
    }

    private static String shortOf(String name, String... shortNames) {
        for (int k = 0; k + 1 < shortNames.length; k += 2) {
            if (shortNames[k + 1].equals(name)) {
                return shortNames[k].substring(1);
            }
        }
        return null;
    }
}
