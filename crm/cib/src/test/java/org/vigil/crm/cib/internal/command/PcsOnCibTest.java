package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.internal.pcs.CrmshCommand;
import org.vigil.crm.internal.pcs.PcsCommand;

/**
 * pcs and crm on a node: their changes go through the real CIB engine ({@link LoopbackCib}: operations,
 * validation against Pacemaker's schemas, versions) as one replacement of the configuration each, and a refused
 * change leaves the CIB as it was.
 */
class PcsOnCibTest {

    static final String CIB = """
        <cib admin_epoch="0" epoch="3" num_updates="0" validate-with="pacemaker-3.9" crm_feature_set="3.16.2">
        <configuration><crm_config/><nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
        <resources/><constraints/></configuration><status/></cib>""";

    @TempDir
    Path tmp;

    @Test
    void changesAreAppliedByTheCibAndValidated() throws Exception {
        LoopbackCib cib = new LoopbackCib(XmlText.parse(CIB, "cib"));
        PcsCommand pcs = new PcsCommand(cib, CrmResourceDifferentialTest.clock());
        long epoch = cib.current().version().epoch();
        Commands.Result r = Commands.run(pcs, tmp, "resource", "create", "D1", "ocf:pacemaker:Dummy",
            "--no-default-ops", "--force");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(0, Commands.run(pcs, tmp, "constraint", "location", "D1", "prefers", "node1=50").exit());
        assertEquals(0, Commands.run(pcs, tmp, "property", "set", "stonith-enabled=false").exit());
        assertEquals(0, Commands.run(pcs, tmp, "node", "standby", "node2").exit());
        String xml = cib.current().root().toXml();
        assertTrue(xml.contains("<primitive id=\"D1\" class=\"ocf\" type=\"Dummy\" provider=\"pacemaker\">"), xml);
        assertTrue(xml.contains("id=\"location-D1-node1-50\""), xml);
        assertTrue(xml.contains("name=\"stonith-enabled\" value=\"false\""), xml);
        assertTrue(xml.contains("id=\"nodes-2-standby\" name=\"standby\" value=\"on\""), xml);
        assertEquals(epoch + 4, cib.current().version().epoch(), "one configuration change per command");

        // a configuration the schema refuses: the engine's error, nothing changed
        String before = cib.current().root().toXml();
        Commands.Result bad = Commands.run(pcs, tmp, "resource", "update", "D1", "op", "monitor", "interval=11s",
            "role=Bogus", "--force");
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().startsWith("Error: Unable to update cib"), bad.toString());
        assertEquals(before, cib.current().root().toXml());

        // crm on the same CIB
        CrmshCommand crm = new CrmshCommand(cib, CrmResourceDifferentialTest.clock());
        assertEquals(0, Commands.run(crm, tmp, "resource", "stop", "D1").exit());
        Commands.Result show = Commands.run(crm, tmp, "configure", "show");
        assertTrue(show.out().contains("primitive D1 ocf:pacemaker:Dummy \\\n\tmeta target-role=Stopped"),
            show.toString());
    }
}
