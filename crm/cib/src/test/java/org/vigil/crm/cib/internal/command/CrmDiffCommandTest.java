package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
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
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.PacemakerTools;
import org.vigil.crm.cib.internal.XmlDiffs;
import org.vigil.crm.cib.internal.ops.CibXPath;

/**
 * {@code crm_diff}: the v2 patchset printed byte for byte as Pacemaker 2.1.5's {@code crm_diff} prints it (on
 * typical changes, and on seeded edits of 20 corpus CIBs: values changed, a constraint deleted and one created, the
 * epoch moved), with {@code --no-version} and {@code --cib} (whose digest covers a value with {@code '}); patches
 * that each tool applies to the other's original with the same result; exit codes.
 */
class CrmDiffCommandTest {

    @TempDir
    Path tmp;

    private final CrmDiffCommand cmd = new CrmDiffCommand();

    static final String OLD = """
        <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="4" num_updates="91" admin_epoch="0">
          <configuration>
            <crm_config>
              <cluster_property_set id="opts">
                <nvpair id="opts-se" name="stonith-enabled" value="false"/>
                <nvpair id="opts-nqp" name="no-quorum-policy" value="stop"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="1" uname="alpha"/>
            </nodes>
            <resources>
              <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
                <instance_attributes id="vip-ia">
                  <nvpair id="vip-ip" name="ip" value="10.0.0.1"/>
                  <nvpair id="vip-nic" name="nic" value="eth0"/>
                </instance_attributes>
              </primitive>
            </resources>
            <constraints>
              <rsc_location id="loc" rsc="vip" node="alpha" score="100"/>
            </constraints>
          </configuration>
          <status/>
        </cib>
        """;

    /** A value changed, an element deleted, one created, the epoch moved. */
    static final String NEW = OLD.replace("epoch=\"4\"", "epoch=\"5\"").replace("value=\"false\"", "value=\"true\"")
        .replace("<nvpair id=\"vip-nic\" name=\"nic\" value=\"eth0\"/>", "")
        .replace("</constraints>", "<rsc_order id=\"o\" first=\"vip\" then=\"vip2\" description=\"it's\"/></constraints>");

    private Path write(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void thePatchIsPrintedAsPacemakersWithVersionsWithoutAndWithTheDigest() throws Exception {
        assumeTrue(PacemakerTools.available("crm_diff"), "Pacemaker's crm_diff is not installed");
        write("old.xml", OLD);
        write("new.xml", NEW);
        write("attrs.xml", OLD.replace("score=\"100\"", "score=\"200\" role=\"Started\"").replace(
            "node=\"alpha\" ", ""));
        write("same.xml", OLD);
        for (List<String> args : List.of(List.of("-o", "old.xml", "-n", "new.xml"),
            List.of("-o", "old.xml", "-n", "new.xml", "-u"), List.of("-o", "old.xml", "-n", "new.xml", "-c"),
            List.of("--original", "old.xml", "--new", "attrs.xml"), List.of("-o", "old.xml", "-n", "same.xml"),
            List.of("-o", "new.xml", "-n", "old.xml", "--no-version"), List.of("-o", "missing.xml", "-n", "old.xml"),
            List.of("-o", "old.xml", "-n", "new.xml", "-u", "-c"))) {
            PacemakerTools.Run pm = PacemakerTools.run(tmp, Map.of(), "crm_diff", args);
            Commands.Result vg = Commands.run(cmd, tmp, args);
            assertEquals(pm.exit(), vg.exit(), args + "\n" + vg + "\nPacemaker: " + pm);
            assertEquals(pm.out(), vg.out(), args.toString());
            assertEquals(pm.err(), vg.err(), args.toString());
        }
    }

    @Test
    void aPatchMadeByEitherToolAppliesWithTheOtherToTheSameDocument() throws Exception {
        assumeTrue(PacemakerTools.available("crm_diff"), "Pacemaker's crm_diff is not installed");
        Path dir = Path.of(System.getProperty("vigil.root", "../..")).resolve(
            "crm/scheduler/src/test/resources/pacemaker-scheduler/xml");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = new ArrayList<>(s.filter(f -> f.toString().endsWith(".xml")).sorted().toList());
        }
        Random r = new Random(7);
        Collections.shuffle(files, r);
        int same = 0;
        int pairs = 0;
        for (Path f : files.subList(0, 20)) {
            XmlNode a;
            try (InputStream in = Files.newInputStream(f)) {
                a = XmlText.parse(in, f.toString(), XmlText.DEFAULT_MAX_BYTES).with("crm_feature_set", "3.16.1");
            }
            XmlNode b = edit(a, r);
            write("a.xml", a.toPrettyXml());
            write("b.xml", b.toPrettyXml());
            PacemakerTools.Run pmDiff = PacemakerTools.run(tmp, Map.of(), "crm_diff", List.of("-o", "a.xml", "-n",
                "b.xml"));
            Commands.Result vgDiff = Commands.run(cmd, tmp, "-o", "a.xml", "-n", "b.xml");
            assertEquals(1, pmDiff.exit(), pmDiff.toString());
            assertEquals(1, vgDiff.exit(), vgDiff.toString());
            pairs++;
            if (pmDiff.out().equals(vgDiff.out())) {
                same++;
            }
            write("pm.patch", pmDiff.out());
            write("vg.patch", vgDiff.out());
            // Pacemaker applies Vigil's patch, Vigil applies Pacemaker's
            PacemakerTools.Run pmApply = PacemakerTools.run(tmp, Map.of(), "crm_diff", List.of("-o", "a.xml", "-p",
                "vg.patch"));
            assertEquals(0, pmApply.exit(), f + ": Pacemaker cannot apply Vigil's patch\n" + vgDiff.out() + pmApply);
            XmlNode byPacemaker = XmlText.parse(pmApply.out(), "pacemaker");
            assertEquals(null, XmlDiffs.firstDifference(byPacemaker, b), f + ": Vigil's patch applied by Pacemaker");
            Commands.Result vgApply = Commands.run(cmd, tmp, "-o", "a.xml", "-p", "pm.patch");
            assertEquals(0, vgApply.exit(), f + ": Vigil cannot apply Pacemaker's patch\n" + pmDiff.out() + vgApply);
            XmlNode byVigil = XmlText.parse(vgApply.out(), "vigil");
            assertEquals(null, XmlDiffs.firstDifference(byVigil, b), f + ": Pacemaker's patch applied by Vigil");
        }
        assertEquals(pairs, same, "patches byte-identical to Pacemaker's");
    }

    /** Some nvpair values changed, an element with an id deleted, a constraint added, the epoch moved. */
    static XmlNode edit(XmlNode a, Random r) throws Exception {
        XmlNode b = a.with("epoch", Long.toString(Long.parseLong(a.attribute("epoch", "0")) + 1));
        List<int[]> nvpairs = CibXPath.select(b, "/cib/configuration//nvpair[@id]");
        for (int i = 0; i < 3 && !nvpairs.isEmpty(); i++) {
            int[] p = nvpairs.get(r.nextInt(nvpairs.size()));
            b = b.replaceAt(p, b.at(p).with("value", "changed-" + i));
        }
        List<int[]> deletable = CibXPath.select(b, "/cib/configuration/constraints/*[@id]");
        if (!deletable.isEmpty()) {
            int[] p = deletable.get(r.nextInt(deletable.size()));
            int[] parent = java.util.Arrays.copyOf(p, p.length - 1);
            b = b.replaceAt(parent, b.at(parent).minusChild(p[p.length - 1]));
        }
        List<int[]> constraints = CibXPath.select(b, "/cib/configuration/constraints");
        if (!constraints.isEmpty()) {
            int[] p = constraints.get(0);
            b = b.replaceAt(p, b.at(p).plusChild(XmlNode.of("rsc_location", "id", "vigil-new", "rsc", "x", "node",
                "y", "score", "5")));
        }
        return b;
    }

    @Test
    void aFileNameWithANulCharacterIsAnInputThatCannotBeParsed() throws Exception {
        write("a.xml", OLD);
        Commands.Result first = Commands.run(cmd, tmp, "-o", "a\0.xml", "-n", "a.xml");
        assertEquals(65, first.exit());
        assertEquals("Could not parse the first XML fragment\n", first.err());
        Commands.Result second = Commands.run(cmd, tmp, "-o", "a.xml", "-p", "p\0.xml");
        assertEquals(65, second.exit());
        assertEquals("Could not parse the second XML fragment\n", second.err());
    }

    @Test
    void identicalDocumentsPrintNothingAndExitZero() throws Exception {
        write("a.xml", OLD);
        write("b.xml", OLD.replace("  ", " "));
        Commands.Result r = Commands.run(cmd, tmp, "-o", "a.xml", "-n", "b.xml");
        assertEquals(0, r.exit());
        assertEquals("", r.out());
    }

    @Test
    void aPatchAppliesToTheOriginalAndGivesTheNewDocument() throws Exception {
        write("old.xml", OLD);
        write("new.xml", NEW);
        Commands.Result d = Commands.run(cmd, tmp, "-o", "old.xml", "-n", "new.xml", "--cib");
        assertEquals(1, d.exit());
        write("p.xml", d.out());
        Commands.Result a = Commands.run(cmd, tmp, "-o", "old.xml", "-p", "p.xml", "--cib");
        assertEquals(0, a.exit(), a.toString());
        assertEquals(XmlText.parse(NEW, "new"), XmlText.parse(a.out(), "applied"));
        // with --cib the versions are checked: the patch does not apply to the new document
        Commands.Result again = Commands.run(cmd, tmp, "-o", "new.xml", "-p", "p.xml", "--cib");
        assertEquals(103, again.exit(), again.toString());
        assertTrue(again.err().startsWith("Could not apply patch: Update was older than existing configuration"),
            again.err());
    }

    @Test
    void unparsableInputIsDataErrorAndNoVersionWithCibIsUsageError() throws Exception {
        write("bad.xml", "<cib");
        Commands.Result r = Commands.run(cmd, tmp, "-o", "bad.xml", "-N", "<cib/>");
        assertEquals(65, r.exit());
        assertEquals("Could not parse the first XML fragment\n", r.err());
        Commands.Result u = Commands.run(cmd, tmp, "-O", "<cib/>", "-N", "<cib/>", "-u", "-c");
        assertEquals(64, u.exit());
        assertEquals("error: -u/--no-version incompatible with -c/--cib\n", u.err());
    }
}
