package org.vigil.crm.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlNode;

/**
 * The controllers of a simulated cluster ({@link SimCluster}: virtual time, CPG's agreed order, one real CIB
 * engine, the real scheduler, executors against a model of the machines): election, join, node states, starting
 * resources where the scheduler places them, recovery from node crashes, monitor failures and DC loss, fencing
 * without a fencer, quorum loss; and over many seeds with random crashes, never a resource active on two nodes.
 */
@org.junit.jupiter.api.Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
class ControllerSimulationTest {

    static XmlNode cib(boolean stonith, String noQuorumPolicy, int stickiness, String... resources) {
        XmlNode props = XmlNode.of("cluster_property_set", "id", "cib-bootstrap-options")
            .plusChild(XmlNode.of("nvpair", "id", "opt-stonith", "name", "stonith-enabled", "value",
                Boolean.toString(stonith)))
            .plusChild(XmlNode.of("nvpair", "id", "opt-nqp", "name", "no-quorum-policy", "value", noQuorumPolicy));
        XmlNode rscs = XmlNode.of("resources");
        if (stonith) {
            // a fencing device (Pacemaker starts nothing while fencing is enabled and no device is defined)
            rscs = rscs.plusChild(XmlNode.of("primitive", "id", "fence1", "class", "stonith", "type", "fence_dummy"));
        }
        for (String r : resources) {
            rscs = rscs.plusChild(XmlNode.of("primitive", "id", r, "class", "ocf", "provider", "heartbeat", "type",
                "Dummy").plusChild(XmlNode.of("operations").plusChild(XmlNode.of("op", "id", r + "-monitor-10s",
                "name", "monitor", "interval", "10s", "timeout", "20s"))));
        }
        XmlNode conf = XmlNode.of("configuration").plusChild(XmlNode.of("crm_config").plusChild(props))
            .plusChild(XmlNode.of("nodes")).plusChild(rscs).plusChild(XmlNode.of("constraints"));
        if (stickiness > 0) {
            conf = conf.plusChild(XmlNode.of("rsc_defaults").plusChild(XmlNode.of("meta_attributes", "id",
                "rsc-options").plusChild(XmlNode.of("nvpair", "id", "rsc-stickiness", "name", "resource-stickiness",
                "value", Integer.toString(stickiness)))));
        }
        return XmlNode.of("cib", "epoch", "1", "num_updates", "0", "admin_epoch", "0", "validate-with",
            "pacemaker-3.7", "crm_feature_set", "3.16.1").plusChild(conf).plusChild(XmlNode.of("status"));
    }

    private static SimCluster threeNodes(long seed, XmlNode cib) {
        SimCluster c = new SimCluster(seed, cib);
        c.add(1, "alpha", 1000);
        c.add(2, "bravo", 2000);
        c.add(3, "charlie", 3000);
        c.setQuorate(true);
        c.start(1);
        c.start(2);
        c.start(3);
        return c;
    }

    private static void settle(SimCluster c, String what) {
        boolean ok = c.runUntil(c::settled, 120_000);
        assertTrue(ok, what + ": the cluster did not settle\n" + String.join("\n", tail(c.log, 40)));
        if (!c.violations.isEmpty()) {
            java.util.StringJoiner j = new java.util.StringJoiner("\n");
            c.log.forEach(j::add);
            StringBuilder states = new StringBuilder();
            for (XmlNode ns : c.cib.current().status().children("node_state")) {
                states.append(ns.withoutChildren().toXml()).append('\n');
            }
            throw new AssertionError(what + ": " + c.violations + "\n" + states + j);
        }
    }

    private static List<String> tail(List<String> l, int n) {
        return new ArrayList<>(l.subList(Math.max(0, l.size() - n), l.size()));
    }

    private static XmlNode nodeState(SimCluster c, int id) {
        for (XmlNode ns : c.cib.current().status().children("node_state")) {
            if (ns.id().equals(Integer.toString(id))) {
                return ns;
            }
        }
        return null;
    }

    private static String attr(SimCluster c, int node, String name) {
        XmlNode ns = nodeState(c, node);
        XmlNode ta = ns == null ? null : ns.firstChild("transient_attributes");
        if (ta == null) {
            return null;
        }
        for (XmlNode set : ta.children("instance_attributes")) {
            for (XmlNode nv : set.children("nvpair")) {
                if (name.equals(nv.attribute("name"))) {
                    return nv.attribute("value");
                }
            }
        }
        return null;
    }

    @Test
    void aColdStartElectsTheOldestNodeJoinsEveryoneAndStartsEachResourceOnce() {
        SimCluster c = threeNodes(1, cib(false, "stop", 0, "r1", "r2", "r3"));
        settle(c, "cold start");
        assertEquals(1, c.dcNode().id, "the node that started first is the DC");
        XmlNode root = c.cib.current().root();
        assertEquals("1", root.attribute("dc-uuid"));
        assertEquals("1", root.attribute("have-quorum"));
        for (int n = 1; n <= 3; n++) {
            XmlNode ns = nodeState(c, n);
            assertNotNull(ns, "node_state " + n);
            assertEquals("true", ns.attribute("in_ccm"));
            assertEquals("online", ns.attribute("crmd"));
            assertEquals("member", ns.attribute("join"));
            assertEquals("member", ns.attribute("expected"));
        }
        assertEquals(3, c.cib.current().configuration().firstChild("nodes").children("node").size());
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(1, c.where(r).size(), r + " runs once: " + c.where(r));
        }
        // the three are spread over the three nodes (the scheduler's placement)
        Set<String> used = new java.util.TreeSet<>();
        for (String r : List.of("r1", "r2", "r3")) {
            used.addAll(c.where(r));
        }
        assertEquals(3, used.size());
        // a monitor runs for every resource where it runs
        int monitors = 0;
        for (SimCluster.SimNode n : c.nodes.values()) {
            monitors += n.executor.recurring().size();
        }
        assertEquals(3, monitors);
        // settled means settled: nothing happens for a while
        long version = c.cib.current().version().numUpdates();
        c.run(60_000);
        assertEquals(version, c.cib.current().version().numUpdates());
    }

    /**
     * docs/design/versioning.md §4: the DC is a node of the oldest release in the ring (it never plans with a
     * feature a member lacks), so a rolling upgrade 0.1 → 0.2 moves the DC only when its own node is upgraded,
     * and to another node of the old release while there is one.
     */
    @Test
    void theElectionPrefersTheOldestRelease() {
        SimCluster c = new SimCluster(5, cib(false, "stop", 0, "r1", "r2", "r3"));
        c.add(1, "alpha", 1000).release = "0.2";   // started first, but already on the next release
        c.add(2, "bravo", 2000);
        c.add(3, "charlie", 3000);
        c.setQuorate(true);
        c.start(1);
        c.start(2);
        c.start(3);
        settle(c, "cold start");
        assertEquals(2, c.dcNode().id, "the longest running node of the oldest release is the DC");
        c.crash(3);
        c.nodes.get(3).release = "0.2";
        c.start(3);
        settle(c, "charlie upgraded");
        assertEquals(2, c.dcNode().id, "upgrading another node does not move the DC");
        c.crash(2);
        c.nodes.get(2).release = "0.2";
        c.start(2);
        settle(c, "bravo upgraded");
        assertEquals(1, c.dcNode().id, "all on 0.2: Pacemaker's order again (the node that has run longest)");
    }

    @Test
    void aCrashedNodesResourcesRunOnASurvivorAndStayWhenItComesBack() {
        SimCluster c = threeNodes(2, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        String victim = c.where("r2").iterator().next();
        int victimId = c.nodes.values().stream().filter(n -> n.name.equals(victim)).findFirst().orElseThrow().id;
        List<String> before = new ArrayList<>();
        for (String r : List.of("r1", "r2", "r3")) {
            before.add(r + "@" + c.where(r));
        }
        c.crash(victimId);
        settle(c, "after the crash of " + victim);
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(1, c.where(r).size(), r + " runs once after the crash");
            assertTrue(!c.where(r).contains(victim));
        }
        XmlNode ns = nodeState(c, victimId);
        assertEquals("false", ns.attribute("in_ccm"));
        assertEquals("offline", ns.attribute("crmd"));
        // it comes back: with stickiness nothing moves
        List<String> placed = new ArrayList<>();
        for (String r : List.of("r1", "r2", "r3")) {
            placed.add(r + "@" + c.where(r));
        }
        c.start(victimId);
        settle(c, "after " + victim + " came back");
        List<String> after = new ArrayList<>();
        for (String r : List.of("r1", "r2", "r3")) {
            after.add(r + "@" + c.where(r));
        }
        assertEquals(placed, after, "healthy resources stay where they are (before the crash: " + before + ")");
        assertEquals("member", nodeState(c, victimId).attribute("join"));
    }

    /**
     * A DC that stays DC while nodes join (a partition heals: the minority's DC, the oldest node, wins again) does not
     * schedule before the join completes, as Pacemaker's DC runs the scheduler only after S_FINALIZE_JOIN: a node not
     * yet joined counts as offline, and its running resources would be started again elsewhere (CrmNetnsIT saw a
     * start of a resource that ran on a joining node, planted by a "Quorum gained" run queued during the join).
     */
    @Test
    void aDcThatStaysDcDoesNotScheduleWhileNodesAreJoining() {
        SimCluster c = threeNodes(12, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        c.crash(3);
        c.setQuorate(false);
        settle(c, "alpha and bravo without quorum");
        c.publishMs = 300;   // a join that takes a while (a node with a long history, a busy CIB)
        c.start(3);
        // quorum comes back once the DC has asked the joining node for its history
        int[] asked = {c.log.size()};
        boolean asking = c.runUntil(() -> {
            for (int i = asked[0]; i < c.log.size(); i++) {
                if (c.log.get(i).contains(" alpha join: join ") && c.log.get(i).contains("asking")) {
                    asked[0] = i;
                    return true;
                }
            }
            return false;
        }, 10_000);
        assertTrue(asking, String.join("\n", tail(c.log, 30)));
        c.setQuorate(true);
        settle(c, "after charlie joined and quorum came back");
        boolean joining = false;
        for (String line : c.log.subList(asked[0], c.log.size())) {
            if (line.contains(" alpha join: ") && line.contains(" complete")) {
                joining = false;
                break;
            }
            joining = true;
            assertTrue(!line.matches(".* alpha transition: transition \\d+ \\(CIB.*"),
                "scheduled during the join: " + line + "\n" + String.join("\n", c.log.subList(asked[0], c.log.size())));
        }
        assertTrue(!joining, "the join completed");
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(1, c.where(r).size(), r + " runs once");
        }
    }

    @Test
    void aNodeBackFromACrashPublishesItsHistoryOnlyOnceItsCibHasSynced() {
        SimCluster c = threeNodes(3, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        String victim = c.where("r1").iterator().next();
        int victimId = c.nodes.values().stream().filter(n -> n.name.equals(victim)).findFirst().orElseThrow().id;
        c.crash(victimId);
        settle(c, "after the crash of " + victim);
        List<String> placed = new ArrayList<>();
        for (String r : List.of("r1", "r2", "r3")) {
            placed.add(r + "@" + c.where(r));
        }
        // it comes back with a copy of its own that syncs with the cluster's for a while (the DC asks it to join
        // meanwhile): its history goes out after the sync (settle fails on a violation otherwise)
        c.start(victimId);
        c.startSyncing(victimId, 1_500);
        c.run(1_000);
        assertFalse(c.nodes.get(victimId).core.joinedDc(), "not joined while its CIB syncs (wait --ready waits)");
        c.run(2_000);
        settle(c, "after " + victim + " came back");
        assertEquals("member", nodeState(c, victimId).attribute("join"));
        for (SimCluster.SimNode n : c.nodes.values()) {
            assertTrue(n.core.joinedDc(), n.name + " joined the DC");
        }
        List<String> after = new ArrayList<>();
        for (String r : List.of("r1", "r2", "r3")) {
            after.add(r + "@" + c.where(r));
        }
        assertEquals(placed, after, "healthy resources stay where they are");
    }

    @Test
    void aCibCopyReplacedBySyncMakesTheDcJoinEveryNodeAgainItselfIncluded() {
        // A partition heals and the other side's newer copy wins the sync: what this side's nodes recorded meanwhile
        // (here: every resource stopped for lack of quorum) is gone from the CIB, which says they still run. The DC
        // must ask every node for its history again, its own included (do_cib_replaced()), or nothing restarts them.
        SimCluster c = threeNodes(5, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        XmlNode before = c.cib.current().root();
        c.setQuorate(false);
        settle(c, "without quorum");
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(Set.of(), c.where(r), r + " stopped without quorum");
        }
        long epoch = Long.parseLong(c.cib.current().root().attribute("epoch")) + 5;
        c.replaceCibBySync(before.with("epoch", Long.toString(epoch)));
        c.setQuorate(true);
        settle(c, "after the sync and quorum");
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(1, c.where(r).size(), r + " runs once: " + String.join("\n", tail(c.log, 40)));
        }
    }

    @Test
    void anAdminsReplaceOfTheWholeCibWithoutNodesOrStatusMakesTheDcJoinEveryNodeAgain() {
        // cibadmin --replace --xml-file cib.xml with an empty <nodes/> and <status/> (a CIB written by hand, the seed
        // cluster's loader): the node entries and every node's history are gone from the CIB. do_cib_replaced(): the
        // DC asks every node for its history again and puts the node entries back; nothing runs twice or stops.
        SimCluster c = threeNodes(11, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        Map<String, Set<String>> placed = new java.util.TreeMap<>();
        for (String r : List.of("r1", "r2", "r3")) {
            placed.put(r, c.where(r));
        }
        XmlNode root = c.cib.current().root();
        List<XmlNode> kids = new java.util.ArrayList<>();
        for (XmlNode k : root.children()) {
            if (k.is("status")) {
                kids.add(k.withoutChildren());
            } else if (k.is("configuration")) {
                List<XmlNode> conf = new java.util.ArrayList<>();
                for (XmlNode s2 : k.children()) {
                    conf.add(s2.is("nodes") ? s2.withoutChildren() : s2);
                }
                kids.add(k.withChildren(conf));
            } else {
                kids.add(k);
            }
        }
        XmlNode bare = root.withChildren(kids).with("epoch", Long.toString(Long.parseLong(root.attribute("epoch"))
            + 1));
        c.cib.update(CibRequest.of(CibRequest.Op.REPLACE, null, bare, "cibadmin"));
        settle(c, "after the replace");
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(placed.get(r), c.where(r), r + " runs where it ran, once: " + String.join("\n", tail(c.log,
                40)));
        }
        XmlNode after = c.cib.current().root();
        assertEquals(3, after.firstChild("status").children("node_state").size(), "every node's state is back");
        assertEquals(3, after.firstChild("configuration").firstChild("nodes").children("node").size(),
            "every node entry is back");
        assertTrue(c.log.stream().anyMatch(l -> l.contains("the CIB was replaced")), "the DC said why it joined again");
    }

    @Test
    void aResultThatComesInWhileTheDcsJoinRunsStillConfirmsItsAction() {
        // Seen on the seed cluster's cold start: the DC's copy was replaced by a sync just as three of its own probes
        // finished, and the join that followed (every node's history asked for again) was still running when their
        // results came in and when they were published again with the DC's history. te_update_diff() reads
        // results whenever a transition is incomplete, a join or not: the actions are confirmed, not left to the
        // backstop timer (timeout + cluster-delay) and then recorded as failed.
        SimCluster c = threeNodes(7, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        c.publishMs = 400;   // a join that outlasts the agent run
        modify(c, "resources", meta("r1", "target-role", "Stopped"));
        assertTrue(c.runUntil(() -> c.log.stream().anyMatch(l -> l.contains(": r1_stop_0 on ") && l.endsWith(
            " started")), 10_000), "the stop of r1 starts\n" + String.join("\n", tail(c.log, 40)));
        long epoch = Long.parseLong(c.cib.current().root().attribute("epoch")) + 5;
        c.replaceCibBySync(c.cib.current().root().with("epoch", Long.toString(epoch)));
        settle(c, "after the sync");
        List<String> lost = c.log.stream().filter(l -> l.contains(" lost (no result")).toList();
        assertEquals(List.of(), lost, String.join("\n", tail(c.log, 60)));
        assertEquals(Set.of(), c.where("r1"), "r1 stopped as asked");
        for (int n = 1; n <= 3; n++) {
            assertNull(attr(c, n, "fail-count-r1#stop_0"), "no failure recorded on node" + n);
        }
    }

    @Test
    void aFailedMonitorIsRecoveredInPlaceAndCounted() {
        SimCluster c = threeNodes(3, cib(false, "stop", 100, "r1"));
        settle(c, "cold start");
        String where = c.where("r1").iterator().next();
        SimCluster.SimNode n = c.nodes.values().stream().filter(x -> x.name.equals(where)).findFirst().orElseThrow();
        c.running.get("r1").remove(where);
        n.executor.monitorFails("r1");
        settle(c, "after the monitor failure");
        assertEquals(Set.of(where), c.where("r1"), "recovered in place");
        assertEquals("1", attr(c, n.id, "fail-count-r1#monitor_10000"));
    }

    @Test
    void theDcsCrashElectsANewDcAndNothingHealthyRestarts() {
        SimCluster c = threeNodes(4, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        SimCluster.SimNode dc = c.dcNode();
        int starts = countStarts(c);
        c.crash(dc.id);
        settle(c, "after the DC's crash");
        assertTrue(c.dcNode().id != dc.id);
        assertEquals(2, c.dcNode().id, "the oldest survivor");
        int lost = 0;
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(1, c.where(r).size());
        }
        for (String r : List.of("r1", "r2", "r3")) {
            lost += c.where(r).contains(dc.name) ? 1 : 0;
        }
        assertEquals(0, lost);
        // only what ran on the dead DC was started again
        int moved = countStarts(c) - starts;
        assertTrue(moved <= 1, "starts after the DC's crash: " + moved);
    }

    private static int countStarts(SimCluster c) {
        int n = 0;
        for (String l : c.log) {
            if (l.contains("_start_0 on") && l.endsWith(" started")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void withFencingEnabledAndNoFencerALostNodesResourcesWait() {
        SimCluster c = threeNodes(5, cib(true, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        assertEquals(1, c.where("r3").size(), "started with a fencing device defined: " + c.running);
        String victim = c.where("r3").iterator().next();
        int victimId = c.nodes.values().stream().filter(n -> n.name.equals(victim)).findFirst().orElseThrow().id;
        c.crash(victimId);
        c.run(120_000);
        assertTrue(c.where("r3").isEmpty(), "r3 is not recovered before its node is fenced");
        assertTrue(c.log.stream().anyMatch(l -> l.contains("fencing of " + victim + " failed")), "fencing was tried");
        assertEquals(List.of(), c.violations);
    }

    @Test
    void aLostNodeIsFencedBeforeItsResourcesRunElsewhere() {
        SimCluster c = threeNodes(6, cib(true, "stop", 100, "r1", "r2", "r3"));
        c.fencing = true;
        settle(c, "cold start");
        String victim = c.where("r3").iterator().next();
        int victimId = c.nodes.values().stream().filter(n -> n.name.equals(victim)).findFirst().orElseThrow().id;
        int from = c.log.size();
        c.crash(victimId);
        settle(c, "after " + victim + " was lost");
        assertEquals(List.of(victim + " reboot"), c.fenced, "fenced once");
        assertEquals(1, c.where("r3").size(), "r3 recovered on a survivor");
        int fencedAt = -1;
        int startedAt = -1;
        List<String> after = c.log.subList(from, c.log.size());
        for (int i = 0; i < after.size(); i++) {
            if (fencedAt < 0 && after.get(i).contains("fencer: reboot of " + victim + " done")) {
                fencedAt = i;
            }
            if (startedAt < 0 && after.get(i).contains("r3_start_0 on") && after.get(i).endsWith(" started")) {
                startedAt = i;
            }
        }
        assertTrue(fencedAt >= 0 && startedAt > fencedAt, "r3 started only after the fencing:\n"
            + String.join("\n", after));
        XmlNode ns = nodeState(c, victimId);
        assertEquals("down", ns.attribute("expected"), ns.toXml());
        assertEquals("offline", ns.attribute("crmd"));
        assertTrue(ns.firstChild("lrm") == null, "its history erased: " + ns.toXml());
        assertEquals(List.of(), c.violations);
        // it comes back: it joins, nothing is fenced again, nothing healthy restarts
        c.start(victimId);
        settle(c, "after " + victim + " came back");
        assertEquals(List.of(victim + " reboot"), c.fenced);
        assertEquals("member", nodeState(c, victimId).attribute("join"));
    }

    @Test
    void inATwoNodeSplitTheNodeWithTheMoreImportantResourcesIsFencedOnlyAfterThePriorityFencingDelay() {
        XmlNode cib = cib(true, "ignore", 100, "r1", "r2");
        SimCluster c = new SimCluster(8, cib);
        c.add(1, "alpha", 1000);
        c.add(2, "bravo", 2000);
        c.setQuorate(true);
        c.fencing = true;
        c.start(1);
        c.start(2);
        modify(c, "crm_config", option("priority-fencing-delay", "5s"));
        modify(c, "resources", XmlNode.of("resources").plusChild(meta("r1", "priority", "10")));
        modify(c, "constraints", XmlNode.of("constraints").plusChild(XmlNode.of("rsc_location", "id", "r1-on-b",
            "rsc", "r1", "node", "bravo", "score", "100")).plusChild(XmlNode.of("rsc_location", "id", "r2-on-a",
            "rsc", "r2", "node", "alpha", "score", "100")));
        settle(c, "cold start");
        assertEquals(Set.of("bravo"), c.where("r1"));
        // bravo, holding the important resource, is lost: alpha fences it only after the delay
        long waited = fencedAfterLoss(c, 2, "bravo");
        assertTrue(waited >= 5_000, "fencing asked " + waited + " ms after the loss");
        assertEquals(Set.of("alpha"), c.where("r1"), "r1 recovered once bravo was fenced");

        // the other way round: alpha (r2, priority 0) is lost while bravo holds r1: no delay
        c.start(2);
        settle(c, "bravo back");
        String holder = c.where("r1").iterator().next();
        int victim = holder.equals("alpha") ? 2 : 1;
        String victimName = victim == 1 ? "alpha" : "bravo";
        long waited2 = fencedAfterLoss(c, victim, victimName);
        assertTrue(waited2 < 5_000, "the less important node is fenced at once: " + waited2 + " ms");
    }

    /** The time of the first log line after {@code from} that contains {@code text}. */
    private static long loggedAt(SimCluster c, int from, String text) {
        String line = c.log.subList(from, c.log.size()).stream().filter(l -> l.contains(text)).findFirst()
            .orElseThrow(() -> new AssertionError("no '" + text + "' in:\n" + String.join("\n",
                c.log.subList(from, c.log.size()))));
        return Long.parseLong(line.substring(0, line.indexOf(' ')));
    }

    /** Node {@code id} ({@code name}) crashes; how long after the loss the fencer was asked to reboot it. */
    private static long fencedAfterLoss(SimCluster c, int id, String name) {
        long lost = c.now();
        int from = c.log.size();
        c.crash(id);
        settle(c, "after " + name + " was lost");
        return loggedAt(c, from, "asks to reboot " + name) - lost;
    }

    @Test
    void inATwoNodeClusterTheFencingOfTheLowerNodeIdWaitsTheRaceDelaySoASplitNeverFencesBoth() {
        SimCluster c = new SimCluster(10, cib(true, "ignore", 100, "r1", "r2"));
        c.add(1, "alpha", 1000);
        c.add(2, "bravo", 2000);
        c.setQuorate(true);
        c.fencing = true;
        c.start(1);
        c.start(2);
        settle(c, "cold start");
        // alpha (node id 1) is lost: bravo fences it only after vigil-fence-race-delay (default 5 s)
        long waited = fencedAfterLoss(c, 1, "alpha");
        assertTrue(waited >= 5_000 && waited < 8_000, "alpha fenced " + waited + " ms after the loss");
        assertEquals(List.of("alpha reboot"), c.fenced);
        c.start(1);
        settle(c, "alpha back");
        // bravo (node id 2) is lost: alpha fences it at once
        long waited2 = fencedAfterLoss(c, 2, "bravo");
        assertTrue(waited2 < 5_000, "bravo fenced " + waited2 + " ms after the loss");
        // turned off: alpha is fenced as soon as bravo decides
        c.start(2);
        settle(c, "bravo back");
        modify(c, "crm_config", option("vigil-fence-race-delay", "0"));
        settle(c, "option set");
        long waited3 = fencedAfterLoss(c, 1, "alpha");
        assertTrue(waited3 < 5_000, "no race delay: alpha fenced " + waited3 + " ms after the loss");
        assertEquals(List.of("alpha reboot", "bravo reboot", "alpha reboot"), c.fenced);
        assertEquals(List.of(), c.violations);
    }

    @Test
    void aNodeFencedAgainAndAgainIsKeptOutUntilAnAdminClearsIt() {
        SimCluster c = threeNodes(9, cib(true, "stop", 100, "r1", "r2", "r3"));
        c.fencing = true;
        modify(c, "crm_config", option("vigil-fence-loop-max", "2"));
        settle(c, "cold start");
        for (int round = 1; round <= 2; round++) {
            c.crash(3);
            settle(c, "charlie lost (" + round + ")");
            assertEquals(round, c.fenced.size(), "fenced: " + c.fenced);
            c.start(3);
            settle(c, "charlie back (" + round + ")");
        }
        // fenced twice within the window: charlie is back but kept out
        XmlNode ns = nodeState(c, 3);
        assertTrue(!"member".equals(ns.attribute("join")), "not a member: " + ns.toXml());
        assertEquals("down", ns.attribute("expected"));
        for (String r : List.of("r1", "r2", "r3")) {
            assertTrue(!c.where(r).contains("charlie"), r + " does not run on charlie: " + c.where(r));
            assertEquals(1, c.where(r).size(), r);
        }
        assertTrue(c.cib.current().root().toXml().contains("vigil-fence-loop"), "reported in the CIB");
        // lost again: not fenced a third time
        c.crash(3);
        settle(c, "charlie lost again");
        assertEquals(2, c.fenced.size(), "no third fencing: " + c.fenced);
        c.start(3);
        settle(c, "charlie back again");
        // the admin clears it: charlie joins
        c.cib.update(new org.vigil.crm.api.cib.CibRequest(org.vigil.crm.api.cib.CibRequest.Op.DELETE, null,
            "//nodes/node[@id='3']/instance_attributes/nvpair[@name='vigil-fence-loop']", null, Set.of(), "admin",
            "root"));
        settle(c, "cleared");
        assertEquals("member", nodeState(c, 3).attribute("join"), nodeState(c, 3).toXml());
        assertEquals(List.of(), c.violations);
    }

    @Test
    void aFencingThatFailsRecoversNothingAndIsTriedAgainUntilItWorks() {
        SimCluster c = threeNodes(7, cib(true, "stop", 100, "r1", "r2", "r3"));
        c.fencing = true;
        settle(c, "cold start");
        String victim = c.where("r3").iterator().next();
        int victimId = c.nodes.values().stream().filter(n -> n.name.equals(victim)).findFirst().orElseThrow().id;
        c.unfenceable.add(victim);
        c.crash(victimId);
        // a few attempts (200 ms each, then 1 s, 2 s, 4 s... apart), fewer than stonith-max-attempts (10)
        int from = c.log.size();
        c.run(8_000);
        assertTrue(c.where("r3").isEmpty(), "not recovered while its node is not fenced");
        List<Long> asked = c.log.subList(from, c.log.size()).stream().filter(l -> l.contains("asks to reboot "
            + victim)).map(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))).toList();
        assertTrue(asked.size() >= 3 && asked.size() <= 4, "tried again, more slowly each time: " + asked);
        for (int i = 2; i < asked.size(); i++) {
            assertTrue(asked.get(i) - asked.get(i - 1) > asked.get(i - 1) - asked.get(i - 2),
                "each retry waits longer: " + asked);
        }
        c.unfenceable.clear();   // the device works again
        settle(c, "after the device came back");
        assertEquals(List.of(victim + " reboot"), c.fenced);
        assertEquals(1, c.where("r3").size(), "recovered once fenced");
        assertEquals(List.of(), c.violations);
    }

    @Test
    void losingQuorumWithNoQuorumPolicyStopStopsEverything() {
        SimCluster c = threeNodes(6, cib(false, "stop", 0, "r1", "r2"));
        settle(c, "cold start");
        c.setQuorate(false);
        settle(c, "after quorum loss");
        assertTrue(c.where("r1").isEmpty() && c.where("r2").isEmpty(), "stopped without quorum");
        assertEquals("0", c.cib.current().root().attribute("have-quorum"));
        c.setQuorate(true);
        settle(c, "quorum back");
        assertEquals(1, c.where("r1").size());
    }

    @Test
    void forgettingAResourcesHistoryReprobesItAndLeavesItRunning() {
        SimCluster c = threeNodes(9, cib(false, "stop", 0, "r1", "r2"));
        settle(c, "cold start");
        Set<String> before = c.where("r1");
        SimCluster.SimNode asker = c.nodes.get(3);
        int from = c.log.size();
        java.util.concurrent.CompletableFuture<Void> done = asker.core.forget("r1", Set.of(1, 2, 3));
        settle(c, "after the refresh");
        assertTrue(done.isDone(), "every node answered");
        assertEquals(before, c.where("r1"), "the probe found it running where it was: no restart");
        assertTrue(c.log.subList(from, c.log.size()).stream().anyMatch(l -> l.contains("r1_monitor_0 on")
            && l.contains("started")), "probed again:\n" + String.join("\n", tail(c.log, 30)));
    }

    @Test
    void aFailureToldByCrmResourceIsRecordedCountedAndRecoveredInPlace() {
        SimCluster c = threeNodes(10, cib(false, "stop", 100, "r1", "r2"));
        settle(c, "cold start");
        String where = c.where("r1").iterator().next();
        SimCluster.SimNode n = c.nodes.values().stream().filter(x -> x.name.equals(where)).findFirst().orElseThrow();
        SimCluster.SimNode asker = c.nodes.values().stream().filter(x -> !x.name.equals(where)).findFirst()
            .orElseThrow();
        Set<String> r2 = c.where("r2");
        int from = c.log.size();
        java.util.concurrent.CompletableFuture<Void> done = asker.core.failResource("r1", where, "ocf", "heartbeat",
            "Dummy");
        settle(c, "after crm_resource --fail");
        assertTrue(done.isDone() && !done.isCompletedExceptionally(), "recorded");
        assertEquals("1", attr(c, n.id, "fail-count-r1#asyncmon_0"), "counted as Pacemaker counts it");
        List<String> after = c.log.subList(from, c.log.size());
        assertTrue(after.stream().anyMatch(l -> l.contains("r1_stop_0 on " + where)), "stopped:\n"
            + String.join("\n", tail(c.log, 30)));
        assertTrue(after.stream().anyMatch(l -> l.contains("r1_start_0 on " + where)), "started again in place:\n"
            + String.join("\n", tail(c.log, 30)));
        assertEquals(Set.of(where), c.where("r1"), "recovered in place");
        assertEquals(r2, c.where("r2"), "nothing else moved");
        XmlNode failure = null;
        for (XmlNode e : all(nodeState(c, n.id), new ArrayList<>())) {
            if ("r1_last_failure_0".equals(e.attribute("id"))) {
                failure = e;
            }
        }
        assertTrue(failure != null, "the failure stays in the history");
        assertEquals("r1_asyncmon_0", failure.attribute("operation_key"));
        assertEquals("1", failure.attribute("rc-code"));
        assertEquals("Simulated failure", failure.attribute("exit-reason"));
    }

    @Test
    void failingOnAnUnknownNodeIsRefused() {
        SimCluster c = threeNodes(11, cib(false, "stop", 100, "r1"));
        settle(c, "cold start");
        java.util.concurrent.CompletableFuture<Void> done = c.nodes.get(1).core.failResource("r1", "zulu", "ocf",
            "heartbeat", "Dummy");
        assertTrue(done.isCompletedExceptionally(), "refused");
    }

    private static List<XmlNode> all(XmlNode x, List<XmlNode> into) {
        if (x != null) {
            into.add(x);
            for (XmlNode k : x.children()) {
                all(k, into);
            }
        }
        return into;
    }

    private static void modify(SimCluster c, String scope, XmlNode data) {
        c.cib.update(new org.vigil.crm.api.cib.CibRequest(org.vigil.crm.api.cib.CibRequest.Op.MODIFY, scope, null,
            data, Set.of(org.vigil.crm.api.cib.CibRequest.Flag.CAN_CREATE), "test", "root"));
    }

    private static XmlNode meta(String rsc, String name, String value) {
        return XmlNode.of("primitive", "id", rsc).plusChild(XmlNode.of("meta_attributes", "id", rsc + "-meta")
            .plusChild(XmlNode.of("nvpair", "id", rsc + "-meta-" + name, "name", name, "value", value)));
    }

    private static XmlNode option(String name, String value) {
        return XmlNode.of("crm_config").plusChild(XmlNode.of("cluster_property_set", "id", "cib-bootstrap-options")
            .plusChild(XmlNode.of("nvpair", "id", "opt-" + name, "name", name, "value", value)));
    }

    @Test
    void aStandbyNodeIsEmptiedAndTakesResourcesAgainWhenOnline() {
        SimCluster c = threeNodes(21, cib(false, "stop", 0, "r1", "r2", "r3"));
        settle(c, "cold start");
        String busy = c.where("r1").iterator().next();
        int id = c.nodes.values().stream().filter(n -> n.name.equals(busy)).findFirst().orElseThrow().id;
        modify(c, "nodes", XmlNode.of("nodes").plusChild(XmlNode.of("node", "id", Integer.toString(id), "uname", busy)
            .plusChild(XmlNode.of("instance_attributes", "id", "nodes-" + id).plusChild(XmlNode.of("nvpair", "id",
                "nodes-" + id + "-standby", "name", "standby", "value", "on")))));
        settle(c, "standby");
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(1, c.where(r).size(), r);
            assertTrue(!c.where(r).contains(busy), r + " left the standby node");
        }
    }

    @Test
    void anAbortedTransitionIsPlannedAgainAfterTheTransitionDelay() {
        SimCluster c = threeNodes(23, cib(false, "stop", 0, "r1", "r2"));
        modify(c, "crm_config", option("transition-delay", "2s"));
        settle(c, "cold start");
        int from = c.log.size();
        modify(c, "resources", XmlNode.of("resources").plusChild(meta("r1", "target-role", "Stopped")));
        c.run(2);   // the stop is under way (an action takes 5-25 ms here)
        modify(c, "resources", XmlNode.of("resources").plusChild(meta("r2", "description", "changed")));
        settle(c, "two changes");
        long stopped = -1;
        long next = -1;
        for (String l : c.log.subList(from, c.log.size())) {
            long t = Long.parseLong(l.substring(0, l.indexOf(' ')));
            if (stopped < 0 && l.contains(" stopped (Configuration change)")) {
                stopped = t;
            } else if (stopped >= 0 && next < 0 && l.matches(".* alpha transition: transition \\d+ \\(CIB.*")) {
                next = t;
            }
        }
        assertTrue(stopped > 0 && next > 0, String.join("\n", c.log.subList(from, c.log.size())));
        assertTrue(next - stopped >= 2_000, "planned " + (next - stopped) + " ms after the abort");
        assertTrue(c.where("r1").isEmpty());
    }

    @Test
    void targetRoleStoppedStopsAndStartedStartsAgain() {
        SimCluster c = threeNodes(22, cib(false, "stop", 0, "r1", "r2"));
        settle(c, "cold start");
        modify(c, "resources", XmlNode.of("resources").plusChild(meta("r1", "target-role", "Stopped")));
        settle(c, "target-role=Stopped");
        assertTrue(c.where("r1").isEmpty());
        assertEquals(1, c.where("r2").size());
        modify(c, "resources", XmlNode.of("resources").plusChild(meta("r1", "target-role", "Started")));
        settle(c, "target-role=Started");
        assertEquals(1, c.where("r1").size());
    }

    @Test
    void stopAllResourcesStopsEverythingAndMaintenanceModeLeavesThemAlone() {
        SimCluster c = threeNodes(23, cib(false, "stop", 0, "r1", "r2"));
        settle(c, "cold start");
        modify(c, "crm_config", option("maintenance-mode", "true"));
        settle(c, "maintenance-mode");
        c.setQuorate(false);
        settle(c, "quorum lost in maintenance mode");
        assertEquals(1, c.where("r1").size(), "maintenance: nothing is stopped, even without quorum");
        c.setQuorate(true);
        modify(c, "crm_config", option("maintenance-mode", "false"));
        settle(c, "out of maintenance");
        modify(c, "crm_config", option("stop-all-resources", "true"));
        settle(c, "stop-all-resources");
        assertTrue(c.where("r1").isEmpty() && c.where("r2").isEmpty());
    }

    @Test
    void anUnmanagedResourceIsNotRecovered() {
        SimCluster c = threeNodes(24, cib(false, "stop", 0, "r1"));
        settle(c, "cold start");
        modify(c, "resources", XmlNode.of("resources").plusChild(meta("r1", "is-managed", "false")));
        settle(c, "is-managed=false");
        String where = c.where("r1").iterator().next();
        SimCluster.SimNode n = c.nodes.values().stream().filter(x -> x.name.equals(where)).findFirst().orElseThrow();
        c.running.get("r1").remove(where);
        n.executor.monitorFails("r1");
        settle(c, "after the monitor failure");
        assertTrue(c.where("r1").isEmpty(), "not started again: it is not managed");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3})
    void aControllerUpgradedInPlaceMovesNothingAndRestartsNothing(int upgraded) {
        SimCluster c = threeNodes(30 + upgraded, cib(false, "stop", 0, "r1", "r2", "r3"));
        settle(c, "cold start");
        List<String> before = new ArrayList<>();
        for (String r : List.of("r1", "r2", "r3")) {
            before.add(r + "@" + c.where(r));
        }
        int starts = countStarts(c);
        c.upgradeController(upgraded, 1500);
        settle(c, "after node " + upgraded + "'s controller was upgraded");
        List<String> after = new ArrayList<>();
        for (String r : List.of("r1", "r2", "r3")) {
            after.add(r + "@" + c.where(r));
        }
        assertEquals(before, after, "nothing moved");
        assertEquals(starts, countStarts(c), "nothing started again:\n" + String.join("\n", tail(c.log, 40)));
        assertTrue(c.log.stream().noneMatch(l -> l.contains("_stop_0 on") && l.endsWith(" started")),
            "nothing stopped");
        assertEquals(1, c.dcNode().id, "the oldest node is the DC again");
    }

    @Test
    void aDcThatStartedWhileAControllerWasAwayFindsTheUpgradeInTheCib() {
        SimCluster c = threeNodes(36, cib(false, "stop", 0, "r1", "r2", "r3"));
        settle(c, "cold start");
        String onThree = null;
        for (String r : List.of("r1", "r2", "r3")) {
            if (c.where(r).contains("charlie")) {
                onThree = r;
            }
        }
        assertNotNull(onThree, "something runs on charlie: " + c.running);
        c.upgradeController(3, 20_000);
        c.run(100);
        c.crash(2);
        c.run(100);
        c.start(2);          // a new process: it never saw charlie's controller leave
        c.run(500);
        c.crash(1);          // bravo is alone: the DC, knowing of the upgrade only from the CIB
        c.run(3_000);
        assertEquals(Set.of("charlie"), c.where(onThree), "left where it runs while charlie's controller is away:\n"
            + String.join("\n", tail(c.log, 30)));
        assertEquals(List.of(), c.violations);
    }

    @Test
    void aControllerThatDoesNotComeBackCountsAsFailedAfterTheGrace() {
        SimCluster c = threeNodes(35, cib(false, "stop", 0, "r1", "r2", "r3"));
        settle(c, "cold start");
        c.upgradeController(3, 10 * ControllerCore.UPGRADE_GRACE_MS);
        c.run(ControllerCore.UPGRADE_GRACE_MS / 2);
        assertEquals("online", nodeState(c, 3).attribute("crmd"), "still in its place during the grace");
        c.run(ControllerCore.UPGRADE_GRACE_MS);
        assertEquals("offline", nodeState(c, 3).attribute("crmd"), "failed after the grace");
    }

    @Test
    void anOrderlyStopMovesTheNodesResourcesFirstAndLeavesItExpectedDown() {
        SimCluster c = threeNodes(40, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        String name = c.where("r2").iterator().next();
        SimCluster.SimNode n = c.nodes.values().stream().filter(x -> x.name.equals(name)).findFirst().orElseThrow();
        java.util.concurrent.CompletableFuture<Void> gone = c.shutdown(n.id);
        assertTrue(c.runUntil(gone::isDone, 30_000), "the node was let go:\n" + String.join("\n", tail(c.log, 30)));
        // stopped by the cluster before it left: the machine runs nothing of it
        for (String r : List.of("r1", "r2", "r3")) {
            assertTrue(!c.where(r).contains(name), r + " was stopped there before it left");
        }
        assertTrue(c.log.stream().anyMatch(l -> l.contains("r2_stop_0 on " + name) && l.endsWith(" started")),
            "r2 was stopped on " + name);
        settle(c, "after the orderly stop");
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(1, c.where(r).size(), r + " runs elsewhere");
        }
        XmlNode ns = nodeState(c, n.id);
        assertEquals("down", ns.attribute("expected"));
        assertEquals("offline", ns.attribute("crmd"));
        assertEquals(null, ns.firstChild("lrm"), "its history is erased");
        assertEquals(null, attr(c, n.id, "shutdown"), "its shutdown request is gone");
        c.start(n.id);
        settle(c, "it comes back");
        assertEquals("member", nodeState(c, n.id).attribute("expected"));
        assertEquals(List.of(), c.violations);
    }

    @Test
    void theDcStopsInOrderToo() {
        SimCluster c = threeNodes(41, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        int dc = c.dcNode().id;
        java.util.concurrent.CompletableFuture<Void> gone = c.shutdown(dc);
        assertTrue(c.runUntil(gone::isDone, 30_000), "the DC was let go:\n" + String.join("\n", tail(c.log, 30)));
        settle(c, "after the DC's orderly stop");
        for (String r : List.of("r1", "r2", "r3")) {
            assertEquals(1, c.where(r).size(), r + " runs once");
        }
        assertEquals("down", nodeState(c, dc).attribute("expected"));
        // the new DC erased what the old one left of itself, as for any node let go (its shutdown request too)
        assertEquals(null, attr(c, dc, "shutdown"), "the old DC's attributes are gone");
        assertEquals(null, nodeState(c, dc).firstChild("lrm"), "its history is erased");
    }

    @Test
    void withNoQuorumPolicyFreezeNothingStops() {
        SimCluster c = threeNodes(7, cib(false, "freeze", 0, "r1", "r2"));
        settle(c, "cold start");
        c.setQuorate(false);
        settle(c, "after quorum loss");
        assertEquals(1, c.where("r1").size());
        assertEquals(1, c.where("r2").size());
    }

    @Test
    void anAgentThatFailsToStartMovesTheResource() {
        SimCluster c = threeNodes(8, cib(false, "stop", 0, "r1"));
        c.scripted.put("r1@alpha:start", 1);
        c.scripted.put("r1@bravo:start", 1);
        c.scripted.put("r1@charlie:start", 1);
        settle(c, "cold start with a start that fails everywhere");
        assertTrue(c.where("r1").isEmpty());
        int counted = 0;
        for (int n = 1; n <= 3; n++) {
            counted += "INFINITY".equals(attr(c, n, "fail-count-r1#start_0")) ? 1 : 0;
        }
        assertEquals(3, counted, "every node tried once (start-failure-is-fatal)");
    }

    @Test
    void anAgentMissingOnANodeKeepsTheResourceOffThatNode() {
        SimCluster c = threeNodes(12, cib(false, "stop", 0, "r1"));
        c.scripted.put("r1@alpha:monitor", 5);   // the probe: OCF_ERR_INSTALLED
        c.scripted.put("r1@alpha:start", 5);
        settle(c, "cold start with r1's agent missing on alpha");
        assertEquals(1, c.where("r1").size());
        assertFalse(c.where("r1").contains("alpha"));
        String first = c.where("r1").iterator().next();
        int host = first.equals("bravo") ? 2 : 3;
        c.crash(host);
        settle(c, "after the crash of " + first);
        assertEquals(Set.of(host == 2 ? "charlie" : "bravo"), c.where("r1"), "never alpha, where it cannot run");
        assertTrue(c.log.stream().noneMatch(l -> l.contains("r1_start_0 on alpha")), "no start tried on alpha");
    }

    @Test
    void anActionThatNeverAnswersTimesOutIsRecordedAndTheResourceMoves() {
        SimCluster c = threeNodes(13, cib(false, "stop", 0, "r1"));
        c.scripted.put("r1@alpha:start", SimCluster.HANG);
        c.scripted.put("r1@bravo:start", SimCluster.HANG);
        c.scripted.put("r1@charlie:start", SimCluster.HANG);
        c.scripted.put("r1@alpha:stop", 0);
        // every start hangs: each one's backstop (timeout 20 s + cluster-delay) fails it, the node is banned by
        // start-failure-is-fatal, and the next node is tried
        assertTrue(c.runUntil(() -> c.log.stream().filter(l -> l.contains("r1_start_0") && l.contains("lost"))
            .count() >= 1, 180_000), "a lost start was noticed:\n" + String.join("\n", tail(c.log, 30)));
        String lost = c.log.stream().filter(l -> l.contains("r1_start_0") && l.contains("lost")).findFirst()
            .orElseThrow();
        assertTrue(lost.contains("no result within"), lost);
        c.scripted.remove("r1@bravo:start");
        c.scripted.remove("r1@charlie:start");
        settle(c, "after the timed out start");
        assertEquals(1, c.where("r1").size(), "started on a node whose start answers");
        int counted = 0;
        for (int n = 1; n <= 3; n++) {
            counted += "INFINITY".equals(attr(c, n, "fail-count-r1#start_0")) ? 1 : 0;
        }
        assertTrue(counted >= 1, "the timed out start counts as a failed start");
    }

    @Test
    void aNodeWhoseHistoryFailsToPublishTriesAgainAndJoins() {
        SimCluster c = threeNodes(14, cib(false, "stop", 100, "r1", "r2", "r3"));
        settle(c, "cold start");
        c.crash(3);
        settle(c, "after charlie's crash");
        c.failPublishes = 2;
        c.start(3);
        settle(c, "charlie back, its first two publications failing");
        assertTrue(c.log.stream().filter(l -> l.contains("publishing its history failed")).count() == 2,
            "two failed:\n" + String.join("\n", tail(c.log, 30)));
        assertEquals("member", nodeState(c, 3).attribute("join"), "joined after all");
        assertEquals(List.of(), c.violations);
    }

    /** Seeds 1..N, N from {@code -Dcontroller.sim.seeds} (20 by default; longer runs take more). */
    static java.util.stream.LongStream seeds() {
        if (Long.getLong("controller.sim.seed") != null) {
            return java.util.stream.LongStream.of(Long.getLong("controller.sim.seed"));
        }
        return java.util.stream.LongStream.rangeClosed(1, Long.getLong("controller.sim.seeds", 20));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("seeds")
    void randomCrashesRestartsStopsAndControllerUpgradesNeverRunAResourceTwice(long seed) {
        SimCluster c = new SimCluster(seed, cib(false, "stop", 50, "r1", "r2", "r3", "r4"));
        for (int i = 1; i <= 4; i++) {
            c.add(i, "n" + i, i * 1000L);
        }
        c.setQuorate(true);
        for (int i = 1; i <= 4; i++) {
            c.start(i);
        }
        java.util.Random r = new java.util.Random(seed);
        for (int step = 0; step < 12; step++) {
            c.run(r.nextInt(400));
            List<Integer> up = new ArrayList<>();
            List<Integer> down = new ArrayList<>();
            for (SimCluster.SimNode n : c.nodes.values()) {
                (n.up ? up : down).add(n.id);
            }
            if (r.nextInt(6) == 0 && up.size() > 2) {
                int u = up.get(r.nextInt(up.size()));
                if (c.nodes.get(u).core != null) {
                    c.shutdown(u);   // an orderly stop, running while the rest goes on
                    continue;
                }
            }
            if (r.nextInt(4) == 0 && !up.isEmpty()) {
                int u = up.get(r.nextInt(up.size()));
                if (c.nodes.get(u).core != null) {
                    c.upgradeController(u, 100 + r.nextInt(2000));
                    continue;
                }
            }
            if (!down.isEmpty() && (up.size() <= 2 || r.nextBoolean())) {
                c.start(down.get(r.nextInt(down.size())));
            } else if (up.size() > 2) {
                c.crash(up.get(r.nextInt(up.size())));
            }
        }
        // the admin starts again what is down (orderly stops may have emptied the cluster)
        for (SimCluster.SimNode n : c.nodes.values()) {
            if (!n.up) {
                c.start(n.id);
            }
        }
        settle(c, "seed " + seed);
        for (String rsc : List.of("r1", "r2", "r3", "r4")) {
            assertEquals(1, c.where(rsc).size(), "seed " + seed + ": " + rsc + " runs once\n"
                + String.join("\n", tail(c.log, 60)) + "\n" + c.cib.current().status().toXml());
        }
    }
}
