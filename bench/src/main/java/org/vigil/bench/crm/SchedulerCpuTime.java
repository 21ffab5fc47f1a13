package org.vigil.bench.crm;

import java.io.ByteArrayInputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import org.vigil.crm.api.CibDocument;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;

/**
 * The scheduler's own cost on a shared machine: the scheduling thread's CPU time per {@code schedule} call (plus
 * wall time and collector time), after warm-up. On a loaded machine wall time (what JMH reports) mostly measures
 * the wait for a CPU; the thread's CPU time shows how the work grows with nodes x resources.
 *
 * <p>{@code java -Xss64m -Xmx4g -Xmn2g -XX:+UseSerialGC -cp bench/target/benchmarks.jar
 * org.vigil.bench.crm.SchedulerCpuTime CIB.xml [WARMUP_RUNS] [MEASURED_RUNS]}
 */
public final class SchedulerCpuTime {

    private SchedulerCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SchedulerCpuTime CIB.xml [WARMUP_RUNS] [MEASURED_RUNS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int warm = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        PolicyEngine pe = PolicyEngine.standard();
        CibDocument doc = pe.parse(new ByteArrayInputStream(Files.readAllBytes(file)), file.toString());
        Instant now = doc.executionDate().isPresent() ? Instant.ofEpochSecond(doc.executionDate().getAsLong())
            : Instant.now();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Transition t = null;
        for (int i = 0; i < warm; i++) {
            t = pe.schedule(doc, now, ZoneOffset.UTC, 1, "cpu-time");
        }
        long gc0 = gcMillis();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            t = pe.schedule(doc, now, ZoneOffset.UTC, 1, "cpu-time");
        }
        long wall = System.nanoTime() - wall0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long gc = gcMillis() - gc0;
        System.out.printf("%s cpu_ms=%.1f wall_ms=%.1f gc_ms=%.1f actions=%d%n", file.getFileName(),
            cpu / 1e6 / runs, wall / 1e6 / runs, (double) gc / runs, t.actions().size());
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, g.getCollectionTime());
        }
        return sum;
    }
}
