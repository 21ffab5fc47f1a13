package org.vigil.bench.crm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vigil.crm.api.CibDocument;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;

/**
 * Warm in-JVM scheduler time on the CIBs the anchor's gen-cib.py generates (the same files
 * {@code bench/scheduler/run.sh} gives crm_simulate): {@link #parseAndSchedule} is what {@code crm_simulate -R}
 * does per file (parse, unpack, place, order, build the graph); {@link #schedule} leaves the XML parsing out.
 *
 * <p>The heap has a young generation large enough for one run's allocation ({@code -Xmn2g}): the working set of
 * one run (up to a few hundred MB at 64 x 5000) dies young, so collection costs stay independent of its size; with
 * the JVM's default young sizing, the copying of that working set by repeated young collections makes the measured
 * time grow faster than the scheduler's own work (see docs/design/scheduler.md). Setup checks that two runs give the
 * same transition (the results compared with crm_simulate's are those of {@code vigil simulate} in run.sh).
 *
 * <p>Run by {@code bench/scheduler/run.sh}, or by hand:
 * {@code java -jar bench/target/benchmarks.jar SchedulerBenchmark -p cibDir=DIR -p size=16x1000} where
 * {@code DIR/cib-16x1000.xml} exists.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xss64m", "-Xmx4g", "-Xmn2g", "-XX:+UseSerialGC"})
public class SchedulerBenchmark {

    /** Directory holding {@code cib-NODESxRESOURCES.xml} files. */
    @Param("target/scheduler-cibs")
    public String cibDir;

    /** Which file: NODESxRESOURCES. */
    @Param({"16x1000", "32x1000", "64x1000", "16x5000", "32x5000", "64x5000"})
    public String size;

    private static final String TE_UUID = "5c1f9a7e-3b2d-4c8e-9f10-2a6b7c8d9e0f";

    private PolicyEngine engine;
    /** The CIB's execution-date, else the time the trial started (fixed for all iterations). */
    private Instant now;
    private byte[] xml;
    private CibDocument parsed;

    @Setup(Level.Trial)
    public void load() throws IOException, CibException {
        Path f = Path.of(cibDir, "cib-" + size + ".xml");
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException(f + " does not exist: generate it with bench/scheduler/run.sh (or the"
                + " anchor's gen-cib.py) and pass -p cibDir=DIR");
        }
        engine = PolicyEngine.standard();
        xml = Files.readAllBytes(f);
        parsed = parse();
        now = parsed.executionDate().isPresent() ? Instant.ofEpochSecond(parsed.executionDate().getAsLong())
            : Instant.now();
        Transition a = schedule();
        Transition b = parseAndSchedule();
        if (!a.summary().equals(b.summary()) || a.actions().size() != b.actions().size()) {
            throw new IllegalStateException("two runs on " + f + " gave different transitions");
        }
        // crm_simulate's Transition Summary items for this file, normalised and sorted (written by run.sh)
        Path expected = Path.of(cibDir, "crm-" + size + ".items");
        if (Files.isRegularFile(expected)) {
            List<String> want = Files.readAllLines(expected).stream().filter(l -> !l.isBlank()).sorted().toList();
            List<String> got = a.summary().stream().map(l -> normalise("* " + l)).sorted().toList();
            if (!want.equals(got)) {
                throw new IllegalStateException("the transition summary for " + f + " differs from crm_simulate's ("
                    + expected + ")");
            }
            System.out.println("# " + size + ": transition summary equals crm_simulate's (" + got.size() + " items)");
        } else {
            System.out.println("# " + size + ": no crm_simulate summary (" + expected + ") to compare with");
        }
    }

    /** compare.py's normalisation of a summary item. */
    static String normalise(String line) {
        String s = String.join(" ", line.trim().split("\\s+"));
        s = s.replaceAll("\\(\\s+", "(").replaceAll("\\s+\\)", ")");
        return s.replaceAll("\\bMaster\\b", "Promoted").replaceAll("\\bSlave\\b", "Unpromoted");
    }

    private CibDocument parse() throws CibException {
        try (InputStream in = new java.io.ByteArrayInputStream(xml)) {
            return engine.parse(in, "cib-" + size + ".xml");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parse the XML and compute the transition (crm_simulate -R's work). */
    @Benchmark
    public Transition parseAndSchedule() throws CibException {
        return engine.schedule(parse(), now, ZoneOffset.UTC, 1, TE_UUID);
    }

    /** Compute the transition from an already parsed CIB. */
    @Benchmark
    public Transition schedule() {
        return engine.schedule(parsed, now, ZoneOffset.UTC, 1, TE_UUID);
    }
}
