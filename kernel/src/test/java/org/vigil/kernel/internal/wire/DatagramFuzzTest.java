package org.vigil.kernel.internal.wire;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.kernel.fuzz.FuzzChecks;
import org.vigil.kernel.internal.totem.Guarantee;
import org.vigil.kernel.internal.totem.TotemConfig;
import org.vigil.kernel.internal.totem.TotemSrp;
import org.vigil.kernel.internal.totem.TotemStats;
import org.vigil.kernel.internal.totem.sim.DirectRing;

/**
 * Fuzz target: received datagrams, through the path the ring driver gives them ({@code RingDriver.received}):
 * {@link WireCodec#decode} (clear, AES-GCM, HMAC), the sender checks, then the Totem engine of a formed 3-node ring
 * ({@link TotemSrp#onPacket}, which decodes with {@code TotemCodec}), then the ring runs on.
 *
 * <p>Input: byte 0 picks the wire mode; then records {@code u8 flags · u16 length · bytes}. Flags: bits 0-1 the
 * receiving node, bits 2-3 the sending node (4 = not a member), bit 4 "sealed" (the bytes are a Totem packet that
 * the sending node's codec wraps first, so the engine sees arbitrary bytes behind valid authentication; otherwise
 * the bytes are the datagram as received), bit 5 "let the ring run" after this datagram.
 *
 * <p>Invariants: no exception escapes the codec, the engine or the ring; every datagram is either handed on or
 * rejected with a {@link WireCodec.Drop} reason (the driver's {@code stats.wire.rx_*} counters), an unknown-node or
 * own-packet count, or by the engine, which counts every packet it is given (processed or {@code rx_msg_dropped});
 * decoding one datagram allocates at most 64 KiB + 8 bytes per datagram byte, and handling it at most 1 MiB + 16
 * bytes per datagram byte, whatever its length and count fields say.
 */
class DatagramFuzzTest {

    private static final TotemConfig CFG = TotemConfig.parse(3, "token: 1000", "token_coefficient: 0");
    private static final String CLUSTER = "fuzz";
    /** crypto_cipher / crypto_hash per wire mode. */
    private static final String[][] MODES = {{"none", "none"}, {"aes256", "sha256"}, {"aes128", "sha1"},
        {"none", "sha256"}, {"none", "sha1"}, {"none", "md5"}, {"none", "sha512"}};
    private static final int NODES = 3;
    /** Bound on what decoding one datagram allocates: its copies of the bytes, cipher state. */
    private static final long DECODE_FIXED = 64 << 10;
    private static final long DECODE_PER_BYTE = 8;
    /**
     * Bound on decoding and handling one datagram. The engine's per-ring structures grow up to fixed caps (a
     * forged sequence number may grow the sort queue to its 65536 slots at once, about 640 KiB of arrays while it
     * doubles); anything that follows a forged length or count (up to 4 GiB) exceeds this.
     */
    private static final long HANDLE_FIXED = 1 << 20;
    private static final long HANDLE_PER_BYTE = 16;
    /** The engine's receive counters: each packet handed to the engine moves at least one of them. */
    private static final String[] RX = {"orf_token_rx", "mcast_rx", "memb_join_rx", "memb_commit_token_rx",
        "memb_merge_detect_rx", "token_hold_cancel_rx", "rx_msg_dropped", "rx_refused"};
    /** Per mode, per node id 0..4 (4 is not in the node list): the codec that node uses. */
    private static final WireCodec[][] CODECS = new WireCodec[MODES.length][NODES + 2];

    static {
        byte[] key = new byte[128];
        new Random(5).nextBytes(key);
        for (int m = 0; m < MODES.length; m++) {
            for (int id = 1; id <= NODES + 1; id++) {
                CODECS[m][id] = new WireCodec(CLUSTER, id, MODES[m][0], MODES[m][1], key);
            }
        }
    }

    @MethodSource("realTraffic")
    @FuzzTest
    void datagram(byte[] input) {
        if (!run(input, false)) {
            // Over the allocation bound, maybe only from first use (class loading, instrumentation, call-site
            // linking on this thread): the ring is deterministic, so a second run on warm code decides.
            run(input, true);
        }
    }

    /** Runs one input; returns false if an allocation bound was exceeded and {@code strict} is off. */
    private static boolean run(byte[] input, boolean strict) {
        if (input.length == 0) {
            return true;
        }
        int mode = (input[0] & 0xFF) % MODES.length;
        DirectRing ring = new DirectRing(NODES, CFG);
        ring.sendAndDeliver(2, new byte[700], 3, Guarantee.AGREED);
        boolean withinBounds = true;
        int p = 1;
        while (p + 3 <= input.length) {
            int flags = input[p] & 0xFF;
            int len = Math.min(((input[p + 1] & 0xFF) << 8) | (input[p + 2] & 0xFF), input.length - p - 3);
            byte[] bytes = java.util.Arrays.copyOfRange(input, p + 3, p + 3 + len);
            p += 3 + len;
            int to = 1 + (flags & 3) % NODES;
            int from = 1 + ((flags >> 2) & 3);
            ByteBuffer datagram = (flags & 0x10) != 0 ? CODECS[mode][from].encode(bytes, 0, bytes.length)
                : ByteBuffer.wrap(bytes);
            withinBounds &= receive(ring, mode, to, datagram, strict);
            if ((flags & 0x20) != 0) {
                ring.pumpUntil(() -> false, 200);
            }
        }
        ring.pumpUntil(() -> false, 1000);
        return withinBounds;
    }

    /** What {@code RingDriver.received} does with one datagram, with its invariants checked. */
    private static boolean receive(DirectRing ring, int mode, int to, ByteBuffer datagram, boolean strict) {
        int size = datagram.remaining();
        TotemSrp engine = ring.engine(to);
        long rxBefore = counted(engine.stats());
        long alloc = FuzzChecks.allocatedBytes();
        WireCodec.Decoded d = CODECS[mode][to].decode(datagram);
        long decodeAllocated = FuzzChecks.allocatedBytes() - alloc;
        boolean handed = false;
        if (d.ok()) {
            assertNotNull(d.payload(), "a decoded datagram without a payload");
            if (d.sender() >= 1 && d.sender() <= NODES && d.sender() != to) {
                engine.onPacket(d.payload());
                handed = true;
            }
            // else: the driver counts an unknown node or its own packet
        } else {
            assertNotNull(d.drop(), "a rejected datagram without a reason to count");
            assertNull(d.payload(), "a rejected datagram with a payload");
        }
        long allocated = FuzzChecks.allocatedBytes() - alloc;
        if (handed) {
            assertTrue(counted(engine.stats()) > rxBefore,
                "the engine neither processed nor counted a packet: " + engine.stats().toMap());
        }
        if (!strict && (decodeAllocated > DECODE_FIXED + DECODE_PER_BYTE * size
            || allocated > HANDLE_FIXED + HANDLE_PER_BYTE * size)) {
            return false;
        }
        FuzzChecks.assertAllocationBounded(decodeAllocated, size, DECODE_FIXED, DECODE_PER_BYTE,
            "decoding one datagram");
        FuzzChecks.assertAllocationBounded(allocated, size, HANDLE_FIXED, HANDLE_PER_BYTE,
            "decoding and handling one datagram");
        return true;
    }

    private static long counted(TotemStats s) {
        long n = 0;
        for (String c : RX) {
            n += s.get(c);
        }
        return n;
    }

    /**
     * Seeds: the packets of a real 3-node ring (forming, then carrying fragmented and whole messages), as records
     * of the input format, clear and sealed.
     */
    static Stream<Arguments> realTraffic() {
        DirectRing ring = new DirectRing(NODES, CFG);
        ring.sendAndDeliver(2, new byte[700], 3, Guarantee.AGREED);
        List<byte[]> packets = new ArrayList<>();
        List<Integer> receivers = new ArrayList<>();
        ring.tap((packet, to) -> {
            if (packets.size() < 240) {
                packets.add(packet.clone());
                receivers.add(to);
            }
        });
        ring.sendAndDeliver(1, new byte[3000], 2, Guarantee.SAFE);
        ring.sendAndDeliver(3, new byte[40], 5, Guarantee.AGREED);
        ring.engine(2).onTimer(org.vigil.kernel.internal.totem.TimerKind.TOKEN_LOSS);
        ring.pumpUntil(ring::formed, 100_000);
        ring.tap(null);
        List<Arguments> seeds = new ArrayList<>();
        for (int start = 0, k = 0; start < packets.size(); start += 8, k++) {
            int mode = k % MODES.length;
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            in.write(mode);
            for (int i = start; i < Math.min(packets.size(), start + 8); i++) {
                byte[] pkt = packets.get(i);
                int to = receivers.get(i);
                int from = pkt.length >= 6 ? pkt[5] & 0xFF : 1;   // the Totem header's sender (ids 1..3)
                from = from >= 1 && from <= NODES ? from : 1;
                boolean sealed = mode != 0;
                byte[] record = sealed ? pkt : bytes(CODECS[0][from].encode(pkt, 0, pkt.length));
                in.write((to - 1) | ((from - 1) << 2) | (sealed ? 0x10 : 0) | (i % 5 == 4 ? 0x20 : 0));
                in.write(record.length >> 8);
                in.write(record.length);
                in.writeBytes(record);
            }
            seeds.add(Arguments.of((Object) in.toByteArray()));
        }
        return seeds.stream();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
