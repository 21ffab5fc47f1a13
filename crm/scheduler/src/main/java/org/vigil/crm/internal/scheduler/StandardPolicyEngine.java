package org.vigil.crm.internal.scheduler;

import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import org.osgi.service.component.annotations.Component;
import org.vigil.crm.api.CibDocument;
import org.vigil.crm.api.CibElement;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.internal.cib.CibChecker;
import org.vigil.crm.internal.cib.CibParser;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.graph.GraphExport;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;

/**
 * The {@link PolicyEngine} of this bundle: {@link CibParser} and {@link CibChecker} for parsing, {@link Scheduler}
 * for scheduling, {@link GraphExport} for the graph the controller executes. Registered as an OSGi service and,
 * for plain Java use, through {@code META-INF/services}. Stateless; thread-safe (every call works on its own copy of
 * the document). Reads neither the clock nor the system time zone.
 */
@Component(service = PolicyEngine.class)
public final class StandardPolicyEngine implements PolicyEngine {

    private final boolean sanitized;

    /** The engine as the DC runs it (Pacemaker's scheduler daemon: the CIB is not taken for a sanitized copy). */
    public StandardPolicyEngine() {
        this(false);
    }

    /**
     * @param sanitized take CIBs for sanitized copies, as {@code crm_simulate} does by default and Pacemaker's
     *                  regression inputs are ({@code pe_flag_sanitized}: a resource whose only changed parameters
     *                  are private ones is not restarted)
     */
    public StandardPolicyEngine(boolean sanitized) {
        this.sanitized = sanitized;
    }

    /** A parsed and checked document; the tree is never modified after construction. */
    private record Document(XmlElement root, String sourceName) implements CibDocument {
    }

    @Override
    public CibDocument parse(InputStream in, String sourceName) throws CibException {
        XmlElement root = new CibParser(MAX_CIB_BYTES).parse(in, sourceName);
        CibChecker.check(root, sourceName);
        return new Document(root, sourceName);
    }

    @Override
    public Transition schedule(CibDocument cib, Instant now, ZoneId zone, int transitionId, String teUuid) {
        Objects.requireNonNull(cib, "cib");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(teUuid, "teUuid");
        if (transitionId < 0) {
            throw new IllegalArgumentException("transition id " + transitionId + " is negative");
        }
        if (teUuid.indexOf(':') >= 0) {
            throw new IllegalArgumentException("transition engine UUID '" + teUuid + "' contains ':'");
        }
        XmlElement root = toXml(cib.root());
        WorkingSet ws = Scheduler.run(root, CrmTime.ofEpochSecond(now.getEpochSecond(), zone), false, sanitized);
        return GraphExport.transition(ws, transitionId, teUuid);
    }

    /** A private mutable copy of a document tree (the scheduler expands templates and tags in place). */
    private static XmlElement toXml(CibElement e) {
        if (e instanceof XmlElement x) {
            return x.deepCopy();
        }
        XmlElement copy = new XmlElement(e.name(), e.line(), e.column());
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            copy.set(a.getKey(), a.getValue());
        }
        for (CibElement c : e.children()) {
            copy.addChild(toXml(c));
        }
        return copy;
    }
}
