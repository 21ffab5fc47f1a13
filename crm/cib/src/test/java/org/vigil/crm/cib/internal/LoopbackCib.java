package org.vigil.crm.cib.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.engine.CibEngine;
import org.vigil.crm.cib.internal.engine.SoloEngine;

/**
 * A one-node, in-memory {@link Cib} for tests: the real {@link CibEngine} (operations, validation, patchsets,
 * version rules) with its multicasts delivered straight back to it and every disk write confirmed at once, driven
 * synchronously on the caller's thread. {@link #update} returns a stage that is already complete.
 *
 * <p>What it leaves out is the ring and the disk (the replication is tested by the engine's simulator and the
 * service's integration tests); commands see exactly the answers a node gives.
 */
public final class LoopbackCib implements Cib {

    private static final CibEngine.Member SELF = new CibEngine.Member(1, 100);

    private final SoloEngine solo;
    private final List<String> log = new ArrayList<>();
    private int unanswered;
    /** While set, multicasts wait on the wire until {@link #release()}: updates are made but not yet applied. */
    private boolean holding;
    /** The wall clock the engine is given (fixed, so results are reproducible). */
    private long nowMillis = 1_700_000_000_000L;

    /** A CIB holding {@code initial}, on a node named {@code node1}. */
    public LoopbackCib(XmlNode initial) {
        this(initial, "node1");
    }

    public LoopbackCib(XmlNode initial, String nodeName) {
        synchronized (this) {
            solo = new SoloEngine(SELF, nodeName, initial, (warn, message) -> log.add((warn ? "WARN " : "INFO ")
                + message));
        }
    }

    @Override
    public synchronized CibSnapshot current() {
        return solo.engine().current();
    }

    @Override
    public synchronized CompletionStage<CibSnapshot> update(CibRequest request) {
        CompletableFuture<CibSnapshot> f = solo.request(request, nowMillis);
        if (holding) {
            return f;
        }
        solo.drain();
        if (!f.isDone()) {
            unanswered++;
            f.completeExceptionally(SoloEngine.unanswered("the loopback engine left the request unanswered"));
        }
        return f;
    }

    @Override
    public AutoCloseable listen(CibListener listener) {
        return solo.listen(listener);
    }

    @Override
    public synchronized boolean syncing() {
        return solo.engine().syncing();
    }

    /**
     * Holds (or stops holding) the engine's multicasts: an update is computed on the copy of the moment it is made
     * and applied only when {@link #release()} delivers it, as on a ring where messages take time. Its stage
     * completes then.
     */
    public synchronized void hold(boolean hold) {
        holding = hold;
    }

    /** Delivers what is on the wire (and what that makes the engine send); returns how many messages went. */
    public synchronized int release() {
        int n = solo.wire().size();
        solo.drain();
        return n;
    }

    /**
     * Another member with {@code copy} (a higher version) meets this one and its copy wins the sync round, as when
     * a partition heals and the other side's copy is newer: this node's copy is replaced by it through the engine's
     * own sync path (listeners hear a change with {@code sync} set), then the other member leaves again.
     */
    public synchronized void replaceBySync(XmlNode copy) {
        solo.drain();
        CibEngine engine = solo.engine();
        CibEngine.Member other = new CibEngine.Member(2, 200);
        engine.configurationChanged(List.of(SELF, other));
        byte[] start = solo.wire().poll();   // this member coordinates (lowest id): its start names the round
        String round;
        try {
            round = org.vigil.crm.cib.internal.engine.CibMessages.decode(start).attribute("round");
        } catch (org.vigil.crm.api.CibException e) {
            throw new IllegalStateException(e);
        }
        engine.delivered(SELF, solo.nodeName(), start);
        CibSnapshot theirs = new CibSnapshot(copy);
        engine.delivered(other, "peer", org.vigil.crm.cib.internal.engine.CibMessages.encode(XmlNode.of("vigil-cib",
            "op", "hello", "round", round, "version", theirs.version().toString(), "digest", theirs.digest(),
            "node", "peer")));
        solo.drain();   // this member's hello: the other's copy wins
        engine.delivered(other, "peer", org.vigil.crm.cib.internal.engine.CibMessages.encode(XmlNode.of("vigil-cib",
            "op", "sync", "round", round, "version", theirs.version().toString()).plusChild(copy)));
        solo.drain();
        engine.configurationChanged(List.of(SELF));
        solo.drain();
    }

    /** The node name the engine records as {@code update-origin}. */
    public String nodeName() {
        return solo.nodeName();
    }

    /**
     * Requests the engine left unanswered (each was failed here with "Internal error"): on a node, the client would
     * wait for its timeout.
     */
    public synchronized int unanswered() {
        return unanswered;
    }

    /** What the engine logged. */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }
}
