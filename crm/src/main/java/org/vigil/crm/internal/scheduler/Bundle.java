package org.vigil.crm.internal.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A bundle: container replicas, optionally with an IP and a resource inside each. */
public final class Bundle extends Resource {

    /** One replica of a bundle. */
    static final class Replica {
        int offset;
        Node node;
        Resource ip;
        Resource child;
        Resource container;
        Resource remote;
    }

    final List<Replica> replicas = new ArrayList<>();
    int nReplicas = 1;
    int nReplicasPerHost = 1;

    Bundle(WorkingSet ws) {
        super(ws, Variant.BUNDLE);
    }

    boolean unpack(ResourceFactory f) {
        ws.warn("Bundles are not supported yet (" + id + ")");
        return false;
    }

    int replicasPerHost() {
        return nReplicasPerHost;
    }

    List<Resource> containerList() {
        List<Resource> l = new ArrayList<>();
        for (Replica r : replicas) {
            l.add(r.container);
        }
        return l;
    }

    static Resource findReplica(Resource bundle, Node node) {
        return null;
    }

    static Replica replicaForContainer(Resource rsc, Resource container, Node node) {
        if (rsc.variant != Variant.BUNDLE) {
            return null;
        }
        for (Replica r : ((Bundle) rsc).replicas) {
            if (r.child != null && r.container == container && r.node == node) {
                return r;
            }
        }
        return null;
    }

    static void addRemoteName(WorkingSet ws, Resource rsc, java.util.Map<String, String> params, String field) {
    }

    static boolean needsRemoteName(Resource rsc) {
        return false;
    }

    @Override
    public NodeScore assign(Node prefer) {
        return null;
    }

    @Override
    public void createActions() {
    }

    @Override
    public void internalConstraints() {
    }

    @Override
    public void applyColocScore(Resource dependent, Resource primary, Colocation colocation, boolean forDependent) {
    }

    @Override
    public int actionFlags(Action action, Node node) {
        return action.flags;
    }

    @Override
    public void addUtilization(Resource orig, List<Resource> all, Map<String, Integer> utilization) {
    }

    @Override
    public void shutdownLock() {
    }

    /** Prints this bundle in the status display; returns whether anything was printed. */
    boolean printStatus(StatusPrinter p) {
        p.bundleBegin("Container bundle: " + id);
        for (Resource c : children) {
            p.bundleResource(c);
        }
        p.bundleEnd();
        return true;
    }
}
