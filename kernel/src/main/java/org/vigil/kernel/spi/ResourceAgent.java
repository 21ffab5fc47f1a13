package org.vigil.kernel.spi;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One resource agent type, such as {@code ocf:heartbeat:IPaddr2}, {@code lsb:nginx} or {@code vigil:Dummy}.
 * Registered as a service with the property {@value #AGENT} set to {@link #spec()}, and {@value #STANDARD},
 * {@value #PROVIDER} (when there is one) and {@value #TYPE} for filtering.
 *
 * <p><b>Threading.</b> {@link #execute} may be called from any thread, concurrently for different resources. It
 * returns at once; the stage completes when the action has finished, failed or timed out. It never completes
 * exceptionally: failures are described by the {@link AgentResult}. Stages may be completed on an agent's own
 * thread: callers must not block in dependent stages.
 *
 * <p><b>Parameters</b> are checked against the agent's meta-data before anything runs (required parameters
 * present, no unknown ones, integer/boolean/select values well-formed); a request that fails the check completes
 * with {@link ExecStatus#ERROR} and {@link OcfStatus#ERR_CONFIGURED} and the agent is never started. Values are
 * passed verbatim (for external agents through the environment, never through a shell).
 *
 * <p><b>Upgrades.</b> Stopping or updating the bundle that provides an agent never kills an action in flight:
 * the action runs to its end (or its timeout) and its stage is still completed. A call made on a service object
 * whose bundle has already stopped still runs the action exactly once.
 */
@ConsumerType
public interface ResourceAgent {

    /** Service property: the agent's {@code standard:provider:type} (or {@code standard:type}). */
    String AGENT = "vigil.agent";
    /** Service property: the standard, e.g. {@code ocf}. */
    String STANDARD = "vigil.agent.standard";
    /** Service property: the OCF provider, e.g. {@code heartbeat}; absent for standards without providers. */
    String PROVIDER = "vigil.agent.provider";
    /** Service property: the agent type, e.g. {@code IPaddr2}. */
    String TYPE = "vigil.agent.type";

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

    /**
     * The agent's meta-data XML (OCF resource-agent format; synthesized for LSB and systemd). Blocking: for an
     * external agent this may run its {@code meta-data} action (bounded by a timeout); the result is cached.
     *
     * @throws Exception with a message naming the agent when the meta-data cannot be obtained
     */
    String metaData() throws Exception;

    /** Runs one action. */
    CompletionStage<AgentResult> execute(AgentRequest request);

    /**
     * Checks instance parameters against the agent's meta-data without running any action. Blocking like
     * {@link #metaData()}.
     *
     * @return the problems found, each naming the parameter; empty when the parameters are acceptable
     */
    default List<String> validate(Map<String, String> params) {
        return List.of();
    }

    /**
     * Cancels the action in flight that was started with this very request object (identity, not equality):
     * its process group is killed (SIGTERM, then SIGKILL) and its stage completes with
     * {@link ExecStatus#CANCELLED}.
     *
     * @return false if no such action is in flight (already finished, or never started here)
     */
    default boolean cancel(AgentRequest request) {
        return false;
    }
}
