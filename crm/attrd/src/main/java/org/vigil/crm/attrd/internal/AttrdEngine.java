package org.vigil.crm.attrd.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.attrd.AttrdError;
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.attrd.AttributeUpdate.Lifetime;
import org.vigil.crm.api.attrd.AttributeValue;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;

/**
 * The node attribute manager: held values, dampening timers and the CIB writes, as the {@link
 * org.vigil.crm.api.attrd.Attrd} contract describes them. Pure of threads and clocks: every method runs on the
 * one thread of its {@link Scheduler}, which also runs its timers and the continuations of its CIB writes, so a
 * test drives it with virtual time.
 *
 * <p>Not thread-safe: confined to the scheduler's thread.
 */
public final class AttrdEngine {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.ATTRD");

    /** How long a failed write of an attribute without a delay waits before it is tried again (Pacemaker's). */
    static final long RETRY_MS = 2000;
    /** The client name CIB writes are made under, as Pacemaker's attrd makes them. */
    static final String CLIENT = "attrd";

    /** The engine's thread: runs tasks in order, and timers. */
    public interface Scheduler extends Executor {
        /** Runs {@code task} on this thread after {@code delayMs}; the result cancels it if it has not run. */
        Runnable schedule(Runnable task, long delayMs);
    }

    private record DefKey(Lifetime lifetime, String name) {
    }

    private record Key(Lifetime lifetime, String nodeId, String name) {
    }

    /** What the engine knows of an attribute: Pacemaker's {@code attribute_t} less the values. */
    private static final class Definition {
        long delayMs;
        final String set;
        final boolean isPrivate;
        final String user;

        Definition(long delayMs, String set, boolean isPrivate, String user) {
            this.delayMs = delayMs;
            this.set = set;
            this.isPrivate = isPrivate;
            this.user = user;
        }
    }

    /** A value this node holds: not yet written (or being written), or private. */
    private static final class Held {
        final Key key;
        final String node;
        String value;
        long generation;
        /** True when it is to go out with the next write of its section. */
        boolean due;
        /** The dampening (or retry) timer, when one runs. */
        Runnable timer;
        /** The generation a write in flight carries, or -1. */
        long writing = -1;
        List<CompletableFuture<Void>> waiters = new ArrayList<>();

        Held(Key key, String node) {
            this.key = key;
            this.node = node;
        }
    }

    private final Cib cib;
    private final Scheduler scheduler;
    private final NodeNames nodes;
    private final String localName;
    private final String localId;
    private final Map<DefKey, Definition> defs = new HashMap<>();
    private final Map<Key, Held> held = new LinkedHashMap<>();
    private final Map<Lifetime, Boolean> inFlight = new EnumMap<>(Lifetime.class);
    private final Map<Lifetime, Boolean> flushPosted = new EnumMap<>(Lifetime.class);
    private boolean erasing;
    /** True once the start-time erase was asked for. */
    private boolean erasedAtStart;
    /** True once this engine took a transient value of the local node (later erases would lose it). */
    private boolean ownValueTaken;
    /**
     * The copy a write of ours completed with, while {@link Cib#current()} may not show it yet (the CIB completes
     * a request before it publishes the copy): reads take whichever is newer.
     */
    private CibSnapshot newest;
    /** CIB updates sent (for the log and tests). */
    private long updatesSent;
    /**
     * This node's own transient values as this engine last wrote them: after a sync replaces the CIB copy (a
     * partition healing, where the other side's copy won) they are written again, as Pacemaker's attrd writes its
     * attributes again when the CIB is replaced ({@code attrd_cib_replaced_cb}).
     */
    private final Map<Key, String> ownWritten = new LinkedHashMap<>();

    /**
     * @param cib       where values are written and read
     * @param scheduler the engine's thread
     * @param nodes     node names and ids
     */
    /** A sync replaced the CIB copy while the start-time erase was in flight (checked when it completes). */
    private boolean syncDuringErase;

    public AttrdEngine(Cib cib, Scheduler scheduler, NodeNames nodes) {
        this.cib = cib;
        this.scheduler = scheduler;
        this.nodes = nodes;
        this.localName = nodes.localName();
        this.localId = nodes.localId();
        for (Lifetime l : Lifetime.values()) {
            inFlight.put(l, false);
            flushPosted.put(l, false);
        }
    }

    public String localName() {
        return localName;
    }

    /** CIB updates this engine has sent. */
    public long updatesSent() {
        return updatesSent;
    }

    /**
     * Deletes this node's transient attributes from the CIB ({@code attrd_erase_attrs}); writes wait until that is
     * done.
     *
     * @return completes when the CIB no longer holds them (or the delete failed: logged)
     */
    public CompletableFuture<Void> eraseOwnTransientAttributes() {
        erasing = true;
        erasedAtStart = true;
        String xpath = CibForm.transientXPath(localId);
        LOG.info("attrd: clearing this node's transient attributes from the CIB (xpath={})", xpath);
        CompletableFuture<Void> done = new CompletableFuture<>();
        updatesSent++;
        cib.update(new CibRequest(CibRequest.Op.DELETE, null, xpath, null, Set.of(), CLIENT, "root"))
            .whenComplete((s, e) -> scheduler.execute(() -> {
                seen(s);
                if (e != null) {
                    LOG.warn("attrd: clearing this node's transient attributes failed: {}", rootMessage(e));
                }
                erasing = false;
                if (syncDuringErase) {
                    // the delete ran on the copy the sync then replaced: check the cluster's copy it installed
                    syncDuringErase = false;
                    if (!ownValueTaken && CibForm.holder(root(), Lifetime.REBOOT, localId) != null) {
                        LOG.info("attrd: our CIB copy was replaced by the cluster's while this node's transient "
                            + "attributes were being cleared, and it holds them from before this node started: "
                            + "clearing them again");
                        eraseOwnTransientAttributes();   // its completion flushes what waits
                        done.complete(null);
                        return;
                    }
                }
                for (Lifetime l : Lifetime.values()) {
                    flush(l);
                }
                done.complete(null);
            }));
        return done;
    }

    /**
     * Our CIB copy was replaced by the cluster's in a sync (a node joining: its copy loses to a higher version).
     * The cluster's copy may hold this node's transient attributes from before it restarted, which the start-time
     * erase could not reach when it ran on the node's own copy before the sync: until this engine has taken a value
     * of its own node, such attributes are erased again.
     *
     * @param after the copy the sync installed
     */
    public void copyReplacedBySync(CibSnapshot after) {
        seen(after);   // the CIB tells its listeners before it publishes the copy
        if (erasing && erasedAtStart && !ownValueTaken) {
            // the start-time erase is in flight on the copy this sync replaced: look again once it is done (a node
            // whose ring opens before its CRM starts gets the cluster's copy just as its attrd starts)
            syncDuringErase = true;
        }
        if (!erasedAtStart || ownValueTaken || erasing) {
            rewriteOwn(after.root());
            return;
        }
        XmlNode h = CibForm.holder(root(), Lifetime.REBOOT, localId);
        if (h != null) {
            LOG.info("attrd: our CIB copy was replaced by the cluster's, which holds this node's transient attributes "
                + "from before it started: clearing them again");
            eraseOwnTransientAttributes();
        }
    }

    /** Writes again this node's own transient values that the copy a sync installed lacks or holds otherwise. */
    private void rewriteOwn(XmlNode root) {
        int n = 0;
        for (Map.Entry<Key, String> e : ownWritten.entrySet()) {
            Key key = e.getKey();
            if (held.containsKey(key)) {
                continue;   // a newer value is on its way anyway
            }
            Definition def = defs.get(new DefKey(key.lifetime(), key.name()));
            if (def == null || def.isPrivate) {
                continue;
            }
            if (e.getValue().equals(cibValue(root, key, def))) {
                continue;
            }
            Held h = new Held(key, localName);
            h.value = e.getValue();
            h.generation = 1;
            h.due = true;
            held.put(key, h);
            n++;
        }
        if (n > 0) {
            LOG.info("attrd: our CIB copy was replaced by the cluster's, which lacks {} value(s) of this node: writing "
                + "them again", n);
            postFlush(Lifetime.REBOOT);
        }
    }

    // ---- updates -------------------------------------------------------------------------------------------

    /** See {@link org.vigil.crm.api.attrd.Attrd#update}. */
    public CompletableFuture<Void> update(AttributeUpdate u) throws AttrdError {
        XmlNode root = root();
        String nodeId = nodes.idOf(root, u.node());
        if (nodeId == null) {
            throw new AttrdError(AttrdError.NOSUCH, "no node named '" + u.node() + "' in the cluster");
        }
        String node = nodes.nameOf(root, nodeId);
        DefKey dk = new DefKey(u.lifetime(), u.name());
        Definition def = defs.get(dk);
        if (def == null) {
            if (!u.setsValue() && !existsInCib(root, u.lifetime(), u.name())) {
                throw new AttrdError(AttrdError.NOSUCH, "Attribute " + u.name() + " does not exist");
            }
            def = new Definition(u.delay() == null ? 0 : u.delay().toMillis(), u.set(), u.isPrivate(), u.user());
            defs.put(dk, def);
            LOG.debug("attrd: created attribute {} with {} write delay", u.name(), describe(def.delayMs));
        } else if (u.delay() != null && u.delay().toMillis() != def.delayMs) {
            LOG.info("attrd: delay of {} changed from {} to {}: writing its held values now", u.name(),
                describe(def.delayMs), describe(u.delay().toMillis()));
            def.delayMs = u.delay().toMillis();
            for (Held h : held.values()) {
                if (h.key.lifetime() == u.lifetime() && h.key.name().equals(u.name()) && h.timer != null) {
                    cancelTimer(h);
                    h.due = true;
                }
            }
            postFlush(u.lifetime());
        }
        if (!u.setsValue()) {
            return CompletableFuture.completedFuture(null);
        }
        return set(def, new Key(u.lifetime(), nodeId, u.name()), node, u.value(), root);
    }

    /** Sets one node's value: expanded against the current one, held, and written now or when its timer fires. */
    private CompletableFuture<Void> set(Definition def, Key key, String node, String requested, XmlNode root) {
        if (key.lifetime() == Lifetime.REBOOT && key.nodeId().equals(localId)) {
            ownValueTaken = true;
        }
        Held h = held.get(key);
        String current = h != null ? h.value : def.isPrivate ? null : cibValue(root, key, def);
        String value = Values.expand(requested, current);
        if (Values.needsExpansion(requested)) {
            LOG.info("attrd: expanded {}={} to {}", key.name(), requested, value);
        }
        if (current == null ? value == null : current.equalsIgnoreCase(String.valueOf(value))) {
            LOG.trace("attrd: unchanged {}[{}]={}", key.name(), node, value);
            if (h == null && !def.isPrivate && key.lifetime() == Lifetime.REBOOT && key.nodeId().equals(localId)) {
                // the CIB already holds it (the executor writes fail counts with its result): still this node's
                // value, written again if a sync replaces the copy with one that lacks it
                if (value == null) {
                    ownWritten.remove(key);
                } else {
                    ownWritten.put(key, value);
                }
            }
            return CompletableFuture.completedFuture(null);
        }
        LOG.info("attrd: setting {}[{}]: {} -> {} with {} write delay{}", key.name(), node,
            current == null ? "(unset)" : current, value == null ? "(unset)" : value, describe(def.delayMs),
            def.isPrivate ? " (private)" : "");
        if (h == null) {
            h = new Held(key, node);
            held.put(key, h);
        }
        h.value = value;
        h.generation++;
        if (def.isPrivate) {
            if (value == null) {
                held.remove(key);
            }
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        h.waiters.add(written);
        cancelTimer(h);
        if (def.delayMs > 0) {
            h.due = false;
            Held hh = h;
            h.timer = scheduler.schedule(() -> {
                hh.timer = null;
                hh.due = true;
                postFlush(key.lifetime());
            }, def.delayMs);
        } else {
            h.due = true;
            postFlush(key.lifetime());
        }
        return written;
    }

    /** See {@link org.vigil.crm.api.attrd.Attrd#refresh}: every held value due now. */
    public CompletableFuture<Void> refresh() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        int n = 0;
        for (Held h : held.values()) {
            if (defs.get(new DefKey(h.key.lifetime(), h.key.name())).isPrivate) {
                continue;
            }
            cancelTimer(h);
            h.due = true;
            CompletableFuture<Void> f = new CompletableFuture<>();
            h.waiters.add(f);
            all.add(f);
            n++;
        }
        LOG.info("attrd: refresh: writing {} held value(s) now", n);
        for (Lifetime l : Lifetime.values()) {
            postFlush(l);
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
    }

    /** See {@link org.vigil.crm.api.attrd.Attrd#clearFailures}. */
    public Map.Entry<List<AttributeValue>, CompletableFuture<Void>> clearFailures(String resource, String operation,
                                                                                   long intervalMs, String node)
        throws AttrdError {
        XmlNode root = root();
        Set<String> nodeIds = new TreeSet<>();
        Map<String, Map<String, String>> inCib = CibForm.transientAttributes(root);
        if (node != null) {
            String id = nodes.idOf(root, node);
            if (id == null) {
                throw new AttrdError(AttrdError.NOSUCH, "no node named '" + node + "' in the cluster");
            }
            nodeIds.add(id);
        } else {
            nodeIds.addAll(inCib.keySet());
            for (Key k : held.keySet()) {
                if (k.lifetime() == Lifetime.REBOOT) {
                    nodeIds.add(k.nodeId());
                }
            }
        }
        Pattern p = failurePattern(resource, operation, intervalMs);
        List<AttributeValue> deleted = new ArrayList<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (String id : nodeIds) {
            Set<String> names = new TreeSet<>(inCib.getOrDefault(id, Map.of()).keySet());
            for (Key k : held.keySet()) {
                if (k.lifetime() == Lifetime.REBOOT && k.nodeId().equals(id)) {
                    names.add(k.name());
                }
            }
            String uname = nodes.nameOf(root, id);
            for (String name : names) {
                if (!p.matcher(name).matches()) {
                    continue;
                }
                Definition def = defs.computeIfAbsent(new DefKey(Lifetime.REBOOT, name),
                    k -> new Definition(0, null, false, null));
                Key key = new Key(Lifetime.REBOOT, id, name);
                Held h = held.get(key);
                String current = h != null ? h.value : def.isPrivate ? null : cibValue(root, key, def);
                if (current != null) {
                    deleted.add(new AttributeValue(uname, id, name, null));
                    writes.add(set(def, key, uname, null, root));
                }
            }
        }
        LOG.info("attrd: cleared failures of {} ({}) on {}: {} attribute(s)",
            resource == null ? "all resources" : resource,
            operation == null ? "all operations" : operation + " " + intervalMs + " ms",
            node == null ? "all nodes" : node, deleted.size());
        return Map.entry(deleted, CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])));
    }

    /**
     * Pacemaker's {@code ATTRD_RE_CLEAR_*} (with the resource and operation taken literally): every fail count and
     * last-failure time, of one resource (also the pre-1.1.17 form without an operation), of one operation.
     */
    static Pattern failurePattern(String resource, String operation, long intervalMs) {
        String prefix = "(fail-count|last-failure)-";
        if (resource == null) {
            return Pattern.compile(prefix + ".*");
        }
        if (operation == null) {
            return Pattern.compile(prefix + Pattern.quote(resource) + "(#.+_[0-9]+)?");
        }
        return Pattern.compile(prefix + Pattern.quote(resource) + "(" + Pattern.quote("#" + operation + "_"
            + intervalMs) + ")?");
    }

    // ---- queries -------------------------------------------------------------------------------------------

    /** See {@link org.vigil.crm.api.attrd.Attrd#query}. */
    public List<AttributeValue> query(String name, String node) throws AttrdError {
        XmlNode root = root();
        Definition def = defs.get(new DefKey(Lifetime.REBOOT, name));
        Map<String, String> values = new TreeMap<>();   // node id -> value
        for (Map.Entry<String, Map<String, String>> e : CibForm.transientAttributes(root).entrySet()) {
            String v = e.getValue().get(name);
            if (v != null) {
                values.put(e.getKey(), def == null ? v : cibValue(root, new Key(Lifetime.REBOOT, e.getKey(), name),
                    def));
            }
        }
        for (Held h : held.values()) {
            if (h.key.lifetime() == Lifetime.REBOOT && h.key.name().equals(name)) {
                values.put(h.key.nodeId(), h.value);
            }
        }
        boolean exists = def != null || values.values().stream().anyMatch(v -> v != null);
        List<AttributeValue> out = new ArrayList<>();
        if (node != null) {
            String id = nodes.idOf(root, node);
            if (id == null) {
                throw new AttrdError(AttrdError.NOSUCH, "no node named '" + node + "' in the cluster");
            }
            if (exists) {
                out.add(new AttributeValue(nodes.nameOf(root, id), id, name, values.get(id)));
            }
            return out;
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue() != null) {
                String id = e.getKey();
                out.add(new AttributeValue(nodes.nameOf(root, id), id, name, e.getValue()));
            }
        }
        out.sort((a, b) -> a.node().compareTo(b.node()));
        return out;
    }

    // ---- writing -------------------------------------------------------------------------------------------

    private void postFlush(Lifetime l) {
        if (!flushPosted.get(l)) {
            flushPosted.put(l, true);
            scheduler.execute(() -> {
                flushPosted.put(l, false);
                flush(l);
            });
        }
    }

    /** Writes every due value of section {@code l} in one CIB update, unless one is in flight (then after it). */
    private void flush(Lifetime l) {
        if (erasing || inFlight.get(l)) {
            return;
        }
        XmlNode root = root();
        List<CibForm.Write> writes = new ArrayList<>();
        List<Held> sent = new ArrayList<>();
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        String user = null;
        for (Held h : new ArrayList<>(held.values())) {
            if (h.key.lifetime() != l || !h.due) {
                continue;
            }
            h.due = false;
            Definition def = defs.get(new DefKey(l, h.key.name()));
            String setId = CibForm.setId(l, h.key.nodeId(), def.set);
            if (h.value == null && !CibForm.present(root, l, h.key.nodeId(), setId, h.key.name())) {
                // nothing to delete: done (writing a deletion would create empty elements around it)
                LOG.debug("attrd: {}[{}] is not in the CIB: nothing to delete", h.key.name(), h.node);
                h.waiters.forEach(w -> w.complete(null));
                h.waiters = new ArrayList<>();
                held.remove(h.key);
                continue;
            }
            writes.add(new CibForm.Write(h.key.nodeId(), h.node, setId, h.key.name(), h.value));
            h.writing = h.generation;
            sent.add(h);
            waiters.addAll(h.waiters);
            h.waiters = new ArrayList<>();
            user = user == null ? def.user : user;
        }
        if (sent.isEmpty()) {
            return;
        }
        inFlight.put(l, true);
        updatesSent++;
        LOG.info("attrd: writing {} value(s) to the CIB ({}): {}", sent.size(), CibForm.scope(l), describe(writes));
        // write_attribute(): an unset value goes as value="" marked __delete__, which only cib_mixed_update drops
        EnumSet<CibRequest.Flag> flags = EnumSet.of(CibRequest.Flag.CAN_CREATE);
        if (writes.stream().anyMatch(w -> w.value() == null)) {
            flags.add(CibRequest.Flag.MIXED_UPDATE);
        }
        CibRequest req = new CibRequest(CibRequest.Op.MODIFY, CibForm.scope(l), null, CibForm.update(l, writes, root),
            flags, CLIENT, user);
        cib.update(req).whenComplete((s, e) -> scheduler.execute(() -> {
            seen(s);
            written(l, sent, waiters, e);
        }));
    }

    private void written(Lifetime l, List<Held> sent, List<CompletableFuture<Void>> waiters, Throwable error) {
        inFlight.put(l, false);
        if (error == null) {
            for (Held h : sent) {
                if (h.generation == h.writing && h.key.lifetime() == Lifetime.REBOOT && h.key.nodeId().equals(localId)) {
                    if (h.value == null) {
                        ownWritten.remove(h.key);
                    } else {
                        ownWritten.put(h.key, h.value);
                    }
                }
                // written and not changed since: the CIB holds it now
                if (h.generation == h.writing && !h.due && h.timer == null && held.get(h.key) == h) {
                    held.remove(h.key);
                }
                h.writing = -1;
            }
            waiters.forEach(w -> w.complete(null));
        } else {
            LOG.warn("attrd: writing {} value(s) to the CIB failed: {}", sent.size(), rootMessage(error));
            for (Held h : sent) {
                if (h.generation == h.writing && !h.due && h.timer == null && held.get(h.key) == h) {
                    long delay = defs.get(new DefKey(l, h.key.name())).delayMs;
                    h.timer = scheduler.schedule(() -> {
                        h.timer = null;
                        h.due = true;
                        postFlush(l);
                    }, delay > 0 ? delay : RETRY_MS);
                }
                h.writing = -1;
            }
            waiters.forEach(w -> w.completeExceptionally(error));
        }
        flush(l);
    }

    /**
     * Writes every held value now and stops the timers (the bundle is stopping: a next revision reads the values
     * back from the CIB).
     *
     * @return completes when they are written
     */
    public CompletableFuture<Void> flushAll() {
        return refresh();
    }

    /** The CIB as this engine knows it: the newer of the published copy and the one its last write returned. */
    private XmlNode root() {
        CibSnapshot published = cib.current();
        if (newest != null && newest.version().compareTo(published.version()) > 0) {
            return newest.root();
        }
        newest = null;
        return published.root();
    }

    private void seen(CibSnapshot s) {
        if (s != null && (newest == null || s.version().compareTo(newest.version()) > 0)) {
            newest = s;
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static String cibValue(XmlNode root, Key key, Definition def) {
        return CibForm.value(root, key.lifetime(), key.nodeId(), key.name(),
            CibForm.setId(key.lifetime(), key.nodeId(), def.set));
    }

    private static boolean existsInCib(XmlNode root, Lifetime l, String name) {
        if (l == Lifetime.REBOOT) {
            return CibForm.transientAttributes(root).values().stream().anyMatch(m -> m.containsKey(name));
        }
        XmlNode conf = root.firstChild("configuration");
        XmlNode nodes = conf == null ? null : conf.firstChild("nodes");
        if (nodes == null) {
            return false;
        }
        for (XmlNode n : nodes.children("node")) {
            if (n.id() != null && CibForm.value(root, l, n.id(), name, null) != null) {
                return true;
            }
        }
        return false;
    }

    private static void cancelTimer(Held h) {
        if (h.timer != null) {
            h.timer.run();
            h.timer = null;
        }
    }

    private static String describe(long delayMs) {
        return delayMs == 0 ? "no" : Duration.ofMillis(delayMs).toString().substring(2).toLowerCase();
    }

    private static String describe(List<CibForm.Write> writes) {
        StringBuilder b = new StringBuilder();
        for (CibForm.Write w : writes) {
            if (b.length() > 200) {
                b.append(" ...");
                break;
            }
            b.append(b.length() == 0 ? "" : ", ").append(w.name()).append('[').append(w.uname()).append("]=")
                .append(w.value() == null ? "(unset)" : w.value());
        }
        return b.toString();
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
