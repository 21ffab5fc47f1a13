package org.vigil.crm.internal.scheduler.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder.Synapse;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;
import org.vigil.crm.internal.simulate.Simulation;
import org.vigil.crm.internal.simulate.TestClock;

/**
 * {@link GraphBuilder#executionOrder} (linear time) gives exactly the order of the plain definition: repeated passes
 * over the synapses in list order, each firing every synapse whose inputs have all fired, then the synapses that
 * never fire in list order. Checked on the graphs of every corpus case.
 */
class ExecutionOrderTest {

    /** The definition, quadratic in the worst case. */
    static List<Synapse> passes(List<Synapse> synapses) {
        List<Synapse> order = new ArrayList<>();
        Set<Action> done = new HashSet<>();
        boolean[] fired = new boolean[synapses.size()];
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int i = 0; i < synapses.size(); i++) {
                if (!fired[i] && done.containsAll(synapses.get(i).inputs())) {
                    fired[i] = true;
                    progress = true;
                    order.add(synapses.get(i));
                    done.add(synapses.get(i).action());
                }
            }
        }
        for (int i = 0; i < synapses.size(); i++) {
            if (!fired[i]) {
                order.add(synapses.get(i));
            }
        }
        return order;
    }

    @Test
    void theLinearOrderIsThePassOrderOnEveryCorpusGraph() throws Exception {
        Path dir = Path.of(ExecutionOrderTest.class.getResource("/pacemaker-scheduler/manifest.csv").toURI())
            .getParent().resolve("xml");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".xml")).sorted().toList();
        }
        assertTrue(files.size() > 500);
        int withInputs = 0;
        for (Path f : files) {
            List<Synapse> graph = Simulation.withLargeStack(() -> {
                XmlElement root = Simulation.load(f);
                String ed = root.get("execution-date");
                long now = ed != null ? Long.parseLong(ed.trim()) : TestClock.NOW.getEpochSecond();
                WorkingSet ws = Scheduler.run(root, CrmTime.ofEpochSecond(now, TestClock.ZONE), false);
                return ws.graph;
            });
            if (graph.stream().anyMatch(s -> !s.inputs().isEmpty())) {
                withInputs++;
            }
            assertEquals(passes(graph), GraphBuilder.executionOrder(graph), f.getFileName().toString());
        }
        assertTrue(withInputs > 300, "graphs with orderings: " + withInputs);
    }
}
