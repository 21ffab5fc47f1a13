package org.vigil.crm.internal.scheduler.unpack;

import java.util.Locale;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.RuleContext;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.OnFail;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Reads an action's configuration (Pacemaker's {@code unpack_operation}): op_defaults and the {@code <op>}
 * element's meta-attributes and attributes into {@link Action#meta}, the interval and timeout normalised to
 * milliseconds, what the action needs (quorum, fencing), its on-fail policy and the role after failure.
 *
 * <p>Follows {@code unpack_operation()} in lib/pengine/pe_actions.c.
 */
public final class ActionConfig {

    private ActionConfig() {
    }

    static boolean hasFenceParams(String standard) {
        return standard != null && standard.equalsIgnoreCase("stonith");
    }

    static boolean supportsUnique(String standard) {
        return standard != null && (standard.equalsIgnoreCase("ocf") || standard.equalsIgnoreCase("stonith"));
    }

    static boolean supportsPromotable(String standard) {
        return standard != null && standard.equalsIgnoreCase("ocf");
    }

    static boolean isProbe(String task, long interval) {
        return interval == 0 && "monitor".equals(task);
    }

    /**
     * The configuration unpack_operation derives for one action key of a resource (node-independent). Follows {@code
     * unpack_operation()} in lib/pengine/pe_actions.c.
     */
    private record Config(String task, long rscFlags, java.util.Map<String, String> meta, Action.Needs needs,
                          OnFail onFail, Role failRole) {
    }

    /**
     * unpack_operation for a new action, from a per-resource cache: the result depends on the resource, its
     * flags, the action key and task, never on the node (except for fence devices, whose per-node
     * pcmk_monitor_timeout is read every time), and thousands of probes share one key.
     *
     * <p>Follows {@code unpack_operation()} in lib/pengine/pe_actions.c.
     */
    public static void configure(WorkingSet ws, Action action, String key) {
        Resource rsc = action.rsc;
        if (hasFenceParams(rsc.xml.get("class"))) {
            Util.OpKey k = Util.parseOpKey(key);
            unpackOperation(ws, action, action.opEntry, rsc.container, k == null ? 0 : k.intervalMs());
            return;
        }
        if (rsc.opConfigCache == null) {
            rsc.opConfigCache = new java.util.HashMap<>();
        }
        Config c = (Config) rsc.opConfigCache.get(key);
        if (c == null || !c.task().equals(action.task) || c.rscFlags() != rsc.flags) {
            Util.OpKey k = Util.parseOpKey(key);
            unpackOperation(ws, action, action.opEntry, rsc.container, k == null ? 0 : k.intervalMs());
            rsc.opConfigCache.put(key, new Config(action.task, rsc.flags, new java.util.LinkedHashMap<>(action.meta),
                action.needs, action.onFail, action.failRole));
            return;
        }
        action.meta.putAll(c.meta());
        action.needs = c.needs();
        action.onFail = c.onFail();
        action.failRole = c.failRole();
    }

    /** Follows {@code unpack_operation()} in lib/pengine/pe_actions.c. */
    static void unpackOperation(WorkingSet ws, Action action, XmlElement xmlObj, Resource container,
                                long intervalMs) {
        Resource rsc = action.rsc;
        String std = rsc.xml.get("class");
        RuleContext ctx = ws.ruleContext(null).withAgent(std, rsc.xml.get("provider"), rsc.xml.get("type"))
            .withOp(action.task, intervalMs);
        boolean probe = isProbe(action.task, intervalMs);

        ws.rules.unpackNvpairs(ws.opDefaults, "meta_attributes", ctx, action.meta, null, false);

        if (probe) {
            XmlElement minMon = findMinIntervalMonitor(rsc, false);
            if (minMon != null && minMon.get("timeout") != null) {
                action.meta.put("timeout", minMon.get("timeout"));
            }
        }
        if (xmlObj != null) {
            ws.rules.unpackNvpairs(xmlObj, "meta_attributes", ctx, action.meta, null, true);
            for (int i = 0; i < xmlObj.attributeCount(); i++) {
                action.meta.put(xmlObj.attributeName(i), xmlObj.attributeValue(i));
            }
        }
        action.meta.remove("id");
        if (intervalMs > 0) {
            action.meta.put("interval", Long.toString(intervalMs));
        } else {
            action.meta.remove("interval");
        }
        if (hasFenceParams(std) && ("start".equalsIgnoreCase(action.task) || probe)) {
            String v = rsc.params(action.node).get("pcmk_monitor_timeout");
            if (v != null) {
                action.meta.put("timeout", v);
            }
        }
        long timeout = Util.parseMsec(action.meta.get("timeout"));
        if (timeout < 0) {
            timeout = 20000;
        }
        action.meta.put("timeout", Long.toString(timeout));

        if (!"start".equalsIgnoreCase(action.task) && !"promote".equalsIgnoreCase(action.task)) {
            action.needs = Action.Needs.NOTHING;
        } else if (rsc.is(Resource.NEEDS_FENCING)) {
            action.needs = Action.Needs.FENCING;
        } else if (rsc.is(Resource.NEEDS_QUORUM)) {
            action.needs = Action.Needs.QUORUM;
        } else {
            action.needs = Action.Needs.NOTHING;
        }

        String value = onFailValue(action);
        action.onFail = OnFail.IGNORE;
        action.failRole = Role.UNKNOWN;
        boolean valueSet = false;
        if (value != null) {
            valueSet = true;
            switch (value.toLowerCase(Locale.ROOT)) {
                case "block" -> {
                    action.onFail = OnFail.BLOCK;
                    action.meta.put("on-fail", "block");
                }
                case "fence" -> {
                    action.onFail = OnFail.FENCE;
                    if (!ws.is(WorkingSet.STONITH_ENABLED)) {
                        action.onFail = OnFail.STOP;
                        action.failRole = Role.STOPPED;
                    }
                }
                case "standby" -> action.onFail = OnFail.STANDBY;
                case "ignore", "nothing" -> action.onFail = OnFail.IGNORE;
                case "migrate" -> action.onFail = OnFail.MIGRATE;
                case "stop" -> {
                    action.onFail = OnFail.STOP;
                    action.failRole = Role.STOPPED;
                }
                case "restart" -> action.onFail = OnFail.RECOVER;
                case "restart-container" -> {
                    if (container != null) {
                        action.onFail = OnFail.RESTART_CONTAINER;
                    } else {
                        valueSet = false;
                    }
                }
                case "demote" -> action.onFail = OnFail.DEMOTE;
                default -> {
                    ws.warn("Resource " + rsc.id + ": Unknown failure type (" + value + ")");
                    valueSet = false;
                }
            }
        }

        if (!valueSet && container != null) {
            action.onFail = OnFail.RESTART_CONTAINER;
        } else if ((!valueSet || !rsc.is(Resource.MANAGED)) && isRemoteConnection(ws, rsc)
            && !("monitor".equalsIgnoreCase(action.task) && intervalMs == 0)
            && !"start".equalsIgnoreCase(action.task)) {
            if (!rsc.is(Resource.MANAGED)) {
                action.onFail = OnFail.STOP;
                action.failRole = Role.STOPPED;
            } else {
                if (rsc.remoteReconnectMs != 0) {
                    action.failRole = Role.STOPPED;
                }
                action.onFail = OnFail.RESET_REMOTE;
            }
        } else if (!valueSet && "stop".equalsIgnoreCase(action.task)) {
            action.onFail = ws.is(WorkingSet.STONITH_ENABLED) ? OnFail.FENCE : OnFail.BLOCK;
        } else if (!valueSet) {
            action.onFail = OnFail.RECOVER;
        }

        String rap = xmlObj != null ? action.meta.get("role_after_failure") : null;
        if (rap != null && action.failRole == Role.UNKNOWN) {
            action.failRole = Role.parse(rap);
        }
        if (action.failRole == Role.UNKNOWN) {
            action.failRole = "promote".equalsIgnoreCase(action.task) ? Role.UNPROMOTED : Role.STARTED;
        }

        String delay = action.meta.get("start-delay");
        if (delay != null) {
            long d = Util.parseMsec(delay);
            action.meta.put("start-delay", Long.toString(Math.max(0, d)));
        }
    }

    /** Follows {@code pe__resource_is_remote_conn()} in lib/pengine/remote.c. */
    public static boolean isRemoteConnection(WorkingSet ws, Resource rsc) {
        if (rsc == null || !rsc.isRemoteNode) {
            return false;
        }
        Node n = ws.findNode(rsc.id);
        return n != null && n.isRemoteOnly();
    }

    /** Follows {@code unpack_operation_on_fail()} in lib/pengine/pe_actions.c. */
    private static String onFailValue(Action action) {
        String value = action.meta.get("on-fail");
        String task = action.task;
        if ("stop".equalsIgnoreCase(task) && value != null
            && (value.equalsIgnoreCase("standby") || value.equalsIgnoreCase("demote")
                || value.equalsIgnoreCase("stop"))) {
            return null;
        }
        if ("stop".equalsIgnoreCase(task)) {
            return value;
        }
        if ("demote".equalsIgnoreCase(task) && value == null) {
            XmlElement ops = action.rsc.opsXml;
            if (ops != null) {
                for (XmlElement op : ops.kids()) {
                    if (!op.is("op")) {
                        continue;
                    }
                    String onFail = op.get("on-fail");
                    if (onFail == null) {
                        continue;
                    }
                    if (Boolean.FALSE.equals(Util.toBoolean(op.get("enabled")))) {
                        continue;
                    }
                    String role = op.get("role");
                    if (!"monitor".equalsIgnoreCase(op.get("name"))
                        || !(Role.parse(role) == Role.PROMOTED && role != null
                            && (role.equalsIgnoreCase("Promoted") || role.equalsIgnoreCase("Master")))) {
                        continue;
                    }
                    if (Util.parseInterval(op.get("interval")) == 0) {
                        continue;
                    }
                    if ("demote".equalsIgnoreCase(onFail)) {
                        continue;
                    }
                    return onFail;
                }
            }
            return null;
        }
        if ("lrm_delete".equalsIgnoreCase(task)) {
            return "ignore";
        }
        if ("demote".equalsIgnoreCase(value)) {
            XmlElement op = action.opEntry;
            String name = op == null ? null : op.get("name");
            String role = op == null ? null : op.get("role");
            long interval = op == null ? 0 : Util.parseInterval(op.get("interval"));
            boolean promotedMonitor = "monitor".equalsIgnoreCase(name) && role != null
                && (role.equalsIgnoreCase("Promoted") || role.equalsIgnoreCase("Master")) && interval != 0;
            if (!"promote".equalsIgnoreCase(name) && !promotedMonitor) {
                return null;
            }
        }
        return value;
    }

    /** Follows {@code find_min_interval_mon()} in lib/pengine/pe_actions.c. */
    static XmlElement findMinIntervalMonitor(Resource rsc, boolean includeDisabled) {
        long min = Long.MAX_VALUE;
        XmlElement found = null;
        if (rsc.opsXml == null) {
            return null;
        }
        for (XmlElement op : rsc.opsXml.kids()) {
            if (!op.is("op")) {
                continue;
            }
            if (!includeDisabled && Boolean.FALSE.equals(Util.toBoolean(op.get("enabled")))) {
                continue;
            }
            if (!"monitor".equalsIgnoreCase(op.get("name"))) {
                continue;
            }
            long interval = Util.parseInterval(op.get("interval"));
            if (interval != 0 && interval < min) {
                min = interval;
                found = op;
            }
        }
        return found;
    }
}
