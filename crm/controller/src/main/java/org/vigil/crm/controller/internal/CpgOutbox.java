package org.vigil.crm.controller.internal;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's messages on their way to CPG, in order. CPG may push back (its queue is full, the ring is not
 * ready): what it refuses waits and is tried again shortly, and no later message overtakes it, since a join, a vote
 * or an action request must not be lost (the controller used to log and drop it). Bounded: past {@code limit}
 * waiting messages the oldest goes (after that long the ring has changed and joins and votes carry their ids).
 *
 * <p>Not thread-safe: used on the controller's thread only, and the retry runs there too.
 */
final class CpgOutbox {

    static final long RETRY_MS = 5;
    static final int LIMIT = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger("vigil.CRMD");

    private final Predicate<byte[]> mcast;
    private final Consumer<Runnable> retryLater;
    private final int limit;
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    private boolean retryScheduled;
    private long pushBacks;
    private long dropped;

    /**
     * @param mcast      hands one message to CPG; false when CPG pushes back
     * @param retryLater runs a task on the same thread a little later
     * @param limit      how many messages may wait
     */
    CpgOutbox(Predicate<byte[]> mcast, Consumer<Runnable> retryLater, int limit) {
        this.mcast = mcast;
        this.retryLater = retryLater;
        this.limit = limit;
    }

    /** Sends {@code message} after those still waiting. */
    void send(byte[] message) {
        if (waiting.size() >= limit) {
            waiting.poll();
            if (++dropped == 1 || dropped % 1000 == 0) {
                LOG.warn("controller: {} messages waiting for CPG; dropped the oldest ({} so far)", limit, dropped);
            }
        }
        waiting.add(message);
        flush();
    }

    private void flush() {
        while (!waiting.isEmpty()) {
            if (!mcast.test(waiting.peek())) {
                if (++pushBacks == 1 || pushBacks % 1000 == 0) {
                    LOG.info("controller: CPG pushes back; {} message(s) wait ({} push-backs so far)", waiting.size(),
                        pushBacks);
                }
                if (!retryScheduled) {
                    retryScheduled = true;
                    retryLater.accept(() -> {
                        retryScheduled = false;
                        flush();
                    });
                }
                return;
            }
            waiting.poll();
        }
    }

    /** Messages waiting. */
    int waiting() {
        return waiting.size();
    }

    /** Messages dropped because too many waited. */
    long dropped() {
        return dropped;
    }
}
