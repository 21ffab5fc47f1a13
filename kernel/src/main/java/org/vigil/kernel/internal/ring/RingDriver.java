package org.vigil.kernel.internal.ring;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.MembershipListener;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cpg.CpgEngine;
import org.vigil.kernel.internal.totem.FileRingSeqStore;
import org.vigil.kernel.internal.totem.Guarantee;
import org.vigil.kernel.internal.totem.Release;
import org.vigil.kernel.internal.totem.SchedulingPause;
import org.vigil.kernel.internal.totem.TimerKind;
import org.vigil.kernel.internal.totem.TotemConfig;
import org.vigil.kernel.internal.totem.TotemOutput;
import org.vigil.kernel.internal.totem.TotemProbe;
import org.vigil.kernel.internal.totem.TotemSrp;
import org.vigil.kernel.internal.totem.TotemState;
import org.vigil.kernel.internal.wire.RefusedNotice;
import org.vigil.kernel.internal.wire.WireCodec;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;

/**
 * Runs one node's Totem engine on real transports: it feeds the engine with received packets, timer expiries
 * and messages to send, and carries out what the engine asks (packets to send, deliveries to CPG, configuration
 * changes). Around the engine's bytes it puts Vigil's datagram format ({@link WireCodec}: cluster check,
 * authentication, encryption), decoded on the transports' I/O threads.
 *
 * <p><b>Threads.</b> The engine is single-threaded: one thread at a time holds the engine lock and runs it.
 * Every input goes into one FIFO queue; a transport's I/O thread that queues a packet then runs the queue itself
 * if the lock is free (so a datagram is processed on the thread that read it, without a hand-over and the two
 * context switches it costs per packet on every hop of the token), for a bounded batch so that it soon reads its
 * socket again; else, and for what is left, the protocol thread runs the queue. The node's protocol thread ({@code vigil-totem-N}) fires the timers, does the
 * periodic housekeeping and runs what other threads queue (messages to send, tasks): callers such as CPG hold
 * their own locks when they submit, so they never run the engine themselves.
 *
 * <p><b>Redundant rings.</b> With {@code rrp_mode: passive} each packet goes out on one ring, round robin; with
 * {@code active} on every ring; Totem drops the duplicates. A ring that hears nothing from any other node for a
 * token timeout while another ring does is marked faulty (no more sends on it) until {@code corosync-cfgtool -r}
 * (cmap {@code runtime.totem.link_reenable}).
 *
 * <p><b>State in cmap.</b> {@code runtime.members.<id>.*} (ip, status, join_count, config_version),
 * {@code runtime.totem.ring_id}/{@code state}, {@code runtime.totem.link.<r>.faulty}, per node and ring
 * {@code stats.knet.node<N>.link<R>.connected}, and the counters {@code stats.srp.*} and {@code stats.wire.*}
 * (published every second).
 *
 * <p>Thread-safety: {@link #submit} and the {@link ClusterMembership} methods may be called from any thread;
 * everything else happens under the engine lock.
 */
public final class RingDriver implements ClusterMembership, AutoCloseable {

    /** The transports the driver sends on and receives from (the kernel's TransportRegistry, or a test's). */
    public interface Links {
        /** The open channel of a ring, or null while it has none (e.g. during a transport swap). */
        Transport.Channel channel(int ring);

        /** Installs the receiver of every ring's datagrams. */
        void setReceiver(DatagramReceiver receiver);
    }

    private static final Logger LOG = LoggerFactory.getLogger("vigil.TOTEM");
    private static final long SUBMIT_QUEUE_LIMIT = 8L << 20;
    private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final Object WAKE = new Object();
    /** Events a transport's I/O thread runs at most before it returns to its socket. */
    private static final int IO_THREAD_BATCH = 64;
    /** At most one REFUSED notice to a node in this time. */
    static final long NOTICE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private record Packet(int ring, byte[] payload) {
    }

    private final int self;
    private final VigilConfig config;
    private final Cmap cmap;
    private final Links links;
    private final WireCodec codec;
    private final TotemSrp engine;
    private final CpgEngine cpg;
    private final int rings;
    private final String rrpMode;
    private final long tokenNanos;
    private final Map<Integer, Integer> nodeIndex = new HashMap<>();
    private final int[] nodeIds;
    /** Per ring, per node index: the configured address (the unlisted-IP check) and the last receive time. */
    private final InetAddress[][] addresses;
    private final long[][] lastRx;
    private final boolean[][] connected;
    private final boolean[] faulty;
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    /** Held by whichever thread runs the engine; never taken by a thread that holds another lock first. */
    private final ReentrantLock engineLock = new ReentrantLock();
    /** When the protocol thread will wake by itself (System.nanoTime), so an earlier timer can wake it sooner. */
    private volatile long wakeAt = Long.MAX_VALUE;
    private final ConcurrentLinkedQueue<Submit> submits = new ConcurrentLinkedQueue<>();

    /** A message waiting for the protocol thread to hand it to Totem. */
    private record Submit(byte[] payload, Guarantee guarantee) {
    }
    private final AtomicLong submitBytes = new AtomicLong();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final long[] deadlines = new long[TimerKind.values().length];
    private final EnumMap<WireCodec.Drop, AtomicLong> drops = new EnumMap<>(WireCodec.Drop.class);
    private final AtomicLong unknownNode = new AtomicLong();
    private final AtomicLong unlistedAddress = new AtomicLong();
    private final AtomicLong ownPackets = new AtomicLong();
    private final AtomicLong forgedOwnId = new AtomicLong();
    private final AtomicLong linkMalformed = new AtomicLong();
    /** Heartbeats per peer and link: up/down and latency (knet's, below the engine). */
    private final LinkMonitor monitor;
    private final InetSocketAddress[] ownEndpoints;
    /**
     * Refusals (docs/design/versioning.md): when a REFUSED notice last went to each node (at most one per node
     * every {@link #NOTICE_INTERVAL_NANOS}), and what was last logged of each node (logged once per node and
     * release, not per packet).
     */
    private final Map<Integer, Long> noticeSent = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, String> refusalLogged = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, String> refusedByLogged = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong noticesSent = new AtomicLong();
    private final AtomicLong noticesReceived = new AtomicLong();
    private final AtomicLong badNotices = new AtomicLong();
    /** Notices that refused another release than this node's (an earlier run of it), and what was logged of them. */
    private final AtomicLong staleNotices = new AtomicLong();
    private final Map<Integer, String> staleLogged = new java.util.concurrent.ConcurrentHashMap<>();
    /** The effective features and members' releases of the current regular configuration (for the API). */
    private volatile long effectiveFeatures;
    private volatile Map<Integer, Release> memberReleases = Map.of();
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, Long> joinCounts = new HashMap<>();
    private final Thread thread;
    private final RingThreadScheduling scheduling;
    private volatile MembershipEvent current;
    private volatile boolean running = true;
    private List<Integer> lastMembers = List.of();
    private long reenableSeen;
    private int roundRobin;
    private long nextHousekeeping;
    /** corosync's scheduler-pause check (main.c), every token / 3 on the protocol thread. */
    private SchedulingPause schedCheck;
    private long nextSchedCheck;
    private long startedAt;
    /** When each ring was marked faulty (for the automatic recovery). */
    private final long[] faultySince;
    /** corosync 2's {@code rrp_autorecovery_check_timeout} in nanoseconds; 0: no automatic recovery. */
    private final long autorecoveryNanos;
    /** The last fault check, so a check after a scheduling pause can tell it saw a stale picture. */
    private long lastFaultCheck;

    /**
     * @param config   the node's validated configuration
     * @param self     this node's id
     * @param stateDir where the ring sequence is kept ({@code ringid_<nodeid>})
     * @param cmap     where runtime state and counters go
     * @param links    the transports
     * @param authkey  the cluster key when the configuration asks for crypto, else null
     */
    public RingDriver(VigilConfig config, int self, Path stateDir, Cmap cmap, Links links, byte[] authkey) {
        this.self = self;
        this.config = config;
        this.cmap = cmap;
        this.links = links;
        VigilConfig.Totem t = config.totem();
        this.codec = new WireCodec(t.clusterName(), self, t.cryptoCipher(), t.cryptoHash(), authkey);
        this.rrpMode = t.rrpMode();
        this.rings = rrpMode.equals("none") ? 1 : Math.max(1, config.interfaces().size());
        this.tokenNanos = TimeUnit.MILLISECONDS.toNanos(t.token());
        List<VigilConfig.Node> nodes = config.nodes();
        nodeIds = new int[nodes.size()];
        addresses = new InetAddress[rings][nodes.size()];
        ownEndpoints = new InetSocketAddress[rings];
        lastRx = new long[rings][nodes.size()];
        connected = new boolean[rings][nodes.size()];
        faulty = new boolean[rings];
        faultySince = new long[rings];
        autorecoveryNanos = TimeUnit.MILLISECONDS.toNanos(config.raw("totem.rrp_autorecovery_check_timeout")
            .map(Long::parseLong).orElse(1000L));
        for (int i = 0; i < nodes.size(); i++) {
            VigilConfig.Node n = nodes.get(i);
            nodeIds[i] = n.nodeId();
            nodeIndex.put(n.nodeId(), i);
            for (int r = 0; r < rings; r++) {
                String a = n.addresses().get(r);
                addresses[r][i] = a == null ? null : VigilConfig.literal(a);
                if (n.nodeId() == self && addresses[r][i] != null) {
                    // where this node's own datagrams come from: its ring address and port (both transports
                    // send from the socket bound there)
                    int port = n.ports().getOrDefault(r,
                        config.iface(r).map(VigilConfig.Interface::mcastport).orElse(5405 + r));
                    ownEndpoints[r] = new InetSocketAddress(addresses[r][i], port);
                }
            }
        }
        for (WireCodec.Drop d : WireCodec.Drop.values()) {
            drops.put(d, new AtomicLong());
        }
        Arrays.fill(deadlines, -1);
        monitor = LinkMonitor.forToken(self, nodeIds, rings, t.token(), System.nanoTime());
        TotemConfig tc = TotemConfig.from(t);
        int[] members = Arrays.copyOf(nodeIds, nodeIds.length);
        Arrays.sort(members);
        engine = new TotemSrp(self, members, tc, new FileRingSeqStore(stateDir, self), new Output());
        Release own = engine.release();
        effectiveFeatures = own.features();
        memberReleases = Map.of(self, own);
        cmap.setString("runtime.totem.release", own.version());
        cmap.setString("runtime.totem.release_features", String.join(" ", Release.featureNames(own.features())));
        cmap.setString("runtime.totem.features", String.join(" ", Release.featureNames(own.features())));
        engine.setProbe(new TotemProbe() {
            @Override
            public void stateChanged(TotemState from, TotemState to, String reason) {
                LOG.debug("{} -> {} ({})", from, to, reason);
                if (to == TotemState.GATHER && from == TotemState.OPERATIONAL) {
                    // when and why the ring last stopped being operational (the controllers' timeline reads it)
                    cmap.setString("runtime.totem.last_gather.reason", reason);
                    cmap.set("runtime.totem.last_gather.time_ms", CmapType.UINT64, System.currentTimeMillis());
                    if (reason.contains("token")) {
                        LOG.info("A processor failed, forming new configuration: {}", reason);
                    } else {
                        LOG.info("Forming a new configuration: {}", reason);
                    }
                }
                cmap.setString("runtime.totem.state", to.name());
            }
        });
        cpg = new CpgEngine(self, this::submit);
        current = new MembershipEvent(MembershipEvent.Type.REGULAR, new RingId(self, 0), List.of(self), List.of(),
            List.of());
        cmap.set("runtime.totem.link_reenable", CmapType.UINT64, 0L);
        for (int r = 0; r < rings; r++) {
            cmap.set("runtime.totem.link." + r + ".faulty", CmapType.UINT8, 0L);
        }
        // -Dvigil.ring.scheduling=off: leave thread scheduling alone (the build's in-JVM tests run several nodes
        // in one JVM on a 2-core machine; realtime threads there would only make them timing-dependent)
        scheduling = new RingThreadScheduling("off".equals(System.getProperty("vigil.ring.scheduling"))
            ? new VigilConfig.Scheduling(false, null) : config.scheduling());
        thread = new Thread(this::loop, "vigil-totem-" + Integer.toUnsignedString(self));
        thread.setDaemon(true);
    }

    /** Starts the protocol thread and begins receiving. */
    public RingDriver start() {
        inbox.add((Runnable) engine::start);   // first in the queue: before any packet
        links.setReceiver(this::received);
        LOG.info("Initializing transport ({}, {} ring{}, rrp_mode {}), crypto {}/{}",
            config.totem().transport(), rings, rings == 1 ? "" : "s", rrpMode, config.totem().cryptoCipher(),
            config.totem().cryptoHash());
        startedAt = System.nanoTime();
        thread.start();
        return this;
    }

    /** The CPG service running on this ring. */
    public CpgEngine cpg() {
        return cpg;
    }

    /** Bytes Vigil's datagram format adds to every engine packet. */
    public int datagramOverhead() {
        return codec.overhead();
    }

    // ---- receiving (transport I/O threads) --------------------------------------------------------------

    private void received(int ring, InetSocketAddress from, ByteBuffer datagram) {
        scheduling.enlist();   // the I/O thread forwards the token: schedule it as corosync's (sched_rr)
        int formatByte = datagram.remaining() > 2 ? datagram.get(datagram.position() + 2) & 0xFF : -1;
        WireCodec.Decoded d = codec.decode(datagram);
        if (!d.ok()) {
            drops.get(d.drop()).incrementAndGet();
            if (d.drop() == WireCodec.Drop.BAD_VERSION) {
                badFormat(ring, from, formatByte);
            }
            return;
        }
        Integer idx = nodeIndex.get(d.sender());
        if (idx == null) {
            unknownNode.incrementAndGet();
            return;
        }
        if (ring < 0 || ring >= rings) {
            return;
        }
        if (d.sender() == self) {
            if (from == null || from.equals(ownEndpoints[ring])) {
                ownPackets.incrementAndGet();   // our own multicast, looped back by the transport
            } else {
                // this node's id from somewhere else: a forgery, or another node configured with the same id
                if (forgedOwnId.incrementAndGet() == 1) {
                    LOG.warn("ring {}: dropped a datagram carrying this node's id {} from {} (not this node's "
                        + "address {}): another node with the same nodeid, or a forgery; counted in "
                        + "stats.wire.rx_own_id_elsewhere", ring, Integer.toUnsignedString(self), from,
                        ownEndpoints[ring]);
                }
            }
            return;
        }
        InetAddress expected = addresses[ring][idx];
        if (config.totem().blockUnlistedIps() && expected != null && from != null
            && !expected.equals(from.getAddress())) {
            unlistedAddress.incrementAndGet();
            return;
        }
        lastRx[ring][idx] = System.nanoTime();
        if (LinkFrame.isLinkFrame(d.payload())) {
            linkFrame(ring, d.sender(), d.payload());
            return;
        }
        if (RefusedNotice.isNotice(d.payload())) {
            refusedBy(d.sender(), RefusedNotice.decode(d.payload()));
            return;
        }
        inbox.add(new Packet(ring, d.payload()));
        runQueue();
    }

    /**
     * A heartbeat frame, handled on the I/O thread that read it (the engine never sees it): a PING is answered at
     * once on the link it came on, so the round trip measures the link and not this node's queue; a PONG is a
     * latency sample. A frame that does not parse, or names another node or link, is counted in {@code
     * stats.wire.rx_link_malformed} and dropped.
     */
    private void linkFrame(int ring, int sender, byte[] payload) {
        LinkFrame f = LinkFrame.decode(payload);
        long now = System.nanoTime();
        if (f == null || f.link() != ring || f.target() != self) {
            linkMalformed.incrementAndGet();
            return;
        }
        if (f.code() == LinkFrame.PING) {
            byte[] pong = monitor.onPing(ring, sender, f, now);
            Transport.Channel ch = links.channel(ring);
            if (pong != null && ch != null) {
                ch.send(sender, codec.encode(pong, 0, pong.length));
            }
        } else if (monitor.onPong(ring, sender, f, now)) {
            logLinkChanges();
        }
    }

    /** Sends the PINGs due on every link (any link, faulty or not: a ring marked faulty is still watched). */
    private void sendPings(long now) {
        for (LinkMonitor.Ping p : monitor.due(now)) {
            Transport.Channel ch = links.channel(p.link());
            if (ch != null) {
                ch.send(p.nodeId(), codec.encode(p.frame(), 0, p.frame().length));
            }
        }
        logLinkChanges();
    }

    /** corosync logs knet's link changes as {@code [KNET  ] link: host: 2 link: 0 is down}. */
    private void logLinkChanges() {
        for (LinkMonitor.Change c : monitor.drainChanges()) {
            if (c.up()) {
                LOG.info("link: host: {} link: {} is up ({})", Integer.toUnsignedString(c.nodeId()), c.link(), c.why());
            } else {
                LOG.warn("link: host: {} link: {} is down ({})", Integer.toUnsignedString(c.nodeId()), c.link(),
                    c.why());
            }
        }
    }

    /**
     * On a transport's I/O thread, after it queued a packet: runs the queue here if the engine is free, for at
     * most {@value #IO_THREAD_BATCH} events, so the thread soon goes back to reading its socket (the token may be
     * next in it; the other threads keep queueing work); what is left, and what arrives while another thread
     * holds the engine, is the protocol thread's. Never runs the engine inside itself: a listener the engine
     * calls that ends up here returns at once.
     */
    private void runQueue() {
        if (!running || engineLock.isHeldByCurrentThread()) {
            return;
        }
        if (!engineLock.tryLock()) {
            LockSupport.unpark(thread);   // in case the holder is past its last look
            return;
        }
        try {
            Object ev;
            for (int n = 0; n < IO_THREAD_BATCH && running && (ev = inbox.poll()) != null; n++) {
                handleSafely(ev);
            }
        } finally {
            engineLock.unlock();
        }
        if (!inbox.isEmpty()) {
            LockSupport.unpark(thread);
        }
    }

    private void runQueueLocked() {
        Object ev;
        while (running && (ev = inbox.poll()) != null) {
            handleSafely(ev);
        }
    }

    private void handleSafely(Object ev) {
        try {
            handle(ev);
        } catch (RuntimeException e) {
            // The engine never throws on input; anything here is a bug: log it and keep the node running.
            LOG.error("protocol error (the node keeps running)", e);
        }
    }

    /** Queues work for the protocol thread and wakes it. */
    private void post(Object ev) {
        inbox.add(ev);
        LockSupport.unpark(thread);
    }

    // ---- refusals (docs/design/versioning.md) ------------------------------------------------------------

    private static String refusedKey(int node) {
        return "runtime.totem.refused." + Integer.toUnsignedString(node);
    }

    private static String refusedByKey(int node) {
        return "runtime.totem.refused_by." + Integer.toUnsignedString(node);
    }

    /** Sends a REFUSED notice to a node unless one went there within {@link #NOTICE_INTERVAL_NANOS}. */
    private void sendNotice(int node, RefusedNotice n) {
        long now = System.nanoTime();
        Long last = noticeSent.get(node);
        if (last != null && now - last < NOTICE_INTERVAL_NANOS) {
            return;
        }
        noticeSent.put(node, now);
        byte[] p = n.encode();
        ByteBuffer d = codec.encode(p, 0, p.length);
        for (int r = 0; r < rings; r++) {
            Transport.Channel ch = links.channel(r);
            if (ch != null) {
                ch.send(node, d.duplicate());
            }
        }
        noticesSent.incrementAndGet();
    }

    /**
     * A datagram of a wire format this node cannot read ({@link WireCodec.Drop#BAD_VERSION}): its sender is told
     * with a REFUSED notice in format 1, at most one per node per {@link #NOTICE_INTERVAL_NANOS}, and the refusal
     * is logged once and shown in cmap. The sender is known by its address only (the rest of the header may not
     * mean what format 1 says): the configured node of that address on that ring; anything else is only counted.
     */
    private void badFormat(int ring, InetSocketAddress from, int format) {
        if (from == null || ring < 0 || ring >= rings) {
            return;
        }
        int node = 0;
        for (int i = 0; i < nodeIds.length; i++) {
            if (nodeIds[i] != self && from.getAddress().equals(addresses[ring][i])) {
                node = nodeIds[i];
            }
        }
        if (node == 0 || current.members().contains(node)) {
            // a member of this node's ring speaks format 1 to it: a datagram of another format from its address
            // is garbage or a forgery, which must not make this node refuse (and tell) a member
            return;
        }
        Release own = engine.release();
        String why = "wire format " + format + " cannot be read by release " + own.version()
            + " (it reads format 1; a release that changes the format must still read and write format 1 while "
            + "its ring has older members)";
        String seen = "format " + format;
        if (!seen.equals(refusalLogged.put(node, seen))) {
            LOG.warn("Refused node {} at {}: {}; counted in stats.wire.rx_bad_version",
                Integer.toUnsignedString(node), from, why);
            cmap.setString(refusedKey(node), why);
        }
        sendNotice(node, new RefusedNotice(RefusedNotice.WHY_WIRE_FORMAT, own.major(), own.minor(), own.features(),
            RefusedNotice.UNKNOWN, RefusedNotice.UNKNOWN, why));
    }

    /**
     * A REFUSED notice from a member: this node is kept out of that node's ring. Logged once per node and
     * release, shown in cmap ({@code runtime.totem.refused_by.<nodeid>}), and the engine stops trying to merge
     * with that node until it announces another release.
     */
    private void refusedBy(int node, RefusedNotice n) {
        if (n == null) {
            badNotices.incrementAndGet();
            return;
        }
        if (current.members().contains(node)) {
            // a member of this node's ring does not refuse it: a notice from one is a stray (replayed, or from
            // before the ring formed) and changes nothing
            badNotices.incrementAndGet();
            return;
        }
        Release own = engine.release();
        if (n.why() == RefusedNotice.WHY_RELEASE && !own.isVersion(n.peerMajor(), n.peerMinor())) {
            // it refused another release than this node's: an earlier run of this node (refused, restarted on
            // another release) whose refusal that node still holds. Not a refusal of this run: the engine answers
            // with its MERGE_DETECT, whose release lifts the refusal there (TotemSrp.onRefusedBy).
            staleNotices.incrementAndGet();
            String seen = n.peerMajor() + "." + n.peerMinor();
            if (!seen.equals(staleLogged.put(node, seen))) {
                LOG.info("node {} (release {}) still refuses release {}, which an earlier run of this node announced; "
                    + "this node runs {}: answered with its release", Integer.toUnsignedString(node), n.version(),
                    seen, own.version());
            }
            Release theirs = new Release(n.major(), n.minor(), n.features());
            post((Runnable) () -> engine.onRefusedBy(node, theirs, n.peerMajor(), n.peerMinor()));
            return;
        }
        noticesReceived.incrementAndGet();
        String text = "refused by node " + Integer.toUnsignedString(node) + " (release " + n.version() + "): "
            + n.reason();
        if (!text.equals(refusedByLogged.put(node, text))) {
            LOG.warn("{}; this node stays out of that node's ring until one of them runs a compatible release",
                text);
            cmap.setString(refusedByKey(node), text);
        }
        if (n.why() == RefusedNotice.WHY_RELEASE) {
            // kept out until that node announces another release; a wire-format refusal is only shown (this node
            // cannot change the format it writes; the other side keeps it out by not reading it)
            Release theirs = new Release(n.major(), n.minor(), n.features());
            post((Runnable) () -> engine.onRefusedBy(node, theirs, n.peerMajor(), n.peerMinor()));
        }
    }

    // ---- submitting (any thread) ------------------------------------------------------------------------

    /**
     * Queues a message for agreed-order delivery; false when the node is pushing back (retry later).
     *
     * @throws IllegalArgumentException for a message larger than Totem's limit
     */
    public boolean submit(byte[] payload) {
        return submit(payload, Guarantee.AGREED);
    }

    /**
     * Queues a message for delivery in agreed or safe order; false when the node is pushing back (retry later).
     *
     * @throws IllegalArgumentException for a message larger than Totem's limit
     */
    public boolean submit(byte[] payload, Guarantee guarantee) {
        if (payload.length > TotemSrp.MAX_MESSAGE) {
            throw new IllegalArgumentException("message of " + payload.length + " bytes is larger than the limit of "
                + TotemSrp.MAX_MESSAGE);
        }
        if (!running || submitBytes.get() + payload.length > SUBMIT_QUEUE_LIMIT) {
            return false;
        }
        submitBytes.addAndGet(payload.length);
        submits.add(new Submit(payload, guarantee));
        if (wakePending.compareAndSet(false, true)) {
            post(WAKE);
        }
        return true;
    }

    // ---- the protocol thread --------------------------------------------------------------------------

    private void loop() {
        scheduling.enlist();
        while (running) {
            if (Thread.interrupted()) {
                return;
            }
            long wait;
            engineLock.lock();
            try {
                long now = System.nanoTime();
                fireTimers(now);
                if (now >= nextHousekeeping) {
                    housekeeping(now);
                    nextHousekeeping = now + HOUSEKEEPING_NANOS;
                }
                if (now >= nextSchedCheck) {
                    checkScheduling(now);
                }
                if (now - monitor.nextDeadline() >= 0) {
                    sendPings(now);
                }
                flushSubmits();
                runQueueLocked();
                now = System.nanoTime();
                long next = Math.min(Math.min(nextHousekeeping, nextSchedCheck), monitor.nextDeadline());
                for (long d : deadlines) {
                    if (d >= 0) {
                        next = Math.min(next, d);
                    }
                }
                wakeAt = next;
                wait = next - now;
            } catch (RuntimeException e) {
                LOG.error("protocol thread error (the node keeps running)", e);
                wait = 0;
            } finally {
                engineLock.unlock();
            }
            // work queued while this thread held the lock, by a thread that then left it here
            if (wait > 0 && inbox.isEmpty()) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    private void handle(Object ev) {
        if (ev instanceof Packet p) {
            engine.onPacket(p.payload());
        } else if (ev instanceof Runnable r) {
            r.run();
        } else if (ev == WAKE) {
            wakePending.set(false);
        }
        flushSubmits();
    }

    private void flushSubmits() {
        Submit m;
        while ((m = submits.peek()) != null) {
            if (!engine.submit(m.payload(), m.guarantee())) {
                return;   // the engine's queue is full: the next token visit makes room
            }
            submits.poll();
            submitBytes.addAndGet(-m.payload().length);
        }
    }

    private void fireTimers(long now) {
        for (TimerKind k : TimerKind.values()) {
            long d = deadlines[k.ordinal()];
            if (d >= 0 && d <= now) {
                deadlines[k.ordinal()] = -1;
                engine.onTimer(k);
            }
        }
    }

    /**
     * The protocol thread was not scheduled for longer than 0.8 × token (GC, a stalled VM, an overloaded host):
     * warn as corosync's {@code timer_function_scheduler_timeout} does, and count it in cmap
     * ({@code runtime.totem.schedmiss.count}, {@code runtime.totem.schedmiss.last_ms}).
     */
    private void checkScheduling(long now) {
        if (schedCheck == null) {
            schedCheck = new SchedulingPause(engine.config().token());
        }
        String warning = schedCheck.check(now);
        if (warning != null) {
            LOG.warn("{}", warning);
            cmap.set("runtime.totem.schedmiss.count", CmapType.UINT64, schedCheck.events());
            cmap.set("runtime.totem.schedmiss.last_ms", CmapType.UINT64, schedCheck.lastPauseNanos() / 1_000_000L);
        }
        nextSchedCheck = now + schedCheck.intervalMillis() * 1_000_000L;
    }

    private void housekeeping(long now) {
        long reenable = cmap.get("runtime.totem.link_reenable").map(e -> e.longValue()).orElse(0L);
        if (reenable != reenableSeen) {
            reenableSeen = reenable;
            for (int r = 0; r < rings; r++) {
                if (faulty[r]) {
                    reenable(r, now);
                    LOG.info("ring {} re-enabled (corosync-cfgtool -r)", r);
                }
            }
        }
        monitor.publish(cmap);   // before "connected": a reader that sees a link up finds its latency
        publishConnectivity();
        if (rings > 1) {
            detectFaultyRings(now);
        }
        cpg.pump();
        engine.stats().forEach((name, v) -> cmap.set("stats.srp." + name, CmapType.UINT64, v));
        for (var d : drops.entrySet()) {
            cmap.set("stats.wire.rx_" + d.getKey().name().toLowerCase(), CmapType.UINT64, d.getValue().get());
        }
        cmap.set("stats.wire.rx_unknown_node", CmapType.UINT64, unknownNode.get());
        cmap.set("stats.wire.rx_unlisted_address", CmapType.UINT64, unlistedAddress.get());
        cmap.set("stats.wire.rx_own_id_elsewhere", CmapType.UINT64, forgedOwnId.get());
        cmap.set("stats.wire.rx_own_looped", CmapType.UINT64, ownPackets.get());
        cmap.set("stats.wire.rx_link_malformed", CmapType.UINT64, linkMalformed.get());
        cmap.set("stats.wire.rx_link_ratelimited", CmapType.UINT64, monitor.rateLimited());
        cmap.set("stats.wire.rx_link_stale_pong", CmapType.UINT64, monitor.stalePongs());
        cmap.set("stats.wire.tx_refused_notice", CmapType.UINT64, noticesSent.get());
        cmap.set("stats.wire.rx_refused_notice", CmapType.UINT64, noticesReceived.get());
        cmap.set("stats.wire.rx_bad_notice", CmapType.UINT64, badNotices.get());
        cmap.set("stats.wire.rx_stale_notice", CmapType.UINT64, staleNotices.get());
        long[] cpgDrops = cpg.dropCounters();
        cmap.set("stats.cpg.rx_unknown_sender", CmapType.UINT64, cpgDrops[0]);
        cmap.set("stats.cpg.rx_malformed", CmapType.UINT64, cpgDrops[1]);
        cmap.set("stats.pg.msg_queue_bytes", CmapType.UINT64, submitBytes.get());
    }

    /**
     * As knet's "connected": the link to the node is up (it answers this node's pings, {@link LinkMonitor}), on a
     * ring this node has not marked faulty. Independent of the membership: a node outside the ring whose link
     * answers is connected, as in corosync 3. Except a node refused for its release or wire format, either way
     * (docs/design/versioning.md): its link may answer, but it cannot take part in this node's ring (knet does
     * not bring up a link whose peer fails its handshake either); {@code corosync-cfgtool -s} shows it
     * disconnected, with the refusal.
     */
    private void publishConnectivity() {
        for (int r = 0; r < rings; r++) {
            for (int i = 0; i < nodeIds.length; i++) {
                int id = nodeIds[i];
                boolean refused = refusalLogged.containsKey(id) || refusedByLogged.containsKey(id);
                boolean c = id == self || (!faulty[r] && !refused && monitor.up(r, id));
                if (c != connected[r][i] || cmap.get(connectedKey(nodeIds[i], r)).isEmpty()) {
                    connected[r][i] = c;
                    cmap.set(connectedKey(nodeIds[i], r), CmapType.UINT8, c ? 1L : 0L);
                }
            }
        }
    }

    private static String connectedKey(int node, int ring) {
        return "stats.knet.node" + Integer.toUnsignedString(node) + ".link" + ring + ".connected";
    }

    /**
     * A ring silent from every other node for a token timeout, while another ring is not, is faulty (corosync 2's
     * passive rrp, {@code passive_monitor} in totemrrp.c, marks a ring whose receive count falls behind the
     * others'). A check that follows a pause of the protocol thread longer than half a token is skipped: the I/O
     * threads may not have read yet what queued on one ring while they stood still, and that ring would look
     * silent. A faulty ring whose heartbeats answer again from every node the working rings reach is re-enabled
     * after {@code rrp_autorecovery_check_timeout} ({@link #recoverFaultyRings}).
     */
    private void detectFaultyRings(long now) {
        boolean paused = lastFaultCheck != 0 && now - lastFaultCheck > HOUSEKEEPING_NANOS + tokenNanos / 2;
        lastFaultCheck = now;
        recoverFaultyRings(now);
        if (paused) {
            return;
        }
        long[] newest = new long[rings];
        for (int r = 0; r < rings; r++) {
            newest[r] = startedAt;   // a ring never heard from counts as silent since the start
            for (int i = 0; i < nodeIds.length; i++) {
                if (nodeIds[i] != self) {
                    newest[r] = Math.max(newest[r], lastRx[r][i]);
                }
            }
        }
        for (int r = 0; r < rings; r++) {
            if (faulty[r]) {
                continue;
            }
            boolean silent = now - newest[r] > tokenNanos;
            boolean otherAlive = false;
            for (int q = 0; q < rings; q++) {
                otherAlive |= q != r && !faulty[q] && newest[q] != startedAt && now - newest[q] < tokenNanos;
            }
            if (silent && otherAlive) {
                faulty[r] = true;
                faultySince[r] = now;
                String why = "no datagram from any other node for " + config.totem().token() + " ms";
                cmap.set("runtime.totem.link." + r + ".faulty", CmapType.UINT8, 1L);
                cmap.setString("runtime.totem.link." + r + ".fault_reason", why);
                int ring = r;
                LOG.error("Marking ringid {} interface {} FAULTY: {}", r,
                    config.node(self).map(n -> n.addresses().get(ring)).orElse("?"), why);
            }
        }
    }

    /**
     * corosync 2's automatic ring recovery ({@code rrp_autorecovery_check_timeout}, totemrrp.c's ring test
     * messages, logged as "Automatically recovered ring N"): a ring faulty for at least that long is re-enabled when
     * its heartbeats ({@link LinkMonitor}, which keeps pinging faulty rings) have a link up to every node that a
     * working ring reaches, and to at least one node.
     */
    private void recoverFaultyRings(long now) {
        if (autorecoveryNanos == 0) {
            return;
        }
        for (int r = 0; r < rings; r++) {
            if (!faulty[r] || now - faultySince[r] < autorecoveryNanos) {
                continue;
            }
            boolean any = false;
            boolean all = true;
            for (int id : nodeIds) {
                if (id == self) {
                    continue;
                }
                boolean reachedElsewhere = false;
                for (int q = 0; q < rings; q++) {
                    reachedElsewhere |= q != r && !faulty[q] && monitor.up(q, id);
                }
                boolean up = monitor.up(r, id);
                any |= up;
                all &= up || !reachedElsewhere;
            }
            if (any && all) {
                reenable(r, now);
                LOG.info("Automatically recovered ring {}", r);
            }
        }
    }

    /** Ring {@code r} is in use again: not faulty, heard from "now", its fault keys cleared. */
    private void reenable(int r, long now) {
        faulty[r] = false;
        Arrays.fill(lastRx[r], now);
        cmap.set("runtime.totem.link." + r + ".faulty", CmapType.UINT8, 0L);
        cmap.delete("runtime.totem.link." + r + ".fault_reason");
    }

    // ---- sending -------------------------------------------------------------------------------------

    /** The rings a packet goes out on now: all usable ones (active), the next usable one (passive), ring 0. */
    private int[] targets() {
        if (rings == 1) {
            return new int[] {0};
        }
        int[] usable = new int[rings];
        int n = 0;
        for (int r = 0; r < rings; r++) {
            if (!faulty[r]) {
                usable[n++] = r;
            }
        }
        if (n == 0) {
            return new int[] {roundRobin++ % rings};   // all faulty: keep trying every ring in turn
        }
        if (rrpMode.equals("active")) {
            return Arrays.copyOf(usable, n);
        }
        return new int[] {usable[roundRobin++ % n]};
    }

    private final class Output implements TotemOutput {

        @Override
        public void unicast(int nodeId, byte[] packet) {
            ByteBuffer d = codec.encode(packet, 0, packet.length);
            for (int r : targets()) {
                Transport.Channel ch = links.channel(r);
                if (ch != null) {
                    ch.send(nodeId, d.duplicate());
                }
            }
        }

        @Override
        public void multicast(byte[] packet) {
            ByteBuffer d = codec.encode(packet, 0, packet.length);
            for (int r : targets()) {
                Transport.Channel ch = links.channel(r);
                if (ch != null) {
                    ch.multicast(d.duplicate());
                }
            }
        }

        @Override
        public void deliver(int sender, byte[] data, int offset, int length, Guarantee guarantee, RingId ring) {
            byte[] m = Arrays.copyOfRange(data, offset, offset + length);
            if (LOG.isDebugEnabled()) {
                LOG.debug("deliver {} bytes from {} (ring {}): {}", length, sender, ring,
                    org.vigil.kernel.internal.cpg.CpgMessages.decode(m));
            }
            cpg.onDeliver(sender, m);
        }

        @Override
        public void configurationChange(MembershipEvent event) {
            LOG.debug("configuration change {}", event);
            cpg.onConfiguration(event);
            if (event.type() == MembershipEvent.Type.REGULAR) {
                regular(event);
            }
            for (MembershipListener l : listeners) {
                try {
                    l.membershipChanged(event);
                } catch (RuntimeException e) {
                    LOG.warn("membership listener failed", e);
                }
            }
        }

        @Override
        public void refused(int nodeId, Release theirs) {
            Release own = engine.release();
            String why = Release.refusal(theirs, own);
            if (!theirs.version().equals(refusalLogged.put(nodeId, theirs.version()))) {
                LOG.warn("Refused node {} (release {}): {}; it is kept out of the membership",
                    Integer.toUnsignedString(nodeId), theirs.version(), why);
                cmap.setString(refusedKey(nodeId), why);
            }
            sendNotice(nodeId, new RefusedNotice(RefusedNotice.WHY_RELEASE, own.major(), own.minor(),
                own.features(), theirs.major(), theirs.minor(), why));
        }

        @Override
        public void refusalLifted(int nodeId, Release theirs) {
            LOG.info("Node {} now announces release {}, which this release {} works with: no longer refused",
                Integer.toUnsignedString(nodeId), theirs.version(), engine.release().version());
            refusalLogged.remove(nodeId);
            refusedByLogged.remove(nodeId);
            noticeSent.remove(nodeId);
            cmap.delete(refusedKey(nodeId));
            cmap.delete(refusedByKey(nodeId));
        }

        @Override
        public void armTimer(TimerKind kind, long delayMillis) {
            long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
            deadlines[kind.ordinal()] = at;
            if (at < wakeAt && Thread.currentThread() != thread) {
                LockSupport.unpark(thread);   // sooner than the protocol thread wakes
            }
        }

        @Override
        public void cancelTimer(TimerKind kind) {
            deadlines[kind.ordinal()] = -1;
        }
    }

    private void regular(MembershipEvent e) {
        List<Integer> joined = new ArrayList<>(e.members());
        joined.removeAll(lastMembers);
        List<Integer> left = new ArrayList<>(lastMembers);
        left.removeAll(e.members());
        lastMembers = List.copyOf(e.members());
        memberReleases = engine.memberReleases();
        effectiveFeatures = engine.effectiveFeatures();
        current = e;
        cmap.setString("runtime.totem.features", String.join(" ", Release.featureNames(effectiveFeatures)));
        for (int id : e.members()) {
            String p = "runtime.members." + Integer.toUnsignedString(id) + ".";
            if (joined.contains(id) || cmap.get(p + "status").isEmpty()) {
                cmap.set(p + "join_count", CmapType.UINT32, joinCounts.merge(id, 1L, Long::sum));
            }
            cmap.setString(p + "status", "joined");
            StringBuilder ip = new StringBuilder();
            VigilConfig.Node n = config.node(id).orElse(null);
            for (int r = 0; r < rings && n != null; r++) {
                if (n.addresses().get(r) != null) {
                    ip.append("r(").append(r).append(") ip(").append(n.addresses().get(r)).append(") ");
                }
            }
            cmap.setString(p + "ip", ip.toString());
            cmap.set(p + "config_version", CmapType.UINT64, config.totem().configVersion());
            Release r = memberReleases.get(id);
            cmap.setString(p + "release", r == null ? "unknown" : r.version());
            if (refusalLogged.remove(id) != null || refusedByLogged.remove(id) != null) {
                cmap.delete(refusedKey(id));   // a member now: whatever kept it out is over
                cmap.delete(refusedByKey(id));
            }
        }
        for (int id : left) {
            cmap.setString("runtime.members." + Integer.toUnsignedString(id) + ".status", "left");
        }
        publishConnectivity();
        cmap.setString("runtime.totem.ring_id", e.ringId().toString());
        cmap.setString("runtime.totem.members", e.members().toString().replaceAll("[\\[\\],]", ""));
        StringBuilder msg = new StringBuilder("A new membership (").append(e.ringId()).append(") was formed.");
        if (!e.joined().isEmpty()) {
            msg.append(" Members joined:");
            e.joined().forEach(j -> msg.append(' ').append(Integer.toUnsignedString(j)));
        }
        if (!left.isEmpty()) {
            msg.append(" Members left:");
            left.forEach(j -> msg.append(' ').append(Integer.toUnsignedString(j)));
        }
        LOG.info("{}", msg);
        LOG.info("Members[{}]: {}", e.members().size(), e.members().toString().replaceAll("[\\[\\],]", ""));
    }

    // ---- ClusterMembership ---------------------------------------------------------------------------

    @Override
    public MembershipEvent current() {
        return current;
    }

    @Override
    public java.util.Optional<org.vigil.kernel.api.NodeRelease> release(int nodeId) {
        Release r = memberReleases.get(nodeId);
        return r == null ? java.util.Optional.empty() : java.util.Optional.of(
            new org.vigil.kernel.api.NodeRelease(r.major(), r.minor(), Release.featureNames(r.features())));
    }

    @Override
    public List<String> features() {
        return Release.featureNames(effectiveFeatures);
    }

    /** The nodes this node keeps out of the ring for their release, with the release each announced. */
    public Map<Integer, String> refusedNodes() {
        Map<Integer, String> m = new java.util.TreeMap<>();
        refusalLogged.forEach(m::put);
        return m;
    }

    @Override
    public AutoCloseable addListener(MembershipListener listener) {
        listeners.add(listener);
        MembershipEvent now = current;
        if (now.ringId().seq() != 0) {
            post((Runnable) () -> listener.membershipChanged(current));
        }
        return () -> listeners.remove(listener);
    }

    /**
     * Stops at once without leaving the ring, as a crash or power loss would: the others notice by token loss.
     * (Tests use it; a node that must stop fast may too.)
     */
    public void halt() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        links.setReceiver((ring, from, datagram) -> { });
        scheduling.close();
    }

    /** Leaves the ring (a LEAVE, so the others need no timeout) and stops the protocol thread. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(1);
        post((Runnable) () -> {
            engine.shutdown();
            left.countDown();
        });
        try {
            left.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        halt();
    }
}
