package org.vigil.agents.internal.builtin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.vigil.agents.internal.exec.Outcomes;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;

/**
 * {@code vigil:fence-dummy}: a fence device for tests that powers nothing. Each target's power state is a file
 * {@code <state_dir>/<target>} holding {@code on} or {@code off} (no file: on). Parameters: {@code state_dir}
 * (default {@code <agent state dir>/fence-dummy}), {@code nodes} (comma-separated plugs for {@code list}; when
 * given, other targets are refused), {@code delay} (seconds each action takes), {@code fail} (comma-separated
 * actions that exit 1), {@code log} (file each action appends {@code <action> <target>} to). Exit codes as the
 * {@code fence_*} agents: 0 success (status: on), 2 status off, 1 failure. Thread-safe.
 */
@Component(property = FenceAgent.AGENT + "=vigil:fence-dummy")
public final class FenceDummyAgent implements FenceAgent {

    static final String META_DATA = """
        <?xml version="1.0" ?>
        <resource-agent name="vigil:fence-dummy" shortdesc="Vigil's dummy fence device, for tests">
        <longdesc>Records power states in files instead of switching anything.</longdesc>
        <parameters>
        \t<parameter name="action" unique="0" required="1"><content type="string" default="reboot"/><shortdesc lang="en">Fencing action</shortdesc></parameter>
        \t<parameter name="port" unique="0" required="0"><content type="string"/><shortdesc lang="en">Plug (node) to act on</shortdesc></parameter>
        \t<parameter name="state_dir" unique="0" required="0"><content type="string"/><shortdesc lang="en">Directory of the power state files</shortdesc></parameter>
        \t<parameter name="nodes" unique="0" required="0"><content type="string"/><shortdesc lang="en">Comma-separated plugs this device controls</shortdesc></parameter>
        \t<parameter name="delay" unique="0" required="0"><content type="string" default="0"/><shortdesc lang="en">Seconds each action takes</shortdesc></parameter>
        \t<parameter name="fail" unique="0" required="0"><content type="string"/><shortdesc lang="en">Comma-separated actions that fail</shortdesc></parameter>
        \t<parameter name="log" unique="0" required="0"><content type="string"/><shortdesc lang="en">File each action is appended to</shortdesc></parameter>
        </parameters>
        <actions>
        \t<action name="on" automatic="0"/>
        \t<action name="off" />
        \t<action name="reboot" />
        \t<action name="status" />
        \t<action name="list" />
        \t<action name="monitor" />
        \t<action name="metadata" />
        </actions>
        </resource-agent>
        """;

    private final Path defaultStateDir;
    private final Map<FenceRequest, Future<?>> inFlight = Collections.synchronizedMap(new IdentityHashMap<>());

    @Activate
    public FenceDummyAgent(BundleContext context) {
        this(Path.of(context.getProperty("vigil.agents.state.dir") == null ? "/run/vigil/agents"
            : context.getProperty("vigil.agents.state.dir")).resolve("fence-dummy"));
    }

    /** Outside OSGi (tests). */
    public FenceDummyAgent(Path defaultStateDir) {
        this.defaultStateDir = defaultStateDir;
    }

    @Override
    public String name() {
        return "vigil:fence-dummy";
    }

    @Override
    public String metaData() {
        return META_DATA;
    }

    @Override
    public CompletionStage<AgentResult> execute(FenceRequest req) {
        CompletableFuture<AgentResult> result = new CompletableFuture<>();
        long t0 = System.nanoTime();
        double delay;
        try {
            delay = Double.parseDouble(req.params().getOrDefault("delay", "0").strip());
        } catch (NumberFormatException e) {
            result.complete(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_CONFIGURED,
                "vigil:fence-dummy: delay '" + req.params().get("delay") + "' is not a number", Duration.ZERO));
            return result;
        }
        Runnable work = () -> {
            AgentResult r = run(req, Duration.ofNanos(System.nanoTime() - t0));
            Outcomes.log("stonith_" + req.action() + (req.target() == null ? "" : "_" + req.target()), name(), 0, r,
                req.action().equals("monitor") || req.action().equals("metadata"));
            result.complete(r);
        };
        long delayNanos = (long) (delay * 1e9);
        if (delayNanos <= 0) {
            work.run();
            return result;
        }
        Future<?> timer = delayNanos >= req.timeout().toNanos()
            ? Timers.POOL.schedule(() -> result.complete(AgentResult.failed(ExecStatus.TIMED_OUT, OcfStatus.ERR_GENERIC,
                "vigil:fence-dummy " + req.action() + " timed out after " + req.timeout().toMillis() + " ms",
                req.timeout())), req.timeout().toNanos(), TimeUnit.NANOSECONDS)
            : Timers.POOL.schedule(work, delayNanos, TimeUnit.NANOSECONDS);
        inFlight.put(req, timer);
        result.whenComplete((r, e) -> inFlight.remove(req));
        return result;
    }

    @Override
    public boolean cancel(FenceRequest request) {
        Future<?> f = inFlight.remove(request);
        return f != null && f.cancel(false);
    }

    private AgentResult run(FenceRequest req, Duration elapsed) {
        Map<String, String> p = req.params();
        Path dir = p.containsKey("state_dir") ? Path.of(p.get("state_dir")) : defaultStateDir;
        List<String> nodes = p.containsKey("nodes") ? Arrays.stream(p.get("nodes").split(",")).map(String::strip)
            .filter(s -> !s.isEmpty()).toList() : List.of();
        List<String> fail = p.containsKey("fail") ? Arrays.stream(p.get("fail").split(",")).map(String::strip).toList()
            : List.of();
        String target = req.target() != null ? req.target() : p.getOrDefault("port", p.get("plug"));
        try {
            if (p.containsKey("log")) {
                Files.writeString(Path.of(p.get("log")), req.action() + " " + (target == null ? "-" : target) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            if (fail.contains(req.action())) {
                return exit(1, "", "vigil:fence-dummy: " + req.action() + " made to fail", elapsed);
            }
            switch (req.action()) {
                case "metadata" -> {
                    return exit(0, META_DATA, "", elapsed);
                }
                case "monitor", "validate-all" -> {
                    return exit(0, "", "", elapsed);
                }
                case "list", "list-status" -> {
                    StringBuilder b = new StringBuilder();
                    for (String n : nodes) {
                        b.append(n).append(',').append(req.action().equals("list-status") ? power(dir, n) : "")
                            .append('\n');
                    }
                    return exit(0, b.toString(), "", elapsed);
                }
                default -> {
                    // actions on one target
                }
            }
            if (target == null || target.isBlank() || target.contains("/") || target.startsWith(".")) {
                return exit(1, "", "vigil:fence-dummy: " + req.action() + " needs a valid target (port)", elapsed);
            }
            if (!nodes.isEmpty() && !nodes.contains(target)) {
                return exit(1, "", "vigil:fence-dummy: " + target + " is not a plug of this device", elapsed);
            }
            switch (req.action()) {
                case "off" -> {
                    setPower(dir, target, "off");
                    return exit(0, "", "", elapsed);
                }
                case "on", "reboot" -> {
                    setPower(dir, target, "on");
                    return exit(0, "", "", elapsed);
                }
                case "status" -> {
                    String s = power(dir, target);
                    return exit(s.equals("on") ? 0 : 2, "Status: " + s.toUpperCase(java.util.Locale.ROOT) + "\n", "",
                        elapsed);
                }
                default -> {
                    return AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_UNIMPLEMENTED,
                        "vigil:fence-dummy: unknown action '" + req.action() + "'", elapsed);
                }
            }
        } catch (IOException e) {
            return exit(1, "", "vigil:fence-dummy: " + req.action() + " failed: " + e, elapsed);
        }
    }

    private static String power(Path dir, String target) throws IOException {
        Path f = dir.resolve(target);
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8).strip() : "on";
    }

    private static void setPower(Path dir, String target, String state) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(target), state + "\n", StandardCharsets.UTF_8);
    }

    private static AgentResult exit(int code, String out, String err, Duration elapsed) {
        return new AgentResult(ExecStatus.DONE, OcfStatus.of(code), code, out, err, elapsed);
    }
}
