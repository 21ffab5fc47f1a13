package org.vigil.crm.fencer.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.api.fencer.FenceEvent.State;
import org.vigil.crm.fencer.internal.FencerConfig.AgentInfo;
import org.vigil.crm.fencer.internal.FencerConfig.Device;
import org.vigil.crm.fencer.internal.FencerConfig.HostCheck;
import org.vigil.crm.fencer.internal.FencerConfig.Level;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;

/**
 * One node's fencer as a pure step machine: its inputs are the CPG group's deliveries (in agreed order) and
 * membership changes, local requests, timer fires and the results of device actions; its outputs go through
 * {@link Env}: messages to multicast, device actions to run, timers to set, operations that ended. No threads, no
 * clocks: {@link Env#now()} is the only time it reads, so a simulator drives it with virtual time.
 *
 * <p><b>The request flow</b> (Pacemaker's {@code fenced_remote.c}, in our own terms; every message goes to every
 * member, so every fencer holds the state of every operation):
 * <ol>
 * <li>A local request multicasts {@code query} (Pacemaker's {@code initiate_remote_stonith_op}). On its delivery
 *     every fencer creates the operation, with the group's members of that moment; a query for a target and
 *     action already in progress is merged into that operation instead.</li>
 * <li>Every fencer answers {@code reply} with the devices registered on its node that can fence the target (after
 *     running {@code list} or {@code status} where the device's host check needs it: Pacemaker's
 *     {@code process_remote_stonith_query} and {@code can_fence_host_with_device}).</li>
 * <li>The operation's <i>coordinator</i> (its origin while a member, else the lowest-named member that saw its
 *     query) waits for every member's reply but the target's, or its query timer, then plans: the target's
 *     topology levels in index order, or without topology each capable device on its own, in CIB order; and asks
 *     the first live non-target node that reported the device to run it: {@code fence} with the device's timeout
 *     (Pacemaker's {@code request_peer_fencing}).</li>
 * <li>That node runs the device (after its {@code pcmk_delay_base}/{@code pcmk_delay_max} delay) and multicasts
 *     {@code result}. The coordinator goes on to the next device of the level, or the next level after a failure,
 *     and finally multicasts {@code done}, on whose delivery every fencer records the result in its history.</li>
 * </ol>
 * Every decision of the coordinator carries the operation's step number and is applied only at that step, so a
 * late or duplicated decision (from a coordinator that left, or a timer) is ignored. When the coordinator leaves,
 * the next one carries on from the state every fencer holds; when the chosen node leaves, or its device does not
 * answer within 1.2 times its timeout, the device counts as failed.
 *
 * <p>Not thread-safe: one thread calls every method.
 */
public final class FencerEngine {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.FENCED");

    /** The element every message is. */
    public static final String ELEMENT = "vigil-fenced";
    /** How long the coordinator waits for replies to a query (at most the operation's timeout). */
    static final long QUERY_TIMEOUT_MS = 10_000;
    /** How long a {@code list} answer of a device is believed (Pacemaker's 60 s). */
    static final long LIST_CACHE_MS = 60_000;
    /**
     * The history's bound (Pacemaker's {@code MAX_STONITH_HISTORY}): past it, the ended operations are trimmed to
     * the newest half; pending ones are always kept.
     */
    static final int HISTORY_MAX = 500;
    /** How many {@code done} messages for operations this node does not know yet it keeps (see history sync). */
    static final int STRAY_MAX = 256;

    /** What the engine acts through. Every call comes back on the engine's thread. */
    public interface Env {
        /** The time now, in milliseconds. */
        long now();

        /** Multicasts {@code message} to the group (this node included), in agreed order. */
        void multicast(XmlNode message);

        /**
         * Runs {@code agentAction} of {@code device}; the result goes to {@link #deviceDone} with {@code handle}.
         *
         * @param target the node (null for {@code list})
         * @param port   the agent's plug for the target (null for {@code list})
         */
        void run(long handle, Device device, String agentAction, String target, String port, long timeoutMs);

        /** Calls {@link #timer} with {@code key} after {@code delayMs}; replaces a timer of the same key. */
        void setTimer(String key, long delayMs);

        void cancelTimer(String key);

        /** An operation ended (on every node that knew it, for every operation, merged ones too). */
        void ended(FenceEvent event);

        /** A {@link #listQuery} is answered. */
        void listed(String queryId, List<String> devices);
    }

    private enum Phase { QUERY, EXEC, DECIDE, ENDED }

    /** One fencing operation, as every fencer holds it. */
    private static final class Op {
        String id;
        String target;
        FenceAction action;
        String origin;
        String client;
        long timeoutMs;
        /** The members that saw the query and have not left since. */
        Set<String> members;
        final Map<String, List<String>> replies = new TreeMap<>();
        String mergedInto;
        int step;
        Phase phase = Phase.QUERY;
        int level = -1;
        int attempt = -1;
        String executor;
        String device;
        boolean lastOk;
        String lastReason;
        /** Why each device tried so far failed, in order (every fencer records them from the results). */
        final List<String> failures = new ArrayList<>();
        /** The step a decision of ours was sent for (waits for its delivery), or -1. */
        int decisionSent = -1;
        State state = State.PENDING;
        long completedMs;
        String reason;
        String delegate;
        String doneDevice;
        /** When its origin asked (the origin's clock, from the query: the same on every node). */
        long createdMs;
        /** How long it may take in all (from the query; 0: unknown): a duplicate merges only within this. */
        long totalMs;
        /**
         * The members that hold this operation (saw its query, or got it in a history sync since): a new request
         * merges into it only when every member holds it, so that every member merges alike.
         */
        Set<String> knownBy = new TreeSet<>();
        /**
         * Learnt from a history sync while it was in progress: this fencer takes no part in it (it is never its
         * coordinator nor executor); it ends with the {@code done} of those who do, or fails once they all left.
         */
        boolean observer;

        FenceEvent event() {
            return new FenceEvent(id, target, action, origin, delegate, doneDevice, client, state, completedMs,
                reason);
        }
    }

    /** One device attempt of a plan. */
    private record Attempt(String device, String action, boolean required, Level level) {
    }

    /** A reply this node is preparing: devices whose host check still runs. */
    private static final class PendingReply {
        final String id;
        final String target;
        final List<String> capable = new ArrayList<>();
        int outstanding;

        PendingReply(String id, String target) {
            this.id = id;
            this.target = target;
        }
    }

    /** An action this node runs: for an operation, or a host check of a reply. */
    private record Running(String opId, int step, String device, PendingReply reply, String kind, String target,
                           long timeoutMs) {
    }

    /** A {@link #listQuery} of this node. */
    private static final class ListQuery {
        Set<String> waiting;
        final Set<String> devices = new TreeSet<>();
    }

    private record CachedList(long at, Set<String> plugs) {
    }

    private final String local;
    private final String idPrefix;
    private final RandomGenerator random;
    private final Env env;
    private FencerConfig config = FencerConfig.EMPTY;
    private final Map<String, Device> registered = new TreeMap<>();
    private final Map<String, AgentInfo> agentInfo = new HashMap<>();
    private Set<String> members = new TreeSet<>();
    private final Map<String, Op> ops = new LinkedHashMap<>();
    private final Map<Long, Running> running = new HashMap<>();
    private final Map<String, ListQuery> lists = new HashMap<>();
    private final Map<String, CachedList> listCache = new HashMap<>();
    private final Set<String> armed = new HashSet<>();
    /** Whether a membership change was seen yet: the first is this fencer's join. */
    private boolean inGroup;
    /** The nodes reported as left since this fencer joined (for the participants of synced operations). */
    private final Set<String> leftSinceJoin = new HashSet<>();
    /** The targets an admin confirmed since this fencer joined (for operations a history sync brings later). */
    private final Set<String> confirmedSinceJoin = new HashSet<>();
    /** {@code done} messages for operations not known (yet): a history sync may bring them afterwards. */
    private final Map<String, XmlNode> strayDone = new LinkedHashMap<>();
    private long seq;
    private long handles;

    /**
     * @param local    this node's name
     * @param idPrefix makes this engine's operation ids unique in the cluster (e.g. node name and start time)
     * @param random   the source of {@code pcmk_delay_max} delays (seeded in tests)
     */
    public FencerEngine(String local, String idPrefix, RandomGenerator random, Env env) {
        this.local = local;
        this.idPrefix = idPrefix;
        this.random = random;
        this.env = env;
    }

    public String localNode() {
        return local;
    }

    // ---------------------------------------------------------------------------------------------- inputs

    /**
     * Takes a new configuration (Pacemaker's {@code cib_device_update}): registers the devices allowed on this node
     * whose agent is installed here.
     *
     * @param agents the fence agents installed on this node, with what they support
     * @return why devices allowed here were not registered (agent not installed), for the log
     */
    public List<String> configure(FencerConfig newConfig, Map<String, AgentInfo> agents) {
        config = newConfig;
        agentInfo.clear();
        agentInfo.putAll(agents);
        registered.clear();
        listCache.clear();
        List<String> problems = new ArrayList<>();
        for (Device d : config.devices()) {
            if (!d.allowedOn(local)) {
                continue;
            }
            if (!agents.containsKey(d.agent())) {
                problems.add("fence device '" + d.id() + "': agent '" + d.agent() + "' is not installed on " + local
                    + "; not registered here");
                continue;
            }
            registered.put(d.id(), d);
        }
        return problems;
    }

    /**
     * The group's members changed, in agreed order with the deliveries (CPG's configuration change).
     *
     * @param now  the members (node names, this one included)
     * @param left the members that left, including a node that left and is back already (CPG reports its old
     *             process as left and the new one as joined): its new fencer knows nothing of what the old one saw
     */
    public void membership(Set<String> now, Set<String> left) {
        Set<String> joined = new TreeSet<>(now);
        Set<String> stayed = new TreeSet<>(members);
        stayed.removeAll(left);
        joined.removeAll(stayed);
        boolean first = !inGroup;
        inGroup = true;
        leftSinceJoin.addAll(left);
        members = new TreeSet<>(now);
        for (ListQuery q : lists.values()) {
            q.waiting.removeAll(left);
            q.waiting.retainAll(members);
        }
        for (Op op : ops.values()) {
            op.members.removeAll(left);
            op.members.retainAll(members);
            op.knownBy.removeAll(left);
            op.knownBy.retainAll(members);
        }
        for (String id : List.copyOf(lists.keySet())) {
            finishListIfAnswered(id);
        }
        for (Op op : List.copyOf(ops.values())) {
            if (op.phase != Phase.ENDED && op.mergedInto == null) {
                if (op.members.isEmpty()) {
                    failOrphan(op);
                } else {
                    coordinate(op);
                }
            }
        }
        if (!first && !joined.isEmpty() && !ops.isEmpty()) {
            sendHistory(joined);
        }
    }

    /**
     * An operation every fencer taking part in left before it ended (this one only learnt of it from a history
     * sync): nobody can complete it, so it fails (Pacemaker fails a pending operation whose originator is gone
     * and that only a peer's history still shows: {@code stonith_local_history_diff_and_merge}).
     */
    private void failOrphan(Op op) {
        LOG.warn("fencer: {} ({} of {}, origin {}): every fencer handling it left before it ended; failed", op.id,
            op.action.wireName(), op.target, op.origin);
        end(op, State.FAILED, "every fencer handling it left before it ended (origin " + op.origin + ")",
            op.delegate, op.doneDevice);
    }

    /**
     * A local request to fence {@code target} (Pacemaker's {@code st_fence} from a client).
     *
     * @param timeoutMs the default timeout of each device, or 0 for {@code stonith-timeout}
     * @return the id of the operation whose end answers it: a new one, or the one in progress for the same target
     *         and action
     */
    public String fence(String target, FenceAction action, String client, long timeoutMs) {
        String id = idPrefix + ":" + (++seq);
        env.multicast(XmlNode.of(ELEMENT, "op", "query", "purpose", "fence", "id", id, "target", target, "action",
            action.wireName(), "client", client, "timeout", Long.toString(timeoutMs), "at",
            Long.toString(env.now()), "total", Long.toString(totalTimeout(target, action, timeoutMs))));
        return id;
    }

    /**
     * How long fencing {@code target} may take in all (Pacemaker's {@code get_op_total_timeout} times
     * {@code TIMEOUT_MULTIPLY_FACTOR}): 1.2 times the sum of the timeouts of every device that may be tried (the
     * target's topology levels, else every configured device), at least one timeout. A request merges into an
     * operation only within this time from its start.
     */
    private long totalTimeout(String target, FenceAction action, long timeoutMs) {
        long per = timeoutMs > 0 ? timeoutMs : config.stonithTimeoutMs();
        long sum = 0;
        List<Level> levels = config.levelsFor(target);
        if (!levels.isEmpty()) {
            for (Level l : levels) {
                for (String id : l.devices()) {
                    Device d = config.device(id);
                    sum += d == null ? 0 : d.timeoutMs(action.wireName(), per) + d.delayMaxMs();
                }
            }
        } else {
            for (Device d : config.devices()) {
                sum += d.timeoutMs(action.wireName(), per) + d.delayMaxMs();
            }
        }
        return Math.max(sum, per) * 12 / 10;
    }

    /** A local manual confirmation that {@code target} is down ({@code stonith_admin --confirm}). */
    public String confirm(String target, String client) {
        String id = idPrefix + ":" + (++seq);
        env.multicast(XmlNode.of(ELEMENT, "op", "confirm", "id", id, "target", target, "client", client));
        return id;
    }

    /** Asks every fencer which of its devices can fence {@code target}; the answer goes to {@link Env#listed}. */
    public String listQuery(String target) {
        String id = idPrefix + ":" + (++seq);
        env.multicast(XmlNode.of(ELEMENT, "op", "query", "purpose", "list", "id", id, "target", target, "action",
            "reboot", "client", "list", "timeout", "0"));
        return id;
    }

    /** A message of the group, from the fencer of node {@code sender}. A malformed one is logged and dropped. */
    public void deliver(String sender, XmlNode m) {
        try {
            switch (need(m, "op")) {
                case "query" -> onQuery(sender, m);
                case "reply" -> onReply(sender, m);
                case "fence" -> onFence(m);
                case "result" -> onResult(m);
                case "done" -> onDone(m);
                case "confirm" -> onConfirm(sender, m);
                case "history" -> onHistory(sender, m);
                default -> LOG.warn("fencer: dropped a message of unknown kind '{}' from {}", m.attribute("op"),
                    sender);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("fencer: dropped a malformed message from {}: {}", sender, e.getMessage());
        }
    }

    /** A timer set through {@link Env#setTimer} fired. */
    public void timer(String key) {
        armed.remove(key);
        String[] k = key.split("\\|", 3);
        switch (k[0]) {
            case "query" -> {
                Op op = ops.get(k[1]);
                if (op != null && op.phase == Phase.QUERY && isCoordinator(op)) {
                    LOG.info("fencer: {}: not every fencer answered the query in time; deciding with {} replies",
                        op.id, op.replies.size());
                    decide(op);
                }
            }
            case "exec" -> {
                Op op = ops.get(k[1]);
                int step = Integer.parseInt(k[2]);
                if (op != null && op.phase == Phase.EXEC && op.step - 1 == step && isCoordinator(op)) {
                    sendResult(op, step, false, actionOf(op) + " with " + op.device + " on " + op.executor
                        + " did not answer in time (timed out)");
                }
            }
            case "delay" -> {
                Running r = delayed.remove(key);
                if (r != null) {
                    start(r);
                }
            }
            case "list" -> {
                ListQuery q = lists.remove(k[1]);
                if (q != null) {
                    env.listed(k[1], List.copyOf(q.devices));
                }
            }
            default -> LOG.warn("fencer: unknown timer {}", key);
        }
    }

    private final Map<String, Running> delayed = new HashMap<>();

    /** A device action started through {@link Env#run} ended. */
    public void deviceDone(long handle, AgentResult r) {
        Running run = running.remove(handle);
        if (run == null) {
            return;
        }
        if (run.reply() != null) {
            checkDone(run, r);
            return;
        }
        boolean ok = r.ok();
        String reason = ok ? null : describe(run.device(), run.kind(), r, run.timeoutMs());
        LOG.info("fencer: {} of {} with {}: {}", run.kind(), run.target(), run.device(), ok ? "OK" : reason);
        sendResult(run.opId(), run.step(), ok, reason);
    }

    // ---------------------------------------------------------------------------------------------- queries

    /**
     * This node's history (every operation it saw or a history sync brought), {@code target} null for all: the
     * ended ones by their end time, oldest first, then those in progress.
     */
    public List<FenceEvent> history(String target) {
        List<FenceEvent> out = new ArrayList<>();
        for (Op op : ops.values()) {
            if (target == null || op.target.equals(target)) {
                out.add(op.event());
            }
        }
        out.sort((a, b) -> Long.compare(a.ended() ? a.completedMs() : Long.MAX_VALUE,
            b.ended() ? b.completedMs() : Long.MAX_VALUE));
        return out;
    }

    /** The devices registered on this node. */
    public List<String> registered() {
        return List.copyOf(registered.keySet());
    }

    /** The operation {@code id} was merged into, or null (for tests). */
    String mergedInto(String id) {
        Op op = ops.get(id);
        return op == null ? null : op.mergedInto;
    }

    public FencerConfig config() {
        return config;
    }

    // ---------------------------------------------------------------------------------------------- steps

    private void onQuery(String sender, XmlNode m) {
        String id = need(m, "id");
        String target = need(m, "target");
        FenceAction action = FenceAction.of(need(m, "action"));
        boolean list = "list".equals(m.attribute("purpose"));
        if (list) {
            if (sender.equals(local)) {
                ListQuery q = new ListQuery();
                q.waiting = new TreeSet<>(members);
                lists.put(id, q);
                env.setTimer("list|" + id, QUERY_TIMEOUT_MS);
            }
            prepareReply(id, target);
            return;
        }
        if (ops.containsKey(id)) {
            return;
        }
        Op op = new Op();
        op.id = id;
        op.target = target;
        op.action = action;
        op.origin = sender;
        op.client = m.attribute("client", "?");
        long t = Long.parseLong(m.attribute("timeout", "0"));
        op.timeoutMs = t > 0 ? t : config.stonithTimeoutMs();
        op.createdMs = Long.parseLong(m.attribute("at", "0"));
        op.totalMs = Long.parseLong(m.attribute("total", "0"));
        op.members = new TreeSet<>(members);
        op.members.add(sender);
        op.knownBy = new TreeSet<>(op.members);
        // the oldest one in progress (then the lowest id): members may hold the operations in different orders
        Op into = null;
        for (Op other : ops.values()) {
            if (duplicateOf(op, other) && (into == null || other.createdMs < into.createdMs
                || (other.createdMs == into.createdMs && other.id.compareTo(into.id) < 0))) {
                into = other;
            }
        }
        op.mergedInto = into == null ? null : into.id;
        ops.put(id, op);
        trimHistory();
        if (op.mergedInto != null) {
            Op other = ops.get(op.mergedInto);
            LOG.info("fencer: {} of {} by {}@{} merged into {} by {}@{}, in progress: the device runs once and both "
                + "get its result", action.wireName(), target, op.client, sender, other.id, other.client,
                other.origin);
            return;
        }
        LOG.info("fencer: {} asks to {} {} ({})", sender, action.wireName(), target, op.client);
        prepareReply(id, target);
        coordinate(op);
    }

    /**
     * Whether the new operation {@code op} is a duplicate of {@code other}, in progress, and is merged into it
     * (Pacemaker's {@code merge_duplicates}): the same target and action, another client, {@code other} not a
     * node fencing itself, and asked no longer ago than its total timeout. Besides, every member must hold
     * {@code other} (a node that joined since learns of it only through the history sync), so that every member
     * merges alike. Unlike Pacemaker, an operation whose origin left is not failed here: another fencer carries it
     * on. Reads only what every member holds alike.
     */
    private static boolean duplicateOf(Op op, Op other) {
        return other != op && other.phase != Phase.ENDED && other.mergedInto == null
            && other.target.equals(op.target) && other.action == op.action
            && !other.client.equalsIgnoreCase(op.client)
            && !other.target.equals(other.origin)
            && (other.totalMs <= 0 || op.createdMs <= other.createdMs + other.totalMs)
            && other.knownBy.containsAll(op.members);
    }

    /** Works out which registered devices can fence {@code target}, then multicasts the reply. */
    private void prepareReply(String id, String target) {
        PendingReply reply = new PendingReply(id, target);
        List<Device> statusChecks = new ArrayList<>();
        List<Device> listChecks = new ArrayList<>();
        for (Device d : registered.values()) {
            AgentInfo info = agentInfo.get(d.agent());
            HostCheck check = d.effectiveHostCheck(info);
            switch (check) {
                case NONE -> reply.capable.add(d.id());
                case STATIC_LIST -> {
                    if (d.hostList().contains(target) || d.hostMap().containsKey(target)) {
                        reply.capable.add(d.id());
                    }
                }
                case DYNAMIC_LIST -> {
                    CachedList c = listCache.get(d.id());
                    if (c != null && env.now() - c.at() < LIST_CACHE_MS) {
                        if (c.plugs().contains(d.port(target)) || c.plugs().contains(target)) {
                            reply.capable.add(d.id());
                        }
                    } else {
                        listChecks.add(d);
                    }
                }
                case STATUS -> statusChecks.add(d);
                default -> throw new IllegalStateException();
            }
        }
        reply.outstanding = listChecks.size() + statusChecks.size();
        if (reply.outstanding == 0) {
            sendReply(reply);
            return;
        }
        for (Device d : listChecks) {
            long h = ++handles;
            long timeout = d.timeoutMs("list", config.stonithTimeoutMs());
            running.put(h, new Running(id, -1, d.id(), reply, "list", null, timeout));
            env.run(h, d, d.agentAction("list"), null, null, timeout);
        }
        for (Device d : statusChecks) {
            long h = ++handles;
            long timeout = d.timeoutMs("status", config.stonithTimeoutMs());
            running.put(h, new Running(id, -1, d.id(), reply, "status", target, timeout));
            env.run(h, d, d.agentAction("status"), target, d.port(target), timeout);
        }
    }

    /** A host check of a device ended (Pacemaker's {@code dynamic_list_search_cb}, {@code status_search_cb}). */
    private void checkDone(Running run, AgentResult r) {
        PendingReply reply = run.reply();
        Device d = registered.get(run.device());
        if (d != null) {
            if (run.kind().equals("list")) {
                if (r.ok()) {
                    Set<String> plugs = new HashSet<>();
                    for (String line : r.output().split("\n")) {
                        for (String p : line.strip().split(",")) {
                            if (!p.isBlank()) {
                                plugs.add(p.strip());
                            }
                        }
                    }
                    listCache.put(d.id(), new CachedList(env.now(), plugs));
                    if (plugs.contains(d.port(reply.target)) || plugs.contains(reply.target)) {
                        reply.capable.add(d.id());
                    }
                } else {
                    LOG.warn("fencer: list of {} failed ({}): it cannot fence {}", d.id(), describe(d.id(), "list", r, run.timeoutMs()),
                        reply.target);
                }
            } else if (r.exec() == ExecStatus.DONE && (r.exitCode() == 0 || r.exitCode() == 2)) {
                reply.capable.add(d.id());
            }
        }
        if (--reply.outstanding == 0) {
            List<String> order = new ArrayList<>();
            for (String id : registered.keySet()) {
                if (reply.capable.contains(id)) {
                    order.add(id);
                }
            }
            reply.capable.clear();
            reply.capable.addAll(order);
            sendReply(reply);
        }
    }

    private void sendReply(PendingReply reply) {
        env.multicast(XmlNode.of(ELEMENT, "op", "reply", "id", reply.id, "devices", String.join(",", reply.capable)));
    }

    private void onReply(String sender, XmlNode m) {
        String id = need(m, "id");
        List<String> devices = new ArrayList<>();
        for (String d : m.attribute("devices", "").split(",")) {
            if (!d.isBlank()) {
                devices.add(d);
            }
        }
        ListQuery q = lists.get(id);
        if (q != null) {
            q.devices.addAll(devices);
            q.waiting.remove(sender);
            finishListIfAnswered(id);
            return;
        }
        Op op = ops.get(id);
        if (op == null || op.phase != Phase.QUERY) {
            return;
        }
        op.replies.put(sender, List.copyOf(devices));
        if (isCoordinator(op) && allReplied(op)) {
            decide(op);
        }
    }

    private void finishListIfAnswered(String id) {
        ListQuery q = lists.get(id);
        if (q != null && q.waiting.isEmpty()) {
            lists.remove(id);
            env.cancelTimer("list|" + id);
            env.listed(id, List.copyOf(q.devices));
        }
    }

    private void onFence(XmlNode m) {
        Op op = ops.get(need(m, "id"));
        int step = Integer.parseInt(need(m, "step"));
        if (op == null || op.phase == Phase.ENDED || op.step != step) {
            return;
        }
        op.step++;
        op.decisionSent = -1;
        op.phase = Phase.EXEC;
        op.level = Integer.parseInt(need(m, "level"));
        op.attempt = Integer.parseInt(need(m, "attempt"));
        op.executor = need(m, "executor");
        op.device = need(m, "device");
        if (m.attribute("skipped") != null) {
            op.failures.add(m.attribute("skipped"));
        }
        String action = need(m, "action");
        long timeout = Long.parseLong(need(m, "timeout"));
        if (isCoordinator(op)) {
            armExec(op);
        }
        if (!op.executor.equals(local)) {
            return;
        }
        Device d = registered.get(op.device);
        if (d == null) {
            sendResult(op, step, false, "device " + op.device + " is not registered on " + local);
            return;
        }
        Running r = new Running(op.id, step, d.id(), null, action, op.target, timeout);
        long delay = d.delayBaseMs();
        if (d.delayMaxMs() > d.delayBaseMs()) {
            delay += random.nextLong(d.delayMaxMs() - d.delayBaseMs() + 1);
        }
        if (delay > 0) {
            LOG.info("fencer: {} of {} with {} delayed by {} ms (pcmk_delay_base/pcmk_delay_max)", action, op.target,
                d.id(), delay);
        }
        // even without a delay the device starts from a timer, after whatever input is already queued: a fencer
        // that was stopped and continues takes in the rest of its backlog first, so it never runs a step that
        // has since been decided otherwise
        String key = "delay|" + op.id + "|" + step;
        delayed.put(key, r);
        env.setTimer(key, delay);
    }

    private void start(Running r) {
        Device d = registered.get(r.device());
        Op op = ops.get(r.opId());
        if (op == null || op.phase != Phase.EXEC || op.step - 1 != r.step() || !local.equals(op.executor)) {
            LOG.warn("fencer: not running {} of {} with {}: step {} of {} was decided otherwise meanwhile", r.kind(),
                r.target(), r.device(), r.step(), r.opId());
            return;
        }
        if (d == null) {
            sendResult(r.opId(), r.step(), false, "device " + r.device() + " is no longer registered on " + local);
            return;
        }
        long h = ++handles;
        running.put(h, r);
        LOG.info("fencer: running {} of {} with {} ({})", r.kind(), r.target(), d.id(), d.agent());
        env.run(h, d, d.agentAction(r.kind()), r.target(), d.port(r.target()), r.timeoutMs());
    }

    private void sendResult(Op op, int step, boolean ok, String reason) {
        sendResult(op.id, step, ok, reason);
    }

    private void sendResult(String opId, int step, boolean ok, String reason) {
        XmlNode m = XmlNode.of(ELEMENT, "op", "result", "id", opId, "step", Integer.toString(step), "ok",
            Boolean.toString(ok));
        if (reason != null) {
            m = m.with("reason", reason);
        }
        env.multicast(m);
    }

    private void onResult(XmlNode m) {
        Op op = ops.get(need(m, "id"));
        int step = Integer.parseInt(need(m, "step"));
        if (op == null || op.phase != Phase.EXEC || op.step - 1 != step) {
            return;
        }
        op.phase = Phase.DECIDE;
        op.lastOk = Boolean.parseBoolean(need(m, "ok"));
        op.lastReason = m.attribute("reason");
        if (!op.lastOk) {
            op.failures.add(op.lastReason == null ? op.device + " failed" : op.lastReason);
        }
        op.delegate = op.executor;
        op.doneDevice = op.device;
        env.cancelTimer("exec|" + op.id + "|" + step);
        armed.remove("exec|" + op.id + "|" + step);
        if (isCoordinator(op)) {
            decide(op);
        }
    }

    private void onDone(XmlNode m) {
        String id = need(m, "id");
        Op op = ops.get(id);
        int step = Integer.parseInt(need(m, "step"));
        if (op == null) {
            // a history sync sent before it may still bring the operation
            strayDone.put(id, m);
            if (strayDone.size() > STRAY_MAX) {
                strayDone.remove(strayDone.keySet().iterator().next());
            }
            return;
        }
        // an observer does not follow the steps: only the end counts
        if (op.phase == Phase.ENDED || (op.step != step && !op.observer)) {
            return;
        }
        op.step++;
        State state = State.valueOf(need(m, "state"));
        end(op, state, m.attribute("reason"), m.attribute("delegate"), m.attribute("device"));
    }

    private void onConfirm(String sender, XmlNode m) {
        String id = need(m, "id");
        String target = need(m, "target");
        confirmedSinceJoin.add(target);
        for (Op op : List.copyOf(ops.values())) {
            if (op.phase != Phase.ENDED && op.mergedInto == null && op.target.equals(target)) {
                end(op, State.DONE, null, null, "manual confirmation");
            }
        }
        Op c = new Op();
        c.id = id;
        c.target = target;
        c.action = FenceAction.OFF;
        c.origin = sender;
        c.client = m.attribute("client", "?");
        c.members = new TreeSet<>();
        ops.put(id, c);
        LOG.info("fencer: {} confirmed by hand that {} is down ({})", sender, target, c.client);
        end(c, State.DONE, null, null, null);
        trimHistory();
    }

    private void end(Op op, State state, String reason, String delegate, String device) {
        op.phase = Phase.ENDED;
        op.state = state;
        op.reason = state == State.FAILED ? (reason == null ? "fencing failed" : reason) : null;
        op.delegate = delegate;
        op.doneDevice = device;
        op.completedMs = env.now();
        for (String key : List.copyOf(armed)) {
            if (key.equals("query|" + op.id) || key.startsWith("exec|" + op.id + "|")) {
                env.cancelTimer(key);
                armed.remove(key);
            }
        }
        if (state == State.DONE) {
            LOG.info("fencer: {} of {} done: delegate={} device={} client={} origin={}", op.action.wireName(),
                op.target, delegate, device, op.client, op.origin);
        } else {
            LOG.error("fencer: {} of {} failed: {} (client={} origin={})", op.action.wireName(), op.target, op.reason,
                op.client, op.origin);
        }
        env.ended(op.event());
        for (Op other : List.copyOf(ops.values())) {
            if (op.id.equals(other.mergedInto) && other.phase != Phase.ENDED) {
                end(other, state, reason, delegate, device);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- history sync

    /**
     * Nodes joined the group: multicasts this fencer's history, so that they (and every member) hold the
     * fencings done while they were away (Pacemaker's {@code stonith_fence_history} with a broadcast, answered
     * by every peer with its own history). Every member sends it from the same point of the agreed order: the
     * membership change.
     */
    private void sendHistory(Set<String> joined) {
        List<XmlNode> entries = new ArrayList<>();
        for (Op op : ops.values()) {
            XmlNode e = XmlNode.of("entry", "id", op.id, "target", op.target, "action", op.action.wireName(),
                "origin", op.origin, "client", op.client, "state", op.state.name());
            if (op.phase == Phase.ENDED) {
                e = e.with("completed", Long.toString(op.completedMs));
                e = op.reason == null ? e : e.with("reason", op.reason);
                e = op.delegate == null ? e : e.with("delegate", op.delegate);
                e = op.doneDevice == null ? e : e.with("device", op.doneDevice);
            } else {
                e = e.with("members", String.join(",", op.members)).with("at", Long.toString(op.createdMs))
                    .with("total", Long.toString(op.totalMs)).with("timeout", Long.toString(op.timeoutMs));
                e = op.mergedInto == null ? e : e.with("merged", op.mergedInto);
            }
            entries.add(e);
        }
        LOG.info("fencer: {} joined; sending the history of {} operation(s) to the group", joined, entries.size());
        env.multicast(XmlNode.of(ELEMENT, "op", "history").withChildren(entries));
    }

    /**
     * A member's history, sent when nodes joined (Pacemaker's {@code stonith_local_history_diff_and_merge}):
     * operations not known here are added (an ended one as it ended there; one in progress as an observer, see
     * {@link Op#observer}); an operation pending here that ended there takes that end; every member now holds the
     * operations in progress it names (for merging). Then the history is trimmed to its bound.
     */
    private void onHistory(String sender, XmlNode m) {
        int added = 0;
        for (XmlNode e : m.children("entry")) {
            String id = need(e, "id");
            State state = State.valueOf(need(e, "state"));
            Op op = ops.get(id);
            if (op != null) {
                if (op.phase != Phase.ENDED && state != State.PENDING) {
                    LOG.info("fencer: {} ended on {} ({}); taking its end from its history", id, sender, state);
                    end(op, state, e.attribute("reason"), e.attribute("delegate"), e.attribute("device"));
                } else if (op.phase != Phase.ENDED && op.mergedInto == null) {
                    op.knownBy = new TreeSet<>(members);
                }
                continue;
            }
            op = new Op();
            op.id = id;
            op.target = need(e, "target");
            op.action = FenceAction.of(need(e, "action"));
            op.origin = need(e, "origin");
            op.client = e.attribute("client", "?");
            op.members = new TreeSet<>();
            added++;
            if (state != State.PENDING) {
                op.phase = Phase.ENDED;
                op.state = state;
                op.completedMs = Long.parseLong(e.attribute("completed", "0"));
                op.reason = e.attribute("reason");
                op.delegate = e.attribute("delegate");
                op.doneDevice = e.attribute("device");
                ops.put(id, op);
                continue;
            }
            op.observer = true;
            op.createdMs = Long.parseLong(e.attribute("at", "0"));
            op.totalMs = Long.parseLong(e.attribute("total", "0"));
            op.timeoutMs = Long.parseLong(e.attribute("timeout", "0"));
            op.mergedInto = e.attribute("merged");
            for (String n : e.attribute("members", "").split(",")) {
                if (!n.isBlank() && members.contains(n) && !leftSinceJoin.contains(n)) {
                    op.members.add(n);
                }
            }
            op.knownBy = new TreeSet<>(members);
            ops.put(id, op);
            LOG.info("fencer: learnt from {} of {} ({} of {}, origin {}), in progress", sender, id,
                op.action.wireName(), op.target, op.origin);
            XmlNode done = strayDone.remove(id);
            Op into = op.mergedInto == null ? null : ops.get(op.mergedInto);
            if (done != null) {
                end(op, State.valueOf(need(done, "state")), done.attribute("reason"), done.attribute("delegate"),
                    done.attribute("device"));
            } else if (into != null && into.phase == Phase.ENDED) {
                end(op, into.state, into.reason, into.delegate, into.doneDevice);
            } else if (op.mergedInto == null && confirmedSinceJoin.contains(op.target)) {
                end(op, State.DONE, null, null, "manual confirmation");
            } else if (op.mergedInto == null && op.members.isEmpty()) {
                failOrphan(op);
            }
        }
        if (added > 0) {
            LOG.info("fencer: {} operation(s) added from the history of {}", added, sender);
            trimHistory();
        }
    }

    // ---------------------------------------------------------------------------------------------- coordinator

    /**
     * The fencer that decides for {@code op}: its origin while it has not left, else the lowest-named member that
     * saw its query and has not left since (every fencer computes the same one from the same agreed membership).
     */
    private String coordinator(Op op) {
        if (op.members.contains(op.origin)) {
            return op.origin;
        }
        return op.members.isEmpty() ? null : op.members.iterator().next();
    }

    private boolean isCoordinator(Op op) {
        return local.equals(coordinator(op));
    }

    /** If this node is the coordinator: arms its timers, or decides when nothing more is awaited. */
    private void coordinate(Op op) {
        if (!isCoordinator(op)) {
            return;
        }
        switch (op.phase) {
            case QUERY -> {
                if (allReplied(op)) {
                    decide(op);
                } else {
                    arm("query|" + op.id, Math.min(QUERY_TIMEOUT_MS, op.timeoutMs));
                }
            }
            case EXEC -> {
                if (!op.members.contains(op.executor)) {
                    sendResult(op, op.step - 1, false, op.executor + " left before " + op.device + " answered");
                } else {
                    armExec(op);
                }
            }
            case DECIDE -> decide(op);
            default -> {
            }
        }
    }

    private void armExec(Op op) {
        Device d = config.device(op.device);
        long timeout = d == null ? op.timeoutMs : d.timeoutMs(actionOf(op), op.timeoutMs);
        long delayMax = d == null ? 0 : d.delayMaxMs();
        arm("exec|" + op.id + "|" + (op.step - 1), timeout * 12 / 10 + delayMax);
    }

    private String actionOf(Op op) {
        List<List<Attempt>> plan = plan(op);
        if (op.level >= 0 && op.level < plan.size() && op.attempt < plan.get(op.level).size()) {
            return plan.get(op.level).get(op.attempt).action();
        }
        return op.action.wireName();
    }

    private void arm(String key, long ms) {
        if (armed.add(key)) {
            env.setTimer(key, ms);
        }
    }

    private boolean allReplied(Op op) {
        for (String n : op.members) {
            if (!n.equals(op.target) && !op.replies.containsKey(n)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The attempts for {@code op}, level by level: the target's topology levels in index order (Pacemaker's
     * {@code stonith_topology_next}), each device of a level in order (a reboot with several devices in a level is
     * {@code off} on each, then {@code on} on each, whose failures do not count); without topology, each device
     * some fencer reported, in CIB order, on its own. Depends only on the replies and the configuration, so every
     * coordinator plans alike.
     */
    private List<List<Attempt>> plan(Op op) {
        List<List<Attempt>> plan = new ArrayList<>();
        List<Level> levels = config.levelsFor(op.target);
        if (!levels.isEmpty()) {
            for (Level l : levels) {
                List<Attempt> attempts = new ArrayList<>();
                if (op.action == FenceAction.REBOOT && l.devices().size() > 1) {
                    for (String d : l.devices()) {
                        attempts.add(new Attempt(d, "off", true, l));
                    }
                    for (String d : l.devices()) {
                        attempts.add(new Attempt(d, "on", false, l));
                    }
                } else {
                    for (String d : l.devices()) {
                        attempts.add(new Attempt(d, op.action.wireName(), true, l));
                    }
                }
                plan.add(attempts);
            }
            return plan;
        }
        Set<String> reported = new HashSet<>();
        for (Map.Entry<String, List<String>> e : op.replies.entrySet()) {
            if (!e.getKey().equals(op.target)) {
                reported.addAll(e.getValue());
            }
        }
        for (Device d : config.devices()) {
            if (reported.contains(d.id())) {
                plan.add(List.of(new Attempt(d.id(), op.action.wireName(), true, null)));
            }
        }
        return plan;
    }

    /** The first non-target member that reported {@code device} and has not left since, or null. */
    private String executorFor(Op op, String device) {
        for (Map.Entry<String, List<String>> e : op.replies.entrySet()) {
            String n = e.getKey();
            if (!n.equals(op.target) && op.members.contains(n) && e.getValue().contains(device)) {
                return n;
            }
        }
        return null;
    }

    /** Decides the operation's next step and multicasts it (the coordinator only; once per step). */
    private void decide(Op op) {
        if (op.decisionSent == op.step) {
            return;
        }
        List<List<Attempt>> plan = plan(op);
        int level;
        int attempt;
        List<String> reasons = new ArrayList<>(op.failures);
        if (op.phase == Phase.QUERY) {
            if (plan.isEmpty()) {
                String why = "no fence device can fence " + op.target;
                if (!config.rejected().isEmpty()) {
                    why += "; left out for their configuration: " + String.join("; ", config.rejected().values());
                }
                sendDone(op, State.FAILED, why, null, null);
                return;
            }
            level = 0;
            attempt = 0;
        } else if (op.phase == Phase.DECIDE) {
            if (op.level >= plan.size()) {
                sendDone(op, State.FAILED, "the fencing configuration changed while fencing", op.delegate,
                    op.doneDevice);
                return;
            }
            List<Attempt> cur = plan.get(op.level);
            boolean required = op.attempt < cur.size() && cur.get(op.attempt).required();
            if (op.lastOk || !required) {
                if (!op.lastOk) {
                    LOG.warn("fencer: {}: {} failed in the on-phase of a reboot ({}); the target is off, going on",
                        op.id, op.device, op.lastReason);
                }
                if (op.attempt + 1 < cur.size()) {
                    level = op.level;
                    attempt = op.attempt + 1;
                } else {
                    sendDone(op, State.DONE, null, op.delegate, op.doneDevice);
                    return;
                }
            } else {
                level = op.level + 1;
                attempt = 0;
            }
        } else {
            return;
        }
        // skip the attempts no live node can run: the level fails
        while (level < plan.size()) {
            Attempt a = plan.get(level).get(attempt);
            String executor = executorFor(op, a.device());
            if (executor != null) {
                Device d = config.device(a.device());
                long timeout = d == null ? op.timeoutMs : d.timeoutMs(a.action(), op.timeoutMs);
                op.decisionSent = op.step;
                XmlNode m = XmlNode.of(ELEMENT, "op", "fence", "id", op.id, "step", Integer.toString(op.step),
                    "level", Integer.toString(level), "attempt", Integer.toString(attempt), "executor", executor,
                    "device", a.device(), "action", a.action(), "timeout", Long.toString(timeout));
                List<String> skipped = reasons.subList(op.failures.size(), reasons.size());
                if (!skipped.isEmpty()) {
                    m = m.with("skipped", String.join("; ", skipped));
                }
                env.multicast(m);
                return;
            }
            String why;
            if (config.device(a.device()) != null) {
                why = "no node can use device " + a.device() + " to fence " + op.target;
            } else if (a.level() == null) {
                why = "device " + a.device() + " is no longer configured";
            } else if (config.rejected().containsKey(a.device())) {
                why = "fencing-level '" + a.level().id() + "' (index " + a.level().index() + "): device "
                    + a.device() + " is left out: " + config.rejected().get(a.device());
            } else {
                why = "fencing-level '" + a.level().id() + "' (index " + a.level().index() + ") names device "
                    + a.device() + ", which is not in the CIB";
            }
            reasons.add(why);
            LOG.warn("fencer: {}: {}", op.id, why);
            if (!a.required()) {
                if (attempt + 1 < plan.get(level).size()) {
                    attempt++;
                    continue;
                }
                sendDone(op, State.DONE, null, op.delegate, op.doneDevice);
                return;
            }
            level++;
            attempt = 0;
        }
        sendDone(op, State.FAILED, reasons.isEmpty() ? "every fence device failed" : String.join("; ", reasons),
            op.delegate, op.doneDevice);
    }

    private void sendDone(Op op, State state, String reason, String delegate, String device) {
        op.decisionSent = op.step;
        XmlNode m = XmlNode.of(ELEMENT, "op", "done", "id", op.id, "step", Integer.toString(op.step), "state",
            state.name());
        if (reason != null) {
            m = m.with("reason", reason);
        }
        if (delegate != null) {
            m = m.with("delegate", delegate);
        }
        if (device != null) {
            m = m.with("device", device);
        }
        env.multicast(m);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /**
     * Keeps the history within its bound (Pacemaker's {@code stonith_fence_history_trim}): once it holds more than
     * {@link #HISTORY_MAX} operations, the ended ones but the newest {@code HISTORY_MAX / 2} are dropped (by their
     * end time); pending ones are always kept.
     */
    private void trimHistory() {
        if (ops.size() <= HISTORY_MAX) {
            return;
        }
        List<Op> ended = new ArrayList<>();
        for (Op op : ops.values()) {
            if (op.phase == Phase.ENDED) {
                ended.add(op);
            }
        }
        ended.sort((a, b) -> Long.compare(b.completedMs, a.completedMs));
        int keep = Math.max(0, HISTORY_MAX / 2 - (ops.size() - ended.size()));
        for (Op op : ended.subList(Math.min(keep, ended.size()), ended.size())) {
            ops.remove(op.id);
        }
        LOG.info("fencer: the history grew past {} operations; trimmed to {}", HISTORY_MAX, ops.size());
    }

    /** Why a device action failed, naming the action and the device (and, when it hung, its timeout). */
    private static String describe(String device, String action, AgentResult r, long timeoutMs) {
        String why = switch (r.exec()) {
            case TIMED_OUT -> "timed out" + (timeoutMs > 0 ? " after " + span(timeoutMs) : "")
                + " (the agent was killed)";
            case NOT_INSTALLED -> "agent not installed";
            case CANCELLED -> "cancelled";
            case ERROR -> "could not run";
            case DONE -> "exit status " + r.exitCode();
        };
        String reason = r.exitReason();
        if (r.exec() == ExecStatus.TIMED_OUT) {
            reason = null;   // the runner's own words say the same
        } else if (reason == null && r.error() != null && !r.error().isBlank()) {
            reason = r.error().strip().split("\n", 2)[0];
        }
        return action + " with " + device + " failed: " + why + (reason == null ? "" : " (" + reason + ")");
    }

    private static String span(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static String need(XmlNode m, String attr) {
        String v = m.attribute(attr);
        if (v == null) {
            throw new IllegalArgumentException("<" + m.name() + " op=\"" + m.attribute("op") + "\"> lacks " + attr);
        }
        return v;
    }
}
