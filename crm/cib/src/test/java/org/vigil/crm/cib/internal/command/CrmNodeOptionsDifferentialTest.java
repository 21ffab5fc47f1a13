package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.toolsupport.ToolDifferential;
import org.vigil.crm.toolsupport.ToolDifferential.Row;

/**
 * Pacemaker 2.1.5's crm_node (pacemaker-cli-utils, .ci/packages) and Vigil's on the same bad command lines: same
 * exit status, same first error line (GLib's wording; no command: the usage). Refused before either connects.
 * Under a second.
 */
class CrmNodeOptionsDifferentialTest {

    @Test
    void badCommandLinesAsPacemakers() throws Exception {
        if (!ToolDifferential.installed("crm_node", "pacemaker-cli-utils")) {
            return;
        }
        CrmNodeCommand vigil = new CrmNodeCommand(null, null, null, null);
        List<Row> rows = ToolDifferential.compare("crm_node", List.of(List.of("--bogus"), List.of("-x"),
            List.of("-N"), List.of("-R"), List.of("--name-for-id"), List.of(), List.of("extra"),
            List.of("--bogus=1"), List.of("-l", "-Z"), List.of("-lZ"), List.of("-Q")),
            args -> ToolDifferential.vigil("crm_node", vigil, args));
        String report = ToolDifferential.report("crm_node", rows);
        System.out.print(report);
        assertTrue(rows.stream().allMatch(Row::same), report);
    }
}
