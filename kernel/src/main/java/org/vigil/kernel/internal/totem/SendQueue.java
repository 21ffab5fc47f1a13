package org.vigil.kernel.internal.totem;

/**
 * Application messages waiting for this node's token visits, and the packing of them into MCAST packets
 * (corosync's totempg layer, Vigil's own format): a packet carries as many whole messages as fit; a message
 * larger than a packet is cut into fragments, the first one possibly sharing a packet with small messages.
 *
 * <p>A circular array of payload references: queuing a message allocates nothing. Not thread-safe.
 */
final class SendQueue {

    /** Queue limit in payload bytes (a message is always accepted into an empty queue). */
    static final long MAX_BYTES = 4L << 20;
    /** Queue limit in messages. */
    static final int MAX_COUNT = 1 << 16;
    /** A message that does not fit whole is started in a partly used packet only if this much room is left. */
    static final int MIN_FRAGMENT = 64;

    private final int maxPacket;
    private byte[][] data = new byte[64][];
    private boolean[] safe = new boolean[64];
    private int head;
    private int size;
    private long bytes;
    /** Bytes of the head message already sent as fragments, and the index of its next fragment. */
    private int headSent;
    private int headFrag;
    /** Tag of the head message's fragments, and the next tag to use. */
    private int headTag;
    private int nextTag;
    /** Whether the last built packet has a SAFE chunk. */
    private boolean lastSafe;
    /** The plan of the packet being built: bytes taken per chunk, and whether the chunk is a whole message. */
    private final int[] planTake;
    private final boolean[] planWhole;

    /** @param maxPacket largest regular MCAST packet to build */
    SendQueue(int maxPacket) {
        this.maxPacket = maxPacket;
        int maxChunks = maxPacket / TotemCodec.WHOLE_HEADER + 1;
        planTake = new int[maxChunks];
        planWhole = new boolean[maxChunks];
    }

    boolean offer(byte[] payload, boolean isSafe) {
        if (size > 0 && (bytes + payload.length > MAX_BYTES || size >= MAX_COUNT)) {
            return false;
        }
        if (size == data.length) {
            grow();
        }
        int i = (head + size) & (data.length - 1);
        data[i] = payload;
        safe[i] = isSafe;
        size++;
        bytes += payload.length;
        return true;
    }

    private void grow() {
        int cap = data.length;
        byte[][] nd = new byte[cap * 2][];
        boolean[] ns = new boolean[cap * 2];
        for (int k = 0; k < size; k++) {
            nd[k] = data[(head + k) & (cap - 1)];
            ns[k] = safe[(head + k) & (cap - 1)];
        }
        data = nd;
        safe = ns;
        head = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Estimated packets needed for what is queued (the backlog reported on the token). */
    int backlogPackets() {
        if (size == 0) {
            return 0;
        }
        long budget = maxPacket - TotemCodec.MCAST_HEADER - TotemCodec.CHUNK_COUNT;
        long need = bytes - headSent + (long) size * TotemCodec.WHOLE_HEADER;
        return (int) Math.min(1 << 20, (need + budget - 1) / budget);
    }

    /**
     * Forgets how much of the head message was sent: after a configuration change its earlier fragments belong to
     * the old ring and are thrown away by the receivers, so the message is sent again from its start.
     */
    void restartHead() {
        headSent = 0;
        headFrag = 0;
    }

    boolean lastSafe() {
        return lastSafe;
    }

    /**
     * Takes the next packet's worth of messages off the queue and encodes it as a regular MCAST of ring
     * {@code (rep, ringSeq)} with sequence number {@code seq}. The queue must not be empty.
     */
    byte[] build(int origin, int rep, long ringSeq, long seq) {
        int budget = maxPacket - TotemCodec.MCAST_HEADER - TotemCodec.CHUNK_COUNT;
        int total = 0;
        int chunks = 0;
        int mask = data.length - 1;
        // Plan: whole messages while they fit; then possibly the start (or the rest) of a fragmented one.
        for (int k = 0; k < size && chunks < planTake.length && chunks < TotemCodec.MAX_CHUNKS; k++) {
            int remaining = data[(head + k) & mask].length - (k == 0 ? headSent : 0);
            boolean continuing = k == 0 && headSent > 0;
            int header = continuing ? TotemCodec.FRAG_HEADER : TotemCodec.WHOLE_HEADER;
            if (remaining <= budget - total - header) {
                total += header + remaining;
                planTake[chunks] = remaining;
                planWhole[chunks++] = !continuing;
                continue;
            }
            int room = budget - total - TotemCodec.FRAG_HEADER;
            // Too big for the room left: cut it here only if it needs cutting anyway.
            if (room > 0 && (chunks == 0
                || (remaining > budget - TotemCodec.WHOLE_HEADER && room >= MIN_FRAGMENT))) {
                total += TotemCodec.FRAG_HEADER + room;
                planTake[chunks] = room;
                planWhole[chunks++] = false;
            }
            break;
        }
        byte[] p = new byte[TotemCodec.MCAST_HEADER + TotemCodec.CHUNK_COUNT + total];
        int q = TotemCodec.writeMcastHeader(p, 0, origin, rep, ringSeq, seq, Msg.KIND_REGULAR);
        TotemCodec.putU16(p, q, chunks);
        q += TotemCodec.CHUNK_COUNT;
        boolean anySafe = false;
        for (int c = 0; c < chunks; c++) {
            byte[] d = data[head];
            boolean s = safe[head];
            int take = planTake[c];
            int safeFlag = s ? TotemCodec.F_SAFE : 0;
            anySafe |= s;
            if (planWhole[c]) {
                q = TotemCodec.writeWholeHeader(p, q, TotemCodec.F_FIRST | TotemCodec.F_LAST | safeFlag, take);
            } else {
                boolean first = headSent == 0;
                if (first) {
                    headTag = nextTag;
                    nextTag = (nextTag + 1) & 0xFFFF;
                }
                boolean last = take == d.length - headSent;
                int flags = (first ? TotemCodec.F_FIRST : 0) | (last ? TotemCodec.F_LAST : 0) | safeFlag;
                q = TotemCodec.writeFragHeader(p, q, flags, headTag, first ? 0 : headFrag, take);
            }
            System.arraycopy(d, headSent, p, q, take);
            q += take;
            if (headSent + take == d.length) {
                data[head] = null;
                head = (head + 1) & mask;
                size--;
                bytes -= d.length;
                headSent = 0;
                headFrag = 0;
            } else {
                headSent += take;
                headFrag++;
            }
        }
        lastSafe = anySafe;
        return p;
    }
}
