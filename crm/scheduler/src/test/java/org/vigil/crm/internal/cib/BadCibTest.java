package org.vigil.crm.internal.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.CibException;
import org.vigil.crm.internal.simulate.SimulateMain;
import org.vigil.crm.internal.simulate.TestClock;

/**
 * Bad CIBs: each gives a clear error naming the place (file:line:column) with crm_simulate's exit status 78, or,
 * where Pacemaker only warns, a warning and a normal run; never an exception trace.
 */
class BadCibTest {

    @TempDir
    Path tmp;

    private static String resource(String name) throws IOException {
        try (InputStream in = BadCibTest.class.getResourceAsStream("/bad/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A valid two-node CIB with CONS replaced in its constraints section. */
    private static String withConstraints(String cons) throws IOException {
        return resource("template.xml").replace("CONS", cons);
    }

    private record Run(int rc, String out, String err) {
    }

    private Run simulate(String xml) throws IOException {
        Path f = tmp.resolve("cib.xml");
        Files.writeString(f, xml);
        return simulateFile(f);
    }

    private static Run simulateFile(Path f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = SimulateMain.run(new String[] {"-x", f.toString(), "-S"}, new PrintStream(out, true),
            new PrintStream(err, true), TestClock.NOW, TestClock.ZONE);
        Run r = new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "stack trace or exception: "
            + r.err());
        return r;
    }

    private static CibException parseError(String xml) {
        return assertThrows(CibException.class, () -> {
            XmlElement root = new CibParser(1 << 26).parse(new ByteArrayInputStream(
                xml.getBytes(StandardCharsets.UTF_8)), "cib.xml");
            CibChecker.check(root, "cib.xml");
        });
    }

    @Test
    void malformedXmlNamesLineAndColumn() {
        CibException e = parseError("<cib>\n  <configuration>\n    <nodes>\n  </configuration>\n</cib>\n");
        assertEquals(4, e.line());
        assertTrue(e.column() > 0);
        assertTrue(e.getMessage().startsWith("cib.xml:4:"), e.getMessage());
        assertTrue(e.getMessage().contains("malformed XML"), e.getMessage());
    }

    @Test
    void theSeedFragmentIsRefusedWithAClearError() throws IOException {
        Path f = tmp.resolve("cib-fragment.xml");
        Files.writeString(f, resource("cib-fragment.xml"));
        Run r = simulateFile(f);
        assertEquals(78, r.rc());
        assertTrue(r.err().startsWith("simulate: " + f + ":7:"), r.err());
        assertTrue(r.err().contains("cluster_property_set"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownElementIsAnErrorAtItsPlace() throws IOException {
        Run r = simulate(withConstraints("<foo id=\"x\"/>"));
        assertEquals(78, r.rc());
        assertTrue(r.err().contains("cib.xml:17:7: element <foo> is not allowed in <constraints>"), r.err());
    }

    @Test
    void unknownElementInResourcesIsAnError() {
        CibException e = parseError("<cib><configuration><crm_config/><nodes/><resources>\n<primitve id=\"a\"/>"
            + "</resources><constraints/></configuration></cib>");
        assertEquals(2, e.line());
        assertTrue(e.detail().contains("<primitve> is not allowed in <resources>"), e.detail());
    }

    @Test
    void danglingIdRefIsAnError() throws IOException {
        Run r = simulate(withConstraints("<rsc_location id=\"l1\" rsc=\"A\"><rule id-ref=\"nope\"/></rsc_location>"));
        assertEquals(78, r.rc());
        assertTrue(r.err().contains(":17:") && r.err().contains("id-ref") && r.err().contains("'nope'"), r.err());
    }

    @Test
    void constraintOnAMissingResourceIsAnError() throws IOException {
        Run r = simulate(withConstraints("<rsc_location id=\"l1\" rsc=\"Nope\" node=\"node1\" score=\"10\"/>"));
        assertEquals(78, r.rc());
        assertTrue(r.err().contains("attribute rsc of <rsc_location> references an unknown id 'Nope'"), r.err());
    }

    @Test
    void constraintOnAnIdThatIsNotAResourceIsIgnoredWithAWarning() throws IOException {
        Run r = simulate(withConstraints("<rsc_location id=\"l1\" rsc=\"o1\" node=\"node1\" score=\"10\"/>"));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("warning: Ignoring constraint 'l1'"), r.err());
        assertTrue(r.out().contains("Transition Summary:"), r.out());
        assertTrue(r.out().contains("Start      A"), r.out());
    }

    @Test
    void scoreInfinityXIsAnError() throws IOException {
        Run r = simulate(withConstraints("<rsc_location id=\"l1\" rsc=\"A\" node=\"node1\" score=\"INFINITYX\"/>"));
        assertEquals(78, r.rc());
        assertTrue(r.err().contains("score 'INFINITYX' of <rsc_location> is not an integer"), r.err());
    }

    @Test
    void duplicateIdIsAnError() throws IOException {
        Run r = simulate(withConstraints("<rsc_location id=\"A\" rsc=\"A\" node=\"node1\" score=\"10\"/>"));
        assertEquals(78, r.rc());
        assertTrue(r.err().contains("id 'A' of <rsc_location> is already used by <primitive> at line 13"), r.err());
    }

    @Test
    void oversizedAttributeIsRefusedWhileReading() {
        String big = "x".repeat(CibParser.MAX_ATTRIBUTE_CHARS + 10);
        CibException e = parseError("<cib>\n<configuration description=\"" + big + "\"/></cib>");
        assertEquals(2, e.line());
        assertTrue(e.detail().contains("attribute"), e.detail());
    }

    @Test
    void documentLargerThanTheCapIsRefusedWithoutReadingItAll() {
        InputStream endless = new InputStream() {
            private long served;
            private final byte[] head = "<cib><configuration description=\"".getBytes(StandardCharsets.UTF_8);

            @Override
            public int read() {
                served++;
                if (served > (4L << 30)) {
                    return -1;
                }
                return served <= head.length ? head[(int) served - 1] : 'x';
            }
        };
        CibException e = assertThrows(CibException.class, () -> new CibParser(1 << 20).parse(endless, "big.xml"));
        assertTrue(e.getMessage().contains("big.xml"), e.getMessage());
        assertTrue(e.detail().contains("larger than the limit") || e.detail().contains("attribute"), e.detail());
    }

    @Test
    void aGigabyteFileIsRefusedBeforeReadingIt() throws IOException {
        Path f = tmp.resolve("huge.xml");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.write("<cib><configuration description=\"".getBytes(StandardCharsets.UTF_8));
            raf.setLength(1L << 30); // sparse: a 1 GiB attribute value without writing it
        }
        Run r = simulateFile(f);
        assertEquals(78, r.rc());
        assertTrue(r.err().contains("huge.xml") && r.err().contains("larger than the limit"), r.err());
    }

    @Test
    void anOversizedAttributeInAnOrdinaryFileNamesItsPlace() throws IOException {
        String xml = withConstraints("<rsc_location id=\"l1\" rsc=\"A\" node=\"node1\" score=\"10\" description=\""
            + "y".repeat(CibParser.MAX_ATTRIBUTE_CHARS + 1) + "\"/>");
        Run r = simulate(xml);
        assertEquals(78, r.rc());
        assertTrue(r.err().contains("cib.xml:17:7: attribute 'description' of <rsc_location>"), r.err());
    }

    @Test
    void externalEntitiesAndDtdsAreNotRead() throws IOException {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "TOPSECRET");
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE cib [<!ENTITY x SYSTEM \"file://" + secret + "\">]>\n"
            + "<cib><configuration><crm_config/><nodes/><resources/><constraints/></configuration>"
            + "<status>&x;</status></cib>";
        Run r = simulate(xml);
        assertEquals(78, r.rc());
        assertFalse(r.out().contains("TOPSECRET") || r.err().contains("TOPSECRET"));
        assertTrue(r.err().contains("cib.xml:"), r.err());
    }

    @Test
    void emptyAndNonCibDocumentsAreErrors() throws IOException {
        assertEquals(78, simulate("").rc());
        Run r = simulate("<configuration/>");
        assertEquals(78, r.rc());
        assertTrue(r.err().contains("not <cib>"), r.err());
        assertEquals(78, simulate("\u0000\u0001binary").rc());
    }

    @Test
    void missingFileIsReported() {
        Run r = simulateFile(tmp.resolve("absent.xml"));
        assertEquals(66, r.rc());
        assertTrue(r.err().contains("absent.xml") && r.err().contains("no such file"), r.err());
    }

    @Test
    void validatesWithNoneSkipsTheSchemaChecks() throws IOException {
        String xml = withConstraints("<foo id=\"x\"/>").replace("validate-with=\"pacemaker-3.7\"",
            "validate-with=\"none\"");
        Run r = simulate(xml);
        assertEquals(0, r.rc(), r.err());
    }

    @Test
    void garbageInStatusNumbersDoesNotBreakTheScheduler() throws IOException {
        String xml = withConstraints("").replace("<node_state id=\"1\" uname=\"node1\" in_ccm=\"true\"",
            "<node_state id=\"1\" uname=\"node1\" in_ccm=\"yes-ish\"")
            .replace("expected=\"member\"/>\n    <node_state id=\"2\"",
                "expected=\"member\"><lrm id=\"1\"><lrm_resources><lrm_resource id=\"A\" class=\"ocf\" "
                + "provider=\"pacemaker\" type=\"Dummy\"><lrm_rsc_op id=\"A_last_0\" operation=\"start\" "
                + "call-id=\"x\" rc-code=\"banana\" op-status=\"\" interval=\"-5\" last-rc-change=\"soon\"/>"
                + "</lrm_resource></lrm_resources></lrm></node_state>\n    <node_state id=\"2\"");
        Run r = simulate(xml);
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("Transition Summary:"));
    }
}
