package org.vigil.quorum.internal.votequorum;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.config.VigilConfig;

/**
 * Vigil's votequorum, one {@link Votequorum} per simulated node, fed exactly the inputs corosync's votequorum
 * received inside {@code corosync-vqsim}, in the same order.
 *
 * <p>vqsim runs each node as its own process; which NODEINFO a node processes before it activates a sync
 * depends on the scheduling of those processes, and the result can depend on that order (votequorum's handling
 * is order-sensitive, e.g. for wait_for_all). So the test reads, from each simulated node's debug log, the
 * sequence of its inputs (sync start, sync process, sync activation, each NODEINFO with its sender and content,
 * the last_man_standing timer) and replays that sequence into the matching Vigil node. Each message a Vigil
 * node receives is the one the matching Vigil sender produced; its content must equal what corosync's node
 * received, so every NODEINFO Vigil sends is compared too.
 *
 * <p>The partition bookkeeping follows vqsim: a ring per partition whose representative is the first node of
 * the partition's list and whose sequence grows by 4; a split or join gives every partition a new ring; a new
 * node first syncs a ring of its own ({@code id.1}); at start-up nodes are created one by one, each creation
 * giving partition 0 a new ring. The {@code expected_votes_tracking} file reads 0 at every start (corosync
 * 3.1.7 closes its descriptor after reading it, so the value is never written back).
 */
final class VqsimReplay {

    /** What one node reports, as vqsim's {@code show} prints it, plus the last calculation's figures. */
    record NodeView(int partition, int nodeId, boolean quorate, String ring, List<Integer> view, long totalVotes,
                    long ourExpected, long quorum) {
    }

    /** Where a node must be after a step, from the partition bookkeeping alone. */
    record Shape(int partition, String ring, List<Integer> view) {
    }

    /** One input of a simulated node, read from its log. */
    sealed interface Event {
    }

    record Init() implements Event {
    }

    record SyncInit() implements Event {
    }

    record Process(String ring) implements Event {
    }

    record Activate() implements Event {
    }

    record Deliver(int sender, VqMessage.NodeInfo content) implements Event {
    }

    record LmsTimer() implements Event {
    }

    private record Ring(RingId id, List<Integer> members) {
    }

    /**
     * A NODEINFO a Vigil node sent, with the members of its ring at that moment: every one of them that is
     * still live must receive it in corosync too.
     */
    private record Sent(VqMessage message, List<Integer> to) {
    }

    private final VigilConfig config;
    private final Map<Integer, Votequorum> live = new TreeMap<>();
    private final List<List<Integer>> parts = new ArrayList<>();
    private final int[] rep = new int[16];
    private final long[] seq = new long[16];
    private final Map<Integer, Deque<Ring>> pendingRings = new HashMap<>();
    private final Map<Integer, List<Sent>> outbox = new HashMap<>();
    private final Map<Integer, Map<Integer, Integer>> cursor = new HashMap<>();
    /** Per receiver, per sender: the indexes of the sender's outbox the receiver consumed this step. */
    private final Map<Integer, Map<Integer, java.util.BitSet>> consumed = new HashMap<>();
    private final List<Integer> forkOrder = new ArrayList<>();
    private long messagesMatched;
    private long messagesToNobody;

    VqsimReplay(VigilConfig config) {
        this.config = config;
        for (int i = 0; i < 16; i++) {
            parts.add(new ArrayList<>());
            rep[i] = 1000 + i;
        }
    }

    /** NODEINFO messages whose content Vigil's sender produced exactly as corosync's node received them. */
    long messagesMatched() {
        return messagesMatched;
    }

    /** Node ids in the order vqsim forked their processes. */
    List<Integer> forkOrder() {
        return forkOrder;
    }

    /** vqsim's start-up: every configured node created in partition 0, one after the other. */
    void start() {
        newStep();
        for (VigilConfig.Node n : config.nodes()) {
            create(n.nodeId(), 0);
            seq[0] += 4;
            rep[0] = parts.get(0).get(0);
            Ring ring = new Ring(new RingId(rep[0], seq[0]), List.copyOf(parts.get(0)));
            for (int id : parts.get(0)) {
                pendingRings.get(id).addLast(ring);
            }
        }
    }

    /** The partition bookkeeping of one vqsim command. */
    void command(String command) {
        newStep();
        String[] w = command.trim().split("\\s+");
        switch (w[0]) {
            case "up" -> {
                String[] pn = w[1].split(":");
                int p = Integer.parseInt(pn[0]);
                create(Integer.parseInt(pn[1]), p);
                newRing(p);
            }
            case "down" -> {
                int id = Integer.parseInt(w[1]);
                live.remove(id);
                pendingRings.remove(id);
                for (int p = 0; p < parts.size(); p++) {
                    if (parts.get(p).remove(Integer.valueOf(id))) {
                        newRing(p);
                    }
                }
            }
            case "split", "move" -> {
                for (int i = 1; i < w.length; i++) {
                    String[] pn = w[i].split(":");
                    int p = Integer.parseInt(pn[0]);
                    for (String id : pn[1].split(",")) {
                        Integer node = Integer.valueOf(id);
                        for (List<Integer> l : parts) {
                            l.remove(node);
                        }
                        parts.get(p).add(node);
                    }
                }
                for (int p = 0; p < parts.size(); p++) {
                    newRing(p);
                }
            }
            case "join" -> {
                int a = Integer.parseInt(w[1]);
                for (int i = 2; i < w.length; i++) {
                    int b = Integer.parseInt(w[i]);
                    parts.get(a).addAll(parts.get(b));
                    parts.get(b).clear();
                }
                for (int p = 0; p < parts.size(); p++) {
                    newRing(p);
                }
            }
            default -> throw new IllegalArgumentException("unknown vqsim command " + command);
        }
    }

    /** Where every live node must be once the step is done. */
    Map<Integer, Shape> shapes() {
        Map<Integer, Shape> out = new TreeMap<>();
        for (int p = 0; p < parts.size(); p++) {
            for (int id : parts.get(p)) {
                out.put(id, new Shape(p, new RingId(rep[p], seq[p]).toString(), List.copyOf(parts.get(p))));
            }
        }
        return out;
    }

    /**
     * Replays the step's inputs, node by node in each node's own order; a NODEINFO is delivered once its
     * sender (a Vigil node) has produced it.
     *
     * @param events each live node's inputs since the previous step, in order
     * @return null, or what differed
     */
    String replay(Map<Integer, List<Event>> events) {
        Map<Integer, Deque<Event>> pending = new TreeMap<>();
        for (var e : events.entrySet()) {
            if (live.containsKey(e.getKey())) {
                pending.put(e.getKey(), new ArrayDeque<>(e.getValue()));
            }
        }
        while (true) {
            boolean progress = false;
            boolean left = false;
            for (var e : pending.entrySet()) {
                int node = e.getKey();
                Deque<Event> q = e.getValue();
                while (!q.isEmpty()) {
                    Event ev = q.peekFirst();
                    Object r = execute(node, ev);
                    if (r == null) {
                        break;
                    }
                    if (r instanceof String diff) {
                        return diff;
                    }
                    q.removeFirst();
                    progress = true;
                }
                left |= !q.isEmpty();
            }
            if (!left) {
                break;
            }
            if (!progress) {
                StringBuilder b = new StringBuilder("corosync's nodes received NODEINFO that Vigil's nodes never sent:");
                for (var e : pending.entrySet()) {
                    if (!e.getValue().isEmpty() && e.getValue().peekFirst() instanceof Deliver d) {
                        b.append("\n  node ").append(e.getKey()).append(" received from node ").append(d.sender())
                            .append(' ').append(d.content()).append("; Vigil's node ").append(d.sender())
                            .append(" sent ").append(outbox.getOrDefault(d.sender(), List.of()).stream()
                                .map(Sent::message).toList());
                    }
                }
                return b.toString();
            }
        }
        String unreceived = unreceived();
        if (unreceived != null) {
            return unreceived;
        }
        for (var e : pendingRings.entrySet()) {
            if (live.containsKey(e.getKey()) && !e.getValue().isEmpty()) {
                return "node " + e.getKey() + " never started the sync of ring " + e.getValue().peekFirst().id()
                    + " (vqsim's log has fewer sync starts than the partitions imply)";
            }
        }
        return null;
    }

    /** @return Boolean.TRUE when done, null when blocked, a String for a difference */
    private Object execute(int node, Event ev) {
        Votequorum vq = live.get(node);
        if (ev instanceof Init) {
            return Boolean.TRUE;
        }
        if (ev instanceof SyncInit) {
            Ring ring = pendingRings.get(node).pollFirst();
            if (ring == null) {
                return "node " + node + " started a sync that the partitions do not imply";
            }
            collect(node, vq.syncInit(ring.id(), ring.members()));
            return Boolean.TRUE;
        }
        if (ev instanceof Process p) {
            collect(node, vq.syncProcess());
            if (p.ring() != null && !p.ring().equals(vq.ring().toString())) {
                return "node " + node + " processed the sync of ring " + p.ring() + " in corosync, of ring "
                    + vq.ring() + " in Vigil";
            }
            return Boolean.TRUE;
        }
        if (ev instanceof Activate) {
            collect(node, vq.syncActivate());
            return Boolean.TRUE;
        }
        if (ev instanceof LmsTimer) {
            collect(node, vq.timerExpired(VqAction.Timer.LAST_MAN_STANDING));
            return Boolean.TRUE;
        }
        Deliver d = (Deliver) ev;
        List<Sent> sent = outbox.getOrDefault(d.sender(), List.of());
        Map<Integer, Integer> cur = cursor.computeIfAbsent(node, k -> new HashMap<>());
        int from = cur.getOrDefault(d.sender(), 0);
        for (int i = from; i < sent.size(); i++) {
            if (sent.get(i).message().equals(d.content())) {
                cur.put(d.sender(), i + 1);
                consumed.computeIfAbsent(node, k -> new HashMap<>())
                    .computeIfAbsent(d.sender(), k -> new java.util.BitSet()).set(i);
                messagesMatched++;
                collect(node, vq.deliver(d.sender(), sent.get(i).message()));
                return Boolean.TRUE;
            }
        }
        return null;
    }

    /**
     * The other direction of the message check: a NODEINFO a Vigil node sent in this step that a live member
     * of its ring at sending time never received in corosync (a message corosync's node did not send, or sent
     * with another content), or null when every one arrived.
     */
    String unreceived() {
        StringBuilder b = null;
        for (var e : outbox.entrySet()) {
            int sender = e.getKey();
            List<Sent> sent = e.getValue();
            for (int i = 0; i < sent.size(); i++) {
                for (int to : sent.get(i).to()) {
                    if (!live.containsKey(to)) {
                        continue;
                    }
                    java.util.BitSet got = consumed.getOrDefault(to, Map.of()).get(sender);
                    if (got == null || !got.get(i)) {
                        if (b == null) {
                            b = new StringBuilder("Vigil's nodes sent NODEINFO that corosync's nodes never "
                                + "received:");
                        }
                        b.append("\n  node ").append(sender).append(" sent ").append(sent.get(i).message())
                            .append(" (message ").append(i + 1).append(" of ").append(sent.size())
                            .append(" this step, ring members ").append(sent.get(i).to()).append("); corosync's node ")
                            .append(to).append(" did not receive it");
                    }
                }
            }
        }
        return b == null ? null : b.toString();
    }

    /** NODEINFO messages Vigil's nodes sent to nobody (before their first ring). */
    long messagesToNobody() {
        return messagesToNobody;
    }

    private void collect(int node, List<VqAction> actions) {
        for (VqAction a : actions) {
            if (a instanceof VqAction.Send s) {
                List<Integer> to = live.get(node).members();
                if (to.isEmpty()) {
                    messagesToNobody++;
                }
                outbox.computeIfAbsent(node, k -> new ArrayList<>()).add(new Sent(s.message(), to));
            }
        }
    }

    /** Every live node's state, by node id. */
    Map<Integer, NodeView> views() {
        Map<Integer, NodeView> out = new TreeMap<>();
        for (int p = 0; p < parts.size(); p++) {
            for (int id : parts.get(p)) {
                Votequorum vq = live.get(id);
                Votequorum.Calculation c = vq.lastCalculation();
                out.put(id, new NodeView(p, id, vq.quorate(), vq.ring().toString(), vq.members(),
                    c == null ? -1 : c.totalVotes(), c == null ? -1 : c.ourExpected(), vq.quorum()));
            }
        }
        return out;
    }

    private void newStep() {
        outbox.clear();
        cursor.clear();
        consumed.clear();
    }

    private void create(int id, int partition) {
        Votequorum vq = new Votequorum(VotequorumSettings.from(config, id), id, 0, null);
        live.put(id, vq);
        forkOrder.add(id);
        parts.get(partition).add(id);
        collect(id, vq.takeActions());
        Deque<Ring> rings = new ArrayDeque<>();
        rings.add(new Ring(new RingId(id, 1), List.of(id)));
        pendingRings.put(id, rings);
    }

    private void newRing(int p) {
        seq[p] += 4;
        if (parts.get(p).isEmpty()) {
            return;
        }
        rep[p] = parts.get(p).get(0);
        Ring ring = new Ring(new RingId(rep[p], seq[p]), List.copyOf(parts.get(p)));
        for (int id : parts.get(p)) {
            pendingRings.get(id).addLast(ring);
        }
    }
}
