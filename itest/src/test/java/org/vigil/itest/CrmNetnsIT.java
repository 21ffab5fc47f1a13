package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
 * The CRM runtime on a real cluster: three node processes in network namespaces (real UDP, votequorum), each running
 * the controller, the executor, attrd and the replicated CIB, running the installed resource agents: a group of
 * {@code ocf:pacemaker:Dummy} and an {@code ocf:heartbeat:IPaddr2} address on the nodes' veth, a Dummy clone, a
 * promotable {@code ocf:pacemaker:Stateful} clone and plain Dummies, all monitored every 2 s, with
 * {@code stonith-enabled=false}, {@code no-quorum-policy=stop} and a resource stickiness. One cluster runs the
 * scenarios in order: cold start; malformed CIB replaces (refused with their reason, nothing changes); a live move of
 * the group by a location constraint; {@code kill -9} of the node holding the group (the time until the group runs
 * elsewhere is printed) and its return; monitor failures (recovery in place, {@code migration-threshold=1},
 * {@code failure-timeout}); bad resources (an unknown agent, a missing required parameter, an agent that hangs, one
 * that exits with garbage); the DC cut off from the other two and the heal.
 *
 * <p>Throughout, a sampler reads every 100 ms what each node's agents would answer (Dummy's and Stateful's state
 * files in that node's HA_RSCTMP/HA_VARRUN, {@code ip addr} in each namespace for the address; checked once against
 * the real agents' {@code monitor}) and fails the test when a resource is ever active on two nodes, a clone has two
 * instances on one node or two Stateful instances are promoted; it records every stop, and each stop the test did
 * not cause (a node it killed, a state file it removed) must be named in a DC's transition summary in the nodes'
 * logs ({@code Stop}/{@code Move}/{@code Recover}/... of that resource on that node). While a partition is fresh the
 * minority may still run what the majority starts again: there the test asserts it stops within a bound and that
 * after the heal there is one copy.
 *
 * <p>A node's crash is a power loss: {@code kill -9} of its process, and what a reboot clears (its HA_RSCTMP and the
 * address the agent added). Needs root and the resource-agents and pacemaker-resource-agents packages (CI's system
 * tests); run under {@code flock /tmp/vigil-netns.lock}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrmNetnsIT {

    static final String SUBNET = "10.66.1";
    static final String VIP = SUBNET + ".100";
    static final long T = 60_000;
    static final Path OCF = Path.of("/usr/lib/ocf");
    /** The Dummy primitives (the group's first member and the plain ones). */
    static final List<String> DUMMIES = List.of("grp-dummy", "d1", "d2", "d3");
    /** Every resource that must be active on exactly one node. */
    static final List<String> SINGLES = List.of("grp-dummy", "grp-vip", "d1", "d2", "d3");
    static final String PROMOTED = "stateful[Promoted]";
    /** What the sampler follows. */
    static final List<String> TRACKED = List.of("grp-dummy", "grp-vip", "d1", "d2", "d3", "cdummy", "stateful",
        PROMOTED);

    NetnsCluster c;
    Path dir;
    Sampler sampler;

    @RegisterExtension
    final KeepOnFailure keep = new KeepOnFailure();

    // ---- the cluster --------------------------------------------------------------------------------------------

    @BeforeAll
    void startTheCluster() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
        for (String a : List.of("pacemaker/Dummy", "heartbeat/IPaddr2", "pacemaker/Stateful")) {
            assumeTrue(Files.isExecutable(OCF.resolve("resource.d").resolve(a)),
                "the resource agent " + a + " is not installed (resource-agents, pacemaker-resource-agents)");
        }
        dir = Files.createTempDirectory("vigil-crm");
        Path ocf = ocfRoot(dir.resolve("ocf"));
        c = new NetnsCluster("vcm", SUBNET, 3, dir);   // assigned first: @AfterAll cleans up what up() made
        c.up();
        c.javaOpts("-Dvigil.agents.ocf.root=" + ocf);
        c.configure("token: 1000", "quorum {\n    provider: corosync_votequorum\n}\n");
        sampler = new Sampler();
        sampler.start();
    }

    @AfterAll
    void stopTheCluster() throws Exception {
        if (sampler != null) {
            sampler.halt();
        }
        if (c != null) {
            c.close();
        }
        keep.cleanUp("CrmNetnsIT", dir);
    }

    /** The scenarios build on each other: after a failed one, the rest would only repeat its failure. */
    @org.junit.jupiter.api.BeforeEach
    void anEarlierScenarioPassed() {
        assumeTrue(!keep.failed(), "an earlier scenario failed; its cluster is kept as it was");
    }

    /** After each scenario: the sampler saw no resource active twice, and every stop has a reason in the logs. */
    @AfterEach
    void noDoubleActiveAndEveryStopExplained() throws Exception {
        if (sampler == null || keep.failed()) {
            return;
        }
        List<String> v = sampler.violations();
        assertTrue(v.isEmpty(), "active on two nodes (or two instances / two promoted): " + v);
        assertStopsExplained();
    }

    /**
     * An OCF root for the nodes: the installed agents (and their shell library) by symbolic links, plus a provider
     * {@code vigiltest} with two broken agents.
     */
    static Path ocfRoot(Path root) throws Exception {
        Files.createDirectories(root.resolve("resource.d"));
        Files.createSymbolicLink(root.resolve("lib"), OCF.resolve("lib"));
        for (String p : List.of("heartbeat", "pacemaker")) {
            Files.createSymbolicLink(root.resolve("resource.d").resolve(p), OCF.resolve("resource.d").resolve(p));
        }
        String meta = """
            meta-data) cat <<'XML'
            <?xml version="1.0"?>
            <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
            <resource-agent name="%1$s" version="1.0">
            <version>1.1</version>
            <longdesc lang="en">%2$s</longdesc>
            <shortdesc lang="en">%2$s</shortdesc>
            <parameters/>
            <actions>
            <action name="start" timeout="20s"/>
            <action name="stop" timeout="20s"/>
            <action name="monitor" timeout="20s" interval="10s"/>
            <action name="meta-data" timeout="5s"/>
            </actions>
            </resource-agent>
            XML
            exit 0 ;;
            """;
        Path vt = Files.createDirectories(root.resolve("resource.d/vigiltest"));
        script(vt.resolve("Hang"), "#!/bin/sh\ncase \"$1\" in\n" + String.format(meta, "Hang",
            "a start that never returns") + "start) exec sleep 600 ;;\nstop) exit 0 ;;\nmonitor) exit 7 ;;\n"
            + "*) exit 0 ;;\nesac\n");
        script(vt.resolve("Garbage"), "#!/bin/sh\ncase \"$1\" in\n" + String.format(meta, "Garbage",
            "a start that exits with no OCF status") + "start) echo '%$#@! garbage'; exit 123 ;;\nstop) exit 0 ;;\n"
            + "monitor) exit 7 ;;\n*) exit 0 ;;\nesac\n");
        return root;
    }

    static void script(Path f, String body) throws Exception {
        Files.writeString(f, body);
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The cluster options, replacing {@code crm_config}. */
    static String crmConfig() {
        return "<crm_config><cluster_property_set id=\"cib-bootstrap-options\">"
            + nv("opt", "stonith-enabled", "false") + nv("opt", "no-quorum-policy", "stop")
            + nv("opt", "cluster-recheck-interval", "3s") + "</cluster_property_set></crm_config>";
    }

    static String rscDefaults() {
        return "<rsc_defaults><meta_attributes id=\"rsc-options\">" + nv("rsc", "resource-stickiness", "100")
            + "</meta_attributes></rsc_defaults>";
    }

    static String resources() {
        return "<resources>"
            + "<group id=\"grp\">" + dummy("grp-dummy", "")
            + "<primitive id=\"grp-vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
            + "<instance_attributes id=\"grp-vip-ia\">" + nv("grp-vip", "ip", VIP) + nv("grp-vip", "cidr_netmask", "24")
            + nv("grp-vip", "nic", "eth0") + "</instance_attributes>" + monitor("grp-vip", "2s", null)
            + "</primitive></group>"
            + "<clone id=\"dclone\">" + dummy("cdummy", "") + "</clone>"
            + "<clone id=\"sclone\"><meta_attributes id=\"sclone-meta\">" + nv("sclone", "promotable", "true")
            + "</meta_attributes><primitive id=\"stateful\" class=\"ocf\" provider=\"pacemaker\" type=\"Stateful\">"
            + "<operations><op id=\"stateful-mon-p\" name=\"monitor\" interval=\"2s\" role=\"Promoted\"/>"
            + "<op id=\"stateful-mon-u\" name=\"monitor\" interval=\"3s\" role=\"Unpromoted\"/></operations>"
            + "</primitive></clone>"
            + dummy("d1", "") + dummy("d2", "<meta_attributes id=\"d2-meta\">" + nv("d2", "migration-threshold", "1")
                + nv("d2", "failure-timeout", "12s") + "</meta_attributes>") + dummy("d3", "")
            + "</resources>";
    }

    static String nv(String prefix, String name, String value) {
        return "<nvpair id=\"" + prefix + "-" + name + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
    }

    static String monitor(String rsc, String interval, String timeout) {
        return "<operations><op id=\"" + rsc + "-monitor\" name=\"monitor\" interval=\"" + interval + "\""
            + (timeout == null ? "" : " timeout=\"" + timeout + "\"") + "/></operations>";
    }

    static String dummy(String id, String meta) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" + meta
            + monitor(id, "2s", null) + "</primitive>";
    }

    // ---- scenarios ----------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void aColdStartRunsEverythingWhereTheSchedulerPlacesIt() throws Exception {
        long t0 = System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            c.start(i);
        }
        for (int i = 1; i <= 3; i++) {
            int n = i;
            NetnsCluster.await("node" + n + " in a ring of 3", T,
                () -> "1 2 3".equals(RingUpgradeIT.get(c, n, "runtime.totem.members")));
        }
        // the configuration goes in once the ring has formed and the CIB copies agree (a change made on a node
        // alone may lose to the others' copy by the version rule when they meet, as in Pacemaker)
        CibNetnsIT.awaitSame(c, 1, 2, 3);
        ok(c.vigil(1, "cibadmin", "--replace", "-o", "crm_config", "-X", crmConfig()));
        // an empty CIB has no rsc_defaults section: replacing it fails (ENXIO), as in Pacemaker; it is created
        ok(c.vigil(1, "cibadmin", "--create", "-o", "configuration", "-X", rscDefaults()));
        ok(c.vigil(1, "cibadmin", "--replace", "-o", "resources", "-X", resources()));
        Placement p = awaitConverged(Set.of(1, 2, 3), 90_000);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("CrmNetnsIT: cold start: every resource started " + ms + " ms after the first node was"
            + " started (DC " + dc() + "): " + p);
        assertTrue(ms < 90_000, ms + " ms");
        // the sampler's reading of the state files and addresses is what the agents themselves answer
        crossCheckWithTheAgents(Set.of(1, 2, 3));
    }

    @Test
    @Order(4)
    void aKilledGroupHolderIsReplacedAndItsReturnRestartsNothingHealthy() throws Exception {
        Placement before = placement();
        int holder = before.node("grp-dummy");
        Set<Integer> survivors = others(holder);
        powerLoss(holder);
        long t = System.nanoTime();
        NetnsCluster.await("the group started on a survivor", T, () -> {
            Placement now = sampler.snapshot();
            return survivors.contains(now.node("grp-vip")) && now.node("grp-dummy") == now.node("grp-vip");
        });
        System.out.println("CrmNetnsIT: kill -9 of node" + holder + " (the group's node): the group (Dummy and the "
            + "address) active on node" + sampler.snapshot().node("grp-vip") + " "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t) + " ms later (token 1000 ms)");
        Placement after = awaitConverged(survivors, T);
        int newHolder = after.node("grp-dummy");
        assertTrue(survivors.contains(newHolder), "the group runs on a survivor: " + after);
        assertEquals(newHolder, after.node("grp-vip"), "the group's address runs with it: " + after);
        int other = survivors.stream().filter(n -> n != newHolder).findFirst().orElseThrow();
        NetnsCluster.await("the address " + VIP + " answering ping from " + c.ns(other), 20_000,
            () -> ping(other, VIP));
        System.out.println("CrmNetnsIT: kill -9 of node" + holder + ": everything runs on " + survivors + " "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t) + " ms later: " + after);
        crossCheckWithTheAgents(survivors);

        // the node comes back (empty, as after a reboot): it is probed, gets its clone instances, nothing moves back
        Map<String, String> callIds = startCallIds(after);
        int mark = sampler.mark();
        c.start(holder);
        sampler.nodeUp(holder);
        Placement back = awaitConverged(Set.of(1, 2, 3), T);
        for (String r : SINGLES) {
            assertEquals(after.node(r), back.node(r), r + " stays where it runs (resource-stickiness): " + back);
        }
        assertEquals(after.node(PROMOTED), back.node(PROMOTED), "the promoted instance stays: " + back);
        assertEquals(List.of(), sampler.stopsSince(mark), "nothing healthy stopped when node" + holder + " came back");
        Map<String, String> now = startCallIds(after);
        assertEquals(callIds, now, "the survivors' resources were not started again (call ids of their starts)");
    }

    @Test
    @Order(5)
    void monitorFailuresRecoverInPlaceMoveAtTheThresholdAndExpire() throws Exception {
        Placement p = awaitConverged(Set.of(1, 2, 3), T);
        // d1: one failure, recovered where it runs, fail count 1
        int n1 = p.node("d1");
        Map<String, String> calls = startCallIds(p);
        failMonitor("d1", n1);
        awaitFailCount("d1", n1, 1);
        Placement recovered = awaitConverged(Set.of(1, 2, 3), T);
        assertEquals(n1, recovered.node("d1"), "d1 recovered in place");
        String failure = lastFailure("d1", n1);
        assertTrue(failure.contains("operation=\"monitor\"") && failure.contains("rc-code=\"7\""), failure);
        assertTrue(!calls.get("d1@node" + n1).equals(startCallIds(recovered).get("d1@node" + n1)),
            "d1 was started again (a new call id): " + calls + " / " + startCallIds(recovered));

        // d2 (migration-threshold=1): moved away after its first failure
        int n2 = p.node("d2");
        long t = System.nanoTime();
        failMonitor("d2", n2);
        awaitFailCount("d2", n2, 1);
        Placement moved = awaitConverged(Set.of(1, 2, 3), T);
        assertTrue(moved.node("d2") != n2, "d2 moved away from node" + n2 + " after its failure: " + moved);
        System.out.println("CrmNetnsIT: d2's monitor failure on node" + n2 + ": running on node" + moved.node("d2")
            + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t) + " ms after its state file went");

        // failure-timeout=12s (cluster-recheck-interval=3s): the fail count expires; d2 stays where it is
        int mark = sampler.mark();
        awaitFailCount("d2", n2, 0);
        long expiredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
        System.out.println("CrmNetnsIT: d2's fail count on node" + n2 + " expired " + expiredMs
            + " ms after its failure (failure-timeout 12 s)");
        assertTrue(expiredMs >= 10_000, "not before the failure-timeout: " + expiredMs + " ms");
        Placement later = awaitConverged(Set.of(1, 2, 3), T);
        assertEquals(moved.node("d2"), later.node("d2"), "d2 stays where it moved (resource-stickiness)");
        assertEquals(List.of(), sampler.stopsSince(mark));
        assertEquals(1, failCount("d1", n1), "d1 has no failure-timeout: its fail count stays");
    }

    @Test
    @Order(2)
    void aMalformedCibReplaceIsRefusedWithAReasonAndChangesNothing() throws Exception {
        Placement before = awaitConverged(Set.of(1, 2, 3), T);
        int mark = sampler.mark();
        String cib = cib(2);
        String versionBefore = cibVersion(cib);
        String resourcesBefore = section(cib, "resources");
        // not XML at all
        Result r = c.vigil(2, "cibadmin", "--replace", "-o", "resources", "-X", "<resources><primitive id=\"x\"");
        assertTrue(r.status() != 0, "unparsable input refused: " + r);
        assertTrue(r.err().contains("Couldn't parse input"), "the reason: " + r.err());
        // well-formed, but the schema refuses it (a primitive without class and type, an unknown element)
        r = c.vigil(2, "cibadmin", "--replace", "-o", "resources", "-X",
            "<resources><primitive id=\"nothing\"/><bogus id=\"b\"/></resources>");
        assertTrue(r.status() != 0, "schema-invalid input refused: " + r);
        assertTrue(r.err().contains("does not conform to the configured schema"), "the reason: " + r.err());
        // the whole CIB replaced by one without its configuration
        r = c.vigil(2, "cibadmin", "--replace", "-X", "<cib><status/></cib>");
        assertTrue(r.status() != 0, "a CIB without a configuration refused: " + r);
        System.out.println("CrmNetnsIT: a CIB without a configuration: rc " + r.status() + ": " + r.err().strip());
        for (int i = 1; i <= 3; i++) {
            String now = cib(i);
            assertEquals(versionBefore, cibVersion(now), "node" + i + "'s CIB version unchanged");
            assertEquals(resourcesBefore, section(now, "resources"), "node" + i + "'s resources unchanged");
        }
        Placement after = awaitConverged(Set.of(1, 2, 3), T);
        assertEquals(before.toString(), after.toString(), "everything runs where it ran");
        assertEquals(List.of(), sampler.stopsSince(mark), "nothing stopped");
    }

    @Test
    @Order(3)
    void aLocationConstraintMovesTheGroupLiveStoppingBeforeStarting() throws Exception {
        Placement before = awaitConverged(Set.of(1, 2, 3), T);
        int from = before.node("grp-dummy");
        int to = others(from).iterator().next();
        int third = others(from).stream().filter(n -> n != to).findFirst().orElseThrow();
        int mark = sampler.mark();
        ok(c.vigil(to, "cibadmin", "--create", "-o", "constraints", "-X",
            "<rsc_location id=\"grp-there\" rsc=\"grp\" node=\"node" + to + "\" score=\"INFINITY\"/>"));
        long t = System.nanoTime();
        Placement moved = awaitConverged(Set.of(1, 2, 3), T);
        assertEquals(to, moved.node("grp-dummy"), "the group moved to node" + to + ": " + moved);
        NetnsCluster.await("the address answering ping from node" + third, 20_000, () -> ping(third, VIP));
        System.out.println("CrmNetnsIT: the group moved node" + from + " -> node" + to + " in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t) + " ms");
        // without the constraint it stays (resource-stickiness)
        ok(c.vigil(to, "cibadmin", "--delete", "-o", "constraints", "-X", "<rsc_location id=\"grp-there\"/>"));
        Placement after = awaitConverged(Set.of(1, 2, 3), T);
        assertEquals(to, after.node("grp-dummy"), "the group stays where it moved: " + after);
        List<String> stops = new ArrayList<>();
        for (String s : sampler.stopsSince(mark)) {
            stops.add(s.replaceAll(" at .*", ""));
        }
        assertEquals(new TreeSet<>(List.of("grp-dummy@node" + from, "grp-vip@node" + from)), new TreeSet<>(stops),
            "only the group stopped, once, where it ran");
        for (String r : List.of("grp-dummy", "grp-vip", "d1", "d2", "d3", "cdummy", "stateful", PROMOTED)) {
            if (!r.startsWith("grp-")) {
                assertEquals(before.nodes(r), after.nodes(r), r + " did not move");
            }
        }
    }

    static String cibVersion(String cibXml) {
        Matcher m = Pattern.compile("<cib [^>]*").matcher(cibXml);
        assertTrue(m.find(), cibXml);
        StringBuilder v = new StringBuilder();
        for (String a : List.of("admin_epoch", "epoch")) {
            Matcher x = Pattern.compile("\\b" + a + "=\"(\\d+)\"").matcher(m.group());
            v.append(a).append('=').append(x.find() ? x.group(1) : "?").append(' ');
        }
        return v.toString().strip();
    }

    static String section(String cibXml, String tag) {
        int a = cibXml.indexOf("<" + tag);
        int b = cibXml.indexOf("</" + tag + ">");
        return a < 0 ? "" : b < 0 ? cibXml.substring(a, cibXml.indexOf('>', a) + 1) : cibXml.substring(a, b);
    }

    @Test
    @Order(6)
    void badResourcesFailWithAReasonAndTheRestKeepsRunning() throws Exception {
        Placement before = awaitConverged(Set.of(1, 2, 3), T);
        String dcBefore = dc();
        int mark = sampler.mark();
        ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", "<resources>"
            + "<primitive id=\"bad-unknown\" class=\"ocf\" provider=\"heartbeat\" type=\"NoSuchAgent\"/>"
            + "<primitive id=\"bad-noip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"/>"
            + "<primitive id=\"bad-hang\" class=\"ocf\" provider=\"vigiltest\" type=\"Hang\"><operations>"
            + "<op id=\"bad-hang-start\" name=\"start\" interval=\"0\" timeout=\"3s\"/></operations></primitive>"
            + "<primitive id=\"bad-garbage\" class=\"ocf\" provider=\"vigiltest\" type=\"Garbage\"/>"
            + "</resources>"));
        Map<String, Pattern> reasons = new LinkedHashMap<>();
        reasons.put("bad-unknown", Pattern.compile("NoSuchAgent"));
        reasons.put("bad-noip", Pattern.compile("\\bip\\b"));
        reasons.put("bad-hang", Pattern.compile("timed out after 3000 ms"));
        reasons.put("bad-garbage", Pattern.compile("exited with 123"));
        Map<String, String> seen = new TreeMap<>();
        NetnsCluster.await("a failed action with its reason in the CIB for each bad resource (so far " + seen + ")",
            90_000, () -> {
                try {
                    String status = cib(1);
                    for (Map.Entry<String, Pattern> e : reasons.entrySet()) {
                        Matcher m = Pattern.compile("<lrm_rsc_op id=\"" + e.getKey() + "_last_failure_0\"[^>]*")
                            .matcher(status);
                        while (m.find()) {
                            Matcher why = Pattern.compile("exit-reason=\"([^\"]*)\"").matcher(m.group());
                            if (why.find() && e.getValue().matcher(why.group(1)).find()) {
                                seen.put(e.getKey(), m.group());
                            }
                        }
                    }
                    return seen.keySet().containsAll(reasons.keySet());
                } catch (Exception ex) {
                    return false;
                }
            });
        seen.forEach((k, v) -> System.out.println("CrmNetnsIT: " + k + ": " + v.replaceAll(
            ".*(operation_key=\"[^\"]*\").*(exit-reason=\"[^\"]*\").*(on_node=\"[^\"]*\").*(rc-code=\"[^\"]*\")"
                + " (op-status=\"[^\"]*\").*", "$1 $2 $3 $4 $5")));
        // the hung and the garbage agents fail their start on every node (INFINITY each time), then stay stopped
        for (String r : List.of("bad-hang", "bad-garbage")) {
            NetnsCluster.await(r + " failed on every node", 90_000, () -> {
                try {
                    for (int i = 1; i <= 3; i++) {
                        if (failCount(r, i) < 1_000_000) {
                            return false;
                        }
                    }
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
        }
        Placement after = awaitConverged(Set.of(1, 2, 3), T);
        assertEquals(before.toString(), after.toString(), "the rest keeps running where it was");
        assertEquals(List.of(), sampler.stopsSince(mark), "nothing else stopped");
        for (int i = 1; i <= 3; i++) {
            assertTrue(c.alive(i), "node" + i + " is up");
        }
        assertEquals(dcBefore, dc(), "the same DC");
    }

    @Test
    @Order(7)
    void aPartitionedNodeWithoutQuorumStopsItsResourcesAndAfterTheHealThereIsOneCopy() throws Exception {
        Placement before = awaitConverged(Set.of(1, 2, 3), T);
        // the DC is cut off: the majority elects its own, and at the heal the old DC (the oldest node) is DC again,
        // with the others joining it while their resources run
        int minority = Integer.parseInt(dc().substring(4));
        Set<Integer> majority = others(minority);
        List<String> minorityRuns = before.on(minority);
        sampler.tolerate(true);   // until the minority has stopped, it may still run what the majority starts again
        long t = System.nanoTime();
        c.partition(Set.of(minority), majority);
        NetnsCluster.await("node" + minority + " running nothing (now " + sampler.snapshot().on(minority) + ")",
            45_000, () -> sampler.snapshot().on(minority).isEmpty());
        long stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
        Placement split = awaitConverged(majority, T);
        sampler.tolerate(false);
        System.out.println("CrmNetnsIT: partition node" + minority + " | " + majority + ": the minority stopped "
            + minorityRuns + " within " + stoppedMs + " ms; the majority runs " + split);
        String q = c.vigil(minority, "corosync-quorumtool", "-s").out();
        assertTrue(q.contains("Activity blocked"), q);

        System.out.println("CrmNetnsIT: while the partition was fresh, the sampler saw (tolerated, no fencing): "
            + sampler.tolerated());
        int mark = sampler.mark();
        c.heal();
        for (int i = 1; i <= 3; i++) {
            int n = i;
            NetnsCluster.await("node" + n + " in a ring of 3 again", T,
                () -> "1 2 3".equals(RingUpgradeIT.get(c, n, "runtime.totem.members")));
        }
        Placement healed = awaitConverged(Set.of(1, 2, 3), T);
        System.out.println("CrmNetnsIT: healed: " + healed);
        assertEquals(List.of(), sampler.violations(), "one copy of everything after the heal");
        // at the heal the copy with the higher version wins (here the cut-off DC's); the majority's transient
        // attributes written meanwhile (the promotion score) come back as each attrd writes its own values again
        List<String> healStops = new ArrayList<>(sampler.stopsSince(mark));
        assertEquals(List.of(), healStops, "nothing stopped at the heal");
        for (String r : SINGLES) {
            assertEquals(split.node(r), healed.node(r), r + " stays where the majority ran it: " + healed);
        }
    }

    // ---- faults ---------------------------------------------------------------------------------------------------

    /** Power loss of node {@code i}: its process is killed and what a reboot clears is gone. */
    void powerLoss(int i) throws Exception {
        sampler.nodeDown(i);
        c.kill9(i);
        try (var files = Files.list(c.agentsDir(i))) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        NetnsCluster.run(List.of("ip", "-n", c.ns(i), "addr", "del", VIP + "/24", "dev", "eth0"), null);
    }

    /** Makes Dummy {@code rsc}'s monitor on node {@code i} fail: its state file goes. */
    void failMonitor(String rsc, int i) throws Exception {
        sampler.expectStop(rsc, i);
        Files.delete(c.agentsDir(i).resolve("Dummy-" + rsc + ".state"));
    }

    Set<Integer> others(int i) {
        Set<Integer> s = new TreeSet<>(Set.of(1, 2, 3));
        s.remove(i);
        return s;
    }

    boolean ping(int from, String address) {
        try {
            return NetnsCluster.run(List.of("ip", "netns", "exec", c.ns(from), "ping", "-c", "1", "-W", "1", address),
                null).status() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    // ---- what the cluster says ----------------------------------------------------------------------------------

    static void ok(Result r) {
        assertEquals(0, r.status(), r.out() + r.err());
    }

    /** The name of the DC, as the first live node says. */
    String dc() throws Exception {
        return dc(Set.of(1, 2, 3));
    }

    /** The name of the DC, as the first live node of {@code nodes} says (its partition's DC). */
    String dc(Set<Integer> nodes) throws Exception {
        for (int i : new TreeSet<>(nodes)) {
            if (c.alive(i)) {
                Result r = c.vigil(i, "crmadmin", "-D", "-q");
                if (r.status() == 0) {
                    return r.out().strip();
                }
            }
        }
        return null;
    }

    String cib(int i) throws Exception {
        Result r = c.vigil(i, "cibadmin", "-Q");
        assertEquals(0, r.status(), r.err());
        return r.out();
    }

    int liveNode() {
        for (int i = 1; i <= 3; i++) {
            if (c.alive(i)) {
                return i;
            }
        }
        throw new AssertionError("no node is up");
    }

    /** {@code crm_failcount -G}: the resource's fail count on node {@code i} (the sum over its operations). */
    long failCount(String rsc, int i) throws Exception {
        Result r = c.vigil(liveNode(), "crm_failcount", "-G", "-r", rsc, "-N", "node" + i);
        Matcher m = Pattern.compile("value=(\\S+)").matcher(r.out());
        if (r.status() != 0 || !m.find()) {
            throw new AssertionError("crm_failcount -G -r " + rsc + " -N node" + i + ": " + r);
        }
        return m.group(1).equals("INFINITY") ? 1_000_000 : Long.parseLong(m.group(1));
    }

    void awaitFailCount(String rsc, int i, long value) throws Exception {
        NetnsCluster.await("fail count of " + rsc + " on node" + i + " = " + value, T, () -> {
            try {
                return failCount(rsc, i) == value;
            } catch (Exception | AssertionError e) {
                return false;
            }
        });
    }

    String lastFailure(String rsc, int i) throws Exception {
        Matcher m = Pattern.compile("<lrm_rsc_op id=\"" + rsc + "_last_failure_0\"[^>]*on_node=\"node" + i + "\"[^>]*")
            .matcher(cib(liveNode()));
        return m.find() ? m.group() : "no " + rsc + "_last_failure_0 on node" + i;
    }

    /**
     * The call ids of the starts (and promotes) that the CIB says the running resources came from, by
     * {@code rsc@node}: the same ids later mean nothing was started again.
     */
    Map<String, String> startCallIds(Placement p) throws Exception {
        Map<String, String> out = new TreeMap<>();
        Map<String, Map<String, Element>> lrm = lrmLast(cib(liveNode()));
        for (Map.Entry<String, Set<Integer>> e : p.active.entrySet()) {
            String rsc = e.getKey().equals(PROMOTED) ? "stateful" : e.getKey();
            for (int n : e.getValue()) {
                Element op = lrm.getOrDefault("node" + n, Map.of()).get(rsc);
                out.put(e.getKey() + "@node" + n, op == null ? "none" : op.getAttribute("operation") + "#"
                    + op.getAttribute("call-id"));
            }
        }
        return out;
    }

    /** Each node's {@code RSC_last_0} entries, by node name and resource. */
    static Map<String, Map<String, Element>> lrmLast(String cibXml) throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(cibXml.getBytes(StandardCharsets.UTF_8)));
        Map<String, Map<String, Element>> out = new TreeMap<>();
        NodeList states = doc.getElementsByTagName("node_state");
        for (int i = 0; i < states.getLength(); i++) {
            Element ns = (Element) states.item(i);
            Map<String, Element> rscs = out.computeIfAbsent(ns.getAttribute("uname"), k -> new TreeMap<>());
            NodeList ops = ns.getElementsByTagName("lrm_rsc_op");
            for (int k = 0; k < ops.getLength(); k++) {
                Element op = (Element) ops.item(k);
                String rsc = ((Element) op.getParentNode()).getAttribute("id");
                if (op.getAttribute("id").equals(rsc + "_last_0")) {
                    rscs.put(rsc, op);
                }
            }
        }
        return out;
    }

    /** Where the CIB's operation history says each resource runs (and where Stateful is promoted). */
    static Placement cibPlacement(String cibXml) throws Exception {
        Placement p = new Placement();
        for (Map.Entry<String, Map<String, Element>> node : lrmLast(cibXml).entrySet()) {
            int n = Integer.parseInt(node.getKey().substring(4));
            for (Map.Entry<String, Element> e : node.getValue().entrySet()) {
                String op = e.getValue().getAttribute("operation");
                String rc = e.getValue().getAttribute("rc-code");
                String status = e.getValue().getAttribute("op-status");
                boolean running = status.equals("0") && (rc.equals("0") || rc.equals("8"))
                    && Set.of("start", "promote", "demote", "monitor", "migrate_from").contains(op);
                boolean promoted = status.equals("0") && (op.equals("promote") && rc.equals("0")
                    || op.equals("monitor") && rc.equals("8"));
                if (running) {
                    p.add(e.getKey(), n);
                }
                if (promoted) {
                    p.add(PROMOTED, n);
                }
            }
        }
        return p;
    }

    /**
     * Waits until the cluster has converged on {@code nodes}: every single resource on one of them, the group
     * together, the Dummy and Stateful clones on each, one Stateful promoted, the CIB's history saying the same as
     * the agents, and the DC idle. Returns the placement.
     */
    Placement awaitConverged(Set<Integer> nodes, long timeoutMs) throws Exception {
        String[] last = {""};
        Placement[] out = new Placement[1];
        try {
            awaitConverged(nodes, timeoutMs, last, out);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + last[0], e);
        }
        return out[0];
    }

    private void awaitConverged(Set<Integer> nodes, long timeoutMs, String[] last, Placement[] out)
        throws InterruptedException {
        NetnsCluster.await("the cluster converged on " + nodes, timeoutMs, () -> {
            try {
                Placement p = sampler.snapshot();
                last[0] = "agents: " + p;
                for (String r : SINGLES) {
                    Set<Integer> on = p.nodes(r);
                    if (on.size() != 1 || !nodes.containsAll(on)) {
                        return false;
                    }
                }
                if (p.node("grp-dummy") != p.node("grp-vip") || !p.nodes("cdummy").equals(nodes)
                    || !p.nodes("stateful").equals(nodes) || p.nodes(PROMOTED).size() != 1) {
                    return false;
                }
                int any = new TreeSet<>(nodes).first();
                Placement recorded = cibPlacement(cib(any));
                last[0] += "; CIB: " + recorded;
                for (String r : TRACKED) {
                    // a node outside the partition keeps its last history in this side's CIB (a lost node's
                    // history stays until it rejoins, is fenced or shuts down cleanly, as in Pacemaker)
                    Set<Integer> here = new TreeSet<>(recorded.nodes(r));
                    here.retainAll(nodes);
                    if (!here.equals(p.nodes(r))) {
                        return false;
                    }
                }
                String dc = dc(nodes);
                if (dc == null) {
                    return false;
                }
                Result s = c.vigil(Integer.parseInt(dc.substring(4)), "crmadmin", "-S", dc, "-q");
                last[0] += "; DC " + dc + " " + s.out().strip();
                if (!s.out().strip().equals("S_IDLE")) {
                    return false;
                }
                out[0] = p;
                return true;
            } catch (Exception e) {
                last[0] += " (" + e + ")";
                return false;
            }
        });
    }

    Placement placement() {
        return sampler.snapshot();
    }

    /**
     * Runs the agents themselves on each node (Dummy's and Stateful's monitor with the node's directories,
     * IPaddr2's monitor in its namespace) and compares with the sampler's reading.
     */
    void crossCheckWithTheAgents(Set<Integer> nodes) throws Exception {
        Placement p = sampler.snapshot();
        for (int i : nodes) {
            for (String r : DUMMIES) {
                int rc = agent(i, "pacemaker/Dummy", r, Map.of());
                assertEquals(p.nodes(r).contains(i) ? 0 : 7, rc, "Dummy monitor of " + r + " on node" + i);
            }
            int st = agent(i, "pacemaker/Stateful", "stateful", Map.of("CRM_meta_interval", "2000"));
            assertEquals(p.nodes(PROMOTED).contains(i) ? 8 : p.nodes("stateful").contains(i) ? 0 : 7, st,
                "Stateful monitor on node" + i);
            int vip = agent(i, "heartbeat/IPaddr2", "grp-vip", Map.of("ip", VIP, "cidr_netmask", "24", "nic", "eth0"));
            assertEquals(p.nodes("grp-vip").contains(i) ? 0 : 7, vip, "IPaddr2 monitor on node" + i);
        }
    }

    /** Runs an installed agent's monitor as node {@code i} would (its namespace and directories); returns its rc. */
    int agent(int i, String agent, String instance, Map<String, String> params) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", c.ns(i), "env", "-i",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "OCF_ROOT=" + OCF, "OCF_RESOURCE_INSTANCE=" + instance,
            "HA_RSCTMP=" + c.agentsDir(i), "HA_VARRUN=" + c.agentsDir(i), "OCF_RESKEY_CRM_meta_interval=0",
            "OCF_RESKEY_CRM_meta_timeout=20000"));
        params.forEach((k, v) -> cmd.add("OCF_RESKEY_" + k + "=" + v));
        cmd.add(OCF.resolve("resource.d").resolve(agent).toString());
        cmd.add("monitor");
        return NetnsCluster.run(cmd, null).status();
    }

    // ---- stops and their reasons --------------------------------------------------------------------------------

    static final Pattern SUMMARY = Pattern.compile("transition: transition \\d+ \\(CIB [^)]*\\): \\d+ actions: (.*)");
    static final Pattern ITEM = Pattern.compile("(Stop|Move|Recover|Restart|Demote|Re-promote|Migrate)\\s+(\\S+)\\s+"
        + "\\(\\s*([^)]*)\\)");

    /**
     * Every stop the sampler saw that the test did not cause is in a transition summary the DC of its partition
     * logged: a {@code Stop}, {@code Move}, {@code Recover}, ... of that resource (any instance of a clone) on that
     * node, at least as many times as it was seen.
     */
    void assertStopsExplained() throws Exception {
        Map<String, Integer> explained = new HashMap<>();
        for (int i = 1; i <= 3; i++) {
            if (!Files.exists(c.log(i))) {
                continue;
            }
            for (String line : Files.readAllLines(c.log(i), StandardCharsets.ISO_8859_1)) {
                Matcher s = SUMMARY.matcher(line);
                if (!s.find()) {
                    continue;
                }
                Matcher item = ITEM.matcher(s.group(1));
                while (item.find()) {
                    String rsc = item.group(2).replaceAll(":\\d+$", "");
                    Matcher from = Pattern.compile("node(\\d)").matcher(item.group(3));
                    if (from.find()) {   // the first node named is where it stops (or is demoted)
                        String key = (item.group(1).equals("Demote") ? PROMOTED : rsc) + "@node" + from.group(1);
                        explained.merge(key, 1, Integer::sum);
                        if (rsc.equals("stateful")) {
                            explained.merge(PROMOTED + "@node" + from.group(1), 1, Integer::sum);
                        }
                    }
                }
            }
        }
        Map<String, Integer> stops = new TreeMap<>();
        for (Sampler.Event e : sampler.unexcusedStops()) {
            stops.merge(e.rsc() + "@node" + e.node(), 1, Integer::sum);
        }
        List<String> unexplained = new ArrayList<>();
        stops.forEach((k, n) -> {
            if (explained.getOrDefault(k, 0) < n) {
                unexplained.add(k + " stopped " + n + "x, named " + explained.getOrDefault(k, 0) + "x");
            }
        });
        assertTrue(unexplained.isEmpty(), "stops without a reason in any DC's transition summary: " + unexplained
            + "; summaries: " + explained);
    }

    // ---- the sampler ----------------------------------------------------------------------------------------------

    /** Which nodes each resource is active on. */
    static final class Placement {
        final Map<String, Set<Integer>> active = new TreeMap<>();

        void add(String rsc, int node) {
            active.computeIfAbsent(rsc, k -> new TreeSet<>()).add(node);
        }

        Set<Integer> nodes(String rsc) {
            return active.getOrDefault(rsc, Set.of());
        }

        /** The one node {@code rsc} runs on (-1 if none or several). */
        int node(String rsc) {
            Set<Integer> s = nodes(rsc);
            return s.size() == 1 ? s.iterator().next() : -1;
        }

        List<String> on(int node) {
            List<String> out = new ArrayList<>();
            active.forEach((r, s) -> {
                if (s.contains(node)) {
                    out.add(r);
                }
            });
            return out;
        }

        @Override
        public String toString() {
            return active.toString();
        }
    }

    /**
     * Reads, every 100 ms, what each node's agents would answer: the Dummy state files and Stateful's state in the
     * node's directory, the address in its namespace. Checks the invariants on every reading and records every start
     * and stop.
     */
    final class Sampler extends Thread {
        record Event(long atMs, String rsc, int node, boolean start, boolean excused) {
        }

        private final long t0 = System.nanoTime();
        private final List<Event> events = new ArrayList<>();
        private final List<String> violations = new ArrayList<>();
        private final List<String> tolerated = new ArrayList<>();
        private final Set<Integer> down = new TreeSet<>();
        private final Map<String, Integer> expected = new HashMap<>();
        private Placement last = new Placement();
        private boolean tolerant;
        private volatile boolean running = true;
        private long samples;

        Sampler() {
            super("crm-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                long start = System.nanoTime();
                try {
                    sample();
                } catch (Exception e) {
                    synchronized (this) {
                        violations.add("the sampler failed: " + e);
                    }
                }
                long sleep = 100 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                try {
                    Thread.sleep(Math.max(10, sleep));
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
            Placement p = new Placement();
            Map<Integer, Integer> cloneInstances = new HashMap<>();
            for (int i = 1; i <= 3; i++) {
                Path d = c.agentsDir(i);
                if (Files.isDirectory(d)) {
                    try (var files = Files.list(d)) {
                        for (Path f : files.toList()) {
                            String name = f.getFileName().toString();
                            if (name.startsWith("Dummy-cdummy") && name.endsWith(".state")) {
                                p.add("cdummy", i);
                                cloneInstances.merge(i, 1, Integer::sum);
                            } else if (name.startsWith("Dummy-") && name.endsWith(".state")) {
                                p.add(name.substring(6, name.length() - 6), i);
                            } else if (name.equals("Stateful-stateful.state")) {
                                String role = readQuietly(f);
                                if (role.equals("Promoted") || role.equals("Unpromoted")) {
                                    p.add("stateful", i);
                                }
                                if (role.equals("Promoted")) {
                                    p.add(PROMOTED, i);
                                }
                            }
                        }
                    } catch (java.nio.file.NoSuchFileException e) {
                        // a file went while listing: the next sample sees it
                    }
                }
                Result a = NetnsCluster.run(List.of("ip", "-n", c.ns(i), "-o", "-4", "addr", "show", "dev", "eth0"),
                    null);
                if (a.out().contains(" " + VIP + "/")) {
                    p.add("grp-vip", i);
                }
            }
            List<String> bad = new ArrayList<>();
            for (String r : SINGLES) {
                if (p.nodes(r).size() > 1) {
                    bad.add(r + " on " + p.nodes(r));
                }
            }
            if (p.node("grp-dummy") > 0 && p.node("grp-vip") > 0 && p.node("grp-dummy") != p.node("grp-vip")) {
                bad.add("the group's members on different nodes: grp-dummy " + p.nodes("grp-dummy") + ", grp-vip "
                    + p.nodes("grp-vip"));
            }
            cloneInstances.forEach((n, k) -> {
                if (k > 1) {
                    bad.add(k + " instances of cdummy on node" + n);
                }
            });
            if (p.nodes(PROMOTED).size() > 1) {
                bad.add("stateful promoted on " + p.nodes(PROMOTED));
            }
            synchronized (this) {
                long at = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                samples++;
                for (String b : bad) {
                    (tolerant ? tolerated : violations).add(at + " ms: " + b);
                }
                Set<String> names = new TreeSet<>(p.active.keySet());
                names.addAll(last.active.keySet());
                for (String r : names) {
                    for (int n = 1; n <= 3; n++) {
                        boolean was = last.nodes(r).contains(n);
                        boolean is = p.nodes(r).contains(n);
                        if (was && !is) {
                            String key = r + "@" + n;
                            boolean excused = down.contains(n) || expected.getOrDefault(key, 0) > 0;
                            if (expected.getOrDefault(key, 0) > 0) {
                                expected.merge(key, -1, Integer::sum);
                            }
                            events.add(new Event(at, r, n, false, excused));
                        } else if (is && !was) {
                            events.add(new Event(at, r, n, true, false));
                        }
                    }
                }
                last = p;
                notifyAll();
            }
        }

        private String readQuietly(Path f) {
            try {
                return Files.readString(f).strip();
            } catch (Exception e) {
                return "";
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

        synchronized List<String> violations() {
            return List.copyOf(violations);
        }

        synchronized List<String> tolerated() {
            return List.copyOf(tolerated);
        }

        synchronized void tolerate(boolean on) {
            tolerant = on;
        }

        /** Stops seen on node {@code i} from now on are the test's doing (it loses power). */
        synchronized void nodeDown(int i) {
            down.add(i);
        }

        synchronized void nodeUp(int i) {
            down.remove(i);
        }

        /** The next stop of {@code rsc} on node {@code i} is the test's doing. */
        synchronized void expectStop(String rsc, int i) {
            expected.merge(rsc + "@" + i, 1, Integer::sum);
        }

        synchronized int mark() {
            return events.size();
        }

        /** Stops since {@code mark} that the test did not cause, as {@code rsc@node at ms}. */
        synchronized List<String> stopsSince(int mark) {
            List<String> out = new ArrayList<>();
            for (Event e : events.subList(mark, events.size())) {
                if (!e.start() && !e.excused()) {
                    out.add(e.rsc() + "@node" + e.node() + " at " + e.atMs() + " ms");
                }
            }
            return out;
        }

        synchronized List<Event> unexcusedStops() {
            List<Event> out = new ArrayList<>();
            for (Event e : events) {
                if (!e.start() && !e.excused()) {
                    out.add(e);
                }
            }
            return out;
        }
    }
}
