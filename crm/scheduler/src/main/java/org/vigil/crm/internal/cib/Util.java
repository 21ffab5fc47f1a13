package org.vigil.crm.internal.cib;

import java.util.Locale;

/**
 * Small parsing helpers with Pacemaker's lenient semantics (booleans, intervals, operation keys).
 *
 * <p>Follows lib/common/operations.c (operation keys, intervals) and lib/common/strings.c.
 */
public final class Util {

    private Util() {
    }

    /** Pacemaker's boolean spelling: true/on/yes/y/1 and false/off/no/n/0, case-insensitive; else null. */
    public static Boolean toBoolean(String s) {
        if (s == null) {
            return null;
        }
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "y", "1":
                return Boolean.TRUE;
            case "false", "off", "no", "n", "0":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /**
     * {@code crm_is_true}: only an explicit true value is true. Follows {@code crm_is_true()} in
     * lib/common/strings.c.
     */
    public static boolean isTrue(String s) {
        return Boolean.TRUE.equals(toBoolean(s));
    }

    /**
     * {@code crm_get_msec}: a number (digits and dots, the integer part used) with an optional unit
     * (ms, us, s, m/min, h/hr; seconds by default); -1 when it cannot be parsed.
     *
     * <p>Follows {@code crm_get_msec()} in lib/common/strings.c.
     */
    public static long parseMsec(String input) {
        if (input == null) {
            return -1;
        }
        int i = 0;
        int n = input.length();
        while (i < n && isSpace(input.charAt(i))) {
            i++;
        }
        int numStart = i;
        while (i < n && (Character.isDigit(input.charAt(i)) || input.charAt(i) == '.')) {
            i++;
        }
        if (i == numStart) {
            return -1;
        }
        int unitsStart = i;
        while (unitsStart < n && isSpace(input.charAt(unitsStart))) {
            unitsStart++;
        }
        String units = input.substring(unitsStart).toLowerCase(Locale.ROOT);
        long multiplier = 1000;
        long divisor = 1;
        if (units.startsWith("ms") || units.startsWith("msec")) {
            multiplier = 1;
        } else if (units.startsWith("us") || units.startsWith("usec")) {
            multiplier = 1;
            divisor = 1000;
        } else if (units.startsWith("s") || units.startsWith("sec")) {
            multiplier = 1000;
        } else if (units.startsWith("m") || units.startsWith("min")) {
            multiplier = 60_000;
        } else if (units.startsWith("h") || units.startsWith("hr")) {
            multiplier = 3_600_000;
        } else if (!units.isEmpty() && units.charAt(0) != '\n' && units.charAt(0) != '\r') {
            return -1;
        }
        long v = Score.parseLeadingLong(input.substring(numStart), -1);
        if (v > Long.MAX_VALUE / multiplier) {
            return Long.MAX_VALUE;
        }
        return v * multiplier / divisor;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /**
     * {@code crm_parse_interval_spec}: milliseconds from "10s", "1m", "P1DT2H"...; 0 when absent or invalid. Follows
     * {@code crm_parse_interval_spec()} in lib/common/utils.c.
     *
     * <p>Follows {@code crm_parse_interval_spec()} in lib/common/utils.c.
     */
    public static long parseInterval(String input) {
        if (input == null) {
            return 0;
        }
        long ms;
        if (!input.isEmpty() && input.charAt(0) == 'P') {
            CrmTime.Duration d = CrmTime.parseDuration(input);
            ms = d == null ? -1 : 1000 * d.legacySeconds();
        } else {
            ms = parseMsec(input);
        }
        if (ms < 0) {
            return 0;
        }
        return Math.min(ms, 0xFFFFFFFFL);
    }

    /** {@code rsc_task_interval}. */
    public static String opKey(String rscId, String task, long intervalMs) {
        return rscId + "_" + task + "_" + intervalMs;
    }

    /**
     * {@code rsc_pre_notify_start_0} style notification key. Follows {@code pcmk__notify_key()} in
     * lib/common/operations.c.
     */
    public static String notifyKey(String rscId, String notifyType, String task) {
        return rscId + "_" + notifyType + "_notify_" + task + "_0";
    }

    private static final java.util.regex.Pattern NOTIFY_MIGRATE = java.util.regex.Pattern.compile(
        "^(.*)_(migrate_(from|to)|(pre|post)_notify_([a-z]+|migrate_(from|to)))_([0-9]+)$");

    /**
     * The parts of an operation key, as {@code parse_op_key} splits it, or null when it cannot be split. Follows
     * {@code parse_op_key()} in lib/common/operations.c.
     *
     * <p>Follows {@code parse_op_key()} in lib/common/operations.c.
     */
    public record OpKey(String rsc, String task, long intervalMs) {
    }

    /** Follows {@code parse_op_key()} in lib/common/operations.c. */
    public static OpKey parseOpKey(String key) {
        if (key == null || key.isEmpty()) {
            return null;
        }
        int u1 = key.indexOf('_');
        if (u1 < 0) {
            return null;
        }
        int u2 = key.indexOf('_', u1 + 1);
        if (u2 < 0) {
            return null;
        }
        int u3 = key.indexOf('_', u2 + 1);
        if (u3 < 0) {
            return new OpKey(key.substring(0, u1), key.substring(u1 + 1, u2),
                Score.parseLeadingLong(key.substring(u2 + 1), 0));
        }
        java.util.regex.Matcher m = NOTIFY_MIGRATE.matcher(key);
        if (m.matches()) {
            return new OpKey(m.group(1), m.group(2), Score.parseLeadingLong(m.group(7), 0));
        }
        int is = key.lastIndexOf('_');
        int ts = key.lastIndexOf('_', is - 1);
        if (ts <= 0) {
            return null;
        }
        return new OpKey(key.substring(0, ts), key.substring(ts + 1, is),
            Score.parseLeadingLong(key.substring(is + 1), 0));
    }

    /**
     * Pacemaker's node-name order: case-insensitive, with embedded numbers compared numerically
     * ({@code node9 < node10}).
     */
    public static int numericCompare(String s1, String s2) {
        int i = 0;
        int j = 0;
        int n1 = s1.length();
        int n2 = s2.length();
        while (i < n1 && j < n2) {
            char c1 = s1.charAt(i);
            char c2 = s2.charAt(j);
            if (isAsciiDigit(c1) && isAsciiDigit(c2)) {
                int e1 = i;
                while (e1 < n1 && isAsciiDigit(s1.charAt(e1))) {
                    e1++;
                }
                int e2 = j;
                while (e2 < n2 && isAsciiDigit(s2.charAt(e2))) {
                    e2++;
                }
                int c = compareDigits(s1.substring(i, e1), s2.substring(j, e2));
                if (c != 0) {
                    return c;
                }
                int len1 = e1 - i;
                int len2 = e2 - j;
                if (len1 != len2) {
                    return len1 < len2 ? -1 : 1;
                }
                i = e1;
                j = e2;
            } else {
                int l1 = Character.toLowerCase(c1);
                int l2 = Character.toLowerCase(c2);
                if (l1 != l2) {
                    return l1 < l2 ? -1 : 1;
                }
                i++;
                j++;
            }
        }
        if (i >= n1 && j < n2) {
            return -1;
        }
        if (i < n1 && j >= n2) {
            return 1;
        }
        return 0;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int compareDigits(String a, String b) {
        String x = a.replaceFirst("^0+(?=.)", "");
        String y = b.replaceFirst("^0+(?=.)", "");
        if (x.length() != y.length()) {
            return x.length() < y.length() ? -1 : 1;
        }
        int c = x.compareTo(y);
        return Integer.signum(c);
    }

    /** C strcmp on the UTF-16 units (the names are ASCII in practice). */
    public static int strcmp(String a, String b) {
        return Integer.signum(a.compareTo(b));
    }

    /** Like strcasecmp. */
    public static int strcasecmp(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            int c1 = Character.toLowerCase(a.charAt(i));
            int c2 = Character.toLowerCase(b.charAt(i));
            if (c1 != c2) {
                return c1 - c2;
            }
        }
        return a.length() - b.length();
    }
}
