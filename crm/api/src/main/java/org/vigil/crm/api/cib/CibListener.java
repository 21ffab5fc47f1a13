package org.vigil.crm.api.cib;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told of every change of the local CIB copy, in the order the changes were applied (the same order on every
 * node). Called on the CIB's own thread: return quickly and never call {@link Cib#update} and wait for it there.
 */
@ConsumerType
@FunctionalInterface
public interface CibListener {

    void changed(CibChange change);
}
