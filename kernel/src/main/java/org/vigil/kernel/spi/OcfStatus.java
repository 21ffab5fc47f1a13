package org.vigil.kernel.spi;

/** OCF exit codes, 0–9 plus the OCF 1.1 degraded codes. */
public enum OcfStatus {
    OK(0), ERR_GENERIC(1), ERR_ARGS(2), ERR_UNIMPLEMENTED(3), ERR_PERM(4), ERR_INSTALLED(5), ERR_CONFIGURED(6),
    NOT_RUNNING(7), RUNNING_PROMOTED(8), FAILED_PROMOTED(9), DEGRADED(190), DEGRADED_PROMOTED(191),
    /** Any other exit status (for example 137 after SIGKILL): treated as a generic error. */
    UNKNOWN(-1);

    private final int code;

    OcfStatus(int code) {
        this.code = code;
    }

    /** The numeric exit code, -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** Maps a process exit status to its OCF meaning. */
    public static OcfStatus of(int exitCode) {
        for (OcfStatus s : values()) {
            if (s.code == exitCode) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
