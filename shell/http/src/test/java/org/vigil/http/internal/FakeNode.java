package org.vigil.http.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.fencer.Fencer;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.CmapListener;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.command.AdminCommand;

/** A node for the endpoint's tests: a map-backed cmap with ring keys, no CRM unless a test adds commands. */
final class FakeNode implements NodeView {

    final TreeMap<String, CmapEntry> keys = new TreeMap<>();
    final Map<String, AdminCommand> commands = new HashMap<>();

    final Cmap cmap = new Cmap() {
        @Override
        public Optional<CmapEntry> get(String key) {
            return Optional.ofNullable(keys.get(key));
        }

        @Override
        public void set(String key, CmapType type, Object value) {
            keys.put(key, new CmapEntry(key, type, value));
        }

        @Override
        public long add(String key, long delta) {
            long v = keys.containsKey(key) ? keys.get(key).longValue() + delta : delta;
            set(key, CmapType.UINT64, v);
            return v;
        }

        @Override
        public boolean delete(String key) {
            return keys.remove(key) != null;
        }

        @Override
        public List<CmapEntry> iterate(String prefix) {
            return new ArrayList<>(keys.subMap(prefix, prefix + Character.MAX_VALUE).values());
        }

        @Override
        public AutoCloseable track(String keyOrPrefix, boolean prefix, CmapListener listener) {
            return () -> { };
        }

        @Override
        public boolean isReadOnly(String key) {
            return false;
        }
    };

    FakeNode() {
        cmap.setString("runtime.totem.ring_id", "1.3c");
        cmap.setString("runtime.totem.state", "OPERATIONAL");
        cmap.set("runtime.totem.link.0.faulty", CmapType.UINT8, 0L);
        for (int id = 1; id <= 3; id++) {
            cmap.setString("runtime.members." + id + ".ip", "r(0) ip(127.0.0.1)");
            cmap.setString("runtime.members." + id + ".status", id == 3 ? "left" : "joined");
            cmap.set("runtime.members." + id + ".join_count", CmapType.UINT32, (long) id);
            cmap.set("stats.knet.node" + id + ".link0.connected", CmapType.UINT8, id == 3 ? 0L : 1L);
        }
        // node 2's link 0 answers its heartbeats (0.21 ms on average), node 3's does not
        cmap.set("stats.knet.node2.link0.latency_ave", CmapType.UINT32, 210L);
        cmap.set("stats.knet.node2.link0.latency_min", CmapType.UINT32, 150L);
        cmap.set("stats.knet.node2.link0.latency_max", CmapType.UINT32, 480L);
        cmap.set("stats.knet.node2.link0.latency_samples", CmapType.UINT32, 12L);
        cmap.set("stats.knet.node2.link0.down_count", CmapType.UINT32, 1L);
        cmap.set("stats.knet.node3.link0.latency_samples", CmapType.UINT32, 0L);
        cmap.set("stats.knet.node3.link0.down_count", CmapType.UINT32, 2L);
        cmap.set("stats.srp.orf_token_rx", CmapType.UINT64, 12345L);
        cmap.set("stats.srp.mcast_retx", CmapType.UINT64, 7L);
        cmap.set("stats.srp.rx_msg_dropped", CmapType.UINT64, 0L);
        cmap.set("stats.srp.huge", CmapType.UINT64, -1L);
        cmap.set("stats.wire.rx_malformed", CmapType.UINT64, 2L);
        cmap.set("stats.wire.rx_bad_auth", CmapType.UINT64, 1L);
        cmap.set("stats.cpg.rx_malformed", CmapType.UINT64, 0L);
    }

    @Override
    public String nodeName() {
        return "node1";
    }

    @Override
    public int nodeId() {
        return 1;
    }

    @Override
    public Cmap cmap() {
        return cmap;
    }

    @Override
    public QuorumService quorum() {
        return null;
    }

    @Override
    public Cpg cpg() {
        return null;
    }

    @Override
    public Cib cib() {
        return null;
    }

    @Override
    public Controller controller() {
        return controller;
    }

    /** The controller the node offers (none unless a test sets one). */
    Controller controller;

    @Override
    public Fencer fencer() {
        return null;
    }

    @Override
    public AdminCommand command(String name) {
        return commands.get(name);
    }
}
