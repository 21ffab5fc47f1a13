package org.vigil.shell.client;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code vigil} command-line client: sends one command to the local node's admin socket and copies the
 * node's standard output and error to its own, exiting with the command's status. It never starts a
 * framework.
 *
 * <pre>vigil [--state-dir DIR] COMMAND [ARG...]</pre>
 * The state directory is {@code --state-dir}, else {@code $VIGIL_STATE_DIR}, else {@code /var/lib/vigil}; the
 * socket is {@code DIR/vigil.sock}. Exit status 1 with a message when no node answers there.
 *
 * <p>It never hangs: when the node sends nothing for {@link #timeoutMs} (a node that is stopped, swapping or
 * deadlocked accepts the connection but never answers), it says so and exits with 124 (Pacemaker's
 * {@code CRM_EX_TIMEOUT}). The bound is {@code $VIGIL_TIMEOUT} seconds ({@code 0}: none), else 120 s, or the
 * command's own {@code --timeout}/{@code -T}/{@code -t} value and 30 s more when that is longer (a
 * {@code crm_resource --wait --timeout 10min} may be silent for ten minutes). The perl client does the same.
 *
 * <p>Written for start-up speed: no lambdas, no string concatenation through {@code invokedynamic}, no
 * formatting classes, so the JVM loads as few classes as possible.
 */
public final class VigilClient {

    /** First line of a framed request (must match the kernel's admin socket). */
    static final String MAGIC = "\u0001VIGIL/1";

    private VigilClient() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out, System.err);
        } catch (IOException e) {
            System.err.println(new StringBuilder("vigil: ").append(e.getMessage()));
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    /** CRM_EX_TIMEOUT: the node did not answer in time. */
    static final int EX_TIMEOUT = 124;
    /** Without {@code VIGIL_TIMEOUT} or a longer timeout of the command: two minutes of silence. */
    static final long DEFAULT_TIMEOUT_MS = 120_000;

    /** Runs one command; returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        return run(args, out, err, timeoutMs(System.getenv("VIGIL_TIMEOUT"), args));
    }

    /**
     * How long the client waits for the node to send something: {@code env} (seconds, as {@code VIGIL_TIMEOUT};
     * {@code 0} is for ever, returned as 0) when set, else {@link #DEFAULT_TIMEOUT_MS}, or the command's own
     * {@code --timeout}/{@code -T} value ({@code -t} of {@code vigil wait}; a number with an optional unit ms, s, m, min or h; seconds without
     * one; an hour when it does not read as a duration) plus 30 s when that is longer.
     */
    static long timeoutMs(String env, String[] args) {
        if (env != null && !env.isEmpty()) {
            try {
                long s = Long.parseLong(env.trim());
                if (s >= 0) {
                    return s * 1000;
                }
            } catch (NumberFormatException e) {
                // an unreadable value is ignored: the default applies
            }
        }
        long t = DEFAULT_TIMEOUT_MS;
        boolean waitCommand = false;
        for (String a : args) {
            if (!a.startsWith("--state-dir")) {
                waitCommand = a.equals("wait");
                break;
            }
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = null;
            if ((a.equals("--timeout") || a.equals("-T") || (a.equals("-t") && waitCommand)) && i + 1 < args.length) {
                v = args[i + 1];
            } else if (a.startsWith("--timeout=")) {
                v = a.substring("--timeout=".length());
            }
            if (v != null) {
                long ms = durationMs(v);
                t = Math.max(t, (ms < 0 ? 3_600_000 : ms) + 30_000);
            }
        }
        return t;
    }

    /** A duration as the tools take it (seconds without a unit), or -1. */
    static long durationMs(String v) {
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 12) {
            return -1;
        }
        long n = Long.parseLong(v.substring(0, end));
        switch (v.substring(end).trim().toLowerCase(java.util.Locale.ROOT)) {
            case "ms", "msec":
                return n;
            case "", "s", "sec":
                return n * 1000;
            case "m", "min":
                return n * 60_000;
            case "h", "hr":
                return n * 3_600_000;
            default:
                return -1;
        }
    }

    /** Runs one command, waiting at most {@code timeoutMs} (0: for ever) for each answer from the node. */
    static int run(String[] args, PrintStream out, PrintStream err, long timeoutMs) throws IOException {
        String stateDir = null;
        int first = 0;
        while (first < args.length && args[first].startsWith("--state-dir")) {
            if (args[first].equals("--state-dir") && first + 1 < args.length) {
                stateDir = args[first + 1];
                first += 2;
            } else if (args[first].startsWith("--state-dir=")) {
                stateDir = args[first].substring("--state-dir=".length());
                first++;
            } else {
                err.println("vigil: --state-dir needs a directory");
                return 2;
            }
        }
        if (first >= args.length) {
            err.println("usage: vigil [--state-dir DIR] COMMAND [ARG...]   (vigil help lists the commands)");
            return 2;
        }
        if (stateDir == null) {
            stateDir = System.getenv("VIGIL_STATE_DIR");
        }
        if (stateDir == null || stateDir.isEmpty()) {
            stateDir = "/var/lib/vigil";
        }
        Path socket = Path.of(stateDir, "vigil.sock");
        if (!Files.exists(socket)) {
            err.println(new StringBuilder("vigil: no node is running with state dir ").append(stateDir)
                .append(" (no admin socket ").append(socket).append("); start one with: vigil node -c FILE")
                .append(" --state-dir ").append(stateDir));
            return 1;
        }
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (AccessDeniedException e) {
            err.println(new StringBuilder("vigil: permission denied on ").append(socket)
                .append(" (run as the user the node runs as)"));
            return 1;
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err.println(new StringBuilder("vigil: the node at ").append(stateDir).append(" is not answering (")
                .append(why).append(" on ").append(socket).append("); is it running?"));
            return 1;
        }
        try {
            send(ch, args, first);
            return receive(ch, out, err, timeoutMs);
        } catch (TimedOut e) {
            out.flush();
            err.println(new StringBuilder("vigil: no answer from the node at ").append(stateDir).append(" within ")
                .append(timeoutMs / 1000).append(" s (it may be hung or overloaded); set VIGIL_TIMEOUT=SECONDS to")
                .append(" wait longer, 0 for ever"));
            return EX_TIMEOUT;
        } finally {
            ch.close();
        }
    }

    private static void send(SocketChannel ch, String[] args, int first) throws IOException {
        int argc = args.length - first;
        byte[][] encoded = new byte[argc][];
        int size = MAGIC.length() + 16;
        for (int i = 0; i < argc; i++) {
            encoded[i] = args[first + i].getBytes(StandardCharsets.UTF_8);
            size += encoded[i].length + 12;
        }
        // the working directory, so the node resolves relative file names as the admin typed them
        String dir = System.getProperty("user.dir");
        byte[] cwd = dir == null || !dir.startsWith("/") ? null : dir.getBytes(StandardCharsets.UTF_8);
        if (cwd != null && cwd.length > 4096) {
            cwd = null;
        }
        size += cwd == null ? 0 : cwd.length + 12;
        // a command that reads its standard input (cibadmin or crm_simulate --xml-pipe) gets it sent along
        byte[] stdin = null;
        if (argc > 0 && (args[first].equals("cibadmin") || args[first].equals("crm_simulate"))) {
            for (int i = first; i < args.length; i++) {
                if (args[i].equals("-p") || args[i].equals("--xml-pipe")) {
                    stdin = System.in.readAllBytes();
                    size += stdin.length + 12;
                    break;
                }
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        putAscii(buf, MAGIC);
        buf.put((byte) '\n');
        if (stdin != null) {
            buf.put((byte) 'I');
            putAscii(buf, Integer.toString(stdin.length));
            buf.put((byte) '\n');
            buf.put(stdin);
        }
        if (cwd != null) {
            buf.put((byte) 'C');
            putAscii(buf, Integer.toString(cwd.length));
            buf.put((byte) '\n');
            buf.put(cwd);
        }
        putAscii(buf, Integer.toString(argc));
        buf.put((byte) '\n');
        for (byte[] a : encoded) {
            putAscii(buf, Integer.toString(a.length));
            buf.put((byte) '\n');
            buf.put(a);
        }
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static void putAscii(ByteBuffer buf, String s) {
        for (int i = 0; i < s.length(); i++) {
            buf.put((byte) s.charAt(i));
        }
    }

    /** Copies O/E frames to stdout/stderr until the X frame; returns its status. */
    private static int receive(SocketChannel ch, PrintStream out, PrintStream err, long timeoutMs)
        throws IOException {
        FrameReader in = new FrameReader(ch, timeoutMs);
        while (true) {
            int kind = in.read();
            if (kind == -1) {
                out.flush();
                err.println("vigil: the node closed the connection before the command finished");
                return 1;
            }
            long n = in.readNumber();
            if (kind == 'X') {
                out.flush();
                err.flush();
                return (int) n;
            }
            OutputStream target = kind == 'E' ? err : out;
            if (kind == 'E') {
                out.flush();
            }
            in.copy(n, target);
            if (kind == 'E') {
                err.flush();
            }
        }
    }

    /** The node sent nothing within the timeout. */
    private static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        TimedOut() {
            super("timed out");
        }
    }

    /** Buffered reading of the frame stream; each read waits at most the timeout (0: for ever). */
    private static final class FrameReader {
        private final SocketChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private final long timeoutMs;
        private Selector selector;

        FrameReader(SocketChannel ch, long timeoutMs) {
            this.ch = ch;
            this.timeoutMs = timeoutMs;
            buf.flip();
        }

        int read() throws IOException {
            if (!buf.hasRemaining() && !fill()) {
                return -1;
            }
            return buf.get() & 0xFF;
        }

        private boolean fill() throws IOException {
            buf.clear();
            int n;
            if (timeoutMs <= 0) {
                n = ch.read(buf);
            } else {
                if (selector == null) {
                    selector = Selector.open();
                    ch.configureBlocking(false);
                    ch.register(selector, SelectionKey.OP_READ);
                }
                long deadline = System.nanoTime() + timeoutMs * 1_000_000;
                while ((n = ch.read(buf)) == 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        selector.close();
                        throw new TimedOut();
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
            }
            buf.flip();
            return n > 0;
        }

        long readNumber() throws IOException {
            long v = 0;
            int c;
            while ((c = read()) != '\n') {
                if (c < '0' || c > '9') {
                    throw new IOException("malformed answer from the node");
                }
                v = v * 10 + (c - '0');
            }
            return v;
        }

        void copy(long n, OutputStream target) throws IOException {
            while (n > 0) {
                if (!buf.hasRemaining() && !fill()) {
                    throw new IOException("the node closed the connection in the middle of its output");
                }
                int k = (int) Math.min(n, buf.remaining());
                target.write(buf.array(), buf.position(), k);
                buf.position(buf.position() + k);
                n -= k;
            }
        }
    }
}
