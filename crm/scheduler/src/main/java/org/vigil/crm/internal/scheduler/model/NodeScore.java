package org.vigil.crm.internal.scheduler.model;

/**
 * A node with a score for some purpose (Pacemaker's {@code pe_node_t}): an allowed node of a resource, a
 * location constraint's node, an assignment. Several NodeScores share one {@link Node}.
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

    /** pe__copy_node: weight, fixed and discovery mode are copied, the count is not. */
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
