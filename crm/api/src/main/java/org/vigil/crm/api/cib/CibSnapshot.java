package org.vigil.crm.api.cib;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import org.vigil.crm.api.CibDocument;

/**
 * One version of the CIB as a node holds it: the whole {@code <cib>} tree (configuration and status) and its
 * version. Immutable: a reader keeps it as long as it likes, while the CIB moves on.
 *
 * <p>Thread-safe. The digest is computed on first use and kept.
 */
public final class CibSnapshot implements CibDocument {

    /** Attributes Pacemaker leaves out of its wire digest: they may differ between copies that are the same. */
    public static final Set<String> UNDIGESTED = Set.of("cib-last-written", "update-origin", "update-client",
        "update-user", "crm-debug-origin");

    private final XmlNode root;
    private final CibVersion version;
    private volatile String digest;

    /** A snapshot of {@code root}, whose version is read from its attributes. */
    public CibSnapshot(XmlNode root) {
        this.root = Objects.requireNonNull(root, "root");
        this.version = CibVersion.of(root);
    }

    @Override
    public XmlNode root() {
        return root;
    }

    public CibVersion version() {
        return version;
    }

    @Override
    public String sourceName() {
        return "live CIB " + version;
    }

    /** The {@code <configuration>} element, or null in a CIB without one. */
    public XmlNode configuration() {
        return root.firstChild("configuration");
    }

    /** The {@code <status>} element, or null in a CIB without one. */
    public XmlNode status() {
        return root.firstChild("status");
    }

    /**
     * Hex MD5 of the document's compact XML without the {@link #UNDIGESTED} attributes: equal on every node after
     * every update, and what copies are compared by.
     */
    public String digest() {
        String d = digest;
        if (d == null) {
            d = digestOf(root);
            digest = d;
        }
        return d;
    }

    /** The digest {@link #digest()} computes, for any tree. */
    public static String digestOf(XmlNode root) {
        StringBuilder b = new StringBuilder(4096);
        canonical(root, b);
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md.digest(b.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void canonical(XmlNode n, StringBuilder b) {
        b.append('<').append(n.name());
        for (int i = 0; i < n.attributeCount(); i++) {
            if (!UNDIGESTED.contains(n.attributeName(i))) {
                b.append(' ').append(n.attributeName(i)).append("=\"");
                XmlText.escape(n.attributeValue(i), b);
                b.append('"');
            }
        }
        if (n.children().isEmpty()) {
            b.append("/>");
            return;
        }
        b.append('>');
        for (XmlNode c : n.children()) {
            canonical(c, b);
        }
        b.append("</").append(n.name()).append('>');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CibSnapshot s && s.version.equals(version) && s.root.equals(root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return "CibSnapshot[" + version + "]";
    }
}
