package org.vigil.kernel.internal.sam;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code vigil sam run [--interval T] [--policy restart|quorum|stop] [--grace T] [--name NAME] -- CMD ARGS}: runs
 * a command under the availability manager ({@link SamSupervisor}), as corosync's SAM library runs its child.
 *
 * <p>The protocol for the supervised process, usable from any language: the environment variable
 * {@code VIGIL_SAM_FIFO} names a FIFO; each line {@code hc} written to it is a health check (from a shell:
 * {@code echo hc > "$VIGIL_SAM_FIFO"}), due at least every {@code VIGIL_SAM_INTERVAL} ms. With
 * {@code --interval 0} there are no health checks: only exits are failures. A process that does not exit within
 * the grace after SIGTERM is killed.
 *
 * <p>What happens is recorded in the node's cmap under {@code runtime.sam.NAME.*} and the quorum policy follows
 * the node's quorum, both through a {@link NodeLink} (the {@code vigil} admin client for the real command, which
 * reaches the node of {@code VIGIL_STATE_DIR}, default {@code /var/lib/vigil}). The
 * wrapper ends with the command's supervision: status 1 after a failure under the stop policy, 0 when stopped
 * (SIGTERM to the wrapper stops the command first).
 */
public final class SamRun {

    /** The node, as the wrapper sees it. */
    public interface NodeLink {
        /** Sets {@code runtime.sam.NAME.KEY}. */
        void record(String name, String key, Object value);

        /** The node's quorum, or null when it cannot be learned (no node, or no answer). */
        Boolean quorate();
    }

    /** A running supervision (for tests, and for the main's shutdown hook). */
    public static final class Instance {
        private final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
        private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-sam-timer");
            t.setDaemon(true);
            return t;
        });
        private final SamSupervisor sam;
        private final List<String> command;
        private final long interval;
        private final Path fifo;
        private final NodeLink node;
        private final String name;
        private final PrintStream log;
        private Process process;
        private long generation;
        private ScheduledFuture<?> timer;
        private long timerGeneration;
        private long lastUpdatedRecord = Long.MIN_VALUE;
        private volatile Integer finished;
        private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        private final long grace;

        Instance(String name, SamSupervisor.Policy policy, long interval, long grace, List<String> command,
                 Path fifo, NodeLink node, PrintStream log) {
            this.name = name;
            this.command = List.copyOf(command);
            this.interval = interval;
            this.fifo = fifo;
            this.node = node;
            this.log = log;
            this.grace = grace;
            this.sam = new SamSupervisor(policy, interval, grace, new Out());
        }

        /** Asks the supervision to end (the command is stopped first). */
        public void stop() {
            events.add(sam::stop);
        }

        /** Stops and waits until the supervision has ended (the wrapper's SIGTERM: the JVM ends after this). */
        void stopAndWait() {
            stop();
            try {
                ended.await(2 * grace + 5000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Runs the supervision on this thread until it ends, then removes the FIFO; returns the exit status. */
        int runToEnd() throws InterruptedException {
            try {
                return loop(sam.policy());
            } finally {
                cleanup(this);
                ended.countDown();
            }
        }

        private int loop(SamSupervisor.Policy policy) throws InterruptedException {
            Thread reader = new Thread(this::readFifo, "vigil-sam-fifo");
            reader.setDaemon(true);
            reader.start();
            if (policy == SamSupervisor.Policy.QUORUM_RESTART) {
                timers.scheduleWithFixedDelay(() -> {
                    Boolean q = node.quorate();
                    if (q != null) {
                        events.add(() -> sam.onQuorum(q));
                    }
                }, 1, 1, TimeUnit.SECONDS);
            }
            Boolean q = policy == SamSupervisor.Policy.QUORUM_RESTART ? node.quorate() : Boolean.TRUE;
            sam.start(q != null && q);
            while (finished == null) {
                events.take().run();
            }
            timers.shutdownNow();
            return finished;
        }

        private void readFifo() {
            while (finished == null) {
                // each writer's close ends a stream: open the FIFO again for the next one
                try (BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(fifo.toFile()),
                    StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.strip().equals("hc")) {
                            long now = System.nanoTime() / 1_000_000L;
                            events.add(() -> sam.onHealthCheck(now));
                        }
                    }
                } catch (IOException e) {
                    if (finished == null) {
                        log.println("vigil sam: cannot read " + fifo + ": " + e.getMessage());
                    }
                    return;
                }
            }
        }

        private final class Out implements SamSupervisor.Out {
            @Override
            public void spawn() {
                long gen = ++generation;
                ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
                pb.environment().put("VIGIL_SAM_FIFO", fifo.toString());
                pb.environment().put("VIGIL_SAM_INTERVAL", Long.toString(interval));
                try {
                    Process p = pb.start();
                    process = p;
                    p.onExit().thenAccept(x -> events.add(() -> {
                        if (gen == generation) {
                            sam.onExit(x.exitValue());
                        }
                    }));
                } catch (IOException e) {
                    log.println("vigil sam: cannot start " + command.get(0) + ": " + e.getMessage());
                    events.add(() -> {
                        if (gen == generation) {
                            sam.onExit(127);
                        }
                    });
                }
            }

            @Override
            public void terminate(boolean force) {
                Process p = process;
                if (p != null) {
                    if (force) {
                        p.destroyForcibly();
                    } else {
                        p.destroy();
                    }
                }
            }

            @Override
            public void armTimer(long delayMs) {
                if (timer != null) {
                    timer.cancel(false);
                }
                long gen = ++timerGeneration;
                timer = timers.schedule(() -> events.add(() -> {
                    if (gen == timerGeneration) {
                        sam.onTimer();
                    }
                }), delayMs, TimeUnit.MILLISECONDS);
            }

            @Override
            public void record(String key, Object value) {
                if (key.equals("last_updated")) {
                    long v = (Long) value;
                    if (lastUpdatedRecord != Long.MIN_VALUE && v - lastUpdatedRecord < 1000) {
                        return; // at most once a second to the node
                    }
                    lastUpdatedRecord = v;
                }
                node.record(name, key, value);
            }

            @Override
            public void finished(int status) {
                finished = status;
            }

            @Override
            public void log(String text) {
                log.println("vigil sam: " + name + ": " + text);
            }
        }
    }

    private SamRun() {
    }

    public static void main(String[] args) {
        String client = System.getProperty("vigil.client");
        List<String> clientArgs = new ArrayList<>();
        if (client != null) {
            clientArgs.add(client);
            String stateDir = System.getProperty("vigil.stateDir");
            if (stateDir != null && !stateDir.isEmpty()) {
                clientArgs.add("--state-dir");
                clientArgs.add(stateDir);
            }
        }
        System.exit(run(args, System.err, clientArgs.isEmpty() ? null : new ClientLink(clientArgs, System.err)));
    }

    /**
     * Parses {@code run ...} and runs it to its end; returns the exit status (2 for a usage error).
     *
     * @param node the node link, or null for none (nothing recorded; the quorum policy then never starts)
     */
    public static int run(String[] args, PrintStream err, NodeLink node) {
        Instance i;
        try {
            i = parse(args, err, node);
        } catch (IllegalArgumentException e) {
            err.println("vigil sam: " + e.getMessage() + "\n" + usage());
            return 2;
        } catch (IOException e) {
            err.println("vigil sam: " + e.getMessage());
            return 1;
        }
        Instance inst = i;
        Thread hook = new Thread(inst::stopAndWait, "vigil-sam-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return inst.runToEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down
            }
        }
    }

    /** Parses the arguments and makes the FIFO; the supervision is not started. */
    static Instance parse(String[] args, PrintStream err, NodeLink node) throws IOException {
        if (args.length == 0 || !args[0].equals("run")) {
            throw new IllegalArgumentException("the only subcommand is run");
        }
        long interval = 10_000;
        long grace = 5_000;
        SamSupervisor.Policy policy = SamSupervisor.Policy.RESTART;
        String name = null;
        int i = 1;
        for (; i < args.length && !args[i].equals("--"); i++) {
            String a = args[i];
            switch (a) {
                case "--interval" -> interval = millis(value(args, ++i, a), a, true);
                case "--grace" -> grace = millis(value(args, ++i, a), a, false);
                case "--policy" -> {
                    String p = value(args, ++i, a);
                    policy = SamSupervisor.Policy.parse(p);
                    if (policy == null) {
                        throw new IllegalArgumentException("--policy must be restart, quorum or stop, not '" + p + "'");
                    }
                }
                case "--name" -> {
                    name = value(args, ++i, a);
                    if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
                        throw new IllegalArgumentException("--name must be 1-64 letters, digits, '_' or '-'");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (i >= args.length - 1) {
            throw new IllegalArgumentException("no command after --");
        }
        List<String> command = List.of(args).subList(i + 1, args.length);
        if (name == null) {
            String base = Path.of(command.get(0)).getFileName().toString().replaceAll("[^A-Za-z0-9_-]", "_");
            name = (base.isEmpty() ? "process" : base) + "-" + ProcessHandle.current().pid();
            name = name.length() > 64 ? name.substring(name.length() - 64) : name;
        }
        Path dir = Files.createTempDirectory("vigil-sam-");
        Path fifo = dir.resolve("hc");
        try {
            Process mk = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).redirectErrorStream(true).start();
            String out = new String(mk.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!mk.waitFor(10, TimeUnit.SECONDS) || mk.exitValue() != 0) {
                throw new IOException("cannot make the health-check FIFO " + fifo + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        NodeLink link = node != null ? node : new NodeLink() {
            @Override
            public void record(String n, String key, Object value) {
            }

            @Override
            public Boolean quorate() {
                return null;
            }
        };
        return new Instance(name, policy, interval, grace, command, fifo, link, err);
    }

    private static void cleanup(Instance i) {
        try {
            // a reader blocked opening the FIFO is let go by a writer
            if (Files.exists(i.fifo)) {
                Process p = new ProcessBuilder("sh", "-c", "exec 3>\"$0\"", i.fifo.toString()).start();
                p.waitFor(2, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(i.fifo);
            Files.deleteIfExists(i.fifo.getParent());
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].equals("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** {@code 500}, {@code 500ms} or {@code 5s}, in ms. */
    static long millis(String s, String option, boolean zeroOk) {
        long mult = 1;
        String n = s;
        if (s.endsWith("ms")) {
            n = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            n = s.substring(0, s.length() - 1);
            mult = 1000;
        }
        long v;
        try {
            v = Long.parseLong(n) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a time such as 500ms or 5s, not '" + s + "'");
        }
        if (v < 0 || (v == 0 && !zeroOk) || v > 86_400_000L) {
            throw new IllegalArgumentException(option + " " + s + " is out of range");
        }
        return v;
    }

    static String usage() {
        return "usage: vigil sam run [--interval T] [--policy restart|quorum|stop] [--grace T] [--name NAME] -- CMD "
            + "ARGS\n"
            + "  runs CMD under the availability manager: a health check is 'hc' written to $VIGIL_SAM_FIFO at least\n"
            + "  every T (default 10s; 0: none, exits only); a missed check or an exit is a failure: restart (default),\n"
            + "  quorum (restart only while the node is quorate; quorum loss stops CMD) or stop. A CMD that does not\n"
            + "  exit within the grace (default 5s) after SIGTERM is killed. Recorded in cmap as runtime.sam.NAME.*";
    }

    /** The node through the {@code vigil} admin client: cmap writes and the quorum state. */
    static final class ClientLink implements NodeLink {
        private final List<String> client;
        private final PrintStream log;
        private boolean warned;

        ClientLink(List<String> client, PrintStream log) {
            this.client = client;
            this.log = log;
        }

        @Override
        public void record(String name, String key, Object value) {
            List<String> cmd = new ArrayList<>(client);
            cmd.addAll(List.of("corosync-cmapctl", "-s", "runtime.sam." + name + "." + key,
                value instanceof Long ? "u64" : "str", String.valueOf(value)));
            call(cmd);
        }

        @Override
        public Boolean quorate() {
            List<String> cmd = new ArrayList<>(client);
            cmd.addAll(List.of("corosync-quorumtool", "-s"));
            String out = call(cmd);
            if (out == null) {
                return null;
            }
            for (String l : out.split("\n")) {
                if (l.startsWith("Quorate:")) {
                    return l.contains("Yes");
                }
            }
            return null;
        }

        private String call(List<String> cmd) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return null;
                }
                if (p.exitValue() != 0 && !out.startsWith("Quorum information")) {
                    if (!warned) {
                        warned = true;
                        log.println("vigil sam: the node did not take '" + String.join(" ", cmd.subList(client.size(),
                            cmd.size())) + "': " + out.strip());
                    }
                    return null;
                }
                return out;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
