package org.vigil.kernel.spi;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A fence agent type such as {@code fence_ipmilan} or {@code vigil:fence-dummy}, registered with the property
 * {@value #AGENT}. Same threading and upgrade rules as {@link ResourceAgent}: {@link #execute} returns at once,
 * its stage never completes exceptionally, and an action in flight survives an upgrade of the providing bundle.
 * For {@code status} an exit code of 0 means on and 2 means off, as the {@code fence_*} agents do; for
 * {@code list} the output has one {@code plug[,alias]} per line.
 */
@ConsumerType
public interface FenceAgent {

    /** Service property: the agent name. */
    String AGENT = "vigil.fence.agent";

    /** The agent name, e.g. {@code fence_ipmilan}. */
    String name();

    /** The agent's meta-data XML. Blocking (may run the agent); cached. */
    String metaData() throws Exception;

    CompletionStage<AgentResult> execute(FenceRequest request);

    /**
     * Cancels the action started with this very request object (identity); its stage then completes with
     * {@link ExecStatus#CANCELLED}. False if no such action is in flight.
     */
    default boolean cancel(FenceRequest request) {
        return false;
    }
}
