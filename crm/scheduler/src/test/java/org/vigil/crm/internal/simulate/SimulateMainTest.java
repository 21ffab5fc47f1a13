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
        int rc = SimulateMain.run(args, new PrintStream(out, true), new PrintStream(err, true), TestClock.NOW,
            TestClock.ZONE);
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

    /**
     * What Debian's pcs runs before {@code pcs resource move} (pcs/lib/pacemaker/live.py simulate_cib_xml()):
     * {@code crm_simulate --simulate --save-output F --save-graph G --xml-pipe}, the CIB on standard input. The
     * graph is Pacemaker's XML (pcs reads synapse/action_set/rsc_op: operation, on_node, primitive id), and the saved
     * CIB is the one the simulated transition left: scheduling it again moves nothing.
     */
    @Test
    void xmlPipeSavesTheGraphAndTheSimulatedCibAsPcsReadsThem() throws Exception {
        Path f = corpusFile("1360");
        Path graph = tmp.resolve("graph.xml");
        Path output = tmp.resolve("out.xml");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = SimulateMain.run(new String[] {"--simulate", "--save-output", output.toString(), "--save-graph",
            graph.toString(), "--xml-pipe"}, Files.newInputStream(f), new PrintStream(out, true),
            new PrintStream(err, true), TestClock.NOW, TestClock.ZONE);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertEquals(expected("1360").stripTrailing(), out.toString(StandardCharsets.UTF_8).stripTrailing(),
            "the same text as from the file");

        org.w3c.dom.Document g = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(graph.toFile());
        assertEquals("transition_graph", g.getDocumentElement().getTagName());
        javax.xml.xpath.XPath xp = javax.xml.xpath.XPathFactory.newInstance().newXPath();
        org.w3c.dom.NodeList ops = (org.w3c.dom.NodeList) xp.evaluate("/transition_graph/synapse/action_set/rsc_op",
            g, javax.xml.xpath.XPathConstants.NODESET);
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (int i = 0; i < ops.getLength(); i++) {
            org.w3c.dom.Element op = (org.w3c.dom.Element) ops.item(i);
            org.w3c.dom.Element prim = (org.w3c.dom.Element) op.getElementsByTagName("primitive").item(0);
            Integer.parseInt(op.getAttribute("id"));
            seen.add(op.getAttribute("operation") + " " + prim.getAttribute("id") + "/" + prim.getAttribute("long-id")
                + " " + op.getAttribute("on_node"));
        }
        // "Move dollies:0 ( ssgtest1a -> ssgtest1b )": a stop on the one and a start on the other (an anonymous
        // clone's instance: the clone's name as id, the instance as long-id, as add_resource_details() writes them)
        assertTrue(seen.contains("stop dollies/dollies:0 ssgtest1a"), seen.toString());
        assertTrue(seen.contains("start dollies/dollies:0 ssgtest1b"), seen.toString());

        Run again = run("-x", output.toString());
        assertEquals(0, again.rc(), again.err());
        assertTrue(again.out().endsWith("Transition Summary:\n"), "nothing left to do: " + again.out());
        assertEquals(64, run("-x", f.toString(), "--xml-pipe").rc(), "a file and the pipe at once");
    }

    /** Usage errors in GLib's wording with CRM_EX_USAGE, as Pacemaker 2.1.5's crm_simulate answers them. */
    @Test
    void usageErrors() {
        assertEquals(64, run().rc());
        Run r = run("-x");
        assertEquals(64, r.rc());
        assertEquals("crm_simulate: Missing argument for -x", r.err().strip());
        r = run("--frobnicate");
        assertEquals(64, r.rc());
        assertEquals("crm_simulate: Unknown option --frobnicate", r.err().strip());
        assertEquals("crm_simulate: Unknown option -Z", run("-SZ").err().strip());
        assertEquals("crm_simulate: Unknown option --sim", run("--sim").err().strip(), "no abbreviations in GLib");
        assertEquals("crm_simulate: Missing argument for --save-output", run("-S", "--save-output").err().strip());
        for (String help : new String[] {"--help", "-h", "-?", "-Sh"}) {
            r = run(help);
            assertEquals(0, r.rc(), help);
            assertTrue(r.out().startsWith("Usage:\n  crm_simulate [OPTION?]"), help + ": " + r.out());
        }
        r = run("-x", "f.xml", "--node-up", "n1");
        assertEquals(64, r.rc());
        assertEquals("crm_simulate: --node-up is not offered by Vigil's crm_simulate", r.err().strip());
        assertEquals(0, run("--version").rc());
    }

    /** -X (--in-place) simulates and writes the result back to the input file. */
    @Test
    void inPlaceWritesTheSimulatedCibBack() throws Exception {
        Path f = corpusFile("1360");
        String before = Files.readString(f);
        Run r = run("-X", "-x", f.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("Revised Cluster Status"), r.out());
        assertTrue(!Files.readString(f).equals(before), "the file is the simulated CIB now");
        assertTrue(run("-x", f.toString()).out().endsWith("Transition Summary:\n"), "nothing left to do");
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

    /**
     * This module's classes and the CRM API's, as the child JVM's class path, with what the bundle's jar copies in
     * (the option parser and Commons CLI) and the kernel's API (the node's class path).
     */
    private static final List<Path> CLASSPATH = List.of(Path.of("target/classes").toAbsolutePath(),
        Path.of("../api/target/classes").toAbsolutePath(),
        ToolProcess.codeSource(org.vigil.crm.toolsupport.ToolOptions.class),
        ToolProcess.codeSource(org.apache.commons.cli.CommandLine.class),
        ToolProcess.codeSource(org.vigil.kernel.api.command.UsageException.class));

    /** The kernel's jar is found on a class path (the node's: the launcher puts kernel.jar there), a jar or a dir. */
    @Test
    void theKernelApiIsFoundOnTheClassPath() throws Exception {
        String resource = "org/vigil/kernel/api/command/UsageException.class";
        Path kernel = ToolProcess.codeSource(org.vigil.kernel.api.command.UsageException.class);
        Path jar = tmp.resolve("kernel.jar");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new java.util.zip.ZipEntry(resource));
            z.closeEntry();
        }
        String sep = java.io.File.pathSeparator;
        assertEquals(jar.toAbsolutePath(), ToolProcess.onClassPath(tmp.resolve("none.jar") + sep + tmp + sep + jar,
            resource));
        if (Files.isDirectory(kernel)) {
            assertEquals(kernel, ToolProcess.onClassPath("" + sep + kernel, resource));
        }
        assertEquals(null, ToolProcess.onClassPath(tmp.toString(), resource));
    }

    /** The node's crm_simulate runs the same code, in a child JVM, with files relative to the admin's directory. */
    @Test
    void theAdminCommandRunsTheSameCodeInAChildJvm() throws Exception {
        Path f = corpusFile("1360");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CrmSimulateCommand cmd = new CrmSimulateCommand(ToolProcess.ofClasspath(CLASSPATH));
        int rc = cmd.execute(List.of("-x", f.getFileName().toString(), "-S"),
            new org.vigil.kernel.api.command.CommandContext(f.getParent().toAbsolutePath()), new PrintStream(out, true),
            new PrintStream(err, true));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertEquals(expected("1360").stripTrailing(), out.toString(StandardCharsets.UTF_8).stripTrailing());
    }

    /**
     * A CIB whose model does not fit the tool's heap ends the child, not the caller, with a message that says so
     * (the node's crm_simulate used to run in the node's own heap: a 50 MB CIB ended the node).
     */
    @Test
    void aCibTooLargeForTheToolsHeapEndsTheChildNotTheCaller() throws Exception {
        Path big = tmp.resolve("big.xml");
        StringBuilder b = new StringBuilder("<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" "
            + "validate-with=\"pacemaker-3.9\"><configuration><crm_config/><nodes/><resources>\n");
        for (int i = 0; i < 120_000; i++) {
            b.append("<primitive id=\"r").append(i).append("\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
                + "<instance_attributes id=\"r").append(i).append("-ia\"><nvpair id=\"r").append(i)
                .append("-ia-p\" name=\"fake\" value=\"x\"/></instance_attributes></primitive>\n");
        }
        b.append("</resources><constraints/></configuration><status/></cib>\n");
        Files.writeString(big, b);
        String old = System.getProperty(ToolProcess.HEAP_PROPERTY);
        System.setProperty(ToolProcess.HEAP_PROPERTY, "24m");
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CrmSimulateCommand cmd = new CrmSimulateCommand(ToolProcess.ofClasspath(CLASSPATH));
            int rc = cmd.execute(List.of("-x", big.toString(), "-S"), new PrintStream(out, true),
                new PrintStream(err, true));
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(3, rc, e);
            assertTrue(e.contains("needs more than the 24m of memory this tool may use"), e);
        } finally {
            if (old == null) {
                System.clearProperty(ToolProcess.HEAP_PROPERTY);
            } else {
                System.setProperty(ToolProcess.HEAP_PROPERTY, old);
            }
        }
    }
}
