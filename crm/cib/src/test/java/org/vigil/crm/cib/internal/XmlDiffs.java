package org.vigil.crm.cib.internal;

import java.util.Set;
import org.vigil.crm.api.cib.XmlNode;

/** Test helpers comparing XML trees: the first place two trees differ, in words, and root attribute filtering. */
public final class XmlDiffs {

    private XmlDiffs() {
    }

    /** {@code root} without the given attributes on the root element itself. */
    public static XmlNode withoutRootAttributes(XmlNode root, Set<String> names) {
        XmlNode out = root;
        for (String n : names) {
            out = out.without(n);
        }
        return out;
    }

    /** Where {@code a} and {@code b} first differ (attributes in order, then children), or null if equal. */
    public static String firstDifference(XmlNode a, XmlNode b) {
        return diff(a, b, "/" + a.name() + id(a));
    }

    private static String id(XmlNode n) {
        return n.id() == null ? "" : "[@id='" + n.id() + "']";
    }

    private static String diff(XmlNode a, XmlNode b, String path) {
        if (!a.name().equals(b.name())) {
            return path + ": <" + a.name() + "> vs <" + b.name() + ">";
        }
        StringBuilder as = new StringBuilder();
        StringBuilder bs = new StringBuilder();
        for (int i = 0; i < a.attributeCount(); i++) {
            as.append(' ').append(a.attributeName(i)).append("=\"").append(a.attributeValue(i)).append('"');
        }
        for (int i = 0; i < b.attributeCount(); i++) {
            bs.append(' ').append(b.attributeName(i)).append("=\"").append(b.attributeValue(i)).append('"');
        }
        if (!as.toString().equals(bs.toString())) {
            return path + ": attributes\n    " + as + "\n vs " + bs;
        }
        int n = Math.min(a.children().size(), b.children().size());
        for (int i = 0; i < n; i++) {
            XmlNode ca = a.children().get(i);
            XmlNode cb = b.children().get(i);
            if (!ca.equals(cb)) {
                return diff(ca, cb, path + "/" + ca.name() + id(ca) + "#" + i);
            }
        }
        if (a.children().size() != b.children().size()) {
            XmlNode extra = a.children().size() > n ? a.children().get(n) : b.children().get(n);
            return path + ": " + a.children().size() + " vs " + b.children().size() + " children; first extra: "
                + extra;
        }
        return null;
    }
}
