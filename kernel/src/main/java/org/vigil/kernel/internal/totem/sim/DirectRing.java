package org.vigil.kernel.internal.totem.sim;

import java.util.function.BooleanSupplier;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.internal.totem.Guarantee;
import org.vigil.kernel.internal.totem.RingSeqStore;
import org.vigil.kernel.internal.totem.TimerKind;
import org.vigil.kernel.internal.totem.TotemConfig;
import org.vigil.kernel.internal.totem.TotemOutput;
import org.vigil.kernel.internal.totem.TotemSrp;
import org.vigil.kernel.internal.totem.TotemState;

/**
 * N engines wired back to back with no network in between: packets are handed over in FIFO order at once, timers
 * fire only when no packet is in flight (virtual time jumps to the next deadline), nothing is checked. This is
 * the engine alone, for the JMH benchmark (the CPU ceiling the real transports work against) and for quick
 * throughput checks. The harness itself allocates nothing per packet. Not thread-safe.
 */
public final class DirectRing {

    private final int n;
    private final TotemSrp[] engines;
    private final long[] delivered;
    private final long[] deliveredBytes;
    private final long[][] deadline;
    private int[] qTo = new int[1024];
    private byte[][] qData = new byte[1024][];
    private int qHead;
    private int qSize;
    private long now;
    private long packets;
    private java.util.function.ObjIntConsumer<byte[]> tap;

    /** Builds and boots {@code n} engines (ids 1..n) and runs until they form one ring. */
    public DirectRing(int n, TotemConfig cfg) {
        this.n = n;
        engines = new TotemSrp[n + 1];
        delivered = new long[n + 1];
        deliveredBytes = new long[n + 1];
        deadline = new long[n + 1][TimerKind.values().length];
        int[] ids = new int[n];
        for (int i = 1; i <= n; i++) {
            ids[i - 1] = i;
            java.util.Arrays.fill(deadline[i], -1);
        }
        for (int i = 1; i <= n; i++) {
            engines[i] = new TotemSrp(i, ids, cfg, new RingSeqStore.InMemory(), new Out(i));
        }
        for (int i = 1; i <= n; i++) {
            engines[i].start();
        }
        pumpUntil(this::formed, 1_000_000);
        if (!formed()) {
            throw new IllegalStateException("the engines did not form one ring");
        }
    }

    private final class Out implements TotemOutput {
        private final int id;

        Out(int id) {
            this.id = id;
        }

        @Override
        public void unicast(int nodeId, byte[] packet) {
            enqueue(nodeId, packet);
        }

        @Override
        public void multicast(byte[] packet) {
            for (int to = 1; to <= n; to++) {
                if (to != id) {
                    enqueue(to, packet);
                }
            }
        }

        @Override
        public void deliver(int sender, byte[] data, int offset, int length, Guarantee guarantee, RingId ring) {
            delivered[id]++;
            deliveredBytes[id] += length;
        }

        @Override
        public void configurationChange(MembershipEvent event) {
        }

        @Override
        public void armTimer(TimerKind kind, long delayMillis) {
            deadline[id][kind.ordinal()] = now + delayMillis;
        }

        @Override
        public void cancelTimer(TimerKind kind) {
            deadline[id][kind.ordinal()] = -1;
        }
    }

    private void enqueue(int to, byte[] p) {
        if (qSize == qTo.length) {
            int cap = qTo.length;
            int[] nt = new int[cap * 2];
            byte[][] nd = new byte[cap * 2][];
            for (int k = 0; k < qSize; k++) {
                nt[k] = qTo[(qHead + k) & (cap - 1)];
                nd[k] = qData[(qHead + k) & (cap - 1)];
            }
            qTo = nt;
            qData = nd;
            qHead = 0;
        }
        int i = (qHead + qSize) & (qTo.length - 1);
        qTo[i] = to;
        qData[i] = p;
        qSize++;
    }

    /** True when every engine is OPERATIONAL in a ring of all n. */
    public boolean formed() {
        for (int i = 1; i <= n; i++) {
            if (engines[i].state() != TotemState.OPERATIONAL || engines[i].members().size() != n
                || !engines[i].ringId().equals(engines[1].ringId())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Hands over packets (and fires due timers when none is in flight) until {@code done} holds or
     * {@code maxSteps} packets/timers were handled. Returns whether {@code done} holds.
     */
    public boolean pumpUntil(BooleanSupplier done, long maxSteps) {
        for (long s = 0; s < maxSteps; s++) {
            if (done.getAsBoolean()) {
                return true;
            }
            if (qSize > 0) {
                int to = qTo[qHead];
                byte[] p = qData[qHead];
                qData[qHead] = null;
                qHead = (qHead + 1) & (qTo.length - 1);
                qSize--;
                packets++;
                if (tap != null) {
                    tap.accept(p, to);
                }
                engines[to].onPacket(p);
            } else if (!fireNextTimer()) {
                return done.getAsBoolean();
            }
        }
        return done.getAsBoolean();
    }

    private boolean fireNextTimer() {
        int bestNode = -1;
        int bestKind = -1;
        long best = Long.MAX_VALUE;
        for (int i = 1; i <= n; i++) {
            for (int k = 0; k < deadline[i].length; k++) {
                if (deadline[i][k] >= 0 && deadline[i][k] < best) {
                    best = deadline[i][k];
                    bestNode = i;
                    bestKind = k;
                }
            }
        }
        if (bestNode < 0) {
            return false;
        }
        now = best;
        deadline[bestNode][bestKind] = -1;
        engines[bestNode].onTimer(TimerKind.values()[bestKind]);
        return true;
    }

    /** Shows every packet as it is handed over ({@code packet}, receiving node id); null removes the tap. */
    public void tap(java.util.function.ObjIntConsumer<byte[]> t) {
        this.tap = t;
    }

    public TotemSrp engine(int id) {
        return engines[id];
    }

    /** Messages delivered so far by node {@code id}. */
    public long delivered(int id) {
        return delivered[id];
    }

    public long deliveredBytes(int id) {
        return deliveredBytes[id];
    }

    /** Packets handed over so far. */
    public long packets() {
        return packets;
    }

    /** Virtual milliseconds (advanced only by timers). */
    public long now() {
        return now;
    }

    /**
     * Submits {@code count} messages of {@code payload} from node {@code from} (the same array each time, which is
     * fine since the engine never modifies it), pumping whenever the send queue is full, then pumps until every
     * node delivered them. Returns false if that did not happen within a generous step budget.
     */
    public boolean sendAndDeliver(int from, byte[] payload, int count, Guarantee g) {
        long[] target = new long[n + 1];
        for (int i = 1; i <= n; i++) {
            target[i] = delivered[i] + count;
        }
        for (int k = 0; k < count; ) {
            if (engines[from].submit(payload, g)) {
                k++;
            } else if (!pumpUntil(() -> engines[from].queuedMessages() < 1000, 10_000_000)) {
                return false;
            }
        }
        return pumpUntil(() -> allReached(target), 100_000_000);
    }

    private boolean allReached(long[] target) {
        for (int i = 1; i <= n; i++) {
            if (delivered[i] < target[i]) {
                return false;
            }
        }
        return true;
    }

    /** A quick throughput check: {@code java -cp kernel.jar ...DirectRing [nodes] [size] [messages]}. */
    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 2_000_000;
        DirectRing ring = new DirectRing(nodes, TotemConfig.parse(nodes, "token: 3000",
            "token_retransmits_before_loss_const: 10", "join: 60", "consensus: 3600", "max_messages: 20"));
        byte[] payload = new byte[size];
        for (int round = 0; round < 3; round++) {
            long p0 = ring.packets();
            long t0 = System.nanoTime();
            if (!ring.sendAndDeliver(1, payload, count, Guarantee.AGREED)) {
                throw new IllegalStateException("not delivered");
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%d nodes, %d-byte messages: %d delivered on each node in %.2f s = %.0f msgs/s "
                + "(%.1f packets per message)%n", nodes, size, count, s, count / s, (ring.packets() - p0) / (double) count);
        }
    }
}
