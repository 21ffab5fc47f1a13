package org.vigil.crm.cib.internal.ops;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.XmlNode;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * XPath 1.0 over a CIB, as {@code cibadmin --xpath} and the tools built on it use it: the tree is mirrored into a
 * DOM whose elements remember their place, the JDK's XPath engine evaluates the expression, and the selected
 * elements come back as child-index paths (an attribute selects its element), in document order.
 *
 * <p>Thread-safe (each call builds its own DOM).
 */
public final class CibXPath {

    private static final String PATH = "vigil.path";

    private CibXPath() {
    }

    /** The elements {@code expression} selects, in document order; an invalid expression is a usage error. */
    public static List<int[]> select(XmlNode root, String expression) throws CibError {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
            doc = f.newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        doc.appendChild(mirror(doc, root, new int[0]));
        XPath xpath = XPathFactory.newDefaultInstance().newXPath();
        NodeList nodes;
        try {
            nodes = (NodeList) xpath.evaluate(expression, doc, XPathConstants.NODESET);
        } catch (XPathExpressionException e) {
            String why = e.getMessage() != null ? e.getMessage()
                : e.getCause() != null ? e.getCause().getMessage() : "syntax error";
            throw new CibError(CibError.USAGE, "Invalid argument", "invalid XPath '" + expression + "': "
                + (why == null ? "syntax error" : why.lines().findFirst().orElse(why)));
        }
        Set<String> seen = new LinkedHashSet<>();
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Attr a) {
                n = a.getOwnerElement();
            }
            if (n instanceof Element e && e.getUserData(PATH) instanceof int[] p
                && seen.add(java.util.Arrays.toString(p))) {
                out.add(p);
            }
        }
        return out;
    }

    private static Element mirror(Document doc, XmlNode n, int[] path) {
        Element e = doc.createElement(n.name());
        for (int i = 0; i < n.attributeCount(); i++) {
            e.setAttribute(n.attributeName(i), n.attributeValue(i));
        }
        e.setUserData(PATH, path, null);
        for (int i = 0; i < n.children().size(); i++) {
            int[] c = java.util.Arrays.copyOf(path, path.length + 1);
            c[path.length] = i;
            e.appendChild(mirror(doc, n.children().get(i), c));
        }
        return e;
    }
}
