package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
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

/**
 * Node attributes through real node processes (two nodes on 127.0.0.1): {@code attrd_updater} and
 * {@code crm_failcount} against the node, the replicated CIB holding what attrd wrote in Pacemaker's form,
 * dampening seen from outside (a value reaches the CIB only after its delay; values changing faster than the
 * delay reach it only once settled), the real {@code ocf:pacemaker:ping} agent run by the node's agents bundle
 * writing {@code pingd} through Vigil's {@code attrd_updater} on its PATH, and a restarted node starting without
 * its transient attributes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AttrdIT {

    static final long T = 60_000;
    static final Path PING_AGENT = Path.of("/usr/lib/ocf/resource.d/pacemaker/ping");

    NetnsCluster c;
    Path dir;

    @RegisterExtension
    final KeepOnFailure keep = new KeepOnFailure();

    @BeforeAll
    void startTwoNodes() throws Exception {
        dir = Files.createTempDirectory("vigil-attrd");
        c = NetnsCluster.local(2, dir, 46_100 + new Random().nextInt(300));
        c.up();
        c.configure("token: 1000", "");
        c.start(1);
        c.start(2);
        CibNetnsIT.awaitMembers(c, "1 2", 1, 2);
        CibNetnsIT.awaitSame(c, 1, 2);
    }

    @AfterAll
    void stop() throws Exception {
        if (c != null) {
            c.close();
        }
        keep.cleanUp("AttrdIT", dir);
    }

    Result vigil(int node, String... args) throws Exception {
        return c.vigil(node, args);
    }

    static void ok(Result r) {
        assertEquals(0, r.status(), r.out() + r.err());
    }

    /** The status section as node {@code i} holds it. */
    String status(int i) throws Exception {
        Result r = vigil(i, "cibadmin", "-Q", "-o", "status");
        assertEquals(0, r.status(), r.err());
        return r.out();
    }

    /** A node's transient attribute as node {@code i}'s CIB holds it (status-ID-NAME), or null. */
    String inCib(int i, int nodeId, String name) throws Exception {
        Matcher m = Pattern.compile("<nvpair id=\"status-" + nodeId + "-" + Pattern.quote(name.replace('#', '.'))
            + "\" name=\"" + Pattern.quote(name) + "\" value=\"([^\"]*)\"/>").matcher(status(i));
        return m.find() ? m.group(1) : null;
    }

    /** Polls node {@code i}'s CIB until the attribute has {@code value} (null: is gone); returns when, in ns. */
    long awaitCib(int i, int nodeId, String name, String value) throws Exception {
        NetnsCluster.await(name + " of node " + nodeId + " = " + value + " in node" + i + "'s CIB", T, () -> {
            try {
                String v = inCib(i, nodeId, name);
                return value == null ? v == null : value.equals(v);
            } catch (Exception e) {
                return false;
            }
        });
        return System.nanoTime();
    }

    @Test
    @Order(1)
    void attrdUpdaterSetsQueriesAndDeletesThroughTheNodeInPacemakersForm() throws Exception {
        ok(vigil(1, "attrd_updater", "-n", "site", "-U", "east"));
        ok(vigil(1, "attrd_updater", "-n", "site", "-U", "west", "-N", "node2"));
        awaitCib(2, 1, "site", "east");
        awaitCib(2, 2, "site", "west");
        String status = status(2);
        // in node 1's node_state (which the controller fills with its own attributes and lrm), Pacemaker's form
        assertTrue(Pattern.compile("<node_state [^>]*\\bid=\"1\"[^>]*>(?:(?!</node_state>).)*?\n"
            + "    <transient_attributes id=\"1\">\n      <instance_attributes id=\"status-1\">\n"
            + "        <nvpair id=\"status-1-site\" name=\"site\" value=\"east\"/>", Pattern.DOTALL)
            .matcher(status).find(), status);
        assertEquals(new Result(0, "name=\"site\" host=\"node1\" value=\"east\"\n", ""),
            vigil(1, "attrd_updater", "-n", "site", "-Q"));
        assertEquals(new Result(0, "name=\"site\" host=\"node1\" value=\"east\"\nname=\"site\" host=\"node2\" "
            + "value=\"west\"\n", ""), vigil(2, "attrd_updater", "-n", "site", "-Q", "-A"),
            "node2's attrd answers from the replicated CIB");
        ok(vigil(2, "attrd_updater", "-n", "site", "-D", "-N", "node1"));
        awaitCib(1, 1, "site", null);
        assertEquals("west", inCib(1, 2, "site"));
        Result none = vigil(1, "attrd_updater", "-n", "no-such-attribute", "-Q");
        assertEquals(new Result(78, "", "attrd_updater: Could not query value of no-such-attribute: attribute does "
            + "not exist\n"), none);
        assertEquals(64, vigil(1, "attrd_updater", "-U", "1").status());
    }

    @Test
    @Order(2)
    void aDampenedValueReachesTheCibOnlyAfterItsDelay() throws Exception {
        long sent = System.nanoTime();
        ok(vigil(1, "attrd_updater", "-n", "damp", "-B", "42", "-d", "3"));
        assertEquals("name=\"damp\" host=\"node1\" value=\"42\"\n", vigil(1, "attrd_updater", "-n", "damp", "-Q").out(),
            "attrd answers the held value at once");
        long seen = awaitCib(2, 1, "damp", "42");
        long ms = TimeUnit.NANOSECONDS.toMillis(seen - sent);
        assertTrue(ms >= 3000, "in the CIB " + ms + " ms after the update, before its 3 s delay");
        System.out.printf("attrd: a value with a 3 s delay reached the other node's CIB %d ms after the update%n", ms);
    }

    @Test
    @Order(3)
    void valuesChangingFasterThanTheDelayReachTheCibOnlyOnceSettled() throws Exception {
        ok(vigil(1, "attrd_updater", "-n", "flap", "-B", "0", "-d", "3"));
        awaitCib(1, 1, "flap", "0");
        // watch node2's CIB for every value flap takes there while node1's attrd gets a change every 400 ms
        List<String> seenValues = new ArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                try {
                    String v = inCib(2, 1, "flap");
                    synchronized (seenValues) {
                        if (v != null && (seenValues.isEmpty() || !seenValues.get(seenValues.size() - 1).equals(v))) {
                            seenValues.add(v);
                        }
                    }
                } catch (Exception e) {
                    return;
                }
            }
        }, "cib-watcher");
        watcher.start();
        Map<String, long[]> window = new LinkedHashMap<>();   // value -> {sent, next change received at the latest}
        long lastEnd = 0;
        String previous = null;
        for (int k = 1; k <= 10; k++) {
            long start = System.nanoTime();
            ok(vigil(1, "attrd_updater", "-n", "flap", "-U", Integer.toString(k)));
            long end = System.nanoTime();
            if (previous != null) {
                window.get(previous)[1] = end;
            }
            window.put(Integer.toString(k), new long[] {start, 0});
            previous = Integer.toString(k);
            lastEnd = end;
            Thread.sleep(400);
        }
        long settled = awaitCib(2, 1, "flap", "10");
        watching.set(false);
        watcher.join(10_000);
        List<String> seen;
        synchronized (seenValues) {
            seen = new ArrayList<>(seenValues);
        }
        // a value is certainly superseded before its delay ends when its next change came within 3 s of it
        int certain = 0;
        for (Map.Entry<String, long[]> e : window.entrySet()) {
            long[] w = e.getValue();
            if (w[1] != 0 && TimeUnit.NANOSECONDS.toMillis(w[1] - w[0]) < 3000) {
                certain++;
                assertFalse(seen.contains(e.getKey()), "value " + e.getKey() + " was changed again within its delay "
                    + "but reached the CIB: " + seen);
            }
        }
        assertTrue(certain >= 5, "the machine was too slow for the changes to come within the delay: " + certain);
        assertEquals("10", seen.get(seen.size() - 1));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(settled - lastEnd) >= 2000,
            "the settled value went out before its delay had passed");
        System.out.printf("attrd: 10 changes 400 ms apart with a 3 s delay: the CIB took %s%n", seen);
    }

    @Test
    @Order(4)
    void crmFailcountSumsTheFailCountsAndClearsThemThroughAttrd() throws Exception {
        ok(vigil(1, "cibadmin", "-C", "-o", "resources", "-X",
            "<primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"));
        ok(vigil(1, "attrd_updater", "-n", "fail-count-vip#monitor_10000", "-U", "3", "-N", "node2"));
        ok(vigil(1, "attrd_updater", "-n", "fail-count-vip#start_0", "-U", "value++", "-N", "node2"));
        ok(vigil(1, "attrd_updater", "-n", "fail-count-vip#start_0", "-U", "value+=4", "-N", "node2"));
        ok(vigil(1, "attrd_updater", "-n", "last-failure-vip#monitor_10000", "-U", "1678183823", "-N", "node2"));
        awaitCib(2, 2, "fail-count-vip#start_0", "5");
        awaitCib(2, 2, "fail-count-vip#monitor_10000", "3");
        assertEquals(new Result(0, "scope=status  name=fail-count-vip value=8\n", ""),
            vigil(2, "crm_failcount", "-G", "-r", "vip"));
        assertEquals(new Result(0, "scope=status  name=fail-count-vip#monitor_10000 value=3\n", ""),
            vigil(1, "crm_failcount", "-G", "-r", "vip", "-N", "node2", "-n", "monitor", "-I", "10s"));
        assertEquals(new Result(0, "Cleaned up vip on node2\n", ""),
            vigil(1, "crm_failcount", "-D", "-r", "vip", "-N", "node2"));
        awaitCib(2, 2, "fail-count-vip#start_0", null);
        awaitCib(2, 2, "fail-count-vip#monitor_10000", null);
        awaitCib(2, 2, "last-failure-vip#monitor_10000", null);
        assertEquals("scope=status  name=fail-count-vip value=0\n", vigil(2, "crm_failcount", "-G", "-r", "vip").out());
    }

    @Test
    @Order(5)
    void theRealPingAgentWritesPingdThroughVigilsAttrdUpdater() throws Exception {
        boolean present = Files.isExecutable(PING_AGENT) && (Files.isExecutable(Path.of("/usr/bin/ping"))
            || Files.isExecutable(Path.of("/bin/ping")));
        if (!present) {
            if (Boolean.getBoolean("vigil.systemTests")) {
                fail("vigil.systemTests is set but " + PING_AGENT + " or ping is missing (pacemaker-resource-agents, "
                    + "iputils-ping: .ci/packages)");
            }
            assumeTrue(false, "ocf:pacemaker:ping or ping is not installed");
        }
        Path pid = dir.resolve("ping.pid");
        String[] agent = {"--class", "ocf", "--provider", "pacemaker", "--agent", "ping", "--option", "name=pingd",
            "--option", "dampen=2s", "--option", "multiplier=100", "--option", "pidfile=" + pid};
        // start: ping once, then attrd_updater -n pingd -B 100 -d 2
        long sent = System.nanoTime();
        Result start = vigil(1, concat("crm_resource", "--force-start", "--option", "host_list=127.0.0.1", agent));
        assertEquals(0, start.status(), start.out() + start.err());
        assertEquals("100", vigil(1, "attrd_updater", "-n", "pingd", "-Q").out().replaceAll(".*value=\"(.*)\"\\s*",
            "$1"), "the agent's update reached the node's attrd");
        long seen = awaitCib(2, 1, "pingd", "100");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(seen - sent) >= 2000, "written before the agent's dampen of 2 s");
        // monitor with two reachable hosts: attrd_updater -n pingd -v 200 -d 2
        Result check = vigil(1, concat("crm_resource", "--force-check", "--option", "host_list=127.0.0.1 127.0.0.2",
            agent));
        assertEquals(0, check.status(), check.out() + check.err());
        awaitCib(2, 1, "pingd", "200");
        // stop: attrd_updater -D -n pingd
        Result stop = vigil(1, concat("crm_resource", "--force-stop", "--option", "host_list=127.0.0.1", agent));
        assertEquals(0, stop.status(), stop.out() + stop.err());
        awaitCib(2, 1, "pingd", null);
        String log = Files.readString(c.log(1));
        assertTrue(log.contains("attrd: setting pingd[node1]: (unset) -> 100 with 2s write delay"), "node1's log");
    }

    @Test
    @Order(6)
    void aRestartedNodeStartsWithoutItsTransientAttributes() throws Exception {
        ok(vigil(1, "attrd_updater", "-n", "before-restart", "-U", "1"));
        ok(vigil(1, "attrd_updater", "-n", "before-restart", "-U", "2", "-N", "node2"));
        awaitCib(2, 1, "before-restart", "1");
        awaitCib(2, 2, "before-restart", "2");
        c.kill9(1);   // a crash: nothing is erased while it is down (a clean stop erases them: below)
        CibNetnsIT.awaitMembers(c, "2", 2);
        assertEquals("1", inCib(2, 1, "before-restart"), "node2's copy still holds node1's value while it is down");
        c.start(1);
        CibNetnsIT.awaitMembers(c, "1 2", 1, 2);
        awaitCib(2, 1, "before-restart", null);
        String same = CibNetnsIT.awaitSame(c, 1, 2);
        assertFalse(same.contains("status-1-before-restart"), same);
        assertTrue(same.contains("status-2-before-restart"), "node2's attributes are node2's: " + same);
        // an orderly stop: the DC lets the node go and erases its transient attributes (expected down)
        ok(vigil(1, "attrd_updater", "-n", "before-stop", "-U", "1"));
        awaitCib(2, 1, "before-stop", "1");
        c.stop(1);
        CibNetnsIT.awaitMembers(c, "2", 2);
        awaitCib(2, 1, "before-stop", null);
        c.start(1);
        CibNetnsIT.awaitMembers(c, "1 2", 1, 2);
    }

    private static String[] concat(String a, String b, String c, String d, String[] rest) {
        String[] out = new String[4 + rest.length];
        out[0] = a;
        out[1] = b;
        out[2] = c;
        out[3] = d;
        System.arraycopy(rest, 0, out, 4, rest.length);
        return out;
    }
}
