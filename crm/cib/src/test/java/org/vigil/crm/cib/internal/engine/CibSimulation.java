package org.vigil.crm.cib.internal.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.ops.CibOps;
import org.vigil.crm.cib.internal.validate.CibValidator;

/**
 * N CIB engines over a simulated closed process group with extended virtual synchrony, driven by a seed: every
 * multicast and membership change is appended, in one order, to the queue of every member of the sender's
 * partition; each node consumes its own queue at its own pace; partitions split and merge, nodes crash (losing what
 * they had not written to their simulated disk) and restart from that disk. Everything replays exactly from the
 * seed.
 *
 * <p>Invariants checked as it runs and at the end: two nodes that applied the same delivery outside a sync round
 * hold identical copies after it; a request completes at most once; a configuration change completes only once on
 * disk; after everything has healed and drained, every copy has the same digest and every completed update is in
 * it, unless the node that made it lost it in a sync round to a higher version (which the engine logs).
 */
final class CibSimulation {

    /** One event of a member's queue: a message or a membership change. */
    private record Event(long id, CibEngine.Member sender, String senderName, byte[] message,
                         List<CibEngine.Member> members) {
    }

    final class Node implements CibEngine.Output {
        final int id;
        final CibEngine.Member member;
        final String name;
        CibEngine engine;
        boolean up = true;
        final Deque<Event> queue = new ArrayDeque<>();
        final Deque<CibSnapshot> diskQueue = new ArrayDeque<>();
        CibSnapshot disk;
        final Map<Long, String> requests = new HashMap<>();   // request id -> marker
        final Set<Long> done = new HashSet<>();
        final Set<String> acked = new HashSet<>();

        Node(int id) {
            this.id = id;
            this.member = new CibEngine.Member(id, 100 + id);
            this.name = "node" + id;
            this.disk = new CibSnapshot(CibOps.empty("pacemaker-3.9"));
            start();
        }

        void start() {
            engine = new CibEngine(member, name, disk, validator, this);
            queue.clear();
            diskQueue.clear();
            requests.clear();
        }

        @Override
        public void multicast(byte[] message) {
            multicasts++;
            bytesSent += message.length;
            long id = nextEvent++;   // one id for every copy: the same delivery at every member
            for (Node n : partitionOf(this)) {
                n.queue.add(new Event(id, member, name, message, null));
            }
        }

        @Override
        public void completed(long requestId, CibSnapshot after) {
            if (!done.add(requestId)) {
                throw new AssertionError(name + ": request " + requestId + " completed twice");
            }
            String marker = requests.remove(requestId);
            if (marker != null) {
                if (!after.root().toXml().contains(marker)) {
                    throw new AssertionError(name + ": completed " + marker + " but it is not in the copy");
                }
                acked.add(marker);
                ackedEverywhere.put(marker, this);
                if (trace) {
                    System.out.println(name + ": completed " + marker + " at " + after.version());
                }
                if (marker.startsWith("cfg") && !disk.root().toXml().contains(marker)
                    && diskQueue.stream().noneMatch(d -> d.root().toXml().contains(marker))) {
                    throw new AssertionError(name + ": completed config change " + marker + " before it was on disk");
                }
            }
            completedCount++;
        }

        @Override
        public void failed(long requestId, CibError error) {
            if (!done.add(requestId)) {
                throw new AssertionError(name + ": request " + requestId + " answered twice");
            }
            requests.remove(requestId);
            failedCount++;
        }

        @Override
        public void persist(CibSnapshot snapshot) {
            // what reaches the disk: the configuration only, status emptied, as the real store writes it
            XmlNode root = snapshot.root();
            int st = -1;
            for (int i = 0; i < root.children().size(); i++) {
                if (root.children().get(i).is("status")) {
                    st = i;
                }
            }
            XmlNode onDisk = st < 0 ? root : root.withChild(st, XmlNode.of("status"));
            diskQueue.add(new CibSnapshot(onDisk.with("num_updates", "0")));
        }

        @Override
        public void changed(CibChange change) {
            if (change.sync()) {
                syncReplacements++;
                String before = change.before().root().toXml();
                String after = change.after().root().toXml();
                for (String m : ackedEverywhere.keySet()) {
                    if (before.contains(m) && !after.contains(m)) {
                        discarded.add(m);   // lost to a higher version in a sync round (the engine logs it)
                    }
                }
            }
        }

        @Override
        public void log(boolean warn, String message) {
            if (trace) {
                System.out.println(name + ": " + message);
            }
        }
    }

    final Random random;
    final List<Node> nodes = new ArrayList<>();
    final CibValidator validator = new CibValidator(java.nio.file.Path.of("/nonexistent"));
    final List<Set<Node>> partitions = new ArrayList<>();
    final Map<Long, String> digestAfterEvent = new HashMap<>();
    final Map<String, Node> ackedEverywhere = new LinkedHashMap<>();
    final Set<String> discarded = new HashSet<>();
    long nextEvent;
    long nextRequest;
    int multicasts;
    long bytesSent;
    int completedCount;
    int failedCount;
    int syncReplacements;
    int crashes;
    int splits;
    boolean trace;

    CibSimulation(long seed, int size) {
        random = new Random(seed);
        for (int i = 1; i <= size; i++) {
            nodes.add(new Node(i));
        }
        partitions.add(new HashSet<>(nodes));
        announce(partitions.get(0));
    }

    Set<Node> partitionOf(Node n) {
        for (Set<Node> p : partitions) {
            if (p.contains(n)) {
                return p;
            }
        }
        return Set.of();
    }

    /** A membership change appended to every member's queue of a partition. */
    private void announce(Set<Node> part) {
        List<CibEngine.Member> members = new ArrayList<>();
        for (Node n : part) {
            members.add(n.member);
        }
        long id = nextEvent++;
        for (Node n : part) {
            n.queue.add(new Event(id, null, null, null, List.copyOf(members)));
        }
    }

    /** Delivers the next event of a node's queue. */
    boolean deliver(Node n) {
        Event e = n.queue.poll();
        if (e == null) {
            return false;
        }
        if (e.members() != null) {
            if (trace) {
                System.out.println(n.name + ": confchg " + e.members().stream().map(m -> m.nodeId()).toList()
                    + " at " + n.engine.current().version());
            }
            n.engine.configurationChanged(e.members());
        } else {
            boolean was = n.engine.syncing();
            n.engine.delivered(e.sender(), e.senderName(), e.message());
            if (trace && was && !n.engine.syncing()) {
                System.out.println(n.name + ": round done at " + n.engine.current().version() + " "
                    + n.engine.current().digest().substring(0, 6) + " after event " + e.id());
            }
            if (!n.engine.syncing()) {
                String d = n.engine.current().digest();
                String before = digestAfterEvent.putIfAbsent(e.id(), d);
                if (before != null && !before.equals(d)) {
                    throw new AssertionError("after event " + e.id() + " " + n.name + " holds " + d
                        + " but another node held " + before);
                }
            }
        }
        return true;
    }

    /** The simulated disk finishes a write. */
    boolean writeDisk(Node n) {
        CibSnapshot s = n.diskQueue.poll();
        if (s == null) {
            return false;
        }
        n.disk = s;
        n.engine.persisted(s.version());
        return true;
    }

    void request(Node n) {
        long id = ++nextRequest;
        int kind = random.nextInt(10);
        String marker = null;
        CibRequest r;
        if (kind < 4) {
            marker = "cfg" + n.id + "x" + id;
            r = new CibRequest(CibRequest.Op.MODIFY, "crm_config", null, XmlNode.of("cluster_property_set", "id",
                "opts").plusChild(XmlNode.of("nvpair", "id", "nv-" + marker, "name", marker, "value", "1")),
                java.util.Set.of(CibRequest.Flag.CAN_CREATE), "sim", "root");
        } else if (kind < 7) {
            marker = "st" + n.id + "x" + id;
            r = new CibRequest(CibRequest.Op.MODIFY, "status", null, XmlNode.of("node_state", "id",
                Integer.toString(n.id)).plusChild(XmlNode.of("transient_attributes", "id", "ta" + n.id)
                .plusChild(XmlNode.of("instance_attributes", "id", "status-" + n.id).plusChild(
                    XmlNode.of("nvpair", "id", "nv-" + marker, "name", marker, "value", "1")))),
                java.util.Set.of(CibRequest.Flag.CAN_CREATE), "sim", "root");
        } else if (kind < 9) {
            String rid = "r" + random.nextInt(5);
            r = random.nextBoolean()
                ? CibRequest.of(CibRequest.Op.CREATE, "resources", XmlNode.of("primitive", "id", rid, "class", "ocf",
                "provider", "heartbeat", "type", "Dummy"), "sim")
                : new CibRequest(CibRequest.Op.DELETE, null, "//primitive[@id='" + rid + "']", null, null, "sim",
                "root");
        } else {
            r = CibRequest.of(CibRequest.Op.BUMP, null, null, "sim");
        }
        if (marker != null) {
            n.requests.put(id, marker);
        }
        n.engine.request(id, r, 1_700_000_000_000L + id);
    }

    void split() {
        List<Set<Node>> big = partitions.stream().filter(p -> p.size() >= 2).toList();
        if (big.isEmpty()) {
            return;
        }
        Set<Node> p = big.get(random.nextInt(big.size()));
        Set<Node> a = new HashSet<>();
        Set<Node> b = new HashSet<>();
        List<Node> members = new ArrayList<>(p);
        members.sort((x, y) -> Integer.compare(x.id, y.id));
        for (Node n : members) {
            (random.nextBoolean() ? a : b).add(n);
        }
        if (a.isEmpty() || b.isEmpty()) {
            return;
        }
        partitions.remove(p);
        partitions.add(a);
        partitions.add(b);
        announce(a);
        announce(b);
        splits++;
    }

    void merge() {
        if (partitions.size() < 2) {
            return;
        }
        Set<Node> a = partitions.remove(random.nextInt(partitions.size()));
        Set<Node> b = partitions.remove(random.nextInt(partitions.size()));
        a.addAll(b);
        partitions.add(a);
        announce(a);
    }

    void crash(Node n) {
        if (trace) {
            System.out.println(n.name + ": CRASH (disk at " + n.disk.version() + ", "
                + n.diskQueue.size() + " writes lost)");
        }
        Set<Node> p = partitionOf(n);
        p.remove(n);
        n.up = false;
        crashes++;
        // everything not yet on disk is lost; what the others had queued from it stays (it was multicast)
        if (p.isEmpty()) {
            partitions.remove(p);
        } else {
            announce(p);
        }
    }

    void restart(Node n) {
        if (trace) {
            System.out.println(n.name + ": RESTART from disk " + n.disk.version());
        }
        n.up = true;
        n.start();
        Set<Node> alone = new HashSet<>(Set.of(n));
        partitions.add(alone);
        announce(alone);
    }

    /** One random step. */
    void step() {
        List<Node> up = nodes.stream().filter(x -> x.up).toList();
        int roll = random.nextInt(100);
        if (roll < 45 && !up.isEmpty()) {
            deliver(up.get(random.nextInt(up.size())));
        } else if (roll < 60 && !up.isEmpty()) {
            writeDisk(up.get(random.nextInt(up.size())));
        } else if (roll < 80 && !up.isEmpty()) {
            request(up.get(random.nextInt(up.size())));
        } else if (roll < 84) {
            split();
        } else if (roll < 89) {
            merge();
        } else if (roll < 92 && up.size() > 1) {
            crash(up.get(random.nextInt(up.size())));
        } else if (roll < 96) {
            List<Node> down = nodes.stream().filter(x -> !x.up).toList();
            if (!down.isEmpty()) {
                restart(down.get(random.nextInt(down.size())));
            }
        } else if (!up.isEmpty()) {
            deliver(up.get(random.nextInt(up.size())));
        }
    }

    /** Heals every partition, restarts every crashed node and runs until nothing is left to do. */
    void settle() {
        for (Node n : nodes) {
            if (!n.up) {
                restart(n);
            }
        }
        while (partitions.size() > 1) {
            Set<Node> a = partitions.remove(0);
            Set<Node> b = partitions.remove(0);
            a.addAll(b);
            partitions.add(a);
            announce(a);
        }
        for (int guard = 0; guard < 1_000_000; guard++) {
            boolean any = false;
            for (Node n : nodes) {
                any |= deliver(n);
                any |= writeDisk(n);
            }
            if (!any) {
                return;
            }
        }
        throw new AssertionError("the cluster did not settle");
    }

    /** The end state every node must agree on. */
    void checkSettled() {
        String digest = nodes.get(0).engine.current().digest();
        CibVersion version = nodes.get(0).engine.current().version();
        Set<String> digests = new TreeSet<>();
        for (Node n : nodes) {
            digests.add(n.name + "=" + n.engine.current().digest() + "@" + n.engine.current().version());
            if (n.engine.syncing()) {
                throw new AssertionError(n.name + " is still syncing");
            }
        }
        for (Node n : nodes) {
            if (!n.engine.current().digest().equals(digest)) {
                throw new AssertionError("copies differ after settling: " + digests);
            }
        }
        String xml = nodes.get(0).engine.current().root().toXml();
        for (Map.Entry<String, Node> e : ackedEverywhere.entrySet()) {
            // configuration changes are durable; status is kept in memory only (as in Pacemaker), so a status
            // value is lost with the last node that held it
            if (e.getKey().startsWith("cfg") && !xml.contains(e.getKey()) && !discarded.contains(e.getKey())) {
                throw new AssertionError("completed update " + e.getKey() + " of " + e.getValue().name
                    + " is missing at " + version + " and was not discarded by a sync");
            }
        }
    }
}
