package org.vigil.kernel.internal.totem;

/**
 * A membership proposal multicast in GATHER: the sender's processor set and failed set, and the highest ring
 * sequence it has seen. A LEAVE is a join from a node announcing it is shutting down. {@code release} is the
 * sender's release and feature set from the JOIN's trailer, or null for a JOIN without one.
 */
record JoinMessage(int sender, boolean leave, long ringSeq, NodeSet proc, NodeSet failed, Release release) {

    JoinMessage(int sender, boolean leave, long ringSeq, NodeSet proc, NodeSet failed) {
        this(sender, leave, ringSeq, proc, failed, null);
    }
}
