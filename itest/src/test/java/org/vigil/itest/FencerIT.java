package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * The fencer in real node processes (three nodes on 127.0.0.1): a fence device of the test agent
 * {@code fence_vigil_test} (it kills a node's process from its pid file) registered from the CIB on every node,
 * {@code stonith_admin} asking one node's fencer, which asks its peers, picks a node to run the device and
 * records the result everywhere: the target's process is gone, every node's history has it; a broken power switch
 * fails the request with the agent's reason and leaves the target running; a node no device can fence is refused;
 * a node that restarts learns the fencings done while it was away (the history sync).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FencerIT {

    static final long T = 60_000;

    NetnsCluster c;
    Path dir;
    Path pids;

    @RegisterExtension
    final KeepOnFailure keep = new KeepOnFailure();

    @BeforeAll
    void startThreeNodes() throws Exception {
        dir = Files.createTempDirectory("vigil-fencer");
        pids = Files.createDirectories(dir.resolve("pids"));
        c = NetnsCluster.local(3, dir, 47_100 + new Random().nextInt(300));
        c.javaOpts("-Dvigil.agents.fence.dir=" + FenceTestAgentTest.AGENT_DIR);
        c.up();
        c.configure("token: 1000", "");
        for (int i = 1; i <= 3; i++) {
            Process p = c.start(i);
            Files.writeString(pids.resolve("node" + i + ".pid"), p.pid() + "\n");
        }
        CibNetnsIT.awaitMembers(c, "1 2 3", 1, 2, 3);
        CibNetnsIT.awaitSame(c, 1, 2, 3);
    }

    @AfterAll
    void stop() throws Exception {
        if (c != null) {
            c.close();
        }
        keep.cleanUp("FencerIT", dir);
    }

    static void ok(Result r) {
        assertEquals(0, r.status(), r.out() + r.err());
    }

    String device() {
        return "<primitive id=\"fence-test\" class=\"stonith\" type=\"fence_vigil_test\">"
            + "<instance_attributes id=\"fence-test-ia\">"
            + "<nvpair id=\"fence-test-pidfile\" name=\"pidfile\" value=\"" + pids.resolve("{port}.pid") + "\"/>"
            + "<nvpair id=\"fence-test-fail\" name=\"fail_file\" value=\"" + dir.resolve("switch-broken") + "\"/>"
            + "<nvpair id=\"fence-test-log\" name=\"log\" value=\"" + dir.resolve("fence.log") + "\"/>"
            + "<nvpair id=\"fence-test-hosts\" name=\"pcmk_host_list\" value=\"node1 node2 node3\"/>"
            + "<nvpair id=\"fence-test-timeout\" name=\"pcmk_reboot_timeout\" value=\"20s\"/>"
            + "</instance_attributes></primitive>";
    }

    @Test
    @Order(1)
    void theDeviceIsRegisteredFromTheCibOnEveryNode() throws Exception {
        ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", device()));
        for (int i = 1; i <= 3; i++) {
            int node = i;
            NetnsCluster.await("fence-test registered on node" + node, T, () -> {
                try {
                    return c.vigil(node, "stonith_admin", "--list-registered").out()
                        .equals("fence-test\n1 fence device found\n");
                } catch (Exception e) {
                    return false;
                }
            });
        }
        assertEquals(new Result(0, "fence-test\n1 fence device found\n", ""),
            c.vigil(2, "stonith_admin", "--list", "node3"));
        assertEquals(new Result(0, "0 fence devices found\n", ""), c.vigil(2, "stonith_admin", "--list", "node9"));
        Result installed = c.vigil(1, "stonith_admin", "--list-installed");
        assertEquals(new Result(0, "fence_vigil_test\nvigil:fence-dummy\n2 fence devices found\n", ""), installed,
            "the test agent in vigil.agents.fence.dir, and the agents bundle's built-in one");
    }

    @Test
    @Order(2)
    void aRebootKillsTheTargetAndEveryNodeRecordsIt() throws Exception {
        assertTrue(c.alive(3));
        Result r = c.vigil(1, "stonith_admin", "--reboot", "node3", "--timeout", "60");
        assertEquals(new Result(0, "", ""), r);
        NetnsCluster.await("node3's process gone", T, () -> !c.alive(3));
        for (int i = 1; i <= 2; i++) {
            Result h = c.vigil(i, "stonith_admin", "--history", "node3");
            assertEquals(0, h.status(), h.err());
            assertTrue(h.out().matches("reboot of node3 successful: delegate=node[12], client=stonith_admin, "
                + "origin=node1, last-successful='[^']+'\n1 event found\n"), h.out());
        }
        String log = Files.readString(dir.resolve("fence.log"));
        assertTrue(log.contains(" reboot node3 ok"), log);
        CibNetnsIT.awaitMembers(c, "1 2", 1, 2);
    }

    @Test
    @Order(3)
    void aBrokenSwitchFailsWithItsReasonAndTheTargetRuns() throws Exception {
        Files.createFile(dir.resolve("switch-broken"));
        Result r = c.vigil(2, "stonith_admin", "--fence", "node1", "--timeout", "60");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("stonith_admin: Couldn't fence node1: Error occurred (off with fence-test "
            + "failed: exit status 1"), r.err());
        assertTrue(r.err().contains("the power switch is broken"), r.err());
        assertTrue(c.alive(1));
        Result h = c.vigil(1, "stonith_admin", "--history", "*", "--verbose");
        assertEquals(0, h.status(), h.err());
        assertTrue(h.out().contains("turning off of node1 failed (off with fence-test failed"), h.out());
        assertTrue(h.out().endsWith("2 events found\n"), h.out());
        Files.delete(dir.resolve("switch-broken"));
    }

    @Test
    @Order(4)
    void aNodeNoDeviceCanFenceIsRefused() throws Exception {
        assertEquals(new Result(105, "", "stonith_admin: Couldn't fence node9: No such device (no fence device can "
            + "fence node9)\n"), c.vigil(1, "stonith_admin", "--reboot", "node9"));
        assertFalse(Files.readString(dir.resolve("fence.log")).contains("node9"));
    }

    @Test
    @Order(5)
    void aFencingSurvivesTheLossOfTheNodeThatAsked() throws Exception {
        Process p3 = c.start(3);
        Files.writeString(pids.resolve("node3.pid"), p3.pid() + "\n");
        CibNetnsIT.awaitMembers(c, "1 2 3", 1, 2, 3);
        // a slow device (pcmk_delay_base): node1 runs it (the first node that can), node2 asks and dies meanwhile
        ok(c.vigil(1, "cibadmin", "--delete", "-X", "<primitive id=\"fence-test\"/>"));
        ok(c.vigil(1, "cibadmin", "--create", "-o", "resources", "-X", device().replace("fence-test", "fence-slow")
            .replace("</instance_attributes>", "<nvpair id=\"fence-slow-delay\" name=\"pcmk_delay_base\" "
                + "value=\"4s\"/></instance_attributes>")));
        for (int i = 1; i <= 2; i++) {
            int node = i;
            NetnsCluster.await("fence-slow registered on node" + node, T, () -> {
                try {
                    return c.vigil(node, "stonith_admin", "-L").out().equals("fence-slow\n1 fence device found\n");
                } catch (Exception e) {
                    return false;
                }
            });
        }
        Process asking = new ProcessBuilder(NetnsCluster.root().resolve("vigil").toString(), "--state-dir",
            c.stateDir(2).toString(), "stonith_admin", "--reboot", "node3").redirectErrorStream(true)
            .redirectOutput(dir.resolve("asking.log").toFile()).start();
        try {
            NetnsCluster.await("node1 running the delayed fencing", T, () -> {
                try {
                    return c.vigil(1, "stonith_admin", "-H", "node3", "-V").out().contains("reboot of node3 pending: "
                        + "client=stonith_admin, origin=node2");
                } catch (Exception e) {
                    return false;
                }
            });
            c.kill9(2);
            NetnsCluster.await("node3's process gone", T, () -> !c.alive(3));
            NetnsCluster.await("the fencing recorded on node1", T, () -> {
                try {
                    return c.vigil(1, "stonith_admin", "-H", "node3", "-V").out().contains("reboot of node3 "
                        + "successful: delegate=node1, client=stonith_admin, origin=node2, completed=");
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue(Files.readString(dir.resolve("fence.log")).contains(" reboot node3 ok"));
        } finally {
            asking.destroyForcibly();
        }
    }

    @Test
    @Order(6)
    void aRestartedNodeSeesTheFencingsDoneWhileItWasAway() throws Exception {
        // node3 was fenced (its process killed) while node2, which asked, died; the DC may fence node2 as well:
        // once nothing is pending, node3 starts again with an empty fencer and learns the history when it joins
        NetnsCluster.await("no fencing pending on node1", T, () -> {
            try {
                Result h = c.vigil(1, "stonith_admin", "--history", "*", "--verbose");
                return h.status() == 0 && !h.out().contains(" pending: ");
            } catch (Exception e) {
                return false;
            }
        });
        Process p3 = c.start(3);
        Files.writeString(pids.resolve("node3.pid"), p3.pid() + "\n");
        CibNetnsIT.awaitMembers(c, "1 3", 1, 3);
        NetnsCluster.await("node3 has the fencings done while it was away", T, () -> {
            try {
                return c.vigil(3, "stonith_admin", "--history", "node3", "--verbose").out()
                    .endsWith("2 events found\n");
            } catch (Exception e) {
                return false;
            }
        });
        String h = c.vigil(3, "stonith_admin", "--history", "node3", "--verbose").out();
        assertTrue(h.matches("(reboot of node3 successful: delegate=node1, client=stonith_admin, origin=node2, "
            + "completed='[^']+'\n)(reboot of node3 successful: delegate=node[12], client=stonith_admin, "
            + "origin=node1, completed='[^']+'\n)2 events found\n"), h);
        Result all = c.vigil(3, "stonith_admin", "--history", "*", "--verbose");
        assertTrue(all.out().contains("turning off of node1 failed (off with fence-test failed"), all.out());
        assertEquals(c.vigil(1, "stonith_admin", "--history", "*", "--verbose").out(), all.out(),
            "node3's history is node1's");
    }
}
