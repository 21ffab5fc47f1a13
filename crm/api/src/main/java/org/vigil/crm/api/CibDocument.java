package org.vigil.crm.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A parsed and checked CIB: the {@code <cib>} element with its {@code configuration} and {@code status} sections.
 *
 * <p>Obtained from {@link PolicyEngine#parse}. Immutable; safe to share between threads.
 */
@ProviderType
public interface CibDocument {

    /** The {@code <cib>} root element. */
    CibElement root();

    /** Where the document came from (a file name, or a description), for messages. */
    String sourceName();

    /** The {@code validate-with} schema name, e.g. {@code pacemaker-3.7}, or {@code null}. */
    default String validateWith() {
        return root().attribute("validate-with");
    }

    /**
     * The {@code execution-date} attribute of {@code <cib>} (seconds since the epoch) when present: the "now" the
     * scheduler uses for failure timeouts, date rules and shutdown locks unless the caller gives another.
     */
    default java.util.OptionalLong executionDate() {
        String value = root().attribute("execution-date");
        if (value != null) {
            try {
                return java.util.OptionalLong.of(Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                return java.util.OptionalLong.empty();
            }
        }
        return java.util.OptionalLong.empty();
    }
}
