package org.vigil.agents.internal.exec;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs external agent programs, each as the leader of its own session and process group, with a timeout that
 * kills the whole group (SIGTERM, then SIGKILL), bounded capture of stdout/stderr, and no shell anywhere.
 *
 * <p>The work is done by a runner helper process (one per runner, started on first use): the native
 * {@code vigil-runner} built from {@code src/main/c} into the bundle where a C compiler was present, else
 * {@code vigil-runner.py} (same protocol; see either source's header for why a helper). The choice is
 * {@code vigil.agents.runner}: {@code auto} (native if this build has it for this machine and it starts, else
 * Python), {@code native} or {@code python}. The native binary is copied out of the bundle into a private
 * (0700) temporary directory, removed again on {@link #close()}. If the helper dies, the actions it was running
 * complete with {@link Ending#RUNNER_LOST} and the next action starts a new helper.
 *
 * <p><b>Closing and live upgrade.</b> {@link #close()} never kills anything: it closes the helper's input, so the
 * helper reports what is in flight and then exits by itself. The futures handed out before are completed all
 * the same, by the reader threads of this runner, which outlive the component that created it. A {@link #run} after close
 * (a caller still holding the old service object) is served by a helper of its own that exits after it.
 *
 * <p>Thread-safe.
 */
public final class AgentRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.EXECD");
    private static final String SCRIPT = "vigil-runner.py";
    private static final String NATIVE = "vigil-runner";

    /** Which helper runs the agents. */
    public enum Helper {
        /** The compiled {@code vigil-runner}. */
        NATIVE,
        /** {@code vigil-runner.py} under python3. */
        PYTHON
    }

    private final String python;
    private final String source;
    private final String choice;
    /** The native binary, read at construction (a closed revision's jar can't be read); null: none. */
    private final byte[] nativeHelper;
    private volatile Helper helper;     // null: nothing can run agents here
    private Path nativeBinary;          // guarded by this; the extracted copy
    private RunnerProcess current;      // guarded by this
    private boolean closed;             // guarded by this

    /** The default choice ({@code auto}). */
    public AgentRunner(String python) {
        this(python, "auto");
    }

    /**
     * @param python the Python 3 interpreter, or null to look for {@code python3} on the usual paths
     * @param choice {@code auto}, {@code native} or {@code python} (see the class comment)
     */
    public AgentRunner(String python, String choice) {
        this(python, choice, "python".equals(choice) ? null
            : AgentRunner.class.getResource("native/" + platform() + "/" + NATIVE));
    }

    /** With the native helper taken from {@code nativeResource} (null: none), for tests. */
    AgentRunner(String python, String choice, URL nativeResource) {
        this.choice = choice == null ? "auto" : choice;
        if (!List.of("auto", "native", "python").contains(this.choice)) {
            throw new IllegalArgumentException("vigil.agents.runner: '" + choice + "' is not auto, native or python");
        }
        this.python = python != null ? python : findPython();
        this.source = loadSource();
        this.nativeHelper = this.choice.equals("python") ? null : readNative(nativeResource);
        if (this.nativeHelper != null) {
            helper = Helper.NATIVE;
        } else if (!this.choice.equals("native") && this.python != null) {
            helper = Helper.PYTHON;
        }
    }

    /** The extracted native helper, null if none (for tests). */
    synchronized Path nativeBinaryPath() {
        return nativeBinary;
    }

    /** The interpreter found for the Python helper, or null. */
    public String python() {
        return python;
    }

    /** The helper that runs agents (it may still change from native to Python if the native one cannot start). */
    public Helper helper() {
        return helper;
    }

    /** True if external agents can be run at all; else every run fails with {@link #unavailableReason()}. */
    public boolean available() {
        return helper != null;
    }

    /** Why nothing can run external agents here (meaningful when {@link #available()} is false). */
    public String unavailableReason() {
        if (choice.equals("native")) {
            return "vigil.agents.runner=native, but this build of the agents bundle has no native runner helper for "
                + platform() + " (it was built without a C compiler); set vigil.agents.runner=auto to use python3";
        }
        return "python3 was not found; Vigil runs external agents through a small helper, native where the bundle "
            + "was built with a C compiler, else in Python (Debian package python3, which resource-agents and "
            + "fence-agents depend on too)";
    }

    /** Starts a program; never throws: a program that cannot be started gives {@link Ending#NOT_STARTED}. */
    public RunHandle run(ProcessSpec spec) {
        if (helper == null) {
            return done(notStarted(unavailableReason()));
        }
        RunnerProcess rp;
        RunnerProcess.Pending p;
        boolean oneShot;
        synchronized (this) {
            oneShot = closed;
            try {
                if (oneShot) {
                    rp = startHelper();
                } else {
                    if (current == null || !current.accepting()) {
                        current = startHelper();
                    }
                    rp = current;
                }
            } catch (IOException e) {
                return done(notStarted("the agent runner helper could not be started: " + e.getMessage()));
            }
            p = rp.submit(spec);
            if (p == null && !oneShot) {
                // The helper died since the last action: one new helper, one more try.
                try {
                    current = startHelper();
                    rp = current;
                    p = rp.submit(spec);
                } catch (IOException e) {
                    return done(notStarted("the agent runner helper could not be restarted: " + e.getMessage()));
                }
            }
            if (oneShot) {
                rp.closeInput();
            }
        }
        if (p == null) {
            return done(notStarted("the agent runner helper (pid " + rp.pid() + ") stopped accepting work"));
        }
        RunnerProcess owner = rp;
        RunnerProcess.Pending pending = p;
        return new RunHandle() {
            @Override
            public CompletableFuture<ProcessOutcome> outcome() {
                return pending.result;
            }

            @Override
            public boolean cancel() {
                if (pending.result.isDone()) {
                    return false;
                }
                if (owner.kill(pending)) {
                    return true;
                }
                // The helper no longer takes requests (closed for an upgrade): signal the group ourselves.
                return killGroup(pending.pid);
            }

            @Override
            public long pid() {
                return pending.pid;
            }
        };
    }

    /** Starts a helper of the chosen kind; caller holds the lock. */
    private RunnerProcess startHelper() throws IOException {
        if (helper == Helper.NATIVE) {
            try {
                return RunnerProcess.start(List.of(nativeBinary().toString()));
            } catch (IOException e) {
                if (!choice.equals("auto") || python == null) {
                    throw new IOException("native helper: " + e.getMessage(), e);
                }
                // e.g. a temporary directory mounted noexec
                LOG.warn("the native agent runner helper could not be started ({}); running agents through {} "
                    + "instead", e.getMessage(), SCRIPT);
                helper = Helper.PYTHON;
            }
        }
        return RunnerProcess.start(List.of(python, "-I", "-S", "-c", source));
    }

    /** The native helper, copied out of the bundle on first use (again if it was removed). */
    private Path nativeBinary() throws IOException {
        if (nativeBinary != null && Files.isExecutable(nativeBinary)) {
            return nativeBinary;
        }
        Path dir = Files.createTempDirectory("vigil-runner-");   // 0700
        Path bin = dir.resolve(NATIVE);
        dir.toFile().deleteOnExit();
        bin.toFile().deleteOnExit();                               // runs before the directory's (reverse order)
        Files.write(bin, nativeHelper);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        nativeBinary = bin;
        return bin;
    }

    /** {@code linux-<machine>} as {@code uname -m} names it (the native helper's directory in the bundle). */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        arch = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "x86", "i386", "i486", "i586", "i686" -> "i686";
            case "arm64" -> "aarch64";
            default -> arch;
        };
        return (os.contains("linux") ? "linux" : os.replace(' ', '_')) + "-" + arch;
    }

    /** The current helper's process id, 0 if none runs (for diagnostics and tests). */
    synchronized long helperPid() {
        return current == null ? 0 : current.pid();
    }

    /** Stops taking new work on the current helper; everything in flight still completes. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            LOG.debug("agent runner helper {} closing with {} action(s) in flight", current.pid(), current.inFlight());
            current.closeInput();
            current = null;
        }
        if (nativeBinary != null) {
            // A running helper keeps its (unlinked) executable; a late one-shot run copies it out again.
            try {
                Files.deleteIfExists(nativeBinary);
                Files.deleteIfExists(nativeBinary.getParent());
            } catch (IOException e) {
                LOG.debug("removing {}: {}", nativeBinary, e.toString());
            }
            nativeBinary = null;
        }
    }

    private static boolean killGroup(long pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            Process k = new ProcessBuilder("kill", "-TERM", "--", "-" + pid).redirectErrorStream(true).start();
            k.getInputStream().readAllBytes();
            return k.waitFor() == 0;
        } catch (IOException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::destroy).orElse(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static RunHandle done(ProcessOutcome o) {
        CompletableFuture<ProcessOutcome> f = CompletableFuture.completedFuture(o);
        return new RunHandle() {
            @Override
            public CompletableFuture<ProcessOutcome> outcome() {
                return f;
            }

            @Override
            public boolean cancel() {
                return false;
            }

            @Override
            public long pid() {
                return 0;
            }
        };
    }

    private static ProcessOutcome notStarted(String message) {
        return new ProcessOutcome(Ending.NOT_STARTED, 0, 0, Duration.ZERO, new byte[0], new byte[0], 0, 0, message);
    }

    private static String findPython() {
        for (String p : new String[] {"/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"}) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, "python3");
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    private static byte[] readNative(URL resource) {
        if (resource == null) {
            return null;
        }
        try (InputStream in = resource.openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            LOG.warn("reading the native runner helper {} failed ({}); using {}", resource, e.getMessage(), SCRIPT);
            return null;
        }
    }

    private static String loadSource() {
        try (InputStream in = AgentRunner.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the agents bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("reading " + SCRIPT + ": " + e.getMessage(), e);
        }
    }
}
