package org.vigil.kernel.spi;

/** OCF exit codes, 0–9 plus the OCF 1.1 degraded codes, with the wording Pacemaker's tools print. */
public enum OcfStatus {
    OK(0, "ok"), ERR_GENERIC(1, "error"), ERR_ARGS(2, "invalid parameter"),
    ERR_UNIMPLEMENTED(3, "unimplemented feature"), ERR_PERM(4, "insufficient privileges"),
    ERR_INSTALLED(5, "not installed"), ERR_CONFIGURED(6, "not configured"), NOT_RUNNING(7, "not running"),
    RUNNING_PROMOTED(8, "promoted"), FAILED_PROMOTED(9, "promoted (failed)"), DEGRADED(190, "OCF_DEGRADED"),
    DEGRADED_PROMOTED(191, "promoted (degraded)"),
    /** Any other exit status (for example 137 after SIGKILL): treated as a generic error. */
    UNKNOWN(-1, "unknown");

    private final int code;
    private final String description;

    OcfStatus(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The numeric exit code, -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** Short text as admins know it from Pacemaker ({@code not running}, {@code not configured}, ...). */
    public String description() {
        return description;
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
