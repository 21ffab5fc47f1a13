package org.vigil.crm.internal.tools;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.controller.ControllerStatus;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.api.fencer.Fencer;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.MonitorText;
import org.vigil.crm.internal.scheduler.output.MonitorXml;
import org.vigil.crm.internal.scheduler.output.StatusPrinter;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;
import org.vigil.crm.toolsupport.JsonOutput;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code crm_mon}, the cluster status, with Pacemaker 2.1.5's options, text and XML ({@code tools/crm_mon.c},
 * {@code lib/pengine/pe_output.c}): the live CIB is unpacked by this bundle's scheduler as of now, and printed as
 * Pacemaker prints it: {@code -r} inactive resources, {@code -f} fail counts, {@code -A} node attributes,
 * {@code -n} resources grouped by node, {@code -R} details (node ids, feature sets, clone instances, failed actions in the technical form),
 * {@code --output-as=xml} (and the deprecated {@code -X}: the same document under a {@code <crm_mon>} root),
 * {@code -o} the operation history ({@code -t} with timing details), {@code -L[PREFIX]} the negative location
 * constraints, {@code -m[LEVEL]} how much of the fencing history, {@code -s} one line for a monitoring system ("CLUSTER OK: ..."
 * or "CLUSTER WARN: ...", exit 0 either way as Pacemaker 2.1.5's), and {@code --output-as=json}: the XML document turned into JSON by {@link JsonOutput}'s documented
 * rule (docs/tools-json.md).
 *
 * <p>The DC is the controller's when its service runs here (it knows the DC the moment one is elected), else the
 * CIB's {@code dc-uuid}. The stack is the CIB's {@code cluster-infrastructure}, and {@code corosync} (Vigil speaks
 * corosync's protocols) when the CIB names none, where Pacemaker prints "unknown".
 *
 * <p>Differences: every run is one-shot ({@code -1} is accepted and implied: there is no terminal behind the admin
 * socket to refresh, so the interactive, daemon, HTML and CGI modes are not offered). The fencing history is the
 * local fencer's, as with Pacemaker's default {@code --fence-history=1}: failed and pending operations.
 */
@Component(property = {AdminCommand.NAME + "=crm_mon",
    AdminCommand.DESCRIPTION + "=show the cluster status: crm_mon -1 [-r] [-f] [-A] [-n] [-o|-t] [-L] [-m LEVEL] [-R] [-s] "
        + "[--output-as=xml|json]"})
public final class CrmMonCommand implements AdminCommand {

    static final String TOOL = "crm_mon";
    /** CRM_EX_UNAVAILABLE: the cluster is not available on this node. */
    static final int EX_UNAVAILABLE = 69;

    /** The CIB, when its bundle runs (it may come and go: upgraded in place). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Cib cib;

    /** The controller, when its bundle runs: the DC as elected now. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Controller controller;

    /** The fencer, when its bundle runs: the failed and pending fencing operations. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Fencer fencer;

    private final ToolClock clock;

    @Activate
    public CrmMonCommand() {
        this(null, null, ToolClock.SYSTEM);
    }

    /** Outside OSGi (tests): given services (either may be null) and clock. */
    public CrmMonCommand(Cib cib, Controller controller, ToolClock clock) {
        this.cib = cib;
        this.controller = controller;
        this.clock = clock;
    }

    public static ToolOptions options() {
        return new ToolOptions(TOOL, "crm_mon [options]")
            .flag("1", "one-shot", "Display the cluster status once and exit (always: see the notes)")
            .flag("r", "inactive", "Display inactive resources")
            .flag("f", "failcounts", "Display resource fail counts")
            .flag("A", "show-node-attributes", "Display node attributes")
            .flag("n", "group-by-node", "Group resources by node")
            .flag("R", "show-detail", "Show more details (failed actions in the technical form)")
            .flag("j", "pending", "Display pending operations (deprecated: they always are)")
            .flag("D", "hide-headers", "Hide the Cluster Summary section (deprecated)")
            .flag("X", "as-xml", "Write the cluster status as XML (deprecated: use --output-as=xml)")
            .longValue("output-as", "FORMAT", "Output format: text (default) or xml")
            .flag("o", "operations", "Display resource operation history")
            .flag("t", "timing-details", "Display resource operation history with timing details")
            .optionalValue("L", "neg-locations", "PREFIX", "Display negative location constraints [optionally "
                + "filtered by id prefix]")
            .optionalValue("m", "fence-history", "LEVEL", "Show fence history: 0=off, 1=failures and pending "
                + "(default without option), 2=add successes (default without value), 3=show full history")
            .flag("s", "simple-status", "Display the cluster status once as a simple one line output (suitable for "
                + "nagios)")
            .flag("V", "verbose", "Increase debug output (accepted, no effect)")
            .flag("Q", "quiet", "Be less descriptive in output (accepted, no effect)");
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = options().parseOrHelp(args, out);
        if (cl == null) {
            return 0;
        }
        String format = cl.getOptionValue("output-as", "text");
        boolean legacyXml = cl.hasOption("as-xml");
        if (legacyXml) {
            format = "xml";
        }
        if (!format.equals("text") && !format.equals("xml") && !format.equals("json")) {
            throw new UsageException(TOOL + ": Invalid value for --output-as: " + format + " (text, xml or json)",
                64);
        }
        int fenceLevel = 1;
        if (cl.hasOption("fence-history")) {
            String v = cl.getOptionValue("fence-history");
            fenceLevel = v == null ? 2 : v.matches("[0-3]") ? Integer.parseInt(v) : -1;
            if (fenceLevel < 0) {
                throw new UsageException(TOOL + ": Fence history must be 0-3", 2);
            }
        }
        Cib c = cib;
        if (c == null) {
            err.println(TOOL + ": Error: cluster is not available on this node");
            return EX_UNAVAILABLE;
        }
        CibSnapshot snapshot = c.current();
        boolean xml = !format.equals("text");
        boolean timing = cl.hasOption("timing-details");
        StatusPrinter.Show show = new StatusPrinter.Show(xml || cl.hasOption("inactive"), true,
            cl.hasOption("group-by-node"), cl.hasOption("show-detail"));
        String bans = cl.hasOption("neg-locations")
            ? (cl.getOptionValue("neg-locations") == null ? "" : cl.getOptionValue("neg-locations")) : null;
        MonitorText.Options options = new MonitorText.Options(show, !cl.hasOption("hide-headers"),
            xml || cl.hasOption("show-node-attributes"),
            xml || cl.hasOption("failcounts"), "corosync", dcName(), cl.hasOption("operations") || timing, timing,
            bans);
        long now = clock.nowMillis();
        WorkingSet ws = ClusterState.unpack(snapshot.root(), clock);
        if (cl.hasOption("simple-status")) {
            String line = new MonitorText(options, clock.zone()).simpleStatus(ws);
            out.println(line);
            // Pacemaker 2.1.5 means to exit with MON_STATUS_WARN (1) on a warning, but its one-shot path exits 0
            // (as measured on Debian's build): the same here, scripts read the line
            return 0;
        }
        if (xml) {
            String doc = new MonitorXml(options, clock.zone(), legacyXml, commandLine(args)).print(ws, now / 1000);
            out.print(format.equals("json") ? JsonOutput.fromXml(doc, TOOL) : doc);
        } else {
            MonitorText text = new MonitorText(options, clock.zone());
            int[] counts = null;
            if (bans != null) {
                // the bans need the constraints, unpacked after the counts and before the rest is printed
                counts = MonitorText.counts(ws);
                Scheduler.unpackConstraints(ws);
            }
            StringBuilder status = new StringBuilder(text.print(ws, now / 1000, counts));
            boolean technical = cl.hasOption("show-detail");
            List<FenceEvent> history = fenceLevel == 0 ? List.of() : fenceHistory(fenceLevel >= 2);
            status.append(failedFencing(history, status.isEmpty(), technical, fenceLevel >= 2));
            if (bans != null) {
                text.bans(ws, status, !status.isEmpty());
            }
            status.append(fenceLevel >= 2 ? fullFencing(history, status.isEmpty(), technical)
                : pendingFencing(history, status.isEmpty(), technical));
            out.print(status);
        }
        return 0;
    }

    /**
     * The fencing history as {@code crm_mon} shows it: the local fencer's, sorted as {@code stonith__sort_history()}
     * does (pending first, then the newest), and unless {@code full} ({@code --fence-history} 2 or 3) reduced as
     * {@code reduce_fence_history()} does: of the ended operations with one target, action and result (and, for
     * failures, delegate) only the newest. Empty without a fencer.
     */
    List<FenceEvent> fenceHistory(boolean full) {
        Fencer f = fencer;
        if (f == null) {
            return List.of();
        }
        List<FenceEvent> sorted = new ArrayList<>(f.history(null));
        sorted.sort(Comparator.comparing(FenceEvent::ended).thenComparing(FenceEvent::completedMs,
            Comparator.reverseOrder()));
        if (full) {
            return sorted;
        }
        List<FenceEvent> history = new ArrayList<>();
        for (FenceEvent e : sorted) {
            boolean older = e.ended() && history.stream().anyMatch(k -> k.target().equalsIgnoreCase(e.target())
                && k.action() == e.action() && k.state() == e.state()
                && (e.state() == FenceEvent.State.DONE || java.util.Objects.equals(k.delegate(), e.delegate())));
            if (!older) {
                history.add(e);
            }
        }
        return history;
    }

    /**
     * The "Failed Fencing Actions" section ({@code failed_history()} of lib/fencing/st_output.c): the condensed
     * form ("... last failed at ..."), the technical one with {@code -R}, the full one ({@code completed=}) at
     * {@code --fence-history} 2 and 3.
     */
    String failedFencing(List<FenceEvent> history, boolean first, boolean technical, boolean full) {
        StringBuilder out = new StringBuilder();
        for (FenceEvent e : history) {
            if (e.state() == FenceEvent.State.FAILED) {
                out.append(out.isEmpty() ? (first ? "" : "\n") + "Failed Fencing Actions:\n" : "").append("  * ")
                    .append(e.describe(full, FenceEvent.laterSucceeded(e, history), technical, clock.zone()))
                    .append('\n');
            }
        }
        return out.toString();
    }

    /** The "Pending Fencing Actions" section ({@code pending_actions()} of lib/fencing/st_output.c). */
    String pendingFencing(List<FenceEvent> history, boolean first, boolean technical) {
        StringBuilder out = new StringBuilder();
        for (FenceEvent e : history) {
            if (e.ended()) {
                break;
            }
            if (out.isEmpty()) {
                out.append(first ? "" : "\n").append("Pending Fencing Actions:\n");
            }
            out.append("  * ").append(e.describe(false, null, technical, clock.zone())).append('\n');
        }
        return out.toString();
    }

    /**
     * The "Fencing History" section of {@code --fence-history} 2 and 3 ({@code full_history()} of
     * lib/fencing/st_output.c, from the first operation that did not fail): every operation, in the full form.
     */
    String fullFencing(List<FenceEvent> history, boolean first, boolean technical) {
        StringBuilder out = new StringBuilder();
        int start = 0;
        while (start < history.size() && history.get(start).state() == FenceEvent.State.FAILED) {
            start++;
        }
        for (FenceEvent e : history.subList(start, history.size())) {
            if (out.isEmpty()) {
                out.append(first ? "" : "\n").append("Fencing History:\n");
            }
            out.append("  * ").append(e.describe(true, FenceEvent.laterSucceeded(e, history), technical,
                clock.zone())).append('\n');
        }
        return out.toString();
    }

    /** The DC's name as the controller knows it ("" during an election), or null without a controller. */
    private String dcName() {
        Controller ctl = controller;
        if (ctl == null) {
            return null;
        }
        ControllerStatus s = ctl.status();
        return s.dc() == null ? "" : s.dc();
    }

    /** {@code request} of the XML result: the command line as typed. */
    static String commandLine(List<String> args) {
        StringBuilder s = new StringBuilder(TOOL);
        for (String a : args) {
            s.append(' ').append(a);
        }
        return s.toString();
    }
}
