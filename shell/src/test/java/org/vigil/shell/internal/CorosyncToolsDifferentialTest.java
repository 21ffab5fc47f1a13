package org.vigil.shell.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.toolsupport.ToolDifferential;
import org.vigil.crm.toolsupport.ToolDifferential.Row;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.shell.internal.ring.CfgtoolCommand;
import org.vigil.shell.internal.ring.CpgtoolCommand;

/**
 * corosync 3.1.7's corosync-cmapctl, corosync-cfgtool and corosync-cpgtool (Debian's corosync package, .ci/packages)
 * and Vigil's on the same bad command lines: same exit status, same first error line (getopt's wording, the
 * tools' own value checks). Each line is refused before the real tool connects, so no corosync needs to run.
 * About a second in CI.
 */
class CorosyncToolsDifferentialTest {

    private static void check(String tool, AdminCommand vigil, List<List<String>> lines) throws Exception {
        if (!ToolDifferential.installed(tool, "corosync")) {
            return;
        }
        List<Row> rows = ToolDifferential.compare(tool, lines, args -> ToolDifferential.vigil(tool, vigil, args));
        String report = ToolDifferential.report(tool, rows);
        System.out.print(report);
        assertTrue(rows.stream().allMatch(Row::same), report);
    }

    @Test
    void cmapctl() throws Exception {
        check("corosync-cmapctl", new CmapctlCommand(null), List.of(List.of("-Z"), List.of("--bogus"),
            List.of("-sZ"), List.of("-g"), List.of("-d"), List.of("-D"), List.of("-m"), List.of("-m", "bogus"),
            List.of("-C", "x"), List.of("-g", "-Q", "totem.token"), List.of("-s", "k", "i32", "-5"),
            List.of("-p")));
    }

    @Test
    void cfgtool() throws Exception {
        check("corosync-cfgtool", new CfgtoolCommand(null, null), List.of(List.of("-Z"), List.of("--bogus"),
            List.of("-k"), List.of("--kill"), List.of("-k", "0"), List.of("-k", "abc"), List.of("-a", "-1"),
            List.of("--kil", "x"), List.of("-s", "-Z"), List.of("-i")));
    }

    @Test
    void cpgtool() throws Exception {
        check("corosync-cpgtool", new CpgtoolCommand(null, null), List.of(List.of("-Z"), List.of("--bogus"),
            List.of("-d"), List.of("-n", "-x")));
    }
}
