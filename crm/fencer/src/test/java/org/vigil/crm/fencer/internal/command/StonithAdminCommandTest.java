package org.vigil.crm.fencer.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.api.fencer.FenceEvent.State;
import org.vigil.crm.api.fencer.Fencer;
import org.vigil.crm.fencer.internal.FencerDiagnostics;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;

class StonithAdminCommandTest {

    record Run(int status, String out, String err) {
        static Run of(StonithAdminCommand c, String... args) throws Exception {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            int status;
            try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
                 PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8)) {
                status = c.execute(List.of(args), out, err);
            }
            return new Run(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        }
    }

    /** A fencer that answers from fixed data and records requests. */
    static final class FakeFencer implements Fencer, FencerDiagnostics {
        final List<String> asked = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        @Override
        public List<String> configurationProblems() {
            return problems;
        }

        final List<FenceEvent> history = new ArrayList<>();
        FenceEvent.State outcome = State.DONE;
        String reason;

        @Override
        public CompletionStage<FenceEvent> fence(String target, FenceAction action, String client, Duration t) {
            asked.add(action.wireName() + " " + target + " " + client);
            return CompletableFuture.completedFuture(new FenceEvent("x:1", target, action, "n1", "n2", "d1", client,
                outcome, 1000, outcome == State.FAILED ? reason : null));
        }

        @Override
        public CompletionStage<FenceEvent> confirm(String target, String client) {
            asked.add("confirm " + target);
            return CompletableFuture.completedFuture(new FenceEvent("x:2", target, FenceAction.OFF, "n1", null,
                null, client, State.DONE, 1000, null));
        }

        @Override
        public List<FenceEvent> history(String target) {
            return history.stream().filter(e -> target == null || e.target().equals(target)).toList();
        }

        @Override
        public List<String> registeredDevices() {
            return List.of("d1", "d2");
        }

        @Override
        public CompletionStage<List<String>> devicesFor(String target) {
            return CompletableFuture.completedFuture(target.equals("n3") ? List.of("d1") : List.of());
        }

        @Override
        public AutoCloseable listen(Consumer<FenceEvent> listener) {
            return () -> { };
        }

        @Override
        public String localNode() {
            return "n1";
        }
    }

    private final FakeFencer fencer = new FakeFencer();
    private final StonithAdminCommand cmd = new StonithAdminCommand(fencer);

    @Test
    void listsDevices() throws Exception {
        assertEquals(new Run(0, "d1\nd2\n2 fence devices found\n", ""), Run.of(cmd, "--list-registered"));
        assertEquals(new Run(0, "d1\n1 fence device found\n", ""), Run.of(cmd, "-l", "n3"));
        assertEquals(new Run(0, "0 fence devices found\n", ""), Run.of(cmd, "--list", "n9"));
    }

    @Test
    void installedAgentsAndMetaDataStillWork() throws Exception {
        cmd.bindAgent(new FenceAgent() {
            @Override
            public String name() {
                return "fence_b";
            }

            @Override
            public String metaData() {
                return "<resource-agent name=\"fence_b\"/>";
            }

            @Override
            public CompletionStage<AgentResult> execute(FenceRequest request) {
                throw new UnsupportedOperationException();
            }
        });
        assertEquals(new Run(0, "fence_b\n1 fence device found\n", ""), Run.of(cmd, "-I"));
        assertEquals(new Run(0, "<resource-agent name=\"fence_b\"/>\n", ""), Run.of(cmd, "-M", "-a", "fence_b"));
        assertEquals(105, Run.of(cmd, "--metadata", "--agent", "fence_nope").status());
        assertEquals(64, Run.of(cmd, "--metadata").status());
    }

    @Test
    void fencesAndReportsFailures() throws Exception {
        assertEquals(new Run(0, "", ""), Run.of(cmd, "--reboot", "n3"));
        assertEquals(new Run(0, "", ""), Run.of(cmd, "-F", "n3"));
        assertEquals(new Run(0, "", ""), Run.of(cmd, "-U", "n3"));
        assertEquals(new Run(0, "", ""), Run.of(cmd, "--confirm", "n3"));
        assertEquals(List.of("reboot n3 stonith_admin", "off n3 stonith_admin", "on n3 stonith_admin", "confirm n3"),
            fencer.asked);
        fencer.outcome = State.FAILED;
        fencer.reason = "no fence device can fence n9";
        assertEquals(new Run(105, "", "stonith_admin: Couldn't fence n9: No such device (no fence device can fence "
            + "n9)\n"), Run.of(cmd, "-B", "n9"));
        fencer.reason = "off with d1 failed: exit status 1";
        assertEquals(new Run(1, "", "stonith_admin: Couldn't unfence n3: Error occurred (off with d1 failed: exit "
            + "status 1)\n"), Run.of(cmd, "-U", "n3"));
    }

    @Test
    void configurationProblemsAreShownNamingTheirPlace() throws Exception {
        fencer.problems.add("CIB: primitive 'd3' (line 12): pcmk_host_check 'sometimes' is not one of static-list, "
            + "dynamic-list, status, none; the device is not registered");
        fencer.problems.add("CIB: primitive 'd1' (line 20): unknown fence device option 'pcmk_host_lst' (did you mean "
            + "'pcmk_host_list'?); ignored");
        String warnings = "stonith_admin: warning: CIB: primitive 'd3' (line 12): pcmk_host_check 'sometimes' is not "
            + "one of static-list, dynamic-list, status, none; the device is not registered\n"
            + "stonith_admin: warning: CIB: primitive 'd1' (line 20): unknown fence device option 'pcmk_host_lst' "
            + "(did you mean 'pcmk_host_list'?); ignored\n";
        assertEquals(new Run(0, "d1\nd2\n2 fence devices found\n", warnings), Run.of(cmd, "-L"));
        assertEquals(new Run(0, "d1\n1 fence device found\n", warnings), Run.of(cmd, "-l", "n3"));
        assertEquals(new Run(0, "", warnings), Run.of(cmd, "-B", "n3"));
        assertEquals(new Run(0, "0 events found\n", ""), Run.of(cmd, "-H", "n3"));
    }

    @Test
    void aDeviceThatHungIsATimeoutNamingTheActionAndTheDevice() throws Exception {
        fencer.outcome = State.FAILED;
        fencer.reason = "off with d1 failed: timed out after 20s (the agent was killed)";
        assertEquals(new Run(124, "", "stonith_admin: Couldn't fence n3: Timer expired (off with d1 failed: timed out "
            + "after 20s (the agent was killed))\n"), Run.of(cmd, "-F", "n3"));
        fencer.reason = "fencing-level 'l1' (index 1) names device zz, which is not in the CIB; off with d1 failed: "
            + "exit status 1";
        assertEquals(new Run(1, "", "stonith_admin: Couldn't fence n3: Error occurred (" + fencer.reason + ")\n"),
            Run.of(cmd, "-F", "n3"));
    }

    @Test
    void historyAsPacemakerPrintsIt() throws Exception {
        String t1 = StonithAdminCommand.time(1000);
        String t2 = StonithAdminCommand.time(2000);
        fencer.history.add(new FenceEvent("a:1", "n3", FenceAction.REBOOT, "n1", "n2", "d1", "c.1", State.FAILED,
            1000, "d1 failed"));
        fencer.history.add(new FenceEvent("a:2", "n3", FenceAction.REBOOT, "n1", "n2", "d1", "c.1", State.DONE,
            2000, null));
        fencer.history.add(new FenceEvent("a:3", "n2", FenceAction.OFF, "n1", null, null, "c.2", State.PENDING, 0,
            null));
        assertEquals(new Run(0, "reboot of n3 successful: delegate=n2, client=c.1, origin=n1, last-successful='" + t2
            + "'\n1 event found\n", ""), Run.of(cmd, "--history", "n3"));
        Run all = Run.of(cmd, "-H", "*", "-V");
        assertEquals(0, all.status());
        assertEquals("turning off of n2 pending: client=c.2, origin=n1\n"
            + "reboot of n3 successful: delegate=n2, client=c.1, origin=n1, completed='" + t2 + "'\n"
            + "reboot of n3 failed (d1 failed): delegate=n2, client=c.1, origin=n1, completed='" + t1
            + "' (a later attempt from n2 succeeded)\n"
            + "3 events found\n", all.out());
        assertEquals(new Run(0, "0 events found\n", ""), Run.of(cmd, "-H", "n2"));
        assertTrue(t1.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(Z| [+-]\\d\\d:\\d\\d)"), t1);
    }

    @Test
    void usageErrors() throws Exception {
        assertEquals(64, Run.of(cmd).status());
        assertEquals(64, Run.of(cmd, "--bogus").status());
        assertEquals(64, Run.of(cmd, "-B").status());
        assertEquals(64, Run.of(cmd, "-B", "n3", "-t", "soon").status());
        assertEquals(0, Run.of(cmd, "--help").status());
    }
}
