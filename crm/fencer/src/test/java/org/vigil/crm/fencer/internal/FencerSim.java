package org.vigil.crm.fencer.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.fencer.internal.FencerConfig.AgentInfo;
import org.vigil.crm.fencer.internal.FencerConfig.Device;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;

/**
 * A seeded, virtual-time simulator of a cluster of {@link FencerEngine}s: a CPG group that delivers every
 * message to every live member in one agreed order (a message from a node that crashed before its delivery is
 * lost, as virtual synchrony allows), membership changes detected a token timeout after a crash, timers, and
 * simulated fence devices whose behaviour a test sets (succeed, fail, hang until their timeout). A device that
 * switches its target off kills that node. Every step is traced; invariants are checked and a broken one is traced
 * as a {@code VIOLATION}.
 */
final class FencerSim {

    static final long LATENCY_MS = 1;
    static final long TOKEN_MS = 1000;
    static final long DEVICE_MS = 200;

    /** How a simulated device behaves. */
    enum Behaviour { OK, FAIL, HANG }

    private static final class Event {
        final long at;
        final long seq;
        final Runnable action;
        boolean cancelled;

        Event(long at, long seq, Runnable action) {
            this.at = at;
            this.seq = seq;
            this.action = action;
        }
    }

    final class SimNode {
        final String name;
        FencerEngine engine;
        boolean alive;
        /** Seen by the group since it last booted: only then does it get messages (CPG's join). */
        boolean joined;
        /** Stopped (kill -STOP): still a member, but its fencer takes no input and says nothing. */
        boolean frozen;
        /** What a frozen fencer is given, taken in order when it continues. */
        final List<Runnable> backlog = new ArrayList<>();
        int incarnation;
        final Map<String, Event> timers = new HashMap<>();
        final Map<String, FenceEvent> ended = new LinkedHashMap<>();
        final List<String> listed = new ArrayList<>();

        SimNode(String name) {
            this.name = name;
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
        ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long seq;
    long now;
    final Random random;
    final Map<String, SimNode> nodes = new TreeMap<>();
    final StringBuilder trace = new StringBuilder();
    /** Device behaviour by device id (default OK). */
    final Map<String, Behaviour> behaviour = new HashMap<>();
    final Map<String, Long> deviceMs = new HashMap<>();
    /** {@code list} output by device id. */
    final Map<String, String> listOutput = new HashMap<>();
    /** Plugs a {@code status} query answers for, by device id (absent: every plug). */
    final Map<String, Set<String>> statusPlugs = new HashMap<>();
    final Map<String, AgentInfo> agents = new HashMap<>();
    XmlNode cib = XmlNode.of("cib");
    /** Query delivery time and target by operation id. */
    final Map<String, long[]> queryAt = new HashMap<>();
    final Map<String, String> queryTarget = new HashMap<>();
    /** Successful off/reboot runs: target to the times they completed. */
    final Map<String, List<Long>> fencedAt = new HashMap<>();
    /** Manual confirmations, by target: times. */
    final Map<String, List<Long>> confirmedAt = new HashMap<>();
    final List<String> violations = new ArrayList<>();
    /** Print deliveries of every message, not just the notable steps. */
    boolean verbose;

    FencerSim(long seed) {
        this.random = new Random(seed);
    }

    // ------------------------------------------------------------------------------------------- setup

    void addNode(String name) {
        nodes.put(name, new SimNode(name));
    }

    /** Boots {@code name}: a fresh engine joins the group (members see it after {@link #LATENCY_MS}). */
    void boot(String name) {
        SimNode n = nodes.get(name);
        if (n.alive) {
            left.add(name);   // a reboot: the old process left
        }
        n.alive = true;
        n.joined = false;
        n.frozen = false;
        n.backlog.clear();
        n.incarnation++;
        n.timers.clear();
        int inc = n.incarnation;
        n.engine = new FencerEngine(name, name + "." + inc, new Random(random.nextLong()), env(n, inc));
        n.engine.configure(FencerConfig.parse(cib), agents);
        log(name, "boots");
        membershipSoon(LATENCY_MS);
    }

    void setCib(XmlNode newCib) {
        cib = newCib;
        FencerConfig c = FencerConfig.parse(cib);
        for (String p : c.problems()) {
            trace.append("config: ").append(p).append('\n');
        }
        for (SimNode n : nodes.values()) {
            if (n.alive) {
                for (String p : n.engine.configure(c, agents)) {
                    log(n.name, p);
                }
            }
        }
    }

    private FencerEngine.Env env(SimNode n, int inc) {
        return new FencerEngine.Env() {
            @Override
            public long now() {
                return now;
            }

            @Override
            public void multicast(XmlNode message) {
                if (!current() || n.frozen) {
                    return;
                }
                if (verbose) {
                    log(n.name, "multicast " + brief(message));
                }
                at(now + LATENCY_MS, () -> {
                    if (!current()) {
                        return;   // crashed before it was delivered: lost
                    }
                    if ("query".equals(message.attribute("op")) && !queryAt.containsKey(message.attribute("id"))) {
                        queryAt.put(message.attribute("id"), new long[] {now});
                        queryTarget.put(message.attribute("id"), message.attribute("target"));
                    }
                    note(n.name, message);
                    for (SimNode r : nodes.values()) {
                        if (r.alive && r.joined) {
                            input(r, () -> r.engine.deliver(n.name, message));
                        }
                    }
                });
            }

            @Override
            public void run(long handle, Device device, String agentAction, String target, String port,
                            long timeoutMs) {
                if (!current()) {
                    return;
                }
                boolean fencing = agentAction.equals("off") || agentAction.equals("reboot") || agentAction.equals("on");
                if (fencing) {
                    log(n.name, "runs " + agentAction + " " + target + " with " + device.id()
                        + (port.equals(target) ? "" : " (port " + port + ")") + " timeout " + timeoutMs + "ms");
                }
                Behaviour b = behaviour.getOrDefault(device.id(), Behaviour.OK);
                long took = b == Behaviour.HANG ? timeoutMs : deviceMs.getOrDefault(device.id(), DEVICE_MS);
                at(now + took, () -> {
                    if (!current()) {
                        return;
                    }
                    AgentResult r = outcome(device, agentAction, port, b, took);
                    if (fencing) {
                        log(n.name, agentAction + " " + target + " with " + device.id() + ": "
                            + (r.ok() ? "OK" : r.exec() == ExecStatus.TIMED_OUT ? "timed out" : "failed"));
                        if (r.ok() && !agentAction.equals("on")) {
                            fencedAt.computeIfAbsent(target, k -> new ArrayList<>()).add(now);
                            SimNode t = nodes.get(target);
                            if (t != null && t.alive) {
                                crash(target);
                            }
                        }
                    }
                    input(n, () -> n.engine.deviceDone(handle, r));
                });
            }

            @Override
            public void setTimer(String key, long delayMs) {
                if (!current()) {
                    return;
                }
                cancelTimer(key);
                Event[] self = new Event[1];
                self[0] = at(now + delayMs, () -> {
                    if (current() && n.timers.get(key) == self[0]) {
                        n.timers.remove(key);
                        input(n, () -> n.engine.timer(key));
                    }
                });
                n.timers.put(key, self[0]);
            }

            @Override
            public void cancelTimer(String key) {
                Event e = n.timers.remove(key);
                if (e != null) {
                    e.cancelled = true;
                }
            }

            @Override
            public void ended(FenceEvent e) {
                if (!current()) {
                    return;
                }
                log(n.name, "ended " + e.id() + " " + e.action().wireName() + " " + e.target() + " " + e.state()
                    + (e.delegate() == null ? "" : " delegate=" + e.delegate())
                    + (e.device() == null ? "" : " device=" + e.device())
                    + (e.reason() == null ? "" : " (" + e.reason() + ")"));
                n.ended.put(e.id(), e);
                checkEnded(n, e);
            }

            @Override
            public void listed(String queryId, List<String> devices) {
                log(n.name, "devices for " + queryId + ": " + devices);
                n.listed.add(queryId);
            }

            private boolean current() {
                return n.alive && n.incarnation == inc;
            }
        };
    }

    private AgentResult outcome(Device device, String action, String port, Behaviour b, long took) {
        Duration d = Duration.ofMillis(took);
        if (b == Behaviour.HANG) {
            return AgentResult.failed(ExecStatus.TIMED_OUT, OcfStatus.ERR_GENERIC, "timed out", d);
        }
        if (b == Behaviour.FAIL && !action.equals("list") && !action.equals("status")) {
            return new AgentResult(ExecStatus.DONE, OcfStatus.ERR_GENERIC, 1, "", "ocf-exit-reason:power switch "
                + "did not answer\n", d);
        }
        return switch (action) {
            case "list" -> new AgentResult(ExecStatus.DONE, OcfStatus.OK, 0,
                listOutput.getOrDefault(device.id(), "").replace(' ', '\n'), "", d);
            case "status" -> {
                Set<String> plugs = statusPlugs.get(device.id());
                int rc = plugs == null || plugs.contains(port) ? 0 : 1;
                yield new AgentResult(ExecStatus.DONE, OcfStatus.of(rc), rc, "", "", d);
            }
            default -> new AgentResult(ExecStatus.DONE, OcfStatus.OK, 0, "", "", d);
        };
    }

    // ------------------------------------------------------------------------------------------- events

    private Event at(long t, Runnable r) {
        Event e = new Event(t, ++seq, r);
        queue.add(e);
        return e;
    }

    /** Crashes {@code name} now: it stops at once; the others see it gone a token timeout later. */
    void crash(String name) {
        SimNode n = nodes.get(name);
        if (!n.alive) {
            return;
        }
        n.alive = false;
        left.add(name);
        n.timers.values().forEach(e -> e.cancelled = true);
        n.timers.clear();
        log(name, "crashes");
        membershipSoon(TOKEN_MS);
    }

    /** Stops (or continues) {@code name}'s fencer: it stays a member but takes nothing in. */
    void freeze(String name, boolean frozen) {
        SimNode n = nodes.get(name);
        n.frozen = frozen;
        log(name, frozen ? "freezes (kill -STOP)" : "continues");
        if (!frozen) {
            List<Runnable> todo = List.copyOf(n.backlog);
            n.backlog.clear();
            todo.forEach(Runnable::run);
        }
    }

    private void input(SimNode n, Runnable r) {
        if (n.frozen) {
            n.backlog.add(r);
        } else {
            r.run();
        }
    }

    /** Traces the coordinator's decisions and the device results as the group delivers them. */
    private void note(String sender, XmlNode m) {
        switch (m.attribute("op", "")) {
            case "fence" -> log(sender, "decides: " + m.attribute("executor") + " runs " + m.attribute("action")
                + " " + "with " + m.attribute("device") + " (" + m.attribute("id") + " step " + m.attribute("step")
                + ")" + (m.attribute("skipped") == null ? "" : ", skipping: " + m.attribute("skipped")));
            case "history" -> {
                int n = m.children("entry").size();
                log(sender, "sends its history (" + n + " operation" + (n == 1 ? "" : "s") + ")");
            }
            case "result" -> {
                if (!Boolean.parseBoolean(m.attribute("ok"))) {
                    log(sender, "result: " + m.attribute("id") + " step " + m.attribute("step") + " failed: "
                        + m.attribute("reason"));
                }
            }
            default -> {
            }
        }
    }

    /** Nodes that crashed or rebooted since the last membership change. */
    private final Set<String> left = new java.util.HashSet<>();
    private final Set<Long> membershipAt = new java.util.HashSet<>();

    private void membershipSoon(long delay) {
        if (!membershipAt.add(now + delay)) {
            return;   // one change for everything that happens at once
        }
        long when = now + delay;
        at(when, () -> {
            membershipAt.remove(when);
            Set<String> live = new TreeSet<>();
            for (SimNode n : nodes.values()) {
                if (n.alive) {
                    live.add(n.name);
                }
            }
            Set<String> gone = Set.copyOf(left);
            left.clear();
            log("--", "members " + live + (gone.isEmpty() ? "" : " left " + new TreeSet<>(gone)));
            for (SimNode n : nodes.values()) {
                if (n.alive) {
                    n.joined = true;
                    input(n, () -> n.engine.membership(live, gone));
                }
            }
        });
    }

    /** Runs events until {@code until} (inclusive). */
    void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().at <= until) {
            Event e = queue.poll();
            if (e.cancelled) {
                continue;
            }
            now = e.at;
            e.action.run();
        }
        now = Math.max(now, until);
    }

    /** Runs until nothing is left to do (bounded: a livelock is a violation). */
    void stabilize() {
        int n = 0;
        while (!queue.isEmpty()) {
            if (++n > 200_000) {
                violation("did not settle after 200000 events");
                return;
            }
            Event e = queue.poll();
            if (e.cancelled) {
                continue;
            }
            now = e.at;
            e.action.run();
        }
        checkSettled();
    }

    // ------------------------------------------------------------------------------------------- commands

    String fence(String node, String target, FenceAction action) {
        String id = nodes.get(node).engine.fence(target, action, "sim." + node, 0);
        log(node, "asks to " + action.wireName() + " " + target + ": " + id);
        return id;
    }

    void confirm(String node, String target) {
        String id = nodes.get(node).engine.confirm(target, "sim." + node);
        confirmedAt.computeIfAbsent(target, k -> new ArrayList<>()).add(now);
        log(node, "confirms " + target + " is down: " + id);
    }

    void list(String node, String target) {
        String id = nodes.get(node).engine.listQuery(target);
        log(node, "asks which devices can fence " + target + ": " + id);
    }

    // ------------------------------------------------------------------------------------------- invariants

    /**
     * On every end: (1) agreement: every node that ended the operation ended it alike; (2) validity: a fencing
     * that ended DONE was preceded, since its query, by a device switching the target off or a confirmation.
     */
    private void checkEnded(SimNode n, FenceEvent e) {
        for (SimNode o : nodes.values()) {
            FenceEvent other = o.ended.get(e.id());
            if (other != null && o != n && other.state() != e.state()) {
                violation(e.id() + " ended " + e.state() + " on " + n.name + " but " + other.state() + " on " + o.name);
            }
        }
        String first = e.id();
        for (String m = e.id(); m != null; m = n.engine.mergedInto(m)) {
            first = m;
        }
        if (e.state() == FenceEvent.State.DONE && e.action() != FenceAction.ON && queryAt.containsKey(first)) {
            long since = queryAt.get(first)[0];
            boolean fenced = fencedAt.getOrDefault(e.target(), List.of()).stream().anyMatch(t -> t >= since)
                || confirmedAt.getOrDefault(e.target(), List.of()).stream().anyMatch(t -> t >= since);
            if (!fenced) {
                violation(e.id() + " ended DONE on " + n.name + " but no device fenced " + e.target() + " since "
                    + "it was asked");
            }
        }
    }

    /**
     * After settling: every operation a live node knows has ended there (no operation hangs), and every live node
     * that holds an operation in its history (seen, or brought by a history sync) holds the same end.
     */
    void checkSettled() {
        Map<String, FenceEvent> seen = new HashMap<>();
        Map<String, String> where = new HashMap<>();
        for (SimNode n : nodes.values()) {
            if (!n.alive || n.frozen) {
                continue;
            }
            for (FenceEvent e : n.engine.history(null)) {
                if (!e.ended()) {
                    violation(e.id() + " is still pending on " + n.name + " with nothing left to do");
                    continue;
                }
                FenceEvent other = seen.putIfAbsent(e.id(), e);
                if (other != null && other.state() != e.state()) {
                    violation(e.id() + " is " + e.state() + " in the history of " + n.name + " but "
                        + other.state() + " in that of " + where.get(e.id()));
                }
                where.putIfAbsent(e.id(), n.name);
            }
        }
    }

    private void violation(String what) {
        violations.add(what);
        trace.append("VIOLATION ").append(what).append('\n');
    }

    void log(String node, String text) {
        trace.append(String.format(Locale.ROOT, "%d.%03d %s %s%n", now / 1000, now % 1000, node, text));
    }

    static String brief(XmlNode m) {
        StringBuilder b = new StringBuilder(m.attribute("op", "?"));
        for (int i = 0; i < m.attributeCount(); i++) {
            if (!m.attributeName(i).equals("op")) {
                b.append(' ').append(m.attributeName(i)).append('=').append(m.attributeValue(i));
            }
        }
        return b.toString();
    }

    /** The history lines of {@code node}. */
    String history(String node) {
        StringBuilder b = new StringBuilder();
        for (FenceEvent e : nodes.get(node).engine.history(null)) {
            b.append(e.id()).append(' ').append(e.action().wireName()).append(' ').append(e.target()).append(' ')
                .append(e.state()).append(" origin=").append(e.origin()).append(" client=").append(e.client());
            if (e.delegate() != null) {
                b.append(" delegate=").append(e.delegate());
            }
            if (e.device() != null) {
                b.append(" device=").append(e.device());
            }
            if (e.reason() != null) {
                b.append(" reason=").append(e.reason());
            }
            b.append('\n');
        }
        return b.toString();
    }
}
