package org.vigil.quorum.internal.qnetd;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The arbiter's network side: a TCP listener and one selector thread that reads lines, feeds them to a
 * {@link QnetdCore} and writes its answers. Lines longer than {@link QnetdProtocol#MAX_LINE} are discarded up to
 * their newline and counted as malformed; a client that sends nothing (not even its heartbeat) for three of
 * the heartbeat periods it announced in HELLO (default {@value #DEFAULT_HB_MS} ms, at least
 * {@value #MIN_SILENCE_MS} ms of silence) is disconnected; at most
 * {@code maxClients} connections are accepted. Start with
 * {@link #start}, stop with {@link #close}.
 */
public final class QnetdServer implements AutoCloseable {

    /** Default TCP port, as corosync-qnetd's. */
    public static final int DEFAULT_PORT = 5403;
    /** Heartbeat assumed when a client does not give one, in ms. */
    static final long DEFAULT_HB_MS = 8000;
    /** A client is never dropped for less silence than this, in ms (a loaded JVM can stall for a second). */
    static final long MIN_SILENCE_MS = 3000;

    private final InetSocketAddress bind;
    private final int maxClients;
    private final PrintStream log;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final Map<Long, Conn> conns = new HashMap<>();
    private final PriorityQueue<long[]> timers = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final AtomicLong oversized = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final QnetdCore core;
    private Thread thread;
    private volatile boolean running = true;
    private long nextId = 1;

    private final class Conn {
        final long id;
        final SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocate(QnetdProtocol.MAX_LINE + 2);
        final Deque<ByteBuffer> out = new ArrayDeque<>();
        boolean discarding;
        boolean closing;
        long lastHeard = System.nanoTime();
        final String peer;

        Conn(long id, SocketChannel ch) throws IOException {
            this.id = id;
            this.ch = ch;
            this.peer = String.valueOf(ch.getRemoteAddress());
        }
    }

    /**
     * Opens the listener (the port is bound when this returns).
     *
     * @param bind       address and port to listen on (port 0: any free port)
     * @param maxClients most connections at once
     * @param log        where log lines go (stderr for {@code vigil qnetd})
     */
    public QnetdServer(InetSocketAddress bind, int maxClients, PrintStream log) throws IOException {
        this.bind = bind;
        this.maxClients = maxClients;
        this.log = log;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(bind, 64);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        core = new QnetdCore(new Output());
    }

    /** The address the listener is bound to. */
    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** Starts the selector thread. */
    public QnetdServer start() {
        thread = new Thread(this::loop, "vigil-qnetd");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Malformed lines ignored so far (including over-long ones). */
    public long malformed() {
        return core.malformed() + oversized.get();
    }

    /** Blocks until the server stops. */
    public void await() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            server.close();
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void loop() {
        log("vigil qnetd listening on " + bind.getHostString() + ":" + server.socket().getLocalPort());
        try {
            while (running) {
                long wait = 1000;
                long now = System.nanoTime();
                if (!timers.isEmpty()) {
                    wait = Math.max(1, (timers.peek()[0] - now) / 1_000_000);
                }
                selector.select(Math.min(wait, 1000));
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    it.remove();
                    try {
                        if (!k.isValid()) {
                            continue;
                        }
                        if (k.isAcceptable()) {
                            accept();
                        } else {
                            Conn c = (Conn) k.attachment();
                            if (k.isReadable()) {
                                read(c);
                            }
                            if (k.isValid() && k.isWritable()) {
                                write(c);
                            }
                        }
                    } catch (IOException e) {
                        if (k.attachment() instanceof Conn c) {
                            drop(c, e.getMessage() == null ? e.toString() : e.getMessage());
                        }
                    }
                }
                runTimers();
                checkIdle();
                core.tick();
            }
        } catch (IOException | RuntimeException e) {
            log("vigil qnetd stopped on error: " + e);
        } finally {
            for (Conn c : conns.values().toArray(new Conn[0])) {
                try {
                    c.ch.close();
                } catch (IOException e) {
                    // stopping
                }
            }
            conns.clear();
            stopped.countDown();
        }
    }

    private void accept() throws IOException {
        SocketChannel ch = server.accept();
        if (ch == null) {
            return;
        }
        if (conns.size() >= maxClients) {
            log("refused a connection from " + ch.getRemoteAddress() + ": " + maxClients + " clients already");
            ch.close();
            return;
        }
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Conn c = new Conn(nextId++, ch);
        conns.put(c.id, c);
        ch.register(selector, SelectionKey.OP_READ, c);
        core.connected(c.id);
    }

    private void read(Conn c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        int n = c.ch.read(buf);
        if (n < 0) {
            drop(c, "closed by the peer");
            return;
        }
        c.lastHeard = System.nanoTime();
        buf.flip();
        while (buf.hasRemaining() && conns.containsKey(c.id)) {
            byte b = buf.get();
            if (b == '\n') {
                if (c.discarding) {
                    c.discarding = false;
                    oversized.incrementAndGet();
                } else {
                    c.in.flip();
                    String line = StandardCharsets.UTF_8.decode(c.in).toString();
                    c.in.clear();
                    if (line.endsWith("\r")) {
                        line = line.substring(0, line.length() - 1);
                    }
                    core.line(c.id, line);
                }
            } else if (!c.discarding) {
                if (c.in.position() >= QnetdProtocol.MAX_LINE) {
                    c.discarding = true;
                    c.in.clear();
                } else {
                    c.in.put(b);
                }
            }
        }
    }

    private void write(Conn c) throws IOException {
        while (!c.out.isEmpty()) {
            ByteBuffer b = c.out.peekFirst();
            c.ch.write(b);
            if (b.hasRemaining()) {
                return;
            }
            c.out.removeFirst();
        }
        SelectionKey k = c.ch.keyFor(selector);
        if (c.closing) {
            drop(c, null);
        } else if (k != null) {
            k.interestOps(SelectionKey.OP_READ);
        }
    }

    private void drop(Conn c, String reason) {
        if (conns.remove(c.id) == null) {
            return;
        }
        try {
            c.ch.close();
        } catch (IOException e) {
            // gone
        }
        if (reason != null) {
            log("connection from " + c.peer + " closed: " + reason);
        }
        core.disconnected(c.id);
    }

    private void runTimers() {
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek()[0] <= now) {
            long[] t = timers.poll();
            if (conns.containsKey(t[1])) {
                core.timer(t[1]);
            }
        }
    }

    private void checkIdle() {
        long now = System.nanoTime();
        for (Conn c : conns.values().toArray(new Conn[0])) {
            long limit = Math.max(MIN_SILENCE_MS, 3 * core.heartbeat(c.id));
            if (now - c.lastHeard > limit * 1_000_000L) {
                drop(c, "nothing received for " + limit + " ms (3 heartbeats)");
            }
        }
    }

    private void log(String text) {
        log.println(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss.SSS")) + " [QNETD] " + text);
    }

    /** The core's outputs, on the selector thread. */
    private final class Output implements QnetdCore.Out {
        @Override
        public void send(long conn, String line) {
            Conn c = conns.get(conn);
            if (c == null || c.closing) {
                return;
            }
            c.out.addLast(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            try {
                write(c);
                SelectionKey k = c.ch.keyFor(selector);
                if (!c.out.isEmpty() && k != null && k.isValid()) {
                    k.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
            } catch (IOException e) {
                drop(c, e.getMessage());
            }
        }

        @Override
        public void close(long conn, String reason) {
            Conn c = conns.get(conn);
            if (c == null) {
                return;
            }
            log("closing connection from " + c.peer + ": " + reason);
            c.closing = true;
            if (c.out.isEmpty()) {
                drop(c, null);
            } else {
                SelectionKey k = c.ch.keyFor(selector);
                if (k != null && k.isValid()) {
                    k.interestOps(SelectionKey.OP_WRITE);
                }
            }
        }

        @Override
        public void timer(long conn, long delayMs) {
            timers.add(new long[] {System.nanoTime() + delayMs * 1_000_000L, conn});
        }

        @Override
        public void log(String text) {
            QnetdServer.this.log(text);
        }
    }
}
