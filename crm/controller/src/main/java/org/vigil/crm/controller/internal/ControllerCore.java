package org.vigil.crm.controller.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.GraphSettings;
import org.vigil.crm.api.ResourceRef;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.exec.CrmdMessages;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.Executor;

/**
 * One node's controller (Pacemaker's {@code pacemaker-controld}): the DC election and join over the CPG group
 * {@value CrmdMessages#GROUP}, and on the DC the scheduler runs and the execution of their transitions; on every
 * node, the operations the DC sends go to the node's {@link Executor}.
 *
 * <p>A pure state machine in the manner of the ring's engine: every input is a method call on one thread
 * (membership, quorum, messages, CIB changes, timers), every effect goes through {@link Env}. What it decides:
 * <ul>
 * <li><b>Election.</b> After every membership change of the group the lowest member starts a round; every member
 * answers with its node's Vigil release, its feature set, the time its node started and its name; once every
 * member has answered, all know the DC: the node of the oldest release (docs/design/versioning.md: during a
 * rolling upgrade the DC never plans with a feature a member lacks, and moves once, when the last old node goes),
 * then by Pacemaker's order ({@code election.c}: the higher feature set wins, then the node that has run longer,
 * then the alphabetically smaller name). CPG's agreed order makes every member decide the same, with no timer:
 * Pacemaker's {@code dc-deadtime} wait is not needed where the ring tells who is there.</li>
 * <li><b>Join</b> ({@code controld_join_dc.c}). The DC asks the nodes that have not joined it to publish their
 * operation history; each node's executor writes it over its node's {@code lrm} and the node confirms with the CIB
 * version that holds it. Then the DC writes every node's {@code node_state} ({@code in_ccm}, {@code crmd},
 * {@code join}, {@code expected}), {@code dc-uuid} and {@code have-quorum} ({@code populate_cib_nodes}), and
 * schedules once its CIB copy holds every confirmed history.</li>
 * <li><b>Scheduling</b> ({@code controld_schedulerd.c}). On every relevant change, coalesced: one scheduler run
 * on the current snapshot once the thread is free, never before the CIB holds what the DC waits for.</li>
 * <li><b>Transitions</b> ({@code controld_te_*.c}, {@link Graph}). Actions fire as their inputs complete within the
 * limits; resource actions go to the target node, pseudo actions confirm at once; results are confirmed from the
 * CIB ({@link #cibChanged}, {@code te_update_diff_v2}) or, for results that are not recorded, from the node's
 * direct acknowledgement; each action has a backstop timer of its timeout plus {@code cluster-delay}; an
 * unexpected change aborts the transition, which lets its actions in flight finish and is replaced.</li>
 * </ul>
 */
final class ControllerCore {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.CRMD");

    /** The CRM feature set this controller speaks (Pacemaker 2.1.5's). */
    static final String FEATURE_SET = "3.16.1";
    /** How long the DC waits for the nodes to confirm a join ({@code join-integration-timeout}'s role). */
    static final long JOIN_TIMEOUT_MS = 60_000;
    /** How often a scheduler run that must wait (CIB syncing, a history not yet here) looks again. */
    static final long RETRY_MS = 20;
    /** Between attempts to publish this node's history for a join when one failed. */
    static final long PUBLISH_RETRY_MS = 250;
    /** How long the DC waits before it schedules again after the scheduler failed. */
    static final long SCHEDULER_RETRY_MS = 2_000;
    /** How soon a DC without a scheduler service (starting, or the scheduler being upgraded) looks again. */
    static final long NO_SCHEDULER_RETRY_MS = 200;

    /** {@link Env#schedule} when no scheduler service runs on this node (yet). */
    static final class NoScheduler extends IllegalStateException {
        NoScheduler() {
            super("no scheduler is running on this node");
        }
    }
    /**
     * How long a node whose controller left for an upgrade keeps its place (online, joined, its resources where
     * they are) before it counts as failed.
     */
    static final long UPGRADE_GRACE_MS = 60_000;
    /** How many times fencing of one node is tried before the DC gives up ({@code stonith-max-attempts}). */
    static final int STONITH_MAX_ATTEMPTS = 10;

    /** What the controller does to the world. Every call is made on the controller's thread. */
    interface Env {
        /** Multicasts a message to the group (delivered to every member, this one included, in agreed order). */
        void send(XmlNode message);

        CibSnapshot cib();

        boolean cibSyncing();

        CompletionStage<CibSnapshot> cibUpdate(CibRequest request);

        /**
         * Runs the scheduler.
         *
         * @throws IllegalStateException when no scheduler is available
         */
        Transition schedule(CibSnapshot cib, int transitionId, String teUuid);

        /** This node's executor, or null while there is none. */
        Executor executor();

        /** Runs {@code task} on the controller's thread after {@code delayMs}. */
        Timer timer(long delayMs, Runnable task);

        /** Wall clock, milliseconds since the epoch. */
        long now();

        /** The name of a node in the configuration's node list, or null. */
        String configuredName(int nodeId);

        /** The node ids of the configuration's node list. */
        List<Integer> configuredNodes();

        /** Records a step on the timeline (and logs it). */
        void event(String kind, String text);

        /**
         * Asks the cluster's fencer to fence {@code target} ({@code reboot}, {@code off} or {@code on}); the stage
         * completes on the controller's thread, never exceptionally. Null when no fencer runs on this node.
         */
        default CompletionStage<org.vigil.crm.api.fencer.FenceEvent> fence(String target,
                                                                           org.vigil.crm.api.fencer.FenceAction action,
                                                                           String client) {
            return null;
        }

        /** The fencing history this node's fencer has (synced from its peers when it joined), or empty. */
        default List<org.vigil.crm.api.fencer.FenceEvent> fenceHistory() {
            return List.of();
        }

        /**
         * A transition ended, {@code millis} after it began, having run {@code actions} actions: {@code aborted}
         * when it stopped early to be planned again (counted for upgrade reports and metrics).
         */
        default void transitionEnded(boolean aborted, long millis, int actions) {
        }

        /** This node's timeline, oldest first. */
        default List<org.vigil.crm.api.controller.TimelineEvent> timeline() {
            return List.of();
        }
    }

    /** A pending timer. */
    interface Timer {
        void cancel();
    }

    /** One member's answer in an election round. */
    record Hello(int nodeId, String release, String featureSet, long startedAt, String name) {
    }

    /** Pacemaker's election order: the best candidate first ({@code election.c}: {@code election_count_vote}). */
    static final Comparator<Hello> ELECTION_ORDER = Comparator
        .comparing(Hello::release, ControllerCore::compareVersions)
        .thenComparing(Comparator.comparing(Hello::featureSet, ControllerCore::compareVersions).reversed())
        .thenComparingLong(Hello::startedAt)
        .thenComparing(Hello::name, String.CASE_INSENSITIVE_ORDER)
        .thenComparingInt(Hello::nodeId);

    /** {@code compare_version()}: dotted numbers compared field by field. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? parse(x[i]) : 0;
            long q = i < y.length ? parse(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private final int self;
    private final String selfName;
    private final long startedAt;
    private final Env env;
    private final int nodeActionLimit;

    // ---- every node ----
    private SortedSet<Integer> group = new TreeSet<>();
    private SortedSet<Integer> ring = new TreeSet<>();
    private boolean quorate;
    private long roundSeq;
    private String round;
    private final Map<Integer, Hello> hellos = new HashMap<>();
    private final Map<Integer, String> names = new HashMap<>();
    private Integer dc;
    /** Requests that arrived while this node had no executor. */
    private final List<XmlNode> waitingForExecutor = new ArrayList<>();
    private XmlNode waitingJoin;
    /** A join whose history waits for the CIB's sync to end ({@link #publishAndConfirm}). */
    private XmlNode syncWaitJoin;

    // ---- the DC ----
    private String teUuid;
    private int joinId;
    private final Set<Integer> joinWaiting = new HashSet<>();
    private final Set<Integer> joined = new HashSet<>();
    private boolean settled;
    private Timer joinTimer;
    private int transitionCounter;
    private Graph graph;
    /** When the current graph began (env time, ms). */
    private long graphStartedAt;
    private boolean pcalcQueued;
    private Timer pcalcTimer;
    private Timer recheckTimer;
    private CibVersion waitFor;
    private final Map<Integer, Timer> actionTimers = new HashMap<>();
    private final Map<String, Integer> fenceFailures = new HashMap<>();
    private boolean nodeStateDirty;
    private boolean nodeStateWriting;
    /** Nodes the DC let go at their request (do_shutdown): expected down, until they join again. */
    private final Set<Integer> expectedDown = new HashSet<>();
    /** On this node: completes when the DC lets this node go after stopping its resources. */
    private java.util.concurrent.CompletableFuture<Void> shutdownDone;
    /** Nodes whose controller said it leaves for an upgrade, with when; kept while it is away (every node knows). */
    private final Map<Integer, Long> upgrading = new HashMap<>();

    /** This node's Vigil release ({@code major.minor}, from the ring), announced in election rounds. */
    private String release = "0";

    /** Sets the release this controller announces in election rounds (before it starts). */
    void setRelease(String release) {
        this.release = release;
    }

    ControllerCore(int self, String selfName, long startedAt, Env env, int nodeActionLimit) {
        this.self = self;
        this.selfName = selfName;
        this.startedAt = startedAt;
        this.env = env;
        this.nodeActionLimit = nodeActionLimit;
        names.put(self, selfName);
    }

    // ---- queries ----------------------------------------------------------------------------------------------

    /** The DC's node id, or null while there is none (an election is under way). */
    Integer dc() {
        return dc;
    }

    boolean isDc() {
        return dc != null && dc == self;
    }

    /** The DC's name, or null. */
    String dcName() {
        return dc == null ? null : nameOf(dc);
    }

    /**
     * On the DC: whether the join is done, the node states are written and no transition is in flight or waiting to
     * be computed.
     */
    boolean idle() {
        return isDc() && settled && !pcalcQueued && !nodeStateWriting && (graph == null || graph.complete());
    }

    Graph graph() {
        return graph;
    }

    /** On the DC: whether the first join of its term is done. */
    boolean joinSettled() {
        return settled;
    }

    /**
     * Whether this node has joined the current DC since it started: the DC's join is done (on the DC), or this node
     * confirmed the DC's last join request to it. A node started moments ago may read a CIB that still shows its
     * previous life as joined (the DC has not seen it leave yet): this says what the node itself knows.
     */
    boolean joinedDc() {
        if (dc == null) {
            return false;
        }
        return isDc() ? settled : uuid(dc).equals(confirmedTo);
    }

    /** The DC this node last confirmed a join to (its uuid), or null. */
    private String confirmedTo;

    String teUuid() {
        return teUuid;
    }

    Set<Integer> joined() {
        return Set.copyOf(joined);
    }

    private String nameOf(int nodeId) {
        String n = names.get(nodeId);
        if (n == null) {
            n = env.configuredName(nodeId);
        }
        return n == null ? Integer.toUnsignedString(nodeId) : n;
    }

    private static String uuid(int nodeId) {
        return Integer.toUnsignedString(nodeId);
    }

    // ---- membership -------------------------------------------------------------------------------------------

    /**
     * The group's members changed (CPG configuration change, in agreed order with the messages).
     *
     * @param members node ids with a controller in the group
     */
    void groupChanged(Set<Integer> members) {
        SortedSet<Integer> before = group;
        group = new TreeSet<>(members);
        Set<Integer> left = new TreeSet<>(before);
        left.removeAll(group);
        Set<Integer> arrived = new TreeSet<>(group);
        arrived.removeAll(before);
        hellos.keySet().retainAll(group);
        round = null;
        env.event("membership", "controllers: " + describe(group) + (left.isEmpty() ? "" : ", left " + describe(left))
            + (arrived.isEmpty() ? "" : ", joined " + describe(arrived)));
        electing = true;
        // every controller that arrives joins again and publishes its executor's history, even one back from an
        // upgrade (the same history then): its node may have died and restarted meanwhile (do_dc_join_offer_one)
        joined.removeAll(arrived);
        for (int n : arrived) {
            awayLogged.remove(n);
            if (upgrading.remove(n) != null) {
                env.event("membership", nameOf(n) + "'s controller is back (upgraded)");
            }
        }
        if (dc != null && !group.contains(dc)) {
            env.event("dc", "the DC " + nameOf(dc) + " left; electing");
            dc = null;
        }
        for (int n : left) {
            if (upgrading.containsKey(n)) {
                env.event("membership", nameOf(n) + "'s controller left for an upgrade: its node keeps its place and"
                    + " its resources for up to " + UPGRADE_GRACE_MS + " ms");
                away(n);   // arms the grace timer
            } else if (isDc()) {
                nodeLost(n);
            }
        }
        forgetNodesGone();
        if (!group.isEmpty() && group.first() == self) {
            round = null;
            env.send(message("start", "round", self + ":" + (++roundSeq)));
        }
    }

    /** A controller that left for an upgrade did not come back in time: its node counts as failed. */
    private void upgradeOverdue(int n, long since) {
        if (group.contains(n) || awaySince(n) != since) {
            return;
        }
        upgrading.remove(n);
        env.event("membership", nameOf(n) + "'s controller did not come back within " + UPGRADE_GRACE_MS + " ms");
        if (isDc()) {
            nodeLost(n);
            writeNodeStates();
            requestPcalc("Node failure");
        }
    }

    /** The node_state attribute a controller leaving for an upgrade sets ({@code upgrading:<epoch ms>}). */
    static final String AWAY_ATTRIBUTE = "vigil-controller";

    /**
     * Since when node {@code n}'s controller is away for an upgrade (its {@code leaving} message, or, for a
     * controller that started after it, the mark the leaving one left in the CIB), or -1.
     */
    private long awaySince(int n) {
        Long since = upgrading.get(n);
        if (since != null) {
            return since;
        }
        XmlNode ns = nodeState(n);
        String v = ns == null ? "" : ns.attribute(AWAY_ATTRIBUTE, "");
        return v.startsWith("upgrading:") ? parse(v.substring("upgrading:".length())) : -1;
    }

    /** Node {@code n}'s {@code node_state} in the current CIB, or null. */
    private XmlNode nodeState(int n) {
        XmlNode status = env.cib().status();
        if (status != null) {
            for (XmlNode ns : status.children("node_state")) {
                if (uuid(n).equals(ns.id())) {
                    return ns;
                }
            }
        }
        return null;
    }

    /** Whether {@code ns} holds a transient attribute named {@code name}. */
    private static boolean hasTransientAttribute(XmlNode ns, String name) {
        XmlNode ta = ns.firstChild("transient_attributes");
        if (ta != null) {
            for (XmlNode set : ta.children("instance_attributes")) {
                for (XmlNode nv : set.children("nvpair")) {
                    if (name.equals(nv.attribute("name"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * A node whose controller is away for an upgrade: still in the ring, its controller left saying so, within the
     * grace. It keeps its place (online, a member, its resources) meanwhile.
     */
    private boolean away(int n) {
        if (group.contains(n) || !ring.contains(n)) {
            return false;
        }
        long since = awaySince(n);
        if (since < 0) {
            return false;
        }
        long left = since + UPGRADE_GRACE_MS - env.now();
        if (left <= 0) {
            return false;
        }
        if (awayTimers.add(n)) {
            env.timer(left, () -> {
                awayTimers.remove(n);
                upgradeOverdue(n, since);
            });
        }
        return true;
    }

    private final Set<Integer> awayTimers = new HashSet<>();
    /** From a change of the group's membership until the election round after it is decided. */
    private boolean electing;
    private final Set<Integer> awayLogged = new HashSet<>();

    /** The ring's members changed (the kernel's membership; {@code in_ccm}). */
    void ringChanged(Set<Integer> members) {
        SortedSet<Integer> before = ring;
        ring = new TreeSet<>(members);
        if (!before.equals(ring)) {
            Set<Integer> gone = new TreeSet<>(before);
            gone.removeAll(ring);
            upgrading.keySet().removeAll(gone);   // the whole node left: that is a failure, upgrade or not
        }
        if (isDc() && !before.equals(ring)) {
            Set<Integer> lost = new TreeSet<>(before);
            lost.removeAll(ring);
            for (int n : lost) {
                nodeLost(n);
            }
            writeNodeStates();
            requestPcalc(lost.isEmpty() ? "Node join" : "Node failure");
        }
    }

    /** Quorum changed. */
    void quorumChanged(boolean quorate) {
        boolean was = this.quorate;
        this.quorate = quorate;
        if (was != quorate) {
            env.event("quorum", quorate ? "quorum acquired" : "quorum lost");
            if (isDc()) {
                writeNodeStates();
                requestPcalc(quorate ? "Quorum gained" : "Quorum lost");
            }
        }
    }

    private static String describe(Set<Integer> ids) {
        return ids.toString();
    }

    private static Integer parseNodeId(String id) {
        try {
            return id == null ? null : Integer.parseUnsignedInt(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether the CIB says node {@code n} is expected down (a DC let it go, perhaps the DC before this one). */
    private boolean expectedDownInCib(int n) {
        XmlNode ns = nodeState(n);
        return ns != null && "down".equals(ns.attribute("expected"));
    }

    /**
     * A node that left as asked: its history and attributes go (Pacemaker's controld_delete_node_state after a clean
     * shutdown), so it comes back with nothing, and without its shutdown request.
     */
    private void eraseLeftInOrder(int nodeId) {
        String id = uuid(nodeId);
        for (String part : List.of("lrm", "transient_attributes")) {
            env.cibUpdate(new CibRequest(CibRequest.Op.DELETE, null, "/cib/status/node_state[@id='" + id + "']/"
                + part, null, Set.of(), "crmd", "hacluster")).whenComplete((s, e) -> {
                    if (e != null && !(e instanceof org.vigil.crm.api.cib.CibError ce
                        && ce.exitCode() == org.vigil.crm.api.cib.CibError.NOSUCH)) {
                        LOG.debug("erasing the state of {}: {}", id, e.getMessage());
                    }
                });
        }
    }

    /** A node left: its actions in flight fail ({@code fail_incompletable_actions()}), the graph aborts. */
    private void nodeLost(int nodeId) {
        if (expectedDown.contains(nodeId) || expectedDownInCib(nodeId)) {
            eraseLeftInOrder(nodeId);
        }
        joined.remove(nodeId);
        if (joinWaiting.remove(nodeId) && joinWaiting.isEmpty() && !settled) {
            finishJoin();
        }
        if (graph != null && !graph.complete()) {
            String uuid = uuid(nodeId);
            boolean any = false;
            for (TransitionAction a : graph.pending()) {
                if (uuid.equals(a.nodeUuid()) || (a.routerNode() != null && a.routerNode().equals(nameOf(nodeId)))) {
                    stopTimer(a.id());
                    graph.confirm(a.id(), true);
                    env.event("action", "transition " + graph.id() + " action " + a.id() + " (" + a.key() + " on "
                        + a.node() + "): failed, the node left");
                    any = true;
                }
            }
            graph.abort(Graph.INFINITY, Graph.Next.RESTART, "Node failure");
            if (any) {
                LOG.info("Transition {}: actions on {} failed, the node left", graph.id(), nameOf(nodeId));
            }
        }
        nodeStateDirty = true;
    }

    // ---- messages ---------------------------------------------------------------------------------------------

    static XmlNode message(String op, String... attrs) {
        XmlNode m = XmlNode.of(CrmdMessages.ELEMENT, "op", op);
        for (int i = 0; i < attrs.length; i += 2) {
            m = m.with(attrs[i], attrs[i + 1]);
        }
        return m;
    }

    /** A message of the group, from a controller on node {@code from}. */
    void delivered(int from, XmlNode m) {
        String op = m.attribute("op", "");
        switch (op) {
            case "start" -> onStart(m.attribute("round"));
            case "hello" -> onHello(from, m);
            case "join" -> onJoin(from, m);
            case "join-confirm" -> onJoinConfirm(from, m);
            case "execute" -> {
                if (uuid(self).equals(m.attribute("node"))) {
                    onExecute(from, m);
                }
            }
            case "delete" -> {
                if (uuid(self).equals(m.attribute("node"))) {
                    onDelete(from, m);
                }
            }
            case "timeline-req" -> {
                if (isDc() && uuid(self).equals(m.attribute("dc"))) {
                    sendTimeline(m);
                }
            }
            case "timeline" -> onTimeline(m);
            case "shutdown" -> {
                if (uuid(self).equals(m.attribute("node")) && shutdownDone != null) {
                    env.event("shutdown", "the DC " + nameOf(from) + " lets this node go: its resources are stopped");
                    shutdownDone.complete(null);
                }
            }
            case "leaving" -> {
                if ("upgrade".equals(m.attribute("reason"))) {
                    upgrading.put(from, parse(m.attribute("since", Long.toString(env.now()))));
                }
            }
            case "forget" -> onForget(from, m);
            case "forgotten" -> onForgotten(from, m);
            case "ack" -> {
                if (isDc() && uuid(self).equals(m.attribute("dc"))) {
                    onAck(from, m);
                }
            }
            default -> LOG.debug("controller: ignored a message '{}' from node {}", op, from);
        }
    }

    private void onStart(String r) {
        if (r == null) {
            return;
        }
        round = r;
        hellos.clear();
        env.send(message("hello", "round", r, "release", release, "feature-set", FEATURE_SET, "started",
            Long.toString(startedAt), "name", selfName));
    }

    private void onHello(int from, XmlNode m) {
        String r = m.attribute("round");
        String name = m.attribute("name");
        if (name != null) {
            names.put(from, name);
        }
        if (r == null || !r.equals(round) || !group.contains(from)) {
            return;
        }
        // (a hello without a release comes from a controller before releases: counted as the oldest)
        hellos.put(from, new Hello(from, m.attribute("release", "0"), m.attribute("feature-set", "0"),
            parse(m.attribute("started", "0")),
            name == null ? uuid(from) : name));
        if (hellos.keySet().containsAll(group)) {
            decide();
        }
    }

    /** Every member answered the round: the best one is the DC ({@code do_election_count_vote()}'s outcome). */
    private void decide() {
        Hello best = hellos.values().stream().min(ELECTION_ORDER).orElseThrow();
        round = null;
        electing = false;
        Integer before = dc;
        dc = best.nodeId();
        if (before == null || before != dc) {
            env.event("dc", "DC is " + best.name() + " (" + best.nodeId() + "), elected by " + hellos.size()
                + " controllers");
        }
        if (dc == self) {
            if (before == null || before != self) {
                takeOver();
            }
            Set<Integer> ask = new TreeSet<>(group);
            ask.removeAll(joined);
            ask.removeIf(this::heldOut);
            if (!ask.isEmpty() || !settled) {
                startJoin(ask);
            } else {
                writeNodeStates();
                requestPcalc("Node join");
            }
        } else if (before != null && before == self) {
            release();
        }
    }

    /** This node became the DC ({@code do_dc_takeover()}): a new transition engine. */
    private void takeOver() {
        teUuid = UUID.randomUUID().toString();
        joined.clear();
        joinWaiting.clear();
        settled = false;
        graph = null;
        waitFor = null;
        fenceFailures.clear();
        // a DC that started after some of the fencings still counts them for the fence-loop guard
        for (org.vigil.crm.api.fencer.FenceEvent ev : env.fenceHistory()) {
            countFencing(ev);
        }
        LOG.info("taking over as DC (transition engine {})", teUuid);
    }

    /** This node is no longer the DC ({@code do_dc_release()}): stop the transition, forget the DC state. */
    private void release() {
        env.event("dc", "released the DC role");
        for (Timer t : actionTimers.values()) {
            t.cancel();
        }
        actionTimers.clear();
        cancel(joinTimer);
        cancel(pcalcTimer);
        cancel(recheckTimer);
        joinTimer = pcalcTimer = recheckTimer = null;
        pcalcQueued = false;
        graph = null;
        settled = false;
        joined.clear();
        joinWaiting.clear();
        teUuid = null;
    }

    private static void cancel(Timer t) {
        if (t != null) {
            t.cancel();
        }
    }

    private void startJoin(Set<Integer> nodes) {
        joinId++;
        joinWaiting.clear();
        joinWaiting.addAll(nodes);
        StringBuilder list = new StringBuilder();
        for (int n : nodes) {
            list.append(list.length() == 0 ? "" : " ").append(uuid(n));
        }
        env.event("join", "join " + joinId + ": asking " + nodes.size() + " nodes for their history");
        if (graph != null && !graph.complete()) {
            graph.abort(Graph.INFINITY, Graph.Next.RESTART, "Node join");
        }
        env.send(message("join", "dc", uuid(self), "join-id", Integer.toString(joinId), "nodes", list.toString()));
        cancel(joinTimer);
        int id = joinId;
        joinTimer = env.timer(JOIN_TIMEOUT_MS, () -> {
            if (isDc() && joinId == id && !joinWaiting.isEmpty()) {
                LOG.warn("join {}: no confirmation from {} within {} ms; going on without them", id, joinWaiting,
                    JOIN_TIMEOUT_MS);
                joinWaiting.clear();
                finishJoin();
            }
        });
    }

    /** A node is asked to join: its executor publishes the history, then the node confirms. */
    private void onJoin(int from, XmlNode m) {
        if (dc == null || from != dc) {
            return;
        }
        boolean asked = false;
        for (String n : m.attribute("nodes", "").split(" ")) {
            asked |= n.equals(uuid(self));
        }
        if (!asked) {
            return;
        }
        lastJoin = m;
        Executor ex = env.executor();
        if (ex == null) {
            waitingJoin = m;
            LOG.info("join {}: waiting for this node's executor", m.attribute("join-id"));
            return;
        }
        publishAndConfirm(ex, m);
    }

    /** The last join request from the DC that asked this node (a failed publish is retried while it is current). */
    private XmlNode lastJoin;

    private void publishAndConfirm(Executor ex, XmlNode join) {
        syncWaitJoin = null;
        if (env.cibSyncing()) {
            // The history goes out as a patch of this node's copy. Computed on a copy that the sync is about to
            // replace (a node that ran alone, even for a second, before it met the others), the patch would not
            // remove what the cluster's copy still holds of this node's previous life (a started resource, its
            // monitor), and the DC would take that for the truth: publish once the copy is the cluster's.
            syncWaitJoin = join;
            env.timer(RETRY_MS, () -> {
                if (syncWaitJoin != join) {
                    return;
                }
                syncWaitJoin = null;
                Executor now = env.executor();
                if (dc == null || !uuid(dc).equals(join.attribute("dc"))) {
                    return;
                }
                if (now == null) {
                    waitingJoin = join;
                } else {
                    publishAndConfirm(now, join);
                }
            });
            return;
        }
        String joinIdText = join.attribute("join-id");
        String dcUuid = join.attribute("dc");
        ex.publish().whenComplete((version, e) -> {
            if (e != null) {
                // the copy may have changed under it (a sync that just replaced it): again while this join holds,
                // else the DC would wait for this node until its join times out and leave it pending
                LOG.warn("join {}: publishing this node's history failed: {}; trying again", joinIdText,
                    e.getMessage());
                env.timer(PUBLISH_RETRY_MS, () -> {
                    Executor now = env.executor();
                    if (lastJoin == join && now != null && dc != null && uuid(dc).equals(dcUuid)) {
                        publishAndConfirm(now, join);
                    }
                });
                return;
            }
            confirmedTo = dcUuid;
            env.send(message("join-confirm", "dc", dcUuid, "join-id", joinIdText, "node", uuid(self),
                "cib-version", version == null ? null : version.toString()));
        });
    }

    private void onJoinConfirm(int from, XmlNode m) {
        if (!isDc() || !uuid(self).equals(m.attribute("dc"))
            || !Integer.toString(joinId).equals(m.attribute("join-id"))) {
            return;
        }
        if (heldOut(from)) {
            return;   // kept out after a fence loop: never a member until an admin clears it
        }
        waitForVersion(m.attribute("cib-version"));
        joined.add(from);
        expectedDown.remove(from);
        if (joinWaiting.remove(from) && joinWaiting.isEmpty()) {
            finishJoin();
        }
    }

    private void waitForVersion(String text) {
        CibVersion v = parseVersion(text);
        if (v != null && (waitFor == null || v.compareTo(waitFor) > 0)) {
            waitFor = v;
        }
    }

    static CibVersion parseVersion(String text) {
        if (text == null) {
            return null;
        }
        String[] p = text.split("\\.");
        if (p.length != 3) {
            return null;
        }
        try {
            return new CibVersion(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Every node asked has confirmed (or the join timed out): write the node states, then schedule. */
    private void finishJoin() {
        cancel(joinTimer);
        joinTimer = null;
        boolean first = !settled;
        settled = true;
        env.event("join", "join " + joinId + " complete: " + joined.size() + " nodes joined");
        // a node the DC before this one let go (the old DC itself, when it stopped in order) left while no DC
        // was there to erase what it leaves behind
        XmlNode st = env.cib().status();
        if (st != null) {
            for (XmlNode ns : st.children("node_state")) {
                Integer n = parseNodeId(ns.id());
                if (n != null && !ring.contains(n) && "down".equals(ns.attribute("expected"))
                    && (ns.firstChild("lrm") != null || ns.firstChild("transient_attributes") != null)) {
                    eraseLeftInOrder(n);
                }
            }
        }
        writeNodeStates();
        requestPcalc(first ? "DC takeover" : "Node join");
    }

    // ---- node states ------------------------------------------------------------------------------------------

    /**
     * Writes every known node's {@code node_state} ({@code create_node_state_update()}), the node entries of the
     * configuration that are missing, and the DC's root attributes, as {@code populate_cib_nodes()} does at the end
     * of a join. Only one write at a time; a change meanwhile writes again.
     */
    private void writeNodeStates() {
        if (!isDc() || !settled) {
            return;
        }
        if (nodeStateWriting) {
            nodeStateDirty = true;
            return;
        }
        nodeStateDirty = false;
        CibSnapshot cib = env.cib();
        Set<Integer> known = new TreeSet<>(env.configuredNodes());
        known.addAll(group);
        known.addAll(ring);
        known.addAll(joined);
        XmlNode status = XmlNode.of("status");
        for (int n : known) {
            boolean inCcm = ring.contains(n) || group.contains(n);
            // a node whose controller is away for an upgrade stays as it was: online, a member
            boolean member = joined.contains(n) || away(n);
            boolean online = group.contains(n) || away(n);
            String join = member ? "member" : online ? "pending" : "down";
            XmlNode ns = XmlNode.of("node_state", "id", uuid(n), "uname", nameOf(n), "in_ccm",
                Boolean.toString(inCcm), "crmd", online ? "online" : "offline", "crm-debug-origin",
                "populate_cib_nodes", "join", join);
            if (expectedDown.contains(n)) {
                ns = ns.with("expected", "down");
            } else if (member) {
                ns = ns.with("expected", "member");
            }
            status = status.plusChild(ns);
        }
        XmlNode root = XmlNode.of("cib", "dc-uuid", uuid(self), "have-quorum", quorate ? "1" : "0");
        XmlNode nodes = cib.configuration() == null ? null : cib.configuration().firstChild("nodes");
        Set<String> present = new HashSet<>();
        if (nodes != null) {
            for (XmlNode n : nodes.children("node")) {
                present.add(n.id());
            }
        }
        XmlNode missing = XmlNode.of("nodes");
        for (int n : known) {
            if (joined.contains(n) && !present.contains(uuid(n))) {
                missing = missing.plusChild(XmlNode.of("node", "id", uuid(n), "uname", nameOf(n)));
            }
        }
        if (!missing.children().isEmpty()) {
            root = root.plusChild(XmlNode.of("configuration").plusChild(missing));
        }
        root = root.plusChild(status);
        nodeStateWriting = true;
        env.cibUpdate(new CibRequest(CibRequest.Op.MODIFY, null, null, root, Set.of(CibRequest.Flag.CAN_CREATE),
            "crmd", "hacluster")).whenComplete((s, e) -> {
                nodeStateWriting = false;
                if (e != null) {
                    LOG.warn("writing the node states failed: {}", e.getMessage());
                } else {
                    waitForVersion(s.version().toString());
                }
                if (nodeStateDirty) {
                    writeNodeStates();
                } else {
                    runWaitingPcalcNow();
                }
            });
    }

    // ---- scheduling -------------------------------------------------------------------------------------------

    /**
     * Something the scheduler depends on changed. On the DC: the transition in flight is aborted (it completes when
     * its running actions end) and a new scheduler run follows; with nothing in flight the run is queued at once.
     * Several requests before the run make one run.
     */
    void requestPcalc(String reason) {
        if (!isDc() || !settled) {
            return;
        }
        if (graph != null && !graph.complete()) {
            if (graph.abort(Graph.INFINITY, Graph.Next.RESTART, reason)) {
                LOG.info("Transition {} aborted: {}", graph.id(), reason);
            }
            checkGraph();
            return;
        }
        queuePcalc(0, reason);
    }

    private void queuePcalc(long delayMs, String reason) {
        if (pcalcQueued) {
            return;
        }
        pcalcQueued = true;
        LOG.debug("scheduler run queued: {}", reason);
        pcalcTimer = env.timer(delayMs, this::runPcalc);
    }

    /**
     * A scheduler run that waits (for the node states, mostly: a node was lost) goes now rather than at its next
     * look {@link #RETRY_MS} later: that wait was in every failover.
     */
    private void runWaitingPcalcNow() {
        if (pcalcQueued && pcalcTimer != null) {
            pcalcTimer.cancel();
            pcalcTimer = env.timer(0, this::runPcalc);
        }
    }

    private void runPcalc() {
        pcalcTimer = null;
        if (!pcalcQueued || !isDc()) {
            pcalcQueued = false;
            return;
        }
        boolean someoneAway = false;
        for (int n : ring) {
            if (away(n)) {
                someoneAway = true;
                if (awayLogged.add(n)) {
                    env.event("transition", "no scheduling while " + nameOf(n) + "'s controller is away for an upgrade");
                }
            }
        }
        // no plan while a controller is away for an upgrade: its node's actions would wait for nobody
        // nor while the group's membership settles (an election, a join): a node not yet joined would count as
        // offline, its resources as stopped (Pacemaker plans only once the join is finalized, S_POLICY_ENGINE)
        if (someoneAway || electing || !joinWaiting.isEmpty() || env.cibSyncing() || nodeStateWriting || fenceWrites > 0
            || (waitFor != null && env.cib().version().compareTo(waitFor) < 0)) {
            pcalcTimer = env.timer(RETRY_MS, this::runPcalc);
            return;
        }
        if (graph != null && !graph.complete()) {
            pcalcQueued = false;
            return;   // a transition started meanwhile; its completion schedules again
        }
        pcalcQueued = false;
        CibSnapshot snapshot = env.cib();
        XmlNode root = snapshot.root().with("dc-uuid", uuid(self)).with("have-quorum", quorate ? "1" : "0");
        CibSnapshot input = root == snapshot.root() ? snapshot : new CibSnapshot(root);
        Transition t;
        int id = transitionCounter++;
        try {
            t = env.schedule(input, id, teUuid);
        } catch (NoScheduler e) {
            // a node starting (its scheduler bundle not up yet) or the scheduler being upgraded: not a failure
            LOG.info("no scheduler is running on this node yet; scheduling in {} ms", NO_SCHEDULER_RETRY_MS);
            queuePcalc(NO_SCHEDULER_RETRY_MS, "waiting for the scheduler");
            return;
        } catch (RuntimeException e) {
            LOG.error("the scheduler failed on CIB {}: {}", snapshot.version(), e.toString(), e);
            env.event("transition", "the scheduler failed: " + e.getMessage() + "; trying again in "
                + SCHEDULER_RETRY_MS + " ms");
            queuePcalc(SCHEDULER_RETRY_MS, "scheduler retry");
            return;
        }
        cancel(recheckTimer);
        recheckTimer = null;
        graph = new Graph(t, nodeActionLimit);
        graphStartedAt = env.now();
        env.event("transition", "transition " + id + " (CIB " + snapshot.version() + "): " + t.actions().size()
            + " actions" + (t.summary().isEmpty() ? "" : ": " + String.join("; ", t.summary())));
        checkGraph();
    }

    /** Fires what can fire; when nothing is left in flight, ends the graph. */
    private void checkGraph() {
        if (graph == null || graph.complete()) {
            return;
        }
        boolean fired = true;
        while (fired) {
            fired = false;
            for (TransitionAction a : graph.fire(env.now())) {
                fired = true;
                initiate(a);
            }
        }
        Graph.Status s = graph.status();
        if (s == Graph.Status.PENDING) {
            return;
        }
        Graph done = graph;
        env.event("transition", "transition " + done.id() + " " + (done.next() == Graph.Next.RESTART ? "stopped ("
            + done.abortReason() + ")" : s == Graph.Status.TERMINATED ? "terminated" : "complete") + ": "
            + done.summary());
        env.transitionEnded(done.next() == Graph.Next.RESTART, env.now() - graphStartedAt, done.confirmed());
        for (Timer t : actionTimers.values()) {
            t.cancel();
        }
        actionTimers.clear();
        if (done.next() == Graph.Next.RESTART) {
            // an aborted transition is planned again after transition-delay (default 0), as the TE's
            // transition_timer does, so that more events can arrive first
            queuePcalc(transitionDelay(env.cib()), done.abortReason());
        } else {
            armRecheck(done.transition().settings());
        }
    }

    /** Idle: schedule again at {@code cluster-recheck-interval}, or earlier when the graph asks to. */
    private void armRecheck(GraphSettings settings) {
        long interval = recheckInterval(env.cib());
        if (settings.recheckBy().isPresent()) {
            long by = settings.recheckBy().getAsLong() * 1000 - env.now();
            interval = interval <= 0 ? Math.max(0, by) : Math.min(interval, Math.max(0, by));
        }
        if (interval > 0) {
            recheckTimer = env.timer(interval, () -> {
                recheckTimer = null;
                requestPcalc("Cluster recheck");
            });
        }
    }

    /** {@code cluster-recheck-interval} in ms (default 15 minutes; 0 disables it). */
    static long recheckInterval(CibSnapshot cib) {
        String v = clusterOption(cib, "cluster-recheck-interval");
        if (v == null) {
            return 15 * 60_000L;
        }
        long ms = Durations.parseMs(v);
        return ms < 0 ? 15 * 60_000L : ms;
    }

    /** The cluster option {@code transition-delay} in ms (default 0; an invalid value counts as 0). */
    static long transitionDelay(CibSnapshot cib) {
        String v = clusterOption(cib, "transition-delay");
        long ms = v == null ? 0 : Durations.parseMs(v);
        return Math.max(0, ms);
    }

    static String clusterOption(CibSnapshot cib, String name) {
        XmlNode conf = cib.configuration();
        XmlNode crm = conf == null ? null : conf.firstChild("crm_config");
        if (crm == null) {
            return null;
        }
        for (XmlNode set : crm.children("cluster_property_set")) {
            for (XmlNode nv : set.children("nvpair")) {
                if (name.equals(nv.attribute("name"))) {
                    return nv.attribute("value");
                }
            }
        }
        return null;
    }

    // ---- executing actions (the DC) ---------------------------------------------------------------------------

    /** Starts one action ({@code execute_rsc_action}, {@code execute_pseudo_action}, {@code execute_cluster_action}). */
    private void initiate(TransitionAction a) {
        switch (a.kind()) {
            case PSEUDO -> {
                graph.confirm(a.id(), false);
            }
            case RESOURCE -> sendResourceAction(a);
            case FENCE -> fence(a);
            case CLUSTER -> clusterAction(a);
        }
    }

    /** Whether the node that runs an action (its router for a remote node) has a controller in the group. */
    private boolean nodeUp(TransitionAction a) {
        if (a.routerNode() != null) {
            return nodeIdOf(a.routerNode()) >= 0;
        }
        for (int n : group) {
            if (uuid(n).equals(a.nodeUuid()) || nameOf(n).equals(a.node())) {
                return true;
            }
        }
        return false;
    }

    private int nodeIdOf(String name) {
        for (int n : group) {
            if (nameOf(n).equals(name)) {
                return n;
            }
        }
        return -1;
    }

    private void sendResourceAction(TransitionAction a) {
        ResourceRef r = a.resource();
        if (r == null) {
            failAction(a, "an operation without a resource");
            return;
        }
        if (!nodeUp(a)) {
            failAction(a, "the node " + a.node() + " is not running a controller");
            return;
        }
        String targetUuid = a.routerNode() != null ? uuid(nodeIdOf(a.routerNode())) : a.nodeUuid();
        ExecRequest req = new ExecRequest(a.id(), a.task(), a.key(), a.node(), a.nodeUuid(), r.id(), r.longId(),
            r.agentClass(), r.provider(), r.type(), a.attributes(), a.targetRc(), a.transitionKey());
        env.send(message("execute", "node", targetUuid, "dc", uuid(self)).plusChild(req.toXml()));
        env.event("action", "transition " + graph.id() + " action " + a.id() + ": " + a.key() + " on " + a.node()
            + " started");
        if ("true".equals(a.meta("op_no_wait"))) {
            graph.confirm(a.id(), false);
            return;
        }
        long timeout = a.timeoutMs() + a.startDelayMs();
        long backstop = (timeout > 0 ? timeout : 20_000) + graph.transition().settings().clusterDelayMs();
        Graph g = graph;
        actionTimers.put(a.id(), env.timer(backstop, () -> actionTimedOut(g, a, backstop)));
    }

    /** The backstop timer fired ({@code action_timer_callback()}): the action failed, the graph aborts. */
    private void actionTimedOut(Graph g, TransitionAction a, long backstop) {
        actionTimers.remove(a.id());
        if (g != graph || !g.inFlight(a.id())) {
            return;
        }
        LOG.error("node {} did not send the result of {} (action {}) within {} ms (action timeout plus "
            + "cluster-delay)", a.node(), a.key(), a.id(), backstop);
        env.event("action", "transition " + g.id() + " action " + a.id() + ": " + a.key() + " on " + a.node()
            + " lost (no result within " + backstop + " ms)");
        if (a.kind() == TransitionAction.Kind.RESOURCE && a.resource() != null && a.intervalMs() == 0) {
            recordTimeout(a, backstop);
        }
        g.confirm(a.id(), true);
        g.abort(Graph.INFINITY, Graph.Next.RESTART, "Action lost");
        checkGraph();
    }

    /** Records a lost action as timed out in the target's history ({@code controld_record_action_timeout()}). */
    private void recordTimeout(TransitionAction a, long backstop) {
        ResourceRef r = a.resource();
        String key = a.transitionKey();
        ExecRequest req = new ExecRequest(a.id(), a.task(), a.key(), a.node(), a.nodeUuid(), r.id(), r.longId(),
            r.agentClass(), r.provider(), r.type(), a.attributes(), a.targetRc(), key);
        // synthesize_timeout_event(): unknown error, op-status timeout, call-id -1; recorded as a failed result is
        // (pcmk__create_history_xml: the operation's own entry, unless recurring, and last_failure)
        XmlNode lrmResource = XmlNode.of("lrm_resource", "id", r.id(), "class", r.agentClass(), "provider",
            r.provider(), "type", r.type());
        List<String> ids = new ArrayList<>(List.of(r.id() + "_last_failure_0"));
        if (req.intervalMs() == 0) {
            ids.add(0, r.id() + "_last_0");
        }
        for (String id : ids) {
            lrmResource = lrmResource.plusChild(XmlNode.of("lrm_rsc_op", "id", id, "operation_key", a.key(),
                "operation", a.task(), "crm-debug-origin", "controld_record_action_timeout", "crm_feature_set",
                FEATURE_SET, "transition-key", key, "transition-magic", "2:1;" + key, "exit-reason",
                "No result received from " + a.node() + " within " + backstop + " ms", "on_node", a.node(),
                "call-id", "-1", "rc-code", "1", "op-status", "2", "interval", Long.toString(req.intervalMs()),
                "last-rc-change", Long.toString(env.now() / 1000), "exec-time", "0", "queue-time", "0"));
        }
        XmlNode ns = XmlNode.of("node_state", "id", a.nodeUuid(), "uname", a.node()).plusChild(XmlNode.of("lrm",
            "id", a.nodeUuid()).plusChild(XmlNode.of("lrm_resources").plusChild(lrmResource)));
        // and counted as update_failcount() counts a failed result of the running transition
        List<XmlNode> counts = org.vigil.crm.api.exec.FailCounts.attributes(a.nodeUuid(), req,
            org.vigil.crm.api.exec.FailCounts.startFailureIsFatal(env.cib()), env.now());
        if (!counts.isEmpty()) {
            XmlNode set = XmlNode.of("instance_attributes", "id", "status-" + a.nodeUuid());
            for (XmlNode nv : counts) {
                set = set.plusChild(nv);
            }
            ns = ns.plusChild(XmlNode.of("transient_attributes", "id", a.nodeUuid()).plusChild(set));
        }
        env.cibUpdate(new CibRequest(CibRequest.Op.MODIFY, "status", null, ns, Set.of(CibRequest.Flag.CAN_CREATE),
            "crmd", "hacluster")).whenComplete((s, e) -> {
                if (e != null) {
                    LOG.warn("recording the lost action {} failed: {}", a.key(), e.getMessage());
                }
            });
    }

    private void failAction(TransitionAction a, String why) {
        LOG.warn("Transition {} action {} ({} on {}) failed: {}", graph.id(), a.id(), a.key(), a.node(), why);
        env.event("action", "transition " + graph.id() + " action " + a.id() + ": " + a.key() + " on " + a.node()
            + " failed: " + why);
        graph.confirm(a.id(), true);
        graph.abort(Graph.INFINITY, Graph.Next.RESTART, "Action failed");
    }

    /**
     * A fencing action of the graph ({@code te_fence_node()}): the fencer is asked to fence the node; once it is
     * done, the node is recorded as cleanly down (below) and the action confirmed, so the graph goes on with the
     * recovery that waited for it. A failure (or no fencer on this node, or no device for the node) fails the action
     * and the graph is planned again ({@code tengine_stonith_callback()}); after {@value #STONITH_MAX_ATTEMPTS}
     * failures for one node ({@code stonith-max-attempts}) the DC stops trying until something else changes. A lost
     * node's resources are never recovered before its fencing succeeded.
     */
    private void fence(TransitionAction a) {
        String target = a.node();
        String what = a.meta("stonith_action");
        org.vigil.crm.api.fencer.FenceAction action = "off".equals(what) ? org.vigil.crm.api.fencer.FenceAction.OFF
            : "on".equals(what) ? org.vigil.crm.api.fencer.FenceAction.ON : org.vigil.crm.api.fencer.FenceAction.REBOOT;
        String pfd = a.meta("priority_fencing_delay");   // seconds, as the scheduler puts it on the action
        long priorityMs = pfd == null ? 0 : Math.max(0, Durations.parseMs(pfd));
        long raceMs = fenceRaceDelay(target);
        int failures = fenceFailures.getOrDefault(target, 0);
        long backoffMs = fenceRetryDelay(failures);
        Graph g = graph;
        if (backoffMs > 0) {
            env.event("fence", "fencing " + target + " again in " + backoffMs + " ms (attempt " + (failures + 1) + ")");
            env.timer(backoffMs, () -> {
                if (graph == g && !g.complete()) {
                    fenceAfterDelays(a, target, action, g, priorityMs, raceMs);
                }
            });
            return;
        }
        fenceAfterDelays(a, target, action, g, priorityMs, raceMs);
    }

    /** First retry delay after a failed fencing; it doubles with each failure. */
    static final long FENCE_RETRY_BASE_MS = 1_000;
    /** The longest delay between two attempts to fence a node. */
    static final long FENCE_RETRY_MAX_MS = 30_000;

    /**
     * How long to wait before the next attempt to fence a node whose fencing failed {@code failures} times in a row
     * (beyond Pacemaker, which asks again at once: a device that fails at once would be asked its 10 times
     * ({@code stonith-max-attempts}) within a second, then not until the next recheck): 1 s, 2 s, 4 s... up to 30 s,
     * so the attempts spread over about two and a half minutes.
     */
    static long fenceRetryDelay(int failures) {
        if (failures <= 0) {
            return 0;
        }
        return Math.min(FENCE_RETRY_MAX_MS, FENCE_RETRY_BASE_MS << Math.min(failures - 1, 16));
    }

    private void fenceAfterDelays(TransitionAction a, String target, org.vigil.crm.api.fencer.FenceAction action,
                                  Graph g, long priorityMs, long raceMs) {
        long delayMs = priorityMs + raceMs;
        if (delayMs > 0) {
            // priority-fencing-delay: in a split of half the nodes, the node(s) holding the most important
            // resources are fenced only after this delay, so their side fences the other first and survives (the
            // fencer's requested delay, fence_with_delay()); and Vigil's two-node tie-break (below)
            env.event("fence", "fencing " + target + " in " + delayMs + " ms ("
                + (priorityMs > 0 ? "priority-fencing-delay" + (raceMs > 0 ? " + " : "") : "")
                + (raceMs > 0 ? "vigil-fence-race-delay: the lower node id survives a two-node split" : "") + ")");
            env.timer(delayMs, () -> {
                if (graph == g && !g.complete()) {
                    requestFence(a, target, action, g);
                }
            });
            return;
        }
        requestFence(a, target, action, g);
    }

    /**
     * Vigil's two-node tie-break (beyond Pacemaker): in a cluster of two nodes (the nodelist's) that has split, each
     * side fences the other, and when both devices are quick both nodes may die. Here the fencing of the node with
     * the lower node id, by the other one, waits {@code vigil-fence-race-delay} (default 5 s; 0 turns it off), so
     * the lower id fences first and survives, as corosync's {@code auto_tie_breaker} lets the lowest id keep
     * quorum. With {@code priority-fencing-delay} the wait is at most half of it, added to the priority delay, so
     * the node with the more important resources still survives: its side fences at once, the other side waits
     * the priority delay (and the half, when it aims at the lower id); with equal priorities the lower id wins.
     * Pacemaker users get the same effect with a {@code pcmk_delay_max} on one side's device.
     *
     * @return the extra wait before fencing {@code target}, in ms (0 unless this node is alone in a two-node
     *         cluster and the target has the lower node id)
     */
    long fenceRaceDelay(String target) {
        Integer id = nodeIdByName(target);
        if (id == null || id >= self || env.configuredNodes().size() != 2 || ring.contains(id)) {
            return 0;
        }
        String v = clusterOption(env.cib(), "vigil-fence-race-delay");
        long race = v == null ? 5_000 : Durations.parseMs(v);
        if (race <= 0) {
            return 0;
        }
        String pfd = clusterOption(env.cib(), "priority-fencing-delay");
        long priorityMs = pfd == null ? 0 : Durations.parseMs(pfd);
        return priorityMs > 0 ? Math.min(race, priorityMs / 2) : race;
    }

    private void requestFence(TransitionAction a, String target, org.vigil.crm.api.fencer.FenceAction action,
                              Graph g) {
        CompletionStage<org.vigil.crm.api.fencer.FenceEvent> done = env.fence(target, action,
            "pacemaker-controld." + uuid(self));
        if (done == null) {
            fenceFailed(a, target, "no fencer is running on the DC");
            checkGraph();
            return;
        }
        env.event("fence", "fencing " + target + " (" + action.wireName() + ")");
        done.whenComplete((ev, e) -> {
            if (graph != g || g.complete()) {
                return;   // the graph ended meanwhile (a new DC, an abort that completed): the listener records it
            }
            if (ev != null && ev.state() == org.vigil.crm.api.fencer.FenceEvent.State.DONE) {
                fenceFailures.remove(target);
                env.event("fence", target + " was fenced (" + action.wireName() + ")"
                    + (ev.delegate() == null ? "" : " by " + ev.delegate())
                    + (ev.device() == null ? "" : " with " + ev.device()));
                if (action != org.vigil.crm.api.fencer.FenceAction.ON) {
                    fencedDown(target);
                }
                g.confirm(a.id(), false);
                checkGraph();
            } else {
                fenceFailed(a, target, ev == null ? String.valueOf(e) : ev.reason());
                checkGraph();
            }
        });
    }

    private void fenceFailed(TransitionAction a, String target, String why) {
        int n = fenceFailures.merge(target, 1, Integer::sum);
        env.event("fence", "fencing of " + target + " failed: " + why + " (attempt " + n + ")");
        graph.confirm(a.id(), true);
        if (n < STONITH_MAX_ATTEMPTS) {
            graph.abort(Graph.INFINITY, Graph.Next.RESTART, "Stonith failed");
        } else {
            LOG.error("Too many failures ({}) to fence {}, giving up", n, target);
        }
    }

    /**
     * A node was fenced (by this DC's graph, or by anyone: {@code tengine_stonith_notify()}): it is down for sure,
     * its resources stopped. Its {@code node_state} says so (not in the membership, controller offline, join down,
     * expected down) and its operation history and transient attributes are erased ({@code send_stonith_update()}),
     * so the scheduler recovers its resources instead of fencing it again. Scheduling waits for these writes.
     */
    private void fencedDown(String target) {
        Integer id = nodeIdByName(target);
        if (id == null || !isDc()) {
            return;
        }
        if (ring.contains(id) && group.contains(id)) {
            LOG.info("{} was fenced but is a member again: nothing to record", target);
            return;
        }
        joined.remove(id);
        expectedDown.add(id);
        String uuid = uuid(id);
        fenceWrites++;
        XmlNode ns = XmlNode.of("status").plusChild(XmlNode.of("node_state", "id", uuid, "uname", target, "in_ccm",
            "false", "crmd", "offline", "join", "down", "expected", "down", "crm-debug-origin", "send_stonith_update"));
        List<CompletionStage<CibSnapshot>> writes = new ArrayList<>();
        writes.add(env.cibUpdate(new CibRequest(CibRequest.Op.MODIFY, "status", null, ns,
            Set.of(CibRequest.Flag.CAN_CREATE), "crmd", "hacluster")));
        for (String part : List.of("lrm", "transient_attributes")) {
            writes.add(env.cibUpdate(new CibRequest(CibRequest.Op.DELETE, null, "/cib/status/node_state[@id='" + uuid
                + "']/" + part, null, Set.of(), "crmd", "hacluster")));
        }
        int[] left = {writes.size()};
        for (CompletionStage<CibSnapshot> w : writes) {
            w.whenComplete((snap, e) -> {
                if (e == null) {
                    waitForVersion(snap.version().toString());
                } else if (!(e instanceof org.vigil.crm.api.cib.CibError ce
                    && ce.exitCode() == org.vigil.crm.api.cib.CibError.NOSUCH)) {
                    LOG.warn("recording the fencing of {}: {}", target, e.getMessage());
                }
                if (--left[0] == 0) {
                    fenceWrites--;
                    runWaitingPcalcNow();
                }
            });
        }
    }

    // ---- fence loops (beyond Pacemaker) ------------------------------------------------------------------------

    /** The node attribute that reports a node kept out after a fence loop; deleting it lets the node in again. */
    static final String FENCE_LOOP_ATTRIBUTE = "vigil-fence-loop";
    /** Completion times of the fencings of each node (reboot, off) this controller has heard of. */
    private final Map<String, List<Long>> fencings = new HashMap<>();
    private final Set<String> fencingIds = new HashSet<>();
    /** Nodes this DC keeps out and has reported in the CIB (their attribute written). */
    private final Set<Integer> heldOutReported = new HashSet<>();

    /**
     * Whether node {@code n} is kept out of the cluster after a fence loop: it was fenced at least
     * {@code vigil-fence-loop-max} times (default 3; 0 turns this off) within {@code vigil-fence-loop-window}
     * (default 1 h), and no admin has cleared it since. Such a node is never asked to join: its {@code node_state}
     * keeps {@code expected=down}, so the scheduler runs nothing there and never fences it again (Pacemaker's
     * "not ready to run resources" and "down or still coming up"); the DC reports it with the permanent node attribute
     * {@value #FENCE_LOOP_ATTRIBUTE}, whose deletion ({@code crm_attribute -N NODE -n vigil-fence-loop -D}) forgets
     * its fencings and lets it join. Pacemaker has no such guard: a node that keeps failing is fenced again and again.
     */
    private boolean heldOut(int n) {
        long max = fenceLoopMax(env.cib());
        List<Long> times = fencings.get(nameOf(n));
        if (max <= 0 || times == null) {
            return false;
        }
        long since = env.now() - fenceLoopWindow(env.cib());
        times.removeIf(t -> t < since);
        if (heldOutReported.contains(n) && fenceLoopAttribute(n) == null) {
            // an admin deleted the report: the node's fencings are forgotten, it may join
            env.event("fence", "the fence loop of " + nameOf(n) + " was cleared: it may join again");
            times.clear();
            heldOutReported.remove(n);
            return false;
        }
        if (times.size() < max) {
            return false;
        }
        if (isDc() && group.contains(n) && heldOutReported.add(n)) {
            String text = "fenced " + times.size() + " times within " + fenceLoopWindow(env.cib()) / 1000 + " s";
            env.event("fence", "keeping " + nameOf(n) + " out of the cluster: " + text + " (vigil-fence-loop-max "
                + max + "); clear with: crm_attribute -N " + nameOf(n) + " -n " + FENCE_LOOP_ATTRIBUTE + " -D");
            LOG.warn("keeping {} out of the cluster: {}", nameOf(n), text);
            expectedDown.add(n);
            env.cibUpdate(new CibRequest(CibRequest.Op.MODIFY, "nodes", null, XmlNode.of("nodes").plusChild(
                XmlNode.of("node", "id", uuid(n), "uname", nameOf(n)).plusChild(XmlNode.of("instance_attributes",
                    "id", "nodes-" + uuid(n)).plusChild(XmlNode.of("nvpair", "id", "nodes-" + uuid(n) + "-"
                    + FENCE_LOOP_ATTRIBUTE, "name", FENCE_LOOP_ATTRIBUTE, "value", "held out: " + text)))),
                Set.of(CibRequest.Flag.CAN_CREATE), "crmd", "hacluster")).whenComplete((x, e) -> {
                    if (e != null) {
                        LOG.warn("reporting the fence loop of {}: {}", nameOf(n), e.getMessage());
                    }
                });
        }
        return true;
    }

    /** Held-out nodes whose report an admin deleted are asked to join (on the DC, after a configuration change). */
    private void fenceLoopsCleared() {
        Set<Integer> ask = new TreeSet<>();
        for (int n : new ArrayList<>(heldOutReported)) {
            if (!heldOut(n) && group.contains(n) && !joined.contains(n)) {
                ask.add(n);
            }
        }
        if (!ask.isEmpty()) {
            ask.addAll(joinWaiting);
            startJoin(ask);
        }
    }

    /** The node's {@value #FENCE_LOOP_ATTRIBUTE} attribute in the configuration, or null. */
    private String fenceLoopAttribute(int n) {
        XmlNode conf = env.cib().configuration();
        XmlNode nodes = conf == null ? null : conf.firstChild("nodes");
        if (nodes == null) {
            return null;
        }
        for (XmlNode node : nodes.children("node")) {
            if (uuid(n).equals(node.id())) {
                for (XmlNode set : node.children("instance_attributes")) {
                    for (XmlNode nv : set.children("nvpair")) {
                        if (FENCE_LOOP_ATTRIBUTE.equals(nv.attribute("name"))) {
                            return nv.attribute("value");
                        }
                    }
                }
            }
        }
        return null;
    }

    static long fenceLoopMax(CibSnapshot cib) {
        String v = clusterOption(cib, "vigil-fence-loop-max");
        try {
            return v == null ? 3 : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return 3;
        }
    }

    static long fenceLoopWindow(CibSnapshot cib) {
        String v = clusterOption(cib, "vigil-fence-loop-window");
        long ms = v == null ? -1 : Durations.parseMs(v);
        return ms <= 0 ? 3_600_000L : ms;
    }

    /** Counts a successful off or reboot (once per operation id) for the fence-loop guard. */
    private void countFencing(org.vigil.crm.api.fencer.FenceEvent ev) {
        if (ev.state() != org.vigil.crm.api.fencer.FenceEvent.State.DONE
            || ev.action() == org.vigil.crm.api.fencer.FenceAction.ON) {
            return;
        }
        if (ev.id() == null || fencingIds.add(ev.id())) {
            fencings.computeIfAbsent(ev.target(), k -> new ArrayList<>())
                .add(ev.completedMs() > 0 ? ev.completedMs() : env.now());
        }
    }

    /** CIB writes of fenced nodes in flight: scheduling waits for them. */
    private int fenceWrites;

    /**
     * A fencing operation ended somewhere in the cluster (the fencer's listener; an admin's {@code stonith_admin},
     * an earlier DC's request). On the DC a successful {@code off} or {@code reboot} of a node that is not a member
     * is recorded as in {@link #fencedDown}, and the scheduler runs again.
     */
    void fenced(org.vigil.crm.api.fencer.FenceEvent ev) {
        if (ev.state() != org.vigil.crm.api.fencer.FenceEvent.State.DONE
            || ev.action() == org.vigil.crm.api.fencer.FenceAction.ON) {
            return;
        }
        countFencing(ev);
        if (!isDc()) {
            return;
        }
        Integer id = nodeIdByName(ev.target());
        if (id == null || expectedDown.contains(id) && !joined.contains(id)) {
            return;   // recorded already (this DC's own request)
        }
        fencedDown(ev.target());
        requestPcalc("Peer Halt");
    }

    private void clusterAction(TransitionAction a) {
        switch (a.task()) {
            case "clear_failcount" -> clearFailcount(a);
            case "lrm_delete" -> {
                if (a.resource() == null || !nodeUp(a)) {
                    graph.confirm(a.id(), a.resource() == null);
                    return;
                }
                env.send(message("delete", "node", a.nodeUuid(), "dc", uuid(self), "resource", a.resource().id(),
                    "transition-key", a.transitionKey()));
            }
            case "do_shutdown" -> {
                // the node's resources are stopped (the action's inputs): it may go, and it is expected down
                Integer n = nodeIdByName(a.node());
                if (n != null) {
                    expectedDown.add(n);
                    writeNodeStates();
                }
                env.send(message("shutdown", "node", a.nodeUuid(), "dc", uuid(self)));
                graph.confirm(a.id(), false);
            }
            default -> graph.confirm(a.id(), false);
        }
    }

    /** Removes a resource's fail count and last failure on a node ({@code execute_cluster_action} → attrd). */
    private void clearFailcount(TransitionAction a) {
        if (a.resource() == null) {
            graph.confirm(a.id(), false);
            return;
        }
        String op = a.meta("clear_failcount_op");
        String interval = a.meta("clear_failcount_interval");
        String suffix = op == null ? "" : "#" + op + "_" + (interval == null ? "0" : interval);
        String rsc = a.resource().id();
        String xpath = "/cib/status/node_state[@id='" + a.nodeUuid() + "']/transient_attributes/instance_attributes"
            + "/nvpair[starts-with(@name,'fail-count-" + rsc + suffix + "') or starts-with(@name,'last-failure-"
            + rsc + suffix + "')]";
        Graph g = graph;
        env.cibUpdate(new CibRequest(CibRequest.Op.DELETE, null, xpath, null, Set.of(CibRequest.Flag.ALL_MATCHES),
            "crmd", "hacluster")).whenComplete((s, e) -> {
                if (g == graph && g.inFlight(a.id())) {
                    if (s != null) {
                        waitForVersion(s.version().toString());
                    }
                    g.confirm(a.id(), false);
                    checkGraph();
                }
            });
    }

    private void stopTimer(int actionId) {
        Timer t = actionTimers.remove(actionId);
        if (t != null) {
            t.cancel();
        }
    }

    /** A result that is not recorded in the CIB, acknowledged by the node that ran it. */
    private void onAck(int from, XmlNode m) {
        TransitionKey k = TransitionKey.parse(m.attribute("transition-key"));
        waitForVersion(m.attribute("cib-version"));
        if (k == null || graph == null || graph.complete() || !k.teUuid().equals(teUuid)
            || k.transition() != graph.id() || !graph.inFlight(k.action())) {
            return;
        }
        TransitionAction a = graph.action(k.action());
        int rc = (int) parse(m.attribute("rc", "1"));
        int status = (int) parse(m.attribute("op-status", "0"));
        boolean failed = status != 0 && status != 1 || effectiveRc(rc) != effectiveRc(k.targetRc());
        if (a.task().equals("notify")) {
            failed = false;   // notify results are ignored, as pcmk__create_history_xml() does
        }
        if ("ignore".equals(a.meta("on_fail"))) {
            failed = false;
        }
        stopTimer(a.id());
        graph.confirm(a.id(), failed);
        env.event("action", "transition " + graph.id() + " action " + a.id() + ": " + a.key() + " on " + a.node()
            + (failed ? " failed (rc " + rc + ", status " + status + ")" : " done"));
        if (failed) {
            graph.abort(a.priority() + 1, Graph.Next.RESTART, "Event failed");
        }
        checkGraph();
    }

    static int effectiveRc(int rc) {
        return rc == 190 ? 0 : rc == 191 ? 8 : rc;
    }

    // ---- executing actions (the target node) ------------------------------------------------------------------

    private void onExecute(int from, XmlNode m) {
        Executor ex = env.executor();
        if (ex == null) {
            waitingForExecutor.add(m);
            return;
        }
        XmlNode rscOp = m.firstChild("rsc_op");
        ExecRequest r = rscOp == null ? null : ExecRequest.fromXml(rscOp);
        String dcUuid = m.attribute("dc");
        if (r == null) {
            LOG.warn("controller: an execute message from node {} without a valid <rsc_op>", from);
            return;
        }
        ex.execute(r).whenComplete((o, e) -> {
            if (e != null) {
                env.send(message("ack", "dc", dcUuid, "node", uuid(self), "transition-key", r.transitionKey(),
                    "operation-key", r.operationKey(), "rc", "1", "op-status", "4", "exit-reason",
                    String.valueOf(e.getMessage())));
            } else if (!o.recorded()) {
                env.send(message("ack", "dc", dcUuid, "node", uuid(self), "transition-key", r.transitionKey(),
                    "operation-key", r.operationKey(), "rc", Integer.toString(o.rc()), "op-status",
                    Integer.toString(o.opStatus()), "cib-version", o.cibVersion() == null ? null
                        : o.cibVersion().toString(), "exit-reason", o.exitReason()));
            }
        });
    }

    private void onDelete(int from, XmlNode m) {
        Executor ex = env.executor();
        if (ex == null) {
            waitingForExecutor.add(m);
            return;
        }
        String dcUuid = m.attribute("dc");
        String key = m.attribute("transition-key");
        ex.delete(m.attribute("resource"), key).whenComplete((o, e) -> env.send(message("ack", "dc", dcUuid, "node",
            uuid(self), "transition-key", key, "rc", e == null ? "0" : "1", "op-status", e == null ? "0" : "4",
            "cib-version", o == null || o.cibVersion() == null ? null : o.cibVersion().toString())));
    }

    // ---- the DC's timeline, for any node's crmadmin --timeline ---------------------------------------------------

    /** The most events one timeline answer carries. */
    static final int TIMELINE_ANSWER = 1000;
    private final Map<String, java.util.concurrent.CompletableFuture<List<org.vigil.crm.api.controller.TimelineEvent>>>
        timelineRequests = new HashMap<>();
    private long timelineSeq;

    /**
     * The DC's timeline (its last {@value #TIMELINE_ANSWER} steps), asked over the group; this node's own when it is
     * the DC.
     *
     * @return completes with the events, exceptionally when there is no DC
     */
    java.util.concurrent.CompletableFuture<List<org.vigil.crm.api.controller.TimelineEvent>> dcTimeline() {
        java.util.concurrent.CompletableFuture<List<org.vigil.crm.api.controller.TimelineEvent>> f =
            new java.util.concurrent.CompletableFuture<>();
        if (dc == null) {
            f.completeExceptionally(new IllegalStateException("no DC is elected yet"));
        } else if (isDc()) {
            f.complete(env.timeline());
        } else {
            String id = self + ":" + (++timelineSeq);
            timelineRequests.put(id, f);
            env.send(message("timeline-req", "dc", uuid(dc), "request", id));
        }
        return f;
    }

    private void sendTimeline(XmlNode request) {
        List<org.vigil.crm.api.controller.TimelineEvent> all = env.timeline();
        XmlNode m = message("timeline", "request", request.attribute("request"), "node", selfName);
        List<XmlNode> events = new ArrayList<>();
        for (org.vigil.crm.api.controller.TimelineEvent e : all.subList(Math.max(0, all.size() - TIMELINE_ANSWER),
            all.size())) {
            events.add(XmlNode.of("e", "t", Long.toString(e.epochMillis()), "k", e.kind(), "x", e.text()));
        }
        env.send(m.withChildren(events));
    }

    private void onTimeline(XmlNode m) {
        java.util.concurrent.CompletableFuture<List<org.vigil.crm.api.controller.TimelineEvent>> f =
            timelineRequests.remove(m.attribute("request", ""));
        if (f == null) {
            return;
        }
        List<org.vigil.crm.api.controller.TimelineEvent> out = new ArrayList<>();
        for (XmlNode e : m.children("e")) {
            out.add(new org.vigil.crm.api.controller.TimelineEvent(parse(e.attribute("t", "0")), e.attribute("k", ""),
                e.attribute("x", "")));
        }
        f.complete(out);
    }

    // ---- a failure made up by crm_resource --fail ----------------------------------------------------------------

    /** The transition key's UUID of results made outside any transition ({@code FAKE_TE_ID}). */
    static final String FAKE_TE_ID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

    /**
     * Records a failure of a resource on a node, as {@code crm_resource --fail} asks it: a failed result of the
     * made-up operation {@code asyncmon} (interval 0, rc 1 "unknown error", status done, exit reason "Simulated
     * failure", the transition key of a result from outside the cluster: transition -1) as the resource's last and
     * last failed operation, and its fail count raised, in one CIB update of the node's status. The DC sees an
     * unexpected event and schedules; the scheduler recovers the failed resource.
     *
     * <p>Follows {@code fail_lrm_resource()} in daemons/controld/controld_execd.c (the event it fakes, recorded by
     * {@code process_lrm_event()}, its key made by {@code pcmk__create_history_xml()}) and the fail count the DC's
     * {@code process_graph_event()} adds for it. Deliberate difference: this node's controller writes the entry
     * itself instead of asking the node's own controller (the executor there does not hold the made-up result; the
     * CIB does).
     *
     * @return completes when the CIB holds the failure; exceptionally with {@link IllegalArgumentException} for an
     *         unknown node, {@link IllegalStateException} for a node not in the cluster now
     */
    java.util.concurrent.CompletableFuture<Void> failResource(String resource, String nodeName, String agentClass,
                                                              String provider, String type) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        Integer id = nodeIdByName(nodeName);
        if (id == null) {
            done.completeExceptionally(new IllegalArgumentException("no node named " + nodeName));
            return done;
        }
        if (!group.contains(id)) {
            done.completeExceptionally(new IllegalStateException("Node " + nodeName + " is not online"));
            return done;
        }
        String nodeUuid = uuid(id);
        String key = "0:-1:0:" + FAKE_TE_ID;
        long now = env.now();
        XmlNode lrmResource = XmlNode.of("lrm_resource", "id", resource, "class", agentClass, "provider", provider,
            "type", type);
        for (String opId : List.of(resource + "_last_0", resource + "_last_failure_0")) {
            lrmResource = lrmResource.plusChild(XmlNode.of("lrm_rsc_op", "id", opId, "operation_key", resource
                + "_asyncmon_0", "operation", "asyncmon", "crm-debug-origin", "do_update_resource",
                "crm_feature_set", FEATURE_SET, "transition-key", key, "transition-magic", "0:1;" + key,
                "exit-reason", "Simulated failure", "on_node", nodeName, "call-id", "0", "rc-code", "1",
                "op-status", "0", "interval", "0", "last-rc-change", Long.toString(now / 1000), "exec-time", "0",
                "queue-time", "0"));
        }
        XmlNode ns = XmlNode.of("node_state", "id", nodeUuid, "uname", nodeName).plusChild(XmlNode.of("lrm", "id",
            nodeUuid).plusChild(XmlNode.of("lrm_resources").plusChild(lrmResource)));
        ExecRequest req = new ExecRequest(0, "asyncmon", resource + "_asyncmon_0", nodeName, nodeUuid, resource,
            null, agentClass, provider, type, new java.util.TreeMap<>(), 0, key);
        List<XmlNode> counts = org.vigil.crm.api.exec.FailCounts.attributes(nodeUuid, req,
            org.vigil.crm.api.exec.FailCounts.startFailureIsFatal(env.cib()), now);
        if (!counts.isEmpty()) {
            XmlNode set = XmlNode.of("instance_attributes", "id", "status-" + nodeUuid);
            for (XmlNode nv : counts) {
                set = set.plusChild(nv);
            }
            ns = ns.plusChild(XmlNode.of("transient_attributes", "id", nodeUuid).plusChild(set));
        }
        env.event("action", "failing " + resource + " on " + nodeName + " (crm_resource --fail)");
        env.cibUpdate(new CibRequest(CibRequest.Op.MODIFY, "status", null, ns, Set.of(CibRequest.Flag.CAN_CREATE),
            "crmd", "hacluster")).whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(null);
                }
            });
        return done;
    }

    // ---- forgetting history (crm_resource --cleanup/--refresh) ------------------------------------------------

    /** Requests of this node to forget history, by id: the nodes that have not answered yet, and who waits. */
    private final Map<String, Forget> forgets = new HashMap<>();
    private long forgetSeq;

    /** A request to forget history, waiting for the nodes' answers. */
    static final class Forget {
        final Set<Integer> waiting = new TreeSet<>();
        final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    }

    /**
     * Makes the executors of {@code nodes} forget a resource's history ({@code resource} null: every resource's),
     * as Pacemaker's {@code crm_resource --refresh} does through each node's controller ({@code lrm_delete}): its
     * recurring operations stop and its {@code lrm_resource} leaves the CIB, so the DC probes it again.
     *
     * @param nodes node ids; those without a controller are left out
     * @return completes when every node still there has done it
     */
    java.util.concurrent.CompletableFuture<Void> forget(String resource, Set<Integer> nodes) {
        Forget f = new Forget();
        for (int n : nodes) {
            if (group.contains(n)) {
                f.waiting.add(n);
            }
        }
        if (f.waiting.isEmpty()) {
            f.done.complete(null);
            return f.done;
        }
        String id = self + ":" + (++forgetSeq);
        forgets.put(id, f);
        StringBuilder list = new StringBuilder();
        for (int n : f.waiting) {
            list.append(list.length() == 0 ? "" : " ").append(uuid(n));
        }
        env.send(message("forget", "request", id, "resource", resource, "nodes", list.toString()));
        return f.done;
    }

    private void onForget(int from, XmlNode m) {
        boolean asked = false;
        for (String n : m.attribute("nodes", "").split(" ")) {
            asked |= n.equals(uuid(self));
        }
        if (!asked) {
            return;
        }
        String request = m.attribute("request");
        Executor ex = env.executor();
        if (ex == null) {
            waitingForExecutor.add(m);
            return;
        }
        List<String> resources = new ArrayList<>();
        String only = m.attribute("resource");
        if (only != null) {
            resources.add(only);
        } else {
            XmlNode status = env.cib().status();
            for (XmlNode ns : status == null ? List.<XmlNode>of() : status.children("node_state")) {
                XmlNode lrm = ns.id() != null && ns.id().equals(uuid(self)) ? ns.firstChild("lrm") : null;
                XmlNode lrs = lrm == null ? null : lrm.firstChild("lrm_resources");
                for (XmlNode lr : lrs == null ? List.<XmlNode>of() : lrs.children("lrm_resource")) {
                    resources.add(lr.id());
                }
            }
        }
        java.util.concurrent.CompletableFuture<?>[] all = new java.util.concurrent.CompletableFuture<?>[resources.size()];
        for (int i = 0; i < resources.size(); i++) {
            all[i] = ex.delete(resources.get(i), null).toCompletableFuture();
        }
        java.util.concurrent.CompletableFuture.allOf(all).whenComplete((v, e) -> env.send(message("forgotten",
            "request", request, "node", uuid(self), "resources", Integer.toString(resources.size()))));
    }

    private void onForgotten(int from, XmlNode m) {
        Forget f = forgets.get(m.attribute("request", ""));
        if (f != null && f.waiting.remove(from) && f.waiting.isEmpty()) {
            forgets.remove(m.attribute("request"));
            f.done.complete(null);
        }
    }

    /** Forget requests whose nodes left are done for those nodes. */
    private void forgetNodesGone() {
        for (java.util.Iterator<Map.Entry<String, Forget>> it = forgets.entrySet().iterator(); it.hasNext();) {
            Forget f = it.next().getValue();
            f.waiting.retainAll(group);
            if (f.waiting.isEmpty()) {
                it.remove();
                f.done.complete(null);
            }
        }
    }

    /** The executor (re)appeared: what waited for it goes now. */
    void executorAvailable() {
        Executor ex = env.executor();
        if (ex == null) {
            return;
        }
        if (waitingJoin != null) {
            XmlNode j = waitingJoin;
            waitingJoin = null;
            if (dc != null) {
                publishAndConfirm(ex, j);
            }
        }
        List<XmlNode> waiting = new ArrayList<>(waitingForExecutor);
        waitingForExecutor.clear();
        for (XmlNode m : waiting) {
            delivered(dc == null ? -1 : dc, m);
        }
    }

    /** A scheduler became available (or changed): schedule again. */
    void schedulerAvailable() {
        requestPcalc("Scheduler available");
    }

    // ---- CIB changes (the DC) ---------------------------------------------------------------------------------

    /**
     * The DC's CIB copy was replaced by another member's in a sync (a partition healed and the other side's copy
     * was newer): what the nodes of this side recorded while apart, this node's own history included, is gone
     * from it. Every node is asked for its history again, this one too ({@code do_cib_replaced()}: "start the join
     * process again so we get everyone's LRM status"); nothing is scheduled until they all answered.
     */
    private void cibReplaced() {
        cibReplaced("the CIB copy was replaced by a sync");
    }

    private void cibReplaced(String why) {
        env.event("join", why + ": asking every node for its history again");
        joined.clear();
        settled = false;
        Set<Integer> ask = new TreeSet<>(group);
        ask.removeIf(this::heldOut);
        startJoin(ask);
    }

    /** Whether a patchset changes {@code /cib/configuration/nodes} or {@code /cib/status} (or all of the CIB). */
    static boolean changesNodesOrStatus(XmlNode patchset) {
        if (patchset == null) {
            return true;
        }
        for (XmlNode c : patchset.children("change")) {
            String path = c.attribute("path", "");
            if (path.equals("/cib") || path.startsWith("/cib/status") || path.startsWith("/cib/configuration/nodes")
                || path.equals("/cib/configuration")) {
                return true;
            }
        }
        return false;
    }

    private static final Pattern NODE_ID = Pattern.compile("node_state\\[@id='([^']*)'\\]");
    private static final Pattern LRM_ID = Pattern.compile("/lrm\\[@id='([^']*)'\\]");

    /**
     * A change of the local CIB copy. On the DC, its patchset is read as {@code te_update_diff_v2()} reads it:
     * configuration, ticket and transient attribute changes abort the transition; operation results confirm the
     * actions they belong to, or abort; removed history aborts unless it confirms a cancel. Unlike Pacemaker, all
     * the changes of one patch are read (the executor writes a failure and its fail count in one update).
     */
    void cibChanged(CibChange change) {
        if (change.sync() && isDc() && !electing) {
            cibReplaced();
            return;
        }
        if (change.replaced() && isDc() && !electing && changesNodesOrStatus(change.patchset())) {
            // do_cib_replaced(): an admin's replace of the whole CIB may have dropped the node entries and the
            // status (a file with an empty <status/>); as Pacemaker 2.1.6 and later, only a replace that changed
            // the nodes or the status starts the join again (2.1.5 also did for the configuration alone)
            cibReplaced("the CIB was replaced (" + (change.client() == null ? "a client" : change.client()) + " on "
                + (change.origin() == null ? "a node" : change.origin()) + ") with other nodes or status");
            return;
        }
        if (isDc() && waitFor != null && change.after().version().compareTo(waitFor) >= 0) {
            runWaitingPcalcNow();   // the copy now holds what a run waited for
        }
        // te_update_diff() reads the changes whenever the transition is incomplete, during a join too: the
        // results of an aborted transition's actions come in then, or come back with a node's history after a sync
        // discarded them; what would schedule (requestPcalc) waits for the join anyway
        if (!isDc() || !settled && (graph == null || graph.complete())) {
            return;
        }
        XmlNode diff = change.patchset();
        if (diff == null) {
            return;
        }
        for (XmlNode c : diff.children("change")) {
            String op = c.attribute("operation");
            String path = c.attribute("path");
            if (op == null || path == null) {
                continue;
            }
            if (op.equals("move") && !path.contains("/cib/configuration/resources")) {
                continue;
            }
            XmlNode match = null;
            if (op.equals("create")) {
                match = c.children().isEmpty() ? null : c.children().get(0);
            } else if (op.equals("modify")) {
                XmlNode result = c.firstChild("change-result");
                match = result == null || result.children().isEmpty() ? null : result.children().get(0);
            } else if (!op.equals("delete") && !op.equals("move")) {
                continue;
            }
            String name = match == null ? null : match.name();
            if (path.contains("/cib/configuration")) {
                fenceLoopsCleared();
                requestPcalc("Configuration change");
            } else if (path.contains("/tickets") || "tickets".equals(name)) {
                requestPcalc("Ticket attribute change");
            } else if (path.contains("/transient_attributes[") || "transient_attributes".equals(name)) {
                requestPcalc("Transient attribute change");
            } else if (op.equals("delete")) {
                processDelete(path);
            } else if (name == null) {
                LOG.debug("ignoring a CIB change without a result: {} {}", op, path);
            } else if (name.equals("cib")) {
                XmlNode status = match.firstChild("status");
                if (status != null) {
                    for (XmlNode ns : status.children("node_state")) {
                        processResourceUpdates(ns.id(), ns.firstChild("lrm"));
                    }
                }
                if (match.firstChild("configuration") != null) {
                    requestPcalc("Non-status-only change");
                }
            } else if (name.equals("status")) {
                for (XmlNode ns : match.children("node_state")) {
                    processResourceUpdates(ns.id(), ns.firstChild("lrm"));
                }
            } else if (name.equals("node_state")) {
                processResourceUpdates(match.id(), match.firstChild("lrm"));
            } else if (name.equals("lrm")) {
                processResourceUpdates(match.id(), match);
            } else if (name.equals("lrm_resources")) {
                processResourceUpdates(lrmNode(path), match);
            } else if (name.equals("lrm_resource")) {
                String node = lrmNode(path);
                for (XmlNode rscOp : match.children("lrm_rsc_op")) {
                    processGraphEvent(rscOp, node);
                }
            } else if (name.equals("lrm_rsc_op")) {
                processGraphEvent(match, lrmNode(path));
            }
        }
        checkGraph();
    }

    private static String lrmNode(String path) {
        Matcher m = LRM_ID.matcher(path);
        if (m.find()) {
            return m.group(1);
        }
        Matcher n = NODE_ID.matcher(path);
        return n.find() ? n.group(1) : null;
    }

    /** {@code process_resource_updates()}: several resources at once with nothing pending is a history refresh. */
    private void processResourceUpdates(String node, XmlNode xml) {
        if (xml == null) {
            return;
        }
        if (xml.name().equals("lrm")) {
            xml = xml.firstChild("lrm_resources");
            if (xml == null) {
                return;
            }
        }
        List<XmlNode> resources = xml.children("lrm_resource");
        boolean nothingPending = graph == null || graph.complete() || graph.pending().isEmpty();
        if (nothingPending && resources.size() > 1) {
            requestPcalc("History refresh");
            return;
        }
        for (XmlNode lr : resources) {
            for (XmlNode rscOp : lr.children("lrm_rsc_op")) {
                processGraphEvent(rscOp, node);
            }
        }
    }

    /** {@code process_delete_diff()} and {@code process_op_deletion()}. */
    private void processDelete(String path) {
        if (path.contains("/lrm_rsc_op[")) {
            int end = path.lastIndexOf('\'');
            int start = end <= 0 ? -1 : path.lastIndexOf('\'', end - 1);
            String key = start < 0 ? null : path.substring(start + 1, end);
            if (key == null || !confirmCancel(key, lrmNode(path))) {
                requestPcalc("Resource operation removal");
            }
        } else if (path.contains("/lrm[")) {
            requestPcalc("Resource state removal");
        } else if (path.contains("/node_state[")) {
            requestPcalc("Node state removal");
        }
    }

    /** A recurring operation's entry went: the cancel action waiting for it is done ({@code confirm_cancel_action}). */
    private boolean confirmCancel(String operationKey, String nodeUuid) {
        if (graph == null || graph.complete()) {
            return false;
        }
        for (TransitionAction a : graph.pending()) {
            if (a.task().equals("cancel") && operationKey.equals(a.key())
                && (nodeUuid == null || nodeUuid.equals(a.nodeUuid()))) {
                stopTimer(a.id());
                graph.confirm(a.id(), false);
                return true;
            }
        }
        return false;
    }

    /** An operation result in the CIB ({@code process_graph_event()}). */
    private void processGraphEvent(XmlNode event, String eventNode) {
        String magic = event.attribute("transition-key");
        if (magic == null) {
            return;
        }
        int status = (int) parse(event.attribute("op-status", "0"));
        if (status == -1) {
            return;   // pending
        }
        String id = event.attribute("operation_key", "unknown action");
        int rc = effectiveRc((int) parse(event.attribute("rc-code", "1")));
        TransitionKey k = TransitionKey.parse(magic);
        if (k == null) {
            LOG.error("Can't process action {} result: bad transition key {}", id, magic);
            requestPcalc("Bad event");
            return;
        }
        if (k.transition() == -1) {
            requestPcalc("Unexpected event");
        } else if (k.action() < 0 || !k.teUuid().equals(teUuid)) {
            requestPcalc("Foreign event");
        } else if (graph == null || graph.id() != k.transition() || graph.complete()) {
            long interval = parse(event.attribute("interval", "0"));
            if (interval > 0) {
                if (status == 1) {
                    confirmCancel(id, eventNode);
                } else {
                    requestPcalc("Change in recurring result");
                }
            } else if (graph == null || graph.id() != k.transition()) {
                requestPcalc("Old event");
            } else {
                requestPcalc("Inactive graph");
            }
        } else {
            TransitionAction a = graph.action(k.action());
            if (a == null) {
                requestPcalc("Unknown event");
            } else if (graph.confirmed(a.id())) {
                return;   // e.g. the _last_failure_0 copy of a result already confirmed
            } else {
                boolean failed = !"ignore".equals(a.meta("on_fail")) && rc != effectiveRc(k.targetRc());
                stopTimer(a.id());
                graph.confirm(a.id(), failed);
                env.event("action", "transition " + graph.id() + " action " + a.id() + ": " + a.key() + " on "
                    + a.node() + (failed ? " failed (rc " + rc + ", expected " + k.targetRc() + ")" : " done")
                    + " in " + Math.max(0, env.now() - graph.firedAt(a.id())) + " ms");
                if (failed) {
                    graph.abort(a.priority() + 1, Graph.Next.RESTART, "Event failed");
                }
            }
        }
    }

    // ---- for the status command and tests ---------------------------------------------------------------------

    /**
     * This controller is about to leave the group for an upgrade of its bundle (not a node shutdown): it tells the
     * others, so its node keeps its place and its resources while the new revision starts.
     */
    java.util.concurrent.CompletableFuture<Void> leavingForUpgrade() {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        long now = env.now();
        // the mark in the CIB first, for controllers that start while this one is away; then the message
        XmlNode mark = XmlNode.of("node_state", "id", uuid(self), "uname", selfName, AWAY_ATTRIBUTE,
            "upgrading:" + now);
        env.cibUpdate(new CibRequest(CibRequest.Op.MODIFY, "status", null, mark, Set.of(CibRequest.Flag.CAN_CREATE),
            "crmd", "hacluster")).whenComplete((s, e) -> {
                if (e != null) {
                    LOG.warn("controller: marking this node's controller as upgrading in the CIB failed: {}",
                        e.getMessage());
                }
                env.send(message("leaving", "node", uuid(self), "reason", "upgrade", "since", Long.toString(now)));
                done.complete(null);
            });
        return done;
    }

    /**
     * This controller started: if the CIB still marks its node's controller as away for an upgrade (the previous
     * revision's mark), it clears the mark. Only the new revision may: a DC cannot tell a mark written just before
     * the old one left from one that is over.
     */
    void started() {
        XmlNode ns = nodeState(self);
        if (ns == null) {
            return;
        }
        if (ns.attribute(AWAY_ATTRIBUTE, "").startsWith("upgrading:")) {
            env.cibUpdate(new CibRequest(CibRequest.Op.MODIFY, "status", null, XmlNode.of("node_state", "id",
                uuid(self), AWAY_ATTRIBUTE, "running"), Set.of(), "crmd", "hacluster"))
                .whenComplete((s, e) -> {
                    if (e != null) {
                        LOG.warn("controller: clearing this node's upgrade mark failed: {}", e.getMessage());
                    }
                });
        }
        // a shutdown request left by the revision before (it was replaced instead of stopping): this one
        // is not stopping, and the scheduler would keep every resource off this node
        if (shutdownDone == null && hasTransientAttribute(ns, "shutdown")) {
            env.event("shutdown", "clearing the shutdown request of the revision before: this node is not stopping");
            env.cibUpdate(new CibRequest(CibRequest.Op.DELETE, null, "/cib/status/node_state[@id='" + uuid(self)
                + "']/transient_attributes/instance_attributes/nvpair[@name='shutdown']", null,
                Set.of(CibRequest.Flag.ALL_MATCHES), "crmd", "hacluster")).whenComplete((x, e) -> {
                    if (e != null) {
                        LOG.warn("controller: clearing this node's shutdown request failed: {}", e.getMessage());
                    }
                });
        }
    }

    /**
     * This node is stopping (Pacemaker's {@code I_SHUTDOWN}, {@code do_shutdown_req}): it asks the cluster to stop
     * its resources first, by setting its {@code shutdown} node attribute (the epoch); the scheduler then moves or
     * stops what runs here and ends with {@code do_shutdown} for this node, which the DC answers with a
     * {@code shutdown} message.
     *
     * @return completes when the DC let this node go; the caller bounds the wait (shutdown escalation)
     */
    java.util.concurrent.CompletableFuture<Void> shutdown() {
        if (shutdownDone != null) {
            return shutdownDone;
        }
        shutdownDone = new java.util.concurrent.CompletableFuture<>();
        String id = uuid(self);
        String epoch = Long.toString(env.now() / 1000);
        env.event("shutdown", "this node stops: asking the cluster to stop its resources first");
        XmlNode attr = XmlNode.of("node_state", "id", id, "uname", selfName).plusChild(XmlNode.of(
            "transient_attributes", "id", id).plusChild(XmlNode.of("instance_attributes", "id", "status-" + id)
            .plusChild(XmlNode.of("nvpair", "id", "status-" + id + "-shutdown", "name", "shutdown", "value",
                epoch))));
        env.cibUpdate(new CibRequest(CibRequest.Op.MODIFY, "status", null, attr, Set.of(CibRequest.Flag.CAN_CREATE),
            "crmd", "hacluster")).whenComplete((s, e) -> {
                if (e != null) {
                    LOG.warn("shutdown: setting this node's shutdown attribute failed: {}", e.getMessage());
                    shutdownDone.completeExceptionally(e);
                }
            });
        return shutdownDone;
    }

    /** A one-line account of this controller's state. */
    String describe() {
        StringBuilder b = new StringBuilder();
        b.append("node ").append(selfName).append(" (").append(self).append("), DC ")
            .append(dc == null ? "none (electing)" : nameOf(dc));
        if (isDc()) {
            b.append(", join ").append(joinId).append(settled ? " complete" : " waiting for " + joinWaiting);
            if (graph != null) {
                b.append(", transition ").append(graph.id()).append(graph.complete() ? " complete" : " running: "
                    + graph.summary());
            }
        }
        return b.toString();
    }

    /** The node ids with a controller. */
    Set<Integer> groupMembers() {
        return Set.copyOf(group);
    }

    /** A node's id by its name (controllers' names, then the configuration's), or null. */
    Integer nodeIdByName(String name) {
        for (Map.Entry<Integer, String> e : names.entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        for (int n : env.configuredNodes()) {
            if (name.equals(env.configuredName(n)) || name.equals(uuid(n))) {
                return n;
            }
        }
        return null;
    }

    /** Names of the controllers known, by node id (for tests). */
    Map<Integer, String> names() {
        return new TreeMap<>(names);
    }
}
