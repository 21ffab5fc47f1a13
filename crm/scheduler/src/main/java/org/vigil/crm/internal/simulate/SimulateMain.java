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
import org.vigil.crm.api.CibException;
import org.vigil.crm.internal.cib.XmlElement;

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
 * Exit status: 0 success, 2 usage error, 78 (CRM_EX_CONFIG) invalid CIB, 66 unreadable input.
 *
 * <p>Follows tools/crm_simulate.c (options and exit statuses).
 */
public final class SimulateMain {

    static final String USAGE = """
        usage: vigil simulate --xml-file FILE [-S|--simulate] [-s|--show-scores]
               vigil simulate -x FILE [-S] [-s]
               vigil simulate --batch DIR --out OUTDIR [-S] [-s]
          -x, --xml-file FILE   the CIB to use (configuration and status)
          -p, --xml-pipe        read the CIB from the standard input
          -S, --simulate        simulate the transition and show the resulting cluster status
          -O, --save-output F   write the CIB the (simulated) transition leaves to F
          -G, --save-graph F    write the transition graph (Pacemaker's XML) to F
          -I, --save-input F    write the input CIB to F
          -s, --show-scores     show allocation scores
          -R, --run             compute the transition without simulating it (the default)
          --batch DIR           run every DIR/*.xml in this JVM, writing OUTDIR/NAME.txt
          --out OUTDIR          where --batch writes its results""";

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
        String file = null;
        boolean pipe = false;
        String saveOutput = null;
        String saveGraph = null;
        String saveInput = null;
        String batch = null;
        String outDir = null;
        boolean simulate = false;
        boolean scores = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-x", "--xml-file" -> {
                    if (i + 1 >= args.length) {
                        err.println("simulate: " + a + " needs a file name");
                        err.println(USAGE);
                        return 2;
                    }
                    file = args[++i];
                }
                case "-S", "--simulate" -> simulate = true;
                case "-p", "--xml-pipe" -> pipe = true;
                case "-O", "--save-output", "-G", "--save-graph", "-I", "--save-input" -> {
                    if (i + 1 >= args.length) {
                        err.println("simulate: " + a + " needs a file name");
                        err.println(USAGE);
                        return 2;
                    }
                    String f = args[++i];
                    switch (a) {
                        case "-O", "--save-output" -> saveOutput = f;
                        case "-G", "--save-graph" -> saveGraph = f;
                        default -> saveInput = f;
                    }
                }
                case "-s", "--show-scores" -> scores = true;
                case "-R", "--run", "-Q", "--quiet" -> {
                }
                case "--batch" -> {
                    if (i + 1 >= args.length) {
                        err.println("simulate: --batch needs a directory");
                        return 2;
                    }
                    batch = args[++i];
                }
                case "--out" -> {
                    if (i + 1 >= args.length) {
                        err.println("simulate: --out needs a directory");
                        return 2;
                    }
                    outDir = args[++i];
                }
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (a.startsWith("--save-output=")) {
                        saveOutput = a.substring("--save-output=".length());
                    } else if (a.startsWith("--save-graph=")) {
                        saveGraph = a.substring("--save-graph=".length());
                    } else if (a.startsWith("--save-input=")) {
                        saveInput = a.substring("--save-input=".length());
                    } else if (a.startsWith("--xml-file=")) {
                        file = a.substring("--xml-file=".length());
                    } else {
                        err.println("simulate: unknown option '" + a + "'");
                        err.println(USAGE);
                        return 2;
                    }
                }
            }
        }
        Simulation.Options opts = new Simulation.Options(simulate, scores, true, clock, zone);
        if (batch != null) {
            if (outDir == null) {
                err.println("simulate: --batch needs --out OUTDIR");
                return 2;
            }
            return batch(Path.of(batch), Path.of(outDir), opts, err);
        }
        if (file != null && pipe) {
            err.println("simulate: --xml-file and --xml-pipe cannot be used together");
            return 2;
        }
        if (file == null && !pipe) {
            err.println("simulate: no input given (use --xml-file FILE)");
            err.println(USAGE);
            return 2;
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
