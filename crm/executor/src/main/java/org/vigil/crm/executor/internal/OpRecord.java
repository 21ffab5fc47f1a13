package org.vigil.crm.executor.internal;

import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.OpDigest;

/**
 * One result as the CIB status keeps it: an {@code lrm_rsc_op} element with Pacemaker's id and fields.
 * Follows {@code pcmk__create_history_xml()} (lib/pacemaker/pcmk_sched_actions.c) and {@code do_update_resource()}
 * (daemons/controld/controld_execd.c).
 *
 * @param request      the operation
 * @param callId       the executor's call id (-1 while pending)
 * @param rc           the agent's result code (193 while pending)
 * @param opStatus     Pacemaker's execution status ({@code pcmk_exec_status}: -1 pending, 0 done, 1 cancelled,
 *                     2 timeout, 4 error, 5 hard error, 7 not installed)
 * @param exitReason   the agent's exit reason, or empty
 * @param lastRcChange when the result last changed, epoch seconds
 * @param execMs       how long the agent ran
 * @param queueMs      how long the operation waited before it ran
 * @param node         the node's name
 */
record OpRecord(ExecRequest request, int callId, int rc, int opStatus, String exitReason, long lastRcChange,
                long execMs, long queueMs, String node) {

    /** Pacemaker's CRM feature set the records are written with. */
    static final String FEATURE_SET = "3.16.1";
    /** {@code rc-code} of a pending operation. */
    static final int PENDING_RC = 193;

    /** True for a migration operation, whose history Pacemaker keeps under its own key. */
    boolean migration() {
        return request.operation().equals("migrate_to") || request.operation().equals("migrate_from");
    }

    /**
     * The operation key history is kept under: the resource's own id, the operation and its interval
     * ({@code pcmk__op_key(rsc_id, ...)} of the controller, whose resource id is the primitive's). For a clone
     * instance the graph's key may name the instance ({@code rsc:1_monitor_10000}); its history is the
     * primitive's ({@code rsc_monitor_10000}), as Pacemaker records it.
     */
    static String historyKey(ExecRequest r) {
        return r.resourceId() + "_" + r.operation() + "_" + r.intervalMs();
    }

    /**
     * The ids this result is written under, as {@code pcmk__create_history_xml()} picks them: a migration under its
     * key; a failure under {@code RSC_last_failure_0} (a one-shot failure also under {@code RSC_last_0}); a
     * recurring result under its key; anything else under {@code RSC_last_0}.
     */
    java.util.List<String> entryIds() {
        String rsc = request.resourceId();
        if (migration()) {
            return java.util.List.of(historyKey(request));
        }
        if (failed()) {
            return request.intervalMs() == 0 ? java.util.List.of(rsc + "_last_failure_0", rsc + "_last_0")
                : java.util.List.of(rsc + "_last_failure_0");
        }
        return java.util.List.of(request.intervalMs() > 0 ? historyKey(request) : rsc + "_last_0");
    }

    /** {@code OP_STATUS:RC;TRANSITION_KEY}. */
    String magic() {
        return opStatus + ":" + rc + ";" + request.transitionKey();
    }

    /** True if the operation ran and did not return what the DC expected (a probe's "not running" is expected). */
    boolean failed() {
        if (opStatus == -1) {
            return false;
        }
        if (opStatus != 0) {
            return true;
        }
        return effective(rc) != effective(request.targetRc());
    }

    /** Degraded results compare as their healthy counterparts ({@code pcmk__effective_rc()}). */
    static int effective(int rc) {
        return switch (rc) {
            case 190 -> 0;
            case 191 -> 8;
            default -> rc;
        };
    }

    /** The {@code lrm_rsc_op} element with this id. */
    XmlNode toXml(String entryId) {
        ExecRequest r = request;
        String operation = r.operation();
        // a successful reload is recorded as a start, as Pacemaker does
        if ((operation.equals("reload") || operation.equals("reload-agent")) && rc == 0 && opStatus == 0) {
            operation = "start";
        }
        String key = r.resourceId() + "_" + operation + "_" + r.intervalMs();
        XmlNode x = XmlNode.of("lrm_rsc_op", "id", entryId, "operation_key", key, "operation", operation, "crm-debug-origin", "do_update_resource", "crm_feature_set", FEATURE_SET, "transition-key",
            r.transitionKey(), "transition-magic", magic(), "exit-reason", exitReason == null ? "" : exitReason,
            "on_node", node, "call-id", Integer.toString(callId), "rc-code", Integer.toString(rc), "op-status",
            Integer.toString(opStatus), "interval", Long.toString(r.intervalMs()), "last-rc-change",
            Long.toString(lastRcChange), "exec-time", Long.toString(execMs), "queue-time", Long.toString(queueMs),
            "op-digest", OpDigest.of(r.attributes()));
        if (migration()) {
            x = x.with("migrate_source", r.meta("migrate_source"))
                .with("migrate_target", r.meta("migrate_target"));
        }
        return x;
    }
}
