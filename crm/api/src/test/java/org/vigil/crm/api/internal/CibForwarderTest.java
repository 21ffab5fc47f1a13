package org.vigil.crm.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.CibBackend;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;

/**
 * A swap of {@code crm-cib} as the holder sees it: the old backend goes, updates come meanwhile, the new backend
 * starts from its disk copy and syncs with the group, which applied other nodes' updates meanwhile. The components
 * behind the holder must see one continuous CIB (no step back to the disk copy), be told what they missed once, and
 * every update must be applied exactly once, by one backend.
 */
class CibForwarderTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    /** Every update any backend applied, in order: the group's log. */
    private final List<String> applied = new CopyOnWriteArrayList<>();
    private final List<CibChange> told = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private CibForwarder forwarder(long holdMs) {
        CibForwarder f = new CibForwarder(timer, holdMs, lines::add);
        return f;
    }

    static CibSnapshot snap(long epoch, long numUpdates, String... writes) {
        XmlNode cfg = XmlNode.of("crm_config");
        for (String w : writes) {
            cfg = cfg.plusChild(XmlNode.of("cluster_property_set", "id", w));
        }
        return new CibSnapshot(XmlNode.of("cib", "admin_epoch", "0", "epoch", Long.toString(epoch), "num_updates",
            Long.toString(numUpdates)).plusChild(XmlNode.of("configuration").plusChild(cfg)));
    }

    static CibRequest write(String id) {
        return CibRequest.of(CibRequest.Op.CREATE, "crm_config", XmlNode.of("cluster_property_set", "id", id), id);
    }

    /** A CIB revision: applies updates at once (the group's order is the call order), tells its listeners. */
    final class Fake implements CibBackend {
        final String name;
        volatile CibSnapshot copy;
        volatile boolean syncing;
        volatile boolean stopping;
        final List<CibListener> listeners = new CopyOnWriteArrayList<>();
        final List<Runnable> onSynced = new ArrayList<>();
        final List<String> received = new CopyOnWriteArrayList<>();

        Fake(String name, CibSnapshot copy, boolean syncing) {
            this.name = name;
            this.copy = copy;
            this.syncing = syncing;
        }

        @Override
        public CibSnapshot current() {
            return copy;
        }

        @Override
        public boolean syncing() {
            return syncing;
        }

        @Override
        public CompletionStage<CibSnapshot> update(CibRequest request) {
            if (stopping) {
                throw new RejectedExecutionException(name + " is stopping");
            }
            received.add(request.client());
            return CompletableFuture.completedFuture(apply(request.client()));
        }

        /** An update applied by this copy (a local request, or another node's through the group). */
        CibSnapshot apply(String id) {
            applied.add(id);
            CibSnapshot before = copy;
            XmlNode cfg = before.configuration().firstChild("crm_config")
                .plusChild(XmlNode.of("cluster_property_set", "id", id));
            CibSnapshot after = new CibSnapshot(before.root().with("epoch", Long.toString(before.version().epoch() + 1))
                .withChildren(List.of(XmlNode.of("configuration").plusChild(cfg))));
            copy = after;
            for (CibListener l : listeners) {
                l.changed(new CibChange(before, after, XmlNode.of("diff", "from", before.version().toString()), id,
                    id, false));
            }
            return after;
        }

        /** The sync round ends with the group's copy {@code group} (a replace, told as a sync, when it differs). */
        void synced(CibSnapshot group) {
            CibSnapshot before = copy;
            copy = group;
            if (!before.digest().equals(group.digest())) {
                for (CibListener l : listeners) {
                    l.changed(new CibChange(before, group, XmlNode.of("diff", "sync", "true"), null, null, true));
                }
            }
            syncing = false;
            List<Runnable> tasks = new ArrayList<>(onSynced);
            onSynced.clear();
            tasks.forEach(Runnable::run);
        }

        @Override
        public AutoCloseable listen(CibListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        @Override
        public void whenSynced(Runnable task) {
            if (syncing) {
                onSynced.add(task);
            } else {
                task.run();
            }
        }

        @Override
        public XmlNode diff(CibSnapshot from, CibSnapshot to) {
            return XmlNode.of("diff", "by", name, "from", from.version().toString(), "to", to.version().toString());
        }
    }

    @Test
    void aSwapIsOneContinuousCibToTheComponentsAndEveryHeldUpdateIsAppliedOnceByTheNewRevision() throws Exception {
        CibForwarder f = forwarder(60_000);
        Fake old = new Fake("old", snap(1, 0), false);
        f.bind(old);
        assertTrue(f.started());
        f.listen(told::add);
        f.update(write("w1")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("w1"), old.received);
        assertEquals(1, told.size());
        CibSnapshot lastTold = told.get(0).after();

        // the old revision goes: its service first (the holder's unbind), then it stops
        f.unbind(old);
        old.stopping = true;
        CompletableFuture<CibSnapshot> w2 = f.update(write("w2")).toCompletableFuture();
        assertFalse(w2.isDone(), "held while there is no CIB");
        assertSame(lastTold, f.current(), "the components read the copy they were told of last");
        assertTrue(f.syncing());
        // the group goes on meanwhile: another node's write
        CibSnapshot group = snap(lastTold.version().epoch() + 1, 0, "w1", "x");

        // the new revision: its disk copy (older than what the components saw), then its first sync round
        Fake next = new Fake("next", snap(1, 0), true);
        f.bind(next);
        assertSame(lastTold, f.current(), "not the new revision's disk copy, which is older");
        assertTrue(f.syncing());
        CompletableFuture<CibSnapshot> w3 = f.update(write("w3")).toCompletableFuture();
        assertEquals(List.of(), next.received, "nothing is given to a CIB before its copy is the group's");
        next.synced(group);

        // told once: from what they saw to the group's copy, as an update (the new revision's sync is not told);
        // then the held updates' own changes
        assertEquals(4, told.size(), "changes told: " + told);
        assertEquals(List.of("w2", "w3"), List.of(told.get(2).client(), told.get(3).client()));
        CibChange missed = told.get(1);
        assertSame(lastTold, missed.before());
        assertEquals(group.digest(), missed.after().digest());
        assertFalse(missed.sync(), "the copy moved forward: an update, not a replace");
        assertEquals("next", missed.patchset().attribute("by"));
        // then the held updates, in the order they came, once each
        assertEquals(List.of("w2", "w3"), next.received);
        assertEquals(List.of("w1", "w2", "w3"), applied);
        assertTrue(w2.get(10, TimeUnit.SECONDS).root().toString().contains("w2"));
        assertTrue(w3.isDone());
        assertEquals(2, f.handedOver());
        assertFalse(f.syncing());
        assertSame(next.current(), f.current());
        // and from now on straight through
        f.update(write("w4")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("w2", "w3", "w4"), next.received);
        assertEquals(5, told.size());
        assertEquals(List.of(), old.received.subList(1, old.received.size()), "nothing more went to the old one");
    }

    @Test
    void anUpdateTheStoppingRevisionRefusesGoesToTheNextOneOnce() throws Exception {
        CibForwarder f = forwarder(60_000);
        Fake old = new Fake("old", snap(1, 0), false);
        f.bind(old);
        old.stopping = true;   // stopping, its unbind not yet seen: it refuses before sending anything
        CompletableFuture<CibSnapshot> w = f.update(write("w")).toCompletableFuture();
        assertFalse(w.isDone());
        assertEquals(List.of(), old.received);
        f.unbind(old);
        Fake next = new Fake("next", snap(1, 0), true);
        f.bind(next);
        next.synced(old.current());
        w.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("w"), next.received);
        assertEquals(List.of("w"), applied);
    }

    @Test
    void whatTheOldRevisionStillAppliesWhileItDrainsIsToldUntilTheNextOneComes() throws Exception {
        CibForwarder f = forwarder(60_000);
        Fake old = new Fake("old", snap(1, 0), false);
        f.bind(old);
        f.listen(told::add);
        f.unbind(old);
        old.apply("draining");   // an update it took before, applied while it drains
        assertEquals(1, told.size());
        assertEquals(old.current(), f.current());
        Fake next = new Fake("next", snap(1, 0), true);
        f.bind(next);
        old.apply("late");   // cannot happen (it stopped before the next started); not told if it did
        assertEquals(1, told.size());
        next.synced(snap(2, 0, "draining"));
        // nothing changed meanwhile (same copy): nothing more to tell
        assertEquals(1, told.size(), "told: " + told);
        assertTrue(lines.stream().anyMatch(l -> l.contains("nothing changed meanwhile")), "" + lines);
    }

    @Test
    void aNewRevisionAlreadyInLineWhenBoundIsReconciledAtOnce() throws Exception {
        CibForwarder f = forwarder(60_000);
        Fake old = new Fake("old", snap(1, 0), false);
        f.bind(old);
        f.listen(told::add);
        f.unbind(old);
        CompletableFuture<CibSnapshot> w = f.update(write("w")).toCompletableFuture();
        Fake next = new Fake("next", snap(3, 0, "x"), false);
        f.bind(next);
        assertEquals(2, told.size(), "the missed change, then the held update's: " + told);
        assertEquals("x", told.get(0).after().configuration().firstChild("crm_config").children().get(0).id());
        assertEquals("w", told.get(1).client());
        assertEquals(List.of("w"), next.received);
        w.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCopyThatWentBackIsToldAsASync() {
        CibForwarder f = forwarder(60_000);
        Fake old = new Fake("old", snap(5, 3), false);
        f.bind(old);
        f.listen(told::add);
        f.unbind(old);
        Fake next = new Fake("next", snap(5, 0), true);
        f.bind(next);
        next.synced(snap(5, 0));   // alone in its group: the disk copy (num_updates is not on disk) stays
        assertEquals(1, told.size());
        assertTrue(told.get(0).sync(), "the components must read it again as a whole");
    }

    @Test
    void anUpdateHeldTooLongFailsAsNotConnectedAndOneHeldWhenTheNodeStopsFailsAtOnce() throws Exception {
        CibForwarder f = forwarder(50);
        Fake old = new Fake("old", snap(1, 0), false);
        f.bind(old);
        f.unbind(old);
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> f.update(write("w")).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(CibError.NOT_CONNECTED, assertInstanceOf(CibError.class, e.getCause()).exitCode());

        CibForwarder g = forwarder(60_000);
        g.bind(old);
        g.unbind(old);
        CompletableFuture<CibSnapshot> held = g.update(write("h")).toCompletableFuture();
        g.close();
        assertTrue(held.isCompletedExceptionally());
        assertTrue(g.update(write("after")).toCompletableFuture().isCompletedExceptionally());
        assertEquals(List.of(), applied);
    }

    @Test
    void beforeTheFirstBackendThereIsNothing() {
        CibForwarder f = forwarder(60_000);
        assertFalse(f.started());
        assertNull(f.current());
    }
}
