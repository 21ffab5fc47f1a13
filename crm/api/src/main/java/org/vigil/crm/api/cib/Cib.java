package org.vigil.crm.api.cib;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The cluster information base: one configuration and status document, replicated on every node through the
 * ring in total order, so every copy is identical after every update, and kept on disk by each node.
 *
 * <p>Reads are local and never wait. An update from any node is one transaction applied by every member in the
 * same agreed order; it completes once it was ordered and applied, and, for a configuration change, once the
 * local copy is on disk.
 *
 * <p>Thread-safe.
 */
@ProviderType
public interface Cib {

    /** The local copy, as it is now. */
    CibSnapshot current();

    /**
     * Applies a change cluster-wide.
     *
     * @return completes with the local copy right after the change, or exceptionally with a {@link CibError}
     *         (the CIB unchanged on every node)
     */
    CompletionStage<CibSnapshot> update(CibRequest request);

    /**
     * Calls {@code listener} after every change of the local copy, from now on.
     *
     * @return closing it stops the calls
     */
    AutoCloseable listen(CibListener listener);

    /** True while this node's copy is being brought in line with the other members' (after a membership change). */
    boolean syncing();
}
