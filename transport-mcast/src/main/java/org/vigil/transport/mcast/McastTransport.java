package org.vigil.transport.mcast;

import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;
import org.vigil.kernel.spi.TransportSpec;
import org.vigil.transport.udpu.netty.NettyDatagram;

/**
 * corosync's {@code udp} transport: IP multicast to {@code mcastaddr}. Like corosync it uses two sockets per
 * ring: one bound to the group address and port, joined to the group on the interface that holds this node's
 * ring address (it receives the multicasts, this node's own included: loopback is on); and one bound to the
 * node's own address and port, which receives the unicast token and sends everything, with the multicast
 * interface and TTL set. Keeps no protocol state.
 */
@Component(service = Transport.class, property = Transport.TYPE + "=udp")
public final class McastTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.TOTEM");

    private final Set<McastChannel> open = ConcurrentHashMap.newKeySet();

    @Override
    public Channel open(TransportSpec spec, DatagramReceiver receiver) throws IOException {
        InetSocketAddress group = spec.mcastGroup();
        if (group == null || !group.getAddress().isMulticastAddress()) {
            throw new IOException("transport udp needs a multicast group (interface mcastaddr), got " + group);
        }
        NetworkInterface nif = iface(spec.bindAddress());
        NettyDatagram token = NettyDatagram.open("vigil-mcast-ring" + spec.ring(), spec.bindAddress(), spec,
            // The JDK's own options: Netty's IP_MULTICAST_LOOP_DISABLED passes its value to IP_MULTICAST_LOOP
            // uninverted in 4.1, which would switch loopback off when asked to keep it on.
            receiver, b -> b.option(NioChannelOption.of(StandardSocketOptions.IP_MULTICAST_IF), nif)
                .option(NioChannelOption.of(StandardSocketOptions.IP_MULTICAST_TTL), spec.ttl())
                .option(NioChannelOption.of(StandardSocketOptions.IP_MULTICAST_LOOP), true));
        NettyDatagram members;
        try {
            members = NettyDatagram.open("vigil-mcast-group" + spec.ring(), group, spec, receiver, b -> { });
            ((NioDatagramChannel) members.channel()).joinGroup(group, nif).sync();
        } catch (IOException e) {
            token.close();
            throw e;
        } catch (Exception e) {
            token.close();
            throw new IOException("cannot join " + group.getAddress() + " on " + nif.getName() + ": " + e.getMessage(),
                e);
        }
        McastChannel ch = new McastChannel(token, members, group, spec.peers());
        open.add(ch);
        LOG.info("udp ring {}: group {} on {} ({}), token socket {}", spec.ring(), group, nif.getName(),
            spec.bindAddress().getAddress().getHostAddress(), spec.bindAddress());
        return ch;
    }

    private static NetworkInterface iface(InetSocketAddress bind) throws IOException {
        try {
            NetworkInterface nif = NetworkInterface.getByInetAddress(bind.getAddress());
            if (nif == null) {
                throw new IOException("no local interface has the address " + bind.getAddress().getHostAddress());
            }
            if (!nif.supportsMulticast()) {
                throw new IOException("interface " + nif.getName() + " does not support multicast");
            }
            return nif;
        } catch (SocketException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        for (McastChannel ch : open) {
            ch.close();
        }
    }

    private final class McastChannel implements Channel {
        private final NettyDatagram token;
        private final NettyDatagram members;
        private final InetSocketAddress group;
        private final Map<Integer, InetSocketAddress> peers;

        McastChannel(NettyDatagram token, NettyDatagram members, InetSocketAddress group,
                     Map<Integer, InetSocketAddress> peers) {
            this.token = token;
            this.members = members;
            this.group = group;
            this.peers = peers;
        }

        @Override
        public void send(int nodeId, ByteBuffer datagram) {
            InetSocketAddress to = peers.get(nodeId);
            if (to != null) {
                token.sendTo(to, datagram);
            }
        }

        @Override
        public void multicast(ByteBuffer datagram) {
            token.sendTo(group, datagram);
        }

        @Override
        public void close() {
            if (open.remove(this)) {
                members.close();
                token.close();
            }
        }
    }
}
