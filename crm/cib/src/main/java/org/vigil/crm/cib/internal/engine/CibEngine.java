package org.vigil.crm.cib.internal.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.ops.CibOps;
import org.vigil.crm.cib.internal.patch.Differ;
import org.vigil.crm.cib.internal.patch.Patcher;
import org.vigil.crm.cib.internal.patch.Patchset;
import org.vigil.crm.cib.internal.validate.CibValidator;

/**
 * The CIB as a replicated state machine: a pure, single-threaded engine, fed with the group's agreed-order
 * deliveries and membership changes and with local requests, and answering with messages to multicast, request
 * completions, copies to write to disk and change notifications ({@link Output}). It never reads a clock (times
 * come with the inputs), never blocks and touches no socket or file, so the same engine runs in the node and, by
 * the dozen, in a seeded simulator.
 *
 * <p><b>Updates.</b> A local request is computed against the local copy ({@link CibOps}, Pacemaker's operation
 * semantics), validated, and multicast as a v2 patchset (or, for a whole-CIB replace, the whole document; an
 * erase, which every node can compute, as nothing). Every member, the originator included, applies each update in
 * delivery order: a patchset applies if every change fits the copy ({@link Patcher}); the version moves by
 * Pacemaker's rule (configuration changed: epoch + 1, num_updates 0; else num_updates + 1). Since every member
 * sees the same updates in the same order and decides the same way, every copy is identical after every update. A
 * patchset made against an older copy than the one it meets (another update came first) still applies when it
 * fits, is validated again where the configuration changed, and is refused everywhere when it does not fit (or
 * carried a {@code value++} expansion); the originator then computes the request again against the new copy and
 * sends it again, so no update is lost and none is applied twice. A request completes once its update was applied
 * locally and, for a configuration change, once that copy is on disk.
 *
 * <p><b>Sync.</b> After every membership change each member multicasts its version and digest; once all members
 * have spoken, the highest version (admin_epoch, epoch, num_updates) wins; a tie goes to a member whose copy has been
 * in the group (not one just read from disk, which has no status: a node, or its CIB bundle, started again while
 * nothing changed the configuration), then to the lowest node id; and if any
 * digest differs the winner multicasts its whole copy, which every member installs (the others' differences are
 * logged as discarded). Updates delivered meanwhile are held and applied, in order, right after: the round ends at
 * the same point of the agreed order for every member.
 *
 * <p>Not thread-safe: one thread drives it (the {@code CibService}'s, or the simulator's).
 */
public final class CibEngine {

    /** Attempts to apply one request before giving up ("the CIB changed too often"). */
    public static final int MAX_ATTEMPTS = 20;

    /** One member of the CIB group. */
    public record Member(int nodeId, long pid) implements Comparable<Member> {
        @Override
        public int compareTo(Member o) {
            int c = Integer.compareUnsigned(nodeId, o.nodeId);
            return c != 0 ? c : Long.compare(pid, o.pid);
        }
    }

    /** What one step produced; the driver carries it out in order. */
    public interface Output {
        /** Multicast a message to the group (the engine's own included). */
        void multicast(byte[] message);

        /** A local request is done: the copy right after it was applied. */
        void completed(long requestId, CibSnapshot after);

        /** A local request failed; nothing changed. */
        void failed(long requestId, CibError error);

        /** Write this copy to disk (its configuration changed); call {@link #persisted} when done. */
        void persist(CibSnapshot snapshot);

        /** The local copy changed. */
        void changed(CibChange change);

        /** Something worth logging at INFO ({@code warn} false) or WARN. */
        void log(boolean warn, String message);
    }

    private record Pending(long id, CibRequest request, int attempts, String msgId) {
    }

    private record Delivered(Member sender, String senderName, XmlNode message) {
    }

    private final Member self;
    private final String selfName;
    private final CibValidator validator;
    private final Output out;
    private CibSnapshot current;
    private long seq;
    private final Map<String, Pending> inFlight = new HashMap<>();        // message id -> request
    private final Map<Long, CibVersion> awaitingDisk = new LinkedHashMap<>();
    private final Map<Long, CibSnapshot> awaitingDiskSnapshot = new HashMap<>();
    private CibVersion persisted;

    // sync round
    private List<Member> members = List.of();
    private boolean syncing = true;
    /** This copy was read from disk (no status, num_updates 0) and has not been through a round with another member. */
    private boolean fresh = true;
    private String round;
    private long rounds;
    private final Map<Member, XmlNode> hellos = new HashMap<>();
    private Member winner;
    private final Deque<Delivered> held = new ArrayDeque<>();

    /**
     * @param self      this member
     * @param selfName  this node's name (recorded as {@code update-origin})
     * @param initial   the copy read from disk (or an empty CIB)
     * @param validator the schema check
     * @param out       where the engine's outputs go
     */
    public CibEngine(Member self, String selfName, CibSnapshot initial, CibValidator validator, Output out) {
        this(self, selfName, initial, true, validator, out);
    }

    /**
     * @param fromDisk false when {@code initial} is the live copy a previous revision of this bundle left (its status
     *                 with it), not one read from disk: it does not lose a tie as a copy from disk does
     */
    public CibEngine(Member self, String selfName, CibSnapshot initial, boolean fromDisk, CibValidator validator,
                     Output out) {
        this.fresh = fromDisk;
        this.self = self;
        this.selfName = selfName;
        this.current = Objects.requireNonNull(initial);
        this.validator = validator;
        this.out = out;
        this.persisted = initial.version();
    }

    /** The local copy. */
    public CibSnapshot current() {
        return current;
    }

    /** True until the first sync round ends, and during every later one. */
    public boolean syncing() {
        return syncing;
    }

    /** The group's members as this engine last saw them. */
    public List<Member> members() {
        return members;
    }

    // ---- local requests ---------------------------------------------------------------------------------------

    /**
     * A request from a local client. It is answered later through {@link Output#completed} or
     * {@link Output#failed} (at once if it cannot be done at all).
     *
     * @param nowMillis the wall clock, for {@code cib-last-written}
     */
    public void request(long requestId, CibRequest request, long nowMillis) {
        send(new Pending(requestId, request, 1, null), nowMillis);
    }

    /** Forgets a request its client gave up on (a timeout); an update already sent still applies. */
    public void abandon(long requestId) {
        inFlight.values().removeIf(p -> p.id() == requestId);
        awaitingDisk.remove(requestId);
        awaitingDiskSnapshot.remove(requestId);
    }

    private void send(Pending p, long nowMillis) {
        CibRequest r = CibOps.prepare(p.request());
        XmlNode before = current.root();
        XmlNode message;
        String msgId = self.nodeId() + ":" + self.pid() + ":" + (++seq);
        try {
            if (r.op() == CibRequest.Op.ERASE) {
                CibOps.apply(before, r);   // refuses without --force, before anything is sent
                message = envelope(msgId, r, nowMillis, "erase", false, current.version());
            } else if (r.op() == CibRequest.Op.PATCH) {
                Patchset patch = adminPatch(r);
                XmlNode after = Patcher.apply(before, patch);
                check(before, after);
                message = envelope(msgId, r, nowMillis, "auto", false, current.version())
                    .plusChild(Differ.diff(before, stamp(after, before, r, nowMillis, true), current.version(),
                        current.version()).toXml());
            } else {
                CibOps.Result res = CibOps.apply(before, r);
                XmlNode after = res.root();
                if (r.op() == CibRequest.Op.REPLACE && r.xpath() == null && r.data() != null && r.data().is("cib")) {
                    // the whole CIB (with or without a scope; cib_process_replace() looks at the element only)
                    check(before, after);
                    message = envelope(msgId, r, nowMillis, "replace", false, current.version())
                        .plusChild(stamp(after, before, r, nowMillis, true));
                } else if (r.op() == CibRequest.Op.BUMP) {
                    message = envelope(msgId, r, nowMillis, "bump", false, current.version());
                } else {
                    check(before, after);
                    XmlNode stamped = stamp(after, before, r, nowMillis, configChanged(before, after));
                    message = envelope(msgId, r, nowMillis, "auto", res.expanded(), current.version())
                        .plusChild(Differ.diff(before, stamped, current.version(), current.version()).toXml());
                }
            }
        } catch (CibError e) {
            out.failed(p.id(), e);
            return;
        } catch (Patcher.Conflict e) {
            out.failed(p.id(), new CibError(CibError.ERROR, "Application of update diff failed", e.getMessage()));
            return;
        }
        String unreadable = unrepresentable(message);
        if (unreadable != null) {
            // every node, this one included, would drop the message as malformed, and the request wait forever
            out.failed(p.id(), CibError.invalid(unreadable + ", which XML cannot hold"));
            return;
        }
        inFlight.put(msgId, new Pending(p.id(), r, p.attempts(), msgId));
        out.multicast(CibMessages.encode(message));
    }

    /**
     * Where {@code n} holds a character XML 1.0 cannot, not even as a character reference (a control character other
     * than tab, line feed and carriage return; U+FFFE, U+FFFF; a lone surrogate), what holds it; else null.
     */
    static String unrepresentable(XmlNode n) {
        if (illegal(n.name()) >= 0) {
            return "the element name <" + n.name() + "> holds " + codePoint(n.name());
        }
        for (int i = 0; i < n.attributeCount(); i++) {
            String a = n.attributeName(i);
            if (illegal(a) >= 0) {
                return "an attribute name of <" + n.name() + "> holds " + codePoint(a);
            }
            if (illegal(n.attributeValue(i)) >= 0) {
                return "the value of " + a + " of <" + n.name() + "> holds " + codePoint(n.attributeValue(i));
            }
        }
        for (XmlNode c : n.children()) {
            String in = unrepresentable(c);
            if (in != null) {
                return in;
            }
        }
        return null;
    }

    /** The index of the first character XML 1.0 cannot hold, or -1. */
    private static int illegal(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;   // a supplementary character
                continue;
            }
            if (!(c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD))) {
                return i;
            }
        }
        return -1;
    }

    private static String codePoint(String s) {
        return String.format("U+%04X", (int) s.charAt(illegal(s)));
    }

    /** The root with {@code cib-last-written} and {@code update-*} set, as {@code cib_perform_op()} sets them. */
    private XmlNode stamp(XmlNode after, XmlNode before, CibRequest r, long nowMillis, boolean configChanged) {
        if (!configChanged) {
            return after;
        }
        XmlNode root = after.with("cib-last-written", CibTime.ctime(nowMillis));
        return root.with("update-origin", selfName).with("update-client", r.client()).with("update-user", r.user());
    }

    private static boolean configChanged(XmlNode before, XmlNode after) {
        return !Objects.equals(before.firstChild("configuration"), after.firstChild("configuration"));
    }

    /** Validation of a changed configuration (status-only changes are not validated, as in Pacemaker). */
    private void check(XmlNode before, XmlNode after) throws CibError {
        if (!after.is("cib")) {
            throw CibError.invalid("the document element must be <cib>, not <" + after.name() + ">");
        }
        if (configChanged(before, after) || !Objects.equals(before.attribute("validate-with"),
            after.attribute("validate-with"))) {
            CibValidator.Result v = validator.validate(after);
            if (!v.valid()) {
                StringBuilder b = new StringBuilder("checked with " + v.checkedWith() + ":");
                for (CibValidator.Problem pr : v.problems()) {
                    b.append("\n  ").append(pr);
                }
                throw CibError.invalid(b.toString());
            }
        }
    }

    /** {@code cibadmin --patch}: the admin's diff must start from this copy's version (xml_patch_version_check). */
    private Patchset adminPatch(CibRequest r) throws CibError {
        if (r.data() == null) {
            throw new CibError(CibError.USAGE, "Invalid argument", "patch needs a <diff> document");
        }
        Patchset p;
        try {
            p = Patchset.fromXml(r.data(), "patch");
        } catch (CibException e) {
            throw new CibError(CibError.CONFIG, "Invalid argument", e.getMessage());
        }
        int c = current.version().compareTo(p.source());
        if (c < 0) {
            throw new CibError(CibError.ERROR, "Application of update diff failed, requesting full refresh",
                "the patch starts at " + p.source() + ", this CIB is older (" + current.version() + ")");
        }
        if (c > 0 && p.source().compareTo(p.target()) != 0) {
            throw CibError.old("the patch starts at " + p.source() + ", this CIB is at " + current.version());
        }
        return p;
    }

    private XmlNode envelope(String msgId, CibRequest r, long nowMillis, String rule, boolean strict,
                             CibVersion base) {
        return XmlNode.of("vigil-cib", "op", "update", "id", msgId, "origin", selfName, "client", r.client(),
            "user", r.user(), "time", Long.toString(nowMillis), "rule", rule, "strict", Boolean.toString(strict),
            "base", base.toString());
    }

    // ---- deliveries -------------------------------------------------------------------------------------------

    /**
     * A message of the group, in agreed order.
     *
     * @param sender     who sent it
     * @param senderName the sender node's name (for logs and {@code update-origin}), or null if unknown
     */
    public void delivered(Member sender, String senderName, byte[] message) {
        XmlNode m;
        try {
            m = CibMessages.decode(message);
        } catch (CibException e) {
            out.log(true, "CIB: dropped a malformed message from node " + Integer.toUnsignedString(sender.nodeId())
                + ": " + e.getMessage());
            return;
        }
        String op = m.attribute("op", "");
        switch (op) {
            case "start" -> start(sender, m);
            case "need-round" -> {
                // a member whose view changed after the coordinator's start (CPG may show one node two steps
                // where the others see one): it would wait for a start that never comes, and the others for its
                // hello; the coordinator starts the round again for everyone
                if (!members.isEmpty() && members.get(0).equals(self) && members.contains(sender)) {
                    // still syncing: the round starts again; already done (the member answered this round's start
                    // before its second change and the round ended without it): a round for everyone, which every
                    // member joins where the start is delivered, the same point of the agreed order for all
                    multicastStart(!syncing);
                }
            }
            case "hello" -> hello(sender, m);
            case "sync" -> syncCopy(sender, senderName, m);
            case "update" -> {
                if (syncing) {
                    held.add(new Delivered(sender, senderName, m));
                } else {
                    update(sender, m);
                }
            }
            default -> out.log(true, "CIB: dropped a message of unknown kind '" + op + "' from node "
                + Integer.toUnsignedString(sender.nodeId()));
        }
    }

    private void update(Member sender, XmlNode m) {
        String msgId = m.attribute("id", "");
        Pending mine = sender.equals(self) ? inFlight.remove(msgId) : null;
        CibSnapshot before = current;
        XmlNode after;
        String rule = m.attribute("rule", "auto");
        try {
            after = applyUpdate(before, m, rule);
        } catch (Patcher.Conflict | CibError e) {
            String why = e.getMessage();
            if (mine != null) {
                retryOrFail(mine, e, Long.parseLong(m.attribute("time", "0")));
            } else if (sender.equals(self)) {
                out.log(false, "CIB: update " + msgId + " no longer fits: " + firstLine(why));
            }
            return;
        }
        CibSnapshot next = new CibSnapshot(after);
        current = next;
        // what goes to disk: the configuration, and the epochs (num_updates is not kept on disk)
        boolean config = configChanged(before.root(), after)
            || next.version().adminEpoch() != before.version().adminEpoch()
            || next.version().epoch() != before.version().epoch();
        XmlNode patch = "auto".equals(rule) && m.firstChild("diff") != null
            ? withVersions(m.firstChild("diff"), before.version(), next.version())
            : Differ.diff(before.root(), after, before.version(), next.version()).toXml();
        if (config) {
            out.persist(next);   // first: the disk write runs while the listeners (controller, attrd) look at it
        }
        out.changed(new CibChange(before, next, patch, m.attribute("origin"), m.attribute("client"), false,
            "replace".equals(rule)));
        if (mine != null) {
            if (config && persisted.compareTo(new CibVersion(next.version().adminEpoch(), next.version().epoch(), 0)) < 0) {
                awaitingDisk.put(mine.id(), next.version());
                awaitingDiskSnapshot.put(mine.id(), next);
            } else {
                out.completed(mine.id(), next);
            }
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }

    /** The new copy after an update message, or why it does not apply. */
    private XmlNode applyUpdate(CibSnapshot before, XmlNode m, String rule) throws Patcher.Conflict, CibError {
        CibVersion base = parseVersion(m.attribute("base"));
        boolean sameBase = base != null && base.equals(before.version());
        XmlNode root = before.root();
        XmlNode after;
        switch (rule) {
            case "erase" -> {
                after = CibOps.apply(root, new CibRequest(CibRequest.Op.ERASE, null, null, null,
                    java.util.Set.of(CibRequest.Flag.FORCE), m.attribute("client"), m.attribute("user"))).root();
                after = after.with("cib-last-written", CibTime.ctime(Long.parseLong(m.attribute("time", "0"))))
                    .with("update-origin", m.attribute("origin")).with("update-client", m.attribute("client"))
                    .with("update-user", m.attribute("user"));
                return CibOps.nextVersion(root, after).stamp(after);
            }
            case "bump" -> {
                XmlNode bumped = root.with("epoch", Long.toString(before.version().epoch() + 1));
                return CibOps.nextVersion(root, bumped).stamp(bumped);
            }
            case "replace" -> {
                XmlNode replacement = m.firstChild("cib");
                if (replacement == null) {
                    throw new Patcher.Conflict("a replace without a <cib>");
                }
                if (CibVersion.of(replacement).compareTo(before.version()) < 0) {
                    throw CibError.old("the replacement is version " + CibVersion.of(replacement)
                        + ", the CIB is at " + before.version());
                }
                if (!sameBase) {
                    check(root, replacement);
                }
                return CibOps.nextVersion(root, replacement).stamp(replacement);
            }
            default -> {
                XmlNode diff = m.firstChild("diff");
                if (diff == null) {
                    throw new Patcher.Conflict("an update without a <diff>");
                }
                if (!sameBase && Boolean.parseBoolean(m.attribute("strict"))) {
                    throw new Patcher.Conflict("it expanded value++ against version " + base + ", not "
                        + before.version());
                }
                Patchset p;
                try {
                    p = Patchset.fromXml(diff, "update");
                } catch (CibException e) {
                    throw new Patcher.Conflict(e.getMessage());
                }
                after = Patcher.apply(root, p);
                if (after.equals(root)) {
                    return root;   // nothing to do (cannot happen for a fresh update; keeps versions steady)
                }
                if (!sameBase) {
                    check(root, after);
                }
                return CibOps.nextVersion(root, before.version().stamp(after)).stamp(after);
            }
        }
    }

    private void retryOrFail(Pending p, Exception why, long timeMillis) {
        if (why instanceof CibError e) {
            out.failed(p.id(), e);
            return;
        }
        if (p.attempts() >= MAX_ATTEMPTS) {
            out.failed(p.id(), new CibError(CibError.ERROR, "Update was older than existing configuration",
                "the CIB changed under this request " + MAX_ATTEMPTS + " times: " + firstLine(why.getMessage())));
            return;
        }
        // computed again against the copy as it is now, and sent again
        send(new Pending(p.id(), p.request(), p.attempts() + 1, null), timeMillis);
    }

    private static XmlNode withVersions(XmlNode diff, CibVersion source, CibVersion target) {
        XmlNode v = XmlNode.of("version").withChildren(List.of(
            XmlNode.of("source", "admin_epoch", Long.toString(source.adminEpoch()), "epoch",
                Long.toString(source.epoch()), "num_updates", Long.toString(source.numUpdates())),
            XmlNode.of("target", "admin_epoch", Long.toString(target.adminEpoch()), "epoch",
                Long.toString(target.epoch()), "num_updates", Long.toString(target.numUpdates()))));
        int at = -1;
        for (int i = 0; i < diff.children().size(); i++) {
            if (diff.children().get(i).is("version")) {
                at = i;
            }
        }
        return at >= 0 ? diff.withChild(at, v) : diff.plusChild(0, v);
    }

    static CibVersion parseVersion(String s) {
        if (s == null) {
            return null;
        }
        String[] p = s.split("\\.");
        try {
            return p.length == 3 ? new CibVersion(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]))
                : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---- persistence ----------------------------------------------------------------------------------------------

    /** The copy of {@code version} (or a later one) is on disk. */
    public void persisted(CibVersion version) {
        if (version.compareTo(persisted) > 0) {
            persisted = version;
        }
        CibVersion configPart = new CibVersion(persisted.adminEpoch(), persisted.epoch(), 0);
        for (Iterator<Map.Entry<Long, CibVersion>> it = awaitingDisk.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, CibVersion> e = it.next();
            CibVersion need = new CibVersion(e.getValue().adminEpoch(), e.getValue().epoch(), 0);
            if (need.compareTo(configPart) <= 0) {
                it.remove();
                out.completed(e.getKey(), awaitingDiskSnapshot.remove(e.getKey()));
            }
        }
    }

    // ---- membership and sync ----------------------------------------------------------------------------------

    /**
     * The group's members changed (delivered in agreed order, like messages). A sync round starts: the lowest
     * member (the coordinator) multicasts a start message naming the round; every member answers the first start
     * it sees from the coordinator after the change with its version and digest, tagged with that round. Hellos
     * and copies of any other round are ignored, so a message composed before a later change (which the ring may
     * still deliver after it) never counts: everything a round uses was sent after its start was delivered, by
     * members that were already holding their copy still for the round.
     */
    public void configurationChanged(List<Member> newMembers) {
        List<Member> sorted = new ArrayList<>(newMembers);
        sorted.sort(null);
        members = List.copyOf(sorted);
        if (!members.contains(self)) {
            return;   // we left the group: nothing to agree on
        }
        // updates held by a round the change interrupted were delivered in the view before: apply them now, so
        // that this member's copy, as the new round compares it, includes them (the round reconciles the rest)
        if (syncing && !held.isEmpty()) {
            syncing = false;
            while (!held.isEmpty()) {
                Delivered d = held.poll();
                update(d.sender(), d.message());
            }
        }
        syncing = true;
        round = null;
        hellos.clear();
        winner = null;
        if (members.get(0).equals(self)) {
            multicastStart();
        } else {
            out.multicast(CibMessages.encode(XmlNode.of("vigil-cib", "op", "need-round")));
        }
    }

    /** As the coordinator: a new round, named by this member and a counter. */
    private void multicastStart() {
        multicastStart(false);
    }

    /** @param everyone members that are not syncing join the round too (see {@link #start}) */
    private void multicastStart(boolean everyone) {
        out.multicast(CibMessages.encode(XmlNode.of("vigil-cib", "op", "start", "round",
            Integer.toUnsignedString(self.nodeId()) + ":" + self.pid() + ":" + (++rounds), "everyone",
            everyone ? "true" : null)));
    }

    private void start(Member sender, XmlNode m) {
        if (!syncing && "true".equals(m.attribute("everyone")) && !members.isEmpty() && members.get(0).equals(sender)
            && members.contains(self)) {
            syncing = true;   // a round for everyone: updates delivered from here on wait for its end, as after a change
            round = null;
            hellos.clear();
            winner = null;
        }
        if (!syncing || members.isEmpty() || !members.get(0).equals(sender) || m.attribute("round") == null
            || m.attribute("round").equals(round)) {
            return;   // not a start of the coordinator's while this member syncs
        }
        // the coordinator's first start since the change, or a later one (it started again for a member that
        // asked): the round restarts, hellos and a copy on their way for the one before do not count
        hellos.clear();
        winner = null;
        round = m.attribute("round");
        out.multicast(CibMessages.encode(XmlNode.of("vigil-cib", "op", "hello", "round", round, "version",
            current.version().toString(), "digest", current.digest(), "node", selfName, "ties", TIES,
            "fresh", Boolean.toString(fresh))));
    }

    private void hello(Member sender, XmlNode m) {
        if (!syncing || round == null || winner != null || !round.equals(m.attribute("round"))
            || !members.contains(sender)) {
            return;   // a hello of another round, or from a member that left
        }
        hellos.put(sender, m);
        if (hellos.size() < members.size()) {
            return;
        }
        Member best = winner(members, hellos);
        String bestDigest = hellos.get(best).attribute("digest");
        boolean same = true;
        for (Member mb : members) {
            if (!Objects.equals(hellos.get(mb).attribute("digest"), bestDigest)) {
                same = false;
            }
        }
        if (same) {
            finishRound();
            return;
        }
        winner = best;
        if (best.equals(self)) {
            out.log(false, "CIB: copies differ among the " + members.size() + " members; sending ours ("
                + current.version() + ") to all");
            out.multicast(CibMessages.encode(XmlNode.of("vigil-cib", "op", "sync", "round", round, "version",
                current.version().toString()).plusChild(current.root())));
        }
    }

    /** What a hello says of the tie rule this member follows ({@link #winner}); a release without it says nothing. */
    static final String TIES = "in-group-first";

    /**
     * The member whose copy a round keeps: the highest version; among equal versions, when every member follows
     * {@link #TIES} (a member of an earlier release does not, and every member must pick the same), one whose copy has
     * been in the group before one just read from disk; then the lowest member. A copy read from disk has no status
     * and num_updates 0, so after a restart of a node or of its CIB bundle, while no configuration change came, it
     * ties with the group's copy, and as the lowest node it replaced the status on every node with nothing. As
     * Pacemaker's DC keeps its own copy unless a joining node's generation is greater ({@code controld_join_dc.c}
     * {@code do_dc_join_filter_offer()}: {@code max_generation_from} moves only to a greater one).
     */
    static Member winner(List<Member> members, Map<Member, XmlNode> hellos) {
        boolean inGroupFirst = true;
        for (Member mb : members) {
            inGroupFirst &= TIES.equals(hellos.get(mb).attribute("ties"));
        }
        Member best = null;
        CibVersion bestVersion = null;
        boolean bestFresh = false;
        for (Member mb : members) {
            CibVersion v = parseVersion(hellos.get(mb).attribute("version"));
            if (v == null) {
                v = CibVersion.ZERO;
            }
            boolean fresh = inGroupFirst && "true".equals(hellos.get(mb).attribute("fresh"));
            int c = best == null ? 1 : v.compareTo(bestVersion);
            if (c > 0 || c == 0 && bestFresh && !fresh) {
                best = mb;
                bestVersion = v;
                bestFresh = fresh;
            }
        }
        return best;
    }

    private void syncCopy(Member sender, String senderName, XmlNode m) {
        if (!syncing || winner == null || !winner.equals(sender) || !Objects.equals(round, m.attribute("round"))) {
            return;   // not the copy this round waits for
        }
        XmlNode copy = m.firstChild("cib");
        if (copy == null) {
            out.log(true, "CIB: a sync message without a <cib> from node " + Integer.toUnsignedString(sender.nodeId()));
            return;
        }
        CibSnapshot before = current;
        CibSnapshot next = new CibSnapshot(copy);
        if (!before.digest().equals(next.digest())) {
            Patchset lost = Differ.diff(before.root(), copy, before.version(), next.version());
            out.log(true, "CIB: replacing our copy " + before.version() + " with node "
                + (senderName != null ? senderName : Integer.toUnsignedString(sender.nodeId())) + "'s "
                + next.version() + " (higher version wins); " + lost.changes().size() + " difference(s) of ours "
                + "discarded" + summary(lost));
            current = next;
            // requests applied here but not yet on disk were lost with our copy: say so rather than confirm them
            for (Long id : awaitingDisk.keySet()) {
                awaitingDiskSnapshot.remove(id);
                out.failed(id, new CibError(CibError.ERROR, "Update was older than existing configuration",
                    "the update was applied, then replaced with node " + (senderName != null ? senderName
                        : Integer.toUnsignedString(sender.nodeId())) + "'s copy " + next.version()
                        + " (a higher version) when the members met"));
            }
            awaitingDisk.clear();
            out.changed(new CibChange(before, next, lost.toXml(), null, null, true));
            if (configChanged(before.root(), copy) || !before.version().equals(next.version())) {
                out.persist(next);
            }
        }
        finishRound();
    }

    private static String summary(Patchset p) {
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (Patchset.Change c : p.changes()) {
            if (n++ == 5) {
                b.append(", ...");
                break;
            }
            b.append(n == 1 ? ": " : ", ").append(c.getClass().getSimpleName().toLowerCase()).append(' ')
                .append(c.path());
        }
        return b.toString();
    }

    private void finishRound() {
        syncing = false;
        if (members.size() > 1) {
            fresh = false;   // compared with another member's (a round alone, before the ring merges, is not that)
        }
        round = null;
        winner = null;
        hellos.clear();
        while (!held.isEmpty() && !syncing) {
            Delivered d = held.poll();
            update(d.sender(), d.message());
        }
    }
}
