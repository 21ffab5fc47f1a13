package org.vigil.crm.executor.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.crm.api.exec.OpDigest;

/**
 * The digests a result carries besides {@code op-digest}, from the agent's meta-data, so that the scheduler can
 * tell a change it may reload from one that needs a restart, and ignore changes of private parameters:
 * {@code op-force-restart} (the parameters a reload cannot change) with {@code op-restart-digest} (the digest of
 * their values), and {@code op-secure-params} (the private parameters) with {@code op-secure-digest} (the digest of
 * everything else). Follows {@code build_operation_update()}, {@code append_restart_list()},
 * {@code append_secure_list()} and {@code build_parameter_list()} (daemons/controld/controld_execd.c) and the
 * meta-data reading of {@code controld_cache_metadata()} (controld_metadata.c).
 *
 * <p>Thread-safe (immutable once built).
 */
final class ReloadDigests {

    /** The operations whose results carry these digests ({@code crm_op_needs_metadata()}). */
    private static final Set<String> NEEDS_METADATA = Set.of("start", "monitor", "promote", "demote", "reload",
        "reload-agent", "migrate_to", "migrate_from", "notify");
    /** The classes whose agents take parameters ({@code pcmk_ra_cap_params}). */
    private static final Set<String> WITH_PARAMS = Set.of("ocf", "stonith");

    private static final java.util.regex.Pattern VERSION =
        java.util.regex.Pattern.compile("<version>\\s*([0-9][0-9.]*)\\s*</version>");

    private record Param(String name, boolean reloadable, boolean unique, boolean isPrivate) {
    }

    private final boolean reloadAgent;
    private final boolean legacyReload;
    private final List<Param> params;

    private ReloadDigests(boolean reloadAgent, boolean legacyReload, List<Param> params) {
        this.reloadAgent = reloadAgent;
        this.legacyReload = legacyReload;
        this.params = params;
    }

    /** Whether a result of {@code r} carries these digests. */
    static boolean needed(ExecRequest r) {
        return r.standard() != null && WITH_PARAMS.contains(r.standard()) && NEEDS_METADATA.contains(r.operation());
    }

    /**
     * Reads an agent's meta-data: OCF 1.1 agents ({@code <version>} 1.1 or later) that list {@code reload-agent}
     * reload what is marked {@code reloadable="1"}; older ones that list {@code reload} reload all but what is
     * marked {@code unique="1"}; parameters marked {@code private="1"} are private, and without any such mark
     * {@code password}, {@code passwd} and {@code user} are.
     *
     * @throws CibException when the meta-data is not XML
     */
    static ReloadDigests of(String metaData) throws CibException {
        XmlNode root = XmlText.parse(metaData, "meta-data");
        // the OCF version the agent follows: the text of <resource-agent><version> (the tree keeps no text)
        java.util.regex.Matcher m = VERSION.matcher(metaData);
        boolean ocf11 = m.find() && compareVersion(m.group(1), "1.1") >= 0;
        boolean reloadAgent = false;
        boolean legacyReload = false;
        XmlNode actions = root.firstChild("actions");
        if (actions != null) {
            for (XmlNode a : actions.children("action")) {
                String name = a.attribute("name", "");
                if (name.equals("reload-agent") && ocf11) {
                    reloadAgent = true;
                } else if (!ocf11 && name.equalsIgnoreCase("reload")) {
                    legacyReload = true;
                }
            }
        }
        List<Param> ps = new ArrayList<>();
        boolean anyPrivate = false;
        XmlNode parameters = root.firstChild("parameters");
        if (parameters != null) {
            for (XmlNode p : parameters.children("parameter")) {
                String name = p.attribute("name");
                if (name == null) {
                    continue;
                }
                boolean priv = isTrue(p.attribute("private"));
                anyPrivate |= priv;
                ps.add(new Param(name, isTrue(p.attribute("reloadable")), isTrue(p.attribute("unique")), priv));
            }
        }
        if (!anyPrivate) {
            ps.replaceAll(p -> Set.of("password", "passwd", "user").contains(p.name())
                ? new Param(p.name(), p.reloadable(), p.unique(), true) : p);
        }
        // Pacemaker prepends to its list as it reads: the names come out in reverse order of the meta-data
        java.util.Collections.reverse(ps);
        return new ReloadDigests(reloadAgent, legacyReload, List.copyOf(ps));
    }

    /** The attributes to add to the result of {@code r}, in the order Pacemaker adds them. */
    Map<String, String> attributes(ExecRequest r) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> values = r.attributes();
        if (r.intervalMs() == 0 && (reloadAgent || legacyReload)) {
            StringBuilder list = new StringBuilder();
            Map<String, String> restart = new TreeMap<>();
            for (Param p : params) {
                if (reloadAgent ? !p.reloadable() : p.unique()) {
                    list.append(' ').append(p.name());
                    String v = values.get(p.name());
                    if (v != null) {
                        restart.put(p.name(), v);
                    }
                }
            }
            out.put("op-force-restart", wordList(list));
            out.put("op-restart-digest", OpDigest.md5(OpDigest.serialize(restart)));
        }
        StringBuilder secureList = new StringBuilder();
        Map<String, String> secure = OpDigest.filter(values);
        for (Param p : params) {
            if (p.isPrivate()) {
                secureList.append(' ').append(p.name());
                secure.remove(p.name());
            }
        }
        if (secureList.length() > 0) {
            out.put("op-secure-params", wordList(secureList));
            out.put("op-secure-digest", OpDigest.md5(OpDigest.serialize(secure)));
        }
        return out;
    }

    /**
     * A list of names as {@code build_parameter_list()} makes it with {@code pcmk__add_word()}: a space word first
     * and last, words separated by one space, so {@code "  a b  "} (the scheduler searches it for {@code " WORD "});
     * {@code "  "}... never: an empty list gives {@code ""}. {@code names} holds {@code " a b"}.
     */
    private static String wordList(StringBuilder names) {
        return names.length() == 0 ? "" : " " + names + "  ";
    }

    private static boolean isTrue(String v) {
        return v != null && Set.of("true", "on", "yes", "y", "1").contains(v.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /** Dotted version comparison, as {@code compare_version()}: missing parts count as 0. */
    static int compareVersion(String a, String b) {
        String[] x = a == null ? new String[0] : a.strip().split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? leading(x[i]) : 0;
            long q = i < y.length ? leading(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }

    private static long leading(String s) {
        int e = 0;
        while (e < s.length() && Character.isDigit(s.charAt(e))) {
            e++;
        }
        return e == 0 ? 0 : Long.parseLong(s.substring(0, e));
    }
}
