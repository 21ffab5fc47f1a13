package org.vigil.crm.internal.tools;

import java.util.Map;
import org.vigil.crm.api.CibElement;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.StatusPrinter;

/**
 * The cluster's state as the tools read it: a CIB document unpacked by the scheduler (configuration and status,
 * without scheduling), as of a given time, the way Pacemaker's tools call {@code cluster_status()}.
 */
final class ClusterState {

    private ClusterState() {
    }

    /** A private mutable copy of a document (the unpacker expands templates and tags in place). */
    static XmlElement copy(CibElement e) {
        if (e instanceof XmlElement x) {
            return x.deepCopy();
        }
        XmlElement copy = new XmlElement(e.name(), e.line(), e.column());
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            copy.set(a.getKey(), a.getValue());
        }
        for (CibElement c : e.children()) {
            copy.addChild(copy(c));
        }
        return copy;
    }

    /** Unpacks a CIB as of {@code nowMillis} in {@code zone} (date rules, failure timeouts). */
    static WorkingSet unpack(CibElement cib, ToolClock clock) {
        return StatusPrinter.unpackOnly(copy(cib), CrmTime.ofEpochSecond(clock.nowMillis() / 1000, clock.zone()));
    }
}
