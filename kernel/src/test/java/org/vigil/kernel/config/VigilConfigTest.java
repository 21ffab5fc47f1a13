package org.vigil.kernel.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Typed keys, derived timer defaults, the node list and the consistency checks. */
class VigilConfigTest {

    private static final String NODES3 = "nodelist {\n node {\n ring0_addr: 10.0.0.1\n nodeid: 1\n }\n node {\n"
        + " ring0_addr: 10.0.0.2\n nodeid: 2\n }\n node {\n ring0_addr: 10.0.0.3\n nodeid: 3\n }\n}\n";
    private static final String NODES2 = "nodelist {\n node {\n ring0_addr: 10.0.0.1\n nodeid: 1\n }\n node {\n"
        + " ring0_addr: 10.0.0.2\n nodeid: 2\n }\n}\n";

    private static VigilConfig load(String text) throws ConfigException {
        return VigilConfig.fromText("t.conf", text);
    }

    private static List<ConfigProblem> errors(String text) {
        return assertThrows(ConfigException.class, () -> load(text)).errors();
    }

    private static boolean warned(VigilConfig c, String fragment) {
        return c.warnings().stream().anyMatch(w -> w.message().contains(fragment));
    }

    /** The seed's corosync.conf, verbatim from the shared folder (mixed indentation, memberaddr list). */
    @Test
    void seedConfigLoadsAsWrittenWithCorosyncsEffectiveValues() throws Exception {
        Path seed = Path.of(System.getProperty("vigil.shared", "../../shared"), "seeds", "corosync.conf");
        String text = Files.exists(seed) ? Files.readString(seed) : SEED_COPY;
        VigilConfig c = load(text);
        VigilConfig.Totem t = c.totem();
        assertEquals(3, c.nodes().size());
        assertEquals(3650, t.token(), "3000 + 650 token_coefficient for the third node");
        assertEquals(357, t.tokenRetransmit(), "3650 / (10 + 0.2)");
        assertEquals(275, t.hold(), "357 * 0.8 - 10");
        assertEquals(3600, t.consensus());
        assertEquals(60, t.join());
        assertEquals(20, t.maxMessages());
        assertEquals("udpu", t.transport());
        assertTrue(warned(c, "consensus (3600 ms) is lower than the effective token timeout (3650 ms"));
        assertTrue(warned(c, "member section is deprecated"));
        assertTrue(warned(c, "totem.vsftype is obsolete"));
        // clear_node_high_bit: 172.16.101.3 = 0xAC106503 -> 0x2C106503
        assertEquals(0x2C106503, c.nodes().get(0).nodeId());
        assertEquals("172.16.101.5", c.nodes().get(2).addresses().get(0));
        assertTrue(c.cmapValues().stream().anyMatch(v -> v.key().equals("totem.vsftype")
            && v.value().equals("none")), "obsolete keys stay visible in cmap as strings");
    }

    private static final String SEED_COPY = """
        totem {
            version:                             2
            token:                               3000
             token_retransmits_before_loss_const: 10
             join:                                60
             consensus:                           3600
             vsftype:                             none
             max_messages:                        20
             clear_node_high_bit:                 yes
             rrp_mode:                            none
             secauth:                             off
             threads:                             12
             transport:                           udpu
             interface {
                 member {
                    memberaddr: 172.16.101.3
                 }
                 member {
                    memberaddr: 172.16.101.4
                 }
                 member {
                    memberaddr: 172.16.101.5
                 }
                ringnumber:  0
                bindnetaddr: 172.16.101.3
                mcastport:   5405
             }
        }
        """;

    @Test
    void defaultsFor2And3NodesMatchCorosync3() throws Exception {
        VigilConfig.Totem two = load("totem {\n version: 2\n}\n" + NODES2).totem();
        assertEquals(3000, two.token());
        assertEquals(714, two.tokenRetransmit());
        assertEquals(561, two.hold());
        assertEquals(3600, two.consensus());
        VigilConfig.Totem three = load("totem {\n version: 2\n}\n" + NODES3).totem();
        assertEquals(3650, three.token());
        assertEquals(869, three.tokenRetransmit());
        assertEquals(685, three.hold());
        assertEquals(4380, three.consensus());
        assertEquals(50, three.join());
        assertEquals(17, three.maxMessages());
        assertEquals(50, three.windowSize());
    }

    @Test
    void tokenThatIsNotANumber() {
        ConfigProblem p = errors("totem {\n token: abc\n}\n" + NODES2).get(0);
        assertEquals("t.conf:2: totem.token: 'abc' is not a number (expected an integer 0..4294967295 (ms))",
            p.toString());
    }

    @Test
    void negativeToken() {
        ConfigProblem p = errors("totem {\n token: -5\n}\n" + NODES2).get(0);
        assertEquals(2, p.line());
        assertTrue(p.message().contains("'-5' is negative"), p.message());
    }

    @Test
    void tokenWithUnitSuffixIsRejectedAsCorosyncDoes() {
        assertTrue(errors("totem {\n token: 3000ms\n}\n" + NODES2).get(0).message().contains("not a number"));
    }

    @Test
    void valueOutOfRange() {
        ConfigProblem p = errors("totem {\n token: 99999999999\n}\n" + NODES2).get(0);
        assertTrue(p.message().contains("out of range"), p.message());
        assertTrue(errors("totem {\n netmtu: 100\n}\n" + NODES2).get(0).message().contains("out of range"));
    }

    @Test
    void tokenBelowTheTimerFloor() {
        List<ConfigProblem> e = errors("totem {\n token: 10\n}\n" + NODES2);
        assertTrue(e.stream().anyMatch(p -> p.line() == 2 && p.message().contains("below the minimum of 30 ms")),
            e.toString());
    }

    /**
     * The heartbeat mode, send_join and miss_count_const as corosync takes them: defaults (0 = off, 50 ms, 0, 5),
     * a max_network_delay under the timer floor refused, a heartbeat timeout not below token turned off with a
     * warning (corosync's totemsrp_initialize turns it off), a send_join not below consensus refused; each at its
     * file:line.
     */
    @Test
    void heartbeatSendJoinAndMissCountConstHaveCorosyncsDefaultsAndTheirErrorsAtFileAndLine() throws Exception {
        VigilConfig.Totem d = load("totem {\n version: 2\n}\n" + NODES2).totem();
        assertEquals(0, d.heartbeatFailuresAllowed());
        assertEquals(50, d.maxNetworkDelay());
        assertEquals(0, d.sendJoin());
        assertEquals(5, d.missCountConst());
        assertEquals(0, org.vigil.kernel.internal.totem.TotemConfig.from(d).heartbeat(), "off by default");
        VigilConfig on = load("totem {\n token: 3000\n heartbeat_failures_allowed: 3\n max_network_delay: 60\n"
            + " send_join: 40\n miss_count_const: 2\n}\n" + NODES2);
        org.vigil.kernel.internal.totem.TotemConfig tc = org.vigil.kernel.internal.totem.TotemConfig.from(on.totem());
        assertEquals(3 * 714 + 60, tc.heartbeat(), "3 × token_retransmit (3000 / 4.2) + max_network_delay");
        assertEquals(40, tc.sendJoin());
        assertEquals(2, tc.missCountConst());
        assertTrue(on.warnings().isEmpty(), on.warnings().toString());

        ConfigProblem delay = errors("totem {\n max_network_delay: 20\n}\n" + NODES2).get(0);
        assertEquals("t.conf:2: totem.max_network_delay: 20 ms is below the minimum of 30 ms", delay.toString());

        VigilConfig tooSlow = load("totem {\n token: 1000\n\n heartbeat_failures_allowed: 5\n}\n" + NODES2);
        assertEquals(0, org.vigil.kernel.internal.totem.TotemConfig.from(tooSlow.totem()).heartbeat(),
            "5 × 238 + 50 is not below 1000: off");
        ConfigProblem w = tooSlow.warnings().stream().filter(p -> p.message().contains("heartbeat mode is off"))
            .findFirst().orElseThrow(() -> new AssertionError(tooSlow.warnings().toString()));
        assertEquals(4, w.line(), w.toString());
        assertTrue(w.toString().startsWith("t.conf:4: "), w.toString());

        ConfigProblem join = errors("totem {\n token: 1000\n consensus: 1200\n send_join: 1200\n}\n" + NODES2)
            .get(0);
        assertEquals(4, join.line(), join.toString());
        assertTrue(join.message().contains("send_join (1200 ms) must be below the consensus timeout (1200 ms)"),
            join.toString());
    }

    /**
     * Found by ConfigFuzzTest: a token_retransmit under 12.5 ms made the derived hold negative, so the file passed
     * the check and the node failed at start (cmap refused the u32). corosync refuses these timers.
     */
    @Test
    void tokenRetransmitAndHoldBelowTheirFloorsAreErrors() {
        ConfigProblem derived = errors("totem {\n token: 60\n token_retransmits_before_loss_const: 10\n}\n" + NODES2)
            .get(0);
        assertEquals(3, derived.line());
        assertTrue(derived.message().contains("gives a token_retransmit of 5 ms, below the minimum of 30 ms"),
            derived.toString());
        ConfigProblem explicit = errors("totem {\n token_retransmit: 12\n}\n" + NODES2).get(0);
        assertEquals("t.conf:2: totem.token_retransmit: 12 ms is below the minimum of 30 ms", explicit.toString());
        ConfigProblem hold = errors("totem {\n hold: 13\n}\n" + NODES2).get(0);
        assertEquals("t.conf:2: totem.hold: 13 ms is below the minimum of 14 ms", hold.toString());
    }

    /**
     * Found by ConfigFuzzTest: window_size 4294967295 passed the check and the node failed at start (the engine
     * holds it in an int, at most 10000); the engine's limits are the schema's ranges.
     */
    @Test
    void engineCountersBeyondTheEnginesRangeAreErrors() {
        ConfigProblem window = errors("totem {\n window_size: 4294967295\n}\n" + NODES2).get(0);
        assertEquals(2, window.line());
        assertTrue(window.message().contains("0..10000"), window.toString());
        ConfigProblem messages = errors("totem {\n max_messages: 10001\n}\n" + NODES2).get(0);
        assertTrue(messages.message().contains("0..10000"), messages.toString());
        ConfigProblem miss = errors("totem {\n miss_count_const: 2147483648\n}\n" + NODES2).get(0);
        assertTrue(miss.message().contains("0..2147483647"), miss.toString());
        org.vigil.kernel.internal.totem.TotemConfig.from(assertDoesNotThrow(() -> load("totem {\n window_size: 10000\n"
            + " max_messages: 10000\n fail_recv_const: 2147483647\n}\n" + NODES2)).totem());
    }

    /**
     * Found by ConfigFuzzTest: token + token_coefficient × (nodes − 2) beyond a u32 passed the check and the node
     * failed at start (runtime.config.totem.token is a u32); so did a derived consensus beyond it.
     */
    @Test
    void effectiveTimersBeyondAU32AreErrors() {
        ConfigProblem sum = errors("totem {\n token: 4294967295\n token_coefficient: 1\n}\n" + NODES3).get(0);
        assertEquals(3, sum.line());
        assertTrue(sum.message().contains("is 4294967296 ms, more than 4294967295 ms"), sum.toString());
        ConfigProblem consensus = errors("totem {\n token: 4000000000\n}\n" + NODES2).get(0);
        assertEquals(2, consensus.line());
        assertTrue(consensus.message().contains("derived consensus timeout"), consensus.toString());
        assertDoesNotThrow(() -> load("totem {\n token: 4000000000\n consensus: 4294967295\n}\n" + NODES2));
    }

    @Test
    void consensusBelowJoinIsAnError() {
        ConfigProblem p = errors("totem {\n join: 100\n consensus: 60\n}\n" + NODES2).get(0);
        assertEquals(3, p.line());
        assertTrue(p.message().contains("must be at least totem.join"));
    }

    @Test
    void badEnumValueListsTheChoices() {
        assertTrue(errors("totem {\n transport: tcp\n}\n" + NODES2).get(0).message()
            .contains("expected one of udpu, udp, knet"));
    }

    @Test
    void everyErrorIsReportedNotOnlyTheFirst() {
        List<ConfigProblem> e = errors("totem {\n token: abc\n join: x\n}\n" + NODES2);
        assertEquals(2, e.size());
        assertEquals(2, e.get(0).line());
        assertEquals(3, e.get(1).line());
    }

    @Test
    void emptyConfigSaysTheNodesAreUnknown() {
        assertTrue(errors("").get(0).message().contains("no nodelist and no interface member list"));
    }

    @Test
    void unknownKeysWarnAndStayAsStrings() throws Exception {
        VigilConfig c = load("totem {\n version: 2\n frobnicate: 7\n}\nfoo {\n bar: baz\n}\n" + NODES2);
        assertTrue(warned(c, "unknown key 'totem.frobnicate'"));
        assertTrue(warned(c, "unknown key 'foo.bar'"));
        assertTrue(c.cmapValues().stream().anyMatch(v -> v.key().equals("foo.bar") && v.value().equals("baz")));
    }

    @Test
    void twoInterfacesNeedAnRrpMode() {
        String two = "totem {\n interface {\n ringnumber: 0\n }\n interface {\n ringnumber: 1\n }\n}\n";
        assertTrue(errors(two + NODES2).get(0).message().contains("2 is too many configured interfaces"));
    }

    @Test
    void cipherWithoutHash() {
        assertTrue(errors("totem {\n crypto_cipher: aes256\n}\n" + NODES2).get(0).message()
            .contains("crypto_cipher requires crypto_hash"));
    }

    @Test
    void secauthOnMeansAes256Sha256() throws Exception {
        VigilConfig.Totem t = load("totem {\n secauth: on\n}\n" + NODES2).totem();
        assertEquals("aes256", t.cryptoCipher());
        assertEquals("sha256", t.cryptoHash());
        assertTrue(t.secure());
    }

    @Test
    void duplicateNodeIds() {
        String dup = "nodelist {\n node {\n ring0_addr: 10.0.0.1\n nodeid: 1\n }\n node {\n ring0_addr: 10.0.0.2\n"
            + " nodeid: 1\n }\n}\n";
        ConfigProblem p = errors(dup).get(0);
        assertEquals(7, p.line());
        assertTrue(p.message().contains("node id 1 is used twice"));
    }

    /** Found by ConfigFuzzTest: the problem named the including file with a line of the included one. */
    @Test
    void duplicateNodeIdsFromAnIncludedFileNameThatFile(@org.junit.jupiter.api.io.TempDir Path dir)
        throws Exception {
        Files.writeString(dir.resolve("nodes.conf"), NODES2);
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "totem {\n version: 2\n}\ninclude: nodes.conf\ninclude: nodes.conf\n");
        ConfigProblem p = assertThrows(ConfigException.class, () -> VigilConfig.load(main)).errors().get(0);
        assertEquals("nodes.conf:3: node id 1 is used twice (also by the node at line 3)", p.toString());
    }

    @Test
    void twoNodeWithThreeNodesIsAnError() {
        assertTrue(errors("quorum {\n two_node: 1\n}\n" + NODES3).get(0).message()
            .contains("two_node: 1 needs exactly 2 nodes"));
    }

    @Test
    void twoNodeMustBeNumericAsInCorosync() {
        assertEquals(2, errors("quorum {\n two_node: yes\n}\n" + NODES2).get(0).line());
    }

    @Test
    void expectedVotesZeroIsAnError() {
        assertTrue(errors("quorum {\n expected_votes: 0\n}\n" + NODES2).get(0).message().contains("out of range"));
    }

    @Test
    void twoNodeImpliesWaitForAll() throws Exception {
        assertTrue(load("quorum {\n two_node: 1\n}\n" + NODES2).quorum().waitForAll());
        assertFalse(load("quorum {\n two_node: 1\n wait_for_all: 0\n}\n" + NODES2).quorum().waitForAll());
    }

    @Test
    void nodelistWithMembersWarnsMembersIgnored() throws Exception {
        VigilConfig c = load("totem {\n interface {\n member {\n memberaddr: 10.9.9.9\n }\n }\n}\n" + NODES2);
        assertTrue(warned(c, "Members ignored"));
        assertEquals(2, c.nodes().size());
    }

    @Test
    void knetFallsBackToUdpuWithAWarning() throws Exception {
        VigilConfig c = load("totem {\n transport: knet\n}\n" + NODES2);
        assertEquals("udpu", c.totem().transport());
        assertTrue(warned(c, "knet is not available"));
    }

    @Test
    void badAddresses() {
        assertTrue(errors("nodelist {\n node {\n ring0_addr: 10.0.0.300\n nodeid: 1\n }\n}\n").get(0).message()
            .contains("not a valid IP address"));
        assertTrue(errors("nodelist {\n node {\n ring0_addr: fe80::1\n }\n}\n").get(0).message()
            .contains("a nodeid is required"));
    }

    @Test
    void localNodeIsFoundByIdNameHostnameOrAddress() throws Exception {
        VigilConfig c = load("nodelist {\n node {\n ring0_addr: 10.0.0.1\n nodeid: 1\n name: alpha\n }\n node {\n"
            + " ring0_addr: 127.0.0.1\n nodeid: 2\n name: beta\n }\n}\n");
        assertEquals(1, c.findLocalNode("x", Set.of(), 1, null).orElseThrow().nodeId());
        assertEquals(2, c.findLocalNode("x", Set.of(), 0, "beta").orElseThrow().nodeId());
        assertEquals(1, c.findLocalNode("alpha.example.com", Set.of(), 0, null).orElseThrow().nodeId());
        assertEquals(2, c.findLocalNode("x", Set.of(InetAddress.getByName("127.0.0.1")), 0, null).orElseThrow()
            .nodeId());
        assertTrue(c.findLocalNode("x", Set.of(), 0, null).isEmpty());
    }

    @Test
    void runtimeConfigCarriesTheEffectiveTimers() throws Exception {
        VigilConfig c = load("totem {\n token: 1000\n}\n" + NODES3);
        assertTrue(c.cmapValues().stream().anyMatch(v -> v.key().equals("runtime.config.totem.token")
            && v.value().equals(1650L)));
        assertTrue(c.cmapValues().stream().anyMatch(v -> v.key().equals("totem.token") && v.value().equals(1000L)));
    }

    @Test
    void systemSchedulingIsReadAsCorosyncReadsIt() throws Exception {
        VigilConfig.Scheduling d = load("totem {\n version: 2\n}\n" + NODES3).scheduling();
        assertTrue(d.schedRr(), "sched_rr defaults to yes");
        assertEquals(null, d.nice());
        assertEquals(-20, d.fallbackNice());
        VigilConfig.Scheduling off = load("totem {\n version: 2\n}\nsystem {\n sched_rr: no\n}\n" + NODES3)
            .scheduling();
        assertFalse(off.schedRr());
        assertEquals(null, off.nice(), "no priority: nothing is changed");
        assertEquals(5, load("system {\n sched_rr: no\n priority: 5\n}\n" + NODES3).scheduling().nice());
        assertEquals(19, load("system {\n sched_rr: no\n priority: min\n}\n" + NODES3).scheduling().nice());
        assertEquals(-20, load("system {\n priority: max\n}\n" + NODES3).scheduling().nice());
    }

    @Test
    void aBadPriorityOrSchedRrValueIsAnErrorAtItsLine() {
        ConfigProblem p = errors("totem {\n version: 2\n}\nsystem {\n priority: highest\n}\n" + NODES3).get(0);
        assertEquals(5, p.line());
        assertTrue(p.message().contains("system.priority") && p.message().contains("highest"), p.message());
        ConfigProblem q = errors("system {\n priority: -21\n}\n" + NODES3).get(0);
        assertEquals(2, q.line());
        ConfigProblem r = errors("system {\n sched_rr: maybe\n}\n" + NODES3).get(0);
        assertEquals(2, r.line());
        assertTrue(r.message().contains("system.sched_rr"), r.message());
    }

    /** The HTTP endpoint: loopback by default; a network bind without TLS and a token fails at its line. */
    @Test
    void httpNonLoopbackBindNeedsTlsAndToken() throws Exception {
        VigilConfig ok = load(NODES3 + "http {\n port: 9700\n actions: yes\n}\n");
        assertEquals("9700", ok.raw("http.port").orElseThrow());
        List<ConfigProblem> e = errors(NODES3 + "http {\n bind: 0.0.0.0\n}\n");
        assertEquals(1, e.size(), e.toString());
        assertEquals(16, e.get(0).line(), e.toString());
        assertTrue(e.get(0).message().contains("needs TLS (tls_cert and tls_key) and a token"), e.toString());
        e = errors(NODES3 + "http {\n bind: 10.0.0.1\n tls_cert: /c.pem\n tls_key: /k.pem\n}\n");
        assertTrue(e.get(0).message().endsWith("it needs a token (token or token_file)"), e.toString());
        e = errors(NODES3 + "http {\n bind: 10.0.0.1\n token_file: /t\n tls_cert: /c.pem\n}\n");
        assertTrue(e.stream().anyMatch(p -> p.line() == 18 && p.message().equals("http.tls_cert needs http.tls_key too")),
            e.toString());
        load(NODES3 + "http {\n bind: 10.0.0.1\n token_file: /t\n tls_cert: /c.pem\n tls_key: /k.pem\n}\n");
        load(NODES3 + "http {\n bind: ::1\n}\n");
        e = errors(NODES3 + "http {\n bind: example.org\n port: 70000\n}\n");
        assertEquals(2, e.size(), e.toString());
        assertTrue(e.get(0).message().contains("'example.org' is not an IP address"), e.toString());
        assertEquals(17, e.get(1).line(), e.toString());
    }
}
