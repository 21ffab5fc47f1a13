package org.vigil.kernel.config;

import static org.vigil.kernel.config.ConfigKey.Status.ACCEPTED;
import static org.vigil.kernel.config.ConfigKey.Status.OBSOLETE;
import static org.vigil.kernel.config.ConfigKey.Status.USED;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.config.ConfigKey.Status;
import org.vigil.kernel.config.ConfigKey.Type;

/**
 * Every configuration key Vigil knows, one typed, defaulted declaration each, with corosync's defaults
 * (3.x unless the key only exists in 2.x). Keys matching no declaration are kept in cmap as strings with a
 * warning; sections corosync itself stores without interpreting ({@code resources}, {@code nozzle},
 * {@code uidgid}) are accepted silently.
 */
public final class ConfigSchema {

    /** Timer floor of corosync ({@code MINIMUM_TIMEOUT}, 3 × 1000/HZ), in ms. */
    public static final long MINIMUM_TIMEOUT = 30;
    /** Floor of the token hold timer (corosync's {@code MINIMUM_TIMEOUT_HOLD}, 0.8 × 30 − 10 ms). */
    public static final long MINIMUM_TIMEOUT_HOLD = 14;

    private static final long U8 = 0xFFL;
    private static final long U16 = 0xFFFFL;
    private static final long U32 = 0xFFFF_FFFFL;
    /**
     * Vigil's engine keeps these counters in an {@code int}, and at most 10000 messages per token visit and
     * rotation ({@code TotemConfig}); corosync's u32 range beyond that is refused here, with the file's line,
     * rather than when the node starts.
     */
    private static final long I32_MAX = Integer.MAX_VALUE;
    private static final long ENGINE_MAX_MESSAGES = 10_000;

    private static final List<ConfigKey> KEYS = new ArrayList<>();
    private static final List<Pattern> REGEXES = new ArrayList<>();
    /** Sections whose keys corosync stores without interpreting them. */
    private static final List<String> FREE_SECTIONS = List.of("resources.", "nozzle.", "uidgid.", "qb.");

    static {
        // totem {} — timers (ms)
        u32("totem.version", "2", "", 2, 2, "configuration format version; must be 2");
        u32("totem.token", "3000", "ms", 0, U32, "token loss timeout; the effective value adds token_coefficient "
            + "for each node above 2 (runtime.config.totem.token); 0 means the default");
        u32("totem.token_coefficient", "650", "ms", 0, U32,
            "added to token for each node above 2 when the node list has 3 or more nodes");
        u32("totem.token_warning", "75", "%", 0, 99,
            "percentage of token after which a 'token has not been received' warning is logged; 0 = off");
        u32("totem.token_retransmits_before_loss_const", "4", "", 0, U32,
            "token retransmits before the token is declared lost; drives token_retransmit and hold");
        u32d("totem.token_retransmit", "ms", "token / (token_retransmits_before_loss_const + 0.2)");
        u32d("totem.hold", "ms", "token_retransmit × 0.8 − 10 (the representative's idle token hold)");
        u32("totem.join", "50", "ms", 0, U32, "how often a JOIN message is resent while gathering");
        u32("totem.send_join", "0", "ms", 0, U32, "random delay before sending a JOIN (for rings of 32+ nodes)");
        u32d("totem.consensus", "ms", "1.2 × the effective token; must be at least join");
        u32("totem.merge", "200", "ms", 0, U32, "how often the representative of an idle ring sends merge-detect");
        u32("totem.downcheck", "1000", "ms", 0, U32, "interface re-check period while alone");
        u32("totem.fail_recv_const", "2500", "", 0, I32_MAX,
            "token rotations without receiving a missing message before FAILED TO RECEIVE");
        u32("totem.seqno_unchanged_const", "30", "", 0, I32_MAX,
            "idle rotations before the representative holds the token");
        u32("totem.max_messages", "17", "", 0, ENGINE_MAX_MESSAGES, "messages one node may send per token visit");
        u32("totem.window_size", "50", "", 0, ENGINE_MAX_MESSAGES,
            "messages the whole ring may send per token rotation");
        u32("totem.max_network_delay", "50", "ms", 0, U32, "network delay assumed by the heartbeat mode");
        u32("totem.heartbeat_failures_allowed", "0", "", 0, U32, "heartbeat mode: failures tolerated; 0 = off");
        u32("totem.miss_count_const", "5", "", 0, I32_MAX, "token visits before a missing message is requested");
        u32("totem.netmtu", "1500", "bytes", 576, 65535, "largest datagram the ring sends");
        u32("totem.nodeid", null, "", 1, U32, "corosync 2.x local node id (prefer nodelist nodeid)");
        u64("totem.config_version", "0", "configuration version; a node with an older one may not join");
        enumKey("totem.clear_node_high_bit", "no", USED, "clear bit 31 of node ids derived from IPv4 addresses",
            "yes", "no");
        enumKey("totem.rrp_mode", "none", USED, "redundant ring mode: none, passive or active", "none", "passive",
            "active");
        enumKey("totem.secauth", "off", USED, "on = crypto_cipher aes256 + crypto_hash sha256", "on", "off");
        enumKey("totem.crypto_cipher", "none", USED, "datagram encryption", "none", "aes256", "aes192", "aes128");
        enumKey("totem.crypto_hash", "none", USED, "datagram authentication", "none", "md5", "sha1", "sha256",
            "sha384", "sha512");
        str("totem.crypto_model", "nss", ACCEPTED, "crypto library of corosync's knet; Vigil uses the JDK");
        str("totem.keyfile", "/etc/vigil/authkey", USED, "the shared key file");
        str("totem.key", null, USED, "the shared key given inline (prefer keyfile)");
        enumKey("totem.transport", "udpu", USED, "udpu (unicast to every member) or udp (IP multicast); "
            + "knet is not available in Vigil and falls back to udpu", "udpu", "udp", "knet");
        str("totem.cluster_name", null, USED, "cluster name; packets from another cluster are dropped");
        enumKey("totem.ip_version", "ipv4", USED, "address family", "ipv4", "ipv6", "ipv4-6", "ipv6-4");
        enumKey("totem.block_unlisted_ips", "yes", USED, "drop datagrams from addresses not in the node list",
            "yes", "no");
        enumKey("totem.cancel_token_hold_on_retransmit", "no", USED,
            "do not hold the token while retransmissions are pending", "yes", "no");
        u32("totem.threads", "0", "", 0, U32, OBSOLETE, "obsolete: had no effect since corosync 2.x");
        str("totem.vsftype", null, OBSOLETE, "obsolete: the corosync 1.x virtual synchrony filter; ignored");
        str("totem.link_mode", "passive", ACCEPTED, "knet link mode (use rrp_mode in Vigil)");
        str("totem.knet_*", null, ACCEPTED, "knet tuning; no effect in Vigil");
        u32("totem.rrp_problem_count_timeout", "2000", "ms", 0, U32, "corosync 2.x redundant ring tuning");
        u32("totem.rrp_problem_count_threshold", "10", "", 0, U32, "corosync 2.x redundant ring tuning");
        u32("totem.rrp_problem_count_mcast_threshold", "100", "", 0, U32, "corosync 2.x redundant ring tuning");
        u32("totem.rrp_token_expired_timeout", null, "ms", 0, U32, "corosync 2.x redundant ring tuning");
        u32("totem.rrp_autorecovery_check_timeout", "1000", "ms", 0, U32,
            "a faulty ring whose heartbeats answer again is re-enabled after this long (0: only corosync-cfgtool -r)");
        // totem { interface {} }
        u32("totem.interface.*.ringnumber", "0", "", 0, 1, "ring number of this interface (0 or 1)");
        u32("totem.interface.*.linknumber", "0", "", 0, 1, "corosync 3 name of ringnumber");
        str("totem.interface.*.bindnetaddr", null, USED, "local address or network address to bind to");
        str("totem.interface.*.mcastaddr", null, USED, "multicast group (transport udp)");
        u32("totem.interface.*.mcastport", "5405", "", 1, U16, "UDP port of the ring");
        u32("totem.interface.*.ttl", "1", "", 0, 255, "multicast TTL");
        enumKey("totem.interface.*.broadcast", "no", USED, "send to the broadcast address instead of multicast",
            "yes", "no");
        str("totem.interface.*.member.*", null, USED, "corosync 2.x member address (mapped to the node list)");
        str("totem.interface.*.knet_*", null, ACCEPTED, "knet link tuning; no effect in Vigil");
        // nodelist {}
        str("nodelist.node.*.ring#_addr", null, USED, "address of the node on ring #");
        u32("nodelist.node.*.ring#_port", null, "", 1, U16,
            "Vigil: the node's UDP port on ring # (default: the interface's mcastport), for several nodes on one host");
        u32("nodelist.node.*.http_port", null, "", 1, U16,
            "Vigil: the node's HTTP endpoint port (default: http port), for several nodes on one host");
        u32("nodelist.node.*.nodeid", null, "", 1, U32, "node id; derived from the ring0 IPv4 address when absent");
        str("nodelist.node.*.name", null, USED, "node name, as Pacemaker uses it");
        u32("nodelist.node.*.quorum_votes", "1", "", 0, U32, "votes this node contributes to quorum");
        // quorum {}
        str("quorum.provider", null, USED, "corosync_votequorum (or nothing: no quorum)");
        u32("quorum.expected_votes", null, "", 1, U32, "expected votes; default: the sum of the nodes' votes");
        u32("quorum.votes", "1", "", 0, U32, "deprecated: this node's votes (use nodelist quorum_votes)");
        u8("quorum.two_node", "0", "two-node cluster: quorum with 1 vote; implies wait_for_all");
        u8("quorum.wait_for_all", "0", "not quorate until all nodes have been seen at once");
        u8("quorum.last_man_standing", "0", "lower expected votes as nodes leave, after the window");
        u32("quorum.last_man_standing_window", "10000", "ms", 0, U32, "delay before last_man_standing recalculates");
        u8("quorum.auto_tie_breaker", "0", "in an exact 50/50 split, the half with the tie-breaker node keeps quorum");
        str("quorum.auto_tie_breaker_node", "lowest", USED, "lowest, highest or a list of node ids");
        u8("quorum.allow_downscale", "0", "let clean leaves lower expected votes (unsupported upstream)");
        u8("quorum.expected_votes_tracking", "0", "persist the highest expected votes seen");
        u32("quorum.leaving_timeout", null, "ms", 0, U32, "parsed, unused (as in corosync)");
        str("quorum.device.model", null, USED, "quorum device model: net");
        u32("quorum.device.votes", null, "", 0, U32, "votes of the quorum device");
        u32("quorum.device.timeout", "10000", "ms", 0, U32, "quorum device poll timeout");
        u32("quorum.device.sync_timeout", "30000", "ms", 0, U32, "quorum device timeout during sync");
        u8("quorum.device.master_wins", "0", "a partition holding the device master wins");
        str("quorum.device.net.host", null, USED, "arbiter (vigil qnetd) host");
        u32("quorum.device.net.port", "5403", "", 1, U16, "arbiter TCP port");
        enumKey("quorum.device.net.algorithm", "ffsplit", USED, "arbiter algorithm", "ffsplit", "lms", "2nodelms",
            "test");
        str("quorum.device.net.tie_breaker", "lowest", USED, "lowest, highest or a node id");
        enumKey("quorum.device.net.tls", "off", USED, "TLS to the arbiter", "on", "off", "required");
        str("quorum.device.net.*", null, ACCEPTED, "other arbiter options");
        str("quorum.device.heuristics.*", null, ACCEPTED, "quorum device heuristics");
        // logging {}
        enumKey("logging.timestamp", "hires", USED, "timestamps in log lines", "on", "off", "hires");
        enumKey("logging.fileline", "off", ACCEPTED, "file and line in log lines", "on", "off");
        enumKey("logging.function_name", "off", ACCEPTED, "function names in log lines", "on", "off");
        enumKey("logging.blackbox", "on", ACCEPTED, "flight recorder", "on", "off");
        logKeys("logging.");
        logKeys("logging.logger_subsys.*.");
        str("logging.logger_subsys.*.subsys", null, USED, "subsystem name, e.g. TOTEM");
        str("logging_daemon.*", null, OBSOLETE, "legacy logging section; use logging");
        // http {}: Vigil's HTTP endpoint (Prometheus /metrics and the dashboard), the org.vigil.http bundle
        enumKey("http.enabled", "yes", USED, "serve /metrics and the dashboard", "yes", "no");
        str("http.bind", "127.0.0.1", USED, "address the HTTP endpoint listens on; an address other than a "
            + "loopback one needs tls_cert, tls_key and a token (token or token_file)");
        u32("http.port", "9664", "", 1, U16, "TCP port of the HTTP endpoint (ha_cluster_exporter's)");
        str("http.tls_cert", null, USED, "PEM certificate (chain) file: the endpoint speaks HTTPS");
        str("http.tls_key", null, USED, "PEM PKCS#8 private key file of tls_cert");
        str("http.token", null, USED, "bearer token every request must carry (Authorization: Bearer TOKEN)");
        str("http.token_file", null, USED, "file holding the bearer token (its first line)");
        enumKey("http.actions", "no", USED, "let the dashboard move, ban, clear, standby and clean up resources",
            "yes", "no");
        // system {}
        str("system.state_dir", "/var/lib/vigil", USED, "directory for ring ids and other state");
        enumKey("system.sched_rr", "yes", USED, "SCHED_RR at the highest priority for the ring's threads", "yes",
            "no");
        str("system.priority", "max", USED, "without sched_rr: nice value of the ring's threads (max, min, -20..19)");
        str("system.qb_ipc_type", "native", ACCEPTED, "libqb IPC type; no effect in Vigil");
        enumKey("system.move_to_root_cgroup", "auto", ACCEPTED, "cgroup placement", "yes", "no", "auto");
        enumKey("system.allow_knet_handle_fallback", "no", ACCEPTED, "knet fallback", "yes", "no");
    }

    private ConfigSchema() {
    }

    private static void add(ConfigKey k) {
        KEYS.add(k);
        REGEXES.add(k.regex());
    }

    private static void u32(String p, String def, String unit, long min, long max, String note) {
        u32(p, def, unit, min, max, USED, note);
    }

    private static void u32(String p, String def, String unit, long min, long max, Status s, String note) {
        add(new ConfigKey(p, Type.U32, CmapType.UINT32, def, unit, min, max, List.of(), s, note));
    }

    private static void u32d(String p, String unit, String formula) {
        add(new ConfigKey(p, Type.U32, CmapType.UINT32, null, unit, 0, U32, List.of(), USED, "default: " + formula));
    }

    private static void u64(String p, String def, String note) {
        add(new ConfigKey(p, Type.U64, CmapType.UINT64, def, "", 0, -1, List.of(), USED, note));
    }

    private static void u8(String p, String def, String note) {
        add(new ConfigKey(p, Type.U8, CmapType.UINT8, def, "", 0, U8, List.of(), USED, note));
    }

    private static void str(String p, String def, Status s, String note) {
        add(new ConfigKey(p, Type.STRING, CmapType.STRING, def, "", 0, 0, List.of(), s, note));
    }

    private static void enumKey(String p, String def, Status s, String note, String... choices) {
        add(new ConfigKey(p, Type.ENUM, CmapType.STRING, def, "", 0, 0, List.of(choices), s, note));
    }

    private static void logKeys(String prefix) {
        enumKey(prefix + "to_stderr", "yes", USED, "log to standard error", "yes", "no", "on", "off");
        enumKey(prefix + "to_logfile", "no", USED, "log to logfile", "yes", "no", "on", "off");
        enumKey(prefix + "to_syslog", "yes", ACCEPTED, "log to syslog (Vigil logs to stderr/journal)", "yes", "no",
            "on", "off");
        str(prefix + "logfile", null, USED, "log file path");
        enumKey(prefix + "logfile_priority", "info", USED, "lowest priority written to the log file", "alert",
            "crit", "debug", "emerg", "err", "info", "notice", "warning");
        enumKey(prefix + "syslog_priority", "info", ACCEPTED, "lowest priority sent to syslog", "alert", "crit",
            "debug", "emerg", "err", "info", "notice", "warning");
        str(prefix + "syslog_facility", "daemon", ACCEPTED, "syslog facility");
        enumKey(prefix + "debug", "off", USED, "debug logging", "on", "off", "trace");
    }

    /** All declarations, in declaration order. */
    public static List<ConfigKey> keys() {
        return List.copyOf(KEYS);
    }

    /** The declaration matching a full key name, if any. */
    public static Optional<ConfigKey> lookup(String key) {
        for (int i = 0; i < KEYS.size(); i++) {
            if (REGEXES.get(i).matcher(key).matches()) {
                return Optional.of(KEYS.get(i));
            }
        }
        return Optional.empty();
    }

    /** True for keys of sections corosync stores without interpreting. */
    static boolean isFreeSection(String key) {
        for (String p : FREE_SECTIONS) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses a value for a key as its declaration says.
     *
     * @return the typed value: a {@link Long} for integer types, the text otherwise
     * @throws IllegalArgumentException with a message saying what was expected
     */
    static Object parseValue(ConfigKey k, String key, String text) {
        switch (k.type()) {
            case U8, U16, U32, U64 -> {
                if (text.isEmpty()) {
                    throw new IllegalArgumentException(key + ": missing value (expected " + k.expected() + ")");
                }
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c < '0' || c > '9') {
                        String why = text.charAt(0) == '-' ? "is negative" : "is not a number";
                        throw new IllegalArgumentException(key + ": '" + text + "' " + why + " (expected "
                            + k.expected() + ")");
                    }
                }
                long v;
                try {
                    v = k.type() == Type.U64 ? Long.parseUnsignedLong(text) : Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + ": '" + text + "' is out of range (expected "
                        + k.expected() + ")");
                }
                if (k.type() != Type.U64 && (v < k.min() || v > k.max())) {
                    throw new IllegalArgumentException(key + ": " + text + " is out of range (expected "
                        + k.expected() + ")");
                }
                return v;
            }
            case I32 -> {
                try {
                    long v = Integer.parseInt(text);
                    if (v < k.min() || v > k.max()) {
                        throw new NumberFormatException();
                    }
                    return v;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + ": '" + text + "' is not valid (expected "
                        + k.expected() + ")");
                }
            }
            case ENUM -> {
                if (!k.choices().contains(text)) {
                    throw new IllegalArgumentException(key + ": '" + text + "' is not valid (expected "
                        + k.expected() + ")");
                }
                return text;
            }
            default -> {
                return text;
            }
        }
    }
}
