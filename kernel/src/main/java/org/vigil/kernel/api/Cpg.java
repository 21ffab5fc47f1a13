package org.vigil.kernel.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Closed process groups on top of Totem, as corosync's CPG: named groups, agreed-order multicast to joined
 * members, membership callbacks with reasons. Thread-safe.
 */
@ProviderType
public interface Cpg {

    /**
     * Joins {@code group}; the listener first sees a configuration change that includes this member.
     *
     * @throws IllegalArgumentException for an empty name or one over 128 bytes
     */
    CpgGroup join(String group, CpgListener listener);

    /**
     * Joins {@code group} as the member {@code (this node, pid)}: for a client process outside the JVM (its
     * own pid), as corosync's libcpg members are.
     *
     * @throws IllegalArgumentException for a bad group name
     * @throws IllegalStateException    if {@code pid} is already a member of {@code group} on this node
     */
    CpgGroup join(String group, CpgListener listener, long pid);

    /** Every group with members anywhere in the cluster, as this node knows them (for {@code corosync-cpgtool}). */
    java.util.Map<String, java.util.List<CpgMember>> groups();

    /**
     * The release and features of the node a CPG member runs on ({@link CpgMember#nodeId()}), as that node
     * announced them when it joined the ring: a service compares its group members' releases with it (and
     * uses a newer message only when {@link #features()} has it). Empty for a node not in the ring.
     *
     * @since 1.2
     */
    default java.util.Optional<NodeRelease> release(int nodeId) {
        return java.util.Optional.empty();
    }

    /**
     * The ring's effective feature set (as {@link ClusterMembership#features()}): what every node of every group
     * member has.
     *
     * @since 1.2
     */
    default java.util.List<String> features() {
        return java.util.List.of();
    }
}
