package org.vigil.kernel.internal.ring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapType;

/**
 * Per peer and per link (ring): heartbeats, up/down state and round-trip latency, as knet keeps them for corosync 3
 * (libknet's heartbeat thread: {@code _handle_check_each} sends a ping per link every {@code ping_interval} and
 * takes the link down when no pong came for {@code pong_timeout}; {@code process_pong} computes the latency and
 * brings a link up after {@code pong_count} pongs). Defaults follow corosync's {@code totemconfig.c}
 * ({@code totem_volatile_config_set}): {@code knet_pong_count} 2, {@code knet_ping_timeout} = token / pong_count,
 * {@code knet_ping_interval} = token / (pong_count × 2), {@code knet_ping_precision} 2048 (the samples the running
 * average spans).
 *
 * <p>A pure state machine: the caller passes the time ({@code System.nanoTime}) and sends the frames it returns;
 * nothing here touches a socket or a clock. Thread-safe (the transports' I/O threads deliver pings and pongs while
 * the protocol thread asks for the pings due).
 *
 * <p>State published to cmap under corosync's knet names, {@code stats.knet.node<N>.link<R>.}: {@code
 * latency_ave}, {@code latency_min}, {@code latency_max} (microseconds, round trip), {@code latency_samples},
 * {@code up_count}, {@code down_count}, {@code tx_ping_packets}, {@code rx_ping_packets}, {@code tx_pong_packets},
 * {@code rx_pong_packets}, {@code rx_pong_late} (Vigil's: PONGs slower than the timeout, discarded as knet does),
 * {@code enabled}; {@code connected} is the driver's (this state, unless the ring is
 * marked faulty).
 */
public final class LinkMonitor {

    /** corosync's KNET_PONG_COUNT. */
    public static final int PONG_COUNT = 2;
    /** corosync's KNET_PING_PRECISION. */
    public static final int PRECISION = 2048;
    /** PINGs remembered per peer and link, so a late PONG still finds its send time. */
    private static final int WINDOW = 8;
    /** PONGs a peer's PINGs can obtain in a burst, then one per quarter ping interval. */
    private static final double PONG_BURST = 8;

    /** A PING to send. */
    public record Ping(int link, int nodeId, byte[] frame) {
    }

    /** A link that went up or down. */
    public record Change(int link, int nodeId, boolean up, String why) {
    }

    private final class Peer {
        final int link;
        final int nodeId;
        long nextPingAt;
        long seq;
        final long[] sentSeq = new long[WINDOW];
        final long[] sentAt = new long[WINDOW];
        long lastPongAt;
        int pongsWhileDown;
        boolean up;
        long minNanos = Long.MAX_VALUE;
        long maxNanos;
        double aveNanos;
        long samples;
        long txPing;
        long rxPing;
        long txPong;
        long rxPong;
        long upCount;
        long downCount;
        long stalePongs;
        long latePongs;
        long limitedPings;
        double bucket = PONG_BURST;
        long bucketAt;

        Peer(int link, int nodeId, long now) {
            this.link = link;
            this.nodeId = nodeId;
            this.nextPingAt = now;
            this.bucketAt = now;
            java.util.Arrays.fill(sentSeq, -1);
        }
    }

    private final int self;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final int pongCount;
    private final int precision;
    /** [link][node index]; null for this node. */
    private final Peer[][] peers;
    private final Map<Integer, Integer> index = new HashMap<>();
    private final List<Change> changes = new ArrayList<>();
    private final Map<String, Long> published = new HashMap<>();

    /**
     * @param self          this node's id (not pinged)
     * @param nodeIds       the configured nodes
     * @param links         the rings in use
     * @param intervalNanos ping interval
     * @param timeoutNanos  a link without a PONG for this long is down
     * @param pongCount     PONGs in a row (within the timeout) that bring a link up
     * @param precision     samples the running latency average spans
     * @param now           the time of creation: the first PINGs are due at once
     */
    public LinkMonitor(int self, int[] nodeIds, int links, long intervalNanos, long timeoutNanos, int pongCount,
                       int precision, long now) {
        if (intervalNanos <= 0 || timeoutNanos <= 0 || pongCount < 1 || precision < 1) {
            throw new IllegalArgumentException("ping interval, timeout, pong count and precision must be positive");
        }
        this.self = self;
        this.intervalNanos = intervalNanos;
        this.timeoutNanos = timeoutNanos;
        this.pongCount = pongCount;
        this.precision = precision;
        this.peers = new Peer[links][nodeIds.length];
        for (int i = 0; i < nodeIds.length; i++) {
            index.put(nodeIds[i], i);
            for (int l = 0; l < links && nodeIds[i] != self; l++) {
                peers[l][i] = new Peer(l, nodeIds[i], now);
            }
        }
    }

    /** corosync's defaults for a token timeout (ms): interval token/(2×2), timeout token/2. */
    public static LinkMonitor forToken(int self, int[] nodeIds, int links, long tokenMillis, long now) {
        long token = tokenMillis * 1_000_000L;
        return new LinkMonitor(self, nodeIds, links, Math.max(1, token / (PONG_COUNT * 2L)),
            Math.max(1, token / PONG_COUNT), PONG_COUNT, PRECISION, now);
    }

    public long intervalNanos() {
        return intervalNanos;
    }

    public long timeoutNanos() {
        return timeoutNanos;
    }

    private Peer peer(int link, int nodeId) {
        Integer i = index.get(nodeId);
        if (i == null || link < 0 || link >= peers.length) {
            return null;
        }
        return peers[link][i];
    }

    /**
     * The PINGs due now (each peer on each link once per interval), after taking down the links whose last PONG
     * is older than the timeout.
     */
    public synchronized List<Ping> due(long now) {
        List<Ping> out = new ArrayList<>();
        for (Peer[] link : peers) {
            for (Peer p : link) {
                if (p == null) {
                    continue;
                }
                if (p.up && now - p.lastPongAt > timeoutNanos) {
                    p.up = false;
                    p.downCount++;
                    p.pongsWhileDown = 0;
                    changes.add(new Change(p.link, p.nodeId, false,
                        "no pong for " + (now - p.lastPongAt) / 1_000_000 + " ms"));
                }
                if (now - p.nextPingAt >= 0) {
                    long seq = ++p.seq;
                    int slot = (int) (seq % WINDOW);
                    p.sentSeq[slot] = seq;
                    p.sentAt[slot] = now;
                    p.txPing++;
                    // never fall behind by more than one interval (a stalled thread sends one ping, not a burst)
                    p.nextPingAt = Math.max(p.nextPingAt + intervalNanos, now + intervalNanos / 2);
                    out.add(new Ping(p.link, p.nodeId, new LinkFrame(LinkFrame.PING, p.link, p.nodeId, seq).encode()));
                }
            }
        }
        return out;
    }

    /** When {@link #due} has something to do next (a PING or a timeout). */
    public synchronized long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Peer[] link : peers) {
            for (Peer p : link) {
                if (p != null) {
                    next = Math.min(next, p.nextPingAt);
                    if (p.up) {
                        next = Math.min(next, p.lastPongAt + timeoutNanos + 1);
                    }
                }
            }
        }
        return next;
    }

    /**
     * A PING from {@code sender} arrived on {@code link}; returns the PONG's bytes to send back on that link, or
     * null when the frame is not for this node or this link, or the sender exceeds its PONG rate (a peer pings
     * once per interval; more is a fault or a replay, and answering it would let it make this node send).
     */
    public synchronized byte[] onPing(int link, int sender, LinkFrame ping, long now) {
        Peer p = peer(link, sender);
        if (p == null || ping.code() != LinkFrame.PING || ping.link() != link || ping.target() != self) {
            return null;
        }
        p.rxPing++;
        double perNano = 4.0 / intervalNanos;
        p.bucket = Math.min(PONG_BURST, p.bucket + (now - p.bucketAt) * perNano);
        p.bucketAt = now;
        if (p.bucket < 1) {
            p.limitedPings++;
            return null;
        }
        p.bucket -= 1;
        p.txPong++;
        return ping.pong(sender).encode();
    }

    /**
     * A PONG from {@code sender} arrived on {@code link}: if it answers one of the last PINGs sent to it there (and
     * not already answered), its round trip is a latency sample and the link's last sign of life.
     *
     * @return false for a PONG that answers nothing (stale, duplicate, replayed, not for this node or link)
     */
    public synchronized boolean onPong(int link, int sender, LinkFrame pong, long now) {
        Peer p = peer(link, sender);
        if (p == null || pong.code() != LinkFrame.PONG || pong.link() != link || pong.target() != self) {
            return false;
        }
        int slot = (int) Math.floorMod(pong.seq(), (long) WINDOW);
        if (pong.seq() <= 0 || p.sentSeq[slot] != pong.seq()) {
            p.stalePongs++;
            return false;
        }
        p.sentSeq[slot] = -1;   // answered: a duplicate finds nothing
        long rtt = now - p.sentAt[slot];
        p.rxPong++;
        if (rtt > timeoutNanos) {
            // knet's process_pong discards a pong slower than the pong timeout: no sample, no sign of life
            p.latePongs++;
            return true;
        }
        // the running average of knet's process_pong, over at most `precision` samples
        p.samples = Math.min(p.samples + 1, precision);
        p.aveNanos = (p.aveNanos * (p.samples - 1) + rtt) / p.samples;
        p.minNanos = Math.min(p.minNanos, rtt);
        p.maxNanos = Math.max(p.maxNanos, rtt);
        p.lastPongAt = now;
        if (!p.up && ++p.pongsWhileDown >= pongCount) {
            p.up = true;
            p.upCount++;
            changes.add(new Change(link, sender, true, "round trip " + rtt / 1000 + " us"));
        }
        return true;
    }

    /** Whether the link to {@code nodeId} on {@code link} is up (false for this node and unknown nodes). */
    public synchronized boolean up(int link, int nodeId) {
        Peer p = peer(link, nodeId);
        return p != null && p.up;
    }

    /** Average round trip in nanoseconds, or -1 before the first sample. */
    public synchronized double averageNanos(int link, int nodeId) {
        Peer p = peer(link, nodeId);
        return p == null || p.samples == 0 ? -1 : p.aveNanos;
    }

    /** Links that went up or down since the last call, in order. */
    public synchronized List<Change> drainChanges() {
        List<Change> out = List.copyOf(changes);
        changes.clear();
        return out;
    }

    /** PINGs not answered because the sender exceeded its rate, all peers and links. */
    public synchronized long rateLimited() {
        long n = 0;
        for (Peer[] link : peers) {
            for (Peer p : link) {
                n += p == null ? 0 : p.limitedPings;
            }
        }
        return n;
    }

    /** PONGs that answered no outstanding PING, all peers and links. */
    public synchronized long stalePongs() {
        long n = 0;
        for (Peer[] link : peers) {
            for (Peer p : link) {
                n += p == null ? 0 : p.stalePongs;
            }
        }
        return n;
    }

    /** Writes the counters and latencies to cmap ({@code stats.knet.node<N>.link<R>.*}), only what changed. */
    public synchronized void publish(Cmap cmap) {
        for (Peer[] link : peers) {
            for (Peer p : link) {
                if (p == null) {
                    continue;
                }
                String k = "stats.knet.node" + Integer.toUnsignedString(p.nodeId) + ".link" + p.link + ".";
                put(cmap, k + "enabled", CmapType.UINT8, 1);
                put(cmap, k + "latency_ave", CmapType.UINT32, p.samples == 0 ? 0 : Math.round(p.aveNanos / 1000));
                put(cmap, k + "latency_min", CmapType.UINT32, p.samples == 0 ? 0 : p.minNanos / 1000);
                put(cmap, k + "latency_max", CmapType.UINT32, p.maxNanos / 1000);
                put(cmap, k + "latency_samples", CmapType.UINT32, p.samples);
                put(cmap, k + "up_count", CmapType.UINT32, p.upCount);
                put(cmap, k + "down_count", CmapType.UINT32, p.downCount);
                put(cmap, k + "tx_ping_packets", CmapType.UINT64, p.txPing);
                put(cmap, k + "rx_ping_packets", CmapType.UINT64, p.rxPing);
                put(cmap, k + "tx_pong_packets", CmapType.UINT64, p.txPong);
                put(cmap, k + "rx_pong_packets", CmapType.UINT64, p.rxPong);
                put(cmap, k + "rx_pong_late", CmapType.UINT64, p.latePongs);
            }
        }
    }

    private void put(Cmap cmap, String key, CmapType type, long value) {
        Long last = published.put(key, value);
        if (last == null || last != value || cmap.get(key).isEmpty()) {
            cmap.set(key, type, value);
        }
    }
}
