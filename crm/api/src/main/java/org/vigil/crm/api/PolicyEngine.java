package org.vigil.crm.api;

import java.io.InputStream;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The scheduler ("policy engine"): a pure function from a CIB (configuration plus status) and the current time to
 * a transition graph, with Pacemaker 2.1.5's decisions.
 *
 * <p>Implementations are stateless and thread-safe: several threads may parse and schedule at once.
 */
@ProviderType
public interface PolicyEngine {

    /** Upper bound on the size of a CIB document accepted by {@link #parse}, in bytes (64 MiB). */
    long MAX_CIB_BYTES = 64L << 20;

    /**
     * Parses and checks CIB XML.
     *
     * @param in         the document (read to the end, not closed)
     * @param sourceName the name used in messages, e.g. the file name
     * @return the parsed document
     * @throws CibException when the document is malformed, too large, or not a valid CIB; the message names the
     *                      line and column
     */
    CibDocument parse(InputStream in, String sourceName) throws CibException;

    /**
     * Computes the transition for a CIB.
     *
     * @param cib             the cluster state
     * @param nowEpochSeconds the effective time; when empty, the CIB's {@code execution-date}, else the clock
     * @return the actions to take
     */
    Transition schedule(CibDocument cib, OptionalLong nowEpochSeconds);

    /** The implementation found on the class path (for use without OSGi). */
    static PolicyEngine standard() {
        return ServiceLoader.load(PolicyEngine.class, PolicyEngine.class.getClassLoader()).findFirst()
            .orElseThrow(() -> new IllegalStateException("no PolicyEngine implementation on the class path"));
    }
}
