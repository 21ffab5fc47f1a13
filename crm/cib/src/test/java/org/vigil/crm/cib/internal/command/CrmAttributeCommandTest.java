package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.cib.internal.PacemakerTools;
import org.vigil.crm.cib.internal.TestNode;
import org.vigil.crm.cib.internal.XmlDiffs;
import org.vigil.crm.cib.internal.ops.CibXPath;

/**
 * {@code crm_attribute}: cluster options, defaults, tickets, permanent and transient node attributes, with
 * Pacemaker's output and exit codes. The script test runs the same command lines through Pacemaker 2.1.5's
 * {@code crm_attribute} ({@code CIB_file} on a copy) and Vigil's, one after the other on the same evolving CIB,
 * and compares exit status, standard output, standard error and the resulting document.
 */
class CrmAttributeCommandTest {

    @TempDir
    Path tmp;

    static final String CIB = """
        <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="5" num_updates="3" admin_epoch="0">
          <configuration>
            <crm_config>
              <cluster_property_set id="cib-bootstrap-options">
                <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="1" uname="alpha">
                <instance_attributes id="nodes-1">
                  <nvpair id="nodes-1-site" name="site" value="north"/>
                </instance_attributes>
              </node>
              <node id="2" uname="HOST"/>
            </nodes>
            <resources/>
            <constraints/>
          </configuration>
          <status>
            <node_state id="1" uname="alpha" in_ccm="true" crmd="online" join="member" expected="member">
              <transient_attributes id="1">
                <instance_attributes id="status-1">
                  <nvpair id="status-1-pingd" name="pingd" value="100"/>
                </instance_attributes>
              </transient_attributes>
            </node_state>
            <node_state id="2" uname="HOST" in_ccm="true" crmd="online" join="member" expected="member"/>
          </status>
        </cib>
        """;

    /** This machine's name: what Pacemaker's tool takes for the local node when it works on a file. */
    static String hostname() throws Exception {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    private static XmlNode cib(String host) throws Exception {
        return XmlText.parse(CIB.replace("HOST", host), "test");
    }

    private static TestNode node(String host) {
        return new TestNode(2, host, Map.of(1, "alpha", 2, host, 3, "gamma"));
    }

    /** The command lines of the script, run in order on one CIB; each is compared with Pacemaker's. */
    static final List<List<String>> SCRIPT = script(
        "-n stonith-enabled -G", "-n stonith-enabled -G -q", "-n nothere -G", "-n nothere -G -q",
        "-n nothere -G -d dflt", "-n nothere -G -d dflt -q", "-n cluster-delay -v 60s", "-n cluster-delay -G",
        "--name cluster-delay --query --quiet", "-n cluster-delay -D", "-n cluster-delay -D",
        "-t rsc_defaults -n resource-stickiness -v 100", "-t rsc_defaults -n resource-stickiness -G",
        "-t op_defaults -n timeout -v 20s", "-t op_defaults -n timeout -G -q", "-t op_defaults -n timeout -D",
        "-G -t crm_config", "-n stonith-enabled -G -s cib-bootstrap-options", "-n stonith-enabled -G -s nosuchset",
        "-N alpha -n site -G", "-N ALPHA -n site -G -q", "-N alpha -n site -v south", "-N alpha -n site -G",
        "-N alpha -n location -v office -l forever", "-N alpha -n location -G -l forever",
        "-N alpha -n pingd -l reboot -G", "-N alpha -n pingd -l reboot -v 200", "-N alpha -n newt -l reboot -v x",
        "-N alpha -n newt -l reboot -G", "-N nosuch -n x -G", "-N alpha -n location -D",
        "-N alpha -n location -D -l reboot", "-N alpha -z -n cpu -v 4", "-N alpha -z -n cpu -G",
        "-N alpha --utilization -n cpu -D", "-n location -v here -l forever", "-n location -G -l forever",
        "-n tmp -v 1 -l reboot", "-n tmp -G -l reboot", "-G -l reboot -P ping|newt -N alpha",
        "-G -l reboot -P nomatch -N alpha", "-t tickets -n t1 -v true", "-t tickets -n t1 -G",
        "-n stonith-enabled -v true -s second", "-n stonith-enabled -G", "-n stonith-enabled -v x",
        "-n stonith-enabled -G -i second-stonith-enabled", "-n stonith-enabled -v yy -i second-stonith-enabled",
        "-n stonith-enabled -G -q -i second-stonith-enabled", "-i only-id -v 5", "-i only-id -G", "-D",
        "-P x -v 1", "-n a:b#c -v 1", "-n a:b#c -G", "-n x -G -t bogus", "-p rsc1 -v 10", "-p rsc1 -G",
        "-p -G", "--attr-name legacy --attr-value 1", "--attr-name legacy --get-value",
        "-n resource-stickiness -G -t rsc_defaults -d 0", "-n stonith-enabled -v false -s cib-bootstrap-options",
        "-t tickets -n t1 -D", "-t tickets -n t1 -G");

    private static List<List<String>> script(String... lines) {
        List<List<String>> out = new ArrayList<>();
        for (String l : lines) {
            out.add(Arrays.asList(l.split(" ")));
        }
        return out;
    }

    /** Pacemaker's log lines on stderr ({@code (function) \tlevel: ...}) are not part of the tool's output. */
    private static String withoutLogLines(String err) {
        return err.lines().filter(l -> !l.startsWith("(")).map(l -> l + "\n").collect(Collectors.joining());
    }

    private static final Set<String> UNWRITTEN_IN_FILE_MODE = Set.of("cib-last-written", "update-origin",
        "update-client", "update-user");

    @Test
    void eachCommandLineOfTheScriptAnswersAndChangesTheCibAsPacemakersCrmAttribute() throws Exception {
        assumeTrue(PacemakerTools.available("crm_attribute"), "Pacemaker's crm_attribute is not installed");
        String host = hostname();
        Path file = tmp.resolve("cib.xml");
        Files.writeString(file, CIB.replace("HOST", host));
        LoopbackCib cib = new LoopbackCib(cib(host));
        CrmAttributeCommand cmd = new CrmAttributeCommand(cib, node(host));
        List<String> differences = new ArrayList<>();
        for (List<String> args : SCRIPT) {
            PacemakerTools.Run pm = PacemakerTools.run(tmp, Map.of("CIB_file", file.toString()), "crm_attribute",
                args);
            Commands.Result vg = Commands.run(cmd, tmp, args);
            XmlNode theirs;
            try (InputStream in = Files.newInputStream(file)) {
                theirs = XmlDiffs.withoutRootAttributes(XmlText.parse(in, "pacemaker", 1 << 24), UNWRITTEN_IN_FILE_MODE);
            }
            XmlNode ours = XmlDiffs.withoutRootAttributes(cib.current().root(), UNWRITTEN_IN_FILE_MODE);
            String what = null;
            if (pm.exit() != vg.exit()) {
                what = "exit " + vg.exit() + " (Pacemaker " + pm.exit() + ")";
            } else if (!pm.out().equals(vg.out())) {
                what = "stdout:\n" + vg.out() + "Pacemaker's:\n" + pm.out();
            } else if (!withoutLogLines(pm.err()).equals(vg.err())) {
                what = "stderr:\n" + vg.err() + "Pacemaker's:\n" + withoutLogLines(pm.err());
            } else if (XmlDiffs.firstDifference(ours, theirs) != null) {
                what = "documents differ (Vigil first) at " + XmlDiffs.firstDifference(ours, theirs);
            }
            if (what != null) {
                differences.add("crm_attribute " + String.join(" ", args) + ": " + what + "\n  Vigil: " + vg
                    + "\n  Pacemaker: " + pm);
                cib = new LoopbackCib(theirs);   // carry on from Pacemaker's copy
                cmd = new CrmAttributeCommand(cib, node(host));
            }
        }
        assertTrue(differences.isEmpty(), differences.size() + " of " + SCRIPT.size() + " command lines differ:\n"
            + String.join("\n", differences));
    }

    // ---- without Pacemaker -------------------------------------------------------------------------------

    private final LoopbackCib cib = new LoopbackCib(cib("local"));
    private final CrmAttributeCommand cmd = new CrmAttributeCommand(cib, node("local"));

    CrmAttributeCommandTest() throws Exception {
    }

    @Test
    void aValueXmlCannotHoldIsRefusedAtOnceAndChangesNothing() {
        var before = cib.current();
        Commands.Result r = Commands.run(cmd, tmp, List.of("-n", "foo", "-v", "a\u0001b"));
        assertEquals(78, r.exit(), r.toString());
        assertEquals("Error setting foo=a\u0001b (section=crm_config, set=cib-bootstrap-options): Update does not "
            + "conform to the configured schema\ncrm_attribute: Error performing operation: Update does not conform "
            + "to the configured schema\n", r.err());
        // the user goes into the message too
        Commands.Result u = Commands.run(new CibadminCommand(cib), tmp, List.of("-B", "-U", "ro\u0000ot"));
        assertEquals(78, u.exit(), u.toString());
        assertTrue(u.err().contains("the value of user of <vigil-cib> holds U+0000, which XML cannot hold"), u.err());
        assertEquals(before, cib.current());
        assertEquals(0, cib.unanswered(), "answered at once, not left to the client's timeout");
        assertEquals(0, Commands.run(cmd, tmp, List.of("-n", "foo", "-v", "tab\tand \uD83D\uDE00")).exit(),
            "a tab and a supplementary character are fine");
    }

    private Commands.Result run(String line) {
        return Commands.run(cmd, tmp, Arrays.asList(line.split(" ")));
    }

    /** An attribute manager that records what it is asked (the node's attrd is another bundle). */
    static final class RecordingAttrd implements org.vigil.crm.api.attrd.Attrd {
        final List<org.vigil.crm.api.attrd.AttributeUpdate> updates = new java.util.ArrayList<>();

        @Override
        public java.util.concurrent.CompletionStage<Void> update(org.vigil.crm.api.attrd.AttributeUpdate u) {
            updates.add(u);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public List<org.vigil.crm.api.attrd.AttributeValue> query(String name, String node) {
            return List.of();
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> refresh() {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public Cleared clearFailures(String resource, String operation, long intervalMs, String node) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String localNode() {
            return "local";
        }
    }

    @Test
    void transientAttributesGoThroughTheNodesAttrdWhenItRuns() throws Exception {
        RecordingAttrd a = new RecordingAttrd();
        cmd.attrd = a;
        var before = cib.current();
        assertEquals(0, run("-l reboot -n score -v 10").exit());
        assertEquals(0, run("-l reboot -n score -D").exit());
        assertEquals(before, cib.current(), "attrd writes them, not the command");
        assertEquals(2, a.updates.size(), a.updates.toString());
        assertEquals("score", a.updates.get(0).name());
        assertEquals("10", a.updates.get(0).value());
        assertEquals("local", a.updates.get(0).node());
        assertEquals(org.vigil.crm.api.attrd.AttributeUpdate.Lifetime.REBOOT, a.updates.get(0).lifetime());
        assertEquals(null, a.updates.get(1).value(), "a delete");
        // permanent node attributes and cluster options go to the CIB as before
        assertEquals(0, run("-l forever -n site -v east").exit());
        assertEquals(0, run("-n cluster-recheck-interval -v 2min").exit());
        assertEquals(2, a.updates.size());
    }

    private XmlNode one(String xpath) throws Exception {
        List<int[]> hits = CibXPath.select(cib.current().root(), xpath);
        return hits.size() == 1 ? cib.current().root().at(hits.get(0)) : null;
    }

    @Test
    void aClusterOptionIsSetInTheBootstrapSetAndReadBack() throws Exception {
        CibVersion before = cib.current().version();
        assertEquals(0, run("-n no-quorum-policy -v freeze").exit());
        XmlNode nv = one("/cib/configuration/crm_config/cluster_property_set[@id='cib-bootstrap-options']"
            + "/nvpair[@name='no-quorum-policy']");
        assertNotNull(nv);
        assertEquals("cib-bootstrap-options-no-quorum-policy", nv.id());
        assertEquals("freeze", nv.attribute("value"));
        assertEquals(before.nextEpoch(), cib.current().version(), "a configuration change moves the epoch");
        assertEquals("crm_attribute", cib.current().root().attribute("update-client"));
        Commands.Result r = run("-n no-quorum-policy -G");
        assertEquals("scope=crm_config  name=no-quorum-policy value=freeze\n", r.out());
        assertEquals("freeze\n", run("-n no-quorum-policy -G -q").out());
    }

    @Test
    void aMissingAttributeIsNoSuchDeviceWithExit105UnlessADefaultIsGiven() {
        Commands.Result r = run("-n nothere -G");
        assertEquals(105, r.exit());
        assertEquals("crm_attribute: Error performing operation: No such device or address\n", r.err());
        assertEquals("", r.out());
        Commands.Result d = run("-n nothere -G -d 7");
        assertEquals(0, d.exit());
        assertEquals("scope=crm_config  name=nothere value=7\n", d.out());
    }

    @Test
    void aNodeKnownOnlyToTheKernelGetsItsNodeEntryWithAPermanentAttribute() throws Exception {
        assertNull(one("/cib/configuration/nodes/node[@uname='gamma']"));
        Commands.Result r = run("-N gamma -n site -v east");
        assertEquals(0, r.exit(), r.toString());
        XmlNode node = one("/cib/configuration/nodes/node[@id='3']");
        assertNotNull(node, "the node entry is created with the corosync node id");
        assertEquals("gamma", node.attribute("uname"));
        assertEquals("east", one("//node[@id='3']/instance_attributes[@id='nodes-3']/nvpair[@id='nodes-3-site']")
            .attribute("value"));
        assertEquals("scope=nodes  name=site value=east\n", run("-N GAMMA -n site -G").out());
    }

    @Test
    void aTransientAttributeNeedsTheNodesStatusEntry() {
        Commands.Result r = run("-N gamma -n pingd -l reboot -v 1");
        assertEquals(105, r.exit(), r.toString());
        assertEquals("Error setting pingd=1 (section=status, set=status-3): No such device or address\n"
            + "crm_attribute: Error performing operation: No such device or address\n", r.err());
    }

    @Test
    void anUnknownNodeCannotBeMapped() {
        Commands.Result r = run("-N nosuch -n x -v 1");
        assertEquals(105, r.exit());
        assertEquals("crm_attribute: Could not map name=nosuch to a UUID\n", r.err());
    }

    @Test
    void deletingOneOfSeveralMatchesIsRefusedWithExit109NotIgnored() throws Exception {
        // deliberate difference: Pacemaker 2.1.5 prints the matches and exits 0 without deleting anything
        assertEquals(0, run("-n stonith-enabled -v true -s second").exit());
        Commands.Result r = run("-n stonith-enabled -D");
        assertEquals(109, r.exit(), r.toString());
        assertEquals("Multiple attributes match name=stonith-enabled\n"
            + "  Value: false \t(id=cib-bootstrap-options-stonith-enabled)\n"
            + "  Value: true \t(id=second-stonith-enabled)\n", r.out());
        assertEquals("crm_attribute: Please choose from one of the matches below and supply the 'id' with "
            + "--attr-id\n", r.err());
        assertEquals(2, CibXPath.select(cib.current().root(), "//nvpair[@name='stonith-enabled']").size());
        Commands.Result byId = run("-n stonith-enabled -D -i second-stonith-enabled");
        assertEquals(0, byId.exit());
        // deliberate difference: Pacemaker prints id=(null) here
        assertEquals("Deleted crm_config option: id=second-stonith-enabled name=stonith-enabled\n", byId.out());
        assertEquals(1, CibXPath.select(cib.current().root(), "//nvpair[@name='stonith-enabled']").size());
    }

    @Test
    void aPatternUpdateActsOnASingleMatchingAttributeToo() throws Exception {
        // deliberate difference: Pacemaker 2.1.5 walks the children of a single result, so does nothing
        Commands.Result r = run("-N alpha -l reboot -P ^ping -v 5");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("5", one("//nvpair[@id='status-1-pingd']").attribute("value"));
        assertEquals(0, run("-N alpha -l reboot -P ^ping -D").exit());
        assertNull(one("//nvpair[@id='status-1-pingd']"));
    }

    @Test
    void aTicketAttributeLivesInTheStatusSectionAndCanBeDeleted() throws Exception {
        assertEquals(0, run("-t tickets -n t1 -v true").exit());
        assertNotNull(one("/cib/status/tickets/instance_attributes[@id='status-tickets']/nvpair[@name='t1']"));
        Commands.Result r = run("-t tickets -n t1 -D");
        assertEquals(0, r.exit(), r.toString());
        assertNull(one("//nvpair[@name='t1']"));
    }

    @Test
    void aValueTheSchemaRefusesIsReportedWithExit78AndChangesNothing() throws Exception {
        XmlNode before = cib.current().root();
        Commands.Result r = run("-n bad -v x -s 1nvalid:id");
        assertEquals(78, r.exit(), r.toString());
        assertTrue(r.err().startsWith("Error setting bad=x (section=crm_config, set=1nvalid:id): Update does not "
            + "conform to the configured schema\n"), r.err());
        assertTrue(r.err().endsWith("crm_attribute: Error performing operation: Update does not conform to the "
            + "configured schema\n"), r.err());
        assertEquals(before, cib.current().root());
    }
}
