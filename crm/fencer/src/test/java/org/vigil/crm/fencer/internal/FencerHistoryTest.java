package org.vigil.crm.fencer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.fencer.internal.FencerConfig.AgentInfo;

/** The history's bound (Pacemaker's {@code stonith_fence_history_trim}) and what a history sync brings. */
class FencerHistoryTest {

    private static FencerSim cluster(int nodes) throws Exception {
        FencerSim sim = new FencerSim(1);
        sim.agents.put("fence_static", new AgentInfo(false, false, false));
        for (int i = 1; i <= nodes; i++) {
            sim.addNode("n" + i);
        }
        sim.cib = XmlText.parse(FencerScenario.cibXml(List.of("device d1 fence_static pcmk_host_list=n1,n2,n3",
            "stonith-timeout 1h")), "test");
        for (int i = 1; i <= nodes; i++) {
            sim.boot("n" + i);
        }
        sim.runUntil(10);
        return sim;
    }

    @Test
    void pastTheBoundTheOldestHalfIsDroppedButNotWhatIsPending() throws Exception {
        FencerSim sim = cluster(3);
        sim.behaviour.put("d1", FencerSim.Behaviour.HANG);
        sim.fence("n1", "n2", FenceAction.OFF);
        sim.runUntil(sim.now + 100);
        int max = 0;
        for (int i = 1; i <= FencerEngine.HISTORY_MAX + 20; i++) {
            sim.confirm("n1", "gone" + i);
            sim.runUntil(sim.now + 5);
            max = Math.max(max, sim.nodes.get("n3").engine.history(null).size());
        }
        List<FenceEvent> h = sim.nodes.get("n3").engine.history(null);
        assertTrue(max <= FencerEngine.HISTORY_MAX, "the history grew to " + max);
        // at the 500th confirmation 501 operations (one pending) were trimmed to 250; 20 more came
        assertEquals(FencerEngine.HISTORY_MAX / 2 + 20, h.size());
        assertEquals("n2", h.get(h.size() - 1).target(), "the pending operation is kept: " + h.get(h.size() - 1));
        assertTrue(h.stream().anyMatch(e -> e.target().equals("gone" + (FencerEngine.HISTORY_MAX + 20))));
        assertTrue(h.stream().noneMatch(e -> e.target().equals("gone1")), "the oldest ones are dropped");

        // a node that joins gets the others' histories, within the same bound
        sim.crash("n3");
        sim.runUntil(sim.now + 2000);
        sim.boot("n3");
        sim.runUntil(sim.now + 10);
        List<FenceEvent> joined = sim.nodes.get("n3").engine.history(null);
        assertEquals(sim.nodes.get("n1").engine.history(null).stream().map(FenceEvent::id).toList(),
            joined.stream().map(FenceEvent::id).toList());
        assertTrue(sim.violations.isEmpty(), sim.violations.toString());
    }
}
