package org.vigil.crm.cib.internal.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;

/**
 * RelaxNG validation against Pacemaker's installed schemas (Debian's pacemaker-common; CI installs it), errors
 * that name the element and the reason, and Vigil's own checks where no schema is installed.
 */
class CibValidatorTest {

    private static final boolean SYSTEM = Boolean.getBoolean("vigil.systemTests");

    private static boolean schemasInstalled() {
        boolean there = CibValidator.standard().hasSchema("pacemaker-3.9");
        if (SYSTEM) {
            assertTrue(there, "vigil.systemTests is set but /usr/share/pacemaker/pacemaker-3.9.rng is missing "
                + "(.ci/packages installs pacemaker-cli-utils, which brings pacemaker-common)");
        }
        return there;
    }

    private static XmlNode parse(String xml) throws Exception {
        return XmlText.parse(xml, "test.xml");
    }

    static final String VALID = """
        <cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="1" num_updates="0">
          <configuration>
            <crm_config/>
            <nodes><node id="1" uname="alpha"/></nodes>
            <resources>
              <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
                <instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="10.0.0.1"/></instance_attributes>
                <operations><op id="vip-mon" name="monitor" interval="10s"/></operations>
              </primitive>
            </resources>
            <constraints><rsc_location id="loc" rsc="vip" node="alpha" score="INFINITY"/></constraints>
          </configuration>
          <status/>
        </cib>
        """;

    @Test
    void aValidCibPassesTheRelaxNgSchema() throws Exception {
        assumeTrue(schemasInstalled(), "Pacemaker's schemas are not installed");
        CibValidator.Result r = CibValidator.standard().validate(parse(VALID));
        assertTrue(r.valid(), r.toString());
        assertTrue(r.checkedWith().startsWith("pacemaker-3.9.rng (RelaxNG"), r.checkedWith());
    }

    @Test
    void schemaErrorsNameTheElementItsLineAndTheReason() throws Exception {
        assumeTrue(schemasInstalled(), "Pacemaker's schemas are not installed");
        String bad = VALID.replace("<op id=\"vip-mon\" name=\"monitor\" interval=\"10s\"/>",
            "<op id=\"vip-mon\" interval=\"10s\"/>").replace("<crm_config/>", "<crm_config/><bogus/>");
        CibValidator.Result r = CibValidator.standard().validate(parse(bad));
        assertFalse(r.valid());
        String all = r.problems().toString();
        assertTrue(all.contains("bogus"), all);
        assertTrue(all.contains("line 3:"), all);
        assertTrue(all.contains("line 8:") && all.contains("missing required attribute \"name\""), all);
    }

    @Test
    void aDuplicateIdIsRefusedByTheSchema() throws Exception {
        assumeTrue(schemasInstalled(), "Pacemaker's schemas are not installed");
        String dup = VALID.replace("<constraints>", "<constraints><rsc_location id=\"vip\" rsc=\"vip\" node=\"alpha\" "
            + "score=\"1\"/>");
        CibValidator.Result r = CibValidator.standard().validate(parse(dup));
        assertFalse(r.valid(), r.toString());
    }

    @Test
    void everyCorpusCibThatPacemakerAcceptsIsValidHere() throws Exception {
        assumeTrue(schemasInstalled(), "Pacemaker's schemas are not installed");
        Path dir = Path.of(System.getProperty("vigil.root", "../..")).resolve(
            "crm/scheduler/src/test/resources/pacemaker-scheduler/xml");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.toString().endsWith(".xml")).sorted().limit(150).toList();
        }
        CibValidator v = CibValidator.standard();
        int checked = 0;
        for (Path f : files) {
            XmlNode cib;
            try (InputStream in = Files.newInputStream(f)) {
                cib = XmlText.parse(in, f.toString(), XmlText.DEFAULT_MAX_BYTES);
            }
            String with = cib.attribute("validate-with");
            if (with == null || !v.hasSchema(with)) {
                continue;
            }
            CibValidator.Result r = v.validate(cib);
            assertTrue(r.valid(), f.getFileName() + ": " + r);
            checked++;
        }
        assertTrue(checked > 50, "only " + checked + " corpus CIBs had an installed schema");
    }

    @Test
    void withoutTheSchemaVigilsOwnChecksRun() throws Exception {
        CibValidator v = new CibValidator(Path.of("/nonexistent"));
        assertTrue(v.validate(parse(VALID)).valid());
        CibValidator.Result r = v.validate(parse(VALID.replace("rsc=\"vip\"", "rsc=\"nothere\"")
            .replace("<constraints>", "<constraints><rsc_location id=\"vip\" rsc=\"vip\" node=\"x\" score=\"1\"/>")));
        assertEquals(2, r.problems().size(), r.toString());
        assertTrue(r.checkedWith().startsWith("Vigil's checks"), r.checkedWith());
        assertTrue(r.problems().toString().contains("id 'vip' is already used by"), r.toString());
        assertTrue(r.problems().toString().contains("names 'nothere'"), r.toString());
    }

    @Test
    void validateWithNoneSkipsValidation() throws Exception {
        assertTrue(CibValidator.standard().validate(parse("<cib validate-with=\"none\"><bogus/></cib>")).valid());
    }
}
