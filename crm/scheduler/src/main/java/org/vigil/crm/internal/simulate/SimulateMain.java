package org.vigil.crm.internal.simulate;

import java.io.IOException;
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
          -S, --simulate        simulate the transition and show the resulting cluster status
          -s, --show-scores     show allocation scores
          -R, --run             compute the transition without simulating it (the default)
          --batch DIR           run every DIR/*.xml in this JVM, writing OUTDIR/NAME.txt
          --out OUTDIR          where --batch writes its results""";

    private SimulateMain() {
    }

    /** The command line: the one place that reads the clock and the system zone for {@code vigil simulate}. */
    public static void main(String[] args) {
        int rc = run(args, System.out, System.err, java.time.Instant.now(), java.time.ZoneId.systemDefault());
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
        String file = null;
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
                    if (a.startsWith("--xml-file=")) {
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
        if (file == null) {
            err.println("simulate: no input given (use --xml-file FILE)");
            err.println(USAGE);
            return 2;
        }
        String input = file;
        try {
            List<String> warnings = new ArrayList<>();
            String text = Simulation.withLargeStack(() -> {
                XmlElement root = Simulation.load(Path.of(input));
                return Simulation.run(root, opts, warnings);
            });
            for (String w : warnings) {
                err.println("warning: " + w);
            }
            out.print(text);
            return 0;
        } catch (CibException e) {
            err.println("simulate: " + e.getMessage());
            return e.detail().startsWith("cannot read") ? 66 : 78;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            err.println("simulate: internal error while scheduling " + file + ": " + e);
            return 70;
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
