package org.vigil.crm.internal.tools;

import java.time.ZoneId;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Time as the tools see it: the clock and zone they print and schedule with, and how they wait (for a while, or
 * for an answer). The node's tools use the system's; tests drive a simulated cluster through the same calls, so a
 * wait lets simulated time pass.
 */
public interface ToolClock {

    /** Milliseconds since the epoch. */
    long nowMillis();

    /** The zone times are printed in (Pacemaker's tools use the local zone). */
    ZoneId zone();

    /** Lets {@code ms} pass. */
    void sleep(long ms) throws InterruptedException;

    /**
     * Waits for {@code stage} at most {@code timeoutMs}.
     *
     * @throws TimeoutException     when it did not complete in time
     * @throws ExecutionException   when it completed exceptionally
     */
    <T> T await(CompletionStage<T> stage, long timeoutMs)
        throws InterruptedException, ExecutionException, TimeoutException;

    /** The system clock, the local zone, real sleeps. */
    ToolClock SYSTEM = new ToolClock() {
        @Override
        public long nowMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public ZoneId zone() {
            return ZoneId.systemDefault();
        }

        @Override
        public void sleep(long ms) throws InterruptedException {
            Thread.sleep(ms);
        }

        @Override
        public <T> T await(CompletionStage<T> stage, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
            return stage.toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    };
}
