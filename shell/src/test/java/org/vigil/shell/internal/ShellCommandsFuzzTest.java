package org.vigil.shell.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.fuzz.CommandFuzz;
import org.vigil.kernel.fuzz.CommandFuzz.Line;
import org.vigil.kernel.fuzz.CommandFuzz.Outcome;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.internal.cpg.CpgEngine;
import org.vigil.kernel.internal.cpg.CpgMessages;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;
import org.vigil.shell.internal.agents.AgentDirectory;
import org.vigil.shell.internal.agents.CrmResourceCommand;
import org.vigil.shell.internal.agents.StonithAdminCommand;
import org.vigil.shell.internal.ring.CfgtoolCommand;
import org.vigil.shell.internal.ring.CpgtoolCommand;
import org.vigil.shell.internal.ring.MembersCommand;

/**
 * Fuzz target {@code shellcommands}: sessions of up to four command lines of {@code corosync-cmapctl},
 * {@code corosync-cfgtool}, {@code corosync-cpgtool}, {@code members}, {@code crm_resource} and
 * {@code stonith_admin} (the real commands, fuzzer-chosen arguments in the input format of {@link CommandFuzz}) on
 * node 1 of a three-node, two-ring cluster: the real cmap ({@link CmapStore}) holding the configuration's keys as the
 * node loads them and the ring's runtime and statistics keys (one ring faulty, one peer unreachable), the real CPG
 * engine ({@link CpgEngine}) with the groups of two nodes, and the real agent directory ({@link AgentDirectory}). The
 * agents themselves are stand-ins, as in the commands' unit tests (running OCF scripts has its own tests in the
 * agents bundle): each answers with the status its {@code --option rc=N} / {@code exec=NAME} asks for.
 *
 * <p>Invariants, per command line: nothing but a usage error leaves the command; the exit status is one the tool
 * documents (corosync's tools 0 or 1, {@code corosync-quorumtool}'s not here; {@code members} 0; the Pacemaker tools
 * a {@code crm_exit_t} value); a non-zero exit says why on standard error; what is printed is bounded (64 KiB plus
 * the cmap listing once per argument plus 64 bytes per byte of arguments); cmap changes only as the command line
 * asks: commands that only read change nothing, {@code corosync-cfgtool} only its re-enable counter, and
 * {@code corosync-cmapctl} never a key administrators may not write nor a key it reported it could not change
 * (one it reported missing is missing afterwards), and nothing when it failed without naming a key.
 */
class ShellCommandsFuzzTest {

    private static final List<String> COMMANDS = List.of("corosync-cmapctl", "corosync-cfgtool",
        "corosync-cpgtool", "members", "crm_resource", "stonith_admin");
    private static final Set<Integer> COROSYNC_EXIT = CommandFuzz.statuses(0, 1);
    private static final String REENABLE = "runtime.totem.link_reenable";
    private static final Pattern FAILED_KEY = Pattern.compile("^Can't \\w+ key (.*)\\. Error (CS_ERR_\\w+)",
        Pattern.MULTILINE);
    private static final long FIXED_OUTPUT = 64 << 10;
    private static final long OUTPUT_PER_BYTE = 64;

    static final String CONFIG = """
        totem {
        \tversion: 2
        \tcluster_name: fuzz
        \ttransport: udpu
        \trrp_mode: passive
        \ttoken: 3000
        }
        nodelist {
        \tnode {
        \t\tring0_addr: 10.61.0.1
        \t\tring1_addr: 10.62.0.1
        \t\tname: alpha
        \t\tnodeid: 1
        \t}
        \tnode {
        \t\tring0_addr: 10.61.0.2
        \t\tring1_addr: 10.62.0.2
        \t\tname: beta
        \t\tnodeid: 2
        \t}
        \tnode {
        \t\tring0_addr: 10.61.0.3
        \t\tring1_addr: 10.62.0.3
        \t\tnodeid: 3
        \t}
        }
        quorum {
        \tprovider: corosync_votequorum
        \twait_for_all: 1
        }
        """;

    private static final VigilConfig CFG;
    private static final VigilNode NODE;
    private static final CpgEngine CPG;
    private static final AgentDirectory AGENTS = new AgentDirectory();
    /** The cmap every input starts from. */
    private static final Map<String, CmapEntry> INITIAL;
    /** Bytes of {@code corosync-cmapctl}'s listing of all keys. */
    private static final long CMAP_BYTES;
    static final List<String> WORDS;

    static {
        try {
            CFG = VigilConfig.fromText("corosync.conf", CONFIG);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
        NODE = new VigilNode() {
            @Override
            public int nodeId() {
                return 1;
            }

            @Override
            public String name() {
                return "alpha";
            }

            @Override
            public Path stateDir() {
                return Path.of("/nonexistent/vigil-fuzz-state");
            }

            @Override
            public VigilConfig config() {
                return CFG;
            }

            @Override
            public long startedAtMillis() {
                return 0;
            }

            @Override
            public String version() {
                return "0.0.0-fuzz";
            }
        };
        CPG = cpg();
        for (String spec : List.of("ocf:heartbeat:Dummy", "ocf:pacemaker:Dummy", "ocf:heartbeat:IPaddr2",
            "ocf:pacemaker:Stateful", "lsb:vigil-test", "systemd:chronyd", "service:crond")) {
            AGENTS.add(new StandIn(spec));
        }
        AGENTS.add(new StandInFence("fence_dummy"));
        AGENTS.add(new StandInFence("fence_ipmilan"));
        CmapStore cmap = initialCmap();
        Map<String, CmapEntry> all = new TreeMap<>();
        long bytes = 0;
        for (CmapEntry e : cmap.iterate("")) {
            all.put(e.key(), e);
            bytes += e.toCmapctlLine().length() + 1;
        }
        INITIAL = all;
        CMAP_BYTES = bytes;
        WORDS = words();
    }

    @MethodSource("sessions")
    @FuzzTest
    void sessions(byte[] input) throws Exception {
        CmapStore cmap = initialCmap();
        for (Line l : CommandFuzz.decode(input, COMMANDS, WORDS)) {
            AdminCommand command = switch (l.command()) {
                case "corosync-cmapctl" -> new CmapctlCommand(cmap);
                case "corosync-cfgtool" -> new CfgtoolCommand(cmap, NODE);
                case "corosync-cpgtool" -> new CpgtoolCommand(CPG, NODE);
                case "members" -> new MembersCommand(cmap, NODE);
                case "crm_resource" -> new CrmResourceCommand(AGENTS);
                default -> new StonithAdminCommand(AGENTS);
            };
            Map<String, CmapEntry> before = snapshot(cmap);
            Outcome o = CommandFuzz.run(command, l, CommandContext.ofNode());
            check(l, o, before, snapshot(cmap), cmap);
        }
    }

    /** The invariants for one command line. */
    static void check(Line l, Outcome o, Map<String, CmapEntry> before, Map<String, CmapEntry> after,
                      CmapStore cmap) {
        CommandFuzz.assertNothingEscaped(l, o);
        CommandFuzz.assertStatusIn(switch (l.command()) {
            case "crm_resource", "stonith_admin" -> CommandFuzz.CRM_EXIT;
            case "members" -> CommandFuzz.statuses(0);
            default -> COROSYNC_EXIT;
        }, l, o);
        CommandFuzz.assertFailureExplained(l, o, false);
        CommandFuzz.assertOutputBounded(l, o, FIXED_OUTPUT + CMAP_BYTES, CMAP_BYTES, OUTPUT_PER_BYTE);
        Set<String> changed = new TreeSet<>(before.keySet());
        changed.addAll(after.keySet());
        changed.removeIf(k -> java.util.Objects.equals(before.get(k), after.get(k)));
        switch (l.command()) {
            case "corosync-cmapctl" -> {
                // a key reported as missing is missing afterwards (an earlier operand may have deleted it); a key
                // it could not change for any other reason is unchanged
                Map<String, String> failed = new TreeMap<>();
                Matcher m = FAILED_KEY.matcher(o.errText());
                while (m.find()) {
                    failed.put(m.group(1), m.group(2));
                }
                for (String k : changed) {
                    if (cmap.isReadOnly(k)) {
                        throw new AssertionError(l + ": changed " + k + ", which administrators may not write\n" + o);
                    }
                    String why = failed.get(k);
                    if (why != null && !(why.equals("CS_ERR_NOT_EXIST") && after.get(k) == null)) {
                        throw new AssertionError(l + ": reported it could not change " + k + " (" + why
                            + "), but changed it\n" + o);
                    }
                }
                if (o.status() != 0 && failed.isEmpty() && !changed.isEmpty()) {
                    throw new AssertionError(l + ": failed (exit " + o.status() + ") but changed " + changed + "\n"
                        + o);
                }
            }
            case "corosync-cfgtool" -> {
                if (!changed.isEmpty() && (o.status() != 0 || !changed.equals(Set.of(REENABLE))
                    || !asksReset(l.args()))) {
                    throw new AssertionError(l + ": exit " + o.status() + ", changed " + changed + "\n" + o);
                }
            }
            default -> {
                if (!changed.isEmpty()) {
                    throw new AssertionError(l + ": only reads, but changed " + changed + "\n" + o);
                }
            }
        }
    }

    private static Map<String, CmapEntry> snapshot(CmapStore cmap) {
        Map<String, CmapEntry> m = new TreeMap<>();
        for (CmapEntry e : cmap.iterate("")) {
            m.put(e.key(), e);
        }
        return m;
    }

    /** The configuration's keys as the node loads them, and the ring's runtime and statistics keys. */
    private static CmapStore initialCmap() {
        CmapStore cmap = new CmapStore();
        if (INITIAL != null) {
            INITIAL.values().forEach(e -> cmap.set(e.key(), e.type(), e.value()));
            return cmap;
        }
        for (VigilConfig.Value v : CFG.cmapValues()) {
            cmap.set(v.key(), v.type(), v.value());
        }
        cmap.set("runtime.totem.ring_id", CmapType.STRING, "1.2c");
        cmap.set("runtime.totem.state", CmapType.STRING, "OPERATIONAL");
        cmap.set("runtime.totem.link.1.faulty", CmapType.UINT8, 1L);
        cmap.set("runtime.totem.link.1.fault_reason", CmapType.STRING, "no datagram received for 3000 ms");
        for (int n = 1; n <= 2; n++) {
            String p = "runtime.members." + n + ".";
            cmap.set(p + "ip", CmapType.STRING, "r(0) ip(10.61.0." + n + ") r(1) ip(10.62.0." + n + ") ");
            cmap.set(p + "status", CmapType.STRING, "joined");
            cmap.set(p + "join_count", CmapType.UINT32, (long) n);
            for (int ring = 0; ring < 2; ring++) {
                cmap.set("stats.knet.node" + n + ".link" + ring + ".connected", CmapType.UINT8, ring == 0 ? 1L : 0L);
            }
        }
        cmap.set("runtime.members.3.status", CmapType.STRING, "left");
        cmap.set("stats.srp.orf_token_rx", CmapType.UINT64, 123456L);
        cmap.set("stats.ipcs.global.rejected", CmapType.UINT64, 0L);
        cmap.set("resources.system.memory_used.current", CmapType.STRING, "ok");
        cmap.set("test.binary", CmapType.BINARY, new byte[] {0, 1, (byte) 0xff});
        cmap.set("test.double", CmapType.DOUBLE, 2.5);
        return cmap;
    }

    /** CPG on a ring of nodes 1 and 2: this node's members of two groups, node 2's of three. */
    private static CpgEngine cpg() {
        List<byte[]> sent = new ArrayList<>();
        CpgEngine cpg = new CpgEngine(1, (m, g) -> sent.add(m));
        RingId ring = new RingId(1, 0x2c);
        cpg.onConfiguration(new MembershipEvent(MembershipEvent.Type.TRANSITIONAL, ring, List.of(1), List.of(),
            List.of()));
        cpg.onConfiguration(new MembershipEvent(MembershipEvent.Type.REGULAR, ring, List.of(1, 2), List.of(2),
            List.of()));
        CpgListener quiet = new CpgListener() {
            @Override
            public void deliver(String group, CpgMember sender, byte[] message) {
            }

            @Override
            public void configurationChanged(String group, List<CpgMember> members, List<CpgMember> left,
                                             List<CpgMember> joined) {
            }
        };
        cpg.onDeliver(2, CpgMessages.joinList(ring, List.of(new CpgMessages.Entry("crmd", 4242),
            new CpgMessages.Entry("cib", 4243), new CpgMessages.Entry("vigil:fuzz", 4244))));
        cpg.join("crmd", quiet, 1717);
        cpg.join("cib", quiet, 1718);
        for (int i = 0; i < sent.size(); i++) {
            cpg.onDeliver(1, sent.get(i));
        }
        return cpg;
    }

    /** A resource agent that answers with what its parameters ask: {@code rc=N}, {@code exec=NAME}. */
    static final class StandIn implements ResourceAgent {
        private final String standard;
        private final String provider;
        private final String type;

        StandIn(String spec) {
            String[] p = spec.split(":");
            standard = p[0];
            provider = p.length == 3 ? p[1] : null;
            type = p[p.length - 1];
        }

        @Override
        public String standard() {
            return standard;
        }

        @Override
        public String provider() {
            return provider;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public String metaData() {
            return "<resource-agent name=\"" + type + "\"><parameters/></resource-agent>";
        }

        @Override
        public CompletionStage<AgentResult> execute(AgentRequest request) {
            ExecStatus exec = ExecStatus.DONE;
            OcfStatus status = OcfStatus.OK;
            try {
                exec = ExecStatus.valueOf(request.params().getOrDefault("exec", "DONE"));
            } catch (IllegalArgumentException e) {
                // any other value: it ran
            }
            try {
                status = OcfStatus.of(Integer.parseInt(request.params().getOrDefault("rc", "0")));
            } catch (NumberFormatException e) {
                status = OcfStatus.UNKNOWN;
            }
            String out = request.params().getOrDefault("out", "");
            String err = request.params().getOrDefault("err", "");
            return CompletableFuture.completedFuture(new AgentResult(exec, status, status.code(), out, err,
                Duration.ZERO));
        }
    }

    /** A fence agent with meta-data. */
    record StandInFence(String name) implements FenceAgent {
        @Override
        public String metaData() {
            return "<resource-agent name=\"" + name + "\" shortdesc=\"stand-in\"/>";
        }

        @Override
        public CompletionStage<AgentResult> execute(FenceRequest request) {
            return CompletableFuture.completedFuture(new AgentResult(ExecStatus.DONE, OcfStatus.OK, 0, "", "",
                Duration.ZERO));
        }
    }

    // ---- vocabulary and seeds --------------------------------------------------------------------------------

    private static List<String> words() {
        Set<String> w = new LinkedHashSet<>(INITIAL.keySet());
        for (String k : INITIAL.keySet()) {
            int dot = k.lastIndexOf('.');
            if (dot > 0) {
                w.add(k.substring(0, dot + 1));
            }
        }
        w.addAll(List.of(
            // corosync-cmapctl, -cfgtool, -cpgtool
            "-m", "icmap", "stats", "-g", "-s", "-d", "-D", "-h", "-t", "-T", "-p", "-b", "-C", "-r", "-n", "-e",
            "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "flt", "dbl", "str", "bin", "ff00", "0g",
            "totem.token", "totem.", "quorum.wait_for_all", "runtime.", "stats.", "nodelist.node.0.name", "logging.",
            "a b", "ab", "x.y", "-", "--", ",", ":", "\t",
            // crm_resource, stonith_admin
            "--list-standards", "--list-ocf-providers", "--list-ocf-alternatives", "--list-agents",
            "--show-metadata", "--force-start", "--force-stop", "--force-check", "--force-promote",
            "--force-demote", "--validate", "--class", "--provider", "--agent", "--option", "--resource",
            "--timeout", "--verbose", "--help", "-r", "-V", "-?", "-I", "-M", "-a", "--list-installed", "--metadata",
            "ocf", "lsb", "service", "systemd", "stonith", "vigil", "heartbeat", "pacemaker", "Dummy", "IPaddr2",
            "Stateful", "vigil-test", "chronyd", "crond", "fence_dummy", "fence_ipmilan", "ocf:heartbeat:Dummy",
            "ocf:pacemaker:", "stonith:fence_dummy", "ocf::Dummy", "::", "rc=7", "rc=1", "rc=9", "rc=190", "rc=-1",
            "rc=x", "exec=TIMED_OUT", "exec=ERROR", "exec=NOT_INSTALLED", "exec=CANCELLED", "out=done",
            "err=ocf-exit-reason:broken", "name=value", "=x",
            "20s", "500ms", "2min", "1h", "0", "1", "-1", "20", "10000000000000", "1000000000000000m",
            "99999999999999999999", "9223372036854775807", "9223372036854775807ms", "4294967295", "18446744073709551615",
            "2.5", "NaN", "1e309", ""));
        return List.copyOf(w);
    }

    static Stream<Arguments> sessions() {
        List<Line[]> s = new ArrayList<>();
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "totem.")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-m", "stats", "stats.knet.")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-g", r("totem.token"), r("runtime.totem.state"))});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-s", "test.key", "u32", "42"),
            CommandFuzz.line("corosync-cmapctl", "-g", "test.key")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-s", "test.bin", r("bin"), r("ff00"))});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-s", "totem.token", "u32", "5000")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", r("-s"), "test.key", r("i8"), r("4294967295"))});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-d", "test.double", "runtime.totem.state",
            "no.such.key")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-D", "test.")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-D", "runtime.members.")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-h")});
        s.add(new Line[] {CommandFuzz.line("corosync-cfgtool", "-s")});
        s.add(new Line[] {CommandFuzz.line("corosync-cfgtool", r("-s"), r("-b"))});
        s.add(new Line[] {CommandFuzz.line("corosync-cfgtool", "-r")});
        s.add(new Line[] {CommandFuzz.line("corosync-cfgtool", "-n")});
        s.add(new Line[] {CommandFuzz.line("corosync-cfgtool", "-r", "-s")});
        s.add(new Line[] {CommandFuzz.line("corosync-cpgtool")});
        s.add(new Line[] {CommandFuzz.line("corosync-cpgtool", "-d", ",", "-e")});
        s.add(new Line[] {CommandFuzz.line("corosync-cpgtool", "-n")});
        s.add(new Line[] {CommandFuzz.line("members")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--list-standards")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--list-ocf-providers")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--list-ocf-alternatives=Dummy")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--list-agents", "ocf:heartbeat")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--list-agents=stonith")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--show-metadata", "ocf:pacemaker:Dummy")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--show-metadata=stonith:fence_dummy")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--force-start", "--class", "ocf", "--provider",
            "heartbeat", "--agent", "Dummy", "-r", "d1", "--timeout", r("20s"))});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--force-check", "--class=ocf", "--provider=pacemaker",
            "--agent=Stateful", "--option", "rc=7", "--option", "out=state")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--force-demote", "--class", "ocf", "--provider",
            "pacemaker", "--agent", "Stateful", "--option", "exec=TIMED_OUT", "--option",
            "err=line1\nocf-exit-reason:slow", "--timeout", "500ms")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--validate", "--class", "lsb", "--agent", "vigil-test",
            "--option", "rc=6", "--option", "err=ocf-exit-reason:bad")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "--force-stop", "--class", "systemd", "--agent",
            "nosuch")});
        s.add(new Line[] {CommandFuzz.line("crm_resource", "-r", "d1")});
        s.add(new Line[] {CommandFuzz.line("stonith_admin", "--list-installed")});
        s.add(new Line[] {CommandFuzz.line("stonith_admin", "-M", "-a", r("fence_ipmilan"))});
        s.add(new Line[] {CommandFuzz.line("crm_resource", r("--force-promote"), r("--class"), r("ocf"),
            r("--provider"), r("pacemaker"), r("--agent"), r("Stateful"), r("--option"), r("rc=9"), r("--timeout"),
            r("2min"))});
        s.add(new Line[] {CommandFuzz.line("stonith_admin", "--metadata", "--agent=fence_nosuch")});
        s.add(new Line[] {CommandFuzz.line("corosync-cmapctl", "-s", "test.key", "str", "x"),
            CommandFuzz.line("corosync-cfgtool", "-r"), CommandFuzz.line("members")});
        return s.stream().map(l -> Arguments.of((Object) CommandFuzz.encode(l)));
    }

    private static String r(String word) {
        return CommandFuzz.ref(WORDS, word);
    }

    /**
     * Whether corosync-cfgtool's command line has -r, as getopt reads it: alone or in a cluster of short options
     * ("-rs"), not as the value of -i, -k or -a ("-k" "-r", "-kr"), not after "--".
     */
    static boolean asksReset(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                return false;
            }
            if (!a.startsWith("-") || a.startsWith("--") || a.length() < 2) {
                continue;
            }
            for (int c = 1; c < a.length(); c++) {
                char ch = a.charAt(c);
                if (ch == 'r') {
                    return true;
                }
                if ("ika".indexOf(ch) >= 0) {
                    if (c == a.length() - 1) {
                        i++;   // the next word is its value
                    }
                    break;     // the rest of this word is its value
                }
            }
        }
        return false;
    }
}
