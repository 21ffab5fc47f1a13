package org.vigil.crm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.toolsupport.JsonOutput;

/**
 * {@code --output-as json} (docs/tools-json.md): the mapping of XML to JSON on small documents (attributes,
 * repeated and single children as arrays, a name that is both, text, escaping), and {@code crm_mon}'s JSON read
 * back by Python's json module with the same content as its XML. Well under a second.
 */
class CrmMonJsonTest {

    @Test
    void theMappingRule() {
        String json = JsonOutput.fromXml("<r a=\"1\" node=\"x\"><node n=\"a&quot;\\&#10;b\"/><node/><t>  hi\t</t>"
            + "</r>", "tool");
        assertEquals("""
            {
              "vigil-json": "1.0",
              "tool": "tool",
              "r": {
                "a": "1",
                "@node": "x",
                "node": [
                  {
                    "n": "a\\"\\\\\\nb"
                  },
                  {}
                ],
                "t": [
                  {
                    "#text": "hi"
                  }
                ]
              }
            }
            """, json);
    }

    @Test
    void crmMonJsonCarriesWhatItsXmlCarries() throws Exception {
        assumeTrue(new File("/usr/bin/python3").canExecute(), "no python3 to read the JSON back");
        Path file = CrmMonDifferentialTest.HAND_MADE.resolve("three-nodes.xml");
        XmlNode cib = XmlText.parse(Files.readString(file), file.toString());
        CrmMonDifferentialTest.Out xml = CrmMonDifferentialTest.vigil(cib, List.of("--output-as", "xml"));
        CrmMonDifferentialTest.Out json = CrmMonDifferentialTest.vigil(cib, List.of("--output-as=json"));
        assertEquals(0, json.exit(), json.err());
        // the same counts of nodes, resources and node attributes both ways
        XmlNode doc = XmlText.parse(xml.out(), "xml");
        int nodes = doc.firstChild("nodes").children().size();
        long resources = doc.firstChild("resources").children().stream().filter(c -> c.name().equals("resource")).count();
        Process p = new ProcessBuilder("python3", "-c", "import json,sys; d=json.load(sys.stdin)['pacemaker-result'];"
            + " print(len(d['nodes'][0]['node']), len(d['resources'][0].get('resource', [])),"
            + " d['summary'][0]['stack'][0]['type'], d['status'][0]['message'])").redirectErrorStream(true).start();
        p.getOutputStream().write(json.out().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String read = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(nodes + " " + resources + " corosync OK", read);
        assertTrue(json.out().startsWith("{\n  \"vigil-json\": \"" + JsonOutput.VERSION + "\",\n  \"tool\": \"crm_mon\""),
            json.out());
    }
}
