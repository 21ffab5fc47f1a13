package org.vigil.crm.attrd.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.crm.attrd.internal.DirectAttrd;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AttrdUpdaterCommandTest {

    final DirectAttrd attrd = new DirectAttrd();
    final AttrdUpdaterCommand tool = new AttrdUpdaterCommand(attrd);

    Run run(String... args) throws Exception {
        return Run.of(tool, args);
    }

    @Test
    void anUpdateIsSilentAndAQueryPrintsPacemakersLine() throws Exception {
        assertEquals(new Run(0, "", ""), run("-n", "pingd", "-U", "1000"));
        assertEquals(new Run(0, "name=\"pingd\" host=\"alpha\" value=\"1000\"\n", ""), run("-n", "pingd", "-Q"));
        assertEquals(new Run(0, "name=\"pingd\" host=\"alpha\" value=\"1000\"\n", ""), run("--name=pingd"),
            "query is the default command");
        assertTrue(attrd.cib.status().contains("name=\"pingd\" value=\"1000\""), attrd.cib.status());
    }

    @Test
    void dashVIsTheOldSpellingOfUpdateAndTheDelayHoldsTheWriteBack() throws Exception {
        assertEquals(0, run("-n", "pingd", "-v", "5", "-d", "5s").status());
        assertEquals("name=\"pingd\" host=\"alpha\" value=\"5\"\n", run("-n", "pingd", "-Q").out(),
            "attrd answers the held value at once");
        assertFalse(attrd.cib.status().contains("pingd"));
        attrd.advance(5000);
        assertTrue(attrd.cib.status().contains("value=\"5\""), attrd.cib.status());
    }

    @Test
    void allNodesAreListedByName() throws Exception {
        run("-n", "pingd", "-U", "1", "-N", "bravo");
        run("-n", "pingd", "-U", "2");
        assertEquals("name=\"pingd\" host=\"alpha\" value=\"2\"\nname=\"pingd\" host=\"bravo\" value=\"1\"\n",
            run("-n", "pingd", "-Q", "-A").out());
        assertEquals("name=\"pingd\" host=\"bravo\" value=\"1\"\n", run("-n", "pingd", "-Q", "-N", "bravo").out());
    }

    @Test
    void aDeletedValueLeavesTheCibAndTheQueryShowsItEmpty() throws Exception {
        run("-n", "pingd", "-U", "1");
        assertEquals(new Run(0, "", ""), run("-n", "pingd", "-D"));
        assertFalse(attrd.cib.status().contains("pingd"), attrd.cib.status());
        assertEquals("name=\"pingd\" host=\"alpha\" value=\"\"\n", run("-n", "pingd", "-Q").out());
    }

    @Test
    void aQueryOfAnAttributeNobodyHasFailsWithPacemakersExitCode() throws Exception {
        assertEquals(new Run(78, "", "attrd_updater: Could not query value of nope: attribute does not exist\n"),
            run("-n", "nope", "-Q"));
    }

    @Test
    void usageErrorsExitWith64() throws Exception {
        assertEquals(new Run(64, "", "attrd_updater: Command requires --name argument\n"), run("-U", "1"));
        assertEquals(new Run(64, "", "attrd_updater: Unknown option --bogus\n"), run("-n", "x", "--bogus"));
        assertEquals(new Run(64, "", "attrd_updater: Unknown value for --lifetime: bogus\n"),
            run("-n", "x", "-l", "bogus", "-U", "1"));
        assertEquals(64, run("-n", "x", "-U", "1", "-d", "soon").status());
        assertEquals(new Run(64, "", "attrd_updater: Missing argument for -n\n"), run("-n"));
        assertEquals(new Run(64, "", "attrd_updater: Missing argument for --name\n"), run("--name"));
    }

    @Test
    void updateBothWithoutADelayWarnsAndStillUpdates() throws Exception {
        assertEquals(new Run(0, "Warning: 'B' command given without required --delay\n", ""), run("-n", "x", "-B", "3"));
        assertTrue(attrd.cib.status().contains("value=\"3\""));
    }

    @Test
    void theLastCommandGivenWins() throws Exception {
        assertEquals(new Run(0, "", ""), run("-n", "x", "-Q", "-U", "4"));
        assertTrue(attrd.cib.status().contains("value=\"4\""));
    }

    @Test
    void anUnknownNodeIsAnError() throws Exception {
        Run r = run("-n", "x", "-U", "1", "-N", "zulu");
        assertEquals(105, r.status());
        assertTrue(r.err().startsWith("attrd_updater: Could not update x=1: "), r.err());
    }

    @Test
    void aPrivateValueIsAnsweredButNeverWritten() throws Exception {
        run("-n", "secret", "-U", "9", "-p");
        assertEquals("name=\"secret\" host=\"alpha\" value=\"9\"\n", run("-n", "secret", "-Q").out());
        assertFalse(attrd.cib.status().contains("secret"));
    }

    @Test
    void aSetAndARefreshReachTheCib() throws Exception {
        run("-n", "x", "-B", "1", "-d", "1h", "-s", "my-set");
        assertFalse(attrd.cib.status().contains("my-set"));
        assertEquals(new Run(0, "", ""), run("-R"));
        assertTrue(attrd.cib.status().contains("<instance_attributes id=\"my-set\"><nvpair id=\"my-set-x\" name=\"x\" "
            + "value=\"1\"/>"), attrd.cib.status());
    }

    // ---- --output-as xml

    @Test
    void anXmlQueryPrintsPacemakersResultDocument() throws Exception {
        run("-n", "pingd", "-U", "1", "-N", "bravo");
        run("-n", "pingd", "-U", "2");
        assertEquals(new Run(0, """
            <pacemaker-result api-version="2.25" request="attrd_updater -n pingd -Q -A --output-as xml">
              <attribute name="pingd" value="2" host="alpha"/>
              <attribute name="pingd" value="1" host="bravo"/>
              <status code="0" message="OK"/>
            </pacemaker-result>
            """, ""), run("-n", "pingd", "-Q", "-A", "--output-as", "xml"));
        assertEquals(new Run(0, "name=\"pingd\" host=\"alpha\" value=\"2\"\n", ""),
            run("-n", "pingd", "-Q", "--output-as=text"));
    }

    @Test
    void xmlErrorsGoIntoTheStatusElement() throws Exception {
        assertEquals(new Run(78, """
            <pacemaker-result api-version="2.25" request="attrd_updater -n 'no such' -Q --output-as=xml">
              <status code="78" message="Invalid configuration">
                <errors>
                  <error>attrd_updater: Could not query value of no such: attribute does not exist</error>
                </errors>
              </status>
            </pacemaker-result>
            """, ""), run("-n", "no such", "-Q", "--output-as=xml"));
        assertEquals(new Run(0, """
            <pacemaker-result api-version="2.25" request="attrd_updater -n x -B 3 --output-as xml">
              <status code="0" message="OK"/>
            </pacemaker-result>
            """, ""), run("-n", "x", "-B", "3", "--output-as", "xml"), "no warning line in XML");
    }

    /** The command lines Pacemaker's attrd_updater answers without a running attrd: the same output. */
    @Test
    void xmlAndFormatErrorsAreThoseOfPacemakersAttrdUpdater() throws Exception {
        java.nio.file.Path exe = java.nio.file.Path.of("/usr/sbin/attrd_updater");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(exe)
            || Boolean.getBoolean("vigil.systemTests"), "Pacemaker's attrd_updater is not installed");
        for (List<String> args : List.of(List.of("-Q", "--output-as", "xml"), List.of("-U", "3", "--output-as=xml"),
            List.of("--output-as", "json", "-Q", "-n", "x"), List.of("-Q"), List.of("-D", "--output-as", "text"))) {
            ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of("attrd_updater")));
            pb.command().addAll(args);   // by name, so that the request attribute says attrd_updater
            pb.environment().put("PATH", exe.getParent() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin"));
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(new Run(p.exitValue(), out, err), run(args.toArray(new String[0])), String.join(" ", args));
        }
    }

    /** Pacemaker's schema of {@code <pacemaker-result>} accepts the documents (checked with xmllint when there). */
    @Test
    void xmlOutputIsValidAgainstPacemakersApiSchema() throws Exception {
        java.nio.file.Path rng = java.nio.file.Path.of("/usr/share/pacemaker/api/api-result-2.25.rng");
        java.nio.file.Path xmllint = java.nio.file.Path.of("/usr/bin/xmllint");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(rng)
            && java.nio.file.Files.isExecutable(xmllint), "Pacemaker's API schema or xmllint is not installed");
        run("-n", "pingd", "-U", "1", "-N", "bravo");
        run("-n", "pingd", "-U", "2");
        for (Run r : List.of(run("-n", "pingd", "-Q", "-A", "--output-as", "xml"),
            run("-n", "nope", "-Q", "--output-as", "xml"), run("-Q", "--output-as", "xml"))) {
            java.nio.file.Path doc = java.nio.file.Files.createTempFile("attrd-updater", ".xml");
            try {
                java.nio.file.Files.writeString(doc, r.out());
                Process p = new ProcessBuilder(xmllint.toString(), "--noout", "--relaxng", rng.toString(),
                    doc.toString()).redirectErrorStream(true).start();
                String report = new String(p.getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), report + "\n" + r.out());
            } finally {
                java.nio.file.Files.delete(doc);
            }
        }
    }
}
