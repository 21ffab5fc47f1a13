package org.vigil.crm.attrd.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.attrd.Attrd;
import org.vigil.crm.api.attrd.AttrdError;
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.attrd.AttributeValue;
import org.vigil.crm.api.cib.Cib;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;

/**
 * The node's {@link Attrd}: an {@link AttrdEngine} on a thread of its own ({@code vigil-attrd}), writing through
 * the node's {@link Cib}.
 *
 * <p>When it first starts in a node process it deletes the node's transient attributes from the CIB, as
 * Pacemaker's attrd does at start, and records that in cmap ({@value #ERASED_KEY} = 1), so a later revision of
 * this bundle (an upgrade) keeps them and reads them back from the CIB. When it stops it writes every held value
 * at once, ignoring dampening, so nothing but private values is lost across an upgrade.
 */
@Component(service = Attrd.class, immediate = true)
public final class AttrdService implements Attrd {

    /** cmap key set once this node process's transient attributes were cleared at the first start. */
    static final String ERASED_KEY = "runtime.attrd.transient_cleared";
    private static final long CALL_TIMEOUT_MS = 30_000;
    private static final long STOP_FLUSH_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger("vigil.ATTRD");

    private final ScheduledExecutorService thread;
    private final AttrdEngine engine;
    private final AutoCloseable listening;

    @Activate
    public AttrdService(@Reference VigilNode node, @Reference Cib cib, @Reference Cmap cmap) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-attrd");
            t.setDaemon(true);
            return t;
        });
        AttrdEngine.Scheduler scheduler = new AttrdEngine.Scheduler() {
            @Override
            public void execute(Runnable task) {
                thread.execute(guarded(task));
            }

            @Override
            public Runnable schedule(Runnable task, long delayMs) {
                ScheduledFuture<?> f = thread.schedule(guarded(task), delayMs, TimeUnit.MILLISECONDS);
                return () -> f.cancel(false);
            }
        };
        engine = new AttrdEngine(cib, scheduler, names(node));
        boolean erased = cmap.get(ERASED_KEY).isPresent();
        if (erased) {
            LOG.info("attrd: started again in a running node: keeping this node's transient attributes in the CIB");
        } else {
            thread.execute(() -> engine.eraseOwnTransientAttributes()
                .thenRun(() -> cmap.set(ERASED_KEY, CmapType.UINT8, 1L)));
        }
        listening = cib.listen(change -> {
            if (change.sync()) {
                scheduler.execute(() -> engine.copyReplacedBySync(change.after()));
            }
        });
    }

    @Deactivate
    void deactivate() {
        try {
            listening.close();
        } catch (Exception e) {
            LOG.debug("attrd: {}", e.toString());
        }
        try {
            CompletableFuture<Void> flushed = call(engine::flushAll);
            flushed.get(STOP_FLUSH_MS, TimeUnit.MILLISECONDS);
        } catch (AttrdError | ExecutionException | TimeoutException e) {
            LOG.warn("attrd: stopping before every held value was written: {}", AttrdEngine.rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            thread.shutdownNow();
        }
    }

    @Override
    public CompletionStage<Void> update(AttributeUpdate update) throws AttrdError {
        return call(() -> engine.update(update));
    }

    @Override
    public List<AttributeValue> query(String name, String node) throws AttrdError {
        return call(() -> engine.query(name, node));
    }

    @Override
    public CompletionStage<Void> refresh() {
        try {
            return call(engine::refresh);
        } catch (AttrdError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Cleared clearFailures(String resource, String operation, long intervalMs, String node) throws AttrdError {
        Map.Entry<List<AttributeValue>, CompletableFuture<Void>> r = call(() -> engine.clearFailures(resource,
            operation, intervalMs, node));
        return new Cleared(r.getKey(), r.getValue());
    }

    @Override
    public String localNode() {
        return engine.localName();
    }

    /** Runs {@code c} on the engine's thread and waits for it. */
    private <T> T call(Callable<T> c) throws AttrdError {
        try {
            return thread.submit(c).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AttrdError a) {
                throw a;
            }
            throw new AttrdError(AttrdError.ERROR, "attrd failed: " + AttrdEngine.rootMessage(e));
        } catch (TimeoutException e) {
            throw new AttrdError(AttrdError.TIMEOUT, "attrd did not answer within " + CALL_TIMEOUT_MS / 1000 + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttrdError(AttrdError.ERROR, "interrupted");
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new AttrdError(AttrdError.ERROR, "attrd is stopping");
        }
    }

    /** The node names and ids of this node's cluster (the corosync node id in decimal is a node's CIB id). */
    public static NodeNames names(VigilNode node) {
        List<NodeNames.KnownNode> known = new ArrayList<>();
        for (VigilConfig.Node n : node.config().nodes()) {
            if (n.name() != null) {
                known.add(new NodeNames.KnownNode(n.name(), Integer.toUnsignedString(n.nodeId())));
            }
        }
        return new NodeNames(node.name(), Integer.toUnsignedString(node.nodeId()), known);
    }

    private static Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("attrd: internal error", e);
            }
        };
    }
}
