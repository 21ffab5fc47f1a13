package org.vigil.kernel.spi;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A fence agent type such as {@code fence_ipmilan} or {@code vigil:fence-dummy}, registered with the property
 * {@value #AGENT}. Same threading rules as {@link ResourceAgent}: {@link #execute} returns at once and its stage
 * never completes exceptionally. For {@code status} an exit code of 0 means on and 2 means off, as the
 * {@code fence_*} agents do.
 */
@ConsumerType
public interface FenceAgent {

    /** Service property: the agent name. */
    String AGENT = "vigil.fence.agent";

    /** The agent name, e.g. {@code fence_ipmilan}. */
    String name();

    /** The agent's meta-data XML. */
    String metaData() throws Exception;

    CompletionStage<AgentResult> execute(FenceRequest request);
}
