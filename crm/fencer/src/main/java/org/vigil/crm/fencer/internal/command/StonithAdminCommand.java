package org.vigil.crm.fencer.internal.command;

import java.io.PrintStream;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.api.fencer.Fencer;
import org.vigil.crm.fencer.internal.FencerDiagnostics;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.spi.FenceAgent;

/**
 * {@code stonith_admin}, served by the fencer (Pacemaker 2.1.5's {@code tools/stonith_admin.c} and its output,
 * {@code lib/pacemaker/pcmk_fence.c}, {@code lib/fencing/st_output.c}): {@code -I/--list-installed},
 * {@code -M/--metadata -a AGENT}, {@code -L/--list-registered}, {@code -l/--list HOST}, {@code -B/--reboot},
 * {@code -F/--fence} (off), {@code -U/--unfence} (on), {@code -C/--confirm}, {@code -H/--history NODE|*} (with
 * {@code -V} every event, else the last successful one), {@code -t/--timeout SECONDS} (default 120).
 *
 * <p>The commands that use devices ({@code -L}, {@code -l}, {@code -B}, {@code -F}, {@code -U}) first print, on
 * standard error, each problem the fencer found in the CIB's fencing configuration (a device left out for a bad
 * parameter, an unknown {@code pcmk_*} option, a level naming a device the CIB lacks), naming its place, as the log
 * does: Pacemaker only logs them.
 *
 * <p>Registered with a higher ranking than the shell's agent-only {@code stonith_admin}, which serves
 * {@code -I}/{@code -M} while the fencer does not run.
 */
@Component(property = {AdminCommand.NAME + "=stonith_admin", "service.ranking:Integer=10",
    AdminCommand.DESCRIPTION + "=the fencer: fence, unfence or confirm a node, list devices, fencing history "
        + "(stonith_admin)"})
public final class StonithAdminCommand implements AdminCommand {

    static final String TOOL = "stonith_admin";
    static final String HELP = """
        Usage:
          stonith_admin [OPTION?]

        Access the Pacemaker fencing API

        Commands:
          -I, --list-installed        List installed agents
          -L, --list-registered       List registered devices
          -l, --list=HOST             List devices that can terminate the specified host
          -M, --metadata              Show agent metadata (needs --agent)
          -B, --reboot=HOST           Fence specified host with reboot
          -F, --fence=HOST            Fence specified host with off
          -U, --unfence=HOST          Unfence specified host (on)
          -H, --history=NODE          Show last successful fencing operation for named node ('*' for all
                                      nodes); with --verbose every operation
          -C, --confirm=HOST          Tell cluster that a node is down (it is not fenced: be sure it is)

        Additional Options:
          -a, --agent=AGENT           The agent to use (for example, fence_xvm; with --metadata)
          -t, --timeout=SECONDS       Operation timeout in seconds (default 120)
          -q, --quiet                 Be less descriptive in output
          -V, --verbose               Increase debug output""";

    private final Fencer fencer;
    private final Map<String, FenceAgent> agents = new ConcurrentHashMap<>();

    @Activate
    public StonithAdminCommand(@Reference Fencer fencer) {
        this.fencer = fencer;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindAgent(FenceAgent agent) {
        agents.put(agent.name(), agent);
    }

    void unbindAgent(FenceAgent agent) {
        agents.remove(agent.name(), agent);
    }

    static Options options() {
        Options o = new Options();
        for (String[] f : new String[][] {{"I", "list-installed"}, {"L", "list-registered"}, {"M", "metadata"},
            {"q", "quiet"}, {"V", "verbose"}, {"h", "help"}}) {
            o.addOption(Option.builder(f[0]).longOpt(f[1]).build());
        }
        for (String[] v : new String[][] {{"l", "list"}, {"B", "reboot"}, {"F", "fence"}, {"U", "unfence"},
            {"H", "history"}, {"C", "confirm"}, {"a", "agent"}, {"t", "timeout"}}) {
            o.addOption(Option.builder(v[0]).longOpt(v[1]).hasArg().build());
        }
        return o;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl;
        try {
            cl = DefaultParser.builder().setAllowPartialMatching(false).build()
                .parse(options(), args.toArray(new String[0]));
        } catch (UnrecognizedOptionException e) {
            return fail(err, 64, "Unknown option " + e.getOption() + "\n" + HELP);
        } catch (MissingArgumentException e) {
            return fail(err, 64, "Missing argument for --" + e.getOption().getLongOpt());
        } catch (ParseException e) {
            return fail(err, 64, e.getMessage());
        }
        if (cl.hasOption("h")) {
            out.println(HELP);
            return 0;
        }
        long timeoutS = 120;
        if (cl.hasOption("t")) {
            try {
                timeoutS = Long.parseLong(cl.getOptionValue("t").strip());
            } catch (NumberFormatException e) {
                return fail(err, 64, "Invalid --timeout '" + cl.getOptionValue("t") + "' (whole seconds)");
            }
            if (timeoutS <= 0) {
                timeoutS = 120;
            }
        }
        // the last command given wins, as with Pacemaker's option callbacks
        String command = null;
        String target = null;
        for (Option o : cl.getOptions()) {
            if ("ILMlBFUHC".indexOf(o.getOpt().charAt(0)) >= 0) {
                command = o.getOpt();
                target = o.getValue();
            }
        }
        if (command == null) {
            return fail(err, 64, "give a command\n" + HELP);
        }
        boolean verbose = cl.hasOption("V");
        boolean quiet = cl.hasOption("q");
        if ("LlBFU".contains(command) && fencer instanceof FencerDiagnostics d) {
            for (String p : d.configurationProblems()) {
                err.println(TOOL + ": warning: " + p);
            }
        }
        return switch (command) {
            case "I" -> listInstalled(out);
            case "M" -> metadata(cl.getOptionValue("a"), out, err);
            case "L" -> list(fencer.registeredDevices(), out);
            case "l" -> list(fencer.devicesFor(target).toCompletableFuture().get(timeoutS, TimeUnit.SECONDS), out);
            case "B" -> fence(target, FenceAction.REBOOT, timeoutS, err);
            case "F" -> fence(target, FenceAction.OFF, timeoutS, err);
            case "U" -> fence(target, FenceAction.ON, timeoutS, err);
            case "C" -> confirm(target, timeoutS, err);
            case "H" -> history(target, verbose, quiet, out);
            default -> throw new IllegalStateException(command);
        };
    }

    private int listInstalled(PrintStream out) {
        List<String> names = new ArrayList<>(new TreeMap<>(agents).keySet());
        return list(names, out);
    }

    /** A list as Pacemaker's plain text output prints it: the items, then {@code N fence devices found}. */
    private static int list(List<String> items, PrintStream out) {
        items.forEach(out::println);
        out.println(items.size() + " fence device" + (items.size() == 1 ? "" : "s") + " found");
        return 0;
    }

    private int metadata(String agent, PrintStream out, PrintStream err) {
        if (agent == null) {
            return fail(err, 64, "Please specify an agent to query using -a,--agent [value]");
        }
        FenceAgent f = agents.get(agent);
        if (f == null) {
            return fail(err, 105, "Can't get fence agent meta-data: " + agent + " is not installed on this node");
        }
        try {
            String xml = f.metaData();
            out.print(xml.endsWith("\n") ? xml : xml + "\n");
            return 0;
        } catch (Exception e) {
            return fail(err, 1, "Can't get fence agent meta-data: " + e.getMessage());
        }
    }

    private int fence(String target, FenceAction action, long timeoutS, PrintStream err) throws InterruptedException {
        String what = action == FenceAction.ON ? "unfence" : "fence";
        FenceEvent e;
        try {
            e = fencer.fence(target, action, TOOL, null).toCompletableFuture().get(timeoutS, TimeUnit.SECONDS);
        } catch (TimeoutException x) {
            return fail(err, 124, "Couldn't " + what + " " + target + ": Timer expired (still in progress: see "
                + "stonith_admin --history " + target + ")");
        } catch (ExecutionException x) {
            return fail(err, 1, "Couldn't " + what + " " + target + ": Error occurred (" + x.getCause() + ")");
        }
        if (e.state() == FenceEvent.State.DONE) {
            return 0;
        }
        String reason = e.reason() == null ? "" : e.reason();
        boolean noDevice = reason.startsWith("no fence device") || reason.startsWith("no fencing level");
        boolean timedOut = reason.contains("did not answer in time") || reason.contains("timed out");
        String rc = noDevice ? "No such device" : timedOut ? "Timer expired" : "Error occurred";
        return fail(err, noDevice ? 105 : timedOut ? 124 : 1, "Couldn't " + what + " " + target + ": " + rc
            + (reason.isEmpty() ? "" : " (" + reason + ")"));
    }

    private int confirm(String target, long timeoutS, PrintStream err) throws Exception {
        try {
            fencer.confirm(target, TOOL).toCompletableFuture().get(timeoutS, TimeUnit.SECONDS);
            return 0;
        } catch (TimeoutException e) {
            return fail(err, 124, "Couldn't confirm " + target + ": Timer expired");
        }
    }

    /**
     * Pacemaker's {@code pcmk__fence_history}: pending operations first, then the ended ones newest first; without
     * {@code --verbose} only the last successful one ({@code last-successful=}), else every one
     * ({@code completed=}), a failure followed by a later success saying so; then {@code N events found}.
     */
    private int history(String target, boolean verbose, boolean quiet, PrintStream out) {
        List<FenceEvent> all = new ArrayList<>(fencer.history("*".equals(target) ? null : target));
        all.sort(Comparator.comparing((FenceEvent e) -> e.ended()).thenComparing(FenceEvent::completedMs,
            Comparator.reverseOrder()));
        FenceEvent latest = null;
        for (FenceEvent e : all) {
            if (e.state() == FenceEvent.State.DONE && latest == null) {
                latest = e;
            }
        }
        int shown = 0;
        if (verbose && !quiet) {
            for (FenceEvent e : all) {
                out.println(e.describe(true, FenceEvent.laterSucceeded(e, all), true, ZoneId.systemDefault()));
                shown++;
            }
        } else if (latest != null) {
            if (quiet) {
                out.println(latest.completedMs() / 1000);
                return 0;
            }
            out.println(latest.describe(false, null, true, ZoneId.systemDefault()));
            shown++;
        }
        out.println(shown + " event" + (shown == 1 ? "" : "s") + " found");
        return 0;
    }

    /** Pacemaker's {@code crm_time_as_string} with date, time of day and time zone. */
    static String time(long epochMs) {
        return FenceEvent.time(epochMs, ZoneId.systemDefault());
    }

    private static int fail(PrintStream err, int status, String message) {
        err.println(TOOL + ": " + message);
        return status;
    }
}
