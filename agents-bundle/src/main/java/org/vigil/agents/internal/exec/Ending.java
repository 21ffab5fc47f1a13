package org.vigil.agents.internal.exec;

/** How a program run by the {@link AgentRunner} ended. */
public enum Ending {
    /** It exited by itself; the code is its exit status. */
    EXITED,
    /** It was killed by a signal nobody in Vigil sent; the code is the signal number. */
    SIGNALED,
    /** Its timeout expired and its process group was killed; the code is the exit status or minus the signal. */
    TIMED_OUT,
    /** It was cancelled and its process group was killed; the code as for {@link #TIMED_OUT}. */
    CANCELLED,
    /** It could not be started; the code is the errno (2 ENOENT, 13 EACCES, 8 ENOEXEC, ...). */
    NOT_STARTED,
    /** The runner helper process died while the program ran; its fate is unknown. */
    RUNNER_LOST
}
