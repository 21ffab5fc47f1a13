package org.vigil.kernel.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Invariant checks shared by the fuzz targets ({@code *FuzzTest} classes, docs/design/fuzzing.md). A failed check
 * throws {@link AssertionError}, which Jazzer reports as a finding and keeps as a regression input.
 */
public final class FuzzChecks {

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    private FuzzChecks() {
    }

    /** Bytes the current thread allocated on the heap so far (a running total: subtract two readings). */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Fails unless handling {@code inputLength} bytes allocated at most {@code fixed + perByte * inputLength}
     * bytes: what a decoder allocates must follow the bytes it was given, never a length or count field inside
     * them (a forged "4 GiB follow" must cost nothing).
     */
    public static void assertAllocationBounded(long allocated, int inputLength, long fixed, long perByte,
        String what) {
        long limit = fixed + perByte * inputLength;
        if (allocated > limit) {
            throw new AssertionError(what + " allocated " + allocated + " bytes for " + inputLength
                + " input bytes (the bound is " + fixed + " + " + perByte + " per input byte = " + limit + ")");
        }
    }
}
