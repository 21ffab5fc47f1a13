package org.vigil.crm.internal.scheduler.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster, remote or guest node: its identity and the state the scheduler derives from the CIB status
 * (Pacemaker's {@code pe_node_shared_s}). The "base" weight and fixed flag are those of the node's entry in the
 * cluster node list; per-resource scores live in {@link NodeScore} copies. Single-threaded (one scheduler run).
 *
 * <p>Follows {@code pe_node_t} and {@code struct pe_node_shared_s} (include/crm/pengine/pe_types.h).
 */
public final class Node {

    public enum Type { MEMBER, REMOTE, PING }

    public final String id;
    public final String uname;
    public Type type;

    public int weight;
    public boolean fixed;
    /** Resource discovery mode of the node's list entry (NodeScore.DISCOVER_*), inherited by copies. */
    public int discoverMode = NodeScore.DISCOVER_ALWAYS;

    public boolean online;
    public boolean standby;
    public boolean standbyOnfail;
    public boolean pending;
    public boolean unclean;
    public boolean unseen;
    public boolean shutdown;
    public boolean expectedUp;
    public boolean isDc;
    public boolean maintenance;
    public boolean rscDiscoveryEnabled = true;
    public boolean remoteRequiresReset;
    public boolean remoteWasFenced;
    public boolean remoteMaintenance;
    public boolean unpacked;

    public int numResources;
    public int priority;
    public Resource remoteRsc;
    public final List<Resource> runningRsc = new ArrayList<>();
    public final List<Resource> allocatedRsc = new ArrayList<>();
    public final Map<String, String> attrs = new LinkedHashMap<>();
    public final Map<String, String> utilization = new LinkedHashMap<>();
    /** Utilization still free while resources are being placed (placement-strategy). */
    public Map<String, String> freeUtilization;

    Node(String id, String uname, Type type) {
        this.id = id;
        this.uname = uname;
        this.type = type;
    }

    /** A score entry for this node carrying the list entry's weight and fixed flag. */
    public NodeScore copy() {
        NodeScore s = new NodeScore(this, weight);
        s.fixed = fixed;
        s.discoverMode = discoverMode;
        return s;
    }

    public boolean isRemote() {
        return type == Type.REMOTE;
    }

    /** A guest node: a remote node whose connection runs inside a container resource. */
    public boolean isGuest() {
        return type == Type.REMOTE && remoteRsc != null && remoteRsc.container != null;
    }

    /**
     * A Pacemaker Remote node without a container (pe__is_remote_node). Follows {@code pe__is_remote_node()} in
     * lib/pengine/remote.c.
     */
    public boolean isRemoteOnly() {
        return type == Type.REMOTE && (remoteRsc == null || remoteRsc.container == null);
    }

    public boolean isGuestOrRemote() {
        return type == Type.REMOTE;
    }

    public String attr(String name) {
        return attrs.get(name);
    }

    @Override
    public String toString() {
        return uname;
    }
}
