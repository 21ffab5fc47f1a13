package org.vigil.crm.internal.scheduler.model;

/**
 * A node with a score for some purpose (Pacemaker's {@code pe_node_t}): an allowed node of a resource, a
 * location constraint's node, an assignment. Several NodeScores share one {@link Node}.
 *
 * <p>Follows the per-resource {@code pe_node_t} copies of {@code allowed_nodes} (weight, rsc_discover_mode) in
 * include/crm/pengine/pe_types.h.
 */
public final class NodeScore {

    public static final int DISCOVER_ALWAYS = 0;
    public static final int DISCOVER_NEVER = 1;
    public static final int DISCOVER_EXCLUSIVE = 2;

    public final Node node;
    public int weight;
    public boolean fixed;
    public int count;
    public int discoverMode = DISCOVER_ALWAYS;

    public NodeScore(Node node, int weight) {
        this.node = node;
        this.weight = weight;
    }

    /**
     * Weight, fixed and discovery mode are copied, the count is not. Follows {@code pe__copy_node()} in
     * lib/pengine/utils.c.
     */
    public NodeScore copy() {
        NodeScore c = new NodeScore(node, weight);
        c.fixed = fixed;
        c.discoverMode = discoverMode;
        return c;
    }

    @Override
    public String toString() {
        return node.uname + "=" + weight;
    }
}
