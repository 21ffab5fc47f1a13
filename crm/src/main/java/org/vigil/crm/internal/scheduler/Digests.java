package org.vigil.crm.internal.scheduler;

import org.vigil.crm.internal.cib.XmlElement;

/** Operation parameter digests: whether a resource's definition changed since an operation ran. */
final class Digests {

    static final int MATCH = 0;
    static final int ALL = 1;
    static final int RESTART = 2;
    static final int UNKNOWN = 3;

    int rc = MATCH;

    static Digests compare(WorkingSet ws, Resource rsc, XmlElement op, Node node) {
        Digests d = new Digests();
        d.rc = MATCH;
        return d;
    }

    static Digests compareFencing(WorkingSet ws, Resource rsc, Node node) {
        Digests d = new Digests();
        d.rc = UNKNOWN;
        return d;
    }
}
