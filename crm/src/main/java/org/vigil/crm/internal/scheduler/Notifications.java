package org.vigil.crm.internal.scheduler;

/** Clone notifications (pre/post notify pseudo-actions). Filled in with the clone tier. */
final class Notifications {

    private Notifications() {
    }

    /** The pseudo-actions bracketing one kind of clone notification. */
    static final class Data {
        Action pre;
        Action preDone;
        Action post;
        Action postDone;
        Action action;
        Action complete;
    }

    static Data cloneNotifPseudoOps(WorkingSet ws, Resource rsc, String task, Action action, Action complete) {
        return null;
    }

    static void orderNotifsAfterFencing(WorkingSet ws, Action stop, Resource rsc, Action stonith) {
    }
}
