package org.vigil.crm.internal.simulate;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The fixed time and zone the tests schedule at when a CIB has no {@code execution-date} (the scheduler never reads
 * the clock; crm_simulate would use the current time, and the corpus' expectations hold for any recent date).
 */
public final class TestClock {

    /** 2026-06-01T00:00:00Z. */
    public static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    /** UTC: the zone the corpus' expectations were recorded in. */
    public static final ZoneId ZONE = ZoneOffset.UTC;

    private TestClock() {
    }

    /** Simulation options at the test clock. */
    public static Simulation.Options options(boolean simulate, boolean showScores, boolean showStatus) {
        return new Simulation.Options(simulate, showScores, showStatus, NOW, ZONE);
    }
}
