package org.vigil.crm.internal.cib;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.vigil.crm.api.CibException;

/**
 * Parses CIB XML into {@link XmlElement}s with the JDK's StAX reader, securely: no DTDs, no external entities,
 * a cap on the document size (so a gigabyte attribute is refused while reading, before it is held in memory), a
 * cap on each attribute value and one on the nesting depth. Every error is a {@link CibException} naming the line
 * (and, when the reader knows it, the column).
 *
 * <p>Thread-safe: each call uses its own reader.
 */
public final class CibParser {

    /** Longest attribute value accepted (1 MiB characters); Pacemaker's own values are a few hundred bytes. */
    public static final int MAX_ATTRIBUTE_CHARS = 1 << 20;
    /**
     * Deepest element nesting accepted: libxml2's limit without {@code XML_PARSE_HUGE}, which Pacemaker's parse
     * options do not set, so Pacemaker refuses deeper CIBs too; real ones nest about ten levels. It bounds every
     * recursive walk of the tree (checker, scheduler, copies) on a thread with the node's small stack.
     */
    public static final int MAX_DEPTH = 256;

    private static final XMLInputFactory FACTORY = newFactory();

    private final long maxBytes;

    public CibParser(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    private static XMLInputFactory newFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_COALESCING, Boolean.FALSE);
        return f;
    }

    /** Thrown inside the stream when the size cap is hit. */
    private static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /** Counts the bytes (refusing more than {@code cap}) and the lines read so far. */
    private static final class CappedInputStream extends FilterInputStream {
        private final long cap;
        private long count;
        private int newlines;

        CappedInputStream(InputStream in, long cap) {
            super(in);
            this.cap = cap;
        }

        private void add(long n) throws TooLargeException {
            if (n > 0) {
                count += n;
                if (count > cap) {
                    throw new TooLargeException("document is larger than the limit of " + cap + " bytes ("
                        + (cap >> 20) + " MiB)");
                }
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
                if (b == '\n') {
                    newlines++;
                }
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            add(n);
            for (int i = 0; i < n; i++) {
                if (b[off + i] == '\n') {
                    newlines++;
                }
            }
            return n;
        }

        /** The line the reading has reached (1-based): for an error at the end of the input, its line. */
        int lineReached() {
            return newlines + 1;
        }
    }

    /**
     * Parses a document.
     *
     * @param in     the XML (read to the end, not closed)
     * @param source the name used in messages
     * @return the root element
     * @throws CibException for malformed or oversized input
     */
    public XmlElement parse(InputStream in, String source) throws CibException {
        CappedInputStream capped = new CappedInputStream(in, maxBytes);
        XMLStreamReader r = null;
        int line = 1;
        int col = 1;
        try {
            r = FACTORY.createXMLStreamReader(capped);
            Deque<XmlElement> stack = new ArrayDeque<>();
            XmlElement root = null;
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
                        if (stack.size() >= MAX_DEPTH) {
                            throw new CibException(source, line, col, "<" + r.getLocalName() + "> is nested deeper"
                                + " than " + MAX_DEPTH + " elements (the limit)");
                        }
                        XmlElement e = new XmlElement(r.getLocalName().intern(), line, col);
                        int n = r.getAttributeCount();
                        for (int i = 0; i < n; i++) {
                            String v = r.getAttributeValue(i);
                            String an = r.getAttributeLocalName(i);
                            if (v.length() > MAX_ATTRIBUTE_CHARS) {
                                throw new CibException(source, line, col, "attribute '" + an + "' of <"
                                    + e.name() + "> is " + v.length() + " characters long (the limit is "
                                    + MAX_ATTRIBUTE_CHARS + ")");
                            }
                            e.set(an.intern(), v);
                        }
                        if (stack.isEmpty()) {
                            if (root != null) {
                                throw new CibException(source, line, col, "more than one root element");
                            }
                            root = e;
                        } else {
                            stack.peek().addChild(e);
                        }
                        stack.push(e);
                    }
                    case XMLStreamConstants.END_ELEMENT -> stack.pop();
                    default -> {
                        // text, comments, processing instructions: nothing the scheduler uses
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
            if (l < 1) {
                // The reader knows no position (it hit the end of the input, e.g. inside an unterminated
                // DOCTYPE): the problem is where the input ends.
                l = capped.lineReached();
                c = 0;
            }
            throw new CibException(source, l, Math.max(c, 0), "malformed XML: " + cleanMessage(e));
        } catch (UncheckedIOException e) {
            throw new CibException(source, 0, 0, "cannot read: " + e.getCause().getMessage());
        } catch (RuntimeException e) {
            // The JDK reader wraps some I/O problems in runtime exceptions; report them without a trace.
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
}
