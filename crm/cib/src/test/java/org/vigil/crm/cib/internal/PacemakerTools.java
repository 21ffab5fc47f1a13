package org.vigil.crm.cib.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Pacemaker 2.1.5's own command-line tools (Debian's pacemaker-cli-utils), run on files for differential tests:
 * {@code CIB_file} makes {@code cibadmin} and {@code crm_attribute} work on a copy without a cluster.
 *
 * <p>Tests that need them call {@link #available}: when {@code vigil.systemTests} is set, a missing tool fails
 * the test (CI installs the package); otherwise the test is skipped.
 */
public final class PacemakerTools {

    /** Whether tests needing installed packages must run. */
    public static final boolean SYSTEM = Boolean.getBoolean("vigil.systemTests");
    private static final long TIMEOUT_SECONDS = 20;

    private PacemakerTools() {
    }

    /** The path of {@code tool}, or null if it is not installed. */
    public static Path find(String tool) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** True if {@code tool} is installed; under {@code vigil.systemTests} a missing tool fails the test. */
    public static boolean available(String tool) {
        boolean there = find(tool) != null;
        if (SYSTEM) {
            assertTrue(there, "vigil.systemTests is set but Pacemaker's " + tool + " is not installed (.ci/packages "
                + "installs pacemaker-cli-utils)");
        }
        return there;
    }

    /** What a run printed and returned. */
    public record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code tool args...} in {@code cwd} with the extra environment {@code env} (e.g. {@code CIB_file}),
     * stdin closed; bounded in time (the process is killed after 20 s and the test fails).
     */
    public static Run run(Path cwd, Map<String, String> env, String tool, List<String> args) {
        Path exe = find(tool);
        if (exe == null) {
            throw new IllegalStateException(tool + " is not installed");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CIB_") || k.startsWith("OCF_") || k.startsWith("PCMK_")
            || k.startsWith("HA_"));
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = null;
        try {
            p = pb.start();
            Process proc = p;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t1 = copier(proc.getInputStream(), out);
            Thread t2 = copier(proc.getErrorStream(), err);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(cmd + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            t1.join(5000);
            t2.join(5000);
            return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static Thread copier(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the process went away
            }
        }, "pacemaker-tool-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
