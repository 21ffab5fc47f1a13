package org.vigil.crm.attrd.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.ops.CibOps;
import org.vigil.crm.cib.internal.validate.CibValidator;

/**
 * A CIB in memory for the unit tests: requests are applied with the real CIB's operations ({@link CibOps}: the
 * same merge, {@code __delete__}, XPath delete) and changed configurations validated with the real validator, so
 * what attrd writes is judged as the node's CIB would judge it. A request is applied when it is made; its
 * completion is held back while {@link #hold} is set (a write in flight), or fails while {@link #failing} is set.
 */
final class MemoryCib implements Cib {

    private static final CibValidator VALIDATOR = CibValidator.standard();

    /** Every request made, in order. */
    final List<CibRequest> requests = new ArrayList<>();
    private final List<Runnable> held = new ArrayList<>();
    private XmlNode root = CibOps.empty("pacemaker-3.9").with("epoch", "1");
    boolean hold;
    boolean failing;
    /** When set, {@link #current()} shows the copy before the last request, as the node's CIB may for a moment. */
    boolean lagging;
    private XmlNode published = root;

    @Override
    public synchronized CibSnapshot current() {
        return new CibSnapshot(lagging ? published : root);
    }

    /** Replaces the copy, as a sync with a node holding a higher version does (no request recorded). */
    synchronized void replaceBySync(XmlNode cluster) {
        published = root;
        root = cluster;
    }

    /** Applies a change directly, as another writer would (no request recorded). */
    synchronized void apply(CibRequest r) throws CibError {
        root = applied(root, r);
    }

    @Override
    public synchronized CompletionStage<CibSnapshot> update(CibRequest request) {
        requests.add(request);
        CompletableFuture<CibSnapshot> f = new CompletableFuture<>();
        if (failing) {
            f.completeExceptionally(new CibError(CibError.TIMEOUT, "Timer expired", "test"));
            return f;
        }
        try {
            published = root;
            root = applied(root, request);
        } catch (CibError e) {
            f.completeExceptionally(e);
            return f;
        }
        CibSnapshot s = new CibSnapshot(root);
        if (hold) {
            held.add(() -> f.complete(s));
        } else {
            f.complete(s);
        }
        return f;
    }

    /** Completes the requests held back. */
    void release() {
        List<Runnable> r;
        synchronized (this) {
            hold = false;
            r = new ArrayList<>(held);
            held.clear();
        }
        r.forEach(Runnable::run);
    }

    private static XmlNode applied(XmlNode before, CibRequest r) throws CibError {
        XmlNode after = CibOps.apply(before, r).root();
        if (!java.util.Objects.equals(before.firstChild("configuration"), after.firstChild("configuration"))) {
            CibValidator.Result v = VALIDATOR.validate(after);
            if (!v.valid()) {
                throw CibError.invalid(v.problems().toString());
            }
        }
        CibVersion n = CibOps.nextVersion(before, after);
        return after.with("admin_epoch", Long.toString(n.adminEpoch())).with("epoch", Long.toString(n.epoch()))
            .with("num_updates", Long.toString(n.numUpdates()));
    }

    @Override
    public AutoCloseable listen(CibListener listener) {
        return () -> { };
    }

    @Override
    public boolean syncing() {
        return false;
    }

    /** The CIB as compact XML. */
    synchronized String xml() {
        return root.toXml();
    }

    /** The status section as compact XML. */
    synchronized String status() {
        return root.firstChild("status").toXml();
    }
}
