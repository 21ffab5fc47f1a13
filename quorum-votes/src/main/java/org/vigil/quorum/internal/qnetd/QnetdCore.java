package org.vigil.quorum.internal.qnetd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.vigil.kernel.api.RingId;

/**
 * The arbiter's logic, without sockets: connections, clusters and the two decision algorithms of
 * corosync-qnetd, re-implemented from their documented behaviour.
 *
 * <ul>
 * <li><b>ffsplit</b> (fifty-fifty split): once the memberships the nodes report are consistent, the vote goes
 * to the partition holding more than half of the configured nodes; in an exact half split, to the partition
 * with more nodes connected to the arbiter, then (keep_active_partition_tie_breaker) the partition that had the
 * vote before, then the one holding the tie-breaker node. Losers get NACK first, and only when every loser has
 * acknowledged its NACK do the winners get ACK, so two partitions never hold the vote at once.</li>
 * <li><b>lms</b> (last man standing): a partition (nodes reporting the same ring) gets the vote if it is the
 * only one the arbiter sees; among several, the one with the most connected nodes, then the one holding the
 * tie-breaker node. A newcomer gets NACK while another partition holds the vote.</li>
 * </ul>
 *
 * <p><b>The vote is never in two disjoint partitions at once</b> (both algorithms; stricter than corosync-qnetd).
 * For every node the arbiter keeps the rings it gave that node's device an ACK for ("holdings"), as long as the
 * node may count the vote in a decision for one of them: until the device acknowledges a pushed NACK, which it
 * does only once its node counts and announces no device vote any more (including a decision of the ring
 * before, still announced during a membership sync). An ACK to a partition waits while another node holds a ring
 * whose members are all outside that partition: the arbiter pushes a NACK to that node and waits for the
 * acknowledgement, or, if the node is not connected, until its {@code lease} after the disconnection has passed
 * (the device bounds how long its node may go on counting the vote once it lost the arbiter). A reconnecting
 * device reports the rings its node may still count a vote for ({@code HELD}), and for one lease after the
 * arbiter starts, a configured node that has not connected yet is taken to hold a vote of an earlier arbiter.
 * A partition that contains a node of such a ring is never blocked by it: any decision that node can announce
 * with the vote shares a member with the partition. With master_wins ({@code mw=on} in HELLO) a member of a
 * partition may be quorate through another member's vote: such a member holds the rings its partition holds, and
 * gives them up the same way (its device acknowledges a NACK once it is quorate through no vote).
 *
 * <p>Inputs: {@link #connected}, {@link #line}, {@link #disconnected}, {@link #timer} and {@link #tick} (at
 * least every second). Outputs go to an {@link Out}. Malformed lines are ignored and counted
 * ({@link #malformed()}); only a bad first line (HELLO) closes a connection. Not thread-safe: the server runs it
 * on one thread.
 */
public final class QnetdCore {

    /** Where the core's outputs go. */
    public interface Out {
        /** Sends one line to a connection. */
        void send(long conn, String line);

        /** Closes a connection (after the lines already sent). */
        void close(long conn, String reason);

        /** Calls {@link QnetdCore#timer} for the connection after {@code delayMs}. */
        void timer(long conn, long delayMs);

        /** A log line. */
        void log(String text);
    }

    /** Votes and replies, as the protocol spells them. */
    enum Vote {
        ACK, NACK, WAIT, ASK_LATER, NO_CHANGE;

        String wire() {
            return name().toLowerCase();
        }
    }

    private enum FfClient { WAITING_FOR_CHANGE, SENDING_NACK, SENDING_ACK }

    private enum FfCluster { WAITING_FOR_CHANGE, WAITING_FOR_STABLE_MEMBERSHIP, SENDING_NACKS, SENDING_ACKS }

    /** Delay before lms looks again at a cluster whose ring ids do not match yet, in ms. */
    static final long LMS_RETRY_MS = 1000;
    /** The lease of a device that announces none, in ms. */
    static final long DEFAULT_LEASE_MS = 60_000;
    /** Added to every lease for the time a disconnection takes to be seen and messages in flight, in ms. */
    static final long LEASE_MARGIN_MS = 2000;
    /** Most rings kept per node; more are merged into one that only the node itself is in (stricter). */
    static final int MAX_HELD_RINGS = 16;
    private static final RingId UNKNOWN_RING = new RingId(0, 0);

    private static final class Client {
        final long conn;
        String cluster;
        int node;
        String algorithm;
        String tieBreaker;
        boolean kap = true;
        /** The node uses master_wins: it may be quorate through another member's vote. */
        boolean masterWins;
        long heartbeatMs = QnetdServer.DEFAULT_HB_MS;
        List<Integer> config = List.of();
        RingId ring = new RingId(0, 0);
        List<Integer> membership = List.of();
        boolean quorate;
        long leaseMs = DEFAULT_LEASE_MS;
        boolean reportedMembership;
        FfClient ff = FfClient.WAITING_FOR_CHANGE;
        long voteSeq;
        /** The vote last pushed (VOTE), whose VOTE_REPLY has sequence number {@link #voteSeq}. */
        Vote pushed;
        Vote lmsLast;
        long malformed;

        Client(long conn) {
            this.conn = conn;
        }
    }

    /** What a node may still count: rings it was given an ACK for, with their members. */
    private static final class Holding {
        final Map<RingId, List<Integer>> rings = new LinkedHashMap<>();
        /** While no connection of the node is open: when its lease ends (arbiter clock, ms); 0 while connected. */
        long ghostUntil;
        /** The pushed NACK whose acknowledgement ends the holding (connection, sequence number), or -1. */
        long nackConn = -1;
        long nackSeq = -1;
        /** Taken to hold an earlier arbiter's vote (arbiter just started) until its first MEMBERSHIP. */
        boolean unknown;
    }

    private static final class Cluster {
        final String name;
        final LinkedHashMap<Integer, Client> clients = new LinkedHashMap<>();
        final Map<Integer, Holding> holdings = new HashMap<>();
        FfCluster ff = FfCluster.WAITING_FOR_CHANGE;
        List<Integer> quoratePartition = List.of();
        boolean configSeen;

        Cluster(String name) {
            this.name = name;
        }
    }

    private final Out out;
    private final LongSupplier clock;
    private final long startedAt;
    private final Map<Long, Client> conns = new HashMap<>();
    private final Map<String, Cluster> clusters = new HashMap<>();
    private long malformed;

    /** An arbiter on the system's monotonic clock. */
    public QnetdCore(Out out) {
        this(out, () -> System.nanoTime() / 1_000_000L);
    }

    /** An arbiter on the given monotonic clock (ms): a virtual one in deterministic tests. */
    public QnetdCore(Out out, LongSupplier clockMs) {
        this.out = out;
        this.clock = clockMs;
        this.startedAt = clockMs.getAsLong();
    }

    /** Malformed lines ignored since start. */
    public long malformed() {
        return malformed;
    }

    /** Connections open. */
    public int connections() {
        return conns.size();
    }

    /** A one-line summary per cluster for the status output. */
    public List<String> status() {
        List<String> lines = new ArrayList<>();
        for (Cluster c : clusters.values()) {
            StringBuilder b = new StringBuilder("cluster " + c.name + ":");
            for (Client cl : c.clients.values()) {
                b.append(" node ").append(Integer.toUnsignedString(cl.node)).append(" ring ").append(cl.ring)
                    .append(" members ").append(QnetdProtocol.nodes(cl.membership.isEmpty() ? List.of(cl.node)
                        : cl.membership)).append(';');
            }
            for (var h : new java.util.TreeMap<>(c.holdings).entrySet()) {
                b.append(" node ").append(Integer.toUnsignedString(h.getKey()))
                    .append(" may count the vote for ring(s)");
                for (RingId r : h.getValue().rings.keySet()) {
                    b.append(' ').append(r);
                }
                b.append(h.getValue().ghostUntil != 0 ? " (disconnected)" : "").append(';');
            }
            lines.add(b.toString());
        }
        return lines;
    }

    /** The heartbeat period a connection announced (default {@link QnetdServer#DEFAULT_HB_MS}), in ms. */
    public long heartbeat(long conn) {
        Client c = conns.get(conn);
        return c == null ? QnetdServer.DEFAULT_HB_MS : c.heartbeatMs;
    }

    public void connected(long conn) {
        conns.put(conn, new Client(conn));
    }

    public void disconnected(long conn) {
        Client c = conns.remove(conn);
        if (c == null || c.cluster == null) {
            return;
        }
        Cluster cl = clusters.get(c.cluster);
        if (cl == null || cl.clients.get(c.node) != c) {
            return;
        }
        out.log("node " + Integer.toUnsignedString(c.node) + " of cluster " + c.cluster + " disconnected");
        Holding h = cl.holdings.get(c.node);
        if (h != null) {
            h.ghostUntil = clock.getAsLong() + c.leaseMs + LEASE_MARGIN_MS;
            h.nackConn = -1;
            h.nackSeq = -1;
            out.log("node " + Integer.toUnsignedString(c.node) + " may count the vote for " + (c.leaseMs
                + LEASE_MARGIN_MS) + " ms more; no partition without a member of its ring(s) gets it before");
        }
        if (c.algorithm.equals("ffsplit")) {
            ffsplitDo(cl, c, true);
        }
        cl.clients.remove(c.node);
        forgetIfIdle(cl);
    }

    private void forgetIfIdle(Cluster cl) {
        if (cl.clients.isEmpty() && cl.holdings.isEmpty()) {
            clusters.remove(cl.name);
        }
    }

    /**
     * Time passes (call at least every second): ends the holdings of disconnected nodes whose lease is over and
     * lets decisions that waited for them go on.
     */
    public void tick() {
        long now = clock.getAsLong();
        for (Cluster cl : List.copyOf(clusters.values())) {
            boolean changed = false;
            for (var it = cl.holdings.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                Holding h = e.getValue();
                if (h.ghostUntil != 0 && now >= h.ghostUntil && !cl.clients.containsKey(e.getKey())) {
                    out.log("node " + Integer.toUnsignedString(e.getKey()) + " of cluster " + cl.name
                        + ": its lease is over, it counts no vote any more");
                    it.remove();
                    changed = true;
                }
            }
            if (changed && cl.ff == FfCluster.SENDING_NACKS) {
                ffsplitAdvance(cl);
            }
            forgetIfIdle(cl);
        }
    }

    public void timer(long conn) {
        Client c = conns.get(conn);
        if (c == null || c.cluster == null || !c.algorithm.equals("lms")) {
            return;
        }
        Vote v = lmsDo(c, c.ring);
        if (v == Vote.ACK || v == Vote.NACK) {
            push(c, v);
        }
    }

    /** One line received from a connection. */
    public void line(long conn, String text) {
        Client c = conns.get(conn);
        if (c == null) {
            return;
        }
        QnetdProtocol.Line l;
        try {
            l = QnetdProtocol.parse(text);
        } catch (QnetdProtocol.BadLine e) {
            bad(c, e.getMessage());
            return;
        }
        try {
            if (c.cluster == null) {
                hello(c, l);
                return;
            }
            switch (l.verb()) {
                case "PING" -> out.send(conn, QnetdProtocol.format("PONG", l.seq()));
                case "CONFIG" -> config(c, l);
                case "HELD" -> held(c, l);
                case "MEMBERSHIP" -> membership(c, l);
                case "QUORUM" -> quorum(c, l);
                case "VOTE_REPLY" -> voteReply(c, l.seq());
                case "HELLO" -> bad(c, "HELLO sent twice");
                default -> bad(c, "unknown verb " + l.verb());
            }
        } catch (QnetdProtocol.BadLine e) {
            bad(c, e.getMessage());
        }
    }

    private void bad(Client c, String why) {
        malformed++;
        c.malformed++;
        if (c.cluster == null) {
            out.send(c.conn, QnetdProtocol.format("ERROR", 1) + " " + why);
            out.close(c.conn, "bad HELLO: " + why);
            return;
        }
        if (c.malformed <= 10 || c.malformed % 1000 == 0) {
            out.log("ignored a malformed line from node " + Integer.toUnsignedString(c.node) + " of cluster "
                + c.cluster + " (" + c.malformed + " so far): " + why);
        }
    }

    private void hello(Client c, QnetdProtocol.Line l) throws QnetdProtocol.BadLine {
        if (!l.verb().equals("HELLO")) {
            throw new QnetdProtocol.BadLine("the first line must be HELLO, not " + l.verb());
        }
        if (l.seq() != QnetdProtocol.VERSION) {
            throw new QnetdProtocol.BadLine("protocol version " + l.seq() + " is not supported (this arbiter speaks "
                + QnetdProtocol.VERSION + ")");
        }
        String cluster = l.param("cluster");
        if (!QnetdProtocol.validName(cluster)) {
            throw new QnetdProtocol.BadLine("bad cluster name");
        }
        int node = l.nodeId("node");
        String algorithm = l.param("algorithm");
        if (!algorithm.equals("ffsplit") && !algorithm.equals("lms")) {
            throw new QnetdProtocol.BadLine("unknown algorithm " + algorithm);
        }
        String tb = l.param("tie_breaker");
        if (!tb.equals("lowest") && !tb.equals("highest")) {
            QnetdProtocol.parseNodeId(tb);
        }
        String kap = l.params().getOrDefault("kap", "on");
        Cluster cl = clusters.get(cluster);
        if (cl != null && !cl.clients.isEmpty()) {
            Client any = cl.clients.values().iterator().next();
            if (!any.algorithm.equals(algorithm)) {
                throw new QnetdProtocol.BadLine("cluster " + cluster + " uses algorithm " + any.algorithm);
            }
        }
        if (cl == null) {
            cl = new Cluster(cluster);
            clusters.put(cluster, cl);
        }
        Client old = cl.clients.get(node);
        if (old != null) {
            out.log("node " + Integer.toUnsignedString(node) + " of cluster " + cluster
                + " connected again; closing its previous connection");
            conns.remove(old.conn);
            out.close(old.conn, "replaced by a new connection of the same node");
            cl.clients.remove(node);
        }
        c.cluster = cluster;
        c.node = node;
        c.algorithm = algorithm;
        c.tieBreaker = tb;
        c.kap = !kap.equals("off");
        c.masterWins = l.params().getOrDefault("mw", "off").equals("on");
        String hb = l.params().get("hb");
        if (hb != null) {
            try {
                c.heartbeatMs = Math.max(100, Math.min(10_000, Long.parseLong(hb)));
            } catch (NumberFormatException e) {
                throw new QnetdProtocol.BadLine("bad hb '" + hb + "'");
            }
        }
        String lease = l.params().get("lease");
        if (lease != null) {
            try {
                c.leaseMs = Math.max(0, Math.min(3_600_000, Long.parseLong(lease)));
            } catch (NumberFormatException e) {
                throw new QnetdProtocol.BadLine("bad lease '" + lease + "'");
            }
        }
        cl.clients.put(node, c);
        Holding h = cl.holdings.get(node);
        if (h != null) {
            h.ghostUntil = 0;
        }
        out.send(c.conn, QnetdProtocol.format("WELCOME", QnetdProtocol.VERSION, "server", "vigil-qnetd"));
        out.log("node " + Integer.toUnsignedString(node) + " of cluster " + cluster + " connected (algorithm "
            + algorithm + ", tie_breaker " + tb + ")");
    }

    private void config(Client c, QnetdProtocol.Line l) throws QnetdProtocol.BadLine {
        List<Integer> nodes = l.nodes("nodes");
        if (!nodes.contains(c.node)) {
            throw new QnetdProtocol.BadLine("configured node list without the node itself");
        }
        boolean initial = c.config.isEmpty();
        c.config = nodes;
        Cluster cluster = cluster(c);
        if (!cluster.configSeen) {
            cluster.configSeen = true;
            long until = startedAt + c.leaseMs + LEASE_MARGIN_MS;
            if (clock.getAsLong() < until) {
                // the arbiter just started: a node not connected yet may count a vote an earlier arbiter gave
                for (int n : nodes) {
                    if (n != c.node && !cluster.clients.containsKey(n) && !cluster.holdings.containsKey(n)) {
                        Holding h = new Holding();
                        h.rings.put(UNKNOWN_RING, List.of(n));
                        h.unknown = true;
                        h.ghostUntil = until;
                        cluster.holdings.put(n, h);
                    }
                }
                out.log("cluster " + cluster.name + ": the arbiter started less than a lease ago; nodes not "
                    + "connected yet may still count an earlier vote");
            }
        }
        Vote v;
        if (c.algorithm.equals("ffsplit")) {
            v = initial || c.membership.isEmpty() ? Vote.ASK_LATER : ffsplitDo(cluster(c), c, false);
        } else {
            v = Vote.NO_CHANGE;
        }
        reply(c, l.seq(), v);
    }

    private void membership(Client c, QnetdProtocol.Line l) throws QnetdProtocol.BadLine {
        RingId ring = l.ring("ring");
        List<Integer> nodes = l.nodes("nodes");
        if (!nodes.contains(c.node)) {
            throw new QnetdProtocol.BadLine("membership without the node itself");
        }
        c.ring = ring;
        c.membership = nodes;
        c.reportedMembership = true;
        Holding held = cluster(c).holdings.get(c.node);
        if (held != null && held.unknown) {
            // its device has reported what its node may count (HELD lines come before MEMBERSHIP)
            held.unknown = false;
            held.rings.remove(UNKNOWN_RING);
            if (held.rings.isEmpty()) {
                cluster(c).holdings.remove(c.node);
            }
        }
        if (c.masterWins && heldInRing(cluster(c), c)) {
            // its device uses master_wins once this is answered: it may then count a vote held in its ring
            holdMasterWins(cluster(c), c);
        }
        Vote v;
        if (c.algorithm.equals("ffsplit")) {
            v = c.config.isEmpty() ? Vote.ASK_LATER : ffsplitDo(cluster(c), c, false);
        } else {
            v = lmsDo(c, ring);
        }
        reply(c, l.seq(), v);
    }

    private void quorum(Client c, QnetdProtocol.Line l) throws QnetdProtocol.BadLine {
        String q = l.param("quorate");
        if (!q.equals("0") && !q.equals("1")) {
            throw new QnetdProtocol.BadLine("quorate must be 0 or 1");
        }
        l.nodes("nodes");
        c.quorate = q.equals("1");
        reply(c, l.seq(), c.algorithm.equals("lms") && c.ring.seq() != 0 ? lmsDo(c, c.ring) : Vote.NO_CHANGE);
    }

    private void reply(Client c, long seq, Vote v) {
        if (v == Vote.ACK) {
            recordAck(c);
        }
        out.send(c.conn, QnetdProtocol.format("REPLY", seq, "vote", v.wire(), "ring", c.ring));
    }

    /** Pushes a vote (VOTE); an ACK becomes a holding, a NACK the one whose acknowledgement ends it. */
    private void push(Client c, Vote v) {
        c.voteSeq++;
        c.pushed = v;
        if (v == Vote.ACK) {
            recordAck(c);
        } else {
            Holding h = cluster(c).holdings.get(c.node);
            if (h != null) {
                h.nackConn = c.conn;
                h.nackSeq = c.voteSeq;
            }
        }
        out.send(c.conn, QnetdProtocol.format("VOTE", c.voteSeq, "vote", v.wire(), "ring", c.ring));
    }

    private void recordAck(Client c) {
        Cluster cl = cluster(c);
        Holding h = cl.holdings.computeIfAbsent(c.node, k -> new Holding());
        h.nackConn = -1;
        h.nackSeq = -1;
        hold(h, c.node, c.ring, c.membership.isEmpty() ? List.of(c.node) : c.membership);
        // with master_wins the other members of the partition may be quorate through this vote
        for (Client o : cl.clients.values()) {
            if (o != c && o.masterWins && Objects.equals(o.ring, c.ring) && !o.membership.isEmpty()) {
                holdMasterWins(cl, o);
            }
        }
    }

    /** A master_wins member of a partition whose vote some node holds may count it too: it holds it as well. */
    private void holdMasterWins(Cluster cl, Client o) {
        Holding h = cl.holdings.computeIfAbsent(o.node, k -> new Holding());
        if (h.nackConn == o.conn) {
            h.nackConn = -1;
            h.nackSeq = -1;
        }
        hold(h, o.node, o.ring, o.membership);
    }

    /** True if a node other than {@code c}'s holds the vote for {@code c}'s ring. */
    private static boolean heldInRing(Cluster cl, Client c) {
        for (var e : cl.holdings.entrySet()) {
            if (e.getKey() != c.node && e.getValue().rings.containsKey(c.ring)) {
                return true;
            }
        }
        return false;
    }

    private static void hold(Holding h, int node, RingId ring, List<Integer> members) {
        h.rings.put(ring, List.copyOf(members));
        if (h.rings.size() > MAX_HELD_RINGS) {
            h.rings.clear();
            h.rings.put(UNKNOWN_RING, List.of(node));
        }
    }

    /** A device reports a ring its node may still count a vote for. */
    private void held(Client c, QnetdProtocol.Line l) throws QnetdProtocol.BadLine {
        RingId ring = l.ring("ring");
        List<Integer> nodes = l.nodes("nodes");
        if (!nodes.contains(c.node)) {
            throw new QnetdProtocol.BadLine("HELD without the node itself");
        }
        Holding h = cluster(c).holdings.computeIfAbsent(c.node, k -> new Holding());
        hold(h, c.node, ring, nodes);
    }

    /**
     * The nodes (other than the partition's) that may count the vote in a decision whose members are all outside
     * {@code partition}: while there is one, the partition must not get the vote.
     */
    private List<Integer> blockers(Cluster cl, List<Integer> partition) {
        List<Integer> out = new ArrayList<>();
        for (var e : cl.holdings.entrySet()) {
            if (partition.contains(e.getKey())) {
                continue;
            }
            for (List<Integer> members : e.getValue().rings.values()) {
                if (members.stream().noneMatch(partition::contains)) {
                    out.add(e.getKey());
                    break;
                }
            }
        }
        return out;
    }

    /** Pushes a NACK to every connected blocker that has none to acknowledge yet. */
    private void revoke(Cluster cl, List<Integer> blockers) {
        for (int n : blockers) {
            Client b = cl.clients.get(n);
            Holding h = cl.holdings.get(n);
            if (b != null && h != null && h.nackConn != b.conn) {
                if (b.algorithm.equals("lms")) {
                    b.lmsLast = Vote.NACK;
                } else {
                    b.ff = FfClient.SENDING_NACK;
                }
                push(b, Vote.NACK);
            }
        }
    }

    private Cluster cluster(Client c) {
        return clusters.get(c.cluster);
    }

    // ------------------------------------------------------------------ ffsplit

    private Vote ffsplitDo(Cluster cl, Client trigger, boolean leaving) {
        cl.ff = FfCluster.WAITING_FOR_STABLE_MEMBERSHIP;
        if (!stable(cl, trigger, leaving)) {
            return Vote.WAIT;
        }
        Client best = null;
        boolean kap = cl.clients.values().stream().allMatch(x -> x.kap);
        for (Client x : cl.clients.values()) {
            if (leaving && x == trigger) {
                continue;
            }
            if (ffCompare(cl, x, best, kap) > 0) {
                best = x;
            }
        }
        List<Integer> winners = best == null ? List.of() : best.membership;
        cl.quoratePartition = List.copyOf(winners);
        out.log("ffsplit: cluster " + cl.name + ": vote to " + (best == null ? "no partition"
            : "partition " + QnetdProtocol.nodes(winners) + " (ring " + best.ring + ")"));
        for (Client x : cl.clients.values()) {
            if (leaving && x == trigger) {
                x.ff = FfClient.WAITING_FOR_CHANGE;
            } else {
                x.ff = winners.contains(x.node) ? FfClient.SENDING_ACK : FfClient.SENDING_NACK;
            }
            // this round's vote is not pushed yet: a late VOTE_REPLY to the round before must not end this one
            x.pushed = null;
        }
        cl.ff = FfCluster.SENDING_NACKS;
        sendVotes(cl, trigger, leaving, false);
        ffsplitAdvance(cl);
        return Vote.NO_CHANGE;
    }

    /**
     * NACKs acknowledged: the ACKs go out once no node outside the winners may still count the vote in a
     * partition disjoint from them (otherwise NACKs are pushed to such nodes, or their lease is waited for).
     */
    private void ffsplitAdvance(Cluster cl) {
        if (cl.ff != FfCluster.SENDING_NACKS
            || cl.clients.values().stream().anyMatch(x -> x.ff == FfClient.SENDING_NACK)) {
            return;
        }
        List<Integer> winners = cl.quoratePartition;
        if (!winners.isEmpty()) {
            List<Integer> blockers = blockers(cl, winners);
            if (!blockers.isEmpty()) {
                revoke(cl, blockers);
                return;
            }
        }
        cl.ff = FfCluster.SENDING_ACKS;
        if (sendVotes(cl, null, false, true) == 0) {
            cl.ff = FfCluster.WAITING_FOR_CHANGE;
        }
    }

    /** Same configured nodes everywhere, and every connected member agrees on ring and members. */
    private static boolean stable(Cluster cl, Client trigger, boolean leaving) {
        List<Client> live = new ArrayList<>();
        for (Client x : cl.clients.values()) {
            if (!(leaving && x == trigger)) {
                live.add(x);
            }
        }
        for (Client a : live) {
            for (Client b : live) {
                if (a != b && !new HashSet<>(a.config).equals(new HashSet<>(b.config))) {
                    return false;
                }
            }
        }
        for (Client a : live) {
            for (int n : a.membership) {
                Client b = cl.clients.get(n);
                if (b == null || (leaving && b == trigger)) {
                    continue;
                }
                if (!Objects.equals(a.ring, b.ring) || !new HashSet<>(a.membership).equals(new HashSet<>(b.membership))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** 1 if partition of {@code a} is better than that of {@code b} ({@code b} may be null). */
    private static int ffCompare(Cluster cl, Client a, Client b, boolean kap) {
        int configured = a.config.size();
        int members = a.membership.size();
        if (configured % 2 != 0) {
            return members > configured / 2 ? 1 : 0;
        }
        if (members > configured / 2) {
            return 1;
        }
        if (members < configured / 2) {
            return 0;
        }
        int activeA = active(cl, a.membership);
        int activeB = b == null ? 0 : active(cl, b.membership);
        if (activeA != activeB) {
            return activeA > activeB ? 1 : 0;
        }
        if (kap && b != null) {
            boolean qa = cl.quoratePartition.contains(a.node);
            boolean qb = cl.quoratePartition.contains(b.node);
            if (qa && !qb) {
                return 1;
            }
            if (!qa && qb) {
                return 0;
            }
        }
        return a.membership.contains(preferred(a)) ? 1 : 0;
    }

    private static int active(Cluster cl, List<Integer> membership) {
        int n = 0;
        for (int id : membership) {
            if (cl.clients.containsKey(id)) {
                n++;
            }
        }
        return n;
    }

    private static int preferred(Client c) {
        switch (c.tieBreaker) {
            case "lowest" -> {
                return c.config.stream().min(Integer::compareUnsigned).orElse(c.node);
            }
            case "highest" -> {
                return c.config.stream().max(Integer::compareUnsigned).orElse(c.node);
            }
            default -> {
                return (int) Long.parseLong(c.tieBreaker);
            }
        }
    }

    private int sendVotes(Cluster cl, Client trigger, boolean leaving, boolean acks) {
        int sent = 0;
        for (Client x : cl.clients.values()) {
            if (leaving && x == trigger) {
                continue;
            }
            if (x.ff == (acks ? FfClient.SENDING_ACK : FfClient.SENDING_NACK)) {
                sent++;
                push(x, acks ? Vote.ACK : Vote.NACK);
            }
        }
        return sent;
    }

    private void voteReply(Client c, long seq) {
        Cluster cl = cluster(c);
        if (seq != c.voteSeq) {
            return; // an old vote
        }
        Holding h = cl.holdings.get(c.node);
        if (h != null && h.nackConn == c.conn && h.nackSeq == seq) {
            // the device gave the vote up: its node counts and announces none any more
            cl.holdings.remove(c.node);
        }
        if (!c.algorithm.equals("ffsplit")) {
            return;
        }
        if ((c.ff == FfClient.SENDING_NACK && c.pushed != Vote.NACK)
            || (c.ff == FfClient.SENDING_ACK && c.pushed != Vote.ACK)) {
            return; // the reply to a vote of an earlier round: this round's vote is not sent yet
        }
        c.ff = FfClient.WAITING_FOR_CHANGE;
        if (cl.ff == FfCluster.SENDING_NACKS) {
            ffsplitAdvance(cl);
        } else if (cl.ff == FfCluster.SENDING_ACKS) {
            if (cl.clients.values().stream().noneMatch(x -> x.ff == FfClient.SENDING_ACK)) {
                cl.ff = FfCluster.WAITING_FOR_CHANGE;
            }
        }
    }

    // ------------------------------------------------------------------ lms

    /**
     * lms's vote for {@code c}, made safe: an ACK waits (WAIT, and a look again later) while a node outside the
     * partition may count the vote in a decision disjoint from it; NACKs are pushed to such nodes.
     */
    private Vote lmsDo(Client c, RingId ring) {
        Vote v = lmsDecide(c, ring);
        if (v != Vote.ACK) {
            return v;
        }
        Cluster cl = cluster(c);
        List<Integer> blockers = blockers(cl, c.membership.isEmpty() ? List.of(c.node) : c.membership);
        if (blockers.isEmpty()) {
            return Vote.ACK;
        }
        revoke(cl, blockers);
        out.timer(c.conn, LMS_RETRY_MS);
        c.lmsLast = Vote.WAIT;
        return Vote.WAIT;
    }

    private Vote lmsDecide(Client c, RingId ring) {
        Cluster cl = cluster(c);
        for (Client o : cl.clients.values()) {
            if (o == c) {
                continue;
            }
            boolean ours = c.membership.contains(o.node) || o.membership.contains(c.node);
            if (ours && !Objects.equals(ring, o.ring)) {
                out.timer(c.conn, LMS_RETRY_MS);
                c.lmsLast = Vote.WAIT;
                return Vote.WAIT;
            }
        }
        Map<RingId, int[]> partitions = new LinkedHashMap<>();
        for (Client o : cl.clients.values()) {
            if (o.ring.seq() == 0) {
                continue;
            }
            partitions.computeIfAbsent(o.ring, r -> new int[1])[0]++;
        }
        if (partitions.isEmpty()) {
            out.timer(c.conn, LMS_RETRY_MS);
            c.lmsLast = Vote.WAIT;
            return Vote.WAIT;
        }
        if (partitions.size() == 1) {
            c.lmsLast = Vote.ACK;
            return Vote.ACK;
        }
        if (c.lmsLast == null) {
            for (Client o : cl.clients.values()) {
                if (!Objects.equals(o.ring, ring) && o.lmsLast == Vote.ACK) {
                    return Vote.NACK; // a newcomer must not take the vote from an active partition
                }
            }
        }
        int best = partitions.values().stream().mapToInt(x -> x[0]).max().orElse(0);
        List<RingId> leaders = new ArrayList<>();
        partitions.forEach((r, n) -> {
            if (n[0] == best) {
                leaders.add(r);
            }
        });
        if (leaders.size() == 1) {
            c.lmsLast = leaders.get(0).equals(ring) ? Vote.ACK : Vote.NACK;
            return c.lmsLast;
        }
        Client tb = null;
        for (Client o : cl.clients.values()) {
            switch (c.tieBreaker) {
                case "lowest" -> {
                    if (tb == null || Integer.compareUnsigned(o.node, tb.node) < 0) {
                        tb = o;
                    }
                }
                case "highest" -> {
                    if (tb == null || Integer.compareUnsigned(o.node, tb.node) > 0) {
                        tb = o;
                    }
                }
                default -> {
                    if (o.node == (int) Long.parseLong(c.tieBreaker)) {
                        tb = o;
                    }
                }
            }
        }
        boolean ack = tb != null && (tb == c || Objects.equals(tb.ring, ring));
        c.lmsLast = ack ? Vote.ACK : Vote.NACK;
        return c.lmsLast;
    }

    /** Clients per cluster, for tests. */
    Set<Integer> clients(String cluster) {
        Cluster cl = clusters.get(cluster);
        return cl == null ? Set.of() : Set.copyOf(cl.clients.keySet());
    }
}
