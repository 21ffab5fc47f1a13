package org.vigil.kernel.spi;

/** How an agent action ended, apart from its exit code (Pacemaker's execution status). */
public enum ExecStatus {
    /** The agent ran and exited; its exit code is meaningful. */
    DONE,
    /** The agent did not finish in time and was killed. */
    TIMED_OUT,
    /** The agent could not be run at all (not installed, not executable, bad parameters). */
    ERROR,
    /** The agent or the service it manages is not installed on this node. */
    NOT_INSTALLED,
    /** The action was cancelled before it finished. */
    CANCELLED
}
