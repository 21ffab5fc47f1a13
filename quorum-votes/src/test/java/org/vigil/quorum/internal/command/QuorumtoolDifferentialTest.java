package org.vigil.quorum.internal.command;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.toolsupport.ToolDifferential;
import org.vigil.crm.toolsupport.ToolDifferential.Row;

/**
 * corosync 3.1.7's corosync-quorumtool (Debian's corosync package, .ci/packages) and Vigil's on the same bad
 * command lines: same exit status, same first error line (getopt's wording, the tool's own value checks), refused
 * before the real tool connects. Under a second in CI.
 */
class QuorumtoolDifferentialTest {

    @Test
    void badCommandLinesAsCorosyncs() throws Exception {
        String tool = "corosync-quorumtool";
        if (!ToolDifferential.installed(tool, "corosync")) {
            return;
        }
        QuorumtoolCommand vigil = new QuorumtoolCommand(null, null, null);
        List<Row> rows = ToolDifferential.compare(tool, List.of(List.of("-Z"), List.of("--bogus"), List.of("-v"),
            List.of("-v", "abc"), List.of("-v", "-1"), List.of("-e", "abc"), List.of("-e", "0"), List.of("-n", "abc"),
            List.of("-o", "x"), List.of("-sZ"), List.of("-l", "-o")),
            args -> ToolDifferential.vigil(tool, vigil, args));
        String report = ToolDifferential.report(tool, rows);
        System.out.print(report);
        assertTrue(rows.stream().allMatch(Row::same), report);
    }
}
