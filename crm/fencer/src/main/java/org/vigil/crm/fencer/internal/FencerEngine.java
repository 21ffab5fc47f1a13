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
    /** How many ended operations the history keeps (Pacemaker's {@code MAX_STONITH_HISTORY}). */
    static final int HISTORY_MAX = 500;

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

        FenceEvent event() {
            return new FenceEvent(id, target, action, origin, delegate, doneDevice, client, state, completedMs,
                reason);
        }
    }

    /** One device attempt of a plan. */
    private record Attempt(String device, String action, boolean required) {
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
    private record Running(String opId, int step, String device, PendingReply reply, String kind, String target) {
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
        members = new TreeSet<>(now);
        for (ListQuery q : lists.values()) {
            q.waiting.removeAll(left);
            q.waiting.retainAll(members);
        }
        for (Op op : ops.values()) {
            op.members.removeAll(left);
            op.members.retainAll(members);
        }
        for (String id : List.copyOf(lists.keySet())) {
            finishListIfAnswered(id);
        }
        for (Op op : List.copyOf(ops.values())) {
            if (op.phase != Phase.ENDED && op.mergedInto == null) {
                coordinate(op);
            }
        }
    }

    /**
     * A local request to fence {@code target} (Pacemaker's {@code st_fence} from a client).
     *
     * @param timeoutMs the default timeout of each device, or 0 for {@code stonith-timeout}
     * @return the id of the operation whose end answers it: a new one, or the one in progress for the same target
     *         and action
     */
    public String fence(String target, FenceAction action, String client, long timeoutMs) {
        for (Op op : ops.values()) {
            if (op.phase != Phase.ENDED && op.mergedInto == null && op.target.equals(target)
                && op.action == action) {
                LOG.info("fencer: {} of {} for {} merged into {} (in progress)", action.wireName(), target, client,
                    op.id);
                return op.id;
            }
        }
        String id = idPrefix + ":" + (++seq);
        env.multicast(XmlNode.of(ELEMENT, "op", "query", "purpose", "fence", "id", id, "target", target, "action",
            action.wireName(), "client", client, "timeout", Long.toString(timeoutMs)));
        return id;
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
                    sendResult(op, step, false, "device " + op.device + " on " + op.executor
                        + " did not answer in time");
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
        String reason = ok ? null : describe(run.device(), run.kind(), r);
        LOG.info("fencer: {} of {} with {}: {}", run.kind(), run.target(), run.device(), ok ? "OK" : reason);
        sendResult(run.opId(), run.step(), ok, reason);
    }

    // ---------------------------------------------------------------------------------------------- queries

    /** This node's history (every operation it saw), oldest first; {@code target} null for all. */
    public List<FenceEvent> history(String target) {
        List<FenceEvent> out = new ArrayList<>();
        for (Op op : ops.values()) {
            if (target == null || op.target.equals(target)) {
                out.add(op.event());
            }
        }
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
        op.members = new TreeSet<>(members);
        op.members.add(sender);
        for (Op other : ops.values()) {
            // merged only when every member knows the other operation, so that every member merges alike (a
            // node that joined since does not know it)
            if (other.phase != Phase.ENDED && other.mergedInto == null && other.target.equals(target)
                && other.action == action && other.members.containsAll(op.members)) {
                op.mergedInto = other.id;
                break;
            }
        }
        ops.put(id, op);
        trimHistory();
        if (op.mergedInto != null) {
            LOG.info("fencer: {} of {} by {} ({}) merged into {}, in progress", action.wireName(), target, sender,
                op.client, op.mergedInto);
            return;
        }
        LOG.info("fencer: {} asks to {} {} ({})", sender, action.wireName(), target, op.client);
        prepareReply(id, target);
        coordinate(op);
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
            running.put(h, new Running(id, -1, d.id(), reply, "list", null));
            env.run(h, d, d.agentAction("list"), null, null, d.timeoutMs("list", config.stonithTimeoutMs()));
        }
        for (Device d : statusChecks) {
            long h = ++handles;
            running.put(h, new Running(id, -1, d.id(), reply, "status", target));
            env.run(h, d, d.agentAction("status"), target, d.port(target),
                d.timeoutMs("status", config.stonithTimeoutMs()));
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
                    LOG.warn("fencer: list of {} failed ({}): it cannot fence {}", d.id(), describe(d.id(), "list", r),
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
        Running r = new Running(op.id, step, d.id(), null, action, op.target);
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
        pendingTimeouts.put(op.id + "|" + step, timeout);
        env.setTimer(key, delay);
    }

    private final Map<String, Long> pendingTimeouts = new HashMap<>();

    private void start(Running r) {
        Device d = registered.get(r.device());
        Long timeout = pendingTimeouts.remove(r.opId() + "|" + r.step());
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
        env.run(h, d, d.agentAction(r.kind()), r.target(), d.port(r.target()),
            timeout == null ? d.timeoutMs(r.kind(), config.stonithTimeoutMs()) : timeout);
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
        Op op = ops.get(need(m, "id"));
        int step = Integer.parseInt(need(m, "step"));
        if (op == null || op.phase == Phase.ENDED || op.step != step) {
            return;
        }
        op.step++;
        State state = State.valueOf(need(m, "state"));
        end(op, state, m.attribute("reason"), m.attribute("delegate"), m.attribute("device"));
    }

    private void onConfirm(String sender, XmlNode m) {
        String id = need(m, "id");
        String target = need(m, "target");
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
                        attempts.add(new Attempt(d, "off", true));
                    }
                    for (String d : l.devices()) {
                        attempts.add(new Attempt(d, "on", false));
                    }
                } else {
                    for (String d : l.devices()) {
                        attempts.add(new Attempt(d, op.action.wireName(), true));
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
                plan.add(List.of(new Attempt(d.id(), op.action.wireName(), true)));
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
                sendDone(op, State.FAILED, config.levelsFor(op.target).isEmpty()
                    ? "no fence device can fence " + op.target : "no fencing level for " + op.target, null, null);
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
            String why = config.device(a.device()) == null
                ? "a fencing level names device " + a.device() + ", which is not configured"
                : "no node can use device " + a.device() + " to fence " + op.target;
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

    private void trimHistory() {
        int ended = 0;
        for (Op op : ops.values()) {
            if (op.phase == Phase.ENDED) {
                ended++;
            }
        }
        var it = ops.values().iterator();
        while (ended > HISTORY_MAX && it.hasNext()) {
            if (it.next().phase == Phase.ENDED) {
                it.remove();
                ended--;
            }
        }
    }

    private static String describe(String device, String action, AgentResult r) {
        String why = switch (r.exec()) {
            case TIMED_OUT -> "timed out";
            case NOT_INSTALLED -> "agent not installed";
            case CANCELLED -> "cancelled";
            case ERROR -> "could not run";
            case DONE -> "exit status " + r.exitCode();
        };
        String reason = r.exitReason();
        if (reason == null && r.error() != null && !r.error().isBlank()) {
            reason = r.error().strip().split("\n", 2)[0];
        }
        return action + " with " + device + " failed: " + why + (reason == null ? "" : " (" + reason + ")");
    }

    private static String need(XmlNode m, String attr) {
        String v = m.attribute(attr);
        if (v == null) {
            throw new IllegalArgumentException("<" + m.name() + " op=\"" + m.attribute("op") + "\"> lacks " + attr);
        }
        return v;
    }
}
