package org.vigil.quorum.internal;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.vigil.kernel.spi.DevicePoll;
import org.vigil.kernel.spi.VoteContext;
import org.vigil.kernel.spi.VoteProvider;
import org.vigil.quorum.internal.driver.EvTrackingStore;
import org.vigil.quorum.internal.driver.ExecutorScheduler;
import org.vigil.quorum.internal.driver.Scheduler;
import org.vigil.quorum.internal.driver.VotequorumDriver;

/**
 * votequorum as the kernel's {@code quorum} vote provider: a {@link VotequorumDriver} on its own thread while
 * the kernel keeps it active. Also registered under its own class for the quorum commands of this bundle.
 */
@Component(service = {VoteProvider.class, VotequorumProvider.class},
    property = VoteProvider.ROLE + "=" + VoteProvider.ROLE_QUORUM)
public final class VotequorumProvider implements VoteProvider {

    /** The provider name corosync-quorumtool prints. */
    public static final String NAME = "corosync_votequorum";

    private volatile VotequorumDriver driver;
    private final long syncTimeoutMs;
    private final Supplier<Scheduler> schedulers;

    public VotequorumProvider() {
        this(VotequorumDriver.DEFAULT_SYNC_TIMEOUT_MS, () -> new ExecutorScheduler("vigil-votequorum"));
    }

    /** For tests: another sync timeout and the scheduler each start gets. */
    public VotequorumProvider(long syncTimeoutMs, Supplier<Scheduler> schedulers) {
        this.syncTimeoutMs = syncTimeoutMs;
        this.schedulers = schedulers;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void start(VoteContext context) {
        stop();
        VotequorumDriver d = new VotequorumDriver(context, schedulers.get(), NAME, syncTimeoutMs,
            EvTrackingStore.in(context.node().stateDir()));
        driver = d;
        d.start();
    }

    @Override
    public synchronized void stop() {
        VotequorumDriver d = driver;
        driver = null;
        if (d != null) {
            d.stop();
        }
    }

    @Override
    public void devicePoll(DevicePoll poll) {
        VotequorumDriver d = driver;
        if (d != null) {
            d.devicePoll(poll);
        }
    }

    @Override
    public CompletionStage<Void> withdrawDeviceVote(DevicePoll poll) {
        VotequorumDriver d = driver;
        return d == null ? new CompletableFuture<>() : d.withdrawDeviceVote(poll);
    }

    @Override
    public void nodeLeaving() {
        VotequorumDriver d = driver;
        if (d != null) {
            d.nodeLeaving();
        }
    }

    /** The running driver, if the kernel has started this provider. */
    public Optional<VotequorumDriver> driver() {
        return Optional.ofNullable(driver);
    }

    @Deactivate
    void deactivate() {
        stop();
    }
}
