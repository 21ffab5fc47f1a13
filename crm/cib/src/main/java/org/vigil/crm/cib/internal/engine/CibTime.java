package org.vigil.crm.cib.internal.engine;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Times as the CIB writes them: {@code cib-last-written} in C's {@code ctime()} form, {@code Wed Dec  7 10:00:00 2022}. */
public final class CibTime {

    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy",
        Locale.ROOT);

    private CibTime() {
    }

    /** {@code ctime()} of a time in epoch milliseconds, in the node's time zone. */
    public static String ctime(long epochMillis) {
        return CTIME.format(Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault()));
    }
}
