package org.vigil.quorum.internal.qdevice;

import java.util.Optional;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.spi.VoteContext;
import org.vigil.kernel.spi.VoteProvider;
import org.vigil.quorum.internal.driver.ExecutorScheduler;
import org.vigil.quorum.internal.driver.Scheduler;

/**
 * The quorum (tie-breaker) device as the kernel's {@code device} vote provider: when {@code quorum.device} is
 * configured (model {@code net}) it runs a {@link QdeviceClient} to the {@code vigil qnetd} arbiter; otherwise it
 * stays idle. Also registered under its own class for {@code corosync-quorumtool}.
 */
@Component(service = {VoteProvider.class, QdeviceProvider.class},
    property = VoteProvider.ROLE + "=" + VoteProvider.ROLE_DEVICE)
public final class QdeviceProvider implements VoteProvider {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.QDEVICE");

    private final Supplier<Scheduler> schedulers;
    private final ArbiterLink link;
    private volatile QdeviceClient client;

    public QdeviceProvider() {
        this(() -> new ExecutorScheduler("vigil-qdevice"));
    }

    /** For tests: the scheduler each start gets. */
    public QdeviceProvider(Supplier<Scheduler> schedulers) {
        this(schedulers, new TcpArbiterLink());
    }

    /** For protocol tests: the scheduler each start gets and how the device reaches the arbiter. */
    public QdeviceProvider(Supplier<Scheduler> schedulers, ArbiterLink link) {
        this.schedulers = schedulers;
        this.link = link;
    }

    @Override
    public String name() {
        return QdeviceClient.NAME;
    }

    @Override
    public synchronized void start(VoteContext context) {
        stop();
        VigilConfig.Device device = context.node().config().quorum().device();
        if (device == null) {
            LOG.debug("no quorum device configured");
            return;
        }
        QdeviceClient c = new QdeviceClient(context, device, schedulers.get(), link);
        client = c;
        c.start();
    }

    @Override
    public synchronized void stop() {
        QdeviceClient c = client;
        client = null;
        if (c != null) {
            c.stop();
        }
    }

    /** The device's status, if a device is configured and running. */
    public Optional<QdeviceStatus> status() {
        QdeviceClient c = client;
        return c == null ? Optional.empty() : Optional.ofNullable(c.status());
    }

    @Deactivate
    void deactivate() {
        stop();
    }
}
