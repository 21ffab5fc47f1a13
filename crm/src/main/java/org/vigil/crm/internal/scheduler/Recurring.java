package org.vigil.crm.internal.scheduler;

/** Recurring monitors. */
final class Recurring {

    private final WorkingSet ws;

    Recurring(WorkingSet ws) {
        this.ws = ws;
    }

    void createRecurringActions(Resource rsc) {
    }
}
