package org.vigil.kernel.config;

import java.util.List;
import java.util.regex.Pattern;
import org.vigil.kernel.api.CmapType;

/**
 * The declaration of one configuration key: its name pattern, type, default, unit, range and what it means.
 * Patterns use {@code *} for one name segment (a node position, a subsystem) and {@code #} for a ring/link
 * digit, e.g. {@code nodelist.node.*.ring#_addr}.
 *
 * @param pattern     the key name pattern
 * @param type        how the value is parsed
 * @param cmapType    the cmap type the value is stored as (corosync stores enums and booleans as strings)
 * @param defaultText the default as text, or null when there is none or it is derived (see {@code note})
 * @param unit        unit for numbers ({@code ms}, {@code bytes}, ...), or empty
 * @param min         smallest allowed value (numbers)
 * @param max         largest allowed value (numbers)
 * @param choices     allowed values for {@link Type#ENUM}
 * @param status      whether the key is used, ignored or obsolete
 * @param note        what the key means; for derived defaults, the formula
 */
public record ConfigKey(String pattern, Type type, CmapType cmapType, String defaultText, String unit, long min,
                        long max, List<String> choices, Status status, String note) {

    /** How a value is parsed. */
    public enum Type {
        /** Unsigned integers, strict base 10 (corosync's {@code safe_atoq}: no sign, no suffix). */
        U8, U16, U32, U64,
        /** Signed 32-bit integer. */
        I32,
        /** Free text. */
        STRING,
        /** One of {@link ConfigKey#choices()}. */
        ENUM
    }

    /** Whether Vigil acts on a key. */
    public enum Status {
        /** Read and acted on. */
        USED,
        /** Accepted and stored in cmap for compatibility, no effect (no warning). */
        ACCEPTED,
        /** Obsolete: accepted and stored, ignored, and a warning says so. */
        OBSOLETE
    }

    public ConfigKey {
        choices = List.copyOf(choices);
    }

    /** The pattern as a regular expression over full key names. */
    Pattern regex() {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> re.append("[^.]+");
                case '#' -> re.append("[0-9]");
                case '.' -> re.append("\\.");
                default -> re.append(c);
            }
        }
        return Pattern.compile(re.toString());
    }

    /** A short human description of the allowed values, for error messages. */
    String expected() {
        return switch (type) {
            case U8, U16, U32, U64, I32 -> "an integer " + min + ".." + (type == Type.U64 ? "18446744073709551615" : max)
                + (unit.isEmpty() ? "" : " (" + unit + ")");
            case ENUM -> "one of " + String.join(", ", choices);
            case STRING -> "text";
        };
    }
}
