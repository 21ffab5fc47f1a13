package org.vigil.kernel.api;

import java.util.List;

/**
 * A node's Vigil release and feature set, as it announced them when it joined the ring (the Totem JOIN's
 * trailer). Nodes whose releases have the same major number and minor numbers at most one apart work on one ring
 * (a rolling upgrade N → N+1); the ring's effective features ({@link ClusterMembership#features()}) are those
 * every member has.
 *
 * @param major    the major release number
 * @param minor    the minor release number
 * @param features the names of the node's features
 * @since 1.2
 */
public record NodeRelease(int major, int minor, List<String> features) {

    public NodeRelease {
        features = List.copyOf(features);
    }

    /** {@code major.minor}. */
    public String version() {
        return major + "." + minor;
    }
}
