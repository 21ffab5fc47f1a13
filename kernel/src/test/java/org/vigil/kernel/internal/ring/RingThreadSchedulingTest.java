package org.vigil.kernel.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.kernel.config.VigilConfig;

/** The ring threads get the configured scheduling: SCHED_RR 99 by default, a nice value with sched_rr: no. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingThreadSchedulingTest {

    /** policy (SCHED_OTHER 0, SCHED_RR 2), rt_priority and nice of a thread of this process, from its stat. */
    private static long[] sched(long tid) throws Exception {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after the name, numbered from 3 in proc(5): nice is 19, rt_priority 40, policy 41
        return new long[] {Long.parseLong(f[41 - 3]), Long.parseLong(f[40 - 3]), Long.parseLong(f[19 - 3])};
    }

    /** Runs enlist() on a fresh thread that then waits; returns its scheduling once changed (or after waitMs). */
    private static long[] enlistAndRead(RingThreadScheduling s, long[] unchanged, long waitMs) throws Exception {
        AtomicLong tid = new AtomicLong();
        CountDownLatch enlisted = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            tid.set(RingThreadScheduling.currentTid());
            s.enlist();
            s.enlist();   // a second call does nothing
            enlisted.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sched-test");
        t.start();
        try {
            enlisted.await();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            long[] now = sched(tid.get());
            while (java.util.Arrays.equals(now, unchanged) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                now = sched(tid.get());
            }
            return now;
        } finally {
            done.countDown();
            t.join();
            s.close();
        }
    }

    @Test
    void theKernelThreadIdIsKnown() throws Exception {
        long tid = RingThreadScheduling.currentTid();
        assertTrue(tid > 0);
        assertTrue(Files.exists(Path.of("/proc/self/task/" + tid)));
    }

    @Test
    void schedRrGivesRealtimeRoundRobinAtPriority99() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"),
            "system tests (root: SCHED_RR needs CAP_SYS_NICE) are off");
        long[] s = enlistAndRead(new RingThreadScheduling(new VigilConfig.Scheduling(true, null)), new long[] {0, 0, 0}, 10_000);
        assertEquals(2, s[0], "policy SCHED_RR");
        assertEquals(99, s[1], "rt_priority");
    }

    @Test
    void withoutSchedRrThePriorityIsTheNiceValue() throws Exception {
        long[] s = enlistAndRead(new RingThreadScheduling(new VigilConfig.Scheduling(false, 7)), new long[] {0, 0, 0}, 10_000);
        assertEquals(0, s[0], "policy SCHED_OTHER");
        assertEquals(7, s[2], "nice");   // lowering priority needs no privilege
    }

    @Test
    void withoutSchedRrAndPriorityNothingChanges() throws Exception {
        RingThreadScheduling s = new RingThreadScheduling(new VigilConfig.Scheduling(false, null));
        long[] after = enlistAndRead(s, new long[] {0, 0, 0}, 1000);
        assertEquals(0, after[0], "policy");
        assertEquals(0, after[2], "nice");
    }
}
