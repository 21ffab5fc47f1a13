package org.vigil.crm.api.cib;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.vigil.crm.api.CibException;

/**
 * Reading and writing {@link XmlNode} trees as XML text.
 *
 * <p>Reading uses the JDK's StAX reader securely: no DTDs and no external entities (an XXE document is refused,
 * its file never read), a cap on the document's size (checked while reading, so an oversized document is
 * refused before it is held in memory) and on each attribute value. Every error is a {@link CibException} that
 * names the source, line and column. Writing escapes {@code & < > " '} as Pacemaker's {@code crm_xml_escape()}
 * does (so the printed text and its digests are Pacemaker's); line breaks and tabs in attribute values become
 * character references, which keeps them (Pacemaker writes {@code \n} and four spaces, which loses them).
 *
 * <p>Thread-safe.
 */
public final class XmlText {

    /** Longest attribute value accepted (1 Mi characters); Pacemaker's own values are a few hundred bytes. */
    public static final int MAX_ATTRIBUTE_CHARS = 1 << 20;
    /** Default cap on a document (64 MiB). */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;

    private static final XMLInputFactory FACTORY = newFactory();

    private XmlText() {
    }

    private static XMLInputFactory newFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_COALESCING, Boolean.FALSE);
        return f;
    }

    /** Parses XML text (e.g. a {@code cibadmin -X} argument). */
    public static XmlNode parse(String xml, String source) throws CibException {
        return parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), source, DEFAULT_MAX_BYTES);
    }

    /**
     * Parses an XML document.
     *
     * @param in       the document (read to the end, not closed)
     * @param source   the name used in messages (a file name, {@code -X}, ...)
     * @param maxBytes the largest document accepted
     * @throws CibException for malformed or oversized input, naming line and column
     */
    public static XmlNode parse(InputStream in, String source, long maxBytes) throws CibException {
        CappedInputStream capped = new CappedInputStream(in, maxBytes);
        XMLStreamReader r = null;
        int line = 1;
        int col = 1;
        try {
            r = FACTORY.createXMLStreamReader(capped);
            Deque<Building> stack = new ArrayDeque<>();
            XmlNode root = null;
            Location prev = r.getLocation();
            int prevEvent = XMLStreamConstants.START_DOCUMENT;
            while (r.hasNext()) {
                int ev = r.next();
                Location loc = r.getLocation();
                switch (ev) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        line = prev.getLineNumber();
                        col = prev.getColumnNumber();
                        if ((prevEvent == XMLStreamConstants.CHARACTERS || prevEvent == XMLStreamConstants.SPACE)
                            && col > 1) {
                            col--; // the reader has already consumed the '<' that ended the text
                        }
                        if (line < 1) {
                            line = loc.getLineNumber();
                            col = loc.getColumnNumber();
                        }
                        if (root != null && stack.isEmpty()) {
                            throw new CibException(source, line, col, "more than one root element");
                        }
                        Building b = new Building(r.getLocalName().intern(), line, col);
                        int n = r.getAttributeCount();
                        for (int i = 0; i < n; i++) {
                            String v = r.getAttributeValue(i);
                            String an = r.getAttributeLocalName(i);
                            if (v.length() > MAX_ATTRIBUTE_CHARS) {
                                throw new CibException(source, line, col, "attribute '" + an + "' of <" + b.name
                                    + "> is " + v.length() + " characters long (the limit is " + MAX_ATTRIBUTE_CHARS
                                    + ")");
                            }
                            b.attrs.put(an.intern(), v);
                        }
                        stack.push(b);
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        Building b = stack.pop();
                        XmlNode done = XmlNode.of(b.name, b.attrs, b.children, b.line, b.column);
                        if (stack.isEmpty()) {
                            root = done;
                        } else {
                            stack.peek().children.add(done);
                        }
                    }
                    default -> {
                        // text, comments, processing instructions: nothing the CIB uses
                    }
                }
                prev = loc;
                prevEvent = ev;
            }
            if (root == null) {
                throw new CibException(source, 0, 0, "no XML element found (empty document)");
            }
            return root;
        } catch (XMLStreamException e) {
            Throwable cause = e.getNestedException();
            if (cause instanceof TooLargeException tl) {
                throw new CibException(source, 0, 0, "refused: " + tl.getMessage());
            }
            Location loc = e.getLocation();
            int l = loc == null ? line : loc.getLineNumber();
            int c = loc == null ? 0 : loc.getColumnNumber();
            throw new CibException(source, Math.max(l, 0), Math.max(c, 0), "malformed XML: " + cleanMessage(e));
        } catch (UncheckedIOException e) {
            throw new CibException(source, 0, 0, "cannot read: " + e.getCause().getMessage());
        } catch (RuntimeException e) {
            // the JDK reader wraps some I/O problems in runtime exceptions; report them without a trace
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            if (t instanceof TooLargeException tl) {
                throw new CibException(source, 0, 0, "refused: " + tl.getMessage());
            }
            throw new CibException(source, line, 0, "malformed XML: " + t.getMessage());
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing to release
                }
            }
        }
    }

    private static final class Building {
        final String name;
        final int line;
        final int column;
        final Map<String, String> attrs = new LinkedHashMap<>();
        final List<XmlNode> children = new ArrayList<>();

        Building(String name, int line, int column) {
            this.name = name;
            this.line = line;
            this.column = column;
        }
    }

    /** The JDK's message without its "ParseError at [row,col]:[..]\nMessage: " prefix. */
    private static String cleanMessage(XMLStreamException e) {
        String m = e.getMessage();
        if (m == null) {
            return "unknown error";
        }
        int i = m.indexOf("Message: ");
        if (i >= 0) {
            m = m.substring(i + "Message: ".length());
        }
        return m.replace('\n', ' ').trim();
    }

    /** Thrown inside the stream when the size cap is hit. */
    private static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    private static final class CappedInputStream extends FilterInputStream {
        private final long cap;
        private long count;

        CappedInputStream(InputStream in, long cap) {
            super(in);
            this.cap = cap;
        }

        private void add(long n) throws TooLargeException {
            if (n > 0) {
                count += n;
                if (count > cap) {
                    throw new TooLargeException("document is larger than the limit of " + cap + " bytes");
                }
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            add(n);
            return n;
        }
    }

    /**
     * Writes {@code n}: compact when {@code indent < 0}, else indented by {@code step} spaces per level, starting
     * at {@code indent} spaces, one element per line.
     */
    static void write(XmlNode n, StringBuilder b, int indent, int step) {
        if (indent > 0) {
            b.append(" ".repeat(indent));
        }
        b.append('<').append(n.name());
        for (int i = 0; i < n.attributeCount(); i++) {
            b.append(' ').append(n.attributeName(i)).append("=\"");
            escape(n.attributeValue(i), b);
            b.append('"');
        }
        if (n.children().isEmpty()) {
            b.append("/>");
        } else {
            b.append('>');
            if (indent >= 0) {
                b.append('\n');
            }
            for (XmlNode c : n.children()) {
                write(c, b, indent < 0 ? -1 : indent + step, step);
            }
            if (indent > 0) {
                b.append(" ".repeat(indent));
            }
            b.append("</").append(n.name()).append('>');
        }
        if (indent >= 0) {
            b.append('\n');
        }
    }

    /** Appends an attribute value escaped as Pacemaker escapes it. */
    public static void escape(String v, StringBuilder b) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                case '\n' -> b.append("&#10;");
                case '\r' -> b.append("&#13;");
                case '\t' -> b.append("&#9;");
                default -> b.append(c);
            }
        }
    }
}
