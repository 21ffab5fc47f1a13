package org.vigil.kernel.config;

/**
 * One error or warning about a configuration file, printed as corosync prints parser errors:
 * {@code FILE:LINE: message} (line 0: the file as a whole).
 *
 * @param severity error or warning
 * @param file     the file name as given
 * @param line     1-based line number, 0 when the problem is not tied to a line
 * @param message  what is wrong
 */
public record ConfigProblem(Severity severity, String file, int line, String message) {

    /** Errors stop a configuration from loading; warnings do not. */
    public enum Severity { ERROR, WARNING }

    public static ConfigProblem error(String file, int line, String message) {
        return new ConfigProblem(Severity.ERROR, file, line, message);
    }

    public static ConfigProblem warning(String file, int line, String message) {
        return new ConfigProblem(Severity.WARNING, file, line, message);
    }

    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line : file;
        return where + ": " + (severity == Severity.WARNING ? "warning: " : "") + message;
    }
}
