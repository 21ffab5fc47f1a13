package org.vigil.agents.internal.exec;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * What OCF, LSB and systemd agents share: an action is first prepared (parameters checked against meta-data,
 * the program and environment worked out, or an immediate result), then run by the {@link AgentRunner}, and its
 * outcome mapped, logged and delivered. Actions in flight can be cancelled by their request object.
 *
 * <p>Thread-safe; an instance keeps working after its bundle's components are deactivated (see
 * {@link AgentRunner}).
 */
public abstract class ExternalResourceAgent implements ResourceAgent {

    /** Action names are passed as an argument, never through a shell; still, only plain names are accepted. */
    private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

    /** What to do for one request: run a program, or answer at once. */
    protected record Prepared(ProcessSpec spec, IntFunction<OcfStatus> mapping, AgentResult immediate) {
        public static Prepared run(ProcessSpec spec, IntFunction<OcfStatus> mapping) {
            return new Prepared(spec, mapping, null);
        }

        public static Prepared answer(AgentResult r) {
            return new Prepared(null, null, r);
        }
    }

    private static final class InFlight {
        volatile boolean cancelled;
        volatile RunHandle handle;
    }

    protected final AgentRunner runner;
    private final Map<AgentRequest, InFlight> inFlight = Collections.synchronizedMap(new IdentityHashMap<>());

    protected ExternalResourceAgent(AgentRunner runner) {
        this.runner = runner;
    }

    /** Works out what to run for a request whose action name is well-formed; must not block. */
    protected abstract CompletableFuture<Prepared> prepare(AgentRequest request);

    @Override
    public final CompletionStage<AgentResult> execute(AgentRequest request) {
        CompletableFuture<AgentResult> result = new CompletableFuture<>();
        String what = Outcomes.opKey(request.resource(), request.action(), request.interval()) + " (" + spec() + ")";
        if (!ACTION.matcher(request.action()).matches()) {
            result.complete(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_UNIMPLEMENTED,
                what + ": '" + request.action() + "' is not a valid action name", Duration.ZERO));
            return result;
        }
        InFlight f = new InFlight();
        inFlight.put(request, f);
        result.whenComplete((r, e) -> inFlight.remove(request));
        boolean quiet = isQuiet(request);
        CompletableFuture<Prepared> prepared;
        try {
            prepared = prepare(request);
        } catch (RuntimeException e) {
            prepared = CompletableFuture.failedFuture(e);
        }
        prepared.whenComplete((p, ex) -> {
            if (ex != null) {
                finish(result, request, 0, AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC,
                    what + ": " + ex, Duration.ZERO), quiet);
            } else if (p.immediate() != null) {
                finish(result, request, 0, p.immediate(), quiet);
            } else if (f.cancelled) {
                finish(result, request, 0, AgentResult.failed(ExecStatus.CANCELLED, OcfStatus.ERR_GENERIC,
                    what + " was cancelled before it started", Duration.ZERO), quiet);
            } else {
                RunHandle h = runner.run(p.spec());
                f.handle = h;
                if (f.cancelled) {
                    h.cancel();
                }
                h.outcome().thenAccept(o -> finish(result, request, o.pid(),
                    Outcomes.toResult(o, p.mapping(), what, p.spec().timeout()), quiet));
            }
        });
        return result;
    }

    @Override
    public final boolean cancel(AgentRequest request) {
        InFlight f = inFlight.get(request);
        if (f == null) {
            return false;
        }
        f.cancelled = true;
        RunHandle h = f.handle;
        return h == null || h.cancel();
    }

    private void finish(CompletableFuture<AgentResult> result, AgentRequest req, long pid, AgentResult r,
                        boolean quiet) {
        try {
            Outcomes.log(Outcomes.opKey(req.resource(), req.action(), req.interval()), spec(), pid, r, quiet);
        } finally {
            result.complete(r);
        }
    }

    /** Recurring monitors and meta-data queries log their routine results at debug level only. */
    private static boolean isQuiet(AgentRequest r) {
        return (r.action().equals("monitor") && !r.interval().isZero()) || r.action().equals("meta-data");
    }

    /** A spec for this agent's program with the runner's bounds. */
    protected static ProcessSpec program(List<String> argv, Map<String, String> env, byte[] stdin, Duration timeout,
                                      org.vigil.agents.internal.AgentSettings s) {
        return new ProcessSpec(argv, env, null, stdin, timeout, s.killGrace(), s.maxOutput());
    }
}
