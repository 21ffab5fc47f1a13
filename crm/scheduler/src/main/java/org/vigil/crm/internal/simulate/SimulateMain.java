package org.vigil.crm.internal.simulate;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.vigil.crm.api.CibException;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.toolsupport.ToolOptions;

/**
 * {@code vigil simulate} / {@code crm_simulate}: runs the scheduler on a CIB file and prints what Pacemaker's
 * crm_simulate prints (current status, transition summary, and with -S the simulated revised status). A plain
 * JVM main: no framework starts.
 *
 * <pre>
 * vigil simulate --xml-file FILE [-S|--simulate] [-s|--show-scores]
 * vigil simulate -x FILE [-S] [-s]                      (crm_simulate spelling)
 * vigil simulate --batch DIR --out OUTDIR [-S] [-s]    every DIR/*.xml to OUTDIR/NAME.txt, one JVM
 * </pre>
 * Exit status: 0 success, 64 (CRM_EX_USAGE) a bad command line or an option of crm_simulate's that Vigil's does not
 * carry out (not 3, CRM_EX_UNIMPLEMENT_FEATURE: the node's child JVM ends with 3 when out of memory), 78
 * (CRM_EX_CONFIG) invalid CIB, 66 unreadable input.
 *
 * <p>Follows tools/crm_simulate.c (options and exit statuses).
 */
public final class SimulateMain {

    /** The synopsis in the help (GLib's "Usage:" line). */
    static final String USAGE = "crm_simulate [OPTION?]\n\ncrm_simulate - simulate a Pacemaker cluster's response to "
        + "events\n(Vigil: also vigil simulate --batch DIR --out OUTDIR [-S] [-s])";

    /** CRM_EX_USAGE: a bad command line, or an option Vigil's crm_simulate does not carry out. */
    static final int USAGE_STATUS = 64;

    /**
     * The options of Pacemaker 2.1.5's crm_simulate (tools/crm_simulate.c: its GOptionEntry groups, GLib's parser),
     * with Vigil's {@code --batch DIR --out OUTDIR}. The ones Vigil does not carry out are declared all the same, so
     * that a bad command line is answered as crm_simulate answers it, and a good one with what is missing.
     */
    static ToolOptions options() {
        return new ToolOptions("crm_simulate", USAGE)
            // output
            .longValue("output-as", "FORMAT", "Specify output format as one of: text (default), xml")
            .longValue("output-to", "DEST", "Specify file name for output (or \"-\" for stdout)")
            .longFlag("text-fancy", "Use more highly formatted output (requires --output-as=text)")
            // operations
            .flag("R", "run", "Process the supplied input and show what actions the cluster will take in response")
            .flag("S", "simulate", "Like --run, but also simulate taking those actions and show the resulting new "
                + "status")
            .flag("X", "in-place", "Like --simulate, but also store the results back to the input file")
            .flag("A", "show-attrs", "Show node attributes")
            .flag("c", "show-failcounts", "Show resource fail counts")
            .flag("s", "show-scores", "Show allocation scores")
            .flag("U", "show-utilization", "Show utilization information")
            .value("P", "profile", "DIR", "Process all the XML files in the named directory to create profiling data")
            .value("N", "repeat", "N", "With --profile, repeat each test N times and print timings")
            // synthetic cluster events
            .value("u", "node-up", "NODE", "Simulate bringing a node online")
            .value("d", "node-down", "NODE", "Simulate taking a node offline")
            .value("f", "node-fail", "NODE", "Simulate a node failing")
            .value("i", "op-inject", "OPSPEC", "Generate a failure for the cluster to react to in the simulation")
            .value("F", "op-fail", "OPSPEC", "If the specified task occurs during the simulation, have it fail")
            .value("t", "set-datetime", "DATETIME", "Set date/time (ISO 8601 format)")
            .value("q", "quorum", "QUORUM", "Set to '1' (or 'true') to indicate cluster has quorum")
            .value("w", "watchdog", "DEVICE", "Set to '1' (or 'true') to indicate cluster has an active watchdog "
                + "device")
            .value("g", "ticket-grant", "TICKET", "Simulate granting a ticket")
            .value("r", "ticket-revoke", "TICKET", "Simulate revoking a ticket")
            .value("b", "ticket-standby", "TICKET", "Simulate making a ticket standby")
            .value("e", "ticket-activate", "TICKET", "Simulate activating a ticket")
            // artifacts
            .value("I", "save-input", "FILE", "Save the input configuration to the named file")
            .value("O", "save-output", "FILE", "Save the output configuration to the named file")
            .value("G", "save-graph", "FILE", "Save the transition graph (XML format) to the named file")
            .value("D", "save-dotfile", "FILE", "Save the transition graph (DOT format) to the named file")
            .flag("a", "all-actions", "Display all possible actions in DOT graph (even if not part of transition)")
            // data source
            .flag("L", "live-check", "Connect to CIB manager and use the current CIB contents as input")
            .value("x", "xml-file", "FILE", "Retrieve XML from the named file")
            .flag("p", "xml-pipe", "Retrieve XML from stdin")
            // application
            .flag("$", "version", "Display software version and exit")
            .flag("V", "verbose", "Increase debug output (may be specified multiple times)")
            .flag("Q", "quiet", "Display only essential output")
            // Vigil's
            .longValue("batch", "DIR", "(Vigil) run every DIR/*.xml in this JVM, writing OUTDIR/NAME.txt")
            .longValue("out", "OUTDIR", "(Vigil) where --batch writes its results");
    }

    /** The options crm_simulate has and Vigil's does not carry out (long names). */
    private static final List<String> UNIMPLEMENTED = List.of("show-attrs", "show-failcounts", "show-utilization",
        "profile", "repeat", "node-up", "node-down", "node-fail", "op-inject", "op-fail", "set-datetime", "quorum",
        "watchdog", "ticket-grant", "ticket-revoke", "ticket-standby", "ticket-activate", "save-dotfile",
        "all-actions", "live-check");

    private SimulateMain() {
    }

    /** The command line: the one place that reads the clock and the system zone for {@code vigil simulate}. */
    public static void main(String[] args) {
        int rc = run(args, System.in, System.out, System.err, java.time.Instant.now(),
            java.time.ZoneId.systemDefault());
        System.out.flush();
        System.exit(rc);
    }

    /**
     * Runs the command; returns the exit status. Never throws.
     *
     * @param clock the time to schedule at when a CIB has no {@code execution-date}
     * @param zone  the zone of date/times without an offset in rules
     */
    public static int run(String[] args, PrintStream out, PrintStream err, java.time.Instant clock,
                          java.time.ZoneId zone) {
        return run(args, InputStream.nullInputStream(), out, err, clock, zone);
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream, java.time.Instant, java.time.ZoneId)}, with the standard
     * input {@code --xml-pipe} reads the CIB from.
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, java.time.Instant clock,
                          java.time.ZoneId zone) {
        ToolOptions.Parsed parsed = options().parseOrExit(List.of(args), false, out, err);
        CommandLine cl = parsed.line();
        if (cl == null) {
            return parsed.status();
        }
        if (cl.hasOption("version")) {
            out.println("Pacemaker 2.1.5 (Vigil)");
            return 0;
        }
        for (Option o : cl.getOptions()) {
            if (UNIMPLEMENTED.contains(o.getLongOpt())) {
                err.println("crm_simulate: --" + o.getLongOpt() + " is not offered by Vigil's crm_simulate");
                return USAGE_STATUS;
            }
        }
        String format = cl.getOptionValue("output-as", "text");
        if (!format.equals("text")) {
            err.println(format.equals("xml") ? "crm_simulate: --output-as=xml is not offered by Vigil's crm_simulate"
                : "Error creating output format " + format + ": Unknown output format");
            return format.equals("xml") ? USAGE_STATUS : 105;
        }
        if (cl.hasOption("output-to") && !cl.getOptionValue("output-to").equals("-")) {
            err.println("crm_simulate: --output-to is not offered by Vigil's crm_simulate");
            return USAGE_STATUS;
        }
        String file = cl.getOptionValue("xml-file");
        boolean pipe = cl.hasOption("xml-pipe");
        boolean inPlace = cl.hasOption("in-place");
        String saveOutput = inPlace ? file : cl.getOptionValue("save-output");
        String saveGraph = cl.getOptionValue("save-graph");
        String saveInput = cl.getOptionValue("save-input");
        String batch = cl.getOptionValue("batch");
        String outDir = cl.getOptionValue("out");
        boolean simulate = cl.hasOption("simulate") || inPlace;
        boolean scores = cl.hasOption("show-scores");
        Simulation.Options opts = new Simulation.Options(simulate, scores, true, clock, zone);
        if (batch != null) {
            if (outDir == null) {
                err.println("crm_simulate: --batch needs --out OUTDIR");
                return USAGE_STATUS;
            }
            return batch(Path.of(batch), Path.of(outDir), opts, err);
        }
        if (file != null && pipe) {
            err.println("crm_simulate: --xml-file and --xml-pipe cannot be used together");
            return USAGE_STATUS;
        }
        if (inPlace && file == null) {
            err.println("crm_simulate: --in-place needs --xml-file FILE");
            return USAGE_STATUS;
        }
        if (file == null && !pipe) {
            err.println("crm_simulate: no input given (use --xml-file FILE or --xml-pipe; Vigil's crm_simulate has "
                + "no --live-check)");
            return USAGE_STATUS;
        }
        String input = file;
        boolean keep = saveOutput != null || saveGraph != null;
        try {
            List<String> warnings = new ArrayList<>();
            XmlElement[] loaded = new XmlElement[1];
            Simulation.Outcome result = Simulation.withLargeStack(() -> {
                XmlElement root = input != null ? Simulation.load(Path.of(input))
                    : Simulation.load(in, "the standard input");
                loaded[0] = root;
                return Simulation.run(root, opts, warnings, keep);
            });
            for (String w : warnings) {
                err.println("warning: " + w);
            }
            out.print(result.text());
            // crm_simulate writes these after the run (pcmk__simulate(): --save-input before scheduling is the same
            // document, --save-graph the transition, --save-output the CIB the simulated transition left)
            if (saveInput != null && !save(saveInput, text(loaded[0]), err)
                || saveGraph != null && !save(saveGraph, GraphXml.of(result.transition()), err)
                || saveOutput != null && !save(saveOutput, text(result.revised()), err)) {
                return 73;
            }
            return 0;
        } catch (CibException e) {
            err.println("simulate: " + e.getMessage());
            return e.detail().startsWith("cannot read") ? 66 : 78;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            err.println("simulate: internal error while scheduling " + file + ": " + e);
            return 70;
        }
    }

    private static String text(XmlElement e) {
        StringBuilder sb = new StringBuilder();
        e.write(sb, 0);
        return sb.toString();
    }

    /** Writes a file crm_simulate was asked to save; false (and why, on {@code err}) when it cannot. */
    private static boolean save(String name, String content, PrintStream err) {
        try {
            Files.writeString(Path.of(name), content, StandardCharsets.UTF_8);
            return true;
        } catch (IOException | RuntimeException e) {
            err.println("simulate: cannot write " + name + ": " + e.getMessage());
            return false;
        }
    }

    private static int batch(Path dir, Path outDir, Simulation.Options opts, PrintStream err) {
        try {
            return Simulation.withLargeStack(() -> batchRun(dir, outDir, opts, err));
        } catch (Exception e) {
            err.println("simulate: internal error: " + e);
            return 70;
        }
    }

    private static int batchRun(Path dir, Path outDir, Simulation.Options opts, PrintStream err) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.xml")) {
            for (Path p : ds) {
                files.add(p);
            }
            Files.createDirectories(outDir);
        } catch (IOException e) {
            err.println("simulate: cannot read " + dir + ": " + e.getMessage());
            return 66;
        }
        files.sort(null);
        int failures = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            name = name.substring(0, name.length() - 4);
            String text;
            try {
                text = Simulation.run(Simulation.load(f), opts);
            } catch (CibException e) {
                failures++;
                text = "ERROR: " + e.getMessage() + "\n";
            } catch (RuntimeException | StackOverflowError e) {
                failures++;
                StringBuilder sb = new StringBuilder("ERROR: internal error: " + e + "\n");
                for (StackTraceElement st : e.getStackTrace()) {
                    sb.append("    at ").append(st).append('\n');
                }
                text = sb.toString();
            }
            try {
                Files.writeString(outDir.resolve(name + ".txt"), text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("simulate: cannot write " + outDir.resolve(name + ".txt") + ": " + e.getMessage());
                return 73;
            }
        }
        err.println("simulate: " + files.size() + " files, " + failures + " errors");
        return 0;
    }
}
