package org.vigil.quorum.internal.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.quorum.internal.qdevice.QdeviceProvider;

/**
 * A cluster with the tie-breaker device in virtual time, for seeded-interleaving tests: every node runs the
 * kernel's real {@code QuorumKeeper}, votequorum and the quorum device; the ring is a {@link SimCluster}; the
 * arbiter is a {@link SimArbiter} (the real {@code QnetdCore}); all of it on one {@link ManualScheduler} with
 * seeded jitter, and ring deliveries and arbiter messages with seeded latency, so that each seed gives another
 * interleaving of the nodes' threads, the ring's deliveries and the arbiter's messages, and the same seed always
 * the same one.
 *
 * <p>It checks the split-brain invariant at every instant a decision changes: among the running nodes, any two
 * whose current decisions are quorate have intersecting member lists (two disjoint partitions are never quorate
 * at once). The first violation is kept in {@link #violation}, with the time and both decisions.
 */
public final class DeviceSim {

    public final ManualScheduler scheduler;
    public final SimCluster cluster;
    public final SimArbiter arbiter;
    public final Map<Integer, QuorumNode> nodes = new TreeMap<>();
    /** The current decision of every running node. */
    private final Map<Integer, QuorumState> current = new TreeMap<>();
    private final Set<Integer> running = new HashSet<>();
    /** Steps and decisions, for the failure message. */
    public final List<String> log = new ArrayList<>();
    /** The first violation of the invariant, or null. */
    public String violation;
    private final long syncTimeoutMs;

    /**
     * @param jitterMs      most delay of a task handed to a node's thread ({@link ManualScheduler})
     * @param ringLatencyMs most time a ring multicast takes to be delivered
     * @param latencyMs     most time a line to or from the arbiter takes
     * @param syncTimeoutMs votequorum's wait for silent members
     */
    public DeviceSim(String configText, Path state, long seed, int jitterMs, int ringLatencyMs, int latencyMs,
                     long syncTimeoutMs) throws Exception {
        this(configText, state, seed, jitterMs, 0, ringLatencyMs, latencyMs, syncTimeoutMs);
    }

    /**
     * @param stallMs       now and then (one task in 500) a node's thread stalls for up to this long
     */
    public DeviceSim(String configText, Path state, long seed, int jitterMs, int stallMs, int ringLatencyMs,
                     int latencyMs, long syncTimeoutMs) throws Exception {
        this.scheduler = new ManualScheduler(seed, jitterMs, stallMs > 0 ? 0.002 : 0, stallMs);
        VigilConfig config = VigilConfig.fromText("sim.conf", configText);
        this.cluster = new SimCluster(scheduler, config, state);
        cluster.setLatency(seed * 17 + 3, ringLatencyMs);
        this.arbiter = new SimArbiter(scheduler, seed * 31 + 7, latencyMs);
        this.syncTimeoutMs = syncTimeoutMs;
        for (VigilConfig.Node n : config.nodes()) {
            nodes.put(n.nodeId(), new QuorumNode(cluster, n.nodeId(), syncTimeoutMs));
        }
    }

    /** Boots (or restarts) a node with votequorum and the device; it forms a ring alone until joined. */
    public void boot(int id) {
        QuorumNode q = nodes.get(id);
        note("boot " + id);
        q.boot();
        running.add(id);
        q.keeper().addListener(s -> decided(id, s));
        q.bindDevice(new QdeviceProvider(scheduler::view, arbiter.linkFor(id)));
    }

    /** The node's process dies: its ring services, votequorum and device are gone. */
    public void crash(int id) {
        note("crash " + id);
        running.remove(id);
        current.remove(id);
        nodes.get(id).crash();
    }

    public boolean up(int id) {
        return running.contains(id);
    }

    public void partition(List<Set<Integer>> groups) {
        note("partition " + groups);
        cluster.partition(groups);
    }

    public void heal() {
        note("heal");
        cluster.heal();
    }

    /** Replaces the node's device provider by a new instance (an upgrade of the device's bundle). */
    public void swapDevice(int id) {
        note("swap device " + id);
        QuorumNode q = nodes.get(id);
        q.unbindDevice();
        q.bindDevice(new QdeviceProvider(scheduler::view, arbiter.linkFor(id)));
    }

    /** Replaces the node's votequorum provider by a new instance (an upgrade of the quorum bundle). */
    public void swapVotequorum(int id) {
        note("swap votequorum " + id);
        QuorumNode q = nodes.get(id);
        q.unbindProvider();
        q.bindNewProvider();
    }

    public void cutArbiter(int id, boolean cut) {
        note((cut ? "cut" : "restore") + " arbiter link of " + id);
        arbiter.cut(id, cut);
    }

    public void arbiterUp(boolean up) {
        note("arbiter " + (up ? "up" : "down"));
        arbiter.setUp(up);
    }

    public void advance(long ms) {
        scheduler.advance(ms);
    }

    /** Advances in steps of 100 ms until {@code done} holds or {@code maxMs} passed; true if it holds. */
    public boolean advanceUntil(long maxMs, java.util.function.BooleanSupplier done) {
        for (long t = 0; t < maxMs; t += 100) {
            if (done.getAsBoolean()) {
                return true;
            }
            scheduler.advance(100);
        }
        return done.getAsBoolean();
    }

    public QuorumState decision(int id) {
        return current.get(id);
    }

    /** True if every running node is quorate in one ring with exactly the running nodes as members. */
    public boolean allQuorateTogether() {
        List<Integer> all = running.stream().sorted().toList();
        for (int id : running) {
            QuorumState s = current.get(id);
            if (s == null || !s.quorate() || !s.members().equals(all)) {
                return false;
            }
        }
        return true;
    }

    private void note(String step) {
        log.add(scheduler.now() + " ms: " + step);
    }

    private void decided(int id, QuorumState s) {
        if (!running.contains(id)) {
            return;
        }
        current.put(id, s);
        log.add(scheduler.now() + " ms: node " + id + " " + (s.quorate() ? "QUORATE" : "not quorate") + " "
            + s.members() + " ring " + s.ringId() + " votes " + s.totalVotes() + "/" + s.expectedVotes());
        if (violation != null || !s.quorate()) {
            return;
        }
        for (var e : current.entrySet()) {
            QuorumState o = e.getValue();
            if (e.getKey() != id && o.quorate() && o.members().stream().noneMatch(s.members()::contains)) {
                violation = "at " + scheduler.now() + " ms node " + id + " is quorate with members " + s.members()
                    + " (ring " + s.ringId() + ", votes " + s.totalVotes() + ") while node " + e.getKey()
                    + " is quorate with members " + o.members() + " (ring " + o.ringId() + ", votes "
                    + o.totalVotes() + ")";
            }
        }
    }

    /** The log and the arbiter's last lines, for a failure message. */
    public String transcript() {
        StringBuilder b = new StringBuilder();
        for (String l : log) {
            b.append("  ").append(l).append('\n');
        }
        List<String> t = arbiter.trace.stream().filter(l -> !l.contains(" PONG ")).toList();
        int tail = Integer.getInteger("vigil.qdsim.trace", 60);
        b.append("  arbiter (last lines, PONGs left out):\n");
        for (String l : t.subList(Math.max(0, t.size() - tail), t.size())) {
            b.append("    ").append(l).append('\n');
        }
        return b.toString();
    }

    public long syncTimeoutMs() {
        return syncTimeoutMs;
    }
}
