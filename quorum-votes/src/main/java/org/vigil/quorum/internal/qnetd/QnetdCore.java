package org.vigil.quorum.internal.qnetd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p>Inputs: {@link #connected}, {@link #line}, {@link #disconnected}, {@link #timer}. Outputs go to an
 * {@link Out}. Malformed lines are ignored and counted ({@link #malformed()}); only a bad first line (HELLO)
 * closes a connection. Not thread-safe: the server runs it on one thread.
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

    private static final class Client {
        final long conn;
        String cluster;
        int node;
        String algorithm;
        String tieBreaker;
        boolean kap = true;
        long heartbeatMs = QnetdServer.DEFAULT_HB_MS;
        List<Integer> config = List.of();
        RingId ring = new RingId(0, 0);
        List<Integer> membership = List.of();
        boolean quorate;
        FfClient ff = FfClient.WAITING_FOR_CHANGE;
        long voteSeq;
        Vote lmsLast;
        long malformed;

        Client(long conn) {
            this.conn = conn;
        }
    }

    private static final class Cluster {
        final String name;
        final LinkedHashMap<Integer, Client> clients = new LinkedHashMap<>();
        FfCluster ff = FfCluster.WAITING_FOR_CHANGE;
        List<Integer> quoratePartition = List.of();

        Cluster(String name) {
            this.name = name;
        }
    }

    private final Out out;
    private final Map<Long, Client> conns = new HashMap<>();
    private final Map<String, Cluster> clusters = new HashMap<>();
    private long malformed;

    public QnetdCore(Out out) {
        this.out = out;
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
        if (c.algorithm.equals("ffsplit")) {
            ffsplitDo(cl, c, true);
        }
        cl.clients.remove(c.node);
        if (cl.clients.isEmpty()) {
            clusters.remove(cl.name);
        }
    }

    public void timer(long conn) {
        Client c = conns.get(conn);
        if (c == null || c.cluster == null || !c.algorithm.equals("lms")) {
            return;
        }
        Vote v = lmsDo(c, c.ring);
        if (v == Vote.ACK || v == Vote.NACK) {
            c.voteSeq++;
            out.send(c.conn, QnetdProtocol.format("VOTE", c.voteSeq, "vote", v.wire(), "ring", c.ring));
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
        String hb = l.params().get("hb");
        if (hb != null) {
            try {
                c.heartbeatMs = Math.max(100, Math.min(10_000, Long.parseLong(hb)));
            } catch (NumberFormatException e) {
                throw new QnetdProtocol.BadLine("bad hb '" + hb + "'");
            }
        }
        cl.clients.put(node, c);
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
        out.send(c.conn, QnetdProtocol.format("REPLY", seq, "vote", v.wire(), "ring", c.ring));
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
        }
        cl.ff = FfCluster.SENDING_NACKS;
        if (sendVotes(cl, trigger, leaving, false) == 0) {
            cl.ff = FfCluster.SENDING_ACKS;
            if (sendVotes(cl, trigger, leaving, true) == 0) {
                cl.ff = FfCluster.WAITING_FOR_CHANGE;
            }
        }
        return Vote.NO_CHANGE;
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
                x.voteSeq++;
                sent++;
                out.send(x.conn, QnetdProtocol.format("VOTE", x.voteSeq, "vote", acks ? "ack" : "nack", "ring",
                    x.ring));
            }
        }
        return sent;
    }

    private void voteReply(Client c, long seq) {
        if (!c.algorithm.equals("ffsplit")) {
            return;
        }
        Cluster cl = cluster(c);
        if (seq != c.voteSeq) {
            return; // an old vote
        }
        c.ff = FfClient.WAITING_FOR_CHANGE;
        if (cl.ff == FfCluster.SENDING_NACKS) {
            if (cl.clients.values().stream().noneMatch(x -> x.ff == FfClient.SENDING_NACK)) {
                cl.ff = FfCluster.SENDING_ACKS;
                if (sendVotes(cl, null, false, true) == 0) {
                    cl.ff = FfCluster.WAITING_FOR_CHANGE;
                }
            }
        } else if (cl.ff == FfCluster.SENDING_ACKS) {
            if (cl.clients.values().stream().noneMatch(x -> x.ff == FfClient.SENDING_ACK)) {
                cl.ff = FfCluster.WAITING_FOR_CHANGE;
            }
        }
    }

    // ------------------------------------------------------------------ lms

    private Vote lmsDo(Client c, RingId ring) {
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
