package org.vigil.kernel.internal.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.internal.cmap.CmapStore;

/**
 * The heartbeat frames and the per-peer, per-link state machine on a virtual clock: PINGs every interval, a link up
 * after two PONGs and down after the timeout, latency min/average/max from the round trips, PONGs that answer
 * nothing ignored, PINGs beyond the rate not answered, and garbage frames never parsed into anything.
 */
class LinkMonitorTest {

    static final long MS = 1_000_000L;
    static final int[] NODES = {1, 2, 3};

    /** token 1000: interval 250 ms, timeout 500 ms (corosync's defaults for knet). */
    static LinkMonitor monitor(int self, int links) {
        return LinkMonitor.forToken(self, NODES, links, 1000, 0);
    }

    static LinkFrame ping(List<LinkMonitor.Ping> pings, int link, int node) {
        for (LinkMonitor.Ping p : pings) {
            if (p.link() == link && p.nodeId() == node) {
                return LinkFrame.decode(p.frame());
            }
        }
        throw new AssertionError("no ping to node " + node + " on link " + link + ": " + pings);
    }

    @Test
    void defaultsFollowCorosyncForTheToken() {
        LinkMonitor m = monitor(1, 1);
        assertEquals(250 * MS, m.intervalNanos());
        assertEquals(500 * MS, m.timeoutNanos());
    }

    @Test
    void pingsEveryPeerOnEveryLinkOncePerInterval() {
        LinkMonitor m = monitor(1, 2);
        List<LinkMonitor.Ping> first = m.due(0);
        assertEquals(4, first.size(), "nodes 2 and 3 on links 0 and 1, not node 1 itself: " + first);
        assertTrue(m.due(100 * MS).isEmpty(), "nothing before the interval");
        assertEquals(250 * MS, m.nextDeadline());
        List<LinkMonitor.Ping> second = m.due(250 * MS);
        assertEquals(4, second.size());
        assertEquals(2, ping(second, 1, 3).seq());
        assertEquals(1, ping(second, 1, 3).link());
        assertEquals(3, ping(second, 1, 3).target());
    }

    @Test
    void linkComesUpAfterTwoPongsGoesDownAfterTheTimeoutAndMeasuresTheRoundTrip() {
        LinkMonitor m = monitor(1, 1);
        CmapStore cmap = new CmapStore();
        LinkFrame p1 = ping(m.due(0), 0, 2);
        assertTrue(m.onPong(0, 2, p1.pong(1), 3 * MS));
        assertFalse(m.up(0, 2), "one pong is not enough (pong_count 2)");
        LinkFrame p2 = ping(m.due(250 * MS), 0, 2);
        assertTrue(m.onPong(0, 2, p2.pong(1), 251 * MS));
        assertTrue(m.up(0, 2));
        assertFalse(m.up(0, 3), "node 3 never answered");
        assertEquals(List.of(new LinkMonitor.Change(0, 2, true, "round trip 1000 us")), m.drainChanges());
        m.publish(cmap);
        assertEquals(2000L, cmap.get("stats.knet.node2.link0.latency_ave").orElseThrow().longValue(),
            "(3 ms + 1 ms) / 2 in microseconds");
        assertEquals(1000L, cmap.get("stats.knet.node2.link0.latency_min").orElseThrow().longValue());
        assertEquals(3000L, cmap.get("stats.knet.node2.link0.latency_max").orElseThrow().longValue());
        assertEquals(2L, cmap.get("stats.knet.node2.link0.latency_samples").orElseThrow().longValue());
        assertEquals(1L, cmap.get("stats.knet.node2.link0.up_count").orElseThrow().longValue());
        assertEquals(0L, cmap.get("stats.knet.node3.link0.latency_samples").orElseThrow().longValue());
        // silence: still up 500 ms after the last pong, down after that
        m.due(500 * MS);
        m.due(751 * MS);
        assertTrue(m.up(0, 2));
        m.due(752 * MS);
        assertFalse(m.up(0, 2), "no pong for more than 500 ms");
        assertFalse(m.drainChanges().get(0).up());
        m.publish(cmap);
        assertEquals(1L, cmap.get("stats.knet.node2.link0.down_count").orElseThrow().longValue());
    }

    @Test
    void aPongSlowerThanTheTimeoutIsNoSampleAndNoSignOfLife() {
        LinkMonitor m = monitor(1, 1);
        CmapStore cmap = new CmapStore();
        LinkFrame p1 = ping(m.due(0), 0, 2);
        LinkFrame p2 = ping(m.due(250 * MS), 0, 2);
        LinkFrame p3 = ping(m.due(500 * MS), 0, 2);
        assertTrue(m.onPong(0, 2, p1.pong(1), 501 * MS));
        assertTrue(m.onPong(0, 2, p2.pong(1), 502 * MS));
        assertFalse(m.up(0, 2), "only one pong within the timeout");
        assertTrue(m.onPong(0, 2, p3.pong(1), 503 * MS));
        assertTrue(m.up(0, 2));
        m.publish(cmap);
        assertEquals(2L, cmap.get("stats.knet.node2.link0.latency_samples").orElseThrow().longValue());
        assertEquals(252_000L, cmap.get("stats.knet.node2.link0.latency_max").orElseThrow().longValue());
        assertEquals(1L, cmap.get("stats.knet.node2.link0.rx_pong_late").orElseThrow().longValue());
    }

    @Test
    void aPongThatAnswersNothingIsIgnored() {
        LinkMonitor m = monitor(1, 2);
        LinkFrame p = ping(m.due(0), 1, 2);
        assertFalse(m.onPong(1, 2, new LinkFrame(LinkFrame.PONG, 1, 1, 99), MS), "never sent");
        assertFalse(m.onPong(0, 2, p.pong(1), MS), "another link than the ping's");
        assertFalse(m.onPong(1, 2, p.pong(3), MS), "for another pinger");
        assertFalse(m.onPong(1, 2, p, MS), "a PING is not a PONG");
        assertTrue(m.onPong(1, 2, p.pong(1), MS));
        assertFalse(m.onPong(1, 2, p.pong(1), 2 * MS), "a duplicate");
        assertEquals(2, m.stalePongs(), "the one never sent and the duplicate; the others are not this link's");
    }

    @Test
    void pingsBeyondTheRateAreNotAnswered() {
        LinkMonitor m = monitor(2, 1);
        LinkFrame ping = new LinkFrame(LinkFrame.PING, 0, 2, 1);
        int answered = 0;
        for (int i = 0; i < 1000; i++) {
            if (m.onPing(0, 1, ping, MS) != null) {
                answered++;
            }
        }
        assertEquals(8, answered, "a burst of 8, then nothing in the same instant");
        assertEquals(992, m.rateLimited());
        // one per quarter interval afterwards: 4 per 250 ms
        answered = 0;
        for (long t = 0; t < 1000; t++) {
            if (m.onPing(0, 1, ping, MS + t * MS) != null) {
                answered++;
            }
        }
        assertTrue(answered >= 15 && answered <= 17, "about 16 in one second: " + answered);
        assertNull(m.onPing(0, 1, new LinkFrame(LinkFrame.PING, 0, 3, 1), 2000 * MS), "a ping for another node");
        assertNull(m.onPing(1, 1, ping, 2000 * MS), "a link not configured");
        assertNull(m.onPing(0, 9, ping, 2000 * MS), "a node not configured");
        byte[] pong = m.onPing(0, 1, ping, 5000 * MS);
        assertNotNull(pong);
        assertEquals(new LinkFrame(LinkFrame.PONG, 0, 1, 1), LinkFrame.decode(pong));
    }

    @Test
    void framesRoundTripAndGarbageIsNeverAFrame() {
        LinkFrame f = new LinkFrame(LinkFrame.PING, 1, 7, Long.MAX_VALUE);
        assertEquals(f, LinkFrame.decode(f.encode()));
        byte[] longer = java.util.Arrays.copyOf(f.encode(), 40);
        assertEquals(f, LinkFrame.decode(longer), "bytes after the frame are left for later versions");
        assertArrayEquals(new byte[] {(byte) 0x81, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9},
            new LinkFrame(LinkFrame.PONG, 1, 2, 9).encode());
        assertNull(LinkFrame.decode(null));
        assertNull(LinkFrame.decode(new byte[0]));
        assertNull(LinkFrame.decode(java.util.Arrays.copyOf(f.encode(), 13)), "short");
        assertFalse(LinkFrame.isLinkFrame(new byte[] {1, 0}), "a Totem packet (version 1)");
        Random rnd = new Random(19);
        LinkMonitor m = monitor(1, 2);
        m.due(0);
        int frames = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[rnd.nextInt(40)];
            rnd.nextBytes(b);
            LinkFrame g = LinkFrame.decode(b);
            if (g == null) {
                continue;
            }
            frames++;
            assertTrue(b[0] == (byte) 0x80 || b[0] == (byte) 0x81);
            assertTrue(b.length >= LinkFrame.LENGTH);
            // whatever it says, the monitor takes it without throwing, and a random PONG answers nothing
            m.onPing(rnd.nextInt(3), 1 + rnd.nextInt(3), g, i * MS);
            if (g.code() == LinkFrame.PONG) {
                assertFalse(m.onPong(g.link(), 2, g, i * MS) && g.seq() != 1, "only seq 1 was sent");
            }
        }
        assertTrue(frames > 0, "some garbage had a link code and the length");
    }
}
