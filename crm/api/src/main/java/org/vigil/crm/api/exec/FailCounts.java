package org.vigil.crm.api.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;

/**
 * The fail count and {@code last-failure} node attributes of a failed operation, as Pacemaker's controller sets them
 * ({@code update_failcount()} in {@code controld_te_events.c}): what the executor writes with a failed result and
 * what the DC writes with an action it records as timed out ({@code controld_record_action_timeout()}).
 */
public final class FailCounts {

    private FailCounts() {
    }

    /**
     * The attributes to set for a failed {@code r}: recurring operations, promote and demote count one more
     * ({@code value++}); a failed start counts INFINITY while {@code start-failure-is-fatal} (else one more); a failed
     * stop INFINITY; probes, migrations and the rest only when no transition ran them. With {@code on-fail=ignore}
     * only {@code last-failure} is set.
     *
     * @param nodeUuid the node the operation ran on (the nvpair ids are {@code status-<uuid>-<name>}, with
     *                 {@code :} and {@code #} made dots, as Pacemaker's attrd writes them: {@code crm_xml_sanitize_id()})
     * @param r the failed operation
     * @param startFailureIsFatal the cluster option of that name ({@link #startFailureIsFatal(CibSnapshot)})
     * @param nowMs the failure's time, epoch milliseconds
     * @return nvpair elements for the node's {@code status-<uuid>} instance attributes, possibly empty
     */
    public static List<XmlNode> attributes(String nodeUuid, ExecRequest r, boolean startFailureIsFatal, long nowMs) {
        String op = r.operation();
        String key = r.transitionKey();
        boolean outside = key == null || key.contains(":-1:") || key.startsWith("-1:");
        String value = "value++";
        boolean update = outside || r.intervalMs() > 0 || op.equals("promote") || op.equals("demote");
        if (op.equals("start") && r.intervalMs() == 0) {
            update = true;
            if (startFailureIsFatal) {
                value = "INFINITY";
            }
        } else if (op.equals("stop") && r.intervalMs() == 0) {
            update = true;
            value = "INFINITY";
        }
        if (!update) {
            return List.of();
        }
        String suffix = r.resourceId() + "#" + op + "_" + r.intervalMs();
        List<XmlNode> out = new ArrayList<>();
        if (!"ignore".equals(r.meta("on_fail"))) {
            String name = "fail-count-" + suffix;
            out.add(XmlNode.of("nvpair", "id", nvpairId(nodeUuid, name), "name", name, "value", value));
        }
        String last = "last-failure-" + suffix;
        out.add(XmlNode.of("nvpair", "id", nvpairId(nodeUuid, last), "name", last, "value",
            Long.toString(nowMs / 1000)));
        return out;
    }

    /**
     * The id attrd gives a node's transient attribute {@code name} ({@code status-<uuid>-<name>} through
     * Pacemaker's {@code crm_xml_sanitize_id()}: {@code :} and {@code #} are not allowed in an XML id and become
     * dots). A fail count written under another id is one attrd's deletion (a cleanup) would not find.
     *
     * @param nodeUuid the node's id
     * @param name the attribute's name
     * @return the nvpair id
     */
    public static String nvpairId(String nodeUuid, String name) {
        return ("status-" + nodeUuid + "-" + name).replace(':', '.').replace('#', '.');
    }

    /**
     * The cluster option {@code start-failure-is-fatal} of {@code cib} (true unless set to a false value).
     *
     * @param cib the CIB to read
     * @return whether a failed start bans the resource from the node
     */
    public static boolean startFailureIsFatal(CibSnapshot cib) {
        XmlNode conf = cib == null ? null : cib.configuration();
        XmlNode crm = conf == null ? null : conf.firstChild("crm_config");
        if (crm != null) {
            for (XmlNode set : crm.children("cluster_property_set")) {
                for (XmlNode nv : set.children("nvpair")) {
                    if ("start-failure-is-fatal".equals(nv.attribute("name"))) {
                        String v = nv.attribute("value", "true").strip().toLowerCase(Locale.ROOT);
                        return !(v.equals("false") || v.equals("no") || v.equals("0") || v.equals("off")
                            || v.equals("n"));
                    }
                }
            }
        }
        return true;
    }
}
