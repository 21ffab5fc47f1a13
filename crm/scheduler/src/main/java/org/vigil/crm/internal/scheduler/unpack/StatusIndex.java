package org.vigil.crm.internal.scheduler.unpack;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Lookups in the CIB status section the way Pacemaker's XPath queries find them: the operation history of a
 * resource on a node ({@code //node_state[@uname=N]//lrm_resource[@id=R]/lrm_rsc_op}), unique-match semantics.
 *
 * <p>Follows the XPath lookups of lib/pengine/unpack.c ({@code find_lrm_op()}, {@code find_lrm_resource()}).
 */
public final class StatusIndex {

    private StatusIndex() {
    }

    /** Every lrm_resource with this id under node_states with this uname, in document order. */
    static List<XmlElement> lrmResources(WorkingSet ws, String uname, String rscId) {
        List<XmlElement> out = new ArrayList<>(1);
        XmlElement status = ws.input.firstChild("status");
        if (status == null || uname == null || rscId == null) {
            return out;
        }
        for (XmlElement state : status.kids()) {
            if (!state.is("node_state") || !uname.equals(state.get("uname"))) {
                continue;
            }
            collect(state, rscId, out);
        }
        return out;
    }

    private static void collect(XmlElement e, String rscId, List<XmlElement> out) {
        for (XmlElement c : e.kids()) {
            if (c.is("lrm_resource")) {
                if (rscId.equals(c.get("id"))) {
                    out.add(c);
                }
            } else {
                collect(c, rscId, out);
            }
        }
    }

    /** The lrm_resource entry, or null when there is none or more than one. */
    public static XmlElement lrmResource(WorkingSet ws, String uname, String rscId) {
        List<XmlElement> l = lrmResources(ws, uname, rscId);
        return l.size() == 1 ? l.get(0) : null;
    }

    /** All operation history entries of a resource on a node. */
    static List<XmlElement> ops(WorkingSet ws, String uname, String rscId) {
        List<XmlElement> out = new ArrayList<>();
        for (XmlElement r : lrmResources(ws, uname, rscId)) {
            out.addAll(r.children("lrm_rsc_op"));
        }
        return out;
    }

    /**
     * find_lrm_op: the single history entry for an operation (for migrate_to/from also matching the other
     * side), and, when {@code targetRc >= 0}, only if it completed with that result.
     *
     * <p>Follows {@code find_lrm_op()} in lib/pengine/unpack.c.
     */
    public static XmlElement findLrmOp(WorkingSet ws, String rscId, String op, String uname, String source,
                                int targetRc) {
        List<XmlElement> matches = new ArrayList<>(1);
        for (XmlElement x : ops(ws, uname, rscId)) {
            if (!op.equals(x.get("operation"))) {
                continue;
            }
            if (source != null && op.equals("migrate_to")) {
                if (!source.equals(x.get("migrate_target"))) {
                    continue;
                }
            } else if (source != null && op.equals("migrate_from")) {
                if (!source.equals(x.get("migrate_source"))) {
                    continue;
                }
            }
            matches.add(x);
        }
        if (matches.size() != 1) {
            return null;
        }
        XmlElement xml = matches.get(0);
        if (targetRc >= 0) {
            int rc = Unpacker.intAttr(xml, "rc-code", 1);
            int status = Unpacker.intAttr(xml, "op-status", 4);
            if (rc != targetRc || status != 0) {
                return null;
            }
        }
        return xml;
    }
}
