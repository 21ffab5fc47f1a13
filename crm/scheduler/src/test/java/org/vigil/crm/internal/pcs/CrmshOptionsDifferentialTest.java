package org.vigil.crm.internal.pcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.toolsupport.ToolDifferential;
import org.vigil.crm.toolsupport.ToolDifferential.Answer;
import org.vigil.crm.toolsupport.ToolDifferential.Row;
import org.vigil.kernel.api.command.CommandContext;

/**
 * crmsh 4.4.1 (.ci/packages) and Vigil's crm on the same bad command lines: the same exit status and the same
 * error line (the last of standard error: argparse prints its usage first; crmsh's "ERROR: level.command: ..."),
 * crm's own options (argparse) and the subcommands' words and options as crmsh checks them. The real crm works on a
 * copy of a corpus CIB ({@code CIB_file}), Vigil's on the same file ({@code --cib-file}). crmsh is a Python program:
 * about 0.5 s a line.
 */
class CrmshOptionsDifferentialTest {

    @TempDir
    Path tmp;

    /** Refused by crm's own parser (argparse) or its parse_options(), before any CIB is read. */
    static final List<List<String>> OPTIONS = List.of(List.of("-f"), List.of("-X"), List.of("--scriptdir"),
        List.of("--d", "plain", "status"), List.of("-wZ", "status"), List.of("--wait=1", "status"),
        List.of("--opt=a", "status"), List.of("-o", "a.b=c=d", "status"), List.of("-D", "bogus", "status"),
        List.of("--cib=", "status"), List.of("-X", " ", "status"), List.of("--vers"), List.of("-dh"),
        List.of("-f", "-w", "status"));

    /** Refused by the subcommands (crmsh's argument counts, its move/ban and node parsers, crm_mon's options). */
    static final List<List<String>> SUBCOMMANDS = List.of(List.of("resource", "clear"), List.of("resource", "move"),
        List.of("resource", "move", "child_rsc1", "a", "b", "c"), List.of("resource", "move", "child_rsc1"),
        List.of("resource", "migrate", "child_rsc1", "nowhere", "forever"), List.of("resource", "start"),
        List.of("resource", "cleanup", "a", "b", "c", "d"), List.of("resource", "bogus"), List.of("bogus"),
        List.of("configure", "bogus"), List.of("configure", "show", "--cib-file"), List.of("configure", "show",
            "child_rsc1", "nosuch"), List.of("status", "full", "--bogus=1"),
        List.of("node", "standby", "node1", "--all"), List.of("node", "standby", "--bogus"),
        List.of("-F", "--bogus", "resource", "clear"));

    @Test
    void badCommandLinesAsCrmsh() throws Exception {
        if (!ToolDifferential.installed("crm", "crmsh")) {
            return;
        }
        Path cib = tmp.resolve("cib.xml");
        Files.copy(PcsDifferentialTest.CORPUS.resolve("group1.xml"), cib);
        String before = Files.readString(cib);
        List<Row> rows = new ArrayList<>();
        for (List<String> args : OPTIONS) {
            rows.add(new Row(args, ToolDifferential.real("crm", args, Map.of(), true), vigil(args, null)));
        }
        for (List<String> args : SUBCOMMANDS) {
            rows.add(new Row(args, ToolDifferential.real("crm", args, Map.of("CIB_file", cib.toString()), true),
                vigil(args, cib)));
        }
        String report = ToolDifferential.report("crm", rows);
        System.out.print(report);
        Files.writeString(Path.of("target/crm-options-differential.txt"), report);
        assertEquals(before, Files.readString(cib), "a refused line changed the CIB");
        assertTrue(rows.stream().allMatch(Row::same), report);
    }

    /** Vigil's crm on ARGS (on FILE with --cib-file, if given), its answer as the real tool's is read. */
    private static Answer vigil(List<String> args, Path file) {
        List<String> a = new ArrayList<>();
        if (file != null) {
            a.addAll(List.of("--cib-file", file.toString()));
        }
        a.addAll(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = new CrmshCommand(null, org.vigil.crm.internal.tools.ToolClock.SYSTEM).execute(a,
                new CommandContext(Path.of("").toAbsolutePath()), o, e);
        } catch (Exception x) {
            throw new AssertionError(x);
        }
        return ToolDifferential.answer("crm", status, err.toString(StandardCharsets.UTF_8),
            out.toString(StandardCharsets.UTF_8), true);
    }
}
