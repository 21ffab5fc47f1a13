package org.vigil.kernel.spi;

import java.time.Duration;
import java.util.Map;

/**
 * One action to run on a resource.
 *
 * @param resource  the resource id (OCF_RESOURCE_INSTANCE), e.g. {@code vip__public} or {@code galera:0}
 * @param action    the action name: {@code start}, {@code stop}, {@code monitor}, {@code promote}, ...
 * @param params    instance attributes, passed verbatim ({@code OCF_RESKEY_<name>} for OCF agents)
 * @param meta      meta attributes for the agent ({@code OCF_RESKEY_CRM_meta_<name>}), e.g. {@code notify_type}
 * @param timeout   how long the action may take before it is killed
 * @param interval  the recurring interval for monitors, {@link Duration#ZERO} for one-shot actions
 */
public record AgentRequest(String resource, String action, Map<String, String> params, Map<String, String> meta,
                           Duration timeout, Duration interval) {

    public AgentRequest {
        params = Map.copyOf(params);
        meta = Map.copyOf(meta);
    }
}
