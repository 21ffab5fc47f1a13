package org.vigil.crm.fencer.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.vigil.crm.api.cib.XmlNode;

/**
 * What the fencer reads from the CIB: the fence devices ({@code primitive class="stonith"}), the fencing topology
 * ({@code fencing-topology/fencing-level}), node attributes (for {@code target-attribute} levels) and
 * {@code stonith-timeout}. Immutable. Bad entries are left out and reported in {@link #problems()}, each naming
 * its place; the rest is kept. What Pacemaker only warns about (an unknown {@code pcmk_*} option, an {@code action}
 * parameter, {@code pcmk_delay_base} above {@code pcmk_delay_max}, a level naming a device the CIB lacks) is
 * reported there too, the entry kept. {@link #rejected()} holds, by id, why each fence device left out was.
 *
 * <p>Where a device may run (Pacemaker's {@code cib_device_update}, which asks the scheduler; simplified here):
 * a device is registered on every node except those with a {@code rsc_location} of score {@code -INFINITY} for it
 * (a plain {@code node}/{@code score} constraint; rule-based constraints are not read), and on none when its
 * {@code target-role} is {@code Stopped} or its {@code is-managed} is {@code false}.
 */
public record FencerConfig(List<Device> devices, List<Level> levels, Map<String, Map<String, String>> nodeAttributes,
                           long stonithTimeoutMs, List<String> problems, Map<String, String> rejected) {

    /** Pacemaker's default {@code stonith-timeout}. */
    public static final long DEFAULT_TIMEOUT_MS = 60_000;

    /** An empty configuration (no CIB yet). */
    public static final FencerConfig EMPTY = new FencerConfig(List.of(), List.of(), Map.of(), DEFAULT_TIMEOUT_MS,
        List.of(), Map.of());

    /** The {@code pcmk_*} device options Pacemaker 2.1.5 knows but the per-action ones (fencer meta-data). */
    private static final java.util.Set<String> KNOWN_OPTIONS = java.util.Set.of("pcmk_host_argument",
        "pcmk_host_map", "pcmk_host_list", "pcmk_host_check", "pcmk_delay_max", "pcmk_delay_base",
        "pcmk_action_limit");
    /** The per-action ones: {@code pcmk_<action>_action/_timeout/_retries}. */
    private static final Pattern ACTION_OPTION = Pattern.compile(
        "pcmk_(on|off|reboot|list|monitor|status)_(action|timeout|retries)");

    /** How a device decides whether it can fence a target ({@code pcmk_host_check}). */
    public enum HostCheck {
        STATIC_LIST("static-list"), DYNAMIC_LIST("dynamic-list"), STATUS("status"), NONE("none");

        final String wire;

        HostCheck(String wire) {
            this.wire = wire;
        }

        static HostCheck of(String s) {
            for (HostCheck h : values()) {
                if (h.wire.equalsIgnoreCase(s.strip())) {
                    return h;
                }
            }
            throw new IllegalArgumentException("pcmk_host_check '" + s + "' is not one of static-list, dynamic-list, "
                + "status, none");
        }

        @Override
        public String toString() {
            return wire;
        }
    }

    /**
     * One fence device.
     *
     * @param id         the primitive's id
     * @param agent      its {@code type} (the fence agent, e.g. {@code fence_ipmilan})
     * @param params     every instance attribute, {@code pcmk_*} ones included
     * @param hostList   {@code pcmk_host_list}, split
     * @param hostMap    {@code pcmk_host_map}: node name to port
     * @param hostCheck  {@code pcmk_host_check} as given, or null for the default
     * @param delayBaseMs {@code pcmk_delay_base}
     * @param delayMaxMs  {@code pcmk_delay_max}
     * @param bannedFrom nodes it may not run on
     * @param stopped    target-role=Stopped or is-managed=false: registered nowhere
     */
    public record Device(String id, String agent, Map<String, String> params, List<String> hostList,
                         Map<String, String> hostMap, HostCheck hostCheck, long delayBaseMs, long delayMaxMs,
                         List<String> bannedFrom, boolean stopped) {

        /** True if this device is registered on {@code node}. */
        public boolean allowedOn(String node) {
            return !stopped && !bannedFrom.contains(node);
        }

        /**
         * The host check this device uses: as configured, else Pacemaker's default ({@code target_list_type}):
         * static-list with a host list or map, else dynamic-list if the agent supports {@code list}, else status
         * if it supports {@code status}, else none.
         */
        public HostCheck effectiveHostCheck(AgentInfo agentInfo) {
            if (hostCheck != null) {
                return hostCheck;
            }
            if (!hostList.isEmpty() || !hostMap.isEmpty()) {
                return HostCheck.STATIC_LIST;
            }
            if (agentInfo.list()) {
                return HostCheck.DYNAMIC_LIST;
            }
            return agentInfo.status() ? HostCheck.STATUS : HostCheck.NONE;
        }

        /** The port the agent is given for {@code target}: its {@code pcmk_host_map} alias, else its name. */
        public String port(String target) {
            return hostMap.getOrDefault(target, target);
        }

        /** The agent action that carries out {@code action} ({@code pcmk_<action>_action}, default the same). */
        public String agentAction(String action) {
            String a = params.get("pcmk_" + action + "_action");
            return a == null || a.isBlank() ? action : a.strip();
        }

        /** The timeout of {@code action} ({@code pcmk_<action>_timeout}), or {@code fallbackMs}. */
        public long timeoutMs(String action, long fallbackMs) {
            String t = params.get("pcmk_" + action + "_timeout");
            if (t == null) {
                return fallbackMs;
            }
            try {
                return msec(t);
            } catch (IllegalArgumentException e) {
                return fallbackMs;   // reported by parse
            }
        }

        /** The parameter name the port goes in: {@code pcmk_host_argument}, else plug or port per the agent. */
        public String hostArgument(AgentInfo agentInfo) {
            String a = params.get("pcmk_host_argument");
            if (a != null && !a.isBlank()) {
                return a.strip();
            }
            return agentInfo.plug() ? "plug" : "port";
        }
    }

    /**
     * What a fence agent supports, from its meta-data.
     *
     * @param list   it has a {@code list} action
     * @param status it has a {@code status} action
     * @param plug   its target parameter is {@code plug} rather than {@code port}
     */
    public record AgentInfo(boolean list, boolean status, boolean plug) {

        /** Reads the {@code <actions>} and {@code <parameters>} of a fence agent's meta-data (text search). */
        public static AgentInfo fromMetaData(String xml) {
            return new AgentInfo(has(xml, "action", "list"), has(xml, "action", "status"),
                has(xml, "parameter", "plug") && !has(xml, "parameter", "port"));
        }

        private static boolean has(String xml, String element, String name) {
            return Pattern.compile("<" + element + "\\s+name=\"" + Pattern.quote(name) + "\"").matcher(xml).find();
        }
    }

    /**
     * One fencing level.
     *
     * @param id             its id
     * @param index          1 to 9: levels are tried in ascending order
     * @param target         the node it is for, or null
     * @param targetPattern  a regular expression matching node names, or null
     * @param attribute      a node attribute, with {@code value}, or null
     * @param value          the attribute's value
     * @param devices        the devices, all of which must succeed, in order
     */
    public record Level(String id, int index, String target, Pattern targetPattern, String attribute, String value,
                        List<String> devices) {
    }

    /** The levels that apply to {@code target}, in index order (Pacemaker's topology lookup, by name first). */
    public List<Level> levelsFor(String target) {
        List<Level> out = new ArrayList<>();
        Map<String, String> attrs = nodeAttributes.getOrDefault(target, Map.of());
        for (Level l : levels) {
            boolean match = l.target() != null ? l.target().equals(target)
                : l.targetPattern() != null ? l.targetPattern().matcher(target).find()
                : l.value() != null && l.value().equals(attrs.get(l.attribute()));
            if (match) {
                out.add(l);
            }
        }
        out.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return out;
    }

    /** The device with this id, or null. */
    public Device device(String id) {
        for (Device d : devices) {
            if (d.id().equals(id)) {
                return d;
            }
        }
        return null;
    }

    /**
     * Reads a CIB document (its root {@code cib} element, or null for none). Never throws: a bad entry is left out
     * and named in {@link #problems()}.
     */
    public static FencerConfig parse(XmlNode cib) {
        if (cib == null || cib.firstChild("configuration") == null) {
            return EMPTY;
        }
        XmlNode conf = cib.firstChild("configuration");
        List<String> problems = new ArrayList<>();
        long timeout = DEFAULT_TIMEOUT_MS;
        XmlNode crmConfig = conf.firstChild("crm_config");
        if (crmConfig != null) {
            for (XmlNode set : crmConfig.children("cluster_property_set")) {
                for (XmlNode nv : set.children("nvpair")) {
                    if ("stonith-timeout".equals(nv.attribute("name")) && nv.attribute("value") != null) {
                        try {
                            timeout = msec(nv.attribute("value"));
                        } catch (IllegalArgumentException e) {
                            problems.add("crm_config: stonith-timeout: " + e.getMessage() + "; using 60s");
                        }
                    }
                }
            }
        }
        // bans: rsc_location rsc=... node=... score=-INFINITY
        Map<String, List<String>> bans = new TreeMap<>();
        XmlNode constraints = conf.firstChild("constraints");
        if (constraints != null) {
            for (XmlNode loc : constraints.children("rsc_location")) {
                String score = loc.attribute("score");
                if (loc.attribute("rsc") != null && loc.attribute("node") != null && score != null
                    && score.strip().equalsIgnoreCase("-INFINITY")) {
                    bans.computeIfAbsent(loc.attribute("rsc"), k -> new ArrayList<>()).add(loc.attribute("node"));
                }
            }
        }
        List<Device> devices = new ArrayList<>();
        Map<String, String> rejected = new TreeMap<>();
        XmlNode resources = conf.firstChild("resources");
        if (resources != null) {
            collectDevices(resources, bans, devices, problems, rejected);
        }
        Map<String, Map<String, String>> nodeAttrs = new TreeMap<>();
        XmlNode nodes = conf.firstChild("nodes");
        if (nodes != null) {
            for (XmlNode n : nodes.children("node")) {
                if (n.attribute("uname") != null) {
                    nodeAttrs.put(n.attribute("uname"), nvpairs(n, "instance_attributes"));
                }
            }
        }
        List<Level> levels = new ArrayList<>();
        XmlNode topo = conf.firstChild("fencing-topology");
        if (topo != null) {
            for (XmlNode l : topo.children("fencing-level")) {
                Level level = level(l, problems);
                if (level != null) {
                    levels.add(level);
                    for (String d : level.devices()) {
                        if (devices.stream().noneMatch(x -> x.id().equals(d))) {
                            problems.add("fencing-level '" + level.id() + "' (line " + l.line() + "): device '" + d
                                + "' is " + (rejected.containsKey(d) ? "not usable (see above)"
                                : "not a fence device of the CIB") + "; this level fails when tried and the next "
                                + "is tried");
                        }
                    }
                }
            }
        }
        return new FencerConfig(List.copyOf(devices), List.copyOf(levels), Collections.unmodifiableMap(nodeAttrs),
            timeout, List.copyOf(problems), Collections.unmodifiableMap(rejected));
    }

    private static void collectDevices(XmlNode parent, Map<String, List<String>> bans, List<Device> out,
                                       List<String> problems, Map<String, String> rejected) {
        for (XmlNode c : parent.children()) {
            if (c.is("primitive")) {
                if ("stonith".equals(c.attribute("class"))) {
                    int before = problems.size();
                    Device d = device(c, bans, problems);
                    if (d != null) {
                        out.add(d);
                    } else if (c.attribute("id") != null && problems.size() > before) {
                        rejected.put(c.attribute("id"), problems.get(problems.size() - 1));
                    }
                }
            } else if (c.is("group") || c.is("clone") || c.is("master") || c.is("bundle")) {
                collectDevices(c, bans, out, problems, rejected);
            }
        }
    }

    /** One device from its primitive; null (with a problem) when it cannot be used. */
    private static Device device(XmlNode p, Map<String, List<String>> bans, List<String> problems) {
        String id = p.attribute("id");
        String where = "primitive " + (id == null ? "(no id)" : "'" + id + "'") + " (line " + p.line() + ")";
        if (id == null || id.isBlank()) {
            problems.add(where + ": a fence device needs an id; ignored");
            return null;
        }
        String agent = p.attribute("type");
        if (agent == null || agent.isBlank()) {
            problems.add(where + ": no type (fence agent); ignored");
            return null;
        }
        Map<String, String> params = nvpairs(p, "instance_attributes");
        Map<String, String> meta = nvpairs(p, "meta_attributes");
        options(where, params, problems);
        try {
            List<String> hostList = new ArrayList<>();
            String hl = params.get("pcmk_host_list");
            if (hl != null) {
                for (String h : hl.split("[\\s,;]+")) {
                    if (!h.isEmpty()) {
                        hostList.add(h);
                    }
                }
            }
            Map<String, String> hostMap = hostMap(params.getOrDefault("pcmk_host_map", ""));
            HostCheck check = params.get("pcmk_host_check") == null ? null : HostCheck.of(params.get("pcmk_host_check"));
            long base = span(params, "pcmk_delay_base");
            long max = span(params, "pcmk_delay_max");
            if (max == 0) {
                max = base;
            } else if (max < base) {
                // Pacemaker's schedule_stonith_command: the base is limited to the maximum
                problems.add(where + ": pcmk_delay_base (" + params.get("pcmk_delay_base").strip() + ") is larger "
                    + "than pcmk_delay_max (" + params.get("pcmk_delay_max").strip() + "); limited to the maximum");
                base = max;
            }
            for (String name : params.keySet()) {
                if (name.startsWith("pcmk_") && name.endsWith("_timeout")) {
                    span(params, name);   // reject now, naming it
                }
            }
            boolean stopped = "stopped".equalsIgnoreCase(meta.getOrDefault("target-role", "").strip())
                || "false".equalsIgnoreCase(meta.getOrDefault("is-managed", "").strip());
            return new Device(id, agent, Collections.unmodifiableMap(params), List.copyOf(hostList), hostMap, check,
                base, max, List.copyOf(bans.getOrDefault(id, List.of())), stopped);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage() + "; the device is not registered");
            return null;
        }
    }

    /**
     * Checks a device's option names (kept, with a problem, as Pacemaker warns): an unknown {@code pcmk_*} name is
     * ignored (with the known name it is closest to, if any); an {@code action} parameter is mapped as Pacemaker's
     * {@code xml2device_params} does ({@code off} becomes {@code pcmk_reboot_action}, another value
     * {@code pcmk_off_action} and {@code pcmk_reboot_action}, unless given; empty or {@code reboot} ignored) and
     * removed, the fencer setting the action itself.
     */
    private static void options(String where, Map<String, String> params, List<String> problems) {
        for (String name : List.copyOf(params.keySet())) {
            if (name.startsWith("pcmk_") && !KNOWN_OPTIONS.contains(name) && !ACTION_OPTION.matcher(name).matches()) {
                String near = closest(name);
                problems.add(where + ": unknown fence device option '" + name + "'"
                    + (near == null ? "" : " (did you mean '" + near + "'?)") + "; ignored");
                params.remove(name);
            }
        }
        String action = params.remove("action");
        if (action == null) {
            return;
        }
        String v = action.strip();
        String what = where + ": parameter action='" + v + "' should never be given in the configuration; ";
        if (v.isEmpty() || v.equals("reboot")) {
            problems.add(what + "ignored" + (v.isEmpty() ? "" : " (see the stonith-action cluster property)"));
            return;
        }
        List<String> mapped = new ArrayList<>();
        for (String a : v.equals("off") ? List.of("reboot") : List.of("off", "reboot")) {
            if (params.putIfAbsent("pcmk_" + a + "_action", v) == null) {
                mapped.add("pcmk_" + a + "_action");
            }
        }
        problems.add(what + (mapped.isEmpty() ? "ignored, pcmk_*_action is given" : "taken as "
            + String.join(" and ", mapped) + "='" + v + "'"));
    }

    /** The known option name at most two edits away from {@code name}, or null. */
    private static String closest(String name) {
        List<String> all = new ArrayList<>(KNOWN_OPTIONS);
        for (String a : List.of("on", "off", "reboot", "list", "monitor", "status")) {
            for (String k : List.of("action", "timeout", "retries")) {
                all.add("pcmk_" + a + "_" + k);
            }
        }
        Collections.sort(all);
        String best = null;
        int bestD = 3;
        for (String k : all) {
            int d = distance(name, k);
            if (d < bestD) {
                best = k;
                bestD = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1,
                    prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A time span parameter in milliseconds, 0 when absent; an error names the parameter. */
    private static long span(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null) {
            return 0;
        }
        try {
            return msec(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private static Level level(XmlNode l, List<String> problems) {
        String id = l.attribute("id", "(no id)");
        String where = "fencing-level '" + id + "' (line " + l.line() + ")";
        int index;
        try {
            index = Integer.parseInt(l.attribute("index", "").strip());
        } catch (NumberFormatException e) {
            problems.add(where + ": index '" + l.attribute("index") + "' is not a number; ignored");
            return null;
        }
        if (index < 1 || index > 9) {
            problems.add(where + ": index " + index + " is not between 1 and 9; ignored");
            return null;
        }
        List<String> devices = new ArrayList<>();
        for (String d : l.attribute("devices", "").split(",")) {
            if (!d.isBlank()) {
                devices.add(d.strip());
            }
        }
        if (devices.isEmpty()) {
            problems.add(where + ": no devices; ignored");
            return null;
        }
        String target = l.attribute("target");
        String pattern = l.attribute("target-pattern");
        String attr = l.attribute("target-attribute");
        Pattern p = null;
        if (pattern != null) {
            try {
                p = Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                problems.add(where + ": target-pattern '" + pattern + "' is not a regular expression; ignored");
                return null;
            }
        }
        if (target == null && p == null && (attr == null || l.attribute("target-value") == null)) {
            problems.add(where + ": needs target, target-pattern or target-attribute with target-value; ignored");
            return null;
        }
        return new Level(id, index, target, p, attr, l.attribute("target-value"), List.copyOf(devices));
    }

    /** The nvpairs of every {@code setName} child of {@code e}, in document order (a later one wins). */
    private static Map<String, String> nvpairs(XmlNode e, String setName) {
        Map<String, String> out = new LinkedHashMap<>();
        for (XmlNode set : e.children(setName)) {
            for (XmlNode nv : set.children("nvpair")) {
                if (nv.attribute("name") != null && nv.attribute("value") != null) {
                    out.put(nv.attribute("name"), nv.attribute("value"));
                }
            }
        }
        return out;
    }

    /**
     * Reads {@code pcmk_host_map}, as Pacemaker's {@code build_port_aliases}: {@code node:port} or {@code node=port}
     * entries separated by {@code ;}, spaces or tabs; a backslash takes the next character as it is.
     *
     * @throws IllegalArgumentException for an entry without a port, naming it
     */
    static Map<String, String> hostMap(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder cur = new StringBuilder();
        String key = null;
        for (int i = 0; i <= text.length(); i++) {
            char c = i == text.length() ? ';' : text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                cur.append(text.charAt(++i));
            } else if ((c == ':' || c == '=') && key == null) {
                key = cur.toString();
                cur.setLength(0);
            } else if (c == ';' || c == ' ' || c == '\t' || c == '\n') {
                if (key != null) {
                    if (key.isEmpty() || cur.isEmpty()) {
                        throw new IllegalArgumentException("pcmk_host_map entry '" + key + ":" + cur
                            + "' lacks a node or a port");
                    }
                    out.put(key, cur.toString());
                } else if (!cur.isEmpty()) {
                    throw new IllegalArgumentException("pcmk_host_map entry '" + cur + "' has no port (node:port)");
                }
                key = null;
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static final Pattern SPAN = Pattern.compile("\\s*(\\d+)\\s*([a-zA-Z]*)\\s*");

    /**
     * A time span in milliseconds as Pacemaker's {@code crm_get_msec()} reads it: a number with an optional unit
     * ({@code ms}/{@code msec}, {@code s}/{@code sec} (the default), {@code m}/{@code min}, {@code h}/{@code hr}).
     *
     * @throws IllegalArgumentException for anything else, naming it
     */
    static long msec(String text) {
        Matcher m = SPAN.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a time span (e.g. 5, 5s, 500ms, 1min)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a time span");
        }
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "s", "sec" -> n * 1000;
            case "ms", "msec" -> n;
            case "m", "min" -> n * 60_000;
            case "h", "hr" -> n * 3_600_000;
            default -> throw new IllegalArgumentException("'" + text + "': unknown time unit '" + m.group(2) + "'");
        };
    }
}
