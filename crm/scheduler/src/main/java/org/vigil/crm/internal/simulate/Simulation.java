package org.vigil.crm.internal.simulate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.vigil.crm.api.CibException;
import org.vigil.crm.internal.cib.CibChecker;
import org.vigil.crm.internal.cib.CibParser;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;
import org.vigil.crm.internal.scheduler.output.StatusPrinter;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * One {@code crm_simulate}-style run on a CIB file: parse and check it, print the current status, compute and
 * print the transition summary, and (with {@code simulate}) apply the transition and print the revised status.
 * Stateless; thread-safe.
 *
 * <p>Follows {@code pcmk__simulate()} in lib/pacemaker/pcmk_simulate.c (the steps crm_simulate takes).
 */
public final class Simulation {

    /**
     * What to print, and the time to schedule at when the CIB has no {@code execution-date}.
     *
     * @param clock the current time (read by the command's entry point, never here)
     * @param zone  the zone of date/times without an offset in rules (the system zone for the command line)
     */
    public record Options(boolean simulate, boolean showScores, boolean showStatus, Instant clock, ZoneId zone) {

        public Options {
            java.util.Objects.requireNonNull(clock, "clock");
            java.util.Objects.requireNonNull(zone, "zone");
        }
    }

    private Simulation() {
    }

    /** Stack size of the thread the scheduler runs in (its graph walks recurse along ordering chains). */
    static final long STACK_BYTES = 512L << 20;

    /**
     * Runs a task in a thread with a large stack (the scheduler's recursion depth grows with the length of
     * ordering chains) and returns its result; exceptions are rethrown unchanged.
     */
    public static <T> T withLargeStack(java.util.concurrent.Callable<T> task) throws Exception {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = task.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "vigil-scheduler", STACK_BYTES);
        t.start();
        t.join();
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    public static XmlElement load(Path file) throws CibException {
        String name = file.toString();
        try {
            long size = Files.size(file);
            if (size > org.vigil.crm.api.PolicyEngine.MAX_CIB_BYTES) {
                throw new CibException(name, 0, 0, "refused: the file is " + size + " bytes, larger than the limit of "
                    + org.vigil.crm.api.PolicyEngine.MAX_CIB_BYTES + " bytes ("
                    + (org.vigil.crm.api.PolicyEngine.MAX_CIB_BYTES >> 20) + " MiB)");
            }
        } catch (IOException e) {
            throw new CibException(name, 0, 0, "cannot read: " + describe(e));
        }
        try (InputStream raw = Files.newInputStream(file);
             // a saved scheduler input (pe-input-N.bz2), as filename2xml() reads it; the parser bounds what the
             // decompressed stream may hold
             InputStream in = name.endsWith(".bz2") ? Bunzip2.open(raw) : raw) {
            XmlElement root = new CibParser(org.vigil.crm.api.PolicyEngine.MAX_CIB_BYTES).parse(
                new java.io.BufferedInputStream(in, 1 << 16), name);
            CibChecker.check(root, name);
            return root;
        } catch (IOException e) {
            throw new CibException(name, 0, 0, "cannot read: " + describe(e));
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The effective time: the CIB's execution-date, else the clock. Follows {@code set_effective_date()} in
     * lib/pacemaker/pcmk_simulate.c.
     */
    static CrmTime now(XmlElement root, StringBuilder out, Options opts) {
        String ed = root.get("execution-date");
        if (ed != null) {
            long v = org.vigil.crm.internal.cib.Score.parseLeadingLong(ed, Long.MIN_VALUE);
            if (v != Long.MIN_VALUE && v != 0) {
                if (out != null) {
                    out.append("Using the original execution date of: ")
                        .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
                            .format(Instant.ofEpochSecond(v).atZone(ZoneId.of("UTC"))))
                        .append('\n');
                }
                return CrmTime.ofEpochSecond(v, opts.zone());
            }
        }
        return CrmTime.ofEpochSecond(opts.clock().getEpochSecond(), opts.zone());
    }

    /**
     * The CIB as it will be once the scheduler's transition for it has run with every action succeeding (the
     * status {@code crm_simulate -S} prints as "Revised Cluster Status"), as {@code crm_resource --restart} predicts
     * which resources a change stops ({@code update_dataset()} with {@code simulate} in tools/crm_resource_runtime.c).
     * {@code root} is not modified; the result is a new tree.
     */
    public static XmlElement afterTransition(XmlElement root, CrmTime now) {
        WorkingSet ws = Scheduler.run(root.deepCopy(), now, false);
        return SimulatedExecution.execute(ws, root.deepCopy(), new StringBuilder());
    }

    /** Runs on a parsed CIB and returns crm_simulate's text. */
    public static String run(XmlElement root, Options opts) {
        return run(root, opts, null);
    }

    /**
     * Runs on a parsed CIB and returns crm_simulate's text.
     *
     * @param warnings where the scheduler's configuration warnings go (each once, in order), or {@code null}
     */
    public static String run(XmlElement root, Options opts, java.util.Collection<String> warnings) {
        return run(root, opts, warnings, false).text();
    }

    /**
     * What one run gives: crm_simulate's text, and when asked for, the transition graph and the CIB as the
     * simulated transition leaves it ({@code --save-graph}, {@code --save-output}).
     *
     * @param transition the graph, or null when not asked for
     * @param revised    the CIB after the simulated transition ({@link Options#simulate()}), else the input's copy;
     *                   null when not asked for
     */
    public record Outcome(String text, org.vigil.crm.api.Transition transition, XmlElement revised) {
    }

    /**
     * Runs on a parsed CIB.
     *
     * @param warnings where the scheduler's configuration warnings go (each once, in order), or {@code null}
     * @param keep     also keep the transition graph and the resulting CIB in the outcome
     */
    public static Outcome run(XmlElement root, Options opts, java.util.Collection<String> warnings, boolean keep) {
        StringBuilder out = new StringBuilder(4096);
        boolean printed = false;
        CrmTime now = now(root, out, opts);
        boolean[] spacer = {false};
        XmlElement input = root.deepCopy();
        WorkingSet ws = Scheduler.run(input, now, opts.showScores(), true, status -> {
            if (opts.showStatus()) {
                boolean p = StatusPrinter.printPreamble(status, out);
                if (p) {
                    out.append('\n');
                }
                StatusPrinter.print(status, "Current cluster status", out);
                spacer[0] = true;
            }
        });
        printed = spacer[0];
        if (warnings != null) {
            warnings.addAll(new java.util.LinkedHashSet<>(ws.warnings));
        }
        if (opts.showScores()) {
            if (printed) {
                out.append('\n');
            }
            out.append("Allocation Scores:\n");
            for (String l : ws.scoreLines()) {
                out.append(l).append('\n');
            }
            printed = true;
        }
        if (printed) {
            out.append('\n');
        }
        out.append("Transition Summary:\n");
        for (String l : ws.summary()) {
            out.append("  * ").append(l).append('\n');
        }
        // crm_simulate's graph: transition 0 of a transition engine that is not a cluster's
        org.vigil.crm.api.Transition graph = keep ? org.vigil.crm.internal.scheduler.graph.GraphExport.transition(
            ws, 0, "crm_simulate") : null;
        XmlElement revised = keep ? root.deepCopy() : null;
        if (opts.simulate()) {
            out.append('\n');
            revised = SimulatedExecution.execute(ws, root.deepCopy(), out);
            CrmTime now2 = now(revised, out, opts);
            out.append('\n');
            WorkingSet after = StatusPrinter.unpackOnly(revised, now2);
            StatusPrinter.print(after, "Revised Cluster Status", out);
        }
        return new Outcome(out.toString(), graph, revised);
    }

    /** As {@link #load(Path)}, from a stream ({@code --xml-pipe}: the CIB on standard input). */
    public static XmlElement load(InputStream in, String name) throws CibException {
        try (in) {
            XmlElement root = new CibParser(org.vigil.crm.api.PolicyEngine.MAX_CIB_BYTES).parse(
                new java.io.BufferedInputStream(in, 1 << 16), name);
            CibChecker.check(root, name);
            return root;
        } catch (IOException e) {
            throw new CibException(name, 0, 0, "cannot read: " + describe(e));
        }
    }
}
