package org.vigil.shell.internal.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.vigil.kernel.api.command.UsageException;

/**
 * Getopt-style parsing of Pacemaker tool options: {@code --name value}, {@code --name=value}, {@code -x value},
 * flags without values. Not thread-safe (one per command call).
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
        List<Opt> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name;
            String value = null;
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                name = eq > 0 ? a.substring(2, eq) : a.substring(2);
                if (eq > 0) {
                    value = a.substring(eq + 1);
                }
            } else if (a.startsWith("-") && a.length() >= 2) {
                name = null;
                for (int k = 0; k + 1 < shortNames.length; k += 2) {
                    if (a.substring(0, 2).equals(shortNames[k])) {
                        name = shortNames[k + 1];
                    }
                }
                if (name == null) {
                    throw new UsageException(tool + ": unrecognized option '" + a + "'\nTry '" + tool + " --help'", 64);
                }
                if (a.length() > 2) {
                    value = a.substring(2);
                }
            } else {
                throw new UsageException(tool + ": unexpected argument '" + a + "'\nTry '" + tool + " --help'", 64);
            }
            if (withValue.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(tool + ": option --" + name + " requires a value", 64);
                    }
                    value = args.get(++i);
                }
            } else if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException(tool + ": option --" + name + " takes no value", 64);
                }
            } else {
                throw new UsageException(tool + ": unrecognized option '" + a + "'\nTry '" + tool + " --help'", 64);
            }
            out.add(new Opt(name, value));
        }
        return out;
    }
}
