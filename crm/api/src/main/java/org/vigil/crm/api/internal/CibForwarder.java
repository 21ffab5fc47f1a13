package org.vigil.crm.api.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibBackend;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;

/**
 * The {@link Cib} every component uses, in front of the {@link CibBackend} of the moment, so that a swap of the
 * {@code crm-cib} bundle (issue 18) deactivates none of them. Between two backends (the old revision gone, the new
 * one not yet out of its first sync round) it answers {@link #current()} with the last copy it told its listeners
 * of, says {@link #syncing()}, and holds the updates it is given; once the new backend's copy is in line with the
 * group it tells the listeners, in one change, what they missed (the old copy to the new one, its patchset computed
 * by the backend), then gives the held updates to the new backend, in the order they came, each once.
 *
 * <p>No update is applied twice or lost: an update is given to exactly one backend. A backend that is stopping
 * refuses an update before anything of it is sent ({@link CibBackend#update} throws
 * {@link RejectedExecutionException}), and that one is held for the next backend; an update a backend took is
 * answered by that backend (the old revision drains what it took before it leaves the group). An update held for
 * longer than {@code holdMs} (no backend came back) fails with "not connected", as it did before there was a holder;
 * after {@link #close()} (the node stops) every held and new update fails at once.
 *
 * <p>Pacemaker has nothing like it: its CIB manager is never replaced while its clients run; a client whose
 * connection drops ({@code cib_native_dispatch_internal()}) signs on again and reads the whole CIB.
 *
 * <p>Thread-safe. Listeners are called on the backend's thread, in the order of the changes.
 */
public final class CibForwarder implements Cib {

    private record Held(CibRequest request, CompletableFuture<CibSnapshot> done) {
    }

    private final Object lock = new Object();
    private final List<CibListener> listeners = new CopyOnWriteArrayList<>();
    private final Deque<Held> held = new ArrayDeque<>();
    private final ScheduledExecutorService timer;
    private final long holdMs;
    private final Consumer<String> log;
    /** The backend updates go to (null between two). */
    private CibBackend live;
    /** True from a later backend's bind until its first sync round ended and the listeners were told. */
    private boolean reconciling;
    private AutoCloseable liveListening;
    /** The backend before, unbound: what it still applies (its drain) is told to the listeners. */
    private CibBackend retiring;
    private AutoCloseable retiringListening;
    /** The copy the listeners were told of last (null before the first backend). */
    private volatile CibSnapshot told;
    private boolean closed;
    private long handedOver;

    /**
     * @param timer  runs the hold timeouts
     * @param holdMs how long an update may wait for a backend
     * @param log    where the holder's INFO lines go
     */
    public CibForwarder(ScheduledExecutorService timer, long holdMs, Consumer<String> log) {
        this.timer = timer;
        this.holdMs = holdMs;
        this.log = log;
    }

    /** A backend came (the first one, or the next revision of {@code crm-cib}). */
    public void bind(CibBackend b) {
        boolean first;
        synchronized (lock) {
            if (live != null) {
                retire();   // a second backend while one is live: the newest wins
            }
            closeQuietly(retiringListening);
            retiring = null;
            retiringListening = null;
            first = told == null;
            live = b;
            reconciling = !first;
            if (first) {
                told = b.current();
            }
            liveListening = b.listen(c -> changed(b, c));
        }
        if (!first) {
            b.whenSynced(() -> synced(b));
        }
    }

    /** A backend went (its service is unregistered; the backend itself stops after this returns). */
    public void unbind(CibBackend b) {
        synchronized (lock) {
            if (b == live) {
                retire();
            } else if (b == retiring) {
                closeQuietly(retiringListening);
                retiring = null;
                retiringListening = null;
            }
        }
    }

    private void retire() {
        closeQuietly(retiringListening);
        retiring = live;
        retiringListening = liveListening;
        live = null;
        liveListening = null;
        reconciling = false;
    }

    /** True once a backend was bound (the holder offers the {@link Cib} service from then on). */
    public boolean started() {
        return told != null;
    }

    /** The node stops: every held update fails, and so will every update no backend takes at once. */
    public void close() {
        List<Held> failing;
        synchronized (lock) {
            closed = true;
            failing = new ArrayList<>(held);
            held.clear();
        }
        for (Held h : failing) {
            h.done.completeExceptionally(notConnected("the node is stopping"));
        }
    }

    /** How many updates were held and then given to a later backend (for the log and the tests). */
    public long handedOver() {
        synchronized (lock) {
            return handedOver;
        }
    }

    // ---- the Cib service ----------------------------------------------------------------------------------------

    @Override
    public CibSnapshot current() {
        CibBackend b;
        synchronized (lock) {
            b = reconciling ? null : live;
        }
        return b != null ? b.current() : told;
    }

    @Override
    public boolean syncing() {
        CibBackend b;
        synchronized (lock) {
            b = reconciling ? null : live;
        }
        return b == null || b.syncing();
    }

    @Override
    public CompletionStage<CibSnapshot> update(CibRequest request) {
        CompletableFuture<CibSnapshot> done = new CompletableFuture<>();
        submit(new Held(request, done));
        return done;
    }

    @Override
    public AutoCloseable listen(CibListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---- forwarding ---------------------------------------------------------------------------------------------

    /** Gives an update to the live backend, or holds it. */
    private void submit(Held h) {
        while (true) {
            CibBackend b;
            synchronized (lock) {
                b = reconciling ? null : live;
                if (b == null) {
                    if (closed) {
                        h.done.completeExceptionally(notConnected("the node is stopping"));
                        return;
                    }
                    held.add(h);
                    timer.schedule(() -> expire(h), holdMs, TimeUnit.MILLISECONDS);
                    return;
                }
            }
            CompletionStage<CibSnapshot> r;
            try {
                r = b.update(h.request);
            } catch (RejectedExecutionException e) {
                // the backend is stopping and sent nothing: its unbind has come (or is coming); hold it
                synchronized (lock) {
                    if (b == live) {
                        retire();
                    }
                }
                continue;
            }
            r.whenComplete((s, e) -> complete(h, s, e));
            return;
        }
    }

    private void expire(Held h) {
        boolean removed;
        synchronized (lock) {
            removed = held.remove(h);
        }
        if (removed) {
            h.done.completeExceptionally(notConnected("no CIB service came back within " + holdMs + " ms"));
        }
    }

    private static CibError notConnected(String detail) {
        return new CibError(CibError.NOT_CONNECTED, "Transport endpoint is not connected", detail);
    }

    /** A change of backend {@code b}'s copy (its thread). */
    private void changed(CibBackend b, CibChange c) {
        synchronized (lock) {
            if (!(b == live && !reconciling || b == retiring)) {
                return;   // a new backend in its first round: the reconciliation tells what changed
            }
            told = c.after();
        }
        tell(c);
    }

    /** Backend {@code b} is out of its first sync round (its thread): tell what the listeners missed, then the held. */
    private void synced(CibBackend b) {
        CibChange missed = null;
        synchronized (lock) {
            if (b != live || !reconciling) {
                return;
            }
            CibSnapshot before = told;
            CibSnapshot now = b.current();
            if (!now.digest().equals(before.digest())) {
                // the updates the group applied meanwhile, as one change (a sync only if the copy went back)
                missed = new CibChange(before, now, b.diff(before, now), null, null,
                    now.version().compareTo(before.version()) <= 0);
            }
            told = now;
        }
        log.accept("CIB holder: the new CIB service is in line with the group"
            + (missed == null ? " (nothing changed meanwhile)" : " (" + missed.before().version() + " -> "
                + missed.after().version() + " told as one " + (missed.sync() ? "replace" : "change") + ": "
                + summary(missed.patchset()) + ")"));
        if (missed != null) {
            tell(missed);   // this thread is the backend's: its own changes come after this one
        }
        int released;
        synchronized (lock) {
            if (b != live) {
                return;   // gone again already: what is held waits for the next one
            }
            reconciling = false;
            // in the order they came, before any update that comes from now on (which waits for this lock)
            released = held.size();
            handedOver += released;
            while (!held.isEmpty()) {
                Held h = held.poll();
                forward(b, h);
            }
        }
        if (released > 0) {
            log.accept("CIB holder: " + released + " update(s) held meanwhile given to the new CIB service");
        }
    }

    /** Gives {@code h} to backend {@code b}, which is live (its thread, or under the lock). */
    private void forward(CibBackend b, Held h) {
        CompletionStage<CibSnapshot> r;
        try {
            r = b.update(h.request);
        } catch (RejectedExecutionException e) {
            held.addFirst(h);   // cannot happen for a live backend; kept rather than lost
            return;
        }
        r.whenComplete((s, e) -> complete(h, s, e));
    }

    private static void complete(Held h, CibSnapshot s, Throwable e) {
        if (e != null) {
            h.done.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                ? e.getCause() : e);
        } else {
            h.done.complete(s);
        }
    }

    /** The first few changes of a patchset, for the log. */
    static String summary(org.vigil.crm.api.cib.XmlNode patchset) {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (org.vigil.crm.api.cib.XmlNode c : patchset.children("change")) {
            if (n++ < 3) {
                out.add(c.attribute("operation") + " " + c.attribute("path"));
            }
        }
        return n + " difference(s)" + (out.isEmpty() ? "" : ": " + String.join(", ", out)) + (n > 3 ? ", ..." : "");
    }

    private void tell(CibChange c) {
        for (CibListener l : listeners) {
            try {
                l.changed(c);
            } catch (RuntimeException e) {
                log.accept("CIB holder: listener " + l + " failed: " + e);
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // the backend is gone
            }
        }
    }
}
