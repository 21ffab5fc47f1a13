package org.vigil.crm.attrd.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vigil.crm.api.attrd.AttributeUpdate.Lifetime;
import org.vigil.crm.api.cib.XmlNode;

/**
 * Node attributes in the CIB, in Pacemaker's form ({@code daemons/attrd/attrd_cib.c:build_update_element},
 * {@code lib/cib/cib_attrs.c}): reading them from a snapshot and building the one {@code cib_modify} that writes
 * a batch of them. Stateless.
 */
final class CibForm {

    private CibForm() {
    }

    /** The {@code instance_attributes} id: the attribute's set, else {@code status-ID} or {@code nodes-ID}. */
    static String setId(Lifetime lifetime, String nodeId, String set) {
        return sanitize(set != null ? set : (lifetime == Lifetime.REBOOT ? "status-" : "nodes-") + nodeId);
    }

    /** The {@code nvpair} id: {@code SET-NAME}. */
    static String nvpairId(String setId, String name) {
        return sanitize(setId + "-" + name);
    }

    /** Pacemaker's {@code crm_xml_sanitize_id()}: {@code :} and {@code #} cannot be in an XML id, so become dots. */
    static String sanitize(String id) {
        return id.replace(':', '.').replace('#', '.');
    }

    /** The CIB section a lifetime's values are written to. */
    static String scope(Lifetime lifetime) {
        return lifetime == Lifetime.REBOOT ? "status" : "nodes";
    }

    /**
     * The element holding a node's attribute sets: {@code transient_attributes} of its {@code node_state}, or its
     * {@code configuration/nodes/node}; null when there is none.
     */
    static XmlNode holder(XmlNode root, Lifetime lifetime, String nodeId) {
        if (lifetime == Lifetime.REBOOT) {
            XmlNode state = child(root.firstChild("status"), "node_state", nodeId);
            return state == null ? null : child(state, "transient_attributes", null);
        }
        XmlNode conf = root.firstChild("configuration");
        return child(conf == null ? null : conf.firstChild("nodes"), "node", nodeId);
    }

    /**
     * The value of attribute {@code name} on a node: the nvpair of set {@code preferredSet} if there is one, else
     * the first nvpair of that name in any of the node's sets; null when there is none.
     */
    static String value(XmlNode root, Lifetime lifetime, String nodeId, String name, String preferredSet) {
        XmlNode h = holder(root, lifetime, nodeId);
        if (h == null) {
            return null;
        }
        String first = null;
        for (XmlNode set : h.children("instance_attributes")) {
            for (XmlNode nv : set.children("nvpair")) {
                if (name.equals(nv.attribute("name"))) {
                    String v = nv.attribute("value", "");
                    if (set.id() != null && set.id().equals(preferredSet)) {
                        return v;
                    }
                    if (first == null) {
                        first = v;
                    }
                }
            }
        }
        return first;
    }

    /** True if the node has an nvpair {@code name} in set {@code setId}. */
    static boolean present(XmlNode root, Lifetime lifetime, String nodeId, String setId, String name) {
        XmlNode h = holder(root, lifetime, nodeId);
        XmlNode set = h == null ? null : child(h, "instance_attributes", setId);
        if (set == null) {
            return false;
        }
        for (XmlNode nv : set.children("nvpair")) {
            if (name.equals(nv.attribute("name"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The id of the node's nvpair {@code name} in set {@code setId}, or null: a value written by another writer
     * under another id (a fail count of an executor before its ids lost their {@code #}) is changed or deleted
     * where it is, not doubled by a second nvpair of the same name (which a deletion by the computed id missed:
     * {@code crm_resource --cleanup} left the failure in place).
     */
    static String existingId(XmlNode root, Lifetime lifetime, String nodeId, String setId, String name) {
        XmlNode h = root == null ? null : holder(root, lifetime, nodeId);
        XmlNode set = h == null ? null : child(h, "instance_attributes", setId);
        if (set != null) {
            for (XmlNode nv : set.children("nvpair")) {
                if (name.equals(nv.attribute("name")) && nv.id() != null) {
                    return nv.id();
                }
            }
        }
        return null;
    }

    /** Every node's transient attributes: node id to name to value (the first of a name across sets). */
    static Map<String, Map<String, String>> transientAttributes(XmlNode root) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        XmlNode status = root.firstChild("status");
        if (status == null) {
            return out;
        }
        for (XmlNode state : status.children("node_state")) {
            XmlNode h = state.firstChild("transient_attributes");
            if (state.id() == null || h == null) {
                continue;
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            for (XmlNode set : h.children("instance_attributes")) {
                for (XmlNode nv : set.children("nvpair")) {
                    String n = nv.attribute("name");
                    if (n != null) {
                        attrs.putIfAbsent(n, nv.attribute("value", ""));
                    }
                }
            }
            out.put(state.id(), attrs);
        }
        return out;
    }

    /** One value to write: a node's attribute in a set, or its deletion ({@code value} null). */
    record Write(String nodeId, String uname, String setId, String name, String value) {
    }

    /**
     * The data of the {@code cib_modify} (with create) that writes {@code writes} into section
     * {@link #scope(Lifetime)}: one element per node and set, a deletion as Pacemaker's {@code value=""} with
     * {@code __delete__="value"}, which drops the nvpair. A permanent attribute of a node that is not in
     * {@code configuration/nodes} yet creates it with its {@code uname}, which the schema requires.
     */
    static XmlNode update(Lifetime lifetime, List<Write> writes, XmlNode root) {
        Map<String, Map<String, List<XmlNode>>> byNode = new LinkedHashMap<>();
        Map<String, String> unames = new LinkedHashMap<>();
        for (Write w : writes) {
            String held = existingId(root, lifetime, w.nodeId(), w.setId(), w.name());
            String id = held != null ? held : nvpairId(w.setId(), w.name());
            XmlNode nv = XmlNode.of("nvpair", "id", id, "name", w.name(), "value",
                w.value() == null ? "" : w.value());
            if (w.value() == null) {
                nv = nv.with("__delete__", "value");
            }
            byNode.computeIfAbsent(w.nodeId(), k -> new LinkedHashMap<>())
                .computeIfAbsent(w.setId(), k -> new ArrayList<>()).add(nv);
            unames.putIfAbsent(w.nodeId(), w.uname());
        }
        XmlNode section = XmlNode.of(scope(lifetime));
        for (Map.Entry<String, Map<String, List<XmlNode>>> n : byNode.entrySet()) {
            XmlNode holder = lifetime == Lifetime.REBOOT
                ? XmlNode.of("transient_attributes", "id", n.getKey())
                : XmlNode.of("node", "id", n.getKey());
            if (lifetime == Lifetime.FOREVER && holder(root, lifetime, n.getKey()) == null) {
                holder = holder.with("uname", unames.get(n.getKey()));
            }
            for (Map.Entry<String, List<XmlNode>> s : n.getValue().entrySet()) {
                holder = holder.plusChild(XmlNode.of("instance_attributes", "id", s.getKey())
                    .withChildren(s.getValue()));
            }
            section = section.plusChild(lifetime == Lifetime.REBOOT
                ? XmlNode.of("node_state", "id", n.getKey()).plusChild(holder)
                : holder);
        }
        return section;
    }

    /** Pacemaker's XPath of a node's transient attributes, by id. */
    static String transientXPath(String nodeId) {
        return "/cib/status/node_state[@id='" + nodeId + "']/transient_attributes";
    }

    private static XmlNode child(XmlNode parent, String name, String id) {
        if (parent == null) {
            return null;
        }
        for (XmlNode c : parent.children(name)) {
            if (id == null || id.equals(c.id())) {
                return c;
            }
        }
        return null;
    }
}
