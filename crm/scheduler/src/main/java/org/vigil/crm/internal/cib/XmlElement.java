package org.vigil.crm.internal.cib;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.vigil.crm.api.CibElement;

/**
 * A compact mutable XML element: name, attributes in document order (parallel arrays, looked up linearly since
 * CIB elements carry a handful), child elements and the source position. Mutable while the parser builds it and
 * while the unpacker expands templates (on copies); otherwise treated as read-only. Not thread-safe for writes.
 */
public final class XmlElement implements CibElement {

    private static final String[] NONE = new String[0];
    private static final List<XmlElement> NO_CHILDREN = List.of();

    private final String name;
    private String[] attrNames = NONE;
    private String[] attrValues = NONE;
    private int attrCount;
    private List<XmlElement> children = NO_CHILDREN;
    private XmlElement parent;
    private final int line;
    private final int column;

    public XmlElement(String name, int line, int column) {
        this.name = name;
        this.line = line;
        this.column = column;
    }

    @Override
    public String name() {
        return name;
    }

    public boolean is(String elementName) {
        return name.equals(elementName);
    }

    @Override
    public String attribute(String attr) {
        for (int i = 0; i < attrCount; i++) {
            if (attrNames[i].equals(attr)) {
                return attrValues[i];
            }
        }
        return null;
    }

    /** Alias of {@link #attribute}, shorter in the unpacker. */
    public String get(String attr) {
        return attribute(attr);
    }

    public boolean has(String attr) {
        return attribute(attr) != null;
    }

    public void set(String attr, String value) {
        for (int i = 0; i < attrCount; i++) {
            if (attrNames[i].equals(attr)) {
                if (value == null) {
                    remove(i);
                } else {
                    attrValues[i] = value;
                }
                return;
            }
        }
        if (value == null) {
            return;
        }
        if (attrCount == attrNames.length) {
            int n = Math.max(4, attrCount * 2);
            attrNames = java.util.Arrays.copyOf(attrNames, n);
            attrValues = java.util.Arrays.copyOf(attrValues, n);
        }
        attrNames[attrCount] = attr;
        attrValues[attrCount] = value;
        attrCount++;
    }

    public void removeAttribute(String attr) {
        set(attr, null);
    }

    private void remove(int i) {
        System.arraycopy(attrNames, i + 1, attrNames, i, attrCount - i - 1);
        System.arraycopy(attrValues, i + 1, attrValues, i, attrCount - i - 1);
        attrCount--;
        attrNames[attrCount] = null;
        attrValues[attrCount] = null;
    }

    public int attributeCount() {
        return attrCount;
    }

    public String attributeName(int i) {
        return attrNames[i];
    }

    public String attributeValue(int i) {
        return attrValues[i];
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
                            int i;

                            @Override
                            public boolean hasNext() {
                                return i < attrCount;
                            }

                            @Override
                            public Entry<String, String> next() {
                                if (i >= attrCount) {
                                    throw new NoSuchElementException();
                                }
                                int k = i++;
                                return Map.entry(attrNames[k], attrValues[k]);
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return attrCount;
                    }
                };
            }

            @Override
            public String get(Object key) {
                return key instanceof String s ? attribute(s) : null;
            }
        };
    }

    @Override
    public List<XmlElement> children() {
        return children == NO_CHILDREN ? NO_CHILDREN : Collections.unmodifiableList(children);
    }

    /** The live child list (for iteration without a view object). */
    public List<XmlElement> kids() {
        return children;
    }

    public void addChild(XmlElement child) {
        if (children == NO_CHILDREN) {
            children = new ArrayList<>(4);
        }
        children.add(child);
        child.parent = this;
    }

    public void addChildAfter(XmlElement anchor, XmlElement child) {
        int i = children.indexOf(anchor);
        children.add(i + 1, child);
        child.parent = this;
    }

    public void removeChild(XmlElement child) {
        if (children.remove(child)) {
            child.parent = null;
        }
    }

    public XmlElement parent() {
        return parent;
    }

    @Override
    public XmlElement firstChild(String childName) {
        for (XmlElement c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    /** The child elements with this name, in document order. */
    public List<XmlElement> children(String childName) {
        List<XmlElement> out = null;
        for (XmlElement c : children) {
            if (c.name.equals(childName)) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(c);
            }
        }
        return out == null ? NO_CHILDREN : out;
    }

    @Override
    public int line() {
        return line;
    }

    @Override
    public int column() {
        return column;
    }

    /** A deep copy (attributes and children), without a parent, keeping source positions. */
    public XmlElement deepCopy() {
        return copyAs(name);
    }

    /** A deep copy renamed to {@code newName}. */
    public XmlElement copyAs(String newName) {
        XmlElement copy = new XmlElement(newName, line, column);
        copy.attrNames = java.util.Arrays.copyOf(attrNames, attrNames.length);
        copy.attrValues = java.util.Arrays.copyOf(attrValues, attrValues.length);
        copy.attrCount = attrCount;
        for (XmlElement c : children) {
            copy.addChild(c.deepCopy());
        }
        return copy;
    }

    /** Where this element is, for messages: {@code <primitive id="x"> at line 12}. */
    public String describe() {
        String id = attribute("id");
        return "<" + name + (id == null ? "" : " id=\"" + id + "\"") + "> at line " + line;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        write(sb, 0);
        return sb.toString();
    }

    /** Serialises this element (indented by two spaces per level), with attributes escaped. */
    public void write(StringBuilder sb, int indent) {
        for (int i = 0; i < indent; i++) {
            sb.append("  ");
        }
        sb.append('<').append(name);
        for (int i = 0; i < attrCount; i++) {
            sb.append(' ').append(attrNames[i]).append("=\"");
            escape(sb, attrValues[i]);
            sb.append('"');
        }
        if (children.isEmpty()) {
            sb.append("/>\n");
            return;
        }
        sb.append(">\n");
        for (XmlElement c : children) {
            c.write(sb, indent + 1);
        }
        for (int i = 0; i < indent; i++) {
            sb.append("  ");
        }
        sb.append("</").append(name).append(">\n");
    }

    public static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\n' -> sb.append("&#10;");
                default -> sb.append(c);
            }
        }
    }
}
