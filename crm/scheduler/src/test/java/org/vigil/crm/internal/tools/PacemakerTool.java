package org.vigil.crm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
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
 * Pacemaker 2.1.5's command-line tools (Debian's pacemaker-cli-utils) run on a CIB file ({@code CIB_file}) for the
 * differential tests. Under {@code -Dvigil.systemTests=true} a missing tool fails the test; otherwise it is skipped.
 */
final class PacemakerTool {

    static final boolean SYSTEM = Boolean.getBoolean("vigil.systemTests");

    private PacemakerTool() {
    }

    static Path find(String tool) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** True if installed; under vigil.systemTests a missing tool fails. */
    static boolean available(String tool) {
        boolean there = find(tool) != null;
        if (SYSTEM) {
            assertTrue(there, "vigil.systemTests is set but Pacemaker's " + tool + " is not installed (.ci/packages "
                + "installs pacemaker-cli-utils)");
        }
        return there;
    }

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs the tool with {@code CIB_file=cib}, stdin closed, killed after 20 s (the test then fails). */
    static Run run(Path cib, String tool, List<String> args) {
        return run(cib, Map.of(), tool, args);
    }

    static Run run(Path cib, Map<String, String> env, String tool, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(find(tool).toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cib.getParent().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CIB_") || k.startsWith("OCF_") || k.startsWith("PCMK_")
            || k.startsWith("HA_"));
        pb.environment().put("CIB_file", cib.toString());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = null;
        try {
            p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t1 = copier(p.getInputStream(), out);
            Thread t2 = copier(p.getErrorStream(), err);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError(cmd + " did not finish within 20 s");
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
