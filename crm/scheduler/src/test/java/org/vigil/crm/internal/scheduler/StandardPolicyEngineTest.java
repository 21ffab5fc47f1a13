package org.vigil.crm.internal.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

/** The exported API: parse, schedule, and a transition whose actions come after their inputs. */
class StandardPolicyEngineTest {

    private static CibDocument load(PolicyEngine pe, String name) throws Exception {
        try (InputStream in = StandardPolicyEngineTest.class.getResourceAsStream(
            "/pacemaker-scheduler/xml/" + name + ".xml")) {
            return pe.parse(in, name + ".xml");
        }
    }

    @Test
    void theStandardEngineIsFoundWithoutOsgi() {
        assertInstanceOf(StandardPolicyEngine.class, PolicyEngine.standard());
    }

    @Test
    void scheduleGivesTheSummaryAndAnExecutableGraph() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        CibDocument cib = load(pe, "order-clone");
        Transition t = pe.schedule(cib, OptionalLong.empty());
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
                assertTrue(a.node() != null && a.resource() != null, a.toString());
            }
        }
    }

    @Test
    void fencingAppearsAsFenceActions() throws Exception {
        PolicyEngine pe = PolicyEngine.standard();
        Transition t = pe.schedule(load(pe, "stonith-0"), OptionalLong.empty());
        List<TransitionAction> fences = t.actions().stream()
            .filter(a -> a.kind() == TransitionAction.Kind.FENCE).toList();
        assertTrue(!fences.isEmpty());
        assertTrue(t.summary().stream().anyMatch(s -> s.startsWith("Fence (reboot)")), t.summary().toString());
        for (TransitionAction f : fences) {
            assertEquals("stonith", f.task());
        }
    }

    @Test
    void theExecutionDateIsTheDefaultNow() throws Exception {
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
