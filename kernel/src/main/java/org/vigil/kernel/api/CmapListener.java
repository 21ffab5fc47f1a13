package org.vigil.kernel.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives cmap changes registered with {@link Cmap#track}.
 *
 * <p>Called synchronously on the thread that made the change, after the change is visible, in the order the
 * changes happened for one key. Must be quick and must not throw; an exception is logged and ignored.
 */
@ConsumerType
@FunctionalInterface
public interface CmapListener {
    void changed(CmapEvent event);
}
