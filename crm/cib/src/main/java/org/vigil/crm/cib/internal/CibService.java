package org.vigil.crm.cib.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.cib.CibBackend;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.patch.Differ;
import org.vigil.crm.cib.internal.engine.CibEngine;
import org.vigil.crm.cib.internal.store.CibStore;
import org.vigil.crm.cib.internal.validate.CibValidator;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.VigilNode;

/**
 * The node's CIB: drives a {@link CibEngine} with the CPG group {@value #GROUP} and a {@link CibStore} under the
 * state directory ({@code <state>/cib}), and offers it as the {@link CibBackend} service, behind {@code crm-api}'s
 * holder (which offers the {@code Cib} service every other component uses, so that a swap of this bundle deactivates
 * none of them). When it stops it first answers the updates it took (at most {@value #DRAIN_MS} ms) and refuses new
 * ones, which the holder keeps for the next revision; the schema its copy names is compiled on a thread of its own as
 * it starts, so that the first configuration change after a swap does not wait for it on the CIB's thread.
 *
 * <p>Threads: the engine runs on one thread of its own ({@code vigil-cib}); CPG callbacks (on the ring's protocol
 * thread) only hand their input over. Disk writes run on a second thread ({@code vigil-cib-writer}) that always
 * writes the newest copy it was given (writes coalesce under load: one log record can carry several changes), and
 * tells the engine when each is durable, so a configuration change is acknowledged only once it is on disk; two
 * seconds after the last write it brings the snapshot up to date. Messages larger than a ring message are split
 * into chunks ({@link Chunks}).
 *
 * <p>cmap: {@code runtime.cib.version}, {@code .epoch}, {@code .num_updates}, {@code .admin_epoch},
 * {@code .syncing}, and the counters
 * {@code stats.cib.updates}, {@code stats.cib.writes}, {@code stats.cib.write_failures}, {@code stats.cib.sent_bytes}.
 */
@Component(service = CibBackend.class, immediate = true)
public final class CibService implements CibBackend {

    /** The CPG group of the CIB (Pacemaker's is {@code cib}). */
    public static final String GROUP = "vigil_cib";
    /** How long an update may wait for the ring and the disk before its client is told it timed out. */
    static final long REQUEST_TIMEOUT_MS = Long.getLong("vigil.cib.timeout_ms", 30_000);
    /** How long a stopping CIB waits for the updates it took to be applied before it leaves the group. */
    static final long DRAIN_MS = 5_000;
    /** How long after the last write the snapshot is brought up to date (a test sets it). */
    static long SNAPSHOT_DELAY_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger("vigil.CIB");

    private final VigilNode node;
    private final Cmap cmap;
    private final CibStore store;
    private final CibEngine engine;
    private final ScheduledExecutorService thread;
    private final ScheduledExecutorService writer;
    private final CpgGroup group;
    private final Chunks chunks = new Chunks();
    private final List<CibListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Long, CompletableFuture<CibSnapshot>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private final java.util.ArrayDeque<byte[]> outbox = new java.util.ArrayDeque<>();
    private volatile CibSnapshot current;
    private volatile boolean syncing = true;
    private volatile boolean stopping;
    /** {@link #whenSynced} tasks (CIB thread only). */
    private final List<Runnable> onSynced = new ArrayList<>();
    private volatile CibSnapshot toWrite;
    /** Writes done (writer thread only). */
    private long writes;
    private boolean flushScheduled;

    @Activate
    public CibService(@Reference VigilNode node, @Reference Cmap cmap, @Reference Cpg cpg) throws IOException {
        long t0 = System.nanoTime();
        this.node = node;
        this.cmap = cmap;
        CibValidator validator = CibValidator.standard();
        this.store = new CibStore(node.stateDir().resolve("cib"), CibStore.DEFAULT_KEEP,
            validator.newestSchema().orElse("pacemaker-3.9"));
        CibStore.Loaded loaded = store.load();
        for (String p : loaded.problems()) {
            LOG.warn("CIB: {}", p);
        }
        LOG.info("CIB: loaded version {} from {} in {} ms", loaded.snapshot().version(), loaded.source(),
            (System.nanoTime() - t0) / 1_000_000);
        CibSnapshot initial = loaded.snapshot();
        boolean fromDisk = true;
        java.util.Optional<CibSnapshot> handed = org.vigil.crm.api.cib.CibHandover.take();
        if (handed.isPresent()) {
            CibVersion h = handed.get().version();
            CibVersion d = initial.version();
            if (h.adminEpoch() == d.adminEpoch() && h.epoch() == d.epoch()) {
                initial = handed.get();
                fromDisk = false;
                LOG.info("CIB: starting from the copy the previous revision left, {} (with its status)", h);
            } else {
                LOG.warn("CIB: the copy the previous revision left ({}) is not the one on disk ({}): starting from"
                    + " disk", h, d);
            }
        }
        current = initial;
        // the schema compiles (Jing: 1 to 3 s on a loaded machine) while the group is joined and synced, not on the
        // CIB's thread at the first configuration change after a start or a swap
        String with = current.root().attribute("validate-with");
        Thread warm = new Thread(() -> {
            long w0 = System.nanoTime();
            if (validator.prepare(with)) {
                LOG.info("CIB: schema {} compiled in {} ms", with, (System.nanoTime() - w0) / 1_000_000);
            }
        }, "vigil-cib-schema");
        warm.setDaemon(true);
        warm.start();
        thread = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vigil-cib"));
        java.util.concurrent.ScheduledThreadPoolExecutor w = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
            r -> daemon(r, "vigil-cib-writer"));
        // a stop does not wait for the snapshot planned 2 s after the last write (the log holds every change; the
        // next start or revision replays it): waiting for it was most of a CIB swap's time (1.7-2 s under a write
        // every 300 ms); the writes handed over before the stop are still made
        w.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        writer = w;
        // nothing runs on the CIB's thread before the engine exists (the group's first change may come at once)
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        thread.execute(() -> {
            try {
                ready.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (String c : List.of("stats.cib.updates", "stats.cib.writes", "stats.cib.write_failures",
            "stats.cib.sent_bytes")) {
            cmap.set(c, CmapType.UINT64, 0L);
        }
        CpgGroup[] joined = new CpgGroup[1];
        CibEngine.Member self = new CibEngine.Member(node.nodeId(), 0);   // replaced by the real member below
        engine = new CibEngine(memberOf(cpg, joined, self), node.name(), initial, fromDisk, validator, new Out());
        group = joined[0];
        publish();
        ready.countDown();
    }

    /** Joins the group and returns this member's identity in it. */
    private CibEngine.Member memberOf(Cpg cpg, CpgGroup[] joined, CibEngine.Member fallback) {
        CpgGroup g = cpg.join(GROUP, new CpgListener() {
            @Override
            public void deliver(String group, CpgMember sender, byte[] message) {
                thread.execute(guarded("a delivery", () -> delivered(sender, message)));
            }

            @Override
            public void configurationChanged(String group, List<CpgMember> members, List<CpgMember> left,
                                             List<CpgMember> joinedMembers) {
                List<CibEngine.Member> ms = new ArrayList<>();
                for (CpgMember m : members) {
                    ms.add(new CibEngine.Member(m.nodeId(), m.pid()));
                }
                thread.execute(guarded("a membership change", () -> {
                    chunks.retain(ms);
                    engine.configurationChanged(ms);
                    afterStep();
                }));
            }
        });
        joined[0] = g;
        return new CibEngine.Member(g.self().nodeId(), g.self().pid());
    }

    /** A task of the CIB's thread whose failure is logged (an executor would keep it silently). */
    private Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("CIB: handling {} failed", what, e);
            }
        };
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void delivered(CpgMember sender, byte[] message) {
        CibEngine.Member m = new CibEngine.Member(sender.nodeId(), sender.pid());
        byte[] whole = chunks.accept(m, message);
        if (whole == null) {
            return;   // more chunks to come
        }
        engine.delivered(m, node.config().node(sender.nodeId()).map(n -> n.displayName())
            .orElse(Integer.toUnsignedString(sender.nodeId())), whole);
        afterStep();
    }

    private void afterStep() {
        current = engine.current();
        syncing = engine.syncing();
        publish();
        if (!syncing && !onSynced.isEmpty()) {
            List<Runnable> tasks = new ArrayList<>(onSynced);
            onSynced.clear();
            for (Runnable t : tasks) {
                try {
                    t.run();
                } catch (RuntimeException e) {
                    LOG.warn("CIB: a task after the sync round failed: {}", e.toString());
                }
            }
        }
    }

    /**
     * Stops; when this bundle is being replaced (not the node stopping), the live copy is left for the next revision
     * ({@link org.vigil.crm.api.cib.CibHandover}).
     */
    @Deactivate
    void deactivate(org.osgi.framework.BundleContext context) {
        boolean nodeStops;
        try {
            nodeStops = context.getBundle(0).getState() == org.osgi.framework.Bundle.STOPPING;
        } catch (IllegalStateException e) {
            nodeStops = true;
        }
        stop(!nodeStops);
    }

    /** Stops (and leaves nothing for a next revision). */
    void stop() {
        stop(false);
    }

    /** Stops; {@code leaveCopy}: the live copy is left for the next revision. */
    void stop(boolean leaveCopy) {
        // new updates are refused from here on (the holder keeps them for the next revision); the ones taken are
        // answered first: one that left for the ring and went unanswered would be applied without its client
        // knowing, and one sent again would be applied twice
        synchronized (waiting) {
            stopping = true;
        }
        long t0 = System.nanoTime();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
        while (!waiting.isEmpty() && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!waiting.isEmpty()) {
            LOG.warn("CIB: stopping with {} update(s) unanswered after {} ms", waiting.size(), DRAIN_MS);
        }
        try {
            group.close();
        } catch (RuntimeException e) {
            LOG.debug("leaving {}: {}", GROUP, e.toString());
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(1, TimeUnit.SECONDS);   // the step running ends: current() is its last copy
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CibSnapshot unwritten = toWrite;
        if (unwritten != null && writer.isTerminated()) {
            // a write that failed and waited for its retry (delayed, so dropped by the shutdown): one last attempt
            toWrite = null;
            try {
                store.write(unwritten);
            } catch (IOException e) {
                LOG.error("CIB: {} (version {} is not on disk)", e.getMessage(), unwritten.version());
            }
        }
        if (leaveCopy) {
            org.vigil.crm.api.cib.CibHandover.leave(current);
        }
        LOG.info("CIB: stopped in {} ms{}", (System.nanoTime() - t0) / 1_000_000, leaveCopy
            ? "; copy " + current.version() + " left for the next revision" : "");
        for (CompletableFuture<CibSnapshot> f : waiting.values()) {
            f.completeExceptionally(new CibError(CibError.NOT_CONNECTED, "Transport endpoint is not connected",
                "the CIB service stopped"));
        }
    }

    // ---- the Cib service --------------------------------------------------------------------------------------

    @Override
    public CibSnapshot current() {
        return current;
    }

    @Override
    public boolean syncing() {
        return syncing;
    }

    @Override
    public CompletionStage<CibSnapshot> update(CibRequest request) {
        long id = requestIds.incrementAndGet();
        CompletableFuture<CibSnapshot> f = new CompletableFuture<>();
        synchronized (waiting) {
            if (stopping) {
                // nothing was sent: the holder gives it to the next revision
                throw new java.util.concurrent.RejectedExecutionException("the CIB service is stopping");
            }
            waiting.put(id, f);
        }
        long now = System.currentTimeMillis();
        thread.execute(guarded("a request", () -> {
            try {
                engine.request(id, request, now);
            } catch (RuntimeException | Error e) {
                CompletableFuture<CibSnapshot> w = waiting.remove(id);
                if (w != null) {
                    w.completeExceptionally(new CibError(CibError.ERROR, "Internal error", e.toString()));
                }
                throw e;
            }
            afterStep();
        }));
        thread.schedule(() -> {
            CompletableFuture<CibSnapshot> w = waiting.remove(id);
            if (w != null) {
                engine.abandon(id);
                w.completeExceptionally(new CibError(CibError.TIMEOUT, "Timer expired", "no answer within "
                    + REQUEST_TIMEOUT_MS + " ms (the ring or the disk is not keeping up)"));
            }
        }, REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return f;
    }

    @Override
    public AutoCloseable listen(CibListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void whenSynced(Runnable task) {
        thread.execute(guarded("a task after the sync round", () -> {
            onSynced.add(task);
            afterStep();
        }));
    }

    @Override
    public XmlNode diff(CibSnapshot from, CibSnapshot to) {
        return Differ.diff(from.root(), to.root(), from.version(), to.version()).toXml();
    }

    // ---- outputs (on the engine's thread) ---------------------------------------------------------------------

    private final class Out implements CibEngine.Output {
        @Override
        public void multicast(byte[] message) {
            cmap.add("stats.cib.sent_bytes", message.length);
            for (byte[] c : chunks.split(message)) {
                outbox.add(c);
            }
            flush();
        }

        @Override
        public void completed(long requestId, CibSnapshot after) {
            // current() first: whoever the completion wakes reads a copy at least as new as its own change
            current = engine.current();
            CompletableFuture<CibSnapshot> f = waiting.remove(requestId);
            if (f != null) {
                f.complete(after);
            }
        }

        @Override
        public void failed(long requestId, CibError error) {
            CompletableFuture<CibSnapshot> f = waiting.remove(requestId);
            if (f != null) {
                f.completeExceptionally(error);
            }
        }

        @Override
        public void persist(CibSnapshot snapshot) {
            toWrite = snapshot;
            writer.execute(CibService.this::write);
        }

        @Override
        public void changed(CibChange change) {
            cmap.add("stats.cib.updates", 1);
            // current() first: a listener that reads it sees this change (and maybe later ones of the same step)
            current = engine.current();
            syncing = engine.syncing();
            for (CibListener l : listeners) {
                try {
                    l.changed(change);
                } catch (RuntimeException e) {
                    LOG.warn("CIB listener {} failed: {}", l, e.toString());
                }
            }
        }

        @Override
        public void log(boolean warn, String message) {
            if (warn) {
                LOG.warn("{}", message);
            } else {
                LOG.info("{}", message);
            }
        }
    }

    /** Multicasts what waits; on back-pressure, tries again shortly. Engine thread. */
    private void flush() {
        while (!outbox.isEmpty()) {
            if (!group.mcast(outbox.peek())) {
                if (!flushScheduled) {
                    flushScheduled = true;
                    thread.schedule(() -> {
                        flushScheduled = false;
                        flush();
                    }, 5, TimeUnit.MILLISECONDS);
                }
                return;
            }
            outbox.poll();
        }
    }

    /** Writer thread: writes the newest copy handed over, then tells the engine. */
    private void write() {
        CibSnapshot s = toWrite;
        if (s == null) {
            return;
        }
        toWrite = null;
        try {
            store.write(s);
            cmap.add("stats.cib.writes", 1);
            long at = ++writes;
            thread.execute(guarded("a completed write", () -> {
                engine.persisted(s.version());
                afterStep();
            }));
            // when writes stop for a while, the snapshot catches up with the log
            writer.schedule(() -> {
                if (writes == at) {
                    try {
                        store.snapshotIfBehind();
                    } catch (IOException e) {
                        LOG.warn("CIB: rewriting the snapshot failed: {} (the log keeps every change)",
                            e.getMessage());
                    }
                }
            }, SNAPSHOT_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            cmap.add("stats.cib.write_failures", 1);
            LOG.error("CIB: {} (version {} is not on disk; updates wait for a successful write)", e.getMessage(),
                s.version());
            if (toWrite == null) {
                toWrite = s;
            }
            writer.schedule(this::write, 1, TimeUnit.SECONDS);
        }
    }

    private void publish() {
        CibSnapshot s = current;
        cmap.set("runtime.cib.version", CmapType.STRING, s.version().toString());
        cmap.set("runtime.cib.admin_epoch", CmapType.UINT64, s.version().adminEpoch());
        cmap.set("runtime.cib.epoch", CmapType.UINT64, s.version().epoch());
        cmap.set("runtime.cib.num_updates", CmapType.UINT64, s.version().numUpdates());
        cmap.set("runtime.cib.syncing", CmapType.UINT8, syncing ? 1L : 0L);
    }

    /** True once the disk writer has stopped (after {@link #stop()}; for the tests). */
    boolean writerStopped() {
        return writer.isTerminated();
    }

    /** The store's directory (for commands that show where the CIB lives). */
    public Path directory() {
        return store.directory();
    }
}
