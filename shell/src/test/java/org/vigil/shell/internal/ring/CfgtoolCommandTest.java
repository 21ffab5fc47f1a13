package org.vigil.shell.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;

/** {@code corosync-cfgtool -n} and {@code -s} from the link state the ring driver keeps in cmap. */
class CfgtoolCommandTest {

    static final String CONFIG = """
        totem {
         version: 2
         cluster_name: t
         rrp_mode: passive
         interface {
          ringnumber: 0
         }
         interface {
          ringnumber: 1
         }
        }
        nodelist {
         node {
          ring0_addr: 10.61.0.1
          ring1_addr: 10.62.0.1
          nodeid: 1
         }
         node {
          ring0_addr: 10.61.0.2
          ring1_addr: 10.62.0.2
          nodeid: 2
         }
         node {
          ring0_addr: 10.61.0.3
          ring1_addr: 10.62.0.3
          nodeid: 3
         }
        }
        """;

    static String run(CmapStore cmap, String... args) throws Exception {
        VigilConfig cfg = VigilConfig.fromText("t.conf", CONFIG);
        VigilNode node = new VigilNode() {
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
                return Path.of("/nonexistent");
            }

            @Override
            public VigilConfig config() {
                return cfg;
            }

            @Override
            public long startedAtMillis() {
                return 0;
            }

            @Override
            public String version() {
                return "0";
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = new CfgtoolCommand(cmap, node).execute(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
        assertEquals(0, rc);
        return out.toString(StandardCharsets.UTF_8);
    }

    static CmapStore cmap() {
        CmapStore cmap = new CmapStore();
        for (int n = 1; n <= 3; n++) {
            cmap.set("runtime.members." + n + ".status", CmapType.STRING, n == 3 ? "left" : "joined");
            for (int r = 0; r < 2; r++) {
                // node 2's link 1 does not answer its heartbeats
                cmap.set("stats.knet.node" + n + ".link" + r + ".connected", CmapType.UINT8,
                    n == 3 || (n == 2 && r == 1) ? 0L : 1L);
            }
        }
        return cmap;
    }

    @Test
    void nodeStatusListsTheReachableNodesAndTheirLinksAsCorosync() throws Exception {
        assertEquals("""
            Local node ID 1, transport udpu
            nodeid: 2 reachable
               LINK: 0 udpu (10.61.0.1->10.61.0.2) enabled connected mtu: 1500
               LINK: 1 udpu (10.62.0.1->10.62.0.2) enabled mtu: 1500

            """, run(cmap(), "-n"));
    }

    @Test
    void linkStatusShowsTheDownLink() throws Exception {
        String s = run(cmap(), "-s");
        assertEquals(true, s.contains("LINK ID 1 udpu\n\taddr\t= 10.62.0.1\n\tstatus\t= ring 1 active with no faults\n"
            + "\tstatus:\n\t\tnodeid:          1:\tlocalhost\n\t\tnodeid:          2:\tdisconnected\n"), s);
        assertEquals(true, s.contains("LINK ID 0 udpu\n\taddr\t= 10.61.0.1\n\tstatus\t= ring 0 active with no faults\n"
            + "\tstatus:\n\t\tnodeid:          1:\tlocalhost\n\t\tnodeid:          2:\tconnected\n"), s);
    }
}
