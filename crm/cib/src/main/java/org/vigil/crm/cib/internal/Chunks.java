package org.vigil.crm.cib.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.cib.internal.engine.CibEngine;

/**
 * Splits CIB messages larger than one ring message into chunks and puts them together again. A chunk is
 * {@code 'C'}, the sender's message number (8 bytes), the chunk's index and the count (4 bytes each), then the
 * bytes; a message that fits is sent whole, behind {@code 'W'}. Since one sender's messages arrive in the order
 * it sent them, a message is delivered where its last chunk is, at the same point of the agreed order for every
 * member. Partial messages of a member that left are dropped. A chunk that does not fit what came before it is
 * dropped, and so is its message.
 *
 * <p>Not thread-safe: the CIB's thread owns it.
 */
final class Chunks {

    /** The largest part sent in one ring message (the ring's own limit is 1 MiB). */
    static final int CHUNK = 512 * 1024;
    /** The largest message put together again (a CIB of 256 MiB, deflated, is far smaller). */
    static final long MAX_MESSAGE = 256L << 20;

    private record Key(CibEngine.Member sender, long id) {
    }

    private static final class Partial {
        final int count;
        int next;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Partial(int count) {
            this.count = count;
        }
    }

    private final Map<Key, Partial> partial = new HashMap<>();
    private long nextId;

    /** The ring messages that carry {@code message}. */
    List<byte[]> split(byte[] message) {
        if (message.length + 1 <= CHUNK) {
            byte[] w = new byte[message.length + 1];
            w[0] = 'W';
            System.arraycopy(message, 0, w, 1, message.length);
            return List.of(w);
        }
        long id = ++nextId;
        int count = (message.length + CHUNK - 1) / CHUNK;
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int off = i * CHUNK;
            int len = Math.min(CHUNK, message.length - off);
            ByteBuffer b = ByteBuffer.allocate(17 + len);
            b.put((byte) 'C').putLong(id).putInt(i).putInt(count).put(message, off, len);
            out.add(b.array());
        }
        return out;
    }

    /** The whole message once its last part arrived, else null (also for anything malformed). */
    byte[] accept(CibEngine.Member sender, byte[] part) {
        if (part.length < 1) {
            return null;
        }
        if (part[0] == 'W') {
            byte[] w = new byte[part.length - 1];
            System.arraycopy(part, 1, w, 0, w.length);
            return w;
        }
        if (part[0] != 'C' || part.length < 17) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(part);
        b.get();
        long id = b.getLong();
        int index = b.getInt();
        int count = b.getInt();
        Key key = new Key(sender, id);
        if (count < 1 || (long) count * CHUNK > MAX_MESSAGE + CHUNK) {
            partial.remove(key);
            return null;
        }
        Partial p = partial.get(key);
        if (index == 0) {
            p = new Partial(count);
            partial.put(key, p);
        }
        if (p == null || p.count != count || p.next != index) {
            partial.remove(key);
            return null;
        }
        p.bytes.write(part, 17, part.length - 17);
        p.next++;
        if (p.next < count) {
            return null;
        }
        partial.remove(key);
        return p.bytes.toByteArray();
    }

    /** Forgets the partial messages of senders no longer among {@code members}. */
    void retain(List<CibEngine.Member> members) {
        partial.keySet().removeIf(k -> !members.contains(k.sender()));
    }
}
