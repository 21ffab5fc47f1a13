package org.vigil.crm.internal.simulate;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Reads a bzip2 file (a saved scheduler input, {@code pe-input-N.bz2}). A class of its own: the compression
 * library's classes are loaded only when such a file is read, so the simulator also runs from a class path without
 * them.
 */
public final class Bunzip2 {

    private Bunzip2() {
    }

    /** The decompressed content of {@code raw} (concatenated streams too, as bzip2 writes them). */
    public static InputStream open(InputStream raw) throws IOException {
        return new BZip2CompressorInputStream(new BufferedInputStream(raw, 1 << 16), true);
    }
}
