package org.vigil.crm.api.controller;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's controller (Pacemaker's {@code pacemaker-controld}), as tools see it: who the DC is, where this node's
 * controller stands, and the steps it took (the timeline).
 */
@ProviderType
public interface Controller {

    /** Where the controller stands now. */
    ControllerStatus status();

    /** The steps recorded on this node, oldest first (at most the last few thousand). */
    List<TimelineEvent> timeline();

    /**
     * Makes the named nodes' executors forget a resource's operation history, as Pacemaker's {@code crm_resource
     * --refresh} does through each node's controller: the resource's recurring operations there stop and its
     * {@code lrm_resource} leaves the CIB status, so the DC probes it again on those nodes.
     *
     * @param resourceId the resource (its history id: for an anonymous clone, without the instance number), or
     *                   null for every resource with a history on those nodes
     * @param nodes      node names; empty for every node with a controller
     * @return completes when every named node still in the cluster has done it; exceptionally with
     *         {@link IllegalArgumentException} for a node name the cluster does not know
     */
    CompletionStage<Void> forgetHistory(String resourceId, Collection<String> nodes);

    /**
     * Tells the cluster a resource failed on a node, as Pacemaker's {@code crm_resource --fail} does through that
     * node's controller: a failed result (rc 1, "Simulated failure") of a made-up operation is recorded in the
     * node's history, outside any transition, and counted as failures are, so the DC recovers the resource.
     *
     * @param resourceId the resource's history id (for an anonymous clone, without the instance number)
     * @param node       the node's name
     * @param agentClass the resource's agent class, {@code provider} (or null) and {@code type}, for a history
     *                   entry the node does not have yet
     * @param provider   the agent's provider, or null
     * @param type       the agent's type
     * @return completes when the failure is in the CIB; exceptionally with {@link IllegalArgumentException} for a
     *         node name the cluster does not know, {@link IllegalStateException} for a node that is not in the
     *         cluster now
     * @since 1.1
     */
    CompletionStage<Void> failResource(String resourceId, String node, String agentClass, String provider,
                                       String type);
}
