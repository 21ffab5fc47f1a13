package org.vigil.crm.internal.cib;

/** A resource role, ordered as Pacemaker orders them (comparisons such as {@code role > STARTED} matter). */
public enum Role {
    UNKNOWN("Unknown"),
    STOPPED("Stopped"),
    STARTED("Started"),
    UNPROMOTED("Unpromoted"),
    PROMOTED("Promoted");

    private final String text;

    Role(String text) {
        this.text = text;
    }

    /** The role as printed (current names: Unpromoted/Promoted). */
    public String text() {
        return text;
    }

    public boolean gt(Role o) {
        return compareTo(o) > 0;
    }

    public boolean lt(Role o) {
        return compareTo(o) < 0;
    }

    public boolean ge(Role o) {
        return compareTo(o) >= 0;
    }

    public boolean le(Role o) {
        return compareTo(o) <= 0;
    }

    /**
     * Parses a role name case-insensitively, accepting the legacy Master/Slave spelling; {@link #UNKNOWN} for
     * anything else (including {@code null}).
     */
    public static Role parse(String s) {
        if (s == null) {
            return UNKNOWN;
        }
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "stopped":
                return STOPPED;
            case "started":
                return STARTED;
            case "unpromoted":
            case "slave":
                return UNPROMOTED;
            case "promoted":
            case "master":
                return PROMOTED;
            case "unknown":
                return UNKNOWN;
            default:
                return UNKNOWN;
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
