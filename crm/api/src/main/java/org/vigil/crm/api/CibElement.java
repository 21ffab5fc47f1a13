package org.vigil.crm.api;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One element of a parsed CIB, read-only: its name, attributes in document order, child elements and where it
 * started in the source (1-based line and column). Text content is not kept (the CIB carries none that matters).
 *
 * <p>Instances are immutable once parsing has finished and may be read from any thread.
 */
@ProviderType
public interface CibElement {

    /** The element name, e.g. {@code primitive}. */
    String name();

    /** The value of an attribute, or {@code null} when absent. */
    String attribute(String name);

    /** The {@code id} attribute, or {@code null}. */
    default String id() {
        return attribute("id");
    }

    /** All attributes in document order (an unmodifiable view). */
    Map<String, String> attributes();

    /** The child elements in document order (an unmodifiable view). */
    List<? extends CibElement> children();

    /** The first child element with this name, or {@code null}. */
    CibElement firstChild(String name);

    /** The 1-based line of the element's start tag in its source. */
    int line();

    /** The 1-based column of the element's start tag in its source. */
    int column();
}
