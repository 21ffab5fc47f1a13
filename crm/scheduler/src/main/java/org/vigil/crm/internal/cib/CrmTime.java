package org.vigil.crm.internal.cib;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;

/**
 * ISO 8601 date/times as Pacemaker's rules read them: {@code 2019-09-23 11:00:00 -05:00}, {@code 2005-001}
 * (ordinal), {@code 2005-W10-3} (ISO week), {@code 2020-01-01T12:00:00Z}. A date without a time is midnight UTC;
 * a time without an offset is in the local zone. Immutable; thread-safe.
 *
 * <p>Follows lib/common/iso8601.c.
 */
public final class CrmTime implements Comparable<CrmTime> {

    private final OffsetDateTime t;
    /** The zone of date/times without an offset that are parsed relative to this time (the scheduler's zone). */
    private final ZoneId zone;

    private CrmTime(OffsetDateTime t, ZoneId zone) {
        this.t = t;
        this.zone = zone;
    }

    /**
     * The time at an epoch second, in the given zone (Pacemaker uses the local zone). Follows {@code
     * crm_time_set_timet()} in lib/common/iso8601.c.
     */
    public static CrmTime ofEpochSecond(long epoch, ZoneId zone) {
        Instant i = Instant.ofEpochSecond(epoch);
        return new CrmTime(OffsetDateTime.ofInstant(i, zone), zone);
    }

    /** The zone this time was made in: date/times without an offset parsed against it are read in this zone. */
    public ZoneId zone() {
        return zone;
    }

    public long epochSecond() {
        return t.toEpochSecond();
    }

    public OffsetDateTime value() {
        return t;
    }

    @Override
    public int compareTo(CrmTime o) {
        return Long.compare(t.toEpochSecond(), o.t.toEpochSecond());
    }

    public CrmTime plusSeconds(long s) {
        return new CrmTime(t.plusSeconds(s), zone);
    }

    /** A duration ({@code P1Y2M3DT4H5M6S}, or a {@code <duration>} element's fields). */
    public record Duration(int years, int months, int days, long seconds) {

        /** Pacemaker's crude conversion of a duration to seconds (used for operation intervals). */
        public long legacySeconds() {
            long s = 0;
            for (int y = 1; y < years; y++) {
                s += 86400L * (isLeap(y) ? 366 : 365);
            }
            if (months > 0) {
                s += 86400L * 30 * months;
            }
            if (days > 0) {
                s += 86400L * (days - 1);
            }
            return s + seconds;
        }
    }

    private static boolean isLeap(int y) {
        return (y % 4 == 0) && !(y % 100 == 0 && y % 400 != 0);
    }

    /** Adds a duration field by field (years, months, days, seconds). */
    public CrmTime plus(Duration d) {
        OffsetDateTime r = t.plusYears(d.years()).plusMonths(d.months()).plusDays(d.days()).plusSeconds(d.seconds());
        return new CrmTime(r, zone);
    }

    public CrmTime plus(int years, int months, int weeks, int days, int hours, int minutes, int seconds) {
        OffsetDateTime r = t.plusYears(years).plusMonths(months).plusWeeks(weeks).plusDays(days).plusHours(hours)
            .plusMinutes(minutes).plusSeconds(seconds);
        return new CrmTime(r, zone);
    }

    // Calendar fields as Pacemaker's date_spec sees them (in this time's own offset)
    public int year() {
        return t.getYear();
    }

    /** Follows {@code crm_time_days_in_month()} in lib/common/iso8601.c. */
    public int month() {
        return t.getMonthValue();
    }

    public int monthDay() {
        return t.getDayOfMonth();
    }

    public int hour() {
        return t.getHour();
    }

    public int minute() {
        return t.getMinute();
    }

    public int second() {
        return t.getSecond();
    }

    public int yearDay() {
        return t.getDayOfYear();
    }

    public int weekYear() {
        return t.get(IsoFields.WEEK_BASED_YEAR);
    }

    public int week() {
        return t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
    }

    /** ISO weekday, 1 = Monday ... 7 = Sunday. */
    public int weekDay() {
        return t.getDayOfWeek().getValue();
    }

    /** Phase of the moon 0..7 (0 new, 4 full), by Pacemaker's (nethack's) approximation. */
    public int moonPhase() {
        int y = t.getYear();
        int diy = t.getDayOfYear();
        int goldn = (y % 19) + 1;
        int epact = (11 * goldn + 18) % 30;
        if ((epact == 25 && goldn > 11) || epact == 24) {
            epact++;
        }
        return ((((((diy + epact) * 6) + 11) % 177) / 22) & 7);
    }

    /**
     * Parses an ISO 8601 duration ({@code P...}); null when invalid. Follows {@code crm_time_parse_duration()} in
     * lib/common/iso8601.c.
     */
    public static Duration parseDuration(String s) {
        if (s == null || s.length() < 2 || s.charAt(0) != 'P' || Character.isWhitespace(s.charAt(1))) {
            return null;
        }
        int years = 0;
        int months = 0;
        int days = 0;
        long seconds = 0;
        boolean isTime = false;
        boolean any = false;
        int i = 1;
        while (i < s.length() && s.charAt(i) != '/' && !Character.isWhitespace(s.charAt(i))) {
            char c = s.charAt(i);
            if (c == 'T') {
                isTime = true;
                i++;
                continue;
            }
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start || i >= s.length()) {
                return null;
            }
            int v = (int) Math.min(Integer.MAX_VALUE, Score.parseLeadingLong(s.substring(start, i), 0));
            switch (s.charAt(i)) {
                case 'Y' -> years = v;
                case 'M' -> {
                    if (isTime) {
                        seconds += v * 60L;
                    } else {
                        months = v;
                    }
                }
                case 'W' -> days += v * 7;
                case 'D' -> days += v;
                case 'H' -> seconds += v * 3600L;
                case 'S' -> seconds += v;
                default -> {
                    return null;
                }
            }
            any = true;
            i++;
        }
        return any ? new Duration(years, months, days, seconds) : null;
    }

    /**
     * Parses a date/time; null when it is not valid ISO 8601. Follows {@code crm_time_parse()} in
     * lib/common/iso8601.c.
     *
     * @param now the current time: its date completes a time given without a date, and its {@link #zone()} is
     *            the zone of a time given without an offset
     */
    public static CrmTime parse(String s, CrmTime now) {
        java.util.Objects.requireNonNull(now, "now");
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            String timePart = null;
            LocalDate date;
            if (s.charAt(0) == 'T' || (s.length() > 2 && s.charAt(2) == ':')) {
                OffsetDateTime base = now.t;
                date = base.toLocalDate();
                timePart = s.charAt(0) == 'T' ? s.substring(1) : s;
            } else if (s.regionMatches(true, 0, "epoch", 0, 5)
                && (s.length() == 5 || s.charAt(5) == '/' || Character.isWhitespace(s.charAt(5)))) {
                return new CrmTime(OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), now.zone);
            } else {
                int[] ymd = scanInts(s, "-", 3);
                if (ymd[3] == 1) {
                    // "%4d%2d%2d"
                    String digits = leadingDigits(s);
                    if (digits.length() >= 8) {
                        ymd = new int[] {Integer.parseInt(digits.substring(0, 4)),
                            Integer.parseInt(digits.substring(4, 6)), Integer.parseInt(digits.substring(6, 8)), 3};
                    }
                }
                if (ymd[3] == 3) {
                    if (ymd[1] > 12 || ymd[1] < 1) {
                        return null;
                    }
                    date = LocalDate.of(ymd[0], ymd[1], 1);
                    if (ymd[2] > date.lengthOfMonth() || ymd[2] < 1) {
                        return null;
                    }
                    date = LocalDate.of(ymd[0], ymd[1], ymd[2]);
                } else if (ymd[3] == 2) {
                    int year = ymd[0];
                    int day = ymd[1];
                    if (day < 1 || day > (isLeap(year) ? 366 : 365)) {
                        return null;
                    }
                    date = LocalDate.ofYearDay(year, day);
                } else {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(-?\\d+)-W(\\d+)-(\\d+)").matcher(s);
                    if (!m.find()) {
                        return null;
                    }
                    int year = Integer.parseInt(m.group(1));
                    int week = Integer.parseInt(m.group(2));
                    int wd = Integer.parseInt(m.group(3));
                    if (wd < 1 || wd > 7) {
                        return null;
                    }
                    date = LocalDate.of(year, 1, 4).with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, week)
                        .with(java.time.temporal.ChronoField.DAY_OF_WEEK, wd);
                }
                int k = 0;
                while (k < s.length() && ("0123456789-W".indexOf(s.charAt(k)) >= 0)) {
                    k++;
                }
                if (k < s.length() && (s.charAt(k) == ' ' || s.charAt(k) == 'T')) {
                    timePart = s.substring(k + 1);
                }
            }
            if (timePart == null) {
                return new CrmTime(OffsetDateTime.of(date.atStartOfDay(), ZoneOffset.UTC), now.zone);
            }
            int secs = parseSec(timePart);
            if (secs < 0) {
                return null;
            }
            ZoneOffset off;
            int z = timePart.indexOf('Z');
            String offStr = null;
            if (z >= 0) {
                offStr = "Z";
            } else {
                int sp = timePart.indexOf(' ');
                if (sp >= 0) {
                    offStr = timePart.substring(sp).trim();
                }
            }
            if (offStr == null) {
                off = now.zone.getRules().getOffset(date.atStartOfDay().plusSeconds(secs));
            } else if (offStr.startsWith("Z")) {
                off = ZoneOffset.UTC;
            } else {
                boolean neg = false;
                String o = offStr;
                if (o.startsWith("+")) {
                    o = o.substring(1);
                } else if (o.startsWith("-")) {
                    neg = true;
                    o = o.substring(1);
                }
                int os = o.isEmpty() ? 0 : parseSec(o);
                if (os < 0) {
                    return null;
                }
                off = ZoneOffset.ofTotalSeconds(neg ? -os : os);
            }
            OffsetDateTime odt = OffsetDateTime.of(date.atStartOfDay(), off).plusSeconds(secs);
            return new CrmTime(odt, now.zone);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String leadingDigits(String s) {
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        return s.substring(0, i);
    }

    /** Like sscanf("%d-%d-%d"): returns the values and, in slot [n], how many were read. */
    private static int[] scanInts(String s, String sep, int max) {
        int[] out = new int[max + 1];
        int count = 0;
        int i = 0;
        while (count < max) {
            int start = i;
            if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+') && count == 0) {
                i++;
            }
            int ds = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == ds) {
                break;
            }
            out[count++] = Integer.parseInt(s.substring(start, i));
            if (count < max) {
                if (!s.startsWith(sep, i)) {
                    break;
                }
                i += sep.length();
            }
        }
        out[max] = count;
        return out;
    }

    /**
     * "HH:MM:SS", "HH:MM", "HH", or "HHMMSS" to seconds of day; -1 when invalid. Follows {@code
     * crm_time_parse_sec()} in lib/common/iso8601.c.
     */
    private static int parseSec(String s) {
        int[] v = scanInts(s, ":", 3);
        int h;
        int m = 0;
        int sec = 0;
        if (v[3] == 0) {
            return -1;
        }
        if (v[3] == 1) {
            String d = leadingDigits(s);
            h = Integer.parseInt(d.substring(0, Math.min(2, d.length())));
            if (d.length() > 2) {
                m = Integer.parseInt(d.substring(2, Math.min(4, d.length())));
            }
            if (d.length() > 4) {
                sec = Integer.parseInt(d.substring(4, Math.min(6, d.length())));
            }
        } else {
            h = v[0];
            m = v[1];
            sec = v[3] >= 3 ? v[2] : 0;
        }
        if (h == 24 && m == 0 && sec == 0) {
            return 86400;
        }
        if (h >= 24 || m >= 60 || sec >= 60 || h < 0) {
            return -1;
        }
        return h * 3600 + m * 60 + sec;
    }

    @Override
    public String toString() {
        return t.toString();
    }
}
