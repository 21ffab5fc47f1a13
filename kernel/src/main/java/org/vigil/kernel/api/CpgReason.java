package org.vigil.kernel.api;

/** Why a member joined or left a CPG group, with corosync's {@code CPG_REASON_*} values. */
public enum CpgReason {
    JOIN(1), LEAVE(2), NODEDOWN(3), NODEUP(4), PROCDOWN(5);

    private final int code;

    CpgReason(int code) {
        this.code = code;
    }

    /** corosync's numeric reason. */
    public int code() {
        return code;
    }
}
