package org.vigil.crm.controller.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.cli.CommandLine;
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
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlCodec;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.controller.ControllerStatus;
import org.vigil.crm.api.controller.TimelineEvent;
import org.vigil.crm.api.exec.CrmdMessages;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.Executor;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.config.VigilConfig;

/**
 * The node's controller as a service: a {@link ControllerCore} on its own thread, wired to the group
 * {@value CrmdMessages#GROUP}, the CIB, the ring's membership and quorum, the scheduler and the node's executor
 * (both dynamic: either can be replaced while the controller runs). Also the {@code crmadmin} command.
 */
@Component(immediate = true, service = {Controller.class, AdminCommand.class},
    property = {AdminCommand.NAME + "=crmadmin",
        AdminCommand.DESCRIPTION + "=the controller: the DC (-D), a node's controller state (-S), the configured nodes (-N),"
            + " the timeline"})
public final class ControllerService implements Controller, AdminCommand {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.CRMD");
    private static final int TIMELINE_SIZE = 4096;
    static final String GATHER_TIME = "runtime.totem.last_gather.time_ms";
    static final String GATHER_REASON = "runtime.totem.last_gather.reason";
    /** Transitions that ended aborted (kernel-held, so the count spans revisions): an upgrade report reads it. */
    static final String ABORTED = "runtime.crm.controller.stats.transitions_aborted";
    /** Transitions that ended. */
    static final String ENDED = "runtime.crm.controller.stats.transitions";
    /** Milliseconds the ended transitions took, summed (with {@link #ENDED}: the mean; /metrics). */
    static final String ENDED_MS = "runtime.crm.controller.stats.transition_ms";
    /** Actions the ended transitions ran, summed. */
    static final String ENDED_ACTIONS = "runtime.crm.controller.stats.transition_actions";

    private final ScheduledExecutorService thread;
    private final ControllerCore core;
    private final CpgGroup group;
    /** The scheduler's inputs on disk ({@code STATE/pengine/pe-input-N.bz2}). */
    private final PeInputs peInputs;
    /** Writes them, off the controller's thread. */
    private final java.util.concurrent.ExecutorService peWriter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vigil-pe-inputs");
        t.setDaemon(true);
        return t;
    });

    /** Controller messages on their way to CPG, in order (the controller's thread only). */
    private final CpgOutbox outbox;
    private final Cib cib;
    private final VigilNode node;
    private final Cmap cmap;
    private final org.osgi.framework.BundleContext context;
    private org.osgi.framework.ServiceRegistration<Runnable> shutdownParticipant;
    private final Deque<TimelineEvent> timeline = new ArrayDeque<>();
    private final List<AutoCloseable> closers = new ArrayList<>();
    private volatile PolicyEngine scheduler;
    private volatile Executor executor;

    @Activate
    public ControllerService(@Reference VigilNode node, @Reference Cib cib, @Reference Cpg cpg,
                             @Reference ClusterMembership membership, @Reference Cmap cmap,
                             org.osgi.framework.BundleContext context) {
        this.node = node;
        this.cmap = cmap;
        this.context = context;
        this.cib = cib;
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-crmd");
            t.setDaemon(true);
            return t;
        });
        // nothing runs on the controller's thread before this constructor is done (the group is joined last)
        java.util.concurrent.CountDownLatch constructed = new java.util.concurrent.CountDownLatch(1);
        thread.execute(() -> {
            try {
                constructed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        peInputs = new PeInputs(node.stateDir().resolve("pengine"), peWriter);
        outbox = new CpgOutbox(this::mcast, retry -> thread.schedule(retry, CpgOutbox.RETRY_MS,
            TimeUnit.MILLISECONDS), CpgOutbox.LIMIT);
        core = new ControllerCore(node.nodeId(), node.name(), node.startedAtMillis(), new ServiceEnv(),
            Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
        // the release this node announced on the ring: the election prefers the oldest (versioning.md §4)
        core.setRelease(membership.release(node.nodeId()).map(org.vigil.kernel.api.NodeRelease::version)
            .orElse("0"));
        closers.add(cib.listen(change -> submit(() -> core.cibChanged(change))));
        closers.add(membership.addListener(this::membershipChanged));
        // the ring's own account of when it stopped being operational (token lost, a join...): an incident's start
        closers.add(cmap.track(GATHER_TIME, false, e -> {
            if (e.newEntry() != null && e.newEntry().value() instanceof Number t) {
                String why = cmap.get(GATHER_REASON).map(x -> String.valueOf(x.value())).orElse("?");
                event(t.longValue(), "ring", "the ring stopped: " + why);
            }
        }));
        submit(core::started);
        MembershipEvent now = membership.current();
        if (now != null) {
            submit(() -> core.ringChanged(Set.copyOf(now.members())));
        }
        group = cpg.join(CrmdMessages.GROUP, new CpgListener() {
            @Override
            public void deliver(String g, CpgMember sender, byte[] message) {
                XmlNode m;
                try {
                    m = XmlCodec.decode(message, CrmdMessages.ELEMENT);
                } catch (CibException e) {
                    LOG.warn("controller: dropped a malformed message from node {}: {}", sender.nodeId(),
                        e.getMessage());
                    return;
                }
                submit(() -> core.delivered(sender.nodeId(), m));
            }

            @Override
            public void configurationChanged(String g, List<CpgMember> members, List<CpgMember> left,
                                             List<CpgMember> joined) {
                Set<Integer> ids = new TreeSet<>();
                for (CpgMember m : members) {
                    ids.add(m.nodeId());
                }
                submit(() -> core.groupChanged(ids));
            }
        });
        // the node's orderly stop asks this controller first (NodeMain calls every Runnable service with this
        // property before it stops the framework): the cluster stops or moves what runs here, then lets it go
        shutdownParticipant = context.registerService(Runnable.class, this::shutdownNode,
            new java.util.Hashtable<>(java.util.Map.of("vigil.shutdown.participant", "crm-controller")));
        constructed.countDown();
        LOG.info("controller on {} started", node.name());
    }

    private void membershipChanged(MembershipEvent e) {
        if (e.type() == MembershipEvent.Type.TRANSITIONAL && !e.left().isEmpty()) {
            event("ring", "token lost or members gone: " + e.left() + " left, " + e.members() + " remain");
        }
        if (e.type() == MembershipEvent.Type.REGULAR) {
            event("ring", "ring " + e.ringId() + " formed: members " + e.members());
            submit(() -> core.ringChanged(Set.copyOf(e.members())));
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindQuorum(QuorumService quorum) {
        AutoCloseable c = quorum.addListener(this::quorumChanged);
        synchronized (closers) {
            closers.add(c);
        }
        quorum.current().ifPresent(this::quorumChanged);
    }

    void unbindQuorum(QuorumService quorum) {
        // its listener goes with it
    }

    private void quorumChanged(QuorumState q) {
        submit(() -> core.quorumChanged(q.quorate()));
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindScheduler(PolicyEngine engine) {
        scheduler = engine;
        submit(core::schedulerAvailable);
    }

    void unbindScheduler(PolicyEngine engine) {
        if (scheduler == engine) {
            scheduler = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindExecutor(Executor ex) {
        executor = ex;
        submit(core::executorAvailable);
    }

    void unbindExecutor(Executor ex) {
        if (executor == ex) {
            executor = null;
        }
    }

    /** Runs {@code task} on the controller's thread; a failure is logged, never lost. */
    private void submit(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("controller: an event failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("controller: stopped; an event was dropped");
        }
    }

    private <T> T call(Callable<T> work) {
        try {
            return thread.submit(work).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the controller did not answer: " + e, e);
        }
    }

    private void event(String kind, String text) {
        event(System.currentTimeMillis(), kind, text);
    }

    private void event(long at, String kind, String text) {
        TimelineEvent e = new TimelineEvent(at, kind, text);
        synchronized (timeline) {
            timeline.addLast(e);
            while (timeline.size() > TIMELINE_SIZE) {
                timeline.removeFirst();
            }
        }
        LOG.info("{}: {}", kind, text);
    }

    /** The environment the core acts through; every call arrives on the controller's thread. */
    private volatile org.vigil.crm.api.fencer.Fencer fencer;
    private volatile AutoCloseable fencerListener;

    /** The cluster's fencer on this node (crm/fencer), when it runs: fencing actions of the graph go to it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindFencer(org.vigil.crm.api.fencer.Fencer f) {
        fencer = f;
        fencerListener = f.listen(ev -> submit(() -> core.fenced(ev)));
    }

    void unbindFencer(org.vigil.crm.api.fencer.Fencer f) {
        if (fencer == f) {
            fencer = null;
            AutoCloseable l = fencerListener;
            fencerListener = null;
            if (l != null) {
                try {
                    l.close();
                } catch (Exception e) {
                    LOG.debug("closing the fencer listener: {}", e.toString());
                }
            }
        }
    }

    /** One message to CPG (the group is joined last in the constructor; nothing is sent before). */
    private boolean mcast(byte[] message) {
        return group.mcast(message);
    }

    private final class ServiceEnv implements ControllerCore.Env {
        private final VigilConfig config = node.config();

        @Override
        public void send(XmlNode message) {
            outbox.send(XmlCodec.encode(message));
        }

        @Override
        public List<org.vigil.crm.api.fencer.FenceEvent> fenceHistory() {
            org.vigil.crm.api.fencer.Fencer f = fencer;
            return f == null ? List.of() : f.history(null);
        }

        @Override
        public CompletionStage<org.vigil.crm.api.fencer.FenceEvent> fence(String target,
                                                                          org.vigil.crm.api.fencer.FenceAction action,
                                                                          String client) {
            org.vigil.crm.api.fencer.Fencer f = fencer;
            if (f == null) {
                return null;
            }
            CompletableFuture<org.vigil.crm.api.fencer.FenceEvent> out = new CompletableFuture<>();
            f.fence(target, action, client, null).whenComplete((ev, e) -> submit(() -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(ev);
                }
            }));
            return out;
        }

        @Override
        public CibSnapshot cib() {
            return cib.current();
        }

        @Override
        public boolean cibSyncing() {
            return cib.syncing();
        }

        @Override
        public CompletionStage<CibSnapshot> cibUpdate(CibRequest request) {
            CompletableFuture<CibSnapshot> out = new CompletableFuture<>();
            cib.update(request).whenComplete((s, e) -> submit(() -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(s);
                }
            }));
            return out;
        }

        @Override
        public Transition schedule(CibSnapshot snapshot, int transitionId, String teUuid) {
            PolicyEngine engine = scheduler;
            if (engine == null) {
                throw new ControllerCore.NoScheduler();
            }
            Transition t = engine.schedule(snapshot, Instant.now(), ZoneId.systemDefault(), transitionId, teUuid);
            Path saved = peInputs.save(snapshot, PeInputs.seriesMax(snapshot));
            if (saved != null) {
                LOG.info("Calculated transition {}, saving inputs in {}", transitionId, saved);
            }
            return t;
        }

        @Override
        public Executor executor() {
            Executor ex = executor;
            return ex == null ? null : new OnThread(ex);
        }

        @Override
        public ControllerCore.Timer timer(long delayMs, Runnable task) {
            ScheduledFuture<?> f;
            try {
                f = thread.schedule(() -> {
                    try {
                        task.run();
                    } catch (RuntimeException | Error e) {
                        LOG.error("controller: a timer failed", e);
                    }
                }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return () -> { };
            }
            return () -> f.cancel(false);
        }

        @Override
        public long now() {
            return System.currentTimeMillis();
        }

        @Override
        public String configuredName(int nodeId) {
            for (VigilConfig.Node n : config.nodes()) {
                if (n.nodeId() == nodeId) {
                    return n.displayName();
                }
            }
            return null;
        }

        @Override
        public List<Integer> configuredNodes() {
            List<Integer> out = new ArrayList<>();
            for (VigilConfig.Node n : config.nodes()) {
                if (n.nodeId() != 0) {
                    out.add(n.nodeId());
                }
            }
            return out;
        }

        @Override
        public void event(String kind, String text) {
            ControllerService.this.event(kind, text);
        }

        @Override
        public List<TimelineEvent> timeline() {
            return ControllerService.this.timeline();
        }

        @Override
        public void transitionEnded(boolean aborted, long millis, int actions) {
            cmap.add(ENDED_MS, Math.max(0, millis));
            cmap.add(ENDED_ACTIONS, actions);
            cmap.add(ENDED, 1);
            if (aborted) {
                cmap.add(ABORTED, 1);
            }
        }
    }

    /** The executor, with its stages completing on the controller's thread. */
    private final class OnThread implements Executor {
        private final Executor ex;

        OnThread(Executor ex) {
            this.ex = ex;
        }

        private <T> CompletionStage<T> hop(CompletionStage<T> stage) {
            CompletableFuture<T> out = new CompletableFuture<>();
            stage.whenComplete((v, e) -> submit(() -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(v);
                }
            }));
            return out;
        }

        @Override
        public CompletionStage<Outcome> execute(ExecRequest request) {
            return hop(ex.execute(request));
        }

        @Override
        public CompletionStage<Outcome> delete(String resourceId, String transitionKey) {
            return hop(ex.delete(resourceId, transitionKey));
        }

        @Override
        public CompletionStage<CibVersion> publish() {
            return hop(ex.publish());
        }

        @Override
        public List<String> recurring() {
            return ex.recurring();
        }

        @Override
        public int active() {
            return ex.active();
        }
    }

    // ---- Controller ---------------------------------------------------------------------------------------------

    @Override
    public ControllerStatus status() {
        return call(() -> {
            Graph g = core.graph();
            return new ControllerStatus(node.name(), core.dcName(), core.isDc(), core.isDc() && core.joinSettled(),
                g == null ? -1 : g.id(), core.idle(), g == null || g.complete() ? 0 : g.pending().size(),
                core.describe());
        });
    }

    /** See {@link ControllerCore#joinedDc()}. */
    boolean joinedDc() {
        return call(core::joinedDc);
    }

    @Override
    public List<TimelineEvent> timeline() {
        synchronized (timeline) {
            return List.copyOf(timeline);
        }
    }

    @Override
    public CompletionStage<Void> forgetHistory(String resourceId, java.util.Collection<String> nodes) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        submit(() -> {
            Set<Integer> ids = new TreeSet<>();
            if (nodes.isEmpty()) {
                ids.addAll(core.groupMembers());
            }
            for (String name : nodes) {
                Integer id = core.nodeIdByName(name);
                if (id == null) {
                    out.completeExceptionally(new IllegalArgumentException("no node named " + name));
                    return;
                }
                ids.add(id);
            }
            core.forget(resourceId, ids).whenComplete((v, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(null);
                }
            });
        });
        return out;
    }

    @Override
    public CompletionStage<Void> failResource(String resourceId, String node, String agentClass, String provider,
                                              String type) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        submit(() -> core.failResource(resourceId, node, agentClass, provider, type).whenComplete((v, e) -> {
            if (e != null) {
                out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e);
            } else {
                out.complete(null);
            }
        }));
        return out;
    }

    // ---- crmadmin -----------------------------------------------------------------------------------------------

    /**
     * crmadmin's options, as Pacemaker 2.1.5's {@code crmadmin} declares them (tools/crmadmin.c:
     * {@code command_options}, {@code additional_options}, and the common {@code --output-as}, {@code -q}, {@code -V}), plus Vigil's
     * {@code --describe} and {@code --timeline [--incidents N | --all] [--local]}.
     */
    static ToolOptions crmadminOptions() {
        return new ToolOptions("crmadmin", "crmadmin -D | -S NODE | -N [TYPES] | --describe | --timeline [options]")
            .value("S", "status", "NODE", "Display the status of the specified node")
            .flag("P", "pacemakerd", "Display the status of local pacemakerd")
            .flag("D", "dc_lookup", "Display the uname of the node co-ordinating the cluster")
            .optionalValue("N", "nodes", "TYPES", "Display the uname of all member nodes [optionally filtered by type]")
            .flag("H", "health", "(deprecated)")
            .value("t", "timeout", "TIMESPEC", "Time to wait before declaring the operation failed (default 30s)")
            .flag("B", "bash-export", "Display nodes as shell commands of the form 'export uname=uuid'")
            .value("i", "ipc-name", "NAME", "Name to use for ipc instead of 'crmadmin'")
            .flag("q", "quiet", "Display only the essential query information")
            .flag("V", "verbose", "Increase debug output")
            .longFlag("version", "Display software version and exit")
            .longValue("output-as", "FORMAT", "Specify output format as one of: text (default), xml, json")
            .longValue("output-to", "DEST", "Specify file name for output (or \"-\" for stdout)")
            .longFlag("describe", "Vigil: this node's controller in one line")
            .longFlag("timeline", "Vigil: the DC's incident timeline")
            .longValue("incidents", "N", "Vigil: with --timeline, the last N incidents (default 3)")
            .longFlag("all", "Vigil: with --timeline, every incident")
            .longFlag("local", "Vigil: with --timeline, this node's own steps");
    }

    /**
     * crmadmin's command line parsed and checked as Pacemaker's crmadmin does before it connects anywhere: the
     * timeout an interval ({@code pcmk_parse_interval_spec()}, else "Error parsing option -t"), the output format
     * known, a command given ("error: Must specify a command option", exit 64).
     */
    static CommandLine parseCrmadmin(List<String> args) throws UsageException {
        return parseCrmadmin(args, null);
    }

    /** As {@link #parseCrmadmin(List)}; with {@code out}, the help asked for is printed there and null returned. */
    private static CommandLine parseCrmadmin(List<String> args, PrintStream out) throws UsageException {
        ToolOptions o = crmadminOptions();
        CommandLine cl = out == null ? o.parse(args, true) : o.parseOrHelp(args, true, out);
        if (cl == null) {
            return null;
        }
        if (cl.hasOption("t") && Durations.parseMs(cl.getOptionValue("t")) < 0) {
            throw o.badValue("t", null);
        }
        if (cl.hasOption("incidents")) {
            try {
                if (Integer.parseInt(cl.getOptionValue("incidents")) < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw o.badValue("incidents", null);
            }
        }
        String format = cl.getOptionValue("output-as", "text");
        if (!Set.of("text", "xml", "json").contains(format)) {
            throw new UsageException("crmadmin: Error creating output format " + format
                + ": Unknown output format", 1);
        }
        if (!cl.hasOption("S") && !cl.hasOption("P") && !cl.hasOption("D") && !cl.hasOption("N")
            && !cl.hasOption("timeline") && !cl.hasOption("describe") && !cl.hasOption("version")) {
            throw new UsageException("error: Must specify a command option\n" + o.help(), 64);
        }
        return cl;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        CommandLine cl = parseCrmadmin(args, out);
        if (cl == null) {
            return 0;
        }
        if (cl.hasOption("version")) {
            out.println("Pacemaker 2.1.5 (Vigil " + node.version() + ")");
            return 0;
        }
        boolean quiet = cl.hasOption("q");
        String format = cl.getOptionValue("output-as", "text");
        if (cl.hasOption("N")) {
            // -N [TYPES] | --nodes[=TYPES]: the nodes configured in the CIB (pcmk__list_nodes())
            String types = cl.getOptionValue("N");
            if (types == null && !cl.getArgList().isEmpty()) {
                types = cl.getArgList().get(0);   // "-N remote": GLib's optional value is only "--nodes=remote"
            }
            List<CrmadminOutput.ConfiguredNode> nodes = CrmadminOutput.nodes(cib.current().root(), types);
            if (format.equals("text")) {
                out.print(CrmadminOutput.nodesText(nodes, cl.hasOption("B"), quiet));
            } else {
                out.print(CrmadminOutput.as(format, CrmadminOutput.result(args, CrmadminOutput.nodesXml(nodes), 0,
                    "OK", null)));
            }
            return 0;
        }
        if (cl.hasOption("D")) {
            ControllerStatus s = status();
            if (s.dc() == null) {
                if (!format.equals("text")) {
                    out.print(CrmadminOutput.as(format, CrmadminOutput.result(args, "", 102, "Not connected",
                        "crmadmin: no DC is elected yet")));
                } else {
                    err.println("crmadmin: no DC is elected yet");
                }
                return 102;
            }
            if (!format.equals("text")) {
                out.print(CrmadminOutput.as(format, CrmadminOutput.result(args, CrmadminOutput.dcXml(s.dc()), 0, "OK",
                    null)));
                return 0;
            }
            out.println(quiet ? s.dc() : "Designated Controller is: " + s.dc());
            return 0;
        }
        if (cl.hasOption("S")) {
            String asked = cl.getOptionValue("S");
            ControllerStatus s = status();
            if (asked != null && !asked.equals(s.node())) {
                // Pacemaker's crmadmin asks that node's controller over the cluster; this one answers only for the
                // node it runs on rather than give this node's state under another name
                err.println("crmadmin: the state of " + asked + "'s controller is known only there: run crmadmin -S "
                    + asked + " on " + asked + " (this node is " + s.node() + ")");
                return 1;
            }
            String state = s.isDc() ? (s.idle() ? "S_IDLE" : s.pendingActions() > 0 ? "S_TRANSITION_ENGINE"
                : "S_POLICY_ENGINE") : s.dc() == null ? "S_ELECTION" : "S_NOT_DC";
            if (!format.equals("text")) {
                out.print(CrmadminOutput.as(format, CrmadminOutput.result(args,
                    CrmadminOutput.healthXml(s.node(), state, "ok"), 0, "OK", null)));
                return 0;
            }
            out.println(quiet ? state : "Controller on " + s.node() + " in state " + state + ": ok");
            return 0;
        }
        if (cl.hasOption("P")) {
            err.println("crmadmin: -P (pacemakerd's state) is not supported by Vigil: one node process is the whole"
                + " stack; it is running if this command answered (vigil status shows its bundles)");
            return 1;
        }
        if (cl.hasOption("timeline")) {
            // --incidents N (default 3) | --all; --local: this node's own steps instead of the DC's
            int count = cl.hasOption("incidents") ? Integer.parseInt(cl.getOptionValue("incidents")) : 3;
            if (cl.hasOption("all")) {
                count = 0;
            }
            List<TimelineEvent> events;
            String source;
            if (cl.hasOption("local")) {
                events = timeline();
                source = "steps seen on " + node.name();
            } else {
                try {
                    CompletableFuture<List<TimelineEvent>> f = call(core::dcTimeline);
                    events = f.get(5, TimeUnit.SECONDS);
                    source = "steps seen on the DC " + status().dc();
                } catch (ExecutionException | TimeoutException | IllegalStateException e) {
                    err.println("crmadmin: the DC's timeline is not available (" + (e.getCause() != null
                        ? e.getCause().getMessage() : e.getMessage()) + "); this node's own:");
                    events = timeline();
                    source = "steps seen on " + node.name();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
            out.print(Incidents.format(events, count, source));
            return 0;
        }
        out.println(status().summary());   // --describe
        return 0;
    }

    /**
     * The node stops: ask the cluster to stop this node's resources and wait until the DC lets it go, at most the
     * cluster's {@code shutdown-escalation} (Pacemaker's default 20 min), or {@code vigil.shutdown.escalation} (ms)
     * when that system property is set and shorter.
     */
    private void shutdownNode() {
        long escalation = Durations.parseMs(ControllerCore.clusterOption(cib.current(), "shutdown-escalation"));
        if (escalation <= 0) {
            escalation = 20 * 60_000L;
        }
        Long cap = Long.getLong("vigil.shutdown.escalation");
        if (cap != null && cap >= 0) {
            escalation = Math.min(escalation, cap);
        }
        long start = System.nanoTime();
        try {
            call(core::shutdown).get(escalation, TimeUnit.MILLISECONDS);
            event("shutdown", "resources stopped; leaving after " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (TimeoutException e) {
            LOG.error("shutdown: the cluster did not stop this node's resources within {} ms (shutdown-escalation);"
                + " stopping anyway", escalation);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | IllegalStateException e) {
            LOG.warn("shutdown: {}; stopping anyway", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        try {
            shutdownParticipant.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
        // the bundle stops while the node runs (an upgrade): tell the others first, so this node keeps its place
        // and its resources while the new revision starts (they wait up to ControllerCore.UPGRADE_GRACE_MS)
        boolean nodeStopping;
        try {
            nodeStopping = context.getBundle(0).getState() == org.osgi.framework.Bundle.STOPPING;
        } catch (IllegalStateException e) {
            nodeStopping = true;
        }
        if (!nodeStopping) {
            try {
                call(core::leavingForUpgrade).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | IllegalStateException e) {
                LOG.warn("controller: could not tell the others it leaves for an upgrade: {}", e.getMessage());
            }
        }
        synchronized (closers) {
            for (AutoCloseable c : closers) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("closing a listener: {}", e.toString());
                }
            }
        }
        try {
            group.close();
        } catch (RuntimeException e) {
            LOG.debug("leaving {}: {}", CrmdMessages.GROUP, e.toString());
        }
        peWriter.shutdown();   // the inputs already handed over are still written
        thread.shutdown();
    }
}
