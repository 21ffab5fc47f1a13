package org.vigil.kernel.spi;

import java.time.Duration;
import java.util.Map;

/**
 * One fencing action.
 *
 * @param action  {@code off}, {@code on}, {@code reboot}, {@code status}, {@code list}, {@code monitor} or
 *                {@code metadata}
 * @param target  the node (or plug/port) to act on; null for {@code list}, {@code monitor}, {@code metadata}
 * @param params  device parameters ({@code ip}, {@code username}, ...), passed verbatim as {@code name=value}
 *                lines on the agent's standard input; a name or value containing a line break or NUL is
 *                refused (it would inject another line)
 * @param timeout how long the action may take before its process group is killed; must be positive
 */
public record FenceRequest(String action, String target, Map<String, String> params, Duration timeout) {

    public FenceRequest {
        params = Map.copyOf(params);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout of " + action + " must be positive");
        }
    }
}
