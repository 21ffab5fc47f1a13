package org.vigil.kernel.internal.admin;

import java.util.concurrent.TimeUnit;

/**
 * The bytes the admin socket may hold for requests being read or run, shared by all connections, so that a few
 * large requests at once cannot exhaust the node's heap. A request waits a little for room, then is refused.
 *
 * <p>Thread-safe.
 */
public final class AdminBudget {

    private final long capacity;
    private final long waitMillis;
    private long used;

    /**
     * @param capacity   bytes that may be held at once
     * @param waitMillis how long a request waits for room before it is refused
     */
    public AdminBudget(long capacity, long waitMillis) {
        this.capacity = capacity;
        this.waitMillis = waitMillis;
    }

    /** The budget a node uses: an eighth of its maximum heap, at least 8 MiB. */
    public static AdminBudget forThisJvm() {
        long heap = Runtime.getRuntime().maxMemory();
        return new AdminBudget(Math.max(8L << 20, heap == Long.MAX_VALUE ? 64L << 20 : heap / 8), 2_000);
    }

    public long capacity() {
        return capacity;
    }

    /** Takes {@code bytes}, waiting for room; false if a request of that size can never or did not fit in time. */
    public synchronized boolean acquire(long bytes) throws InterruptedException {
        if (bytes <= 0) {
            return true;
        }
        if (bytes > capacity) {
            return false;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (used + bytes > capacity) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        used += bytes;
        return true;
    }

    /** Gives back what {@link #acquire} took. */
    public synchronized void release(long bytes) {
        if (bytes > 0) {
            used = Math.max(0, used - bytes);
            notifyAll();
        }
    }

    /** Bytes held right now. */
    public synchronized long used() {
        return used;
    }
}
