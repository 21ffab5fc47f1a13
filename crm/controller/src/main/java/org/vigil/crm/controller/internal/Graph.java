package org.vigil.crm.controller.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;

/**
 * A transition graph being executed: which actions may fire, which are in flight, confirmed or failed, and when
 * the graph is complete. Pure state, no I/O: the controller fires what {@link #fire()} returns and reports results
 * with {@link #confirm}. Follows Pacemaker's graph consumer ({@code lib/pacemaker/pcmk_graph_consumer.c}:
 * {@code pcmk__execute_graph}, {@code should_fire_synapse}, {@code pcmk__update_graph}) with the throttling of
 * {@code controld_te_actions.c} ({@code graph_action_allowed}, {@code te_update_job_count}); every Vigil action is
 * its own synapse, as every synapse Pacemaker's scheduler makes holds one action.
 */
final class Graph {

    /** Pacemaker's {@code INFINITY} score, the priority of aborts that stop everything not yet fired. */
    static final int INFINITY = 1_000_000;

    /** What happens once the graph completes ({@code enum pcmk__graph_next}, in increasing precedence). */
    enum Next { DONE, WAIT, RESTART, SHUTDOWN }

    /** What {@link #status()} reports ({@code enum pcmk__graph_status}). */
    enum Status { ACTIVE, PENDING, COMPLETE, TERMINATED }

    private enum State { WAITING, IN_FLIGHT, CONFIRMED }

    private static final class Slot {
        final TransitionAction action;
        State state = State.WAITING;
        boolean failed;
        long firedAtMillis;

        Slot(TransitionAction action) {
            this.action = action;
        }
    }

    private final Transition transition;
    private final Map<Integer, Slot> slots = new LinkedHashMap<>();
    private final int batchLimit;
    private final int migrationLimit;
    private final int nodeActionLimit;
    private final Map<String, Integer> jobs = new HashMap<>();
    private final Map<String, Integer> migrateJobs = new HashMap<>();
    private int abortPriority;
    private Next next = Next.DONE;
    private String abortReason;
    private boolean complete;
    private int skipped;

    /**
     * @param nodeActionLimit the most resource actions in flight on one node ({@code node-action-limit}; Pacemaker's
     *                        default is twice the node's cores)
     */
    Graph(Transition transition, int nodeActionLimit) {
        this.transition = transition;
        this.batchLimit = transition.settings().batchLimit();
        this.migrationLimit = transition.settings().migrationLimit();
        this.nodeActionLimit = nodeActionLimit;
        for (TransitionAction a : transition.actions()) {
            slots.put(a.id(), new Slot(a));
        }
    }

    Transition transition() {
        return transition;
    }

    int id() {
        return transition.transitionId();
    }

    TransitionAction action(int id) {
        Slot s = slots.get(id);
        return s == null ? null : s.action;
    }

    boolean inFlight(int id) {
        Slot s = slots.get(id);
        return s != null && s.state == State.IN_FLIGHT;
    }

    boolean confirmed(int id) {
        Slot s = slots.get(id);
        return s != null && s.state == State.CONFIRMED;
    }

    /** Actions in flight. */
    List<TransitionAction> pending() {
        List<TransitionAction> out = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.state == State.IN_FLIGHT) {
                out.add(s.action);
            }
        }
        return out;
    }

    long firedAt(int id) {
        Slot s = slots.get(id);
        return s == null ? 0 : s.firedAtMillis;
    }

    /**
     * Marks the actions that may run now as in flight and returns them, in graph order: their inputs are all
     * confirmed and none failed (unless it may: {@code CRM_meta_can_fail}), their priority is not below the abort
     * priority (pseudo actions always go), and the batch, node and migration limits leave room. Follows
     * {@code pcmk__execute_graph()}.
     */
    List<TransitionAction> fire(long nowMillis) {
        List<TransitionAction> out = new ArrayList<>();
        if (complete) {
            return out;
        }
        int pending = 0;
        for (Slot s : slots.values()) {
            if (s.state == State.IN_FLIGHT) {
                pending++;
            }
        }
        for (Slot s : slots.values()) {
            if (batchLimit > 0 && pending >= batchLimit) {
                break;
            }
            if (s.state != State.WAITING || !ready(s)) {
                continue;
            }
            TransitionAction a = s.action;
            if (a.kind() != TransitionAction.Kind.PSEUDO) {
                if (a.priority() < abortPriority) {
                    continue;
                }
                if (!allowed(a)) {
                    continue;
                }
            }
            s.state = State.IN_FLIGHT;
            s.firedAtMillis = nowMillis;
            jobCount(a, 1);
            pending++;
            out.add(a);
        }
        return out;
    }

    private boolean ready(Slot s) {
        for (int input : s.action.inputs()) {
            Slot in = slots.get(input);
            if (in == null) {
                continue;   // an input outside the graph (never produced by the scheduler) does not block
            }
            if (in.state != State.CONFIRMED) {
                return false;
            }
            if (in.failed && !"true".equals(in.action.meta("can_fail"))) {
                return false;
            }
        }
        return true;
    }

    /** The node an action counts against ({@code te_update_job_count}): its router, or its target. */
    private static String jobNode(TransitionAction a) {
        return a.routerNode() != null ? a.routerNode() : a.node();
    }

    private static boolean migration(TransitionAction a) {
        return a.routerNode() == null && (a.task().equals("migrate_to") || a.task().equals("migrate_from"));
    }

    /** {@code graph_action_allowed()}: the node's job limit, and for migrations the migration limit on both ends. */
    private boolean allowed(TransitionAction a) {
        if (a.kind() != TransitionAction.Kind.RESOURCE) {
            return true;
        }
        if (migration(a)) {
            return allowedOn(a.meta("migrate_source"), true) && allowedOn(a.meta("migrate_target"), true);
        }
        return allowedOn(jobNode(a), false);
    }

    private boolean allowedOn(String node, boolean migrate) {
        if (node == null) {
            return true;
        }
        if (nodeActionLimit > 0 && jobs.getOrDefault(node, 0) >= nodeActionLimit) {
            return false;
        }
        return !migrate || migrationLimit < 0 || migrateJobs.getOrDefault(node, 0) < migrationLimit;
    }

    private void jobCount(TransitionAction a, int delta) {
        if (a.kind() != TransitionAction.Kind.RESOURCE) {
            return;
        }
        if (migration(a)) {
            for (String n : new String[] {a.meta("migrate_source"), a.meta("migrate_target")}) {
                if (n != null) {
                    jobs.merge(n, delta, Integer::sum);
                    migrateJobs.merge(n, delta, Integer::sum);
                }
            }
        } else if (jobNode(a) != null) {
            jobs.merge(jobNode(a), delta, Integer::sum);
        }
    }

    /**
     * An action's result arrived (or, for a pseudo action, it was fired). A failed action leaves the actions that
     * depend on it unfired.
     *
     * @return false if the action is not in flight (already confirmed, or never fired)
     */
    boolean confirm(int id, boolean failed) {
        Slot s = slots.get(id);
        if (s == null || s.state == State.CONFIRMED) {
            return false;
        }
        if (s.state == State.IN_FLIGHT) {
            jobCount(s.action, -1);
        }
        s.state = State.CONFIRMED;
        s.failed = failed;
        return true;
    }

    /**
     * Stops the graph from firing actions of lower priority than {@code priority} and sets what follows it
     * ({@code update_abort_priority()} in controld_te_utils.c: both only ever rise).
     *
     * @return true if anything changed
     */
    boolean abort(int priority, Next then, String reason) {
        boolean changed = false;
        if (priority > abortPriority) {
            abortPriority = priority;
            abortReason = reason;
            changed = true;
        }
        if (then.ordinal() > next.ordinal()) {
            next = then;
            if (abortReason == null || changed) {
                abortReason = reason;
            }
            changed = true;
        }
        return changed;
    }

    Next next() {
        return next;
    }

    String abortReason() {
        return abortReason;
    }

    int abortPriority() {
        return abortPriority;
    }

    boolean complete() {
        return complete;
    }

    /**
     * Fires nothing; reports where the graph stands and marks it complete when nothing is in flight and nothing can
     * fire ({@code pcmk__execute_graph()}'s summary).
     */
    Status status() {
        int pending = 0;
        int incomplete = 0;
        skipped = 0;
        for (Slot s : slots.values()) {
            if (s.state == State.IN_FLIGHT) {
                pending++;
            } else if (s.state == State.WAITING) {
                if (ready(s) && s.action.kind() != TransitionAction.Kind.PSEUDO && s.action.priority() < abortPriority) {
                    skipped++;
                } else {
                    incomplete++;
                }
            }
        }
        if (pending > 0) {
            return Status.PENDING;
        }
        // nothing in flight: anything still waiting can no longer fire (an input failed, or it was aborted)
        complete = true;
        if (incomplete > 0 && abortPriority <= 0) {
            return Status.TERMINATED;
        }
        return Status.COMPLETE;
    }

    /** How many actions were left out by an abort when the graph completed. */
    int skipped() {
        return skipped;
    }

    /** The actions confirmed (run, or pseudo-actions passed) so far. */
    int confirmed() {
        int c = 0;
        for (Slot s : slots.values()) {
            if (s.state == State.CONFIRMED) {
                c++;
            }
        }
        return c;
    }

    /** Counts by state, for logs: {@code confirmed/in-flight/waiting}. */
    String summary() {
        int c = 0;
        int f = 0;
        int w = 0;
        int failed = 0;
        for (Slot s : slots.values()) {
            switch (s.state) {
                case CONFIRMED -> {
                    c++;
                    if (s.failed) {
                        failed++;
                    }
                }
                case IN_FLIGHT -> f++;
                default -> w++;
            }
        }
        return "Complete=" + c + ", Pending=" + f + ", Waiting=" + w + ", Failed=" + failed;
    }
}
