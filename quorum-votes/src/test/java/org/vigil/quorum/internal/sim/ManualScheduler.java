package org.vigil.quorum.internal.sim;

import java.util.PriorityQueue;
import org.vigil.quorum.internal.driver.Scheduler;

/**
 * A deterministic scheduler with a virtual clock, shared by every simulated node of a test: one queue, tasks
 * run in (time, submission) order on the test's thread. Each driver gets its own {@link #view()} so that
 * stopping one node drops only that node's tasks.
 */
public final class ManualScheduler {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long seq;
    private boolean running;

    private static final class Task implements Comparable<Task> {
        final long at;
        final long order;
        final Runnable run;
        final View owner;
        boolean cancelled;

        Task(long at, long order, Runnable run, View owner) {
            this.at = at;
            this.order = order;
            this.run = run;
            this.owner = owner;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** Virtual time in ms. */
    public long now() {
        return now;
    }

    /** A scheduler for one driver. */
    public Scheduler view() {
        return new View();
    }

    /** Runs every task due now, including the ones they submit. */
    public void runUntilIdle() {
        advance(0);
    }

    /** Moves the clock forward by {@code ms}, running every task due on the way, in order. */
    public synchronized void advance(long ms) {
        long target = now + ms;
        running = true;
        try {
            while (!queue.isEmpty() && queue.peek().at <= target) {
                Task t = queue.poll();
                now = Math.max(now, t.at);
                if (!t.cancelled && !t.owner.dead) {
                    t.run.run();
                }
            }
            now = target;
        } finally {
            running = false;
        }
    }

    private final class View implements Scheduler {
        volatile boolean dead;

        @Override
        public void execute(Runnable task) {
            schedule(task, 0);
        }

        @Override
        public Timer schedule(Runnable task, long delayMs) {
            synchronized (ManualScheduler.this) {
                Task t = new Task(now + Math.max(0, delayMs), seq++, task, this);
                if (!dead) {
                    queue.add(t);
                }
                return () -> t.cancelled = true;
            }
        }

        @Override
        public boolean inThread() {
            return running && Thread.holdsLock(ManualScheduler.this);
        }

        @Override
        public boolean concurrent() {
            return false;
        }

        @Override
        public void shutdown() {
            dead = true;
        }
    }
}
