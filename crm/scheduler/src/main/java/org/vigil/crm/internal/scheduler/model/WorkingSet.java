package org.vigil.crm.internal.scheduler.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.IdIndex;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.RuleContext;
import org.vigil.crm.internal.cib.Rules;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder;
import org.vigil.crm.internal.scheduler.output.Output;
import org.vigil.crm.internal.scheduler.output.Scores;
import org.vigil.crm.internal.scheduler.schedule.Clones;
import org.vigil.crm.internal.scheduler.schedule.Colocations;
import org.vigil.crm.internal.scheduler.schedule.Locations;
import org.vigil.crm.internal.scheduler.schedule.Migration;
import org.vigil.crm.internal.scheduler.schedule.Orderings;
import org.vigil.crm.internal.scheduler.schedule.Probes;
import org.vigil.crm.internal.scheduler.schedule.Recurring;
import org.vigil.crm.internal.scheduler.schedule.Utilization;
import org.vigil.crm.internal.scheduler.unpack.ActionConfig;
import org.vigil.crm.internal.scheduler.unpack.Digests;
import org.vigil.crm.internal.scheduler.unpack.Tags;

/**
 * Everything one scheduler run knows (Pacemaker's {@code pe_working_set_t}): the input CIB, cluster options,
 * nodes, resources, constraints, and the actions and orderings being built. Also the shared helpers every phase
 * uses (creating actions, adding location scores, ordering actions). One instance per run; not thread-safe.
 *
 * <p>Follows {@code pe_working_set_t} (include/crm/pengine/pe_types.h), with the action and location helpers of
 * lib/pengine/pe_actions.c and lib/pengine/utils.c.
 */
public final class WorkingSet {

    // Working set flags
    public static final long SYMMETRIC = 1L << 0;
    public static final long HAVE_QUORUM = 1L << 1;
    public static final long STONITH_ENABLED = 1L << 2;
    public static final long HAVE_STONITH_RESOURCE = 1L << 3;
    public static final long ENABLE_UNFENCING = 1L << 4;
    public static final long CONCURRENT_FENCING = 1L << 5;
    public static final long STOP_EVERYTHING = 1L << 6;
    public static final long STOP_RSC_ORPHANS = 1L << 7;
    public static final long STOP_ACTION_ORPHANS = 1L << 8;
    public static final long REMOVE_AFTER_STOP = 1L << 9;
    public static final long MAINTENANCE_MODE = 1L << 10;
    public static final long START_FAILURE_FATAL = 1L << 11;
    public static final long STARTUP_FENCING = 1L << 12;
    public static final long SHUTDOWN_LOCK = 1L << 13;
    public static final long STARTUP_PROBES = 1L << 14;
    public static final long HAVE_REMOTE_NODES = 1L << 15;
    public static final long SANITIZED = 1L << 16;
    public static final long SHOW_SCORES = 1L << 17;

    public enum NoQuorum { FREEZE, STOP, IGNORE, SUICIDE, DEMOTE }

    public final XmlElement input;
    public final IdIndex index;
    public final Rules rules;
    public CrmTime now;
    public long flags;
    public NoQuorum noQuorumPolicy = NoQuorum.STOP;
    public String stonithAction = "reboot";
    public String placementStrategy = "default";
    public long shutdownLockSec;
    public long priorityFencingDelay;
    public final Map<String, String> config = new LinkedHashMap<>();
    public XmlElement opDefaults;
    public XmlElement rscDefaults;
    public String dcUuid;
    public Node dcNode;
    public int scoreRed;
    public int scoreYellow;
    public int scoreGreen;

    /** Nodes sorted by name (Pacemaker's insertion order). */
    public final List<Node> nodes = new ArrayList<>();
    private final Map<String, Node> nodesById = new HashMap<>();
    private final Map<String, Node> nodesByName = new HashMap<>();
    public final List<Resource> resources = new ArrayList<>();
    private final Map<String, Resource> rscById = new HashMap<>();
    private final Map<String, List<Resource>> rscByCloneName = new HashMap<>();
    public final Map<String, List<String>> tags = new LinkedHashMap<>();
    /** Template id to the resources derived from it (null list: the template exists but is unused). */
    public final Map<String, List<String>> templateRscSets = new LinkedHashMap<>();
    public final Map<String, Ticket> tickets = new LinkedHashMap<>();
    public final List<Resource> stopNeeded = new ArrayList<>();
    public final List<XmlElement> failedOps = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();

    /** Every saved action in creation order (Pacemaker prepends, so iterate backwards to mirror it). */
    public final List<Action> actions = new ArrayList<>();
    private final Map<String, Action> singletons = new HashMap<>();
    private final Map<String, List<Action>> nodeActionsByUuid = new HashMap<>();
    public int actionId = 1;
    /** The transition graph, built at the end of the scheduler run. */
    public List<GraphBuilder.Synapse> graph = List.of();
    /**
     * The epoch second by which the scheduler must run again although nothing changed (a failure expiring, a date
     * rule changing, a shutdown lock ending); 0 for none. Pacemaker's {@code recheck_by}.
     */
    public long recheckBy;
    public final List<Ordering> orderingConstraints = new ArrayList<>();
    public int orderId = 1;
    public final List<Location> placementConstraints = new ArrayList<>();
    public final List<Colocation> colocationConstraints = new ArrayList<>();
    public final List<TicketConstraint> ticketConstraints = new ArrayList<>();
    public final List<ParamCheck> paramChecks = new ArrayList<>();
    public final Map<String, Digests> digestCache = new HashMap<>();

    // Engines
    public final Locations locations = new Locations(this);
    public final Colocations colocations = new Colocations(this);
    public final Orderings orderings = new Orderings(this);
    public final Probes probes = new Probes(this);
    public final Utilization utilizationEngine = new Utilization(this);
    public final Scores scores = new Scores();
    /** Where resources' node scores come from (crm_resource --why --explain); null: not recorded. */
    public ScoreTrace trace;
    public final Recurring recurring = new Recurring(this);
    public final Clones clones = new Clones(this);
    public final Tags constraintTags = new Tags(this);

    /** A deferred digest check (bundle remote names are known only after placement). */
    public record ParamCheck(XmlElement op, Resource rsc, Node node, boolean lastFailure) {
    }

    public WorkingSet(XmlElement input, CrmTime now) {
        this.input = input;
        this.index = new IdIndex(input);
        this.rules = new Rules(index);
        this.now = now;
        flags = STOP_RSC_ORPHANS | SYMMETRIC | STOP_ACTION_ORPHANS;
    }

    public boolean is(long f) {
        return (flags & f) != 0;
    }

    public void set(long f) {
        flags |= f;
    }

    public void clear(long f) {
        flags &= ~f;
    }

    public void warn(String message) {
        warnings.add(message);
    }

    // ---------------------------------------------------------------- options

    private static final Map<String, String[]> OPTIONS = new LinkedHashMap<>();

    static {
        // name -> { default, type }
        opt("no-quorum-policy", "stop", "quorum");
        opt("symmetric-cluster", "true", "boolean");
        opt("maintenance-mode", "false", "boolean");
        opt("start-failure-is-fatal", "true", "boolean");
        opt("enable-startup-probes", "true", "boolean");
        opt("shutdown-lock", "false", "boolean");
        opt("shutdown-lock-limit", "0", "time");
        opt("stonith-enabled", "true", "boolean");
        opt("stonith-action", "reboot", "fence-action");
        opt("stonith-timeout", "60s", "time");
        opt("have-watchdog", "false", "boolean");
        opt("concurrent-fencing", "false", "boolean");
        opt("startup-fencing", "true", "boolean");
        opt("priority-fencing-delay", "0", "time");
        opt("cluster-delay", "60s", "time");
        opt("batch-limit", "0", "number");
        opt("migration-limit", "-1", "number");
        opt("stop-all-resources", "false", "boolean");
        opt("stop-orphan-resources", "true", "boolean");
        opt("stop-orphan-actions", "true", "boolean");
        opt("remove-after-stop", "false", "boolean");
        opt("node-health-strategy", "none", "health");
        opt("node-health-base", "0", "number");
        opt("node-health-green", "0", "number");
        opt("node-health-yellow", "0", "number");
        opt("node-health-red", "-INFINITY", "number");
        opt("placement-strategy", "default", "placement");
    }

    private static void opt(String name, String dflt, String type) {
        OPTIONS.put(name, new String[] {dflt, type});
    }

    private static boolean valid(String type, String v) {
        switch (type) {
            case "boolean":
                return Util.toBoolean(v) != null;
            case "quorum":
                return List.of("stop", "freeze", "ignore", "demote", "suicide")
                    .contains(v.toLowerCase(Locale.ROOT));
            case "fence-action":
                return List.of("reboot", "off", "poweroff").contains(v);
            case "time":
                return Util.parseMsec(v) >= 0;
            case "number":
                return v.equals("INFINITY") || v.equals("+INFINITY") || v.equals("-INFINITY")
                    || Score.parseLeadingLong(v, Long.MIN_VALUE) != Long.MIN_VALUE;
            case "health":
                return List.of("none", "migrate-on-red", "only-green", "progressive", "custom")
                    .contains(v.toLowerCase(Locale.ROOT));
            case "placement":
                return List.of("default", "utilization", "minimal", "balanced").contains(v.toLowerCase(Locale.ROOT));
            default:
                return true;
        }
    }

    /**
     * A cluster option's value, or its default when unset or invalid. Follows {@code pe_pref()} in
     * lib/pengine/common.c.
     */
    public String pref(String name) {
        String[] def = OPTIONS.get(name);
        String v = config.get(name);
        if (def == null) {
            return v;
        }
        if (v != null && !valid(def[1], v)) {
            warn("Using default value for cluster option '" + name + "' because '" + v + "' is invalid");
            v = null;
        }
        return v != null ? v : def[0];
    }

    private void setFlagFromOption(String option, long flag) {
        String v = pref(option);
        if (v != null) {
            if (Util.isTrue(v)) {
                set(flag);
            } else {
                clear(flag);
            }
        }
    }

    // Legacy (pacemaker 1.x) cluster option names the schema upgrade renames
    private static final Map<String, String> LEGACY_OPTIONS = Map.ofEntries(
        Map.entry("no_quorum_policy", "no-quorum-policy"), Map.entry("symmetric_cluster", "symmetric-cluster"),
        Map.entry("stonith_enabled", "stonith-enabled"), Map.entry("stonith_action", "stonith-action"),
        Map.entry("startup_fencing", "startup-fencing"), Map.entry("stop_orphan_resources", "stop-orphan-resources"),
        Map.entry("stop_orphan_actions", "stop-orphan-actions"), Map.entry("remove_after_stop", "remove-after-stop"));

    /** Follows {@code unpack_config()} in lib/pengine/unpack.c. */
    public void unpackConfig(XmlElement crmConfig) {
        RuleContext ctx = RuleContext.of(null, now);
        rules.unpackNvpairs(crmConfig, "cluster_property_set", ctx, config, "cib-bootstrap-options", false);
        for (Map.Entry<String, String> e : LEGACY_OPTIONS.entrySet()) {
            if (config.containsKey(e.getKey()) && !config.containsKey(e.getValue())) {
                config.put(e.getValue(), config.get(e.getKey()));
            }
        }
        setFlagFromOption("enable-startup-probes", STARTUP_PROBES);
        if (Util.isTrue(pref("have-watchdog"))) {
            set(HAVE_STONITH_RESOURCE);
        }
        if (unfencingConfigured()) {
            set(ENABLE_UNFENCING);
        }
        setFlagFromOption("stonith-enabled", STONITH_ENABLED);
        stonithAction = pref("stonith-action");
        if ("poweroff".equals(stonithAction)) {
            stonithAction = "off";
        }
        setFlagFromOption("concurrent-fencing", CONCURRENT_FENCING);
        String pfd = pref("priority-fencing-delay");
        if (pfd != null) {
            priorityFencingDelay = Util.parseInterval(pfd) / 1000;
        }
        setFlagFromOption("stop-all-resources", STOP_EVERYTHING);
        setFlagFromOption("symmetric-cluster", SYMMETRIC);
        String nq = pref("no-quorum-policy").toLowerCase(Locale.ROOT);
        switch (nq) {
            case "ignore" -> noQuorumPolicy = NoQuorum.IGNORE;
            case "freeze" -> noQuorumPolicy = NoQuorum.FREEZE;
            case "demote" -> noQuorumPolicy = NoQuorum.DEMOTE;
            case "suicide" -> {
                if (is(STONITH_ENABLED)) {
                    long panic = Score.parseLeadingLong(input.get("no-quorum-panic"), 0);
                    noQuorumPolicy = (panic != 0 || is(HAVE_QUORUM)) ? NoQuorum.SUICIDE : NoQuorum.STOP;
                } else {
                    warn("Resetting no-quorum-policy to 'stop' because fencing is disabled");
                    noQuorumPolicy = NoQuorum.STOP;
                }
            }
            default -> noQuorumPolicy = NoQuorum.STOP;
        }
        setFlagFromOption("stop-orphan-resources", STOP_RSC_ORPHANS);
        setFlagFromOption("stop-orphan-actions", STOP_ACTION_ORPHANS);
        String ras = config.get("remove-after-stop");
        if (ras != null) {
            if (Util.isTrue(ras)) {
                set(REMOVE_AFTER_STOP);
            } else {
                clear(REMOVE_AFTER_STOP);
            }
        }
        setFlagFromOption("maintenance-mode", MAINTENANCE_MODE);
        setFlagFromOption("start-failure-is-fatal", START_FAILURE_FATAL);
        if (is(STONITH_ENABLED)) {
            setFlagFromOption("startup-fencing", STARTUP_FENCING);
        }
        unpackHealthScores();
        placementStrategy = pref("placement-strategy");
        setFlagFromOption("shutdown-lock", SHUTDOWN_LOCK);
        if (is(SHUTDOWN_LOCK)) {
            shutdownLockSec = Util.parseInterval(pref("shutdown-lock-limit")) / 1000;
        }
    }

    /** Whether any resource (or rsc_defaults) asks for unfencing via provides/requires=unfencing. */
    private boolean unfencingConfigured() {
        XmlElement conf = input.firstChild("configuration");
        if (conf == null) {
            return false;
        }
        XmlElement res = conf.firstChild("resources");
        if (res != null && hasUnfencingMeta(res, false)) {
            return true;
        }
        XmlElement rd = conf.firstChild("rsc_defaults");
        if (rd != null) {
            for (XmlElement ms : rd.children("meta_attributes")) {
                if (hasUnfencingPair(ms)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean hasUnfencingMeta(XmlElement e, boolean inMeta) {
        for (XmlElement c : e.kids()) {
            if (c.is("meta_attributes")) {
                if (hasUnfencingPair(c)) {
                    return true;
                }
            } else if (hasUnfencingMeta(c, inMeta)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasUnfencingPair(XmlElement ms) {
        for (XmlElement nv : ms.kids()) {
            if (nv.is("nvpair") && ("provides".equals(nv.get("name")) || "requires".equals(nv.get("name")))
                && "unfencing".equals(nv.get("value"))) {
                return true;
            }
        }
        return false;
    }

    public String healthStrategy() {
        return pref("node-health-strategy").toLowerCase(Locale.ROOT);
    }

    private int healthScore(String option) {
        return Score.parse(pref(option));
    }

    private void unpackHealthScores() {
        switch (healthStrategy()) {
            case "none" -> {
                scoreRed = 0;
                scoreYellow = 0;
                scoreGreen = 0;
            }
            case "migrate-on-red" -> {
                scoreRed = -Score.INFINITY;
                scoreYellow = 0;
                scoreGreen = 0;
            }
            case "only-green" -> {
                scoreRed = -Score.INFINITY;
                scoreYellow = -Score.INFINITY;
                scoreGreen = 0;
            }
            default -> {
                scoreRed = healthScore("node-health-red");
                scoreGreen = healthScore("node-health-green");
                scoreYellow = healthScore("node-health-yellow");
            }
        }
    }

    /** char2score with this cluster's health colour values. */
    public int score(String s) {
        return Score.parse(s, scoreRed, scoreYellow, scoreGreen);
    }

    // ---------------------------------------------------------------- nodes

    /** Follows {@code pe_create_node()} in lib/pengine/unpack.c. */
    public Node createNode(String id, String uname, String type, String score) {
        if (uname != null && findNode(uname) != null) {
            warn("More than one node entry has name '" + uname + "'");
        }
        Node.Type t;
        if (type == null || "member".equalsIgnoreCase(type)) {
            t = Node.Type.MEMBER;
        } else if ("remote".equalsIgnoreCase(type)) {
            t = Node.Type.REMOTE;
            set(HAVE_REMOTE_NODES);
        } else {
            t = Node.Type.PING;
        }
        Node n = new Node(id, uname, t);
        n.weight = score(score);
        n.attrs.put("#kind", t == Node.Type.REMOTE ? "remote" : "cluster");
        int pos = nodes.size();
        for (int i = 0; i < nodes.size(); i++) {
            if (Util.numericCompare(nodes.get(i).uname, uname) > 0) {
                pos = i;
                break;
            }
        }
        nodes.add(pos, n);
        if (id != null) {
            nodesById.putIfAbsent(id.toLowerCase(Locale.ROOT), n);
        }
        if (uname != null) {
            nodesByName.putIfAbsent(uname.toLowerCase(Locale.ROOT), n);
        }
        return n;
    }

    /** By name, case-insensitive, first in list order. Follows {@code pe_find_node()} in lib/pengine/status.c. */
    public Node findNode(String uname) {
        if (uname == null) {
            return null;
        }
        Node n = nodesByName.get(uname.toLowerCase(Locale.ROOT));
        if (n == null) {
            return null;
        }
        // the first in (sorted) list order among equal names
        for (Node x : nodes) {
            if (x.uname != null && x.uname.equalsIgnoreCase(uname)) {
                return x;
            }
        }
        return n;
    }

    /** Follows {@code pe_find_node_id()} in lib/pengine/status.c. */
    public Node findNodeId(String id) {
        if (id == null) {
            return null;
        }
        Node n = nodesById.get(id.toLowerCase(Locale.ROOT));
        if (n == null) {
            return null;
        }
        for (Node x : nodes) {
            if (x.id != null && x.id.equalsIgnoreCase(id)) {
                return x;
            }
        }
        return n;
    }

    /** Follows {@code pe_find_node_any()} in lib/pengine/status.c. */
    public Node findNodeAny(String id, String uname) {
        Node n = findNodeId(id);
        return n != null ? n : findNode(uname);
    }

    // ---------------------------------------------------------------- resources

    /** Registers a resource (and its descendants) in the id indexes. */
    public void indexResource(Resource r) {
        rscById.putIfAbsent(r.id, r);
        for (Resource c : r.children) {
            indexResource(c);
        }
    }

    public void setCloneName(Resource r, String name) {
        if (r.cloneName != null) {
            List<Resource> l = rscByCloneName.get(r.cloneName);
            if (l != null) {
                l.remove(r);
            }
        }
        r.cloneName = name;
        if (name != null) {
            rscByCloneName.computeIfAbsent(name, k -> new ArrayList<>(1)).add(r);
        }
    }

    /**
     * pe_find_resource (with pe_find_renamed): by id or clone_name, among all resources and descendants. Follows
     * {@code pe_find_resource()} in lib/pengine/status.c.
     *
     * <p>Follows {@code pe_find_resource()} in lib/pengine/status.c.
     */
    public Resource findResource(String id) {
        if (id == null) {
            return null;
        }
        Resource r = rscById.get(id);
        if (r != null) {
            return r;
        }
        List<Resource> l = rscByCloneName.get(id);
        if (l != null && !l.isEmpty()) {
            return l.get(0);
        }
        return null;
    }

    /**
     * A resource by id or clone name; an instance maps to its top parent. Follows {@code
     * pcmk__find_constraint_resource()} in lib/pacemaker/pcmk_sched_constraints.c.
     */
    public Resource findConstraintResource(String id) {
        Resource match = findResource(id);
        if (match == null) {
            return null;
        }
        if (!match.id.equalsIgnoreCase(id)) {
            match = match.top();
        }
        return match;
    }

    /**
     * Strips a clone instance suffix ({@code rsc:3} to {@code rsc}). Follows {@code clone_strip()} in
     * lib/pengine/unpack.c.
     */
    public static String cloneStrip(String id) {
        int end = baseNameEnd(id);
        return id.substring(0, end + 1);
    }

    /** Index of the last character of the base name. Follows {@code pe_base_name_end()} in lib/pengine/unpack.c. */
    static int baseNameEnd(String id) {
        int end = id.length() - 1;
        for (int s = end; s > 0; s--) {
            char c = id.charAt(s);
            if (c >= '0' && c <= '9') {
                continue;
            } else if (c == ':') {
                return s == end ? s : s - 1;
            } else {
                return end;
            }
        }
        return end;
    }

    /** Follows {@code clone_zero()} in lib/pengine/unpack.c. */
    public static String cloneZero(String id) {
        return cloneStrip(id) + ":0";
    }

    // ---------------------------------------------------------------- attributes

    public RuleContext ruleContext(Map<String, String> nodeAttrs) {
        return RuleContext.of(nodeAttrs, now);
    }

    /** Follows {@code get_meta_attributes()} in lib/pengine/complex.c. */
    public void metaAttributes(Map<String, String> meta, Resource rsc, Node node) {
        RuleContext ctx = ruleContext(node == null ? null : node.attrs)
            .withAgent(rsc.xml.get("class"), rsc.xml.get("provider"), rsc.xml.get("type"));
        for (int i = 0; i < rsc.xml.attributeCount(); i++) {
            addHashParam(meta, rsc.xml.attributeName(i), rsc.xml.attributeValue(i));
        }
        rules.unpackNvpairs(rsc.xml, "meta_attributes", ctx, meta, null, false);
        if (rsc.parent != null) {
            Map<String, String> parentOrig = new LinkedHashMap<>();
            for (Resource p = rsc.parent; p != null; p = p.parent) {
                rules.unpackNvpairs(p.xml, "meta_attributes", ctx, parentOrig, null, false);
            }
            for (Map.Entry<String, String> e : parentOrig.entrySet()) {
                addHashParam(meta, e.getKey(), e.getValue());
            }
        }
        rules.unpackNvpairs(rscDefaults, "meta_attributes", ctx, meta, null, false);
        if (rsc.parent != null) {
            for (Map.Entry<String, String> e : rsc.parent.meta.entrySet()) {
                addHashParam(meta, e.getKey(), e.getValue());
            }
        }
    }

    /** Follows {@code get_rsc_attributes()} in lib/pengine/complex.c. */
    public void rscAttributes(Map<String, String> params, Resource rsc, Node node) {
        RuleContext ctx = ruleContext(node == null ? null : node.attrs);
        rules.unpackNvpairs(rsc.xml, "instance_attributes", ctx, params, null, false);
        if (rsc.parent != null) {
            rscAttributes(params, rsc.parent, node);
        } else {
            rules.unpackNvpairs(rscDefaults, "instance_attributes", ctx, params, null, false);
        }
    }

    /**
     * Adds a value unless the name is set already or the value is #default. Follows {@code add_hash_param()} in
     * lib/pengine/common.c.
     */
    public static void addHashParam(Map<String, String> hash, String name, String value) {
        if (name == null || value == null || "#default".equalsIgnoreCase(value)) {
            return;
        }
        hash.putIfAbsent(name, value);
    }

    /**
     * A node attribute, looked up on the container's host for container-attribute-target=host. Follows {@code
     * pe_node_attribute_calculated()} in lib/pengine/common.c.
     */
    public String nodeAttributeCalculated(Node node, String name, Resource rsc) {
        if (node == null) {
            return null;
        }
        if (rsc == null) {
            return node.attrs.get(name);
        }
        String source = rsc.meta.get("container-attribute-target");
        if (source == null || !"host".equalsIgnoreCase(source)) {
            return node.attrs.get(name);
        }
        if (node.remoteRsc == null || node.remoteRsc.container == null) {
            return node.attrs.get(name);
        }
        Resource c = node.remoteRsc.container;
        if (!c.runningOn.isEmpty()) {
            return c.runningOn.get(0).attrs.get(name);
        }
        return null;
    }

    // ---------------------------------------------------------------- locations

    /**
     * Adds {@code score} for {@code node} (all nodes when null) to the resource's allowed nodes. Follows {@code
     * resource_location()} in lib/pengine/utils.c.
     */
    public void resourceLocation(Resource rsc, Node node, int score, String tag) {
        if (node != null) {
            resourceNodeScore(rsc, node, null, score, tag);
        } else {
            for (Node n : nodes) {
                resourceNodeScore(rsc, n, null, score, tag);
            }
        }
        if (node == null && score == -Score.INFINITY && rsc.allocatedTo != null) {
            rsc.allocatedTo = null;
        }
    }

    /** Follows {@code resource_node_score()} in lib/pengine/utils.c. */
    private void resourceNodeScore(Resource rsc, Node node, NodeScore listEntry, int score, String tag) {
        if ((rsc.exclusiveDiscover || node.discoverMode == NodeScore.DISCOVER_NEVER)
            && "symmetric_default".equalsIgnoreCase(tag)) {
            return;
        }
        for (Resource c : rsc.children) {
            resourceNodeScore(c, node, listEntry, score, tag);
        }
        NodeScore match = rsc.allowedNodes.get(node);
        if (match == null) {
            match = node.copy();
            rsc.allowedNodes.put(node, match);
        }
        match.weight = Score.add(match.weight, score);
        if (trace != null) {
            trace.add(rsc, node, score, tag);
        }
    }

    // ---------------------------------------------------------------- actions

    /** Options for {@link #customAction}. Follows {@code custom_action()} in lib/pengine/pe_actions.c. */
    public Action customAction(Resource rsc, String key, String task, Node onNode, boolean optional,
                               boolean save) {
        Action action = null;
        if (save) {
            action = findExistingAction(key, rsc, onNode);
        }
        if (action == null) {
            action = newAction(key, task, rsc, onNode, optional, save);
        }
        updateActionOptional(action, optional);
        if (rsc != null) {
            if (action.node != null) {
                unpackActionNodeAttributes(action);
            }
            updateResourceActionRunnable(action, save);
            if (save) {
                if ("stop".equalsIgnoreCase(action.task)) {
                    rsc.set(Resource.STOPPING);
                } else if ("start".equalsIgnoreCase(action.task)) {
                    if (action.isRunnable()) {
                        rsc.set(Resource.STARTING);
                    } else {
                        rsc.clear(Resource.STARTING);
                    }
                }
            }
        }
        return action;
    }

    /** Follows {@code find_existing_action()} in lib/pengine/pe_actions.c. */
    private Action findExistingAction(String key, Resource rsc, Node node) {
        if (rsc != null) {
            return rsc.findExistingAction(key, node);
        }
        List<Action> candidates = nodeActionsByUuid.getOrDefault(key.toLowerCase(Locale.ROOT), List.of());
        // find_actions on candidates that all have this uuid: the oldest on the node (or unbound, then bound)
        for (Action a : candidates) {
            if (node == null || a.node == node) {
                return a;
            }
            if (a.node == null) {
                a.node = node;
                return a;
            }
        }
        return null;
    }

    /**
     * find_actions: the actions with this uuid on this node (any node when null; an action without a node is
     * bound to {@code node}), oldest first.
     *
     * <p>Follows {@code find_actions()} in lib/pengine/pe_actions.c.
     */
    public static List<Action> findActions(List<Action> list, String key, Node node) {
        List<Action> result = new ArrayList<>(1);
        for (int i = list.size() - 1; i >= 0; i--) {
            Action a = list.get(i);
            if (!a.uuid.equalsIgnoreCase(key)) {
                continue;
            }
            if (node == null) {
                result.add(0, a);
            } else if (a.node == null) {
                if (a.rsc != null) {
                    a.rsc.bind(a, node);
                } else {
                    a.node = node;
                }
                result.add(0, a);
            } else if (a.node == node) {
                result.add(0, a);
            }
        }
        return result;
    }

    /**
     * Like findActions but the node must be set and equal. Follows {@code find_actions_exact()} in
     * lib/pengine/pe_actions.c.
     */
    public static List<Action> findActionsExact(List<Action> list, String key, Node node) {
        List<Action> result = new ArrayList<>(1);
        if (node == null) {
            return result;
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            Action a = list.get(i);
            if (a.node != null && a.uuid.equalsIgnoreCase(key) && a.node.id.equalsIgnoreCase(node.id)) {
                result.add(0, a);
            }
        }
        return result;
    }

    /**
     * The newest action matching uuid and/or task (and node, when given). Follows {@code find_first_action()} in
     * lib/pengine/pe_actions.c.
     */
    public static Action findFirstAction(List<Action> list, String uuid, String task, Node onNode) {
        for (int i = list.size() - 1; i >= 0; i--) {
            Action a = list.get(i);
            if (uuid != null && !uuid.equalsIgnoreCase(a.uuid)) {
                continue;
            } else if (task != null && !task.equalsIgnoreCase(a.task)) {
                continue;
            } else if (onNode == null) {
                return a;
            } else if (a.node == null) {
                continue;
            } else if (onNode == a.node) {
                return a;
            }
        }
        return null;
    }

    /**
     * {@link #findFirstAction} over a resource's actions of one task (through its task index). Follows {@code
     * find_first_action()} in lib/pengine/pe_actions.c.
     */
    public static Action findFirstAction(Resource rsc, String task, Node onNode) {
        return findFirstAction(rsc.actionsWithTask(task), null, task, onNode);
    }

    /** Follows {@code pe__resource_actions()} in lib/pengine/pe_actions.c. */
    public static List<Action> resourceActions(Resource rsc, Node node, String task, boolean requireNode) {
        String key = rsc.key0(task);
        List<Action> byUuid = rsc.actionsWithUuid(key);
        if (requireNode) {
            return findActionsExact(byUuid, key, node);
        }
        return findActions(byUuid, key, node);
    }

    /** Follows {@code new_action()} in lib/pengine/pe_actions.c. */
    private Action newAction(String key, String task, Resource rsc, Node node, boolean optional, boolean save) {
        Action a = new Action(rsc, key, task, node);
        if ("lrm_delete".equalsIgnoreCase(task)) {
            a.set(Action.DC);
        }
        a.set(Action.RUNNABLE);
        if (optional) {
            a.set(Action.OPTIONAL);
        } else {
            a.clear(Action.OPTIONAL);
        }
        if (rsc != null) {
            a.opEntry = findRscOpEntry(rsc, key, true);
            ActionConfig.configure(this, a, key);
        }
        if (save) {
            a.id = actionId++;
            actions.add(a);
            if (rsc == null) {
                singletons.put(a.uuid, a);
                nodeActionsByUuid.computeIfAbsent(a.uuid.toLowerCase(Locale.ROOT), x -> new ArrayList<>(1)).add(a);
            } else {
                rsc.addAction(a);
            }
        }
        return a;
    }

    /**
     * The configured {@code <op>} for an action key. Follows {@code find_rsc_op_entry_helper()} in
     * lib/pengine/pe_actions.c.
     */
    public XmlElement findRscOpEntry(Resource rsc, String key, boolean includeDisabled) {
        Resource.OpIndex index = rsc.opIndex();
        for (int attempt = 0; attempt < 2; attempt++) {
            XmlElement op = index.find(key.toLowerCase(Locale.ROOT), includeDisabled);
            if (op != null) {
                return op;
            }
            if (attempt == 0) {
                if (key.contains("migrate_to") || key.contains("migrate_from")) {
                    key = Util.opKey(rsc.id, "migrate", 0);
                } else if (key.contains("_notify_")) {
                    key = Util.opKey(rsc.id, "notify", 0);
                } else {
                    return null;
                }
            }
        }
        return null;
    }

    /** Follows {@code unpack_action_node_attributes()} in lib/pengine/pe_actions.c. */
    private void unpackActionNodeAttributes(Action a) {
        if (!a.is(Action.HAVE_NODE_ATTRS) && a.opEntry != null) {
            a.set(Action.HAVE_NODE_ATTRS);
            rules.unpackNvpairs(a.opEntry, "instance_attributes", ruleContext(a.node.attrs), a.extra, null, false);
        }
    }

    /** Follows {@code update_action_optional()} in lib/pengine/pe_actions.c. */
    private void updateActionOptional(Action a, boolean optional) {
        if (a.rsc != null && a.node != null && !a.is(Action.PSEUDO) && !a.rsc.is(Resource.MANAGED)
            && !a.meta.containsKey("interval")) {
            a.set(Action.OPTIONAL);
        } else if (!optional) {
            a.clear(Action.OPTIONAL);
        }
    }

    /** Follows {@code effective_quorum_policy()} in lib/pengine/pe_actions.c. */
    private NoQuorum effectiveQuorumPolicy(Resource rsc) {
        NoQuorum policy = noQuorumPolicy;
        if (is(HAVE_QUORUM)) {
            policy = NoQuorum.IGNORE;
        } else if (noQuorumPolicy == NoQuorum.DEMOTE) {
            switch (rsc.role) {
                case PROMOTED, UNPROMOTED -> {
                    if (rsc.nextRole.gt(Role.UNPROMOTED)) {
                        rsc.setNextRole(Role.UNPROMOTED, "no-quorum-policy=demote");
                    }
                    policy = NoQuorum.IGNORE;
                }
                default -> policy = NoQuorum.STOP;
            }
        }
        return policy;
    }

    /** Follows {@code update_resource_action_runnable()} in lib/pengine/pe_actions.c. */
    private void updateResourceActionRunnable(Action a, boolean forGraph) {
        if (a.is(Action.PSEUDO)) {
            return;
        }
        if (a.node == null) {
            a.clear(Action.RUNNABLE);
        } else if (!a.is(Action.DC) && !a.node.online && (!a.node.isGuest() || a.node.remoteRequiresReset)) {
            a.clear(Action.RUNNABLE);
            if (a.rsc.is(Resource.MANAGED) && forGraph && "stop".equalsIgnoreCase(a.task) && !a.node.unclean) {
                fenceNode(a.node, "stop is unrunnable", false);
            }
        } else if (!a.is(Action.DC) && a.node.pending) {
            a.clear(Action.RUNNABLE);
        } else if (a.needs == Action.Needs.NOTHING) {
            a.setReason(null, true);
            if (a.node.isGuest() && !canFence(a.node)) {
                a.clear(Action.RUNNABLE);
            } else {
                a.set(Action.RUNNABLE);
            }
        } else {
            switch (effectiveQuorumPolicy(a.rsc)) {
                case STOP -> {
                    a.clear(Action.RUNNABLE);
                    a.setReason("no quorum", true);
                }
                case FREEZE -> {
                    if (!a.rsc.active(true) || a.rsc.nextRole.gt(a.rsc.role)) {
                        a.clear(Action.RUNNABLE);
                        a.setReason("quorum freeze", true);
                    }
                }
                default -> a.set(Action.RUNNABLE);
            }
        }
    }

    /**
     * A named pseudo-action without resource or node (created once). Follows {@code get_pseudo_op()} in
     * lib/pengine/pe_actions.c.
     */
    public Action pseudoOp(String name) {
        Action op = singletons.get(name);
        if (op == null) {
            op = customAction(null, name, name, null, true, true);
            op.set(Action.PSEUDO | Action.RUNNABLE);
        }
        return op;
    }

    public Action singleton(String uuid) {
        return singletons.get(uuid);
    }

    /** Follows {@code pe__new_rsc_pseudo_action()} in lib/pengine/pe_actions.c. */
    public Action newRscPseudoAction(Resource rsc, String task, boolean optional, boolean runnable) {
        Action a = customAction(rsc, Util.opKey(rsc.id, task, 0), task, null, optional, true);
        a.set(Action.PSEUDO);
        if (runnable) {
            a.set(Action.RUNNABLE);
        }
        return a;
    }

    // convenience wrappers (Pacemaker's macros)
    /** Follows {@code stop_action()} in include/crm/pengine/internal.h. */
    public Action stopAction(Resource rsc, Node node, boolean optional) {
        return customAction(rsc, Util.opKey(rsc.id, "stop", 0), "stop", node, optional, true);
    }

    /** Follows {@code start_action()} in include/crm/pengine/internal.h. */
    public Action startAction(Resource rsc, Node node, boolean optional) {
        return customAction(rsc, Util.opKey(rsc.id, "start", 0), "start", node, optional, true);
    }

    /** Follows {@code promote_action()} in include/crm/pengine/internal.h. */
    public Action promoteAction(Resource rsc, Node node, boolean optional) {
        return customAction(rsc, Util.opKey(rsc.id, "promote", 0), "promote", node, optional, true);
    }

    /** Follows {@code demote_action()} in include/crm/pengine/internal.h. */
    public Action demoteAction(Resource rsc, Node node, boolean optional) {
        return customAction(rsc, Util.opKey(rsc.id, "demote", 0), "demote", node, optional, true);
    }

    /** Follows {@code delete_action()} in include/crm/pengine/internal.h. */
    public Action deleteAction(Resource rsc, Node node, boolean optional) {
        return customAction(rsc, Util.opKey(rsc.id, "delete", 0), "delete", node, optional, true);
    }

    /** Follows {@code pe__clear_failcount()} in lib/pengine/failcounts.c. */
    public Action clearFailcount(Resource rsc, Node node, String reason) {
        Action a = customAction(rsc, Util.opKey(rsc.id, "clear_failcount", 0), "clear_failcount", node, false,
            true);
        a.meta.put("op_no_wait", "true");
        return a;
    }

    /** Follows {@code pe__clear_resource_history()} in lib/pengine/pe_actions.c. */
    public Action clearResourceHistory(Resource rsc, Node node) {
        return customAction(rsc, Util.opKey(rsc.id, "lrm_delete", 0), "lrm_delete", node, false, true);
    }

    // ---------------------------------------------------------------- fencing

    /** Follows {@code pe_can_fence()} in lib/pengine/utils.c. */
    public boolean canFence(Node node) {
        if (node != null && node.isGuest()) {
            Resource rsc = node.remoteRsc.container;
            for (Node n : rsc.runningOn) {
                if (!n.online && !canFence(n)) {
                    return false;
                }
            }
            return true;
        } else if (!is(STONITH_ENABLED)) {
            return false;
        } else if (!is(HAVE_STONITH_RESOURCE)) {
            return false;
        } else if (is(HAVE_QUORUM)) {
            return true;
        } else if (noQuorumPolicy == NoQuorum.IGNORE) {
            return true;
        } else if (node == null) {
            return false;
        } else {
            return node.online;
        }
    }

    /**
     * The (single) fencing action for a node and fence action. Follows {@code pe_fence_op()} in
     * lib/pengine/pe_actions.c.
     */
    public Action fenceOp(Node node, String op, boolean optional, String reason, boolean priorityDelay) {
        if (op == null) {
            op = stonithAction;
        }
        String key = "stonith-" + node.uname + "-" + op;
        Action stonith = singletons.get(key);
        if (stonith == null) {
            stonith = customAction(null, key, "stonith", node, true, true);
            stonith.meta.put("on_node", node.uname);
            stonith.meta.put("on_node_uuid", node.id);
            stonith.meta.put("stonith_action", op);
            if (is(ENABLE_UNFENCING)) {
                List<Resource> matches = new ArrayList<>();
                findUnfencingDevices(resources, matches);
                // the devices' digests, so that the executor can tell when a device definition changed
                StringBuilder all = new StringBuilder();
                StringBuilder secure = new StringBuilder();
                for (Resource match : matches) {
                    String agent = match.meta.get("type");
                    Digests d = Digests.compareFencing(this, match, node);
                    if (d.rc == Digests.ALL) {
                        optional = false;
                    }
                    all.append(match.id).append(':').append(agent).append(':').append(d.digestAllCalc).append(',');
                    secure.append(match.id).append(':').append(agent).append(':').append(d.digestSecureCalc)
                        .append(',');
                }
                stonith.meta.put("digests-all", all.toString());
                stonith.meta.put("digests-secure", secure.toString());
            }
        }
        if (priorityFencingDelay > 0 && (priorityDelay || stonith.meta.containsKey("priority-fencing-delay"))) {
            stonith.meta.put("priority-fencing-delay", Long.toString(priorityFencingDelay(node)));
        }
        if (!optional && canFence(node)) {
            stonith.clear(Action.OPTIONAL);
            stonith.setReason(reason, false);
        } else if (reason != null && stonith.reason == null) {
            stonith.reason = reason;
        }
        return stonith;
    }

    /** Follows {@code find_unfencing_devices()} in lib/pengine/pe_actions.c. */
    private void findUnfencingDevices(List<Resource> candidates, List<Resource> matches) {
        for (Resource c : candidates) {
            if (!c.children.isEmpty()) {
                findUnfencingDevices(c.children, matches);
            } else if (!c.is(Resource.FENCE_DEVICE)) {
                continue;
            } else if (c.is(Resource.NEEDS_UNFENCING)) {
                matches.add(0, c);
            } else if ("unfencing".equalsIgnoreCase(c.meta.get("provides"))) {
                matches.add(0, c);
            }
        }
    }

    /** Follows {@code node_priority_fencing_delay()} in lib/pengine/pe_actions.c. */
    private long priorityFencingDelay(Node node) {
        if (priorityFencingDelay <= 0 || node.type != Node.Type.MEMBER || node.online) {
            return 0;
        }
        int members = 0;
        int online = 0;
        int top = 0;
        int lowest = 0;
        for (Node n : nodes) {
            if (n.type != Node.Type.MEMBER) {
                continue;
            }
            members++;
            if (n.online) {
                online++;
            }
            if (members == 1 || n.priority > top) {
                top = n.priority;
            }
            if (members == 1 || n.priority < lowest) {
                lowest = n.priority;
            }
        }
        if (online > members / 2 || lowest == top || node.priority < top) {
            return 0;
        }
        return priorityFencingDelay;
    }

    /**
     * Marks a node for fencing (guest nodes by recovering their container). Follows {@code pe_fence_node()} in
     * lib/pengine/unpack.c.
     */
    public void fenceNode(Node node, String reason, boolean priorityDelay) {
        if (node.isGuest()) {
            Resource rsc = node.remoteRsc.container;
            if (!rsc.is(Resource.FAILED)) {
                if (rsc.is(Resource.MANAGED)) {
                    node.remoteRequiresReset = true;
                    rsc.set(Resource.FAILED | Resource.STOP);
                }
            }
        } else if (isDanglingGuestNode(node)) {
            node.remoteRsc.set(Resource.FAILED | Resource.STOP);
        } else if (node.isRemoteOnly()) {
            Resource rsc = node.remoteRsc;
            if (rsc != null && !rsc.is(Resource.MANAGED)) {
                // not fenced: connection unmanaged
            } else if (!node.remoteRequiresReset) {
                node.remoteRequiresReset = true;
            }
            node.unclean = true;
            fenceOp(node, null, true, reason, false);
        } else if (node.unclean) {
            // already unclean
        } else {
            node.unclean = true;
            fenceOp(node, null, true, reason, priorityDelay);
        }
    }

    /** Follows {@code is_dangling_guest_node()} in lib/pengine/unpack.c. */
    private static boolean isDanglingGuestNode(Node node) {
        return node.isGuestOrRemote() && node.remoteRsc != null && node.remoteRsc.container == null
            && node.remoteRsc.is(Resource.ORPHAN_CONTAINER_FILLER);
    }

    /** Follows {@code trigger_unfencing()} in lib/pengine/utils.c. */
    public void triggerUnfencing(Resource rsc, Node node, String reason, Action dependency) {
        if (!is(ENABLE_UNFENCING)) {
            return;
        } else if (rsc != null && !rsc.is(Resource.FENCE_DEVICE)) {
            return;
        } else if (node != null && node.online && !node.unclean && !node.shutdown) {
            Action unfence = fenceOp(node, "on", false, reason, false);
            if (dependency != null) {
                orderActions(unfence, dependency, Ordering.OPTIONAL);
            }
        } else if (rsc != null) {
            for (NodeScore ns : new ArrayList<>(rsc.allowedNodes.values())) {
                Node n = ns.node;
                if (n.online && !n.unclean && !n.shutdown) {
                    triggerUnfencing(rsc, n, reason, dependency);
                }
            }
        }
    }

    // ---------------------------------------------------------------- orderings

    /**
     * order_actions: links two actions directly (skipping a duplicate with overlapping flags). Returns whether a
     * new link was made.
     *
     * <p>Follows {@code order_actions()} in lib/pengine/utils.c.
     */
    public boolean orderActions(Action first, Action then, int type) {
        if (type == Ordering.NONE || first == null || then == null || first == then) {
            return false;
        }
        for (int i = first.after.size() - 1; i >= 0; i--) {
            ActionLink l = first.after.get(i);
            if (l.action == then && (l.type & type) != 0) {
                return false;
            }
        }
        first.after.add(new ActionLink(then, type));
        then.before.add(new ActionLink(first, type));
        return true;
    }

    /** Follows {@code pcmk__new_ordering()} in lib/pacemaker/pcmk_sched_ordering.c. */
    public Ordering newOrdering(Resource firstRsc, String firstTask, Action firstAction, Resource thenRsc,
                                String thenTask, Action thenAction, int flags) {
        if ((firstAction == null && firstRsc == null) || (thenAction == null && thenRsc == null)) {
            return null;
        }
        if (firstRsc == null && firstAction != null) {
            firstRsc = firstAction.rsc;
        }
        if (thenRsc == null && thenAction != null) {
            thenRsc = thenAction.rsc;
        }
        Ordering o = new Ordering(orderId++, flags, firstRsc, firstAction,
            firstTask != null ? firstTask : (firstAction != null ? firstAction.uuid : null), thenRsc, thenAction,
            thenTask != null ? thenTask : (thenAction != null ? thenAction.uuid : null));
        orderingConstraints.add(o);
        Migration.orderMigrationEquivalents(this, o);
        return o;
    }

    /** pcmk__order_resource_actions. */
    public Ordering orderResourceActions(Resource first, String firstTask, Resource then, String thenTask,
                                         int flags) {
        return newOrdering(first, first.key0(firstTask), null, then, then.key0(thenTask), null, flags);
    }

    // ---------------------------------------------------------------- time

    /** Follows {@code get_effective_time()} in lib/pengine/utils.c. */
    /**
     * Asks for a new scheduler run at {@code recheck} (epoch seconds) when that is after now and earlier than the
     * time already asked for. Follows {@code pe__update_recheck_time()} in lib/pengine/utils.c.
     */
    public void updateRecheckTime(long recheck) {
        if (recheck > effectiveTime() && (recheckBy == 0 || recheckBy > recheck)) {
            recheckBy = recheck;
        }
    }

    /** Follows {@code get_effective_time()} in lib/pengine/utils.c. */
    public long effectiveTime() {
        return now.epochSecond();
    }

    // ---------------------------------------------------------------- results

    /**
     * The transition summary lines (without the leading "  * "). Follows {@code pcmk__output_actions()} in
     * lib/pacemaker/pcmk_sched_actions.c.
     */
    public List<String> summary() {
        Output out = new Output();
        out.outputActions(this);
        return out.lines();
    }

    /** Allocation score lines for --show-scores. */
    public List<String> scoreLines() {
        return scores.lines;
    }
}
