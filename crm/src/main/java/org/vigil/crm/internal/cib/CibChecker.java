package org.vigil.crm.internal.cib;

import org.vigil.crm.api.CibException;

/** Schema-level checks of a parsed CIB (filled in below). */
public final class CibChecker {

    private CibChecker() {
    }

    public static void check(XmlElement root, String source) throws CibException {
        if (!root.is("cib")) {
            throw new CibException(source, root.line(), root.column(),
                "the root element is <" + root.name() + ">, not <cib>");
        }
    }
}
