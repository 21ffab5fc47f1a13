package org.vigil.crm.api.attrd;

import java.util.Objects;

/**
 * One node's value of a node attribute, as {@link Attrd#query} answers it.
 *
 * @param node   the node's name ({@code uname})
 * @param nodeId the node's id in the CIB (on corosync clusters the node id as a decimal string)
 * @param name   the attribute's name
 * @param value  the value, or null when the attribute is known but has no value on this node
 */
public record AttributeValue(String node, String nodeId, String name, String value) {

    public AttributeValue {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(name, "name");
    }
}
