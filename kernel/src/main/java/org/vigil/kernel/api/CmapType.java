package org.vigil.kernel.api;

/**
 * Value types of cmap, with corosync's numeric codes ({@code cmap_value_types_t}) and the names
 * {@code corosync-cmapctl} prints and accepts.
 */
public enum CmapType {
    INT8(1, "i8", -128L, 127L),
    UINT8(2, "u8", 0L, 255L),
    INT16(3, "i16", -32768L, 32767L),
    UINT16(4, "u16", 0L, 65535L),
    INT32(5, "i32", (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE),
    UINT32(6, "u32", 0L, 0xFFFF_FFFFL),
    INT64(7, "i64", Long.MIN_VALUE, Long.MAX_VALUE),
    /** Held as a Java {@code long}; values above {@link Long#MAX_VALUE} wrap and print unsigned. */
    UINT64(8, "u64", Long.MIN_VALUE, Long.MAX_VALUE),
    FLOAT(9, "flt", 0, 0),
    DOUBLE(10, "dbl", 0, 0),
    STRING(11, "str", 0, 0),
    BINARY(12, "bin", 0, 0);

    private final int code;
    private final String shortName;
    private final long min;
    private final long max;

    CmapType(int code, String shortName, long min, long max) {
        this.code = code;
        this.shortName = shortName;
        this.min = min;
        this.max = max;
    }

    /** corosync's numeric type code. */
    public int code() {
        return code;
    }

    /** The name {@code corosync-cmapctl} prints, e.g. {@code u32}. */
    public String shortName() {
        return shortName;
    }

    /** True for the eight integer types. */
    public boolean isInteger() {
        return code <= 8;
    }

    /** Smallest value of an integer type. */
    public long min() {
        return min;
    }

    /** Largest value of an integer type ({@code UINT64} is unsigned and spans the whole {@code long}). */
    public long max() {
        return max;
    }

    /**
     * Parses a value the way {@code corosync-cmapctl -s KEY TYPE VALUE} does: integers in base 10 within the
     * type's range, {@code flt}/{@code dbl} as decimals, {@code str} verbatim, {@code bin} as hex.
     *
     * @return the value in the class {@link CmapEntry} uses for this type
     * @throws CmapException {@code INVALID_PARAM} naming what is wrong
     */
    public Object parse(String text) {
        try {
            return switch (this) {
                case UINT64 -> Long.parseUnsignedLong(text);
                case FLOAT -> Float.parseFloat(text);
                case DOUBLE -> Double.parseDouble(text);
                case STRING -> text;
                case BINARY -> java.util.HexFormat.of().parseHex(text);
                default -> {
                    long v = Long.parseLong(text);
                    if (v < min || v > max) {
                        throw new CmapException(CmapException.Error.INVALID_PARAM,
                            "value " + text + " is out of range for type " + shortName);
                    }
                    yield v;
                }
            };
        } catch (NumberFormatException e) {
            throw new CmapException(CmapException.Error.INVALID_PARAM,
                "'" + text + "' is not a valid " + shortName + " value");
        } catch (IllegalArgumentException e) {
            throw new CmapException(CmapException.Error.INVALID_PARAM, "'" + text + "' is not valid hex for type bin");
        }
    }

    /** Looks a type up by its {@code corosync-cmapctl} name; null if there is none. */
    public static CmapType byShortName(String name) {
        for (CmapType t : values()) {
            if (t.shortName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
