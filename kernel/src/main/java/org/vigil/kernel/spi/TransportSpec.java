package org.vigil.kernel.spi;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Everything a transport needs to open one ring, derived by the kernel from the configuration.
 *
 * @param ring          ring (link) number, 0 or 1
 * @param bindAddress   local address and port to receive on ({@code mcastport}, or the node's own port)
 * @param peers         every configured member's address by node id, this node included (udpu sends a
 *                      "multicast" to each of them)
 * @param mcastGroup    IP multicast group and port, or null for unicast transports
 * @param ttl           multicast TTL
 * @param mtu           largest datagram the ring may send, in bytes ({@code netmtu})
 * @param sendBuffer    socket send buffer size in bytes, 0 for the system default
 * @param receiveBuffer socket receive buffer size in bytes, 0 for the system default
 */
public record TransportSpec(int ring, InetSocketAddress bindAddress, Map<Integer, InetSocketAddress> peers,
                            InetSocketAddress mcastGroup, int ttl, int mtu, int sendBuffer, int receiveBuffer) {

    public TransportSpec {
        peers = Map.copyOf(peers);
    }
}
