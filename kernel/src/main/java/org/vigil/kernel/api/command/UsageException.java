package org.vigil.kernel.api.command;

/**
 * Thrown by an {@link AdminCommand} for bad arguments: the message is printed on standard error and the exit
 * status is {@link #status()} (default 1; 2 is customary for usage errors of some tools).
 */
public class UsageException extends Exception {

    private static final long serialVersionUID = 1L;
    private final int status;

    public UsageException(String message) {
        this(message, 1);
    }

    public UsageException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
