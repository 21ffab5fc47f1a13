package org.vigil.kernel.internal.totem.sim;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.internal.cpg.CpgEngine;
import org.vigil.kernel.internal.cpg.CpgMessages;
import org.vigil.kernel.internal.totem.Guarantee;
import org.vigil.kernel.internal.totem.RingSeqStore;
import org.vigil.kernel.internal.totem.SchedulingPause;
import org.vigil.kernel.internal.totem.TimerKind;
import org.vigil.kernel.internal.totem.TotemConfig;
import org.vigil.kernel.internal.totem.TotemOutput;
import org.vigil.kernel.internal.totem.Release;
import org.vigil.kernel.internal.totem.TotemProbe;
import org.vigil.kernel.internal.totem.TotemSrp;
import org.vigil.kernel.internal.totem.TotemState;

/**
 * A deterministic simulation of N {@link TotemSrp} engines in one thread: a virtual clock (microseconds), an
 * event queue ordered by time and then by insertion, and a simulated network whose every random choice comes
 * from one seeded generator, so a seed replays a run exactly.
 *
 * <p>The network has one {@link Link} per ordered pair of nodes with its own loss rate, duplication rate,
 * delay range (different delays reorder packets) and a blocked flag (one-way or, set both ways, two-way
 * partitions). Nodes crash (their state is gone, their persisted ring sequence stays) and restart as a new
 * incarnation. Every delivery and configuration change goes through the {@link Checker}; an engine exception is
 * reported as a violation too.
 *
 * <p>With {@link #enableCpg()}, every node also runs a {@link CpgEngine} on top of its Totem engine, wired as the
 * ring driver wires it: configuration changes and deliveries go to CPG in order, and what CPG submits is fed to
 * Totem later (as the driver's submit queue does, never from inside a delivery), as a checked carrier message.
 *
 * <p>Not thread-safe; independent simulators may run in parallel threads.
 */
public final class Simulator {

    /** Microseconds per millisecond. */
    public static final long MS = 1000;

    /** One direction of the link between two nodes. */
    public static final class Link {
        public boolean blocked;
        /** Only the MCAST packets (ordered messages and their retransmissions) are cut; tokens pass. */
        public boolean mcastBlocked;
        public double loss;
        public double dup;
        /** Delay range in microseconds. */
        public long minDelay = 100;
        public long maxDelay = 1000;

        void reset() {
            blocked = false;
            mcastBlocked = false;
            loss = 0;
            dup = 0;
            minDelay = 100;
            maxDelay = 1000;
        }
    }

    /** Observer of the nodes' state and configuration changes (for timing measurements and scenario traces). */
    public interface Listener {
        default void stateChanged(long micros, int node, TotemState from, TotemState to, String reason) {
        }

        default void configurationChange(long micros, int node, MembershipEvent ev) {
        }

        default void delivered(long micros, int node, int sender, int counter, int length, Guarantee g) {
        }
    }

    /**
     * The release every simulated node runs unless a scenario sets another (fixed, not the build's, so the
     * golden scenarios do not change with the project version).
     */
    public static final Release DEFAULT_RELEASE = new Release(1, 0, Release.OWN_FEATURES);
    /** At most one REFUSED notice from a node to another in this time (the ring driver's interval). */
    static final long NOTICE_INTERVAL = 5_000 * 1000L;

    private static final int EV_PACKET = 0;
    private static final int EV_TIMER = 1;
    private static final int EV_ACTION = 2;
    /** A node's periodic scheduling check ({@link SchedulingPause}); deferred like its other events when paused. */
    private static final int EV_SCHED = 3;

    private static final class Event implements Comparable<Event> {
        long time;
        long seq;
        int type;
        int to;
        int from;
        byte[] data;
        int kind;
        long gen;
        boolean bad;
        Runnable action;

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** One simulated node: its engine (while alive), persisted ring sequence and timers. */
    final class Node implements TotemOutput, TotemProbe {
        final int id;
        final RingSeqStore.InMemory store = new RingSeqStore.InMemory();
        int incarnation;
        boolean alive;
        TotemSrp engine;
        Checker.Inc inc;
        final long[] gen = new long[TimerKind.values().length];
        int counter;
        /** A paused node handles nothing before this time (a stalled process: GC, VM migration). */
        long pausedUntil;
        /** This incarnation's scheduling check, as the real driver runs it. */
        SchedulingPause schedCheck;
        /**
         * The persisted ring sequence when this incarnation booted: every ring it can belong to has a higher
         * sequence (the earlier incarnations persisted every ring they committed to), so packets of rings at or
         * below it that reach this incarnation are not credited to it.
         */
        long seqAtBoot;
        /** The CPG engine of this incarnation (with {@link #enableCpg()}), and what it submitted not yet fed. */
        CpgEngine cpg;
        final ArrayDeque<CpgOut> cpgOut = new ArrayDeque<>();
        long cpgOutBytes;
        boolean cpgFeedScheduled;

        /** The release this node boots with (the next incarnation on). */
        Release release = DEFAULT_RELEASE;
        /** Refusals traced (once per peer and release) and when a notice last went to each peer. */
        final java.util.Map<Integer, Release> refusedTraced = new java.util.HashMap<>();
        final java.util.Map<Integer, Release> refusedByTraced = new java.util.HashMap<>();
        final java.util.Map<Integer, Long> noticeAt = new java.util.HashMap<>();

        Node(int id) {
            this.id = id;
        }

        @Override
        public void unicast(int nodeId, byte[] packet) {
            recordCarried(this, packet);
            send(id, nodeId, packet);
        }

        @Override
        public void multicast(byte[] packet) {
            recordCarried(this, packet);
            for (int to : ids) {
                if (to != id) {
                    send(id, to, packet);
                }
            }
        }

        @Override
        public void deliver(int sender, byte[] data, int offset, int length, Guarantee guarantee, RingId ring) {
            checker.delivered(inc, sender, data, offset, length, guarantee, ring, engine.deliveringPosition(),
                engine.deliveringSeq());
            if (Payloads.isCarrier(data, offset)) {
                byte[] body = Arrays.copyOfRange(data, offset + Payloads.CARRIER_HEADER, offset + length);
                if (trace.on(Trace.Category.DELIVER)) {
                    trace(Trace.Category.DELIVER, "n" + id + " deliver " + Payloads.getInt(data, offset) + ":"
                        + Payloads.getInt(data, offset + 4) + (guarantee == Guarantee.SAFE ? " safe" : "") + " ring "
                        + ring + " CPG " + cpgName(body));
                }
                if (cpg != null) {
                    cpg.onDeliver(sender, body);
                }
                return;
            }
            if (trace.on(Trace.Category.DELIVER) || listener != null) {
                int origin = Payloads.getInt(data, offset);
                int counter = Payloads.getInt(data, offset + 4);
                trace(Trace.Category.DELIVER, "n" + id + " deliver " + origin + ":" + counter + " "
                    + guarantee.name().toLowerCase() + " " + length + "B ring " + ring);
                if (listener != null) {
                    listener.delivered(now, id, sender, counter, length, guarantee);
                }
            }
        }

        @Override
        public void configurationChange(MembershipEvent ev) {
            checker.configurationChange(inc, ev);
            trace(Trace.Category.CONFIG, "n" + id + " " + ev.type() + " " + ev.ringId() + " " + ev.members()
                + (ev.type() == MembershipEvent.Type.TRANSITIONAL ? " left " + ev.left() : " joined " + ev.joined()));
            if (listener != null) {
                listener.configurationChange(now, id, ev);
            }
            if (cpg != null) {
                cpg.onConfiguration(ev);
            }
            if (configurationHook != null) {
                configurationHook.accept(id, ev);
            }
        }

        /**
         * This node refused a packet of {@code nodeId} for its release: traced once per peer and release, and
         * answered, as the ring driver does, with a REFUSED notice at most every {@link #NOTICE_INTERVAL} (a
         * datagram: it crosses the link with its delay, or is lost with the link).
         */
        @Override
        public void refused(int nodeId, Release theirs) {
            if (!theirs.equals(refusedTraced.put(nodeId, theirs))) {
                trace(Trace.Category.STATE, "n" + id + " refuses n" + nodeId + " (" + Release.refusal(theirs,
                    engine.release()) + ")");
            }
            Long last = noticeAt.get(nodeId);
            if (last != null && now - last < NOTICE_INTERVAL) {
                return;
            }
            noticeAt.put(nodeId, now);
            Release mine = engine.release();
            Link l = links[id][nodeId];
            if (l.blocked) {
                return;
            }
            Node to = nodes[nodeId];
            int inc = to.incarnation;
            at(now + l.minDelay, () -> {
                if (to.alive && to.incarnation == inc) {
                    if (!to.engine.release().isVersion(theirs.major(), theirs.minor())) {
                        // a refusal of an earlier run of that node (the ring driver's check): answered
                        trace(Trace.Category.STATE, "n" + nodeId + " answers a stale refusal by n" + id
                            + " (of release " + theirs.version() + ")");
                    } else if (!mine.equals(to.refusedByTraced.put(id, mine))) {
                        trace(Trace.Category.STATE, "n" + nodeId + " refused by n" + id + " (release "
                            + mine.version() + ")");
                    }
                    guard(to, () -> to.engine.onRefusedBy(id, mine, theirs.major(), theirs.minor()));
                }
            });
        }

        @Override
        public void refusalLifted(int nodeId, Release theirs) {
            refusedTraced.remove(nodeId);
            refusedByTraced.remove(nodeId);
            noticeAt.remove(nodeId);
            trace(Trace.Category.STATE, "n" + id + " lets n" + nodeId + " in (release " + theirs.version() + ")");
        }

        @Override
        public void armTimer(TimerKind kind, long delayMillis) {
            long g = ++gen[kind.ordinal()];
            Event e = new Event();
            e.type = EV_TIMER;
            e.to = id;
            e.kind = kind.ordinal();
            e.gen = g;
            schedule(e, now + delayMillis * MS);
        }

        @Override
        public void cancelTimer(TimerKind kind) {
            gen[kind.ordinal()]++;
        }

        @Override
        public void stateChanged(TotemState from, TotemState to, String reason) {
            engineTotals.merge("reason." + reason.replace(' ', '_'), 1L, Long::sum);
            trace(Trace.Category.STATE, "n" + id + " " + from + " -> " + to + " (" + reason + ")");
            if (listener != null) {
                listener.stateChanged(now, id, from, to, reason);
            }
        }

        @Override
        public void messageReceived(int ringRep, long ringSeq, long seq) {
            checker.stored(id, ringRep, ringSeq, seq);
        }
    }

    private final long seed;
    private final int[] ids;
    private final TotemConfig cfg;
    private final SplittableRandom rng;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Node[] nodes;
    private final Link[][] links;
    private final Checker checker = new Checker();
    private final Trace trace;
    private Listener listener;
    private java.util.function.BiConsumer<Integer, MembershipEvent> configurationHook;
    private long now;
    private long eventSeq;
    private long steps;
    private long packetsSent;
    private long packetsDropped;
    private int dropTokens;
    private int dropCommits;
    private final java.util.TreeMap<String, Long> engineTotals = new java.util.TreeMap<>();
    private byte[] lastPacket;

    /**
     * @param seed  seeds the network's random choices
     * @param n     nodes, with ids 1..n (all configured from the start; none is booted yet)
     * @param cfg   the engines' settings
     * @param trace where the trace goes
     */
    public Simulator(long seed, int n, TotemConfig cfg, Trace trace) {
        this.seed = seed;
        this.cfg = cfg;
        this.trace = trace;
        this.rng = new SplittableRandom(seed);
        this.ids = new int[n];
        this.nodes = new Node[n + 1];
        this.links = new Link[n + 1][n + 1];
        for (int i = 1; i <= n; i++) {
            ids[i - 1] = i;
            nodes[i] = new Node(i);
            for (int j = 1; j <= n; j++) {
                links[i][j] = new Link();
            }
        }
    }

    public long seed() {
        return seed;
    }

    public int size() {
        return ids.length;
    }

    public TotemConfig config() {
        return cfg;
    }

    public Checker checker() {
        return checker;
    }

    public Trace trace() {
        return trace;
    }

    public void setListener(Listener l) {
        this.listener = l;
    }

    /** Called after each configuration change with the node's id (null: none); for scripts that stop there. */
    public void setConfigurationHook(java.util.function.BiConsumer<Integer, MembershipEvent> hook) {
        this.configurationHook = hook;
    }

    /** Virtual time in microseconds. */
    public long now() {
        return now;
    }

    public long steps() {
        return steps;
    }

    public long packetsSent() {
        return packetsSent;
    }

    public long packetsDropped() {
        return packetsDropped;
    }

    public Link link(int from, int to) {
        return links[from][to];
    }

    public boolean alive(int id) {
        return nodes[id].alive;
    }

    /** The node's engine, or null while it is down. */
    public TotemSrp engine(int id) {
        return nodes[id].engine;
    }

    public List<Integer> aliveNodes() {
        List<Integer> l = new ArrayList<>();
        for (int id : ids) {
            if (nodes[id].alive) {
                l.add(id);
            }
        }
        return l;
    }

    void trace(Trace.Category c, String text) {
        trace.add(now, c, text);
    }

    /** Adds a free-form note to the trace. */
    public void note(String text) {
        trace(Trace.Category.NOTE, text);
    }

    // ---------------------------------------------------------------------------------------------- faults ----

    /** Boots a node (again, as a new incarnation, after a crash). */
    public void boot(int id) {
        Node n = nodes[id];
        if (n.alive) {
            throw new IllegalStateException("node " + id + " is already up");
        }
        n.incarnation++;
        n.alive = true;
        n.pausedUntil = 0;
        n.inc = checker.newIncarnation(id, n.incarnation);
        n.seqAtBoot = n.store.load();
        // send_join's delays from a generator of the node's own (the network's draws stay as they were)
        n.engine = new TotemSrp(id, ids, cfg, n.store, n,
            new SplittableRandom(seed * 1_000_003L + id * 7919L + n.incarnation));
        n.engine.setRelease(n.release);
        n.refusedTraced.clear();
        n.refusedByTraced.clear();
        n.noticeAt.clear();
        n.schedCheck = new SchedulingPause(cfg.token());
        scheduleSchedCheck(n, now);
        n.engine.setProbe(n);
        n.cpgOut.clear();
        n.cpgOutBytes = 0;
        if (cpgLayer) {
            int incarnation = n.incarnation;
            n.cpg = new CpgEngine(id, (payload, guarantee) -> cpgSubmit(n, incarnation, payload, guarantee));
        }
        trace(Trace.Category.FAULT, "n" + id + " boots" + (n.incarnation > 1 ? " (incarnation " + n.incarnation + ")" : ""));
        guard(n, () -> n.engine.start());
    }

    /** Sets the release node {@code id} runs from its next boot on (a rolling upgrade: crash, set, boot). */
    public void setRelease(int id, Release r) {
        nodes[id].release = r;
        trace(Trace.Category.FAULT, "n" + id + " release " + r.version() + " " + Release.featureNames(r.features()));
    }

    /**
     * Every live node's release, the effective feature set of its ring and the nodes it keeps out, one line each
     * (for scenarios).
     */
    public String releases() {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            Node n = nodes[id];
            if (!n.alive) {
                continue;
            }
            TotemSrp e = n.engine;
            sb.append('n').append(id).append(" release ").append(e.release().version()).append(" ring features ")
                .append(Release.featureNames(e.effectiveFeatures())).append(" members");
            e.memberReleases().forEach((m, r) -> sb.append(' ').append(m).append('=').append(r.version()));
            if (!e.refusedNodes().isEmpty()) {
                sb.append(" refused");
                e.refusedNodes().forEach((m, r) -> sb.append(' ').append(m).append('=').append(r.version()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Stops a node at once: its state is lost, packets to it are dropped, its timers never fire. */
    public void crash(int id) {
        Node n = nodes[id];
        if (!n.alive) {
            return;
        }
        n.alive = false;
        n.inc.alive = false;
        n.engine.stats().forEach((k, v) -> engineTotals.merge(k, v, Long::sum));
        n.engine = null;
        n.cpg = null;
        n.cpgOut.clear();
        n.cpgOutBytes = 0;
        for (int k = 0; k < n.gen.length; k++) {
            n.gen[k] += 1_000_000;
        }
        trace(Trace.Category.FAULT, "n" + id + " crashes");
    }

    /** Shuts a node down cleanly: it multicasts a LEAVE and stops (then it is down, as after a crash). */
    public void leave(int id) {
        Node n = nodes[id];
        if (!n.alive) {
            return;
        }
        trace(Trace.Category.FAULT, "n" + id + " leaves");
        guard(n, () -> n.engine.shutdown());
        crash(id);
    }

    /** Cuts the links between the groups both ways (links inside a group are left as they are). */
    public void partition(List<List<Integer>> groups) {
        for (List<Integer> g : groups) {
            for (List<Integer> h : groups) {
                if (g != h) {
                    for (int a : g) {
                        for (int b : h) {
                            links[a][b].blocked = true;
                        }
                    }
                }
            }
        }
        trace(Trace.Category.FAULT, "partition " + groups);
    }

    /** Blocks (or unblocks) the link {@code from → to} only. */
    public void block(int from, int to, boolean blocked) {
        links[from][to].blocked = blocked;
        trace(Trace.Category.FAULT, (blocked ? "block " : "unblock ") + from + " -> " + to);
    }

    public void loss(int from, int to, double p) {
        links[from][to].loss = p;
        trace(Trace.Category.FAULT, "loss " + from + " -> " + to + " " + Math.round(p * 100) + "%");
    }

    public void duplicate(int from, int to, double p) {
        links[from][to].dup = p;
        trace(Trace.Category.FAULT, "duplicate " + from + " -> " + to + " " + Math.round(p * 100) + "%");
    }

    public void delay(int from, int to, long minMicros, long maxMicros) {
        links[from][to].minDelay = minMicros;
        links[from][to].maxDelay = Math.max(minMicros, maxMicros);
        trace(Trace.Category.FAULT, "delay " + from + " -> " + to + " " + Trace.time(minMicros) + ".."
            + Trace.time(maxMicros) + " ms");
    }

    /** Restores every link to no loss, no duplication, default delay, unblocked. */
    public void healAll() {
        for (int a : ids) {
            for (int b : ids) {
                links[a][b].reset();
            }
        }
        trace(Trace.Category.FAULT, "heal");
    }

    /**
     * Freezes a node for {@code micros}: packets and timers due meanwhile are handled when it resumes, as a
     * stalled process (garbage collection, VM migration) would find them.
     */
    public void pause(int id, long micros) {
        nodes[id].pausedUntil = Math.max(nodes[id].pausedUntil, now + micros);
        trace(Trace.Category.FAULT, "n" + id + " pauses for " + Trace.time(micros) + " ms");
    }

    /** Drops the next {@code count} commit tokens sent (by anyone, retransmissions included). */
    public void dropNextCommitTokens(int count) {
        dropCommits += count;
        trace(Trace.Category.FAULT, "drop the next " + (count == 1 ? "commit token" : count + " commit tokens"));
    }

    /** Cuts (or restores) the MCAST packets from one node to another; every other packet passes. */
    public void blockMcast(int from, int to, boolean blocked) {
        links[from][to].mcastBlocked = blocked;
        trace(Trace.Category.FAULT, (blocked ? "block" : "unblock") + " messages " + from + " -> " + to);
    }

    /** Drops the next {@code count} ORF tokens sent (by anyone). */
    public void dropNextTokens(int count) {
        dropTokens += count;
        trace(Trace.Category.FAULT, "drop the next " + (count == 1 ? "token" : count + " tokens"));
    }

    /**
     * The length of a MERGE_DETECT, JOIN or commit token without its release trailer (TotemCodec format 1: 18
     * bytes; a JOIN's fixed part is 19 bytes and 4 per listed node, a commit token's 30 and 41 per member), or -1
     * for another packet.
     */
    private static int lengthWithoutTrailer(byte[] p) {
        if (p.length > 18 && p[0] == 1 && p[1] == 2) {
            return 18;
        }
        if (p.length >= 19 && p[0] == 1 && p[1] == 3) {
            return 19 + 4 * ((((p[15] & 0xFF) << 8) | (p[16] & 0xFF)) + (((p[17] & 0xFF) << 8) | (p[18] & 0xFF)));
        }
        if (p.length >= 30 && p[0] == 1 && p[1] == 4) {
            return 30 + 41 * (((p[28] & 0xFF) << 8) | (p[29] & 0xFF));
        }
        return -1;
    }

    /**
     * Feeds node {@code to} a malformed packet now: a truncated copy of the last packet sent, or random bytes.
     * The engine must drop and count it.
     */
    public void injectBadPacket(int to) {
        byte[] bad;
        if (lastPacket != null && lastPacket.length > 1 && rng.nextBoolean()) {
            int len = rng.nextInt(lastPacket.length);
            if (len > 0 && len == lengthWithoutTrailer(lastPacket)) {
                len--;   // cut exactly before its release trailer a JOIN or commit token is still a valid one
            }
            bad = Arrays.copyOf(lastPacket, len);
        } else {
            bad = new byte[rng.nextInt(1, 200)];
            for (int i = 0; i < bad.length; i++) {
                bad[i] = (byte) rng.nextInt(256);
            }
            if (bad.length > 1 && rng.nextBoolean()) {
                bad[0] = 1;
                bad[1] = (byte) rng.nextInt(6);
                if (bad.length > 5) {
                    bad[2] = bad[3] = bad[4] = 0;
                    bad[5] = (byte) ids[rng.nextInt(ids.length)];
                }
            }
        }
        Event e = new Event();
        e.type = EV_PACKET;
        e.to = to;
        e.from = 0;
        e.data = bad;
        e.bad = true;
        schedule(e, now);
    }

    // ------------------------------------------------------------------------------------------- messages ----

    /**
     * Submits a message of {@code size} bytes (at least 12: the checker's header) from node {@code id}. Returns
     * false when the node is down or its engine refused (back-pressure).
     */
    public boolean submit(int id, int size, Guarantee g) {
        Node n = nodes[id];
        if (!n.alive) {
            return false;
        }
        int counter = ++n.counter;
        byte[] p = Payloads.make(id, counter, size);
        boolean[] ok = new boolean[1];
        // Registered first: a one-node ring delivers the message during submit().
        checker.submitted(n.inc, Payloads.msgId(id, counter), g, p.length);
        guard(n, () -> ok[0] = n.engine.submit(p, g));
        if (!ok[0]) {
            engineTotals.merge("sim.submit_refused", 1L, Long::sum);
            checker.unsubmitted(n.inc, Payloads.msgId(id, counter));
            n.counter--;
        } else {
            trace(Trace.Category.SUBMIT, "n" + id + " submit " + id + ":" + counter + " " + g.name().toLowerCase()
                + " " + p.length + "B");
        }
        return ok[0];
    }

    // ------------------------------------------------------------------------------------------------ CPG ----

    /** Bytes CPG may have waiting for Totem per node, as the ring driver's submit queue (then "try again"). */
    static final long CPG_SUBMIT_LIMIT = 8L << 20;

    private boolean cpgLayer;

    /** Runs a CPG engine on every node from its next boot on (call before booting). */
    public void enableCpg() {
        cpgLayer = true;
    }

    /** The CPG engine of a live node (null while it is down or without {@link #enableCpg()}). */
    public CpgEngine cpg(int id) {
        Node n = nodes[id];
        return n.alive ? n.cpg : null;
    }

    /** A CPG message for the trace: its type, group and pid (from 2^31 on as in-JVM members count them). */
    static String cpgName(byte[] body) {
        CpgMessages.Message m = CpgMessages.decode(body);
        if (m instanceof CpgMessages.Join j) {
            return "join " + j.group() + " " + (j.pid() - (1L << 31));
        } else if (m instanceof CpgMessages.Leave l) {
            return "leave " + l.group() + " " + (l.pid() - (1L << 31)) + " " + l.reason();
        } else if (m instanceof CpgMessages.Mcast mc) {
            return "mcast " + mc.group() + " " + (mc.pid() - (1L << 31)) + " " + mc.data().length + "B";
        } else if (m instanceof CpgMessages.JoinList jl) {
            StringBuilder sb = new StringBuilder("joinlist " + jl.ring());
            for (CpgMessages.Entry e : jl.members()) {
                sb.append(' ').append(e.group()).append('/').append(e.pid() - (1L << 31));
            }
            return sb.toString();
        }
        return "malformed";
    }

    /** Messages CPG submitted on a live node that are not yet fed to its Totem engine. */
    public int cpgBacklog(int id) {
        Node n = nodes[id];
        return n.alive ? n.cpgOut.size() : 0;
    }

    /** CPG's sender: queued, and fed to Totem by an action of its own (the driver's submit queue). */
    /** A message CPG submitted, not yet fed to Totem. */
    private record CpgOut(byte[] body, Guarantee guarantee) {
    }

    private boolean cpgSubmit(Node n, int incarnation, byte[] payload, Guarantee guarantee) {
        if (!n.alive || n.incarnation != incarnation || n.cpgOutBytes + payload.length > CPG_SUBMIT_LIMIT) {
            return false;
        }
        n.cpgOut.addLast(new CpgOut(payload, guarantee));
        n.cpgOutBytes += payload.length;
        scheduleCpgFeed(n, incarnation, now);
        return true;
    }

    private void scheduleCpgFeed(Node n, int incarnation, long at) {
        if (!n.cpgFeedScheduled) {
            n.cpgFeedScheduled = true;
            at(at, () -> cpgFeed(n, incarnation));
        }
    }

    private void cpgFeed(Node n, int incarnation) {
        n.cpgFeedScheduled = false;
        if (!n.alive || n.incarnation != incarnation) {
            return;
        }
        if (n.pausedUntil > now) {
            scheduleCpgFeed(n, incarnation, n.pausedUntil);
            return;
        }
        while (!n.cpgOut.isEmpty()) {
            CpgOut out = n.cpgOut.peekFirst();
            byte[] body = out.body();
            int counter = ++n.counter;
            byte[] p = Payloads.carrier(n.id, counter, body);
            boolean[] ok = new boolean[1];
            checker.submitted(n.inc, Payloads.msgId(n.id, counter), out.guarantee(), p.length);
            guard(n, () -> ok[0] = n.engine.submit(p, out.guarantee()));
            if (!ok[0]) {
                checker.unsubmitted(n.inc, Payloads.msgId(n.id, counter));
                n.counter--;
                scheduleCpgFeed(n, incarnation, now + MS);   // Totem's send queue is full: try again
                return;
            }
            n.cpgOut.pollFirst();
            n.cpgOutBytes -= body.length;
        }
        guard(n, () -> n.cpg.pump());
    }

    // ------------------------------------------------------------------------------------------- the loop ----

    /** Runs {@code action} at virtual time {@code micros} (not earlier than now). */
    public void at(long micros, Runnable action) {
        Event e = new Event();
        e.type = EV_ACTION;
        e.action = action;
        schedule(e, Math.max(now, micros));
    }

    private void schedule(Event e, long time) {
        e.time = time;
        e.seq = eventSeq++;
        events.add(e);
    }

    private void send(int from, int to, byte[] p) {
        packetsSent++;
        lastPacket = p;
        Link l = links[from][to];
        if (trace.on(Trace.Category.PACKET)) {
            trace(Trace.Category.PACKET, from + " -> " + to + " " + packetName(p) + (l.blocked ? " (blocked)" : ""));
        }
        if (dropTokens > 0 && p.length > 1 && p[1] == 0) {
            dropTokens--;
            packetsDropped++;
            trace(Trace.Category.FAULT, "token " + from + " -> " + to + " lost");
            return;
        }
        if (dropCommits > 0 && p.length > 1 && p[1] == 4) {
            dropCommits--;
            packetsDropped++;
            trace(Trace.Category.FAULT, "commit token " + from + " -> " + to + " lost");
            return;
        }
        if (l.mcastBlocked && p.length > 1 && p[1] == TYPE_MCAST) {
            packetsDropped++;
            return;
        }
        if (l.blocked || (l.loss > 0 && rng.nextDouble() < l.loss)) {
            packetsDropped++;
            return;
        }
        deliverAfterDelay(from, to, p, l);
        if (l.dup > 0 && rng.nextDouble() < l.dup) {
            deliverAfterDelay(from, to, p, l);
        }
    }

    private void deliverAfterDelay(int from, int to, byte[] p, Link l) {
        Event e = new Event();
        e.type = EV_PACKET;
        e.to = to;
        e.from = from;
        e.data = p;
        long d = l.maxDelay > l.minDelay ? rng.nextLong(l.minDelay, l.maxDelay + 1) : l.minDelay;
        schedule(e, now + d);
    }

    // The MCAST layout (TotemCodec, version 1), decoded here on its own so that the safe-delivery receipts come
    // from the bytes on the simulated wire rather than from the engine: u8 version · u8 type · u32 sender ·
    // u32 ring rep · u64 ring seq · u64 seq · u8 kind · body; a recovery MCAST's body is a whole old-ring MCAST.
    private static final int MCAST_HEADER = 27;
    private static final int TYPE_MCAST = 1;
    private static final int KIND_RECOVERY = 1;

    /** Tells the checker which ordered messages {@code packet} hands node {@code n} (none unless an MCAST). */
    private void recordCarried(Node n, byte[] packet) {
        recordCarried(n, packet, 0, packet.length, false);
    }

    private void recordCarried(Node n, byte[] b, int off, int len, boolean inner) {
        if (len < MCAST_HEADER || b[off] != 1 || b[off + 1] != TYPE_MCAST) {
            return;
        }
        int rep = Payloads.getInt(b, off + 6);
        long ringSeq = getLong(b, off + 10);
        long seq = getLong(b, off + 18);
        if (ringSeq > n.seqAtBoot && seq >= 1 && seq <= Integer.MAX_VALUE) {
            checker.carried(n.id, rep, ringSeq, seq);
        }
        if (!inner && b[off + 26] == KIND_RECOVERY) {
            recordCarried(n, b, off + MCAST_HEADER, len - MCAST_HEADER, true);
        }
    }

    private static long getLong(byte[] b, int p) {
        return ((long) Payloads.getInt(b, p) << 32) | (Payloads.getInt(b, p + 4) & 0xFFFFFFFFL);
    }

    private static final String[] TYPE_NAMES = {"token", "mcast", "merge-detect", "join", "commit", "hold-cancel"};

    static String packetName(byte[] p) {
        return p.length > 1 && p[1] >= 0 && p[1] < TYPE_NAMES.length ? TYPE_NAMES[p[1]] : "?";
    }

    private void scheduleSchedCheck(Node n, long at) {
        Event e = new Event();
        e.type = EV_SCHED;
        e.to = n.id;
        e.gen = n.incarnation;
        schedule(e, at);
    }

    /** Processes one event; false when there are none. */
    public boolean step() {
        Event e = events.poll();
        if (e == null) {
            return false;
        }
        now = e.time;
        steps++;
        if (e.type != EV_ACTION && nodes[e.to].pausedUntil > now) {
            schedule(e, nodes[e.to].pausedUntil);
            return true;
        }
        switch (e.type) {
            case EV_PACKET -> {
                Node n = nodes[e.to];
                if (n.alive) {
                    if (e.bad) {
                        n.inc.badPacketsDelivered++;
                    } else {
                        recordCarried(n, e.data);
                    }
                    TotemSrp engine = n.engine;
                    long dropped = engine.stats().get("rx_msg_dropped");
                    guard(n, () -> engine.onPacket(e.data));
                    if (!e.bad && engine.stats().get("rx_msg_dropped") != dropped) {
                        throw new Checker.Violation("n" + n.id + " dropped a well-formed " + packetName(e.data)
                            + " from n" + e.from + " (" + e.data.length + " bytes) as malformed");
                    }
                }
            }
            case EV_TIMER -> {
                Node n = nodes[e.to];
                if (n.alive && n.gen[e.kind] == e.gen) {
                    guard(n, () -> n.engine.onTimer(TimerKind.values()[e.kind]));
                }
            }
            case EV_SCHED -> {
                Node n = nodes[e.to];
                if (n.alive && n.incarnation == e.gen) {
                    String warning = n.schedCheck.check(now * 1000L);
                    if (warning != null) {
                        trace(Trace.Category.STATE, "n" + n.id + " " + warning);
                    }
                    scheduleSchedCheck(n, now + n.schedCheck.intervalMillis() * MS);
                }
            }
            default -> e.action.run();
        }
        return true;
    }

    /** Processes every event up to virtual time {@code micros}, then sets the clock to it. */
    public void runUntil(long micros) {
        while (!events.isEmpty() && events.peek().time <= micros) {
            step();
        }
        now = Math.max(now, micros);
    }

    public void runFor(long micros) {
        runUntil(now + micros);
    }

    private void guard(Node n, Runnable r) {
        try {
            r.run();
        } catch (Checker.Violation v) {
            throw v;
        } catch (RuntimeException ex) {
            StringWriter sw = new StringWriter();
            ex.printStackTrace(new PrintWriter(sw));
            throw new Checker.Violation("engine of n" + n.id + " threw: " + sw);
        }
    }

    // -------------------------------------------------------------------------------------------- queries ----

    /** True when every live node is OPERATIONAL in one ring whose members are exactly the live nodes. */
    public boolean converged() {
        List<Integer> alive = aliveNodes();
        if (alive.isEmpty()) {
            return true;
        }
        RingId ring = null;
        for (int id : alive) {
            TotemSrp e = nodes[id].engine;
            if (e.state() != TotemState.OPERATIONAL || !e.members().equals(alive)) {
                return false;
            }
            if (ring == null) {
                ring = e.ringId();
            } else if (!ring.equals(e.ringId())) {
                return false;
            }
        }
        return true;
    }

    /** Checks that every live engine dropped and counted exactly the malformed packets fed to it. */
    void checkBadPacketsCounted() {
        for (int id : ids) {
            Node n = nodes[id];
            if (n.alive && n.engine.stats().get("rx_msg_dropped") != n.inc.badPacketsDelivered) {
                throw new Checker.Violation("n" + id + " counted " + n.engine.stats().get("rx_msg_dropped")
                    + " dropped packets, " + n.inc.badPacketsDelivered + " malformed ones were fed to it");
            }
        }
    }

    /** Whole-run checks once the cluster has converged: final ring agreement, self delivery, bad packets. */
    public void finalChecks() {
        List<Integer> alive = aliveNodes();
        if (!alive.isEmpty()) {
            RingId ring = nodes[alive.get(0)].engine.ringId();
            List<Checker.Inc> members = new ArrayList<>();
            for (int id : alive) {
                members.add(nodes[id].inc);
            }
            checker.checkFinalRing(ring, members);
        }
        checker.finalChecks();
        checkBadPacketsCounted();
    }

    /** Every engine's counters summed (crashed incarnations included). */
    public java.util.TreeMap<String, Long> engineTotals() {
        java.util.TreeMap<String, Long> t = new java.util.TreeMap<>(engineTotals);
        for (int id : ids) {
            if (nodes[id].alive) {
                nodes[id].engine.stats().forEach((k, v) -> t.merge(k, v, Long::sum));
            }
        }
        return t;
    }

    /** One line per node: state, ring, members, queue. */
    public String status() {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            Node n = nodes[id];
            sb.append("n").append(id).append(' ');
            if (!n.alive) {
                sb.append("down\n");
                continue;
            }
            TotemSrp e = n.engine;
            sb.append(e.state()).append(" ring ").append(e.ringId()).append(" members ").append(e.members());
            if (e.queuedMessages() > 0) {
                sb.append(" queued ").append(e.queuedMessages());
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
