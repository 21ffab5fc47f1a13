package org.vigil.itest.plugin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;
import org.vigil.kernel.spi.TransportSpec;

/**
 * A minimal plug-in transport (plain NIO UDP, one reader thread) packaged at test time as a separate bundle in
 * two versions, to prove the kernel rebinds a greedy dynamic reference when a plug-in bundle is updated.
 */
public class DatagramTransport implements Transport {

    @Override
    public Channel open(TransportSpec spec, DatagramReceiver receiver) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(spec.bindAddress());
        Thread reader = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (ch.isOpen()) {
                try {
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
                    buf.flip();
                    receiver.received(spec.ring(), from, buf);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    // keep reading
                }
            }
        }, "itest-transport-" + spec.ring());
        reader.setDaemon(true);
        reader.start();
        Map<Integer, InetSocketAddress> peers = spec.peers();
        return new Channel() {
            @Override
            public void send(int nodeId, ByteBuffer datagram) {
                InetSocketAddress to = peers.get(nodeId);
                if (to != null) {
                    try {
                        ch.send(datagram.duplicate(), to);
                    } catch (IOException e) {
                        // dropped, as the contract allows
                    }
                }
            }

            @Override
            public void multicast(ByteBuffer datagram) {
                for (Integer id : peers.keySet()) {
                    send(id, datagram);
                }
            }

            @Override
            public void close() {
                try {
                    ch.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        };
    }
}
