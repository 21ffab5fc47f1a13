package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Utilization-based placement (placement-strategy utilization/minimal/balanced): node capacities are consumed as
 * resources are assigned; nodes without enough capacity for a resource and its colocated resources are banned.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_utilization.c.
 */
public final class Utilization {

    private final WorkingSet ws;

    /** Follows {@code sum_resource_utilization()} in lib/pacemaker/pcmk_sched_utilization.c. */
    public Utilization(WorkingSet ws) {
        this.ws = ws;
    }

    static int value(String s) {
        if (s == null) {
            return 0;
        }
        long v = Score.parseLeadingLong(s, Long.MIN_VALUE);
        if (v == Long.MIN_VALUE) {
            return 0;
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    /**
     * Negative when node1 has more free capacity. Follows {@code pcmk__compare_node_capacities()} in
     * lib/pacemaker/pcmk_sched_utilization.c.
     */
    int compareNodeCapacities(Node n1, Node n2) {
        int result = 0;
        for (Map.Entry<String, String> e : n1.utilization.entrySet()) {
            int c1 = value(e.getValue());
            int c2 = value(n2.utilization.get(e.getKey()));
            if (c1 > c2) {
                result--;
            } else if (c1 < c2) {
                result++;
            }
        }
        for (Map.Entry<String, String> e : n2.utilization.entrySet()) {
            if (n1.utilization.get(e.getKey()) != null) {
                continue;
            }
            int c2 = value(e.getValue());
            if (0 > c2) {
                result--;
            } else if (0 < c2) {
                result++;
            }
        }
        return result;
    }

    /** Follows {@code pcmk__consume_node_capacity()} in lib/pacemaker/pcmk_sched_utilization.c. */
    void consume(Node node, Resource rsc) {
        for (Map.Entry<String, String> e : rsc.utilization.entrySet()) {
            String current = node.utilization.get(e.getKey());
            int result = 0;
            if (current != null) {
                result = value(current) - value(e.getValue());
            }
            node.utilization.put(e.getKey(), Integer.toString(result));
        }
    }

    /** Follows {@code pcmk__release_node_capacity()} in lib/pacemaker/pcmk_sched_utilization.c. */
    void release(Node node, Resource rsc) {
        for (Map.Entry<String, String> e : rsc.utilization.entrySet()) {
            String current = node.utilization.get(e.getKey());
            int result = value(current) + value(e.getValue());
            node.utilization.put(e.getKey(), Integer.toString(result));
        }
    }

    /**
     * Adds a resource's utilization into a running sum (primitive add_utilization). Follows {@code
     * sum_resource_utilization()} in lib/pacemaker/pcmk_sched_utilization.c.
     */
    static void addTo(Map<String, Integer> sum, Resource rsc) {
        for (Map.Entry<String, String> e : rsc.utilization.entrySet()) {
            Integer current = sum.get(e.getKey());
            sum.put(e.getKey(), (current == null ? 0 : current) + value(e.getValue()));
        }
    }

    /** Follows {@code have_enough_capacity()} in lib/pacemaker/pcmk_sched_utilization.c. */
    private static boolean haveEnoughCapacity(Node node, Map<String, Integer> util) {
        for (Map.Entry<String, Integer> e : util.entrySet()) {
            int required = e.getValue();
            int remaining = value(node.utilization.get(e.getKey()));
            if (required > remaining) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Integer> asInts(Map<String, String> m) {
        Map<String, Integer> r = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            r.put(e.getKey(), value(e.getValue()));
        }
        return r;
    }

    /**
     * Returns the most capable node when no node fits everything. Follows {@code pcmk__ban_insufficient_capacity()}
     * in lib/pacemaker/pcmk_sched_utilization.c.
     */
    Node banInsufficientCapacity(Resource rsc) {
        if ("default".equalsIgnoreCase(ws.placementStrategy)) {
            return null;
        }
        List<Resource> colocated = rsc.colocatedResources(null, new ArrayList<>());
        if (colocated.isEmpty()) {
            return null;
        }
        if (!colocated.contains(rsc)) {
            colocated.add(rsc);
        }
        Map<String, Integer> unallocated = new LinkedHashMap<>();
        for (Resource r : colocated) {
            r.addUtilization(rsc, colocated, unallocated);
        }
        boolean anyCapable = false;
        Node mostCapable = null;
        for (NodeScore ns : rsc.allowedNodes.values()) {
            if (!Locations.available(ns, true, false)) {
                continue;
            }
            if (haveEnoughCapacity(ns.node, unallocated)) {
                anyCapable = true;
            }
            if (mostCapable == null || compareNodeCapacities(ns.node, mostCapable) < 0) {
                mostCapable = ns.node;
            }
        }
        if (anyCapable) {
            for (NodeScore ns : new ArrayList<>(rsc.allowedNodes.values())) {
                if (Locations.available(ns, true, false) && !haveEnoughCapacity(ns.node, unallocated)) {
                    ws.resourceLocation(rsc, ns.node, -Score.INFINITY, "__limit_utilization__");
                }
            }
            mostCapable = null;
        } else {
            Map<String, Integer> own = asInts(rsc.utilization);
            for (NodeScore ns : new ArrayList<>(rsc.allowedNodes.values())) {
                if (Locations.available(ns, true, false) && !haveEnoughCapacity(ns.node, own)) {
                    ws.resourceLocation(rsc, ns.node, -Score.INFINITY, "__limit_utilization__");
                }
            }
        }
        return mostCapable;
    }

    /** Follows {@code new_load_stopped_op()} in lib/pacemaker/pcmk_sched_utilization.c. */
    private Action loadStopped(Node node) {
        Action a = ws.pseudoOp("load_stopped_" + node.uname);
        if (a.node == null) {
            a.node = node;
            a.clear(Action.OPTIONAL);
        }
        return a;
    }

    /** Follows {@code pcmk__create_utilization_constraints()} in lib/pacemaker/pcmk_sched_utilization.c. */
    void createUtilizationConstraints(Resource rsc, List<NodeScore> allowed) {
        for (Node node : rsc.runningOn) {
            Action ls = loadStopped(node);
            ws.newOrdering(rsc, Util.opKey(rsc.id, "stop", 0), null, null, null, ls, Ordering.LOAD);
        }
        for (NodeScore ns : allowed) {
            Action ls = loadStopped(ns.node);
            ws.newOrdering(null, null, ls, rsc, Util.opKey(rsc.id, "start", 0), null, Ordering.LOAD);
            ws.newOrdering(null, null, ls, rsc, Util.opKey(rsc.id, "migrate_to", 0), null, Ordering.LOAD);
        }
    }

    /**
     * pcmk__sort_resources (non-default placement strategies): resources that matter most go first. Follows {@code
     * pcmk__sort_resources()} in lib/pacemaker/pcmk_sched_resource.c.
     */
    void sortResources() {
        List<NodeScore> nodes = new ArrayList<>();
        for (Node n : ws.nodes) {
            nodes.add(n.copy());
        }
        ws.locations.sortNodes(nodes, null);
        List<Resource> sorted = Clone.mergeSort(ws.resources, (a, b) -> cmpResources(a, b, nodes));
        ws.resources.clear();
        ws.resources.addAll(sorted);
    }

    private static int weightOn(Node node, Map<Node, NodeScore> nodes) {
        if (node == null || nodes == null) {
            return -Score.INFINITY;
        }
        NodeScore w = nodes.get(node);
        return w == null ? -Score.INFINITY : w.weight;
    }

    /** Follows {@code cmp_resources()} in lib/pacemaker/pcmk_sched_resource.c. */
    private int cmpResources(Resource r1, Resource r2, List<NodeScore> nodes) {
        if (r1.priority > r2.priority) {
            return -1;
        }
        if (r1.priority < r2.priority) {
            return 1;
        }
        Map<Node, NodeScore> n1 = ws.colocations.addColocatedNodeScores(r1, r1.id, null, null, 1,
            Colocations.SELECT_THIS_WITH);
        Map<Node, NodeScore> n2 = ws.colocations.addColocatedNodeScores(r2, r2.id, null, null, 1,
            Colocations.SELECT_THIS_WITH);
        Node c1 = r1.runningOn.isEmpty() ? null : r1.currentNode();
        Node c2 = r2.runningOn.isEmpty() ? null : r2.currentNode();
        int w1 = weightOn(c1, n1);
        int w2 = weightOn(c2, n2);
        if (w1 > w2) {
            return -1;
        }
        if (w1 < w2) {
            return 1;
        }
        for (NodeScore ns : nodes) {
            w1 = weightOn(ns.node, n1);
            w2 = weightOn(ns.node, n2);
            if (w1 > w2) {
                return -1;
            }
            if (w1 < w2) {
                return 1;
            }
        }
        return 0;
    }
}
