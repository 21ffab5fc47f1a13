package org.vigil.transport.mcast;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.vigil.kernel.spi.Transport;
import org.vigil.kernel.spi.TransportSpec;

/**
 * Run inside a network namespace by {@link McastTransportSystemTest}: opens one udp (multicast) channel per
 * address on a shared group, multicasts from node 1, sends a unicast from node 2 to node 3, and prints what each
 * node received, one line per datagram ({@code node N got TEXT}).
 */
public final class McastProbe {

    public static void main(String[] args) throws Exception {
        String[] addrs = args[0].split(",");
        InetSocketAddress group = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        Map<Integer, InetSocketAddress> peers = new HashMap<>();
        for (int i = 0; i < addrs.length; i++) {
            peers.put(i + 1, new InetSocketAddress(InetAddress.getByName(addrs[i]), group.getPort()));
        }
        McastTransport t = new McastTransport();
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        List<Transport.Channel> chans = new ArrayList<>();
        for (int n = 1; n <= addrs.length; n++) {
            int node = n;
            chans.add(t.open(new TransportSpec(0, peers.get(n), peers, group, 1, 1500, 0, 0), (ring, from, d) -> {
                byte[] b = new byte[d.remaining()];
                d.get(b);
                got.add("node " + node + " got " + new String(b, StandardCharsets.UTF_8) + " from "
                    + from.getAddress().getHostAddress());
            }));
        }
        chans.get(0).multicast(ByteBuffer.wrap("group-hello".getBytes(StandardCharsets.UTF_8)));
        chans.get(1).send(3, ByteBuffer.wrap("token-2-to-3".getBytes(StandardCharsets.UTF_8)));
        Thread.sleep(1500);
        chans.forEach(Transport.Channel::close);
        got.stream().sorted().forEach(System.out::println);
        System.out.println("done");
    }
}
