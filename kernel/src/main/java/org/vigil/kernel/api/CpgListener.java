package org.vigil.kernel.api;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives a CPG group's messages and membership changes, all in one agreed total order across the cluster.
 * Called on the node's protocol thread; must not block or throw.
 */
@ConsumerType
public interface CpgListener {

    /** A message multicast to the group, sender included. The array is owned by the listener. */
    void deliver(String group, CpgMember sender, byte[] message);

    /** The group's membership changed; {@code members} is the new member list. */
    void configurationChanged(String group, List<CpgMember> members, List<CpgMember> left, List<CpgMember> joined);
}
