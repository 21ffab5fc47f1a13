package org.vigil.kernel.internal.totem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A {@link RingSeqStore} in a file of 8 bytes (big-endian u64), {@code <state_dir>/ringid_<nodeid>} like
 * corosync's. Each store writes a temporary file, forces it to disk and renames it over the old one, so a crash
 * leaves either the old or the new value. A missing or short file reads as 0.
 *
 * <p>Not thread-safe (the engine calls it from its one thread). I/O errors are thrown as
 * {@link UncheckedIOException}; the driver decides whether a node may run without its state directory.
 */
public final class FileRingSeqStore implements RingSeqStore {

    private final Path file;

    public FileRingSeqStore(Path stateDir, int nodeId) {
        this.file = stateDir.resolve("ringid_" + Integer.toUnsignedString(nodeId));
    }

    public Path file() {
        return file;
    }

    @Override
    public long load() {
        try {
            byte[] b = Files.readAllBytes(file);
            return b.length < 8 ? 0 : ByteBuffer.wrap(b).getLong();
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public void store(long seq) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.allocate(8).putLong(0, seq));
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + tmp + " to " + file, e);
        }
    }
}
