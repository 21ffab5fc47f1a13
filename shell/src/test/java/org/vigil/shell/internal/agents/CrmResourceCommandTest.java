package org.vigil.shell.internal.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * Option parsing, output format and exit codes of {@code crm_resource} and {@code stonith_admin}, with scripted
 * agents standing in for the agents bundle (the real agents are exercised from the agents-bundle's tests).
 */
class CrmResourceCommandTest {

    /** An agent that answers every action with a fixed result and remembers the last request. */
    static final class Scripted implements ResourceAgent {
        final String std;
        final String prov;
        final String type;
        AgentResult answer = new AgentResult(ExecStatus.DONE, OcfStatus.OK, 0, "", "", Duration.ZERO);
        AgentRequest last;

        Scripted(String std, String prov, String type) {
            this.std = std;
            this.prov = prov;
            this.type = type;
        }

        @Override
        public String standard() {
            return std;
        }

        @Override
        public String provider() {
            return prov;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public String metaData() {
            return "<resource-agent name=\"" + type + "\"/>";
        }

        @Override
        public CompletionStage<AgentResult> execute(AgentRequest request) {
            last = request;
            return CompletableFuture.completedFuture(answer);
        }
    }

    record Run(int status, String out, String err) {
    }

    final AgentDirectory dir = new AgentDirectory();
    final Scripted dummy = new Scripted("ocf", "heartbeat", "Dummy");

    CrmResourceCommandTest() {
        dir.add(dummy);
        dir.add(new Scripted("ocf", "pacemaker", "Dummy"));
        dir.add(new Scripted("ocf", "mirantis", "ns_haproxy"));
        dir.add(new Scripted("lsb", null, "corosync"));
        dir.add(new FenceAgent() {
            @Override
            public String name() {
                return "fence_dummy";
            }

            @Override
            public String metaData() {
                return "<resource-agent name=\"fence_dummy\"/>\n";
            }

            @Override
            public CompletionStage<AgentResult> execute(FenceRequest request) {
                return CompletableFuture.completedFuture(null);
            }
        });
    }

    Run crm(String... args) throws Exception {
        return run(new CrmResourceCommand(dir), args);
    }

    static Run run(org.vigil.kernel.api.command.AdminCommand c, String... args) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int s = c.execute(List.of(args), new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(s, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listsStandardsProvidersAndAgentsOnePerLine() throws Exception {
        assertEquals("ocf\nlsb\nservice\nsystemd\nstonith\nvigil\n", crm("--list-standards").out());
        assertEquals("heartbeat\nmirantis\npacemaker\n", crm("--list-ocf-providers").out());
        assertEquals("heartbeat\npacemaker\n", crm("--list-ocf-alternatives", "Dummy").out());
        assertEquals("Dummy\nns_haproxy\n", crm("--list-agents", "ocf").out());
        assertEquals("ns_haproxy\n", crm("--list-agents=ocf:mirantis").out());
        assertEquals("corosync\n", crm("--list-agents", "lsb").out());
        assertEquals("fence_dummy\n", crm("--list-agents", "stonith").out());
        Run none = crm("--list-agents", "ocf:nosuch");
        assertEquals(1, none.status());
        assertEquals("crm_resource: No agents found for standard 'ocf' and provider 'nosuch'\n", none.err());
    }

    @Test
    void showMetadataPrintsTheXmlOrFailsWith105() throws Exception {
        assertEquals("<resource-agent name=\"Dummy\"/>\n", crm("--show-metadata", "ocf:heartbeat:Dummy").out());
        Run missing = crm("--show-metadata", "ocf:heartbeat:Nope");
        assertEquals(105, missing.status());
        assertTrue(missing.err().startsWith("crm_resource: Metadata query for ocf:heartbeat:Nope failed"));
    }

    @Test
    void forceCheckPrintsTheOperationResultAndExitsWithTheOcfCode() throws Exception {
        dummy.answer = new AgentResult(ExecStatus.DONE, OcfStatus.NOT_RUNNING, 7, "", "", Duration.ZERO);
        Run r = crm("--force-check", "--class", "ocf", "--provider", "heartbeat", "--agent", "Dummy", "--option",
            "state=/tmp/x y", "--option=fake=a=b", "-r", "d1", "--timeout", "5s");
        assertEquals(7, r.status());
        assertEquals("Operation force-check (ocf:heartbeat:Dummy) returned 7 (not running)\n", r.out());
        assertEquals("monitor", dummy.last.action());
        assertEquals("d1", dummy.last.resource());
        assertEquals(Map.of("state", "/tmp/x y", "fake", "a=b"), dummy.last.params());
        assertEquals(Duration.ofSeconds(5), dummy.last.timeout());
    }

    @Test
    void anExitReasonAndTheAgentsOutputArePrinted() throws Exception {
        dummy.answer = new AgentResult(ExecStatus.DONE, OcfStatus.ERR_CONFIGURED, 6, "",
            "ocf-exit-reason:IP address (the ip parameter) is mandatory\n", Duration.ZERO);
        Run r = crm("--force-start", "--class=ocf", "--provider=heartbeat", "--agent=Dummy");
        assertEquals(6, r.status());
        assertEquals("Operation force-start (ocf:heartbeat:Dummy) returned 6 (not configured: IP address (the ip "
            + "parameter) is mandatory)\nocf-exit-reason:IP address (the ip parameter) is mandatory\n", r.out());
        assertEquals("crm_resource: Error performing operation: Not configured\n", r.err());
    }

    @Test
    void timeoutsExit124AndMissingAgentsExit5() throws Exception {
        dummy.answer = new AgentResult(ExecStatus.TIMED_OUT, OcfStatus.ERR_GENERIC, -1, "",
            "d_start_0 timed out after 1000 ms\n", Duration.ofSeconds(1));
        Run t = crm("--force-start", "--class", "ocf", "--provider", "heartbeat", "--agent", "Dummy", "--timeout",
            "1000");
        assertEquals(124, t.status());
        assertEquals("Operation force-start (ocf:heartbeat:Dummy) timed out after 1000 ms\n", t.out());
        Run m = crm("--force-start", "--class", "ocf", "--provider", "heartbeat", "--agent", "Nope");
        assertEquals(5, m.status());
        assertTrue(m.err().contains("ocf:heartbeat:Nope is not installed"), m.err());
        Run sd = crm("--force-check", "--class", "systemd", "--agent", "nginx");
        assertEquals(5, sd.status());
        assertTrue(sd.err().contains("only available where systemd runs"), sd.err());
    }

    @Test
    void badUsageIsExplainedWithExit64() {
        UsageException e = assertThrows(UsageException.class, () -> crm("--force-start", "--agent", "Dummy"));
        assertEquals(64, e.status());
        assertEquals(64, assertThrows(UsageException.class, () -> crm("--bogus")).status());
        assertEquals(64, assertThrows(UsageException.class, () -> crm("--option")).status());
        assertEquals(64, assertThrows(UsageException.class, () -> crm("--force-start", "--class", "ocf", "--agent",
            "Dummy")).status());
        assertEquals(64, assertThrows(UsageException.class, () -> crm("--force-start", "--class", "ocf",
            "--provider", "heartbeat", "--agent", "Dummy", "--option", "novalue")).status());
        assertEquals(64, assertThrows(UsageException.class, () -> crm("--force-start", "--class", "ocf",
            "--provider", "heartbeat", "--agent", "Dummy", "--timeout", "soon")).status());
        assertEquals(64, assertThrows(UsageException.class, () -> crm("--list-standards",
            "--list-ocf-providers")).status());
    }

    @Test
    void aTimeoutBeyondPacemakersIntMillisecondsIsAUsageError() throws Exception {
        assertEquals(Duration.ofMillis(Integer.MAX_VALUE), CrmResourceCommand.duration("2147483647"));
        for (String t : List.of("2147483648", "597h", "600h", "1000000000000000m", "9223372036854775807ms")) {
            UsageException e = assertThrows(UsageException.class, () -> crm("--force-start", "--class", "ocf",
                "--provider", "heartbeat", "--agent", "Dummy", "--timeout", t), t);
            assertEquals(64, e.status(), t);
        }
        assertEquals(0, crm("--force-start", "--class", "ocf", "--provider", "heartbeat", "--agent", "Dummy",
            "--timeout", "596h").status(), "24 days and 20 hours: the longest whole hours that fit");
    }

    @Test
    void stonithAdminListsInstalledAgentsAndShowsMetadata() throws Exception {
        StonithAdminCommand s = new StonithAdminCommand(dir);
        assertEquals("fence_dummy\n1 fence device found\n", run(s, "--list-installed").out());
        assertEquals("<resource-agent name=\"fence_dummy\"/>\n", run(s, "--metadata", "-a", "fence_dummy").out());
        Run missing = run(s, "-M", "--agent=fence_nope");
        assertEquals(105, missing.status());
        assertTrue(missing.err().startsWith("Can't get fence agent meta-data"));
        assertEquals(64, assertThrows(UsageException.class, () -> run(s, "--metadata")).status());
    }
}
