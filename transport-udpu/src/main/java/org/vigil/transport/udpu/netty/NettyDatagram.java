package org.vigil.transport.udpu.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.TransportSpec;

/**
 * One bound Netty datagram socket with its own single-threaded event loop: what both Vigil transports share
 * (this package is copied into the multicast bundle by bnd, so the two bundles never wire to each other).
 *
 * <p>Received datagrams go to the {@link DatagramReceiver} on the event-loop thread. Sends may come from any
 * thread and go straight to the kernel on the caller's thread (the JDK socket under the Netty channel is
 * non-blocking and allows one writer next to the event loop's reader), so the caller may reuse its buffer when
 * the call returns and a packet costs no hand-over to the event loop. Callers serialise their sends (the ring's
 * protocol thread is the only sender). A send the kernel refuses (socket buffer full, unreachable, closed) is
 * counted, never thrown: to Totem it is a lost datagram, which it recovers like any other.
 */
public final class NettyDatagram {

    private final EventLoopGroup group;
    private final Channel channel;
    /** Largest UDP datagram (IPv4/IPv6 payload limit, rounded up): every read buffer holds one whole. */
    public static final int MAX_DATAGRAM = 65_536;

    private final java.nio.channels.DatagramChannel socket;
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong receiverFailures = new AtomicLong();

    private NettyDatagram(EventLoopGroup group, Channel channel, java.nio.channels.DatagramChannel socket) {
        this.group = group;
        this.channel = channel;
        this.socket = socket;
    }

    /**
     * Binds a datagram socket.
     *
     * @param name      thread name prefix, e.g. {@code vigil-udpu-ring0}
     * @param bind      local address and port to bind
     * @param spec      buffer sizes, MTU, ring number
     * @param receiver  where received datagrams go
     * @param customize extra socket options (multicast TTL, loopback) applied to the bootstrap
     * @throws IOException if the socket cannot be bound; nothing stays open then
     */
    public static NettyDatagram open(String name, InetSocketAddress bind, TransportSpec spec,
                                     DatagramReceiver receiver, Consumer<Bootstrap> customize) throws IOException {
        java.nio.channels.DatagramChannel socket =
            java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory(name, true));
        NettyDatagram[] self = new NettyDatagram[1];
        Bootstrap b = new Bootstrap()
            .group(group)
            .channelFactory(() -> new NioDatagramChannel(socket))
            .option(ChannelOption.SO_REUSEADDR, true)
            // every datagram a peer may send is read whole, whatever this node's netmtu: a peer may send larger
            // packets (a netmtu changed node by node, or a peer without netmtu, whose packets go up to 64 KiB)
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
            .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                    try {
                        receiver.received(spec.ring(), p.sender(), p.content().nioBuffer());
                    } catch (RuntimeException e) {
                        self[0].receiverFailures.incrementAndGet();
                    }
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    self[0].receiverFailures.incrementAndGet();
                }
            });
        if (spec.receiveBuffer() > 0) {
            b.option(ChannelOption.SO_RCVBUF, spec.receiveBuffer());
        }
        if (spec.sendBuffer() > 0) {
            b.option(ChannelOption.SO_SNDBUF, spec.sendBuffer());
        }
        customize.accept(b);
        ChannelFuture f = b.bind(bind).awaitUninterruptibly();
        if (!f.isSuccess()) {
            group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            socket.close();
            Throwable c = f.cause();
            throw new IOException("cannot bind " + bind + ": " + (c == null ? "unknown error" : c.getMessage()), c);
        }
        self[0] = new NettyDatagram(group, f.channel(), socket);
        return self[0];
    }

    /** The bound socket, e.g. to join a multicast group. */
    public Channel channel() {
        return channel;
    }

    /** Sends one datagram to one address. */
    public void sendTo(InetSocketAddress to, ByteBuffer datagram) {
        sendTo(List.of(to), datagram);
    }

    /** Sends the same datagram to several addresses, now, on the caller's thread. */
    public void sendTo(List<InetSocketAddress> to, ByteBuffer datagram) {
        if (to.isEmpty() || !socket.isOpen()) {
            return;
        }
        ByteBuffer src = datagram.duplicate();
        int start = src.position();
        for (int i = 0; i < to.size(); i++) {
            src.position(start);
            try {
                if (socket.send(src, to.get(i)) == 0) {
                    sendFailures.incrementAndGet();   // the socket's send buffer is full
                }
            } catch (IOException | RuntimeException e) {
                sendFailures.incrementAndGet();
            }
        }
    }

    /** Datagrams whose send failed (unreachable, buffer full, socket closed). */
    public long sendFailures() {
        return sendFailures.get();
    }

    /** Datagrams the receiver threw on (should stay 0). */
    public long receiverFailures() {
        return receiverFailures.get();
    }

    /** Closes the socket and stops the event loop. Idempotent; returns when the socket is closed. */
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
