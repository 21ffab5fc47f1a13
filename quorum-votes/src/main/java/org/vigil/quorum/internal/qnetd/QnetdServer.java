package org.vigil.quorum.internal.qnetd;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The arbiter's network side: a TCP listener on one Netty event loop thread whose per-connection pipeline
 * ({@link QnetdPipeline}: optional TLS, line framing with a length limit, idle detection) feeds one
 * {@link QnetdCore} and writes its answers. Start with {@link #start}, stop with {@link #close}.
 */
public final class QnetdServer implements AutoCloseable {

    /** Default TCP port, as corosync-qnetd's. */
    public static final int DEFAULT_PORT = 5403;
    /** Heartbeat assumed when a client does not give one, in ms. */
    static final long DEFAULT_HB_MS = 8000;
    /** A client is never dropped for less silence than this, in ms (a loaded JVM can stall for a second). */
    static final long MIN_SILENCE_MS = 3000;

    private final InetSocketAddress bind;
    private final PrintStream log;
    private final QnetdPipeline pipeline;
    private final EventLoopGroup group;
    private final Channel server;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean started;

    /** A plain TCP arbiter (port bound when this returns). */
    public QnetdServer(InetSocketAddress bind, int maxClients, PrintStream log) throws IOException {
        this(bind, maxClients, log, null, false);
    }

    /**
     * Opens the listener (the port is bound when this returns).
     *
     * @param bind        address and port to listen on (port 0: any free port)
     * @param maxClients  most connections at once
     * @param log         where log lines go (stderr for {@code vigil qnetd})
     * @param ssl         TLS context, or null for plain TCP
     * @param tlsRequired with TLS: refuse clients that do not speak it (otherwise both are accepted)
     */
    public QnetdServer(InetSocketAddress bind, int maxClients, PrintStream log, SslContext ssl, boolean tlsRequired)
        throws IOException {
        this.bind = bind;
        this.log = log;
        this.pipeline = new QnetdPipeline(maxClients, log, ssl, tlsRequired);
        // one thread for the listener and every connection: the core runs on it alone
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("vigil-qnetd", true));
        try {
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64).option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true).childHandler(pipeline)
                .bind(bind).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("interrupted while binding " + bind);
        } catch (Exception e) {
            // Netty rethrows the bind's IOException (e.g. the address is in use) without declaring it
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The address the listener is bound to. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Starts the core's clock (the listener accepts from the constructor on). */
    public QnetdServer start() {
        if (!started) {
            started = true;
            log("vigil qnetd listening on " + bind.getHostString() + ":" + address().getPort());
            group.scheduleAtFixedRate(pipeline.core()::tick, 1, 1, TimeUnit.SECONDS);
        }
        return this;
    }

    /** Malformed lines ignored so far (including over-long ones). */
    public long malformed() {
        return onLoop(pipeline::malformed);
    }

    /** Connections open. */
    public int connections() {
        return onLoop(pipeline::connections);
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> what) {
        try {
            return group.submit(what).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the arbiter's event loop did not answer: " + e);
        }
    }

    /** Blocks until the server stops. */
    public void await() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2000);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
        stopped.countDown();
    }

    private void log(String text) {
        log.println(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss.SSS")) + " [QNETD] " + text);
    }
}
