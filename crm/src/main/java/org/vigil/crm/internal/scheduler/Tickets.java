package org.vigil.crm.internal.scheduler;

import org.vigil.crm.internal.cib.XmlElement;

/** Ticket constraints (rsc_ticket). */
final class Tickets {

    private Tickets() {
    }

    static void unpack(WorkingSet ws, XmlElement xml) {
    }
}
