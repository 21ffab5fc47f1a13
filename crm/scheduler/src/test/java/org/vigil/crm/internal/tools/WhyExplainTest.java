package org.vigil.crm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlText;

/**
 * {@code crm_resource --why -r RSC --explain}: each node's score from the scheduler and what made it, on a CIB with
 * a preference, a ban, stickiness, a standby node and a fail count at the threshold. Under a second.
 */
class WhyExplainTest {

    static final String CIB = """
        <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="4" num_updates="0" admin_epoch="0" \
        have-quorum="1" dc-uuid="1">
          <configuration>
            <crm_config>
              <cluster_property_set id="o">
                <nvpair id="o-se" name="stonith-enabled" value="false"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="1" uname="alpha"/>
              <node id="2" uname="bravo"/>
              <node id="3" uname="charlie">
                <instance_attributes id="n3"><nvpair id="n3-s" name="standby" value="on"/></instance_attributes>
              </node>
              <node id="4" uname="delta"/>
            </nodes>
            <resources>
              <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
                <meta_attributes id="vip-m">
                  <nvpair id="vip-m-s" name="resource-stickiness" value="7"/>
                  <nvpair id="vip-m-t" name="migration-threshold" value="2"/>
                </meta_attributes>
              </primitive>
            </resources>
            <constraints>
              <rsc_location id="prefer-alpha" rsc="vip" node="alpha" score="100"/>
              <rsc_location id="cli-ban-vip-on-bravo" rsc="vip" node="bravo" score="-INFINITY"/>
            </constraints>
          </configuration>
          <status>
            <node_state id="1" uname="alpha" in_ccm="true" crmd="online" join="member" expected="member">
              <lrm id="1"><lrm_resources>
                <lrm_resource id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
                  <lrm_rsc_op id="vip_last_0" operation_key="vip_start_0" operation="start" \
        transition-key="1:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" \
        transition-magic="0:0;1:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" call-id="3" rc-code="0" op-status="0" \
        interval="0" last-rc-change="1700000000" exec-time="10" queue-time="0" op-digest="x"/>
                </lrm_resource>
              </lrm_resources></lrm>
            </node_state>
            <node_state id="2" uname="bravo" in_ccm="true" crmd="online" join="member" expected="member"/>
            <node_state id="3" uname="charlie" in_ccm="true" crmd="online" join="member" expected="member"/>
            <node_state id="4" uname="delta" in_ccm="true" crmd="online" join="member" expected="member">
              <transient_attributes id="4"><instance_attributes id="s4">
                <nvpair id="s4-fc" name="fail-count-vip#monitor_10000" value="2"/>
              </instance_attributes></transient_attributes>
            </node_state>
          </status>
        </cib>
        """;

    @Test
    void eachScoreWithWhatMadeIt() throws Exception {
        CrmResourceCommand cmd = new CrmResourceCommand(new FileCib(XmlText.parse(CIB, "why")), null, null,
            CrmMonDifferentialTest.clock());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = cmd.execute(List.of("--why", "-r", "vip", "--explain"), new PrintStream(out, true,
            StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("Node charlie cannot run resources: standby\n"), text);
        assertTrue(text.contains("  * on charlie: score 0 (but the node cannot run resources: standby)\n"), text);
        assertTrue(text.contains("Resource vip: running on alpha; assigned to alpha\n"), text);
        assertTrue(text.contains("  * on alpha: score 107\n"), text);
        assertTrue(text.contains("      +100  location constraint prefer-alpha\n"), text);
        assertTrue(text.contains("      +7  resource-stickiness 7 (it runs there now)\n"), text);
        assertTrue(text.contains("  * on bravo: score -INFINITY\n"), text);
        assertTrue(text.contains("      -INFINITY  location constraint cli-ban-vip-on-bravo (a ban: crm_resource --ban,"
            + " pcs resource ban)\n"), text);
        assertTrue(text.contains("      -INFINITY  fail count reached migration-threshold 2\n"), text);
        assertTrue(!text.contains("other ("), text);
    }

    /** The saved inputs of the last transitions, newest first, each explained as of when it was written. */
    @Test
    void theLastTransitionsFromTheSavedInputs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
        throws Exception {
        String banned = CIB.replace("node=\"bravo\" score=\"-INFINITY\"", "node=\"alpha\" score=\"-INFINITY\"")
            .replace("cli-ban-vip-on-bravo", "cli-ban-vip-on-alpha");
        write(dir.resolve("pe-input-7.bz2"), CIB, 1_700_000_000_000L);
        write(dir.resolve("pe-input-8.bz2"), banned, 1_700_000_100_000L);
        String text = WhyExplain.history(dir, 1, "vip");
        assertTrue(text.startsWith("\nTransition input pe-input-8.bz2 ("), text);
        assertTrue(text.contains("Resource vip: running on alpha; assigned to bravo\n"), text);
        assertTrue(text.contains("location constraint cli-ban-vip-on-alpha (a ban"), text);
        String both = WhyExplain.history(dir, 5, "vip");
        assertTrue(both.indexOf("pe-input-8.bz2") < both.indexOf("pe-input-7.bz2"), both);
        assertTrue(WhyExplain.history(dir.resolve("none"), 2, "vip").startsWith("No saved transitions in "));
    }

    private static void write(java.nio.file.Path file, String xml, long mtime) throws Exception {
        try (var out = new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(
            java.nio.file.Files.newOutputStream(file))) {
            out.write(xml.getBytes(StandardCharsets.UTF_8));
        }
        java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(mtime));
    }
}
