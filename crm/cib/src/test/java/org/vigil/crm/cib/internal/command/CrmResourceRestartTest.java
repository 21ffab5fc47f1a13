package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.exec.OpDigest;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.cib.internal.PacemakerTools;
import org.vigil.crm.internal.tools.CrmResourceCommand;

/**
 * {@code crm_resource --wait} and {@code --restart} on the real CIB engine ({@link LoopbackCib}) with a small
 * cluster in a thread playing the controller: every few milliseconds it runs the real scheduler on the current CIB
 * and, for the first resource action of the transition, writes the successful result into the status in Pacemaker's
 * form ({@code lrm_rsc_op} {@code RSC_last_0} with transition key, magic and digest), one action at a time. It can be
 * paused (actions stay pending). It keeps an ordered log of the actions it ran and of every change it saw in the
 * {@code target-role} meta-attributes, so tests see the order in which the tool and the cluster wrote.
 */
@Timeout(120)
class CrmResourceRestartTest {

    /** Two nodes; rsc2 is colocated with and ordered after rsc1 (so restarting rsc1 restarts rsc2); rsc3 alone. */
    static final String CIB = """
        <cib validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="1">
          <configuration>
            <crm_config>
              <cluster_property_set id="cib-bootstrap-options">
                <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="1" uname="node1"/>
              <node id="2" uname="node2"/>
            </nodes>
            <resources>
              <primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"/>
              <primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy">
                <meta_attributes id="rsc2-meta">
                  <nvpair id="rsc2-meta-target-role" name="target-role" value="Started"/>
                </meta_attributes>
              </primitive>
              <primitive id="rsc3" class="ocf" provider="pacemaker" type="Dummy">
                <meta_attributes id="rsc3-meta">
                  <nvpair id="rsc3-meta-target-role" name="target-role" value="Unpromoted"/>
                </meta_attributes>
              </primitive>
              <clone id="cl">
                <primitive id="cd" class="ocf" provider="pacemaker" type="Dummy"/>
              </clone>
            </resources>
            <constraints>
              <rsc_colocation id="rsc2-with-rsc1" rsc="rsc2" with-rsc="rsc1" score="INFINITY"/>
              <rsc_order id="rsc1-then-rsc2" first="rsc1" then="rsc2"/>
              <rsc_location id="rsc1-prefers-node1" rsc="rsc1" node="node1" score="100"/>
              <rsc_location id="rsc3-prefers-node2" rsc="rsc3" node="node2" score="100"/>
            </constraints>
          </configuration>
          <status>
            <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
            <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
          </status>
        </cib>
        """;

    @TempDir
    Path tmp;

    private FakeCluster cluster;

    @AfterEach
    void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The controller's part, played in a thread: runs the first resource action of each transition. */
    static final class FakeCluster implements AutoCloseable {
        final LoopbackCib cib;
        final PolicyEngine pe = PolicyEngine.standard();
        final List<String> log = new ArrayList<>();
        volatile boolean paused;
        volatile boolean closed;
        private final Thread thread;
        private int callId = 10;
        private final java.util.Map<String, String> targetRoles = new java.util.TreeMap<>();

        FakeCluster(LoopbackCib cib) {
            this.cib = cib;
            thread = new Thread(this::loop, "fake-cluster");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (!closed) {
                try {
                    Thread.sleep(10);
                    if (!paused) {
                        tick();
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    synchronized (log) {
                        log.add("error " + e);
                    }
                }
            }
        }

        /** Everything logged so far. */
        List<String> log() {
            synchronized (log) {
                return List.copyOf(log);
            }
        }

        /** Runs the scheduler; returns true when it had nothing to do. */
        synchronized boolean tick() throws Exception {
            // one snapshot for both the log and the scheduler: a change between two reads would be scheduled before
            // it is logged (crm_resource --restart deletes the target-role on its own thread)
            org.vigil.crm.api.cib.CibSnapshot snapshot = cib.current();
            XmlNode root = snapshot.root();
            Map<String, String> roles = new java.util.TreeMap<>();
            for (XmlNode nv : CrmResourceDifferentialTest.all(root.firstChild("configuration")
                .firstChild("resources"), "nvpair", new ArrayList<>())) {
                if ("target-role".equals(nv.attribute("name"))) {
                    roles.put(nv.attribute("id"), nv.attribute("value"));
                }
            }
            synchronized (log) {
                for (String id : new java.util.TreeSet<>(targetRoles.keySet())) {
                    if (!roles.containsKey(id)) {
                        log.add("deleted " + id);
                    }
                }
                for (Map.Entry<String, String> e : roles.entrySet()) {
                    if (!Objects.equals(targetRoles.get(e.getKey()), e.getValue())) {
                        log.add("set " + e.getKey() + "=" + e.getValue());
                    }
                }
                targetRoles.clear();
                targetRoles.putAll(roles);
            }
            Transition t = pe.schedule(snapshot, Instant.now(), ZoneId.systemDefault(), 1, "fake");
            for (TransitionAction a : t.actions()) {
                if (a.kind() == TransitionAction.Kind.RESOURCE) {
                    run(a);
                    return false;
                }
            }
            return true;
        }

        private void run(TransitionAction a) throws Exception {
            int call = ++callId;
            String rsc = a.resource().id();
            String op = a.intervalMs() == 0 ? rsc + "_last_0" : a.key();
            XmlNode result = XmlNode.of("lrm_rsc_op", "id", op, "operation_key", a.key(), "operation", a.task(),
                "crm-debug-origin", "do_update_resource", "crm_feature_set", "3.16.2", "transition-key",
                a.transitionKey(), "transition-magic", "0:" + a.targetRc() + ";" + a.transitionKey(), "exit-reason", "",
                "on_node", a.node(), "call-id", Integer.toString(call), "rc-code", Integer.toString(a.targetRc()),
                "op-status", "0", "interval", Long.toString(a.intervalMs()), "last-rc-change", "1700000000",
                "exec-time", "1", "queue-time", "0", "op-digest", OpDigest.of(a.attributes()));
            XmlNode state = XmlNode.of("node_state", "id", a.nodeUuid()).withChildren(List.of(
                XmlNode.of("lrm", "id", a.nodeUuid()).withChildren(List.of(
                    XmlNode.of("lrm_resources").withChildren(List.of(
                        XmlNode.of("lrm_resource", "id", rsc, "class", a.resource().agentClass(), "provider",
                            a.resource().provider(), "type", a.resource().type()).withChildren(List.of(result))))))));
            cib.update(new CibRequest(CibRequest.Op.MODIFY, "status", null,
                XmlNode.of("status").withChildren(List.of(state)), EnumSet.of(CibRequest.Flag.CAN_CREATE), "fake",
                "hacluster")).toCompletableFuture().get();
            if (!(a.task().equals("monitor") && a.intervalMs() == 0)) {
                synchronized (log) {
                    log.add(a.task() + " " + rsc + " on " + a.node());
                }
            }
        }

        /** Runs the cluster until the scheduler has nothing to do (at most 200 actions). */
        void settle() throws Exception {
            boolean was = paused;
            paused = true;
            Thread.sleep(30);
            for (int i = 0; i < 200 && !tick(); i++) {
                // one action per tick
            }
            paused = was;
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.interrupt();
            thread.join(10_000);
        }
    }

    private LoopbackCib start(boolean settled) throws Exception {
        LoopbackCib cib = new LoopbackCib(XmlText.parse(CIB, "restart-test"));
        cluster = new FakeCluster(cib);
        if (settled) {
            cluster.settle();
        }
        return cib;
    }

    private static Commands.Result crmResource(LoopbackCib cib, Path tmp, String... args) {
        return Commands.run(new CrmResourceCommand(cib, null, null, CrmResourceDifferentialTest.clock()), tmp,
            List.of(args));
    }

    /** The actions and target-role changes the fake cluster logged since {@code from}. */
    private List<String> logSince(int from) {
        List<String> l = cluster.log();
        return l.subList(from, l.size());
    }

    private static XmlNode nvpair(LoopbackCib cib, String id) {
        for (XmlNode nv : CrmResourceDifferentialTest.all(cib.current().root(), "nvpair", new ArrayList<>())) {
            if (id.equals(nv.attribute("id"))) {
                return nv;
            }
        }
        return null;
    }

    @Test
    void waitReturnsOnceTheClusterAppliedTheTransition() throws Exception {
        LoopbackCib cib = start(false);
        Commands.Result r = crmResource(cib, tmp, "--wait", "--timeout", "60");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.out() + r.err());
        List<String> log = cluster.log();
        assertTrue(log.containsAll(List.of("start rsc1 on node1", "start rsc2 on node1", "start rsc3 on node2")),
            log.toString());
        cluster.paused = true;
        assertTrue(cluster.tick(), "the wait returned while the scheduler still had work: " + cluster.log());
    }

    @Test
    void waitTimesOutWithThePendingActionsAsPacemakersWhenTheClusterDoesNothing() throws Exception {
        LoopbackCib cib = start(false);
        cluster.paused = true;
        Commands.Result r = crmResource(cib, tmp, "--wait", "-T", "1");
        assertEquals(124, r.exit(), r.toString());
        assertEquals("crm_resource: Error performing operation: Timeout occurred\n", r.err());
        assertTrue(r.out().startsWith("Pending actions:\n"), r.out());
        assertTrue(r.out().contains("\tAction 9: rsc1_start_0\ton node1\n"), r.out());
        assertSamePendingActionsAsPacemaker(cib, r);

        for (int i = 0; i < 8; i++) {   // half-way: probes done, some starts
            cluster.tick();
        }
        r = crmResource(cib, tmp, "--wait", "--timeout", "500ms");
        assertEquals(124, r.exit(), r.toString());
        assertTrue(r.out().contains("\tAction "), r.out());
        assertSamePendingActionsAsPacemaker(cib, r);
    }

    /** Pacemaker's crm_resource --wait on a file copy of the CIB lists the same actions (ids, keys, nodes). */
    private void assertSamePendingActionsAsPacemaker(LoopbackCib cib, Commands.Result ours) throws Exception {
        if (!PacemakerTools.available("crm_resource")) {
            return;
        }
        Path file = tmp.resolve("cib.xml");
        Files.writeString(file, cib.current().root().toXml());
        PacemakerTools.Run pm = PacemakerTools.run(tmp, Map.of("CIB_file", file.toString()), "crm_resource",
            List.of("--wait", "-T", "1"));
        assertEquals(124, pm.exit(), pm.toString());
        String theirs = pm.out().replace("warning: wait option may not work properly in mixed-version cluster\n",
            "");
        assertEquals(theirs, ours.out(), "the pending actions differ from Pacemaker's");
        assertEquals(pm.err(), ours.err());
    }

    @Test
    void restartStopsThenStartsAndRemovesTheTargetRoleItWrote() throws Exception {
        LoopbackCib cib = start(true);
        int mark = cluster.log().size();
        Commands.Result r = crmResource(cib, tmp, "--restart", "-r", "rsc1");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("""
            Set 'rsc1' option: id=rsc1-meta_attributes-target-role set=rsc1-meta_attributes name=target-role \
            value=stopped
            Waiting for 2 resources to stop:
             * rsc1
             * rsc2
            Deleted 'rsc1' option: id=rsc1-meta_attributes-target-role name=target-role
            Waiting for 2 resources to start again:
             * rsc1
             * rsc2
            """, r.out());
        assertEquals("", r.err());
        assertEquals(List.of("set rsc1-meta_attributes-target-role=stopped", "stop rsc2 on node1",
            "stop rsc1 on node1", "deleted rsc1-meta_attributes-target-role", "start rsc1 on node1",
            "start rsc2 on node1"), logSince(mark));
        assertNull(nvpair(cib, "rsc1-meta_attributes-target-role"));
        assertEquals("Started", nvpair(cib, "rsc2-meta-target-role").attribute("value"));
    }

    @Test
    void restartPutsBackAnOriginalTargetRoleStartedOrUnpromoted() throws Exception {
        LoopbackCib cib = start(true);
        int mark = cluster.log().size();
        Commands.Result r = crmResource(cib, tmp, "--restart", "-r", "rsc2");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("""
            Set 'rsc2' option: id=rsc2-meta-target-role name=target-role value=stopped
            Waiting for 1 resources to stop:
             * rsc2
            Set 'rsc2' option: id=rsc2-meta-target-role name=target-role value=Started
            Waiting for 1 resources to start again:
             * rsc2
            """, r.out());
        assertEquals(List.of("set rsc2-meta-target-role=stopped", "stop rsc2 on node1",
            "set rsc2-meta-target-role=Started", "start rsc2 on node1"), logSince(mark));

        mark = cluster.log().size();
        r = crmResource(cib, tmp, "--restart", "-r", "rsc3", "-Q");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.out() + r.err());
        assertEquals(List.of("set rsc3-meta-target-role=stopped", "stop rsc3 on node2",
            "set rsc3-meta-target-role=Unpromoted", "start rsc3 on node2"), logSince(mark));
        assertEquals("Unpromoted", nvpair(cib, "rsc3-meta-target-role").attribute("value"));
        assertNull(nvpair(cib, "rsc2-meta_attributes-target-role"));
    }

    @Test
    void restartOfACloneOnOneNodeBansThenClearsAndPrintsNothing() throws Exception {
        LoopbackCib cib = start(true);
        int mark = cluster.log().size();
        Commands.Result r = crmResource(cib, tmp, "--restart", "-r", "cl", "-N", "node1");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.out() + r.err());
        assertEquals(List.of("stop cd on node1", "start cd on node1"), logSince(mark));
        assertTrue(CrmResourceDifferentialTest.all(cib.current().root(), "rsc_location", new ArrayList<>()).stream()
            .noneMatch(l -> l.attribute("id").startsWith("cli-")), "the ban was not cleared");
    }

    @Test
    void restartWhoseStopNeverHappensTimesOutAndPutsTheTargetRoleBack() throws Exception {
        LoopbackCib cib = start(true);
        cluster.paused = true;
        Commands.Result r = crmResource(cib, tmp, "--restart", "-r", "rsc1", "--timeout", "1s");
        assertEquals(124, r.exit(), r.toString());
        assertEquals("Could not complete shutdown of rsc1, 2 resources remaining\n"
            + "crm_resource: Error performing operation: Timeout occurred\n", r.err());
        assertTrue(r.out().endsWith("Waiting for 2 resources to stop:\n * rsc1\n * rsc2\n * rsc1\n * rsc2\n"
            + "Deleted 'rsc1' option: id=rsc1-meta_attributes-target-role name=target-role\n"), r.out());
        assertNull(nvpair(cib, "rsc1-meta_attributes-target-role"));

        r = crmResource(cib, tmp, "--restart", "-r", "rsc2", "--timeout", "1s");
        assertEquals(124, r.exit(), r.toString());
        assertEquals("Started", nvpair(cib, "rsc2-meta-target-role").attribute("value"));
        cluster.paused = false;
        cluster.settle();
        assertTrue(logSince(0).stream().noneMatch(l -> l.startsWith("stop") || l.startsWith("error")),
            cluster.log().toString());
    }

    @Test
    void restartOfAResourceThatIsNotRunningIsRefusedAsPacemakerRefusesIt() throws Exception {
        LoopbackCib cib = start(false);
        cluster.paused = true;
        Commands.Result r = crmResource(cib, tmp, "--restart", "-r", "rsc1");
        assertEquals(105, r.exit(), r.toString());
        assertEquals("rsc1 is not running anywhere and so cannot be restarted\n"
            + "crm_resource: Error performing operation: No such object\n", r.err());
        r = crmResource(cib, tmp, "--restart", "-r", "rsc1", "-N", "node2");
        assertEquals(105, r.exit(), r.toString());
        assertEquals("rsc1 is not running on node2 and so cannot be restarted\n"
            + "crm_resource: Error performing operation: No such object\n", r.err());
        assertEquals("", r.out());
    }
}
