package org.vigil.kernel.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.config.ConfigKey.Status;

/**
 * A validated configuration with every effective value worked out: typed keys, the node list (from
 * {@code nodelist} or the 2.x {@code interface { member }} list), and the Totem timers with corosync's derived
 * defaults (token_coefficient per node above 2, token_retransmit, hold, consensus = 1.2 × token).
 *
 * <p>Immutable and thread-safe. Build it with {@link #load(Path)} or {@link #fromText(String, String)}.
 */
public final class VigilConfig {

    /** Effective Totem settings (milliseconds for timers). */
    public record Totem(long token, long tokenConfigured, long tokenCoefficient, long tokenWarning,
                        long tokenRetransmitsBeforeLoss, long tokenRetransmit, long hold, long join, long sendJoin,
                        long consensus, long merge, long downcheck, long failRecvConst, long seqnoUnchangedConst,
                        long maxMessages, long windowSize, long maxNetworkDelay, long heartbeatFailuresAllowed,
                        long missCountConst, int netmtu, String transport, String rrpMode, String cryptoCipher,
                        String cryptoHash, String keyfile, String clusterName, boolean clearNodeHighBit,
                        boolean blockUnlistedIps, boolean cancelTokenHoldOnRetransmit, long configVersion,
                        String ipVersion) {

        /** True when datagrams are encrypted and authenticated. */
        public boolean secure() {
            return !cryptoCipher.equals("none") || !cryptoHash.equals("none");
        }
    }

    /** One {@code interface} section: a ring. */
    public record Interface(int ring, String bindnetaddr, String mcastaddr, int mcastport, int ttl,
                            boolean broadcast, List<String> members) {
        public Interface {
            members = List.copyOf(members);
        }
    }

    /**
     * One cluster node.
     *
     * @param position  index in the node list ({@code nodelist.node.<position>})
     * @param nodeId    the node id (explicit or derived from the ring0 IPv4 address)
     * @param name      the node name, or null
     * @param addresses ring number → address as written
     * @param ports     ring number → explicit UDP port (Vigil extension), absent for the interface's mcastport
     * @param votes     quorum votes
     * @param line      line of the node's first key (for messages)
     */
    public record Node(int position, int nodeId, String name, Map<Integer, String> addresses,
                       Map<Integer, Integer> ports, long votes, int line) {
        public Node {
            addresses = Map.copyOf(addresses);
            ports = Map.copyOf(ports);
        }

        /** The node's name, or its ring0 address when it has none. */
        public String displayName() {
            return name != null ? name : addresses.get(0);
        }
    }

    /**
     * Effective {@code quorum} settings; numbers are 0 when not set unless stated.
     *
     * @param waitForAllConfigured true when {@code wait_for_all} is written in the file (otherwise it follows
     *                             {@code two_node}, as in corosync)
     * @param device               the quorum device ({@code quorum.device}), or null when none is configured
     */
    public record Quorum(String provider, long expectedVotes, boolean expectedVotesConfigured, boolean twoNode,
                         boolean waitForAll, boolean lastManStanding, long lastManStandingWindow,
                         boolean autoTieBreaker, String autoTieBreakerNode, boolean allowDownscale,
                         boolean expectedVotesTracking, String deviceModel, boolean waitForAllConfigured,
                         Device device) {
    }

    /**
     * Effective {@code quorum.device} settings (model {@code net}: a {@code vigil qnetd} arbiter).
     *
     * @param model          the device model ({@code net})
     * @param votes          the device's votes: {@code quorum.device.votes}, else corosync's default of the node
     *                       count minus one
     * @param votesConfigured true when {@code quorum.device.votes} is written in the file
     * @param timeoutMs      poll timeout: without a poll for this long the device's vote is dropped
     * @param syncTimeoutMs  how long a membership change waits for the device's poll of the new ring
     * @param masterWins     {@code quorum.device.master_wins}
     * @param host           the arbiter's host ({@code quorum.device.net.host})
     * @param port           the arbiter's TCP port (default 5403)
     * @param algorithm      {@code ffsplit} or {@code lms}
     * @param tieBreaker     {@code lowest}, {@code highest} or a node id
     * @param tls            {@code off}, {@code on} or {@code required}
     */
    public record Device(String model, long votes, boolean votesConfigured, long timeoutMs, long syncTimeoutMs,
                         boolean masterWins, String host, int port, String algorithm, String tieBreaker,
                         String tls) {
    }

    /** Effective {@code logging} settings. */
    public record Logging(boolean toStderr, boolean toLogfile, String logfile, String debug, String timestamp,
                          Map<String, String> subsysDebug) {
        public Logging {
            subsysDebug = Map.copyOf(subsysDebug);
        }
    }

    /** One effective key for cmap, with the line it came from (null source for derived values). */
    public record Value(String key, CmapType type, Object value, ConfigEntry source) {
    }

    private static final long U32_MAX = 0xFFFF_FFFFL;
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");

    private final String file;
    private final Map<String, Value> values;
    private final List<ConfigProblem> warnings;
    private final Totem totem;
    private final List<Interface> interfaces;
    private final List<Node> nodes;
    private final Quorum quorum;
    private final Logging logging;
    private final String stateDir;

    private VigilConfig(String file, Map<String, Value> values, List<ConfigProblem> warnings, Totem totem,
                        List<Interface> interfaces, List<Node> nodes, Quorum quorum, Logging logging,
                        String stateDir) {
        this.file = file;
        this.values = Collections.unmodifiableMap(values);
        this.warnings = List.copyOf(warnings);
        this.totem = totem;
        this.interfaces = List.copyOf(interfaces);
        this.nodes = List.copyOf(nodes);
        this.quorum = quorum;
        this.logging = logging;
        this.stateDir = stateDir;
    }

    /**
     * Reads and validates a configuration file.
     *
     * @throws ConfigException listing every error (and the warnings found before them)
     */
    public static VigilConfig load(Path file) throws ConfigException {
        return build(file.toString(), ConfigParser.parse(file));
    }

    /** Validates configuration text as if it were the file {@code name}. */
    public static VigilConfig fromText(String name, String text) throws ConfigException {
        return build(name, ConfigParser.parseText(name, text));
    }

    private static VigilConfig build(String file, ConfigParser.Result parsed) throws ConfigException {
        return new Builder(file, parsed).build();
    }

    /** The file name the configuration was read from. */
    public String file() {
        return file;
    }

    /** Warnings (unknown and obsolete keys, inconsistent timers, deprecated sections). */
    public List<ConfigProblem> warnings() {
        return warnings;
    }

    public Totem totem() {
        return totem;
    }

    /** Interfaces (rings) by ring number order. */
    public List<Interface> interfaces() {
        return interfaces;
    }

    /** The interface of a ring, if configured. */
    public Optional<Interface> iface(int ring) {
        return interfaces.stream().filter(i -> i.ring() == ring).findFirst();
    }

    /** The cluster nodes in node-list order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The node with this id, if any. */
    public Optional<Node> node(int nodeId) {
        return nodes.stream().filter(n -> n.nodeId() == nodeId).findFirst();
    }

    public Quorum quorum() {
        return quorum;
    }

    public Logging logging() {
        return logging;
    }

    /** {@code system.state_dir}, or null when not set. */
    public String stateDir() {
        return stateDir;
    }

    /**
     * How the node's ring threads are scheduled ({@code system} section, read as corosync reads it):
     * {@code sched_rr: yes} (default) asks for SCHED_RR at the highest realtime priority, falling back to the
     * highest nice priority if that is refused; with {@code no}, {@code priority} (max, min or a nice value), if
     * set, is their nice value, else nothing is changed.
     *
     * @param schedRr  whether to ask for realtime round-robin scheduling
     * @param nice     the nice value to use without it, or null to leave it alone
     */
    public record Scheduling(boolean schedRr, Integer nice) {

        /** The nice value when SCHED_RR is refused: the configured one, else the highest priority. */
        public int fallbackNice() {
            return nice == null ? -20 : nice;
        }
    }

    /** The {@code system.sched_rr} / {@code system.priority} settings. */
    public Scheduling scheduling() {
        Optional<String> rr = raw("system.sched_rr");
        Optional<String> p = raw("system.priority");
        return new Scheduling(!rr.map(String::strip).orElse("yes").equals("no"),
            p.map(VigilConfig::niceValue).orElse(null));
    }

    /** max → -20, min → 19, a number in -20..19 → itself, anything else → null. */
    static Integer niceValue(String p) {
        String t = p.strip();
        switch (t) {
            case "max":
                return -20;
            case "min":
                return 19;
            default:
                try {
                    int n = Integer.parseInt(t);
                    return n >= -20 && n <= 19 ? n : null;
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }

    /** The raw text of a key as written in the file, if present. */
    public Optional<String> raw(String key) {
        Value v = values.get(key);
        return v == null || v.source() == null ? Optional.empty() : Optional.of(v.source().value());
    }

    /**
     * Every key this configuration puts into cmap, sorted by name: the file's keys (typed as declared, others
     * as strings), the node list derived from a 2.x member list, and {@code runtime.config.totem.*}.
     */
    public List<Value> cmapValues() {
        return new ArrayList<>(new TreeMap<>(values).values());
    }

    /**
     * Finds the local node as corosync does: an explicit node id or name wins; then a node whose name is the
     * host name (or its short form); then a node with an address of this host.
     *
     * @param hostName       this host's name
     * @param localAddresses this host's addresses
     * @param nodeId         explicit node id, or 0
     * @param name           explicit node name, or null
     */
    public Optional<Node> findLocalNode(String hostName, Set<InetAddress> localAddresses, int nodeId, String name) {
        if (nodeId != 0) {
            return node(nodeId);
        }
        if (name != null) {
            return nodes.stream().filter(n -> name.equals(n.name())).findFirst();
        }
        if (hostName != null) {
            String shortName = hostName.contains(".") ? hostName.substring(0, hostName.indexOf('.')) : hostName;
            for (Node n : nodes) {
                if (hostName.equals(n.name()) || shortName.equals(n.name())) {
                    return Optional.of(n);
                }
            }
        }
        for (Node n : nodes) {
            for (String addr : n.addresses().values()) {
                InetAddress a = literal(addr);
                if (a != null && localAddresses.contains(a)) {
                    return Optional.of(n);
                }
            }
        }
        return Optional.empty();
    }

    /** Parses an IP literal without any name lookup; null if the text is not one. */
    public static InetAddress literal(String text) {
        try {
            if (IPV4.matcher(text).matches()) {
                for (String part : text.split("\\.")) {
                    if (Integer.parseInt(part) > 255) {
                        return null;
                    }
                }
                return InetAddress.getByName(text);
            }
            if (text.contains(":") && text.matches("[0-9A-Fa-f:.%a-zA-Z]+")) {
                return InetAddress.getByName(text);
            }
        } catch (UnknownHostException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    /** Builds and validates; collects every error before failing. */
    private static final class Builder {
        private final String file;
        private final ConfigParser.Result parsed;
        private final Map<String, Value> values = new LinkedHashMap<>();
        private final List<ConfigProblem> errors = new ArrayList<>();
        private final List<ConfigProblem> warnings = new ArrayList<>();

        Builder(String file, ConfigParser.Result parsed) {
            this.file = file;
            this.parsed = parsed;
            warnings.addAll(parsed.warnings());
        }

        VigilConfig build() throws ConfigException {
            Map<String, ConfigEntry> entries = ConfigParser.lastWins(parsed.entries());
            for (ConfigEntry e : entries.values()) {
                typeCheck(e);
            }
            List<Interface> interfaces = interfaces();
            long configuredToken = u("totem.token", 3000);
            if (configuredToken == 0) {
                configuredToken = 3000;
            }
            List<Node> nodes = nodes(entries, interfaces);
            Totem totem = totem(nodes.size(), configuredToken, interfaces);
            Quorum quorum = quorum(nodes);
            Logging logging = logging();
            scheduling();
            http();
            if (!errors.isEmpty()) {
                List<ConfigProblem> all = new ArrayList<>(errors);
                // by line within a file, the files in the order their first problem came (a comparator that
                // called problems of two files equal was not transitive: the sort could throw)
                Map<String, Integer> fileOrder = new java.util.HashMap<>();
                for (ConfigProblem p : all) {
                    fileOrder.putIfAbsent(p.file(), fileOrder.size());
                }
                all.sort(java.util.Comparator.comparing((ConfigProblem p) -> fileOrder.get(p.file()))
                    .thenComparingInt(ConfigProblem::line));
                all.addAll(warnings);
                throw new ConfigException(all);
            }
            runtimeValues(totem);
            return new VigilConfig(file, values, warnings, totem, interfaces, nodes, quorum, logging,
                s("system.state_dir", null));
        }

        /**
         * The HTTP endpoint's settings that only make sense together: a bind address that is not a loopback one
         * needs TLS (certificate and key) and a token, so that the node's metrics, status and (when enabled) actions
         * are never served to the network in clear or to anyone; a certificate needs its key and the reverse.
         */
        private void http() {
            Value bind = values.get("http.bind");
            if (bind != null && bind.source() != null) {
                String addr = bind.value().toString().strip();
                InetAddress a = literal(addr);
                ConfigEntry e = bind.source();
                if (a == null) {
                    errors.add(ConfigProblem.error(e.file(), e.line(),
                        "http.bind: '" + addr + "' is not an IP address"));
                } else if (!a.isLoopbackAddress()) {
                    List<String> missing = new ArrayList<>();
                    if (!values.containsKey("http.tls_cert") || !values.containsKey("http.tls_key")) {
                        missing.add("TLS (tls_cert and tls_key)");
                    }
                    if (!values.containsKey("http.token") && !values.containsKey("http.token_file")) {
                        missing.add("a token (token or token_file)");
                    }
                    if (!missing.isEmpty()) {
                        errors.add(ConfigProblem.error(e.file(), e.line(), "http.bind " + addr
                            + " is not a loopback address: it needs " + String.join(" and ", missing)));
                    }
                }
            }
            Value cert = values.get("http.tls_cert");
            Value key = values.get("http.tls_key");
            if ((cert == null) != (key == null)) {
                Value given = cert != null ? cert : key;
                errors.add(ConfigProblem.error(given.source().file(), given.source().line(), given.key()
                    + " needs " + (cert != null ? "http.tls_key" : "http.tls_cert") + " too"));
            }
        }

        private void typeCheck(ConfigEntry e) {
            Optional<ConfigKey> decl = ConfigSchema.lookup(e.key());
            if (decl.isEmpty()) {
                if (!ConfigSchema.isFreeSection(e.key())) {
                    warnings.add(ConfigProblem.warning(e.file(), e.line(),
                        "unknown key '" + e.key() + "' (kept in cmap as a string)"));
                }
                values.put(e.key(), new Value(e.key(), CmapType.STRING, e.value(), e));
                return;
            }
            ConfigKey k = decl.get();
            try {
                Object v = ConfigSchema.parseValue(k, e.key(), e.value());
                values.put(e.key(), new Value(e.key(), k.cmapType(), v, e));
                if (k.status() == Status.OBSOLETE) {
                    warnings.add(ConfigProblem.warning(e.file(), e.line(),
                        e.key() + " is obsolete and ignored (" + k.note() + ")"));
                }
            } catch (IllegalArgumentException ex) {
                errors.add(ConfigProblem.error(e.file(), e.line(), ex.getMessage()));
            }
        }

        private long u(String key, long def) {
            Value v = values.get(key);
            return v != null && v.value() instanceof Long l ? l : def;
        }

        private String s(String key, String def) {
            Value v = values.get(key);
            return v != null ? v.value().toString() : def;
        }

        private boolean yes(String key, boolean def) {
            Value v = values.get(key);
            if (v == null) {
                return def;
            }
            if (v.value() instanceof Long l) {
                return l != 0;
            }
            String t = v.value().toString();
            return t.equals("yes") || t.equals("on");
        }

        private ConfigEntry src(String key) {
            Value v = values.get(key);
            return v == null ? null : v.source();
        }

        private int line(String key) {
            ConfigEntry e = src(key);
            return e == null ? 0 : e.line();
        }

        private String fileOf(String key) {
            ConfigEntry e = src(key);
            return e == null ? file : e.file();
        }

        /** {@code system.priority}: max, min or a nice value (-20..19), as corosync reads it. */
        private void scheduling() {
            String p = s("system.priority", "max");
            if (niceValue(p) == null) {
                error("system.priority", "system.priority: '" + p + "' is not valid (expected max, min or a nice "
                    + "value from -20 to 19)");
            }
        }

        private void error(String key, String message) {
            errors.add(ConfigProblem.error(fileOf(key), line(key), message));
        }

        private void warn(String key, String message) {
            warnings.add(ConfigProblem.warning(fileOf(key), line(key), message));
        }

        private List<Interface> interfaces() {
            Map<Integer, List<String>> members = new TreeMap<>();
            Set<Integer> rings = new java.util.TreeSet<>();
            Pattern ifKey = Pattern.compile("totem\\.interface\\.(\\d+)\\.(.*)");
            for (String key : values.keySet()) {
                var m = ifKey.matcher(key);
                if (m.matches()) {
                    int ring = Integer.parseInt(m.group(1));
                    rings.add(ring);
                    if (m.group(2).startsWith("member.")) {
                        members.computeIfAbsent(ring, r -> new ArrayList<>()).add(s(key, ""));
                        ipOrHost(key, s(key, ""), false);
                    }
                }
            }
            List<Interface> out = new ArrayList<>();
            for (int ring : rings) {
                if (ring > 1) {
                    error("totem.interface." + ring + ".ringnumber",
                        "ringnumber " + ring + " is out of range (Vigil supports rings 0 and 1)");
                    continue;
                }
                String p = "totem.interface." + ring + ".";
                String bind = s(p + "bindnetaddr", null);
                if (bind != null) {
                    ipOrHost(p + "bindnetaddr", bind, true);
                }
                String mcast = s(p + "mcastaddr", null);
                if (mcast != null) {
                    InetAddress a = literal(mcast);
                    if (a == null || !a.isMulticastAddress()) {
                        error(p + "mcastaddr", p + "mcastaddr: '" + mcast + "' is not a multicast IP address");
                    }
                }
                out.add(new Interface(ring, bind, mcast, (int) u(p + "mcastport", 5405), (int) u(p + "ttl", 1),
                    yes(p + "broadcast", false), members.getOrDefault(ring, List.of())));
            }
            return out;
        }

        private void ipOrHost(String key, String text, boolean ipOnly) {
            if (literal(text) != null) {
                return;
            }
            if (ipOnly || !HOSTNAME.matcher(text).matches() || IPV4.matcher(text).matches()
                || text.matches("[0-9.]+")) {
                error(key, key + ": '" + text + "' is not a valid IP address");
            }
        }

        private List<Node> nodes(Map<String, ConfigEntry> entries, List<Interface> interfaces) {
            boolean clearHigh = yes("totem.clear_node_high_bit", false);
            Map<Integer, Map<String, String>> byPos = new TreeMap<>();
            // per node: the key of its first line (that line's file may be an included one)
            Map<Integer, String> firstKey = new HashMap<>();
            Pattern nodeKey = Pattern.compile("nodelist\\.node\\.(\\d+)\\.(.*)");
            for (String key : values.keySet()) {
                var m = nodeKey.matcher(key);
                if (m.matches()) {
                    int pos = Integer.parseInt(m.group(1));
                    byPos.computeIfAbsent(pos, p -> new LinkedHashMap<>()).put(m.group(2), key);
                    firstKey.merge(pos, key, (a, b) -> line(b) < line(a) ? b : a);
                }
            }
            List<Node> nodes = new ArrayList<>();
            Map<Node, String> keyOfNode = new java.util.IdentityHashMap<>();
            boolean hasMembers = interfaces.stream().anyMatch(i -> !i.members().isEmpty());
            if (!byPos.isEmpty()) {
                if (hasMembers) {
                    warn(firstMemberKey(), "member section is used together with nodelist. Members ignored.");
                }
                for (Interface i : interfaces) {
                    if (i.bindnetaddr() != null) {
                        warn("totem.interface." + i.ring() + ".bindnetaddr", "interface section bindnetaddr is "
                            + "used together with nodelist. Nodelist one is going to be used.");
                    }
                }
                for (var e : byPos.entrySet()) {
                    int pos = e.getKey();
                    Map<String, String> keys = e.getValue();
                    String p = "nodelist.node." + pos + ".";
                    Map<Integer, String> addrs = new TreeMap<>();
                    Map<Integer, Integer> ports = new TreeMap<>();
                    for (String sub : keys.keySet()) {
                        if (sub.matches("ring\\d_addr")) {
                            int ring = sub.charAt(4) - '0';
                            addrs.put(ring, s(p + sub, ""));
                            ipOrHost(p + sub, s(p + sub, ""), false);
                        } else if (sub.matches("ring\\d_port")) {
                            ports.put(sub.charAt(4) - '0', (int) u(p + sub, 0));
                        }
                    }
                    String first = firstKey.get(pos);
                    if (!addrs.containsKey(0)) {
                        errors.add(ConfigProblem.error(fileOf(first), line(first), "nodelist node " + pos
                            + " has no ring0_addr"));
                        continue;
                    }
                    long id = u(p + "nodeid", 0);
                    if (id == 0) {
                        id = derivedNodeId(p + "ring0_addr", addrs.get(0), clearHigh);
                    }
                    Node n = new Node(pos, (int) id, s(p + "name", null), addrs, ports, u(p + "quorum_votes", 1),
                        line(first));
                    nodes.add(n);
                    keyOfNode.put(n, first);
                }
            } else if (hasMembers) {
                Interface ring0 = interfaces.stream().filter(i -> i.ring() == 0).findFirst().orElse(null);
                if (ring0 == null || ring0.members().isEmpty()) {
                    error(firstMemberKey(), "member addresses are given for ring 1 but not for ring 0");
                    return nodes;
                }
                warn(firstMemberKey(), "member section is deprecated (corosync 2.x): its " + ring0.members().size()
                    + " addresses are used as the node list, with node ids derived from the IPv4 addresses"
                    + (clearHigh ? " (clear_node_high_bit: yes)" : ""));
                Interface ring1 = interfaces.stream().filter(i -> i.ring() == 1).findFirst().orElse(null);
                for (int i = 0; i < ring0.members().size(); i++) {
                    String key = "totem.interface.0.member." + i;
                    Map<Integer, String> addrs = new TreeMap<>();
                    addrs.put(0, ring0.members().get(i));
                    if (ring1 != null && i < ring1.members().size()) {
                        addrs.put(1, ring1.members().get(i));
                    }
                    long id = derivedNodeId(key, addrs.get(0), clearHigh);
                    Node n = new Node(i, (int) id, null, addrs, Map.of(), 1, line(key));
                    nodes.add(n);
                    keyOfNode.put(n, key);
                    String np = "nodelist.node." + i + ".";
                    values.put(np + "ring0_addr", new Value(np + "ring0_addr", CmapType.STRING, addrs.get(0), null));
                    if (addrs.containsKey(1)) {
                        values.put(np + "ring1_addr", new Value(np + "ring1_addr", CmapType.STRING, addrs.get(1), null));
                    }
                    values.put(np + "nodeid", new Value(np + "nodeid", CmapType.UINT32, id & 0xFFFF_FFFFL, null));
                }
            } else {
                errors.add(ConfigProblem.error(file, 0, "no nodelist and no interface member list: the cluster's "
                    + "nodes are unknown (add nodelist { node { ring0_addr: ... nodeid: ... } })"));
            }
            Map<Integer, Node> seen = new HashMap<>();
            for (Node n : nodes) {
                if (n.nodeId() == 0) {
                    continue;
                }
                Node other = seen.putIfAbsent(n.nodeId(), n);
                if (other != null) {
                    String f = fileOf(keyOfNode.get(n));
                    String otherFile = fileOf(keyOfNode.get(other));
                    errors.add(ConfigProblem.error(f, n.line(), "node id " + Integer.toUnsignedString(n.nodeId())
                        + " is used twice (also by the node at " + (otherFile.equals(f) ? "" : otherFile + ":")
                        + "line " + other.line() + ")"));
                }
            }
            return nodes;
        }

        private String firstMemberKey() {
            return values.keySet().stream().filter(k -> k.matches("totem\\.interface\\.\\d+\\.member\\.\\d+"))
                .findFirst().orElse("totem.interface.0.member.0");
        }

        /** corosync's rule: the ring0 IPv4 address as a big-endian u32, bit 31 cleared on request. */
        private long derivedNodeId(String key, String addr, boolean clearHigh) {
            InetAddress a = literal(addr);
            if (!(a instanceof java.net.Inet4Address)) {
                error(key, key + ": a nodeid is required for '" + addr + "' (ids are derived only from IPv4 addresses)");
                return 0;
            }
            byte[] b = a.getAddress();
            long id = ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
            if (clearHigh) {
                id &= 0x7FFF_FFFFL;
            }
            if (id == 0) {
                error(key, key + ": the node id derived from '" + addr + "' is 0, which is reserved");
            }
            return id;
        }

        private Totem totem(int nodeCount, long configuredToken, List<Interface> interfaces) {
            if (configuredToken < ConfigSchema.MINIMUM_TIMEOUT) {
                error("totem.token", "totem.token: " + configuredToken + " ms is below the minimum of "
                    + ConfigSchema.MINIMUM_TIMEOUT + " ms");
            }
            long coefficient = u("totem.token_coefficient", 650);
            long token = configuredToken;
            if (nodeCount >= 3) {
                token += (nodeCount - 2) * coefficient;
            }
            if (token > U32_MAX) {
                // runtime.config.totem.token is a u32 (corosync's sum wraps around silently)
                error("totem.token_coefficient", "the effective token timeout (token " + configuredToken
                    + " + token_coefficient " + coefficient + " × " + (nodeCount - 2) + " nodes above 2) is "
                    + token + " ms, more than " + U32_MAX + " ms");
            }
            long retransmits = u("totem.token_retransmits_before_loss_const", 0);
            if (retransmits == 0) {
                retransmits = 4;
            }
            long tokenRetransmit = u("totem.token_retransmit", 0);
            if (tokenRetransmit == 0) {
                tokenRetransmit = (long) (token / (retransmits + 0.2));
            }
            if (tokenRetransmit < ConfigSchema.MINIMUM_TIMEOUT) {
                // corosync refuses both (totem_volatile_config_validate); a derived hold would go negative
                if (values.containsKey("totem.token_retransmit")) {
                    error("totem.token_retransmit", "totem.token_retransmit: " + tokenRetransmit + " ms is below the"
                        + " minimum of " + ConfigSchema.MINIMUM_TIMEOUT + " ms");
                } else {
                    error(values.containsKey("totem.token_retransmits_before_loss_const")
                        ? "totem.token_retransmits_before_loss_const" : "totem.token", "token " + token + " ms over "
                        + "token_retransmits_before_loss_const " + retransmits + " gives a token_retransmit of "
                        + tokenRetransmit + " ms, below the minimum of " + ConfigSchema.MINIMUM_TIMEOUT
                        + " ms (raise token or lower token_retransmits_before_loss_const)");
                }
            }
            long hold = u("totem.hold", 0);
            if (hold == 0) {
                hold = (long) (tokenRetransmit * 0.8 - 10);
            }
            if (hold < ConfigSchema.MINIMUM_TIMEOUT_HOLD && tokenRetransmit >= ConfigSchema.MINIMUM_TIMEOUT) {
                error("totem.hold", "totem.hold: " + hold + " ms is below the minimum of "
                    + ConfigSchema.MINIMUM_TIMEOUT_HOLD + " ms");
            }
            long join = nz(u("totem.join", 0), 50);
            long consensus = u("totem.consensus", 0);
            if (consensus == 0) {
                consensus = (long) (1.2 * token);
                if (consensus > U32_MAX && token <= U32_MAX) {
                    error("totem.token", "the derived consensus timeout (1.2 × the effective token " + token
                        + " ms) is " + consensus + " ms, more than " + U32_MAX + " ms (set totem.consensus)");
                }
            } else if (consensus < token && nodeCount >= 3) {
                warn("totem.consensus", "consensus (" + consensus + " ms) is lower than the effective token "
                    + "timeout (" + token + " ms = token " + configuredToken + " + token_coefficient " + coefficient
                    + " × " + (nodeCount - 2) + " node" + (nodeCount == 3 ? "" : "s") + " above 2); for 3 or more "
                    + "nodes consensus should exceed token (default 1.2 × token = " + (long) (1.2 * token) + " ms)");
            }
            if (consensus < join) {
                error("totem.consensus", "totem.consensus (" + consensus + " ms) must be at least totem.join ("
                    + join + " ms)");
            }
            long tokenWarningPct = values.containsKey("totem.token_warning") ? u("totem.token_warning", 75) : 75;
            String transport = s("totem.transport", "udpu");
            if (transport.equals("knet")) {
                warn("totem.transport", "transport knet is not available in Vigil; using udpu");
                transport = "udpu";
            }
            String rrp = s("totem.rrp_mode", "none");
            if (interfaces.size() > 1 && rrp.equals("none")) {
                error("totem.rrp_mode", interfaces.size() + " is too many configured interfaces for the rrp_mode "
                    + "setting none (use passive or active)");
            }
            String cipher = s("totem.crypto_cipher", null);
            String hash = s("totem.crypto_hash", null);
            boolean secauth = yes("totem.secauth", false);
            if (cipher == null) {
                cipher = secauth ? "aes256" : "none";
            }
            if (hash == null) {
                hash = secauth ? "sha256" : "none";
            }
            if (!cipher.equals("none") && hash.equals("none")) {
                error("totem.crypto_cipher", "crypto_cipher requires crypto_hash with a value other than none");
            }
            if (transport.equals("udp") && interfaces.stream().anyMatch(i -> i.mcastaddr() == null && !i.broadcast())
                && !values.containsKey("totem.cluster_name")) {
                error("totem.transport", "transport udp needs interface mcastaddr (or cluster_name to derive it)");
            }
            // the heartbeat mode and send_join, checked as corosync's totem_volatile_config_validate and
            // totemsrp_initialize do (the heartbeat is turned off, with a warning here, when not below token)
            long maxNetworkDelay = nz(u("totem.max_network_delay", 0), 50);
            if (maxNetworkDelay < ConfigSchema.MINIMUM_TIMEOUT) {
                error("totem.max_network_delay", "totem.max_network_delay: " + maxNetworkDelay + " ms is below the "
                    + "minimum of " + ConfigSchema.MINIMUM_TIMEOUT + " ms");
            }
            long heartbeatFailures = u("totem.heartbeat_failures_allowed", 0);
            if (heartbeatFailures > 0) {
                long hb = heartbeatFailures >= token ? Long.MAX_VALUE
                    : heartbeatFailures * tokenRetransmit + maxNetworkDelay;
                if (hb >= token) {
                    warn("totem.heartbeat_failures_allowed", "the heartbeat timeout (heartbeat_failures_allowed "
                        + heartbeatFailures + " × token_retransmit " + tokenRetransmit + " ms + max_network_delay "
                        + maxNetworkDelay + " ms) is not below the token timeout (" + token + " ms): the heartbeat "
                        + "mode is off");
                }
            }
            long sendJoin = u("totem.send_join", 0);
            if (sendJoin > 0 && sendJoin >= consensus) {
                error("totem.send_join", "totem.send_join (" + sendJoin + " ms) must be below the consensus timeout ("
                    + consensus + " ms): a JOIN could wait longer than the round it belongs to");
            }
            return new Totem(token, configuredToken, coefficient, token * tokenWarningPct / 100, retransmits,
                tokenRetransmit, hold, join, u("totem.send_join", 0), consensus, nz(u("totem.merge", 0), 200),
                nz(u("totem.downcheck", 0), 1000), nz(u("totem.fail_recv_const", 0), 2500),
                nz(u("totem.seqno_unchanged_const", 0), 30), nz(u("totem.max_messages", 0), 17),
                nz(u("totem.window_size", 0), 50), nz(u("totem.max_network_delay", 0), 50),
                u("totem.heartbeat_failures_allowed", 0), nz(u("totem.miss_count_const", 0), 5),
                (int) u("totem.netmtu", 1500), transport, rrp, cipher, hash, s("totem.keyfile", "/etc/vigil/authkey"),
                s("totem.cluster_name", null), yes("totem.clear_node_high_bit", false),
                yes("totem.block_unlisted_ips", true), yes("totem.cancel_token_hold_on_retransmit", false),
                u("totem.config_version", 0), s("totem.ip_version", "ipv4"));
        }

        private static long nz(long v, long def) {
            return v == 0 ? def : v;
        }

        private Quorum quorum(List<Node> nodes) {
            boolean twoNode = yes("quorum.two_node", false);
            if (twoNode && !nodes.isEmpty() && nodes.size() != 2) {
                error("quorum.two_node", "quorum.two_node: 1 needs exactly 2 nodes in the node list; found "
                    + nodes.size());
            }
            long sumVotes = nodes.stream().mapToLong(Node::votes).sum();
            boolean evSet = values.containsKey("quorum.expected_votes");
            long expected = evSet ? u("quorum.expected_votes", 0) : sumVotes;
            boolean wfaSet = values.containsKey("quorum.wait_for_all");
            boolean wfa = wfaSet ? yes("quorum.wait_for_all", false) : twoNode;
            boolean lms = yes("quorum.last_man_standing", false);
            boolean atb = yes("quorum.auto_tie_breaker", false);
            boolean downscale = yes("quorum.allow_downscale", false);
            String atbNode = s("quorum.auto_tie_breaker_node", "lowest");
            if (atb) {
                autoTieBreakerNode(atbNode, nodes);
                if (nodes.stream().anyMatch(n -> n.votes() != 1)) {
                    warn("quorum.auto_tie_breaker", "auto_tie_breaker with nodes of unequal votes can leave both "
                        + "halves of a split quorate (its rule compares the nodes that left with the votes needed); "
                        + "give every node 1 vote or use a quorum device");
                }
                if (twoNode) {
                    warn("quorum.auto_tie_breaker", "two_node and auto_tie_breaker are both specified but are not "
                        + "compatible: two_node is disabled (corosync does the same); remove one of them");
                } else if (sumVotes % 2 != 0 && !wfa) {
                    if (lms) {
                        error("quorum.auto_tie_breaker", "auto_tie_breaker and last_man_standing are not available "
                            + "in a cluster with an odd number of votes (" + sumVotes + ") without wait_for_all: "
                            + "disable last_man_standing and set wait_for_all: 1");
                    } else {
                        warn("quorum.auto_tie_breaker", "auto_tie_breaker needs wait_for_all: 1 in a cluster with "
                            + "an odd number of votes (" + sumVotes + "): auto_tie_breaker is disabled");
                    }
                }
            } else if (values.containsKey("quorum.auto_tie_breaker_node")) {
                warn("quorum.auto_tie_breaker_node", "auto_tie_breaker_node is meaningless without "
                    + "auto_tie_breaker: 1");
            }
            if (lms && nodes.stream().anyMatch(n -> n.votes() > 1)) {
                warn("quorum.last_man_standing", "last_man_standing works only when every node has 1 vote; it is "
                    + "disabled as soon as a node with more votes is seen");
            }
            if (downscale) {
                warn("quorum.allow_downscale", "allow_downscale is marked unsupported by corosync; it implies "
                    + "expected_votes_tracking");
            }
            Device device = device(nodes, twoNode, lms, atb, downscale, evSet, expected);
            return new Quorum(s("quorum.provider", null), expected, evSet, twoNode, wfa, lms,
                u("quorum.last_man_standing_window", 10000), atb, atbNode, downscale,
                yes("quorum.expected_votes_tracking", false), s("quorum.device.model", null), wfaSet, device);
        }

        /** {@code lowest}, {@code highest} or a space-separated list of node ids (corosync's parse rules). */
        private void autoTieBreakerNode(String text, List<Node> nodes) {
            String key = "quorum.auto_tie_breaker_node";
            if (text.equals("lowest") || text.equals("highest")) {
                return;
            }
            String[] ids = text.trim().split("\\s+");
            for (String id : ids) {
                long v;
                try {
                    v = Long.parseLong(id);
                } catch (NumberFormatException e) {
                    v = 0;
                }
                if (v <= 0 || v > 0xFFFF_FFFFL) {
                    error(key, key + ": '" + text + "' is not valid (expected lowest, highest or a space-separated "
                        + "list of node ids)");
                    return;
                }
                if (nodes.stream().noneMatch(n -> Integer.toUnsignedLong(n.nodeId()) == Long.parseLong(id))) {
                    warn(key, key + ": node id " + id + " is not in the node list");
                }
            }
        }

        /** {@code quorum.device}: the checks corosync's votequorum makes at startup, plus the net model's own. */
        private Device device(List<Node> nodes, boolean twoNode, boolean lms, boolean atb, boolean downscale,
                              boolean evSet, long expected) {
            String model = s("quorum.device.model", null);
            if (model == null) {
                if (values.keySet().stream().anyMatch(k -> k.startsWith("quorum.device."))) {
                    warn(values.keySet().stream().filter(k -> k.startsWith("quorum.device.")).findFirst()
                        .orElseThrow(), "quorum.device has no model: the quorum device is not used");
                }
                return null;
            }
            String m = "quorum.device.model";
            if (!model.equals("net")) {
                error(m, m + ": '" + model + "' is not supported (the only model is net: a vigil qnetd arbiter)");
            }
            if (twoNode) {
                error("quorum.two_node", "two_node and quorum device cannot be configured at the same time");
            }
            if (lms) {
                error("quorum.last_man_standing", "quorum.device is not compatible with last_man_standing");
            }
            if (atb) {
                error("quorum.auto_tie_breaker", "quorum.device is not compatible with auto_tie_breaker");
            }
            if (downscale) {
                error("quorum.allow_downscale", "quorum.device is not compatible with allow_downscale");
            }
            boolean votesSet = values.containsKey("quorum.device.votes");
            long votes = u("quorum.device.votes", 0);
            if (!votesSet) {
                if (evSet) {
                    error("quorum.expected_votes", "quorum.device.votes must be specified when "
                        + "quorum.expected_votes is set");
                } else if (nodes.stream().anyMatch(n -> n.votes() != 1)) {
                    error(m, "quorum.device.votes must be specified when not all nodes have 1 vote");
                }
                votes = Math.max(0, nodes.size() - 1);
            } else if (evSet && expected - votes < 2) {
                error("quorum.device.votes", "quorum.device.votes is too high or expected_votes is too low "
                    + "(expected_votes " + expected + " − device votes " + votes + " must be at least 2)");
            } else if (votes == 0) {
                warn("quorum.device.votes", "quorum.device.votes: 0 gives the quorum device no vote");
            }
            String host = s("quorum.device.net.host", null);
            if (model.equals("net") && (host == null || host.isBlank())) {
                error(m, "quorum.device.net.host is required for model net (the vigil qnetd arbiter's address)");
            }
            String algorithm = s("quorum.device.net.algorithm", "ffsplit");
            if (algorithm.equals("2nodelms") || algorithm.equals("test")) {
                error("quorum.device.net.algorithm", "quorum.device.net.algorithm: '" + algorithm + "' is a "
                    + "developer-only algorithm; use ffsplit or lms");
            } else if (algorithm.equals("ffsplit") && votes != 1) {
                error(votesSet ? "quorum.device.votes" : values.containsKey("quorum.device.net.algorithm")
                    ? "quorum.device.net.algorithm" : m, "algorithm ffsplit needs "
                    + "quorum.device.votes: 1 (found " + votes + (votesSet ? "" : ", the default of node count − 1")
                    + ")");
            }
            String tb = s("quorum.device.net.tie_breaker", "lowest");
            if (!tb.equals("lowest") && !tb.equals("highest")) {
                long id;
                try {
                    id = Long.parseLong(tb);
                } catch (NumberFormatException e) {
                    id = -1;
                }
                long tbId = id;
                if (id <= 0 || nodes.stream().noneMatch(n -> Integer.toUnsignedLong(n.nodeId()) == tbId)) {
                    error("quorum.device.net.tie_breaker", "quorum.device.net.tie_breaker: '" + tb + "' is not "
                        + "valid (expected lowest, highest or the node id of a node in the node list)");
                }
            }
            String tls = s("quorum.device.net.tls", "off");
            if (tls.equals("required")) {
                error("quorum.device.net.tls", "quorum.device.net.tls: required is not available yet (the arbiter "
                    + "protocol runs over plain TCP); use off");
            } else if (tls.equals("on")) {
                warn("quorum.device.net.tls", "quorum.device.net.tls: on is not available yet; plain TCP is used");
            }
            return new Device(model, votes, votesSet, u("quorum.device.timeout", 10000),
                u("quorum.device.sync_timeout", 30000), yes("quorum.device.master_wins", false), host,
                (int) u("quorum.device.net.port", 5403), algorithm, tb, tls);
        }

        private Logging logging() {
            Map<String, String> subsys = new TreeMap<>();
            Pattern p = Pattern.compile("logging\\.logger_subsys\\.([^.]+)\\.debug");
            for (String key : values.keySet()) {
                var m = p.matcher(key);
                if (m.matches()) {
                    subsys.put(m.group(1), s(key, "off"));
                }
            }
            return new Logging(yes("logging.to_stderr", true), yes("logging.to_logfile", false),
                s("logging.logfile", null), s("logging.debug", "off"), s("logging.timestamp", "hires"), subsys);
        }

        /** corosync's {@code runtime.config.totem.*}: the effective timers. */
        private void runtimeValues(Totem t) {
            Map<String, Long> rt = new LinkedHashMap<>();
            rt.put("token", t.token());
            rt.put("token_retransmit", t.tokenRetransmit());
            rt.put("hold", t.hold());
            rt.put("token_warning", t.tokenWarning());
            rt.put("token_retransmits_before_loss_const", t.tokenRetransmitsBeforeLoss());
            rt.put("join", t.join());
            rt.put("send_join", t.sendJoin());
            rt.put("consensus", t.consensus());
            rt.put("merge", t.merge());
            rt.put("downcheck", t.downcheck());
            rt.put("fail_recv_const", t.failRecvConst());
            rt.put("seqno_unchanged_const", t.seqnoUnchangedConst());
            rt.put("max_messages", t.maxMessages());
            rt.put("window_size", t.windowSize());
            rt.put("miss_count_const", t.missCountConst());
            rt.put("heartbeat_failures_allowed", t.heartbeatFailuresAllowed());
            rt.put("max_network_delay", t.maxNetworkDelay());
            rt.put("block_unlisted_ips", t.blockUnlistedIps() ? 1L : 0L);
            rt.put("cancel_token_hold_on_retransmit", t.cancelTokenHoldOnRetransmit() ? 1L : 0L);
            for (var e : rt.entrySet()) {
                String key = "runtime.config.totem." + e.getKey();
                values.put(key, new Value(key, CmapType.UINT32, e.getValue(), null));
            }
        }
    }
}
