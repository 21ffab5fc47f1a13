package org.vigil.kernel.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source of quorum decisions or extra votes: votequorum itself, or a tie-breaker device. Registered as a
 * service with the property {@value #ROLE}: {@code quorum} for the provider that decides quorum (one is used,
 * the highest ranked) or {@code device} for a provider of an extra vote.
 *
 * <p>The kernel calls {@link #start} when it binds the service and {@link #stop} when it unbinds it, both on
 * the node's protocol thread. The kernel keeps the last published decision across a swap of providers.
 */
@ConsumerType
public interface VoteProvider {

    /** Service property: {@code quorum} or {@code device}. */
    String ROLE = "vigil.vote.role";

    /** Short name shown by {@code corosync-quorumtool}, e.g. {@code corosync_votequorum}. */
    String name();

    /** Starts contributing; the context stays valid until {@link #stop}. */
    void start(VoteContext context);

    /** Stops contributing; the provider must not use the context afterwards. */
    void stop();
}
