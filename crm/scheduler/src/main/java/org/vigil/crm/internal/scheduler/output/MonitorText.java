package org.vigil.crm.internal.scheduler.output;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;

/**
 * {@code crm_mon}'s text output (Pacemaker 2.1.5, {@code pcmk__cluster_status_text()} in
 * lib/pacemaker/pcmk_output.c and the messages of lib/pengine/pe_output.c): the "Cluster Summary" block (stack, DC,
 * times, counts), the maintenance banner, the node list, the resources, and on request the node attributes
 * ({@code -A}), the fail counts ("Migration Summary", {@code -f}) and the failed resource actions, one blank line
 * between sections.
 *
 * <p>Stateless apart from its settings; one instance may print several working sets.
 */
public final class MonitorText {

    /** Attributes {@code crm_mon -A} never shows (pe_output.c's FILTER_STR). */
    private static final List<String> HIDDEN_ATTRIBUTES = List.of("fail-count-", "last-failure-", "shutdown",
        "terminate", "standby", "#");

    /** {@code ctime()}: {@code Tue Mar  7 10:15:02 2023}. */
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy",
        Locale.ENGLISH);

    /**
     * What to print.
     *
     * @param show          resources: inactive ones ({@code -r}), pending operations, grouped by node ({@code -n}),
     *                      details ({@code -R}: node ids, feature sets, clone instances, failed actions in the
     *                      technical form)
     * @param summary       the "Cluster Summary" section (not with {@code -D})
     * @param attributes    the "Node Attributes" section ({@code -A})
     * @param failcounts    the "Migration Summary" section ({@code -f})
     * @param defaultStack  the stack to show when the CIB names none ({@code cluster-infrastructure}), or null
     *                      for Pacemaker's "unknown"
     * @param dcName        the DC's name when the caller knows it better than the CIB's {@code dc-uuid} (the
     *                      controller's), "" when no DC is elected, null to use {@code dc-uuid}
     */
    public record Options(StatusPrinter.Show show, boolean summary, boolean attributes, boolean failcounts,
                          String defaultStack, String dcName, boolean operations, boolean timing, String bans) {

        /**
         * Without the operation history ({@code -o}, {@code -t}: {@code operations}, {@code timing}) and the
         * negative location constraints ({@code -L}: {@code bans}, the prefix of the constraint ids shown, "" for
         * all, null for the section left out).
         */
        public Options(StatusPrinter.Show show, boolean summary, boolean attributes, boolean failcounts,
                       String defaultStack, String dcName) {
            this(show, summary, attributes, failcounts, defaultStack, dcName, false, false, null);
        }
    }

    private final Options options;
    private final ZoneId zone;

    public MonitorText(Options options, ZoneId zone) {
        this.options = options;
        this.zone = zone;
    }

    /** {@code ctime()} of an epoch second in this printer's zone. */
    public String ctime(long epochSecond) {
        return CTIME.format(Instant.ofEpochSecond(epochSecond).atZone(zone));
    }

    /** The whole status of an unpacked working set, as of {@code now} (the "Last updated" line). */
    public String print(WorkingSet ws, long nowEpochSecond) {
        return print(ws, nowEpochSecond, null);
    }

    /**
     * The whole status, with the resource counts of the summary taken before the constraints were unpacked
     * ({@code counts}, from {@link #counts}; null: counted now), as {@code pcmk__output_cluster_status()} unpacks
     * them after the status when the bans or tickets are shown (a ticket's loss policy may fence a node then).
     */
    public String print(WorkingSet ws, long nowEpochSecond, int[] counts) {
        StringBuilder out = new StringBuilder(4096);
        boolean printed = false;
        if (options.summary()) {
            summary(ws, nowEpochSecond, out, counts);
            printed = true;
        } else if (dc(ws) == null) {
            out.append("Cluster Summary:\n  * Current DC: NONE\n");   // always shown when there is no DC
            printed = true;
        }
        printed |= StatusPrinter.printNodesAndResources(ws, options.show(), out, printed);
        if (options.attributes()) {
            printed |= attributes(ws, out, printed);
        }
        if (options.failcounts() || options.operations()) {
            printed |= migrationSummary(ws, out, printed);
        }
        if (!ws.failedOps.isEmpty()) {
            failedActions(ws, out, printed);
        }
        return out.toString();
    }

    /**
     * {@code crm_mon -s}: one line for a monitoring system, a warning starting "CLUSTER WARN". Follows
     * {@code pcmk__output_simple_status()} in lib/pacemaker/pcmk_status.c: a warning without a DC or with offline
     * nodes (each named), else the online, standby and maintenance nodes and the resource instances.
     */
    public String simpleStatus(WorkingSet ws) {
        int online = 0;
        int standby = 0;
        int maintenance = 0;
        StringBuilder offline = new StringBuilder();
        boolean noDc = dc(ws) == null;
        for (Node node : ws.nodes) {
            if (node.standby && node.online) {
                standby++;
            } else if (node.maintenance && node.online) {
                maintenance++;
            } else if (node.online) {
                online++;
            } else {
                offline.append(offline.isEmpty() ? "" : " ").append("offline node: ").append(node.uname);
            }
        }
        if (noDc || !offline.isEmpty()) {
            return "CLUSTER WARN: " + (noDc ? "No DC" : "") + (noDc && !offline.isEmpty() ? ", " : "") + offline;
        }
        int instances = counts(ws)[0];
        return "CLUSTER OK: " + online + " node" + (online == 1 ? "" : "s") + " online"
            + (standby > 0 ? ", " + standby + " standby node" + (standby == 1 ? "" : "s") : "")
            + (maintenance > 0 ? ", " + maintenance + " maintenance node" + (maintenance == 1 ? "" : "s") : "")
            + ", " + instances + " resource instance" + (instances == 1 ? "" : "s") + " configured";
    }

    /**
     * The "Negative Location Constraints" section ({@code -L}), of a working set whose constraints are unpacked:
     * each node a location constraint (with an id starting with {@link Options#bans()}) gives a negative score.
     * Follows {@code ban_list()} and {@code ban_text()} in lib/pengine/pe_output.c (Pacemaker prepends each new
     * constraint to its list, so they come out last first). Returns whether it printed anything.
     */
    public boolean bans(WorkingSet ws, StringBuilder out, boolean spacer) {
        String prefix = options.bans() == null ? "" : options.bans();
        boolean header = false;
        List<org.vigil.crm.internal.scheduler.model.Location> newestFirst = new ArrayList<>(ws.placementConstraints);
        java.util.Collections.reverse(newestFirst);
        for (org.vigil.crm.internal.scheduler.model.Location loc : newestFirst) {
            if (!loc.id.startsWith(prefix)) {
                continue;
            }
            for (org.vigil.crm.internal.scheduler.model.NodeScore ns : loc.nodes) {
                if (ns.weight >= 0) {
                    continue;
                }
                if (!header) {
                    out.append(spacer ? "\n" : "").append("Negative Location Constraints:\n");
                    header = true;
                }
                out.append("  * ").append(loc.id).append("\tprevents ").append(loc.rsc.id).append(" from running ")
                    .append(loc.roleFilter == org.vigil.crm.internal.cib.Role.PROMOTED ? "in Promoted role " : "")
                    .append("on ").append(StatusPrinter.displayName(ns.node, options.show().detail())).append('\n');
            }
        }
        return header;
    }

    // ---------------------------------------------------------------- summary

    /** The value of the first {@code nvpair} of that name anywhere in the CIB (Pacemaker's XPath lookup). */
    static String nvpair(XmlElement root, String name) {
        if (root.is("nvpair") && name.equals(root.get("name"))) {
            return root.get("value");
        }
        for (XmlElement c : root.children()) {
            String v = nvpair(c, name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** The DC's node, by the caller's name or the CIB's {@code dc-uuid}. */
    public Node dc(WorkingSet ws) {
        if (options.dcName() == null) {
            return ws.dcNode;
        }
        return options.dcName().isEmpty() ? null : ws.findNode(options.dcName());
    }

    /** Follows {@code cluster_summary()} and the messages it calls in lib/pengine/pe_output.c. */
    private void summary(WorkingSet ws, long now, StringBuilder out, int[] preset) {
        XmlElement cib = ws.input;
        out.append("Cluster Summary:\n");
        String stack = nvpair(cib, "cluster-infrastructure");
        if (stack == null) {
            stack = options.defaultStack() != null ? options.defaultStack() : "unknown";
        }
        out.append("  * Stack: ").append(stack).append('\n');
        Node dc = dc(ws);
        if (dc != null) {
            String version = nvpair(cib, "dc-version");
            out.append("  * Current DC: ").append(StatusPrinter.displayName(dc, options.show().detail()))
                .append(" (version ")
                .append(version != null ? version : "unknown").append(") - ")
                .append(mixedVersion(ws) ? "MIXED-VERSION " : "").append("partition ")
                .append(Util.isTrue(cib.get("have-quorum")) ? "with" : "WITHOUT").append(" quorum\n");
        } else {
            out.append("  * Current DC: NONE\n");
        }
        out.append("  * Last updated: ").append(ctime(now)).append('\n');
        out.append("  * Last change:  ").append(lastChange(cib)).append('\n');
        int nodes = ws.nodes.size();
        out.append("  * ").append(nodes).append(" node").append(nodes == 1 ? "" : "s").append(" configured\n");
        int[] counts = preset != null ? preset : counts(ws);
        out.append("  * ").append(counts[0]).append(" resource instance").append(counts[0] == 1 ? "" : "s")
            .append(" configured");
        if (counts[1] > 0 && counts[2] > 0) {
            out.append(" (").append(counts[1]).append(" DISABLED, ").append(counts[2])
                .append(" BLOCKED from further action due to failure)");
        } else if (counts[1] > 0) {
            out.append(" (").append(counts[1]).append(" DISABLED)");
        } else if (counts[2] > 0) {
            out.append(" (").append(counts[2]).append(" BLOCKED from further action due to failure)");
        }
        out.append('\n');
        if (ws.is(WorkingSet.MAINTENANCE_MODE)) {
            out.append("\n              *** Resource management is DISABLED ***\n");
            out.append("  The cluster will not attempt to start, stop or recover services\n");
        } else if (ws.is(WorkingSet.STOP_EVERYTHING)) {
            out.append("\n    *** Resource management is DISABLED ***\n");
            out.append("  The cluster will keep all resources stopped\n");
        }
    }

    /** Instances, disabled, blocked: {@code pe__count_common()} in lib/pengine/complex.c. */
    public static int[] counts(WorkingSet ws) {
        int[] counts = new int[3];
        for (Resource r : ws.resources) {
            StatusPrinter.count(r, counts);
        }
        return counts;
    }

    /** Follows {@code last_changed_string()} in lib/pengine/pe_output.c. */
    public static String lastChange(XmlElement cib) {
        String written = cib.get("cib-last-written");
        String user = cib.get("update-user");
        String client = cib.get("update-client");
        String origin = cib.get("update-origin");
        StringBuilder s = new StringBuilder();
        s.append(written != null ? written : "");
        if (user != null) {
            s.append(" by ").append(user);
        }
        if (client != null) {
            s.append(" via ").append(client);
        }
        if (origin != null) {
            s.append(" on ").append(origin);
        }
        return s.toString();
    }

    /** Follows {@code is_mixed_version()} in lib/pengine/pe_output.c. */
    public static boolean mixedVersion(WorkingSet ws) {
        String seen = null;
        for (Node node : ws.nodes) {
            String fs = featureSet(node);
            if (fs != null) {
                if (seen == null) {
                    seen = fs;
                } else if (!seen.equals(fs)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Follows {@code get_node_feature_set()} in lib/pengine/pe_output.c. */
    public static String featureSet(Node node) {
        if (node.online && !node.isGuestOrRemote()) {
            String fs = node.attrs.get("#feature-set");
            return fs != null ? fs : "<3.15.1";
        }
        return null;
    }

    // ---------------------------------------------------------------- node attributes

    /** The attributes {@code -A} shows for a node, sorted by name. */
    public static List<String> shownAttributes(Node node) {
        List<String> names = new ArrayList<>();
        for (String name : node.attrs.keySet()) {
            boolean hidden = false;
            for (String prefix : HIDDEN_ATTRIBUTES) {
                if (name.startsWith(prefix)) {
                    hidden = true;
                    break;
                }
            }
            if (!hidden) {
                names.add(name);
            }
        }
        names.sort(null);
        return names;
    }

    /** Follows {@code node_attribute_list()} and {@code node_attribute_text()} in lib/pengine/pe_output.c. */
    private boolean attributes(WorkingSet ws, StringBuilder out, boolean spacer) {
        boolean header = false;
        for (Node node : ws.nodes) {
            if (!node.online) {
                continue;
            }
            List<String> names = shownAttributes(node);
            if (names.isEmpty()) {
                continue;
            }
            if (!header) {
                if (spacer) {
                    out.append('\n');
                }
                out.append("Node Attributes:\n");
                header = true;
            }
            out.append("  * Node: ").append(StatusPrinter.displayName(node, options.show().detail())).append(":\n");
            for (String name : names) {
                String value = node.attrs.get(name);
                int[] expected = {0};
                out.append("    * ");
                String line = String.format(Locale.ROOT, "%-32s\t: %-10s", name, value == null ? "(null)" : value);
                if (pingExpectation(ws, node, node.runningRsc, name, expected)) {
                    long v = value == null ? 0 : Score.parseLeadingLong(value, Integer.MIN_VALUE);
                    if (v <= 0) {
                        line += "\t: Connectivity is lost";
                    } else if (v < expected[0]) {
                        line += "\t: Connectivity is degraded (Expected=" + expected[0] + ")";
                    }
                }
                out.append(line).append('\n');
            }
        }
        return header;
    }

    /**
     * Whether {@code name} is the attribute of a ping resource running on the node, and the score it expects
     * (hosts times multiplier). Follows {@code add_extra_info()} in lib/pengine/pe_output.c.
     */
    public static boolean pingExpectation(WorkingSet ws, Node node, List<Resource> running, String name,
                                          int[] expected) {
        for (Resource rsc : running) {
            if (!rsc.children.isEmpty() && pingExpectation(ws, node, rsc.children, name, expected)) {
                return true;
            }
            String type = rsc.xml.get("type");
            if (!"ping".equalsIgnoreCase(type) && !"pingd".equalsIgnoreCase(type)) {
                continue;
            }
            Map<String, String> params = new java.util.LinkedHashMap<>();
            ws.rscAttributes(params, rsc, node);
            String attr = params.getOrDefault("name", "pingd");
            if (attr.equalsIgnoreCase(name)) {
                String hosts = params.get("host_list");
                int count = 0;
                if (hosts != null) {
                    // g_strsplit(hosts, " ", 0): every space separates, empty pieces count
                    count = hosts.isEmpty() ? 0 : hosts.split(" ", -1).length;
                }
                String m = params.get("multiplier");
                long mult = m == null ? 1 : Score.parseLeadingLong(m, Integer.MIN_VALUE);
                if (m == null || mult == Long.MIN_VALUE) {
                    mult = 1;
                }
                expected[0] = (int) (count * mult);
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- fail counts

    /** Follows {@code node_summary()} and {@code node_history_list()} in lib/pengine/pe_output.c. */
    private boolean migrationSummary(WorkingSet ws, StringBuilder out, boolean spacer) {
        XmlElement status = ws.input.firstChild("status");
        if (status == null || status.children().isEmpty()) {
            return false;
        }
        boolean header = false;
        for (XmlElement state : status.children("node_state")) {
            Node node = ws.findNodeId(state.get("id"));
            if (node == null || !node.online) {
                continue;
            }
            if (!header) {
                if (spacer) {
                    out.append('\n');
                }
                out.append(options.operations() ? "Operations:\n" : "Migration Summary:\n");
                header = true;
            }
            if (options.operations()) {
                operations(ws, node, state, out);
                continue;
            }
            boolean nodeHeader = false;
            for (FailCount fc : failCounts(ws, node, state)) {
                if (!nodeHeader) {
                    out.append("  * Node: ").append(StatusPrinter.displayName(node, options.show().detail()))
                        .append(":\n");
                    nodeHeader = true;
                }
                out.append("    * ").append(fc.rscId()).append(": migration-threshold=")
                    .append(fc.rsc().migrationThreshold);
                if (fc.count() > 0) {
                    out.append(" fail-count=").append(fc.count());
                }
                if (fc.lastFailure() > 0) {
                    out.append(" last-failure='").append(ctime(fc.lastFailure())).append('\'');
                }
                out.append('\n');
            }
        }
        return header;
    }

    /**
     * One node's part of the "Operations" section ({@code -o}, {@code -t}): each resource with operations in its
     * history, with its migration threshold and failures, then the operations (no notifications nor "not running"
     * probes), by call id. Follows the operations branch of {@code node_history_list()},
     * {@code resource_operation_list()}, {@code resource_history_string()} and {@code op_history_string()} in
     * lib/pengine/pe_output.c.
     */
    private void operations(WorkingSet ws, Node node, XmlElement state, StringBuilder out) {
        XmlElement lrm = state.firstChild("lrm");
        XmlElement resources = lrm == null ? null : lrm.firstChild("lrm_resources");
        if (resources == null) {
            return;
        }
        boolean nodeHeader = false;
        for (XmlElement entry : resources.children("lrm_resource")) {
            List<XmlElement> ops = MonitorXml.operations(entry);
            if (ops.isEmpty()) {
                continue;
            }
            if (!nodeHeader) {
                out.append("  * Node: ").append(StatusPrinter.displayName(node, options.show().detail()))
                    .append(":\n");
                nodeHeader = true;
            }
            Resource rsc = ws.findResource(entry.get("id"));
            out.append("    * ");
            if (rsc == null) {
                out.append(entry.get("id")).append(": orphan:");
            } else {
                long[] last = {0};
                int count = Unpacker.failcount(ws, node, rsc, Unpacker.FC_DEFAULT, last);
                out.append(rsc.printableId()).append(": migration-threshold=").append(rsc.migrationThreshold);
                if (count > 0) {
                    out.append(" fail-count=").append(count);
                }
                if (last[0] > 0) {
                    out.append(" last-failure='").append(ctime(last[0])).append('\'');
                }
                out.append(':');   // a list heading
            }
            out.append('\n');
            for (XmlElement op : ops) {
                String task = op.get("operation");
                String interval = op.get("interval");
                if ("monitor".equalsIgnoreCase(task) && (interval == null || "0".equalsIgnoreCase(interval))) {
                    task = "probe";
                }
                String intervalText = interval != null && !"0".equalsIgnoreCase(interval)
                    ? " interval=\"" + interval + "ms\"" : null;
                out.append("      * (").append(op.get("call-id")).append(") ").append(task);
                if (options.timing()) {
                    out.append(':').append(intervalText == null ? "" : intervalText);
                    long change = epoch(op.get("last-rc-change"));
                    if (change != Long.MIN_VALUE && change > 0) {
                        out.append(" last-rc-change=\"").append(ctime(change)).append('"');
                    }
                    if (op.get("exec-time") != null) {
                        out.append(" exec-time=\"").append(op.get("exec-time")).append("ms\"");
                    }
                    if (op.get("queue-time") != null) {
                        out.append(" queue-time=\"").append(op.get("queue-time")).append("ms\"");
                    }
                    int rc = scanMinInt(op.get("rc-code"), 0);
                    out.append(" rc=").append(rc).append(" (").append(StatusPrinter.ocfExitText(rc)).append(')');
                } else if (intervalText != null) {
                    out.append(':').append(intervalText);
                }
                out.append('\n');
            }
        }
    }

    /** A resource's fail count on a node, with the time of its last failure (0 if unknown). */
    public record FailCount(String rscId, Resource rsc, int count, long lastFailure) {
    }

    /** The resources with a fail count on a node, in the order of its history ({@code lrm_resource}s). */
    public static List<FailCount> failCounts(WorkingSet ws, Node node, XmlElement nodeState) {
        List<FailCount> out = new ArrayList<>();
        XmlElement lrm = nodeState.firstChild("lrm");
        XmlElement resources = lrm == null ? null : lrm.firstChild("lrm_resources");
        if (resources == null) {
            return out;
        }
        for (XmlElement entry : resources.children("lrm_resource")) {
            String id = entry.get("id");
            Resource rsc = ws.findResource(id);
            if (rsc == null) {
                continue;
            }
            long[] last = {0};
            int count = Unpacker.failcount(ws, node, rsc, Unpacker.FC_DEFAULT, last);
            if (count <= 0) {
                continue;
            }
            out.add(new FailCount(id, rsc, count, last[0]));
        }
        return out;
    }

    // ---------------------------------------------------------------- failed actions

    /** Follows {@code failed_action_list()} in lib/pengine/pe_output.c. */
    private void failedActions(WorkingSet ws, StringBuilder out, boolean spacer) {
        boolean header = false;
        for (XmlElement op : ws.failedOps) {
            if (maskedProbeFailure(op)) {
                continue;
            }
            String key = op.get("operation_key");
            if (Util.parseOpKey(key != null ? key : op.get("id")) == null) {
                continue;
            }
            if (!header) {
                if (spacer) {
                    out.append('\n');
                }
                out.append("Failed Resource Actions:\n");
                header = true;
            }
            out.append("  * ").append(options.show().detail() ? failedTechnical(op) : failedFriendly(op))
                .append('\n');
        }
    }

    /** Follows {@code pcmk_xe_mask_probe_failure()} in lib/common/operations.c. */
    public static boolean maskedProbeFailure(XmlElement op) {
        if (!"monitor".equals(op.get("operation")) || Score.parseLeadingLong(op.get("interval"), 0) != 0) {
            return false;
        }
        long rc = Score.parseLeadingLong(op.get("rc-code"), 0);
        long status = Score.parseLeadingLong(op.get("op-status"), -2);
        return rc == 5 || rc == 2 || status == 7;
    }

    /** Follows {@code failed_action_friendly()} in lib/pengine/pe_output.c. */
    String failedFriendly(XmlElement op) {
        String key = op.get("operation_key");
        if (key == null || key.isEmpty()) {
            key = op.get("id");
        }
        String node = op.get("uname");
        if (node == null || node.isEmpty()) {
            node = "unknown node";
        }
        int rc = scanMinInt(op.get("rc-code"), 0);
        int status = scanMinInt(op.get("op-status"), 0);
        String reason = op.get("exit-reason");
        Util.OpKey parsed = key == null ? null : Util.parseOpKey(key);
        String rsc = parsed == null ? "unknown resource" : parsed.rsc();
        String task = parsed == null ? "unknown action" : parsed.task();
        long interval = parsed == null ? 0 : parsed.intervalMs();
        StringBuilder s = new StringBuilder(128);
        s.append(rsc).append(' ');
        if (interval != 0) {
            s.append(readableInterval(interval)).append("-interval ");
        }
        s.append(interval == 0 && "monitor".equalsIgnoreCase(task) ? "probe" : task).append(" on ").append(node);
        if (status == 0) {
            s.append(" returned '").append(StatusPrinter.ocfExitText(rc)).append('\'');
            if (reason != null && !reason.isEmpty()) {
                s.append(" (").append(reason).append(')');
            }
        } else {
            s.append(" could not be executed (").append(execStatusText(status));
            if (reason != null && !reason.isEmpty()) {
                s.append(": ").append(reason);
            }
            s.append(')');
        }
        long change = epoch(op.get("last-rc-change"));
        if (change != Long.MIN_VALUE) {
            s.append(" at ").append(ctime(change));
        }
        String exec = op.get("exec-time");
        if (exec != null && !exec.isEmpty()) {
            long ms = Score.parseLeadingLong(exec, 0);
            if (ms > 0) {
                s.append(" after ").append(readableInterval(ms));
            }
        }
        return s.toString();
    }

    /** Follows {@code failed_action_technical()} in lib/pengine/pe_output.c. */
    String failedTechnical(XmlElement op) {
        String key = op.get("operation_key");
        if (key == null || key.isEmpty()) {
            key = op.get("id");
        }
        if (key == null || key.isEmpty()) {
            key = "unknown operation";
        }
        String node = op.get("uname");
        if (node == null || node.isEmpty()) {
            node = "unknown node";
        }
        int rc = scanMinInt(op.get("rc-code"), 0);
        int status = scanMinInt(op.get("op-status"), 0);
        String call = op.get("call-id");
        StringBuilder s = new StringBuilder(160);
        s.append(key).append(" on ").append(node).append(" '").append(StatusPrinter.ocfExitText(rc)).append("' (")
            .append(rc).append("): call=").append(call == null || call.isEmpty() ? "unknown" : call)
            .append(", status='").append(execStatusText(status)).append('\'');
        String reason = op.get("exit-reason");
        if (reason != null && !reason.isEmpty()) {
            s.append(", exitreason='").append(reason).append('\'');
        }
        long change = epoch(op.get("last-rc-change"));
        if (change != Long.MIN_VALUE) {
            s.append(", last-rc-change='").append(ctime(change)).append('\'');
        }
        String queued = op.get("queue-time");
        if (queued != null && !queued.isEmpty()) {
            s.append(", queued=").append(queued).append("ms");
        }
        String exec = op.get("exec-time");
        if (exec != null && !exec.isEmpty()) {
            s.append(", exec=").append(exec).append("ms");
        }
        return s.toString();
    }

    /** {@code crm_element_value_epoch()}: the attribute as a number of seconds, or MIN_VALUE when absent/bad. */
    public static long epoch(String value) {
        if (value == null) {
            return Long.MIN_VALUE;
        }
        long v = Score.parseLeadingLong(value, Long.MIN_VALUE);
        return v;
    }

    /** {@code pcmk__scan_min_int()}: the number (0 when absent or not a number), at least {@code minimum}. */
    public static int scanMinInt(String text, int minimum) {
        long v = Score.parseLeadingLong(text, 0);
        if (v < minimum) {
            return minimum;
        }
        return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
    }

    /** Follows {@code pcmk_exec_status_str()} in include/crm/common/results.h. */
    public static String execStatusText(int status) {
        return switch (status) {
            case -1 -> "pending";
            case 0 -> "complete";
            case 1 -> "Cancelled";
            case 2 -> "Timed Out";
            case 3 -> "NOT SUPPORTED";
            case 4 -> "Error";
            case 5 -> "Hard error";
            case 6 -> "Fatal error";
            case 7 -> "Not installed";
            case 8 -> "Internal communication failure";
            case 9 -> "Cannot execute now";
            case 10 -> "No fence device";
            case 11 -> "CIB secrets unavailable";
            default -> "UNKNOWN!";
        };
    }

    /** Follows {@code pcmk__readable_interval()} in lib/common/iso8601.c (note its strict comparisons). */
    public static String readableInterval(long ms) {
        final long s = 1000;
        final long m = 60 * s;
        final long h = 60 * m;
        final long d = 24 * h;
        StringBuilder out = new StringBuilder();
        if (ms > d) {
            out.append(ms / d).append('d');
            ms -= (ms / d) * d;
        }
        if (ms > h) {
            out.append(ms / h).append('h');
            ms -= (ms / h) * h;
        }
        if (ms > m) {
            out.append(ms / m).append('m');
            ms -= (ms / m) * m;
        }
        if (ms > s) {
            out.append(ms / s);
            ms -= (ms / s) * s;
            if (ms > 0) {
                out.append('.').append(String.format(Locale.ROOT, "%03d", ms));
            }
            out.append('s');
        } else if (ms > 0) {
            out.append(ms).append("ms");
        } else if (out.length() == 0) {
            out.append("0s");
        }
        return out.toString();
    }
}
