package org.vigil.agents.internal.builtin;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The timer threads of the built-in agents: daemon threads that end when idle, never shut down, so that a delayed
 * action in flight still completes after its bundle revision has been stopped or replaced.
 */
final class Timers {

    static final ScheduledThreadPoolExecutor POOL;

    static {
        AtomicInteger n = new AtomicInteger();
        POOL = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "vigil-builtin-agent-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        POOL.setKeepAliveTime(30, TimeUnit.SECONDS);
        POOL.allowCoreThreadTimeOut(true);
        POOL.setRemoveOnCancelPolicy(true);
    }

    private Timers() {
    }
}
