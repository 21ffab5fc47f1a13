package org.vigil.kernel.internal.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;
import org.vigil.kernel.spi.TransportSpec;

/**
 * Binds {@link Transport} services and keeps one open channel per configured ring, using the highest-ranked
 * service whose {@value Transport#TYPE} matches {@code totem.transport}.
 *
 * <p>The reference is dynamic and greedy: when a transport bundle is updated its old service goes away and
 * the new one arrives, and this component only rebinds (closes the old channel, opens the new one); it is never
 * deactivated. Swaps are recorded in cmap under {@code runtime.transport.ring<N>.*}.
 */
@Component(immediate = true, service = TransportRegistry.class)
public final class TransportRegistry {

    /** Socket send and receive buffer size asked for when the ring's packets are larger than 1500 bytes. */
    static final int LARGE_PACKET_SOCKET_BUFFER = 4 << 20;


    private static final Logger LOG = LoggerFactory.getLogger("vigil.TOTEM");

    private final VigilNode node;
    private final Cmap cmap;
    private final ConcurrentSkipListMap<ServiceReference<Transport>, Transport> bound =
        new ConcurrentSkipListMap<>((a, b) -> b.compareTo(a));
    private final Map<Integer, Active> active = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private volatile DatagramReceiver downstream = (ring, from, datagram) -> { };
    private boolean activated;

    private record Active(ServiceReference<Transport> ref, Transport.Channel channel) {
    }

    @Activate
    public TransportRegistry(@Reference VigilNode node, @Reference Cmap cmap) {
        this.node = node;
        this.cmap = cmap;
    }

    @Activate
    synchronized void activate() {
        activated = true;
        // Counts activations of this component: an in-place plug-in upgrade must never raise it.
        cmap.add("runtime.transport.registry_activations", 1);
        reselect();
    }

    @Deactivate
    synchronized void deactivate() {
        activated = false;
        for (Active a : active.values()) {
            a.channel().close();
        }
        active.clear();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindTransport(Transport transport, ServiceReference<Transport> ref) {
        bound.put(ref, transport);
        LOG.info("transport service bound: {} from {} {}", ref.getProperty(Transport.TYPE),
            ref.getBundle().getSymbolicName(), ref.getBundle().getVersion());
        if (activated) {
            reselect();
        }
    }

    synchronized void unbindTransport(Transport transport, ServiceReference<Transport> ref) {
        bound.remove(ref);
        LOG.info("transport service unbound: {} from {} {}", ref.getProperty(Transport.TYPE),
            ref.getBundle().getSymbolicName(), ref.getBundle().getVersion());
        if (activated) {
            reselect();
        }
    }

    /** Where received datagrams go (the Totem driver); by default they are only counted. */
    public void setReceiver(DatagramReceiver receiver) {
        downstream = receiver;
    }

    /**
     * The open channel of a ring, if any. Lock-free: the ring's I/O threads call it while they run the engine,
     * and a swap waits for the old channel's I/O thread to stop while it holds this registry's lock.
     */
    public Optional<Transport.Channel> channel(int ring) {
        Active a = active.get(ring);
        return a == null ? Optional.empty() : Optional.of(a.channel());
    }

    /** Datagrams received on all rings since start. */
    public long receivedDatagrams() {
        return received.get();
    }

    private void reselect() {
        VigilConfig cfg = node.config();
        String type = cfg.totem().transport();
        int rings = cfg.totem().rrpMode().equals("none") ? 1 : Math.max(1, cfg.interfaces().size());
        for (int ring = 0; ring < rings; ring++) {
            ServiceReference<Transport> best = null;
            for (ServiceReference<Transport> ref : bound.keySet()) {
                if (type.equals(ref.getProperty(Transport.TYPE))) {
                    best = ref;
                    break;
                }
            }
            Active current = active.get(ring);
            if (current != null && current.ref().equals(best)) {
                continue;
            }
            if (current != null) {
                active.remove(ring);   // no more sends on it, then close it
                current.channel().close();
                LOG.info("ring {}: closed transport {} {}", ring, current.ref().getBundle().getSymbolicName(),
                    current.ref().getBundle().getVersion());
            }
            if (best == null) {
                cmap.setString("runtime.transport.ring" + ring + ".status", "no transport");
                continue;
            }
            open(ring, best);
        }
    }

    private void open(int ring, ServiceReference<Transport> ref) {
        Transport t = bound.get(ref);
        String p = "runtime.transport.ring" + ring + ".";
        try {
            TransportSpec spec = spec(ring);
            Transport.Channel ch = t.open(spec, this::received);
            active.put(ring, new Active(ref, ch));
            cmap.setString(p + "status", "open");
            cmap.setString(p + "type", String.valueOf(ref.getProperty(Transport.TYPE)));
            cmap.setString(p + "bundle", ref.getBundle().getSymbolicName());
            cmap.setString(p + "bundle_version", ref.getBundle().getVersion().toString());
            cmap.set(p + "service_id", CmapType.UINT64, ref.getProperty("service.id"));
            cmap.add(p + "opened", 1);
            LOG.info("ring {}: transport {} {} open on {}", ring, ref.getBundle().getSymbolicName(),
                ref.getBundle().getVersion(), spec.bindAddress());
        } catch (IOException | RuntimeException e) {
            cmap.setString(p + "status", "failed: " + e.getMessage());
            LOG.error("ring {}: cannot open transport {}: {}", ring, ref.getBundle().getSymbolicName(), e.toString());
        }
    }

    private void received(int ring, InetSocketAddress from, ByteBuffer datagram) {
        received.incrementAndGet();
        downstream.received(ring, from, datagram);
    }

    /** The transport spec of a ring, from the configuration and the local node. */
    public TransportSpec spec(int ring) throws IOException {
        VigilConfig cfg = node.config();
        VigilConfig.Node self = cfg.node(node.nodeId()).orElseThrow();
        int defaultPort = cfg.iface(ring).map(VigilConfig.Interface::mcastport).orElse(5405 + ring);
        Map<Integer, InetSocketAddress> peers = new HashMap<>();
        for (VigilConfig.Node n : cfg.nodes()) {
            String addr = n.addresses().get(ring);
            if (addr != null) {
                peers.put(n.nodeId(), new InetSocketAddress(InetAddress.getByName(addr),
                    n.ports().getOrDefault(ring, defaultPort)));
            }
        }
        InetSocketAddress bind = peers.get(self.nodeId());
        if (bind == null) {
            throw new IOException("this node has no ring" + ring + "_addr");
        }
        InetSocketAddress group = null;
        Optional<VigilConfig.Interface> iface = cfg.iface(ring);
        if (iface.isPresent() && iface.get().mcastaddr() != null) {
            group = new InetSocketAddress(InetAddress.getByName(iface.get().mcastaddr()), iface.get().mcastport());
        }
        int mtu = cfg.totem().netmtu();
        // Packets larger than an Ethernet frame arrive as IP fragments and a token visit can bring max_messages of
        // them: socket buffers of 4 MiB (the kernel caps them at net.core.[rw]mem_max) hold a visit's burst.
        int buffer = mtu > 1500 ? LARGE_PACKET_SOCKET_BUFFER : 0;
        return new TransportSpec(ring, bind, peers, group, iface.map(VigilConfig.Interface::ttl).orElse(1),
            mtu, buffer, buffer);
    }
}
