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
}
