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
}
