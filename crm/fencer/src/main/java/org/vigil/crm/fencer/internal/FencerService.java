package org.vigil.crm.fencer.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlCodec;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.api.fencer.Fencer;
import org.vigil.crm.fencer.internal.FencerConfig.AgentInfo;
import org.vigil.crm.fencer.internal.FencerConfig.Device;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;

/**
 * The node's {@link Fencer}: a {@link FencerEngine} on a thread of its own ({@code vigil-fenced}), on the CPG
 * group {@value #GROUP}, configured from the CIB, running devices through the {@link FenceAgent}s the agents
 * bundle registers (both dynamic: an agent may come and go, and the agents' meta-data is read off the fencer's
 * thread, since it may run the agent).
 *
 * <p>Messages are {@code <vigil-fenced op="...">} elements in the CIB's compact XML form. A message the ring
 * cannot take now (back-pressure) is sent again shortly, in order.
 */
@Component(service = Fencer.class, immediate = true)
public final class FencerService implements Fencer, FencerDiagnostics {

    /** The fencers' CPG group. */
    public static final String GROUP = "vigil_fenced";
    private static final long CALL_TIMEOUT_MS = 10_000;
    private static final long RESEND_MS = 50;
    private static final Logger LOG = LoggerFactory.getLogger("vigil.FENCED");

    private final ScheduledExecutorService thread;
    private final ExecutorService metaThread;
    private final FencerEngine engine;
    private final Map<Integer, String> names = new HashMap<>();
    private final Map<String, FenceAgent> agents = new ConcurrentHashMap<>();
    private final Map<String, List<CompletableFuture<FenceEvent>>> waiting = new HashMap<>();
    private final Map<String, CompletableFuture<List<String>>> listing = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> timers = new HashMap<>();
    /** What the configured agents support, as last read from their meta-data (fencer's thread). */
    private Map<String, AgentInfo> agentInfos = Map.of();
    private final List<Consumer<FenceEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Deque<XmlNode> outbox = new ArrayDeque<>();
    private final Cib cib;
    private final CpgGroup group;
    private final AutoCloseable cibListening;
    private XmlNode lastConfiguration;
    /** What the log last said was registered (fencer's thread). */
    private String lastRegistered;
    private volatile boolean stopped;
    /** The problems of the configuration last applied (with why devices allowed here were not registered). */
    private volatile List<String> problems = List.of();

    @Activate
    public FencerService(@Reference VigilNode node, @Reference Cib cib, @Reference Cpg cpg) {
        this.cib = cib;
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-fenced");
            t.setDaemon(true);
            return t;
        });
        metaThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigil-fenced-metadata");
            t.setDaemon(true);
            return t;
        });
        for (VigilConfig.Node n : node.config().nodes()) {
            if (n.name() != null) {
                names.put(n.nodeId(), n.name());
            }
        }
        names.put(node.nodeId(), node.name());
        // nothing runs on the fencer's thread before this constructor is done (the group is joined last)
        CountDownLatch constructed = new CountDownLatch(1);
        thread.execute(() -> {
            try {
                constructed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        engine = new FencerEngine(node.name(), node.name() + "." + Long.toString(node.startedAtMillis(), 36),
            new SecureRandom(), new ServiceEnv());
        cibListening = cib.listen(change -> submit(() -> cibChanged(change.after())));
        submit(() -> cibChanged(cib.current()));
        group = cpg.join(GROUP, new CpgListener() {
            @Override
            public void deliver(String g, CpgMember sender, byte[] message) {
                XmlNode m;
                try {
                    m = XmlCodec.decode(message, FencerEngine.ELEMENT);
                } catch (CibException e) {
                    LOG.warn("fencer: dropped a malformed message from node {}: {}", sender.nodeId(), e.getMessage());
                    return;
                }
                String from = name(sender.nodeId());
                submit(() -> engine.deliver(from, m));
            }

            @Override
            public void configurationChanged(String g, List<CpgMember> members, List<CpgMember> left,
                                             List<CpgMember> joined) {
                Set<String> now = new TreeSet<>();
                members.forEach(m -> now.add(name(m.nodeId())));
                Set<String> gone = new TreeSet<>();
                left.forEach(m -> gone.add(name(m.nodeId())));
                submit(() -> engine.membership(now, gone));
            }
        });
        constructed.countDown();
        LOG.info("fencer on {} started", node.name());
    }

    private String name(int nodeId) {
        String n = names.get(nodeId);
        return n != null ? n : Integer.toUnsignedString(nodeId);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindAgent(FenceAgent agent) {
        agents.put(agent.name(), agent);
        if (engine != null) {
            submit(this::reconfigure);
        }
    }

    void unbindAgent(FenceAgent agent) {
        agents.remove(agent.name(), agent);
        if (engine != null) {
            submit(this::reconfigure);
        }
    }

    @Deactivate
    void deactivate() {
        stopped = true;
        try {
            cibListening.close();
        } catch (Exception e) {
            LOG.debug("fencer: {}", e.toString());
        }
        try {
            call(() -> {
                FenceEvent gone;
                for (Map.Entry<String, List<CompletableFuture<FenceEvent>>> e : waiting.entrySet()) {
                    gone = new FenceEvent(e.getKey(), "?", FenceAction.REBOOT, engine.localNode(), null, null, null,
                        FenceEvent.State.FAILED, System.currentTimeMillis(), "the fencer stopped");
                    for (CompletableFuture<FenceEvent> f : e.getValue()) {
                        f.complete(gone);
                    }
                }
                waiting.clear();
                listing.values().forEach(f -> f.complete(List.of()));
                listing.clear();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.debug("fencer: {}", e.toString());
        }
        group.close();
        thread.shutdownNow();
        metaThread.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------- the API

    @Override
    public CompletionStage<FenceEvent> fence(String target, FenceAction action, String client, Duration timeout) {
        if (target == null || target.isBlank() || action == null) {
            throw new IllegalArgumentException("fencing needs a target and an action");
        }
        CompletableFuture<FenceEvent> f = new CompletableFuture<>();
        String who = client == null ? "unknown" : client;
        long ms = timeout == null ? 0 : Math.max(1, timeout.toMillis());
        call(() -> {
            String id = engine.fence(target, action, who, ms);
            waiting.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
            return null;
        });
        return f;
    }

    @Override
    public CompletionStage<FenceEvent> confirm(String target, String client) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("a confirmation needs a target");
        }
        CompletableFuture<FenceEvent> f = new CompletableFuture<>();
        call(() -> {
            String id = engine.confirm(target, client == null ? "unknown" : client);
            waiting.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
            return null;
        });
        return f;
    }

    @Override
    public List<FenceEvent> history(String target) {
        return call(() -> engine.history(target));
    }

    @Override
    public List<String> registeredDevices() {
        return call(engine::registered);
    }

    /** The devices registered here with their agents and host checks, for {@code stonith_admin}. */
    Map<String, Device> registeredDetail() {
        return call(() -> {
            Map<String, Device> out = new LinkedHashMap<>();
            for (String id : engine.registered()) {
                out.put(id, engine.config().device(id));
            }
            return out;
        });
    }

    @Override
    public CompletionStage<List<String>> devicesFor(String target) {
        CompletableFuture<List<String>> f = new CompletableFuture<>();
        call(() -> {
            listing.put(engine.listQuery(target), f);
            return null;
        });
        return f;
    }

    @Override
    public AutoCloseable listen(Consumer<FenceEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public String localNode() {
        return engine.localNode();
    }

    @Override
    public List<String> configurationProblems() {
        return problems;
    }

    // ------------------------------------------------------------------------------------------- configuration

    private void cibChanged(CibSnapshot snapshot) {
        XmlNode conf = snapshot == null ? null : snapshot.configuration();
        if (conf == null || conf.equals(lastConfiguration)) {
            return;
        }
        lastConfiguration = conf;
        reconfigure();
    }

    /** Reads the agents' meta-data off this thread, then configures the engine on it. */
    private void reconfigure() {
        CibSnapshot snapshot = cib.current();
        FencerConfig config = FencerConfig.parse(snapshot == null ? null : snapshot.root());
        Set<String> needed = new TreeSet<>();
        for (Device d : config.devices()) {
            needed.add(d.agent());
        }
        try {
            metaThread.execute(() -> {
                Map<String, AgentInfo> infos = new HashMap<>();
                for (String a : needed) {
                    FenceAgent agent = agents.get(a);
                    if (agent == null) {
                        continue;
                    }
                    try {
                        infos.put(a, AgentInfo.fromMetaData(agent.metaData()));
                    } catch (Exception e) {
                        LOG.warn("fencer: the meta-data of {} could not be read ({}); assuming it has neither list "
                            + "nor status", a, e.getMessage());
                        infos.put(a, new AgentInfo(false, false, false));
                    }
                }
                submit(() -> {
                    List<String> all = new ArrayList<>();
                    for (String p : config.problems()) {
                        LOG.warn("fencer: CIB: {}", p);
                        all.add("CIB: " + p);
                    }
                    agentInfos = Map.copyOf(infos);
                    for (String p : engine.configure(config, infos)) {
                        LOG.warn("fencer: {}", p);
                        all.add(p);
                    }
                    problems = List.copyOf(all);
                    String now = engine.registered() + "; " + config.levels().size() + " fencing level(s)";
                    if (!now.equals(lastRegistered)) {
                        lastRegistered = now;
                        LOG.info("fencer: {} fence device(s) registered on {}: {}", engine.registered().size(),
                            engine.localNode(), now);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("fencer: stopping; configuration not applied");
        }
    }

    // ------------------------------------------------------------------------------------------- plumbing

    private void submit(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("fencer: an event failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("fencer: stopped; an event was dropped");
        }
    }

    private <T> T call(Callable<T> work) {
        try {
            return thread.submit(work).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("the fencer failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the fencer did not answer within " + CALL_TIMEOUT_MS / 1000 + " s");
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the fencer is stopping");
        }
    }

    private void flushOutbox() {
        while (!outbox.isEmpty()) {
            XmlNode m = outbox.peekFirst();
            boolean sent;
            try {
                sent = group.mcast(XmlCodec.encode(m));
            } catch (IllegalStateException e) {
                LOG.debug("fencer: group closed; {} message(s) dropped", outbox.size());
                outbox.clear();
                return;
            }
            if (!sent) {
                thread.schedule(() -> submit(this::flushOutbox), RESEND_MS, TimeUnit.MILLISECONDS);
                return;
            }
            outbox.removeFirst();
        }
    }

    /** What the engine acts through; every call arrives on the fencer's thread. */
    private final class ServiceEnv implements FencerEngine.Env {

        @Override
        public long now() {
            return System.currentTimeMillis();
        }

        @Override
        public void multicast(XmlNode message) {
            boolean idle = outbox.isEmpty();
            outbox.addLast(message);
            if (idle) {
                flushOutbox();
            }
        }

        @Override
        public void run(long handle, Device device, String agentAction, String target, String port,
                        long timeoutMs) {
            FenceAgent agent = agents.get(device.agent());
            if (agent == null) {
                engine.deviceDone(handle, AgentResult.failed(ExecStatus.NOT_INSTALLED, OcfStatus.ERR_INSTALLED,
                    "fence agent " + device.agent() + " is not installed on " + engine.localNode(), Duration.ZERO));
                return;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : device.params().entrySet()) {
                if (!e.getKey().startsWith("pcmk_")) {
                    params.put(e.getKey(), e.getValue());
                }
            }
            String requestTarget = port;
            if (target != null) {
                params.put("nodename", target);
                String arg = device.hostArgument(agentInfos.getOrDefault(device.agent(),
                    new AgentInfo(false, false, false)));
                if (arg.equals("none")) {
                    requestTarget = null;
                } else if (!arg.equals("port")) {
                    params.put(arg, port);
                }
            }
            FenceRequest req;
            try {
                req = new FenceRequest(agentAction, requestTarget, params, Duration.ofMillis(Math.max(1, timeoutMs)));
            } catch (IllegalArgumentException e) {
                engine.deviceDone(handle, AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_CONFIGURED,
                    e.getMessage(), Duration.ZERO));
                return;
            }
            CompletionStage<AgentResult> stage;
            try {
                stage = agent.execute(req);
            } catch (RuntimeException e) {
                stage = CompletableFuture.completedFuture(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC,
                    device.agent() + " failed: " + e.getMessage(), Duration.ZERO));
            }
            stage.whenComplete((r, e) -> submit(() -> {
                AgentResult result = r != null ? r : AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC,
                    String.valueOf(e), Duration.ZERO);
                engine.deviceDone(handle, result);
            }));
        }

        @Override
        public void setTimer(String key, long delayMs) {
            cancelTimer(key);
            timers.put(key, thread.schedule(() -> {
                try {
                    timers.remove(key);
                    engine.timer(key);
                } catch (RuntimeException e) {
                    LOG.error("fencer: timer {} failed", key, e);
                }
            }, delayMs, TimeUnit.MILLISECONDS));
        }

        @Override
        public void cancelTimer(String key) {
            ScheduledFuture<?> f = timers.remove(key);
            if (f != null) {
                f.cancel(false);
            }
        }

        @Override
        public void ended(FenceEvent event) {
            List<CompletableFuture<FenceEvent>> fs = waiting.remove(event.id());
            if (fs != null) {
                fs.forEach(f -> f.complete(event));
            }
            for (Consumer<FenceEvent> l : listeners) {
                try {
                    l.accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("fencer: a listener failed on {}", event.id(), e);
                }
            }
        }

        @Override
        public void listed(String queryId, List<String> devices) {
            CompletableFuture<List<String>> f = listing.remove(queryId);
            if (f != null) {
                f.complete(devices);
            }
        }
    }
}
