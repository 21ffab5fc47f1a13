package org.vigil.crm.internal.pcs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.toolsupport.ToolDifferential;
import org.vigil.crm.toolsupport.ToolDifferential.Row;

/**
 * pcs 0.11.5 (.ci/packages) and Vigil's pcs on the same bad command lines: same exit status, same first error
 * line (Python getopt's wording behind pcs's "Error: ", an option given twice). pcs refuses them before it reads a
 * CIB. A few seconds in CI (pcs is a Python program: about 0.3 s a run on an idle machine).
 */
class PcsOptionsDifferentialTest {

    @Test
    void badCommandLinesAsPcs() throws Exception {
        if (!ToolDifferential.installed("pcs", "pcs")) {
            return;
        }
        PcsCommand vigil = PcsCommand.offline();
        List<Row> rows = ToolDifferential.compare("pcs", List.of(List.of("--bogus", "status"), List.of("-Z", "status"),
            List.of("status", "--bogus"), List.of("-f"), List.of("resource", "--bogus"), List.of("--full=1", "status"),
            List.of("--h"), List.of("resource", "create", "--group"), List.of("status", "--full", "--full"),
            List.of("resource", "--bogus=x")),
            args -> ToolDifferential.vigil("pcs", vigil, args));
        String report = ToolDifferential.report("pcs", rows);
        System.out.print(report);
        assertTrue(rows.stream().allMatch(Row::same), report);
    }
}
