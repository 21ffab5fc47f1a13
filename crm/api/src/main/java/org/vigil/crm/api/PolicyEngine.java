package org.vigil.crm.api;

import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ServiceLoader;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The scheduler ("policy engine"): a pure function from a CIB snapshot (configuration plus status), the current
 * time and the time zone to a transition graph, with Pacemaker 2.1.5's decisions.
 *
 * <p>Implementations are stateless and thread-safe: several threads may parse and schedule at once. They read
 * neither the clock nor the system time zone: the caller gives both (the controller its clock, {@code vigil
 * simulate} the CIB's {@code execution-date} or the clock).
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
     * Computes the transition for a CIB snapshot. The snapshot is only read; the result depends on nothing else
     * than the arguments.
     *
     * @param cib          the cluster state: any immutable {@link CibDocument} (the implementation may copy it)
     * @param now          the effective time: failure timeouts, date rules, shutdown locks and
     *                     {@link GraphSettings#recheckBy()} are computed from it (Pacemaker uses the CIB's
     *                     {@code execution-date} when there is one: see {@link CibDocument#executionDate()})
     * @param zone         the time zone of date/times in rules that carry no offset (Pacemaker uses the local zone)
     * @param transitionId the number the controller gives this transition (the {@code TRANSITION_ID} of every
     *                     action's {@link TransitionAction#transitionKey() transition key}), at least 0
     * @param teUuid       the controller's transition engine UUID (the {@code TE_UUID} of the transition keys);
     *                     must not contain {@code ':'}
     * @return the transition graph with the actions to take
     * @throws IllegalArgumentException when {@code transitionId} is negative or {@code teUuid} contains a colon
     */
    Transition schedule(CibDocument cib, Instant now, ZoneId zone, int transitionId, String teUuid);

    /** The implementation found on the class path (for use without OSGi). */
    static PolicyEngine standard() {
        return ServiceLoader.load(PolicyEngine.class, PolicyEngine.class.getClassLoader()).findFirst()
            .orElseThrow(() -> new IllegalStateException("no PolicyEngine implementation on the class path"));
    }
}
