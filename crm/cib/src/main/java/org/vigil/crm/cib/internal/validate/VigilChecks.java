package org.vigil.crm.cib.internal.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vigil.crm.api.cib.XmlNode;

/**
 * Vigil's own structural checks of a CIB, used where Pacemaker's RelaxNG schemas are not installed: the sections
 * every schema requires, an {@code id} on the elements that need one, ids unique across the configuration, and
 * id references ({@code id-ref}, constraint {@code rsc}, {@code with-rsc}, {@code first}, {@code then}) that name
 * an existing id. Thread-safe (stateless).
 */
final class VigilChecks {

    private static final List<String> REQUIRED = List.of("crm_config", "nodes", "resources", "constraints");
    private static final Set<String> NEED_ID = Set.of("primitive", "group", "clone", "master", "bundle", "template",
        "nvpair", "op", "instance_attributes", "meta_attributes", "utilization", "cluster_property_set", "rule",
        "expression", "date_expression", "rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket", "node",
        "fencing-level", "tag", "alert", "recipient", "acl_target", "acl_group", "acl_role", "acl_permission",
        "node_state", "lrm_resource", "lrm_rsc_op", "resource_set");
    /** Elements whose id the schemas type as text, outside the ID space. */
    private static final Set<String> TEXT_ID = Set.of("node", "acl_target", "acl_user");
    /** Elements whose id attribute refers to something defined elsewhere. */
    private static final Set<String> REFERENCE_BY_ID = Set.of("resource_ref", "obj_ref", "role");
    private static final Set<String> REF_ATTRS = Set.of("id-ref", "rsc", "with-rsc", "first", "then");

    private VigilChecks() {
    }

    /** Only the id checks: unique ids in the configuration, references that resolve. */
    static List<CibValidator.Problem> ids(XmlNode cib) {
        XmlNode conf = cib.firstChild("configuration");
        List<CibValidator.Problem> out = new ArrayList<>();
        if (conf != null) {
            Map<String, String> ids = new HashMap<>();
            List<String[]> refs = new ArrayList<>();
            walk(conf, "/cib/configuration", ids, refs, out, false);
            unresolved(ids, refs, out);
        }
        return out;
    }

    private static void unresolved(Map<String, String> ids, List<String[]> refs, List<CibValidator.Problem> out) {
        for (String[] r : refs) {
            if (!ids.containsKey(r[2])) {
                out.add(new CibValidator.Problem(r[0], 0, 0, "attribute " + r[1] + " names '" + r[2]
                    + "', which is not the id of anything in the configuration"));
            }
        }
    }

    static List<CibValidator.Problem> check(XmlNode cib) {
        List<CibValidator.Problem> out = new ArrayList<>();
        XmlNode conf = cib.firstChild("configuration");
        if (conf == null) {
            out.add(new CibValidator.Problem("/cib", cib.line(), cib.column(), "element configuration is missing"));
            return out;
        }
        for (String s : REQUIRED) {
            if (conf.firstChild(s) == null) {
                out.add(new CibValidator.Problem("/cib/configuration", conf.line(), conf.column(), "element " + s
                    + " is missing"));
            }
        }
        Map<String, String> ids = new HashMap<>();
        List<String[]> refs = new ArrayList<>();
        walk(conf, "/cib/configuration", ids, refs, out, true);
        unresolved(ids, refs, out);
        return out;
    }

    private static void walk(XmlNode n, String path, Map<String, String> ids, List<String[]> refs,
                             List<CibValidator.Problem> out, boolean structure) {
        for (XmlNode c : n.children()) {
            String id = c.id();
            String p = path + "/" + c.name() + (id != null ? "[@id='" + id + "']" : "");
            if (structure && id == null && NEED_ID.contains(c.name()) && c.attribute("id-ref") == null) {
                out.add(new CibValidator.Problem(p, c.line(), c.column(), "element " + c.name()
                    + " has no id attribute"));
            }
            if (id != null && TEXT_ID.contains(c.name())) {
                // an id the schemas type as plain text (node ids may equal a resource's, as remote nodes' do)
            } else if (id != null && REFERENCE_BY_ID.contains(c.name())) {
                refs.add(new String[] {p, "id", id});
            } else if (id != null) {
                String before = ids.putIfAbsent(id, p);
                if (before != null) {
                    out.add(new CibValidator.Problem(p, c.line(), c.column(), "id '" + id + "' is already used by "
                        + before));
                }
            }
            for (String a : REF_ATTRS) {
                String v = c.attribute(a);
                if (v != null && !(c.is("rsc_location") && a.equals("rsc") && c.attribute("rsc-pattern") != null)) {
                    refs.add(new String[] {p, a, v});
                }
            }
            walk(c, p, ids, refs, out, structure);
        }
    }
}
