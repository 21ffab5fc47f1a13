package org.vigil.kernel.internal.totem;

/**
 * A membership proposal multicast in GATHER: the sender's processor set and failed set, and the highest ring
 * sequence it has seen. A LEAVE is a join from a node announcing it is shutting down.
 */
record JoinMessage(int sender, boolean leave, long ringSeq, NodeSet proc, NodeSet failed) {
}
