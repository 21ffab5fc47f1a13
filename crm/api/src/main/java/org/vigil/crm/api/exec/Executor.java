package org.vigil.crm.api.exec;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;
import org.vigil.crm.api.cib.CibVersion;

/**
 * The node's executor (Pacemaker's {@code pacemaker-execd} together with the controller's {@code controld_execd.c}
 * half): runs the operations the DC sends to this node through the resource agents, keeps the recurring ones going
 * and records every result in the CIB status. The node's controller is its only caller, as Pacemaker's controller
 * is execd's only client.
 *
 * <p>Results travel through the CIB: the DC confirms an action by seeing its {@code lrm_rsc_op}. The stages here
 * tell the controller when that happened, and give the results that are not recorded ({@code notify},
 * {@code cancel}, {@code delete}), which the controller acknowledges to the DC directly, as Pacemaker's
 * {@code send_direct_ack} does.
 *
 * <p>The executor's state lives in the CIB (its node's history) and in the kernel's cmap (the recurring operations
 * it runs), so a new revision of the executor bundle takes over what the old one ran. Thread-safe.
 */
@ProviderType
public interface Executor {

    /**
     * Runs an operation (or, for {@code operation="cancel"}, stops the recurring one named by its
     * {@code CRM_meta_operation} and {@code CRM_meta_interval}); operations of one resource run one at a time, in the
     * order they arrive.
     *
     * @return completes when the result (for a recurring operation, its first result) was recorded, or, for an
     *         operation that is not recorded, when it finished
     */
    CompletionStage<Outcome> execute(ExecRequest request);

    /**
     * Forgets a resource's history on this node (Pacemaker's {@code lrm_delete}): its recurring operations stop and
     * its {@code lrm_resource} leaves the CIB.
     */
    CompletionStage<Outcome> delete(String resourceId, String transitionKey);

    /**
     * Writes this node's whole operation history over its node's {@code lrm} in the CIB (what Pacemaker's
     * {@code join_confirm} carries); completes with the CIB version that holds it.
     */
    CompletionStage<CibVersion> publish();

    /** The recurring operations running here, as operation keys ({@code RSC_monitor_10000}), sorted. */
    List<String> recurring();

    /** How many operations are queued or running here (0 when idle). */
    int active();

    /**
     * The end of one operation.
     *
     * @param operationKey  its key
     * @param transitionKey the transition key it was run with (null when it had none)
     * @param rc            the OCF result
     * @param opStatus      Pacemaker's {@code pcmk_exec_status}: 0 done, 1 cancelled, 2 timed out, 4 error,
     *                      7 not installed, ...
     * @param recorded      whether the result is in the CIB (false for {@code notify}, {@code cancel},
     *                      {@code delete} and for results that could not be written)
     * @param cibVersion    the CIB version that holds the result, or null when not recorded
     * @param exitReason    the agent's exit reason, or empty
     */
    record Outcome(String operationKey, String transitionKey, int rc, int opStatus, boolean recorded,
                   CibVersion cibVersion, String exitReason) {
    }
}
