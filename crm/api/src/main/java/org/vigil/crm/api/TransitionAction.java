package org.vigil.crm.api;

import java.util.List;

/**
 * One action of a transition graph, as the controller executes it.
 *
 * @param id         the action's number in the graph (unique within one transition)
 * @param kind       what executes it
 * @param task       the operation: {@code start}, {@code stop}, {@code monitor}, {@code promote}, {@code demote},
 *                   {@code migrate_to}, {@code migrate_from}, {@code notify}, {@code stonith}, {@code do_shutdown},
 *                   {@code running} (pseudo), ...
 * @param key        the operation key, e.g. {@code rsc1_monitor_10000}
 * @param resource   the resource id (as the executor knows it, with a clone instance suffix), or {@code null}
 * @param node       the node name the action runs on, or {@code null} for pseudo actions without a node
 * @param intervalMs the recurring interval in milliseconds (0 for one-shot actions)
 * @param inputs     ids of the actions that must complete first
 */
public record TransitionAction(int id, Kind kind, String task, String key, String resource, String node,
                               long intervalMs, List<Integer> inputs) {

    /** Who executes an action. */
    public enum Kind {
        /** A resource agent operation run by the executor on {@link #node()}. */
        RESOURCE,
        /** A synchronisation point with no work of its own. */
        PSEUDO,
        /** Fencing of {@link #node()}. */
        FENCE,
        /** A controller action on a node (shutdown, fail count clearing, probe refresh). */
        CLUSTER
    }

    public TransitionAction {
        inputs = List.copyOf(inputs);
    }
}
