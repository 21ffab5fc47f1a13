package org.vigil.agents.internal.builtin;

import java.nio.file.Path;
import java.time.Duration;
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
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * {@code vigil:Dummy}: the built-in test and demo agent (see {@link DummyLogic} for its parameters). Delays
 * are timers, not sleeping threads; an action whose delay exceeds its timeout ends "timed out" at the timeout
 * without doing its work. Thread-safe.
 */
@Component(property = {ResourceAgent.AGENT + "=vigil:Dummy", ResourceAgent.STANDARD + "=vigil",
    ResourceAgent.TYPE + "=Dummy"})
public final class DummyAgent implements ResourceAgent {

    private final DummyLogic logic;
    private final Map<AgentRequest, Runnable> inFlight = Collections.synchronizedMap(new IdentityHashMap<>());

    @Activate
    public DummyAgent(BundleContext context) {
        this(Path.of(orDefault(context.getProperty("vigil.agents.state.dir"), "/run/vigil/agents")));
    }

    /** Outside OSGi (tests): state files go to {@code stateDir}. */
    public DummyAgent(Path stateDir) {
        this.logic = new DummyLogic(stateDir);
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isBlank() ? d : v;
    }

    @Override
    public String standard() {
        return "vigil";
    }

    @Override
    public String provider() {
        return null;
    }

    @Override
    public String type() {
        return "Dummy";
    }

    @Override
    public String metaData() {
        return DummyLogic.META_DATA;
    }

    @Override
    public List<String> validate(Map<String, String> params) {
        return DummyLogic.validate(params);
    }

    @Override
    public CompletionStage<AgentResult> execute(AgentRequest req) {
        String key = Outcomes.opKey(req.resource(), req.action(), req.interval());
        CompletableFuture<AgentResult> result = new CompletableFuture<>();
        long t0 = System.nanoTime();
        if (!req.action().equals("meta-data")) {
            List<String> problems = DummyLogic.validate(req.params());
            if (!problems.isEmpty()) {
                return done(key, AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_CONFIGURED,
                    key + " (vigil:Dummy) not run: " + String.join("; ", problems), Duration.ZERO), req);
            }
        }
        Duration delay = DummyLogic.delay(req.action(), req.params());
        Runnable work = () -> {
            if (result.isDone()) {
                return;
            }
            DummyLogic.Outcome o = logic.run(req.resource(), req.action(), req.params());
            complete(result, key, req, new AgentResult(ExecStatus.DONE, o.status(), o.status().code(), o.output(),
                o.error(), Duration.ofNanos(System.nanoTime() - t0)));
        };
        if (delay.isZero()) {
            work.run();
            return result;
        }
        Future<?> timer;
        if (delay.compareTo(req.timeout()) >= 0) {
            timer = Timers.POOL.schedule(() -> complete(result, key, req, AgentResult.failed(ExecStatus.TIMED_OUT,
                OcfStatus.ERR_GENERIC, key + " (vigil:Dummy) timed out after " + req.timeout().toMillis() + " ms",
                Duration.ofNanos(System.nanoTime() - t0))), req.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } else {
            timer = Timers.POOL.schedule(work, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
        inFlight.put(req, () -> {
            if (timer.cancel(false)) {
                complete(result, key, req, AgentResult.failed(ExecStatus.CANCELLED, OcfStatus.ERR_GENERIC,
                    key + " (vigil:Dummy) was cancelled", Duration.ofNanos(System.nanoTime() - t0)));
            }
        });
        result.whenComplete((r, e) -> inFlight.remove(req));
        return result;
    }

    @Override
    public boolean cancel(AgentRequest request) {
        Runnable c = inFlight.get(request);
        if (c == null) {
            return false;
        }
        c.run();
        return true;
    }

    private void complete(CompletableFuture<AgentResult> result, String key, AgentRequest req, AgentResult r) {
        if (!result.isDone()) {
            Outcomes.log(key, "vigil:Dummy", 0, r, req.action().equals("monitor") && !req.interval().isZero());
            result.complete(r);
        }
    }

    private CompletableFuture<AgentResult> done(String key, AgentResult r, AgentRequest req) {
        CompletableFuture<AgentResult> f = new CompletableFuture<>();
        complete(f, key, req, r);
        return f;
    }
}
