package org.vigil.quorum.internal.qnetd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The arbiter's Netty pipeline, one per connection, around one shared {@link QnetdCore}:
 *
 * <ol>
 * <li>optionally TLS ({@code tls}: required, or offered: a client may speak TLS or plain TCP, as corosync-qnetd's
 * {@code tls=on});</li>
 * <li>{@code lines}: line framing, at most {@link QnetdProtocol#MAX_LINE} bytes a line; a longer line is discarded up
 * to its newline and counted as malformed (the connection stays);</li>
 * <li>{@code idle}: a client that sends nothing (not even its heartbeat) for three of the heartbeat periods it
 * announced in HELLO ({@value QnetdServer#DEFAULT_HB_MS} ms before), and at least
 * {@value QnetdServer#MIN_SILENCE_MS} ms, is disconnected;</li>
 * <li>{@code core}: the protocol core; its outputs go back to the connections.</li>
 * </ol>
 *
 * <p>All channels must run on one event loop (the core is not thread-safe): {@link QnetdServer} uses a single
 * thread; tests use {@code EmbeddedChannel}s on their own thread. At most {@code maxClients} connections are kept;
 * more are closed at once.
 */
@ChannelHandler.Sharable
final class QnetdPipeline extends ChannelInitializer<Channel> {

    private final QnetdCore core;
    private final int maxClients;
    private final PrintStream log;
    private final SslContext ssl;
    private final boolean tlsRequired;
    /** Makes the idle handler for a silence limit in ms (tests: one on a virtual clock). */
    private final java.util.function.LongFunction<IdleStateHandler> idle;
    private final Map<Long, Channel> conns = new HashMap<>();
    /** Connections the core closed: nothing more is sent to them. */
    private final java.util.Set<Long> closing = new java.util.HashSet<>();
    private final AtomicLong oversized = new AtomicLong();
    private long nextId = 1;

    /**
     * @param maxClients  most connections at once
     * @param log         where log lines go
     * @param ssl         the server's TLS context, or null for plain TCP only
     * @param tlsRequired with {@code ssl}: every client must speak TLS (otherwise TLS is offered)
     */
    QnetdPipeline(int maxClients, PrintStream log, SslContext ssl, boolean tlsRequired) {
        this(maxClients, log, ssl, tlsRequired, ms -> new IdleStateHandler(ms, 0, 0, TimeUnit.MILLISECONDS));
    }

    QnetdPipeline(int maxClients, PrintStream log, SslContext ssl, boolean tlsRequired,
                  java.util.function.LongFunction<IdleStateHandler> idle) {
        this.idle = idle;
        this.maxClients = maxClients;
        this.log = log;
        this.ssl = ssl;
        this.tlsRequired = tlsRequired;
        this.core = new QnetdCore(new Output());
    }

    QnetdCore core() {
        return core;
    }

    /** Malformed lines ignored so far (including over-long ones). */
    long malformed() {
        return core.malformed() + oversized.get();
    }

    /** Connections open. */
    int connections() {
        return conns.size();
    }

    static long silenceLimitMs(long heartbeatMs) {
        return Math.max(QnetdServer.MIN_SILENCE_MS, 3 * heartbeatMs);
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast("tls", tlsRequired ? ssl.newHandler(ch.alloc()) : new OptionalSslHandler(ssl));
        }
        p.addLast("lines", new LineBasedFrameDecoder(QnetdProtocol.MAX_LINE, true, true));
        p.addLast("idle", idle(QnetdServer.DEFAULT_HB_MS));
        p.addLast("core", new Connection());
    }

    private IdleStateHandler idle(long heartbeatMs) {
        return idle.apply(silenceLimitMs(heartbeatMs));
    }

    /** One connection's end of the core (not sharable). */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private long id;
        private String peer;
        private long heartbeat = QnetdServer.DEFAULT_HB_MS;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            peer = String.valueOf(ctx.channel().remoteAddress());
            if (conns.size() >= maxClients) {
                log("refused a connection from " + peer + ": " + maxClients + " clients already");
                ctx.close();
                return;
            }
            id = nextId++;
            conns.put(id, ctx.channel());
            core.connected(id);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            String line;
            try {
                line = buf.toString(StandardCharsets.UTF_8);
            } finally {
                buf.release();
            }
            if (id == 0 || !conns.containsKey(id) || closing.contains(id)) {
                return;
            }
            core.line(id, line);
            long hb = core.heartbeat(id);
            if (hb != heartbeat && ctx.channel().isActive() && ctx.pipeline().get("idle") != null) {
                // HELLO announced the client's heartbeat: its silence limit follows it
                heartbeat = hb;
                ctx.pipeline().replace("idle", "idle", idle(hb));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
                drop(ctx, "nothing received for " + silenceLimitMs(heartbeat) + " ms (3 heartbeats)");
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                // the framing discards the rest of the line; the connection stays
                oversized.incrementAndGet();
                return;
            }
            Throwable why = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            drop(ctx, why.getMessage() == null ? why.toString() : why.getMessage());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (id != 0 && conns.remove(id) != null) {
                if (!closing.remove(id)) {
                    log("connection from " + peer + " closed by the peer");
                }
                core.disconnected(id);
            }
            ctx.fireChannelInactive();
        }

        private void drop(ChannelHandlerContext ctx, String reason) {
            if (id != 0 && conns.remove(id) != null) {
                closing.remove(id);
                log("connection from " + peer + " closed: " + reason);
                core.disconnected(id);
            }
            ctx.close();
        }
    }

    private void log(String text) {
        log.println(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss.SSS")) + " [QNETD] " + text);
    }

    /** The core's outputs, on the event loop. */
    private final class Output implements QnetdCore.Out {
        @Override
        public void send(long conn, String line) {
            Channel ch = conns.get(conn);
            if (ch != null && !closing.contains(conn)) {
                ch.writeAndFlush(Unpooled.copiedBuffer(line + "\n", StandardCharsets.UTF_8));
            }
        }

        @Override
        public void close(long conn, String reason) {
            Channel ch = conns.get(conn);
            if (ch == null || !closing.add(conn)) {
                return;
            }
            log("closing connection from " + ch.remoteAddress() + ": " + reason);
            // after the lines already written; the core hears of it when the channel is closed
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void timer(long conn, long delayMs) {
            Channel ch = conns.get(conn);
            if (ch != null) {
                ch.eventLoop().schedule(() -> {
                    if (conns.get(conn) == ch) {
                        core.timer(conn);
                    }
                }, delayMs, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void log(String text) {
            QnetdPipeline.this.log(text);
        }
    }
}
