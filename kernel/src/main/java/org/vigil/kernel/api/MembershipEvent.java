package org.vigil.kernel.api;

import java.util.List;

/**
 * A configuration change delivered by Totem, in extended-virtual-synchrony order with the messages.
 *
 * <p>A membership change comes as a {@link Type#TRANSITIONAL} event (the survivors of the old ring, with the
 * nodes that left) followed by a {@link Type#REGULAR} event (the new ring, with the nodes that joined).
 * Node id lists are sorted ascending and immutable.
 *
 * @param type    transitional or regular
 * @param ringId  the ring this configuration belongs to
 * @param members the members of this configuration
 * @param joined  nodes new in this configuration (empty for transitional)
 * @param left    nodes gone since the previous configuration (empty for regular)
 */
public record MembershipEvent(Type type, RingId ringId, List<Integer> members, List<Integer> joined,
                              List<Integer> left) {

    public MembershipEvent {
        members = List.copyOf(members);
        joined = List.copyOf(joined);
        left = List.copyOf(left);
    }

    /** Configuration types of extended virtual synchrony. */
    public enum Type { TRANSITIONAL, REGULAR }
}
