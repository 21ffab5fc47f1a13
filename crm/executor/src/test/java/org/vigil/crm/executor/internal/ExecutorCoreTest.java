package org.vigil.crm.executor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.Executor.Outcome;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * The executor against the real CIB engine (one node, in memory) and scripted agents: what it writes into the CIB
 * status for each kind of result, recurring operations, fail counts, cancel, delete, join publishing, and a new
 * revision taking over from an old one through cmap and the CIB.
 */
class ExecutorCoreTest {

    private static final String TE = "0123abcd-0000-4000-8000-000000000001";

    private final LoopbackCib cib = new LoopbackCib(XmlNode.of("cib", "epoch", "1", "num_updates", "0",
        "admin_epoch", "0", "validate-with", "pacemaker-3.7").plusChild(XmlNode.of("configuration")
        .plusChild(XmlNode.of("crm_config")).plusChild(XmlNode.of("nodes")).plusChild(XmlNode.of("resources"))
        .plusChild(XmlNode.of("constraints"))).plusChild(XmlNode.of("status")));
    private final CmapStore cmap = new CmapStore();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, ResourceAgent> agents = new ConcurrentHashMap<>();
    private final FakeAgent dummy = new FakeAgent("Dummy");
    private ExecutorCore core = newCore();

    private ExecutorCore newCore() {
        agents.put(dummy.spec(), dummy);
        return new ExecutorCore("node1", "1", cib, cmap, agents::get, thread, thread, () -> System.currentTimeMillis());
    }

    @AfterEach
    void stop() {
        thread.shutdownNow();
        org.vigil.crm.api.exec.ExecHandover.take("node1");   // nothing left to another test
    }

    /** A resource agent whose results the test scripts, per operation key. */
    static class FakeAgent implements ResourceAgent {
        final String type;
        final List<AgentRequest> calls = new CopyOnWriteArrayList<>();
        volatile Function<AgentRequest, AgentResult> behaviour = r -> ok(OcfStatus.OK);

        FakeAgent(String type) {
            this.type = type;
        }

        @Override
        public String standard() {
            return "ocf";
        }

        @Override
        public String provider() {
            return "heartbeat";
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public String metaData() {
            return "<resource-agent/>";
        }

        @Override
        public CompletionStage<AgentResult> execute(AgentRequest request) {
            calls.add(request);
            return CompletableFuture.completedFuture(behaviour.apply(request));
        }

        long count(String action) {
            return calls.stream().filter(c -> c.action().equals(action)).count();
        }
    }

    static AgentResult ok(OcfStatus s) {
        return new AgentResult(ExecStatus.DONE, s, s.code(), "", "", Duration.ofMillis(3));
    }

    private static ExecRequest op(String rsc, String operation, long interval, int actionId, int targetRc,
                                  Map<String, String> extra) {
        TreeMap<String, String> attrs = new TreeMap<>(Map.of("CRM_meta_timeout", "20000", "CRM_meta_interval",
            Long.toString(interval), "state", "/run/" + rsc, "crm_feature_set", "3.16.1"));
        attrs.putAll(extra);
        return new ExecRequest(actionId, operation, rsc + "_" + operation + "_" + interval, "node1", "1", rsc, null,
            "ocf", "heartbeat", "Dummy", attrs, targetRc, actionId + ":3:" + targetRc + ":" + TE);
    }

    private static ExecRequest op(String rsc, String operation, long interval) {
        return op(rsc, operation, interval, 7, 0, Map.of());
    }

    private <T> T on(Callable<T> work) throws Exception {
        return thread.submit(work).get(10, TimeUnit.SECONDS);
    }

    private Outcome run(ExecRequest r) throws Exception {
        return on(() -> core.execute(r)).get(10, TimeUnit.SECONDS);
    }

    private XmlNode lrmResource(String rsc) {
        XmlNode status = cib.current().status();
        for (XmlNode ns : status.children("node_state")) {
            if (ns.id().equals("1")) {
                XmlNode lrm = ns.firstChild("lrm");
                for (XmlNode lr : lrm.firstChild("lrm_resources").children("lrm_resource")) {
                    if (lr.id().equals(rsc)) {
                        return lr;
                    }
                }
            }
        }
        return null;
    }

    private XmlNode entry(String rsc, String id) {
        XmlNode lr = lrmResource(rsc);
        if (lr == null) {
            return null;
        }
        for (XmlNode op : lr.children("lrm_rsc_op")) {
            if (op.id().equals(id)) {
                return op;
            }
        }
        return null;
    }

    private String attr(String name) {
        XmlNode status = cib.current().status();
        for (XmlNode ns : status.children("node_state")) {
            XmlNode ta = ns.firstChild("transient_attributes");
            if (ta != null) {
                for (XmlNode set : ta.children("instance_attributes")) {
                    for (XmlNode nv : set.children("nvpair")) {
                        if (name.equals(nv.attribute("name"))) {
                            return nv.attribute("value");
                        }
                    }
                }
            }
        }
        return null;
    }

    @Test
    void aStartIsRecordedPendingThenWithItsResultUnderPacemakersIdsAndFields() throws Exception {
        long before = cib.current().version().numUpdates();
        Outcome o = run(op("vip", "start", 0));
        assertTrue(o.recorded());
        assertEquals(0, o.rc());
        assertEquals(cib.current().version(), o.cibVersion());
        // one pending write, one result write
        assertEquals(before + 2, cib.current().version().numUpdates());
        XmlNode last = entry("vip", "vip_last_0");
        assertNotNull(last);
        assertEquals("vip_start_0", last.attribute("operation_key"));
        assertEquals("start", last.attribute("operation"));
        assertEquals("7:3:0:" + TE, last.attribute("transition-key"));
        assertEquals("0:0;7:3:0:" + TE, last.attribute("transition-magic"));
        assertEquals("1", last.attribute("call-id"));
        assertEquals("0", last.attribute("rc-code"));
        assertEquals("0", last.attribute("op-status"));
        assertEquals("0", last.attribute("interval"));
        assertEquals("node1", last.attribute("on_node"));
        assertEquals(32, last.attribute("op-digest").length());
        for (String a : List.of("last-rc-change", "exec-time", "queue-time", "crm_feature_set", "exit-reason")) {
            assertNotNull(last.attribute(a), a);
        }
        XmlNode lr = lrmResource("vip");
        assertEquals("ocf", lr.attribute("class"));
        assertEquals("heartbeat", lr.attribute("provider"));
        assertEquals("Dummy", lr.attribute("type"));
        assertNull(entry("vip", "vip_last_failure_0"));
        // the agent got the parameters and the meta attributes without timeout/interval
        AgentRequest call = dummy.calls.get(0);
        assertEquals("/run/vip", call.params().get("state"));
        // and, as with Pacemaker's executor, the feature set (OCF_RESKEY_crm_feature_set): agents choose by it
        assertEquals("3.16.1", call.params().get("crm_feature_set"));
        assertEquals(Duration.ofSeconds(20), call.timeout());
    }

    @Test
    void onlyOcfAgentsGetTheFeatureSetOursWhenTheGraphHasNone() {
        ExecRequest ocf = op("vip", "start", 0);
        TreeMap<String, String> noVersion = new TreeMap<>(ocf.attributes());
        noVersion.put("crm_feature_set", " ");
        ExecRequest bare = new ExecRequest(1, "start", "vip_start_0", "node1", "1", "vip", null, "ocf", "heartbeat",
            "Dummy", noVersion, 0, "1:3:0:" + TE);
        assertEquals(OpRecord.FEATURE_SET, ExecutorCore.agentParameters(bare).get("crm_feature_set"));
        ExecRequest lsb = new ExecRequest(1, "start", "web_start_0", "node1", "1", "web", null, "lsb", null, "haproxy",
            ocf.attributes(), 0, "1:3:0:" + TE);
        assertEquals(Map.of("state", "/run/vip"), ExecutorCore.agentParameters(lsb));
        assertFalse(ExecutorCore.agentParameters(lsb).containsKey("crm_feature_set"));
    }

    @Test
    void aProbeIsNotRecordedPendingAndNotRunningIsItsSuccess() throws Exception {
        dummy.behaviour = r -> ok(OcfStatus.NOT_RUNNING);
        long before = cib.current().version().numUpdates();
        Outcome o = run(op("vip", "monitor", 0, 4, 7, Map.of()));
        assertEquals(7, o.rc());
        assertEquals(before + 1, cib.current().version().numUpdates());
        assertEquals("7", entry("vip", "vip_last_0").attribute("rc-code"));
        assertNull(entry("vip", "vip_last_failure_0"));
        assertNull(attr("fail-count-vip#monitor_0"));
    }

    @Test
    void aFailedStartCountsInfinityUnlessStartFailureIsNotFatal() throws Exception {
        dummy.behaviour = r -> ok(OcfStatus.ERR_GENERIC);
        List<XmlNode> told = new java.util.ArrayList<>();
        core.failCountSink(told::addAll);
        Outcome o = run(op("vip", "start", 0));
        assertEquals(1, o.rc());
        assertEquals(List.of("fail-count-vip#start_0=INFINITY", "last-failure-vip#start_0"),
            told.stream().map(a -> a.attribute("name").startsWith("last") ? a.attribute("name")
                : a.attribute("name") + "=" + a.attribute("value")).toList(), "attrd is told what was written");
        assertEquals("1", entry("vip", "vip_last_0").attribute("rc-code"));
        assertEquals("1", entry("vip", "vip_last_failure_0").attribute("rc-code"));
        assertEquals("INFINITY", attr("fail-count-vip#start_0"));
        assertNotNull(attr("last-failure-vip#start_0"));

        cib.update(new org.vigil.crm.api.cib.CibRequest(org.vigil.crm.api.cib.CibRequest.Op.MODIFY, "crm_config",
            null, XmlNode.of("crm_config").plusChild(XmlNode.of("cluster_property_set", "id", "opts").plusChild(
                XmlNode.of("nvpair", "id", "opts-sfif", "name", "start-failure-is-fatal", "value", "false"))),
            java.util.Set.of(org.vigil.crm.api.cib.CibRequest.Flag.CAN_CREATE), "test", "root"));
        told.clear();
        run(op("db", "start", 0));
        assertEquals("1", attr("fail-count-db#start_0"));
        run(op("db", "start", 0));
        assertEquals("2", attr("fail-count-db#start_0"));
        assertEquals(List.of("fail-count-db#start_0=1", "last-failure-db#start_0", "fail-count-db#start_0=2",
            "last-failure-db#start_0"), told.stream().map(a -> a.attribute("name").startsWith("last")
                ? a.attribute("name") : a.attribute("name") + "=" + a.attribute("value")).toList(),
            "attrd is told the counts the CIB holds, not value++ (it would count each failure twice)");
    }

    @Test
    void aFailedStopCountsInfinityAndOnFailIgnoreOnlySetsTheTime() throws Exception {
        dummy.behaviour = r -> ok(OcfStatus.ERR_GENERIC);
        run(op("vip", "stop", 0));
        assertEquals("INFINITY", attr("fail-count-vip#stop_0"));
        run(op("db", "promote", 0, 9, 0, Map.of("CRM_meta_on_fail", "ignore")));
        assertNull(attr("fail-count-db#promote_0"));
        assertNotNull(attr("last-failure-db#promote_0"));
    }

    @Test
    void aRecurringMonitorWritesItsFirstResultAndThenOnlyChanges() throws Exception {
        run(op("vip", "start", 0));
        ExecRequest mon = op("vip", "monitor", 200, 8, 0, Map.of());
        Outcome first = run(mon);
        assertTrue(first.recorded());
        XmlNode e = entry("vip", "vip_monitor_200");
        assertEquals("200", e.attribute("interval"));
        long afterFirst = cib.current().version().numUpdates();
        assertEquals(List.of("vip_monitor_200"), on(core::recurring));
        waitFor(() -> dummy.count("monitor") >= 4);
        // three more healthy results, none written
        assertEquals(afterFirst, cib.current().version().numUpdates());

        dummy.behaviour = r -> ok(OcfStatus.NOT_RUNNING);
        waitFor(() -> entry("vip", "vip_last_failure_0") != null);
        XmlNode failure = entry("vip", "vip_last_failure_0");
        assertEquals("vip_monitor_200", failure.attribute("operation_key"));
        assertEquals("7", failure.attribute("rc-code"));
        // the recurring entry keeps its last good result, as pcmk__create_history_xml() writes only the failure
        assertEquals("0", entry("vip", "vip_monitor_200").attribute("rc-code"));
        assertEquals("1", attr("fail-count-vip#monitor_200"));
        long afterFailure = cib.current().version().numUpdates();
        long calls = dummy.count("monitor");
        waitFor(() -> dummy.count("monitor") >= calls + 3);
        assertEquals(afterFailure, cib.current().version().numUpdates(), "the same failure again is not written");
        assertEquals("1", attr("fail-count-vip#monitor_200"));
    }

    @Test
    void aStopCancelsTheRecurringOperationsAndLeavesTheirEntriesForTheNextJoin() throws Exception {
        run(op("vip", "start", 0));
        run(op("vip", "monitor", 100, 8, 0, Map.of()));
        assertNotNull(entry("vip", "vip_monitor_100"));
        assertTrue(cmap.get(ExecutorCore.CMAP_RECURRING + "vip_monitor_100").isPresent());
        run(op("vip", "stop", 0));
        // as Pacemaker's controller: cancelled without removing the entry (its deletion would abort the DC's
        // transition between a recovery's stop and start: the resource then moved instead of recovering in place)
        XmlNode monitor = entry("vip", "vip_monitor_100");
        assertNotNull(monitor, "the monitor's entry stays in the CIB");
        assertTrue(Long.parseLong(monitor.attribute("call-id"))
            < Long.parseLong(entry("vip", "vip_last_0").attribute("call-id")), "older than the stop");
        assertEquals("stop", entry("vip", "vip_last_0").attribute("operation"));
        // the history published at the next join no longer has it (history_free_recurring_ops())
        on(() -> core.publish()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertNull(entry("vip", "vip_monitor_100"), "gone after the join's publish");
        assertNotNull(entry("vip", "vip_last_0"));
        assertEquals(List.of(), on(core::recurring));
        assertTrue(cmap.get(ExecutorCore.CMAP_RECURRING + "vip_monitor_100").isEmpty());
        long monitors = dummy.count("monitor");
        Thread.sleep(350);
        assertEquals(monitors, dummy.count("monitor"), "no monitor runs after the stop");
    }

    @Test
    void aDemoteOrAnyStateChangeStopsTheRecurringOperationsFirst() throws Exception {
        // a promoted monitor still running after the demote answers "running, not promoted" (rc 0 where 8 is
        // expected): seen as a failed action "p_mysql 10s-interval monitor returned 'ok'" after Galera's demote
        run(op("vip", "start", 0));
        run(op("vip", "promote", 0));
        run(op("vip", "monitor", 100, 8, 0, Map.of()));
        assertEquals(List.of("vip_monitor_100"), on(core::recurring));
        run(op("vip", "demote", 0));
        assertEquals(List.of(), on(core::recurring), "do_lrm_rsc_op(): stopped before the demote ran");
        assertTrue(cmap.get(ExecutorCore.CMAP_RECURRING + "vip_monitor_100").isEmpty());
        assertNotNull(entry("vip", "vip_monitor_100"), "cancelled without removing its entry");
        long monitors = dummy.count("monitor");
        Thread.sleep(350);
        assertEquals(monitors, dummy.count("monitor"), "no monitor runs after the demote");
        // a notify or a probe leaves them running
        run(op("vip", "monitor", 100, 12, 0, Map.of()));
        run(op("vip", "notify", 0, 13, 0, Map.of()));
        run(op("vip", "monitor", 0, 14, 0, Map.of()));
        assertEquals(List.of("vip_monitor_100"), on(core::recurring));
    }

    @Test
    void aCancelRemovesOneRecurringOperationAndIsNotRecorded() throws Exception {
        run(op("vip", "start", 0));
        run(op("vip", "monitor", 100, 8, 0, Map.of()));
        run(op("vip", "monitor", 60000, 9, 0, Map.of()));
        Outcome o = run(op("vip", "cancel", 0, 11, 0, Map.of("CRM_meta_operation", "monitor",
            "CRM_meta_interval", "100")));
        assertFalse(o.recorded());
        assertEquals(0, o.rc());
        assertEquals("11:3:0:" + TE, o.transitionKey());
        assertNull(entry("vip", "vip_monitor_100"));
        assertNotNull(entry("vip", "vip_monitor_60000"));
        assertEquals(List.of("vip_monitor_60000"), on(core::recurring));
        // cancelling what is not there is acknowledged too
        assertEquals(0, run(op("vip", "cancel", 0, 12, 0, Map.of("CRM_meta_operation", "monitor",
            "CRM_meta_interval", "5"))).rc());
    }

    @Test
    void notifyIsRunButNotRecorded() throws Exception {
        run(op("vip", "start", 0));
        long before = cib.current().version().numUpdates();
        Outcome o = run(op("vip", "notify", 0, 13, 0, Map.of("CRM_meta_notify_type", "pre",
            "CRM_meta_notify_operation", "start")));
        assertFalse(o.recorded());
        assertEquals(1, dummy.count("notify"));
        assertEquals(before, cib.current().version().numUpdates());
    }

    @Test
    void anUnknownAgentIsNotInstalledAndAGarbageExitIsAnError() throws Exception {
        Map<String, String> none = Map.of();
        ExecRequest r = new ExecRequest(3, "start", "x_start_0", "node1", "1", "x", null, "ocf", "heartbeat",
            "NoSuchAgent", new TreeMap<>(Map.of("CRM_meta_timeout", "20000")), 0, "3:3:0:" + TE);
        Outcome o = on(() -> core.execute(r)).get(10, TimeUnit.SECONDS);
        assertEquals(5, o.rc());
        assertEquals(7, o.opStatus());
        XmlNode failure = entry("x", "x_last_failure_0");
        assertEquals("7", failure.attribute("op-status"));
        assertTrue(failure.attribute("exit-reason").contains("no agent ocf:heartbeat:NoSuchAgent"),
            failure.attribute("exit-reason"));

        dummy.behaviour = q -> new AgentResult(ExecStatus.DONE, OcfStatus.UNKNOWN, 99, "", "", Duration.ZERO);
        Outcome g = run(op("y", "start", 0, 5, 0, none));
        assertEquals(1, g.rc());
        assertTrue(entry("y", "y_last_failure_0").attribute("exit-reason").contains("99"));

        dummy.behaviour = q -> AgentResult.failed(ExecStatus.TIMED_OUT, OcfStatus.ERR_GENERIC, "timed out after 20s",
            Duration.ofSeconds(20));
        Outcome t = run(op("z", "monitor", 0, 6, 7, none));
        assertEquals(2, t.opStatus());
        assertEquals("2", entry("z", "z_last_failure_0").attribute("op-status"));
    }

    @Test
    void oneResourceRunsOneOperationAtATimeInOrder() throws Exception {
        CompletableFuture<AgentResult> slow = new CompletableFuture<>();
        List<String> order = new CopyOnWriteArrayList<>();
        FakeAgent gated = new FakeAgent("Gated") {
            @Override
            public CompletionStage<AgentResult> execute(AgentRequest request) {
                order.add(request.resource() + ":" + request.action());
                return request.action().equals("start") && request.resource().equals("a") ? slow
                    : CompletableFuture.completedFuture(ok(OcfStatus.OK));
            }
        };
        agents.put(gated.spec(), gated);
        Function<String, ExecRequest> gatedOp = s -> {
            String[] p = s.split(":");
            return new ExecRequest(1, p[1], p[0] + "_" + p[1] + "_0", "node1", "1", p[0], null, "ocf", "heartbeat",
                "Gated", new TreeMap<>(Map.of("CRM_meta_timeout", "20000")), 0, "1:3:0:" + TE);
        };
        CompletableFuture<Outcome> aStart = on(() -> core.execute(gatedOp.apply("a:start")));
        CompletableFuture<Outcome> aStop = on(() -> core.execute(gatedOp.apply("a:stop")));
        CompletableFuture<Outcome> bStart = on(() -> core.execute(gatedOp.apply("b:start")));
        bStart.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("a:start", "b:start"), order, "b runs while a's start is still running");
        assertEquals(2, (int) on(core::active));
        slow.complete(ok(OcfStatus.OK));
        aStop.get(10, TimeUnit.SECONDS);
        assertTrue(aStart.isDone());
        assertEquals(List.of("a:start", "b:start", "a:stop"), order);
    }

    @Test
    void deleteForgetsTheResource() throws Exception {
        run(op("vip", "start", 0));
        run(op("vip", "monitor", 100, 8, 0, Map.of()));
        Outcome o = on(() -> core.delete("vip", "15:3:0:" + TE)).get(10, TimeUnit.SECONDS);
        assertFalse(o.recorded());
        assertNull(lrmResource("vip"));
        assertEquals(List.of(), on(core::recurring));
        // deleting what is not there is fine
        on(() -> core.delete("nothing", null)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDeleteOperationOfTheGraphForgetsTheResourceWithoutRunningTheAgent() throws Exception {
        run(op("vip", "start", 0));
        run(op("vip", "monitor", 100, 8, 0, Map.of()));
        long before = dummy.count("delete");
        Outcome o = on(() -> core.execute(op("vip", "delete", 0))).get(10, TimeUnit.SECONDS);
        assertEquals(0, o.rc(), o.toString());
        assertFalse(o.recorded());
        assertNull(lrmResource("vip"));
        assertEquals(List.of(), on(core::recurring));
        assertEquals(before, dummy.count("delete"), "the agent was not asked");
    }

    @Test
    void publishWritesTheWholeHistoryOverTheNodesEntry() throws Exception {
        run(op("vip", "start", 0));
        // someone else's idea of this node's history (a copy from another partition)
        cib.update(new org.vigil.crm.api.cib.CibRequest(org.vigil.crm.api.cib.CibRequest.Op.MODIFY, "status", null,
            XmlNode.of("node_state", "id", "1").plusChild(XmlNode.of("lrm", "id", "1").plusChild(
                XmlNode.of("lrm_resources").plusChild(XmlNode.of("lrm_resource", "id", "stale", "class", "ocf",
                    "provider", "heartbeat", "type", "Dummy")))),
            java.util.Set.of(org.vigil.crm.api.cib.CibRequest.Flag.CAN_CREATE), "test", "root"));
        assertNotNull(lrmResource("stale"));
        on(() -> core.publish()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertNull(lrmResource("stale"));
        assertNotNull(entry("vip", "vip_last_0"));
    }

    @Test
    void aNewRevisionTakesOverTheHistoryAndTheRecurringOperations() throws Exception {
        run(op("vip", "start", 0));
        run(op("vip", "monitor", 150, 8, 0, Map.of()));
        on(core::close).get(10, TimeUnit.SECONDS);
        long monitors = dummy.count("monitor");
        Thread.sleep(400);
        assertEquals(monitors, dummy.count("monitor"), "the old revision stopped its timers");

        ExecutorCore next = newCore();
        assertEquals(1, (int) on(next::restore));
        core = next;
        assertEquals(List.of("vip_monitor_150"), on(next::recurring));
        waitFor(() -> dummy.count("monitor") >= monitors + 2);
        long version = cib.current().version().numUpdates();
        // healthy results are still not written: the new revision knows the last one it reported
        waitFor(() -> dummy.count("monitor") >= monitors + 4);
        assertEquals(version, cib.current().version().numUpdates());
        // call ids go on from where the old revision stopped
        Outcome o = run(op("vip", "stop", 0));
        assertEquals("3", entry("vip", "vip_last_0").attribute("call-id"));
        assertTrue(o.recorded());
        // and the publish on the next join keeps the history
        on(() -> next.publish()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("stop", entry("vip", "vip_last_0").attribute("operation"));
    }

    @Test
    void aNewRevisionKeepsTheScheduleOfTheRecurringOperations() throws Exception {
        run(op("vip", "start", 0));
        run(op("vip", "monitor", 60_000, 8, 0, Map.of()));
        String key = ExecutorCore.dueKey("vip_monitor_60000");
        long due = ((Number) cmap.get(key).orElseThrow().value()).longValue();
        on(core::close).get(10, TimeUnit.SECONDS);
        Thread.sleep(50);
        ExecutorCore next = newCore();
        assertEquals(1, (int) on(next::restore));
        core = next;
        assertEquals(due, ((Number) cmap.get(key).orElseThrow().value()).longValue(),
            "re-armed for when it was due, not one interval after the new revision started");
    }

    @Test
    void aRecurringOperationThatFellDueDuringTheSwapRunsAtOnceAndCountsAsLate() throws Exception {
        run(op("vip", "start", 0));
        run(op("vip", "monitor", 60_000, 8, 0, Map.of()));
        on(core::close).get(10, TimeUnit.SECONDS);
        long monitors = dummy.count("monitor");
        // the swap took longer than the time left until the next run
        cmap.set(ExecutorCore.dueKey("vip_monitor_60000"), org.vigil.kernel.api.CmapType.UINT64,
            System.currentTimeMillis() - 5000);
        ExecutorCore next = newCore();
        assertEquals(1, (int) on(next::restore));
        core = next;
        waitFor(() -> dummy.count("monitor") > monitors);   // not 60 s later
        waitFor(() -> cmap.get(ExecutorCore.CMAP_LATE).isPresent());
        assertEquals(1L, ((Number) cmap.get(ExecutorCore.CMAP_LATE).orElseThrow().value()).longValue());
        String last = String.valueOf(cmap.get(ExecutorCore.CMAP_LAST_LATE).orElseThrow().value());
        assertTrue(last.startsWith("vip_monitor_60000 "), last);
        assertTrue(Long.parseLong(last.substring(last.indexOf(' ') + 1)) >= 5000, last);
        assertEquals(1L, ((Number) cmap.get(ExecutorCore.CMAP_STARTS).orElseThrow().value()).longValue(),
            "the start counted; a monitor is not a start");
        assertTrue(cmap.get(ExecutorCore.CMAP_STOPS).isEmpty());
        assertEquals("1 vip start", cmap.get(ExecutorCore.CMAP_LAST_OP).orElseThrow().value());
    }

    @Test
    void anOperationWhoseAgentIsMissingWhileTheAgentsSettleWaitsForIt() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean settling = new java.util.concurrent.atomic.AtomicBoolean(true);
        core = new ExecutorCore("node1", "1", cib, cmap, new ExecutorCore.Agents() {
            @Override
            public ResourceAgent find(String spec) {
                return agents.get(spec);
            }

            @Override
            public boolean settling() {
                return settling.get();
            }
        }, thread, thread, System::currentTimeMillis);
        agents.remove(dummy.spec());   // the agents bundle is being swapped
        java.util.concurrent.CompletableFuture<Outcome> start = on(() -> core.execute(op("vip", "start", 0)))
            .toCompletableFuture();
        Thread.sleep(300);
        assertFalse(start.isDone(), "not failed as not installed while the agents settle");
        agents.put(dummy.spec(), dummy);
        assertEquals(0, start.get(10, TimeUnit.SECONDS).rc(), "run once the agent is back");
        assertEquals(1, dummy.count("start"));
        // settled: a missing agent is not installed (rc 5) at once
        settling.set(false);
        agents.remove(dummy.spec());
        assertEquals(5, run(op("vip2", "start", 0)).rc());
    }

    @Test
    void theSameActionAskedAgainWhileItRunsIsNotRunTwice() throws Exception {
        run(op("vip", "start", 0));
        // the stop's agent call stays in flight until the test ends it
        CompletableFuture<AgentResult> agentStop = new CompletableFuture<>();
        FakeAgent slow = new FakeAgent("Dummy") {
            @Override
            public CompletionStage<AgentResult> execute(AgentRequest request) {
                calls.add(request);
                return request.action().equals("stop") ? agentStop : super.execute(request);
            }
        };
        agents.put(slow.spec(), slow);
        CompletableFuture<Outcome> first = on(() -> core.execute(op("vip", "stop", 0, 7, 0, Map.of())))
            .toCompletableFuture();
        waitFor(() -> slow.count("stop") == 1);
        // a new DC's transition asks for the same stop (another transition key)
        ExecRequest again = new ExecRequest(9, "stop", "vip_stop_0", "node1", "1", "vip", null, "ocf", "heartbeat",
            "Dummy", new TreeMap<>(Map.of("CRM_meta_timeout", "20000", "CRM_meta_interval", "0", "state", "/run/vip",
            "crm_feature_set", "3.16.1")), 0, "9:4:0:" + TE);
        CompletableFuture<Outcome> second = on(() -> core.execute(again)).toCompletableFuture();
        Thread.sleep(200);
        assertEquals(1, slow.count("stop"), "not run a second time while it runs");
        agentStop.complete(ok(OcfStatus.OK));
        Outcome a = first.get(10, TimeUnit.SECONDS);
        Outcome b = second.get(10, TimeUnit.SECONDS);
        assertEquals(0, a.rc());
        assertEquals(0, b.rc());
        assertEquals("9:4:0:" + TE, b.transitionKey(), "the second request is answered under its own key");
        assertTrue(b.recorded(), "and recorded, so that its DC confirms it from the CIB");
        assertEquals(1, slow.count("stop"));
        assertTrue(entry("vip", "vip_last_0").attribute("transition-key").equals("9:4:0:" + TE),
            entry("vip", "vip_last_0").toString());
        // just after it succeeded, nothing run since: asked again (a DC planned without its result), not run again
        Outcome c = run(op("vip", "stop", 0, 11, 0, Map.of()));
        assertEquals(0, c.rc());
        assertEquals(1, slow.count("stop"), "answered with the last result");
        assertTrue(entry("vip", "vip_last_0").attribute("transition-key").startsWith("11:"));
        // another action in between: the next stop is a new one and runs
        run(op("vip", "start", 0, 12, 0, Map.of()));
        agentStop.obtrudeValue(ok(OcfStatus.OK));
        run(op("vip", "stop", 0, 13, 0, Map.of()));
        assertEquals(2, slow.count("stop"));
    }

    @Test
    void anActionInFlightIsHandedToTheNextRevisionAndRecordedOnce() throws Exception {
        run(op("vip", "start", 0));
        CompletableFuture<AgentResult> agentStop = new CompletableFuture<>();
        CompletableFuture<AgentResult> agentMonitor = new CompletableFuture<>();
        FakeAgent slow = new FakeAgent("Dummy") {
            @Override
            public CompletionStage<AgentResult> execute(AgentRequest request) {
                if (request.action().equals("stop")) {
                    calls.add(request);
                    return agentStop;
                }
                if (request.resource().equals("db") && request.action().equals("monitor") && calls.stream()
                    .filter(c -> c.resource().equals("db") && c.action().equals("monitor")).count() == 1) {
                    calls.add(request);
                    return agentMonitor;   // the second run of db's monitor
                }
                return super.execute(request);
            }
        };
        agents.put(slow.spec(), slow);
        run(op("db", "start", 0));
        run(op("db", "monitor", 300, 8, 0, Map.of()));
        // the stop runs (its agent does not answer yet), and a new DC asks for it again under another key
        CompletableFuture<Outcome> stop = on(() -> core.execute(op("vip", "stop", 0, 7, 0, Map.of())))
            .toCompletableFuture();
        ExecRequest again = new ExecRequest(9, "stop", "vip_stop_0", "node1", "1", "vip", null, "ocf", "heartbeat",
            "Dummy", new TreeMap<>(Map.of("CRM_meta_timeout", "20000", "CRM_meta_interval", "0", "state", "/run/vip",
            "crm_feature_set", "3.16.1")), 0, "9:4:0:" + TE);
        waitFor(() -> slow.count("stop") == 1);
        CompletableFuture<Outcome> joined = on(() -> core.execute(again)).toCompletableFuture();
        // the second run of db's monitor is in flight too
        waitFor(() -> slow.calls.stream().filter(c -> c.resource().equals("db") && c.action().equals("monitor"))
            .count() == 2);

        // the bundle is replaced: the old revision goes at once, not when the agents answer
        on(() -> core.close(true)).get(5, TimeUnit.SECONDS);
        assertFalse(stop.isDone());
        ExecutorCore next = newCore();
        agents.put(slow.spec(), slow);
        on(next::restore);
        core = next;
        assertEquals(2, (int) on(next::active), "both in flight belong to the new revision");

        agentStop.complete(ok(OcfStatus.OK));
        Outcome o = stop.get(10, TimeUnit.SECONDS);
        assertEquals(0, o.rc());
        assertTrue(o.recorded(), "recorded by the new revision");
        assertEquals(0, joined.get(10, TimeUnit.SECONDS).rc(), "the joined request is answered too");
        assertEquals("stop", entry("vip", "vip_last_0").attribute("operation"));
        assertEquals(1, slow.count("stop"), "run once");

        agentMonitor.complete(new AgentResult(ExecStatus.DONE, OcfStatus.NOT_RUNNING, 7, "", "gone",
            Duration.ofMillis(2)));
        waitFor(() -> entry("db", "db_last_failure_0") != null);
        assertEquals("7", entry("db", "db_last_failure_0").attribute("rc-code"));
        // the monitor goes on from the new revision, one interval after the run it took over
        long monitors = slow.calls.stream().filter(c -> c.resource().equals("db") && c.action().equals("monitor"))
            .count();
        waitFor(() -> slow.calls.stream().filter(c -> c.resource().equals("db") && c.action().equals("monitor"))
            .count() > monitors);
        assertEquals(List.of("db_monitor_300"), on(next::recurring));
    }

    @Test
    void anActionThatEndsDuringTheSwapIsRecordedByTheNextRevision() throws Exception {
        CompletableFuture<AgentResult> agentStart = new CompletableFuture<>();
        FakeAgent slow = new FakeAgent("Dummy") {
            @Override
            public CompletionStage<AgentResult> execute(AgentRequest request) {
                if (request.action().equals("start") && request.resource().equals("web")) {
                    calls.add(request);
                    return agentStart;
                }
                return super.execute(request);
            }
        };
        agents.put(slow.spec(), slow);
        run(op("vip", "start", 0));
        CompletableFuture<Outcome> start = on(() -> core.execute(op("web", "start", 0, 12, 0, Map.of())))
            .toCompletableFuture();
        try {
            waitFor(() -> slow.count("start") == 2);
        } catch (AssertionError e) {
            throw new AssertionError(slow.calls.toString(), e);
        }
        on(() -> core.close(true)).get(5, TimeUnit.SECONDS);
        agentStart.complete(ok(OcfStatus.OK));   // between the old revision and the new one
        Thread.sleep(100);
        assertFalse(start.isDone(), "the old revision no longer records it");
        ExecutorCore next = newCore();
        agents.put(slow.spec(), slow);
        on(next::restore);
        core = next;
        assertEquals(0, start.get(10, TimeUnit.SECONDS).rc());
        assertEquals("start", entry("web", "web_last_0").attribute("operation"));
        assertEquals("-1".equals(entry("web", "web_last_0").attribute("call-id")), false, "not the pending record");
    }

    @Test
    void withoutHandOverTheOldRevisionWaitsForTheActionsRunning() throws Exception {
        CompletableFuture<AgentResult> agentStart = new CompletableFuture<>();
        FakeAgent slow = new FakeAgent("Dummy") {
            @Override
            public CompletionStage<AgentResult> execute(AgentRequest request) {
                calls.add(request);
                return agentStart;
            }
        };
        agents.put(slow.spec(), slow);
        CompletableFuture<Outcome> start = on(() -> core.execute(op("web", "start", 0))).toCompletableFuture();
        waitFor(() -> slow.count("start") == 1);
        CompletableFuture<Void> closed = on(() -> core.close(false));
        Thread.sleep(200);
        assertFalse(closed.isDone(), "the node stops: it waits for the start");
        agentStart.complete(ok(OcfStatus.OK));
        closed.get(10, TimeUnit.SECONDS);
        assertEquals(0, start.get(1, TimeUnit.SECONDS).rc());
        assertTrue(org.vigil.crm.api.exec.ExecHandover.take("node1").isEmpty());
    }

    @Test
    void aFreshNodeStartsWithNoHistoryWhateverTheCibHolds() throws Exception {
        run(op("vip", "start", 0));
        on(core::close).get(10, TimeUnit.SECONDS);
        CmapStore freshCmap = new CmapStore();
        ExecutorCore fresh = new ExecutorCore("node1", "1", cib, freshCmap, agents::get, thread, thread,
            System::currentTimeMillis);
        assertEquals(-1, (int) on(fresh::restore));
        on(() -> fresh.publish()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertNull(lrmResource("vip"), "a restarted node runs nothing: its old history goes at join");
    }

    /** Runs {@code r} with the CIB holding its deliveries, releasing them until the outcome is there. */
    private Outcome runWhileTheRingIsSlow(ExecRequest r) throws Exception {
        cib.hold(true);
        try {
            CompletableFuture<Outcome> f = on(() -> core.execute(r));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!f.isDone() && System.nanoTime() < end) {
                Thread.sleep(20);   // let the executor make every update it would make before any is applied
                cib.release();
            }
            return f.get(1, TimeUnit.SECONDS);
        } finally {
            cib.hold(false);
        }
    }

    @Test
    void aResultMadeWhileThePendingRecordIsOnItsWayIsNotMergedWithIt() throws Exception {
        // a probe first: the entry exists with op-status 0, as the result will have it
        dummy.behaviour = r -> ok(r.action().equals("monitor") ? OcfStatus.NOT_RUNNING : OcfStatus.OK);
        run(op("vip", "monitor", 0, 4, 7, Map.of()));
        dummy.behaviour = r -> new AgentResult(ExecStatus.DONE, OcfStatus.OK, 0, "", "", Duration.ofMillis(3));
        Outcome o = runWhileTheRingIsSlow(op("vip", "start", 0));
        assertTrue(o.recorded());
        XmlNode last = entry("vip", "vip_last_0");
        // made against a copy without the pending record, the result's patch would leave op-status -1 and
        // call-id -1 in place (its values equal the probe's): the scheduler would take the start as still running
        assertEquals("start", last.attribute("operation"));
        assertEquals("0", last.attribute("op-status"), last.toString());
        assertEquals("0", last.attribute("rc-code"), last.toString());
        assertEquals("2", last.attribute("call-id"), last.toString());
        assertEquals("0:0;7:3:0:" + TE, last.attribute("transition-magic"));
    }

    @Test
    void aCloneInstancesHistoryIsKeptUnderThePrimitivesKeyAndItsMonitorCanBeCancelled() throws Exception {
        TreeMap<String, String> attrs = new TreeMap<>(Map.of("CRM_meta_timeout", "20000", "CRM_meta_interval",
            "100", "crm_feature_set", "3.16.1", "CRM_meta_clone", "1"));
        ExecRequest start = new ExecRequest(5, "start", "st:1_start_0", "node1", "1", "st", "st:1", "ocf",
            "heartbeat", "Dummy", new TreeMap<>(Map.of("CRM_meta_timeout", "20000", "crm_feature_set", "3.16.1")),
            0, "5:3:0:" + TE);
        ExecRequest mon = new ExecRequest(6, "monitor", "st:1_monitor_100", "node1", "1", "st", "st:1", "ocf",
            "heartbeat", "Dummy", attrs, 0, "6:3:0:" + TE);
        run(start);
        run(mon);
        // pcmk__op_key(rsc_id, ...) with the primitive's id, as Pacemaker's controller records it
        assertEquals("st_start_0", entry("st", "st_last_0").attribute("operation_key"));
        XmlNode monitor = entry("st", "st_monitor_100");
        assertNotNull(monitor, lrmResource("st").toString());
        assertEquals("st_monitor_100", monitor.attribute("operation_key"));
        // and the agent runs as the primitive (OCF_RESOURCE_INSTANCE): the scheduler numbers an anonymous clone's
        // instances afresh in every run, the next monitor may come as st:0
        assertEquals("st", dummy.calls.get(0).resource());
        assertEquals("st", dummy.calls.get(1).resource());
        assertEquals(List.of("st_monitor_100"), on(core::recurring));
        // the scheduler cancels it by the primitive's key (a role change of a promotable clone does this)
        ExecRequest cancel = new ExecRequest(7, "cancel", "st_monitor_100", "node1", "1", "st", "st:1", "ocf",
            "heartbeat", "Dummy", new TreeMap<>(Map.of("CRM_meta_operation", "monitor", "CRM_meta_interval", "100",
            "crm_feature_set", "3.16.1")), 0, "7:3:0:" + TE);
        run(cancel);
        assertEquals(List.of(), on(core::recurring));
        assertNull(entry("st", "st_monitor_100"));
        long monitors = dummy.count("monitor");
        Thread.sleep(350);
        assertEquals(monitors, dummy.count("monitor"), "the cancelled monitor does not run again");
    }

    @Test
    void publishOnACopyThatLosesTheNodesEntryBeforeItIsAppliedCreatesIt() throws Exception {
        run(op("vip", "start", 0));
        cib.update(new org.vigil.crm.api.cib.CibRequest(org.vigil.crm.api.cib.CibRequest.Op.MODIFY, "status", null,
            XmlNode.of("node_state", "id", "1").plusChild(XmlNode.of("lrm", "id", "1").plusChild(
                XmlNode.of("lrm_resources").plusChild(XmlNode.of("lrm_resource", "id", "stale", "class", "ocf",
                    "provider", "heartbeat", "type", "Dummy")))),
            java.util.Set.of(org.vigil.crm.api.cib.CibRequest.Flag.CAN_CREATE), "test", "root"));
        // the copy says this node's lrm is there; the next update applied (the cluster's copy replacing ours, here a
        // delete) takes it away before the publish is: the replace of it fails and is made again as a create
        cib.hold(true);
        cib.update(new org.vigil.crm.api.cib.CibRequest(org.vigil.crm.api.cib.CibRequest.Op.DELETE, null,
            "/cib/status/node_state[@id='1']", null, java.util.Set.of(), "test", "root"));
        CompletableFuture<org.vigil.crm.api.cib.CibVersion> f = on(() -> core.publish()).toCompletableFuture();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!f.isDone() && System.nanoTime() < end) {
            Thread.sleep(20);
            cib.release();
        }
        cib.hold(false);
        assertNotNull(f.get(1, TimeUnit.SECONDS));
        assertNotNull(entry("vip", "vip_last_0"), "the history is in the CIB after the publish: "
            + cib.current().status() + cib.log());
    }

    private static void waitFor(Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.call()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met in 10 s");
            }
            Thread.sleep(10);
        }
    }
}
