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
        assertEquals(1000, a.delayBaseMs(), "base limited to max, as Pacemaker");
        assertEquals(1000, a.delayMaxMs());
        assertTrue(c.problems().get(0).contains("pcmk_delay_base (2s) is larger than pcmk_delay_max (1s)"),
            c.problems().toString());
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
    void whatPacemakerWarnsAboutIsReportedAndTheDeviceKept() throws Exception {
        FencerConfig c = parse("device a fence_x pcmk_host_lst=n1 pcmk_reboot_timeout=5s pcmk_list_retries=3 "
            + "pcmk_action_limit=2 pcmk_delay_base=1s", "device b fence_x action=off", "device c fence_x action=cycle "
            + "pcmk_off_action=off", "level n1 1 a,zz");
        assertEquals(List.of(
            "primitive 'a' (line 1): unknown fence device option 'pcmk_host_lst' (did you mean 'pcmk_host_list'?); "
                + "ignored",
            "primitive 'b' (line 1): parameter action='off' should never be given in the configuration; taken as "
                + "pcmk_reboot_action='off'",
            "primitive 'c' (line 1): parameter action='cycle' should never be given in the configuration; taken as "
                + "pcmk_reboot_action='cycle'",
            "fencing-level 'fl4' (line 1): device 'zz' is not a fence device of the CIB; this level fails when tried "
                + "and the next is tried"), c.problems());
        assertEquals(List.of("a", "b", "c"), c.devices().stream().map(Device::id).toList());
        assertFalse(c.device("a").params().containsKey("pcmk_host_lst"), "an unknown option is not kept");
        assertEquals(1000, c.device("a").delayMaxMs(), "no max: the base");
        assertEquals("off", c.device("b").agentAction("reboot"));
        assertEquals("off", c.device("b").agentAction("off"));
        assertFalse(c.device("b").params().containsKey("action"));
        assertEquals("off", c.device("c").agentAction("off"), "a pcmk_off_action given wins");
        assertEquals(1, c.levels().size(), "the level is kept: it fails when tried");
        assertTrue(c.rejected().isEmpty());
    }

    @Test
    void aDeviceLeftOutIsNamedWithWhy() throws Exception {
        FencerConfig c = parse("device a fence_x pcmk_host_check=sometimes", "device b fence_x pcmk_delay_max=x",
            "level n1 1 a");
        assertEquals(List.of("a", "b"), List.copyOf(c.rejected().keySet()));
        assertTrue(c.rejected().get("a").contains("pcmk_host_check 'sometimes' is not one of"), c.rejected().get("a"));
        assertTrue(c.problems().get(2).contains("device 'a' is not usable (see above)"), c.problems().toString());
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
