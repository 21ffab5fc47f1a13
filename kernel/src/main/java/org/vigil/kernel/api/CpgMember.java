package org.vigil.kernel.api;

/**
 * One member of a CPG group: a process ({@code pid}; for an in-JVM member a unique handle number) on a node.
 *
 * @param nodeId the node the member runs on
 * @param pid    the member's process id or in-node handle
 * @param reason why it appears in a change list ({@link CpgReason#JOIN} in member lists)
 */
public record CpgMember(int nodeId, long pid, CpgReason reason) {
}
