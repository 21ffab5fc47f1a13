package org.vigil.crm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.crm.api.fencer.Fencer;

/**
 * {@code crm_mon}'s fencing sections, as Pacemaker 2.1.5 prints them at its default {@code --fence-history=1}
 * ({@code failed_history()} and {@code pending_actions()} in lib/fencing/st_output.c): every failed operation under
 * "Failed Fencing Actions" (a failure that a later attempt made good says from where), then the pending ones; the
 * successful ones are not shown; {@code -R} prints the technical form.
 */
class CrmMonFencingTest {

    static final String CIB = "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" validate-with=\"pacemaker-3.9\""
        + " have-quorum=\"1\" dc-uuid=\"1\"><configuration><crm_config/><nodes><node id=\"1\" uname=\"node1\"/>"
        + "<node id=\"2\" uname=\"node2\"/><node id=\"3\" uname=\"node3\"/></nodes><resources/><constraints/>"
        + "</configuration><status/></cib>";
    static final long T = 1_796_000_000_000L;

    static final class History implements Fencer {
        final List<FenceEvent> events;

        History(List<FenceEvent> events) {
            this.events = events;
        }

        @Override
        public CompletionStage<FenceEvent> fence(String target, FenceAction action, String client, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<FenceEvent> confirm(String target, String client) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<FenceEvent> history(String target) {
            return events;
        }

        @Override
        public List<String> registeredDevices() {
            return List.of();
        }

        @Override
        public CompletionStage<List<String>> devicesFor(String target) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public AutoCloseable listen(Consumer<FenceEvent> listener) {
            return () -> { };
        }

        @Override
        public String localNode() {
            return "node1";
        }
    }

    static String crmMon(List<FenceEvent> history, String... args) throws Exception {
        CrmMonCommand cmd = new CrmMonCommand(new FileCib(XmlText.parse(CIB, "test CIB")), null,
            CrmMonDifferentialTest.clock());
        cmd.fencer = history == null ? null : new History(history);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            assertEquals(0, cmd.execute(List.of(args), o, o));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String at(long ms) {
        return FenceEvent.time(ms, ZoneId.systemDefault());
    }

    static FenceEvent ev(String id, String target, FenceEvent.State state, long completed, String delegate,
                         String reason) {
        return new FenceEvent(id, target, FenceAction.REBOOT, "node1", delegate, delegate == null ? null : "fence1",
            "pacemaker-controld.1", state, completed, reason);
    }

    @Test
    void failedThenPendingNewestFirstAndTheSuccessesNotShown() throws Exception {
        List<FenceEvent> h = List.of(
            // an older failure by the same delegate as the next: reduced away
            ev("node1:1", "node3", FenceEvent.State.FAILED, T, "node2", "off with fence1 failed: exit status 1"),
            ev("node1:2", "node3", FenceEvent.State.FAILED, T + 5_000, "node2", "timed out"),
            ev("node1:3", "node2", FenceEvent.State.DONE, T + 6_000, "node1", null),
            ev("node1:4", "node3", FenceEvent.State.PENDING, 0, null, null));
        String s = crmMon(h, "-1");
        String tail = s.substring(s.indexOf("\nFailed Fencing Actions:"));
        assertEquals("\nFailed Fencing Actions:\n"
            + "  * reboot of node3 by node2 for pacemaker-controld.1@node1 last failed (timed out) at " + at(T + 5_000)
            + "\n"
            + "\nPending Fencing Actions:\n"
            + "  * reboot of node3 for pacemaker-controld.1@node1 last pending\n", tail);
        assertTrue(!s.contains("reboot of node2"), s);
    }

    @Test
    void repeatedFailuresByOneDelegateShowOnceTheNewest() throws Exception {
        List<FenceEvent> h = List.of(
            ev("node1:1", "node3", FenceEvent.State.FAILED, T, "node2", "first"),
            ev("node1:2", "node3", FenceEvent.State.FAILED, T + 1_000, "node2", "second"),
            ev("node1:3", "node3", FenceEvent.State.FAILED, T + 2_000, "node1", "third"),
            ev("node1:4", "node3", FenceEvent.State.FAILED, T + 3_000, "node2", "fourth"));
        String s = crmMon(h, "-1");
        String tail = s.substring(s.indexOf("\nFailed Fencing Actions:"));
        assertEquals("\nFailed Fencing Actions:\n"
            + "  * reboot of node3 by node2 for pacemaker-controld.1@node1 last failed (fourth) at " + at(T + 3_000)
            + "\n  * reboot of node3 by node1 for pacemaker-controld.1@node1 last failed (third) at " + at(T + 2_000)
            + "\n", tail);
    }

    @Test
    void aFailureALaterAttemptMadeGoodSaysSoAndDetailIsTechnical() throws Exception {
        List<FenceEvent> h = List.of(
            ev("node1:1", "node3", FenceEvent.State.FAILED, T, "node2", "timed out"),
            ev("node1:2", "node3", FenceEvent.State.DONE, T + 9_000, "node1", null));
        String s = crmMon(h, "-1", "-R");
        String tail = s.substring(s.indexOf("\nFailed Fencing Actions:"));
        assertEquals("\nFailed Fencing Actions:\n  * reboot of node3 failed (timed out): delegate=node2, "
            + "client=pacemaker-controld.1, origin=node1, last-failed='" + at(T) + "' (a later attempt from node1 "
            + "succeeded)\n", tail);
    }

    @Test
    void noFencerOrNothingFailedOrPendingPrintsNoSection() throws Exception {
        String without = crmMon(null, "-1");
        assertEquals(without, crmMon(List.of(ev("node1:1", "node3", FenceEvent.State.DONE, T, "node2", null)), "-1"));
        assertTrue(!without.contains("Fencing"), without);
    }
}
