package org.vigil.crm.executor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.OpDigest;

class ReloadDigestsTest {

    private static final String OCF11 = """
        <?xml version="1.0"?>
        <resource-agent name="Web" version="1.0">
          <version>1.1</version>
          <parameters>
            <parameter name="port" unique="1"/>
            <parameter name="docroot" reloadable="1"/>
            <parameter name="loglevel" reloadable="true"/>
            <parameter name="secret" private="1"/>
          </parameters>
          <actions><action name="start"/><action name="reload-agent"/><action name="monitor"/></actions>
        </resource-agent>""";

    private static final String LEGACY = """
        <resource-agent name="Old"><version>1.0</version>
          <parameters><parameter name="port" unique="1"/><parameter name="docroot"/>
            <parameter name="passwd"/></parameters>
          <actions><action name="start"/><action name="reload"/></actions>
        </resource-agent>""";

    private static ExecRequest op(String operation, long intervalMs) {
        Map<String, String> a = new TreeMap<>(Map.of("port", "80", "docroot", "/srv", "loglevel", "3", "secret", "x",
            "passwd", "p", "CRM_meta_timeout", "20000", "CRM_meta_interval", Long.toString(intervalMs),
            "crm_feature_set", "3.16.1"));
        return new ExecRequest(3, operation, "web_" + operation + "_" + intervalMs, "node1", "1", "web", "web",
            "ocf", "vigil", "Web", new java.util.TreeMap<>(a), 0, "3:1:0:uuid");
    }

    @Test
    void anOcf11AgentRestartsForWhatIsNotReloadableAndHidesItsPrivateParameters() throws Exception {
        Map<String, String> a = ReloadDigests.of(OCF11).attributes(op("start", 0));
        assertEquals("  secret port  ", a.get("op-force-restart"), "not reloadable, in Pacemaker's (reversed) order and spacing");
        assertEquals(OpDigest.md5(OpDigest.serialize(new TreeMap<>(Map.of("port", "80", "secret", "x")))),
            a.get("op-restart-digest"));
        assertEquals("  secret  ", a.get("op-secure-params"));
        Map<String, String> secure = OpDigest.filter(op("start", 0).attributes());
        secure.remove("secret");
        assertEquals(OpDigest.md5(OpDigest.serialize(secure)), a.get("op-secure-digest"));
        assertFalse(secure.containsKey("CRM_meta_timeout"), "a one-shot operation's timeout does not count");
    }

    @Test
    void aRecurringMonitorHasNoRestartListAndALegacyAgentUsesUnique() throws Exception {
        Map<String, String> m = ReloadDigests.of(OCF11).attributes(op("monitor", 10_000));
        assertFalse(m.containsKey("op-force-restart"), "monitors are not reloadable");
        assertTrue(m.containsKey("op-secure-digest"));
        Map<String, String> legacy = ReloadDigests.of(LEGACY).attributes(op("start", 0));
        assertEquals("  port  ", legacy.get("op-force-restart"));
        assertEquals("  passwd  ", legacy.get("op-secure-params"), "without a private mark, passwd is private");
        Map<String, String> none = ReloadDigests.of(OCF11.replace("reload-agent", "stop")).attributes(op("start", 0));
        assertFalse(none.containsKey("op-force-restart"), "an agent that cannot reload gets no restart list");
        assertTrue(ReloadDigests.needed(op("start", 0)));
        assertFalse(ReloadDigests.needed(op("stop", 0)), "a stop's result carries none");
    }

    @Test
    void pacemakersDummyGivesTheListPacemakerRecordsForIt() throws Exception {
        java.nio.file.Path agent = java.nio.file.Path.of("/usr/lib/ocf/resource.d/pacemaker/Dummy");
        if (!java.nio.file.Files.isExecutable(agent)) {
            org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("vigil.systemTests"),
                "pacemaker's Dummy agent is not installed (package pacemaker-resource-agents)");
            org.junit.jupiter.api.Assumptions.abort("pacemaker's Dummy agent is not installed");
        }
        ProcessBuilder pb = new ProcessBuilder(agent.toString(), "meta-data");
        pb.environment().put("OCF_ROOT", "/usr/lib/ocf");
        Process p = pb.start();
        String md = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        Map<String, String> a = ReloadDigests.of(md).attributes(op("start", 0));
        // the 2.1.5 Dummy marks every parameter but state reloadable (older ones only fake and fail_start_on: the
        // scheduler regression inputs hold "  envfile op_sleep passwd state  " from those)
        assertEquals("  state  ", a.get("op-force-restart"));
        assertEquals("  passwd  ", a.get("op-secure-params"));
    }
}
