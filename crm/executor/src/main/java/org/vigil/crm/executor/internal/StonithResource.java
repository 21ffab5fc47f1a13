package org.vigil.crm.executor.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * A {@code class="stonith"} resource as the executor runs it, after Pacemaker's execd ({@code execd_commands.c},
 * {@code execute_stonith_action()}): a fence device is not a service. Its start registers it (here the fencer reads
 * devices from the CIB itself, so a start checks that the agent is installed and the device answers its
 * {@code monitor}), its stop unregisters it (always succeeds), and its monitor runs the device's {@code monitor}
 * action while it is registered; a probe of a device not started here says "not running". What is registered lives
 * in this object: a new executor revision probes its devices as not running and the scheduler starts them again
 * (no fencing depends on it: the fencer does not look at the resource's state).
 */
final class StonithResource implements ResourceAgent {

    /** Device resources started on this node, by resource id (shared by the executor's adapters). */
    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

    private final FenceAgent agent;

    StonithResource(FenceAgent agent) {
        this.agent = agent;
    }

    @Override
    public String standard() {
        return "stonith";
    }

    @Override
    public String provider() {
        return null;
    }

    @Override
    public String type() {
        return agent.name();
    }

    @Override
    public String metaData() throws Exception {
        return agent.metaData();
    }

    @Override
    public CompletionStage<AgentResult> execute(AgentRequest r) {
        switch (r.action()) {
            case "start" -> {
                return monitor(r).thenApply(res -> {
                    if (res.ok()) {
                        STARTED.add(r.resource());
                    }
                    return res;
                });
            }
            case "stop" -> {
                STARTED.remove(r.resource());
                return done(OcfStatus.OK, "");
            }
            case "monitor" -> {
                if (!STARTED.contains(r.resource())) {
                    return done(OcfStatus.NOT_RUNNING, "");
                }
                return monitor(r);
            }
            default -> {
                return done(OcfStatus.ERR_UNIMPLEMENTED, r.action() + " is not an action of a fence device");
            }
        }
    }

    /** The device's {@code monitor} with the resource's parameters (Pacemaker's {@code pcmk_*} kept out). */
    private CompletionStage<AgentResult> monitor(AgentRequest r) {
        Map<String, String> params = new HashMap<>();
        for (Map.Entry<String, String> e : r.params().entrySet()) {
            if (!e.getKey().startsWith("pcmk_") && !e.getKey().startsWith("CRM_meta_")) {
                params.put(e.getKey(), e.getValue());
            }
        }
        Duration timeout = r.timeout() == null || r.timeout().isZero() ? Duration.ofSeconds(20) : r.timeout();
        try {
            return agent.execute(new FenceRequest("monitor", null, params, timeout));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC,
                "the fence agent failed: " + e, Duration.ZERO));
        }
    }

    private static CompletionStage<AgentResult> done(OcfStatus status, String error) {
        return CompletableFuture.completedFuture(new AgentResult(ExecStatus.DONE, status, status.code(), "", error,
            Duration.ZERO));
    }
}
