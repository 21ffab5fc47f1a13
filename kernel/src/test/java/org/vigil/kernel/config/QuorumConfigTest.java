package org.vigil.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Quorum settings: corosync's startup checks as configuration errors with file:line, and the warnings. */
class QuorumConfigTest {

    static String conf(int nodes, String quorum, String... nodeExtra) {
        StringBuilder b = new StringBuilder("totem {\n    version: 2\n    cluster_name: q\n}\nquorum {\n"
            + "    provider: corosync_votequorum\n");
        for (String l : quorum.split("\n")) {
            if (!l.isEmpty()) {
                b.append("    ").append(l).append('\n');
            }
        }
        b.append("}\nnodelist {\n");
        for (int i = 1; i <= nodes; i++) {
            b.append("    node {\n        ring0_addr: 10.62.0.").append(i).append("\n        nodeid: ").append(i)
                .append('\n');
            if (nodeExtra.length >= i && !nodeExtra[i - 1].isEmpty()) {
                b.append("        ").append(nodeExtra[i - 1]).append('\n');
            }
            b.append("    }\n");
        }
        return b.append("}\n").toString();
    }

    /** The errors of a configuration that must not load. */
    static List<String> errors(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> VigilConfig.fromText("q.conf", text));
        return e.errors().stream().map(ConfigProblem::toString).toList();
    }

    static List<String> warnings(String text) throws ConfigException {
        return VigilConfig.fromText("q.conf", text).warnings().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void twoNodeWithThreeNodesIsAnErrorAtItsLine() {
        assertEquals(List.of("q.conf:7: quorum.two_node: 1 needs exactly 2 nodes in the node list; found 3"),
            errors(conf(3, "two_node: 1")));
    }

    @Test
    void zeroExpectedVotesAndNegativeVotesAreErrorsAtTheirLines() {
        List<String> e = errors(conf(2, "expected_votes: 0"));
        assertEquals(1, e.size());
        assertTrue(e.get(0).startsWith("q.conf:7: quorum.expected_votes: 0 is out of range"), e.get(0));
        List<String> v = errors(conf(2, "", "quorum_votes: -1"));
        assertEquals(1, v.size());
        assertTrue(v.get(0).startsWith("q.conf:12: nodelist.node.0.quorum_votes: '-1' is negative"), v.get(0));
    }

    @Test
    void quorumDeviceCombinationsCorosyncRefusesAreErrors() {
        String dev = "device {\nmodel: net\nvotes: 1\nnet {\nhost: 127.0.0.1\n}\n}\n";
        assertEquals(List.of("q.conf:7: two_node and quorum device cannot be configured at the same time"),
            errors(conf(2, "two_node: 1\n" + dev)));
        assertTrue(errors(conf(3, "last_man_standing: 1\n" + dev)).get(0)
            .endsWith("quorum.device is not compatible with last_man_standing"));
        assertTrue(errors(conf(4, "auto_tie_breaker: 1\n" + dev)).get(0)
            .endsWith("quorum.device is not compatible with auto_tie_breaker"));
        assertTrue(errors(conf(3, "allow_downscale: 1\n" + dev)).get(0)
            .endsWith("quorum.device is not compatible with allow_downscale"));
        assertTrue(errors(conf(3, "expected_votes: 4\ndevice {\nmodel: net\nnet {\nhost: h\n}\n}\n")).stream()
            .anyMatch(x -> x.endsWith("quorum.device.votes must be specified when quorum.expected_votes is set")));
        assertTrue(errors(conf(3, "expected_votes: 2\n" + dev)).get(0).contains("quorum.device.votes is too high"));
        assertTrue(errors(conf(2, "device {\nmodel: disk\nvotes: 1\n}\n")).stream()
            .anyMatch(x -> x.contains("'disk' is not supported")));
        assertTrue(errors(conf(2, "device {\nmodel: net\nvotes: 1\n}\n")).get(0)
            .contains("quorum.device.net.host is required"));
        assertTrue(errors(conf(3, "device {\nmodel: net\nnet {\nhost: h\n}\n}\n")).get(0)
            .contains("algorithm ffsplit needs quorum.device.votes: 1 (found 2, the default of node count − 1)"));
        assertTrue(errors(conf(2, "device {\nmodel: net\nvotes: 1\nnet {\nhost: h\ntie_breaker: 9\n}\n}\n")).get(0)
            .contains("tie_breaker: '9' is not valid"));
        assertTrue(errors(conf(2, "device {\nmodel: net\nnet {\nhost: h\n}\n}\n", "quorum_votes: 2")).get(0)
            .contains("quorum.device.votes must be specified when not all nodes have 1 vote"));
    }

    @Test
    void aValidDeviceConfigurationHasCorosyncsDefaults() throws Exception {
        VigilConfig c = VigilConfig.fromText("q.conf", conf(3, "device {\nmodel: net\nnet {\nhost: arb\n"
            + "algorithm: lms\n}\n}\n"));
        VigilConfig.Device d = c.quorum().device();
        assertNotNull(d);
        assertEquals(2, d.votes(), "node count − 1");
        assertEquals(5403, d.port());
        assertEquals(10000, d.timeoutMs());
        assertEquals(30000, d.syncTimeoutMs());
        assertEquals("lowest", d.tieBreaker());
    }

    @Test
    void autoTieBreakerRules() throws Exception {
        assertTrue(errors(conf(3, "auto_tie_breaker: 1\nlast_man_standing: 1")).get(0)
            .contains("auto_tie_breaker and last_man_standing are not available"));
        assertTrue(warnings(conf(3, "auto_tie_breaker: 1")).stream()
            .anyMatch(w -> w.contains("auto_tie_breaker is disabled")));
        assertTrue(warnings(conf(3, "auto_tie_breaker: 1\nwait_for_all: 1")).stream()
            .noneMatch(w -> w.contains("auto_tie_breaker")));
        assertTrue(errors(conf(4, "auto_tie_breaker: 1\nauto_tie_breaker_node: first")).get(0)
            .startsWith("q.conf:8: quorum.auto_tie_breaker_node: 'first' is not valid"));
        assertTrue(warnings(conf(4, "auto_tie_breaker: 1\nauto_tie_breaker_node: 3 9")).stream()
            .anyMatch(w -> w.contains("node id 9 is not in the node list")));
        assertTrue(warnings(conf(4, "auto_tie_breaker: 1", "quorum_votes: 2")).stream()
            .anyMatch(w -> w.contains("unequal votes can leave both halves")));
        assertTrue(warnings(conf(4, "auto_tie_breaker_node: highest")).stream()
            .anyMatch(w -> w.contains("meaningless")));
    }

    @Test
    void waitForAllFollowsTwoNodeUnlessWritten() throws Exception {
        VigilConfig.Quorum q = VigilConfig.fromText("q.conf", conf(2, "two_node: 1")).quorum();
        assertTrue(q.waitForAll());
        assertTrue(!q.waitForAllConfigured());
        VigilConfig.Quorum q2 = VigilConfig.fromText("q.conf", conf(2, "two_node: 1\nwait_for_all: 0")).quorum();
        assertTrue(!q2.waitForAll() && q2.waitForAllConfigured());
    }
}
