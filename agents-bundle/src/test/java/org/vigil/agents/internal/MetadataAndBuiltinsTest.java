package org.vigil.agents.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.agents.internal.builtin.DummyAgent;
import org.vigil.agents.internal.builtin.DummyLogic;
import org.vigil.agents.internal.builtin.FenceDummyAgent;
import org.vigil.agents.internal.meta.AgentMetadata;
import org.vigil.agents.internal.meta.MetadataException;
import org.vigil.agents.internal.meta.MetadataParser;
import org.vigil.agents.internal.meta.ParameterCheck;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;

/** Meta-data parsing and parameter checks, and the built-in Java agents vigil:Dummy and vigil:fence-dummy. */
class MetadataAndBuiltinsTest {

    @TempDir
    Path tmp;

    static final String MD = """
        <?xml version="1.0"?>
        <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
        <resource-agent name="Web" version="2.3">
        <version>1.1</version>
        <shortdesc lang="en">web server</shortdesc>
        <parameters>
        <parameter name="port" required="1" unique="1"><content type="integer" default="80"/></parameter>
        <parameter name="tls"><content type="boolean" default="false"/></parameter>
        <parameter name="mode" unique-group="m"><content type="select" default="a"><option value="a"/><option value="b"/></content></parameter>
        <parameter name="old"><deprecated/><content type="string"/></parameter>
        </parameters>
        <actions>
        <action name="start" timeout="20s"/>
        <action name="monitor" timeout="30" interval="10s" depth="0"/>
        <action name="promote" timeout="1min" role="Promoted"/>
        <action name="stop" timeout="1500ms"/>
        </actions>
        </resource-agent>
        """;

    @Test
    void metaDataFieldsAreParsed() throws Exception {
        AgentMetadata md = MetadataParser.parse(MD, "ocf:test:Web");
        assertEquals("Web", md.name());
        assertEquals("2.3", md.agentVersion());
        assertEquals("1.1", md.ocfVersion());
        AgentMetadata.Parameter port = md.parameter("port").orElseThrow();
        assertTrue(port.required() && port.unique());
        assertEquals("integer", port.type());
        assertEquals("80", port.defaultValue());
        assertEquals(List.of("a", "b"), md.parameter("mode").orElseThrow().options());
        assertTrue(md.parameter("mode").orElseThrow().unique());
        assertTrue(md.parameter("old").orElseThrow().deprecated());
        assertEquals(Duration.ofSeconds(30), md.action("monitor").orElseThrow().timeout());
        assertEquals(Duration.ofSeconds(10), md.action("monitor").orElseThrow().interval());
        assertEquals(Duration.ofMinutes(1), md.action("promote").orElseThrow().timeout());
        assertEquals("Promoted", md.action("promote").orElseThrow().role());
        assertEquals(Duration.ofMillis(1500), md.action("stop").orElseThrow().timeout());
    }

    @Test
    void brokenMetaDataNamesTheAgentAndThePlace() {
        MetadataException e = assertThrows(MetadataException.class,
            () -> MetadataParser.parse("<resource-agent name=\"x\">\n<parameters>\n</resource-agent>", "ocf:t:X"));
        assertTrue(e.getMessage().startsWith("ocf:t:X: meta-data is not well-formed XML (line 3"), e.getMessage());
        assertTrue(assertThrows(MetadataException.class, () -> MetadataParser.parse("<html/>", "ocf:t:Y"))
            .getMessage().contains("root element is <html>"));
        assertThrows(MetadataException.class, () -> MetadataParser.parse(
            "<resource-agent name=\"z\"><actions><action name=\"start\" timeout=\"soon\"/></actions></resource-agent>",
            "ocf:t:Z"));
    }

    @Test
    void externalEntitiesAreNeverLoaded() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "TOPSECRET");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file://" + secret + "\">]>"
            + "<resource-agent name=\"x\"><shortdesc>&x;</shortdesc></resource-agent>";
        try {
            AgentMetadata md = MetadataParser.parse(xxe, "ocf:t:X");
            assertFalse(md.shortDesc().contains("TOPSECRET"));
        } catch (MetadataException refused) {
            // refusing the document is as good
        }
    }

    @Test
    void durationsFollowPacemakerUnits() {
        assertEquals(Duration.ofSeconds(20), MetadataParser.duration("20"));
        assertEquals(Duration.ofSeconds(20), MetadataParser.duration("20s"));
        assertEquals(Duration.ofMillis(500), MetadataParser.duration("500ms"));
        assertEquals(Duration.ofMinutes(2), MetadataParser.duration("2min"));
        assertEquals(Duration.ofHours(1), MetadataParser.duration("1h"));
        assertEquals(Duration.ofMillis(1500), MetadataParser.duration("1.5s"));
        assertThrows(IllegalArgumentException.class, () -> MetadataParser.duration("s"));
        assertThrows(IllegalArgumentException.class, () -> MetadataParser.duration("5 fortnights"));
    }

    @Test
    void parameterChecksCoverRequiredUnknownAndTypes() throws Exception {
        AgentMetadata md = MetadataParser.parse(MD, "ocf:test:Web");
        assertEquals(List.of("required parameter 'port' of ocf:test:Web is missing"),
            ParameterCheck.check(md, "ocf:test:Web", Map.of()));
        assertTrue(ParameterCheck.check(md, "ocf:test:Web", Map.of("port", "8080", "tls", "yes", "mode", "b"))
            .isEmpty());
        List<String> bad = ParameterCheck.check(md, "ocf:test:Web", Map.of("port", "80a", "tls", "maybe", "mode",
            "c", "colour", "red", "a=b", "x"));
        assertEquals(5, bad.size(), bad.toString());
        assertTrue(bad.stream().anyMatch(s -> s.contains("'80a' is not an integer")));
        assertTrue(bad.stream().anyMatch(s -> s.contains("'maybe' is not a boolean")));
        assertTrue(bad.stream().anyMatch(s -> s.contains("'c' is not one of a, b")));
        assertTrue(bad.stream().anyMatch(s -> s.contains("unknown parameter 'colour' for ocf:test:Web (known: mode, "
            + "old, port, tls)")));
        assertTrue(bad.stream().anyMatch(s -> s.contains("parameter name 'a=b' contains '='")));
        // an integer with a time unit, as ocf:pacemaker:ping declares dampen (default "5s"), is what admins write
        assertTrue(ParameterCheck.check(md, "ocf:test:Web", Map.of("port", "5s")).isEmpty());
        assertTrue(ParameterCheck.check(md, "ocf:test:Web", Map.of("port", "250ms")).isEmpty());
        assertEquals(1, ParameterCheck.check(md, "ocf:test:Web", Map.of("port", "5 fortnights")).size());
        // the feature set every action carries (OCF_RESKEY_crm_feature_set) is not an agent's parameter
        assertTrue(ParameterCheck.check(md, "ocf:test:Web", Map.of("port", "80", "crm_feature_set", "3.16.1"))
            .isEmpty());
    }

    @Test
    void builtInDummyMetaDataParsesAndListsItsParameters() {
        AgentMetadata md = DummyLogic.metadata();
        assertEquals("Dummy", md.name());
        assertTrue(md.parameter("start_delay").isPresent());
    }

    private static AgentResult run(DummyAgent a, String rsc, String action, Map<String, String> p, long timeoutMs)
        throws Exception {
        return a.execute(AgentRequest.of(rsc, action, p, Duration.ofMillis(timeoutMs))).toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    }

    @Test
    void vigilDummyLifeCycleDelaysFailuresTimeoutsAndCancel() throws Exception {
        DummyAgent d = new DummyAgent(tmp);
        assertEquals("vigil:Dummy", d.spec());
        assertEquals(OcfStatus.NOT_RUNNING, run(d, "d1", "monitor", Map.of(), 5000).status());
        assertTrue(run(d, "d1", "start", Map.of(), 5000).ok());
        assertTrue(Files.exists(tmp.resolve("Dummy-d1.state")));
        assertEquals(OcfStatus.OK, run(d, "d1", "monitor", Map.of(), 5000).status());
        assertTrue(run(d, "d1", "stop", Map.of(), 5000).ok());
        assertEquals(OcfStatus.NOT_RUNNING, run(d, "d1", "monitor", Map.of(), 5000).status());

        long t0 = System.nanoTime();
        AgentResult slow = run(d, "d2", "start", Map.of("start_delay", "0.3"), 5000);
        assertTrue(slow.ok() && (System.nanoTime() - t0) >= 300_000_000L);
        assertEquals(OcfStatus.ERR_GENERIC, run(d, "d3", "start", Map.of("fail_start", "1"), 5000).status());
        assertEquals(OcfStatus.FAILED_PROMOTED, run(d, "d3", "monitor", Map.of("fail_monitor", "9"), 5000).status());
        AgentResult timeout = run(d, "d4", "start", Map.of("start_delay", "10"), 200);
        assertEquals(ExecStatus.TIMED_OUT, timeout.exec());
        assertFalse(Files.exists(tmp.resolve("Dummy-d4.state")), "a timed-out start must not have done its work");
        AgentResult badParam = run(d, "d5", "start", Map.of("start_delay", "soon"), 5000);
        assertEquals(OcfStatus.ERR_CONFIGURED, badParam.status());
        AgentResult unknown = run(d, "d5", "start", Map.of("colour", "red"), 5000);
        assertEquals(OcfStatus.ERR_CONFIGURED, unknown.status());

        AgentRequest req = AgentRequest.of("d6", "start", Map.of("start_delay", "30"), Duration.ofSeconds(60));
        CompletableFuture<AgentResult> f = d.execute(req).toCompletableFuture();
        assertTrue(d.cancel(req));
        assertEquals(ExecStatus.CANCELLED, f.get(5, TimeUnit.SECONDS).exec());
        assertFalse(Files.exists(tmp.resolve("Dummy-d6.state")));
    }

    private static AgentResult fence(FenceDummyAgent f, String action, String target, Map<String, String> p)
        throws Exception {
        return f.execute(new FenceRequest(action, target, p, Duration.ofSeconds(5))).toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    }

    @Test
    void vigilFenceDummySwitchesPowerStates() throws Exception {
        FenceDummyAgent f = new FenceDummyAgent(tmp.resolve("fd"));
        Path log = tmp.resolve("fence.log");
        Map<String, String> p = Map.of("nodes", "node1,node2", "log", log.toString());
        assertEquals(0, fence(f, "status", "node1", p).exitCode());
        assertEquals(0, fence(f, "off", "node1", p).exitCode());
        assertEquals(2, fence(f, "status", "node1", p).exitCode());
        assertEquals(0, fence(f, "reboot", "node1", p).exitCode());
        assertEquals(0, fence(f, "status", "node1", p).exitCode());
        assertEquals("node1,\nnode2,\n", fence(f, "list", null, p).output());
        assertEquals(1, fence(f, "off", "node9", p).exitCode());
        assertEquals(1, fence(f, "off", "node2", Map.of("fail", "off")).exitCode());
        assertEquals(List.of("status node1", "off node1", "status node1", "reboot node1", "status node1", "list -",
            "off node9"), Files.readAllLines(log));
        assertTrue(MetadataParser.parse(f.metaData(), "vigil:fence-dummy").parameter("state_dir").isPresent());
    }
}
