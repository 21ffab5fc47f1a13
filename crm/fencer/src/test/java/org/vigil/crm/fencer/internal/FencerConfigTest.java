package org.vigil.crm.fencer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.fencer.internal.FencerConfig.AgentInfo;
import org.vigil.crm.fencer.internal.FencerConfig.Device;
import org.vigil.crm.fencer.internal.FencerConfig.HostCheck;

class FencerConfigTest {

    private static FencerConfig parse(String... lines) throws Exception {
        return FencerConfig.parse(XmlText.parse(FencerScenario.cibXml(List.of(lines)), "test"));
    }

    @Test
    void hostMapAsPacemakerReadsIt() {
        assertEquals(Map.of("n1", "p1", "n2", "p2", "n3", "p:3"), FencerConfig.hostMap("n1:p1;n2=p2 n3:p\\:3"));
        assertEquals(Map.of(), FencerConfig.hostMap(""));
        assertThrows(IllegalArgumentException.class, () -> FencerConfig.hostMap("n1"));
        assertThrows(IllegalArgumentException.class, () -> FencerConfig.hostMap("n1:"));
    }

    @Test
    void hostCheckDefaults() throws Exception {
        FencerConfig c = parse("device a fence_x pcmk_host_list=n1", "device b fence_x pcmk_host_map=n1:1",
            "device c fence_x", "device d fence_x pcmk_host_check=status pcmk_host_list=n1");
        AgentInfo both = new AgentInfo(true, true, false);
        AgentInfo statusOnly = new AgentInfo(false, true, false);
        AgentInfo neither = new AgentInfo(false, false, false);
        assertEquals(HostCheck.STATIC_LIST, c.device("a").effectiveHostCheck(both));
        assertEquals(HostCheck.STATIC_LIST, c.device("b").effectiveHostCheck(both));
        assertEquals(HostCheck.DYNAMIC_LIST, c.device("c").effectiveHostCheck(both));
        assertEquals(HostCheck.STATUS, c.device("c").effectiveHostCheck(statusOnly));
        assertEquals(HostCheck.NONE, c.device("c").effectiveHostCheck(neither));
        assertEquals(HostCheck.STATUS, c.device("d").effectiveHostCheck(neither));
    }

    @Test
    void deviceParameters() throws Exception {
        FencerConfig c = parse("device a fence_x pcmk_host_map=n1:plug1 pcmk_reboot_action=off "
            + "pcmk_off_timeout=2min pcmk_delay_base=2s pcmk_delay_max=1s", "stonith-timeout 90", "ban a n2",
            "stopped b", "device b fence_x");
        Device a = c.device("a");
        assertEquals("plug1", a.port("n1"));
        assertEquals("n2", a.port("n2"));
        assertEquals("off", a.agentAction("reboot"));
        assertEquals("on", a.agentAction("on"));
        assertEquals(120_000, a.timeoutMs("off", 5));
        assertEquals(90_000, c.stonithTimeoutMs());
        assertEquals(2000, a.delayBaseMs());
        assertEquals(2000, a.delayMaxMs(), "max is at least base");
        assertTrue(a.allowedOn("n1"));
        assertFalse(a.allowedOn("n2"));
        assertFalse(c.device("b").allowedOn("n1"), "target-role=Stopped");
        assertEquals("port", a.hostArgument(new AgentInfo(true, true, false)));
        assertEquals("plug", a.hostArgument(new AgentInfo(true, true, true)));
    }

    @Test
    void topologyMatchesByNamePatternAndAttribute() throws Exception {
        FencerConfig c = parse("level n1 2 b", "level n1 1 a,c", "level-pattern ^n[23]$ 1 x", "level-attr rack=r1 3 y",
            "node-attr n2 rack=r1");
        assertEquals(List.of(List.of("a", "c"), List.of("b")), c.levelsFor("n1").stream().map(l -> l.devices()).toList());
        assertEquals(List.of(List.of("x"), List.of("y")), c.levelsFor("n2").stream().map(l -> l.devices()).toList());
        assertEquals(List.of(), c.levelsFor("n4"));
    }

    @Test
    void metaDataTellsWhatAnAgentSupports() {
        String md = "<resource-agent><parameters><parameter name=\"plug\" unique=\"0\"/></parameters><actions>"
            + "<action name=\"list\"/><action name=\"monitor\"/></actions></resource-agent>";
        assertEquals(new AgentInfo(true, false, true), AgentInfo.fromMetaData(md));
    }

    @Test
    void noCibNoDevices() {
        assertEquals(FencerConfig.EMPTY, FencerConfig.parse(null));
    }
}
