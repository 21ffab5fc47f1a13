package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code ./vigil demo}, the README's first command, and the README's "Kill a node and watch failover": 3 local
 * nodes start, the demo's resources and its fence device run; the node running {@code web} is killed with SIGKILL,
 * it is fenced, {@code web} runs on another node within a bounded time and nothing that ran on the other nodes was
 * restarted; the fence device starts the node again, it rejoins and {@code web} stays where it is
 * (resource-stickiness); the demo stops every node, the restarted one too. And the README's "Watch it fence": the
 * node running {@code web} hangs ({@code kill -STOP}), it is fenced (its process killed), {@code web} runs
 * elsewhere, and the node comes back by itself (the device's power on).
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class DemoIT {

    /** Recovery: membership change (token 1000 ms) + DC election when the DC died + the starts; bounded, generous. */
    static final long FAILOVER_BOUND_MS = 60_000;

    static final Pattern WEB = Pattern.compile("\\* web\\s+\\(ocf:heartbeat:Dummy\\):\\s+(.*?)\\s*$",
        Pattern.MULTILINE);
    static final Pattern FENCE_DEVICE = Pattern.compile(
        "\\* fence-demo\\s+\\(stonith:fence_vigil_test\\):\\s+(.*?)\\s*$", Pattern.MULTILINE);

    /** A running demo: its process, its directory ({@code --dir}) and its output. */
    record Demo(Process process, Path cluster, Path log) {
    }

    /** {@code vigil demo --for 400 --dir DIR/cluster} on free ports, once it says "The cluster is running.". */
    private static Demo startDemo() throws Exception {
        Path dir = Files.createTempDirectory("vigil-demo-it");
        Path cluster = dir.resolve("cluster");
        int base;
        try (DatagramSocket s = new DatagramSocket(0)) {
            base = s.getLocalPort() < 60000 ? s.getLocalPort() : 40000;
        }
        Path log = dir.resolve("demo.out");
        Process process = new ProcessBuilder(NodeProcessIT.VIGIL.toString(), "demo", "--for", "400", "--dir",
            cluster.toString(), "--base-port", Integer.toString(base))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Demo demo = new Demo(process, cluster, log);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.readString(log).contains("The cluster is running.")) {
                assertTrue(process.isAlive(), "the demo ended early:\n" + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "the demo did not come up:\n" + Files.readString(log));
                Thread.sleep(200);
            }
        } catch (Throwable t) {
            stop(demo, List.of());
            throw t;
        }
        return demo;
    }

    /**
     * Stops the demo (its TERM trap stops every node it knows, those started again included), then kills what is
     * left of this test's: a node whose pid file names it, and {@code extra} (a hung node's old process).
     */
    private static void stop(Demo demo, List<Long> extra) throws Exception {
        demo.process().destroy();
        if (!demo.process().waitFor(60, TimeUnit.SECONDS)) {
            demo.process().destroyForcibly();
        }
        for (int i = 1; i <= 3; i++) {
            Path pidFile = demo.cluster().resolve("node" + i + "/vigil.pid");
            if (Files.exists(pidFile)) {
                // a node the demo did not stop: this test's own, found by its state directory
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                int n = i;
                ProcessHandle.of(pid).filter(h -> h.info().arguments().map(a -> List.of(a)
                    .contains(demo.cluster().resolve("node" + n).toString())).orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (long pid : extra) {
            // still this demo's node (a pid is not reused while its process lives, but it may be once it is gone)
            ProcessHandle.of(pid).filter(h -> h.info().arguments().map(a -> String.join(" ", a)
                .contains(demo.cluster().toString())).orElse(false)).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** After {@link #stop}: the demo said so, and every node removed its pid file and socket. */
    private static void assertStopped(Demo demo) throws IOException {
        String out = Files.readString(demo.log());
        assertTrue(out.contains("Stopped."), out);
        for (int i = 1; i <= 3; i++) {
            Path state = demo.cluster().resolve("node" + i);
            assertFalse(Files.exists(state.resolve("vigil.pid")), "node" + i + " stopped and cleaned up\n" + out);
            assertFalse(Files.exists(state.resolve("vigil.sock")));
        }
    }

    @Test
    void demoStartsThreeNodesRecoversWebFromAKilledNodeAndStopsThemAll() throws Exception {
        Demo demo = startDemo();
        Path cluster = demo.cluster();
        try {
            String out = Files.readString(demo.log());
            for (int i = 1; i <= 3; i++) {
                assertTrue(out.contains("== node" + i + " "), out);
                assertTrue(out.contains(", node " + i + " (node" + i + "), up "), out);
            }
            assertTrue(out.contains("<primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"), out);
            assertTrue(out.contains("ready after "), "vigil wait --ready succeeded:\n" + out);
            assertTrue(out.contains("Clone Set: health-clone [health]:"), out);
            // the DC's controller swapped in place and rolled back while the resources ran: nothing restarted
            assertTrue(out.contains("== live upgrade: the controller of the DC"), out);
            assertTrue(Pattern.compile("upgraded org\\.vigil\\.crm\\.controller \\S+ -> \\S+demo2 in \\d+ ms; state "
                + "Active; other bundles restarted: none\n  on this node during the swap: resources restarted 0 "
                + ".*membership changes 0; quorum changes 0").matcher(out).find(), out);
            assertTrue(out.contains("rolled back org.vigil.crm.controller "), out);
            // fencing is on, with the demo's device running
            assertTrue(out.contains("<primitive id=\"fence-demo\" class=\"stonith\" type=\"fence_vigil_test\">"), out);
            Result config = vigil(cluster, 1, "cibadmin", "--query", "-o", "crm_config");
            assertTrue(config.out().contains("name=\"stonith-enabled\" value=\"true\""), config.out());
            String device = fenceDevice(cluster, 1);
            assertTrue(device.matches("Started node[123]"), "fence-demo: '" + device + "'\n" + status(cluster, 1));

            // the node running web
            String where = web(cluster, 1);
            assertTrue(where.matches("Started node[123]"), where + "\n" + out);
            int victim = Integer.parseInt(where.substring("Started node".length()));
            int survivor = victim == 1 ? 2 : 1;
            Map<String, String> before = history(cluster, survivor, victim);
            assertFalse(before.isEmpty(), "history on the surviving nodes");

            long pid = Long.parseLong(Files.readString(cluster.resolve("node" + victim + "/vigil.pid")).trim());
            ProcessHandle node = ProcessHandle.of(pid).orElseThrow();
            assertTrue(node.destroyForcibly(), "SIGKILL sent to node" + victim);
            assertTrue(node.onExit().get(10, TimeUnit.SECONDS) != null);

            // web runs on another node within the bound
            long killed = System.nanoTime();
            String now = "";
            while (System.nanoTime() - killed < TimeUnit.MILLISECONDS.toNanos(FAILOVER_BOUND_MS)) {
                now = web(cluster, survivor);
                if (now.matches("Started node[123]") && !now.equals(where)) {
                    break;
                }
                Thread.sleep(250);
            }
            assertTrue(now.matches("Started node[123]") && !now.equals(where),
                "web after node" + victim + " was killed: '" + now + "' (was '" + where + "')\n"
                    + status(cluster, survivor));
            String moved = now;
            assertEquals(0, vigil(cluster, survivor, "wait", "--ready", "--timeout", "60s").exit(),
                "the cluster settles after the failover");

            // nothing that ran on the surviving nodes was restarted: their operation history (call ids) is the
            // same for every resource but the group that moved (and the fence device, when it ran on the victim)
            Map<String, String> after = history(cluster, survivor, victim);
            java.util.function.Predicate<String> moving = k -> k.contains("/web/") || k.contains("/web-log/")
                || (device.equals("Started node" + victim) && k.contains("/fence-demo/"));
            Map<String, String> unmoved = new TreeMap<>(after);
            unmoved.keySet().removeIf(moving);
            Map<String, String> unmovedBefore = new TreeMap<>(before);
            unmovedBefore.keySet().removeIf(moving);
            assertEquals(unmovedBefore, unmoved, "operations on the surviving nodes, web's group aside");

            // the lost node was fenced (its process was gone already: a reboot's "off" finds nothing to kill)
            assertFenced(cluster, survivor, victim);

            // its "power on" starts it again: it rejoins by itself; web stays where it runs now (stickiness)
            String rejoined = awaitRejoined(cluster, victim, pid);
            assertEquals(moved, web(cluster, victim), "web stays on its node after node" + victim + " rejoined\n"
                + rejoined);
            Result again = run(NodeProcessIT.VIGIL.toString(), "demo", "--dir", cluster.toString(),
                "--start-node", Integer.toString(victim));
            assertEquals(1, again.exit(), again.out());
            assertTrue(again.out().contains("node" + victim + " is running (pid "), again.out());
        } finally {
            stop(demo, List.of());
        }
        assertStopped(demo);
    }

    /**
     * The README's "Watch it fence": the node running {@code web} (found with {@code crm_resource --locate}) hangs
     * ({@code kill -STOP}); within a bound it is fenced (every survivor's {@code stonith_admin --history} has a
     * successful reboot of it, the device's log too), the hung process is gone, {@code web} runs on another node,
     * and the node comes back by itself (the device's start command) into the ring and the cluster.
     */
    @Test
    void aHungNodeIsFencedItsResourcesRunElsewhereAndItComesBack() throws Exception {
        Demo demo = startDemo();
        Path cluster = demo.cluster();
        List<Long> hung = new ArrayList<>();
        try {
            Result located = vigil(cluster, 1, "crm_resource", "--locate", "-r", "web");
            Matcher m = Pattern.compile("^resource web is running on: node([123])\\s*$", Pattern.MULTILINE)
                .matcher(located.out());
            assertTrue(located.exit() == 0 && m.find(), located.out());
            int victim = Integer.parseInt(m.group(1));
            int survivor = victim % 3 + 1;
            long pid = Long.parseLong(Files.readString(cluster.resolve("node" + victim + "/vigil.pid")).trim());
            assertTrue(ProcessHandle.of(pid).isPresent(), "node" + victim + "'s process " + pid);
            hung.add(pid);
            Result stopped = run("kill", "-STOP", Long.toString(pid));
            assertEquals(0, stopped.exit(), stopped.out());

            // fenced: the hung process is killed, every survivor records the reboot
            long hungAt = System.nanoTime();
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && System.nanoTime() - hungAt < TimeUnit.MILLISECONDS.toNanos(FAILOVER_BOUND_MS)) {
                Thread.sleep(100);
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node" + victim
                + "'s hung process " + pid + " was not killed (fenced) within " + FAILOVER_BOUND_MS + " ms\n"
                + diagnose(cluster, survivor, victim));
            assertFenced(cluster, survivor, victim);
            assertFenced(cluster, 6 - victim - survivor, victim);

            // web runs on another node
            String now = "";
            while (System.nanoTime() - hungAt < TimeUnit.MILLISECONDS.toNanos(FAILOVER_BOUND_MS)) {
                now = web(cluster, survivor);
                if (now.matches("Started node[123]") && !now.equals("Started node" + victim)) {
                    break;
                }
                Thread.sleep(250);
            }
            assertTrue(now.matches("Started node[123]") && !now.equals("Started node" + victim),
                "web after node" + victim + " hung: '" + now + "'\n" + diagnose(cluster, survivor, victim));

            // the node comes back by itself (the reboot's power on) into the ring and the cluster
            awaitRejoined(cluster, victim, pid);
            String members = vigil(cluster, victim, "corosync-cmapctl", "-g", "runtime.totem.members").out();
            assertTrue(members.trim().endsWith("= 1 2 3"), members);
            assertEquals(now, web(cluster, victim), "web stays where it runs after node" + victim + " came back");
        } finally {
            stop(demo, hung);
        }
        assertStopped(demo);
    }

    /**
     * Node N's {@code stonith_admin --history} of node V (and the device's own log) has a successful reboot. The
     * hung process dies while the agent still runs: the result reaches the fencers' histories a moment later (the
     * agent's exit, then the result over CPG), so the history is read again for up to 10 s.
     */
    private static void assertFenced(Path cluster, int n, int victim) throws Exception {
        Pattern done = Pattern.compile("^(reboot|off) of node" + victim + " successful: delegate=node[123], "
            + "client=pacemaker-controld\\.[123], origin=node[123], last-successful='[^']+'$", Pattern.MULTILINE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Result h = vigil(cluster, n, "stonith_admin", "--history", "node" + victim);
        while (!(h.exit() == 0 && done.matcher(h.out()).find()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            h = vigil(cluster, n, "stonith_admin", "--history", "node" + victim);
        }
        assertEquals(0, h.exit(), h.out());
        assertTrue(done.matcher(h.out()).find(), "node" + n + "'s fencing history of node" + victim + ":\n" + h.out());
        String log = Files.readString(cluster.resolve("fence.log"));
        assertTrue(Pattern.compile("^\\d+ (reboot|off) node" + victim + " ok$", Pattern.MULTILINE).matcher(log).find(),
            "the fence device's log:\n" + log);
    }

    /**
     * Waits (60 s at most) until node V runs again in a new process (not {@code oldPid}) and the cluster, as node V
     * sees it, has every node online and the clone on every node; returns that status.
     */
    private static String awaitRejoined(Path cluster, int victim, long oldPid) throws Exception {
        long back = System.nanoTime();
        String rejoined = "";
        while (System.nanoTime() - back < TimeUnit.SECONDS.toNanos(60)) {
            Path pidFile = cluster.resolve("node" + victim + "/vigil.pid");
            String pid = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "";
            if (!pid.isEmpty() && Long.parseLong(pid) != oldPid) {
                rejoined = status(cluster, victim);
                if (rejoined.contains("Online: [ node1 node2 node3 ]")
                    && rejoined.contains("Started: [ node1 node2 node3 ]")) {
                    return rejoined;
                }
            }
            Thread.sleep(250);
        }
        int other = victim % 3 + 1;
        throw new AssertionError("node" + victim + " did not come back (the fence device starts it again); its "
            + "status:\n" + rejoined + "\n" + diagnose(cluster, other, victim));
    }

    /** What a failure report needs: node N's status and fencing history of V, the device's log, V's output. */
    private static String diagnose(Path cluster, int n, int victim) {
        StringBuilder b = new StringBuilder();
        try {
            b.append("status as node").append(n).append(":\n").append(status(cluster, n));
            b.append("stonith_admin --history node").append(victim).append(" on node").append(n).append(":\n")
                .append(vigil(cluster, n, "stonith_admin", "--history", "node" + victim).out());
            Path fenceLog = cluster.resolve("fence.log");
            b.append("fence.log:\n").append(Files.exists(fenceLog) ? Files.readString(fenceLog) : "(none)\n");
            List<String> out = Files.readAllLines(cluster.resolve("node" + victim + ".out"));
            b.append("node").append(victim).append(".out (last 20 lines):\n")
                .append(String.join("\n", out.subList(Math.max(0, out.size() - 20), out.size())));
        } catch (Exception e) {
            b.append("(").append(e).append(")");
        }
        return b.toString();
    }

    /** Where web runs, as node N's status shows it ("Started node2", "Stopped", ...); "" when not shown. */
    private static String web(Path cluster, int n) throws Exception {
        Matcher m = WEB.matcher(status(cluster, n));
        return m.find() ? m.group(1) : "";
    }

    /** Where the fence device runs, as node N's status shows it; "" when not shown. */
    private static String fenceDevice(Path cluster, int n) throws Exception {
        Matcher m = FENCE_DEVICE.matcher(status(cluster, n));
        return m.find() ? m.group(1) : "";
    }

    /** The demo's status script ({@code DIR/status N}): the cluster status as node N sees it. */
    private static String status(Path cluster, int n) throws Exception {
        return run(cluster.resolve("status").toString(), Integer.toString(n)).out();
    }

    /**
     * Every operation record on the nodes other than {@code except}, read from node N's CIB:
     * {@code node/resource/record id} to {@code operation call-id rc}.
     */
    private static Map<String, String> history(Path cluster, int n, int except) throws Exception {
        Result q = vigil(cluster, n, "cibadmin", "--query", "-o", "status");
        assertEquals(0, q.exit(), q.out());
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(q.out().getBytes(StandardCharsets.UTF_8)));
        Map<String, String> out = new TreeMap<>();
        NodeList states = doc.getElementsByTagName("node_state");
        for (int i = 0; i < states.getLength(); i++) {
            Element ns = (Element) states.item(i);
            if (ns.getAttribute("id").equals(Integer.toString(except))) {
                continue;
            }
            NodeList rscs = ns.getElementsByTagName("lrm_resource");
            for (int j = 0; j < rscs.getLength(); j++) {
                Element r = (Element) rscs.item(j);
                NodeList ops = r.getElementsByTagName("lrm_rsc_op");
                for (int k = 0; k < ops.getLength(); k++) {
                    Element op = (Element) ops.item(k);
                    out.put(ns.getAttribute("uname") + "/" + r.getAttribute("id") + "/" + op.getAttribute("id"),
                        op.getAttribute("operation") + " call-id=" + op.getAttribute("call-id") + " rc="
                            + op.getAttribute("rc-code"));
                }
            }
        }
        return out;
    }

    private static Result vigil(Path cluster, int n, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(NodeProcessIT.VIGIL.toString(), "--state-dir",
            cluster.resolve("node" + n).toString()));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    record Result(int exit, String out) {
    }

    private static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), String.join(" ", cmd));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
