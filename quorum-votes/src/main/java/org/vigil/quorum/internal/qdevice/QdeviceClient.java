package org.vigil.quorum.internal.qdevice;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.spi.DevicePoll;
import org.vigil.kernel.spi.VoteContext;
import org.vigil.quorum.internal.driver.Scheduler;
import org.vigil.quorum.internal.qnetd.QnetdProtocol;

/**
 * The quorum device of one node (corosync-qdevice's model {@code net}): keeps a TCP connection to the
 * {@code vigil qnetd} arbiter, reports the node's configuration and ring to it, receives its ACK/NACK for each
 * ring and polls votequorum accordingly through the kernel ({@link VoteContext#devicePoll}).
 *
 * <ul>
 * <li>After a membership change the device does not poll until the arbiter has answered for the new ring (at
 * most {@code quorum.device.sync_timeout}, which votequorum waits for it), so a vote is never given or taken
 * away by a transient state.</li>
 * <li>It polls every half {@code quorum.device.timeout}, so votequorum keeps the vote while all is well.</li>
 * <li>A NACK the arbiter pushes is acknowledged only once the node counts and announces no device vote any more
 * ({@link VoteContext#withdrawVote}): the arbiter gives the vote to another partition only then. The device
 * announces its {@code lease} (how long its node may go on counting a vote after the arbiter is lost) and, when it
 * connects, the rings its node may still count a vote for ({@code HELD}).</li>
 * <li>Arbiter down or unreachable: the device keeps retrying (1 s, doubling to 8 s) and gives the vote up (with
 * either algorithm: unlike corosync-qdevice, lms does not keep it, since the arbiter may give it to another
 * partition meanwhile), so the node decides with its own votes; the state is shown by
 * {@code corosync-quorumtool -s}. Nothing throws.</li>
 * <li>Lines from the arbiter that do not parse, or name another ring, are ignored and counted.</li>
 * </ul>
 *
 * <p>State lives on one {@link Scheduler} thread and time is read from its clock; the {@link ArbiterLink}'s
 * events (TCP: a connector thread and a reader thread per connection) are handed to it. Thread-safe entry
 * points: {@link #start}, {@link #stop}, {@link #status}.
 */
public final class QdeviceClient {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.QDEVICE");
    static final String NAME = "Qdevice";

    private final VoteContext context;
    private final VigilConfig.Device device;
    private final Scheduler scheduler;
    private final ArbiterLink link;
    private final String cluster;
    private final List<Integer> configNodes;
    private final boolean waitForAll;
    private final long pollInterval;
    private final long heartbeat;
    private final long holdOff;
    private final long leaseMs;

    // scheduler thread
    private ArbiterLink.Connection socket;
    private long seq;
    private long generation;
    private String state = "Disconnected";
    private String lastError = "not connected yet";
    private long stateSince = System.currentTimeMillis();
    private boolean welcomed;
    private String vote = "No vote yet";
    private RingId voteRing;
    private RingId ring;
    private List<Integer> members = List.of();
    private long ringChangedAt;
    private boolean lastCast;
    private long malformed;
    private long reconnects;
    private long backoff = 1000;
    private long lastHeard;
    private Boolean lastQuorate;
    /** Rings the node may count this device's vote for (a poll cast it and no withdrawal confirmed since). */
    private final java.util.LinkedHashMap<RingId, List<Integer>> relied = new java.util.LinkedHashMap<>();
    /** Counts the polls that cast the vote: a withdrawal confirmed after a later cast ends nothing. */
    private long casts;
    /** The pushed NACK to acknowledge once its withdrawal is confirmed, or -1. */
    private long pendingNackSeq = -1;
    /** A withdrawal is waiting for its confirmation (and no vote was cast since). */
    private boolean withdrawing;
    /** The ring the arbiter last answered a MEMBERSHIP for (on this connection). */
    private RingId answeredRing;
    private AutoCloseable membershipHandle;
    private Scheduler.Timer tick;
    private volatile QdeviceStatus status;
    private volatile boolean running;

    QdeviceClient(VoteContext context, VigilConfig.Device device, Scheduler scheduler) {
        this(context, device, scheduler, new TcpArbiterLink());
    }

    QdeviceClient(VoteContext context, VigilConfig.Device device, Scheduler scheduler, ArbiterLink link) {
        this.context = context;
        this.device = device;
        this.scheduler = scheduler;
        this.link = link;
        VigilConfig cfg = context.node().config();
        String name = cfg.totem().clusterName();
        this.cluster = name != null && QnetdProtocol.validName(name) ? name : "vigil";
        this.configNodes = cfg.nodes().stream().map(VigilConfig.Node::nodeId).sorted(Integer::compareUnsigned).toList();
        this.waitForAll = cfg.quorum().waitForAll();
        this.pollInterval = Math.max(50, device.timeoutMs() / 2);
        this.heartbeat = Math.max(50, Math.min(8000, device.timeoutMs() / 3));
        this.holdOff = Math.max(pollInterval, device.syncTimeoutMs() - pollInterval);
        // after losing the arbiter: the silence limit and a tick to notice, then votequorum's poll timeout or a
        // membership sync (which waits for silent members up to the driver's wait plus the device's sync_timeout)
        // before the node announces a decision without the vote, and a margin for a loaded machine
        this.leaseMs = silenceMs() + Math.min(pollInterval, heartbeat) + Math.max(device.timeoutMs(),
            org.vigil.quorum.internal.driver.VotequorumDriver.DEFAULT_SYNC_TIMEOUT_MS + device.syncTimeoutMs()) + 2000;
        publishStatus();
    }

    void start() {
        running = true;
        scheduler.execute(() -> {
            // a device before this one may have had the vote counted: the node may still count it
            context.lastDevicePoll().filter(DevicePoll::castVote).ifPresent(p -> {
                MembershipEvent now = context.membership().current();
                relied.put(p.ring(), now != null && now.ringId().equals(p.ring()) ? List.copyOf(now.members())
                    : List.of(context.node().nodeId()));
            });
            membershipHandle = context.membership().addListener(e -> scheduler.execute(() -> onMembership(e)));
            publishStatus();
            connect();
            tick = scheduler.schedule(this::onTick, Math.min(pollInterval, heartbeat));
        });
    }

    void stop() {
        running = false;
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        scheduler.execute(() -> {
            if (tick != null) {
                tick.cancel();
            }
            if (membershipHandle != null) {
                try {
                    membershipHandle.close();
                } catch (Exception e) {
                    LOG.debug("membership listener close: {}", e.toString());
                }
            }
            closeSocket("device stopped");
            done.countDown();
        });
        if (!scheduler.inThread() && scheduler.concurrent()) {
            try {
                done.await(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        scheduler.shutdown();
    }

    /** The latest status (never null). */
    QdeviceStatus status() {
        return status;
    }

    // ------------------------------------------------------------------ connection

    private void connect() {
        if (!running || socket != null) {
            return;
        }
        long gen = ++generation;
        setState("Connecting", lastError);
        link.connect(device.host(), device.port(), (int) Math.max(200, Math.min(2000, device.timeoutMs() / 2)),
            new ArbiterLink.Events() {
                @Override
                public void connected(ArbiterLink.Connection c) {
                    scheduler.execute(() -> onConnected(gen, c));
                }

                @Override
                public void failed(String why) {
                    scheduler.execute(() -> onConnectFailed(gen, why));
                }

                @Override
                public void line(String text) {
                    scheduler.execute(() -> onLine(gen, text));
                }

                @Override
                public void oversized() {
                    scheduler.execute(() -> malformedLine(gen, "line longer than " + QnetdProtocol.MAX_LINE
                        + " bytes"));
                }

                @Override
                public void closed(String why) {
                    scheduler.execute(() -> onDisconnected(gen, why));
                }
            });
    }

    private void onConnected(long gen, ArbiterLink.Connection c) {
        if (!running || gen != generation) {
            c.close();
            return;
        }
        try {
            socket = c;
            welcomed = false;
            lastHeard = scheduler.nanoTime();
            backoff = 1000;
            send(QnetdProtocol.format("HELLO", QnetdProtocol.VERSION, "cluster", cluster, "node",
                Integer.toUnsignedString(context.node().nodeId()), "algorithm", device.algorithm(), "tie_breaker",
                device.tieBreaker(), "kap", "on", "hb", heartbeat, "lease", leaseMs, "mw",
                device.masterWins() ? "on" : "off"));
            send(QnetdProtocol.format("CONFIG", ++seq, "nodes", QnetdProtocol.nodes(configNodes)));
            for (var e : relied.entrySet()) {
                send(QnetdProtocol.format("HELD", ++seq, "ring", e.getKey(), "nodes",
                    QnetdProtocol.nodes(e.getValue())));
            }
            if (ring != null) {
                send(QnetdProtocol.format("MEMBERSHIP", ++seq, "ring", ring, "nodes", QnetdProtocol.nodes(members)));
            }
            setState("Connected", "");
            LOG.info("connected to the quorum arbiter {}:{} (algorithm {})", device.host(), device.port(),
                device.algorithm());
        } catch (IOException e) {
            onDisconnected(gen, e.getMessage());
        }
    }

    private void onConnectFailed(long gen, String why) {
        if (gen != generation) {
            return;
        }
        if (!why.equals(lastError) || reconnects % 30 == 0) {
            LOG.warn("cannot connect to the quorum arbiter {}:{}: {} (retrying)", device.host(), device.port(), why);
        }
        reconnects++;
        setState("Disconnected", why);
        noArbiter();
        retryLater();
    }

    private void onDisconnected(long gen, String why) {
        if (gen != generation || socket == null) {
            return;
        }
        LOG.warn("lost the connection to the quorum arbiter {}:{}: {}", device.host(), device.port(), why);
        closeSocket(why);
        reconnects++;
        noArbiter();
        retryLater();
    }

    private void retryLater() {
        if (!running) {
            return;
        }
        long delay = backoff;
        backoff = Math.min(8000, backoff * 2);
        scheduler.schedule(this::connect, delay);
    }

    private void closeSocket(String why) {
        generation++;
        if (socket != null) {
            socket.close();
        }
        socket = null;
        welcomed = false;
        answeredRing = null;
        setState("Disconnected", why);
    }

    private void send(String line) throws IOException {
        if (socket == null) {
            return;
        }
        socket.send(line);
    }

    private void sendQuietly(String line) {
        try {
            send(line);
        } catch (IOException e) {
            onDisconnected(generation, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ protocol

    private void onLine(long gen, String text) {
        if (gen != generation || socket == null) {
            return;
        }
        lastHeard = scheduler.nanoTime();
        QnetdProtocol.Line l;
        try {
            l = QnetdProtocol.parse(text);
        } catch (QnetdProtocol.BadLine e) {
            malformedLine(gen, e.getMessage());
            return;
        }
        try {
            switch (l.verb()) {
                case "WELCOME" -> welcomed = true;
                case "PONG" -> { }
                case "ERROR" -> {
                    LOG.error("the quorum arbiter refused this node: {}", l.text());
                    closeSocket("refused by the arbiter: " + l.text());
                    noArbiter();
                    retryLater();
                }
                case "REPLY" -> vote(l, false);
                case "VOTE" -> vote(l, true);
                default -> malformedLine(gen, "unknown verb " + l.verb());
            }
        } catch (QnetdProtocol.BadLine e) {
            malformedLine(gen, e.getMessage());
        }
    }

    private void vote(QnetdProtocol.Line l, boolean push) throws QnetdProtocol.BadLine {
        String v = l.param("vote");
        RingId r = l.ring("ring");
        if (!List.of("ack", "nack", "wait", "ask_later", "no_change").contains(v)) {
            throw new QnetdProtocol.BadLine("unknown vote " + v);
        }
        if (push && !v.equals("ack") && !v.equals("nack")) {
            throw new QnetdProtocol.BadLine("VOTE with vote=" + v);
        }
        boolean forRing = ring != null && ring.equals(r);
        if (!push && forRing) {
            answeredRing = r;
        }
        if (v.equals("ack")) {
            pendingNackSeq = -1; // the arbiter changed its mind: the NACK before needs no acknowledgement
            if (forRing) {
                vote = "ACK";
                voteRing = r;
                poll();
            } else {
                LOG.debug("arbiter vote ack for ring {} ignored (this node is in ring {})", r, ring);
            }
            if (push) {
                sendQuietly(QnetdProtocol.format("VOTE_REPLY", l.seq()));
            }
        } else if (v.equals("nack")) {
            if (forRing) {
                vote = "NACK";
                voteRing = r;
            }
            // whatever ring it names, the node gives the vote up; a pushed NACK is acknowledged only once the
            // node counts and announces no device vote any more
            if (push) {
                withdraw(l.seq());
            } else if (!withdrawing) {
                withdraw(-1);
            }
        }
    }

    /**
     * Gives the vote up for the current ring; once the node relies on no device vote, forgets the rings it was
     * counted for and, for a pushed NACK ({@code nackSeq} ≥ 0), acknowledges it.
     */
    private void withdraw(long nackSeq) {
        if (nackSeq >= 0) {
            pendingNackSeq = nackSeq;
        }
        if (ring == null) {
            confirmed(generation, casts, nackSeq);
            return;
        }
        lastCast = false;
        withdrawing = true;
        long gen = generation;
        long castsAtWithdrawal = casts;
        context.withdrawVote(new DevicePoll(NAME, ring, false, masterWins()))
            .thenRun(() -> scheduler.execute(() -> confirmed(gen, castsAtWithdrawal, nackSeq)));
        publishStatus();
    }

    private void confirmed(long gen, long castsAtWithdrawal, long nackSeq) {
        if (casts != castsAtWithdrawal) {
            return; // the vote was cast again since
        }
        withdrawing = false;
        relied.clear();
        if (nackSeq >= 0 && nackSeq == pendingNackSeq && gen == generation && socket != null) {
            pendingNackSeq = -1;
            sendQuietly(QnetdProtocol.format("VOTE_REPLY", nackSeq));
        }
    }

    private void malformedLine(long gen, String why) {
        if (gen != generation) {
            return;
        }
        malformed++;
        context.cmap().add("stats.qdevice.malformed_replies", 1);
        if (malformed <= 10 || malformed % 1000 == 0) {
            LOG.warn("ignored a malformed reply from the quorum arbiter ({} so far): {}", malformed, why);
        }
        publishStatus();
    }

    private void onMembership(MembershipEvent e) {
        if (e.type() != MembershipEvent.Type.REGULAR || e.ringId().equals(ring)) {
            return;
        }
        ring = e.ringId();
        members = List.copyOf(e.members());
        ringChangedAt = scheduler.nanoTime();
        if (socket != null) {
            sendQuietly(QnetdProtocol.format("MEMBERSHIP", ++seq, "ring", ring, "nodes", QnetdProtocol.nodes(members)));
        } else {
            noArbiter();
        }
        publishStatus();
    }

    /**
     * Without an arbiter: no vote, with either algorithm. (corosync-qdevice's lms keeps the vote if the node was
     * quorate with wait_for_all; Vigil does not, since the arbiter may meanwhile give the vote to another
     * partition, and both would be quorate.)
     */
    private void noArbiter() {
        vote = "NACK (arbiter unreachable)";
        voteRing = null;
        pendingNackSeq = -1;
        if (ring != null) {
            if (!withdrawing && (lastCast || !relied.isEmpty())) {
                withdraw(-1);
            } else {
                context.devicePoll(new DevicePoll(NAME, ring, false, masterWins()));
            }
            lastCast = false;
        }
        publishStatus();
    }

    /** Polls votequorum for the current ring, unless still waiting for the arbiter's answer for it. */
    private void poll() {
        if (ring == null) {
            return;
        }
        boolean forRing = ring.equals(voteRing);
        if (!forRing && socket != null && scheduler.nanoTime() - ringChangedAt < holdOff * 1_000_000L) {
            return; // the arbiter has not answered for this ring yet; votequorum waits for us during the sync
        }
        boolean cast = forRing && vote.startsWith("ACK");
        lastCast = cast;
        if (cast) {
            casts++;
            withdrawing = false;
            relied.put(ring, members);
            if (relied.size() > 16) {
                relied.remove(relied.keySet().iterator().next());
                relied.put(new RingId(0, 0), List.of(context.node().nodeId())); // stricter: only this node
            }
        }
        context.devicePoll(new DevicePoll(NAME, ring, cast, masterWins()));
        publishStatus();
    }

    private void onTick() {
        if (!running) {
            return;
        }
        if (socket != null) {
            long silence = silenceMs();
            if (scheduler.nanoTime() - lastHeard > silence * 1_000_000L) {
                onDisconnected(generation, "nothing heard from the arbiter for " + silence + " ms");
            } else {
                sendQuietly(QnetdProtocol.format("PING", ++seq));
                Boolean q = context.lastDecision().map(QuorumState::quorate).orElse(null);
                if (q != null && !q.equals(lastQuorate) && ring != null) {
                    lastQuorate = q;
                    sendQuietly(QnetdProtocol.format("QUORUM", ++seq, "quorate", q ? 1 : 0, "nodes",
                        QnetdProtocol.nodes(members)));
                }
            }
        }
        if (socket != null) {
            poll();
        } else if (ring != null) {
            noArbiter();
        }
        tick = scheduler.schedule(this::onTick, Math.min(pollInterval, heartbeat));
    }

    /**
     * Whether the node may use master_wins now: configured, and the arbiter has answered this connection's report
     * of the current ring (from then on the arbiter counts the node among those that may count a vote held in
     * its partition, and asks it to give that up before the vote goes elsewhere).
     */
    private boolean masterWins() {
        return device.masterWins() && socket != null && ring != null && ring.equals(answeredRing);
    }

    /** How long the arbiter may stay silent before the device takes it for lost, in ms. */
    private long silenceMs() {
        return Math.max(3000, 3 * heartbeat);
    }

    private void setState(String s, String error) {
        if (!s.equals(state)) {
            stateSince = System.currentTimeMillis();
        }
        state = s;
        lastError = error;
        publishStatus();
    }

    private void publishStatus() {
        status = new QdeviceStatus(device.host(), device.port(), device.algorithm(), device.tieBreaker(), state,
            lastError, stateSince, vote, voteRing, ring, lastCast, malformed, reconnects, device.votes());
    }
}
