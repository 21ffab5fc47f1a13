package org.vigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.itest.support.BundleJars;
import org.vigil.itest.support.Distribution;
import org.vigil.itest.support.NetnsCluster;
import org.vigil.itest.support.UpgradeMarker;

/**
 * {@code vigil upgrade} of the quorum-votes bundle on every node of a running 3-node ring (127.0.0.1): quorum
 * never flaps. Watched two ways: the quorate flag every node publishes, polled throughout (a failed read counts
 * as a dip), and the kernel's "non-primary component" log line, which it writes on every not-quorate decision.
 * The upgrade goes to a new build whose code differs ({@link BundleJars#newBuild}: it writes a token to cmap when
 * it starts); each node must show that token afterwards, so the new code is what runs.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class QuorumUpgradeIT {

    @Test
    void upgradingQuorumVotesNeverEmitsANotQuorateEvent() throws Exception {
        Path dir = Files.createTempDirectory("vigil-quorum-upgrade");
        try (NetnsCluster c = NetnsCluster.local(3, dir, 6050).up()) {
            c.configure("token: 1000", "quorum {\n    provider: corosync_votequorum\n}\n");
            for (int i = 1; i <= 3; i++) {
                c.start(i);
            }
            for (int i = 1; i <= 3; i++) {
                int n = i;
                NetnsCluster.await("node" + n + " quorate in a ring of 3", 60_000, () -> "1 2 3".equals(
                    RingUpgradeIT.get(c, n, "runtime.totem.members")) && "1".equals(
                    RingUpgradeIT.get(c, n, "runtime.vigil.quorum.quorate")));
            }
            int[] notQuorateBefore = new int[4];
            for (int i = 1; i <= 3; i++) {
                notQuorateBefore[i] = count(c.log(i), "non-primary component");
            }
            Path jar;
            try (var files = Files.list(Distribution.home().resolve("export/vigil"))) {
                jar = files.filter(f -> f.getFileName().toString().startsWith("quorum-votes-")).findFirst()
                    .orElseThrow();
            }
            String v1 = RingUpgradeIT.jarVersion(jar);
            String token = "quorum-v2-" + System.nanoTime();
            Path v2 = BundleJars.newBuild(jar, v1 + "v2", token, dir.resolve("quorum-v2.jar"));
            String marker = UpgradeMarker.key("org.vigil.quorum");
            AtomicBoolean watching = new AtomicBoolean(true);
            AtomicInteger dips = new AtomicInteger();
            AtomicInteger polls = new AtomicInteger();
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    for (int i = 1; i <= 3; i++) {
                        if (!"1".equals(RingUpgradeIT.get(c, i, "runtime.vigil.quorum.quorate"))) {
                            dips.incrementAndGet();
                        }
                    }
                    polls.incrementAndGet();
                }
            });
            watcher.start();
            StringBuilder reports = new StringBuilder();
            for (int i = 1; i <= 3; i++) {
                NetnsCluster.Result r = c.vigil(i, "upgrade", v2.toString());
                assertEquals(0, r.status(), r.out() + r.err());
                assertTrue(r.out().contains("other bundles restarted: none"), r.out());
                reports.append(r.out().strip()).append('\n');
                Thread.sleep(2000);
            }
            watching.set(false);
            watcher.join();
            for (int i = 1; i <= 3; i++) {
                assertEquals(notQuorateBefore[i], count(c.log(i), "non-primary component"),
                    "node" + i + " logged a not-quorate decision during the upgrade");
                assertEquals(0, c.vigil(i, "corosync-quorumtool", "-s").status(), "node" + i + " quorate after");
                assertEquals(token, RingUpgradeIT.read(c, i, marker), "node" + i + ": the new build's code runs");
            }
            assertEquals(0, dips.get(), "quorate flag seen down " + dips + " times in " + polls + " polls");
            System.out.print(reports);
            System.out.println("quorum-votes upgraded to a new build on 3 nodes: quorate throughout (" + polls.get()
                + " polls of every node's flag), no not-quorate decision logged");
        }
    }

    static int count(Path log, String needle) throws Exception {
        if (!Files.exists(log)) {
            return 0;
        }
        int n = 0;
        for (String line : Files.readAllLines(log)) {
            if (line.contains(needle)) {
                n++;
            }
        }
        return n;
    }
}
