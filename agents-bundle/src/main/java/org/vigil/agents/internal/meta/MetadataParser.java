package org.vigil.agents.internal.meta;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Parses OCF resource-agent meta-data XML (OCF 1.0 and 1.1; the {@code fence_*} agents use the same shape).
 * The {@code DOCTYPE} most agents carry names a DTD that is never loaded; external entities are refused.
 * Stateless and thread-safe.
 */
public final class MetadataParser {

    private MetadataParser() {
    }

    /**
     * @param xml    the meta-data document
     * @param source what it came from, for error messages (e.g. {@code ocf:heartbeat:IPaddr2})
     * @throws MetadataException naming the source, line and column when the XML is not usable
     */
    public static AgentMetadata parse(String xml, String source) throws MetadataException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            f.setValidating(false);
            f.setExpandEntityReferences(false);
            f.setXIncludeAware(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            trySet(f, "http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            trySet(f, "http://xml.org/sax/features/external-general-entities", false);
            trySet(f, "http://xml.org/sax/features/external-parameter-entities", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            b.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
            doc = b.parse(new InputSource(new StringReader(xml)));
        } catch (SAXParseException e) {
            throw new MetadataException(source + ": meta-data is not well-formed XML (line " + e.getLineNumber()
                + ", column " + e.getColumnNumber() + "): " + e.getMessage());
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new MetadataException(source + ": meta-data cannot be parsed: " + e.getMessage());
        }
        Element root = doc.getDocumentElement();
        if (!root.getTagName().equals("resource-agent")) {
            throw new MetadataException(source + ": meta-data root element is <" + root.getTagName()
                + ">, expected <resource-agent>");
        }
        String version = text(child(root, "version"));
        String shortDesc = attrOr(root, "shortdesc", text(child(root, "shortdesc")));
        List<AgentMetadata.Parameter> params = new ArrayList<>();
        Element ps = child(root, "parameters");
        if (ps != null) {
            for (Element p : children(ps, "parameter")) {
                String name = p.getAttribute("name");
                if (name.isEmpty()) {
                    throw new MetadataException(source + ": a <parameter> has no name");
                }
                Element content = child(p, "content");
                String type = content == null || content.getAttribute("type").isEmpty() ? "string"
                    : content.getAttribute("type").toLowerCase(Locale.ROOT);
                String dflt = content != null && content.hasAttribute("default") ? content.getAttribute("default")
                    : null;
                List<String> options = new ArrayList<>();
                if (content != null) {
                    for (Element o : children(content, "option")) {
                        options.add(o.getAttribute("value"));
                    }
                }
                boolean deprecated = child(p, "deprecated") != null || flag(p.getAttribute("deprecated"));
                params.add(new AgentMetadata.Parameter(name, type, flag(p.getAttribute("required")),
                    flag(p.getAttribute("unique")) || !p.getAttribute("unique-group").isEmpty(),
                    dflt, options, deprecated, text(child(p, "shortdesc"))));
            }
        }
        List<AgentMetadata.Action> actions = new ArrayList<>();
        Element as = child(root, "actions");
        if (as != null) {
            for (Element a : children(as, "action")) {
                actions.add(new AgentMetadata.Action(a.getAttribute("name"), durationOrNull(a, "timeout", source),
                    durationOrNull(a, "interval", source), emptyToNull(a.getAttribute("depth")),
                    emptyToNull(a.getAttribute("role"))));
            }
        }
        return new AgentMetadata(root.getAttribute("name"), emptyToNull(root.getAttribute("version")),
            version.isEmpty() ? null : version, shortDesc, params, actions);
    }

    /**
     * Parses a Pacemaker-style duration: a number with an optional unit ({@code ms}, {@code msec}, {@code us},
     * {@code usec}, {@code s}, {@code sec}, {@code m}, {@code min}, {@code h}, {@code hr}); no unit means seconds.
     *
     * @throws IllegalArgumentException when the text is not such a duration
     */
    public static Duration duration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a duration");
        }
        double n;
        try {
            n = Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration");
        }
        double nanos = switch (t.substring(i).strip()) {
            case "", "s", "sec", "secs", "second", "seconds" -> n * 1e9;
            case "ms", "msec", "msecs" -> n * 1e6;
            case "us", "usec", "usecs" -> n * 1e3;
            case "m", "min", "mins", "minute", "minutes" -> n * 60e9;
            case "h", "hr", "hrs", "hour", "hours" -> n * 3600e9;
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown time unit");
        };
        return Duration.ofNanos((long) nanos);
    }

    private static Duration durationOrNull(Element e, String attr, String source) throws MetadataException {
        String v = e.getAttribute(attr);
        if (v.isEmpty()) {
            return null;
        }
        try {
            return duration(v);
        } catch (IllegalArgumentException ex) {
            throw new MetadataException(source + ": action " + e.getAttribute("name") + ": " + attr + " "
                + ex.getMessage());
        }
    }

    private static void trySet(DocumentBuilderFactory f, String feature, boolean value) {
        try {
            f.setFeature(feature, value);
        } catch (ParserConfigurationException e) {
            // not supported by this parser: the other settings still keep external resources out
        }
    }

    private static boolean flag(String v) {
        return v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String attrOr(Element e, String attr, String dflt) {
        return e.hasAttribute(attr) ? e.getAttribute(attr) : dflt;
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            if (nl.item(i) instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element e) {
        return e == null ? "" : e.getTextContent().strip();
    }
}
