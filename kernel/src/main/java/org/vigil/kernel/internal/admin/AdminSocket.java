package org.vigil.kernel.internal.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/**
 * The node's local admin socket: a Unix domain socket {@code <state dir>/vigil.sock}, mode 0600, one command
 * per connection.
 *
 * <p>Two request forms are accepted (see {@code docs/design/admin-socket.md}):
 * <ul>
 * <li><b>framed</b>, used by the {@code vigil} client: the line {@value #MAGIC}, a line with the argument count,
 * then each argument as a line with its byte length followed by its UTF-8 bytes. Arguments arrive verbatim;
 * no shell or Gogo parsing. The answer is a sequence of frames: {@code O<len>\n<bytes>} (standard output),
 * {@code E<len>\n<bytes>} (standard error), and finally {@code X<status>\n};</li>
 * <li><b>plain</b>: one Gogo command line terminated by a newline; the output is streamed back raw and the
 * connection closed (handy with {@code socat - UNIX-CONNECT:vigil.sock});</li>
 * <li><b>CPG client</b>: the line {@value CpgClientSession#MAGIC} makes the connection one external process's
 * membership of one CPG group ({@link CpgClientSession}).</li>
 * </ul>
 * Commands are {@link AdminCommand} services, looked up by name (an optional {@code scope:} prefix is
 * ignored); other names go to the Gogo shell when one is running.
 */
@Component(immediate = true, service = AdminSocket.class)
public final class AdminSocket {

    /** First line of a framed request. */
    public static final String MAGIC = "\u0001VIGIL/1";
    /** Exit status for an unknown command, as a shell uses. */
    public static final int UNKNOWN_COMMAND = 127;

    private static final Logger LOG = LoggerFactory.getLogger("vigil.MAIN");
    private static final long REQUEST_TIMEOUT_MS = 10_000;

    private final Map<String, List<CommandRef>> commands = new ConcurrentHashMap<>();
    private volatile CommandProcessor gogo;
    private volatile Cpg cpg;
    private final VigilNode node;
    private final Cmap cmap;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Thread acceptor;
    private final AtomicInteger active = new AtomicInteger();
    private final AdminRequest.Limits limits = AdminRequest.Limits.DEFAULT;
    private final AdminBudget budget = AdminBudget.forThisJvm();

    private record CommandRef(AdminCommand command, ServiceReference<AdminCommand> ref) {
    }

    /**
     * How long a command that is not registered yet is waited for while the node is still starting: the socket
     * answers as soon as the kernel runs (start level 3), before the admin commands (level 4) and the CRM's (level 5)
     * exist.
     */
    static final long STARTUP_WAIT_MS = Long.getLong("vigil.admin.startupWaitMs", 60_000);

    /** True while the framework is still starting its bundles (the system bundle is STARTING). */
    private final java.util.function.BooleanSupplier starting;

    @Activate
    public AdminSocket(@Reference VigilNode node, @Reference Cmap cmap, org.osgi.framework.BundleContext context)
        throws IOException {
        this.node = node;
        this.cmap = cmap;
        this.starting = () -> {
            try {
                return context.getBundle(0).getState() == org.osgi.framework.Bundle.STARTING;
            } catch (IllegalStateException e) {
                return false;
            }
        };
        this.socketPath = node.stateDir().resolve("vigil.sock");
        Files.deleteIfExists(socketPath);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(0, 64, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "vigil-admin-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-admin-timer");
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::acceptLoop, "vigil-admin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("admin socket {} listening", socketPath);
        LOG.info("Vigil Cluster Engine ('{}'): started and ready to provide service.", node.version());
    }

    /**
     * The request handling alone, without a socket or threads: for tests (the fuzz target feeds {@link #handle}
     * bytes directly). Commands are added with {@link #bindCommand}.
     */
    AdminSocket(Cmap cmap) {
        this(cmap, () -> false);
    }

    /** As {@link #AdminSocket(Cmap)}, with what tells whether the node is still starting. */
    AdminSocket(Cmap cmap, java.util.function.BooleanSupplier starting) {
        this.starting = starting;
        this.node = null;
        this.cmap = cmap;
        this.socketPath = null;
        this.server = null;
        this.workers = null;
        this.timer = null;
        this.acceptor = null;
    }

    @Deactivate
    void deactivate() throws IOException {
        server.close();
        acceptor.interrupt();
        workers.shutdownNow();
        timer.shutdownNow();
        Files.deleteIfExists(socketPath);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindCommand(AdminCommand command, ServiceReference<AdminCommand> ref) {
        for (String name : names(ref)) {
            commands.compute(name, (k, list) -> {
                List<CommandRef> l = list == null ? new ArrayList<>() : new ArrayList<>(list);
                l.add(new CommandRef(command, ref));
                l.sort((a, b) -> b.ref().compareTo(a.ref()));
                return l;
            });
        }
    }

    /** Adds a command without a service registration (tests). */
    void addCommand(String name, AdminCommand command) {
        commands.put(name, List.of(new CommandRef(command, null)));
    }

    void unbindCommand(AdminCommand command, ServiceReference<AdminCommand> ref) {
        for (String name : names(ref)) {
            commands.computeIfPresent(name, (k, list) -> {
                List<CommandRef> l = new ArrayList<>(list);
                l.removeIf(c -> c.ref().equals(ref));
                return l.isEmpty() ? null : l;
            });
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindGogo(CommandProcessor processor) {
        gogo = processor;
    }

    void unbindGogo(CommandProcessor processor) {
        if (gogo == processor) {
            gogo = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindCpg(Cpg service) {
        cpg = service;
    }

    void unbindCpg(Cpg service) {
        if (cpg == service) {
            cpg = null;
        }
    }

    private static List<String> names(ServiceReference<?> ref) {
        Object v = ref.getProperty(AdminCommand.NAME);
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof String[] a) {
            return List.of(a);
        }
        return List.of();
    }

    /** The socket's path. */
    public Path path() {
        return socketPath;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn("admin socket accept failed: {}", e.toString());
                continue;
            }
            try {
                workers.execute(() -> serve(ch));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                reject(ch);
            }
        }
    }

    private static void reject(SocketChannel ch) {
        try (ch) {
            OutputStream out = Channels.newOutputStream(ch);
            byte[] msg = "vigil: too many concurrent admin connections; try again\n".getBytes(StandardCharsets.UTF_8);
            out.write(("E" + msg.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(msg);
            out.write("X75\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // client gone
        }
    }

    private void serve(SocketChannel ch) {
        active.incrementAndGet();
        cmap.add("stats.ipcs.global.active", 1);
        ScheduledFuture<?> watchdog = timer.schedule(() -> closeQuietly(ch), REQUEST_TIMEOUT_MS,
            TimeUnit.MILLISECONDS);
        try (ch) {
            handle(ChannelStreams.in(ch), ChannelStreams.out(ch), ch, () -> watchdog.cancel(false));
        } catch (IOException e) {
            LOG.debug("admin connection ended: {}", e.toString());
        } finally {
            watchdog.cancel(false);
            active.decrementAndGet();
            cmap.add("stats.ipcs.global.active", -1);
            cmap.add("stats.ipcs.global.closed", 1);
        }
    }

    /**
     * Handles one connection's request: a framed command, a plain command line, or a CPG client session (only
     * with a channel).
     *
     * @param requestRead called once the request has been read (the read deadline no longer applies)
     */
    void handle(InputStream in, OutputStream rawOut, SocketChannel ch, Runnable requestRead) throws IOException {
        String first;
        try {
            first = AdminRequest.readLine(in, 64 * 1024, "command");
        } catch (AdminRequest.BadRequest e) {
            cmap.add("stats.ipcs.global.rejected", 1);
            LOG.warn("admin socket: refused a request: {}", e.getMessage());
            rawOut.write(("vigil: bad request: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (first == null) {
            return;
        }
        if (first.equals(CpgClientSession.MAGIC)) {
            requestRead.run();
            Cpg service = cpg;
            if (service == null || ch == null) {
                byte[] msg = "CPG is not running on this node".getBytes(StandardCharsets.UTF_8);
                rawOut.write(java.nio.ByteBuffer.allocate(5 + msg.length).put((byte) 3).putInt(msg.length)
                    .put(msg).array());
                return;
            }
            new CpgClientSession(service, in, rawOut, ch).run();
            return;
        }
        if (first.equals(MAGIC)) {
            AdminRequest.Parsed req;
            try {
                req = AdminRequest.read(in, limits, budget);
            } catch (AdminRequest.BadRequest e) {
                cmap.add("stats.ipcs.global.rejected", 1);
                LOG.warn("admin socket: refused a request: {}", e.getMessage());
                FrameOutput frames = new FrameOutput(rawOut);
                frames.whole('E', ("vigil: bad request: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                frames.exit(2);
                // let the client finish sending what it announced (discarded), so it reads the answer
                // instead of failing on a closed socket; the watchdog still bounds the time this takes
                drain(in, e.unreadBytes());
                return;
            }
            requestRead.run();
            try {
                FrameOutput frames = new FrameOutput(rawOut);
                int status;
                CommandContext context = new CommandContext(req.cwd() != null ? req.cwd()
                    : CommandContext.ofNode().cwd(), req.stdin());
                try (PrintStream out = new PrintStream(frames.stream('O'), false, StandardCharsets.UTF_8);
                     PrintStream err = new PrintStream(frames.stream('E'), false, StandardCharsets.UTF_8)) {
                    status = execute(req.argv(), context, out, err);
                    out.flush();
                    err.flush();
                }
                frames.exit(status);
            } finally {
                budget.release(req.chargedBytes());
            }
        } else {
            requestRead.run();
            try (PrintStream out = new PrintStream(rawOut, true, StandardCharsets.UTF_8)) {
                executeLine(first, out);
            }
        }
    }

    /** Bytes of admin requests held right now (for tests: none once every request is answered). */
    long budgetInUse() {
        return budget.used();
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Reads and discards up to {@code n} bytes (a refused request's body), 64 KiB at a time. */
    private static void drain(InputStream in, long n) throws IOException {
        byte[] sink = new byte[64 * 1024];
        while (n > 0) {
            int k = in.read(sink, 0, (int) Math.min(sink.length, n));
            if (k < 0) {
                return;
            }
            n -= k;
        }
    }

    /**
     * Runs one command with verbatim arguments.
     *
     * @return the exit status
     */
    public int execute(List<String> argv, PrintStream out, PrintStream err) {
        return execute(argv, CommandContext.ofNode(), out, err);
    }

    /**
     * Runs one command with verbatim arguments for a client in {@code context}.
     *
     * @return the exit status
     */
    public int execute(List<String> argv, CommandContext context, PrintStream out, PrintStream err) {
        if (argv.isEmpty()) {
            err.println("vigil: no command given (try 'vigil help')");
            return 2;
        }
        String name = argv.get(0);
        if (lookup(name) == null && (argv.size() < 2 || lookup(name + " " + argv.get(1)) == null)) {
            awaitRegistered(argv);
        }
        if (argv.size() >= 2) {
            // two-word commands such as "pcs quorum" (several bundles contribute pcs subcommands)
            CommandRef two = lookup(name + " " + argv.get(1));
            if (two != null) {
                return run(two.command(), name + " " + argv.get(1), argv.subList(2, argv.size()), context, out, err);
            }
        }
        CommandRef cmd = lookup(name);
        if (cmd != null) {
            return run(cmd.command(), name, argv.subList(1, argv.size()), context, out, err);
        }
        CommandProcessor processor = gogo;
        if (processor != null && name.matches("[A-Za-z0-9_.:-]+")) {
            return runGogo(processor, argv, out, err);
        }
        err.println("vigil: unknown command '" + shown(name) + "' (try 'vigil help')");
        return UNKNOWN_COMMAND;
    }

    /**
     * While the node is still starting, waits (at most {@link #STARTUP_WAIT_MS}) for a command that is not
     * registered yet: a bundle started after the kernel (the CRM's, the agents') may be about to register it.
     */
    private void awaitRegistered(List<String> argv) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_WAIT_MS);
        while (starting.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (lookup(argv.get(0)) != null || argv.size() >= 2 && lookup(argv.get(0) + " " + argv.get(1)) != null) {
                return;
            }
        }
    }

    /** A word from the client as quoted in a message: at most 80 characters. */
    static String shown(String word) {
        return word.length() <= 80 ? word : word.substring(0, 77) + "... (" + word.length() + " characters)";
    }

    private CommandRef lookup(String name) {
        List<CommandRef> l = commands.get(name);
        if (l == null && name.indexOf(':') > 0) {
            l = commands.get(name.substring(name.indexOf(':') + 1));
        }
        return l == null ? null : l.get(0);
    }

    private static int run(AdminCommand command, String name, List<String> args, CommandContext context,
                           PrintStream out, PrintStream err) {
        try {
            return command.execute(List.copyOf(args), context, out, err);
        } catch (UsageException e) {
            // a message that names the tool already (the real tool's own wording, ToolOptions) is printed as it is
            err.println(e.getMessage().startsWith(name + ": ") ? e.getMessage() : name + ": " + e.getMessage());
            return e.status();
        } catch (Exception | LinkageError e) {
            LOG.warn("command {} failed", name, e);
            err.println(name + ": failed: " + e);
            return 1;
        }
    }

    private static int runGogo(CommandProcessor processor, List<String> argv, PrintStream out, PrintStream err) {
        CommandSession session = processor.createSession(InputStream.nullInputStream(), out, err);
        try {
            StringBuilder line = new StringBuilder(argv.get(0));
            for (int i = 1; i < argv.size(); i++) {
                session.put("vigil_arg" + i, argv.get(i));
                line.append(" $vigil_arg").append(i);
            }
            Object result = session.execute(line);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            return 0;
        } catch (Exception e) {
            if (e.getClass().getSimpleName().equals("CommandNotFoundException")) {
                err.println("vigil: unknown command '" + shown(argv.get(0)) + "' (try 'vigil help')");
                return UNKNOWN_COMMAND;
            }
            err.println(shown(argv.get(0)) + ": " + shown(String.valueOf(e.getMessage())));
            return 1;
        } finally {
            session.close();
        }
    }

    /** Plain mode: one Gogo command line, output raw. */
    private void executeLine(String line, PrintStream out) {
        String trimmed = line.strip();
        String[] words = trimmed.split("\\s+");
        String first = words[0];
        CommandRef cmd = words.length >= 2 ? lookup(first + " " + words[1]) : null;
        int skip = 2;
        if (cmd != null) {
            first = first + " " + words[1];
        } else {
            cmd = lookup(first);
            skip = 1;
        }
        if (cmd != null) {
            List<String> args = new ArrayList<>(List.of(words));
            args.subList(0, skip).clear();
            int status = run(cmd.command(), first, args, CommandContext.ofNode(), out, out);
            if (status != 0) {
                out.println("(exit status " + status + ")");
            }
            return;
        }
        CommandProcessor processor = gogo;
        if (processor == null) {
            out.println("vigil: unknown command '" + shown(first) + "' and no Gogo shell is running");
            return;
        }
        CommandSession session = processor.createSession(InputStream.nullInputStream(), out, out);
        try {
            Object result = session.execute(trimmed);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
        } catch (Exception e) {
            out.println("ERROR: " + e);
        } finally {
            session.close();
        }
    }

    /** Writes length-prefixed frames; each stream buffers up to 8 KiB before sending a frame. */
    private static final class FrameOutput {
        private final OutputStream raw;

        FrameOutput(OutputStream raw) {
            this.raw = raw;
        }

        synchronized void frame(char kind, byte[] b, int off, int len) throws IOException {
            raw.write((kind + Integer.toString(len) + "\n").getBytes(StandardCharsets.US_ASCII));
            raw.write(b, off, len);
            raw.flush();
        }

        /** One whole frame, written at once (never left in a buffer). */
        void whole(char kind, byte[] b) throws IOException {
            frame(kind, b, 0, b.length);
        }

        synchronized void exit(int status) throws IOException {
            raw.write(("X" + status + "\n").getBytes(StandardCharsets.US_ASCII));
            raw.flush();
        }

        OutputStream stream(char kind) {
            return new java.io.BufferedOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len > 0) {
                        frame(kind, b, off, len);
                    }
                }
            }, 8192);
        }
    }
}
