package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.itest.CrmNetnsIT.Placement;
import org.vigil.itest.support.KeepOnFailure;
import org.vigil.itest.support.NetnsCluster;
import org.vigil.itest.support.NetnsCluster.Result;

/**
 * Fencing on a real cluster: node processes in network namespaces (real UDP, votequorum) with
 * {@code stonith-enabled=true} and a fence device of the test agent {@code fence_vigil_test}, registered from the CIB,
 * whose "power switch" kills a node's process (its pid file). A node that hangs ({@code kill -STOP}: it answers
 * nothing but holds what it holds) is fenced before its resources start elsewhere; a fence device that fails blocks
 * the recovery, shows in {@code crm_mon} and is tried again until it works; a topology's first level fails and the
 * second fences; a node that keeps getting fenced is kept out of the cluster until an admin clears it; a two-node
 * cluster that splits ends with exactly one node fenced: the one with the less important resources under
 * {@code priority-fencing-delay}, else the higher node id (Vigil's tie-break).
 *
 * <p>A sampler reads every 100 ms, for each node whose process is alive (a stopped process is), which Dummy state
 * files its HA_RSCTMP holds, and fails the test when a resource is ever active on two nodes; it records when each
 * node's process died and when each resource became active where, so that "started elsewhere only after the fencing"
 * is checked on what the machine did, not on what the cluster says. A fenced node is restarted by the test as after a
 * reboot (its HA_RSCTMP emptied). Needs root and the pacemaker-resource-agents package (Dummy); run under
 * {@code flock /tmp/vigil-netns.lock}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrmFencingIT {

    static final long T = 60_000;
    static final List<String> DUMMIES = List.of("d1", "d2", "d3");
    static final Path DUMMY = Path.of("/usr/lib/ocf/resource.d/pacemaker/Dummy");

    NetnsCluster c;
    int size;
    Path dir;
    Path pids;
    Sampler sampler;
    /** How many times the test saw each node fenced (its process killed by the agent). */
    final Map<Integer, Integer> fencings = new TreeMap<>();

    @RegisterExtension
    final KeepOnFailure keep = new KeepOnFailure();

    @BeforeAll
    void startThreeNodes() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
        assumeTrue(Files.isExecutable(DUMMY), "ocf:pacemaker:Dummy is not installed (pacemaker-resource-agents)");
        dir = Files.createTempDirectory("vigil-fencing");
        cluster("vcf", "10.66.2", 3, "quorum {\n    provider: corosync_votequorum\n}\n");
    }

    /** A new cluster of {@code n} nodes in namespaces (the previous one, if any, is stopped first). */
    void cluster(String prefix, String subnet, int n, String quorum) throws Exception {
        if (sampler != null) {
            sampler.halt();
        }
        if (c != null) {
            c.close();
        }
        Path d = Files.createDirectories(dir.resolve(prefix));
        pids = Files.createDirectories(d.resolve("pids"));
        size = n;
        fencings.clear();
        c = new NetnsCluster(prefix, subnet, n, d);   // assigned first: @AfterAll cleans up what up() made
        c.up();
        c.javaOpts("-Dvigil.agents.fence.dir=" + FenceTestAgentTest.AGENT_DIR);
        c.configure("token: 1000", quorum);
        sampler = new Sampler();
        sampler.start();
    }

    @AfterAll
    void stop() throws Exception {
        if (sampler != null) {
            sampler.halt();
        }
        if (c != null) {
            c.close();
        }
        keep.cleanUp("CrmFencingIT", dir);
    }

    /** The scenarios build on each other: after a failed one, the rest would only repeat its failure. */
    @BeforeEach
    void anEarlierScenarioPassed() {
        assumeTrue(!keep.failed(), "an earlier scenario failed; its cluster is kept as it was");
    }

    @AfterEach
    void neverActiveTwice() {
        if (sampler != null && !keep.failed()) {
            assertEquals(List.of(), sampler.violations(), "a resource active on two nodes");
        }
    }

    // ---- the configuration ---------------------------------------------------------------------------------------

    static String nv(String prefix, String name, String value) {
        return "<nvpair id=\"" + prefix + "-" + name + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
    }

    static String dummy(String id, String meta) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" + meta
            + "<operations><op id=\"" + id + "-monitor\" name=\"monitor\" interval=\"2s\"/></operations></primitive>";
    }

    /** A device of the test agent that can fence every node; it fails while {@code failFile} exists. */
    String device(String id, Path failFile, String extra) {
        StringBuilder hosts = new StringBuilder();
        for (int i = 1; i <= size; i++) {
            hosts.append(i > 1 ? " " : "").append("node").append(i);
        }
        return "<primitive id=\"" + id + "\" class=\"stonith\" type=\"fence_vigil_test\">"
            + "<instance_attributes id=\"" + id + "-ia\">" + nv(id, "pidfile", pids.resolve("{port}.pid").toString())
            + nv(id, "fail_file", failFile.toString()) + nv(id, "log", fenceLog(id).toString())
            + nv(id, "pcmk_host_list", hosts.toString()) + extra + "</instance_attributes>"
            + "<operations><op id=\"" + id + "-monitor\" name=\"monitor\" interval=\"10s\"/></operations></primitive>";
    }

    Path fenceLog(String device) {
        return dir.resolve(device + ".log");
    }

    Path switchBroken() {
        return dir.resolve("switch-broken");
    }

    /** The fence agent's log lines about {@code node} ({@code <epoch> <action> <plug> <result>}), in order. */
    List<String> fenceLogLines(String device, int node) throws Exception {
        Path f = fenceLog(device);
        if (!Files.exists(f)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) {
            String[] w = l.split(" ");
            if (w.length >= 4 && w[2].equals("node" + node) && !w[1].equals("monitor") && !w[1].equals("status")
                && !w[1].equals("list")) {
                out.add(l);
            }
        }
        return out;
    }

    // ---- scenarios ------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void aColdStartWithFencingEnabledRunsEverythingAndRegistersTheDevice() throws Exception {
        for (int i = 1; i <= 3; i++) {
            start(i);
        }
        awaitRing(Set.of(1, 2, 3));
        CibNetnsIT.awaitSame(c, 1, 2, 3);
        ok(c.vigil(1, "cibadmin", "--replace", "-o", "crm_config", "-X", "<crm_config><cluster_property_set "
            + "id=\"cib-bootstrap-options\">" + nv("opt", "stonith-enabled", "true")
            + nv("opt", "no-quorum-policy", "stop") + nv("opt", "cluster-recheck-interval", "3s")
            + nv("opt", "stonith-timeout", "20s") + "</cluster_property_set></crm_config>"));
        ok(c.vigil(1, "cibadmin", "--create", "-o", "configuration", "-X", "<rsc_defaults><meta_attributes "
            + "id=\"rsc-options\">" + nv("rsc", "resource-stickiness", "100") + "</meta_attributes></rsc_defaults>"));
        ok(c.vigil(1, "cibadmin", "--replace", "-o", "resources", "-X", "<resources>"
            + device("fence-a", switchBroken(), "") + dummy("d1", "") + dummy("d2", "") + dummy("d3", "")
            + "<clone id=\"cd\">" + dummy("cdummy", "") + "</clone></resources>"));
        for (int i = 1; i <= 3; i++) {
            int n = i;
            NetnsCluster.await("fence-a registered on node" + n, T,
                () -> quietly(() -> c.vigil(n, "stonith_admin", "--list-registered").out()).startsWith("fence-a\n"));
        }
        awaitRunning(Set.of(1, 2, 3));
        System.out.println("CrmFencingIT: cold start: " + sampler.snapshot());
    }

    @Test
    @Order(2)
    void aHungNodeIsFencedAndOnlyThenAreItsResourcesStartedElsewhere() throws Exception {
        int h = sampler.snapshot().node("d1");
        List<String> held = singlesOn(sampler.snapshot(), h);
        Set<Integer> survivors = others(h);
        long t0 = System.currentTimeMillis();
        c.pause(h);
        awaitFenced(h, T);
        long fencedAt = sampler.deathAt(h);
        awaitRunning(survivors);
        for (String r : held) {
            long started = sampler.firstStartAfter(r, t0);
            assertTrue(started >= fencedAt, r + " started elsewhere " + (fencedAt - started) + " ms before node" + h
                + "'s process died");
        }
        assertEquals(1, fenceLogLines("fence-a", h).size(), "fenced once: " + fenceLogLines("fence-a", h));
        assertTrue(fenceLogLines("fence-a", h).get(0).endsWith(" reboot node" + h + " ok"),
            fenceLogLines("fence-a", h).toString());
        long started = held.stream().mapToLong(r -> sampler.firstStartAfter(r, t0)).max().orElse(fencedAt);
        System.out.println("CrmFencingIT: kill -STOP of node" + h + " (" + held + "): its process killed by fence-a "
            + (fencedAt - t0) + " ms later, its resources active on " + survivors + " " + (started - t0)
            + " ms later (token 1000 ms)");
        String dc = dc(survivors);
        System.out.println("CrmFencingIT: the DC's incident timeline:\n" + c.vigil(nodeOf(dc), "crmadmin",
            "--timeline", "--incidents", "1").out());
        Result h2 = c.vigil(survivors.iterator().next(), "stonith_admin", "--history", "node" + h);
        assertTrue(h2.out().startsWith("reboot of node" + h + " successful: delegate=node"), h2.out());
        restart(h);
    }

    @Test
    @Order(3)
    void aFailingFenceDeviceBlocksTheRecoveryShowsInCrmMonAndIsRetriedUntilItWorks() throws Exception {
        Files.createFile(switchBroken());
        int h = sampler.snapshot().node("d2");
        List<String> held = singlesOn(sampler.snapshot(), h);
        Set<Integer> survivors = others(h);
        long t0 = System.currentTimeMillis();
        c.pause(h);
        NetnsCluster.await("two failed attempts to fence node" + h, T,
            () -> quietly(() -> fenceLogLines("fence-a", h)).stream().filter(l -> l.endsWith(" failed")).count() >= 2);
        int s = survivors.iterator().next();
        NetnsCluster.await("crm_mon on node" + s + " showing the failed fencing", T, () -> quietly(() ->
            c.vigil(s, "crm_mon", "-1").out()).matches("(?s).*\nFailed Fencing Actions:\n  \\* reboot of node" + h
                + " by node\\d for pacemaker-controld\\.\\d+@node\\d last failed \\(.*fence-a.*"));
        String mon = c.vigil(s, "crm_mon", "-1").out();
        System.out.println("CrmFencingIT: while fence-a fails, crm_mon on node" + s + " says:\n" + mon);
        assertTrue(c.alive(h), "node" + h + " not fenced");
        for (String r : held) {
            assertEquals(Set.of(h), sampler.snapshot().nodes(r), r + " is not recovered while node" + h
                + " is not fenced");
        }
        // the switch is repaired: a retry fences the node, then the recovery runs
        Files.delete(switchBroken());
        awaitFenced(h, T);
        long fencedAt = sampler.deathAt(h);
        awaitRunning(survivors);
        for (String r : held) {
            assertTrue(sampler.firstStartAfter(r, t0) >= fencedAt, r + " started before the fencing");
        }
        List<String> lines = fenceLogLines("fence-a", h);
        System.out.println("CrmFencingIT: the fence agent's log for node" + h + ": " + lines);
        assertTrue(lines.get(lines.size() - 1).endsWith(" reboot node" + h + " ok"), lines.toString());
        restart(h);
    }

    @Test
    @Order(4)
    void whenTheFirstTopologyLevelFailsTheSecondFences() throws Exception {
        // level 1: a device whose switch is always broken; level 2: fence-a
        Path broken = dir.resolve("always-broken");
        Files.writeString(broken, "");
        ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", device("fence-broken", broken, "")));
        ok(c.vigil(1, "cibadmin", "--create", "-o", "configuration", "-X", "<fencing-topology>"
            + "<fencing-level id=\"fl-1\" index=\"1\" target-pattern=\"node.*\" devices=\"fence-broken\"/>"
            + "<fencing-level id=\"fl-2\" index=\"2\" target-pattern=\"node.*\" devices=\"fence-a\"/>"
            + "</fencing-topology>"));
        for (int i = 1; i <= 3; i++) {
            int n = i;
            NetnsCluster.await("fence-broken registered on node" + n, T, () -> quietly(() -> c.vigil(n,
                "stonith_admin", "--list-registered").out()).startsWith("fence-a\nfence-broken\n"));
        }
        awaitRunning(Set.of(1, 2, 3));
        int h = sampler.snapshot().node("d3");
        Set<Integer> survivors = others(h);
        int before = fenceLogLines("fence-a", h).size();
        c.pause(h);
        awaitFenced(h, T);
        awaitRunning(survivors);
        List<String> first = fenceLogLines("fence-broken", h);
        List<String> second = fenceLogLines("fence-a", h).subList(before, fenceLogLines("fence-a", h).size());
        System.out.println("CrmFencingIT: topology: level 1 (fence-broken) " + first + ", level 2 (fence-a) " + second);
        assertFalse(first.isEmpty(), "level 1 was tried");
        assertTrue(first.stream().allMatch(l -> l.endsWith(" failed")), first.toString());
        assertEquals(1, second.size(), second.toString());
        assertTrue(second.get(0).endsWith(" ok"), second.toString());
        assertTrue(Long.parseLong(first.get(0).split(" ")[0]) <= Long.parseLong(second.get(0).split(" ")[0]),
            "level 1 before level 2");
        Result hist = c.vigil(survivors.iterator().next(), "stonith_admin", "--history", "node" + h);
        assertTrue(hist.out().startsWith("reboot of node" + h + " successful: delegate=node"), hist.out());
        restart(h);
        ok(c.vigil(1, "cibadmin", "--delete", "-X", "<fencing-topology/>"));
        ok(c.vigil(1, "cibadmin", "--delete", "-X", "<primitive id=\"fence-broken\"/>"));
        // the removed device is stopped and forgotten: no orphan, no failed action left in crm_mon
        NetnsCluster.await("fence-broken gone from crm_mon", T, () -> !quietly(() -> c.vigil(1, "crm_mon", "-1", "-r")
            .out()).contains("fence-broken"));
    }

    @Test
    @Order(5)
    void aNodeFencedAgainAndAgainIsKeptOutUntilAnAdminClearsIt() throws Exception {
        // the node fenced least so far; the loop guard holds it out at its next two fencings
        int least = 1;
        for (int i = 1; i <= 3; i++) {
            if (fencings.getOrDefault(i, 0) < fencings.getOrDefault(least, 0)) {
                least = i;
            }
        }
        int x = least;
        int max = fencings.getOrDefault(x, 0) + 2;
        ok(c.vigil(1, "crm_attribute", "-n", "vigil-fence-loop-max", "-v", Integer.toString(max)));
        awaitRunning(Set.of(1, 2, 3));
        for (int round = 1; round <= 2; round++) {
            c.pause(x);
            awaitFenced(x, T);
            awaitRunning(others(x));
            if (round == 1) {
                restart(x);
            }
        }
        // it comes back after its second fencing here: in the ring, but not let in
        reboot(x);
        c.start(x);
        writePid(x);
        awaitRing(Set.of(1, 2, 3));
        int s = others(x).iterator().next();
        NetnsCluster.await("node" + x + " reported as held out", T, () -> quietly(() -> c.vigil(s, "crm_attribute",
            "-N", "node" + x, "-n", "vigil-fence-loop", "-G").out()).contains("held out: fenced"));
        String mon = c.vigil(s, "crm_mon", "-1").out();
        System.out.println("CrmFencingIT: node" + x + " after " + max + " fencings:\n" + mon);
        Thread.sleep(5_000);   // several recheck intervals: it gets nothing, not even its clone instance
        assertEquals(List.of(), sampler.snapshot().on(x), "node" + x + " runs nothing while held out");
        assertTrue(c.alive(x), "not fenced again");
        // the admin clears it: it joins and gets its clone instance
        ok(c.vigil(s, "crm_attribute", "-N", "node" + x, "-n", "vigil-fence-loop", "-D"));
        NetnsCluster.await("node" + x + " running its clone instance", T,
            () -> sampler.snapshot().nodes("cdummy").contains(x));
        awaitRunning(Set.of(1, 2, 3));
        ok(c.vigil(1, "crm_attribute", "-n", "vigil-fence-loop-max", "-D"));
    }

    @Test
    @Order(6)
    void aTwoNodeSplitFencesExactlyOneNodeTheOneWithTheLessImportantResources() throws Exception {
        cluster("vcg", "10.66.3", 2, "quorum {\n    provider: corosync_votequorum\n    two_node: 1\n}\n");
        start(1);
        start(2);
        awaitRing(Set.of(1, 2));
        CibNetnsIT.awaitSame(c, 1, 2);
        ok(c.vigil(1, "cibadmin", "--replace", "-o", "crm_config", "-X", "<crm_config><cluster_property_set "
            + "id=\"cib-bootstrap-options\">" + nv("opt", "stonith-enabled", "true")
            + nv("opt", "no-quorum-policy", "stop") + nv("opt", "cluster-recheck-interval", "3s")
            + nv("opt", "priority-fencing-delay", "10s") + "</cluster_property_set></crm_config>"));
        // the important resource on node2, the higher id: the tie-break alone would keep node1
        ok(c.vigil(1, "cibadmin", "--replace", "-o", "resources", "-X", "<resources>" + device("fence-b",
            switchBroken(), "") + dummy("d1", "<meta_attributes id=\"d1-meta\">" + nv("d1", "priority", "10")
            + "</meta_attributes>") + dummy("d2", "") + "</resources>"));
        ok(c.vigil(1, "cibadmin", "--replace", "-o", "constraints", "-X", "<constraints>"
            + "<rsc_location id=\"d1-on-2\" rsc=\"d1\" node=\"node2\" score=\"100\"/>"
            + "<rsc_location id=\"d2-on-1\" rsc=\"d2\" node=\"node1\" score=\"100\"/></constraints>"));
        NetnsCluster.await("d1 on node2, d2 on node1", T, () -> sampler.snapshot().nodes("d1").equals(Set.of(2))
            && sampler.snapshot().nodes("d2").equals(Set.of(1)));
        long t0 = System.currentTimeMillis();
        c.partition(Set.of(1), Set.of(2));
        awaitFenced(1, T);
        System.out.println("CrmFencingIT: two-node split, priority-fencing-delay 10s: node1 (d2, priority 0) fenced "
            + (sampler.deathAt(1) - t0) + " ms after the split");
        NetnsCluster.await("d2 recovered on node2", T, () -> sampler.snapshot().nodes("d2").equals(Set.of(2)));
        Thread.sleep(Math.max(0, t0 + 16_000 - System.currentTimeMillis()));   // past node1's delayed request
        assertTrue(c.alive(2), "node2, with the important resource, survives");
        assertEquals(List.of(), fenceLogLines("fence-b", 2), "node2 was never fenced");
        c.heal();
        restart(1);
        NetnsCluster.await("d1 on node2, d2 back on node1 (its location preference)", T,
            () -> sampler.snapshot().nodes("d1").equals(Set.of(2)) && sampler.snapshot().nodes("d2").equals(Set.of(1)));

        // without priority-fencing-delay the tie-break decides: the higher id (node2) is fenced, node1 survives
        ok(c.vigil(1, "crm_attribute", "-n", "priority-fencing-delay", "-D"));
        Thread.sleep(2_000);
        long t1 = System.currentTimeMillis();
        c.partition(Set.of(1), Set.of(2));
        awaitFenced(2, T);
        System.out.println("CrmFencingIT: two-node split, no priority-fencing-delay: node2 fenced "
            + (sampler.deathAt(2) - t1) + " ms after the split (vigil-fence-race-delay 5 s on node2's side)");
        NetnsCluster.await("d1 and d2 recovered on node1", T, () -> sampler.snapshot().nodes("d1").equals(Set.of(1))
            && sampler.snapshot().nodes("d2").equals(Set.of(1)));
        Thread.sleep(Math.max(0, t1 + 10_000 - System.currentTimeMillis()));
        assertTrue(c.alive(1), "node1 survives");
        assertEquals(1, fenceLogLines("fence-b", 1).size(), "node1 fenced only in the first split: "
            + fenceLogLines("fence-b", 1));
        c.heal();
    }

    // ---- nodes --------------------------------------------------------------------------------------------------

    void start(int i) throws Exception {
        c.start(i);
        writePid(i);
        sampler.nodeUp(i);
    }

    void writePid(int i) throws Exception {
        Files.writeString(pids.resolve("node" + i + ".pid"), c.pid(i) + "\n");
    }

    /** What a reboot clears: the node's HA_RSCTMP (its resources' state files). */
    void reboot(int i) throws Exception {
        try (var files = Files.list(c.agentsDir(i))) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** A fenced node boots again and rejoins; nothing moves back to it (stickiness). */
    void restart(int i) throws Exception {
        reboot(i);
        start(i);
        Set<Integer> all = new TreeSet<>();
        for (int n = 1; n <= size; n++) {
            all.add(n);
        }
        awaitRing(all);
        NetnsCluster.await("node" + i + " running its clone instance again", T,
            () -> size < 3 || sampler.snapshot().nodes("cdummy").contains(i));
    }

    /** Waits until node {@code i}'s process was killed (by the fence agent: the test never kills a paused node). */
    void awaitFenced(int i, long timeoutMs) throws Exception {
        NetnsCluster.await("node" + i + " fenced (its process killed)", timeoutMs, () -> !c.alive(i));
        fencings.merge(i, 1, Integer::sum);
        sampler.snapshot();   // the sampler has seen it die
    }

    /** Waits until each of {@code nodes} is in a ring of exactly them. */
    void awaitRing(Set<Integer> nodes) throws Exception {
        Set<Integer> sorted = new TreeSet<>(nodes);
        CibNetnsIT.awaitMembers(c, String.join(" ", sorted.stream().map(String::valueOf).toList()),
            sorted.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Waits until every Dummy primitive runs on one of {@code nodes} and the clone on each of them. */
    void awaitRunning(Set<Integer> nodes) throws Exception {
        NetnsCluster.await("d1, d2, d3 on " + nodes + " and cdummy on each", T, () -> {
            Placement p = sampler.snapshot();
            for (String r : DUMMIES) {
                if (p.nodes(r).size() != 1 || !nodes.contains(p.node(r))) {
                    return false;
                }
            }
            return p.nodes("cdummy").equals(nodes);
        });
    }

    Set<Integer> others(int i) {
        Set<Integer> s = new TreeSet<>();
        for (int n = 1; n <= size; n++) {
            if (n != i) {
                s.add(n);
            }
        }
        return s;
    }

    String dc(Set<Integer> nodes) throws Exception {
        for (int i : nodes) {
            Result r = c.vigil(i, "crmadmin", "-D", "-q");
            if (r.status() == 0 && !r.out().isBlank()) {
                return r.out().strip();
            }
        }
        throw new AssertionError("no DC on " + nodes);
    }

    static int nodeOf(String name) {
        return Integer.parseInt(name.substring(4));
    }

    static void ok(Result r) {
        assertEquals(0, r.status(), r.out() + r.err());
    }

    interface Call<T> {
        T call() throws Exception;
    }

    static <T> T quietly(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            return null;
        }
    }

    // ---- what runs where ----------------------------------------------------------------------------------------

    /** The Dummy primitives active on {@code node}. */
    static List<String> singlesOn(Placement p, int node) {
        List<String> out = new ArrayList<>(p.on(node));
        out.retainAll(DUMMIES);
        return out;
    }

    final class Sampler extends Thread {
        private final List<String> violations = new ArrayList<>();
        /** When each node's process was first seen dead (epoch ms), while it stays dead. */
        private final Map<Integer, Long> dead = new HashMap<>();
        /** Every activation: rsc -> (epoch ms, node). */
        private final Map<String, List<long[]>> starts = new HashMap<>();
        private final Set<Integer> started = new TreeSet<>();
        private Placement last = new Placement();
        private volatile boolean running = true;
        private long samples;

        Sampler() {
            super("fencing-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                try {
                    sample();
                } catch (Exception e) {
                    synchronized (this) {
                        violations.add("the sampler failed: " + e);
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void halt() throws InterruptedException {
            running = false;
            interrupt();
            join(5000);
        }

        private void sample() throws Exception {
            long now = System.currentTimeMillis();
            Placement p = new Placement();
            Map<Integer, Boolean> alive = new HashMap<>();
            for (int i = 1; i <= size; i++) {
                boolean up = c.alive(i);
                alive.put(i, up);
                Path d = c.agentsDir(i);
                if (!up || !Files.isDirectory(d)) {
                    continue;
                }
                try (var files = Files.list(d)) {
                    for (Path f : files.toList()) {
                        String name = f.getFileName().toString();
                        if (name.startsWith("Dummy-cdummy") && name.endsWith(".state")) {
                            p.add("cdummy", i);
                        } else if (name.startsWith("Dummy-") && name.endsWith(".state")) {
                            p.add(name.substring(6, name.length() - 6), i);
                        }
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // a file went while listing: the next sample sees it
                }
            }
            synchronized (this) {
                for (int i = 1; i <= size; i++) {
                    if (!alive.get(i) && started.contains(i)) {
                        dead.putIfAbsent(i, now);
                    } else if (alive.get(i)) {
                        dead.remove(i);
                    }
                }
                for (String r : DUMMIES) {
                    if (p.nodes(r).size() > 1) {
                        violations.add(now + ": " + r + " active on " + p.nodes(r));
                    }
                }
                for (Map.Entry<String, Set<Integer>> e : p.active.entrySet()) {
                    for (int n : e.getValue()) {
                        if (!last.nodes(e.getKey()).contains(n)) {
                            starts.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new long[] {now, n});
                        }
                    }
                }
                last = p;
                samples++;
                notifyAll();
            }
        }

        /** The latest reading (waiting for a fresh one). */
        synchronized Placement snapshot() {
            long n = samples;
            long end = System.currentTimeMillis() + 2000;
            while (samples == n && System.currentTimeMillis() < end) {
                try {
                    wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return last;
        }

        synchronized void nodeUp(int i) {
            started.add(i);
        }

        /** When node {@code i}'s process was first seen dead. */
        synchronized long deathAt(int i) {
            Long t = dead.get(i);
            if (t == null) {
                throw new AssertionError("node" + i + " was not seen dead");
            }
            return t;
        }

        /** When {@code rsc} first became active anywhere after {@code afterMs}. */
        synchronized long firstStartAfter(String rsc, long afterMs) {
            for (long[] s : starts.getOrDefault(rsc, List.of())) {
                if (s[0] >= afterMs) {
                    return s[0];
                }
            }
            throw new AssertionError(rsc + " did not start after " + afterMs);
        }

        synchronized List<String> violations() {
            return List.copyOf(violations);
        }
    }
}
