package org.vigil.agents.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.exec.Outcomes;
import org.vigil.agents.internal.ocf.OcfAgent;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;

/**
 * The Pacemaker commands an agent runs ({@code attrd_updater}, ...) are the node's: the agent's PATH starts with
 * {@code <vigil.home>/shims} and {@code VIGIL_STATE_DIR} names the node's state directory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentShimsTest {

    @TempDir
    Path root;
    AgentRunner runner;

    @AfterEach
    void tearDown() {
        if (runner != null) {
            runner.close();
        }
    }

    AgentSettings settings(boolean inNode) {
        Map<String, String> p = new HashMap<>();
        p.put("vigil.agents.ocf.root", root.resolve("ocf").toString());
        p.put("vigil.agents.rsctmp", root.resolve("rsctmp").toString());
        p.put("vigil.agents.state.dir", root.resolve("agents-state").toString());
        if (inNode) {
            p.put("vigil.agents.varrun", root.resolve("varrun").toString());
            p.put("vigil.state.dir", root.resolve("node-state").toString());
            p.put("vigil.home", root.resolve("home").toString());
        }
        return AgentSettings.from(p::get);
    }

    @Test
    void theShimsComeFirstOnThePathAndTheStateDirIsSetOnlyInANode() throws Exception {
        Files.createDirectories(root.resolve("home/shims"));
        Map<String, String> env = Outcomes.baseEnvironment(settings(true));
        assertEquals(root.resolve("node-state").toString(), env.get("VIGIL_STATE_DIR"));
        assertTrue(env.get("PATH").startsWith(root.resolve("home/shims") + ":"), env.get("PATH"));
        assertTrue(env.get("PATH").contains(":/usr/sbin"), env.get("PATH"));

        Map<String, String> outside = Outcomes.baseEnvironment(settings(false));
        assertNull(outside.get("VIGIL_STATE_DIR"));
        assertFalse(outside.get("PATH").contains(root.toString()), outside.get("PATH"));
    }

    @Test
    void withoutAShimsDirectoryThePathIsLeftAlone() throws Exception {
        Map<String, String> env = Outcomes.baseEnvironment(settings(true));
        assertFalse(env.get("PATH").contains(root.toString()), env.get("PATH"));
        assertEquals(root.resolve("node-state").toString(), env.get("VIGIL_STATE_DIR"));
    }

    @Test
    void anOcfAgentCallingAttrdUpdaterRunsTheShimWithTheNodesStateDir() throws Exception {
        SystemTests.require(TestAgents.runnerAvailable(), "no runner helper (native or python3) to run external agents");
        Path record = root.resolve("called");
        // a stand-in shim that records how it was called
        TestAgents.script(root.resolve("home/shims/attrd_updater"), "#!/bin/sh\n"
            + "echo \"$VIGIL_STATE_DIR $*\" > " + record + "\n");
        TestAgents.ocfAgent(root, "test", "pinger", "", "monitor) attrd_updater -n pingd -v 100 -d 5s; exit $? ;;");
        AgentSettings s = settings(true);
        runner = new AgentRunner(null);
        OcfAgent a = new OcfAgent("test", "pinger", s, runner);
        AgentResult r = a.execute(AgentRequest.of("p", "monitor", Map.of(), Duration.ofSeconds(10)))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.toString());
        assertEquals(root.resolve("node-state") + " -n pingd -v 100 -d 5s", Files.readString(record).strip());
    }

    @Test
    void aPromotionScoreSetByAnAgentThroughHaSbinDirReachesTheNodeNamingTheAgentsResource() throws Exception {
        SystemTests.require(TestAgents.runnerAvailable(), "no runner helper (native or python3) to run external agents");
        SystemTests.require(Files.isExecutable(Path.of("/usr/bin/perl")), "no perl to run the shim's client");
        Path record = root.resolve("called");
        // the distribution's crm_attribute shim, with a stand-in admin client that records what it was asked
        Path shim = Path.of(System.getProperty("vigil.root", "..")).toAbsolutePath().normalize()
            .resolve("distribution/src/main/sh/shims/crm_attribute");
        Files.createDirectories(root.resolve("home/shims"));
        Files.copy(shim, root.resolve("home/shims/crm_attribute"));
        TestAgents.script(root.resolve("home/bin/vigil-client.pl"), "open(my $f, '>', '" + record
            + "'); print $f join(' ', @ARGV) . \"\\n\"; close($f);\n");
        // as ocf:pacemaker:Stateful does it (set_promotion_score), and where its state file goes
        TestAgents.ocfAgent(root, "test", "promotable", "",
            "start) \"${HA_SBIN_DIR}/crm_attribute\" --promotion -v 5 || exit 1; echo \"$HA_VARRUN\" >> " + record
                + "; exit 0 ;;");
        runner = new AgentRunner(null);
        OcfAgent a = new OcfAgent("test", "promotable", settings(true), runner);
        AgentResult r = a.execute(AgentRequest.of("st:1", "start", Map.of(), Duration.ofSeconds(10)))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.toString());
        assertEquals("--state-dir " + root.resolve("node-state") + " crm_attribute --promotion=st:1 -v 5\n"
            + root.resolve("varrun") + "\n", Files.readString(record));
    }

    @Test
    void crmMasterCalledByAnAgentBecomesTheNodesCrmAttributeOnItsPromotionScore() throws Exception {
        SystemTests.require(TestAgents.runnerAvailable(), "no runner helper (native or python3) to run external agents");
        SystemTests.require(Files.isExecutable(Path.of("/usr/bin/perl")), "no perl to run the shim's client");
        Path record = root.resolve("called");
        Path shim = Path.of(System.getProperty("vigil.root", "..")).toAbsolutePath().normalize()
            .resolve("distribution/src/main/sh/shims/crm_master");
        Files.createDirectories(root.resolve("home/shims"));
        Files.copy(shim, root.resolve("home/shims/crm_master"));
        TestAgents.script(root.resolve("home/bin/vigil-client.pl"), "open(my $f, '>>', '" + record
            + "'); print $f join(' ', @ARGV) . \"\\n\"; close($f);\n");
        // as ocf_promotion_score's fallback and rabbitmq-server-ha call it: the agent's own resource, another one
        // named with -r, and no resource at all (refused, the client never runs)
        TestAgents.ocfAgent(root, "test", "legacy", "",
            "start) \"${HA_SBIN_DIR}/crm_master\" -l reboot -v 100 -N node2 || exit 1;"
                + " \"${HA_SBIN_DIR}/crm_master\" -r other -q -G || exit 1;"
                + " OCF_RESOURCE_INSTANCE= \"${HA_SBIN_DIR}/crm_master\" -D && exit 1; exit 0 ;;");
        runner = new AgentRunner(null);
        OcfAgent a = new OcfAgent("test", "legacy", settings(true), runner);
        AgentResult r = a.execute(AgentRequest.of("rmq", "start", Map.of(), Duration.ofSeconds(10)))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.toString());
        String sd = "--state-dir " + root.resolve("node-state") + " crm_attribute ";
        assertEquals(sd + "--name master-rmq --lifetime forever -l reboot -v 100 -N node2\n"
            + sd + "--name master-other --lifetime forever -q -G\n", Files.readString(record));
    }
}
