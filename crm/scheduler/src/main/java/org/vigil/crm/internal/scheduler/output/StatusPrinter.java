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

    /**
     * What to show, as Pacemaker's {@code pcmk_show_*} flags: inactive resources ({@code -r}), pending operations
     * ({@code pcmk_show_pending}, crm_mon's default), resources grouped by node ({@code -n}).
     *
     * @param inactive inactive resources too ("Full List of Resources"), else "Active Resources"
     * @param pending  pending operations ("Starting", "(Monitoring)")
     * @param byNode   each node with the resources it runs, then the inactive ones
     * @param detail   {@code pcmk_show_details} ({@code crm_mon -R}): node ids, feature sets, every clone instance
     */
    public record Show(boolean inactive, boolean pending, boolean byNode, boolean detail) {
        /** crm_simulate's: every resource, no pending operations. */
        public static final Show SIMULATE = new Show(true, false, false, false);
    }

    /**
     * A node's name as crm_mon shows it: with {@code detail}, a guest node's host and the node's id when it differs
     * from the name. Follows {@code pe__node_display_name()} in lib/pengine/pe_output.c.
     */
    public static String displayName(Node node, boolean detail) {
        if (!detail) {
            return node.uname;
        }
        StringBuilder s = new StringBuilder(node.uname);
        if (node.isGuest()) {
            Node host = node.remoteRsc != null && node.remoteRsc.container != null
                ? node.remoteRsc.container.currentNode() : null;
            s.append('@').append(host != null ? host.uname : "");
        }
        if (!node.uname.equalsIgnoreCase(node.id)) {
            s.append(" (").append(node.id).append(')');
        }
        return s.toString();
    }

    private final StringBuilder out;
    private final Show show;
    /** Open lists: the indentation level is their count. */
    private int level;
    /** Set while printing a node's resources ({@code pcmk_show_rsc_only}). */
    private boolean rscOnly;

    private StatusPrinter(StringBuilder out, Show show) {
        this.out = out;
        this.show = show;
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
    static void count(Resource rsc, int[] counts) {
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
        StatusPrinter p = new StatusPrinter(out, Show.SIMULATE);
        p.beginList(title);
        boolean printed = p.nodeList(ws, false);
        p.resourceList(ws, printed);
        p.endList();
    }

    /**
     * crm_mon's node and resource sections at the top level, a blank line before the first when {@code spacer}.
     * Returns whether anything was printed. Follows the {@code node-list} and {@code resource-list} steps of
     * {@code pcmk__cluster_status_text()} in lib/pacemaker/pcmk_output.c.
     */
    public static boolean printNodesAndResources(WorkingSet ws, Show show, StringBuilder out, boolean spacer) {
        StatusPrinter p = new StatusPrinter(out, show);
        boolean printed = p.nodeList(ws, spacer);
        printed |= p.resourceList(ws, spacer || printed);
        return printed;
    }

    /** One resource as crm_mon shows it (for crm_resource --list). */
    public static boolean printResource(Resource rsc, Show show, StringBuilder out) {
        return new StatusPrinter(out, show).resource(rsc);
    }

    /**
     * crm_resource --list: every resource, primitives without their nodes ({@code pcmk_show_inactive_rscs |
     * pcmk_show_rsc_only | pcmk_show_pending}) under "Full List of Resources". False when there are none.
     */
    public static boolean printResourceList(WorkingSet ws, StringBuilder out) {
        StatusPrinter p = new StatusPrinter(out, new Show(true, true, false, false));
        p.rscOnly = true;
        p.resourceList(ws, false);
        return !ws.resources.isEmpty();
    }

    /**
     * A primitive's one-line description with {@code pcmk_show_rsc_only|pcmk_show_pending} (crm_mon's
     * {@code node-and-op}), without the node.
     */
    public static String resourceOnlyText(Resource rsc) {
        return new StatusPrinter(new StringBuilder(), new Show(true, true, false, false))
            .primitiveText(rsc, rsc.printableId(), null, true);
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
    private boolean nodeList(WorkingSet ws, boolean spacer) {
        if (ws.nodes.isEmpty()) {
            return false;
        }
        if (spacer) {
            out.append('\n');
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
                || node.maintenance || show.byNode() || show.detail() || health <= 0) {
                StringBuilder s = new StringBuilder();
                s.append(node.isGuest() ? "GuestNode" : node.isRemote() ? "RemoteNode" : "Node");
                s.append(' ').append(displayName(node, show.detail())).append(": ").append(nodeStatus(node));
                if (health < 0) {
                    s.append(" (health is RED)");
                } else if (health == 0) {
                    s.append(" (health is YELLOW)");
                }
                String featureSet = show.detail() ? MonitorText.featureSet(node) : null;
                if (featureSet != null) {
                    s.append(", feature set ").append(featureSet);
                }
                if (show.byNode()) {
                    beginList(s.toString());
                    beginList("Resources");
                    rscOnly = true;
                    for (Resource rsc : node.runningRsc) {
                        resource(rsc);
                    }
                    rscOnly = false;
                    endList();
                    endList();
                } else {
                    item(s.toString());
                }
            } else if (node.online) {
                (node.isGuest() ? onlineGuest : node.isRemote() ? onlineRemote : online).add(displayName(node,
                    show.detail()));
            } else if (node.isRemote() && !node.isGuest()) {
                offlineRemote.add(displayName(node, show.detail()));
            } else if (!node.isGuest()) {
                offline.add(displayName(node, show.detail()));
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
    public static int health(WorkingSet ws, Node node) {
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

    /** Follows {@code resource_list()} and {@code print_resource_header()} in lib/pengine/pe_output.c. */
    private boolean resourceList(WorkingSet ws, boolean spacer) {
        if (show.byNode() && !show.inactive()) {
            return false;
        }
        String title = show.byNode() ? "Inactive Resources" : show.inactive() ? "Full List of Resources"
            : "Active Resources";
        boolean header = false;
        boolean any = false;
        for (Resource rsc : ws.resources) {
            boolean active = rsc.active(true);
            boolean partial = rsc.active(false);
            if (rsc.is(Resource.ORPHAN) && !active) {
                continue;
            } else if (show.byNode()) {
                if (active) {
                    continue;
                }
            } else if (!partial && !show.inactive()) {
                continue;
            }
            if (!header) {
                if (spacer) {
                    out.append('\n');
                }
                beginList(title);
                header = true;
            }
            any |= resource(rsc);
        }
        if (!any) {
            if (!header) {
                if (spacer) {
                    out.append('\n');
                }
                beginList(title);
                header = true;
            }
            item(show.byNode() ? "No inactive resources" : show.inactive() ? "No resources" : "No active resources");
        }
        if (header) {
            endList();
        }
        return true;
    }

    /** Follows {@code resource_list()} in lib/pengine/pe_output.c. */
    private boolean resource(Resource rsc) {
        return switch (rsc.variant) {
            case PRIMITIVE -> primitive(rsc, rsc.printableId(), rsc.currentNode() != null ? rsc.currentNode()
                : rsc.pendingNode, rscOnly);
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
    static Role displayableRole(Resource rsc) {
        Role role = rsc.role;
        if (role == Role.STARTED && rsc.top().is(Resource.PROMOTABLE)) {
            role = Role.UNPROMOTED;
        }
        return role;
    }

    /** Follows {@code pe__resource_text()} in lib/pengine/native.c. */
    private boolean primitive(Resource rsc, String name, Node node, boolean rscOnly) {
        if (isInternal(rsc) && !show.detail()) {   // pcmk_show_implicit_rscs is part of -R
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
            String state = show.pending() ? pendingState(rsc.pendingTask) : null;
            s.append(' ').append(state != null ? state : displayableRole(rsc).text());
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
        if (show.pending() && "monitor".equalsIgnoreCase(rsc.pendingTask)) {
            flags.add("Monitoring");
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

    /** Follows {@code native_pending_state()} in lib/pengine/native.c. */
    static String pendingState(String task) {
        if (task == null) {
            return null;
        }
        return switch (task.toLowerCase(Locale.ROOT)) {
            case "start" -> "Starting";
            case "stop" -> "Stopping";
            case "migrate_to", "migrate_from" -> "Migrating";
            case "promote" -> "Promoting";
            case "demote" -> "Demoting";
            default -> null;
        };
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

    /**
     * Follows {@code services_ocf_exitcode_str()} in include/crm/services.h as Pacemaker's own code sees it: built
     * with {@code PCMK_ALLOW_DEPRECATED} 0 (include/crm_internal.h), so the deprecated codes 194 to 199 (timeout,
     * pending, ...) are "unknown" in crm_mon's output, as measured with Pacemaker 2.1.5's crm_mon.
     */
    public static String ocfExitText(int rc) {
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
            case 190 -> "OCF_DEGRADED";   // sic: 2.1.5's text for PCMK_OCF_DEGRADED
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
            if (!child.active(false) && !show.inactive()) {
                continue;   // skip_child_rsc()
            }
            if (!header) {
                List<String> attrs = new ArrayList<>();
                if (!active && partial && !show.inactive()) {
                    int inactive = 0;
                    for (Resource c : rsc.children) {
                        if (!c.active(true)) {
                            inactive++;
                        }
                    }
                    if (inactive > 0) {
                        attrs.add(inactive + " member" + (inactive == 1 ? "" : "s") + " inactive");
                    }
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

    static String configuredTargetRole(Resource rsc) {
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
            boolean printFull = show.detail();
            boolean partial = child.active(false);
            if (show.detail()) {
                // pcmk_show_clone_detail: every instance in full
            } else if (rsc.is(Resource.UNIQUE)) {
                if (partial || !rsc.is(Resource.ORPHAN)) {
                    printFull = true;
                }
            } else if (show.pending() && child.pendingTask != null && !"probe".equals(child.pendingTask)) {
                printFull = true;
            } else if (!partial) {
                if (!child.is(Resource.ORPHAN) && show.inactive()) {
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
        if (show.detail()) {
            if (header[0]) {
                endList();
            }
            return header[0];
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
        if (show.inactive() && !rsc.is(Resource.UNIQUE) && cloneMax > activeInstances) {
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
        } else if (activeInstances == 0 && show.inactive()) {
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

    /** A list without a header: its items one level deeper. */
    public void bundleBeginUnnamed() {
        level++;
    }

    /** Whether details are shown ({@code pcmk_show_details}, crm_mon -R). */
    public boolean detail() {
        return show.detail();
    }

    public void bundleItem(String text) {
        item(text);
    }

    public boolean bundleResource(Resource rsc) {
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
