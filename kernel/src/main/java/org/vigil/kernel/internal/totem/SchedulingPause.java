package org.vigil.kernel.internal.totem;

import java.util.Locale;

/**
 * Detects that the process was not scheduled for a while (a GC pause, a stalled VM, an overloaded host), which
 * puts the ring at risk of a token timeout: corosync's {@code timer_function_scheduler_timeout} (main.c), in our
 * words. The driver calls {@link #check} every {@link #intervalMillis()} ({@code token / 3}); when more than
 * {@link #thresholdMillis()} ({@code 0.8 × token}) passed since the previous call, the process was not scheduled
 * in between and {@link #check} returns the warning to log, corosync's text adapted:
 * {@code process was not scheduled for N ms (threshold is M ms), token timeout risk}. Pure: the caller gives the
 * time (its monotonic clock, or the simulator's virtual one). Not thread-safe.
 */
public final class SchedulingPause {

    private final long intervalMillis;
    private final long thresholdNanos;
    private long previous = Long.MIN_VALUE;
    private long events;
    private long lastPauseNanos;

    /** For a token timeout of {@code tokenMillis}. */
    public SchedulingPause(long tokenMillis) {
        this.intervalMillis = Math.max(1, tokenMillis / 3);
        this.thresholdNanos = (long) (tokenMillis * 1_000_000L * 0.8);
    }

    /** How often {@link #check} is to be called, in ms. */
    public long intervalMillis() {
        return intervalMillis;
    }

    public long thresholdMillis() {
        return thresholdNanos / 1_000_000L;
    }

    /** Pauses detected so far. */
    public long events() {
        return events;
    }

    /** The length of the last pause detected, in ns (0: none yet). */
    public long lastPauseNanos() {
        return lastPauseNanos;
    }

    /**
     * One periodic call at {@code nowNanos}; the first call only starts the measure. Returns the warning when the
     * time since the previous call is above the threshold, else null.
     */
    public String check(long nowNanos) {
        long prev = previous;
        previous = nowNanos;
        if (prev == Long.MIN_VALUE) {
            return null;
        }
        long diff = nowNanos - prev;
        if (diff <= thresholdNanos) {
            return null;
        }
        events++;
        lastPauseNanos = diff;
        return String.format(Locale.ROOT, "process was not scheduled for %.4f ms (threshold is %.4f ms), token "
            + "timeout risk: consider a larger token timeout", diff / 1e6, thresholdNanos / 1e6);
    }
}
