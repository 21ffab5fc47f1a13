package org.vigil.kernel.api;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One cmap key with its typed value. Immutable.
 *
 * <p>Value classes by type: integers are {@link Long} (unsigned types hold their unsigned value, {@code u64}
 * wraps), {@code flt} is {@link Float}, {@code dbl} is {@link Double}, {@code str} is {@link String},
 * {@code bin} is {@code byte[]} (copied on the way in and out).
 *
 * @param key   the full key name
 * @param type  the value type
 * @param value the value, of the class given above
 */
public record CmapEntry(String key, CmapType type, Object value) {

    public CmapEntry {
        if (value instanceof byte[] b) {
            value = b.clone();
        }
    }

    /** The value as a long; only for integer types. */
    public long longValue() {
        return ((Number) value).longValue();
    }

    /** The value as corosync-cmapctl prints it (unsigned integers unsigned, binary as hex). */
    public String valueString() {
        return switch (type) {
            case UINT64 -> Long.toUnsignedString((Long) value);
            case FLOAT -> String.format("%f", (Float) value);
            case DOUBLE -> String.format("%f", (Double) value);
            case BINARY -> HexFormat.of().formatHex((byte[]) value);
            default -> String.valueOf(value);
        };
    }

    /** The line {@code corosync-cmapctl} prints for this entry, e.g. {@code totem.token (u32) = 3000}. */
    public String toCmapctlLine() {
        return key + " (" + type.shortName() + ") = " + valueString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CmapEntry e) || !e.key.equals(key) || e.type != type) {
            return false;
        }
        return value instanceof byte[] b ? Arrays.equals(b, (byte[]) e.value) : value.equals(e.value);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + (value instanceof byte[] b ? Arrays.hashCode(b) : value.hashCode());
    }
}
