package org.vigil.crm.internal.scheduler.output;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Bundle;
import org.vigil.crm.internal.scheduler.schedule.Clone;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;

/**
 * The cluster status as {@code crm_simulate} shows it (crm_mon's text layout, nodes and resources sections, with
 * inactive resources): a node list ("Online: [ ... ]", individual lines for standby, maintenance, unclean or
 * unhealthy nodes) and the full resource list (primitives, groups, clone sets, bundles). One instance per print;
 * not thread-safe.
 *
 * <p>Follows the text output of lib/pengine/pe_output.c and lib/pacemaker/pcmk_output.c ({@code cluster_status},
 * {@code node}, {@code primitive}, {@code clone}, {@code group}, {@code bundle} messages).
 */
public final class StatusPrinter {

    private final StringBuilder out;
    /** Open lists: the indentation level is their count. */
    private int level;

    private StatusPrinter(StringBuilder out) {
        this.out = out;
    }

    /** Unpacks a CIB's status without scheduling (what the status display needs). */
    public static WorkingSet unpackOnly(XmlElement cib, CrmTime now) {
        WorkingSet ws = new WorkingSet(cib, now);
        new Unpacker(ws).unpack();
        return ws;
    }

    /**
     * Lines shown before the status: the maintenance-mode banner and the count of disabled and blocked instances.
     * Returns whether anything was printed.
     *
     * <p>Follows {@code cluster_summary()} in lib/pengine/pe_output.c.
     */
    public static boolean printPreamble(WorkingSet ws, StringBuilder out) {
        boolean printed = false;
        if (ws.is(WorkingSet.MAINTENANCE_MODE)) {
            out.append("\n              *** Resource management is DISABLED ***\n");
            out.append("  The cluster will not attempt to start, stop or recover services\n");
            printed = true;
        }
        int[] counts = new int[3];
        for (Resource r : ws.resources) {
            count(r, counts);
        }
        if (counts[1] > 0 || counts[2] > 0) {
            if (printed) {
                out.append('\n');
            }
            out.append(counts[1]).append(" of ").append(counts[0]).append(" resource instances DISABLED and ")
                .append(counts[2]).append(" BLOCKED from further action due to failure\n");
            printed = true;
        }
        return printed;
    }

    /** Follows {@code cluster_counts_text()} in lib/pengine/pe_output.c. */
    private static void count(Resource rsc, int[] counts) {
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                count(c, counts);
            }
        } else if (!rsc.is(Resource.ORPHAN) || rsc.role.gt(Role.STOPPED)) {
            counts[0]++;
            if (isDisabled(rsc)) {
                counts[1]++;
            }
            if (rsc.is(Resource.BLOCK)) {
                counts[2]++;
            }
        }
    }

    /**
     * Prints "TITLE:" and the node and resource lists. Follows {@code pcmk__output_cluster_status()} in
     * lib/pacemaker/pcmk_status.c.
     */
    public static void print(WorkingSet ws, String title, StringBuilder out) {
        StatusPrinter p = new StatusPrinter(out);
        p.beginList(title);
        boolean printed = p.nodeList(ws);
        p.resourceList(ws, printed);
        p.endList();
    }

    // ---------------------------------------------------------------- text output primitives

    private void indent() {
        for (int i = 0; i < level; i++) {
            out.append("  ");
        }
        if (level > 0) {
            out.append("* ");
        }
    }

    private void beginList(String title) {
        indent();
        out.append(title).append(":\n");
        level++;
    }

    private void endList() {
        level--;
    }

    private void item(String text) {
        indent();
        out.append(text).append('\n');
    }

    // ---------------------------------------------------------------- nodes

    /** Follows {@code node_list_text()} in lib/pengine/pe_output.c. */
    private boolean nodeList(WorkingSet ws) {
        if (ws.nodes.isEmpty()) {
            return false;
        }
        beginList("Node List");
        List<String> online = new ArrayList<>();
        List<String> offline = new ArrayList<>();
        List<String> onlineRemote = new ArrayList<>();
        List<String> offlineRemote = new ArrayList<>();
        List<String> onlineGuest = new ArrayList<>();
        for (Node node : ws.nodes) {
            int health = health(ws, node);
            if (node.unclean || node.pending || (node.standbyOnfail && node.online) || node.standby
                || node.maintenance || health <= 0) {
                StringBuilder s = new StringBuilder();
                s.append(node.isGuest() ? "GuestNode" : node.isRemote() ? "RemoteNode" : "Node");
                s.append(' ').append(node.uname).append(": ").append(nodeStatus(node));
                if (health < 0) {
                    s.append(" (health is RED)");
                } else if (health == 0) {
                    s.append(" (health is YELLOW)");
                }
                item(s.toString());
            } else if (node.online) {
                (node.isGuest() ? onlineGuest : node.isRemote() ? onlineRemote : online).add(node.uname);
            } else if (node.isRemote() && !node.isGuest()) {
                offlineRemote.add(node.uname);
            } else if (!node.isGuest()) {
                offline.add(node.uname);
            }
        }
        namedList("Online", online);
        namedList("OFFLINE", offline);
        namedList("RemoteOnline", onlineRemote);
        namedList("RemoteOFFLINE", offlineRemote);
        namedList("GuestOnline", onlineGuest);
        endList();
        return true;
    }

    private void namedList(String name, List<String> names) {
        if (!names.isEmpty()) {
            item(name + ": [ " + String.join(" ", names) + " ]");
        }
    }

    /** Follows {@code node_text_status()} in lib/pengine/pe_output.c. */
    private static String nodeStatus(Node node) {
        if (node.unclean) {
            return node.online ? "UNCLEAN (online)" : node.pending ? "UNCLEAN (pending)" : "UNCLEAN (offline)";
        } else if (node.pending) {
            return "pending";
        } else if (node.standbyOnfail && node.online) {
            return "standby (on-fail)";
        } else if (node.standby) {
            if (node.online) {
                return node.runningRsc.isEmpty() ? "standby" : "standby (with active resources)";
            }
            return "OFFLINE (standby)";
        } else if (node.maintenance) {
            return node.online ? "maintenance" : "OFFLINE (maintenance)";
        } else if (node.online) {
            return "online";
        }
        return "OFFLINE";
    }

    /**
     * -1 red, 0 yellow, 1 green (or no health strategy). Follows {@code pe__node_health()} in
     * lib/pengine/pe_health.c.
     */
    private static int health(WorkingSet ws, Node node) {
        if ("none".equals(ws.healthStrategy())) {
            return 1;
        }
        int rc = 1;
        for (Map.Entry<String, String> e : node.attrs.entrySet()) {
            if (!e.getKey().startsWith("#health")) {
                continue;
            }
            String v = e.getValue();
            if ("red".equalsIgnoreCase(v)) {
                return -1;
            } else if ("yellow".equalsIgnoreCase(v)) {
                rc = 0;
                continue;
            }
            int score = ws.score(v);
            if (score <= ws.scoreRed) {
                return -1;
            } else if (score <= ws.scoreYellow && ws.scoreYellow != ws.scoreGreen) {
                rc = 0;
            }
        }
        return rc;
    }

    // ---------------------------------------------------------------- resources

    /** Follows {@code resource_list()} in lib/pengine/pe_output.c. */
    private void resourceList(WorkingSet ws, boolean spacer) {
        boolean header = false;
        boolean any = false;
        for (Resource rsc : ws.resources) {
            boolean active = rsc.active(true);
            if (rsc.is(Resource.ORPHAN) && !active) {
                continue;
            }
            if (!header) {
                if (spacer) {
                    out.append('\n');
                }
                beginList("Full List of Resources");
                header = true;
            }
            any |= resource(rsc);
        }
        if (!any) {
            if (!header) {
                if (spacer) {
                    out.append('\n');
                }
                beginList("Full List of Resources");
                header = true;
            }
            item("No resources");
        }
        if (header) {
            endList();
        }
    }

    /** Follows {@code resource_list()} in lib/pengine/pe_output.c. */
    private boolean resource(Resource rsc) {
        return switch (rsc.variant) {
            case PRIMITIVE -> primitive(rsc, rsc.printableId(), rsc.currentNode() != null ? rsc.currentNode()
                : rsc.pendingNode, false);
            case GROUP -> group(rsc);
            case CLONE -> clone(rsc);
            case BUNDLE -> bundle(rsc);
        };
    }

    private static boolean isInternal(Resource rsc) {
        return Util.isTrue(rsc.meta.get("internal_rsc"));
    }

    /** Follows {@code pe__resource_is_disabled()} in lib/pengine/utils.c. */
    static boolean isDisabled(Resource rsc) {
        String tr = rsc.meta.get("target-role");
        if (tr == null) {
            return false;
        }
        Role r = Role.parse(tr);
        return r == Role.STOPPED || (r == Role.UNPROMOTED && rsc.top().is(Resource.PROMOTABLE));
    }

    /** Follows {@code role_desc()} in lib/pengine/pe_output.c. */
    private static Role displayableRole(Resource rsc) {
        Role role = rsc.role;
        if (role == Role.STARTED && rsc.top().is(Resource.PROMOTABLE)) {
            role = Role.UNPROMOTED;
        }
        return role;
    }

    /** Follows {@code pe__resource_text()} in lib/pengine/native.c. */
    private boolean primitive(Resource rsc, String name, Node node, boolean rscOnly) {
        if (isInternal(rsc)) {
            return false;
        }
        item(primitiveText(rsc, name, node, rscOnly));
        return true;
    }

    /** Follows {@code pcmk__native_output_string()} in lib/pengine/native.c. */
    String primitiveText(Resource rsc, String name, Node node, boolean rscOnly) {
        String cls = orUnknown(rsc.xml.get("class"));
        String kind = orUnknown(rsc.xml.get("type"));
        String provider = "ocf".equals(cls) ? rsc.xml.get("provider") : null;
        if (node == null && rsc.lockNode != null) {
            node = rsc.lockNode;
        }
        boolean multiple = rsc.runningOn.size() > 1;
        if (rscOnly || multiple) {
            node = null;
        }
        StringBuilder s = new StringBuilder(96);
        s.append(name).append("\t(").append(cls);
        if (provider != null) {
            s.append(':').append(provider);
        }
        s.append(':').append(kind).append("):\t");
        if (rsc.is(Resource.ORPHAN)) {
            s.append(" ORPHANED");
        }
        if (rsc.is(Resource.FAILED)) {
            Role role = displayableRole(rsc);
            s.append(" FAILED");
            if (role.gt(Role.UNPROMOTED)) {
                s.append(' ').append(role.text());
            }
        } else {
            s.append(' ').append(displayableRole(rsc).text());
        }
        if (node != null) {
            s.append(' ').append(node.uname);
        }
        if (displayableRole(rsc) == Role.STOPPED) {
            XmlElement probe = failedProbe(rsc, node == null ? null : node.uname);
            if (probe != null) {
                s.append(" (").append(ocfExitText(parseInt(probe.get("rc-code")))).append(") ");
            }
        }
        List<String> flags = new ArrayList<>();
        if (node != null && !node.online && node.unclean) {
            flags.add("UNCLEAN");
        }
        if (node != null && node == rsc.lockNode) {
            flags.add("LOCKED");
        }
        String targetRole = rsc.meta.get("target-role");
        if (targetRole != null) {
            Role tr = Role.parse(targetRole);
            if (tr == Role.STOPPED) {
                flags.add("disabled");
            } else if (rsc.top().is(Resource.PROMOTABLE) && tr == Role.UNPROMOTED) {
                flags.add("target-role:" + targetRole);
            }
        }
        if (rsc.is(Resource.BLOCK)) {
            flags.add("blocked");
        } else if (!rsc.is(Resource.MANAGED)) {
            flags.add("unmanaged");
        }
        if (rsc.is(Resource.FAILURE_IGNORED)) {
            flags.add("failure ignored");
        }
        if (!flags.isEmpty()) {
            s.append(" (").append(String.join(", ", flags)).append(')');
        }
        if (rscOnly || multiple) {
            String desc = rsc.xml.get("description");
            if (desc != null) {
                s.append(' ').append(desc);
            }
        }
        if (!rscOnly && multiple) {
            s.append(" [");
            for (Node n : rsc.runningOn) {
                s.append(' ').append(n.uname);
            }
            s.append(" ]");
        }
        return s.toString();
    }

    private static String orUnknown(String s) {
        return s == null ? "unknown" : s;
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** services_ocf_exitcode_str. */
    static String ocfExitText(int rc) {
        return switch (rc) {
            case 0 -> "ok";
            case 1 -> "error";
            case 2 -> "invalid parameter";
            case 3 -> "unimplemented feature";
            case 4 -> "insufficient privileges";
            case 5 -> "not installed";
            case 6 -> "not configured";
            case 7 -> "not running";
            case 8 -> "promoted";
            case 9 -> "promoted (failed)";
            case 190 -> "degraded";
            case 191 -> "promoted (degraded)";
            default -> "unknown";
        };
    }

    /**
     * A failed probe of this resource (on a node, or anywhere when null). Follows {@code pe__failed_probe_for_rsc()}
     * in lib/pengine/utils.c.
     */
    private static XmlElement failedProbe(Resource rsc, String nodeName) {
        Resource top = rsc.top();
        String rscId = rsc.id;
        if (rsc.variant == Resource.Variant.CLONE) {
            rscId = cloneChildId(rsc);
        } else if (top.variant == Resource.Variant.CLONE) {
            rscId = cloneChildId(top);
        }
        for (XmlElement op : rsc.ws.failedOps) {
            if (!"monitor".equals(op.get("operation")) || parseInt(op.get("interval")) != 0) {
                continue;
            }
            int rc = parseInt(op.get("rc-code"));
            int status = parseInt(op.get("op-status"));
            if (!(rc == 5 || rc == 2 || status == 7)) {
                continue;
            }
            String on = op.get("uname");
            if (on == null || (nodeName != null && !on.equalsIgnoreCase(nodeName))) {
                continue;
            }
            String key = op.get("operation_key");
            Util.OpKey parsed = Util.parseOpKey(key != null ? key : op.get("id"));
            if (parsed == null || !parsed.rsc().equals(rscId)) {
                continue;
            }
            return op;
        }
        return null;
    }

    private static String cloneChildId(Resource clone) {
        return clone.children.isEmpty() ? clone.id : clone.children.get(0).xmlId();
    }

    /** Follows {@code pe__group_default()} in lib/pengine/group.c. */
    private boolean group(Resource rsc) {
        boolean active = rsc.active(true);
        boolean partial = rsc.active(false);
        boolean header = false;
        for (Resource child : rsc.children) {
            if (!header) {
                List<String> attrs = new ArrayList<>();
                if (!active && partial) {
                    // shown only when inactive resources are hidden; crm_simulate shows them
                }
                if (!rsc.is(Resource.MANAGED)) {
                    attrs.add("unmanaged");
                }
                if (isDisabled(rsc)) {
                    attrs.add("disabled");
                }
                beginList("Resource Group: " + rsc.id + (attrs.isEmpty() ? "" : " (" + String.join(", ", attrs)
                    + ")"));
                header = true;
            }
            resource(child);
        }
        if (header) {
            endList();
        }
        return header;
    }

    /** Follows {@code clone_header()} in lib/pengine/clone.c. */
    private void cloneHeader(Resource rsc, boolean[] header) {
        if (header[0]) {
            return;
        }
        List<String> attrs = new ArrayList<>();
        if (rsc.is(Resource.PROMOTABLE)) {
            attrs.add("promotable");
        }
        if (rsc.is(Resource.UNIQUE)) {
            attrs.add("unique");
        }
        if (!rsc.is(Resource.MANAGED)) {
            attrs.add("unmanaged");
        }
        if (isDisabled(rsc)) {
            attrs.add("disabled");
        }
        String child = rsc.children.isEmpty() ? rsc.id : rsc.children.get(0).xmlId();
        if (rsc instanceof Clone c && c.childXml != null) {
            child = c.childXml.get("id");
        }
        beginList("Clone Set: " + rsc.id + " [" + child + "]" + (attrs.isEmpty() ? "" : " (" + String.join(", ",
            attrs) + ")"));
        header[0] = true;
    }

    private static boolean anyRecursive(Resource rsc, long flag) {
        if (rsc.is(flag)) {
            return true;
        }
        for (Resource c : rsc.children) {
            if (anyRecursive(c, flag)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allRecursive(Resource rsc, long flag) {
        if (!rsc.is(flag)) {
            return false;
        }
        for (Resource c : rsc.children) {
            if (!allRecursive(c, flag)) {
                return false;
            }
        }
        return true;
    }

    private static String configuredTargetRole(Resource rsc) {
        String tr = rsc.meta.get("target-role");
        if (tr == null && !rsc.children.isEmpty()) {
            tr = rsc.children.get(0).meta.get("target-role");
        }
        return tr;
    }

    /** Follows {@code pe__clone_default()} in lib/pengine/clone.c. */
    private boolean clone(Resource rsc) {
        boolean[] header = {false};
        Map<String, String> stopped = null;
        List<Node> promoted = new ArrayList<>();
        List<Node> started = new ArrayList<>();
        int activeInstances = 0;
        for (Resource child : rsc.children) {
            boolean printFull = false;
            boolean partial = child.active(false);
            if (rsc.is(Resource.UNIQUE)) {
                if (partial || !rsc.is(Resource.ORPHAN)) {
                    printFull = true;
                }
            } else if (!partial) {
                if (!child.is(Resource.ORPHAN)) {
                    if (stopped == null) {
                        stopped = new LinkedHashMap<>();
                    }
                    stopped.put(child.id, "Stopped");
                }
            } else if (anyRecursive(child, Resource.ORPHAN) || !allRecursive(child, Resource.MANAGED)
                || anyRecursive(child, Resource.FAILED)) {
                printFull = true;
            } else if (child.active(true)) {
                Node location = child.location(null, 1);
                if (location != null) {
                    Role role = child.state(true);
                    if (!location.online && location.unclean) {
                        printFull = true;
                    } else if (role.gt(Role.UNPROMOTED)) {
                        promoted.add(location);
                    } else {
                        started.add(location);
                    }
                } else {
                    printFull = true;
                }
            } else {
                printFull = true;
            }
            if (printFull) {
                cloneHeader(rsc, header);
                resource(child);
            }
        }
        promoted.sort((a, b) -> Util.numericCompare(a.uname, b.uname));
        if (!promoted.isEmpty()) {
            cloneHeader(rsc, header);
            item("Promoted: [ " + names(promoted) + " ]");
            activeInstances += promoted.size();
        }
        started.sort((a, b) -> Util.numericCompare(a.uname, b.uname));
        if (!started.isEmpty()) {
            cloneHeader(rsc, header);
            activeInstances += started.size();
            if (rsc.is(Resource.PROMOTABLE)) {
                String tr = configuredTargetRole(rsc);
                if (tr != null && Role.parse(tr) == Role.UNPROMOTED) {
                    item("Unpromoted (target-role): [ " + names(started) + " ]");
                } else {
                    item("Unpromoted: [ " + names(started) + " ]");
                }
            } else {
                item("Started: [ " + names(started) + " ]");
            }
        }
        int cloneMax = rsc instanceof Clone c ? c.cloneMax : rsc.children.size();
        if (!rsc.is(Resource.UNIQUE) && cloneMax > activeInstances) {
            stopped = new LinkedHashMap<>();
            Collection<Node> candidates = new ArrayList<>();
            for (NodeScore ns : rsc.allowedNodes.values()) {
                candidates.add(ns.node);
            }
            if (candidates.isEmpty()) {
                candidates = rsc.knownOn;
            }
            List<Node> list = new ArrayList<>(candidates);
            list.sort((a, b) -> Util.numericCompare(a.uname, b.uname));
            String tr = configuredTargetRole(rsc);
            for (Node node : list) {
                if (rsc.runningOn.contains(node)) {
                    continue;
                }
                XmlElement probe = failedProbe(rsc, node.uname);
                String state = tr != null && Role.parse(tr) == Role.STOPPED ? "Stopped (disabled)" : "Stopped";
                if (probe != null) {
                    state = "Stopped (" + ocfExitText(parseInt(probe.get("rc-code"))) + ")";
                }
                stopped.put(node.uname, state);
            }
        }
        if (stopped != null && !stopped.isEmpty()) {
            cloneHeader(rsc, header);
            for (String status : new TreeSet<>(stopped.values())) {
                List<String> nodes = new ArrayList<>();
                for (Map.Entry<String, String> e : stopped.entrySet()) {
                    if (e.getValue().equals(status)) {
                        nodes.add(e.getKey());
                    }
                }
                nodes.sort((a, b) -> Util.numericCompare(a, b));
                item(status + ": [ " + String.join(" ", nodes) + " ]");
            }
        } else if (activeInstances == 0) {
            cloneHeader(rsc, header);
        }
        if (header[0]) {
            endList();
        }
        return header[0];
    }

    private static String names(List<Node> nodes) {
        StringBuilder s = new StringBuilder();
        for (Node n : nodes) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(n.uname);
        }
        return s.toString();
    }

    /** Follows {@code pe__bundle_text()} in lib/pengine/bundle.c. */
    private boolean bundle(Resource rsc) {
        if (rsc instanceof Bundle b) {
            return b.printStatus(this);
        }
        return false;
    }

    // ---- hooks for Bundle's display

    public void bundleBegin(String title) {
        beginList(title);
    }

    public void bundleEnd() {
        endList();
    }

    void bundleItem(String text) {
        item(text);
    }

    boolean bundleResource(Resource rsc) {
        return resource(rsc);
    }

    /**
     * pe__common_output_text for a bundle replica: the resource under the replica's display name. Follows {@code
     * pe__common_output_text()} in lib/pengine/native.c.
     */
    public void bundleReplica(Resource rsc, String name, Node node) {
        primitive(rsc, name, node, false);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static Map<String, String> sortedCopy(Map<String, String> m) {
        return new TreeMap<>(m);
    }

    static int score(String s) {
        return Score.parse(s);
    }
}
