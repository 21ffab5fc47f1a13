package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.attrd.Attrd;
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.attrd.AttributeValue;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.controller.ControllerStatus;
import org.vigil.crm.api.controller.TimelineEvent;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.internal.tools.CrmResourceCommand;

/**
 * {@code crm_resource --cleanup} / {@code --refresh} of a clone instance: the history the node's controller is asked
 * to forget is the one it holds, under the primitive's id ({@code lrm_resource id="ping"}, as
 * {@code send_lrm_rsc_op()} asks for the {@code clone_name}), not an instance's id ({@code ping:0}, which no node
 * has: the failed start stayed in crm_mon and nothing was probed again); the fail counts are cleared under the name
 * attrd knows them by ({@code rsc_fail_name()}: without {@code :N}).
 */
class CrmResourceCleanupTest {

    @TempDir
    Path tmp;

    /** Records what it is asked to forget. */
    static final class Recording implements Controller {
        final List<String> forgotten = new ArrayList<>();

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
            forgotten.add(resourceId + " " + String.join(",", nodes));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> failResource(String resourceId, String node, String agentClass,
                                                  String provider, String type) {
            throw new UnsupportedOperationException();
        }
    }

    /** Records what fail counts it is asked to clear. */
    static final class Clearing implements Attrd {
        final List<String> cleared = new ArrayList<>();

        @Override
        public CompletionStage<Void> update(AttributeUpdate update) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<AttributeValue> query(String name, String node) {
            return List.of();
        }

        @Override
        public CompletionStage<Void> refresh() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Cleared clearFailures(String resource, String operation, long intervalMs, String node) {
            cleared.add(resource + " " + node);
            return new Cleared(List.of(), CompletableFuture.completedFuture(null));
        }

        @Override
        public String localNode() {
            return "alpha";
        }
    }

    private Commands.Result run(Controller ctl, Attrd attrd, String... args) throws Exception {
        LoopbackCib cib = new LoopbackCib(XmlText.parse(Files.readString(
            CrmResourceDifferentialTest.SCHEDULER_RESOURCES.resolve("crm_mon/three-nodes.xml")), "three-nodes"));
        return Commands.run(new CrmResourceCommand(cib, ctl, attrd, CrmResourceDifferentialTest.clock()), tmp, args);
    }

    @Test
    void anAnonymousClonesHistoryOnANodeIsForgottenByThePrimitivesId() throws Exception {
        for (String option : List.of("--cleanup", "--refresh")) {
            for (String rsc : List.of("ping", "ping-clone", "ping:1")) {
                Recording ctl = new Recording();
                Clearing attrd = new Clearing();
                Commands.Result r = run(ctl, attrd, option, "-r", rsc, "-N", "bravo");
                assertEquals(0, r.exit(), r.toString());
                assertEquals(List.of("ping bravo"), ctl.forgotten, option + " -r " + rsc);
                assertEquals(List.of("ping bravo"), attrd.cleared, option + " -r " + rsc);
            }
        }
    }

    @Test
    void aPrimitivesHistoryIsForgottenByItsId() throws Exception {
        Recording ctl = new Recording();
        Clearing attrd = new Clearing();
        Commands.Result r = run(ctl, attrd, "--cleanup", "-r", "vip", "-N", "alpha");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("vip alpha"), ctl.forgotten);
        assertEquals(List.of("vip alpha"), attrd.cleared);
    }
}
