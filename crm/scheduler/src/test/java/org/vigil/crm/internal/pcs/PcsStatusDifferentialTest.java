package org.vigil.crm.internal.pcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.internal.simulate.Simulation;

/**
 * {@code pcs status}'s own parts around crm_mon's text. The WARNINGS block: pcs 0.11.5 (.ci/packages), which prints
 * it offline with {@code -f CIB --corosync_conf CONF}, and Vigil's {@link PcsCommand#statusWarnings} on the same
 * corpus CIBs (fencing off or missing, fence devices with {@code action} or {@code method=cycle}, the constraints a
 * move left). The "Daemon Status" lines as pcs formats them. About 5 s (pcs is a Python program).
 */
class PcsStatusDifferentialTest {

    static final List<String> CIBS = List.of("group1", "stonith-0", "bug-5025-1", "anti-colocation-promoted",
        "clone-anon-failcount", "promoted-1", "migrate-1", "rsc-discovery-per-node");

    @TempDir
    Path tmp;

    @Test
    void warningsAsPcsPrintsThem() throws Exception {
        Path crm = Path.of("/usr/sbin/pcs");
        if (!org.vigil.crm.toolsupport.ToolDifferential.installed("pcs", "pcs")) {
            return;
        }
        Path conf = tmp.resolve("corosync.conf");
        Files.writeString(conf, "totem {\n version: 2\n cluster_name: t\n}\nnodelist {\n node {\n ring0_addr: n1\n"
            + " nodeid: 1\n }\n}\n");
        List<String> differ = new ArrayList<>();
        int same = 0;
        boolean anyWarning = false;
        for (String name : CIBS) {
            Path cib = tmp.resolve(name + ".xml");
            Files.copy(PcsDifferentialTest.CORPUS.resolve(name + ".xml"), cib);
            ProcessBuilder pb = new ProcessBuilder(crm.toString(), "-f", cib.toString(), "--corosync_conf",
                conf.toString(), "status").redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("LC_ALL", "C.UTF-8");
            Path o = tmp.resolve(name + ".out");
            Process p = pb.redirectOutput(o.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("pcs status on " + name + " did not finish in 60 s");
            }
            List<String> want = warnings(Files.readString(o));
            List<String> got = PcsCommand.statusWarnings(Simulation.load(cib));
            anyWarning |= !want.isEmpty();
            if (want.equals(got)) {
                same++;
            } else {
                differ.add(name + "\n  pcs:   " + want + "\n  vigil: " + got);
            }
        }
        String report = "pcs status warnings: " + same + "/" + CIBS.size() + " the same\n" + String.join("\n", differ);
        System.out.println(report);
        assertTrue(anyWarning, "the CIBs chosen give pcs something to warn about");
        assertTrue(differ.isEmpty(), report);
    }

    /** The lines of the WARNINGS block, empty without one. */
    private static List<String> warnings(String text) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : text.split("\n", -1)) {
            if (line.equals("WARNINGS:")) {
                in = true;
            } else if (in && line.isEmpty()) {
                break;
            } else if (in) {
                out.add(line);
            }
        }
        return out;
    }

    @Test
    void daemonStatusIsEnabledWithAVigilUnitEnabled() throws Exception {
        assertEquals(List.of("corosync: active/disabled", "pacemaker: active/disabled", "pcsd: inactive/disabled"),
            PcsCommand.daemonStatus(tmp.resolve("no-systemd")));
        Path wants = Files.createDirectories(tmp.resolve("multi-user.target.wants"));
        Files.writeString(wants.resolve("ssh.service"), "");
        assertEquals("corosync: active/disabled", PcsCommand.daemonStatus(tmp).get(0));
        Files.writeString(wants.resolve("vigil.service"), "");
        assertEquals(List.of("corosync: active/enabled", "pacemaker: active/enabled", "pcsd: inactive/disabled"),
            PcsCommand.daemonStatus(tmp));
    }
}
