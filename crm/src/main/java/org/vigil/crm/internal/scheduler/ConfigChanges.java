package org.vigil.crm.internal.scheduler;

/** Resource definition changes since operations ran (restart, reload, reschedule). */
final class ConfigChanges {

    private ConfigChanges() {
    }

    static void handle(WorkingSet ws) {
    }

    static void processParamChecks(WorkingSet ws) {
    }
}
