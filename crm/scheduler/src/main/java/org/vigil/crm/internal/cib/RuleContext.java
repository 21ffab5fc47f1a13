package org.vigil.crm.internal.cib;

import java.util.Map;

/**
 * What a rule is evaluated against (Pacemaker's {@code pe_rule_eval_data_t}): node attributes, a role, the
 * current time, and optionally regex submatches of a resource pattern, resource parameters/meta-attributes,
 * the resource agent and an operation. Any part may be null. Immutable.
 *
 * @param nodeAttrs the node's attributes (#uname, #id, #kind, ...), or null when no node applies
 * @param role      the role for #role expressions, or {@link Role#UNKNOWN}
 * @param now       the effective time
 * @param reGroups  submatches of a {@code rsc-pattern} (index 0 = whole match; null entries unmatched), or null
 * @param params    resource parameters for {@code value-source="param"}, or null
 * @param meta      resource meta-attributes for {@code value-source="meta"}, or null
 * @param standard  resource agent class for rsc_expression, or null
 * @param provider  resource agent provider, or null
 * @param agent     resource agent type, or null
 * @param opName    operation name for op_expression, or null
 * @param opInterval operation interval in milliseconds
 * @param hasRscData whether resource agent data applies (else rsc_expression fails)
 * @param hasOpData whether operation data applies (else op_expression fails)
 */
public record RuleContext(Map<String, String> nodeAttrs, Role role, CrmTime now, String[] reGroups,
                          Map<String, String> params, Map<String, String> meta, String standard, String provider,
                          String agent, String opName, long opInterval, boolean hasRscData, boolean hasOpData) {

    public static RuleContext of(Map<String, String> nodeAttrs, CrmTime now) {
        return new RuleContext(nodeAttrs, Role.UNKNOWN, now, null, null, null, null, null, null, null, 0, false,
            false);
    }

    public RuleContext withNode(Map<String, String> attrs) {
        return new RuleContext(attrs, role, now, reGroups, params, meta, standard, provider, agent, opName,
            opInterval, hasRscData, hasOpData);
    }

    public RuleContext withAgent(String std, String prov, String type) {
        return new RuleContext(nodeAttrs, role, now, reGroups, params, meta, std, prov, type, opName, opInterval,
            true, hasOpData);
    }

    public RuleContext withOp(String name, long intervalMs) {
        return new RuleContext(nodeAttrs, role, now, reGroups, params, meta, standard, provider, agent, name,
            intervalMs, hasRscData, true);
    }

    public RuleContext withMatch(String[] groups, Map<String, String> rscParams, Map<String, String> rscMeta) {
        return new RuleContext(nodeAttrs, role, now, groups, rscParams, rscMeta, standard, provider, agent, opName,
            opInterval, hasRscData, hasOpData);
    }

    public RuleContext withRole(Role r) {
        return new RuleContext(nodeAttrs, r, now, reGroups, params, meta, standard, provider, agent, opName,
            opInterval, hasRscData, hasOpData);
    }

    public boolean hasMatchData() {
        return reGroups != null || params != null || meta != null;
    }
}
