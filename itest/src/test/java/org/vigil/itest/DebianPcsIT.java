package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's own pcs 0.11.5 (the installed package, unchanged) against a running Vigil node, through
 * {@code distribution/src/main/sh/pcs-bin/pcs}: it points pcs's tool paths at that directory's wrappers, which run
 * Vigil's {@code cibadmin}, {@code crm_mon}, {@code crm_resource}, {@code crm_diff}... on the node. Each test runs
 * one real pcs command line and checks its effect with Vigil's own tools: {@code pcs status}, {@code pcs resource
 * create} (the resource then runs), {@code pcs constraint location}, {@code pcs property set}, {@code pcs resource
 * move-with-constraint} (the resource moves) and {@code pcs resource clear}. Two nodes on 127.0.0.1 (no network
 * namespace).
 *
 * <p>And {@code pcs resource move} without {@code -with-constraint} (pcs 0.11's default, which removes its
 * constraint once the resource has moved): pcs simulates the change first with {@code crm_simulate --simulate
 * --save-output F --save-graph G --xml-pipe} (the CIB on standard input) and reads the graph and the simulated CIB.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPcsIT {

    static final Path PCS_BIN = NodeProcessIT.ROOT.resolve("distribution/src/main/sh/pcs-bin/pcs");

    static Path dir;
    static Path state;
    static Process node;
    static Process node2;

    @BeforeAll
    static void start() throws Exception {
        boolean pcs = Files.isExecutable(Path.of("/usr/sbin/pcs"));
        if (Boolean.getBoolean("vigil.systemTests")) {
            assertTrue(pcs, "vigil.systemTests is set but pcs is not installed (.ci/packages installs pcs)");
        }
        assumeTrue(pcs, "Debian's pcs is not installed");
        dir = Files.createTempDirectory("vigil-pcs-it");
        NodeProcessIT.dir = dir;
        state = dir.resolve("state");
        Path conf = dir.resolve("vigil.conf");
        Files.writeString(conf, "totem {\n version: 2\n cluster_name: pcsit\n token: 1000\n}\nnodelist {\n node {\n"
            + " ring0_addr: 127.0.0.1\n ring0_port: " + NodeProcessIT.freePort() + "\n nodeid: 1\n name: node1\n }\n"
            + " node {\n ring0_addr: 127.0.0.1\n ring0_port: " + NodeProcessIT.freePort() + "\n nodeid: 2\n"
            + " name: node2\n }\n}\n");
        node = NodeProcessIT.startNode(conf, state, dir.resolve("node1.log"), "--node-id", "1");
        node2 = NodeProcessIT.startNode(conf, dir.resolve("state2"), dir.resolve("node2.log"), "--node-id", "2");
        NodeProcessIT.awaitSocket(state, node);
        // a DC and a CIB with the node: the cluster is ready for pcs
        NodeProcessIT.Result ready = vigil("wait", "--ready", "--timeout", "60");
        assertEquals(0, ready.status(), ready.out() + ready.err());
        NodeProcessIT.Result off = vigil("crm_attribute", "-n", "stonith-enabled", "-v", "false");
        assertEquals(0, off.status(), off.err());
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : new Process[] {node, node2}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Vigil's own command on the node. */
    static NodeProcessIT.Result vigil(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("--state-dir", state.toString()));
        a.addAll(List.of(args));
        return NodeProcessIT.run(a);
    }

    /** Debian's pcs, through pcs-bin, on the node. */
    static NodeProcessIT.Result pcs(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PCS_BIN.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "pcs-out", ".txt");
        Path err = Files.createTempFile(dir, "pcs-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("VIGIL_STATE_DIR", state.toString());
        pb.environment().put("VIGIL_COROSYNC_CONF", dir.resolve("vigil.conf").toString());
        pb.environment().remove("CIB_file");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pcs " + List.of(args) + " did not finish in 120 s");
        }
        NodeProcessIT.Result r = new NodeProcessIT.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        System.out.println("pcs " + String.join(" ", args) + " -> exit " + r.status() + "\n" + r.out() + r.err());
        return r;
    }

    /** Polls {@code crm_resource --locate} until it names {@code where} (30 s). */
    static String awaitLocated(String rsc, String where) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            NodeProcessIT.Result r = vigil("crm_resource", "--locate", "-r", rsc);
            last = r.out() + r.err();
            if (r.status() == 0 && last.contains(where)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(rsc + " is not " + where + ": " + last);
    }

    static String cib() throws Exception {
        NodeProcessIT.Result q = vigil("cibadmin", "-Q");
        assertEquals(0, q.status(), q.err());
        return q.out();
    }

    @Test
    @Order(1)
    void pcsStatusShowsTheNodeOnline() throws Exception {
        NodeProcessIT.Result r = pcs("status");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith("Cluster name: pcsit\n"), r.out());
        assertTrue(r.out().contains("Online: [ node1 node2 ]"), r.out());
        assertTrue(r.out().contains("Current DC: node"), r.out());
    }

    @Test
    @Order(2)
    void pcsResourceCreateStartsTheResource() throws Exception {
        NodeProcessIT.Result r = pcs("resource", "create", "P1", "ocf:heartbeat:Dummy", "op", "monitor",
            "interval=5s");
        assertEquals(0, r.status(), r.out() + r.err());
        String cib = cib();
        assertTrue(cib.matches("(?s).*<primitive id=\"P1\"[^>]* type=\"Dummy\".*"), cib);
        awaitLocated("P1", "resource P1 is running on: node");
        NodeProcessIT.Result s = pcs("status", "resources");
        assertEquals(0, s.status(), s.out() + s.err());
        assertTrue(s.out().contains("P1") && s.out().contains("Started node"), s.out());
    }

    @Test
    @Order(3)
    void pcsConstraintLocationAddsTheConstraint() throws Exception {
        NodeProcessIT.Result r = pcs("constraint", "location", "P1", "prefers", "node1=50");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(cib().contains("<rsc_location id=\"location-P1-node1-50\" rsc=\"P1\" node=\"node1\" "
            + "score=\"50\"/>"), cib());
    }

    @Test
    @Order(4)
    void pcsPropertySetChangesTheClusterOption() throws Exception {
        NodeProcessIT.Result r = pcs("property", "set", "cluster-recheck-interval=7min");
        assertEquals(0, r.status(), r.out() + r.err());
        NodeProcessIT.Result q = vigil("crm_attribute", "-n", "cluster-recheck-interval", "-G", "-q");
        assertEquals(0, q.status(), q.err());
        assertEquals("7min", q.out().strip());
    }

    @Test
    @Order(5)
    void pcsResourceMoveWithConstraintAndClear() throws Exception {
        String where = awaitLocated("P1", "resource P1 is running on: node");
        String other = where.contains("node1") ? "node2" : "node1";
        NodeProcessIT.Result r = pcs("resource", "move-with-constraint", "P1", other);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(cib().contains("<rsc_location id=\"cli-prefer-P1\" rsc=\"P1\" role=\"Started\" node=\"" + other
            + "\" score=\"INFINITY\"/>"), cib());
        awaitLocated("P1", "resource P1 is running on: " + other);
        NodeProcessIT.Result c = pcs("resource", "clear", "P1");
        assertEquals(0, c.status(), c.out() + c.err());
        assertTrue(!cib().contains("cli-prefer-P1"), cib());
    }

    @Test
    @Order(6)
    void pcsResourceMoveMovesAndRemovesItsConstraint() throws Exception {
        // pcs refuses a move the scheduler would undo once its constraint is gone (and so does it against
        // Pacemaker): the stickiness must outweigh the location preference of 50 for node1 made above
        NodeProcessIT.Result st = vigil("crm_attribute", "--type", "rsc_defaults", "-n", "resource-stickiness",
            "-v", "100");
        assertEquals(0, st.status(), st.out() + st.err());
        String where = awaitLocated("P1", "resource P1 is running on: node");
        String other = where.contains("node1") ? "node2" : "node1";
        NodeProcessIT.Result r = pcs("resource", "move", "P1", other);
        assertEquals(0, r.status(), r.out() + r.err());
        try {
            awaitLocated("P1", "resource P1 is running on: " + other);
        } catch (AssertionError e) {
            throw new AssertionError("pcs said: " + r.out() + r.err(), e);
        }
        assertTrue(!cib().contains("cli-prefer-P1"), "pcs removed its constraint after the move: " + cib());
    }
}
