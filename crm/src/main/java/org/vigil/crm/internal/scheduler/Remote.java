package org.vigil.crm.internal.scheduler;

/** Pacemaker Remote and guest node helpers. */
final class Remote {

    private Remote() {
    }

    static Resource resourceContainsGuestNode(WorkingSet ws, Resource rsc) {
        if (rsc != null && ws.is(WorkingSet.HAVE_REMOTE_NODES)) {
            for (Resource f : rsc.fillers) {
                if (f.isRemoteNode) {
                    return f;
                }
            }
        }
        return null;
    }

    static boolean rscCorrespondsToGuest(Resource rsc, Node node) {
        return rsc != null && !rsc.fillers.isEmpty() && node != null && node.remoteRsc != null
            && node.remoteRsc.container == rsc;
    }

    static boolean isFailedRemoteNode(WorkingSet ws, Node node) {
        return false;
    }

    static void orderRemoteConnectionActions(WorkingSet ws) {
    }
}
