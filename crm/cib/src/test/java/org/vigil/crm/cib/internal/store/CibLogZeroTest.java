package org.vigil.crm.cib.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CibLog#zero}: the log's preallocation and tail wipe, written a slice at a time. */
class CibLogZeroTest {

    @TempDir
    Path dir;

    @Test
    void zerosExactlyTheRangeAcrossManySlices() throws Exception {
        Path f = dir.resolve("f");
        int size = 3 * CibLog.ZERO_SLICE + 777;
        byte[] ones = new byte[size];
        Arrays.fill(ones, (byte) 1);
        Files.write(f, ones);
        long from = 100;
        long len = 2L * CibLog.ZERO_SLICE + 5;   // more than one slice, not a multiple of it
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            CibLog.zero(ch, from, len);
        }
        byte[] after = Files.readAllBytes(f);
        assertEquals(size, after.length, "the file does not grow");
        for (int i = 0; i < size; i++) {
            byte expected = i >= from && i < from + len ? (byte) 0 : (byte) 1;
            assertEquals(expected, after[i], "byte " + i);
        }
    }

    @Test
    void growsAFileByAWholeChunk() throws Exception {
        Path f = dir.resolve("g");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), 0);
            CibLog.zero(ch, 3, CibLog.CHUNK);
            assertEquals(3L + CibLog.CHUNK, ch.size());
        }
    }
}
