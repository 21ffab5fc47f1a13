package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.internal.tools.CrmResourceCommand;

/**
 * {@code crm_resource --set-parameter/--delete-parameter} where Vigil deliberately differs from Pacemaker 2.1.5:
 * a change to several resources that is refused part-way (several nvpairs match on one of them) writes nothing,
 * where Pacemaker has written the resources before it. The rest is compared with Pacemaker's tool in
 * {@link CrmResourceDifferentialTest}.
 */
class CrmResourceAttributesTest {

    /** A group whose member has target-role once and whose own meta-attributes have it twice. */
    static final String CIB = """
        <cib validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0">
          <configuration>
            <crm_config/>
            <nodes>
              <node id="1" uname="node1"/>
            </nodes>
            <resources>
              <group id="g">
                <meta_attributes id="g-meta-1">
                  <nvpair id="g-tr-1" name="target-role" value="Started"/>
                </meta_attributes>
                <meta_attributes id="g-meta-2">
                  <nvpair id="g-tr-2" name="target-role" value="Started"/>
                </meta_attributes>
                <primitive id="m" class="ocf" provider="pacemaker" type="Dummy">
                  <meta_attributes id="m-meta">
                    <nvpair id="m-tr" name="target-role" value="Started"/>
                  </meta_attributes>
                </primitive>
              </group>
            </resources>
            <constraints/>
          </configuration>
          <status/>
        </cib>
        """;

    @TempDir
    Path tmp;

    @Test
    void aChangeRefusedOnOneOfItsResourcesWritesNothing() throws Exception {
        LoopbackCib cib = new LoopbackCib(XmlText.parse(CIB, "test"));
        XmlNode before = cib.current().root().firstChild("configuration");
        for (String[] args : new String[][] {{"-r", "g", "-p", "target-role", "-v", "Stopped", "-m"},
            {"-r", "g", "-d", "target-role", "-m", "-s", "g-meta-1"}}) {
            Commands.Result r = Commands.run(new CrmResourceCommand(cib, null, null,
                CrmResourceDifferentialTest.clock()), tmp, args);
            if (args[2].equals("-p")) {
                assertEquals(109, r.exit(), r.toString());
                assertTrue(r.err().contains("Multiple items match request"), r.toString());
                assertEquals(before, cib.current().root().firstChild("configuration"), "nothing written");
            } else {
                assertEquals(0, r.exit(), r.toString());   // one match in the named set: deleted
                assertTrue(r.out().contains("Deleted 'g' option: id=g-tr-1 set=g-meta-1 name=target-role"),
                    r.toString());
            }
        }
    }

    @Test
    void theAttributeCommandsAreTheClusterCommandsOnes() throws Exception {
        // without a CIB the cluster half answers (the agent half would say its commands are not available)
        for (String[] args : new String[][] {{"-r", "x", "-p", "a", "-v", "1"}, {"-r", "x", "-g", "a"},
            {"-r", "x", "-d", "a"}, {"-r", "x", "-q"}, {"-r", "x", "-w"}, {"-O"}, {"-o"},
            {"--set-parameter=a", "-r", "x", "--parameter-value", "1"}, {"-r", "x", "--query-xml"}}) {
            Commands.Result r = Commands.run(new CrmResourceCommand(null, null, null,
                CrmResourceDifferentialTest.clock()), tmp, args);
            assertEquals(69, r.exit(), String.join(" ", args) + ": " + r);
            assertTrue(r.err().contains("cluster is not available"), String.join(" ", args) + ": " + r);
        }
        Commands.Result agents = Commands.run(new CrmResourceCommand(null, null, null,
            CrmResourceDifferentialTest.clock()), tmp, "--list-standards", "-v", "x");
        assertTrue(agents.err().contains("agent commands"), agents.toString());
    }
}
