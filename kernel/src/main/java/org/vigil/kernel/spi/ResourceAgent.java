package org.vigil.kernel.spi;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One resource agent type, such as {@code ocf:heartbeat:IPaddr2}, {@code lsb:nginx} or {@code vigil:Dummy}.
 * Registered as a service with the property {@value #AGENT} set to {@link #spec()}.
 *
 * <p>{@link #execute} may be called from any thread, concurrently for different resources. It returns at once;
 * the stage completes when the action has finished, failed or timed out. It never completes exceptionally:
 * failures are described by the {@link AgentResult}.
 */
@ConsumerType
public interface ResourceAgent {

    /** Service property: the agent's {@code standard:provider:type} (or {@code standard:type}). */
    String AGENT = "vigil.agent";

    /** {@code ocf}, {@code lsb}, {@code systemd}, {@code service}, {@code stonith} or {@code vigil}. */
    String standard();

    /** The OCF provider, or null for standards without one. */
    String provider();

    /** The agent type, e.g. {@code IPaddr2}. */
    String type();

    /** {@code standard:provider:type}, or {@code standard:type} without a provider. */
    default String spec() {
        return provider() == null ? standard() + ":" + type() : standard() + ":" + provider() + ":" + type();
    }

    /** The agent's meta-data XML (OCF resource-agent format). */
    String metaData() throws Exception;

    /** Runs one action. */
    CompletionStage<AgentResult> execute(AgentRequest request);
}
