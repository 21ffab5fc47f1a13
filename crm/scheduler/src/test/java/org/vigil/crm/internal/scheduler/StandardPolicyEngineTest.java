package org.vigil.crm.internal.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.CibDocument;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;
import org.vigil.crm.internal.simulate.TestClock;

/** The exported API: parse, schedule at an explicit time and zone, and a graph the executor can run. */
class StandardPolicyEngineTest {

    private static final String TE_UUID = "0c8a3f2e-5b8e-4e38-9d1c-6f0f5b3e2a71";

    private static CibDocument load(PolicyEngine pe, String name) throws Exception {
        try (InputStream in = StandardPolicyEngineTest.class.getResourceAsStream(
            "/pacemaker-scheduler/xml/" + name + ".xml")) {
            return pe.parse(in, name + ".xml");
        }
    }

    private static Transition schedule(PolicyEngine pe, CibDocument cib) {
        return pe.schedule(cib, TestClock.NOW, TestClock.ZONE, 7, TE_UUID);
    }

    @Test
    void theStandardEngineIsFoundWithoutOsgi() {
        assertInstanceOf(StandardPolicyEngine.class, PolicyEngine.standard());
    }

    @Test
    void scheduleGivesTheSummaryAndAnExecutableGraph() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        Transition t = schedule(pe, load(pe, "order-clone"));
        assertTrue(!t.summary().isEmpty());
        assertTrue(!t.actions().isEmpty());
        Set<Integer> done = new HashSet<>();
        Set<Integer> all = new HashSet<>();
        for (TransitionAction a : t.actions()) {
            all.add(a.id());
        }
        for (TransitionAction a : t.actions()) {
            for (int in : a.inputs()) {
                assertTrue(done.contains(in) || !all.contains(in), a.key() + " listed before its input " + in);
            }
            done.add(a.id());
            if (a.kind() == TransitionAction.Kind.RESOURCE) {
                assertTrue(a.node() != null && a.nodeUuid() != null && a.resource() != null, a.toString());
                assertTrue(a.resource().agentClass() != null && a.resource().type() != null, a.toString());
            }
        }
    }

    @Test
    void everyExecutedActionCarriesItsTransitionKeyWithTargetRcAndTimeout() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        Transition t = schedule(pe, load(pe, "ticket-primitive-1"));
        assertEquals(7, t.transitionId());
        assertEquals(TE_UUID, t.teUuid());
        boolean sawProbe = false;
        for (TransitionAction a : t.actions()) {
            if (a.kind() == TransitionAction.Kind.PSEUDO) {
                assertEquals(null, a.transitionKey(), a.key());
                continue;
            }
            assertEquals(a.id() + ":7:" + a.targetRc() + ":" + TE_UUID, a.transitionKey());
            if (a.kind() == TransitionAction.Kind.RESOURCE) {
                assertTrue(a.timeoutMs() > 0, a.key() + " has no timeout: " + a.attributes());
                assertEquals(a.node(), a.meta("on_node"));
                if (a.task().equals("monitor") && a.intervalMs() == 0) {
                    sawProbe = true;
                    assertTrue(a.targetRc() == 7 || a.targetRc() == 8 || a.targetRc() == 0, a.toString());
                    assertEquals(Integer.toString(a.targetRc()), a.meta("op_target_rc"));
                }
            }
        }
        assertTrue(sawProbe, "ticket-primitive-1 schedules probes");
    }

    @Test
    void aShortTransitionEngineUuidIsPaddedAsPacemakerDoes() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        Transition t = pe.schedule(load(pe, "order-clone"), TestClock.NOW, TestClock.ZONE, 0, "te");
        TransitionAction a = t.actions().stream().filter(x -> x.transitionKey() != null).findFirst().orElseThrow();
        assertEquals(a.id() + ":0:" + a.targetRc() + ":te" + " ".repeat(34), a.transitionKey());
    }

    @Test
    void badTransitionIdsAndUuidsAreRefused() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        CibDocument cib = load(pe, "order-clone");
        assertThrows(IllegalArgumentException.class, () -> pe.schedule(cib, TestClock.NOW, TestClock.ZONE, -1, "x"));
        assertThrows(IllegalArgumentException.class, () -> pe.schedule(cib, TestClock.NOW, TestClock.ZONE, 0, "a:b"));
    }

    @Test
    void fencingAppearsAsFenceActions() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        Transition t = schedule(pe, load(pe, "stonith-0"));
        List<TransitionAction> fences = t.actions().stream()
            .filter(a -> a.kind() == TransitionAction.Kind.FENCE).toList();
        assertTrue(!fences.isEmpty());
        assertTrue(t.summary().stream().anyMatch(s -> s.startsWith("Fence (reboot)")), t.summary().toString());
        for (TransitionAction f : fences) {
            assertEquals("stonith", f.task());
            assertEquals("reboot", f.meta("stonith_action"));
        }
    }

    @Test
    void theGivenTimeNotTheClockDecidesDateRulesAndTheRecheckTime() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        CibDocument cib = load(pe, "location-date-rules-1");
        long date = cib.executionDate().orElseThrow();
        Transition atDate = pe.schedule(cib, Instant.ofEpochSecond(date), TestClock.ZONE, 0, TE_UUID);
        // Pacemaker's own graph for this input asks for a recheck at 1568992553
        assertEquals(OptionalLong.of(1568992553L), atDate.settings().recheckBy());
        Transition muchLater = pe.schedule(cib, TestClock.NOW, TestClock.ZONE, 0, TE_UUID);
        assertNotEquals(atDate.summary(), muchLater.summary(), "the date rule must see the time it is given");
        assertEquals(OptionalLong.empty(), muchLater.settings().recheckBy());
    }

    @Test
    void theGivenZoneReadsRuleTimesWithoutAnOffset() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        // a location rule active from 12:00 (no offset) on 2020-01-01; scheduled at 12:30 UTC
        String cib = """
            <cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config><cluster_property_set id="o">
                  <nvpair id="o-s" name="stonith-enabled" value="false"/>
                </cluster_property_set></crm_config>
                <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
                <resources><primitive id="r" class="ocf" provider="pacemaker" type="Dummy"/></resources>
                <constraints>
                  <rsc_location id="l" rsc="r">
                    <rule id="l-r" score="100"><date_expression id="l-d" operation="gt" start="2020-01-01 12:00:00"/></rule>
                  </rsc_location>
                  <rsc_location id="l2" rsc="r" node="n1" score="50"/>
                  <rsc_location id="l3" rsc="r" node="n2" score="100"/>
                </constraints>
              </configuration>
              <status>
                <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
                <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
              </status>
            </cib>
            """;
        CibDocument doc = pe.parse(new ByteArrayInputStream(cib.getBytes(StandardCharsets.UTF_8)), "zone.xml");
        Instant at = Instant.parse("2020-01-01T12:30:00Z");
        // in UTC the rule has started (recheck none); in UTC-2 (12:00 there is 14:00 UTC) it has not, so the
        // scheduler must come back when it starts
        Transition utc = pe.schedule(doc, at, ZoneOffset.UTC, 0, TE_UUID);
        Transition west = pe.schedule(doc, at, ZoneId.of("-02:00"), 0, TE_UUID);
        assertEquals(OptionalLong.empty(), utc.settings().recheckBy());
        assertEquals(OptionalLong.of(Instant.parse("2020-01-01T14:00:01Z").getEpochSecond()),
            west.settings().recheckBy());
    }

    @Test
    void theExecutionDateIsReadFromTheDocument() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        CibDocument cib = load(pe, "year-2038");
        assertEquals(OptionalLong.of(2150000000L), cib.executionDate());
    }

    @Test
    void parseErrorsNameThePlace() {
        PolicyEngine pe = PolicyEngine.standard();
        CibException e = assertThrows(CibException.class, () -> pe.parse(new ByteArrayInputStream(
            "<cib>\n<configuration>\n</cib>".getBytes(StandardCharsets.UTF_8)), "x.xml"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("x.xml:3:"), e.getMessage());
    }
}
