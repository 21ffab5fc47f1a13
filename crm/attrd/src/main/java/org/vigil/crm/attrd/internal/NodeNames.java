package org.vigil.crm.attrd.internal;

import java.util.List;
import org.vigil.crm.api.cib.XmlNode;

/**
 * Node names and CIB node ids, as Pacemaker on corosync maps them: a node's id (its {@code uuid}) is its corosync
 * node id in decimal; names come from {@code configuration/nodes/node[@uname]}, {@code status/node_state[@uname]}
 * and, for nodes the CIB does not name yet, the cluster configuration's node list. Names compare without regard to
 * case, as Pacemaker compares them. Immutable.
 *
 * @param localName this node's name
 * @param localId   this node's id
 * @param known     the nodes of the cluster configuration
 */
public record NodeNames(String localName, String localId, List<KnownNode> known) {

    /** A node of the cluster configuration. */
    public record KnownNode(String name, String id) {
    }

    public NodeNames {
        known = List.copyOf(known);
    }

    /** True for the local node: no name, {@code localhost}, {@code auto}, or its own name. */
    public boolean isLocal(String node) {
        return node == null || node.equalsIgnoreCase("localhost") || node.equalsIgnoreCase("auto")
            || node.equalsIgnoreCase(localName);
    }

    /** A node's id from its name; null when nothing knows the name. */
    public String idOf(XmlNode root, String name) {
        if (isLocal(name)) {
            return localId;
        }
        for (XmlNode n : elements(root, "configuration", "nodes", "node")) {
            if (name.equalsIgnoreCase(n.attribute("uname")) && n.id() != null) {
                return n.id();
            }
        }
        for (XmlNode n : elements(root, "status", null, "node_state")) {
            if (name.equalsIgnoreCase(n.attribute("uname")) && n.id() != null) {
                return n.id();
            }
        }
        for (KnownNode k : known) {
            if (name.equalsIgnoreCase(k.name())) {
                return k.id();
            }
        }
        return null;
    }

    /** A node's name from its id (the id itself when nothing names it). */
    public String nameOf(XmlNode root, String id) {
        if (id.equals(localId)) {
            return localName;
        }
        for (XmlNode n : elements(root, "configuration", "nodes", "node")) {
            if (id.equals(n.id()) && n.attribute("uname") != null) {
                return n.attribute("uname");
            }
        }
        for (XmlNode n : elements(root, "status", null, "node_state")) {
            if (id.equals(n.id()) && n.attribute("uname") != null) {
                return n.attribute("uname");
            }
        }
        for (KnownNode k : known) {
            if (id.equals(k.id())) {
                return k.name();
            }
        }
        return id;
    }

    private static List<XmlNode> elements(XmlNode root, String section, String sub, String name) {
        XmlNode s = root.firstChild(section);
        if (s != null && sub != null) {
            s = s.firstChild(sub);
        }
        return s == null ? List.of() : s.children(name);
    }
}
