package org.vigil.crm.internal.scheduler;

import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.XmlElement;

/** crm_mon-style cluster status text. */
public final class StatusPrinter {

    private StatusPrinter() {
    }

    public static WorkingSet unpackOnly(XmlElement cib, CrmTime now) {
        WorkingSet ws = new WorkingSet(cib, now);
        new Unpacker(ws).unpack();
        return ws;
    }

    public static void print(WorkingSet ws, StringBuilder out) {
        out.append("  * Node List:\n");
        StringBuilder online = new StringBuilder();
        for (Node n : ws.nodes) {
            if (n.online) {
                online.append(' ').append(n.uname);
            }
        }
        out.append("    * Online: [").append(online).append(" ]\n");
    }
}
