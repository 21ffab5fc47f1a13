package org.vigil.http.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.controller.TimelineEvent;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.QuorumState;

/**
 * The dashboard's status document ({@code GET /api/status}): what {@code crm_mon} shows (nodes, resources by
 * node, failed actions, bans), the ring and quorum as this node's kernel sees them, the controller's incident
 * timeline, and whether actions are enabled. Each part is present only while its source runs: {@code crm} is null
 * while crm_mon is not available (a CRM bundle stopped or being upgraded), the kernel parts always are.
 */
public final class DashboardStatus {

    /** Timeline entries sent to the page (the newest ones). */
    static final int TIMELINE_MAX = 50;

    private DashboardStatus() {
    }

    public static Map<String, Object> build(NodeView view, CrmStatus crm, boolean actions, long nowMs) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("node", view.nodeName());
        doc.put("time", nowMs);
        doc.put("actions", actions);
        doc.put("ring", ring(view.cmap()));
        QuorumService q = view.quorum();
        QuorumState qs = q == null ? null : q.current().orElse(null);
        if (qs != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("quorate", qs.quorate());
            m.put("members", qs.members());
            m.put("totalVotes", qs.totalVotes());
            m.put("expectedVotes", qs.expectedVotes());
            m.put("quorum", qs.quorum());
            m.put("provider", qs.provider());
            doc.put("quorum", m);
        } else {
            doc.put("quorum", null);
        }
        doc.put("crm", crm == null ? null : crm(crm));
        Controller c = view.controller();
        List<Object> timeline = new ArrayList<>();
        if (c != null) {
            List<TimelineEvent> events = c.timeline();
            for (TimelineEvent e : events.subList(Math.max(0, events.size() - TIMELINE_MAX), events.size())) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("time", e.epochMillis());
                m.put("kind", e.kind());
                m.put("text", e.text());
                timeline.add(m);
            }
        }
        doc.put("timeline", c == null ? null : timeline);
        return doc;
    }

    private static final java.util.regex.Pattern KNET =
        java.util.regex.Pattern.compile("stats\\.knet\\.node(\\d+)\\.link(\\d+)\\.(\\w+)");
    private static final java.util.Set<String> KNET_SHOWN = java.util.Set.of("connected", "latency_ave",
        "latency_min", "latency_max", "latency_samples", "down_count");

    private static Map<String, Object> ring(Cmap cmap) {
        Map<String, Object> ring = new LinkedHashMap<>();
        ring.put("id", cmap.get("runtime.totem.ring_id").map(CmapEntry::valueString).orElse(null));
        ring.put("state", cmap.get("runtime.totem.state").map(CmapEntry::valueString).orElse(null));
        Map<String, Map<String, Object>> members = new TreeMap<>();
        for (CmapEntry e : cmap.iterate("runtime.members.")) {
            String rest = e.key().substring("runtime.members.".length());
            int dot = rest.indexOf('.');
            if (dot > 0) {
                members.computeIfAbsent(rest.substring(0, dot), k -> new LinkedHashMap<>())
                    .put(rest.substring(dot + 1), e.valueString());
            }
        }
        // per node and link: the heartbeat's state and round trip (stats.knet.node<N>.link<R>.*, microseconds)
        Map<String, Map<String, Map<String, Object>>> nodeLinks = new TreeMap<>();
        for (CmapEntry e : cmap.iterate("stats.knet.node")) {
            java.util.regex.Matcher km = KNET.matcher(e.key());
            if (km.matches() && KNET_SHOWN.contains(km.group(3))) {
                nodeLinks.computeIfAbsent(km.group(1), k -> new TreeMap<>())
                    .computeIfAbsent(km.group(2), k -> new LinkedHashMap<>(Map.of("link", k)))
                    .put(km.group(3), e.longValue());
            }
        }
        List<Object> list = new ArrayList<>();
        members.forEach((id, m) -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("nodeid", id);
            n.putAll(m);
            n.put("links", new ArrayList<>(nodeLinks.getOrDefault(id, Map.of()).values()));
            list.add(n);
        });
        ring.put("members", list);
        List<Object> links = new ArrayList<>();
        for (CmapEntry e : cmap.iterate("runtime.totem.link.")) {
            if (e.key().endsWith(".faulty")) {
                String r = e.key().substring("runtime.totem.link.".length(), e.key().length() - ".faulty".length());
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("ring", r);
                l.put("faulty", !"0".equals(e.valueString()));
                l.put("reason", cmap.get("runtime.totem.link." + r + ".fault_reason").map(CmapEntry::valueString)
                    .orElse(null));
                links.add(l);
            }
        }
        ring.put("links", links);
        return ring;
    }

    private static Map<String, Object> crm(CrmStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dc", s.dc());
        m.put("quorate", s.quorate());
        List<Object> nodes = new ArrayList<>();
        for (CrmStatus.CrmNode n : s.nodes()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", n.name());
            o.put("id", n.id());
            o.put("online", n.online());
            o.put("standby", n.standby());
            o.put("maintenance", n.maintenance());
            o.put("unclean", n.unclean());
            o.put("dc", n.dc());
            nodes.add(o);
        }
        m.put("nodes", nodes);
        List<Object> resources = new ArrayList<>();
        for (CrmStatus.CrmResource r : s.resources()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", r.id());
            o.put("parent", r.parent());
            o.put("agent", r.agent());
            o.put("role", r.role());
            o.put("active", r.active());
            o.put("failed", r.failed());
            o.put("managed", r.managed());
            o.put("nodes", r.nodes());
            resources.add(o);
        }
        m.put("resources", resources);
        m.put("failures", s.failures());
        m.put("failCounts", s.failCounts());
        m.put("bans", s.bans());
        return m;
    }
}
