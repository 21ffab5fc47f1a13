package org.vigil.crm.executor.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlCodec;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.exec.ExecHandover;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.Executor.Outcome;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * A node's executor: runs the operations the DC sends through the resource agents, one at a time per resource,
 * keeps the recurring monitors going, and records every result in the CIB status as Pacemaker's executor and
 * controller do together ({@code daemons/execd}, {@code controld_execd.c}).
 *
 * <ul>
 * <li>A one-shot operation that is not a probe is first recorded as pending ({@code record-pending}:
 * {@code call-id -1}, {@code rc-code 193}, {@code op-status -1}).</li>
 * <li>Its result is written under the ids {@code pcmk__create_history_xml()} picks ({@link OpRecord#entryIds()}).
 * {@code notify}, {@code cancel} and {@code delete} are not recorded ({@code controld_action_is_recordable()}).</li>
 * <li>A recurring operation re-arms {@code interval} after it finishes; a later result is written only when it
 * differs from the last one written (Pacemaker's change-only reporting): a healthy monitor never touches the CIB
 * after its first result.</li>
 * <li>A failure increments {@code fail-count-RSC#OP_INTERVAL} and sets {@code last-failure-RSC#OP_INTERVAL} in the
 * same CIB update as the result, with the values of {@code update_failcount()} (controld_te_events.c), so the DC
 * plans the recovery once.</li>
 * <li>A successful stop cancels the resource's recurring operations and leaves their entries in the CIB (a
 * deletion would abort the DC's transition); the history published at the next join no longer has them. A cancel
 * removes one operation and its entry.</li>
 * </ul>
 *
 * <p>State that must outlive one revision of the bundle lives outside it: the history in the CIB (this node's
 * {@code lrm}), the recurring operations and the call counter in the kernel's cmap ({@value #CMAP_PREFIX}*). A new
 * revision finds them there ({@link #restore()}); a fresh node (a new JVM, an empty cmap) starts with no history,
 * as Pacemaker's executor does after a restart.
 *
 * <p>Threading: every method is called on {@code thread} (single-threaded); agents complete on their own threads
 * and hand their results back to it.
 */
final class ExecutorCore {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.EXEC");

    /** Where the executor keeps what a new revision of it needs (kernel-held, so it survives a bundle update). */
    static final String CMAP_PREFIX = "runtime.crm.exec.";
    static final String CMAP_CALLS = CMAP_PREFIX + "calls";
    static final String CMAP_RECURRING = CMAP_PREFIX + "recurring.";
    /** When each recurring operation is next due (ms since the epoch), so that a new revision keeps the schedule. */
    static final String CMAP_DUE = CMAP_PREFIX + "due.";
    /**
     * Counters an upgrade report reads around a swap (kernel-held, so they span revisions): starts and stops run
     * and the last of them, recurring runs that began more than {@value #LATE_MS} ms after they were due and the
     * last such run.
     */
    static final String CMAP_STARTS = CMAP_PREFIX + "stats.starts";
    static final String CMAP_STOPS = CMAP_PREFIX + "stats.stops";
    static final String CMAP_LATE = CMAP_PREFIX + "stats.monitors_late";
    static final String CMAP_LAST_LATE = CMAP_PREFIX + "stats.last_late";
    /** The last start or stop run: {@code "<starts + stops> <resource> <operation>"}. */
    static final String CMAP_LAST_OP = CMAP_PREFIX + "stats.last_op";
    /** A recurring run this much later than due counts as delayed. */
    static final long LATE_MS = 1000;

    /** Finds the agent for {@code standard:provider:type}; null if none is registered. */
    interface Agents {
        ResourceAgent find(String spec);

        /**
         * True while the set of agents is changing (this revision of the executor has just started and the agents
         * are still being bound, or an agent was just unregistered: the agents bundle is being swapped). An agent
         * missing then is waited for ({@value ExecutorCore#AGENT_WAIT_MS} ms at a time) instead of failing the
         * operation as not installed, which would make the DC recover a healthy resource.
         */
        default boolean settling() {
            return false;
        }
    }

    /**
     * How long after a one-shot action succeeded the same action asked again (another transition key, nothing run on
     * the resource since) is answered with its result instead of being run again.
     */
    static final long REPEAT_WINDOW_MS = 10_000;

    /** How often an operation whose agent is missing while the agents are settling looks again. */
    static final long AGENT_WAIT_MS = 100;

    private final String nodeName;
    private final String nodeUuid;
    private final Cib cib;
    private final Cmap cmap;
    private final Agents agents;
    private final Executor thread;
    private final ScheduledExecutorService timers;
    private final LongSupplier clock;
    private final Map<String, ResourceState> resources = new LinkedHashMap<>();
    private long calls;
    private int writes;
    private boolean closing;
    /** Jobs handed to the next revision: their results, if they reach this one, are ignored. */
    private final Set<Job> handedOver = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    /** One resource's queue, history and recurring operations. */
    private static final class ResourceState {
        final String id;
        String standard;
        String provider;
        String type;
        final Deque<Job> queue = new ArrayDeque<>();
        boolean busy;
        /** entry id (RSC_last_0, RSC_last_failure_0, RSC_monitor_10000) -> lrm_rsc_op */
        final Map<String, XmlNode> history = new LinkedHashMap<>();
        /** operation key -> recurring operation */
        final Map<String, Recurring> recurring = new HashMap<>();
        /** The last CIB write of this resource: the next one is sent when it is done. */
        CompletableFuture<CibVersion> lastWrite;
        /** The operation running now, if any. */
        Job running;
        /** Requests for the very action running now (from another transition): they get its result. */
        final List<Job> joined = new ArrayList<>();
        /** The agent's result to come for {@link #running} once its agent started, and when it started. */
        CompletionStage<AgentResult> runningStage;
        long runningStarted;
        /** The last one-shot action run here if it succeeded and nothing ran or failed since (else null). */
        Job lastDone;
        AgentResult lastResult;
        long lastStarted;
        long lastDoneAt;

        ResourceState(String id) {
            this.id = id;
        }
    }

    /** A recurring operation: its request, the last result written, the timer of its next run. */
    private static final class Recurring {
        final ExecRequest request;
        boolean cancelled;
        boolean reported;
        int lastRc = Integer.MIN_VALUE;
        int lastStatus = Integer.MIN_VALUE;
        long lastRcChange;
        /** The call id of every run (execd gives a recurring operation one call id), 0 before the first. */
        long callId;
        ScheduledFuture<?> next;
        /** When the next run is due (ms since the epoch), 0 when not armed. */
        long due;

        Recurring(ExecRequest request) {
            this.request = request;
        }
    }

    private record Job(ExecRequest request, long receivedAt, Recurring recurring, CompletableFuture<Outcome> done) {
    }

    ExecutorCore(String nodeName, String nodeUuid, Cib cib, Cmap cmap, Agents agents, Executor thread,
                 ScheduledExecutorService timers, LongSupplier clock) {
        this.nodeName = nodeName;
        this.nodeUuid = nodeUuid;
        this.cib = cib;
        this.cmap = cmap;
        this.agents = agents;
        this.thread = thread;
        this.timers = timers;
        this.clock = clock;
    }

    private ResourceState state(ExecRequest r) {
        ResourceState rs = resources.computeIfAbsent(r.resourceId(), ResourceState::new);
        if (r.standard() != null) {
            rs.standard = r.standard();
            rs.provider = r.provider();
            rs.type = r.type();
        }
        return rs;
    }

    // ---- a new revision takes over ----------------------------------------------------------------------------

    /**
     * Takes over what an earlier revision of the executor in this JVM ran: the history of this node in the CIB, the
     * call counter and the recurring operations in cmap, each re-armed for when it was due (one that fell due while
     * the bundle was swapped runs now; one whose due time was not kept, one interval from now). Does nothing on a
     * fresh node.
     *
     * @return how many recurring operations were taken over, or -1 on a fresh node
     */
    int restore() {
        if (cmap == null || cmap.get(CMAP_CALLS).isEmpty()) {
            return -1;
        }
        calls = ((Number) cmap.get(CMAP_CALLS).get().value()).longValue();
        XmlNode lrmResources = ownLrmResources(cib.current());
        if (lrmResources != null) {
            for (XmlNode lr : lrmResources.children("lrm_resource")) {
                ResourceState rs = resources.computeIfAbsent(lr.id(), ResourceState::new);
                rs.standard = lr.attribute("class");
                rs.provider = lr.attribute("provider");
                rs.type = lr.attribute("type");
                for (XmlNode op : lr.children("lrm_rsc_op")) {
                    rs.history.put(op.id(), op);
                    calls = Math.max(calls, longOf(op.attribute("call-id")));
                }
            }
        }
        int taken = 0;
        for (CmapEntry e : cmap.iterate(CMAP_RECURRING)) {
            ExecRequest r;
            try {
                XmlNode x = XmlCodec.decode(Base64.getDecoder().decode(String.valueOf(e.value())), "rsc_op");
                r = ExecRequest.fromXml(x);
            } catch (CibException | IllegalArgumentException ex) {
                LOG.warn("executor: dropped the unreadable recurring operation {}: {}", e.key(), ex.getMessage());
                cmap.delete(e.key());
                continue;
            }
            if (r == null) {
                cmap.delete(e.key());
                continue;
            }
            ResourceState rs = state(r);
            Recurring rec = new Recurring(r);
            rec.reported = true;
            XmlNode last = lastResultOf(rs, OpRecord.historyKey(r));
            if (last != null) {
                rec.lastRc = (int) longOf(last.attribute("rc-code"));
                rec.lastStatus = (int) longOf(last.attribute("op-status"));
                rec.lastRcChange = longOf(last.attribute("last-rc-change"));
                rec.callId = longOf(last.attribute("call-id"));
            } else {
                rec.reported = false;
            }
            rs.recurring.put(OpRecord.historyKey(r), rec);
            if (!e.key().equals(recurringKey(OpRecord.historyKey(r)))) {
                cmap.delete(e.key());   // kept by an earlier revision under the graph's key (a clone instance's)
                remember(r);
            }
            long due = cmap.get(dueKey(OpRecord.historyKey(r))).map(d -> ((Number) d.value()).longValue())
                .orElse(0L);
            long now = clock.getAsLong();
            rearmAt(rs, rec, due > 0 ? Math.min(due, now + r.intervalMs()) : now + r.intervalMs());
            taken++;
        }
        int inFlight = takeOverInFlight();
        LOG.info("executor: took over {} resources, {} recurring operations and {} actions in flight from the "
            + "previous revision", resources.size(), taken, inFlight);
        return taken;
    }

    /**
     * Takes the agent actions an earlier revision left in flight ({@link ExecHandover}): each is this revision's
     * running action of its resource, its result recorded and its requests answered here; a recurring one runs on
     * from its next run after this one (the timer {@link #restore()} armed for it is cancelled).
     *
     * @return how many were taken
     */
    @SuppressWarnings("unchecked")
    int takeOverInFlight() {
        List<ExecHandover.InFlight> left = ExecHandover.take(nodeName);
        for (ExecHandover.InFlight f : left) {
            ExecRequest r = f.action().request();
            ResourceState rs = state(r);
            Recurring rec = null;
            if (r.intervalMs() > 0) {
                rec = rs.recurring.get(OpRecord.historyKey(r));
                if (rec == null || rec.cancelled) {
                    rec = new Recurring(r);
                    rec.cancelled = true;   // cancelled meanwhile: the result is not recorded
                } else if (rec.next != null) {
                    rec.next.cancel(false);
                    rec.next = null;
                }
            }
            Job job = new Job(r, f.action().receivedAt(), rec, f.action().done());
            for (ExecHandover.Waiter w : f.joined()) {
                rs.joined.add(new Job(w.request(), w.receivedAt(), null, w.done()));
            }
            rs.busy = true;
            rs.running = job;
            rs.runningStage = (CompletionStage<AgentResult>) f.result();
            rs.runningStarted = f.started();
            long started = f.started();
            rs.runningStage.whenComplete((result, e) -> thread.execute(() -> finished(rs, job, result != null
                ? result : AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC, "the agent failed: " + e,
                Duration.ZERO), started)));
            LOG.info("{} on {}: taken over in flight from the previous revision (running {} ms)", r.operationKey(),
                nodeName, clock.getAsLong() - started);
        }
        return left.size();
    }

    private XmlNode ownLrmResources(CibSnapshot s) {
        XmlNode status = s.status();
        if (status == null) {
            return null;
        }
        for (XmlNode ns : status.children("node_state")) {
            if (nodeUuid.equals(ns.id())) {
                XmlNode lrm = ns.firstChild("lrm");
                return lrm == null ? null : lrm.firstChild("lrm_resources");
            }
        }
        return null;
    }

    /**
     * The entry of this operation key written last (its last result, failed or not): the highest call id, then
     * the latest {@code last-rc-change}.
     */
    private static XmlNode lastResultOf(ResourceState rs, String operationKey) {
        XmlNode best = null;
        for (XmlNode op : rs.history.values()) {
            if (!operationKey.equals(op.attribute("operation_key"))) {
                continue;
            }
            if (best == null) {
                best = op;
                continue;
            }
            long c = longOf(op.attribute("call-id"));
            long b = longOf(best.attribute("call-id"));
            if (c > b || (c == b && longOf(op.attribute("last-rc-change"))
                >= longOf(best.attribute("last-rc-change")))) {
                best = op;
            }
        }
        return best;
    }

    // ---- requests from the controller -------------------------------------------------------------------------

    /** Runs (or, for {@code cancel}, stops) an operation. */
    CompletableFuture<Outcome> execute(ExecRequest r) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new IllegalStateException("the executor is stopping"));
            return done;
        }
        if (r.operation().equals("cancel")) {
            String op = r.meta("operation");
            long interval = longOf(r.meta("interval"));
            return cancel(r.resourceId(), r.resourceId() + "_" + op + "_" + interval, r);
        }
        if (r.operation().equals("delete")) {
            // the scheduler's cleanup (pcmk__schedule_cleanup()) is a controller matter, not the agent's: the
            // resource is forgotten, its history erased (do_lrm_invoke() -> do_lrm_delete()), no agent runs
            return delete(r.resourceId(), r.transitionKey());
        }
        ResourceState rs = state(r);
        if (changesState(r)) {
            stopRecurring(rs, r);
        }
        Recurring rec = null;
        if (r.intervalMs() > 0) {
            rec = new Recurring(r);
            Recurring before = rs.recurring.put(OpRecord.historyKey(r), rec);
            if (before != null) {
                stop(before);
            }
            remember(r);
        }
        Job job = new Job(r, clock.getAsLong(), rec, done);
        if (sameAction(rs.running, r)) {
            // the DC changed (or replanned) while this action ran, and the new plan asks for it again: it is not
            // run twice; the request gets the running one's result, recorded under its own transition key
            LOG.info("{} on {}: the same action is running (transition key {}); this request ({}) gets its result",
                r.operationKey(), nodeName, rs.running.request().transitionKey(), r.transitionKey());
            rs.joined.add(job);
            return done;
        }
        if (rs.running == null && rs.queue.isEmpty() && sameAction(rs.lastDone, r)
            && clock.getAsLong() - rs.lastDoneAt < REPEAT_WINDOW_MS) {
            // the same: asked again just after it succeeded, nothing ran since (a DC planned from a CIB without its
            // result, as after a handover); the agent is not run twice, the request gets that result
            LOG.info("{} on {}: the same action succeeded {} ms ago (transition key {}); this request ({}) gets its "
                + "result", r.operationKey(), nodeName, clock.getAsLong() - rs.lastDoneAt,
                rs.lastDone.request().transitionKey(), r.transitionKey());
            complete(rs, job, rs.lastResult, rs.lastStarted);
            return done;
        }
        rs.queue.add(job);
        pump(rs);
        return done;
    }

    /**
     * True for an operation that may change the resource's state: any one-shot operation but a monitor (probe),
     * notify or meta-data; a migration of a remote connection keeps its monitor. Follows the {@code stop_recurring}
     * choice of {@code do_lrm_rsc_op()} in controld_execd.c.
     */
    static boolean changesState(ExecRequest r) {
        String op = r.operation();
        if (r.intervalMs() > 0 || op.equals("monitor") || op.equals("notify") || op.equals("meta-data")) {
            return false;
        }
        boolean remote = "ocf".equals(r.standard()) && "pacemaker".equals(r.provider()) && "remote".equals(r.type());
        return !(remote && (op.equals("migrate_to") || op.equals("migrate_from")));
    }

    /**
     * Stops the resource's recurring operations before {@code r} changes its state ("stop any previous monitor
     * operations before changing the resource state": {@code stop_recurring_action_by_rsc()}, which cancels without
     * erasing their history): a promoted monitor that ran on after a demote would report the resource running but
     * not promoted, a failure. The DC schedules the monitors of the new role after the action.
     */
    private void stopRecurring(ResourceState rs, ExecRequest r) {
        if (rs.recurring.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(rs.recurring.keySet());
        for (String key : keys) {
            stop(rs.recurring.remove(key));
            forget(key);
        }
        LOG.debug("stopped {} recurring operation(s) of {} in preparation for {}", keys.size(), rs.id,
            r.operationKey());
    }

    /**
     * True when {@code running} is the one-shot action {@code r} asks for (start, stop, promote, demote...: the same
     * operation with the same parameters), from another transition. Probes and recurring operations are not joined.
     */
    private boolean sameAction(Job running, ExecRequest r) {
        if (running == null || running.recurring() != null || r.intervalMs() > 0 || r.probe()) {
            return false;
        }
        ExecRequest a = running.request();
        return a.operation().equals(r.operation()) && a.intervalMs() == 0 && !a.probe()
            && !java.util.Objects.equals(a.transitionKey(), r.transitionKey())
            && agentParameters(a).equals(agentParameters(r));
    }

    private static long longOf(String v) {
        try {
            return v == null ? 0 : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void stop(Recurring rec) {
        rec.cancelled = true;
        if (rec.next != null) {
            rec.next.cancel(false);
        }
    }

    /**
     * Stops a recurring operation and removes its entry from the CIB. Follows {@code cancel_op()} and
     * {@code erase_lrm_history_by_op()} in controld_execd.c; the controller acknowledges the cancel to the DC.
     */
    private CompletableFuture<Outcome> cancel(String resource, String operationKey, ExecRequest cancelAction) {
        ResourceState rs = resources.get(resource);
        Recurring rec = rs == null ? null : rs.recurring.remove(operationKey);
        if (rec != null) {
            stop(rec);
        }
        forget(operationKey);
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Outcome outcome = new Outcome(cancelAction.operationKey(), cancelAction.transitionKey(), 0, 0, false, null,
            "");
        if (rs != null && rs.history.remove(operationKey) != null) {
            XmlNode gone = XmlNode.of("lrm_rsc_op", "id", operationKey, "__delete__", "true");
            write(resource, rs, List.of(gone), List.of(), "cancel of " + operationKey)
                .whenComplete((v, e) -> done.complete(outcome));
        } else {
            done.complete(outcome);
        }
        return done;
    }

    /** Forgets a resource's history (Pacemaker's {@code lrm_delete}): recurring operations stop, the entry goes. */
    CompletableFuture<Outcome> delete(String resource, String transitionKey) {
        ResourceState rs = resources.remove(resource);
        if (rs != null) {
            for (Recurring rec : rs.recurring.values()) {
                stop(rec);
                forget(OpRecord.historyKey(rec.request));
            }
        }
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        writes++;
        cib.update(new CibRequest(CibRequest.Op.DELETE, null, "/cib/status/node_state[@id='" + nodeUuid
            + "']/lrm/lrm_resources/lrm_resource[@id='" + resource + "']", null, Set.of(), "crmd", "hacluster"))
            .whenComplete((s, e) -> thread.execute(() -> {
                writes--;
                if (e != null && !(unwrap(e) instanceof CibError ce && ce.exitCode() == CibError.NOSUCH)) {
                    LOG.warn("deleting the history of {} failed: {}", resource, unwrap(e).getMessage());
                }
                done.complete(new Outcome(resource + "_delete_0", transitionKey, 0, 0, false,
                    s == null ? null : s.version(), ""));
                maybeClosed();
            }));
        return done;
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    // ---- running ----------------------------------------------------------------------------------------------

    private void pump(ResourceState rs) {
        while (!rs.busy && !rs.queue.isEmpty()) {
            Job job = rs.queue.poll();
            if (job.recurring() != null && job.recurring().cancelled) {
                job.done().complete(new Outcome(job.request().operationKey(), job.request().transitionKey(), 0, 1,
                    false, null, "cancelled"));
                continue;
            }
            rs.busy = true;
            rs.running = job;
            run(rs, job);
        }
    }

    private static boolean recordable(ExecRequest r) {
        return !r.operation().equals("notify") && !r.operation().equals("meta-data");
    }

    private void run(ResourceState rs, Job job) {
        ExecRequest r = job.request();
        if (agents.find(r.agentSpec()) == null && agents.settling()) {
            timers.schedule(() -> thread.execute(() -> {
                if (closing) {
                    // the next revision runs it (a recurring one, from cmap) or the DC's timer fails it
                    rs.busy = false;
                    rs.running = null;
                    job.done().completeExceptionally(new IllegalStateException("the executor is stopping"));
                    for (Job j : rs.joined) {
                        j.done().completeExceptionally(new IllegalStateException("the executor is stopping"));
                    }
                    rs.joined.clear();
                    maybeClosed();
                } else {
                    run(rs, job);
                }
            }), AGENT_WAIT_MS, TimeUnit.MILLISECONDS);
            return;
        }
        boolean firstOfRecurring = job.recurring() != null && !job.recurring().reported;
        if (job.recurring() == null && !r.probe() && recordable(r) && !"false".equals(r.meta("record_pending"))) {
            recordPending(rs, r);
        }
        long delay = firstOfRecurring ? r.startDelayMs() : 0;
        ResourceAgent agent = agents.find(r.agentSpec());
        if (agent == null) {
            finished(rs, job, AgentResult.failed(ExecStatus.NOT_INSTALLED, OcfStatus.ERR_INSTALLED,
                "no agent " + r.agentSpec() + " on " + nodeName, Duration.ZERO), clock.getAsLong());
            return;
        }
        long timeout = Math.max(1, r.timeoutMs() > 0 ? r.timeoutMs() : 20_000);
        Map<String, String> meta = new LinkedHashMap<>(r.metaAttributes());
        meta.remove("timeout");
        meta.remove("interval");
        // the agent runs as the graph's resource id (OCF_RESOURCE_INSTANCE), the id Pacemaker's controller registers
        // the resource under (get_lrm_resource()): an anonymous clone's instance numbers change from one
        // scheduler run to the next, so an agent told "rsc:2" now and "rsc:1" later would not find its own state
        AgentRequest ar = new AgentRequest(r.resourceId(), r.operation(),
            agentParameters(r), meta, Duration.ofMillis(timeout), Duration.ofMillis(r.intervalMs()));
        Runnable go = () -> {
            long started = clock.getAsLong();
            count(job, started);
            CompletionStage<AgentResult> stage;
            try {
                stage = agent.execute(ar);
            } catch (RuntimeException e) {
                stage = CompletableFuture.completedFuture(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC,
                    "the agent failed: " + e, Duration.ZERO));
            }
            if (rs.running == job) {
                rs.runningStage = stage;
                rs.runningStarted = started;
            }
            stage.whenComplete((result, e) -> thread.execute(() -> {
                if (!handedOver.contains(job)) {
                    finished(rs, job, result != null ? result : AgentResult.failed(ExecStatus.ERROR,
                        OcfStatus.ERR_GENERIC, "the agent failed: " + e, Duration.ZERO), started);
                }
            }));
        };
        if (delay > 0) {
            timers.schedule(() -> thread.execute(go), delay, TimeUnit.MILLISECONDS);
        } else {
            go.run();
        }
    }

    /**
     * The parameters an agent is run with: the instance parameters and, for an OCF agent, {@code crm_feature_set}
     * (the graph action's, else ours), which Pacemaker's controller keeps among an action's parameters
     * ({@code construct_op()}) and its executor passes on like any other as {@code OCF_RESKEY_crm_feature_set}.
     * Agents read it to pick the interface of the Pacemaker they run under: {@code ocf_promotion_score} of
     * resource-agents uses {@code crm_attribute --promotion} from feature set 3.10.0 on, else {@code crm_master}
     * if one is installed (Vigil has none), and the galera agent chooses {@code crm_mon}'s XML option by it.
     */
    static Map<String, String> agentParameters(ExecRequest r) {
        Map<String, String> p = r.parameters();
        if (!"ocf".equals(r.standard())) {
            return p;
        }
        Map<String, String> withVersion = new LinkedHashMap<>(p);
        String fs = r.attributes().get("crm_feature_set");
        withVersion.put("crm_feature_set", fs != null && !fs.isBlank() ? fs : OpRecord.FEATURE_SET);
        return withVersion;
    }

    private void recordPending(ResourceState rs, ExecRequest r) {
        OpRecord pending = new OpRecord(r, -1, OpRecord.PENDING_RC, -1, "", clock.getAsLong() / 1000, 0, 0, nodeName);
        List<XmlNode> entries = new ArrayList<>();
        for (String id : pending.entryIds()) {
            XmlNode x = pending.toXml(id);
            rs.history.put(id, x);
            entries.add(x);
        }
        write(rs.id, rs, entries, List.of(), "pending " + r.operationKey());
    }

    /** Pacemaker's {@code pcmk_exec_status} of a finished action. */
    static int opStatus(AgentResult result) {
        return switch (result.exec()) {
            case DONE -> 0;
            case CANCELLED -> 1;
            case TIMED_OUT -> 2;
            case NOT_INSTALLED -> 7;
            case ERROR -> result.status() == OcfStatus.ERR_INSTALLED ? 7 : 4;
        };
    }

    /** The OCF rc of a finished action: the agent's, or what Pacemaker records for one that did not complete. */
    static int rcOf(AgentResult result) {
        if (result.exec() == ExecStatus.DONE) {
            if (result.status() == OcfStatus.UNKNOWN || result.status().code() < 0) {
                return 1;   // an exit status OCF does not define is a generic error
            }
            return result.status().code();
        }
        return opStatus(result) == 7 ? 5 : 1;
    }

    private void finished(ResourceState rs, Job job, AgentResult result, long started) {
        rs.busy = false;
        List<Job> also = List.of();
        if (rs.running == job) {
            rs.running = null;
            rs.runningStage = null;
            also = List.copyOf(rs.joined);
            rs.joined.clear();
        }
        complete(rs, job, result, started);
        for (Job j : also) {
            complete(rs, j, result, started);
        }
        boolean oneShot = job.recurring() == null && !job.request().probe();
        if (oneShot || rcOf(result) != 0 && !(job.request().probe() && rcOf(result) == 7)) {
            // a one-shot action is the new last one (if it succeeded); a failure forgets it
            boolean ok = oneShot && result.exec() == ExecStatus.DONE && rcOf(result) == 0;
            rs.lastDone = ok ? job : null;
            rs.lastResult = ok ? result : null;
            rs.lastStarted = started;
            rs.lastDoneAt = clock.getAsLong();
        }
        pump(rs);
        maybeClosed();
    }

    /** Records a result and completes its request (and re-arms a recurring operation). */
    private void complete(ResourceState rs, Job job, AgentResult result, long started) {
        ExecRequest r = job.request();
        Recurring rec = job.recurring();
        long now = clock.getAsLong();
        int status = opStatus(result);
        int rc = rcOf(result);
        String reason = result.exitReason() == null ? "" : result.exitReason();
        if (result.exec() == ExecStatus.DONE && result.status() == OcfStatus.UNKNOWN) {
            reason = reason.isEmpty() ? "the agent exited with " + result.exitCode() + ", not an OCF result"
                : reason;
        }
        if (rec != null && rec.cancelled) {
            job.done().complete(new Outcome(r.operationKey(), r.transitionKey(), rc, 1, false, null, "cancelled"));
            return;   // cancelled while it ran: nothing to record
        }
        long lastRcChange = now / 1000;
        boolean changed = true;
        if (rec != null) {
            changed = !rec.reported || rec.lastRc != rc || rec.lastStatus != status;
            if (!changed) {
                lastRcChange = rec.lastRcChange;
            }
            rec.reported = true;
            rec.lastRc = rc;
            rec.lastStatus = status;
            if (changed) {
                rec.lastRcChange = lastRcChange;
            }
        }
        long callId;
        if (rec == null) {
            callId = nextCall();
        } else {
            if (rec.callId == 0) {
                rec.callId = nextCall();
            }
            callId = rec.callId;
        }
        OpRecord record = new OpRecord(r, (int) Math.min(Integer.MAX_VALUE, callId), rc, status, reason,
            lastRcChange, Math.max(0, now - started), Math.max(0, started - job.receivedAt()), nodeName);
        if (record.failed()) {
            LOG.info("{} on {}: {} (rc {}, status {}{})", r.operationKey(), nodeName, result.exec(), rc, status,
                reason.isEmpty() ? "" : ", " + reason);
        }
        CompletableFuture<CibVersion> written;
        if (!recordable(r)) {
            written = CompletableFuture.completedFuture(null);
        } else if (changed) {
            List<XmlNode> entries = new ArrayList<>();
            Map<String, String> digests = reloadDigests(r);
            for (String id : record.entryIds()) {
                XmlNode x = record.toXml(id);
                for (Map.Entry<String, String> d : digests.entrySet()) {
                    x = x.with(d.getKey(), d.getValue());
                }
                entries.add(x);
                rs.history.put(id, x);
            }
            List<XmlNode> attrs = record.failed() ? failCount(r, now) : List.of();
            if (r.operation().equals("stop") && !record.failed()) {
                // a stopped resource's recurring operations go, and so do they from the history this node publishes
                // at its next join (history_free_recurring_ops()); their entries stay in the CIB until then
                // (stop_recurring_action_by_rsc() cancels without removing: a deletion aborts the DC's transition,
                // "Resource operation removal", and the scheduler ignores monitors older than the stop)
                for (String key : new ArrayList<>(rs.recurring.keySet())) {
                    stop(rs.recurring.remove(key));
                    forget(key);
                }
                rs.history.entrySet().removeIf(e -> longOf(e.getValue().attribute("interval")) > 0
                    && !e.getKey().endsWith("_last_failure_0"));
            }
            written = write(rs.id, rs, entries, attrs, r.operationKey());
            if (!attrs.isEmpty()) {
                // attrd learns the values too (Pacemaker's update_failcount() writes them through attrd only): it
                // writes them again when a sync replaces this node's CIB copy with one that lacks them
                written = written.thenApply(v -> {
                    failCountSink.accept(asWritten(attrs));
                    return v;
                });
            }
        } else {
            written = CompletableFuture.completedFuture(null);
        }
        boolean recorded = recordable(r) && changed;
        String why = reason;
        written.whenComplete((v, e) -> job.done().complete(new Outcome(r.operationKey(), r.transitionKey(), rc,
            status, recorded && e == null, e == null ? v : null, why)));
        if (rec != null && !rec.cancelled && !closing) {
            rearm(rs, rec);
        } else if (rec != null && !rec.cancelled && closing && cmap != null) {
            // finished while the bundle stops: the next revision runs it one interval after this run
            cmap.set(dueKey(OpRecord.historyKey(r)), CmapType.UINT64, now + r.intervalMs());
        }
    }

    /** Schedules a recurring operation's next run {@code interval} after now (after it finished, as execd does). */
    private void rearm(ResourceState rs, Recurring rec) {
        rearmAt(rs, rec, clock.getAsLong() + rec.request.intervalMs());
    }

    /**
     * Schedules a recurring operation's next run for {@code dueAt} (ms since the epoch; at once if that has passed,
     * and then it counts as late by as much), and keeps when it is due in cmap (a new revision re-arms it for then:
     * the swap of this bundle does not move the schedule).
     */
    private void rearmAt(ResourceState rs, Recurring rec, long dueAt) {
        rec.due = dueAt;
        long delayMs = Math.max(0, dueAt - clock.getAsLong());
        if (cmap != null) {
            cmap.set(dueKey(OpRecord.historyKey(rec.request)), CmapType.UINT64, rec.due);
        }
        rec.next = timers.schedule(() -> thread.execute(() -> {
            if (!rec.cancelled && !closing) {
                rs.queue.add(new Job(rec.request, clock.getAsLong(), rec, new CompletableFuture<>()));
                pump(rs);
            }
        }), delayMs, TimeUnit.MILLISECONDS);
    }

    /** Counts a run for the upgrade report: starts, stops, and recurring runs that began late. */
    private void count(Job job, long startedAt) {
        if (cmap == null) {
            return;
        }
        String op = job.request().operation();
        if (job.recurring() != null) {
            long late = job.recurring().due > 0 ? startedAt - job.recurring().due : 0;
            if (late > LATE_MS) {
                cmap.add(CMAP_LATE, 1);
                cmap.set(CMAP_LAST_LATE, CmapType.STRING, OpRecord.historyKey(job.request()) + " " + late);
            }
        } else if (op.equals("start") || op.equals("stop")) {
            long n = cmap.add(op.equals("start") ? CMAP_STARTS : CMAP_STOPS, 1);
            n += cmap.get(op.equals("start") ? CMAP_STOPS : CMAP_STARTS).map(e -> ((Number) e.value()).longValue())
                .orElse(0L);
            cmap.set(CMAP_LAST_OP, CmapType.STRING, n + " " + job.request().resourceId() + " " + op);
        }
    }

    private long nextCall() {
        calls++;
        if (cmap != null) {
            cmap.set(CMAP_CALLS, CmapType.UINT64, calls);
        }
        return calls;
    }

    /** Keeps a recurring operation in cmap, so a new revision of the executor re-arms it. */
    private void remember(ExecRequest r) {
        if (cmap == null) {
            return;
        }
        if (cmap.get(CMAP_CALLS).isEmpty()) {
            cmap.set(CMAP_CALLS, CmapType.UINT64, calls);
        }
        cmap.set(recurringKey(OpRecord.historyKey(r)), CmapType.STRING,
            Base64.getEncoder().encodeToString(XmlCodec.encode(r.toXml())));
    }

    private void forget(String operationKey) {
        if (cmap != null) {
            cmap.delete(recurringKey(operationKey));
            cmap.delete(dueKey(operationKey));
        }
    }

    /** The cmap key of when a recurring operation is next due. */
    static String dueKey(String operationKey) {
        return CMAP_DUE + recurringKey(operationKey).substring(CMAP_RECURRING.length());
    }

    /** The cmap key of a recurring operation (its key, or a digest of it where cmap's key rules do not allow it). */
    static String recurringKey(String operationKey) {
        String k = CMAP_RECURRING + operationKey;
        boolean ok = k.length() <= 255;
        for (int i = 0; ok && i < operationKey.length(); i++) {
            char c = operationKey.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                || c == ':' || c == '-';
        }
        if (ok) {
            return k;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(operationKey.getBytes(StandardCharsets.UTF_8));
            return CMAP_RECURRING + "sha256-" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Where the fail counts and last-failure times this executor has recorded are told once they are in the CIB
     * (the node's attrd, when one runs; nothing otherwise). Called on the executor's thread with the
     * {@code nvpair} elements written.
     */
    private volatile java.util.function.Consumer<List<XmlNode>> failCountSink = a -> { };

    /** See {@link #failCountSink}; null for none. */
    void failCountSink(java.util.function.Consumer<List<XmlNode>> sink) {
        failCountSink = sink == null ? a -> { } : sink;
    }

    /** What each agent's meta-data says of reloads and private parameters, by agent spec (read once). */
    private final Map<String, Map.Entry<ResourceAgent, ReloadDigests>> reloadInfo = new HashMap<>();

    /**
     * {@code op-force-restart}, {@code op-restart-digest}, {@code op-secure-params}, {@code op-secure-digest} for a
     * result of {@code r} ({@code build_operation_update()}); none when the agent's meta-data cannot be read (the
     * agents cache it: it was read to check the parameters before the agent ran).
     */
    private Map<String, String> reloadDigests(ExecRequest r) {
        if (!ReloadDigests.needed(r)) {
            return Map.of();
        }
        String spec = r.agentSpec();
        ResourceAgent agent = agents.find(spec);
        if (agent == null) {
            return Map.of();
        }
        Map.Entry<ResourceAgent, ReloadDigests> known = reloadInfo.get(spec);
        ReloadDigests d;
        if (known != null && known.getKey() == agent) {
            d = known.getValue();
        } else {
            // first use, or the agent was replaced (an upgraded agents bundle, a changed script)
            try {
                d = ReloadDigests.of(agent.metaData());
            } catch (Exception e) {
                LOG.debug("no reload digests for {}: its meta-data: {}", spec, e.toString());
                return Map.of();
            }
            reloadInfo.put(spec, Map.entry(agent, d));
        }
        return d.attributes(r);
    }

    /**
     * The attributes as the CIB holds them now: a fail count goes as {@code value++}, which the CIB expands against
     * the value it holds; attrd must be told the result, not the expression (it would count the failure again).
     * Those the CIB does not hold (deleted meanwhile) are left out.
     */
    private List<XmlNode> asWritten(List<XmlNode> attrs) {
        XmlNode status = cib.current().status();
        XmlNode set = null;
        if (status != null) {
            for (XmlNode ns : status.children("node_state")) {
                if (nodeUuid.equals(ns.attribute("id"))) {
                    XmlNode ta = ns.firstChild("transient_attributes");
                    set = ta == null ? null : ta.firstChild("instance_attributes");
                }
            }
        }
        List<XmlNode> out = new ArrayList<>();
        for (XmlNode a : attrs) {
            if (set == null) {
                break;
            }
            for (XmlNode nv : set.children("nvpair")) {
                if (a.attribute("name").equals(nv.attribute("name"))) {
                    out.add(a.with("value", nv.attribute("value")));
                }
            }
        }
        return out;
    }

    /** The fail count and last-failure attributes of a failed operation ({@code update_failcount()}). */
    private List<XmlNode> failCount(ExecRequest r, long now) {
        return org.vigil.crm.api.exec.FailCounts.attributes(nodeUuid, r, startFailureIsFatal(), now);
    }

    /** The cluster option {@code start-failure-is-fatal} (default true). */
    private boolean startFailureIsFatal() {
        return org.vigil.crm.api.exec.FailCounts.startFailureIsFatal(cib.current());
    }

    /**
     * Writes history entries (and attributes) of one resource in one CIB update: a modify that creates what is
     * missing and drops the entries marked {@code __delete__}.
     *
     * @return completes (on the executor's thread) with the CIB version holding them, or exceptionally
     */
    private CompletableFuture<CibVersion> write(String resource, ResourceState rs, List<XmlNode> entries,
                                                List<XmlNode> attrs, String what) {
        XmlNode lrmResource = XmlNode.of("lrm_resource", "id", resource, "type", rs == null ? null : rs.type,
            "class", rs == null ? null : rs.standard, "provider", rs == null ? null : rs.provider)
            .withChildren(entries);
        XmlNode nodeState = XmlNode.of("node_state", "id", nodeUuid, "uname", nodeName, "crm-debug-origin",
            "do_update_resource").plusChild(XmlNode.of("lrm", "id", nodeUuid).plusChild(
            XmlNode.of("lrm_resources").plusChild(lrmResource)));
        if (!attrs.isEmpty()) {
            nodeState = nodeState.plusChild(XmlNode.of("transient_attributes", "id", nodeUuid).plusChild(
                XmlNode.of("instance_attributes", "id", "status-" + nodeUuid).withChildren(attrs)));
        }
        CompletableFuture<CibVersion> done = new CompletableFuture<>();
        XmlNode data = nodeState;
        writes++;
        Runnable send = () -> cib.update(new CibRequest(CibRequest.Op.MODIFY, "status", null, data,
            Set.of(CibRequest.Flag.CAN_CREATE, CibRequest.Flag.MIXED_UPDATE), "crmd", "hacluster"))
            .whenComplete((s, e) -> thread.execute(() -> {
                writes--;
                if (e != null) {
                    Throwable t = unwrap(e);
                    LOG.warn("recording {} of {} on {} in the CIB failed: {}", what, resource, nodeName,
                        t instanceof CibError ce ? ce.getMessage() : String.valueOf(t));
                    done.completeExceptionally(t);
                } else {
                    done.complete(s.version());
                }
                maybeClosed();
            }));
        // one write of a resource at a time: each is computed against a copy that holds the one before (a result
        // sent while its pending record is still on the way would otherwise not fit and go round again)
        CompletableFuture<CibVersion> before = rs == null ? null : rs.lastWrite;
        if (rs != null) {
            rs.lastWrite = done;
        }
        if (before == null || before.isDone()) {
            send.run();
        } else {
            before.whenComplete((v, e) -> send.run());
        }
        return done;
    }

    // ---- join -------------------------------------------------------------------------------------------------

    /**
     * This node's whole operation history as {@code <lrm>}, written over its node's entry (what Pacemaker's
     * {@code join_confirm} carries, origin {@code build_active_RAs}); completes when the CIB has it.
     */
    CompletionStage<CibVersion> publish() {
        XmlNode resourcesXml = XmlNode.of("lrm_resources");
        for (ResourceState rs : resources.values()) {
            XmlNode lr = XmlNode.of("lrm_resource", "id", rs.id, "type", rs.type, "class", rs.standard, "provider",
                rs.provider).withChildren(new ArrayList<>(rs.history.values()));
            resourcesXml = resourcesXml.plusChild(lr);
        }
        XmlNode lrm = XmlNode.of("lrm", "id", nodeUuid).plusChild(resourcesXml);
        // Made once the CIB is out of its sync round, on the copy of that moment: a node that has just met the others
        // may still hold its own copy, which the cluster's then replaces. A replace of an entry that is not there
        // when it is applied (the copy changed before) is made again as a create.
        CompletableFuture<Void> synced = new CompletableFuture<>();
        afterSync(synced);
        return synced.thenCompose(v -> cib.update(publishRequest(lrm, hasLrm()))).handle((s, e) -> {
            if (e != null && unwrap(e) instanceof CibError ce && ce.exitCode() == CibError.NOSUCH) {
                return cib.update(publishRequest(lrm, false));
            }
            return e != null ? CompletableFuture.<CibSnapshot>failedFuture(unwrap(e))
                : CompletableFuture.completedFuture(s);
        }).thenCompose(f -> f).thenApply(CibSnapshot::version);
    }

    /** Completes {@code done} once the CIB is not in a sync round. */
    private void afterSync(CompletableFuture<Void> done) {
        if (!cib.syncing() || closing) {
            done.complete(null);
            return;
        }
        timers.schedule(() -> thread.execute(() -> afterSync(done)), 20, TimeUnit.MILLISECONDS);
    }

    private boolean hasLrm() {
        XmlNode status = cib.current().status();
        if (status != null) {
            for (XmlNode ns : status.children("node_state")) {
                if (nodeUuid.equals(ns.id()) && ns.firstChild("lrm") != null) {
                    return true;
                }
            }
        }
        return false;
    }

    private CibRequest publishRequest(XmlNode lrm, boolean replace) {
        if (replace) {
            return new CibRequest(CibRequest.Op.REPLACE, null, "/cib/status/node_state[@id='" + nodeUuid + "']/lrm",
                lrm, Set.of(), "crmd", "hacluster");
        }
        XmlNode nodeState = XmlNode.of("node_state", "id", nodeUuid, "uname", nodeName, "crm-debug-origin",
            "build_active_RAs").plusChild(lrm);
        return new CibRequest(CibRequest.Op.MODIFY, "status", null, nodeState, Set.of(CibRequest.Flag.CAN_CREATE),
            "crmd", "hacluster");
    }

    /** Resources with a history here (for tests). */
    Set<String> resources() {
        return resources.keySet();
    }

    /** Recurring operations running here, as operation keys, sorted. */
    List<String> recurring() {
        Set<String> out = new TreeSet<>();
        for (ResourceState rs : resources.values()) {
            for (Recurring r : rs.recurring.values()) {
                if (!r.cancelled) {
                    out.add(OpRecord.historyKey(r.request));
                }
            }
        }
        return List.copyOf(out);
    }

    /** Operations queued or running (recurring ones waiting for their next run are not counted). */
    int active() {
        int n = 0;
        for (ResourceState rs : resources.values()) {
            n += rs.queue.size() + (rs.busy ? 1 : 0);
        }
        return n;
    }

    /**
     * Stops the recurring timers (their state stays in cmap for the next revision) and completes once the
     * operations running now have finished and their results are written.
     */
    CompletableFuture<Void> close() {
        return close(false);
    }

    /**
     * As {@link #close()}; with {@code handOver}, the agent actions running now are not waited for but left in
     * {@link ExecHandover} for the next revision in this JVM (the bundle is being replaced, the node goes on), which
     * records their results and answers their requests; the returned stage then completes once this revision's
     * CIB writes are done.
     */
    CompletableFuture<Void> close(boolean handOver) {
        closing = true;
        if (handOver) {
            List<ExecHandover.InFlight> left = new ArrayList<>();
            for (ResourceState rs : resources.values()) {
                Job job = rs.running;
                if (job == null || rs.runningStage == null) {
                    continue;   // not started yet (a start-delay, an agent awaited): not handed, as before
                }
                List<ExecHandover.Waiter> joined = new ArrayList<>();
                for (Job j : rs.joined) {
                    joined.add(new ExecHandover.Waiter(j.request(), j.receivedAt(), j.done()));
                }
                left.add(new ExecHandover.InFlight(new ExecHandover.Waiter(job.request(), job.receivedAt(),
                    job.done()), joined, rs.runningStarted, rs.runningStage));
                handedOver.add(job);
                rs.joined.clear();
                rs.running = null;
                rs.runningStage = null;
                rs.busy = false;
            }
            if (!left.isEmpty()) {
                ExecHandover.leave(nodeName, left);
                LOG.info("executor: {} actions in flight left to the next revision: {}", left.size(),
                    left.stream().map(f -> f.action().request().operationKey()).toList());
            }
        }
        for (ResourceState rs : resources.values()) {
            for (Recurring rec : rs.recurring.values()) {
                if (rec.next != null) {
                    rec.next.cancel(false);
                }
            }
            // queued, not yet started: the next revision gets recurring ones from cmap; one-shot ones are lost
            // (the DC's action timer fails them and the scheduler plans again)
            rs.queue.removeIf(j -> {
                j.done().completeExceptionally(new IllegalStateException("the executor is stopping"));
                return true;
            });
        }
        maybeClosed();
        return closed;
    }

    private void maybeClosed() {
        if (closing && writes == 0 && resources.values().stream().noneMatch(rs -> rs.busy)) {
            closed.complete(null);
        }
    }
}
