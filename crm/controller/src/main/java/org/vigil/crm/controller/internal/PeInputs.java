package org.vigil.crm.controller.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executor;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.cib.CibSnapshot;

/**
 * The scheduler's inputs kept on disk, as Pacemaker's scheduler keeps them ({@code pcmk__log_transition_summary()},
 * {@code pcmk__series_filename()}, {@code pcmk__read_series_sequence()}/{@code pcmk__write_series_sequence()}):
 * {@code DIR/pe-input-N.bz2}, the whole CIB the DC scheduled from (with {@code dc-uuid} and {@code have-quorum}),
 * bzip2-compressed, so an admin replays a decision with {@code crm_simulate -Sx DIR/pe-input-N.bz2}. The series
 * number is kept in {@code DIR/pe-input.last}; it wraps at {@code pe-input-series-max} (default 4000; 0 keeps none,
 * a negative value keeps all), overwriting the oldest files. Files are written off the controller's thread (the
 * snapshot is immutable), each atomically (temporary file, rename).
 */
final class PeInputs {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.CRMD");
    static final long DEFAULT_SERIES_MAX = 4000;

    private final Path dir;
    private final Executor writer;
    private long sequence = -1;

    /**
     * @param dir    where the files go (created when needed)
     * @param writer runs the writes, one at a time
     */
    PeInputs(Path dir, Executor writer) {
        this.dir = dir;
        this.writer = writer;
    }

    /**
     * Saves {@code input} as the next file of the series; returns its path, or null when none is kept
     * ({@code seriesMax} 0). Controller thread.
     */
    Path save(CibSnapshot input, long seriesMax) {
        if (seriesMax == 0) {
            return null;
        }
        if (sequence < 0) {
            sequence = readLast();
        }
        long n = sequence;
        if (seriesMax > 0 && n >= seriesMax) {
            n = 0;   // wraps: the oldest files are written over
        }
        sequence = n + 1;
        Path file = dir.resolve("pe-input-" + n + ".bz2");
        long next = sequence;
        writer.execute(() -> write(file, input, next));
        return file;
    }

    /** The series number to use next, from {@code pe-input.last} (0 without one). */
    private long readLast() {
        try {
            String s = Files.readString(dir.resolve("pe-input.last"), StandardCharsets.US_ASCII).strip();
            return Math.max(0, Long.parseLong(s));
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void write(Path file, CibSnapshot input, long next) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            byte[] xml = input.root().toXml().getBytes(StandardCharsets.UTF_8);
            // the block size follows the input (100 kB steps, at most 900 kB): bzip2's buffers for its largest
            // block take about 7 MB, many times a small CIB, on a node with a small heap
            int block = (int) Math.min(9, Math.max(1, xml.length / 100_000 + 1));
            try (OutputStream out = new BZip2CompressorOutputStream(Files.newOutputStream(tmp), block)) {
                out.write(xml);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Path lastTmp = dir.resolve("pe-input.last.tmp");
            Files.writeString(lastTmp, next + "\n", StandardCharsets.US_ASCII);
            Files.move(lastTmp, dir.resolve("pe-input.last"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.warn("saving the scheduler input {} failed: {}", file, e.toString());
        }
    }

    /** The cluster option {@code pe-input-series-max} (default 4000; an invalid value counts as the default). */
    static long seriesMax(CibSnapshot cib) {
        String v = ControllerCore.clusterOption(cib, "pe-input-series-max");
        if (v == null) {
            return DEFAULT_SERIES_MAX;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return DEFAULT_SERIES_MAX;
        }
    }
}
