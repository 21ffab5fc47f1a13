package org.vigil.crm.api;

/**
 * The resource an action operates on, as the executor knows it (the {@code <primitive>} element of a graph
 * action in Pacemaker).
 *
 * @param id         the id to run the agent under: the configured id, with {@code :N} for instances of unique
 *                   clones, the configured (instance-free) id for anonymous clone instances
 * @param longId     the name the executor may also know it by (the clone instance name {@code rsc:N} of an
 *                   anonymous or orphaned instance), or {@code null}
 * @param agentClass the agent standard: {@code ocf}, {@code stonith}, {@code systemd}, {@code lsb}, ...; {@code null}
 *                   for a resource without an agent (a group, clone or bundle)
 * @param provider   the OCF provider ({@code heartbeat}, {@code pacemaker}, ...), or {@code null}
 * @param type       the agent type ({@code IPaddr2}, {@code Dummy}, ...), or {@code null}
 */
public record ResourceRef(String id, String longId, String agentClass, String provider, String type) {
}
