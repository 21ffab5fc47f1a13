package org.vigil.crm.toolsupport;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * {@code --output-as json}: the tools' XML result (Pacemaker's API schema where Pacemaker has one) turned into
 * JSON by one fixed rule, so a script gets the same data as from {@code --output-as xml} without an XML parser.
 * The rule and its version are documented in docs/tools-json.md:
 *
 * <pre>
 * {"vigil-json": "1.0", "tool": "crm_mon", "pacemaker-result": ELEMENT}
 * ELEMENT = {attribute: "value", ..., child-name: [ELEMENT, ...], ..., "#text": "..."}
 * </pre>
 * Every attribute is a string (as in the XML); every child element name maps to an array of them, in document
 * order, even when there is one; an attribute whose name is also a child element's name is written as
 * {@code "@name"}; text content (trimmed, when not empty) is {@code "#text"}. Pretty-printed, two spaces per level,
 * members in document order.
 */
public final class JsonOutput {

    /** The version of the mapping: the major number changes when a script written for the old one could break. */
    public static final String VERSION = "1.0";

    private JsonOutput() {
    }

    /** An element while reading. */
    private static final class El {
        final String name;
        final Map<String, String> attrs = new LinkedHashMap<>();
        final Map<String, List<El>> children = new LinkedHashMap<>();
        final StringBuilder text = new StringBuilder();

        El(String name) {
            this.name = name;
        }
    }

    /**
     * The JSON form of an XML document printed by {@code tool}; a document that does not parse is an
     * IllegalArgumentException naming the tool (a bug of the tool's XML printer, not of the user's input).
     */
    public static String fromXml(String xml, String tool) {
        El root = parse(xml, tool);
        StringBuilder out = new StringBuilder(xml.length());
        out.append("{\n  \"vigil-json\": \"").append(VERSION).append("\",\n  \"tool\": ");
        string(tool, out);
        out.append(",\n  ");
        string(root.name, out);
        out.append(": ");
        element(root, out, 1);
        out.append("\n}\n");
        return out.toString();
    }

    private static El parse(String xml, String tool) {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        List<El> stack = new ArrayList<>();
        El root = null;
        try {
            XMLStreamReader r = f.createXMLStreamReader(new StringReader(xml));
            while (r.hasNext()) {
                switch (r.next()) {
                    case XMLStreamReader.START_ELEMENT -> {
                        El e = new El(r.getLocalName());
                        for (int i = 0; i < r.getAttributeCount(); i++) {
                            e.attrs.put(r.getAttributeLocalName(i), r.getAttributeValue(i));
                        }
                        if (stack.isEmpty()) {
                            root = e;
                        } else {
                            El parent = stack.get(stack.size() - 1);
                            parent.children.computeIfAbsent(e.name, k -> new ArrayList<>()).add(e);
                        }
                        stack.add(e);
                    }
                    case XMLStreamReader.END_ELEMENT -> stack.remove(stack.size() - 1);
                    case XMLStreamReader.CHARACTERS, XMLStreamReader.CDATA -> {
                        if (!stack.isEmpty()) {
                            stack.get(stack.size() - 1).text.append(r.getText());
                        }
                    }
                    default -> {
                        // comments, processing instructions, the declaration: not data
                    }
                }
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException(tool + ": its XML result does not parse: " + e.getMessage(), e);
        }
        if (root == null) {
            throw new IllegalArgumentException(tool + ": its XML result is empty");
        }
        return root;
    }

    private static void element(El e, StringBuilder out, int depth) {
        String text = e.text.toString().strip();
        int count = e.attrs.size() + e.children.size() + (text.isEmpty() ? 0 : 1);
        if (count == 0) {
            out.append("{}");
            return;
        }
        out.append("{");
        String pad = "  ".repeat(depth + 1);
        boolean first = true;
        for (Map.Entry<String, String> a : e.attrs.entrySet()) {
            out.append(first ? "\n" : ",\n").append(pad);
            first = false;
            string(e.children.containsKey(a.getKey()) ? "@" + a.getKey() : a.getKey(), out);
            out.append(": ");
            string(a.getValue(), out);
        }
        for (Map.Entry<String, List<El>> c : e.children.entrySet()) {
            out.append(first ? "\n" : ",\n").append(pad);
            first = false;
            string(c.getKey(), out);
            out.append(": [");
            boolean firstChild = true;
            for (El child : c.getValue()) {
                out.append(firstChild ? "\n" : ",\n").append(pad).append("  ");
                firstChild = false;
                element(child, out, depth + 2);
            }
            out.append('\n').append(pad).append(']');
        }
        if (!text.isEmpty()) {
            out.append(first ? "\n" : ",\n").append(pad).append("\"#text\": ");
            string(text, out);
        }
        out.append('\n').append("  ".repeat(depth)).append('}');
    }

    /** A JSON string literal (RFC 8259: quotation mark, reverse solidus and control characters escaped). */
    static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
