package org.vigil.crm.controller.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.toolsupport.ToolDifferential;
import org.vigil.crm.toolsupport.ToolDifferential.Answer;
import org.vigil.crm.toolsupport.ToolDifferential.Row;
import org.vigil.kernel.api.command.UsageException;

/**
 * Pacemaker 2.1.5's crmadmin (pacemaker-cli-utils, .ci/packages) and Vigil's on the same bad command lines: same
 * exit status, same first error line (GLib's "crmadmin: Unknown option ...", "Missing argument for ...", "Error
 * parsing option -t", crmadmin's own "Must specify a command option" and output format error). Vigil's side is
 * {@link ControllerService#parseCrmadmin}, what {@code crmadmin} runs before it answers anything. About a second.
 */
class CrmadminOptionsDifferentialTest {

    @Test
    void badCommandLinesAsPacemakers() throws Exception {
        if (!ToolDifferential.installed("crmadmin", "pacemaker-cli-utils")) {
            return;
        }
        List<Row> rows = ToolDifferential.compare("crmadmin", List.of(List.of("--bogus"), List.of("-x"),
            List.of("-Dx"), List.of("-t"), List.of("--timeout"), List.of("-S"), List.of("--status"),
            List.of("-t", "abc", "-D"), List.of("-t", "-D"), List.of(), List.of("-q"), List.of("-B"),
            List.of("--output-as=bogus", "-D"), List.of("-N", "--bogus=1"), List.of("-D", "--timeout=1x")),
            args -> {
                try {
                    ControllerService.parseCrmadmin(args);
                    return new Answer(0, "(accepted)");
                } catch (UsageException e) {
                    return ToolDifferential.answer("crmadmin", e.status(), e.getMessage(), "");
                }
            });
        String report = ToolDifferential.report("crmadmin", rows);
        System.out.print(report);
        assertTrue(rows.stream().allMatch(Row::same), report);
    }
}
