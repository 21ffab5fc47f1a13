package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.cib.internal.PacemakerTools;
import org.vigil.crm.cib.internal.validate.CibValidator;

/**
 * {@code crm_verify}: schema validation, then the scheduler's configuration checks, with Pacemaker's summary lines
 * and exit codes, compared with Pacemaker 2.1.5's {@code crm_verify -x} on hand-made cases and on CIBs of its own
 * scheduler corpus; the live CIB ({@code -L}); and what happens without the scheduler bundle.
 */
class CrmVerifyCommandTest {

    @TempDir
    Path tmp;

    static final String CLEAN = """
        <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="3" num_updates="0" admin_epoch="0">
          <configuration>
            <crm_config>
              <cluster_property_set id="cib-bootstrap-options">
                <nvpair id="opt-se" name="stonith-enabled" value="false"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="1" uname="alpha"/>
            </nodes>
            <resources>
              <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
                <instance_attributes id="vip-ia">
                  <nvpair id="vip-ip" name="ip" value="10.0.0.1"/>
                </instance_attributes>
              </primitive>
            </resources>
            <constraints/>
          </configuration>
          <status/>
        </cib>
        """;

    /** Fencing on, no fencing device: Pacemaker's most common configuration error. */
    static final String NO_STONITH = CLEAN.replace("value=\"false\"", "value=\"true\"");
    /** An attribute the schema does not allow. */
    static final String INVALID = CLEAN.replace("<primitive id=\"vip\"", "<primitive id=\"vip\" bogus=\"1\"");
    /** A target-role that is no role: a configuration error of the scheduler. */
    static final String BAD_ROLE = CLEAN.replace("</primitive>", "<meta_attributes id=\"vip-meta\"><nvpair "
        + "id=\"vip-tr\" name=\"target-role\" value=\"bogus\"/></meta_attributes></primitive>");

    private CrmVerifyCommand command(PolicyEngine pe) throws Exception {
        return new CrmVerifyCommand(new LoopbackCib(XmlText.parse(CLEAN, "t")), pe, CibValidator.standard());
    }

    /** The last lines of standard error: the summary (and the -V hint), what both tools print alike. */
    private static String summary(String err) {
        List<String> lines = err.lines().toList();
        int from = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("crm_verify: ")) {
                from = i;
                break;
            }
        }
        return String.join("\n", lines.subList(from, lines.size()));
    }

    @Test
    void handMadeCasesGiveTheSameExitAndSummaryAsPacemakers() throws Exception {
        assumeTrue(PacemakerTools.available("crm_verify"), "Pacemaker's crm_verify is not installed");
        CrmVerifyCommand cmd = command(PolicyEngine.standard());
        Files.writeString(tmp.resolve("clean.xml"), CLEAN);
        Files.writeString(tmp.resolve("nostonith.xml"), NO_STONITH);
        Files.writeString(tmp.resolve("invalid.xml"), INVALID);
        Files.writeString(tmp.resolve("badrole.xml"), BAD_ROLE);
        Files.writeString(tmp.resolve("notcib.xml"), "<configuration/>");
        Files.writeString(tmp.resolve("broken.xml"), "<cib><configuration>");
        for (List<String> args : List.<List<String>>of(List.of("-x", "clean.xml"), List.of("-x", "nostonith.xml"),
            List.of("-x", "nostonith.xml", "-V"), List.of("-x", "invalid.xml"), List.of("-x", "invalid.xml", "-V"),
            List.of("-x", "badrole.xml"), List.of("--xml-file", "badrole.xml", "--verbose"),
            List.of("-x", "notcib.xml"), List.of("-x", "missing.xml"), List.of(),
            List.of("-X", CLEAN), List.of("-X", NO_STONITH))) {
            PacemakerTools.Run pm = PacemakerTools.run(tmp, Map.of(), "crm_verify", args);
            Commands.Result vg = Commands.run(cmd, tmp, args);
            assertEquals(pm.exit(), vg.exit(), args + "\nVigil: " + vg + "\nPacemaker: " + pm);
            assertEquals(summary(pm.err()), summary(vg.err()), args + "\nVigil: " + vg + "\nPacemaker: " + pm);
            assertEquals("", vg.out());
        }
    }

    @Test
    void malformedXmlIsRefusedNotRecovered() throws Exception {
        // deliberate difference: Pacemaker's parser recovers what it can of malformed XML (XML_PARSE_RECOVER) and
        // checks the guess; Vigil refuses the input as Pacemaker does for a file it cannot read at all
        Files.writeString(tmp.resolve("broken.xml"), "<cib><configuration>");
        Commands.Result r = Commands.run(command(PolicyEngine.standard()), tmp, "-x", "broken.xml");
        assertEquals(1, r.exit());
        assertEquals("crm_verify: Couldn't parse input file: broken.xml\n", r.err());
    }

    @Test
    void aSaveFileThatCannotBeWrittenIsReportedAndTheCheckGoesOnAsInPacemaker() throws Exception {
        Files.createDirectories(tmp.resolve("dir"));
        CrmVerifyCommand cmd = command(PolicyEngine.standard());
        Commands.Result r = Commands.run(cmd, tmp, "-L", "-S", "dir");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().startsWith("crm_verify: Cannot open dir for writing: "), r.err());
        Commands.Result missing = Commands.run(cmd, tmp, "-L", "-S", "no/such/dir/cib.xml");
        assertEquals("crm_verify: Cannot open no/such/dir/cib.xml for writing: No such file or directory\n",
            missing.err());
        Commands.Result nul = Commands.run(cmd, tmp, "-L", "-S", "a\0b");
        assertTrue(nul.err().startsWith("crm_verify: Cannot open a\0b for writing: "), nul.err());
        Commands.Result saved = Commands.run(cmd, tmp, "-L", "-S", "saved.xml");
        assertEquals("", saved.err());
        assertTrue(Files.readString(tmp.resolve("saved.xml")).startsWith("<cib"));
    }

    @Test
    void aFileNameWithANulCharacterCannotBeParsed() throws Exception {
        Commands.Result r = Commands.run(command(PolicyEngine.standard()), tmp, "-x", "cib\0.xml");
        assertEquals(1, r.exit());
        assertEquals("crm_verify: Couldn't parse input file: cib\0.xml\n", r.err());
    }

    @Test
    void verboseNamesTheErrorsTheSchemaAndTheSchedulerFound() throws Exception {
        CrmVerifyCommand cmd = command(PolicyEngine.standard());
        Files.writeString(tmp.resolve("invalid.xml"), INVALID);
        Commands.Result r = Commands.run(cmd, tmp, "-x", "invalid.xml", "-V");
        assertEquals(78, r.exit());
        assertTrue(r.err().contains("invalid.xml:"), r.err());
        assertTrue(r.err().contains("element primitive: Relax-NG validity error : "), r.err());
        assertTrue(r.err().contains("bogus"), r.err());
        assertTrue(r.err().contains("error: CIB did not pass schema validation\n"), r.err());
        Files.writeString(tmp.resolve("nostonith.xml"), NO_STONITH);
        Commands.Result s = Commands.run(cmd, tmp, "-x", "nostonith.xml", "-V");
        assertEquals("error: Resource start-up disabled since no STONITH resources have been defined\n"
            + "crm_verify: Errors found during check: config not valid\n", s.err().lines()
            .filter(l -> !l.startsWith("error: Either") && !l.startsWith("error: NOTE")).map(l -> l + "\n")
            .reduce("", String::concat));
    }

    /**
     * On the corpus, Vigil never reports a problem Pacemaker does not, and words it as Pacemaker does; Pacemaker
     * reports more (its scheduler's deprecation notices, "Blind faith", fencing it schedules, unexpected operation
     * results, duplicate operations), which Vigil's scheduler does not report yet: those are counted and listed, not
     * failed (see docs/design/cib.md).
     */
    @Test
    void onCorpusCibsVigilNeverReportsAProblemPacemakerDoesNot() throws Exception {
        assumeTrue(PacemakerTools.available("crm_verify"), "Pacemaker's crm_verify is not installed");
        CrmVerifyCommand cmd = command(PolicyEngine.standard());
        Path dir = Path.of(System.getProperty("vigil.root", "../..")).resolve(
            "crm/scheduler/src/test/resources/pacemaker-scheduler/xml");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = new ArrayList<>(s.filter(f -> f.toString().endsWith(".xml")).sorted().toList());
        }
        Collections.shuffle(files, new Random(78));
        List<String> wrong = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        int agree = 0;
        int vigilFound = 0;
        for (Path f : files.subList(0, 40)) {
            List<String> args = List.of("-x", f.toString());
            PacemakerTools.Run pm = PacemakerTools.run(tmp, Map.of(), "crm_verify", args);
            Commands.Result vg = Commands.run(cmd, tmp, args);
            String line = f.getFileName() + ": Vigil " + vg.exit() + " " + summary(vg.err()).replace('\n', ' ')
                + " / Pacemaker " + pm.exit() + " " + summary(pm.err()).replace('\n', ' ');
            if (vg.exit() != 0) {
                vigilFound++;
            }
            if (pm.exit() == vg.exit() && summary(pm.err()).equals(summary(vg.err()))) {
                agree++;
            } else if (vg.exit() == 0 && pm.exit() == 78) {
                missed.add(line);
            } else {
                wrong.add(line);
            }
        }
        System.out.println("crm_verify on the corpus: " + agree + " of 40 verdicts as Pacemaker's; not reported by "
            + "Vigil's scheduler yet:\n  " + String.join("\n  ", missed));
        assertTrue(wrong.isEmpty(), wrong.size() + " verdicts differ otherwise:\n" + String.join("\n", wrong));
        assertTrue(vigilFound > 0, "no corpus CIB had a problem Vigil found: the sample checks nothing");
        assertTrue(agree >= 30, "only " + agree + " of 40 verdicts agree");
    }

    @Test
    void theLiveCibIsCheckedWithMinusL() throws Exception {
        Commands.Result ok = Commands.run(command(PolicyEngine.standard()), tmp, "-L");
        assertEquals(0, ok.exit(), ok.toString());
        CrmVerifyCommand bad = new CrmVerifyCommand(new LoopbackCib(XmlText.parse(NO_STONITH, "t")),
            PolicyEngine.standard(), CibValidator.standard());
        Commands.Result r = Commands.run(bad, tmp, "-L");
        assertEquals(78, r.exit());
        assertEquals("crm_verify: Errors found during check: config not valid\n-V may provide more details\n",
            r.err());
    }

    @Test
    void withoutTheSchedulerOnlyTheSchemaIsCheckedAndSaid() throws Exception {
        Files.writeString(tmp.resolve("nostonith.xml"), NO_STONITH);
        Commands.Result r = Commands.run(command(null), tmp, "-x", "nostonith.xml");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("crm_verify: the scheduler is not running on this node: only the schema was checked\n", r.err());
        Files.writeString(tmp.resolve("invalid.xml"), INVALID);
        assertEquals(78, Commands.run(command(null), tmp, "-x", "invalid.xml").exit());
    }

    @Test
    void saveXmlWritesTheCheckedDocument() throws Exception {
        Commands.Result r = Commands.run(command(PolicyEngine.standard()), tmp, "-L", "-S", "saved.xml");
        assertEquals(0, r.exit());
        assertEquals(XmlText.parse(CLEAN, "t"), XmlText.parse(Files.readString(tmp.resolve("saved.xml")), "saved"));
    }

    @Test
    void schedulerMessagesAreClassedAsPacemakerClassesThem() {
        assertEquals(CrmVerifyCommand.Kind.ERROR, CrmVerifyCommand.classify(
            "Resource start-up disabled since no STONITH resources have been defined"));
        assertEquals(CrmVerifyCommand.Kind.WARNING, CrmVerifyCommand.classify("Detected active orphan x running on y"));
        assertEquals(CrmVerifyCommand.Kind.LOG, CrmVerifyCommand.classify("ocf resource x might be active on 2 nodes"));
    }
}
