package io.netty.handler.timeout;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Netty's {@link IdleStateHandler} reading a test's virtual clock instead of {@code System.nanoTime()} (it is in
 * Netty's package for that: the clock is package-private), so {@code EmbeddedChannel.advanceTimeBy} drives it.
 */
public final class VirtualClockIdleStateHandler extends IdleStateHandler {

    private final LongSupplier nanos;

    public VirtualClockIdleStateHandler(LongSupplier nanos, long readerIdleMs) {
        super(readerIdleMs, 0, 0, TimeUnit.MILLISECONDS);
        this.nanos = nanos;
    }

    @Override
    long ticksInNanos() {
        return nanos.getAsLong();
    }
}
