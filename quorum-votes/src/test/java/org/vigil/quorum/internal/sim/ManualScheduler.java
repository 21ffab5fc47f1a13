package org.vigil.quorum.internal.sim;

import java.util.PriorityQueue;
import java.util.Random;
import org.vigil.quorum.internal.driver.Scheduler;

/**
 * A deterministic scheduler with a virtual clock, shared by every simulated node of a test: one queue, tasks
 * run in (time, submission) order on the test's thread. Each driver gets its own {@link #view()} so that
 * stopping one node drops only that node's tasks.
 *
 * <p>Seeded interleavings ({@link #ManualScheduler(long, int)}): each view's {@link Scheduler#execute} tasks
 * run after a random delay of up to {@code jitterMs}, still in submission order for that view (one component's
 * inputs keep their order, as on its real thread), and timers fire up to {@code jitterMs} late. Different views
 * then interleave differently for every seed, as threads descheduled at random would.
 */
public final class ManualScheduler {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final Random random;
    private final int jitterMs;
    private final double stallChance;
    private final int stallMs;
    private long now;
    private long seq;
    private boolean running;

    /** No jitter: tasks run as soon as they are due, in submission order. */
    public ManualScheduler() {
        this(0, 0);
    }

    /** Seeded interleavings: random delays of up to {@code jitterMs} (see the class comment). */
    public ManualScheduler(long seed, int jitterMs) {
        this(seed, jitterMs, 0, 0);
    }

    /**
     * Seeded interleavings with stalls: besides the jitter, a task is delayed by up to {@code stallMs} with
     * probability {@code stallChance}, as a thread descheduled for a while on a loaded machine (the view's later
     * tasks wait behind it).
     */
    public ManualScheduler(long seed, int jitterMs, double stallChance, int stallMs) {
        this.random = new Random(seed);
        this.jitterMs = jitterMs;
        this.stallChance = stallChance;
        this.stallMs = stallMs;
    }

    /** A random delay in [0, jitterMs] (0 without jitter), now and then a stall; only under the scheduler's lock. */
    private long jitter() {
        long j = jitterMs <= 0 ? 0 : random.nextInt(jitterMs + 1);
        if (stallMs > 0 && random.nextDouble() < stallChance) {
            j += random.nextInt(stallMs + 1);
        }
        return j;
    }

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
    public synchronized long now() {
        return now;
    }

    /** Runs {@code task} on the test's thread at virtual time {@code now() + delayMs} (not tied to a view). */
    public synchronized void at(long delayMs, Runnable task) {
        queue.add(new Task(now + Math.max(0, delayMs), seq++, task, null));
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
                if (!t.cancelled && (t.owner == null || !t.owner.dead)) {
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
        /** When the last execute() task of this view runs: later ones never run before it (FIFO). */
        long lastExecuteAt;

        @Override
        public void execute(Runnable task) {
            synchronized (ManualScheduler.this) {
                long at = Math.max(lastExecuteAt, now + jitter());
                lastExecuteAt = at;
                add(new Task(at, seq++, task, this));
            }
        }

        @Override
        public Timer schedule(Runnable task, long delayMs) {
            synchronized (ManualScheduler.this) {
                Task t = new Task(now + Math.max(0, delayMs) + (delayMs > 0 ? jitter() : 0), seq++, task, this);
                add(t);
                return () -> t.cancelled = true;
            }
        }

        private void add(Task t) {
            if (!dead) {
                queue.add(t);
            }
        }

        @Override
        public long nanoTime() {
            synchronized (ManualScheduler.this) {
                return now * 1_000_000L;
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
