package org.vigil.agents.internal.exec;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One runner helper process ({@code vigil-runner} or {@code vigil-runner.py}) and the two threads that read its
 * replies and its diagnostics.
 * Requests are written under this object's lock; replies are matched to requests by id and their futures are
 * completed directly on the reader thread (one thread hop less per action; the SPI tells callers not to block
 * in dependent stages).
 *
 * <p>Once {@link #closeInput()} has been called no new request is accepted; the helper finishes what is in
 * flight, reports it, and exits by itself. Nothing here ever kills the helper or an agent.
 */
final class RunnerProcess {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.EXECD");
    private static final AtomicLong IDS = new AtomicLong();

    /** A request waiting for its reply. */
    static final class Pending {
        final String id;
        final CompletableFuture<ProcessOutcome> result = new CompletableFuture<>();
        volatile long pid;

        Pending(String id) {
            this.id = id;
        }
    }

    private static final int HELLO_TIMEOUT_S = 20;

    private final Process process;
    private final CompletableFuture<String> hello = new CompletableFuture<>();
    private final DataOutputStream toHelper;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private boolean inputClosed;          // guarded by this
    private volatile boolean dead;

    private RunnerProcess(Process process) {
        this.process = process;
        this.toHelper = new DataOutputStream(process.getOutputStream());
    }

    /**
     * Starts a helper: the native {@code vigil-runner}, or {@code python -I -S -c <source>}, and waits for its
     * {@code HELLO}: a helper that cannot run here (not executable, a broken binary) fails this call.
     */
    static RunnerProcess start(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Process p = pb.start();
        RunnerProcess rp = new RunnerProcess(p);
        Thread reader = new Thread(rp::readReplies, "vigil-runner-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            rp.hello.get(HELLO_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            String err = new String(p.getErrorStream().readNBytes(2000), StandardCharsets.UTF_8).strip();
            throw new IOException(command.get(0) + " did not start as a runner helper"
                + (e instanceof TimeoutException ? " within " + HELLO_TIMEOUT_S + " s" : "")
                + (err.isEmpty() ? "" : ": " + err.replace('\n', ' ')));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while starting the runner helper");
        }
        Thread diag = new Thread(rp::readDiagnostics, "vigil-runner-" + p.pid() + "-stderr");
        diag.setDaemon(true);
        diag.start();
        LOG.debug("agent runner helper started, pid {}: {}", p.pid(), rp.hello.getNow(""));
        return rp;
    }

    long pid() {
        return process.pid();
    }

    /** True while requests can be sent. */
    synchronized boolean accepting() {
        return !inputClosed && !dead;
    }

    /** Sends a request; null if this helper no longer accepts requests. */
    synchronized Pending submit(ProcessSpec spec) {
        if (inputClosed || dead) {
            return null;
        }
        Pending p = new Pending(Long.toString(IDS.incrementAndGet()));
        pending.put(p.id, p);
        List<byte[]> f = new ArrayList<>();
        f.add(bytes("RUN"));
        f.add(bytes(p.id));
        f.add(bytes(Long.toString(spec.timeout().toMillis())));
        f.add(bytes(Long.toString(spec.grace().toMillis())));
        f.add(bytes(Integer.toString(spec.maxOutput())));
        f.add(bytes(spec.cwd() == null ? "" : spec.cwd()));
        f.add(spec.stdin());
        f.add(bytes(Integer.toString(spec.argv().size())));
        for (String a : spec.argv()) {
            f.add(bytes(a));
        }
        for (Map.Entry<String, String> e : spec.env().entrySet()) {
            f.add(bytes(e.getKey() + "=" + e.getValue()));
        }
        try {
            writeFrame(f);
        } catch (IOException e) {
            pending.remove(p.id);
            markDead("writing to it failed: " + e.getMessage());
            return null;
        }
        return p;
    }

    /** Asks the helper to kill the action's process group (TERM, then KILL after the grace). */
    synchronized boolean kill(Pending p) {
        if (inputClosed || dead || !pending.containsKey(p.id)) {
            return false;
        }
        try {
            writeFrame(List.of(bytes("KILL"), bytes(p.id)));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** No more requests: the helper exits once everything in flight has been reported. */
    synchronized void closeInput() {
        if (inputClosed) {
            return;
        }
        inputClosed = true;
        try {
            toHelper.close();
        } catch (IOException e) {
            // the helper is gone already; the reader reports what was in flight
        }
    }

    int inFlight() {
        return pending.size();
    }

    private void writeFrame(List<byte[]> fields) throws IOException {
        int len = 0;
        for (byte[] b : fields) {
            len += 4 + b.length;
        }
        toHelper.writeInt(len);
        for (byte[] b : fields) {
            toHelper.writeInt(b.length);
            toHelper.write(b);
        }
        toHelper.flush();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void readReplies() {
        try (DataInputStream in = new DataInputStream(process.getInputStream())) {
            while (true) {
                int len;
                try {
                    len = in.readInt();
                } catch (EOFException e) {
                    break;
                }
                byte[] payload = new byte[len];
                in.readFully(payload);
                reply(fields(payload));
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("agent runner helper {}: reading its replies failed: {}", process.pid(), e.toString());
        }
        hello.completeExceptionally(new EOFException("the helper exited"));
        markDead(null);
    }

    private static List<byte[]> fields(byte[] payload) {
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (pos + 4 <= payload.length) {
            int n = ((payload[pos] & 0xff) << 24) | ((payload[pos + 1] & 0xff) << 16) | ((payload[pos + 2] & 0xff) << 8)
                | (payload[pos + 3] & 0xff);
            byte[] b = new byte[n];
            System.arraycopy(payload, pos + 4, b, 0, n);
            out.add(b);
            pos += 4 + n;
        }
        return out;
    }

    private void reply(List<byte[]> f) {
        String kind = str(f.get(0));
        if (kind.equals("HELLO")) {
            hello.complete(f.size() > 1 ? str(f.get(1)) : "");
            return;
        }
        String id = str(f.get(1));
        if (kind.equals("STARTED")) {
            Pending p = pending.get(id);
            if (p != null) {
                p.pid = Long.parseLong(str(f.get(2)));
            }
            return;
        }
        if (!kind.equals("DONE")) {
            LOG.warn("agent runner helper {}: unknown reply {}", process.pid(), kind);
            return;
        }
        Pending p = pending.remove(id);
        if (p == null) {
            return;
        }
        Ending ending = switch (str(f.get(2))) {
            case "exit" -> Ending.EXITED;
            case "signal" -> Ending.SIGNALED;
            case "timeout" -> Ending.TIMED_OUT;
            case "cancelled" -> Ending.CANCELLED;
            default -> Ending.NOT_STARTED;
        };
        long pid = f.size() > 10 ? Long.parseLong(str(f.get(10))) : p.pid;
        p.pid = pid;
        ProcessOutcome o = new ProcessOutcome(ending, Integer.parseInt(str(f.get(3))), pid,
            Duration.ofNanos(Long.parseLong(str(f.get(4))) * 1000), f.get(7), f.get(8), Long.parseLong(str(f.get(5))),
            Long.parseLong(str(f.get(6))), str(f.get(9)));
        complete(p, o);
    }

    private static void complete(Pending p, ProcessOutcome o) {
        try {
            p.result.complete(o);
        } catch (RuntimeException e) {
            LOG.error("a caller's completion stage failed: {}", e.toString());
        }
    }

    private void readDiagnostics() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                LOG.warn("agent runner helper {}: {}", process.pid(), line);
            }
        } catch (IOException e) {
            // helper gone
        }
    }

    private void markDead(String why) {
        synchronized (this) {
            dead = true;
        }
        if (!pending.isEmpty()) {
            String msg = "the agent runner helper (pid " + process.pid() + ") exited unexpectedly"
                + (why == null ? "" : ": " + why) + "; the agent's result is unknown";
            LOG.error(msg);
            for (Pending p : List.copyOf(pending.values())) {
                pending.remove(p.id);
                complete(p, new ProcessOutcome(Ending.RUNNER_LOST, -1, p.pid, Duration.ZERO, new byte[0],
                    new byte[0], 0, 0, msg));
            }
        }
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

}
