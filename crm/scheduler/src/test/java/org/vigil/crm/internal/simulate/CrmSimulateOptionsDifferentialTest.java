package org.vigil.crm.internal.simulate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.toolsupport.ToolDifferential;
import org.vigil.crm.toolsupport.ToolDifferential.Row;

/**
 * Pacemaker 2.1.5's crm_simulate (.ci/packages) and Vigil's on the same bad command lines: the same exit status
 * and first error line (GLib's wording, CRM_EX_USAGE), refused before any CIB is read. Well under a second.
 */
class CrmSimulateOptionsDifferentialTest {

    @Test
    void badCommandLinesAsCrmSimulate() throws Exception {
        if (!ToolDifferential.installed("crm_simulate", "pacemaker-cli-utils")) {
            return;
        }
        List<Row> rows = ToolDifferential.compare("crm_simulate", List.of(List.of("--bogus"), List.of("-Z"),
            List.of("-x"), List.of("--xml-file"), List.of("-SZ"), List.of("-Sx"), List.of("--sim"),
            List.of("--save-output"), List.of("-O"), List.of("-N"), List.of("-q"), List.of("-R", "-x"),
            List.of("-S", "--bogus=1"), List.of("--output-as=bogus"), List.of("-h"), List.of("-?"), List.of("-Sh"),
            List.of("--help"), List.of("-s", "--save-graph"), List.of("--xml-pipe", "-I")),
            args -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int rc = SimulateMain.run(args.toArray(new String[0]), new PrintStream(out, true),
                    new PrintStream(err, true), TestClock.NOW, TestClock.ZONE);
                return ToolDifferential.answer("crm_simulate", rc, err.toString(StandardCharsets.UTF_8),
                    out.toString(StandardCharsets.UTF_8));
            });
        String report = ToolDifferential.report("crm_simulate", rows);
        System.out.print(report);
        assertTrue(rows.stream().allMatch(Row::same), report);
    }
}
