package org.vigil.http.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.controller.ControllerStatus;
import org.vigil.crm.api.controller.TimelineEvent;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.api.fencer.Fencer;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.QuorumState;

/**
 * The node's metrics, collected at each scrape from the services as they are then ({@link NodeView}): the kernel's
 * (ring, links, membership, quorum, CPG) from cmap and the kernel services, always; the CRM's (CIB, controller,
 * resources, fail counts, agent actions, fencing) from the CRM services while they run. A CRM bundle stopped or
 * being upgraded only leaves its metrics out of that scrape ({@code vigil_crm_service_up} says which).
 *
 * <p>Names: {@code vigil_} then corosync's or Pacemaker's own word for the thing (the cmap key's last part for the
 * Totem counters). Thread-safe: scrapes may run at once (the state kept between scrapes is synchronized).
 */
public final class ClusterMetrics implements MultiCollector {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.HTTP");
    private static final Pattern LINK = Pattern.compile("stats\\.knet\\.node(\\d+)\\.link(\\d+)\\.connected");
    /** The link heartbeat's figures (the kernel's LinkMonitor, knet's names): microseconds and counts. */
    private static final Pattern LINK_STAT = Pattern.compile(
        "stats\\.knet\\.node(\\d+)\\.link(\\d+)\\.(latency_ave|latency_min|latency_max|latency_samples|down_count)");
    private static final Pattern RING_FAULTY = Pattern.compile("runtime\\.totem\\.link\\.(\\d+)\\.faulty");
    private static final Pattern MEMBER = Pattern.compile("runtime\\.members\\.(\\d+)\\.(status|join_count)");

    private final NodeView view;
    private final CrmStatusSource crm;

    /** Agent action durations, observed once per operation result recorded in the CIB (its exec-time). */
    final Histogram actionDuration = Histogram.builder().name("vigil_agent_action_duration_seconds")
        .help("Duration of resource agent actions recorded in the CIB's operation history (exec-time)")
        .labelNames("operation").classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
        .classicOnly().build();
    /** The results already observed: node/op id → call-id, so that each is counted once. */
    private final Map<String, String> seenOps = new HashMap<>();
    /** CIB updates seen by this endpoint (changes of the CIB's version between scrapes are not all seen). */
    final Counter cibUpdates = Counter.builder().name("vigil_cib_updates").help(
        "CIB updates applied on this node since the endpoint started (rate() gives the update rate)").build();
    /** Fencing results and latency (from the request's PENDING event seen here to its result). */
    final Counter fencing = Counter.builder().name("vigil_fencing_operations")
        .help("Fencing operations ended, by target, action and result").labelNames("target", "action", "result")
        .build();
    final Histogram fencingLatency = Histogram.builder().name("vigil_fencing_latency_seconds")
        .help("Time from a fencing request seen by this node to its result").labelNames("action")
        .classicUpperBounds(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120).classicOnly().build();
    private final Map<String, Long> fencingStarted = new HashMap<>();

    /** Where the CRM's resource view comes from (crm_mon's XML; tests give their own). */
    public interface CrmStatusSource {
        /** The current status, or null while crm_mon is not available. */
        CrmStatus get();
    }

    public ClusterMetrics(NodeView view, CrmStatusSource crm) {
        this.view = view;
        this.crm = crm;
    }

    /** Called by the endpoint for every CIB change it is told about. */
    public void cibUpdated() {
        cibUpdates.inc();
    }

    /** Called by the endpoint for every fencing event it is told about. */
    public synchronized void fenceEvent(FenceEvent e) {
        if (e.state() == FenceEvent.State.PENDING) {
            fencingStarted.putIfAbsent(e.id(), System.nanoTime());
            return;
        }
        String result = e.state().name().toLowerCase(java.util.Locale.ROOT);
        fencing.labelValues(e.target(), e.action().toString(), result).inc();
        Long start = fencingStarted.remove(e.id());
        if (start != null) {
            fencingLatency.labelValues(e.action().toString()).observe((System.nanoTime() - start) / 1e9);
        }
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        kernel(out);
        crm(out);
        out.add(cibUpdates.collect());
        out.add(actionDuration.collect());
        out.add(fencing.collect());
        out.add(fencingLatency.collect());
        return new MetricSnapshots(out);
    }

    private void kernel(List<MetricSnapshot> out) {
        Cmap cmap = view.cmap();
        Map<String, List<CounterDataPointSnapshot>> srp = new TreeMap<>();
        List<CounterDataPointSnapshot> rejected = new ArrayList<>();
        List<GaugeDataPointSnapshot> links = new ArrayList<>();
        Map<List<String>, Map<String, Double>> linkStats = new TreeMap<>(
            (a, b) -> a.get(0).equals(b.get(0)) ? a.get(1).compareTo(b.get(1)) : a.get(0).compareTo(b.get(0)));
        List<GaugeDataPointSnapshot> faulty = new ArrayList<>();
        Map<String, String> memberStatus = new TreeMap<>();
        Map<String, Long> joinCount = new TreeMap<>();
        for (CmapEntry e : cmap.iterate("stats.")) {
            if (!isInteger(e.type())) {
                continue;
            }
            String k = e.key();
            if (k.startsWith("stats.srp.")) {
                srp.computeIfAbsent(k.substring("stats.srp.".length()), x -> new ArrayList<>())
                    .add(counter(unsigned(e), Labels.EMPTY));
            } else if (k.startsWith("stats.wire.rx_")) {
                rejected.add(counter(unsigned(e), Labels.of("reason", k.substring("stats.wire.rx_".length()))));
            } else if (k.startsWith("stats.cpg.rx_")) {
                rejected.add(counter(unsigned(e), Labels.of("reason", "cpg_" + k.substring("stats.cpg.rx_".length()))));
            } else {
                Matcher m = LINK.matcher(k);
                if (m.matches()) {
                    links.add(gauge(e.longValue(), Labels.of("nodeid", m.group(1), "link", m.group(2))));
                }
                m = LINK_STAT.matcher(k);
                if (m.matches()) {
                    linkStats.computeIfAbsent(List.of(m.group(1), m.group(2)), x -> new HashMap<>())
                        .put(m.group(3), unsigned(e));
                }
            }
        }
        for (CmapEntry e : cmap.iterate("runtime.")) {
            Matcher m = RING_FAULTY.matcher(e.key());
            if (m.matches() && isInteger(e.type())) {
                faulty.add(gauge(e.longValue(), Labels.of("ring", m.group(1))));
                continue;
            }
            m = MEMBER.matcher(e.key());
            if (m.matches()) {
                if (m.group(2).equals("status")) {
                    memberStatus.put(m.group(1), String.valueOf(e.value()));
                } else if (isInteger(e.type())) {
                    joinCount.put(m.group(1), e.longValue());
                }
            }
        }
        srp.forEach((name, points) -> out.add(counterOf("vigil_totem_" + name,
            "Totem counter stats.srp." + name + " (corosync's name)", points)));
        // the words people look for, as well: rotations, retransmits, drops
        out.add(counterOf("vigil_ring_rejected_packets", "Datagrams dropped before Totem: malformed, failed "
            + "authentication, unknown or unlisted sender, ... (stats.wire.rx_*, stats.cpg.rx_*)", rejected));
        out.add(gaugeOf("vigil_link_connected", "Whether this node hears the node on the link (knet-style "
            + "stats.knet.node<N>.link<R>.connected)", links));
        linkLatency(out, linkStats);
        out.add(gaugeOf("vigil_ring_faulty", "Whether the ring is marked faulty on this node "
            + "(runtime.totem.link.<r>.faulty)", faulty));
        List<GaugeDataPointSnapshot> members = new ArrayList<>();
        memberStatus.forEach((id, st) -> members.add(gauge(st.equals("joined") ? 1 : 0,
            Labels.of("nodeid", id, "status", st))));
        out.add(gaugeOf("vigil_member_joined", "1 for a node in the ring (runtime.members.<id>.status joined), 0 "
            + "for one that left", members));
        List<CounterDataPointSnapshot> joins = new ArrayList<>();
        joinCount.forEach((id, n) -> joins.add(counter(n, Labels.of("nodeid", id))));
        out.add(counterOf("vigil_member_joins", "Times the node joined the ring (runtime.members.<id>.join_count)",
            joins));
        long ringMembers = memberStatus.values().stream().filter("joined"::equals).count();
        out.add(gaugeOf("vigil_ring_members", "Nodes in this node's ring", List.of(gauge(ringMembers,
            Labels.EMPTY))));
        QuorumService q = view.quorum();
        QuorumState qs = q == null ? null : q.current().orElse(null);
        if (qs != null) {
            out.add(gaugeOf("vigil_quorate", "1 while this node's partition has quorum", List.of(gauge(
                qs.quorate() ? 1 : 0, Labels.EMPTY))));
            out.add(gaugeOf("vigil_quorum_votes", "Votes: total in the partition, expected, needed for quorum",
                List.of(gauge(qs.totalVotes(), Labels.of("kind", "total")), gauge(qs.expectedVotes(),
                    Labels.of("kind", "expected")), gauge(qs.quorum(), Labels.of("kind", "quorum")))));
        }
        Cpg cpg = view.cpg();
        if (cpg != null) {
            List<GaugeDataPointSnapshot> groups = new ArrayList<>();
            for (Map.Entry<String, List<CpgMember>> g : new TreeMap<>(cpg.groups()).entrySet()) {
                groups.add(gauge(g.getValue().size(), Labels.of("group", g.getKey())));
            }
            out.add(gaugeOf("vigil_cpg_group_members", "Members of each CPG group, cluster-wide", groups));
        }
    }

    /**
     * Round-trip latency per peer and link from the heartbeats (cmap {@code stats.knet.node<N>.link<R>.latency_*},
     * microseconds): the running average, min and max in seconds, for links with at least one sample; and how often
     * each link went down.
     */
    private static void linkLatency(List<MetricSnapshot> out, Map<List<String>, Map<String, Double>> linkStats) {
        List<GaugeDataPointSnapshot> ave = new ArrayList<>();
        List<GaugeDataPointSnapshot> min = new ArrayList<>();
        List<GaugeDataPointSnapshot> max = new ArrayList<>();
        List<CounterDataPointSnapshot> downs = new ArrayList<>();
        linkStats.forEach((nodeLink, v) -> {
            Labels l = Labels.of("nodeid", nodeLink.get(0), "link", nodeLink.get(1));
            if (v.getOrDefault("latency_samples", 0.0) > 0) {
                ave.add(gauge(v.getOrDefault("latency_ave", 0.0) / 1e6, l));
                min.add(gauge(v.getOrDefault("latency_min", 0.0) / 1e6, l));
                max.add(gauge(v.getOrDefault("latency_max", 0.0) / 1e6, l));
            }
            if (v.containsKey("down_count")) {
                downs.add(counter(v.get("down_count"), l));
            }
        });
        out.add(gaugeOf("vigil_link_latency_seconds", "Round-trip time to the node on the link, running average of "
            + "the heartbeats (knet-style stats.knet.node<N>.link<R>.latency_ave)", ave));
        out.add(gaugeOf("vigil_link_latency_min_seconds", "Shortest heartbeat round trip to the node on the link "
            + "(latency_min)", min));
        out.add(gaugeOf("vigil_link_latency_max_seconds", "Longest heartbeat round trip to the node on the link "
            + "(latency_max)", max));
        out.add(counterOf("vigil_link_down", "Times the link to the node went down: no heartbeat answer for the "
            + "ping timeout (down_count)", downs));
    }

    private void crm(List<MetricSnapshot> out) {
        Cib cib = view.cib();
        Controller controller = view.controller();
        Fencer fencer = view.fencer();
        CrmStatus st = null;
        try {
            st = crm.get();
        } catch (RuntimeException e) {
            LOG.debug("[HTTP] crm_mon failed for a scrape: {}", e.toString());
        }
        out.add(gaugeOf("vigil_crm_service_up", "1 while the CRM service runs on this node (its bundle started)",
            List.of(gauge(cib != null ? 1 : 0, Labels.of("service", "cib")),
                gauge(controller != null ? 1 : 0, Labels.of("service", "controller")),
                gauge(fencer != null ? 1 : 0, Labels.of("service", "fencer")),
                gauge(st != null ? 1 : 0, Labels.of("service", "crm_mon")))));
        if (cib != null) {
            CibSnapshot s = cib.current();
            if (s != null) {
                out.add(gaugeOf("vigil_cib_version", "The CIB's version: admin_epoch, epoch, num_updates", List.of(
                    gauge(s.version().adminEpoch(), Labels.of("part", "admin_epoch")),
                    gauge(s.version().epoch(), Labels.of("part", "epoch")),
                    gauge(s.version().numUpdates(), Labels.of("part", "num_updates")))));
                int[] counts = new int[1];
                observeHistory(s, counts);
                out.add(gaugeOf("vigil_cib_elements", "XML elements in the CIB (its size)", List.of(gauge(
                    counts[0], Labels.EMPTY))));
            }
        }
        if (controller != null) {
            ControllerStatus cs = controller.status();
            out.add(gaugeOf("vigil_controller_is_dc", "1 on the DC", List.of(gauge(cs.isDc() ? 1 : 0,
                Labels.EMPTY))));
            if (cs.isDc()) {
                out.add(gaugeOf("vigil_transition_last", "Number of the DC's last transition (transitions run)",
                    List.of(gauge(cs.transition(), Labels.EMPTY))));
                out.add(gaugeOf("vigil_transition_pending_actions", "Actions of the DC's transition in flight",
                    List.of(gauge(cs.pendingActions(), Labels.EMPTY))));
                out.add(gaugeOf("vigil_transition_idle", "1 while the DC has nothing to do", List.of(gauge(
                    cs.idle() ? 1 : 0, Labels.EMPTY))));
            }
            // counted by this node's controller in cmap (so the counts span upgrades of the controller bundle)
            Cmap cmap = view.cmap();
            out.add(counterOf("vigil_transitions", "Transitions this node ran as DC that ended "
                + "(runtime.crm.controller.stats.transitions)", List.of(counter(cmapLong(cmap,
                "runtime.crm.controller.stats.transitions"), Labels.EMPTY))));
            out.add(counterOf("vigil_transitions_aborted", "Of those, the ones that stopped early to be planned again",
                List.of(counter(cmapLong(cmap, "runtime.crm.controller.stats.transitions_aborted"), Labels.EMPTY))));
            out.add(counterOf("vigil_transition_seconds", "Time the ended transitions took, summed (divided by "
                + "vigil_transitions_total: the mean duration)", List.of(counter(cmapLong(cmap,
                "runtime.crm.controller.stats.transition_ms") / 1000.0, Labels.EMPTY))));
            out.add(counterOf("vigil_transition_actions", "Actions the ended transitions ran (confirmed), summed",
                List.of(counter(cmapLong(cmap, "runtime.crm.controller.stats.transition_actions"), Labels.EMPTY))));
            Map<String, Long> kinds = new TreeMap<>();
            for (TimelineEvent e : controller.timeline()) {
                kinds.merge(e.kind(), 1L, Long::sum);
            }
            List<GaugeDataPointSnapshot> points = new ArrayList<>();
            kinds.forEach((k, n) -> points.add(gauge(n, Labels.of("kind", k))));
            out.add(gaugeOf("vigil_timeline_events", "Events in the controller's incident timeline, by kind",
                points));
        }
        if (st != null) {
            List<GaugeDataPointSnapshot> nodes = new ArrayList<>();
            for (CrmStatus.CrmNode n : st.nodes()) {
                String state = n.unclean() ? "unclean" : !n.online() ? "offline" : n.standby() ? "standby"
                    : n.maintenance() ? "maintenance" : "online";
                nodes.add(gauge(1, Labels.of("node", n.name(), "state", state, "dc", Boolean.toString(n.dc()))));
            }
            out.add(gaugeOf("vigil_node_state", "Each node's state as the CRM sees it (crm_mon)", nodes));
            List<GaugeDataPointSnapshot> roles = new ArrayList<>();
            for (CrmStatus.CrmResource r : st.resources()) {
                if (r.nodes().isEmpty()) {
                    roles.add(gauge(1, Labels.of("resource", r.id(), "node", "", "role", r.role(), "agent",
                        r.agent(), "managed", Boolean.toString(r.managed()), "failed", Boolean.toString(r.failed()))));
                }
                for (String node : r.nodes()) {
                    roles.add(gauge(1, Labels.of("resource", r.id(), "node", node, "role", r.role(), "agent",
                        r.agent(), "managed", Boolean.toString(r.managed()), "failed", Boolean.toString(r.failed()))));
                }
            }
            out.add(gaugeOf("vigil_resource_role", "Each resource's role on each node it is active on (node "
                + "empty: active nowhere)", roles));
            List<GaugeDataPointSnapshot> fails = new ArrayList<>();
            st.failCounts().forEach((node, m) -> m.forEach((rsc, n) -> fails.add(gauge(n,
                Labels.of("node", node, "resource", rsc)))));
            out.add(gaugeOf("vigil_resource_failcount", "Fail counts (INFINITY as 1000000)", fails));
            out.add(gaugeOf("vigil_failed_actions", "Failed actions crm_mon lists", List.of(gauge(
                st.failures().size(), Labels.EMPTY))));
        }
    }

    /** Counts the CIB's elements and observes the exec-time of each operation result not seen before. */
    private synchronized void observeHistory(CibSnapshot s, int[] count) {
        walk(s.root(), null, count);
    }

    private void walk(XmlNode n, String node, int[] count) {
        count[0]++;
        String name = n.name();
        if (name.equals("node_state")) {
            node = n.attribute("uname");
        } else if (name.equals("lrm_rsc_op")) {
            String key = node + "/" + n.attribute("id");
            String call = n.attribute("call-id");
            String exec = n.attribute("exec-time");
            if (call != null && exec != null && !call.equals(seenOps.put(key, call))) {
                try {
                    actionDuration.labelValues(n.attribute("operation") == null ? "" : n.attribute("operation"))
                        .observe(Long.parseLong(exec) / 1000.0);
                } catch (NumberFormatException e) {
                    // not a number: not an observation
                }
            }
        }
        for (XmlNode c : n.children()) {
            walk(c, node, count);
        }
    }

    /** An integer key of cmap, or 0 while it is absent or of another type. */
    private static long cmapLong(Cmap cmap, String key) {
        return cmap.get(key).filter(e -> isInteger(e.type())).map(CmapEntry::longValue).orElse(0L);
    }

    private static boolean isInteger(CmapType t) {
        return t != CmapType.STRING && t != CmapType.BINARY && t != CmapType.FLOAT && t != CmapType.DOUBLE;
    }

    private static double unsigned(CmapEntry e) {
        long v = e.longValue();
        return v >= 0 ? v : Double.parseDouble(Long.toUnsignedString(v));
    }

    private static CounterDataPointSnapshot counter(double v, Labels l) {
        return CounterDataPointSnapshot.builder().value(v).labels(l).build();
    }

    private static GaugeDataPointSnapshot gauge(double v, Labels l) {
        return GaugeDataPointSnapshot.builder().value(v).labels(l).build();
    }

    private static CounterSnapshot counterOf(String name, String help, List<CounterDataPointSnapshot> points) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        points.forEach(b::dataPoint);
        return b.build();
    }

    private static GaugeSnapshot gaugeOf(String name, String help, List<GaugeDataPointSnapshot> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.forEach(b::dataPoint);
        return b.build();
    }
}
