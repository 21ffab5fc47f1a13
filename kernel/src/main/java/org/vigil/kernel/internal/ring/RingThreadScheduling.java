package org.vigil.kernel.internal.ring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.config.VigilConfig;

/**
 * Gives the threads that carry the token (the transports' I/O threads and the protocol thread) the scheduling
 * corosync gives its whole process: {@code system { sched_rr: yes }} (the default) asks for SCHED_RR at the
 * highest realtime priority, so that on a busy machine a token is forwarded as soon as it arrives instead of
 * waiting for a time slice; with {@code sched_rr: no}, {@code priority} (if set) is their nice value. Only these
 * threads:
 * the JVM's compiler and GC threads, the CPG client sessions, the CRM and the agents keep normal scheduling (a
 * realtime JIT compilation could take a CPU from everything else for its whole length).
 *
 * <p>A thread registers itself ({@link #enlist}, cheap after the first call); the change is made by running
 * {@code chrt}/{@code renice} (util-linux) for its kernel thread id, off the thread, because the JVM has no
 * call for it. If SCHED_RR is refused (no CAP_SYS_NICE, a container), the nice value is tried instead, and the
 * refusal is logged once, as corosync does.
 */
final class RingThreadScheduling {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.MAIN");

    private final VigilConfig.Scheduling how;
    private final ThreadLocal<Boolean> enlisted = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vigil-sched");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean rrRefusalLogged;
    private volatile boolean niceRefusalLogged;

    RingThreadScheduling(VigilConfig.Scheduling how) {
        this.how = how;
    }

    /** Called on a ring thread: schedules it as configured (once per thread; later calls return at once). */
    void enlist() {
        if (enlisted.get()) {
            return;
        }
        enlisted.set(Boolean.TRUE);
        if (!how.schedRr() && how.nice() == null) {
            return;   // sched_rr: no and no priority: as corosync, leave the scheduling alone
        }
        String name = Thread.currentThread().getName();
        long tid = currentTid();
        if (tid <= 0) {
            LOG.debug("ring thread {}: no kernel thread id (no /proc/thread-self); scheduling left as is", name);
            return;
        }
        worker.execute(() -> apply(name, tid));
    }

    /** The calling thread's kernel id, from {@code /proc/thread-self} ({@code <pid>/task/<tid>}); 0 if unknown. */
    static long currentTid() {
        try {
            Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            return Long.parseLong(link.getFileName().toString());
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            return 0;
        }
    }

    private void apply(String name, long tid) {
        if (how.schedRr()) {
            String out = run("chrt", "--rr", "--pid", "99", Long.toString(tid));
            if (out == null) {
                LOG.debug("ring thread {} (tid {}): SCHED_RR, priority 99", name, tid);
                return;
            }
            if (!rrRefusalLogged) {
                rrRefusalLogged = true;
                LOG.warn("Could not set SCHED_RR at priority 99 for the ring threads ({}); using nice {} instead",
                    out, how.fallbackNice());
            }
        }
        int nice = how.fallbackNice();
        String out = run("renice", "-n", Integer.toString(nice), "-p", Long.toString(tid));
        if (out == null) {
            LOG.debug("ring thread {} (tid {}): nice {}", name, tid, nice);
        } else if (!niceRefusalLogged) {
            niceRefusalLogged = true;
            LOG.warn("Could not set nice {} for the ring threads ({})", nice, out);
        }
    }

    /** Runs a command; null on success, else what went wrong. */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int status = p.waitFor();
            return status == 0 ? null : (out.isEmpty() ? command[0] + " exited with " + status : out);
        } catch (IOException e) {
            return command[0] + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Stops the helper thread (nothing is pending that matters). */
    void close() {
        worker.shutdownNow();
    }
}
