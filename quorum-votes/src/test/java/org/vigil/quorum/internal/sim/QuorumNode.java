package org.vigil.quorum.internal.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.internal.quorum.QuorumKeeper;
import org.vigil.kernel.spi.VoteProvider;
import org.vigil.quorum.internal.VotequorumProvider;

/**
 * One simulated node as the kernel runs it: the kernel's {@link QuorumKeeper} (the real one) on the simulated
 * ring services, with a {@link VotequorumProvider} bound, and a listener that records every quorum event.
 */
public final class QuorumNode {

    private static long serviceIds = 100;

    private final SimCluster cluster;
    private final SimCluster.SimNode sim;
    private QuorumKeeper keeper;
    private VoteProvider provider;
    private Map<String, Object> providerProps;
    private VoteProvider device;
    private Map<String, Object> deviceProps;
    /** Every quorum event the node's listener received, in order. */
    public final List<QuorumState> events = java.util.Collections.synchronizedList(new ArrayList<>());
    private final long syncTimeoutMs;

    private final java.util.function.Supplier<org.vigil.quorum.internal.driver.Scheduler> schedulers;

    /** A node whose providers run on the cluster's deterministic scheduler. */
    public QuorumNode(SimCluster cluster, int id, long syncTimeoutMs) {
        this(cluster, id, syncTimeoutMs, cluster.scheduler()::view);
    }

    /** A node whose providers run on the given schedulers (e.g. real threads). */
    public QuorumNode(SimCluster cluster, int id, long syncTimeoutMs,
                      java.util.function.Supplier<org.vigil.quorum.internal.driver.Scheduler> schedulers) {
        this.cluster = cluster;
        this.sim = cluster.node(id);
        this.syncTimeoutMs = syncTimeoutMs;
        this.schedulers = schedulers;
    }

    /** Boots the node: ring services, kernel quorum service, votequorum provider. */
    public QuorumNode boot() {
        cluster.start(sim.id());
        keeper = new QuorumKeeper(sim.vigilNode(), sim.cmap);
        keeper.activate();
        keeper.addListener(events::add);
        keeper.bindMembership(sim.membership());
        keeper.bindCpg(sim.cpg());
        bindNewProvider();
        return this;
    }

    /** Binds a fresh votequorum provider instance (as an upgraded bundle's service would arrive). */
    public VotequorumProvider bindNewProvider() {
        VotequorumProvider p = new VotequorumProvider(syncTimeoutMs, schedulers);
        provider = p;
        providerProps = Map.of(VoteProvider.ROLE, VoteProvider.ROLE_QUORUM, "service.id", serviceIds++);
        keeper.bindProvider(p, providerProps);
        return p;
    }

    /** Unbinds the current votequorum provider (as the old bundle's service goes away in an upgrade). */
    public void unbindProvider() {
        keeper.unbindProvider(provider, providerProps);
    }

    /** Binds a quorum device provider. */
    public void bindDevice(VoteProvider d) {
        device = d;
        deviceProps = Map.of(VoteProvider.ROLE, VoteProvider.ROLE_DEVICE, "service.id", serviceIds++);
        keeper.bindProvider(d, deviceProps);
    }

    /** Unbinds the quorum device provider. */
    public void unbindDevice() {
        keeper.unbindProvider(device, deviceProps);
    }

    /** Crash: the node's ring services and its process are gone (no clean leave). */
    public void crash() {
        cluster.crash(sim.id());
        VoteProvider p = provider;
        keeper.unbindProvider(p, providerProps);
        if (device != null) {
            keeper.unbindProvider(device, deviceProps);
            device = null;
        }
    }

    /** Clean shutdown: the kernel stops (votequorum may tell the others it leaves), then the ring services. */
    public void shutdown() {
        keeper.deactivate();
        cluster.crash(sim.id());
    }

    public QuorumKeeper keeper() {
        return keeper;
    }

    public VotequorumProvider provider() {
        return (VotequorumProvider) provider;
    }

    public SimCluster.SimNode sim() {
        return sim;
    }

    /** The last decision the kernel holds. */
    public QuorumState last() {
        return keeper.current().orElse(null);
    }

    public boolean quorate() {
        QuorumState s = last();
        return s != null && s.quorate();
    }
}
