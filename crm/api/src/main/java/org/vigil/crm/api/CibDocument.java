package org.vigil.crm.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A parsed and checked CIB: the {@code <cib>} element with its {@code configuration} and {@code status} sections.
 *
 * <p>Obtained from {@link PolicyEngine#parse}, or implemented by the CIB service over its own immutable tree (the
 * scheduler reads it once and keeps its own copy). Immutable; safe to share between threads.
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
     * The {@code execution-date} attribute of {@code <cib>} (seconds since the epoch) when present: the "now"
     * {@code crm_simulate} schedules at (a saved scheduler input records the time it was computed for).
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
