package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.vigil.crm.cib.internal.PacemakerTools;

/**
 * {@code CIB_file=F vigil TOOL ...}: the CIB tools on a file, no node (issue 17, item 8). Reading ({@code cibadmin
 * -Q}, {@code crm_mon -1}, {@code crm_resource --list}), writing ({@code crm_standby}, {@code crm_attribute}:
 * the file holds the change afterwards, and a second process sees it), and the errors (no file, not a CIB, a tool
 * that needs a node). With Pacemaker's crm_standby installed, both tools' answers are compared on the same edits.
 * Under a second.
 */
class OfflineMainTest {

    static final String CIB = """
        <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="4" num_updates="0" admin_epoch="0" \
        have-quorum="1" dc-uuid="1">
          <configuration>
            <crm_config>
              <cluster_property_set id="cib-bootstrap-options">
                <nvpair id="o-stack" name="cluster-infrastructure" value="corosync"/>
                <nvpair id="o-se" name="stonith-enabled" value="false"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="1" uname="alpha"/>
              <node id="2" uname="bravo"/>
            </nodes>
            <resources>
              <primitive id="dummy" class="ocf" provider="pacemaker" type="Dummy"/>
            </resources>
            <constraints/>
          </configuration>
          <status>
            <node_state id="1" uname="alpha" in_ccm="true" crmd="online" join="member" expected="member"/>
            <node_state id="2" uname="bravo" in_ccm="true" crmd="online" join="member" expected="member"/>
          </status>
        </cib>
        """;

    @TempDir
    Path dir;

    record Out(int exit, String out, String err) {
    }

    static Out run(Path file, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = OfflineMain.run(file == null ? null : file.toString(), args,
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Out(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path cib(String name) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, CIB);
        return f;
    }

    @Test
    void readersWorkOnTheFile() throws Exception {
        Path f = cib("cib.xml");
        Out q = run(f, "cibadmin", "-Q", "-o", "nodes");
        assertEquals(0, q.exit(), q.err());
        assertTrue(q.out().contains("uname=\"bravo\""), q.out());
        Out mon = run(f, "crm_mon", "-1", "-r");
        assertEquals(0, mon.exit(), mon.err());
        assertTrue(mon.out().contains("  * Online: [ alpha bravo ]"), mon.out());
        assertTrue(mon.out().contains("  * dummy\t(ocf:pacemaker:Dummy):\t Stopped"), mon.out());
        Out list = run(f, "crm_resource", "--list");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("dummy"), list.out());
        assertEquals(CIB, Files.readString(f), "a reader changed the file");
    }

    @Test
    void writersChangeTheFile() throws Exception {
        Path f = cib("cib.xml");
        Out on = run(f, "crm_standby", "-N", "bravo", "-v", "on");
        assertEquals(0, on.exit(), on.err());
        // a new run (a new process, as the launcher makes one per command) reads what the last one wrote
        Out q = run(f, "crm_standby", "-N", "bravo", "-G");
        assertEquals(0, q.exit(), q.err());
        assertTrue(q.out().contains("value=on"), q.out());
        assertTrue(run(f, "crm_mon", "-1").out().contains("  * Node bravo: standby"));
        Out off = run(f, "crm_standby", "-N", "bravo", "-D");
        assertEquals(0, off.exit(), off.err());
        assertTrue(run(f, "crm_standby", "-N", "bravo", "-G").out().contains("value=off"));
        Out prop = run(f, "crm_attribute", "-n", "maintenance-mode", "-v", "true");
        assertEquals(0, prop.exit(), prop.err());
        assertTrue(Files.readString(f).contains("name=\"maintenance-mode\" value=\"true\""));
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary left");
    }

    /** pcs and crm (crmsh) on the file, as {@code CIB_file=F vigil pcs ...} and {@code vigil pcs -f F ...} run. */
    @Test
    void pcsAndCrmWorkOnTheFile() throws Exception {
        Path f = cib("cib.xml");
        Out set = run(f, "pcs", "property", "set", "no-quorum-policy=freeze");
        assertEquals(0, set.exit(), set.out() + set.err());
        assertTrue(Files.readString(f).contains("name=\"no-quorum-policy\" value=\"freeze\""), Files.readString(f));
        Out loc = run(f, "pcs", "-f", f.toString(), "constraint", "location", "dummy", "prefers", "bravo=50");
        assertEquals(0, loc.exit(), loc.out() + loc.err());
        assertTrue(Files.readString(f).contains("rsc=\"dummy\""), Files.readString(f));
        Out show = run(f, "crm", "configure", "show");
        assertEquals(0, show.exit(), show.out() + show.err());
        assertTrue(show.out().contains("primitive dummy ocf:pacemaker:Dummy"), show.out());
        assertTrue(show.out().contains("no-quorum-policy=freeze"), show.out());
    }

    @Test
    void badFilesAndToolsAreRefusedWithTheReason() throws Exception {
        Out none = run(dir.resolve("missing.xml"), "crm_mon", "-1");
        assertEquals(66, none.exit());
        assertTrue(none.err().contains("missing.xml: no such file"), none.err());
        Path notCib = dir.resolve("x.xml");
        Files.writeString(notCib, "<configuration/>");
        Out wrong = run(notCib, "cibadmin", "-Q");
        assertEquals(66, wrong.exit());
        assertTrue(wrong.err().contains("not a CIB"), wrong.err());
        Out other = run(cib("cib.xml"), "crmadmin", "-D");
        assertEquals(64, other.exit());
        assertTrue(other.err().contains("only these commands"), other.err());
        Out invalid = run(cib("cib2.xml"), "crm_attribute", "-n", "x", "-v", "1", "-t", "nowhere");
        assertTrue(invalid.exit() != 0, invalid.toString());
        assertEquals(CIB, Files.readString(dir.resolve("cib2.xml")), "a failed command changed the file");
    }

    /** crm_standby's answers as Pacemaker's on the same sequence of edits, each tool on its own copy. */
    @Test
    void crmStandbyAnswersAsPacemakers() throws Exception {
        if (!PacemakerTools.available("crm_standby")) {
            return;
        }
        Path theirs = cib("theirs.xml");
        Path ours = cib("ours.xml");
        List<List<String>> steps = List.of(List.of("-N", "bravo", "-G"), List.of("-N", "bravo", "-v", "on"),
            List.of("-N", "bravo", "-G"), List.of("-N", "bravo", "-G", "-q"), List.of("-N", "bravo", "-v", "off",
                "-l", "reboot"), List.of("-N", "bravo", "-G", "-l", "reboot"), List.of("-N", "bravo", "-D"),
            List.of("-N", "bravo", "--query"), List.of("-N", "alpha", "-l", "forever", "-G"));
        List<String> differences = new ArrayList<>();
        for (List<String> step : steps) {
            PacemakerTools.Run pm = PacemakerTools.run(dir, Map.of("CIB_file", theirs.toString()), "crm_standby",
                step);
            List<String> a = new ArrayList<>(List.of("crm_standby"));
            a.addAll(step);
            Out vg = run(ours, a.toArray(new String[0]));
            if (pm.exit() != vg.exit() || !pm.out().equals(vg.out())) {
                differences.add(step + ": pacemaker " + pm.exit() + " [" + pm.out() + "] vigil " + vg.exit() + " ["
                    + vg.out() + "] " + vg.err());
            }
        }
        System.out.println("crm_standby: " + (steps.size() - differences.size()) + " of " + steps.size() + " match");
        assertEquals(List.of(), differences);
    }
}
