package org.vigil.agents.internal.exec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The result of one {@link ProcessSpec}.
 *
 * @param ending      how it ended
 * @param code        exit status, signal number or errno, see {@link Ending}
 * @param pid         the process id it had (0 if it never started)
 * @param elapsed     from start to exit, measured by the runner
 * @param stdout      the first {@link ProcessSpec#maxOutput()} bytes of standard output
 * @param stderr      the first bytes of standard error, likewise
 * @param stdoutTotal how many bytes it wrote to standard output in all
 * @param stderrTotal how many bytes it wrote to standard error in all
 * @param message     a description for the log when it did not simply exit ("signal 15", "No such file ...")
 */
public record ProcessOutcome(Ending ending, int code, long pid, Duration elapsed, byte[] stdout, byte[] stderr,
                             long stdoutTotal, long stderrTotal, String message) {

    /** Standard output as text (UTF-8, malformed bytes replaced), with a note when it was truncated. */
    public String stdoutText() {
        return text(stdout, stdoutTotal);
    }

    /** Standard error as text, likewise. */
    public String stderrText() {
        return text(stderr, stderrTotal);
    }

    private static String text(byte[] kept, long total) {
        String s = new String(kept, StandardCharsets.UTF_8);
        if (total > kept.length) {
            s += "\n[output truncated: " + total + " bytes, first " + kept.length + " kept]\n";
        }
        return s;
    }
}
