package org.vigil.crm.executor.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.attrd.Attrd;
import org.vigil.crm.api.attrd.AttrdError;
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.Executor;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * The node's executor as a service: an {@link ExecutorCore} on its own thread, with the resource agents the node
 * has registered ({@link ResourceAgent} services, by {@link ResourceAgent#spec()}). At activation it takes over
 * what an earlier revision of this bundle ran in this JVM, the agent actions it left in flight included; at
 * deactivation it hands the actions running now to the next revision, or when the node stops lets them finish and
 * record their results (at most {@value #CLOSE_WAIT_S} s) before it goes.
 */
@Component(immediate = true, service = Executor.class)
public final class ExecutorService implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.EXEC");
    static final int CLOSE_WAIT_S = 120;
    /** Whether running actions are handed to the next revision ({@code -Dvigil.exec.handOver=false}: waited for). */
    static final boolean HAND_OVER = !"false".equals(System.getProperty("vigil.exec.handOver"));
    /**
     * How long after this revision starts, or after an agent is unregistered, a missing agent is waited for rather
     * than reported as not installed (the agents bundle's swap takes well under a second).
     */
    static final long AGENT_SETTLE_MS = Long.getLong("vigil.exec.agentSettleMs", 5000);
    /** When the set of agents last changed by a start or an unregistration (nanoTime). */
    private volatile long agentsChanged = System.nanoTime();

    private final Map<String, ResourceAgent> agents = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread;
    private final ExecutorCore core;

    @Activate
    public ExecutorService(@Reference VigilNode node, @Reference Cib cib, @Reference Cmap cmap) {
        String nodeUuid = Integer.toUnsignedString(node.nodeId());
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-exec");
            t.setDaemon(true);
            return t;
        });
        core = new ExecutorCore(node.name(), nodeUuid, cib, cmap, new ExecutorCore.Agents() {
            @Override
            public ResourceAgent find(String spec) {
                return agent(spec);
            }

            @Override
            public boolean settling() {
                return System.nanoTime() - agentsChanged < TimeUnit.MILLISECONDS.toNanos(AGENT_SETTLE_MS);
            }
        }, guarded(thread), thread, System::currentTimeMillis);
        int taken = call(core::restore);
        LOG.info("executor on {} ready ({} agents known{})", node.name(), agents.size(),
            taken < 0 ? "" : ", took over " + taken + " recurring operations");
    }

    private static java.util.concurrent.Executor guarded(ScheduledExecutorService thread) {
        return r -> {
            try {
                thread.execute(() -> {
                    try {
                        r.run();
                    } catch (RuntimeException | Error e) {
                        LOG.error("executor: handling an agent result failed", e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("executor: stopped before a result arrived");
            }
        };
    }

    /** Runs {@code work} on the executor's thread and waits for it. */
    private <T> T call(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, thread).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("executor: " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} on the executor's thread; its stage completes the returned one. */
    private <T> CompletionStage<T> onThread(Supplier<CompletionStage<T>> work) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    work.get().whenComplete((v, e) -> {
                        if (e != null) {
                            out.completeExceptionally(e);
                        } else {
                            out.complete(v);
                        }
                    });
                } catch (RuntimeException | Error e) {
                    LOG.error("executor: a request failed", e);
                    out.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            out.completeExceptionally(new IllegalStateException("the executor is stopped"));
        }
        return out;
    }

    /**
     * The node's attrd, when it runs: told the fail counts the executor records, so that it holds them as this
     * node's values (queries, and a rewrite after a sync replaced the CIB copy) as Pacemaker's attrd does.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindAttrd(Attrd attrd) {
        core.failCountSink(attrs -> {
            for (XmlNode a : attrs) {
                try {
                    attrd.update(AttributeUpdate.set(a.attribute("name"), a.attribute("value")));
                } catch (AttrdError | RuntimeException e) {
                    LOG.debug("telling attrd {}={} failed: {}", a.attribute("name"), a.attribute("value"), e.toString());
                }
            }
        });
    }

    void unbindAttrd(Attrd attrd) {
        core.failCountSink(null);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindAgent(ResourceAgent agent, Map<String, Object> props) {
        agents.put(agent.spec(), agent);
    }

    void unbindAgent(ResourceAgent agent, Map<String, Object> props) {
        agents.remove(agent.spec(), agent);
        agentsChanged = System.nanoTime();
    }

    private final Map<String, org.vigil.kernel.spi.FenceAgent> fenceAgents = new ConcurrentHashMap<>();

    /** Fence agents (the agents bundle's fence_*): what a {@code class="stonith"} resource runs. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindFenceAgent(org.vigil.kernel.spi.FenceAgent agent) {
        fenceAgents.put(agent.name(), agent);
    }

    void unbindFenceAgent(org.vigil.kernel.spi.FenceAgent agent) {
        fenceAgents.remove(agent.name(), agent);
        agentsChanged = System.nanoTime();
    }

    /** The agent of a spec: a resource agent, or for {@code stonith:NAME} the fence agent as a device resource. */
    private ResourceAgent agent(String spec) {
        ResourceAgent a = agents.get(spec);
        if (a == null && spec.startsWith("stonith:")) {
            org.vigil.kernel.spi.FenceAgent f = fenceAgents.get(spec.substring("stonith:".length()));
            a = f == null ? null : new StonithResource(f);
        }
        return a;
    }

    @Override
    public CompletionStage<Outcome> execute(ExecRequest request) {
        return onThread(() -> core.execute(request));
    }

    @Override
    public CompletionStage<Outcome> delete(String resourceId, String transitionKey) {
        return onThread(() -> core.delete(resourceId, transitionKey));
    }

    @Override
    public CompletionStage<CibVersion> publish() {
        return onThread(core::publish);
    }

    @Override
    public List<String> recurring() {
        return call(core::recurring);
    }

    @Override
    public int active() {
        return call(core::active);
    }

    /**
     * Stops this revision. While the node goes on (this bundle, the CIB's or the agents' is being replaced), the agent
     * actions running now are handed to the next revision ({@code ExecHandover}) and only this revision's CIB writes
     * are waited for; when the node itself stops, the running actions are waited for (at most
     * {@value #CLOSE_WAIT_S} s) and their results recorded, as before.
     */
    @Deactivate
    void deactivate(org.osgi.framework.BundleContext context) {
        boolean nodeStopping;
        try {
            nodeStopping = context.getBundle(0).getState() == org.osgi.framework.Bundle.STOPPING;
        } catch (IllegalStateException e) {
            nodeStopping = true;
        }
        boolean handOver = !nodeStopping && HAND_OVER;
        try {
            CompletableFuture.supplyAsync(() -> core.close(handOver), thread).thenCompose(f -> f)
                .get(CLOSE_WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("executor: operations still running after {} s are left to the DC's timers", CLOSE_WAIT_S);
        }
        thread.shutdown();
    }
}
