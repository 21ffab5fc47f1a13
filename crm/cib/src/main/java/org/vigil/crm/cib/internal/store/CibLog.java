package org.vigil.crm.cib.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The CIB's write-ahead log ({@code cib.log}): the configuration changes made since the last snapshot
 * ({@code cib.xml}), one record each, so that a change is durable after one small append and one
 * {@code fdatasync}, where rewriting {@code cib.xml} atomically costs a file creation, two renames and several
 * journal commits. The file is preallocated (zero-filled and synced once), so an append changes no file system
 * metadata.
 *
 * <p>Record: magic {@code VCL1} (4 bytes), payload length (4), CRC-32C of the payload (4), payload. Reading stops
 * at the first record that is not whole and intact: a record torn by a crash was never acknowledged.
 *
 * <p>Not thread-safe: the store's writer owns it.
 */
final class CibLog implements AutoCloseable {

    static final int MAGIC = 0x56434C31;
    static final int HEADER = 12;
    /** Preallocated in chunks of this size. */
    static final int CHUNK = 4 << 20;
    /** The largest record accepted when reading (a damaged length is not believed). */
    static final int MAX_RECORD = 256 << 20;

    private final Path file;
    private FileChannel ch;
    private long pos;
    private long size;
    private int records;

    private CibLog(Path file, FileChannel ch, long pos, long size, int records) {
        this.file = file;
        this.ch = ch;
        this.pos = pos;
        this.size = size;
        this.records = records;
    }

    /** The intact records of a log file, in order, and where they end. */
    record Contents(List<byte[]> records, long end, boolean torn) {
    }

    /** Reads the records of {@code file} (empty if it does not exist). */
    static Contents read(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Contents(out, 0, false);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer head = ByteBuffer.allocate(HEADER);
            while (pos + HEADER <= size) {
                head.clear();
                readFully(ch, head, pos);
                head.flip();
                int magic = head.getInt();
                int len = head.getInt();
                int crc = head.getInt();
                if (magic != MAGIC) {
                    // zero-filled space after the last record, or the end of what was written
                    return new Contents(out, pos, magic != 0 || len != 0 || crc != 0);
                }
                if (len < 0 || len > MAX_RECORD || pos + HEADER + len > size) {
                    return new Contents(out, pos, true);
                }
                ByteBuffer body = ByteBuffer.allocate(len);
                readFully(ch, body, pos + HEADER);
                CRC32C c = new CRC32C();
                c.update(body.array(), 0, len);
                if ((int) c.getValue() != crc) {
                    return new Contents(out, pos, true);
                }
                out.add(body.array());
                pos += HEADER + len;
            }
            return new Contents(out, pos, false);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, at + b.position());
            if (n < 0) {
                throw new IOException("unexpected end of " + at);
            }
        }
    }

    /**
     * Opens {@code file} for appending after its intact records ending at {@code end} (what follows, a torn record,
     * is zeroed), creating it preallocated if it does not exist.
     */
    static CibLog open(Path file, long end, int records) throws IOException {
        if (!Files.exists(file)) {
            return create(file);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = ch.size();
        // wipe a torn tail, so that no stale bytes follow the next record
        long wipe = Math.min(size - end, CHUNK);
        if (wipe > 0) {
            zero(ch, end, wipe);
            ch.force(false);
        }
        return new CibLog(file, ch, end, size, records);
    }

    /** A new, empty, preallocated log (written beside and renamed into place, so it appears whole). */
    static CibLog create(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel t = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
            zero(t, 0, CHUNK);
            t.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        CibStore.fsyncDir(file.getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new CibLog(file, ch, 0, CHUNK, 0);
    }

    /** Zeros written at a time: a heap buffer written to a channel goes through a temporary direct buffer of its size,
     * which the JDK keeps for the writing thread (one 4 MiB write left 4 MiB of native memory resident for good). */
    static final int ZERO_SLICE = 64 << 10;

    /** Writes {@code len} zero bytes at {@code from}, a slice at a time, all of them (a positional write may be short). */
    static void zero(FileChannel ch, long from, long len) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(len, ZERO_SLICE));
        long at = from;
        long end = from + len;
        while (at < end) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), end - at));
            while (zeros.hasRemaining()) {
                at += ch.write(zeros, at);
            }
        }
    }

    /** Appends a record and makes it durable (one {@code fdatasync}, unless the file had to grow). */
    void append(String payload) throws IOException {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        CRC32C c = new CRC32C();
        c.update(body);
        ByteBuffer rec = ByteBuffer.allocate(HEADER + body.length);
        rec.putInt(MAGIC).putInt(body.length).putInt((int) c.getValue()).put(body).flip();
        boolean grew = false;
        while (pos + rec.remaining() + HEADER > size) {
            // grow by zero-filled chunks (keeping a zero header after the last record)
            zero(ch, size, CHUNK);
            size += CHUNK;
            grew = true;
        }
        while (rec.hasRemaining()) {
            pos += ch.write(rec, pos);
        }
        // a grown file changed metadata: sync it all; else the data is enough
        ch.force(grew);
        records++;
    }

    int records() {
        return records;
    }

    long bytes() {
        return pos;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
