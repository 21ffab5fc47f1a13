package org.vigil.crm.api.exec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agent actions in flight, handed by a revision of the executor bundle that is being replaced to the next revision
 * in the same JVM: the new revision records their results and answers the requests that wait for them, so a swap
 * does not wait for a long start or stop to end (issue 18, "running agent actions are delivered to the new
 * revision"). This package is never updated at run time, so what a stopping revision leaves here outlives it.
 *
 * <p>Pacemaker has nothing like it: its executor ({@code pacemaker-execd}) cannot be replaced while the node runs;
 * its controller only re-reads the history a restarted executor reports ({@code controld_execd.c}
 * {@code do_lrm_query_internal()}).
 */
public final class ExecHandover {

    /** A request waiting for an in-flight action: the action's own, or the same action asked again meanwhile. */
    public record Waiter(ExecRequest request, long receivedAt, CompletableFuture<Executor.Outcome> done) {
    }

    /**
     * An agent action in flight.
     *
     * @param action  the request it runs for
     * @param joined  requests for the same action that joined it (another transition key)
     * @param started when the agent was started (ms since the epoch)
     * @param result  the agent's result to come: a {@code CompletionStage<org.vigil.kernel.spi.AgentResult>}
     *                (this package does not depend on the kernel's)
     */
    public record InFlight(Waiter action, List<Waiter> joined, long started, CompletionStage<?> result) {
        public InFlight {
            joined = List.copyOf(joined);
        }
    }

    private static final Map<String, List<InFlight>> LEFT = new ConcurrentHashMap<>();

    private ExecHandover() {
    }

    /** Leaves a node's in-flight actions for the next revision (adds to what is already left). */
    public static void leave(String node, List<InFlight> inFlight) {
        if (!inFlight.isEmpty()) {
            LEFT.merge(node, List.copyOf(inFlight), (a, b) -> {
                List<InFlight> all = new java.util.ArrayList<>(a);
                all.addAll(b);
                return List.copyOf(all);
            });
        }
    }

    /** Takes (and removes) what an earlier revision left for this node; empty when nothing was left. */
    public static List<InFlight> take(String node) {
        List<InFlight> l = LEFT.remove(node);
        return l == null ? List.of() : l;
    }
}
