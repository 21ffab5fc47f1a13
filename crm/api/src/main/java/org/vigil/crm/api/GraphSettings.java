package org.vigil.crm.api;

import java.util.OptionalLong;

/**
 * The graph-wide settings a transition carries for the controller that executes it (the attributes of
 * Pacemaker's {@code <transition_graph>} element, from the cluster options).
 *
 * @param clusterDelayMs    {@code cluster-delay}: added to each action's timeout for the controller's backstop timer
 * @param stonithTimeoutMs  {@code stonith-timeout}: how long to wait for a fencing action
 * @param failedStopOffset  {@code failed-stop-offset}: what a failed stop adds to the fail count ({@code INFINITY})
 * @param failedStartOffset {@code failed-start-offset}: what a failed start adds ({@code INFINITY}, or {@code 1}
 *                          when {@code start-failure-is-fatal} is false)
 * @param batchLimit        {@code batch-limit}: the most actions in flight cluster-wide (0: decided by load)
 * @param migrationLimit    {@code migration-limit}: the most live migrations per node at once, or -1 for no limit
 * @param recheckBy         {@code recheck-by}: the epoch second by which the scheduler must run again even if
 *                          nothing changes (a failure expiring, a date rule changing, a shutdown lock ending), if any
 */
public record GraphSettings(long clusterDelayMs, long stonithTimeoutMs, String failedStopOffset,
                            String failedStartOffset, int batchLimit, int migrationLimit, OptionalLong recheckBy) {
}
