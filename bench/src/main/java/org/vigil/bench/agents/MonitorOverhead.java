package org.vigil.bench.agents;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.vigil.agents.internal.AgentSettings;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.ocf.OcfAgent;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.OcfStatus;

/**
 * The Vigil side of {@code bench/agents/monitor-overhead.sh}: times recurring {@code monitor} actions of an OCF
 * agent through Vigil's {@code ResourceAgent} implementation (the same {@code OcfAgent} and runner the agents
 * bundle registers; parameters checked against the meta-data, OCF environment built, agent run in its own
 * process group, output captured, result mapped), one after another as an executor would (each started from
 * the previous one's completion), after a warm-up.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.vigil.bench.agents.MonitorOverhead PROVIDER TYPE CALLS [name=value...]</pre>
 * Prints one line: {@code vigil mean_ms=... median_ms=... min_ms=... jvm_cpu_ms_per_call=... calls=... status=...}.
 * With CALLS 0 it warms up, prints {@code ready}, then runs one batch per line read from stdin (the batch size),
 * so that a script can interleave it closely with other measurements.
 */
public final class MonitorOverhead {

    private MonitorOverhead() {
    }

    private static void chain(OcfAgent agent, AgentRequest req, long[] nanos, int i, OcfStatus[] last,
                              CompletableFuture<Void> all) {
        long t0 = System.nanoTime();
        agent.execute(req).whenComplete((r, e) -> {
            nanos[i] = System.nanoTime() - t0;
            last[0] = r == null ? null : r.status();
            if (e != null) {
                all.completeExceptionally(e);
            } else if (i + 1 == nanos.length) {
                all.complete(null);
            } else {
                chain(agent, req, nanos, i + 1, last, all);
            }
        });
    }

    /** Runs n chained monitors and prints one result line. */
    private static void batch(OcfAgent agent, AgentRequest req, int calls) throws Exception {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long[] nanos = new long[calls];
        OcfStatus[] last = new OcfStatus[1];
        CompletableFuture<Void> all = new CompletableFuture<>();
        chain(agent, req, nanos, 0, last, all);
        all.get(calls * 30L, TimeUnit.SECONDS);
        double cpuPerCall = (os.getProcessCpuTime() - cpu0) / 1e6 / calls;
        Arrays.sort(nanos);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        System.out.printf(Locale.ROOT, "vigil mean_ms=%.4f median_ms=%.4f min_ms=%.4f jvm_cpu_ms_per_call=%.4f "
            + "calls=%d status=%s%n", mean, nanos[calls / 2] / 1e6, nanos[0] / 1e6, cpuPerCall, calls, last[0]);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: MonitorOverhead PROVIDER TYPE CALLS [name=value...]");
            System.exit(2);
        }
        String provider = args[0];
        String type = args[1];
        int calls = Integer.parseInt(args[2]);
        Map<String, String> params = new HashMap<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            params.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        AgentSettings settings = AgentSettings.from(System::getProperty);
        try (AgentRunner runner = new AgentRunner(settings.python(), settings.runner())) {
            OcfAgent agent = new OcfAgent(provider, type, settings, runner);
            AgentRequest req = new AgentRequest("bench", "monitor", params, Map.of(), Duration.ofSeconds(20),
                Duration.ofSeconds(10));
            for (int i = 0; i < 500; i++) {
                agent.execute(req).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            // As the executor runs them: each monitor is started from the previous one's completion (no thread
            // waits in between); the time of each is taken from its start to its completion.
            if (calls == 0) {
                // Serve mode for the benchmark script: each line on stdin is a batch size; one result line each.
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
                System.out.println("ready");
                System.out.flush();
                String line;
                while ((line = in.readLine()) != null && !line.isBlank()) {
                    batch(agent, req, Integer.parseInt(line.strip()));
                    System.out.flush();
                }
            } else {
                batch(agent, req, calls);
            }
        }
    }
}
