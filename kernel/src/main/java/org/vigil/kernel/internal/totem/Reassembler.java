package org.vigil.kernel.internal.totem;

/**
 * Rebuilds fragmented application messages, one assembly per originating node (messages of one sender are
 * delivered in the order it sent them, so its fragments arrive consecutively in the total order). A fragment that
 * does not continue the current assembly (a fragment lost in a recovery hole, a sender that restarted its message
 * in a new ring) throws the assembly away. Not thread-safe.
 */
final class Reassembler {

    /** Receives whole messages; the bytes are valid during the call only. */
    interface Sink {
        void message(int origin, byte[] b, int off, int len, boolean safe);
    }

    private static final int KEEP_BUFFER = 64 << 10;

    private final NodeSet configured;
    private final Sink sink;
    private final byte[][] buf;
    private final int[] len;
    private final int[] next;
    private final int[] tag;
    private final boolean[] active;
    private final boolean[] safe;
    private long discarded;

    Reassembler(NodeSet configured, Sink sink) {
        this.configured = configured;
        this.sink = sink;
        int n = configured.size();
        buf = new byte[n][];
        len = new int[n];
        next = new int[n];
        tag = new int[n];
        active = new boolean[n];
        safe = new boolean[n];
    }

    /** Fragments and partial assemblies thrown away so far. */
    long discarded() {
        return discarded;
    }

    /** One chunk of a message of {@code origin}; {@code msgTag} and {@code frag} only matter for fragments. */
    void chunk(int origin, int flags, int msgTag, int frag, byte[] b, int off, int clen) {
        int i = configured.indexOf(origin);
        boolean first = (flags & TotemCodec.F_FIRST) != 0;
        boolean last = (flags & TotemCodec.F_LAST) != 0;
        boolean s = (flags & TotemCodec.F_SAFE) != 0;
        if (first && last) {
            drop(i);
            sink.message(origin, b, off, clen, s);
            return;
        }
        if (first) {
            drop(i);
            active[i] = true;
            len[i] = 0;
            next[i] = 1;
            tag[i] = msgTag;
            safe[i] = s;
            append(i, b, off, clen);
            return;
        }
        if (!active[i] || msgTag != tag[i] || frag != next[i] || len[i] + (long) clen > TotemCodec.MAX_MESSAGE) {
            drop(i);
            discarded++;
            return;
        }
        append(i, b, off, clen);
        next[i]++;
        if (last) {
            active[i] = false;
            sink.message(origin, buf[i], 0, len[i], safe[i]);
            if (buf[i].length > KEEP_BUFFER) {
                buf[i] = null;
            }
        }
    }

    private void append(int i, byte[] b, int off, int clen) {
        int need = len[i] + clen;
        if (buf[i] == null || buf[i].length < need) {
            int cap = Math.max(need, buf[i] == null ? 4096 : Math.min(TotemCodec.MAX_MESSAGE, buf[i].length * 2));
            byte[] nb = new byte[cap];
            if (buf[i] != null) {
                System.arraycopy(buf[i], 0, nb, 0, len[i]);
            }
            buf[i] = nb;
        }
        System.arraycopy(b, off, buf[i], len[i], clen);
        len[i] = need;
    }

    private void drop(int i) {
        if (active[i]) {
            active[i] = false;
            discarded++;
        }
    }

    /** Throws every partial message away (at a configuration change). */
    void discardAll() {
        for (int i = 0; i < active.length; i++) {
            drop(i);
        }
    }
}
