package org.vigil.crm.api.cib;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.vigil.crm.api.CibElement;

/**
 * An immutable XML element: name, attributes in document order, child elements and, when it came from a parse, the
 * position of its start tag. Text content is not kept (the CIB carries none that matters).
 *
 * <p>Every change makes a new node and shares everything it does not change, so a new CIB version costs the
 * nodes on the path to what changed, and readers of an older version keep an intact snapshot without copying
 * anything. Equality is structural: name, attributes (in order) and children; positions are ignored.
 *
 * <p>Immutable and thread-safe.
 */
public final class XmlNode implements CibElement {

    private static final String[] NO_ATTRS = new String[0];

    private final String name;
    /** name, value, name, value, ... in document order. */
    private final String[] attrs;
    private final List<XmlNode> children;
    private final int line;
    private final int column;
    private int hash;

    private XmlNode(String name, String[] attrs, List<XmlNode> children, int line, int column) {
        this.name = name;
        this.attrs = attrs;
        this.children = children;
        this.line = line;
        this.column = column;
    }

    /** An element without attributes or children. */
    public static XmlNode of(String name) {
        return new XmlNode(checkName(name), NO_ATTRS, List.of(), 0, 0);
    }

    /**
     * An element with attributes given as name, value pairs (a null value leaves the attribute out).
     */
    public static XmlNode of(String name, String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes must come as name, value pairs");
        }
        XmlNode n = of(name);
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            n = n.with(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return n;
    }

    /** An element made of parts, at a position in its source (0, 0 when made in memory). */
    public static XmlNode of(String name, Map<String, String> attributes, List<XmlNode> children, int line,
                             int column) {
        String[] a = new String[attributes.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            a[i++] = checkName(e.getKey());
            a[i++] = Objects.requireNonNull(e.getValue(), "attribute value");
        }
        return new XmlNode(checkName(name), a, List.copyOf(children), line, column);
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an XML name cannot be empty");
        }
        return name;
    }

    @Override
    public String name() {
        return name;
    }

    /** True if this element is named {@code elementName}. */
    public boolean is(String elementName) {
        return name.equals(elementName);
    }

    @Override
    public String attribute(String attr) {
        for (int i = 0; i < attrs.length; i += 2) {
            if (attrs[i].equals(attr)) {
                return attrs[i + 1];
            }
        }
        return null;
    }

    /** The attribute's value, or {@code fallback} when absent. */
    public String attribute(String attr, String fallback) {
        String v = attribute(attr);
        return v == null ? fallback : v;
    }

    /** Number of attributes. */
    public int attributeCount() {
        return attrs.length / 2;
    }

    /** The name of the i-th attribute (document order). */
    public String attributeName(int i) {
        return attrs[2 * i];
    }

    /** The value of the i-th attribute (document order). */
    public String attributeValue(int i) {
        return attrs[2 * i + 1];
    }

    @Override
    public Map<String, String> attributes() {
        return new AbstractMap<>() {
            @Override
            public Set<Entry<String, String>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, String>> iterator() {
                        return new Iterator<>() {
                            private int i;

                            @Override
                            public boolean hasNext() {
                                return i < attrs.length;
                            }

                            @Override
                            public Entry<String, String> next() {
                                if (i >= attrs.length) {
                                    throw new NoSuchElementException();
                                }
                                Entry<String, String> e = new SimpleImmutableEntry<>(attrs[i], attrs[i + 1]);
                                i += 2;
                                return e;
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return attrs.length / 2;
                    }
                };
            }

            @Override
            public String get(Object key) {
                return key instanceof String s ? attribute(s) : null;
            }

            @Override
            public boolean containsKey(Object key) {
                return get(key) != null;
            }
        };
    }

    @Override
    public List<XmlNode> children() {
        return children;
    }

    @Override
    public XmlNode firstChild(String childName) {
        for (XmlNode c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    /** The child elements with this name, in document order. */
    public List<XmlNode> children(String childName) {
        List<XmlNode> out = new ArrayList<>();
        for (XmlNode c : children) {
            if (c.name.equals(childName)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The index of the first child with this name and {@code id}, or -1. */
    public int indexOf(String childName, String id) {
        for (int i = 0; i < children.size(); i++) {
            XmlNode c = children.get(i);
            if (c.name.equals(childName) && Objects.equals(c.id(), id)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int line() {
        return line;
    }

    @Override
    public int column() {
        return column;
    }

    // ---- changes: each returns a new node -------------------------------------------------------------------

    /** This element with the attribute set (replaced in place, or appended); a null value removes it. */
    public XmlNode with(String attr, String value) {
        if (value == null) {
            return without(attr);
        }
        for (int i = 0; i < attrs.length; i += 2) {
            if (attrs[i].equals(attr)) {
                if (attrs[i + 1].equals(value)) {
                    return this;
                }
                String[] a = attrs.clone();
                a[i + 1] = value;
                return new XmlNode(name, a, children, line, column);
            }
        }
        String[] a = Arrays.copyOf(attrs, attrs.length + 2);
        a[attrs.length] = checkName(attr);
        a[attrs.length + 1] = value;
        return new XmlNode(name, a, children, line, column);
    }

    /** This element without the attribute. */
    public XmlNode without(String attr) {
        for (int i = 0; i < attrs.length; i += 2) {
            if (attrs[i].equals(attr)) {
                String[] a = new String[attrs.length - 2];
                System.arraycopy(attrs, 0, a, 0, i);
                System.arraycopy(attrs, i + 2, a, i, attrs.length - i - 2);
                return new XmlNode(name, a, children, line, column);
            }
        }
        return this;
    }

    /** This element with exactly these attributes (in this order), children kept. */
    public XmlNode withAttributes(Map<String, String> attributes) {
        return of(name, attributes, children, line, column);
    }

    /** This element with these children. */
    public XmlNode withChildren(List<XmlNode> newChildren) {
        return new XmlNode(name, attrs, List.copyOf(newChildren), line, column);
    }

    /** This element with child {@code index} replaced. */
    public XmlNode withChild(int index, XmlNode child) {
        if (children.get(index) == child) {
            return this;
        }
        XmlNode[] c = children.toArray(new XmlNode[0]);
        c[index] = Objects.requireNonNull(child);
        return new XmlNode(name, attrs, List.of(c), line, column);
    }

    /** This element with {@code child} inserted at {@code index} (clamped to the end). */
    public XmlNode plusChild(int index, XmlNode child) {
        int at = Math.max(0, Math.min(index, children.size()));
        List<XmlNode> c = new ArrayList<>(children.size() + 1);
        c.addAll(children.subList(0, at));
        c.add(Objects.requireNonNull(child));
        c.addAll(children.subList(at, children.size()));
        return new XmlNode(name, attrs, Collections.unmodifiableList(c), line, column);
    }

    /** This element with {@code child} appended. */
    public XmlNode plusChild(XmlNode child) {
        return plusChild(children.size(), child);
    }

    /** This element without child {@code index}. */
    public XmlNode minusChild(int index) {
        List<XmlNode> c = new ArrayList<>(children);
        c.remove(index);
        return new XmlNode(name, attrs, Collections.unmodifiableList(c), line, column);
    }

    /** This element without children. */
    public XmlNode withoutChildren() {
        return children.isEmpty() ? this : new XmlNode(name, attrs, List.of(), line, column);
    }

    /**
     * The node at {@code path} (child indexes from this node), or null if the path leaves the tree.
     */
    public XmlNode at(int[] path) {
        XmlNode n = this;
        for (int i : path) {
            if (i < 0 || i >= n.children.size()) {
                return null;
            }
            n = n.children.get(i);
        }
        return n;
    }

    /** This tree with the node at {@code path} replaced by {@code replacement} (sharing everything else). */
    public XmlNode replaceAt(int[] path, XmlNode replacement) {
        return replaceAt(path, 0, replacement);
    }

    private XmlNode replaceAt(int[] path, int depth, XmlNode replacement) {
        if (depth == path.length) {
            return replacement;
        }
        XmlNode child = children.get(path[depth]);
        return withChild(path[depth], child.replaceAt(path, depth + 1, replacement));
    }

    // ---- equality and text --------------------------------------------------------------------------------

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof XmlNode x) || hashCode() != x.hashCode()) {
            return false;
        }
        return name.equals(x.name) && Arrays.equals(attrs, x.attrs) && children.equals(x.children);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = name.hashCode() * 31 + Arrays.hashCode(attrs);
            h = h * 31 + children.hashCode();
            if (h == 0) {
                h = 1;
            }
            hash = h;
        }
        return h;
    }

    /** Compact XML text (no indentation), as Pacemaker writes it on the wire. */
    public String toXml() {
        StringBuilder b = new StringBuilder();
        XmlText.write(this, b, -1, 0);
        return b.toString();
    }

    /** Indented XML text, two spaces per level, as {@code cibadmin --query} prints it. */
    public String toPrettyXml() {
        StringBuilder b = new StringBuilder();
        XmlText.write(this, b, 0, 2);
        return b.toString();
    }

    @Override
    public String toString() {
        String s = toXml();
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
