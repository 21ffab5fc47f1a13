package org.vigil.crm.executor.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * A node's executor: runs the operations the DC sends through the resource agents, one at a time per resource,
 * keeps the recurring monitors going, and records every result in the CIB status as Pacemaker's executor and
 * controller do together ({@code daemons/execd}, {@code controld_execd.c}).
 *
 * <ul>
 * <li>A one-shot operation that is not a probe is first recorded as pending ({@code record-pending}:
 * {@code call-id -1}, {@code rc-code 193}, {@code op-status -1}).</li>
 * <li>Its result replaces {@code RSC_last_0}; a failure also replaces {@code RSC_last_failure_0}.</li>
 * <li>A recurring operation's result is {@code RSC_<op>_<interval>}; it re-arms {@code interval} after it
 * finishes, and a later result is written only when it differs from the last one written (Pacemaker's
 * change-only reporting): a healthy monitor never touches the CIB after its first result.</li>
 * <li>A failure (not of a probe) increments {@code fail-count-RSC#OP_INTERVAL} and sets
 * {@code last-failure-RSC#OP_INTERVAL} in the same CIB update as the result ({@code INFINITY} for a failed stop, and
 * for a failed start while {@code start-failure-is-fatal} is true; with {@code on-fail=ignore} only the time), so
 * the DC plans the recovery once.</li>
 * <li>A successful stop removes the resource's recurring operations and their entries; a cancel removes one.</li>
 * </ul>
 *
 * <p>Threading: every method is called on {@code thread} (single-threaded); agents complete on their own threads
 * and hand their results back to it.
 */
final class ExecutorCore {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.EXEC");

    /** Finds the agent for {@code standard:provider:type}; null if none is registered. */
    interface Agents {
        ResourceAgent find(String spec);
    }

    private final String nodeName;
    private final String nodeUuid;
    private final Cib cib;
    private final Agents agents;
    private final Executor thread;
    private final ScheduledExecutorService timers;
    private final LongSupplier clock;
    private final Map<String, ResourceState> resources = new LinkedHashMap<>();
    private int calls;

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
        ScheduledFuture<?> next;

        Recurring(ExecRequest request) {
            this.request = request;
        }
    }

    private record Job(ExecRequest request, long receivedAt, Recurring recurring) {
    }

    ExecutorCore(String nodeName, String nodeUuid, Cib cib, Agents agents, Executor thread,
                 ScheduledExecutorService timers, LongSupplier clock) {
        this.nodeName = nodeName;
        this.nodeUuid = nodeUuid;
        this.cib = cib;
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

    // ---- requests from the DC ---------------------------------------------------------------------------------

    /** Runs (or, for {@code cancel}, stops) an operation. */
    void execute(ExecRequest r) {
        if (r.operation().equals("cancel")) {
            String op = r.meta("operation");
            long interval = longOf(r.meta("interval"));
            cancel(r.resourceId(), r.resourceId() + "_" + op + "_" + interval, r);
            return;
        }
        ResourceState rs = state(r);
        Recurring rec = null;
        if (r.intervalMs() > 0) {
            rec = new Recurring(r);
            Recurring before = rs.recurring.put(r.operationKey(), rec);
            if (before != null) {
                stop(before);
            }
        }
        rs.queue.add(new Job(r, clock.getAsLong(), rec));
        pump(rs);
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
     * Stops a recurring operation and removes its entry from the CIB (the DC confirms a cancel by seeing the entry
     * go). Follows {@code cancel_op()} / {@code erase_lrm_history_by_op()} in controld_execd.c.
     */
    void cancel(String resource, String operationKey, ExecRequest cancelAction) {
        ResourceState rs = resources.get(resource);
        Recurring rec = rs == null ? null : rs.recurring.remove(operationKey);
        if (rec != null) {
            stop(rec);
        }
        if (rs != null) {
            rs.history.remove(operationKey);
        }
        XmlNode gone = XmlNode.of("lrm_rsc_op", "id", operationKey, "__delete__", "true");
        write(resource, rs, List.of(gone), List.of(), "cancel of " + operationKey);
    }

    /** Forgets a resource's history (Pacemaker's {@code lrm_delete}): recurring operations stop, the entry goes. */
    void delete(String resource) {
        ResourceState rs = resources.remove(resource);
        if (rs != null) {
            rs.recurring.values().forEach(ExecutorCore::stop);
        }
        cib.update(new CibRequest(CibRequest.Op.DELETE, null, "/cib/status/node_state[@id='" + nodeUuid
            + "']/lrm/lrm_resources/lrm_resource[@id='" + resource + "']", null, Set.of(), "crmd", "hacluster"))
            .whenComplete((s, e) -> {
                if (e != null) {
                    LOG.warn("deleting the history of {} failed: {}", resource, e.getMessage());
                }
            });
    }

    // ---- running ----------------------------------------------------------------------------------------------

    private void pump(ResourceState rs) {
        while (!rs.busy && !rs.queue.isEmpty()) {
            Job job = rs.queue.poll();
            if (job.recurring() != null && job.recurring().cancelled) {
                continue;
            }
            rs.busy = true;
            run(rs, job);
        }
    }

    private void run(ResourceState rs, Job job) {
        ExecRequest r = job.request();
        boolean firstOfRecurring = job.recurring() != null && !job.recurring().reported;
        if (job.recurring() == null && !r.probe() && !"false".equals(r.meta("record_pending"))) {
            recordPending(rs, r);
        }
        long delay = firstOfRecurring ? r.startDelayMs() : 0;
        ResourceAgent agent = agents.find(r.agentSpec());
        if (agent == null) {
            finished(rs, job, AgentResult.failed(ExecStatus.NOT_INSTALLED, org.vigil.kernel.spi.OcfStatus.ERR_INSTALLED,
                "no agent " + r.agentSpec() + " on " + nodeName, Duration.ZERO), clock.getAsLong());
            return;
        }
        long timeout = Math.max(1, r.timeoutMs() > 0 ? r.timeoutMs() : 20_000);
        Map<String, String> meta = new LinkedHashMap<>(r.metaAttributes());
        meta.remove("timeout");
        meta.remove("interval");
        AgentRequest ar = new AgentRequest(r.longId() != null ? r.longId() : r.resourceId(), r.operation(),
            r.parameters(), meta, Duration.ofMillis(timeout), Duration.ofMillis(r.intervalMs()));
        Runnable go = () -> {
            long started = clock.getAsLong();
            CompletionStage<AgentResult> stage;
            try {
                stage = agent.execute(ar);
            } catch (RuntimeException e) {
                stage = java.util.concurrent.CompletableFuture.completedFuture(AgentResult.failed(ExecStatus.ERROR,
                    org.vigil.kernel.spi.OcfStatus.ERR_GENERIC, e.toString(), Duration.ZERO));
            }
            stage.whenComplete((result, e) -> thread.execute(() -> finished(rs, job, result != null ? result
                : AgentResult.failed(ExecStatus.ERROR, org.vigil.kernel.spi.OcfStatus.ERR_GENERIC, String.valueOf(e),
                Duration.ZERO), started)));
        };
        if (delay > 0) {
            timers.schedule(() -> thread.execute(go), delay, TimeUnit.MILLISECONDS);
        } else {
            go.run();
        }
    }

    private void recordPending(ResourceState rs, ExecRequest r) {
        OpRecord pending = new OpRecord(r, -1, OpRecord.PENDING_RC, -1, "", clock.getAsLong() / 1000, 0, 0, nodeName);
        XmlNode x = pending.toXml(false);
        rs.history.put(x.id(), x);
        write(rs.id, rs, List.of(x), List.of(), "pending " + r.operationKey());
    }

    /** Pacemaker's {@code pcmk_exec_status} of a finished action. */
    static int opStatus(AgentResult result) {
        return switch (result.exec()) {
            case DONE -> 0;
            case CANCELLED -> 1;
            case TIMED_OUT -> 2;
            case NOT_INSTALLED -> 7;
            case ERROR -> result.status() == org.vigil.kernel.spi.OcfStatus.ERR_INSTALLED ? 7 : 4;
        };
    }

    private void finished(ResourceState rs, Job job, AgentResult result, long started) {
        rs.busy = false;
        ExecRequest r = job.request();
        Recurring rec = job.recurring();
        long now = clock.getAsLong();
        int status = opStatus(result);
        int rc = result.exec() == ExecStatus.DONE ? Math.max(0, result.status().code() < 0 ? result.exitCode()
            : result.status().code()) : status == 7 ? 5 : 1;
        if (result.exec() == ExecStatus.DONE && result.status() == org.vigil.kernel.spi.OcfStatus.UNKNOWN) {
            rc = 1;   // an exit status OCF does not define is a generic error
        }
        if (rec != null && rec.cancelled) {
            pump(rs);
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
        OpRecord record = new OpRecord(r, ++calls, rc, status, result.exitReason() == null ? ""
            : result.exitReason(), lastRcChange, Math.max(0, now - started), Math.max(0, started - job.receivedAt()),
            nodeName);
        if (changed) {
            List<XmlNode> entries = new ArrayList<>();
            XmlNode main = record.toXml(false);
            entries.add(main);
            rs.history.put(main.id(), main);
            List<XmlNode> attrs = new ArrayList<>();
            if (record.failed()) {
                XmlNode failure = record.toXml(true);
                entries.add(failure);
                rs.history.put(failure.id(), failure);
                if (!r.probe()) {
                    attrs.addAll(failCount(r, now));
                }
                LOG.info("{} on {}: {} (rc {}, status {}{})", r.operationKey(), nodeName, result.exec(), rc, status,
                    record.exitReason().isEmpty() ? "" : ", " + record.exitReason());
            }
            if (r.operation().equals("stop") && !record.failed()) {
                // a stopped resource's recurring operations go, and so do their entries
                for (String key : new ArrayList<>(rs.recurring.keySet())) {
                    stop(rs.recurring.remove(key));
                }
                for (String id : new ArrayList<>(rs.history.keySet())) {
                    if (!id.endsWith("_last_0") && !id.endsWith("_last_failure_0")) {
                        rs.history.remove(id);
                        entries.add(XmlNode.of("lrm_rsc_op", "id", id, "__delete__", "true"));
                    }
                }
            }
            write(rs.id, rs, entries, attrs, r.operationKey());
        }
        if (rec != null && !rec.cancelled) {
            // re-armed interval after it finished, as Pacemaker's executor does
            rec.next = timers.schedule(() -> thread.execute(() -> {
                if (!rec.cancelled) {
                    rs.queue.add(new Job(r, clock.getAsLong(), rec));
                    pump(rs);
                }
            }), r.intervalMs(), TimeUnit.MILLISECONDS);
        }
        pump(rs);
    }

    /** The fail count and last-failure attributes of a failed operation. */
    private List<XmlNode> failCount(ExecRequest r, long now) {
        String suffix = r.resourceId() + "#" + r.operation() + "_" + r.intervalMs();
        String onFail = r.meta("on_fail");
        List<XmlNode> out = new ArrayList<>();
        if (!"ignore".equals(onFail)) {
            String name = "fail-count-" + suffix;
            String value = name + "++";
            if (r.operation().equals("stop") || (r.operation().equals("start") && startFailureIsFatal())) {
                value = "INFINITY";
            }
            out.add(XmlNode.of("nvpair", "id", "status-" + nodeUuid + "-" + name, "name", name, "value", value));
        }
        String last = "last-failure-" + suffix;
        out.add(XmlNode.of("nvpair", "id", "status-" + nodeUuid + "-" + last, "name", last, "value",
            Long.toString(now / 1000)));
        return out;
    }

    /** The cluster option {@code start-failure-is-fatal} (default true). */
    private boolean startFailureIsFatal() {
        CibSnapshot s = cib.current();
        XmlNode conf = s.configuration();
        XmlNode crm = conf == null ? null : conf.firstChild("crm_config");
        if (crm != null) {
            for (XmlNode set : crm.children("cluster_property_set")) {
                for (XmlNode nv : set.children("nvpair")) {
                    if ("start-failure-is-fatal".equals(nv.attribute("name"))) {
                        String v = nv.attribute("value", "true").strip().toLowerCase();
                        return !(v.equals("false") || v.equals("no") || v.equals("0") || v.equals("off"));
                    }
                }
            }
        }
        return true;
    }

    /**
     * Writes history entries (and attributes) of one resource in one CIB update: a modify that creates what is
     * missing and drops the entries marked {@code __delete__}.
     */
    private void write(String resource, ResourceState rs, List<XmlNode> entries, List<XmlNode> attrs, String what) {
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
        cib.update(new CibRequest(CibRequest.Op.MODIFY, "status", null, nodeState,
            Set.of(CibRequest.Flag.CAN_CREATE, CibRequest.Flag.MIXED_UPDATE), "crmd", "hacluster"))
            .whenComplete((s, e) -> {
                if (e != null) {
                    LOG.warn("recording {} of {} on {} in the CIB failed: {}", what, resource, nodeName,
                        e instanceof CibError ce ? ce.getMessage() : String.valueOf(e));
                }
            });
    }

    // ---- join -------------------------------------------------------------------------------------------------

    /**
     * This node's whole operation history as {@code <lrm>}, written over its node's entry (what Pacemaker's
     * {@code join_confirm} sends); completes when the CIB has it.
     */
    CompletionStage<CibSnapshot> publish() {
        XmlNode resourcesXml = XmlNode.of("lrm_resources");
        for (ResourceState rs : resources.values()) {
            XmlNode lr = XmlNode.of("lrm_resource", "id", rs.id, "type", rs.type, "class", rs.standard, "provider",
                rs.provider).withChildren(new ArrayList<>(rs.history.values()));
            resourcesXml = resourcesXml.plusChild(lr);
        }
        XmlNode lrm = XmlNode.of("lrm", "id", nodeUuid).plusChild(resourcesXml);
        XmlNode status = cib.current().status();
        boolean exists = false;
        if (status != null) {
            for (XmlNode ns : status.children("node_state")) {
                if (nodeUuid.equals(ns.id()) && ns.firstChild("lrm") != null) {
                    exists = true;
                }
            }
        }
        if (exists) {
            return cib.update(new CibRequest(CibRequest.Op.REPLACE, null, "/cib/status/node_state[@id='" + nodeUuid
                + "']/lrm", lrm, Set.of(), "crmd", "hacluster"));
        }
        XmlNode nodeState = XmlNode.of("node_state", "id", nodeUuid, "uname", nodeName, "crm-debug-origin",
            "do_lrm_query_internal").plusChild(lrm);
        return cib.update(new CibRequest(CibRequest.Op.MODIFY, "status", null, nodeState,
            Set.of(CibRequest.Flag.CAN_CREATE), "crmd", "hacluster"));
    }

    /** Resources with a history here (for tests and the status command). */
    Set<String> resources() {
        return resources.keySet();
    }

    /** Recurring operations running here, as operation keys (for tests). */
    List<String> recurring() {
        List<String> out = new ArrayList<>();
        for (ResourceState rs : resources.values()) {
            for (Recurring r : rs.recurring.values()) {
                if (!r.cancelled) {
                    out.add(r.request.operationKey());
                }
            }
        }
        return out;
    }

    /** Stops every recurring operation (the bundle stops). */
    void close() {
        for (ResourceState rs : resources.values()) {
            rs.recurring.values().forEach(ExecutorCore::stop);
        }
    }
}
