package org.vigil.kernel.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's time source. Protocol code takes time only from here, so a simulator can substitute virtual time.
 *
 * <p>Thread-safe. Units are milliseconds.
 */
@ProviderType
public interface Clock {

    /** Monotonic milliseconds since an arbitrary origin fixed for the life of the node; never goes backwards. */
    long monotonicMillis();

    /** Wall-clock milliseconds since the Unix epoch (may jump when the system clock is set). */
    long wallMillis();
}
