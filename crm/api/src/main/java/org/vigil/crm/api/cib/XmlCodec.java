package org.vigil.crm.api.cib;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.vigil.crm.api.CibException;

/**
 * The CRM's message format on CPG: one byte of kind, then compact XML, deflated when it is larger than
 * {@value #DEFLATE_FROM} bytes ({@code 'X'} plain, {@code 'Z'} deflated). A message that does not decode, inflates
 * beyond {@value #MAX_BYTES} bytes or has another root element is refused with a {@link CibException}, never an
 * error thrown up.
 *
 * <p>Thread-safe (stateless).
 */
public final class XmlCodec {

    /** Plain XML is deflated from this size on. */
    public static final int DEFLATE_FROM = 2048;
    /** The largest document a message may carry once inflated (256 MiB). */
    public static final long MAX_BYTES = 256L << 20;

    private XmlCodec() {
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

    /** The message's root element, which must be named {@code root}. */
    public static XmlNode decode(byte[] message, String root) throws CibException {
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
        if (!m.is(root)) {
            throw new CibException("message", 0, 0, "not a " + root + " message: <" + m.name() + ">");
        }
        return m;
    }
}
