package org.vigil.agents.internal.exec;

import java.util.concurrent.CompletableFuture;

/**
 * A program started by the {@link AgentRunner}: its outcome (a future that always completes normally) and a way
 * to cancel it. Thread-safe.
 */
public interface RunHandle {

    /** Completes when the program has ended (or could not start); never exceptionally. */
    CompletableFuture<ProcessOutcome> outcome();

    /**
     * Kills the program's process group (SIGTERM, SIGKILL after the grace); the outcome then ends
     * {@link Ending#CANCELLED}. False if it had already ended.
     */
    boolean cancel();

    /** The program's process id once known, else 0. */
    long pid();
}
