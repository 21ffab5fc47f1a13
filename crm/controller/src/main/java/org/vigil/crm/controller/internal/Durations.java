package org.vigil.crm.controller.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Pacemaker's time values of cluster options. */
final class Durations {

    private Durations() {
    }

    /**
     * Milliseconds of a time value, -1 when it cannot be read: a number with an optional unit (ms, us, s, m/min,
     * h/hr; seconds without one), as {@code crm_get_msec()} (lib/common/strings.c) reads it, or an ISO 8601 duration
     * ({@code PT15M}), as {@code crm_parse_interval_spec()} (lib/common/utils.c) also accepts.
     */
    static long parseMs(String input) {
        if (input == null) {
            return -1;
        }
        String s = input.strip();
        if (s.startsWith("P")) {
            try {
                return Duration.parse(s).toMillis();
            } catch (DateTimeParseException | ArithmeticException e) {
                return -1;
            }
        }
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            return -1;
        }
        String number = s.substring(0, i);
        int dot = number.indexOf('.');
        if (dot == 0) {
            return -1;
        }
        long v;
        try {
            v = Long.parseLong(dot < 0 ? number : number.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
        String unit = s.substring(i).strip().toLowerCase(Locale.ROOT);
        long mul;
        long div = 1;
        if (unit.startsWith("ms")) {
            mul = 1;
        } else if (unit.startsWith("us")) {
            mul = 1;
            div = 1000;
        } else if (unit.isEmpty() || unit.startsWith("s")) {
            mul = 1000;
        } else if (unit.startsWith("m")) {
            mul = 60_000;
        } else if (unit.startsWith("h")) {
            mul = 3_600_000;
        } else {
            return -1;
        }
        if (v > Long.MAX_VALUE / mul) {
            return Long.MAX_VALUE;
        }
        return v * mul / div;
    }
}
