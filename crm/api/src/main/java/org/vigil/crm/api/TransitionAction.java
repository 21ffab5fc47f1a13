package org.vigil.crm.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One action of a transition graph, with everything its executor needs (what Pacemaker's graph carries in a
 * {@code <rsc_op>}, {@code <crm_event>} or {@code <pseudo_event>}).
 *
 * @param id            the action's number in the graph (unique within one transition)
 * @param kind          what executes it
 * @param task          the operation: {@code start}, {@code stop}, {@code monitor}, {@code promote},
 *                      {@code demote}, {@code migrate_to}, {@code migrate_from}, {@code notify}, {@code cancel},
 *                      {@code stonith}, {@code do_shutdown}, {@code clear_failcount}, {@code running} (pseudo), ...
 * @param key           the operation key, e.g. {@code rsc1_monitor_10000} (for clone instances, under the name the
 *                      instance's history uses)
 * @param internalKey   the scheduler's own key when it differs from {@code key} (clone instances:
 *                      {@code rsc1:0_monitor_10000}), else {@code null}
 * @param node          the name of the node the action runs on (for a remote or guest node, that node), or
 *                      {@code null} for pseudo actions
 * @param nodeUuid      that node's id ({@code on_node_uuid}), or {@code null}
 * @param routerNode    the cluster node through which an action on a remote or guest node is routed (the host
 *                      of its connection), or {@code null}
 * @param resource      the resource, or {@code null} for node-level actions
 * @param attributes    the action's attributes, sorted by name, as the graph's {@code <attributes>} element holds
 *                      them: the resource's instance parameters evaluated for the node, {@code CRM_meta_*}
 *                      meta-attributes ({@code CRM_meta_timeout} in ms, {@code CRM_meta_interval},
 *                      {@code CRM_meta_on_node}, clone and notification keys, ...) and {@code crm_feature_set}
 * @param targetRc      the result that counts as success: 7 (not running) or 8 (running promoted) or 0 for
 *                      probes, 0 for everything else ({@code CRM_meta_op_target_rc})
 * @param transitionKey {@code ACTION_ID:TRANSITION_ID:TARGET_RC:TE_UUID}, the key the executor records with the
 *                      result so the controller can match it; {@code null} for pseudo actions
 * @param priority      the synapse priority (the controller aborts a transition with a higher-priority failure)
 * @param inputs        ids of the actions that must complete first
 */
public record TransitionAction(int id, Kind kind, String task, String key, String internalKey, String node,
                               String nodeUuid, String routerNode, ResourceRef resource,
                               SortedMap<String, String> attributes, int targetRc, String transitionKey,
                               int priority, List<Integer> inputs) {

    /** The prefix of meta-attributes among {@link #attributes()}. */
    public static final String META_PREFIX = "CRM_meta_";

    /** Who executes an action. */
    public enum Kind {
        /** A resource agent operation run by the executor on {@link #node()} ({@code rsc_op}). */
        RESOURCE,
        /** A synchronisation point with no work of its own ({@code pseudo_event}). */
        PSEUDO,
        /** Fencing of {@link #node()} ({@code crm_event} stonith). */
        FENCE,
        /** A controller action on a node: shutdown, fail count clearing, history deletion ({@code crm_event}). */
        CLUSTER
    }

    public TransitionAction {
        attributes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
        inputs = List.copyOf(inputs);
    }

    /** A meta-attribute ({@code name} without the {@code CRM_meta_} prefix, e.g. {@code timeout}), or null. */
    public String meta(String name) {
        return attributes.get(META_PREFIX + name);
    }

    /** The resource's instance parameters: the attributes that are neither meta-attributes nor the feature set. */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (!e.getKey().startsWith(META_PREFIX) && !e.getKey().equals("crm_feature_set")) {
                p.put(e.getKey(), e.getValue());
            }
        }
        return p;
    }

    /** The recurring interval in milliseconds ({@code CRM_meta_interval}; 0 for one-shot actions). */
    public long intervalMs() {
        return longMeta("interval");
    }

    /** The timeout in milliseconds ({@code CRM_meta_timeout}; 0 when the action has none). */
    public long timeoutMs() {
        return longMeta("timeout");
    }

    /** The delay before the action starts, in milliseconds ({@code CRM_meta_start_delay}; 0 for none). */
    public long startDelayMs() {
        return longMeta("start_delay");
    }

    private long longMeta(String name) {
        String v = meta(name);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
