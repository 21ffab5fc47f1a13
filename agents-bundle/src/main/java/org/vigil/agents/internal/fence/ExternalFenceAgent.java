package org.vigil.agents.internal.fence;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.vigil.agents.internal.AgentSettings;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.exec.Outcomes;
import org.vigil.agents.internal.exec.ProcessSpec;
import org.vigil.agents.internal.exec.RunHandle;
import org.vigil.agents.internal.meta.MetadataException;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;

/**
 * A {@code fence_*} agent (Debian {@code fence-agents}, or any program speaking its protocol): it is run with no
 * arguments and reads {@code name=value} lines on its standard input, {@code action=} first, the target as
 * {@code port=} (unless the device parameters name {@code port} or {@code plug} themselves), then the device
 * parameters. Pacemaker-level parameters ({@code pcmk_*}) are not passed on. A name or value with a line break
 * is refused, since it would inject another line. Thread-safe.
 */
public final class ExternalFenceAgent implements FenceAgent {

    /** The actions of the fence agent API. */
    public static final Set<String> ACTIONS = Set.of("off", "on", "reboot", "status", "list", "list-status",
        "monitor", "metadata", "validate-all");

    private final String name;
    private final Path path;
    private final AgentSettings settings;
    private final AgentRunner runner;
    private final Map<String, String> baseEnv;
    private final Map<FenceRequest, RunHandle> inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
    private volatile String metaCache;

    public ExternalFenceAgent(String name, AgentSettings settings, AgentRunner runner) {
        this.name = name;
        this.settings = settings;
        this.runner = runner;
        this.path = settings.fenceDir().resolve(name);
        this.baseEnv = Outcomes.baseEnvironment(settings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String metaData() throws Exception {
        String m = metaCache;
        if (m != null) {
            return m;
        }
        AgentResult r = execute(new FenceRequest("metadata", null, Map.of(), settings.metadataTimeout()))
            .toCompletableFuture().get(settings.metadataTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        if (!r.ok() || !r.output().contains("<resource-agent")) {
            throw new MetadataException("meta-data of " + name + " could not be obtained: "
                + (r.exec() == ExecStatus.DONE ? "exit status " + r.exitCode() + " " + firstLine(r.error())
                : r.exitReason()));
        }
        metaCache = r.output();
        return r.output();
    }

    /** The text fed to the agent's standard input, or the reason the request is refused. */
    static String stdin(FenceRequest req, StringBuilder problem) {
        StringBuilder b = new StringBuilder();
        b.append("action=").append(req.action()).append('\n');
        Map<String, String> params = new TreeMap<>(req.params());
        if (req.target() != null && !params.containsKey("port") && !params.containsKey("plug")) {
            if (bad(req.target())) {
                problem.append("the target contains a line break or NUL");
                return null;
            }
            b.append("port=").append(req.target()).append('\n');
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("pcmk_") || k.equals("action")) {
                continue;
            }
            if (k.isEmpty() || k.indexOf('=') >= 0 || bad(k) || bad(e.getValue())) {
                problem.append("parameter '").append(k.replace("\n", "\\n")).append("' has a line break, NUL or '=' in ")
                    .append(k.isEmpty() || bad(k) || k.indexOf('=') >= 0 ? "its name" : "its value")
                    .append(" (the fence agent protocol is one name=value per line)");
                return null;
            }
            b.append(k).append('=').append(e.getValue()).append('\n');
        }
        return b.toString();
    }

    private static boolean bad(String s) {
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\0') >= 0;
    }

    @Override
    public CompletionStage<AgentResult> execute(FenceRequest req) {
        String what = name + " " + req.action() + (req.target() == null ? "" : " " + req.target());
        if (!ACTIONS.contains(req.action())) {
            return CompletableFuture.completedFuture(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_UNIMPLEMENTED,
                what + ": unknown fence action '" + req.action() + "' (" + String.join(", ", new java.util.TreeSet<>(ACTIONS))
                    + ")", Duration.ZERO));
        }
        StringBuilder problem = new StringBuilder();
        String input = stdin(req, problem);
        if (input == null) {
            return CompletableFuture.completedFuture(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_CONFIGURED,
                what + " not run: " + problem, Duration.ZERO));
        }
        byte[] in = input.getBytes(StandardCharsets.UTF_8);
        if (in.length > ProcessSpec.MAX_STDIN) {
            return CompletableFuture.completedFuture(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_CONFIGURED,
                what + " not run: parameters too large", Duration.ZERO));
        }
        RunHandle h = runner.run(new ProcessSpec(List.of(path.toString()), baseEnv, null, in, req.timeout(),
            settings.killGrace(), settings.maxOutput()));
        inFlight.put(req, h);
        return h.outcome().thenApply(o -> {
            inFlight.remove(req);
            AgentResult r = Outcomes.toResult(o, OcfStatus::of, what, req.timeout());
            Outcomes.log("stonith_" + req.action() + (req.target() == null ? "" : "_" + req.target()), name, o.pid(),
                r, req.action().equals("monitor") || req.action().equals("metadata") || req.action().equals("list"));
            return r;
        });
    }

    @Override
    public boolean cancel(FenceRequest request) {
        RunHandle h = inFlight.get(request);
        return h != null && h.cancel();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().split("\n", 2)[0];
    }
}
