package org.vigil.crm.cib.internal.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;

/**
 * The CIB group's message format: one byte of kind, then compact XML, deflated when it is larger than
 * {@value #DEFLATE_FROM} bytes ({@code 'X'} plain, {@code 'Z'} deflated). A message that does not decode, or
 * inflates beyond {@value #MAX_BYTES} bytes, is refused with a {@link CibException}, never an error thrown up.
 *
 * <p>Thread-safe (stateless).
 */
public final class CibMessages {

    /** Plain XML is deflated from this size on. */
    static final int DEFLATE_FROM = 2048;
    /** The largest document a message may carry once inflated (256 MiB). */
    static final long MAX_BYTES = 256L << 20;

    private CibMessages() {
    }

    public static byte[] encode(XmlNode message) {
        byte[] xml = message.toXml().getBytes(StandardCharsets.UTF_8);
        if (xml.length < DEFLATE_FROM) {
            byte[] out = new byte[xml.length + 1];
            out[0] = 'X';
            System.arraycopy(xml, 0, out, 1, xml.length);
            return out;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(xml.length / 6 + 16);
        b.write('Z');
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try (DeflaterOutputStream z = new DeflaterOutputStream(b, d)) {
            z.write(xml);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } finally {
            d.end();
        }
        return b.toByteArray();
    }

    public static XmlNode decode(byte[] message) throws CibException {
        if (message == null || message.length < 2) {
            throw new CibException("message", 0, 0, "empty message");
        }
        InputStream body = new ByteArrayInputStream(message, 1, message.length - 1);
        if (message[0] == 'Z') {
            body = new InflaterInputStream(body);
        } else if (message[0] != 'X') {
            throw new CibException("message", 0, 0, "unknown message kind " + (message[0] & 0xff));
        }
        XmlNode m = XmlText.parse(body, "message", MAX_BYTES);
        if (!m.is("vigil-cib")) {
            throw new CibException("message", 0, 0, "not a CIB message: <" + m.name() + ">");
        }
        return m;
    }
}
