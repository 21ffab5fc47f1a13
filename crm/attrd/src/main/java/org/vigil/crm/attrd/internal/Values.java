package org.vigil.crm.attrd.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Attribute value arithmetic and time spans as Pacemaker reads them. Stateless.
 */
public final class Values {

    /** Pacemaker's {@code CRM_SCORE_INFINITY}. */
    public static final int INFINITY = 1_000_000;

    private static final Pattern SPAN = Pattern.compile("\\s*([0-9]+)\\s*([a-zA-Z]*)\\s*");
    private static final Pattern ISO = Pattern.compile(
        "P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?T?(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?");
    private static final Pattern WEEKS = Pattern.compile("P([0-9]+)W");

    private Values() {
    }

    /**
     * True if {@code value} is {@code value++} or {@code value+=N}: the literal word {@code value} then {@code ++}
     * or {@code +=} (Pacemaker's {@code attrd_value_needs_expansion()}).
     */
    public static boolean needsExpansion(String value) {
        return value != null && value.length() >= 7 && value.startsWith("value") && value.charAt(5) == '+'
            && (value.charAt(6) == '+' || value.charAt(6) == '=');
    }

    /**
     * {@code value++} / {@code value+=N} applied to {@code current} (unset: 0), capped at {@link #INFINITY}, as
     * Pacemaker's {@code attrd_expand_value()}; any other value unchanged.
     */
    public static String expand(String value, String current) {
        if (!needsExpansion(value)) {
            return value;
        }
        long base = score(current);
        long offset = value.charAt(6) == '+' ? 1 : score(value.substring(7));
        return Long.toString(Math.min(INFINITY, base + offset));
    }

    /**
     * Pacemaker's {@code char2score()}: null is 0, {@code [+-]INFINITY} (any case) is ±1000000, {@code red} is
     * -INFINITY and {@code yellow}/{@code green} 0 (the node-health defaults), else the leading integer (0 if none),
     * capped at ±INFINITY.
     */
    public static long score(String s) {
        if (s == null) {
            return 0;
        }
        String t = s.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "infinity", "+infinity":
                return INFINITY;
            case "-infinity", "red":
                return -INFINITY;
            case "yellow", "green":
                return 0;
            default:
                break;
        }
        int end = 0;
        if (end < t.length() && (t.charAt(end) == '-' || t.charAt(end) == '+')) {
            end++;
        }
        int digits = end;
        while (end < t.length() && Character.isDigit(t.charAt(end))) {
            end++;
        }
        if (end == digits) {
            return 0;
        }
        try {
            return Math.max(-INFINITY, Math.min(INFINITY, Long.parseLong(t.substring(0, end))));
        } catch (NumberFormatException e) {   // beyond a long: beyond INFINITY
            return t.charAt(0) == '-' ? -INFINITY : INFINITY;
        }
    }

    /**
     * A delay as Pacemaker's {@code crm_get_msec()} reads it: a number with an optional unit ({@code ms}/{@code msec},
     * {@code s}/{@code sec} (the default), {@code m}/{@code min}, {@code h}/{@code hr}, {@code us}/{@code usec}).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Duration delay(String text) {
        Matcher m = SPAN.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a time span (e.g. 5, 5s, 500ms, 1min)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a time span");
        }
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "s", "sec" -> Duration.ofSeconds(n);
            case "ms", "msec" -> Duration.ofMillis(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h", "hr" -> Duration.ofHours(n);
            case "us", "usec" -> Duration.ofNanos(n * 1000);
            default -> throw new IllegalArgumentException("'" + text + "': unknown time unit '" + m.group(2) + "'");
        };
    }

    /**
     * An operation interval in milliseconds as {@code crm_failcount}'s {@code parse_interval} reads it (the same
     * units as {@link #delay}, or ISO 8601 {@code P...}); null when it is none of those.
     */
    public static Long intervalMs(String text) {
        String t = text.strip();
        Matcher w = WEEKS.matcher(t);
        if (w.matches()) {
            return Long.parseLong(w.group(1)) * 604_800_000L;
        }
        Matcher iso = ISO.matcher(t);
        if (t.startsWith("P") && iso.matches()) {
            long[] unit = {31_536_000_000L, 2_592_000_000L, 86_400_000L, 3_600_000L, 60_000L, 1000L};
            long ms = 0;
            for (int i = 0; i < unit.length; i++) {
                String g = iso.group(i + 1);
                ms += g == null ? 0 : Long.parseLong(g) * unit[i];
            }
            return ms;
        }
        try {
            return delay(t).toMillis();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
