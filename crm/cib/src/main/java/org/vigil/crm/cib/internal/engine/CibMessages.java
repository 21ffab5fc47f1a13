package org.vigil.crm.cib.internal.engine;

import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.XmlCodec;
import org.vigil.crm.api.cib.XmlNode;

/** The CIB group's messages: {@code <vigil-cib>} elements in the CRM's {@link XmlCodec} format. */
public final class CibMessages {

    private CibMessages() {
    }

    public static byte[] encode(XmlNode message) {
        return XmlCodec.encode(message);
    }

    public static XmlNode decode(byte[] message) throws CibException {
        return XmlCodec.decode(message, "vigil-cib");
    }
}
