package org.vigil.crm.cib.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgGuarantee;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.CpgReason;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;

/**
 * The CIB service as it stops for a swap of its bundle (issue 18): what it took is answered, what comes after is
 * refused without being sent (so {@code crm-api}'s holder gives it to the next revision, once), and the stop does not
 * wait for the snapshot planned after the last write (which made every CIB swap take about 2 s). One node, its group
 * a loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CibServiceStopTest {

    @TempDir
    Path state;

    private final ExecutorService ring = Executors.newSingleThreadExecutor();
    private final long snapshotDelay = CibService.SNAPSHOT_DELAY_MS;

    @AfterEach
    void restore() {
        CibService.SNAPSHOT_DELAY_MS = snapshotDelay;
        ring.shutdownNow();
    }

    /** A group of one: what this member sends comes back to it, in order, on the "ring"'s thread. */
    private Cpg loopback() {
        CpgMember self = new CpgMember(1, 100, CpgReason.JOIN);
        return new Cpg() {
            @Override
            public CpgGroup join(String group, CpgListener listener) {
                ring.execute(() -> listener.configurationChanged(group, List.of(self), List.of(), List.of(self)));
                return new CpgGroup() {
                    volatile boolean closed;

                    @Override
                    public String name() {
                        return group;
                    }

                    @Override
                    public CpgMember self() {
                        return self;
                    }

                    @Override
                    public boolean mcast(byte[] message, CpgGuarantee guarantee) {
                        if (!closed) {
                            ring.execute(() -> listener.deliver(group, self, message));
                        }
                        return true;
                    }

                    @Override
                    public List<CpgMember> members() {
                        return List.of(self);
                    }

                    @Override
                    public void close() {
                        closed = true;
                    }
                };
            }

            @Override
            public CpgGroup join(String group, CpgListener listener, long pid) {
                return join(group, listener);
            }

            @Override
            public Map<String, List<CpgMember>> groups() {
                return Map.of();
            }
        };
    }

    private VigilNode node() {
        VigilConfig config = new TestNode(1, "node1", Map.of(1, "node1")).config();
        return new VigilNode() {
            @Override
            public int nodeId() {
                return 1;
            }

            @Override
            public String name() {
                return "node1";
            }

            @Override
            public Path stateDir() {
                return state;
            }

            @Override
            public VigilConfig config() {
                return config;
            }

            @Override
            public long startedAtMillis() {
                return 0;
            }

            @Override
            public String version() {
                return "0.0.0-test";
            }
        };
    }

    private static CibRequest create(String id) {
        return CibRequest.of(CibRequest.Op.CREATE, "crm_config", XmlNode.of("cluster_property_set", "id", id),
            "cibadmin");
    }

    private static void awaitSynced(CibService cib) throws InterruptedException {
        while (cib.syncing()) {
            Thread.sleep(5);
        }
    }

    @Test
    void aStopAnswersWhatItTookRefusesWhatComesAfterAndDoesNotWaitForTheSnapshot() throws Exception {
        CibService.SNAPSHOT_DELAY_MS = 600_000;   // planned after every write; a stop that waited would hang
        CibService cib = new CibService(node(), new CmapStore(), loopback());
        awaitSynced(cib);
        cib.update(create("before")).toCompletableFuture().get(60, TimeUnit.SECONDS);
        CompletableFuture<CibSnapshot> taken = cib.update(create("taken")).toCompletableFuture();
        cib.stop();
        // answered by this revision (not failed, not left to be sent again by the holder)
        CibSnapshot after = taken.get(1, TimeUnit.SECONDS);
        assertTrue(after.configuration().firstChild("crm_config").children().stream()
            .anyMatch(c -> "taken".equals(c.id())));
        assertThrows(RejectedExecutionException.class, () -> cib.update(create("late")),
            "refused before anything is sent, for the holder to give to the next revision");
        assertTrue(cib.writerStopped(), "the stop waited for the delayed snapshot (or gave up on it)");

        // the next revision reads both writes (from the log: the snapshot was not brought up to date)
        CibService next = new CibService(node(), new CmapStore(), loopback());
        awaitSynced(next);
        List<String> ids = next.current().configuration().firstChild("crm_config").children().stream()
            .map(XmlNode::id).toList();
        assertEquals(List.of("before", "taken"), ids);
        next.stop();
    }

    @Test
    void aSwapHandsTheLiveCopyWithItsStatusToTheNextRevisionAndANodeStopDoesNot() throws Exception {
        CibService cib = new CibService(node(), new CmapStore(), loopback());
        awaitSynced(cib);
        cib.update(create("w")).toCompletableFuture().get(60, TimeUnit.SECONDS);
        CibSnapshot live = cib.update(CibRequest.of(CibRequest.Op.CREATE, "status", XmlNode.of("node_state", "id",
            "1", "uname", "node1"), "crmd")).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(1, live.version().numUpdates());
        cib.stop(true);   // its bundle is being replaced

        CibService next = new CibService(node(), new CmapStore(), loopback());
        assertEquals(live.digest(), next.current().digest(), "the live copy, its status with it");
        awaitSynced(next);
        assertEquals(live.version(), next.current().version());
        next.stop();   // the node stops: nothing left

        CibService fromDisk = new CibService(node(), new CmapStore(), loopback());
        awaitSynced(fromDisk);
        assertEquals(0, fromDisk.current().version().numUpdates());
        assertEquals(null, fromDisk.current().status().firstChild("node_state"), "the disk holds no status");
        fromDisk.stop();
    }

    @Test
    void whenSyncedRunsOnTheCibThreadOnceTheRoundIsOver() throws Exception {
        CibService cib = new CibService(node(), new CmapStore(), loopback());
        CompletableFuture<String> ran = new CompletableFuture<>();
        cib.whenSynced(() -> ran.complete(Thread.currentThread().getName() + " syncing=" + cib.syncing()));
        assertEquals("vigil-cib syncing=false", ran.get(60, TimeUnit.SECONDS));
        cib.stop();
    }
}
