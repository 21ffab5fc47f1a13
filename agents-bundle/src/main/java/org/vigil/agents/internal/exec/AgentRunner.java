package org.vigil.agents.internal.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs external agent programs, each as the leader of its own session and process group, with a timeout that
 * kills the whole group (SIGTERM, then SIGKILL), bounded capture of stdout/stderr, and no shell anywhere.
 *
 * <p>The work is done by the {@code vigil-runner.py} helper (one per runner, started on first use; see the
 * script's header for why). If the helper dies, the actions it was running complete with
 * {@link Ending#RUNNER_LOST} and the next action starts a new helper.
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

    private final String python;
    private final String source;
    private RunnerProcess current;   // guarded by this
    private boolean closed;          // guarded by this

    /**
     * @param python the Python 3 interpreter, or null to look for {@code python3} on the usual paths
     */
    public AgentRunner(String python) {
        this.python = python != null ? python : findPython();
        this.source = loadSource();
    }

    /** The interpreter used, or null if none was found (every run then fails to start, with a clear message). */
    public String python() {
        return python;
    }

    /** Starts a program; never throws: a program that cannot be started gives {@link Ending#NOT_STARTED}. */
    public RunHandle run(ProcessSpec spec) {
        if (python == null) {
            return done(notStarted("python3 was not found; Vigil runs external agents through a small Python "
                + "helper (Debian package python3, which resource-agents and fence-agents depend on too)"));
        }
        RunnerProcess rp;
        RunnerProcess.Pending p;
        boolean oneShot;
        synchronized (this) {
            oneShot = closed;
            try {
                if (oneShot) {
                    rp = RunnerProcess.start(python, source);
                } else {
                    if (current == null || !current.accepting()) {
                        current = RunnerProcess.start(python, source);
                    }
                    rp = current;
                }
            } catch (IOException e) {
                return done(notStarted("the agent runner helper could not be started (" + python + "): "
                    + e.getMessage()));
            }
            p = rp.submit(spec);
            if (p == null && !oneShot) {
                // The helper died since the last action: one new helper, one more try.
                try {
                    current = RunnerProcess.start(python, source);
                    rp = current;
                    p = rp.submit(spec);
                } catch (IOException e) {
                    return done(notStarted("the agent runner helper could not be restarted (" + python + "): "
                        + e.getMessage()));
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
