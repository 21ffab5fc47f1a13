package org.vigil.crm.api.cib;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The CIB copy a revision of {@code crm-cib} that is being replaced leaves for the next revision in the same JVM
 * (issue 18): the live copy, its status and {@code num_updates} with it, where the copy on disk has neither. Started
 * from it, the next revision's copy is the group's when nothing changed meanwhile (the sync round finds the same
 * digests and sends no copy), and a node alone keeps its status. This package is never updated at run time, so what
 * a stopping revision leaves here outlives it; a node that stops leaves nothing (it starts again from disk, as
 * Pacemaker's CIB manager does).
 */
public final class CibHandover {

    private static final AtomicReference<CibSnapshot> LEFT = new AtomicReference<>();

    private CibHandover() {
    }

    /** Leaves the copy for the next revision (replacing one left before). */
    public static void leave(CibSnapshot copy) {
        LEFT.set(copy);
    }

    /** Takes (and removes) the copy an earlier revision left, if any. */
    public static Optional<CibSnapshot> take() {
        return Optional.ofNullable(LEFT.getAndSet(null));
    }
}
