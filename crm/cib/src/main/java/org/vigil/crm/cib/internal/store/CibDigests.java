package org.vigil.crm.cib.internal.store;

import java.nio.charset.StandardCharsets;
import org.vigil.crm.api.cib.XmlNode;

/**
 * Pacemaker's on-disk CIB digest ({@code calculate_on_disk_digest()}): the hex MD5 of a space, the document as
 * compact XML (attributes in document order, Pacemaker's escaping), and a newline. It is what {@code cib.xml.sig}
 * holds and what {@code cibadmin -5} prints.
 */
public final class CibDigests {

    private CibDigests() {
    }

    public static String onDisk(XmlNode root) {
        return CibStore.md5((" " + root.toXml() + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
