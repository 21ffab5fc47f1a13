package org.vigil.kernel.spi;

import java.time.Duration;
import java.util.Map;

/**
 * One fencing action.
 *
 * @param action  {@code off}, {@code on}, {@code reboot}, {@code status}, {@code list}, {@code monitor} or
 *                {@code metadata}
 * @param target  the node (or plug/port) to act on; null for {@code list}, {@code monitor}, {@code metadata}
 * @param params  device parameters ({@code ip}, {@code username}, ...), passed verbatim
 * @param timeout how long the action may take before it is killed
 */
public record FenceRequest(String action, String target, Map<String, String> params, Duration timeout) {

    public FenceRequest {
        params = Map.copyOf(params);
    }
}
