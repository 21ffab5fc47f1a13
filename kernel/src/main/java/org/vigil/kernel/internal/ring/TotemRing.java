package org.vigil.kernel.internal.ring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.transport.TransportRegistry;
import org.vigil.kernel.internal.wire.AuthKey;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;

/**
 * The node's ring: runs a {@link RingDriver} on the transports the {@link TransportRegistry} holds, and
 * publishes the {@link ClusterMembership} and {@link Cpg} services on it. The transports' bundles may come and
 * go (upgrades); this component stays, and so do the ring and its members.
 */
@Component(immediate = true, service = TotemRing.class)
public final class TotemRing {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.TOTEM");

    private final RingDriver driver;
    private final ServiceRegistration<?> registration;

    @Activate
    public TotemRing(@Reference VigilNode node, @Reference Cmap cmap, @Reference TransportRegistry transports,
                     BundleContext context) throws IOException {
        VigilConfig cfg = node.config();
        byte[] key = null;
        if (cfg.totem().secure()) {
            Path keyfile = AuthKey.keyFile(cfg, node.stateDir());
            key = AuthKey.load(keyfile);
            LOG.info("crypto {}/{} with the key in {}", cfg.totem().cryptoCipher(), cfg.totem().cryptoHash(), keyfile);
        }
        driver = new RingDriver(cfg, node.nodeId(), node.stateDir(), cmap, new RingDriver.Links() {
            @Override
            public Transport.Channel channel(int ring) {
                return transports.channel(ring).orElse(null);
            }

            @Override
            public void setReceiver(DatagramReceiver receiver) {
                transports.setReceiver(receiver);
            }
        }, key).start();
        Cpg cpg = new Cpg() {
            @Override
            public CpgGroup join(String group, CpgListener listener) {
                return driver.cpg().join(group, listener);
            }

            @Override
            public CpgGroup join(String group, CpgListener listener, long pid) {
                return driver.cpg().join(group, listener, pid);
            }

            @Override
            public Map<String, List<CpgMember>> groups() {
                return driver.cpg().groups();
            }
        };
        registration = context.registerService(new String[] {ClusterMembership.class.getName(), Cpg.class.getName()},
            new Services(driver, cpg), null);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        driver.close();
    }

    /** One object behind both service interfaces. */
    private record Services(RingDriver ring, Cpg cpg) implements ClusterMembership, Cpg {
        @Override
        public org.vigil.kernel.api.MembershipEvent current() {
            return ring.current();
        }

        @Override
        public AutoCloseable addListener(org.vigil.kernel.api.MembershipListener listener) {
            return ring.addListener(listener);
        }

        @Override
        public CpgGroup join(String group, CpgListener listener) {
            return cpg.join(group, listener);
        }

        @Override
        public CpgGroup join(String group, CpgListener listener, long pid) {
            return cpg.join(group, listener, pid);
        }

        @Override
        public Map<String, List<CpgMember>> groups() {
            return cpg.groups();
        }

        @Override
        public java.util.Optional<org.vigil.kernel.api.NodeRelease> release(int nodeId) {
            return ring.release(nodeId);
        }

        @Override
        public List<String> features() {
            return ring.features();
        }
    }
}
