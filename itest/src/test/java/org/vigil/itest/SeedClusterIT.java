package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.itest.support.KeepOnFailure;
import org.vigil.itest.support.NetnsCluster;
import org.vigil.itest.support.NetnsCluster.Result;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The seed's own cluster (issue 16) on three Vigil nodes in network namespaces, with the real services: a public and
 * a management VIP ({@code ocf:heartbeat:IPaddr2}) kept where the public network answers ({@code ocf:pacemaker:ping}),
 * MariaDB Galera ({@code ocf:heartbeat:galera}, promotable clone, bootstrapped by the agent), RabbitMQ
 * ({@code ocf:rabbitmq:rabbitmq-server} clone) and HAProxy ({@code ocf:eayun:haproxy}, our own provider) in front of
 * both on the VIPs: 14 instances. The cluster, its state and the CIB are those of {@code vigil demo --seed}
 * ({@code distribution/src/main/seed/seed.sh}: each node in its namespace with its own {@code /run}, MariaDB and
 * RabbitMQ directories and HAProxy configuration by bind mounts in a mount namespace of its own; the agents' calls
 * that change state noted in {@code calls.log} by wrappers in each node's OCF root).
 *
 * <p>One cluster runs the scenarios in order: a cold start until all 14 instances are Started/Promoted; rows written
 * to a Galera table and persistent messages published to a quorum queue through the public VIP from the client
 * namespace (each acknowledged), then the node holding the public VIP loses power ({@code kill -9} of every process
 * in its namespace, {@code eth0} down): the VIP answers on a survivor, HAProxy there serves MySQL and AMQP, every
 * acknowledged row and message is read back through the VIP, and nothing on the survivors but the VIP's start is
 * called; the node reboots and rejoins Galera and RabbitMQ, no survivor's resource called; a 1|2 partition
 * (nftables): the minority stops its resources, the majority keeps serving and writing, the heal brings the minority
 * back, nothing of the majority stopped or started; an agent missing on one node (the clone runs on the others).
 * With {@code -Dvigil.seed.long=true} (a few minutes more): RabbitMQ failing to start on one node (its AMQP port taken
 * by another program: one failed start in {@code crm_mon}, the rest untouched, no retry there until the admin's
 * cleanup, which recovers it); a wrong Galera parameter (node3 left out of the cluster address: node3's start fails
 * "not configured" with the agent's reason, Galera stays stopped everywhere, RabbitMQ and ping untouched, the fix and
 * a cleanup bootstrap it again with every row). The times are printed. Needs root and the packages of
 * {@code .ci/packages} (mariadb-server, galera-4, rabbitmq-server, haproxy, python3-pika, ...); run under
 * {@code flock /tmp/vigil-netns.lock}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SeedClusterIT {

    static final String PREFIX = "vsc";
    static final String SUBNET = "10.66.16";
    static final String GW = SUBNET + ".1";
    static final String VIP = SUBNET + ".100";
    static final Path SEED = NetnsCluster.root().resolve("distribution/src/main/seed");
    static final String QUEUE = "seed-orders";

    NetnsCluster c;
    Path dir;
    /** Rows and messages acknowledged so far (the client's view). */
    final Set<String> rows = new LinkedHashSet<>();
    final Set<String> messages = new LinkedHashSet<>();

    @RegisterExtension
    final KeepOnFailure keep = new KeepOnFailure();

    @BeforeAll
    void prepare() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
        Result m = NetnsCluster.run(List.of(SEED.resolve("seed.sh").toString(), "missing"), null);
        assumeTrue(m.status() == 0 && m.out().isBlank(), "the seed cluster's packages are not installed: "
            + m.out().strip() + m.err().strip() + " (.ci/packages; ./vigil test installs them as root)");
        Result pika = NetnsCluster.run(List.of("/usr/bin/python3", "-c", "import pika"), null);
        assumeTrue(pika.status() == 0, "python3-pika is not installed (.ci/packages)");
        dir = Files.createTempDirectory("vigil-seed");
        c = new NetnsCluster(PREFIX, SUBNET, 3, dir);   // assigned first: @AfterAll cleans up what up() made
        c.up();
        seed("prepare");
        c.configure("transport: udpu\ntoken: 3000\ntoken_retransmits_before_loss_const: 10\njoin: 60\n"
            + "consensus: 3600\nmax_messages: 20", "quorum {\n    provider: corosync_votequorum\n}\n");
        c.launcher(i -> List.of("env", "SEED_PREFIX=" + PREFIX, "SEED_SUBNET=" + SUBNET, "SEED_RT=" + dir,
            SEED.resolve("seed.sh").toString(), "exec", Integer.toString(i)));
        c.nodeJavaOpts(i -> "-Dvigil.agents.ocf.root=" + dir.resolve("node" + i).resolve("ocf"));
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (c != null) {
            try {
                seed("reap");   // the services in the namespaces (the nodes are stopped by close())
            } finally {
                c.close();
            }
        }
        keep.cleanUp("SeedClusterIT", dir);
    }

    @BeforeEach
    void anEarlierScenarioPassed() {
        assumeTrue(!keep.failed(), "an earlier scenario failed; its cluster is kept as it was");
    }

    // ---- scenarios ----------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    @Timeout(value = 480, unit = TimeUnit.SECONDS)   // ~60 s alone; a loaded machine (2 cores shared) took > 200 s
    void aColdStartRunsAllFourteenInstances() throws Exception {
        long t0 = System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            c.start(i);
        }
        NetnsCluster.await("a DC", 120_000, () -> {
            for (int i = 1; i <= 3; i++) {
                assertTrue(c.alive(i), "node" + i + " is running (its output: " + c.log(i) + ")");
            }
            return dc(1) != null;
        });
        CibNetnsIT.awaitSame(c, 1, 2, 3);
        seed("load", "1");
        awaitAll(Set.of(1, 2, 3), 1, 400_000);
        long ms = ms(t0);
        System.out.println("SeedClusterIT: cold start: all 14 instances up " + ms + " ms after the nodes were"
            + " started: " + state(1));
        assertEquals("3", galeraSize(1), "Galera's cluster size seen from node1");
        assertEquals(3, rabbitRunning(1), "RabbitMQ's running nodes seen from node1");
        assertTrue(calls().stream().noneMatch(l -> !l.contains(" rc=0")),
            "every start/promote of the cold start succeeded: " + calls());
    }

    @Test
    @Order(2)
    void theVipNodesPowerLossLosesNothingAcknowledgedAndRestartsNothingHealthy() throws Exception {
        accounts();
        writeRows("before-kill", 20);
        publish("before-kill", 20);
        int victim = vipNode(1);
        assertTrue(victim > 0, "vip__public runs somewhere: " + state(1));
        int survivor = victim % 3 + 1;
        int mark = calls().size();
        long t0 = System.nanoTime();
        seed("power-off", Integer.toString(victim));
        NetnsCluster.await("the VIP answering ping", 60_000, () -> clientOk("ping", "-c1", "-W1", VIP));
        long ping = ms(t0);
        NetnsCluster.await("vip__public on a survivor", 60_000, () -> {
            int v = vipNode(survivor);
            return v > 0 && v != victim;
        });
        long mon = ms(t0);
        NetnsCluster.await("every acknowledged row read through the VIP", 60_000,
            () -> readRows().containsAll(rows));
        long sql = ms(t0);
        NetnsCluster.await("every acknowledged message taken through the VIP", 90_000, () -> drain().isEmpty());
        long amqp = ms(t0);
        System.out.println("SeedClusterIT: power loss of node" + victim + " (held vip__public): the VIP answers ping"
            + " after " + ping + " ms, crm_mon shows it on node" + vipNode(survivor) + " after " + mon + " ms, the "
            + rows.size() + " rows read through it after " + sql + " ms, the " + messages.size() + " messages after "
            + amqp + " ms");
        List<String> after = calls().subList(mark, calls().size());
        for (String l : after) {
            String[] f = l.split(" ");
            assertTrue(f[1].equals("node" + victim) || (f[2].startsWith("vip__") && f[3].equals("start")),
                "only the VIPs were started on the survivors (nothing healthy stopped or restarted): " + after);
        }
        // new writes go on through the survivor's HAProxy
        writeRows("after-kill", 5);
        publish("after-kill", 5);
        powerLossVictim = victim;
    }

    int powerLossVictim;

    @Test
    @Order(3)
    void theRebootedNodeRejoinsGaleraAndRabbitmqRestartingNothingHealthy() throws Exception {
        int v = powerLossVictim;
        assertTrue(v > 0);
        int mark = calls().size();
        seed("reboot", Integer.toString(v));
        clear(c.agentsDir(v));   // HA_RSCTMP is under /run on a real machine: gone with the reboot
        long t0 = System.nanoTime();
        c.start(v);
        awaitAll(Set.of(1, 2, 3), v % 3 + 1, 150_000);
        long ms = ms(t0);
        System.out.println("SeedClusterIT: node" + v + " rebooted: all 14 up again " + ms + " ms after its start");
        List<String> after = calls().subList(mark, calls().size());
        assertTrue(after.stream().allMatch(l -> l.split(" ")[1].equals("node" + v)),
            "only the rebooted node's resources were started (the VIPs stay where they are): " + after);
        assertEquals("3", galeraSize(v), "Galera's cluster size seen from the rebooted node");
        assertEquals(3, rabbitRunning(v), "RabbitMQ's running nodes seen from the rebooted node");
        assertTrue(readRows().containsAll(rows), "every row through the VIP");
        assertTrue(drain().isEmpty(), "every message through the VIP");
    }

    @Test
    @Order(4)
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void aMinorityStopsItsResourcesTheMajorityServesAndTheHealRejoins() throws Exception {
        // Seen on 2026-12-07 before RabbitMQ's net_ticktime was 10 s: RabbitMQ's stop hung in the minority (113 s,
        // until the node was stopped). Now (net_ticktime 10 s) the minority's four stops take ~20 s on a loaded
        // machine (load 20 on 2 cores), RabbitMQ's ~14 s after the cut, and the demote does not wait for it.
        // the minority: the node that holds neither VIP (3 nodes, 2 VIPs)
        Set<Integer> vips = new java.util.HashSet<>(List.of(vipNode(1), resourceNode(1, "vip__management")));
        int minority = List.of(1, 2, 3).stream().filter(i -> !vips.contains(i)).findFirst().orElseThrow();
        List<Integer> majority = new ArrayList<>(List.of(1, 2, 3));
        majority.remove(Integer.valueOf(minority));
        int mark = calls().size();
        long t0 = System.nanoTime();
        c.partition(List.of(minority), majority);
        // the minority has lost quorum (no-quorum-policy=stop): every instance there stopped
        Set<String> want = Set.of("ping_vip__public", "p_mysql", "p_rabbitmq-server", "p_haproxy");
        NetnsCluster.await("the minority's instances stopped", 120_000, () -> {
            Set<String> stopped = new TreeSet<>();
            for (String l : calls().subList(mark, calls().size())) {
                String[] f = l.split(" ");
                if (f[1].equals("node" + minority) && f[3].equals("stop") && f[4].equals("rc=0")) {
                    stopped.add(f[2].replaceAll(":.*", ""));
                }
            }
            return stopped.containsAll(want);
        });
        long stopped = ms(t0);
        assertTrue(clientOk("ping", "-c1", "-W1", VIP), "the VIP answers ping during the partition");
        writeRows("in-partition", 5);
        publish("in-partition", 5);
        assertTrue(readRows().containsAll(rows), "the majority serves every row through the VIP");
        List<String> during = calls().subList(mark, calls().size());
        assertTrue(during.stream().allMatch(l -> l.split(" ")[1].equals("node" + minority)),
            "nothing of the majority was stopped or started: " + during);
        int mark2 = calls().size();
        long t1 = System.nanoTime();
        c.heal();
        awaitAll(Set.of(1, 2, 3), majority.get(0), 240_000);
        long healed = ms(t1);
        System.out.println("SeedClusterIT: 1|2 partition (node" + minority + " alone): its 4 instances stopped "
            + stopped + " ms after the cut; after the heal all 14 up again in " + healed + " ms");
        List<String> after = calls().subList(mark2, calls().size());
        assertTrue(after.stream().allMatch(l -> l.split(" ")[1].equals("node" + minority)),
            "the heal started only the minority's instances: " + after);
        assertEquals("3", galeraSize(minority), "Galera's cluster size seen from the rejoined node");
        assertTrue(readRows().containsAll(rows), "every row through the VIP");
        assertTrue(drain().isEmpty(), "every message through the VIP");
    }

    @Test
    @Order(5)
    void anAgentMissingOnOneNodeRunsOnTheOthersAndDisturbsNothing() throws Exception {
        // a new clone of an eayun agent installed on node1 and node2 only (a Dummy underneath)
        for (int i = 1; i <= 2; i++) {
            Path a = dir.resolve("node" + i).resolve("ocf/resource.d/eayun/marker");
            Files.writeString(a, "#!/bin/sh\nexec /usr/lib/ocf/resource.d/pacemaker/Dummy \"$@\"\n");
            Files.setPosixFilePermissions(a, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        // the nodes rescan their agent directories once quiet for 500 ms (vigil.agents.rescan.ms): a probe before
        // that finds no agent there either (seen), and a not-installed probe keeps the instance off until a cleanup
        Thread.sleep(3000);
        int mark = calls().size();
        String before = state(1);
        ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", "<clone id=\"clone_p_marker\">"
            + "<primitive id=\"p_marker\" class=\"ocf\" provider=\"eayun\" type=\"marker\"><operations>"
            + "<op id=\"p_marker-monitor-5s\" name=\"monitor\" interval=\"5s\"/></operations></primitive></clone>"));
        NetnsCluster.await("clone_p_marker Started on node1 and node2", 60_000, () -> {
            try {
                return state(1).contains("clone_p_marker=Started:node1,node2");
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(3000);   // a late start on node3 or a stop elsewhere would show now
        String now = state(1);
        String mon = c.vigil(1, "crm_mon", "-1", "-r").out();
        System.out.println("SeedClusterIT: an agent missing on node3: " + now + "\n" + mon);
        assertTrue(now.contains("clone_p_marker=Started:node1,node2 ") || now.contains("clone_p_marker=Started:node1,node2("),
            "not on node3: " + now);
        assertEquals(before.replaceAll(" active=.*", ""), now.replaceAll(" clone_p_marker=\\S+", "").replaceAll(" active=.*", ""),
            "everything else where it was");
        assertTrue(calls().subList(mark, calls().size()).isEmpty(), "no other agent called: "
            + calls().subList(mark, calls().size()));
        ok(c.vigil(1, "cibadmin", "--delete", "-o", "resources", "-X", "<clone id=\"clone_p_marker\"/>"));
    }

    @Test
    @Order(6)
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void rabbitmqFailingToStartOnOneNodeIsAFailedActionTheRestKeepsRunningAndACleanupRecovers() throws Exception {
        // A broker whose listener's port is taken: "could_not_start_listener ... eaddrinuse", rabbitmqctl wait exits
        // 69, status 69 = not running. First run whole on 2026-12-08: the cleanup recovered nothing (the failed
        // start stayed in crm_mon, the instance banned) until crm_resource asked the node to forget the history it
        // holds (p_rabbitmq-server, not the instance p_rabbitmq-server:0) and attrd deleted the fail counts under
        // the nvpair ids the executor wrote them with. Out of the default run for its time (~1.5 min).
        assumeTrue(Boolean.getBoolean("vigil.seed.long"), "the RabbitMQ-fails-to-start scenario (~1.5 min)"
            + " runs with -Dvigil.seed.long=true");
        int vip = vipNode(1);
        int x = vip % 3 + 1;   // not the VIP's node
        int mark = calls().size();
        // node x's broker dies, and another program has taken its AMQP port meanwhile (the listener's address and
        // port, on node x only): the broker's boot fails when it starts its listener (eaddrinuse) and the node halts;
        // the agent's status and stop (rabbitmqctl) see a broker that is not running, so only the start fails
        // (an earlier fault, a world-readable Erlang cookie, also broke the agent's stop: its rabbitmqctl refused it)
        for (String pid : NetnsCluster.sh("ip", "netns", "pids", PREFIX + x).split("\n")) {
            if (!pid.isBlank() && Files.readString(Path.of("/proc", pid.strip(), "cmdline")).contains("rabbit")) {
                NetnsCluster.run(List.of("kill", "-9", pid.strip()), null);
            }
        }
        Process squatter = squat(x, 5672);
        try {
            ok(c.vigil(1, "crm_resource", "--refresh", "-r", "p_rabbitmq-server", "-N", "node" + x));
            String[] mon = {""};
            // (another failed action from an earlier scenario may be listed before it)
            String failed = "(?s).*\\nFailed Resource Actions:\\n(  \\* [^\\n]*\\n)*  \\* p_rabbitmq-server start on"
                + " node" + x
                + " returned 'error' at [^\\n]*\\n.*";
            NetnsCluster.await("a failed start of RabbitMQ on node" + x + " in crm_mon", 180_000, () -> {
                try {
                    mon[0] = c.vigil(1, "crm_mon", "-1").out();
                    return mon[0].matches(failed);
                } catch (Exception e) {
                    return false;
                }
            });
            Thread.sleep(3000);   // a retry on node x or a move elsewhere would show now
            String now = state(1);
            mon[0] = c.vigil(1, "crm_mon", "-1").out();
            System.out.println("SeedClusterIT: RabbitMQ failing to start on node" + x + ": " + now + "\n" + mon[0]);
            String others = String.join(",", List.of(1, 2, 3).stream().filter(i -> i != x).map(i -> "node" + i).toList());
            assertTrue(mon[0].matches(failed), "one failed start in crm_mon: " + mon[0]);
            assertEquals(1, mon[0].split("\n  \\* p_rabbitmq-server ", -1).length - 1,
                "exactly one failed RabbitMQ action (no failed stop or monitor): " + mon[0]);
            assertTrue(now.contains("clone_p_rabbitmq-server=Started:" + others + " "), now);
            assertTrue(now.contains("clone_p_mysql=Promoted:node1,node2,node3")
                && now.contains("clone_p_haproxy=Started:node1,node2,node3")
                && now.contains("clone_ping_vip__public=Started:node1,node2,node3")
                && now.contains("vip__public=node" + vip), "the rest keeps running: " + now);
            List<String> during = calls().subList(mark, calls().size());
            for (String l : during) {
                String[] f = l.split(" ");
                assertTrue(f[1].equals("node" + x) && f[2].startsWith("p_rabbitmq-server"), "only node" + x
                    + "'s RabbitMQ: " + during);
            }
            // the policy (start-failure-is-fatal, the default): one start, no retry on node x until a cleanup
            assertEquals(1, during.stream().filter(l -> l.contains(" start rc=")).count(), "one start: " + during);
            assertTrue(readRows().containsAll(rows), "MySQL still serves through the VIP");
            publish("rabbit-down-on-node" + x, 3);   // the two others' brokers serve through the VIP
        } finally {
            squatter.destroyForcibly().waitFor();
        }
        // the admin frees the port and cleans up: the instance starts on node x again
        int mark2 = calls().size();
        ok(c.vigil(1, "crm_resource", "--cleanup", "-r", "p_rabbitmq-server", "-N", "node" + x));
        awaitAll(Set.of(1, 2, 3), 1, 180_000);
        List<String> after = calls().subList(mark2, calls().size());
        assertTrue(after.stream().allMatch(l -> l.split(" ")[1].equals("node" + x)
            && l.split(" ")[2].startsWith("p_rabbitmq-server")), "the cleanup started node" + x + "'s RabbitMQ only: "
            + after);
        assertTrue(c.vigil(1, "crm_mon", "-1").out().indexOf("Failed Resource Actions") < 0, "no failed action left");
        assertEquals(3, rabbitRunning(x), "RabbitMQ's running nodes seen from node" + x);
        publish("after-cleanup", 3);
        NetnsCluster.await("every message", 30_000, () -> drain().isEmpty());
    }

    /** A program in node {@code i}'s namespace that holds TCP {@code port} on the node's address (listening). */
    Process squat(int i, int port) throws Exception {
        // the killed broker's socket may take a moment to go: the bind is tried for up to 10 s
        Process p = new ProcessBuilder("ip", "netns", "exec", PREFIX + i, "python3", "-c", "import socket, sys, time\n"
            + "for _ in range(100):\n"
            + "    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "    try:\n"
            + "        s.bind(('" + SUBNET + "." + (10 + i) + "', " + port + ")); break\n"
            + "    except OSError as e:\n"
            + "        s.close(); err = e; time.sleep(0.1)\n"
            + "else:\n"
            + "    print(err, flush=True); sys.exit(1)\n"
            + "s.listen(); print('bound', flush=True)\n"
            + "time.sleep(900)\n").redirectErrorStream(true).start();
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertEquals("bound", first, "the squatter on node" + i + ":" + port);
        return p;
    }

    @Test
    @Order(7)
    @Timeout(value = 480, unit = TimeUnit.SECONDS)
    void aWrongGaleraParameterIsAFailedActionTheRestKeepsRunningAndTheFixRecovers() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.seed.long"), "the wrong-Galera-parameter scenario (Galera restarted,"
            + " stopped and bootstrapped again: ~3 min) runs with -Dvigil.seed.long=true");
        int mark = calls().size();
        // the admin leaves node3 out of the cluster address (a typo): the changed parameters restart every Galera
        // instance (demote, stop, start), and the agent's start on node3 refuses to run a member that is not in
        // the address (OCF_ERR_CONFIGURED, with its reason). A fatal error: the policy (Pacemaker's, for "not
        // configured") keeps the whole clone stopped on every node until the admin's fix and cleanup; HAProxy and
        // the VIPs, ordered after Galera's promote, stop with it; RabbitMQ and ping are not touched.
        ok(c.vigil(1, "crm_resource", "-r", "p_mysql", "--set-parameter", "wsrep_cluster_address",
            "--parameter-value", "gcomm://node1,node2"));
        String[] mon = {""};
        String failed = "(?s).*\\nFailed Resource Actions:\\n(  \\* [^\\n]*\\n)*  \\* p_mysql start on node3 returned"
            + " 'not configured' \\(local node <node3> \\(galera node <node3>\\) must be a member of the"
            + " wsrep_cluster_address <gcomm://node1,node2> to start this galera instance\\) at [^\\n]*\\n.*";
        NetnsCluster.await("node3's failed Galera start in crm_mon", 240_000, () -> {
            try {
                mon[0] = c.vigil(1, "crm_mon", "-1").out();
                return mon[0].matches(failed);
            } catch (Exception e) {
                return false;
            }
        });
        NetnsCluster.await("Galera stopped everywhere", 180_000, () -> {
            try {
                return state(1).contains("clone_p_mysql=Promoted:- ");
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(3000);   // a retry anywhere would show now
        String now = state(1);
        mon[0] = c.vigil(1, "crm_mon", "-1").out();
        System.out.println("SeedClusterIT: a wrong Galera parameter: " + now + "\n" + mon[0]);
        assertTrue(mon[0].matches(failed), mon[0]);
        assertTrue(now.contains("clone_p_rabbitmq-server=Started:node1,node2,node3 ")
            && now.contains("clone_ping_vip__public=Started:node1,node2,node3 "), "the rest keeps running: " + now);
        assertTrue(now.contains("clone_p_mysql=Promoted:- ") && now.contains("clone_p_haproxy=Started:- "),
            "Galera (and HAProxy after it) stopped: " + now);
        List<String> during = calls().subList(mark, calls().size());
        for (String l : during) {
            String[] f = l.split(" ");
            assertTrue(!f[2].startsWith("p_rabbitmq") && !f[2].startsWith("ping_"), "RabbitMQ and ping untouched: "
                + during);
        }
        assertEquals(1, during.stream().filter(l -> l.startsWith(l.split(" ")[0] + " node3 p_mysql start ")).count(),
            "one start on node3 (no retry): " + during);
        // the fix and the cleanup: Galera bootstraps again from the data it had, every row is there
        ok(c.vigil(1, "crm_resource", "-r", "p_mysql", "--set-parameter", "wsrep_cluster_address",
            "--parameter-value", "gcomm://node1,node2,node3"));
        ok(c.vigil(1, "crm_resource", "--cleanup", "-r", "p_mysql"));
        awaitAll(Set.of(1, 2, 3), 1, 300_000);
        assertEquals("3", galeraSize(1), "Galera's cluster size seen from node1");
        assertTrue(readRows().containsAll(rows), "every row after Galera's recovery");
    }

    // ---- the cluster ----------------------------------------------------------------------------------------------

    /** seed.sh with this cluster's namespaces and directory; fails on a non-zero status. */
    void seed(String... args) throws Exception {
        ok(seedRun(args));
    }

    Result seedRun(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "SEED_PREFIX=" + PREFIX, "SEED_SUBNET=" + SUBNET,
            "SEED_RT=" + dir, SEED.resolve("seed.sh").toString()));
        cmd.addAll(List.of(args));
        return NetnsCluster.run(cmd, null);
    }

    static void ok(Result r) {
        assertEquals(0, r.status(), r.out() + r.err());
    }

    static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    static void clear(Path d) throws Exception {
        if (Files.isDirectory(d)) {
            try (var w = Files.walk(d)) {
                w.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(d)).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The agents' state-changing calls so far ({@code <ms> nodeI <instance> <action> rc=<n>}). */
    List<String> calls() {
        try {
            return Files.readAllLines(dir.resolve("calls.log"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    String crmMonXml(int node) throws Exception {
        Result r = c.vigil(node, "crm_mon", "-1", "--output-as=xml");
        return r.status() == 0 ? r.out() : "";
    }

    /** The one-line summary of node {@code node}'s crm_mon (seed/state.py). */
    String state(int node) throws Exception {
        return NetnsCluster.run(List.of("python3", SEED.resolve("state.py").toString()), crmMonXml(node)).out().strip();
    }

    String dc(int node) {
        try {
            Result r = c.vigil(node, "crmadmin", "-D", "-q");
            return r.status() == 0 && r.out().strip().matches("node\\d+") ? r.out().strip() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Waits until node {@code asked} sees every instance up with {@code online} online. */
    void awaitAll(Set<Integer> online, int asked, long timeoutMs) throws Exception {
        String[] last = {""};
        try {
            NetnsCluster.await("all 14 instances up", timeoutMs, () -> {
                try {
                    last[0] = state(asked);
                    return last[0].endsWith("all=yes");
                } catch (Exception e) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; node" + asked + " sees: " + last[0]);
        }
    }

    /** The node crm_mon (as node {@code asked} sees it) shows vip__public Started on, or -1. */
    int vipNode(int asked) {
        return resourceNode(asked, "vip__public");
    }

    /** The node crm_mon (as node {@code asked} sees it) shows primitive {@code id} Started on, or -1. */
    int resourceNode(int asked, String id) {
        try {
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(crmMonXml(asked).getBytes(StandardCharsets.UTF_8)));
            NodeList rs = doc.getElementsByTagName("resource");
            for (int k = 0; k < rs.getLength(); k++) {
                Element r = (Element) rs.item(k);
                if (r.getAttribute("id").equals(id) && r.getAttribute("role").equals("Started")) {
                    NodeList n = r.getElementsByTagName("node");
                    if (n.getLength() == 1) {
                        return Integer.parseInt(((Element) n.item(0)).getAttribute("name").substring(4));
                    }
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    String galeraSize(int node) throws Exception {
        Result r = seedRun("exec", Integer.toString(node), "mysql", "-N", "-e", "SHOW STATUS LIKE 'wsrep_cluster_size'");
        return r.out().strip().replaceAll(".*\\s", "");
    }

    int rabbitRunning(int node) throws Exception {
        Result r = seedRun("exec", Integer.toString(node), "rabbitmqctl", "-q", "cluster_status", "--formatter",
            "json");
        int n = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"running_nodes\":\\[([^\\]]*)\\]").matcher(r.out());
        if (m.find()) {
            n = m.group(1).isBlank() ? 0 : m.group(1).split(",").length;
        }
        return n;
    }

    boolean accounts;

    /**
     * The clients' accounts, made once (the database and the users are replicated: created on node1), so that a
     * scenario run alone ({@code -Dit.test=SeedClusterIT#a*+b*}) has them too.
     */
    void accounts() throws Exception {
        if (accounts) {
            return;
        }
        ok(seedRun("exec", "1", "mysql", "-e", "CREATE DATABASE IF NOT EXISTS seed; CREATE USER IF NOT EXISTS"
            + " 'seed'@'%' IDENTIFIED BY 'seed'; GRANT ALL ON seed.* TO 'seed'@'%'; CREATE TABLE IF NOT EXISTS"
            + " seed.t (id INT AUTO_INCREMENT PRIMARY KEY, marker VARCHAR(64))"));
        ok(seedRun("exec", "1", "rabbitmqctl", "-q", "add_user", "seed", "seed"));
        ok(seedRun("exec", "1", "rabbitmqctl", "-q", "set_permissions", "-p", "/", "seed", ".*", ".*", ".*"));
        accounts = true;
    }

    // ---- the clients (in the bridge's namespace, 10.x.1, through the public VIP) -------------------------------------

    Result client(String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", PREFIX + "br", "timeout", "20"));
        full.addAll(List.of(cmd));
        return NetnsCluster.run(full, null);
    }

    boolean clientOk(String... cmd) {
        try {
            return client(cmd).status() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    Result mysql(String sql) throws Exception {
        return client("mysql", "-h", VIP, "-u", "seed", "-pseed", "--connect-timeout=3", "-N", "seed", "-e", sql);
    }

    /** Inserts {@code n} rows, one acknowledged statement each (autocommit); keeps those acknowledged. */
    void writeRows(String tag, int n) throws Exception {
        accounts();
        for (int k = 1; k <= n; k++) {
            String marker = tag + "-" + k;
            Result r = mysql("INSERT INTO t (marker) VALUES ('" + marker + "')");
            assertEquals(0, r.status(), "INSERT " + marker + " through the VIP: " + r.err());
            rows.add(marker);
        }
    }

    Set<String> readRows() {
        try {
            Result r = mysql("SELECT marker FROM t");
            return r.status() == 0 ? new TreeSet<>(List.of(r.out().split("\n"))) : Set.of();
        } catch (Exception e) {
            return Set.of();
        }
    }

    void publish(String tag, int n) throws Exception {
        accounts();
        Result r = client(SEED.resolve("amqp-client.py").toString(), "publish", VIP, QUEUE,
            Integer.toString(n), tag);
        assertEquals(0, r.status(), "publishing through the VIP: " + r.out() + r.err());
        List<String> acked = List.of(r.out().strip().split("\n"));
        assertEquals(n, acked.size(), "acknowledged: " + acked);
        messages.addAll(acked);
    }

    /**
     * Takes every message of the queue through the VIP and removes those expected; returns those still missing
     * (everything, when the broker could not be reached).
     */
    Set<String> drain() {
        try {
            Result r = client(SEED.resolve("amqp-client.py").toString(), "drain", VIP, QUEUE);
            for (String b : r.out().split("\n")) {   // what it printed it took, also when it failed later
                if (!b.isBlank()) {
                    taken.add(b.strip());
                }
            }
        } catch (Exception e) {
            // missing all
        }
        Set<String> missing = new LinkedHashSet<>(messages);
        missing.removeAll(taken);
        return missing;
    }

    /** The messages taken off the queue so far (a drain that failed halfway keeps what it took). */
    final Set<String> taken = new java.util.HashSet<>();
}
