package org.vigil.crm.api;

/**
 * A CIB that cannot be used: malformed XML, an element or attribute the schema does not allow, a reference to
 * an id that does not exist, a value out of range. The message names the source and, when known, the line and
 * column ({@code cib.xml:12:5: ...}); {@link #line()} and {@link #column()} give them separately (0 when unknown).
 */
public class CibException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String detail;

    /**
     * @param source where the document came from (file name), may be {@code null}
     * @param line   1-based line, or 0 when unknown
     * @param column 1-based column, or 0 when unknown
     * @param detail what is wrong, without the location prefix
     */
    public CibException(String source, int line, int column, String detail) {
        super(format(source, line, column, detail));
        this.source = source;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    private static String format(String source, int line, int column, String detail) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source).append(':');
        }
        if (line > 0) {
            sb.append(line).append(':');
            if (column > 0) {
                sb.append(column).append(':');
            }
        }
        if (sb.length() > 0) {
            sb.append(' ');
        }
        return sb.append(detail).toString();
    }

    /** The source name, or {@code null}. */
    public String source() {
        return source;
    }

    /** The 1-based line, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** The 1-based column, or 0 when unknown. */
    public int column() {
        return column;
    }

    /** The problem without the location prefix. */
    public String detail() {
        return detail;
    }
}
