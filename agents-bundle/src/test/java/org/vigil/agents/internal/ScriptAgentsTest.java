package org.vigil.agents.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.fence.ExternalFenceAgent;
import org.vigil.agents.internal.lsb.LsbAgent;
import org.vigil.agents.internal.meta.MetadataParser;
import org.vigil.agents.internal.systemd.SystemdAgent;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;

/** LSB init scripts, systemd where it does not run, and the fence_* stdin protocol, with small test scripts. */
class ScriptAgentsTest {

    @TempDir
    Path root;
    AgentSettings settings;
    AgentRunner runner;

    @BeforeEach
    void setUp() {
        SystemTests.require(TestAgents.runnerAvailable(),
            "no runner helper (native or python3) to run external agents");
        settings = TestAgents.settings(root, 64 * 1024);
        runner = new AgentRunner(null);
    }

    @AfterEach
    void tearDown() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void lsbStatusCodesMapAsTheLsbDefinesThem() throws Exception {
        Path state = root.resolve("lsb.state");
        TestAgents.script(root.resolve("init.d/webd"), """
            #!/bin/sh
            ### BEGIN INIT INFO
            # Provides:          webd
            # Required-Start:    $network
            # Default-Start:     2 3 4 5
            # Short-Description: Test web daemon
            # Description:       A web daemon for tests,
            #                    on two lines.
            ### END INIT INFO
            S=%s
            case "$1" in
            start) touch $S; exit 0 ;;
            stop) rm -f $S; exit 0 ;;
            status) [ -f $S ] && exit 0; [ -f $S.dead ] && exit 1; [ -f $S.unknown ] && exit 4; exit 3 ;;
            *) exit 3 ;;
            esac
            """.formatted(state));
        LsbAgent a = new LsbAgent("webd", settings, runner);
        assertEquals("lsb:webd", a.spec());
        assertEquals(OcfStatus.NOT_RUNNING, run(a, "monitor", Map.of()).status());
        assertTrue(run(a, "start", Map.of()).ok());
        assertEquals(OcfStatus.OK, run(a, "monitor", Map.of()).status());
        assertTrue(run(a, "stop", Map.of()).ok());
        Files.writeString(root.resolve("lsb.state.dead"), "");
        assertEquals(OcfStatus.NOT_RUNNING, run(a, "status", Map.of()).status(), "LSB 1: dead, pid file exists");
        Files.delete(root.resolve("lsb.state.dead"));
        Files.writeString(root.resolve("lsb.state.unknown"), "");
        assertEquals(OcfStatus.ERR_GENERIC, run(a, "monitor", Map.of()).status(), "LSB 4: unknown");
        assertEquals(OcfStatus.ERR_CONFIGURED, run(a, "start", Map.of("port", "80")).status());
        var md = MetadataParser.parse(a.metaData(), "lsb:webd");
        assertEquals("Test web daemon", md.shortDesc());
        assertTrue(a.metaData().contains("A web daemon for tests, on two lines."), a.metaData());
        assertTrue(a.metaData().contains("<required_start>$network</required_start>"), a.metaData());
        assertEquals(OcfStatus.ERR_INSTALLED, run(new LsbAgent("gone", settings, runner), "start", Map.of())
            .status());
    }

    @Test
    void systemdUnitsAreNotInstalledWhereSystemdDoesNotRun() throws Exception {
        SystemdAgent a = new SystemdAgent("nginx", settings, runner, root.resolve("no-systemd-here"));
        for (String action : List.of("start", "monitor", "stop")) {
            AgentResult r = run(a, action, Map.of());
            assertEquals(ExecStatus.NOT_INSTALLED, r.exec());
            assertEquals(OcfStatus.ERR_INSTALLED, r.status());
            assertTrue(r.exitReason().contains("systemd is not running on this node"), r.exitReason());
        }
        assertTrue(MetadataParser.parse(a.metaData(), "systemd:nginx").action("monitor").isPresent());
    }

    @Test
    void fenceAgentsReadNameValueLinesOnStdinAndInjectionIsRefused() throws Exception {
        Path seen = root.resolve("stdin.txt");
        TestAgents.script(root.resolve("sbin/fence_test"), """
            #!/bin/sh
            cat > %s
            action=$(sed -n 's/^action=//p' %s)
            case "$action" in
            metadata) echo '<?xml version="1.0" ?><resource-agent name="fence_test" shortdesc="t"><parameters/><actions><action name="off"/></actions></resource-agent>' ;;
            status) exit 2 ;;
            list) echo "n1,alias1"; echo "n2," ;;
            esac
            exit 0
            """.formatted(seen, seen));
        ExternalFenceAgent f = new ExternalFenceAgent("fence_test", settings, runner);
        AgentResult off = fence(f, "off", "node 1", Map.of("ip", "10.61.0.9", "username", "ad;min $(x)",
            "pcmk_host_list", "n1 n2"));
        assertTrue(off.ok(), off.toString());
        assertEquals("action=off\nport=node 1\nip=10.61.0.9\nusername=ad;min $(x)\n", Files.readString(seen));
        assertEquals(2, fence(f, "status", "n1", Map.of()).exitCode());
        assertEquals("n1,alias1\nn2,\n", fence(f, "list", null, Map.of()).output());
        assertTrue(f.metaData().contains("fence_test"));
        AgentResult inject = fence(f, "off", "n1", Map.of("ip", "1.2.3.4\naction=reboot"));
        assertEquals(OcfStatus.ERR_CONFIGURED, inject.status());
        assertEquals(OcfStatus.ERR_CONFIGURED, fence(f, "off", "n1\naction=on", Map.of()).status());
        assertEquals(OcfStatus.ERR_UNIMPLEMENTED, fence(f, "destroy", "n1", Map.of()).status());
        AgentResult missing = fence(new ExternalFenceAgent("fence_gone", settings, runner), "off", "n1", Map.of());
        assertEquals(ExecStatus.NOT_INSTALLED, missing.exec());
    }

    private static AgentResult run(org.vigil.kernel.spi.ResourceAgent a, String action, Map<String, String> p)
        throws Exception {
        return a.execute(AgentRequest.of("r", action, p, Duration.ofSeconds(10))).toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    }

    private static AgentResult fence(ExternalFenceAgent f, String action, String target, Map<String, String> p)
        throws Exception {
        return f.execute(new FenceRequest(action, target, p, Duration.ofSeconds(10))).toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    }
}
