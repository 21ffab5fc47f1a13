package org.vigil.crm.cib.internal.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.validate.CibValidator;

/**
 * The real {@link CibEngine} on a member alone, with no ring and no disk: its multicasts are delivered straight back
 * to it and every disk write is confirmed at once, on the caller's thread. What a file's CIB ({@code CIB_file}) and the
 * tests' loopback CIB are built on. Not thread-safe: its owner synchronizes.
 */
public final class SoloEngine {

    private final CibEngine.Member self;
    private final String nodeName;
    private final CibEngine engine;
    private final Deque<byte[]> wire = new ArrayDeque<>();
    private final Deque<CibSnapshot> disk = new ArrayDeque<>();
    private final Map<Long, CompletableFuture<CibSnapshot>> waiting = new HashMap<>();
    private final List<CibListener> listeners = new CopyOnWriteArrayList<>();
    private final BiConsumer<Boolean, String> log;
    private long ids;

    /**
     * A member {@code self} named {@code nodeName} holding {@code initial}, alone in its configuration;
     * {@code log} gets what the engine logs (warning or not, the message).
     */
    public SoloEngine(CibEngine.Member self, String nodeName, XmlNode initial, BiConsumer<Boolean, String> log) {
        this.self = self;
        this.nodeName = nodeName;
        this.log = log;
        engine = new CibEngine(self, nodeName, new CibSnapshot(initial), CibValidator.standard(), new Out());
        engine.configurationChanged(List.of(self));
        drain();
    }

    /** The engine itself (for tests that play other members). */
    public CibEngine engine() {
        return engine;
    }

    /** The member this engine is. */
    public CibEngine.Member self() {
        return self;
    }

    /** The node name the engine records as {@code update-origin}. */
    public String nodeName() {
        return nodeName;
    }

    /** The messages the engine multicast that were not delivered back yet (tests take them off to reorder them). */
    public Deque<byte[]> wire() {
        return wire;
    }

    /** Hands a request to the engine; the future completes once {@link #drain()} delivered what it sent. */
    public CompletableFuture<CibSnapshot> request(CibRequest request, long nowMillis) {
        long id = ++ids;
        CompletableFuture<CibSnapshot> f = new CompletableFuture<>();
        waiting.put(id, f);
        engine.request(id, request, nowMillis);
        return f;
    }

    /** Delivers every message on the wire and confirms every disk write, until none is left. */
    public void drain() {
        while (!wire.isEmpty() || !disk.isEmpty()) {
            if (!wire.isEmpty()) {
                engine.delivered(self, nodeName, wire.poll());
            } else {
                engine.persisted(disk.poll().version());
            }
        }
    }

    /** Registers a listener of changes; closing the result removes it. */
    public AutoCloseable listen(CibListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The failure a request the engine left unanswered gets. */
    public static CibError unanswered(String what) {
        return new CibError(CibError.ERROR, "Internal error", what);
    }

    private final class Out implements CibEngine.Output {
        @Override
        public void multicast(byte[] message) {
            wire.add(message);
        }

        @Override
        public void completed(long requestId, CibSnapshot after) {
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
            disk.add(snapshot);
        }

        @Override
        public void changed(CibChange change) {
            for (CibListener l : listeners) {
                l.changed(change);
            }
        }

        @Override
        public void log(boolean warn, String message) {
            log.accept(warn, message);
        }
    }
}
