package org.vigil.kernel.spi;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.VigilNode;

/** What the kernel gives a {@link VoteProvider}. Thread-safe. */
@ProviderType
public interface VoteContext {

    VigilNode node();

    Cmap cmap();

    ClusterMembership membership();

    Cpg cpg();

    /** The last decision the kernel holds (from this or an earlier provider instance). */
    Optional<QuorumState> lastDecision();

    /**
     * Publishes a quorum decision. Only the active {@code quorum} provider's decisions are used; an identical
     * decision to the last one is not re-announced.
     */
    void publish(QuorumState state);
}
