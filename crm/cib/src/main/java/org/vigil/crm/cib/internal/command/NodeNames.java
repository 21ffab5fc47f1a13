package org.vigil.crm.cib.internal.command;

import java.util.List;
import java.util.Locale;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.ops.CibXPath;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;

/**
 * Node name to CIB node id, as Pacemaker's {@code query_node_uuid()} finds it (case-insensitively): a cluster or
 * remote node in {@code configuration/nodes}, an {@code ocf:pacemaker:remote} primitive, a guest node's
 * {@code remote-node} meta-attribute, or a remote node's {@code node_state}; where the CIB does not know the node
 * yet (Vigil has no controller writing {@code configuration/nodes} at join), the kernel's node list: a cluster
 * node's id is its corosync node id, in decimal, as Pacemaker's is.
 *
 * <p>Thread-safe (stateless).
 */
final class NodeNames {

    /** A node found: its id, whether it is a Pacemaker Remote node, and whether only the kernel knew it. */
    record Found(String id, boolean remote, boolean fromNodeList, String name) {
    }

    private NodeNames() {
    }

    /** The node called {@code name} (any case), or null. */
    static Found find(XmlNode cib, VigilNode local, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String lit = literal(lower);
        String up = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
        String low = "'abcdefghijklmnopqrstuvwxyz'";
        String xpath = "/cib/configuration/nodes/node[translate(@uname," + up + "," + low + ")=" + lit + "]"
            + "|/cib/configuration/resources/primitive[@class='ocf'][@provider='pacemaker'][@type='remote']"
            + "[translate(@id," + up + "," + low + ")=" + lit + "]"
            + "|/cib/configuration/resources/primitive/meta_attributes/nvpair[@name='remote-node']"
            + "[translate(@value," + up + "," + low + ")=" + lit + "]"
            + "|/cib/status/node_state[@remote_node='true'][translate(@id," + up + "," + low + ")=" + lit + "]";
        try {
            List<int[]> hits = CibXPath.select(cib, xpath);
            if (!hits.isEmpty()) {
                XmlNode n = cib.at(hits.get(0));
                switch (n.name()) {
                    case "node" -> {
                        boolean remote = "remote".equalsIgnoreCase(n.attribute("type"));
                        String id = remote ? n.attribute("uname") : n.id();
                        if (id != null) {
                            return new Found(id, remote, false, n.attribute("uname"));
                        }
                    }
                    case "primitive" -> {
                        return new Found(n.id(), true, false, n.id());
                    }
                    case "nvpair" -> {
                        return new Found(n.attribute("value"), true, false, n.attribute("value"));
                    }
                    case "node_state" -> {
                        if (n.attribute("uname") != null) {
                            return new Found(n.attribute("uname"), "true".equalsIgnoreCase(n.attribute("remote_node")),
                                false, n.attribute("uname"));
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (CibError e) {
            // a name no XPath literal can hold: not in the CIB
        }
        if (local != null) {
            for (VigilConfig.Node n : local.config().nodes()) {
                String display = n.displayName();
                if (display != null && display.equalsIgnoreCase(name)) {
                    return new Found(Integer.toUnsignedString(n.nodeId()), false, true, display);
                }
            }
            if (local.name().equalsIgnoreCase(name)) {
                return new Found(Integer.toUnsignedString(local.nodeId()), false, true, local.name());
            }
        }
        return null;
    }

    /** The name of the node with CIB id {@code id}: from {@code configuration/nodes}, else the kernel's list. */
    static String nameOf(XmlNode cib, VigilNode local, int nodeId) {
        String id = Integer.toUnsignedString(nodeId);
        XmlNode conf = cib.firstChild("configuration");
        XmlNode nodes = conf == null ? null : conf.firstChild("nodes");
        if (nodes != null) {
            for (XmlNode n : nodes.children("node")) {
                if (id.equals(n.id()) && n.attribute("uname") != null) {
                    return n.attribute("uname");
                }
            }
        }
        if (local != null) {
            if (local.nodeId() == nodeId) {
                return local.name();
            }
            for (VigilConfig.Node n : local.config().nodes()) {
                if (n.nodeId() == nodeId) {
                    return n.displayName();
                }
            }
        }
        return null;
    }

    /** An XPath 1.0 string literal for {@code s} (which may hold either quote). */
    static String literal(String s) {
        if (!s.contains("'")) {
            return "'" + s + "'";
        }
        if (!s.contains("\"")) {
            return "\"" + s + "\"";
        }
        StringBuilder b = new StringBuilder("concat(");
        String[] parts = s.split("'", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                b.append(", \"'\", ");
            }
            b.append('\'').append(parts[i]).append('\'');
        }
        return b.append(')').toString();
    }
}
