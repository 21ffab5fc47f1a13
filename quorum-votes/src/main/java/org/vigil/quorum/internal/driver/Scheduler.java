package org.vigil.quorum.internal.driver;

/**
 * Where a driver runs its work: one logical thread, tasks in submission order, and one-shot timers. The
 * production implementation is {@link ExecutorScheduler}; protocol tests use a deterministic one with a
 * virtual clock.
 */
public interface Scheduler {

    /** A scheduled timer. */
    interface Timer {
        /** Cancels the timer if it has not fired; idempotent. */
        void cancel();
    }

    /** Runs {@code task} on the scheduler's thread, after the tasks submitted before it. */
    void execute(Runnable task);

    /** Runs {@code task} on the scheduler's thread once, after {@code delayMs} milliseconds. */
    Timer schedule(Runnable task, long delayMs);

    /**
     * The scheduler's monotonic clock in nanoseconds (only differences mean anything): {@link System#nanoTime()}
     * for real threads, the virtual clock of a deterministic test scheduler. Code run by a scheduler measures
     * durations with this clock only, so that protocol tests can run it in virtual time.
     */
    default long nanoTime() {
        return System.nanoTime();
    }

    /** True when called on the scheduler's own thread. */
    boolean inThread();

    /**
     * True when tasks run on another thread than the caller's (so a caller may wait for them); false for a
     * deterministic test scheduler that runs tasks only when the test says so.
     */
    default boolean concurrent() {
        return true;
    }

    /** Stops running tasks; pending ones are dropped. Waits at most a second for a running task. */
    void shutdown();
}
