package org.vigil.crm.api.attrd;

/**
 * A request the {@link Attrd} service refused or could not carry out, with the exit status the command-line tools
 * give for it (Pacemaker's {@code crm_exit_t} values), so {@code attrd_updater} and the others exit as Pacemaker's
 * do.
 */
public class AttrdError extends Exception {

    private static final long serialVersionUID = 1L;

    /** {@code CRM_EX_ERROR}: a generic failure. */
    public static final int ERROR = 1;
    /** {@code CRM_EX_USAGE}: a malformed request (an invalid delay, no attribute name). */
    public static final int USAGE = 64;
    /** {@code CRM_EX_CONFIG}: what {@code attrd_updater -Q} exits with when the attribute does not exist. */
    public static final int CONFIG = 78;
    /** {@code CRM_EX_NOSUCH}: an unknown node, or a delay change for an attribute that does not exist. */
    public static final int NOSUCH = 105;
    /** {@code CRM_EX_TIMEOUT}. */
    public static final int TIMEOUT = 124;

    private final int exitCode;

    /**
     * @param exitCode the exit status a command reports for it
     * @param message  what went wrong, in words an admin understands
     */
    public AttrdError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The exit status of the command that failed this way. */
    public int exitCode() {
        return exitCode;
    }
}
