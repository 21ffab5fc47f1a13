package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.cib.internal.store.CibStore;
import org.vigil.itest.support.NetnsCluster;

/**
 * A node killed with SIGKILL in the middle of a loop of configuration writes, {@link #KILLS} times: after each
 * kill the CIB on its disk loads (the current file, or, when the kill fell between the renames of a write, the
 * newest good backup) and holds every change {@code cibadmin} had reported done. The node then restarts from it.
 * A real node process on 127.0.0.1; the kill times come from a seed, printed.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class CibDurabilityIT {

    /** 40 in the suite (CI's time); {@code -Dvigil.cib.kills=N} for a longer run. */
    static final int KILLS = Integer.getInteger("vigil.cib.kills", 40);

    @Test
    void everyAcknowledgedWriteSurvivesAKillNineAtAnyMoment() throws Exception {
        long seed = Long.getLong("vigil.cib.killSeed", System.nanoTime() % 100_000);
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("vigil-cib-kill");
        try (NetnsCluster c = NetnsCluster.local(1, dir, 45_300 + random.nextInt(400))) {
            c.configure("token: 1000", "");
            List<String> acked = new ArrayList<>();
            int fallbacks = 0;
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            for (int kill = 1; kill <= KILLS; kill++) {
                c.start(1);
                c.awaitUp(1, 60_000);
                NetnsCluster.await("the CIB ready", 60_000, () -> "0".equals(RingUpgradeIT.get(c, 1,
                    "runtime.cib.syncing")));
                ConcurrentLinkedQueue<String> done = new ConcurrentLinkedQueue<>();
                AtomicBoolean stop = new AtomicBoolean();
                Thread writer = new Thread(() -> {
                    while (!stop.get()) {
                        int k = next.incrementAndGet();
                        try {
                            NetnsCluster.Result r = c.vigil(1, "cibadmin", "--modify", "--allow-create", "-o",
                                "crm_config", "-X", "<cluster_property_set id=\"dur\"><nvpair id=\"k" + k
                                    + "\" name=\"k" + k + "\" value=\"" + k + "\"/></cluster_property_set>");
                            if (r.status() == 0) {
                                done.add("k" + k);
                            }
                        } catch (Exception e) {
                            return;
                        }
                    }
                }, "cib-writer");
                writer.start();
                Thread.sleep(150 + random.nextInt(700));
                c.kill9(1);
                stop.set(true);
                writer.join(30_000);
                acked.addAll(done);

                // what a restart will load, from a copy of the directory (loading may move a damaged file aside)
                Path copy = Files.createTempDirectory(dir, "after-kill-" + kill);
                Path cibDir = c.stateDir(1).resolve("cib");
                if (Files.isDirectory(cibDir)) {   // absent when the node was killed before its first write
                    try (var files = Files.list(cibDir)) {
                        for (Path f : (Iterable<Path>) files::iterator) {
                            Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                        }
                    }
                }
                CibStore.Loaded loaded = new CibStore(copy, CibStore.DEFAULT_KEEP, "pacemaker-3.9").load();
                if (!loaded.problems().isEmpty()) {
                    fallbacks++;
                    System.out.println("kill " + kill + ": " + loaded.problems());
                }
                assertTrue(!loaded.source().equals("empty") || acked.isEmpty(), "kill " + kill + " (seed " + seed
                    + "): nothing loadable on disk: " + loaded.problems());
                CibSnapshot s = loaded.snapshot();
                String xml = s.root().toXml();
                for (String k : acked) {
                    assertTrue(xml.contains("id=\"" + k + "\""), "kill " + kill + " (seed " + seed + "): acknowledged "
                        + k + " is not on disk at version " + s.version() + " (" + loaded.source() + ")");
                }
            }
            System.out.printf("CIB durability: %d kills -9 during writes (seed %d), %d acknowledged writes all on "
                + "disk after each kill; %d loads fell back to a backup%n", KILLS, seed, acked.size(), fallbacks);
            assertTrue(acked.size() >= KILLS, "the writer got too few writes done to mean anything: " + acked.size());
        }
    }
}
