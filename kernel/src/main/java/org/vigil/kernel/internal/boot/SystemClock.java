package org.vigil.kernel.internal.boot;

import org.osgi.service.component.annotations.Component;
import org.vigil.kernel.api.Clock;

/** The real clock: {@link System#nanoTime()} for monotonic time, {@link System#currentTimeMillis()} for wall time. */
@Component(service = Clock.class)
public final class SystemClock implements Clock {

    @Override
    public long monotonicMillis() {
        return System.nanoTime() / 1_000_000L;
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis();
    }
}
