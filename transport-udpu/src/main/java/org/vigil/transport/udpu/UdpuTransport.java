package org.vigil.transport.udpu;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;
import org.vigil.kernel.spi.TransportSpec;
import org.vigil.transport.udpu.netty.NettyDatagram;

/**
 * corosync's {@code udpu}: one socket bound to this node's ring address and port; a "multicast" is one unicast
 * to every configured member, this node included; the token goes to one member. Keeps no protocol state, so the
 * kernel can swap this bundle and lose only datagrams in flight.
 */
@Component(service = Transport.class, property = Transport.TYPE + "=udpu")
public final class UdpuTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.TOTEM");

    private final java.util.Set<UdpuChannel> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public Channel open(TransportSpec spec, DatagramReceiver receiver) throws IOException {
        NettyDatagram socket = NettyDatagram.open("vigil-udpu-ring" + spec.ring(), spec.bindAddress(), spec,
            receiver, b -> { });
        UdpuChannel ch = new UdpuChannel(socket, spec.peers());
        open.add(ch);
        LOG.info("udpu ring {} bound to {}, {} members", spec.ring(), spec.bindAddress(), spec.peers().size());
        return ch;
    }

    /** Closes every channel still open when the bundle stops (the kernel normally closes them first). */
    @Deactivate
    void deactivate() {
        for (UdpuChannel ch : open) {
            ch.close();
        }
    }

    private final class UdpuChannel implements Channel {
        private final NettyDatagram socket;
        private final Map<Integer, InetSocketAddress> peers;
        private final List<InetSocketAddress> everyone;

        UdpuChannel(NettyDatagram socket, Map<Integer, InetSocketAddress> peers) {
            this.socket = socket;
            this.peers = peers;
            this.everyone = List.copyOf(peers.values());
        }

        @Override
        public void send(int nodeId, ByteBuffer datagram) {
            InetSocketAddress to = peers.get(nodeId);
            if (to != null) {
                socket.sendTo(to, datagram);
            }
        }

        @Override
        public void multicast(ByteBuffer datagram) {
            socket.sendTo(everyone, datagram);
        }

        @Override
        public void close() {
            if (open.remove(this)) {
                socket.close();
            }
        }
    }
}
