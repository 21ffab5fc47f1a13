package org.vigil.crm.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.GraphSettings;
import org.vigil.crm.api.ResourceRef;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;

/** The graph consumer: inputs, failures, aborts, pseudo actions and the batch, node and migration limits. */
class GraphTest {

    private final List<TransitionAction> actions = new ArrayList<>();

    private TransitionAction add(int id, TransitionAction.Kind kind, String task, String node, int priority,
                                 Map<String, String> meta, Integer... inputs) {
        TreeMap<String, String> attrs = new TreeMap<>();
        meta.forEach((k, v) -> attrs.put("CRM_meta_" + k, v));
        TransitionAction a = new TransitionAction(id, kind, task, "r" + id + "_" + task + "_0", null, node,
            node == null ? null : node.substring(1), null,
            kind == TransitionAction.Kind.RESOURCE ? new ResourceRef("r" + id, null, "ocf", "heartbeat", "Dummy") : null,
            attrs, 0, kind == TransitionAction.Kind.PSEUDO ? null : id + ":1:0:te", priority, List.of(inputs));
        actions.add(a);
        return a;
    }

    private Graph graph(int batchLimit, int migrationLimit, int nodeLimit) {
        Transition t = new Transition(1, "te", new GraphSettings(60_000, 60_000, "INFINITY", "INFINITY", batchLimit,
            migrationLimit, OptionalLong.empty()), actions, List.of(), List.of());
        return new Graph(t, nodeLimit);
    }

    private static List<Integer> ids(List<TransitionAction> l) {
        List<Integer> out = new ArrayList<>();
        for (TransitionAction a : l) {
            out.add(a.id());
        }
        return out;
    }

    @Test
    void actionsFireWhenTheirInputsAreConfirmed() {
        add(1, TransitionAction.Kind.RESOURCE, "stop", "n1", 0, Map.of());
        add(2, TransitionAction.Kind.PSEUDO, "stopped", null, 0, Map.of(), 1);
        add(3, TransitionAction.Kind.RESOURCE, "start", "n2", 0, Map.of(), 2);
        add(4, TransitionAction.Kind.RESOURCE, "monitor", "n2", 0, Map.of(), 3);
        Graph g = graph(0, -1, 0);
        assertEquals(List.of(1), ids(g.fire(0)));
        assertEquals(List.of(), ids(g.fire(0)));
        assertEquals(Graph.Status.PENDING, g.status());
        g.confirm(1, false);
        assertEquals(List.of(2), ids(g.fire(0)));
        g.confirm(2, false);
        assertEquals(List.of(3), ids(g.fire(0)));
        g.confirm(3, false);
        assertEquals(List.of(4), ids(g.fire(0)));
        assertFalse(g.complete());
        g.confirm(4, false);
        assertEquals(List.of(), ids(g.fire(0)));
        assertEquals(Graph.Status.COMPLETE, g.status());
        assertTrue(g.complete());
        assertEquals(Graph.Next.DONE, g.next());
    }

    @Test
    void aFailedInputStopsWhatDependsOnItUnlessItMayFail() {
        add(1, TransitionAction.Kind.RESOURCE, "stop", "n1", 0, Map.of());
        add(2, TransitionAction.Kind.RESOURCE, "start", "n2", 0, Map.of(), 1);
        add(3, TransitionAction.Kind.RESOURCE, "monitor", "n1", 0, Map.of("can_fail", "true"));
        add(4, TransitionAction.Kind.RESOURCE, "start", "n1", 0, Map.of(), 3);
        Graph g = graph(0, -1, 0);
        assertEquals(List.of(1, 3), ids(g.fire(0)));
        g.confirm(1, true);
        g.confirm(3, true);
        assertEquals(List.of(4), ids(g.fire(0)), "3 may fail; 2 waits for a failed 1 forever");
        g.confirm(4, false);
        assertEquals(Graph.Status.TERMINATED, g.status());
    }

    @Test
    void anAbortLetsInFlightActionsFinishAndFiresOnlyPseudoActionsAndHigherPriorities() {
        add(1, TransitionAction.Kind.RESOURCE, "start", "n1", 0, Map.of());
        add(2, TransitionAction.Kind.RESOURCE, "start", "n2", 0, Map.of(), 1);
        add(3, TransitionAction.Kind.PSEUDO, "running", null, 0, Map.of(), 1);
        add(4, TransitionAction.Kind.RESOURCE, "stop", "n3", Graph.INFINITY, Map.of(), 1);
        Graph g = graph(0, -1, 0);
        assertEquals(List.of(1), ids(g.fire(0)));
        assertTrue(g.abort(Graph.INFINITY, Graph.Next.RESTART, "Configuration change"));
        assertFalse(g.abort(10, Graph.Next.DONE, "lower"), "priority and next only rise");
        assertEquals(Graph.Status.PENDING, g.status());
        g.confirm(1, false);
        assertEquals(List.of(3, 4), ids(g.fire(0)));
        g.confirm(3, false);
        g.confirm(4, false);
        assertEquals(Graph.Status.COMPLETE, g.status());
        assertEquals(Graph.Next.RESTART, g.next());
        assertEquals("Configuration change", g.abortReason());
        assertEquals(1, g.skipped());
    }

    @Test
    void theBatchLimitCapsActionsInFlight() {
        for (int i = 1; i <= 5; i++) {
            add(i, TransitionAction.Kind.RESOURCE, "start", "n" + i, 0, Map.of());
        }
        Graph g = graph(2, -1, 0);
        assertEquals(List.of(1, 2), ids(g.fire(0)));
        assertEquals(List.of(), ids(g.fire(0)));
        g.confirm(2, false);
        assertEquals(List.of(3), ids(g.fire(0)));
    }

    @Test
    void theNodeLimitCapsActionsPerNode() {
        for (int i = 1; i <= 4; i++) {
            add(i, TransitionAction.Kind.RESOURCE, "start", "n1", 0, Map.of());
        }
        add(5, TransitionAction.Kind.RESOURCE, "start", "n2", 0, Map.of());
        Graph g = graph(0, -1, 2);
        assertEquals(List.of(1, 2, 5), ids(g.fire(0)));
        g.confirm(1, false);
        assertEquals(List.of(3), ids(g.fire(0)));
    }

    @Test
    void theMigrationLimitCountsBothEnds() {
        add(1, TransitionAction.Kind.RESOURCE, "migrate_to", "n1", 0, Map.of("migrate_source", "n1",
            "migrate_target", "n2"));
        add(2, TransitionAction.Kind.RESOURCE, "migrate_to", "n3", 0, Map.of("migrate_source", "n3",
            "migrate_target", "n2"));
        add(3, TransitionAction.Kind.RESOURCE, "migrate_to", "n4", 0, Map.of("migrate_source", "n4",
            "migrate_target", "n5"));
        Graph g = graph(0, 1, 0);
        assertEquals(List.of(1, 3), ids(g.fire(0)), "2 waits: n2 already has a migration");
        g.confirm(1, false);
        assertEquals(List.of(2), ids(g.fire(0)));
    }

    @Test
    void confirmingTwiceOrUnknownActionsChangesNothing() {
        add(1, TransitionAction.Kind.RESOURCE, "start", "n1", 0, Map.of());
        Graph g = graph(0, -1, 0);
        g.fire(0);
        assertTrue(g.confirm(1, false));
        assertFalse(g.confirm(1, true));
        assertFalse(g.confirm(99, false));
        assertEquals(Graph.Status.COMPLETE, g.status());
    }

    @Test
    void anEmptyGraphIsCompleteAtOnce() {
        Graph g = graph(0, -1, 0);
        assertEquals(List.of(), g.fire(0));
        assertEquals(Graph.Status.COMPLETE, g.status());
    }
}
