package org.vigil.crm.attrd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.crm.api.attrd.AttrdError;
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.attrd.AttributeUpdate.Lifetime;
import org.vigil.crm.api.attrd.AttributeValue;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlText;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AttrdEngineTest {

    final MemoryCib cib = new MemoryCib();
    final VirtualScheduler clock = new VirtualScheduler();
    final AttrdEngine attrd = new AttrdEngine(cib, clock, new NodeNames("alpha", "1", List.of(
        new NodeNames.KnownNode("alpha", "1"), new NodeNames.KnownNode("bravo", "2"),
        new NodeNames.KnownNode("charlie", "3"))));

    static AttributeUpdate set(String name, String value) {
        return AttributeUpdate.set(name, value);
    }

    CompletableFuture<Void> update(AttributeUpdate u) throws AttrdError {
        CompletableFuture<Void> f = attrd.update(u);
        clock.runDue();
        return f;
    }

    /** The value of a node's transient attribute in the CIB, or null. */
    String inCib(String nodeId, String name) {
        return CibForm.value(cib.current().root(), Lifetime.REBOOT, nodeId, name, null);
    }

    @Test
    void aValueWithoutDelayIsWrittenAtOnceInPacemakersForm() throws Exception {
        CompletableFuture<Void> written = update(set("pingd", "100"));
        assertTrue(written.isDone() && !written.isCompletedExceptionally());
        assertEquals("<status><node_state id=\"1\"><transient_attributes id=\"1\"><instance_attributes "
            + "id=\"status-1\"><nvpair id=\"status-1-pingd\" name=\"pingd\" value=\"100\"/></instance_attributes>"
            + "</transient_attributes></node_state></status>", cib.status());
        CibRequest r = cib.requests.get(0);
        assertEquals(CibRequest.Op.MODIFY, r.op());
        assertEquals("status", r.scope());
        assertTrue(r.has(CibRequest.Flag.CAN_CREATE));
        assertEquals("attrd", r.client());
    }

    @Test
    void anotherNodesValueGoesUnderThatNodesIdAndAFailCountIdLosesItsHash() throws Exception {
        update(set("fail-count-vip#monitor_10000", "1").on("bravo"));
        assertEquals("<status><node_state id=\"2\"><transient_attributes id=\"2\"><instance_attributes "
            + "id=\"status-2\"><nvpair id=\"status-2-fail-count-vip.monitor_10000\" "
            + "name=\"fail-count-vip#monitor_10000\" value=\"1\"/></instance_attributes></transient_attributes>"
            + "</node_state></status>", cib.status());
    }

    @Test
    void aSetNameChoosesTheInstanceAttributesElement() throws Exception {
        update(set("pingd", "5").in("my-set"));
        assertTrue(cib.status().contains("<instance_attributes id=\"my-set\"><nvpair id=\"my-set-pingd\" "
            + "name=\"pingd\" value=\"5\"/>"), cib.status());
    }

    @Test
    void aDeletedValueLosesItsNvpair() throws Exception {
        update(set("pingd", "100"));
        update(set("other", "1"));
        update(AttributeUpdate.delete("pingd"));
        assertNull(inCib("1", "pingd"));
        assertEquals("1", inCib("1", "other"));
        assertFalse(cib.status().contains("pingd"), cib.status());
        // the request was Pacemaker's: value="" marked __delete__="value"
        CibRequest last = cib.requests.get(cib.requests.size() - 1);
        assertTrue(last.data().toXml().contains("name=\"pingd\" value=\"\" __delete__=\"value\""), last.data().toXml());
    }

    @Test
    void deletingAValueTheCibDoesNotHoldSendsNothing() throws Exception {
        CompletableFuture<Void> f = update(AttributeUpdate.delete("never-set").on("charlie"));
        assertTrue(f.isDone());
        // held, then deleted before its delay ended: the deletion is due, but there is nothing to delete
        update(set("brief", "1").on("charlie").withDelay(Duration.ofSeconds(5)));
        CompletableFuture<Void> g = update(AttributeUpdate.delete("brief").on("charlie"));
        clock.advance(5000);
        assertTrue(g.isDone());
        assertEquals(List.of(), cib.requests);
        assertFalse(cib.status().contains("node_state"), "no empty node_state made: " + cib.status());
    }

    @Test
    void aDampenedValueAppearsOnlyOnceItsDelayHasPassed() throws Exception {
        CompletableFuture<Void> f = update(set("pingd", "100").withDelay(Duration.ofSeconds(5)));
        clock.advance(4999);
        assertNull(inCib("1", "pingd"));
        assertFalse(f.isDone());
        clock.advance(1);
        assertEquals("100", inCib("1", "pingd"));
        assertTrue(f.isDone());
    }

    @Test
    void aValueThatKeepsChangingFasterThanTheDelayIsWrittenOnlyWhenItSettles() throws Exception {
        update(set("pingd", "0").withDelay(Duration.ofSeconds(2)));
        for (int i = 1; i <= 10; i++) {
            clock.advance(1000);
            update(set("pingd", Integer.toString(i)));
            assertNull(inCib("1", "pingd"), "written while still changing, at " + clock.now() + " ms");
        }
        assertEquals(0, cib.requests.size());
        clock.advance(1999);
        assertNull(inCib("1", "pingd"));
        clock.advance(1);
        assertEquals("10", inCib("1", "pingd"));
        assertEquals(1, cib.requests.size(), "the settled value went out in one update");
    }

    @Test
    void anUnchangedValueNeitherRestartsTheTimerNorWrites() throws Exception {
        update(set("pingd", "7").withDelay(Duration.ofSeconds(2)));
        clock.advance(1500);
        update(set("pingd", "7"));
        clock.advance(500);
        assertEquals("7", inCib("1", "pingd"), "the repeated value did not restart the delay");
        int requests = cib.requests.size();
        update(set("pingd", "7"));
        clock.advance(5000);
        assertEquals(requests, cib.requests.size());
    }

    @Test
    void eachNodesTimerRunsOnItsOwn() throws Exception {
        update(set("pingd", "1").withDelay(Duration.ofSeconds(2)));
        clock.advance(1500);
        update(set("pingd", "2").on("bravo"));
        clock.advance(500);
        assertEquals("1", inCib("1", "pingd"), "bravo's change did not hold alpha's back");
        assertNull(inCib("2", "pingd"));
        clock.advance(1500);
        assertEquals("2", inCib("2", "pingd"));
    }

    @Test
    void valuesDueAtOnceGoOutInOneCibUpdate() throws Exception {
        attrd.update(set("a", "1").withDelay(Duration.ofSeconds(1)));
        attrd.update(set("b", "2").withDelay(Duration.ofSeconds(1)));
        attrd.update(set("a", "3").on("bravo"));
        attrd.update(set("c", "4").on("charlie"));
        clock.runDue();
        assertEquals(1, cib.requests.size(), "the two without delay together");
        clock.advance(1000);
        assertEquals(2, cib.requests.size(), "the two whose delay ended together");
        assertEquals("1", inCib("1", "a"));
        assertEquals("2", inCib("1", "b"));
        assertEquals("3", inCib("2", "a"));
        assertEquals("4", inCib("3", "c"));
    }

    @Test
    void valuesChangedWhileAWriteIsInFlightFollowInOneUpdateWhenItCompletes() throws Exception {
        cib.hold = true;
        CompletableFuture<Void> first = update(set("a", "1"));
        CompletableFuture<Void> second = update(set("a", "2"));
        CompletableFuture<Void> third = update(set("b", "9"));
        assertEquals(1, cib.requests.size(), "nothing more while one is in flight");
        assertFalse(first.isDone());
        cib.release();
        clock.runDue();
        assertTrue(first.isDone());
        assertEquals(2, cib.requests.size());
        assertEquals("2", inCib("1", "a"));
        assertEquals("9", inCib("1", "b"));
        assertTrue(second.isDone() && third.isDone());
    }

    @Test
    void aFailedWriteIsTriedAgainAfterTwoSecondsWithoutADelay() throws Exception {
        cib.failing = true;
        CompletableFuture<Void> f = update(set("a", "1"));
        assertTrue(f.isCompletedExceptionally());
        cib.failing = false;
        clock.advance(1999);
        assertEquals(1, cib.requests.size());
        clock.advance(1);
        assertEquals(2, cib.requests.size());
        assertEquals("1", inCib("1", "a"));
    }

    @Test
    void changingTheDelayWritesTheHeldValuesAtOnce() throws Exception {
        update(set("pingd", "5").withDelay(Duration.ofSeconds(60)));
        clock.advance(1000);
        assertNull(inCib("1", "pingd"));
        update(AttributeUpdate.delayOnly("pingd", Duration.ofSeconds(30)));
        assertEquals("5", inCib("1", "pingd"));
    }

    @Test
    void aDelayOnlyUpdateOfAnUnknownAttributeIsRefused() {
        AttrdError e = assertThrows(AttrdError.class,
            () -> attrd.update(AttributeUpdate.delayOnly("nope", Duration.ofSeconds(1))));
        assertEquals(AttrdError.NOSUCH, e.exitCode());
    }

    @Test
    void anUnknownNodeIsRefused() {
        AttrdError e = assertThrows(AttrdError.class, () -> attrd.update(set("a", "1").on("zulu")));
        assertEquals(AttrdError.NOSUCH, e.exitCode());
        assertTrue(e.getMessage().contains("zulu"));
    }

    @Test
    void plusPlusIsExpandedAgainstTheCurrentValueAndCappedAtInfinity() throws Exception {
        update(set("fail-count-x#start_0", "value++"));
        assertEquals("1", inCib("1", "fail-count-x#start_0"), "an unset value counts as 0");
        update(set("fail-count-x#start_0", "value++"));
        assertEquals("2", inCib("1", "fail-count-x#start_0"));
        update(set("fail-count-x#start_0", "value+=40"));
        assertEquals("42", inCib("1", "fail-count-x#start_0"));
        update(set("fail-count-x#start_0", "INFINITY"));
        update(set("fail-count-x#start_0", "value++"));
        assertEquals("1000000", inCib("1", "fail-count-x#start_0"));
        update(set("fail-count-x#start_0", "999999"));
        update(set("fail-count-x#start_0", "value+=5"));
        assertEquals("1000000", inCib("1", "fail-count-x#start_0"));
    }

    @Test
    void plusPlusCountsAHeldValueNotYetWritten() throws Exception {
        update(set("n", "5").withDelay(Duration.ofSeconds(10)));
        update(set("n", "value++"));
        update(set("n", "value++"));
        assertEquals("7", attrd.query("n", "alpha").get(0).value());
        clock.advance(10_000);
        assertEquals("7", inCib("1", "n"));
    }

    @Test
    void aValueOthersWroteIntoTheCibIsTheCurrentOne() throws Exception {
        update(set("pingd", "100"));
        cib.apply(new CibRequest(CibRequest.Op.MODIFY, "status", null, XmlText.parse("<status><node_state id=\"1\">"
            + "<transient_attributes id=\"1\"><instance_attributes id=\"status-1\"><nvpair id=\"status-1-pingd\" "
            + "name=\"pingd\" value=\"300\"/></instance_attributes></transient_attributes></node_state></status>",
            "test"), Set.of(), "cibadmin", "root"));
        assertEquals("300", attrd.query("pingd", null).get(0).value());
        int requests = cib.requests.size();
        update(set("pingd", "300"));
        assertEquals(requests, cib.requests.size(), "equal to the CIB's value: nothing to write");
        update(set("pingd", "value++"));
        assertEquals("301", inCib("1", "pingd"));
    }

    @Test
    void aWrittenValueIsAnsweredEvenBeforeTheCibPublishesItsNewCopy() throws Exception {
        cib.lagging = true;
        update(set("pingd", "1000"));
        assertEquals(List.of(new AttributeValue("alpha", "1", "pingd", "1000")), attrd.query("pingd", "alpha"));
        int requests = cib.requests.size();
        update(set("pingd", "1000"));
        assertEquals(requests, cib.requests.size(), "the same value again: nothing to write");
    }

    @Test
    void aPrivateValueIsNeverWrittenButIsAnswered() throws Exception {
        CompletableFuture<Void> f = update(set("secret", "42").privately());
        clock.advance(10_000);
        assertTrue(f.isDone());
        assertEquals(List.of(), cib.requests);
        assertEquals(List.of(new AttributeValue("alpha", "1", "secret", "42")), attrd.query("secret", "alpha"));
    }

    @Test
    void aPermanentValueGoesIntoTheNodesSectionAndMakesTheNodeWithItsName() throws Exception {
        update(set("site", "east").with(Lifetime.FOREVER).on("bravo"));
        String xml = cib.current().root().firstChild("configuration").firstChild("nodes").toXml();
        assertEquals("<nodes><node id=\"2\" uname=\"bravo\"><instance_attributes id=\"nodes-2\"><nvpair "
            + "id=\"nodes-2-site\" name=\"site\" value=\"east\"/></instance_attributes></node></nodes>", xml);
        assertEquals("nodes", cib.requests.get(0).scope());
        update(AttributeUpdate.delete("site").with(Lifetime.FOREVER).on("bravo"));
        assertFalse(cib.xml().contains("site"), cib.xml());
        assertTrue(cib.xml().contains("<node id=\"2\" uname=\"bravo\">"));
    }

    @Test
    void theStartClearsOnlyThisNodesTransientAttributesAndWritesWaitForIt() throws Exception {
        update(set("pingd", "1"));
        update(set("pingd", "2").on("bravo"));
        cib.hold = true;
        CompletableFuture<Void> erased = attrd.eraseOwnTransientAttributes();
        clock.runDue();
        update(set("fresh", "1"));
        assertEquals(3, cib.requests.size(), "the update waits for the erase");
        assertEquals(CibRequest.Op.DELETE, cib.requests.get(2).op());
        assertEquals("/cib/status/node_state[@id='1']/transient_attributes", cib.requests.get(2).xpath());
        cib.release();
        clock.runDue();
        assertTrue(erased.isDone());
        assertNull(inCib("1", "pingd"));
        assertEquals("2", inCib("2", "pingd"), "other nodes' attributes are theirs");
        assertEquals("1", inCib("1", "fresh"), "the update held back went out after the erase");
    }

    @Test
    void attributesOfThisNodeThatASyncBringsBackAreErasedUntilItTakesAValueOfItsOwn() throws Exception {
        // the cluster's copy, from before this node restarted: this node's old value and another node's
        update(set("old", "1"));
        update(set("old", "2").on("bravo"));
        org.vigil.crm.api.cib.XmlNode clusters = cib.current().root().with("num_updates", "50");
        MemoryCib fresh = new MemoryCib();
        AttrdEngine restarted = new AttrdEngine(fresh, clock, new NodeNames("alpha", "1", List.of(
            new NodeNames.KnownNode("bravo", "2"))));
        restarted.eraseOwnTransientAttributes();   // on its own copy, before it met the cluster
        clock.runDue();
        fresh.lagging = true;   // as the node's CIB: listeners hear of the sync before the copy is published
        fresh.replaceBySync(clusters);
        restarted.copyReplacedBySync(new org.vigil.crm.api.cib.CibSnapshot(clusters));
        clock.runDue();
        fresh.lagging = false;
        org.vigil.crm.api.cib.XmlNode after = fresh.current().root();
        assertNull(CibForm.value(after, Lifetime.REBOOT, "1", "old", null), after.toXml());
        assertEquals("2", CibForm.value(after, Lifetime.REBOOT, "2", "old", null));
        // once it holds a value of its own, a sync no longer erases: it writes again what the copy lacks of its own
        // (a partition healing where the other side's copy won), and nothing else
        restarted.update(set("new", "1"));
        clock.runDue();
        int requests = fresh.requests.size();
        fresh.replaceBySync(clusters.with("num_updates", "60"));
        restarted.copyReplacedBySync(new org.vigil.crm.api.cib.CibSnapshot(clusters.with("num_updates", "60")));
        clock.runDue();
        assertEquals(requests + 1, fresh.requests.size(), "one write");
        org.vigil.crm.api.cib.XmlNode healed = fresh.current().root();
        assertEquals("1", CibForm.value(healed, Lifetime.REBOOT, "1", "new", null), "its own value is back");
        assertEquals("1", CibForm.value(healed, Lifetime.REBOOT, "1", "old", null), "nothing erased again");
        // a copy that holds it already: nothing to write
        requests = fresh.requests.size();
        org.vigil.crm.api.cib.XmlNode same = healed.with("num_updates", "70");
        fresh.replaceBySync(same);
        restarted.copyReplacedBySync(new org.vigil.crm.api.cib.CibSnapshot(same));
        clock.runDue();
        assertEquals(requests, fresh.requests.size());
    }

    @Test
    void aSyncThatArrivesWhileTheStartTimeEraseIsInFlightIsLookedAtOnceTheEraseIsDone() throws Exception {
        // a node whose ring opens before its CRM starts: the cluster's copy arrives just as its attrd starts
        update(set("old", "1"));
        update(set("old", "2").on("bravo"));
        org.vigil.crm.api.cib.XmlNode clusters = cib.current().root().with("num_updates", "50");
        MemoryCib fresh = new MemoryCib();
        AttrdEngine restarted = new AttrdEngine(fresh, clock, new NodeNames("alpha", "1", List.of(
            new NodeNames.KnownNode("bravo", "2"))));
        fresh.hold = true;
        CompletableFuture<Void> erased = restarted.eraseOwnTransientAttributes();   // on its own copy, in flight
        clock.runDue();
        fresh.replaceBySync(clusters);
        restarted.copyReplacedBySync(new org.vigil.crm.api.cib.CibSnapshot(clusters));
        clock.runDue();
        fresh.hold = false;
        fresh.release();
        clock.runDue();
        assertTrue(erased.isDone());
        org.vigil.crm.api.cib.XmlNode after = fresh.current().root();
        assertNull(CibForm.value(after, Lifetime.REBOOT, "1", "old", null), after.toXml());
        assertEquals("2", CibForm.value(after, Lifetime.REBOOT, "2", "old", null), "other nodes' attributes stay");
        assertEquals(2, fresh.requests.size(), "erased twice: on its own copy, then on the cluster's");
    }

    @Test
    void aFailCountTheExecutorWroteIsThisNodesValueAndASyncThatLosesItGetsItBack() throws Exception {
        update(set("pingd", "1"));   // a value of its own: a sync no longer erases this node's attributes
        org.vigil.crm.api.cib.XmlNode without = cib.current().root();
        // the executor writes a fail count with its result, in its own CIB update, then tells attrd the values
        cib.apply(new CibRequest(CibRequest.Op.MODIFY, "status", null, org.vigil.crm.api.cib.XmlNode.of("node_state",
            "id", "1", "uname", "alpha").plusChild(org.vigil.crm.api.cib.XmlNode.of("transient_attributes", "id", "1")
            .plusChild(org.vigil.crm.api.cib.XmlNode.of("instance_attributes", "id", "status-1").withChildren(List.of(
                org.vigil.crm.api.cib.XmlNode.of("nvpair", "id", "status-1-fail-count-vip#monitor_10000", "name",
                    "fail-count-vip#monitor_10000", "value", "1"),
                org.vigil.crm.api.cib.XmlNode.of("nvpair", "id", "status-1-last-failure-vip#monitor_10000", "name",
                    "last-failure-vip#monitor_10000", "value", "1700000000"))))),
            Set.of(CibRequest.Flag.CAN_CREATE), "crmd", "hacluster"));
        int requests = cib.requests.size();
        update(set("fail-count-vip#monitor_10000", "1"));
        update(set("last-failure-vip#monitor_10000", "1700000000"));
        clock.runDue();
        assertEquals(requests, cib.requests.size(), "the CIB holds them already: nothing written");
        // a partition heals and the other side's copy, which never had them, wins
        org.vigil.crm.api.cib.XmlNode other = without.with("epoch", "90");
        cib.replaceBySync(other);
        attrd.copyReplacedBySync(new org.vigil.crm.api.cib.CibSnapshot(other));
        clock.runDue();
        assertEquals("1", inCib("1", "fail-count-vip#monitor_10000"), "written again");
        assertEquals("1700000000", inCib("1", "last-failure-vip#monitor_10000"));
        assertEquals("1", inCib("1", "pingd"));
    }

    @Test
    void aQueryAnswersAHeldValueBeforeItIsWrittenAndEveryNodeWithA() throws Exception {
        update(set("pingd", "1"));
        update(set("pingd", "2").on("bravo").withDelay(Duration.ofSeconds(5)));
        assertEquals(List.of(new AttributeValue("alpha", "1", "pingd", "1"),
            new AttributeValue("bravo", "2", "pingd", "2")), attrd.query("pingd", null));
        assertEquals(List.of(new AttributeValue("charlie", "3", "pingd", null)), attrd.query("pingd", "charlie"),
            "a known attribute without a value on that node");
        assertEquals(List.of(), attrd.query("nothing", "alpha"), "an attribute nobody has");
        assertThrows(AttrdError.class, () -> attrd.query("pingd", "zulu"));
    }

    @Test
    void aRefreshWritesHeldValuesAtOnce() throws Exception {
        update(set("pingd", "1").withDelay(Duration.ofMinutes(10)));
        update(set("x", "2").on("bravo").withDelay(Duration.ofMinutes(10)));
        CompletableFuture<Void> f = attrd.refresh();
        clock.runDue();
        assertTrue(f.isDone());
        assertEquals("1", inCib("1", "pingd"));
        assertEquals("2", inCib("2", "x"));
        assertEquals(1, cib.requests.size());
    }

    @Test
    void clearingFailuresDeletesTheResourcesFailCountsAndLastFailuresOnly() throws Exception {
        for (String n : List.of("fail-count-vip#monitor_10000", "last-failure-vip#monitor_10000",
            "fail-count-vip#start_0", "fail-count-vip", "fail-count-vip2#start_0", "fail-count-db#stop_0",
            "pingd")) {
            update(set(n, "1"));
            update(set(n, "1").on("bravo"));
        }
        var cleared = attrd.clearFailures("vip", "monitor", 10_000, "alpha");
        clock.runDue();
        assertTrue(cleared.getValue().isDone());
        assertEquals(Set.of("fail-count-vip#monitor_10000", "last-failure-vip#monitor_10000", "fail-count-vip"),
            cleared.getKey().stream().map(AttributeValue::name).collect(Collectors.toSet()));
        assertNull(inCib("1", "fail-count-vip#monitor_10000"));
        assertEquals("1", inCib("1", "fail-count-vip#start_0"));
        assertEquals("1", inCib("2", "fail-count-vip#monitor_10000"), "another node's stays");

        attrd.clearFailures("vip", null, 0, null);
        clock.runDue();
        for (String id : List.of("1", "2")) {
            assertNull(inCib(id, "fail-count-vip#start_0"));
            assertNull(inCib(id, "fail-count-vip"));
            assertEquals("1", inCib(id, "fail-count-vip2#start_0"), "vip2 is another resource");
            assertEquals("1", inCib(id, "fail-count-db#stop_0"));
            assertEquals("1", inCib(id, "pingd"));
        }
        attrd.clearFailures(null, null, 0, null);
        clock.runDue();
        assertNull(inCib("1", "fail-count-db#stop_0"));
        assertEquals("1", inCib("2", "pingd"));
    }

    @Test
    void clearingFailuresDeletesTheFailCountsTheExecutorWroteOnAnotherNode() throws Exception {
        // a failed start on bravo: its executor wrote the fail count and last-failure time with the result, in the
        // form the DC and executors share (FailCounts); an admin's cleanup through alpha's attrd deletes them
        cib.apply(new CibRequest(CibRequest.Op.MODIFY, "status", null, org.vigil.crm.api.cib.XmlNode.of("node_state",
            "id", "2", "uname", "bravo").plusChild(org.vigil.crm.api.cib.XmlNode.of("transient_attributes", "id", "2")
            .plusChild(org.vigil.crm.api.cib.XmlNode.of("instance_attributes", "id", "status-2").withChildren(
                org.vigil.crm.api.exec.FailCounts.attributes("2", new org.vigil.crm.api.exec.ExecRequest(3, "start",
                    "vip_start_0", "bravo", "2", "vip", null, "ocf", "heartbeat", "IPaddr2",
                    new java.util.TreeMap<>(java.util.Map.of("CRM_meta_timeout", "20000")), 0, "3:1:0:abc"), true,
                    1_700_000_000_000L)))),
            Set.of(CibRequest.Flag.CAN_CREATE), "crmd", "hacluster"));
        assertEquals("INFINITY", inCib("2", "fail-count-vip#start_0"));
        var cleared = attrd.clearFailures("vip", null, 0, "bravo");
        clock.runDue();
        assertTrue(cleared.getValue().isDone());
        assertEquals(2, cleared.getKey().size());
        assertNull(inCib("2", "fail-count-vip#start_0"), cib.status());
        assertNull(inCib("2", "last-failure-vip#start_0"), cib.status());
    }

    @Test
    void clearingFailuresDeletesAFailCountWhoseIdKeptItsHash() throws Exception {
        // written by an older executor (nvpair id with '#'): the deletion goes by the id the CIB holds
        cib.apply(new CibRequest(CibRequest.Op.MODIFY, "status", null, org.vigil.crm.api.cib.XmlNode.of("node_state",
            "id", "2", "uname", "bravo").plusChild(org.vigil.crm.api.cib.XmlNode.of("transient_attributes", "id", "2")
            .plusChild(org.vigil.crm.api.cib.XmlNode.of("instance_attributes", "id", "status-2").withChildren(List.of(
                org.vigil.crm.api.cib.XmlNode.of("nvpair", "id", "status-2-fail-count-vip#start_0", "name",
                    "fail-count-vip#start_0", "value", "INFINITY"))))),
            Set.of(CibRequest.Flag.CAN_CREATE), "crmd", "hacluster"));
        attrd.clearFailures("vip", null, 0, "bravo");
        clock.runDue();
        assertNull(inCib("2", "fail-count-vip#start_0"), cib.status());
    }
}
