package org.vigil.quorum.internal.driver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where {@code expected_votes_tracking} keeps the highest expected votes seen: {@code <state dir>/ev_tracking},
 * a 4-byte unsigned integer (little-endian, as corosync writes it on x86). Written atomically (temporary file,
 * fsync, rename), so a crash leaves the old or the new value, never a torn one.
 */
public interface EvTrackingStore {

    /** The stored value, 0 when there is none or it cannot be read. */
    long load();

    /** Stores a value. */
    void save(long value) throws IOException;

    /** The file store in a state directory. */
    static EvTrackingStore in(Path stateDir) {
        Path file = stateDir.resolve("ev_tracking");
        return new EvTrackingStore() {
            @Override
            public long load() {
                try {
                    byte[] b = Files.readAllBytes(file);
                    if (b.length != 4) {
                        return 0;
                    }
                    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
                } catch (NoSuchFileException e) {
                    return 0;
                } catch (IOException e) {
                    return 0;
                }
            }

            @Override
            public void save(long value) throws IOException {
                Files.createDirectories(stateDir);
                Path tmp = stateDir.resolve("ev_tracking.tmp");
                ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).flip();
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        };
    }
}
