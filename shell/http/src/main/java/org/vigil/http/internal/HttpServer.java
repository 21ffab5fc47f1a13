package org.vigil.http.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP server on Netty's HTTP codec (Netty's transport is already in every node for the rings, so the
 * endpoint adds two small bundles, codec-http and handler, and no servlet container):
 * <ul>
 * <li>{@code GET /metrics}: the Prometheus text format;</li>
 * <li>{@code GET /} (and {@code /dashboard.js}, {@code /dashboard.css}): the dashboard, static files that hold no
 * data;</li>
 * <li>{@code GET /api/status}: the dashboard's JSON, polled by the page;</li>
 * <li>{@code POST /api/action}: an action, form-encoded, refused (403) unless actions are enabled; it must carry
 * the header {@code X-Vigil-Request: 1}, which a cross-site form cannot send (no CSRF from another page).</li>
 * </ul>
 * With a token configured every request but the static files needs {@code Authorization: Bearer TOKEN} (401
 * otherwise); the page asks for the token and sends it. Without one, only requests for a loopback host name are
 * answered (421 otherwise: no DNS rebinding). With a certificate it speaks only HTTPS.
 *
 * <p>Requests are answered off the event loop, by a small bounded pool: collecting the CRM's status runs crm_mon.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.HTTP");
    private static final int MAX_BODY = 16 * 1024;
    private static final Map<String, String> STATIC = Map.of(
        "/", "index.html", "/index.html", "index.html", "/dashboard.js", "dashboard.js",
        "/dashboard.css", "dashboard.css");

    private final HttpSettings settings;
    private final NodeView view;
    private final PrometheusRegistry registry;
    private final Supplier<CrmStatus> crm;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService pool;
    private final Channel channel;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder().build();

    /**
     * Binds and starts serving.
     *
     * @throws IOException if the address cannot be bound or the TLS files cannot be read
     */
    public HttpServer(HttpSettings settings, NodeView view, PrometheusRegistry registry, Supplier<CrmStatus> crm)
        throws IOException {
        this.settings = settings;
        this.view = view;
        this.registry = registry;
        this.crm = crm;
        if (!settings.loopback() && (!settings.tls() || settings.token() == null)) {
            // the configuration check refuses such a file; this keeps any other caller from opening the node
            throw new IOException("http: " + settings.bind() + " is not a loopback address: TLS and a token are "
                + "required");
        }
        SslContext ssl = null;
        if (settings.tls()) {
            try {
                ssl = SslContextBuilder.forServer(settings.tlsCert().toFile(), settings.tlsKey().toFile()).build();
            } catch (Exception e) {
                throw new IOException("http: cannot use tls_cert " + settings.tlsCert() + " / tls_key "
                    + settings.tlsKey() + ": " + e.getMessage(), e);
            }
        }
        SslContext sslContext = ssl;
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("vigil-http-accept", true));
        workers = new NioEventLoopGroup(1, new DefaultThreadFactory("vigil-http-io", true));
        pool = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(64),
            new DefaultThreadFactory("vigil-http", true));
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (sslContext != null) {
                        p.addLast(sslContext.newHandler(ch.alloc()));
                    }
                    p.addLast(new ReadTimeoutHandler(60));
                    p.addLast(new HttpServerCodec(4096, 8192, 8192));
                    p.addLast(new HttpObjectAggregator(MAX_BODY));
                    p.addLast(new Handler());
                }
            });
        try {
            channel = b.bind(new InetSocketAddress(settings.bind(), settings.port())).sync().channel();
        } catch (Exception e) {
            close();
            throw new IOException("http: cannot listen on " + settings.bind() + ":" + settings.port() + ": "
                + e.getMessage(), e);
        }
    }

    /** The port it listens on (the configured one, or the one chosen for port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2000);
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        pool.shutdownNow();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!req.decoderResult().isSuccess()) {
                send(ctx, req, text(HttpResponseStatus.BAD_REQUEST, "bad request\n"));
                return;
            }
            FullHttpRequest copy = req.retainedDuplicate();
            try {
                pool.execute(() -> {
                    try {
                        send(ctx, copy, answer(copy));
                    } catch (Exception e) {
                        LOG.warn("[HTTP] {} {} failed: {}", copy.method(), copy.uri(), e.toString());
                        send(ctx, copy, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error\n"));
                    } finally {
                        copy.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                copy.release();
                send(ctx, req, text(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy\n"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("[HTTP] connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** The response to one request (runs on the pool). */
    FullHttpResponse answer(FullHttpRequest req) throws IOException {
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String path = q.path();
        if (!hostAllowed(req.headers().get(HttpHeaderNames.HOST))) {
            return text(HttpResponseStatus.MISDIRECTED_REQUEST, "unknown Host\n");
        }
        if (req.method().equals(HttpMethod.GET) && STATIC.containsKey(path)) {
            return resource(STATIC.get(path));
        }
        if (!authorized(req)) {
            FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, "a bearer token is required\n");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"vigil\"");
            return r;
        }
        switch (path) {
            case "/metrics" -> {
                if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                    return text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n");
                }
                ByteBuf buf = Unpooled.buffer(64 * 1024);
                try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
                    writer.write(out, registry.scrape());
                }
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
                return r;
            }
            case "/api/status" -> {
                CrmStatus s = crm.get();
                String json = Json.write(DashboardStatus.build(view, s, settings.actions(),
                    System.currentTimeMillis()));
                FullHttpResponse r = bytes(HttpResponseStatus.OK, json.getBytes(StandardCharsets.UTF_8),
                    "application/json; charset=utf-8");
                return r;
            }
            case "/api/action" -> {
                if (!req.method().equals(HttpMethod.POST)) {
                    return text(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST only\n");
                }
                if (!settings.actions()) {
                    return text(HttpResponseStatus.FORBIDDEN,
                        "actions are disabled on this node (http.actions: yes enables them)\n");
                }
                if (!"1".equals(req.headers().get("X-Vigil-Request"))) {
                    return text(HttpResponseStatus.FORBIDDEN, "the X-Vigil-Request: 1 header is required\n");
                }
                Map<String, String> params = new LinkedHashMap<>();
                QueryStringDecoder body = new QueryStringDecoder(req.content().toString(StandardCharsets.UTF_8),
                    false);
                for (Map.Entry<String, List<String>> e : body.parameters().entrySet()) {
                    params.put(e.getKey(), e.getValue().get(0));
                }
                try {
                    Actions.Result res = Actions.run(view, params);
                    LOG.info("[HTTP] action {} from {}: exit {}", params, "dashboard", res.status());
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("status", res.status());
                    m.put("output", res.output());
                    return bytes(res.status() == 0 ? HttpResponseStatus.OK : HttpResponseStatus.CONFLICT,
                        Json.write(m).getBytes(StandardCharsets.UTF_8), "application/json; charset=utf-8");
                } catch (IllegalArgumentException e) {
                    return text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
                } catch (Exception e) {
                    return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the action failed: " + e + "\n");
                }
            }
            default -> {
                return text(HttpResponseStatus.NOT_FOUND, "not found\n");
            }
        }
    }

    /**
     * Without a token, only requests addressed to a loopback name or address (or the bind address) are answered: a
     * web page whose own host name an attacker points at 127.0.0.1 (DNS rebinding) would otherwise read the status
     * and, with actions enabled, send them from the admin's browser. With a token the token decides.
     */
    boolean hostAllowed(String host) {
        if (settings.token() != null) {
            return true;
        }
        if (host == null) {
            return false;
        }
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h : h.substring(1, end);
        } else if (h.indexOf(':') == h.lastIndexOf(':') && h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equals("localhost") || h.equals(settings.bind()) || h.equals("::1") || h.startsWith("127.")
            && h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private boolean authorized(FullHttpRequest req) {
        String token = settings.token();
        if (token == null) {
            return true;
        }
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(h.substring(7).strip().getBytes(StandardCharsets.UTF_8),
            token.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse resource(String name) throws IOException {
        try (InputStream in = HttpServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                return text(HttpResponseStatus.NOT_FOUND, "not found\n");
            }
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            return bytes(HttpResponseStatus.OK, in.readAllBytes(), type);
        }
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        return bytes(status, body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    static FullHttpResponse bytes(HttpResponseStatus status, byte[] body, String type) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set("X-Content-Type-Options", "nosniff");
        // the page runs only its own script and connects only to this node
        r.headers().set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; frame-ancestors 'none'");
        r.headers().set("Referrer-Policy", "no-referrer");
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.method().equals(HttpMethod.HEAD)) {
            r.content().clear();
        }
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
