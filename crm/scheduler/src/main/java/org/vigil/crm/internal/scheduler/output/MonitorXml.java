package org.vigil.crm.internal.scheduler.output;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Location;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Bundle;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;

/**
 * {@code crm_mon --output-as=xml} (Pacemaker 2.1.5, API 2.25: {@code cluster_status_xml()} in
 * lib/pacemaker/pcmk_output.c and the XML messages of lib/pengine): summary, nodes, every resource, node attributes,
 * the operation history of every node ("node_history"), failures, bans, and the result status, in the
 * {@code <pacemaker-result>} document pcs reads and validates against {@code api-result.rng} (or, for the
 * deprecated {@code -X}, under {@code <crm_mon version="2.1.5">}).
 *
 * <p>Unpacks the working set's constraints itself (the bans need them).
 */
public final class MonitorXml {

    /** The Pacemaker version whose output this is ({@code -X}'s root). */
    public static final String PACEMAKER_VERSION = "2.1.5";
    /** The API schema version of crm_mon's XML in Pacemaker 2.1.5. */
    public static final String API_VERSION = "2.25";

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    /** An element being built: attributes in order (null values left out), children. */
    private static final class El {
        final String name;
        final List<String[]> attrs = new ArrayList<>();
        final List<El> kids = new ArrayList<>();

        El(String name, String... pairs) {
            this.name = name;
            set(pairs);
        }

        El set(String... pairs) {
            for (int i = 0; i + 1 < pairs.length; i += 2) {
                if (pairs[i + 1] != null) {
                    attrs.add(new String[] {pairs[i], pairs[i + 1]});
                }
            }
            return this;
        }

        El add(El child) {
            kids.add(child);
            return child;
        }

        void write(StringBuilder out, int depth) {
            out.append("  ".repeat(depth)).append('<').append(name);
            for (String[] a : attrs) {
                out.append(' ').append(a[0]).append("=\"");
                escape(out, a[1]);
                out.append('"');
            }
            if (kids.isEmpty()) {
                out.append("/>\n");
                return;
            }
            out.append(">\n");
            for (El k : kids) {
                k.write(out, depth + 1);
            }
            out.append("  ".repeat(depth)).append("</").append(name).append(">\n");
        }
    }

    /** libxml2's attribute escaping. */
    public static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\n' -> out.append("&#10;");
                case '\r' -> out.append("&#13;");
                case '\t' -> out.append("&#9;");
                default -> out.append(c);
            }
        }
    }

    private final MonitorText text;
    private final MonitorText.Options options;
    private final ZoneId zone;
    private final boolean legacy;
    private final String request;

    /**
     * @param legacy  {@code -X}: the {@code <crm_mon>} root
     * @param request the command line, for the {@code request} attribute
     */
    public MonitorXml(MonitorText.Options options, ZoneId zone, boolean legacy, String request) {
        this.options = options;
        this.zone = zone;
        this.legacy = legacy;
        this.request = request;
        this.text = new MonitorText(options, zone);
    }

    private static String bool(boolean b) {
        return b ? "true" : "false";
    }

    /**
     * The whole document, from a working set unpacked without its constraints (they are unpacked here, after the
     * counts, as {@code pcmk__output_cluster_status()} does, for the bans).
     */
    public String print(WorkingSet ws, long nowEpochSecond) {
        int[] counts = MonitorText.counts(ws);
        Scheduler.unpackConstraints(ws);
        El root = legacy ? new El("crm_mon", "version", PACEMAKER_VERSION)
            : new El("pacemaker-result", "api-version", API_VERSION, "request", request);
        summary(ws, nowEpochSecond, counts, root.add(new El("summary")));
        nodes(ws, root.add(new El("nodes")));
        resources(ws, root);
        attributes(ws, root);
        history(ws, root);
        failures(ws, root);
        tickets(ws, root);
        bans(ws, root);
        if (!legacy) {
            root.add(new El("status", "code", "0", "message", "OK"));
        }
        StringBuilder out = new StringBuilder(8192);
        root.write(out, 0);
        return out.toString();
    }

    // ---------------------------------------------------------------- summary

    private void summary(WorkingSet ws, long now, int[] counts, El s) {
        XmlElement cib = ws.input;
        String stack = MonitorText.nvpair(cib, "cluster-infrastructure");
        if (stack == null) {
            stack = options.defaultStack() != null ? options.defaultStack() : "unknown";
        }
        s.add(new El("stack", "type", stack));
        Node dc = text.dc(ws);
        if (dc != null) {
            String version = MonitorText.nvpair(cib, "dc-version");
            s.add(new El("current_dc", "present", "true", "version", version != null ? version : "", "name",
                dc.uname, "id", dc.id, "with_quorum", bool(Util.isTrue(cib.get("have-quorum"))), "mixed_version",
                bool(MonitorText.mixedVersion(ws))));
        } else {
            s.add(new El("current_dc", "present", "false"));
        }
        s.add(new El("last_update", "time", text.ctime(now)));
        s.add(new El("last_change", "time", orEmpty(cib.get("cib-last-written")), "user",
            orEmpty(cib.get("update-user")), "client", orEmpty(cib.get("update-client")), "origin",
            orEmpty(cib.get("update-origin"))));
        s.add(new El("nodes_configured", "number", Integer.toString(ws.nodes.size())));
        s.add(new El("resources_configured", "number", Integer.toString(counts[0]), "disabled",
            Integer.toString(counts[1]), "blocked", Integer.toString(counts[2])));
        s.add(new El("cluster_options", "stonith-enabled", bool(ws.is(WorkingSet.STONITH_ENABLED)),
            "symmetric-cluster", bool(ws.is(WorkingSet.SYMMETRIC)), "no-quorum-policy",
            ws.noQuorumPolicy.name().toLowerCase(Locale.ROOT), "maintenance-mode",
            bool(ws.is(WorkingSet.MAINTENANCE_MODE)), "stop-all-resources", bool(ws.is(WorkingSet.STOP_EVERYTHING)),
            "stonith-timeout-ms", Long.toString(Util.parseMsec(ws.pref("stonith-timeout"))),
            "priority-fencing-delay-ms", Long.toString(ws.priorityFencingDelay * 1000)));
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    // ---------------------------------------------------------------- nodes

    /** Follows {@code node_xml()} in lib/pengine/pe_output.c. */
    private void nodes(WorkingSet ws, El list) {
        for (Node node : ws.nodes) {
            int health = StatusPrinter.health(ws, node);
            El n = list.add(new El("node", "name", node.uname, "id", node.id, "online", bool(node.online), "standby",
                bool(node.standby), "standby_onfail", bool(node.standbyOnfail), "maintenance", bool(node.maintenance),
                "pending", bool(node.pending), "unclean", bool(node.unclean), "health",
                health < 0 ? "red" : health == 0 ? "yellow" : "green", "feature_set", MonitorText.featureSet(node),
                "shutdown", bool(node.shutdown), "expected_up", bool(node.expectedUp), "is_dc", bool(node.isDc),
                "resources_running", Integer.toString(node.runningRsc.size()), "type",
                switch (node.type) {
                    case MEMBER -> "member";
                    case REMOTE -> "remote";
                    case PING -> "ping";
                }));
            if (node.isGuest() && node.remoteRsc != null && node.remoteRsc.container != null) {
                n.set("id_as_resource", node.remoteRsc.container.id);
            }
            if (options.show().byNode()) {
                for (Resource rsc : node.runningRsc) {
                    resource(rsc, n);
                }
            }
        }
    }

    // ---------------------------------------------------------------- resources

    /** Follows {@code resource_list()} in lib/pengine/pe_output.c (XML: every resource, full details). */
    private void resources(WorkingSet ws, El root) {
        El list = null;
        for (Resource rsc : ws.resources) {
            boolean active = rsc.active(true);
            boolean partial = rsc.active(false);
            if (rsc.is(Resource.ORPHAN) && !active) {
                continue;
            } else if (options.show().byNode()) {
                if (active) {
                    continue;
                }
            } else if (!partial && !options.show().inactive()) {
                continue;
            }
            if (list == null) {
                list = root.add(new El("resources"));
            }
            resource(rsc, list);
        }
    }

    /**
     * One resource's element (and its members') as crm_mon's XML shows it, written at {@code depth} (two spaces
     * each): for {@code crm_resource --query-xml --output-as xml}.
     */
    public static String resourceElement(Resource rsc, StatusPrinter.Show show, int depth) {
        return fragment(show, depth, (m, holder) -> m.resource(rsc, holder));
    }

    /**
     * The {@code resources} element crm_mon's XML would show with {@code show} (empty string when it shows none),
     * written at {@code depth}: for {@code crm_resource --list --output-as xml}.
     */
    public static String resourceList(WorkingSet ws, StatusPrinter.Show show, int depth) {
        return fragment(show, depth, (m, holder) -> m.resources(ws, holder));
    }

    /** What {@code fill} puts under a holder element, written at {@code depth}, by a printer showing {@code show}. */
    private static String fragment(StatusPrinter.Show show, int depth,
                                   java.util.function.BiConsumer<MonitorXml, El> fill) {
        MonitorXml m = new MonitorXml(new MonitorText.Options(show, false, false, false, null, null),
            ZoneId.of("UTC"), false, "");
        El holder = new El("holder");
        fill.accept(m, holder);
        StringBuilder b = new StringBuilder();
        for (El k : holder.kids) {
            k.write(b, depth);
        }
        return b.toString();
    }

    private void resource(Resource rsc, El parent) {
        switch (rsc.variant) {
            case PRIMITIVE -> primitive(rsc, parent);
            case GROUP -> group(rsc, parent);
            case CLONE -> clone(rsc, parent);
            case BUNDLE -> bundle(rsc, parent);
        }
    }

    /** Follows {@code pe__resource_xml()} in lib/pengine/native.c. */
    private void primitive(Resource rsc, El parent) {
        String cls = rsc.xml.get("class");
        String prov = rsc.xml.get("provider");
        String pendingState = options.show().pending() ? StatusPrinter.pendingState(rsc.pendingTask) : null;
        String role = pendingState != null ? pendingState : StatusPrinter.displayableRole(rsc).text();
        String pendingTask = options.show().pending() && "monitor".equalsIgnoreCase(rsc.pendingTask)
            ? "Monitoring" : null;
        El r = parent.add(new El("resource", "id", rsc.printableId(), "resource_agent",
            cls + (prov == null ? "" : ":" + prov) + ":" + rsc.xml.get("type"), "role", role, "target_role",
            rsc.meta.get("target-role"), "active", bool(rsc.active(true)), "orphaned", bool(rsc.is(Resource.ORPHAN)),
            "blocked", bool(rsc.is(Resource.BLOCK)), "managed", bool(rsc.is(Resource.MANAGED)), "failed",
            bool(rsc.is(Resource.FAILED)), "failure_ignored", bool(rsc.is(Resource.FAILURE_IGNORED)),
            "nodes_running_on", Integer.toString(rsc.runningOn.size()), "pending", pendingTask, "locked_to",
            rsc.lockNode == null ? null : rsc.lockNode.uname));
        for (Node n : rsc.runningOn) {
            r.add(new El("node", "name", n.uname, "id", n.id, "cached", bool(n.online)));
        }
    }

    /** Follows {@code pe__group_xml()} in lib/pengine/group.c. */
    private void group(Resource rsc, El parent) {
        El g = null;
        for (Resource child : rsc.children) {
            if (!child.active(false) && !options.show().inactive()) {
                continue;
            }
            if (g == null) {
                g = parent.add(new El("group", "id", rsc.id, "number_resources",
                    Integer.toString(rsc.children.size()), "managed", bool(rsc.is(Resource.MANAGED)), "disabled",
                    bool(StatusPrinter.isDisabled(rsc))));
            }
            resource(child, g);
        }
    }

    /** Follows {@code pe__clone_xml()} in lib/pengine/clone.c. */
    private void clone(Resource rsc, El parent) {
        El c = null;
        for (Resource child : rsc.children) {
            if (c == null) {
                c = parent.add(new El("clone", "id", rsc.id, "multi_state", bool(rsc.is(Resource.PROMOTABLE)),
                    "unique", bool(rsc.is(Resource.UNIQUE)), "managed", bool(rsc.is(Resource.MANAGED)), "disabled",
                    bool(StatusPrinter.isDisabled(rsc)), "failed", bool(rsc.is(Resource.FAILED)), "failure_ignored",
                    bool(rsc.is(Resource.FAILURE_IGNORED)), "target_role", StatusPrinter.configuredTargetRole(rsc)));
            }
            resource(child, c);
        }
    }

    /** Follows {@code pe__bundle_xml()} in lib/pengine/bundle.c. */
    private void bundle(Resource rsc, El parent) {
        if (!(rsc instanceof Bundle b)) {
            return;
        }
        El el = null;
        List<Resource[]> parts = b.replicaParts();
        List<Integer> offsets = b.replicaOffsets();
        for (int i = 0; i < parts.size(); i++) {
            if (el == null) {
                el = parent.add(new El("bundle", "id", rsc.id, "type", b.agentName(), "image", b.image(), "unique",
                    bool(rsc.is(Resource.UNIQUE)), "managed", bool(rsc.is(Resource.MANAGED)), "failed",
                    bool(rsc.is(Resource.FAILED))));
            }
            El replica = el.add(new El("replica", "id", Integer.toString(offsets.get(i))));
            for (Resource part : parts.get(i)) {
                if (part != null) {
                    resource(part, replica);
                }
            }
        }
    }

    // ---------------------------------------------------------------- node attributes

    /** Follows {@code node_attribute_list()} and {@code node_attribute_xml()} in lib/pengine/pe_output.c. */
    private void attributes(WorkingSet ws, El root) {
        if (!options.attributes()) {
            return;
        }
        El list = null;
        for (Node node : ws.nodes) {
            if (!node.online) {
                continue;
            }
            List<String> names = MonitorText.shownAttributes(node);
            if (names.isEmpty()) {
                continue;
            }
            if (list == null) {
                list = root.add(new El("node_attributes"));
            }
            El n = list.add(new El("node", "name", node.uname));
            for (String name : names) {
                El a = n.add(new El("attribute", "name", name, "value", node.attrs.get(name)));
                int[] expected = {0};
                if (MonitorText.pingExpectation(ws, node, node.runningRsc, name, expected)) {
                    a.set("expected", Integer.toString(expected[0]));
                }
            }
        }
    }

    // ---------------------------------------------------------------- operation history

    /**
     * Follows {@code node_summary()}, {@code node_history_list()}, {@code resource_operation_list()} and
     * {@code op_history_xml()} in lib/pengine/pe_output.c, with the operations section (XML shows everything).
     */
    private void history(WorkingSet ws, El root) {
        if (!options.failcounts()) {
            return;
        }
        XmlElement status = ws.input.firstChild("status");
        if (status == null || status.children().isEmpty()) {
            return;
        }
        El list = null;
        for (XmlElement state : status.children("node_state")) {
            Node node = ws.findNodeId(state.get("id"));
            if (node == null || !node.online) {
                continue;
            }
            if (list == null) {
                list = root.add(new El("node_history"));
            }
            El nodeEl = null;
            XmlElement lrm = state.firstChild("lrm");
            XmlElement rscs = lrm == null ? null : lrm.firstChild("lrm_resources");
            if (rscs == null) {
                continue;
            }
            for (XmlElement entry : rscs.children("lrm_resource")) {
                Resource rsc = ws.findResource(entry.get("id"));
                List<XmlElement> ops = operations(entry);
                if (ops.isEmpty()) {
                    continue;
                }
                if (nodeEl == null) {
                    nodeEl = list.add(new El("node", "name", node.uname));
                }
                El h;
                if (rsc == null) {
                    h = nodeEl.add(new El("resource_history", "id", entry.get("id"), "orphan", "true"));
                } else {
                    long[] last = {0};
                    int count = Unpacker.failcount(ws, node, rsc, Unpacker.FC_DEFAULT, last);
                    h = nodeEl.add(new El("resource_history", "id", rsc.printableId(), "orphan", "false",
                        "migration-threshold", Integer.toString(rsc.migrationThreshold)));
                    if (count > 0) {
                        h.set("fail-count", Integer.toString(count));
                    }
                    if (last[0] > 0) {
                        h.set("last-failure", text.ctime(last[0]));
                    }
                }
                for (XmlElement op : ops) {
                    h.add(operation(op));
                }
            }
        }
    }

    /** Follows {@code get_operation_list()} in lib/pengine/pe_output.c: no notifications nor "not running" probes. */
    static List<XmlElement> operations(XmlElement entry) {
        List<XmlElement> ops = new ArrayList<>();
        for (XmlElement op : entry.children()) {
            String task = op.get("operation");
            String interval = op.get("interval");
            long rc = Score.parseLeadingLong(op.get("rc-code"), 0);
            if ("monitor".equalsIgnoreCase(task) && (interval == null || "0".equals(interval))) {
                task = "probe";
            }
            if ("notify".equalsIgnoreCase(task) || ("probe".equals(task) && rc == 7)) {
                continue;
            }
            if (op.is("lrm_rsc_op")) {
                ops.add(op);
            }
        }
        Unpacker.sortByCallId(ops);
        return ops;
    }

    private El operation(XmlElement op) {
        String task = op.get("operation");
        String interval = op.get("interval");
        if ("monitor".equalsIgnoreCase(task) && (interval == null || "0".equals(interval))) {
            task = "probe";
        }
        int rc = MonitorText.scanMinInt(op.get("rc-code"), 0);
        El o = new El("operation_history", "call", op.get("call-id"), "task", task, "rc", Integer.toString(rc),
            "rc_text", StatusPrinter.ocfExitText(rc));
        if (interval != null && !"0".equals(interval)) {
            o.set("interval", interval + "ms");
        }
        long change = MonitorText.epoch(op.get("last-rc-change"));
        if (change != Long.MIN_VALUE && change > 0) {
            o.set("last-rc-change", text.ctime(change));
        }
        String exec = op.get("exec-time");
        if (exec != null) {
            o.set("exec-time", exec + "ms");
        }
        String queue = op.get("queue-time");
        if (queue != null) {
            o.set("queue-time", queue + "ms");
        }
        return o;
    }

    // ---------------------------------------------------------------- failures

    /** Follows {@code failed_action_list()} and {@code failed_action_xml()} in lib/pengine/pe_output.c. */
    private void failures(WorkingSet ws, El root) {
        El list = null;
        for (XmlElement op : ws.failedOps) {
            if (MonitorText.maskedProbeFailure(op)) {
                continue;
            }
            String key = op.get("operation_key");
            if (Util.parseOpKey(key != null ? key : op.get("id")) == null) {
                continue;
            }
            if (list == null) {
                list = root.add(new El("failures"));
            }
            int rc = MonitorText.scanMinInt(op.get("rc-code"), 0);
            int status = MonitorText.scanMinInt(op.get("op-status"), 0);
            String reason = xmlEscape(op.get("exit-reason") == null ? "none" : op.get("exit-reason"));
            El f = list.add(new El("failure", key == null ? "id" : "op_key",
                key == null ? op.get("id") : key, "node", op.get("uname"), "exitstatus",
                StatusPrinter.ocfExitText(rc), "exitreason", reason, "exitcode",
                Integer.toString(rc), "call", op.get("call-id"), "status", MonitorText.execStatusText(status)));
            long change = MonitorText.epoch(op.get("last-rc-change"));
            if (change != Long.MIN_VALUE && change > 0) {
                f.set("last-rc-change", isoTime(change), "queued", op.get("queue-time"), "exec", op.get("exec-time"),
                    "interval", Long.toString(Score.parseLeadingLong(op.get("interval"), 0)), "task",
                    op.get("operation"));
            }
        }
    }

    /** {@code crm_time_as_string()} with date, time of day and zone: {@code 2023-03-07 10:14:03Z} in UTC. */
    private String isoTime(long epochSecond) {
        ZonedDateTime t = Instant.ofEpochSecond(epochSecond).atZone(zone);
        int offset = t.getOffset().getTotalSeconds();
        String date = ISO.format(t);
        if (offset == 0) {
            return date + "Z";
        }
        int abs = Math.abs(offset);
        return String.format(Locale.ROOT, "%s %c%02d:%02d", date, offset < 0 ? '-' : '+', abs / 3600,
            (abs % 3600) / 60);
    }

    // ---------------------------------------------------------------- bans

    /**
     * Follows {@code crm_xml_escape()} in lib/common/xml.c, quirks included: it stops at the first multi-byte UTF-8
     * character, leaving the rest as it is.
     */
    static String xmlEscape(String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(b.length + 16);
        for (int i = 0; i < b.length; i++) {
            int c = b[i];
            if ((c & 0x80) != 0 && i + 1 < b.length && (b[i + 1] & 0x80) != 0) {
                out.write(b, i, b.length - i);
                break;
            }
            String r = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&apos;";
                case '&' -> "&amp;";
                case '\t' -> "    ";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> c < ' ' || c > '~' ? String.format(Locale.ROOT, "\\%03o", c & 0xff) : null;
            };
            if (r == null) {
                out.write(c);
            } else {
                out.writeBytes(r.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- tickets

    /** Follows {@code ticket_list()} and {@code ticket_xml()} in lib/pengine/pe_output.c. */
    private void tickets(WorkingSet ws, El root) {
        if (ws.tickets.isEmpty()) {
            return;
        }
        El list = root.add(new El("tickets"));
        for (String id : GHashOrder.ofPacemakerStrkey(ws.tickets.keySet())) {
            org.vigil.crm.internal.scheduler.model.Ticket t = ws.tickets.get(id);
            El e = list.add(new El("ticket", "id", t.id, "status", t.granted ? "granted" : "revoked", "standby",
                bool(t.standby)));
            if (t.lastGranted > -1) {
                e.set("last-granted", text.ctime(t.lastGranted));
            }
        }
    }

    // ---------------------------------------------------------------- bans

    /**
     * Follows {@code ban_list()} and {@code ban_xml()} in lib/pengine/pe_output.c; Pacemaker prepends each new
     * constraint to its list, so they come out last first.
     */
    private void bans(WorkingSet ws, El root) {
        El list = null;
        List<Location> newestFirst = new ArrayList<>(ws.placementConstraints);
        java.util.Collections.reverse(newestFirst);
        for (Location loc : newestFirst) {
            for (NodeScore ns : loc.nodes) {
                if (ns.weight < 0) {
                    if (list == null) {
                        list = root.add(new El("bans"));
                    }
                    String promotedOnly = bool(loc.roleFilter == Role.PROMOTED);
                    list.add(new El("ban", "id", loc.id, "resource", loc.rsc.id, "node", ns.node.uname, "weight",
                        Integer.toString(ns.weight), "promoted-only", promotedOnly, "master_only", promotedOnly));
                }
            }
        }
    }
}
