package org.vigil.crm.attrd.internal;

import java.util.PriorityQueue;

/** The engine's thread in virtual time: tasks run when the test lets time pass, in time then submission order. */
final class VirtualScheduler implements AttrdEngine.Scheduler {

    private record Task(long at, long seq, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
        : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    long now() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(new Task(now, seq++, task, new boolean[1]));
    }

    @Override
    public Runnable schedule(Runnable task, long delayMs) {
        boolean[] cancelled = new boolean[1];
        queue.add(new Task(now + delayMs, seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Runs everything due now (and what that makes due now). */
    void runDue() {
        advance(0);
    }

    /** Lets {@code ms} pass, running every task due meanwhile at its time. */
    void advance(long ms) {
        long until = now + ms;
        int ran = 0;
        while (!queue.isEmpty() && queue.peek().at <= until) {
            if (++ran > 100_000) {
                throw new AssertionError("more than 100000 tasks at virtual time " + now + " ms: a loop");
            }
            Task t = queue.poll();
            now = Math.max(now, t.at);
            if (!t.cancelled[0]) {
                t.run.run();
            }
        }
        now = until;
    }
}
