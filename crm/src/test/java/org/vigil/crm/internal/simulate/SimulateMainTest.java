package org.vigil.crm.internal.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of {@code vigil simulate} / {@code crm_simulate}, and its admin-command form. */
class SimulateMainTest {

    @TempDir
    Path tmp;

    private record Run(int rc, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = SimulateMain.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path corpusFile(String name) throws Exception {
        Path f = tmp.resolve(name + ".xml");
        try (InputStream in = getClass().getResourceAsStream("/pacemaker-scheduler/xml/" + name + ".xml")) {
            Files.copy(in, f);
        }
        return f;
    }

    private static String expected(String name) throws Exception {
        try (InputStream in = SimulateMainTest.class.getResourceAsStream(
            "/pacemaker-scheduler/summary/" + name + ".summary")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void simulateWithDashSPrintsWhatCrmSimulatePrints() throws Exception {
        // 1360: a group and a clone instance moving; the whole -S output is byte-for-byte crm_simulate's
        Path f = corpusFile("1360");
        Run r = run("--xml-file", f.toString(), "-S");
        assertEquals(0, r.rc(), r.err());
        assertEquals(expected("1360").stripTrailing(), r.out().stripTrailing());
    }

    @Test
    void crmSimulateSpellingAndRunWithoutSimulation() throws Exception {
        Path f = corpusFile("10-a-then-bm-b-move-a-clone");
        Run r = run("-x", f.toString());
        assertEquals(0, r.rc());
        assertTrue(r.out().contains("Current cluster status:") && r.out().contains("Transition Summary:"));
        assertTrue(!r.out().contains("Revised Cluster Status"));
        assertTrue(r.out().contains("  * Migrate    vm            ( f20node1 -> f20node2 )"), r.out());
    }

    @Test
    void showScoresPrintsAllocationScores() throws Exception {
        Path f = corpusFile("10-a-then-bm-b-move-a-clone");
        Run r = run("-x", f.toString(), "--show-scores");
        assertEquals(0, r.rc());
        assertTrue(r.out().contains("Allocation Scores:\npcmk__"), r.out());
        assertTrue(r.out().contains("pcmk__primitive_assign: vm allocation score on f20node2: 0"), r.out());
    }

    @Test
    void usageErrors() {
        assertEquals(2, run().rc());
        assertEquals(2, run("-x").rc());
        Run r = run("--frobnicate");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("unknown option '--frobnicate'"));
        assertEquals(0, run("--help").rc());
    }

    @Test
    void batchModeWritesOneResultPerCase() throws Exception {
        Path in = Files.createDirectory(tmp.resolve("in"));
        Files.move(corpusFile("1360"), in.resolve("1360.xml"));
        Files.writeString(in.resolve("broken.xml"), "<cib>");
        Path out = tmp.resolve("out");
        Run r = run("--batch", in.toString(), "--out", out.toString(), "-S");
        assertEquals(0, r.rc(), r.err());
        assertEquals(expected("1360").stripTrailing(), Files.readString(out.resolve("1360.txt")).stripTrailing());
        assertTrue(Files.readString(out.resolve("broken.txt")).startsWith("ERROR: "));
        assertTrue(r.err().contains("2 files, 1 errors"), r.err());
    }

    @Test
    void theAdminCommandRunsTheSameCode() throws Exception {
        Path f = corpusFile("1360");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new CrmSimulateCommand().execute(List.of("-x", f.toString(), "-S"), new PrintStream(out, true),
            new PrintStream(err, true));
        assertEquals(0, rc);
        assertEquals(expected("1360").stripTrailing(), out.toString(StandardCharsets.UTF_8).stripTrailing());
    }
}
