package org.vigil.crm.api.exec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.vigil.crm.api.cib.XmlNode;

/**
 * One operation the DC asks a node's executor to run, in the form of Pacemaker's graph action: a
 * {@code <rsc_op>} holding the {@code <primitive>} and the {@code <attributes>} (instance parameters and
 * {@code CRM_meta_*}), with the transition key the result is recorded under.
 *
 * @param actionId      the action's number in its transition
 * @param operation     {@code start}, {@code stop}, {@code monitor}, {@code promote}, {@code demote},
 *                      {@code notify}, {@code migrate_to}, {@code migrate_from}, {@code cancel}, ...
 * @param operationKey  {@code RSC_OP_INTERVALMS}
 * @param node          the target node's name
 * @param nodeUuid      the target node's id (its corosync node id, in decimal)
 * @param resourceId    the id the resource's history is kept under
 * @param longId        the instance name ({@code rsc:N}) when it differs, else null
 * @param standard      {@code ocf}, {@code lsb}, {@code systemd}, {@code stonith}, {@code vigil}, ...
 * @param provider      the OCF provider, or null
 * @param type          the agent type
 * @param attributes    the action's attributes, sorted by name
 * @param targetRc      the rc that counts as success (7 or 8 or 0 for probes)
 * @param transitionKey {@code ACTION:TRANSITION:TARGET_RC:TE_UUID}
 */
public record ExecRequest(int actionId, String operation, String operationKey, String node, String nodeUuid,
                          String resourceId, String longId, String standard, String provider, String type,
                          SortedMap<String, String> attributes, int targetRc, String transitionKey) {

    public ExecRequest {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(resourceId, "resourceId");
        attributes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
    }

    /** A meta-attribute by its name without {@code CRM_meta_} (e.g. {@code timeout}), or null. */
    public String meta(String name) {
        return attributes.get("CRM_meta_" + name);
    }

    /** The instance parameters: the attributes that are not {@code CRM_meta_*} nor the feature set. */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        attributes.forEach((k, v) -> {
            if (!k.startsWith("CRM_meta_") && !k.equals("crm_feature_set")) {
                p.put(k, v);
            }
        });
        return p;
    }

    /** The meta-attributes without their prefix (what the agent sees as {@code OCF_RESKEY_CRM_meta_*}). */
    public Map<String, String> metaAttributes() {
        Map<String, String> p = new LinkedHashMap<>();
        attributes.forEach((k, v) -> {
            if (k.startsWith("CRM_meta_")) {
                p.put(k.substring("CRM_meta_".length()), v);
            }
        });
        return p;
    }

    public long intervalMs() {
        return number(meta("interval"));
    }

    public long timeoutMs() {
        return number(meta("timeout"));
    }

    public long startDelayMs() {
        return number(meta("start_delay"));
    }

    private static long number(String v) {
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code standard:provider:type} (or {@code standard:type}), as agents are registered. */
    public String agentSpec() {
        return provider == null || provider.isEmpty() ? standard + ":" + type : standard + ":" + provider + ":"
            + type;
    }

    /** True for a probe: a one-shot monitor. */
    public boolean probe() {
        return operation.equals("monitor") && intervalMs() == 0;
    }

    /** As Pacemaker's graph writes the action ({@code <rsc_op>}). */
    public XmlNode toXml() {
        XmlNode prim = XmlNode.of("primitive", "id", resourceId, "long-id", longId, "class", standard, "provider",
            provider, "type", type);
        XmlNode attrs = XmlNode.of("attributes");
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            attrs = attrs.with(e.getKey(), e.getValue());
        }
        return XmlNode.of("rsc_op", "id", Integer.toString(actionId), "operation", operation, "operation_key",
            operationKey, "on_node", node, "on_node_uuid", nodeUuid, "transition-key", transitionKey,
            "target-rc", Integer.toString(targetRc)).withChildren(List.of(prim, attrs));
    }

    /** Reads {@link #toXml()}'s form; null if it is not one. */
    public static ExecRequest fromXml(XmlNode op) {
        XmlNode prim = op.firstChild("primitive");
        XmlNode attrs = op.firstChild("attributes");
        if (!op.is("rsc_op") || prim == null || op.attribute("operation") == null || prim.id() == null) {
            return null;
        }
        SortedMap<String, String> a = new TreeMap<>();
        if (attrs != null) {
            a.putAll(attrs.attributes());
        }
        int id;
        int rc;
        try {
            id = Integer.parseInt(op.attribute("id", "0"));
            rc = Integer.parseInt(op.attribute("target-rc", "0"));
        } catch (NumberFormatException e) {
            return null;
        }
        return new ExecRequest(id, op.attribute("operation"), op.attribute("operation_key"), op.attribute("on_node"),
            op.attribute("on_node_uuid"), prim.id(), prim.attribute("long-id"), prim.attribute("class"),
            prim.attribute("provider"), prim.attribute("type"), a, rc, op.attribute("transition-key"));
    }
}
