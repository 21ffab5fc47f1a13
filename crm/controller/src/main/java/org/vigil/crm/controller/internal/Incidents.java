package org.vigil.crm.controller.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.vigil.crm.api.controller.TimelineEvent;

/**
 * A timeline cut into incidents: bursts of steps with less than {@link #QUIET_MS} between consecutive ones (a token
 * loss, the membership and quorum that follow, the DC's decision, the transition and its actions), each printed with
 * the milliseconds since the incident began.
 */
final class Incidents {

    /** Quiet time that separates two incidents. */
    static final long QUIET_MS = 5_000;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'")
        .withZone(ZoneOffset.UTC);

    private Incidents() {
    }

    /** The events grouped into incidents, oldest first; each incident's events in time order. */
    static List<List<TimelineEvent>> split(List<TimelineEvent> events) {
        List<TimelineEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(TimelineEvent::epochMillis));
        List<List<TimelineEvent>> out = new ArrayList<>();
        List<TimelineEvent> current = null;
        long last = Long.MIN_VALUE;
        for (TimelineEvent e : sorted) {
            if (current == null || e.epochMillis() - last >= QUIET_MS) {
                current = new ArrayList<>();
                out.add(current);
            }
            current.add(e);
            last = e.epochMillis();
        }
        return out;
    }

    /** The last {@code count} incidents (all if count &lt;= 0) as text, numbered from the first one kept. */
    static String format(List<TimelineEvent> events, int count, String source) {
        List<List<TimelineEvent>> all = split(events);
        int from = count <= 0 ? 0 : Math.max(0, all.size() - count);
        StringBuilder b = new StringBuilder();
        for (int i = from; i < all.size(); i++) {
            List<TimelineEvent> inc = all.get(i);
            long start = inc.get(0).epochMillis();
            long span = inc.get(inc.size() - 1).epochMillis() - start;
            b.append("Incident ").append(i + 1).append(" of ").append(all.size()).append(": ")
                .append(TIME.format(Instant.ofEpochMilli(start))).append(", ").append(span).append(" ms, ")
                .append(inc.size()).append(" steps (").append(source).append(")\n");
            for (TimelineEvent e : inc) {
                b.append(String.format("  %+8d ms  %-10s  %s%n", e.epochMillis() - start, e.kind(), e.text()));
            }
        }
        if (all.isEmpty()) {
            b.append("No steps recorded (").append(source).append(")\n");
        }
        return b.toString();
    }
}
