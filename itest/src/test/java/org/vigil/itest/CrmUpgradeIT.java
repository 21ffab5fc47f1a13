package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.itest.support.BundleJars;
import org.vigil.itest.support.Distribution;
import org.vigil.itest.support.KeepOnFailure;
import org.vigil.itest.support.NetnsCluster;
import org.vigil.itest.support.NetnsCluster.Result;
import org.vigil.shell.client.CpgClient;

/**
 * Every CRM bundle and the agents bundle swapped in place on a running cluster with resources: three node
 * processes in network namespaces (real UDP, votequorum) running {@value #PLAIN} plain resources of a counting OCF
 * agent ({@code ocf:vigiltest:Counted}, monitor every 10 s, timeout 20 s), a group of a counted resource and an
 * {@code IPaddr2} address, a clone, and one resource ({@code toggle}, a start and stop of 1 s) that a loop starts and
 * stops through its {@code target-role} so that transitions with actions are in flight while bundles swap. A second
 * loop writes to the CIB (a new property set every 300 ms, through a node in turn), and a CPG sender on node 1 sends
 * a numbered message every 20 ms to members on every node (itself one of them).
 *
 * <p>Each of {@link #BUNDLES} is upgraded on node 1, 2, 3 in turn ({@code vigil upgrade} of a copy of the exported
 * jar with a new {@code Bundle-Version}), then rolled back on each ({@code vigil upgrade --rollback}). The counting
 * agent appends every call it gets to its node's log (time, resource, action), which the test reads at the end:
 * <ul>
 * <li>no start or stop but the toggle's (which must alternate: never started twice or stopped twice);</li>
 * <li>no monitor later than one interval plus its timeout after the one before it, on every node;</li>
 * <li>no resource active on two nodes (a sampler reads every node's state files and the address every 250 ms);</li>
 * <li>quorum never lost, no membership change (ring ids, and CPG configuration changes seen by the receivers), no
 * CPG message lost, duplicated or reordered;</li>
 * <li>every CIB write that was acknowledged is present on every node (and none was refused), the CIBs identical;</li>
 * <li>every upgrade reports no other bundle restarted, no resource restarted (but the toggle), no membership or
 * quorum change. The DC may hand over when its controller is swapped (printed); nothing restarts for it.</li>
 * </ul>
 * Printed per bundle: swap time on each node, the longest monitor delay and the longest CPG delivery pause in a
 * window around each swap. Needs root and the resource-agents package (IPaddr2); run under
 * {@code flock /tmp/vigil-netns.lock}.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class CrmUpgradeIT {

    static final String SUBNET = "10.67.1";
    static final String VIP = SUBNET + ".100";
    static final long T = 90_000;
    /** Plain resources; with the group's two, the clone and the toggle: {@value} + 4 = 50 primitives. */
    static final int PLAIN = 46;
    static final long INTERVAL_MS = 10_000;
    static final long TIMEOUT_MS = 20_000;
    /** The bundles swapped, in this order: exported jar prefix and symbolic name. */
    static final List<String[]> BUNDLES = List.of(
        new String[] {"crm-cib-", "org.vigil.crm.cib"},
        new String[] {"crm-scheduler-", "org.vigil.crm.scheduler"},
        new String[] {"crm-controller-", "org.vigil.crm.controller"},
        new String[] {"crm-executor-", "org.vigil.crm.executor"},
        new String[] {"crm-attrd-", "org.vigil.crm.attrd"},
        new String[] {"crm-fencer-", "org.vigil.crm.fencer"},
        new String[] {"agents-bundle-", "org.vigil.agents"});
    static final Pattern SWAP = Pattern.compile("(?:upgraded|rolled back) \\S+ \\S+ -> \\S+ .*?in (\\d+) ms");

    @RegisterExtension
    final KeepOnFailure keep = new KeepOnFailure();

    private Path dir;
    private NetnsCluster c;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    /** After the test (and after the watcher knows whether it failed): the logs are kept on a failure. */
    @org.junit.jupiter.api.AfterAll
    void stopTheCluster() throws Exception {
        running.set(false);
        for (AutoCloseable a : closing) {
            try {
                a.close();
            } catch (Exception e) {
                // going anyway
            }
        }
        if (c != null) {
            c.close();
        }
        keep.cleanUp("CrmUpgradeIT", dir);
    }

    /** One swap: which bundle, on which node, when (ms since the epoch), and the command's report. */
    record Swap(String bundle, String kind, int node, long start, long end, long reportedMs, String report) {
    }

    @Test
    void everyCrmBundleSwapsInPlaceUnderLoadWithNoResourceRestarted() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.systemTests"), "system tests (root, namespaces) are off");
        assumeTrue(Files.isExecutable(CrmNetnsIT.OCF.resolve("resource.d/heartbeat/IPaddr2")),
            "ocf:heartbeat:IPaddr2 is not installed (resource-agents)");
        dir = Files.createTempDirectory("vigil-crm-upgrade");
        {
            Path ocf = CrmNetnsIT.ocfRoot(dir.resolve("ocf"));
            counted(ocf.resolve("resource.d/vigiltest/Counted"));
            c = new NetnsCluster("vcu", SUBNET, 3, dir);
            c.up();
            c.javaOpts("-Dvigil.agents.ocf.root=" + ocf);
            c.configure("token: 1000", "quorum {\n    provider: corosync_votequorum\n}\n");
            for (int i = 1; i <= 3; i++) {
                c.start(i);
            }
            CibNetnsIT.awaitMembers(c, "1 2 3", 1, 2, 3);
            CibNetnsIT.awaitSame(c, 1, 2, 3);
            CibNetnsIT.ok(c.vigil(1, "cibadmin", "--replace", "-o", "crm_config", "-X", CrmNetnsIT.crmConfig()));
            CibNetnsIT.ok(c.vigil(1, "cibadmin", "--create", "-o", "configuration", "-X",
                CrmNetnsIT.rscDefaults()));
            CibNetnsIT.ok(c.vigil(1, "cibadmin", "--replace", "-o", "resources", "-X", resources()));
            NetnsCluster cl = c;
            long t0 = System.nanoTime();
            NetnsCluster.await("every resource running", T, () -> converged(cl));
            System.out.println("CrmUpgradeIT: " + (PLAIN + 4) + " primitives running "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after the configuration went in");
            String dc = dc(c);
            Map<Integer, String> ringIds = new TreeMap<>();
            for (int i = 1; i <= 3; i++) {
                ringIds.put(i, RingUpgradeIT.read(c, i, "runtime.totem.ring_id"));
            }
            long mark = System.currentTimeMillis();

            // ---- the load ---------------------------------------------------------------------------------------
            List<String> problems = new CopyOnWriteArrayList<>();
            Sampler sampler = new Sampler(c, running, problems);
            sampler.start();
            List<Receiver> receivers = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Receiver r = new Receiver(c.stateDir(i).resolve("vigil.sock"), i);
                receivers.add(r);
                closing.add(r);
            }
            for (Receiver r : receivers) {
                NetnsCluster.await("the CPG receiver on node" + r.node + " sees the 3 members", 30_000,
                    () -> r.lastMembers == 3);
            }
            CpgClient sender = receivers.get(0).client;   // node1's receiver sends too
            AtomicInteger sent = new AtomicInteger();
            Thread sending = thread("cpg-sender", () -> {
                while (running.get()) {
                    sender.mcast(ByteBuffer.allocate(8).putLong(sent.getAndIncrement()).array());
                    sender.flush();
                    Thread.sleep(20);
                }
            }, problems);
            Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
            List<String> refused = new CopyOnWriteArrayList<>();
            AtomicInteger retried = new AtomicInteger();
            Thread writing = thread("cib-writer", () -> {
                for (int n = 0; running.get(); n++) {
                    String id = "w-" + n;
                    Result r = cib(cl, n, retried, "--create", "-o", "crm_config", "-X", "<cluster_property_set id=\""
                        + id + "\"><nvpair id=\"" + id + "-v\" name=\"" + id + "\" value=\"" + n
                        + "\"/></cluster_property_set>");
                    if (r.status() == 0) {
                        acknowledged.merge(id, 1, Integer::sum);
                    } else {
                        refused.add(id + ": " + r.status() + " " + r.err().strip());
                    }
                    Thread.sleep(300);
                }
            }, problems);
            List<String> toggles = new CopyOnWriteArrayList<>();
            Thread toggling = thread("toggler", () -> {
                for (int n = 0; running.get(); n++) {
                    String role = n % 2 == 0 ? "Stopped" : "Started";
                    Result r = cib(cl, n, retried, "--modify", "-X", "<nvpair id=\"toggle-tr\" name=\"target-role\""
                        + " value=\"" + role + "\"/>");
                    toggles.add(role + (r.status() == 0 ? "" : " refused: " + r.err().strip()));
                    Thread.sleep(4000);
                }
            }, problems);
            Thread.sleep(3000);

            // ---- the swaps --------------------------------------------------------------------------------------
            List<Swap> swaps = new ArrayList<>();
            List<String> dcs = new ArrayList<>(List.of(dc));
            List<String> dcChanges = new ArrayList<>();
            // -Dvigil.crmUpgrade.bundles=crm-cib,crm-executor: only those (a narrower run, for measuring one swap)
            String only = System.getProperty("vigil.crmUpgrade.bundles", "");
            for (String[] b : BUNDLES) {
                if (!only.isBlank() && java.util.Arrays.stream(only.split(",")).noneMatch(o -> b[0].startsWith(o.strip()))) {
                    continue;
                }
                Path jar;
                try (var files = Files.list(Distribution.home().resolve("export/vigil"))) {
                    jar = files.filter(f -> f.getFileName().toString().startsWith(b[0])).findFirst().orElseThrow();
                }
                String v1 = RingUpgradeIT.jarVersion(jar);
                Path v2 = BundleJars.withVersion(jar, v1 + "v2", dir.resolve(b[0] + "v2.jar"));
                for (String kind : List.of("upgrade", "rollback")) {
                    for (int i = 1; i <= 3; i++) {
                        long s = System.currentTimeMillis();
                        Result r = kind.equals("upgrade") ? c.vigil(i, "upgrade", v2.toString())
                            : c.vigil(i, "upgrade", "--rollback", b[1]);
                        long e = System.currentTimeMillis();
                        assertEquals(0, r.status(), b[1] + " " + kind + " on node" + i + ": " + r.out() + r.err());
                        Matcher m = SWAP.matcher(r.out());
                        assertTrue(m.find(), r.out());
                        assertTrue(r.out().contains("other bundles restarted: none"), r.out());
                        // the command's own account of the swap (UpgradeWatch): nothing restarted, nothing moved
                        // (the toggle, stopped and started by the test, may be restarted within one swap)
                        assertTrue(Pattern.compile("resources restarted (0|1 \\[toggle\\]) ").matcher(r.out()).find()
                            && r.out().contains("membership changes 0; quorum changes 0"), r.out());
                        swaps.add(new Swap(b[1], kind, i, s, e, Long.parseLong(m.group(1)), r.out().strip()));
                        String now = dc(c);
                        if (!now.equals(dcs.get(dcs.size() - 1))) {
                            dcs.add(now);   // a handover (the DC's controller went away for its swap)
                            dcChanges.add(b[1] + " " + kind + " on node" + i + ": DC " + now);
                        }
                        assertEquals(List.of(), problems, "after " + kind + " of " + b[1] + " on node" + i);
                        Thread.sleep(1000);
                    }
                }
            }
            Thread.sleep(2000);
            running.set(false);
            for (Thread t : List.of(sending, writing, toggling, sampler)) {
                t.join(60_000);
            }
            // the toggle ends started, so that its last action is a start the test asked for
            CibNetnsIT.ok(c.vigil(1, "cibadmin", "--modify", "-X",
                "<nvpair id=\"toggle-tr\" name=\"target-role\" value=\"Started\"/>"));
            NetnsCluster.await("every resource running after the swaps", T, () -> converged(cl));
            Thread.sleep(1000);
            long end = System.currentTimeMillis();

            // ---- the counts -------------------------------------------------------------------------------------
            assertEquals(List.of(), problems);
            assertEquals(List.of(), refused, "CIB writes refused");
            String same = CibNetnsIT.awaitSame(c, 1, 2, 3);
            for (Map.Entry<String, Integer> w : acknowledged.entrySet()) {
                assertEquals(1, (int) w.getValue(), w.getKey() + " acknowledged");
                assertTrue(same.contains("id=\"" + w.getKey() + "\""), w.getKey() + " is in every node's CIB");
            }
            // the DC may hand over (its controller leaves for its swap; a controller that comes back is the
            // group's newest): what matters is that nothing restarted, which the agent calls show
            assertTrue(dc(c) != null, "a DC at the end");
            for (int i = 1; i <= 3; i++) {
                assertEquals(ringIds.get(i), RingUpgradeIT.read(c, i, "runtime.totem.ring_id"),
                    "node" + i + ": no membership change");
            }
            assertEquals(0, sampler.notQuorate.get(), "quorum lost (polls of every node's flag)");
            long cpgTotal = sent.get();
            for (Receiver r : receivers) {
                assertEquals(List.of(), r.errors, "node" + r.node + ": CPG errors");
                assertEquals(List.of(), r.changes, "node" + r.node + ": CPG configuration changes");
                assertTrue(r.next >= cpgTotal - 50, "node" + r.node + " received " + r.next + " of " + cpgTotal);
            }
            Map<Integer, List<Call>> calls = new TreeMap<>();
            for (int i = 1; i <= 3; i++) {
                calls.put(i, calls(c.agentsDir(i).resolve("calls.log"), i));
            }
            List<String> unasked = new ArrayList<>();
            List<Call> toggleCalls = new ArrayList<>();
            for (List<Call> l : calls.values()) {
                for (Call k : l) {
                    if (k.at >= mark && (k.action.equals("start") || k.action.equals("stop"))) {
                        if (k.rsc.equals("toggle")) {
                            toggleCalls.add(k);
                        } else {
                            unasked.add(k.toString());
                        }
                    }
                }
            }
            assertEquals(List.of(), unasked, "starts and stops nobody asked for");
            toggleCalls.sort((a, b) -> Long.compare(a.at, b.at));
            for (int k = 1; k < toggleCalls.size(); k++) {
                assertTrue(!toggleCalls.get(k).action.equals(toggleCalls.get(k - 1).action),
                    "the toggle's actions alternate (none run twice): " + toggleCalls);
            }
            // a narrower run (-Dvigil.crmUpgrade.bundles) lasts a few swaps: a few toggles
            assertTrue(toggleCalls.size() >= (only.isBlank() ? 10 : 4), "the toggle ran transitions during the swaps: "
                + toggleCalls
                + " for " + toggles);
            // monitors: each (node, resource) monitored at most one interval plus its timeout after the last
            List<String> late = new ArrayList<>();
            Map<String, List<Long>> monitors = new TreeMap<>();
            for (List<Call> l : calls.values()) {
                for (Call k : l) {
                    if (k.action.equals("monitor") && !k.rsc.equals("toggle")) {
                        monitors.computeIfAbsent(k.rsc + "@node" + k.node, x -> new ArrayList<>()).add(k.at);
                    }
                }
            }
            assertTrue(monitors.size() >= PLAIN + 4, "monitored resources: " + monitors.keySet());
            for (Map.Entry<String, List<Long>> e : monitors.entrySet()) {
                List<Long> at = e.getValue();
                at.add(end);
                for (int k = 1; k < at.size(); k++) {
                    if (at.get(k) >= mark && at.get(k) - at.get(k - 1) > INTERVAL_MS + TIMEOUT_MS) {
                        late.add(e.getKey() + " " + (at.get(k) - at.get(k - 1)) + " ms after the last one");
                    }
                }
            }
            assertEquals(List.of(), late, "monitors later than one interval plus the timeout");
            String worst = "";
            long worstGap = 0;
            for (Map.Entry<String, List<Long>> e : monitors.entrySet()) {
                List<Long> at = e.getValue();
                for (int k = 1; k < at.size() - 1; k++) {
                    if (at.get(k) >= mark && at.get(k) - at.get(k - 1) > worstGap) {
                        worstGap = at.get(k) - at.get(k - 1);
                        worst = e.getKey() + " at " + at.get(k) + " (" + java.time.Instant.ofEpochMilli(at.get(k))
                            + ")";
                    }
                }
            }

            // ---- the figures ------------------------------------------------------------------------------------
            StringBuilder out = new StringBuilder("CrmUpgradeIT: " + swaps.size() + " swaps; " + cpgTotal
                + " CPG messages (none lost, duplicated or reordered); " + acknowledged.size()
                + " CIB writes, each acknowledged once and on every node (" + retried + " requests sent again through"
                + " another node); " + toggleCalls.size()
                + " toggle actions, alternating; 0 other starts or stops; ring ids kept; DC " + String.join(" -> ", dcs) + " (" + dcChanges + ")\n");
            Map<String, List<Swap>> byBundle = new LinkedHashMap<>();
            for (Swap s : swaps) {
                byBundle.computeIfAbsent(s.bundle + " " + s.kind, k -> new ArrayList<>()).add(s);
            }
            for (Map.Entry<String, List<Swap>> e : byBundle.entrySet()) {
                List<String> times = new ArrayList<>();
                long monitorDelay = 0;
                long cpgPause = 0;
                int probes = 0;
                for (Swap s : e.getValue()) {
                    times.add("node" + s.node + " " + s.reportedMs + " ms");
                    monitorDelay = Math.max(monitorDelay, monitorDelay(monitors, s));
                    probes += probes(calls.get(s.node), s, swaps);
                    for (Receiver r : receivers) {
                        cpgPause = Math.max(cpgPause, r.pause(s.start - 500, s.end + 1000));
                    }
                }
                out.append(String.format("  %-34s swap %s; longest monitor delay %d ms (beyond its 10 s interval);"
                    + " longest CPG pause %d ms; resources restarted 0; probes on the swapped node %d%n", e.getKey(),
                    times, monitorDelay, cpgPause, probes));
            }
            out.append("  the longest wait between two monitors of one resource: ").append(worstGap).append(" ms, ")
                .append(worst).append('\n');
            out.append("  what vigil upgrade reported:\n");
            for (Swap s : swaps) {
                if (s.node == 1 || s.report.contains("monitors delayed 0;") == false) {
                    out.append("    node").append(s.node).append(": ").append(s.report.replace("\n", "\n    "))
                        .append('\n');
                }
            }
            System.out.println(out);
        }
    }

    /**
     * The longest delay beyond its interval of a monitor on the swap's node whose wait spans the swap (the wait
     * from the monitor before it includes the swap's start).
     */
    static long monitorDelay(Map<String, List<Long>> monitors, Swap s) {
        long worst = 0;
        for (Map.Entry<String, List<Long>> e : monitors.entrySet()) {
            if (!e.getKey().endsWith("@node" + s.node)) {
                continue;
            }
            List<Long> at = e.getValue();
            for (int k = 1; k < at.size(); k++) {
                if (at.get(k - 1) <= s.end && at.get(k) >= s.start) {
                    worst = Math.max(worst, at.get(k) - at.get(k - 1) - INTERVAL_MS);
                }
            }
        }
        return worst;
    }

    /**
     * The probes (monitors of interval 0) the swapped node ran from the swap's start until the next swap started
     * (or 5 s after its end): the DC probes a node again when its controller rejoins (a CIB swap did that while the
     * controller's static reference to the Cib made it go and come back with the CIB bundle).
     */
    static int probes(List<Call> calls, Swap s, List<Swap> swaps) {
        long until = s.end + 5000;
        for (Swap o : swaps) {
            if (o.start > s.start && o.start < until) {
                until = o.start;
            }
        }
        int n = 0;
        for (Call k : calls) {
            if (k.action.equals("probe") && k.at >= s.start && k.at < until) {
                n++;
            }
        }
        return n;
    }

    /**
     * A cibadmin request through node {@code 1 + n % 3}; when that node cannot take it (its CIB bundle is being
     * swapped: the command is not there), through the next one. A request that reached a CIB and was applied
     * without an answer shows when it is sent again: the create of an id that exists fails (108), and the test
     * with it.
     */
    static Result cib(NetnsCluster c, int n, AtomicInteger retried, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("cibadmin"));
        cmd.addAll(List.of(args));
        Result r = null;
        for (int k = 0; k < 3; k++) {
            r = c.vigil(1 + (n + k) % 3, cmd.toArray(new String[0]));
            if (r.status() == 0 || r.status() == 108) {
                return r;
            }
            retried.incrementAndGet();
        }
        return r;
    }

    // ---- the cluster's resources ------------------------------------------------------------------------------

    /** An OCF agent that appends each call to {@code $HA_RSCTMP/calls.log} and keeps a state file like Dummy. */
    static void counted(Path file) throws Exception {
        CrmNetnsIT.script(file, """
            #!/bin/sh
            state="${HA_RSCTMP:-/tmp}/counted-${OCF_RESOURCE_INSTANCE}.state"
            log() { echo "$(date +%s%3N) ${OCF_RESOURCE_INSTANCE} $1" >> "${HA_RSCTMP:-/tmp}/calls.log"; }
            case "$1" in
            meta-data) cat <<'XML'
            <?xml version="1.0"?>
            <resource-agent name="Counted" version="1.0">
            <version>1.1</version>
            <longdesc lang="en">counts its calls</longdesc>
            <shortdesc lang="en">counted</shortdesc>
            <parameters>
            <parameter name="delay"><longdesc lang="en">s</longdesc><shortdesc lang="en">s</shortdesc><content type="string" default="0"/></parameter>
            </parameters>
            <actions>
            <action name="start" timeout="20s"/>
            <action name="stop" timeout="20s"/>
            <action name="monitor" timeout="20s" interval="10s"/>
            <action name="meta-data" timeout="5s"/>
            </actions>
            </resource-agent>
            XML
            exit 0 ;;
            start) log start; sleep "${OCF_RESKEY_delay:-0}"; touch "$state"; exit 0 ;;
            stop) log stop; sleep "${OCF_RESKEY_delay:-0}"; rm -f "$state"; exit 0 ;;
            monitor)
              if [ "${OCF_RESKEY_CRM_meta_interval:-0}" = 0 ]; then log probe; else log monitor; fi
              [ -f "$state" ] && exit 0; exit 7 ;;
            *) exit 0 ;;
            esac
            """);
    }

    static String counted(String id, String params) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"vigiltest\" type=\"Counted\">" + params
            + "<operations><op id=\"" + id + "-monitor\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>"
            + "</operations></primitive>";
    }

    static String resources() {
        StringBuilder r = new StringBuilder("<resources>");
        for (int i = 1; i <= PLAIN; i++) {
            r.append(counted("r" + i, ""));
        }
        r.append("<group id=\"grp\">").append(counted("grp-c", ""))
            .append("<primitive id=\"grp-vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">")
            .append("<instance_attributes id=\"grp-vip-ia\">").append(CrmNetnsIT.nv("grp-vip", "ip", VIP))
            .append(CrmNetnsIT.nv("grp-vip", "cidr_netmask", "24")).append(CrmNetnsIT.nv("grp-vip", "nic", "eth0"))
            .append("</instance_attributes><operations><op id=\"grp-vip-monitor\" name=\"monitor\" interval=\"10s\""
                + " timeout=\"20s\"/></operations></primitive></group>");
        r.append("<clone id=\"cl\">").append(counted("cc", "")).append("</clone>");
        r.append(counted("toggle", "<instance_attributes id=\"toggle-ia\">" + CrmNetnsIT.nv("toggle", "delay", "1")
            + "</instance_attributes><meta_attributes id=\"toggle-meta\"><nvpair id=\"toggle-tr\" name=\"target-role\""
            + " value=\"Started\"/></meta_attributes>"));
        return r.append("</resources>").toString();
    }

    /** Every resource active (its state file on exactly one node; the clone on all three; the address up). */
    static boolean converged(NetnsCluster c) {
        try {
            Map<String, Integer> where = new TreeMap<>();
            for (int i = 1; i <= 3; i++) {
                for (String s : stateFiles(c, i)) {
                    where.merge(s, 1, Integer::sum);
                }
            }
            for (int i = 1; i <= PLAIN; i++) {
                if (where.getOrDefault("r" + i, 0) != 1) {
                    return false;
                }
            }
            return where.getOrDefault("grp-c", 0) == 1 && where.getOrDefault("toggle", 0) == 1
                && where.keySet().stream().filter(k -> k.startsWith("cc")).mapToInt(where::get).sum() == 3
                && vipNodes(c).size() == 1;
        } catch (Exception e) {
            return false;
        }
    }

    static List<String> stateFiles(NetnsCluster c, int i) throws Exception {
        List<String> out = new ArrayList<>();
        try (var files = Files.list(c.agentsDir(i))) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.startsWith("counted-") && n.endsWith(".state")) {
                    out.add(n.substring("counted-".length(), n.length() - ".state".length()));
                }
            }
        }
        return out;
    }

    static Set<Integer> vipNodes(NetnsCluster c) throws Exception {
        Set<Integer> out = new TreeSet<>();
        for (int i = 1; i <= 3; i++) {
            if (NetnsCluster.run(List.of("ip", "-n", c.ns(i), "addr", "show", "dev", "eth0"), null).out()
                .contains(VIP + "/")) {
                out.add(i);
            }
        }
        return out;
    }

    static String dc(NetnsCluster c) throws Exception {
        for (int i = 1; i <= 3; i++) {
            Result r = c.vigil(i, "crmadmin", "-D", "-q");
            if (r.status() == 0) {
                return r.out().strip();
            }
        }
        return null;
    }

    /** One call of the counting agent. */
    record Call(long at, int node, String rsc, String action) {
        @Override
        public String toString() {
            return action + " " + rsc + "@node" + node + " at " + at;
        }
    }

    static List<Call> calls(Path log, int node) throws Exception {
        List<Call> out = new ArrayList<>();
        if (!Files.exists(log)) {
            return out;
        }
        for (String line : Files.readAllLines(log)) {
            String[] w = line.split(" ");
            if (w.length == 3) {
                // a clone instance (cc:0) is one resource for the counts
                out.add(new Call(Long.parseLong(w[0]), node, w[1].replaceAll(":\\d+$", ""), w[2]));
            }
        }
        return out;
    }

    // ---- the watchers -----------------------------------------------------------------------------------------

    interface Body {
        void run() throws Exception;
    }

    static Thread thread(String name, Body body, List<String> problems) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                problems.add(name + ": " + e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads every 250 ms each node's state files, the address and the quorate flag. */
    static final class Sampler extends Thread {
        final NetnsCluster c;
        final AtomicBoolean running;
        final List<String> problems;
        final AtomicInteger notQuorate = new AtomicInteger();

        Sampler(NetnsCluster c, AtomicBoolean running, List<String> problems) {
            super("sampler");
            setDaemon(true);
            this.c = c;
            this.running = running;
            this.problems = problems;
        }

        @Override
        public void run() {
            try {
                while (running.get()) {
                    Map<String, List<Integer>> where = new TreeMap<>();
                    for (int i = 1; i <= 3; i++) {
                        for (String s : stateFiles(c, i)) {
                            if (!s.startsWith("cc")) {
                                where.computeIfAbsent(s, k -> new ArrayList<>()).add(i);
                            }
                        }
                        if (!"1".equals(RingUpgradeIT.get(c, i, "runtime.vigil.quorum.quorate"))) {
                            notQuorate.incrementAndGet();
                        }
                    }
                    Set<Integer> vip = vipNodes(c);
                    if (vip.size() > 1) {
                        problems.add("the address on nodes " + vip);
                    }
                    where.forEach((r, n) -> {
                        if (n.size() > 1) {
                            problems.add(r + " active on nodes " + n + " at " + System.currentTimeMillis());
                        }
                    });
                    Thread.sleep(250);
                }
            } catch (Exception e) {
                problems.add("sampler: " + e);
            }
        }
    }

    /** A CPG member of {@code crm-upgrade} on one node: checks the numbering, records the delivery times. */
    static final class Receiver implements AutoCloseable {
        final int node;
        final CpgClient client;
        final List<String> changes = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final List<long[]> deliveries = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile int lastMembers;
        volatile long next;
        private volatile boolean settled;
        private volatile boolean closingDown;
        private final Thread reader;

        Receiver(Path socket, int node) throws Exception {
            this.node = node;
            this.client = CpgClient.connect(socket, "crm-upgrade", ProcessHandle.current().pid());
            reader = new Thread(() -> {
                try {
                    client.dispatch(new CpgClient.Handler() {
                        @Override
                        public void deliver(int nodeId, long pid, byte[] message) {
                            long n = ByteBuffer.wrap(message).getLong();
                            if (n != next) {
                                errors.add("expected message " + next + ", got " + n);
                            }
                            next = n + 1;
                            deliveries.add(new long[] {System.currentTimeMillis(), n});
                        }

                        @Override
                        public void configurationChanged(List<CpgClient.Member> members,
                                                         List<CpgClient.Member> left, List<CpgClient.Member> joined) {
                            lastMembers = members.size();
                            if (settled) {
                                changes.add("members " + members + " left " + left + " joined " + joined);
                            } else if (members.size() == 3) {
                                settled = true;   // the three receivers; changes after this count
                            }
                        }

                        @Override
                        public void error(String message) {
                            errors.add(message);
                        }
                    });
                } catch (Exception e) {
                    if (!closingDown) {
                        errors.add("read failed: " + e);
                    }
                }
            }, "cpg-receiver-node" + node);
            reader.setDaemon(true);
            reader.start();
        }

        /** The longest time without a delivery within [from, to]. */
        long pause(long from, long to) {
            long last = -1;
            long worst = 0;
            List<long[]> all;
            synchronized (deliveries) {
                all = new ArrayList<>(deliveries);
            }
            for (long[] d : all) {
                if (d[0] < from) {
                    last = d[0];
                    continue;
                }
                if (last >= 0) {
                    worst = Math.max(worst, d[0] - Math.max(last, from));
                }
                last = d[0];
                if (d[0] > to) {
                    break;
                }
            }
            return worst;
        }

        @Override
        public void close() throws Exception {
            closingDown = true;
            client.close();
            reader.join(5000);
        }
    }
}
