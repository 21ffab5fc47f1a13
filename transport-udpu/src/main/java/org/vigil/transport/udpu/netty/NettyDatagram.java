package org.vigil.transport.udpu.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
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
 * thread: the bytes are copied into a pooled direct buffer at once (the caller may reuse its buffer when the
 * call returns) and written by the event loop. Failed sends are counted, never thrown.
 */
public final class NettyDatagram {

    private final EventLoopGroup group;
    private final Channel channel;
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong receiverFailures = new AtomicLong();

    private NettyDatagram(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
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
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory(name, true));
        NettyDatagram[] self = new NettyDatagram[1];
        Bootstrap b = new Bootstrap()
            .group(group)
            .channelFactory(() -> new NioDatagramChannel(InternetProtocolFamily.IPv4))
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(2048, spec.mtu() + 512)))
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
            Throwable c = f.cause();
            throw new IOException("cannot bind " + bind + ": " + (c == null ? "unknown error" : c.getMessage()), c);
        }
        self[0] = new NettyDatagram(group, f.channel());
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

    /** Sends the same datagram to several addresses (one copy of the bytes, one flush). */
    public void sendTo(List<InetSocketAddress> to, ByteBuffer datagram) {
        if (to.isEmpty() || !channel.isActive()) {
            return;
        }
        ByteBuf buf = channel.alloc().directBuffer(datagram.remaining());
        buf.writeBytes(datagram.duplicate());
        try {
            for (int i = 0; i < to.size(); i++) {
                ByteBuf copy = i == to.size() - 1 ? buf : buf.retainedDuplicate();
                channel.write(new DatagramPacket(copy, to.get(i))).addListener(w -> {
                    if (!w.isSuccess()) {
                        sendFailures.incrementAndGet();
                    }
                });
            }
        } finally {
            channel.flush();
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
