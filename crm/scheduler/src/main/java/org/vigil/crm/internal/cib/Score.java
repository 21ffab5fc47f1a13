package org.vigil.crm.internal.cib;

/**
 * Pacemaker score arithmetic. Scores are ints bounded to [-{@link #INFINITY}, +{@link #INFINITY}]; adding
 * saturates, and -INFINITY wins over +INFINITY ("a ban beats a preference"):
 * <pre>
 *   -INF + x    = -INF      (for every x, including +INF)
 *   +INF + x    = +INF      (for every x > -INF)
 *   a + b       = clamp(a + b) to [-INF, +INF] otherwise
 * </pre>
 * Pure functions; thread-safe.
 *
 * <p>Follows lib/common/scores.c ({@code char2score()}, {@code pcmk__add_scores()}).
 */
public final class Score {

    /** Pacemaker's INFINITY. */
    public static final int INFINITY = 1_000_000;

    /** Follows {@code pcmk_readable_score()} in lib/common/scores.c. */
    private Score() {
    }

    /** Saturating addition with Pacemaker's infinity rules. */
    public static int add(int a, int b) {
        if (a <= -INFINITY || b <= -INFINITY) {
            return -INFINITY;
        }
        if (a >= INFINITY || b >= INFINITY) {
            return INFINITY;
        }
        int r = a + b; // |a|,|b| < 10^6: no overflow
        if (r >= INFINITY) {
            return INFINITY;
        }
        if (r <= -INFINITY) {
            return -INFINITY;
        }
        return r;
    }

    /** Whether a string is a valid score for the schema: an integer, or [+|-]INFINITY, or red/yellow/green. */
    public static boolean isValid(String s) {
        if (s == null) {
            return false;
        }
        if (s.equals("INFINITY") || s.equals("+INFINITY") || s.equals("-INFINITY")) {
            return true;
        }
        if (s.equalsIgnoreCase("red") || s.equalsIgnoreCase("yellow") || s.equalsIgnoreCase("green")) {
            return true;
        }
        String t = s.trim();
        int i = 0;
        if (t.isEmpty()) {
            return false;
        }
        if (t.charAt(0) == '+' || t.charAt(0) == '-') {
            i = 1;
        }
        if (i >= t.length()) {
            return false;
        }
        for (; i < t.length(); i++) {
            if (!Character.isDigit(t.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a score the way Pacemaker's {@code char2score()} does: {@code INFINITY}, {@code +INFINITY},
     * {@code -INFINITY}, the health colours (0 unless a node-health strategy maps them), else the leading integer
     * (0 when there is none), clamped to +/-INFINITY. {@code null} is 0.
     *
     * @param red    the value of "red"
     * @param yellow the value of "yellow"
     * @param green  the value of "green"
     */
    public static int parse(String s, int red, int yellow, int green) {
        if (s == null) {
            return 0;
        }
        if (s.equals("-INFINITY")) {
            return -INFINITY;
        }
        if (s.equals("INFINITY") || s.equals("+INFINITY")) {
            return INFINITY;
        }
        if (s.equalsIgnoreCase("red")) {
            return red;
        }
        if (s.equalsIgnoreCase("yellow")) {
            return yellow;
        }
        if (s.equalsIgnoreCase("green")) {
            return green;
        }
        long v = parseLeadingLong(s, 0);
        if (v > INFINITY) {
            return INFINITY;
        }
        if (v < -INFINITY) {
            return -INFINITY;
        }
        return (int) v;
    }

    /** {@link #parse(String, int, int, int)} with all health colours 0. */
    public static int parse(String s) {
        return parse(s, 0, 0, 0);
    }

    /**
     * Like C's {@code strtoll(s, &end, 10)} with a default when no digits are found: skips leading white space,
     * reads an optional sign and the decimal digits, saturating at the long range.
     */
    public static long parseLeadingLong(String s, long dflt) {
        if (s == null) {
            return dflt;
        }
        int i = 0;
        int n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        int start = i;
        long v = 0;
        boolean overflow = false;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            int d = s.charAt(i) - '0';
            if (!overflow) {
                if (v > (Long.MAX_VALUE - d) / 10) {
                    overflow = true;
                } else {
                    v = v * 10 + d;
                }
            }
            i++;
        }
        if (i == start) {
            return dflt;
        }
        if (overflow) {
            return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return neg ? -v : v;
    }

    /** The score as Pacemaker prints it: INFINITY, -INFINITY or the number. */
    public static String toString(int score) {
        if (score >= INFINITY) {
            return "INFINITY";
        }
        if (score <= -INFINITY) {
            return "-INFINITY";
        }
        return Integer.toString(score);
    }
}
