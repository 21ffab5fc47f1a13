package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.controller.ControllerStatus;
import org.vigil.crm.api.controller.TimelineEvent;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.internal.tools.CrmResourceCommand;

/**
 * {@code crm_resource --fail} against a controller that records what it is asked: the primitive's history id,
 * node and agent go to {@link Controller#failResource}; groups, unknown resources and nodes, and a missing
 * controller are refused with Pacemaker's messages and exit codes (the refusals before the controller is reached are
 * also in {@link CrmResourceDifferentialTest}).
 */
class CrmResourceFailTest {

    @TempDir
    Path tmp;

    /** A controller that records failResource calls and answers them (or fails them). */
    static final class Recording implements Controller {
        final List<String> calls = new ArrayList<>();
        boolean refuse;

        @Override
        public ControllerStatus status() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<TimelineEvent> timeline() {
            return List.of();
        }

        @Override
        public CompletionStage<Void> forgetHistory(String resourceId, Collection<String> nodes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<Void> failResource(String resourceId, String node, String agentClass,
                                                  String provider, String type) {
            calls.add(resourceId + " " + node + " " + agentClass + ":" + provider + ":" + type);
            return refuse ? CompletableFuture.failedFuture(new IllegalStateException("Node " + node
                + " is not online")) : CompletableFuture.completedFuture(null);
        }
    }

    private Commands.Result run(Controller ctl, String... args) throws Exception {
        LoopbackCib cib = new LoopbackCib(XmlText.parse(Files.readString(
            CrmResourceDifferentialTest.SCHEDULER_RESOURCES.resolve("crm_mon/three-nodes.xml")), "three-nodes"));
        return Commands.run(new CrmResourceCommand(cib, ctl, null, CrmResourceDifferentialTest.clock()), tmp, args);
    }

    @Test
    void aPrimitiveIsFailedThroughTheController() throws Exception {
        Recording ctl = new Recording();
        Commands.Result r = run(ctl, "--fail", "-r", "vip", "-N", "ALPHA");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("vip alpha ocf:heartbeat:IPaddr2"), ctl.calls);
        assertEquals("Waiting for 1 reply from the controller\n... got reply (done)\n", r.out());
        assertEquals(0, run(ctl, "-F", "-r", "vip", "-N", "bravo", "-Q").out().length(), "quiet");
    }

    @Test
    void anAnonymousCloneInstanceIsFailedByItsHistoryId() throws Exception {
        Recording ctl = new Recording();
        Commands.Result r = run(ctl, "-F", "-r", "ping:1", "-N", "bravo");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("ping bravo ocf:pacemaker:ping"), ctl.calls);
    }

    @Test
    void refusalsAsPacemakers() throws Exception {
        Recording ctl = new Recording();
        Commands.Result group = run(ctl, "-F", "-r", "web", "-N", "alpha");
        assertEquals(70, group.exit(), group.toString());
        assertEquals("We can only process primitive resources, not web\ncrm_resource: Error performing operation: "
            + "Internal software bug\n", group.err());
        Commands.Result unknown = run(ctl, "-F", "-r", "nope", "-N", "alpha");
        assertEquals(105, unknown.exit(), unknown.toString());
        assertEquals("Resource nope not found\ncrm_resource: Error performing operation: No such object\n",
            unknown.err());
        assertEquals(105, run(ctl, "-F", "-r", "vip", "-N", "zulu").exit());
        assertEquals(64, run(ctl, "-F", "-r", "vip").exit());
        assertEquals(64, run(ctl, "-F", "-N", "alpha").exit());
        assertTrue(ctl.calls.isEmpty(), "nothing was asked: " + ctl.calls);
        Commands.Result none = run(null, "-F", "-r", "vip", "-N", "alpha");
        assertEquals(102, none.exit(), none.toString());
        assertEquals("crm_resource: Error connecting to the controller: Connection refused\nError performing "
            + "operation: Not connected\n", none.err());
        ctl.refuse = true;
        Commands.Result refused = run(ctl, "-F", "-r", "vip", "-N", "alpha");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().startsWith("Error: bad reply from controller"), refused.err());
    }
}
