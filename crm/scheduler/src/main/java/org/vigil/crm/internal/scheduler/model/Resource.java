package org.vigil.crm.internal.scheduler.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.output.Output;

/**
 * A configured (or orphaned) resource and everything the scheduler works out about it: current role and
 * location from the status, allowed nodes with scores, the chosen node, next role and actions. Subclasses
 * implement the variant-specific scheduling (Pacemaker's per-variant method tables). One scheduler run at a time.
 *
 * <p>Follows {@code pe_resource_t} (include/crm/pengine/pe_types.h) and its {@code resource_alloc_functions_t}
 * method table (lib/pacemaker/libpacemaker_private.h); common behaviour from lib/pengine/complex.c and
 * lib/pengine/native.c.
 */
public abstract class Resource {

    public enum Variant { PRIMITIVE, GROUP, CLONE, BUNDLE }

    public enum Recovery { STOP_START, STOP_ONLY, BLOCK, STOP_UNEXPECTED }

    // Resource flags (Pacemaker's pe_rsc_* values)
    public static final long ORPHAN = 0x1L;
    public static final long MANAGED = 0x2L;
    public static final long BLOCK = 0x4L;
    public static final long ORPHAN_CONTAINER_FILLER = 0x8L;
    public static final long NOTIFY = 0x10L;
    public static final long UNIQUE = 0x20L;
    public static final long FENCE_DEVICE = 0x40L;
    public static final long PROMOTABLE = 0x80L;
    public static final long PROVISIONAL = 0x100L;
    public static final long ALLOCATING = 0x200L;
    public static final long MERGING = 0x400L;
    public static final long RESTARTING = 0x800L;
    public static final long STOP = 0x1000L;
    public static final long RELOAD = 0x2000L;
    public static final long ALLOW_REMOTE_REMOTES = 0x4000L;
    public static final long CRITICAL = 0x8000L;
    public static final long FAILED = 0x10000L;
    public static final long RUNNABLE = 0x40000L;
    public static final long START_PENDING = 0x80000L;
    public static final long STARTING = 0x100000L;
    public static final long STOPPING = 0x200000L;
    public static final long STOP_UNEXPECTED = 0x400000L;
    public static final long ALLOW_MIGRATE = 0x800000L;
    public static final long FAILURE_IGNORED = 0x1000000L;
    public static final long MAINTENANCE = 0x4000000L;
    public static final long IS_CONTAINER = 0x8000000L;
    public static final long NEEDS_QUORUM = 0x10000000L;
    public static final long NEEDS_FENCING = 0x20000000L;
    public static final long NEEDS_UNFENCING = 0x40000000L;

    public final WorkingSet ws;
    public String id;
    public String cloneName;
    public XmlElement xml;
    public XmlElement origXml;
    public XmlElement opsXml;
    public Resource parent;
    public final Variant variant;
    public Recovery recoveryType = Recovery.STOP_START;
    public boolean restartTypeRestart;
    public int priority;
    public int stickiness;
    public int sortIndex;
    public int failureTimeout;
    public int migrationThreshold = org.vigil.crm.internal.cib.Score.INFINITY;
    public long remoteReconnectMs;
    public String pendingTask;
    public long flags;
    public boolean isRemoteNode;
    public boolean exclusiveDiscover;

    /** Colocations where this resource is the primary ("with this"); Pacemaker's rsc_cons_lhs. */
    public List<Colocation> withThis = new ArrayList<>();
    /** Colocations where this resource is the dependent ("this with"); Pacemaker's rsc_cons. */
    public List<Colocation> thisWith = new ArrayList<>();
    public final List<Location> locations = new ArrayList<>();
    public final List<Action> actions = new ArrayList<>();
    private final Map<String, UuidActions> actionsByUuid = new java.util.HashMap<>();
    /** The same entries as actionsByUuid, under each exact spelling seen (saves lower-casing on lookups). */
    private final Map<String, UuidActions> actionsByExactUuid = new java.util.HashMap<>();
    /** The actions by lower-case task, oldest first. */
    private final Map<String, List<Action>> actionsByTask = new java.util.HashMap<>();
    public final List<TicketConstraint> ticketConstraints = new ArrayList<>();

    public NodeScore allocatedTo;
    public Node partialMigrationTarget;
    public Node partialMigrationSource;
    public final List<Node> runningOn = new ArrayList<>(1);
    public final Set<Node> knownOn = new LinkedHashSet<>();
    public Map<Node, NodeScore> allowedNodes = new LinkedHashMap<>();

    public Role role = Role.STOPPED;
    public Role nextRole = Role.UNKNOWN;

    public final Map<String, String> meta = new LinkedHashMap<>();
    public final Map<String, String> utilization = new LinkedHashMap<>();
    private Map<String, Map<String, String>> paramCache;

    public final List<Resource> children = new ArrayList<>();
    public final List<Node> danglingMigrations = new ArrayList<>();
    public Resource container;
    public final List<Resource> fillers = new ArrayList<>();
    public Node pendingNode;
    public Node lockNode;
    public long lockTime;

    protected Resource(WorkingSet ws, Variant variant) {
        this.ws = ws;
        this.variant = variant;
    }

    // ---- flags ----

    public final boolean is(long f) {
        return (flags & f) != 0;
    }

    public final boolean all(long f) {
        return (flags & f) == f;
    }

    public final void set(long f) {
        flags |= f;
    }

    public final void clear(long f) {
        flags &= ~f;
    }

    public void setRecursive(long f) {
        set(f);
        for (Resource c : children) {
            c.setRecursive(f);
        }
    }

    public void clearRecursive(long f) {
        clear(f);
        for (Resource c : children) {
            c.clearRecursive(f);
        }
    }

    /** Follows {@code pe__set_next_role()} in lib/pengine/complex.c. */
    public void setNextRole(Role r, String why) {
        nextRole = r;
    }

    // ---- structure ----

    /** The top-level resource (stopping below a bundle). Follows {@code uber_parent()} in lib/pengine/complex.c. */
    public Resource top() {
        Resource p = this;
        while (p.parent != null && p.parent.variant != Variant.BUNDLE) {
            p = p.parent;
        }
        return p;
    }

    /** Follows {@code pe_rsc_is_clone()} in include/crm/pengine/status.h. */
    public boolean isClone() {
        return variant == Variant.CLONE;
    }

    /** Follows {@code pe_rsc_is_anon_clone()} in include/crm/pengine/status.h. */
    public boolean isAnonClone() {
        return variant == Variant.CLONE && !is(UNIQUE);
    }

    /** Follows {@code pe_rsc_is_unique_clone()} in include/crm/pengine/status.h. */
    public boolean isUniqueClone() {
        return variant == Variant.CLONE && is(UNIQUE);
    }

    /** Inside a bundle (at any depth). Follows {@code pe_rsc_is_bundled()} in include/crm/pengine/status.h. */
    public boolean isBundled() {
        return top().parent != null && top().parent.variant == Variant.BUNDLE;
    }

    /**
     * is_parent(child, this): whether {@code child} descends from this resource. Follows {@code is_parent()} in
     * lib/pengine/complex.c.
     */
    public boolean isAncestorOf(Resource child) {
        Resource p = child;
        while (p != null && p.parent != null) {
            if (p.parent == this) {
                return true;
            }
            p = p.parent;
        }
        return false;
    }

    public String xmlId() {
        return xml.get("id");
    }

    /**
     * The XML id for anonymous instances, else the id. Follows {@code rsc_printable_id()} in
     * include/crm/pengine/status.h.
     */
    public String printableId() {
        return is(UNIQUE) ? id : xmlId();
    }

    public String agentClass() {
        return xml.get("class");
    }

    // ---- actions index ----

    /**
     * The actions with one uuid (case-insensitive), oldest first, and for each node the oldest of them bound to
     * it, so that finding a resource's action on a node does not scan its actions on every other node.
     */
    private static final class UuidActions {
        final List<Action> list = new ArrayList<>(2);
        final Map<Node, Action> firstByNode = new java.util.HashMap<>(4);
        int unbound;

        void add(Action a) {
            list.add(a);
            if (a.node == null) {
                unbound++;
            } else {
                firstByNode.putIfAbsent(a.node, a);
            }
        }

        void bound(Action a, Node node) {
            unbound--;
            firstByNode.merge(node, a, (old, nu) -> old.id <= nu.id ? old : nu);
        }
    }

    void addAction(Action a) {
        actions.add(a);
        UuidActions u = actionsByUuid.computeIfAbsent(a.uuid.toLowerCase(java.util.Locale.ROOT),
            k -> new UuidActions());
        u.add(a);
        actionsByExactUuid.putIfAbsent(a.uuid, u);
        actionsByTask.computeIfAbsent(a.task.toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>(2)).add(a);
    }

    private UuidActions uuidActions(String uuid) {
        UuidActions u = actionsByExactUuid.get(uuid);
        return u != null ? u : actionsByUuid.get(uuid.toLowerCase(java.util.Locale.ROOT));
    }

    /** The actions with this uuid (case-insensitive), oldest first. */
    public List<Action> actionsWithUuid(String uuid) {
        UuidActions u = uuidActions(uuid);
        return u == null ? List.of() : u.list;
    }

    /** The actions with this task (case-insensitive), oldest first. */
    public List<Action> actionsWithTask(String task) {
        List<Action> l = actionsByTask.get(task.toLowerCase(java.util.Locale.ROOT));
        return l == null ? List.of() : l;
    }

    /** Changes an action's task (a recurring operation becoming its cancellation), keeping the task index. */
    public void retask(Action a, String task) {
        if (a.task.equalsIgnoreCase(task)) {
            a.task = task;
            return;
        }
        List<Action> old = actionsByTask.get(a.task.toLowerCase(java.util.Locale.ROOT));
        if (old != null) {
            old.remove(a);
        }
        a.task = task;
        List<Action> l = actionsByTask.computeIfAbsent(task.toLowerCase(java.util.Locale.ROOT),
            k -> new ArrayList<>(2));
        // keep creation (id) order
        int i = l.size();
        while (i > 0 && l.get(i - 1).id > a.id) {
            i--;
        }
        l.add(i, a);
    }

    /**
     * Binds an action without a node to {@code node} (find_actions does), keeping the node index. Follows {@code
     * find_actions()} in lib/pengine/pe_actions.c.
     */
    public void bind(Action a, Node node) {
        a.node = node;
        UuidActions u = uuidActions(a.uuid);
        if (u != null) {
            u.bound(a, node);
        }
    }

    /**
     * The oldest action with this uuid on {@code node}, or the oldest without a node (then bound to {@code node}),
     * whichever comes first; with a null node the oldest action with this uuid. Follows the resource branch of
     * {@code find_existing_action()} in lib/pengine/pe_actions.c.
     */
    public Action findExistingAction(String uuid, Node node) {
        UuidActions u = uuidActions(uuid);
        if (u == null) {
            return null;
        }
        if (node == null) {
            return u.list.get(0);
        }
        if (u.unbound == 0) {
            return u.firstByNode.get(node);
        }
        for (Action a : u.list) {
            if (a.node == node) {
                return a;
            }
            if (a.node == null) {
                bind(a, node);
                return a;
            }
        }
        return null;
    }

    // ---- configured operations index ----

    /** The configured {@code <op>}s by lower-case operation key, for this resource's id and clone name. */
    static final class OpIndex {
        final String id;
        final String cloneName;
        final Map<String, XmlElement> all = new java.util.HashMap<>();
        final Map<String, XmlElement> enabled = new java.util.HashMap<>();

        OpIndex(Resource rsc) {
            id = rsc.id;
            cloneName = rsc.cloneName;
            if (rsc.opsXml == null) {
                return;
            }
            for (XmlElement op : rsc.opsXml.kids()) {
                String name = op.get("name");
                if (!op.is("op") || name == null) {
                    continue;
                }
                long interval = org.vigil.crm.internal.cib.Util.parseInterval(op.get("interval"));
                boolean on = !Boolean.FALSE.equals(org.vigil.crm.internal.cib.Util.toBoolean(op.get("enabled")));
                for (String owner : cloneName == null ? new String[] {id} : new String[] {id, cloneName}) {
                    String key = org.vigil.crm.internal.cib.Util.opKey(owner, name, interval)
                        .toLowerCase(java.util.Locale.ROOT);
                    all.putIfAbsent(key, op);
                    if (on) {
                        enabled.putIfAbsent(key, op);
                    }
                }
            }
        }

        /** The first configured op (document order) whose key matches; ops under the id win over the clone name. */
        XmlElement find(String lowerKey, boolean includeDisabled) {
            return (includeDisabled ? all : enabled).get(lowerKey);
        }
    }

    private OpIndex opIndex;
    private Map<String, String> key0Cache;

    /** The operation key of a one-shot task of this resource ({@code ID_TASK_0}), cached per id. */
    public String key0(String task) {
        if (key0Cache == null) {
            key0Cache = new java.util.HashMap<>(8);
        }
        String k = key0Cache.get(task);
        if (k == null || !k.startsWith(id) || k.length() != id.length() + task.length() + 3) {
            k = org.vigil.crm.internal.cib.Util.opKey(id, task, 0);
            key0Cache.put(task, k);
        }
        return k;
    }
    /** ActionConfig's per-key cache of unpacked operation configuration. */
    public java.util.Map<String, Object> opConfigCache;

    OpIndex opIndex() {
        if (opIndex == null || !java.util.Objects.equals(opIndex.id, id)
            || !java.util.Objects.equals(opIndex.cloneName, cloneName)) {
            opIndex = new OpIndex(this);
        }
        return opIndex;
    }

    // ---- parameters ----

    /**
     * Instance attributes evaluated for a node (null for no node), cached. Follows {@code pe_rsc_params()} in
     * lib/pengine/complex.c.
     */
    public Map<String, String> params(Node node) {
        String key = node == null ? "" : node.uname;
        if (paramCache == null) {
            paramCache = new java.util.HashMap<>();
        }
        Map<String, String> p = paramCache.get(key);
        if (p == null) {
            p = new LinkedHashMap<>();
            ws.rscAttributes(p, this, node);
            paramCache.put(key, p);
        }
        return p;
    }

    // ---- status helpers (pengine "fns") ----

    /**
     * native_active and the collective variants: active anywhere (all: on every child). Follows {@code
     * native_active()} in lib/pengine/native.c.
     */
    public boolean active(boolean all) {
        if (children.isEmpty()) {
            for (Node n : runningOn) {
                if (n.unclean) {
                    return true;
                } else if (!n.online && is(MANAGED)) {
                    continue;
                }
                return true;
            }
            return false;
        }
        return activeChildren(all);
    }

    /** Follows {@code clone_active()} in lib/pengine/clone.c. */
    protected boolean activeChildren(boolean all) {
        boolean any = false;
        boolean every = true;
        for (Resource c : children) {
            if (c.active(all)) {
                any = true;
            } else {
                every = false;
            }
        }
        if (!any) {
            return false;
        }
        return !all || every;
    }

    /**
     * The role now (current) or next, taking the maximum over children for collective resources. Follows {@code
     * native_resource_state()} in lib/pengine/native.c.
     */
    public Role state(boolean current) {
        if (variant == Variant.PRIMITIVE) {
            return current ? role : nextRole;
        }
        Role r = Role.UNKNOWN;
        for (Resource c : children) {
            Role cr = c.state(current);
            if (cr.gt(r)) {
                r = cr;
            }
        }
        return r;
    }

    /**
     * native_location: where the resource is (current: 1 running, 2 running or pending) or will be (0), adding
     * nodes to {@code list} when given; returns the single node when there is exactly one.
     *
     * <p>Follows {@code native_location()} in lib/pengine/native.c.
     */
    public Node location(List<Node> list, int current) {
        List<Node> result = new ArrayList<>();
        if (!children.isEmpty()) {
            for (Resource c : children) {
                c.location(result, current);
            }
        } else if (current != 0) {
            result.addAll(runningOn);
            if (current == 2 && pendingNode != null && !result.contains(pendingNode)) {
                result.add(pendingNode);
            }
        } else if (allocatedTo != null) {
            result.add(allocatedTo.node);
        }
        Node one = result.size() == 1 ? result.get(0) : null;
        if (list != null) {
            for (Node n : result) {
                if (!list.contains(n)) {
                    list.add(n);
                }
            }
        }
        return one;
    }

    /**
     * Where the resource is "really" active (see {@link #findActiveOn}). Follows {@code pe__current_node()} in
     * include/crm/pengine/internal.h.
     */
    public Node currentNode() {
        return runningOn.isEmpty() ? null : findActiveOn(null);
    }

    /**
     * pe__find_active_on: the node the resource is "really" active on (a partial migration's source, or the first
     * clean node for resources that do not need fencing), counting all and clean nodes.
     *
     * <p>Follows {@code pe__find_active_on()} in lib/pengine/complex.c.
     */
    public Node findActiveOn(int[] counts) {
        Node active = null;
        int countAll = 0;
        int countClean = 0;
        boolean counting = counts != null;
        for (Node node : runningOn) {
            boolean keepLooking = false;
            boolean happy = node.online && !node.unclean;
            countAll++;
            if (happy) {
                countClean++;
            }
            if (counting) {
                keepLooking = true;
            }
            if (partialMigrationSource != null) {
                if (node == partialMigrationSource) {
                    active = node;
                } else {
                    keepLooking = true;
                }
            } else if (!is(NEEDS_FENCING)) {
                if (happy && (active == null || !active.online || active.unclean)) {
                    active = node;
                } else {
                    keepLooking = true;
                }
            }
            if (active == null) {
                active = node;
            }
            if (!keepLooking) {
                break;
            }
        }
        if (counts != null) {
            counts[0] = countAll;
            counts[1] = countClean;
        }
        return active;
    }

    /**
     * find_rsc: this resource or a descendant matching {@code id}. Flags: {@link #FIND_RENAMED} matches the
     * clone_name, {@link #FIND_CLONE} matches the XML id of clone instances, {@link #FIND_ANON} and
     * {@link #FIND_ANY} match base names.
     *
     * <p>Follows {@code native_find_rsc()} in lib/pengine/native.c.
     */
    public Resource findRsc(String rid, Node onNode, int findFlags) {
        boolean match = false;
        if ((findFlags & FIND_CLONE) != 0) {
            if (!top().isClone()) {
                match = false;
            } else if (rid.equals(id) || rid.equals(xmlId())) {
                match = true;
            }
        } else if (rid.equals(id)) {
            match = true;
        } else if ((findFlags & FIND_RENAMED) != 0 && cloneName != null && cloneName.equals(rid)) {
            match = true;
        } else if ((findFlags & FIND_ANY) != 0 || ((findFlags & FIND_ANON) != 0 && !is(UNIQUE))) {
            match = baseNameEquals(rid);
        }
        if (match && onNode != null) {
            match = isOnNode(onNode, findFlags);
        }
        if (match) {
            return this;
        }
        for (Resource c : children) {
            Resource r = c.findRsc(rid, onNode, findFlags);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    public static final int FIND_ANON = 0x1;
    public static final int FIND_CLONE = 0x2;
    public static final int FIND_CURRENT = 0x4;
    public static final int FIND_INACTIVE = 0x8;
    public static final int FIND_ANY = 0x10;
    public static final int FIND_RENAMED = 0x20;

    /** Follows {@code rsc_is_on_node()} in lib/pengine/native.c. */
    private boolean isOnNode(Node node, int f) {
        if ((f & FIND_CURRENT) != 0 && !runningOn.isEmpty()) {
            return runningOn.contains(node);
        } else if ((f & FIND_INACTIVE) != 0 && runningOn.isEmpty()) {
            return true;
        } else if ((f & FIND_CURRENT) == 0 && allocatedTo != null && allocatedTo.node == node) {
            return true;
        }
        return false;
    }

    private boolean baseNameEquals(String rid) {
        return rid.equals(WorkingSet.cloneStrip(id));
    }

    // ---- scheduling methods (overridden per variant) ----

    public abstract NodeScore assign(Node prefer);

    public abstract void createActions();

    /** Follows {@code pcmk__probe_rsc_on_node()} in lib/pacemaker/pcmk_sched_probes.c. */
    public boolean createProbe(Node node) {
        return ws.probes.probeRscOnNode(this, node);
    }

    public abstract void internalConstraints();

    public abstract void applyColocScore(Resource dependent, Resource primary, Colocation colocation,
                                         boolean forDependent);

    /** Follows {@code pcmk__colocated_resources()} in lib/pacemaker/pcmk_sched_resource.c. */
    public List<Resource> colocatedResources(Resource orig, List<Resource> acc) {
        return ws.colocations.colocatedResources(this, orig, acc);
    }

    /** Follows {@code pcmk__apply_location()} in lib/pacemaker/pcmk_sched_location.c. */
    public void applyLocation(Location location) {
        ws.locations.applyLocation(this, location);
    }

    public abstract int actionFlags(Action action, Node node);

    /** Follows {@code pcmk__update_ordered_actions()} in lib/pacemaker/pcmk_sched_actions.c. */
    public int updateOrderedActions(Action first, Action then, Node node, int flags, int filter, int type) {
        return ws.orderings.updateOrderedActions(first, then, node, flags, filter, type);
    }

    /** Follows {@code pcmk__output_resource_actions()} in lib/pacemaker/pcmk_sched_resource.c. */
    public void outputActions(Output out) {
        if (!children.isEmpty()) {
            for (Resource c : children) {
                c.outputActions(out);
            }
        }
    }

    public abstract void addUtilization(Resource orig, List<Resource> all, Map<String, Integer> utilization);

    public abstract void shutdownLock();

    @Override
    public String toString() {
        return id;
    }
}
