package org.vigil.crm.internal.scheduler.unpack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.api.exec.OpDigest;
import org.vigil.crm.internal.cib.Rules;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Bundle;

/**
 * Operation parameter digests (Pacemaker's pe_digest.c): the MD5 of the sorted parameter set an operation ran
 * with, recomputed from the current configuration to find resources whose definition changed (restart, reload,
 * reschedule). The serialisation (one space, {@code <parameters a="v" .../>}, newline) and the filtering of
 * meta-attributes follow Pacemaker so the digests in the CIB status compare equal.
 *
 * <p>Follows lib/pengine/pe_digest.c ({@code pe__calculate_digests()}, {@code rsc_action_digest_cmp()}).
 */
public final class Digests {

    public static final int MATCH = 0;
    public static final int ALL = 1;
    public static final int RESTART = 2;
    public static final int UNKNOWN = 3;

    public int rc = MATCH;
    /** The parameters of each digest (null when it was not calculated). */
    public Map<String, String> paramsAll;
    public Map<String, String> paramsSecure;
    public Map<String, String> paramsRestart;
    public String digestAllCalc;
    public String digestSecureCalc;
    public String digestRestartCalc;
    /** The interval the digests are for (a {@code CRM_meta_interval} override changes it). */
    public long intervalMs;

    /**
     * MD5 of {@code " <parameters ...sorted.../>\n"}: crm-api's {@link OpDigest}, the same the executor records.
     * Follows {@code calculate_operation_digest()} in lib/common/digest.c.
     */
    static String digest(Map<String, String> params) {
        return OpDigest.md5(OpDigest.serialize(params));
    }

    private static void field(Map<String, String> xml, String name, String value) {
        if (!xml.containsKey(name)) {
            xml.put(name, value);
        }
    }

    static String metaName(String field) {
        return ("CRM_meta_" + field).replace('-', '_');
    }

    /** {@link OpDigest#filter} in place. Follows {@code pcmk__filter_op_for_digest()} in lib/common/operations.c. */
    static void filterForDigest(Map<String, String> params) {
        Map<String, String> kept = OpDigest.filter(params);
        params.clear();
        params.putAll(kept);
    }

    /** Follows {@code is_fence_param()} in lib/pengine/pe_digest.c. */
    private static boolean isFenceParam(String p) {
        if (p.equals("provides") || p.equals("stonith-timeout")) {
            return true;
        }
        if (!p.startsWith("pcmk_")) {
            return false;
        }
        if (List.of("pcmk_action_limit", "pcmk_delay_base", "pcmk_delay_max", "pcmk_host_argument",
            "pcmk_host_check", "pcmk_host_list", "pcmk_host_map").contains(p)) {
            return true;
        }
        int u = p.indexOf('_', 5);
        if (u < 0) {
            return false;
        }
        String rest = p.substring(u);
        return rest.equals("_action") || rest.equals("_timeout") || rest.equals("_retries");
    }

    /** Follows {@code pe__calculate_digests()} in lib/pengine/pe_digest.c. */
    static Digests calculate(WorkingSet ws, Resource rsc, String task, long intervalMs, Node node, XmlElement xmlOp,
                             boolean calcSecure) {
        return calculate(ws, rsc, task, intervalMs, node, xmlOp, null, calcSecure);
    }

    /**
     * The digests of an operation with some parameters given instead of the configured ones ({@code crm_resource
     * --digests NAME=VALUE...}): {@code overrides} come first (a {@code CRM_meta_interval} among them also sets the
     * interval, as {@link #intervalMs} tells). Follows {@code pe__calculate_digests()} with its overrides.
     */
    public static Digests calculate(WorkingSet ws, Resource rsc, String task, long intervalMs, Node node,
                                    XmlElement xmlOp, Map<String, String> overrides, boolean calcSecure) {
        Digests d = new Digests();
        if (overrides != null && overrides.get("CRM_meta_interval") != null) {
            try {
                long v = Long.parseLong(overrides.get("CRM_meta_interval").trim());
                if (v >= 0 && v <= 0xffffffffL) {
                    intervalMs = v;
                }
            } catch (NumberFormatException e) {
                // pcmk__scan_ll() failed: the interval stays
            }
        }
        d.intervalMs = intervalMs;
        String opVersion = xmlOp == null ? null : xmlOp.get("crm_feature_set");
        if (opVersion == null) {
            opVersion = ws.input.get("crm_feature_set");
        }
        if (opVersion == null) {
            opVersion = "3.16.1";
        }
        Map<String, String> params = rsc.params(node);
        Map<String, String> all = new LinkedHashMap<>();
        Bundle.addRemoteName(ws, rsc, all, "addr");
        Action action = ws.customAction(rsc, Util.opKey(rsc.id, task, intervalMs), task, node, true, false);
        if (overrides != null) {
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                field(all, e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            field(all, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : action.extra.entrySet()) {
            field(all, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : action.meta.entrySet()) {
            String k = e.getKey();
            if (k.indexOf('#') >= 0 || k.indexOf(':') >= 0) {
                continue;
            }
            field(all, metaName(k), e.getValue());
        }
        filterForDigest(all);
        if (intervalMs == 0 && !action.extra.isEmpty()) {
            d.rc = RESTART;
        }
        d.paramsAll = all;
        d.digestAllCalc = digest(all);

        if (calcSecure) {
            boolean old = Rules.compareVersion(opVersion, "3.16.0") < 0;
            String secureList = xmlOp == null ? " passwd password user " : xmlOp.get("op-secure-params");
            Map<String, String> secure;
            if (old) {
                secure = new LinkedHashMap<>();
                if (overrides != null) {
                    for (Map.Entry<String, String> e : overrides.entrySet()) {
                        field(secure, e.getKey(), e.getValue());
                    }
                }
                for (Map.Entry<String, String> e : params.entrySet()) {
                    field(secure, e.getKey(), e.getValue());
                }
            } else {
                secure = new LinkedHashMap<>(all);
            }
            if (secureList != null) {
                final String sl = secureList;
                secure.keySet().removeIf(n -> sl.contains(" " + n + " "));
            }
            if (old && ActionConfig.hasFenceParams(rsc.xml.get("class"))) {
                secure.keySet().removeIf(Digests::isFenceParam);
            }
            filterForDigest(secure);
            if (old) {
                secure.remove("CRM_meta_timeout");
            }
            d.paramsSecure = secure;
            d.digestSecureCalc = digest(secure);
        }
        if (xmlOp != null && xmlOp.get("op-restart-digest") != null) {
            Map<String, String> restart = new LinkedHashMap<>(all);
            String value = xmlOp.get("op-force-restart");
            if (value != null) {
                restart.keySet().removeIf(n -> !value.contains(" " + n + " "));
            }
            d.paramsRestart = restart;
            d.digestRestartCalc = digest(restart);
        }
        return d;
    }

    /** Follows {@code rsc_action_digest()} in lib/pengine/pe_digest.c. */
    private static Digests cached(WorkingSet ws, Resource rsc, String task, long intervalMs, Node node,
                                  XmlElement xmlOp, boolean calcSecure) {
        String key = node.id + "\u0000" + Util.opKey(rsc.id, task, intervalMs);
        Digests d = ws.digestCache.get(key);
        if (d == null) {
            d = calculate(ws, rsc, task, intervalMs, node, xmlOp, calcSecure);
            ws.digestCache.put(key, d);
        }
        return d;
    }

    /** Follows {@code rsc_action_digest_cmp()} in lib/pengine/pe_digest.c. */
    public static Digests compare(WorkingSet ws, Resource rsc, XmlElement xmlOp, Node node) {
        String task = xmlOp.get("operation");
        String digestAll = xmlOp.get("op-digest");
        String digestRestart = xmlOp.get("op-restart-digest");
        long interval = Unpacker.longAttr(xmlOp, "interval", 0);
        Digests d = cached(ws, rsc, task, interval, node, xmlOp, ws.is(WorkingSet.SANITIZED));
        if (digestRestart != null && d.digestRestartCalc != null && !d.digestRestartCalc.equals(digestRestart)) {
            d.rc = RESTART;
        } else if (digestAll == null) {
            d.rc = UNKNOWN;
        } else if (!digestAll.equals(d.digestAllCalc)) {
            if (interval == 0 && d.rc == RESTART) {
                // keep RESTART
            } else {
                d.rc = ALL;
            }
        } else {
            d.rc = MATCH;
        }
        return d;
    }

    /** Follows {@code pe__compare_fencing_digest()} in lib/pengine/pe_digest.c. */
    public static Digests compareFencing(WorkingSet ws, Resource rsc, Node node) {
        String agent = rsc.meta.get("type");
        Digests d = cached(ws, rsc, "stonith-on", 0, node, null, true);
        String summary = node.attrs.get("#digests-all");
        if (summary == null) {
            d.rc = UNKNOWN;
            return d;
        }
        if (agent != null && summary.contains(rsc.id + ":" + agent + ":" + d.digestAllCalc)) {
            d.rc = MATCH;
            return d;
        }
        summary = node.attrs.get("#digests-secure");
        if (agent != null && summary != null && d.digestSecureCalc != null
            && summary.contains(rsc.id + ":" + agent + ":" + d.digestSecureCalc)) {
            d.rc = MATCH;
            return d;
        }
        d.rc = ALL;
        return d;
    }
}
