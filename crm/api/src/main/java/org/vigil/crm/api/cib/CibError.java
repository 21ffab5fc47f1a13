package org.vigil.crm.api.cib;

/**
 * A CIB request that failed, with the exit status {@code cibadmin} gives for it (Pacemaker's {@code crm_exit_t}
 * values) and Pacemaker's text for the cause, so commands print what admins know.
 */
public class CibError extends Exception {

    private static final long serialVersionUID = 1L;

    /** {@code CRM_EX_ERROR}: a generic failure. */
    public static final int ERROR = 1;
    /** {@code CRM_EX_USAGE}. */
    public static final int USAGE = 64;
    /** {@code CRM_EX_CONFIG}: input that cannot be parsed, or a result the schema refuses. */
    public static final int CONFIG = 78;
    /** {@code CRM_EX_NOT_CONNECTED}: no CIB service is running. */
    public static final int NOT_CONNECTED = 102;
    /** {@code CRM_EX_OLD}: a replacement older than the current CIB. */
    public static final int OLD = 103;
    /** {@code CRM_EX_NOSUCH}: the element or XPath target does not exist. */
    public static final int NOSUCH = 105;
    /** {@code CRM_EX_UNSAFE}: a dangerous request without {@code --force}. */
    public static final int UNSAFE = 107;
    /** {@code CRM_EX_EXISTS}: the element to create exists already. */
    public static final int EXISTS = 108;
    /** {@code CRM_EX_TIMEOUT}. */
    public static final int TIMEOUT = 124;

    private final int exitCode;
    private final String reason;

    /**
     * @param exitCode the exit status a command reports for it
     * @param reason   Pacemaker's text for the cause ("No such device or address", ...)
     * @param detail   what exactly failed, for the log and the admin (may be null)
     */
    public CibError(int exitCode, String reason, String detail) {
        super(detail == null ? reason : reason + ": " + detail);
        this.exitCode = exitCode;
        this.reason = reason;
    }

    public static CibError noSuch(String detail) {
        return new CibError(NOSUCH, "No such device or address", detail);
    }

    public static CibError exists(String detail) {
        return new CibError(EXISTS, "File exists", detail);
    }

    public static CibError invalid(String detail) {
        return new CibError(CONFIG, "Update does not conform to the configured schema", detail);
    }

    public static CibError old(String detail) {
        return new CibError(OLD, "Update was older than existing configuration", detail);
    }

    /** The exit status of the command that failed this way. */
    public int exitCode() {
        return exitCode;
    }

    /** Pacemaker's text for the cause. */
    public String reason() {
        return reason;
    }
}
