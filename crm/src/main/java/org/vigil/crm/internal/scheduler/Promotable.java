package org.vigil.crm.internal.scheduler;

/** Promotable clones: promotion scores, choosing instance roles, promote/demote actions. */
final class Promotable {

    private Promotable() {
    }

    static void addPromotionScores(WorkingSet ws, Clone clone) {
    }

    static void setInstanceRoles(WorkingSet ws, Clone clone) {
    }

    static void createActions(WorkingSet ws, Clone clone) {
    }

    static void orderPromotableInstances(WorkingSet ws, Clone clone) {
    }

    static void updateDependentWithPromotable(WorkingSet ws, Resource primary, Resource dependent, Colocation c) {
    }

    static void updatePromotableDependentPriority(WorkingSet ws, Resource primary, Resource dependent,
                                                  Colocation c) {
    }
}
