package org.vigil.kernel.spi;

import java.time.Duration;
import java.util.Map;

/**
 * One action to run on a resource.
 *
 * @param resource  the resource id (OCF_RESOURCE_INSTANCE), e.g. {@code vip__public} or {@code galera:0}
 * @param action    the action name: {@code start}, {@code stop}, {@code monitor}, {@code promote}, ...
 * @param params    instance attributes, passed verbatim ({@code OCF_RESKEY_<name>} for OCF agents)
 * @param meta      meta attributes for the agent ({@code OCF_RESKEY_CRM_meta_<name>}, dashes turned into
 *                  underscores), e.g. {@code notify_type}; {@code timeout} and {@code interval} are set from the
 *                  fields below and need not be given
 * @param timeout   how long the action may take before its process group is killed; must be positive
 * @param interval  the recurring interval for monitors, {@link Duration#ZERO} for one-shot actions
 */
public record AgentRequest(String resource, String action, Map<String, String> params, Map<String, String> meta,
                           Duration timeout, Duration interval) {

    public AgentRequest {
        params = Map.copyOf(params);
        meta = Map.copyOf(meta);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout of " + action + " must be positive");
        }
        if (interval == null) {
            interval = Duration.ZERO;
        }
    }

    /** A one-shot action without meta attributes. */
    public static AgentRequest of(String resource, String action, Map<String, String> params, Duration timeout) {
        return new AgentRequest(resource, action, params, Map.of(), timeout, Duration.ZERO);
    }
}
