package org.vigil.shell.internal.ring;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.config.VigilConfig;

/**
 * {@code corosync-cfgtool}: {@code -s} ring (link) status per node in corosync 3's layout, plus corosync 2's
 * redundant-ring fault line; {@code -n} the same per node (corosync 3's node-status layout, tools/corosync-cfgtool.c
 * {@code ACTION_NODESTATUS_GET}: the reachable nodes, each link with its addresses and state); {@code -r}
 * re-enables rings marked faulty; {@code -b} brief status digits. A link is connected while it answers the kernel's
 * heartbeats (knet's meaning); the round-trip latencies are in cmap, {@code corosync-cmapctl -m stats
 * stats.knet.}, as with corosync.
 */
@Component(property = {AdminCommand.NAME + "=corosync-cfgtool",
    AdminCommand.DESCRIPTION + "=ring status (-s), re-enable faulty rings (-r) (corosync-cfgtool)"})
public final class CfgtoolCommand implements AdminCommand {

    private static final String USAGE = """
        usage: corosync-cfgtool [-s] [-n] [-r] [-b]
            -s  Displays the status of the current links on this node
            -n  Displays the status of the connected nodes and their links
            -r  Reset redundant ring state (re-enable rings marked faulty)
            -b  Brief: with -s, one digit per node and link (1 connected, 0 not, n this node)""";

    private final Cmap cmap;
    private final VigilNode node;

    @Activate
    public CfgtoolCommand(@Reference Cmap cmap, @Reference VigilNode node) {
        this.cmap = cmap;
        this.node = node;
    }

    /**
     * corosync-cfgtool's options, as corosync 3.1.7 parses them: {@code getopt_long()} with "i:snbrRLk:a:hH" and
     * the long names of its {@code long_options} (tools/corosync-cfgtool.c, main()); {@code -r} is corosync 2's
     * ring reset, kept by Vigil.
     */
    static ToolOptions options() {
        return ToolOptions.getopt("corosync-cfgtool", USAGE, true)
            .value("i", "if", "IP", "interface").flag("s", "status", "link status").flag("n", "nodes", "node status")
            .flag("b", "brief", "brief").shortFlag("r", "reset faulty rings").flag("R", "reload", "reload")
            .flag("L", "reopen", "reopen log files").value("k", "kill", "NODEID", "kill a node")
            .value("a", "address", "NODEID", "addresses").shortFlag("h", "help").flag("H", "shutdown", "shutdown")
            .longFlag("force", "with -H");
    }

    /** corosync's {@code util_strtonum(optarg, 1, UINT_MAX)}. */
    private static boolean validNodeId(String v) {
        try {
            long l = Long.parseLong(v.strip());
            return l >= 1 && l <= 0xFFFF_FFFFL;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        // the real tool's own wording, printed as it is (ToolOptions words getopt's errors with the tool's name)
        return ToolOptions.printingUsage(out, err, () -> run(args, out, err));
    }

    private int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        ToolOptions o = options();
        CommandLine cl = o.parse(args, true);
        // the last action option wins, as in corosync's loop; -s and -r (this Vigil's ring reset) act together
        boolean status = cl.hasOption("s");
        boolean reset = cl.hasOption("r");
        boolean brief = cl.hasOption("b");
        boolean nodes = cl.hasOption("n");
        for (String v : new String[] {"k", "a"}) {
            if (cl.hasOption(v) && !validNodeId(cl.getOptionValue(v))) {
                throw o.badValue(v, "The nodeid was not valid, try a positive number");
            }
        }
        if (cl.hasOption("h")) {
            out.println(USAGE);
            return 0;
        }
        for (String unsupported : new String[] {"i", "R", "L", "k", "a", "H", "force"}) {
            if (cl.hasOption(unsupported)) {
                throw new UsageException("corosync-cfgtool: option " + (unsupported.length() == 1 ? "-" : "--")
                    + unsupported + " is not supported by this version of Vigil");
            }
        }
        if (reset) {
            cmap.add(RingKeys.REENABLE, 1);
            out.println("Re-enabling all failed rings.");
            if (!status) {
                return 0;
            }
        }
        if (!status && !nodes) {
            throw new UsageException(USAGE);
        }
        VigilConfig cfg = node.config();
        int self = node.nodeId();
        out.println("Local node ID " + Integer.toUnsignedString(self) + ", transport " + cfg.totem().transport());
        int rings = cfg.totem().rrpMode().equals("none") ? 1 : Math.max(1, cfg.interfaces().size());
        if (nodes) {
            nodeStatus(cfg, self, rings, out);
            return 0;
        }
        for (int r = 0; r < rings; r++) {
            out.println("LINK ID " + r + " " + (cfg.totem().transport().equals("udp") ? "udp" : "udpu"));
            String addr = cfg.node(self).map(n -> n.addresses().get(0)).orElse("?");
            int ring = r;
            addr = cfg.node(self).map(n -> n.addresses().getOrDefault(ring, "?")).orElse(addr);
            out.println("\taddr\t= " + addr);
            boolean faulty = cmap.get(RingKeys.faulty(r)).map(e -> e.longValue() != 0).orElse(false);
            if (faulty) {
                out.println("\tstatus\t= FAULTY: " + cmap.get(RingKeys.faultReason(r)).map(CmapEntry::valueString)
                    .orElse("no datagram received on this ring") + " (re-enable with: corosync-cfgtool -r)");
            } else if (rings > 1) {
                out.println("\tstatus\t= ring " + r + " active with no faults");
            }
            if (brief) {
                StringBuilder digits = new StringBuilder();
                for (VigilConfig.Node n : cfg.nodes()) {
                    digits.append(n.nodeId() == self ? 'n' : connected(n.nodeId(), r) ? '1' : '0');
                }
                out.println("\tstatus:\t" + digits);
                continue;
            }
            out.println("\tstatus:");
            for (VigilConfig.Node n : cfg.nodes()) {
                String state = n.nodeId() == self ? "localhost" : connected(n.nodeId(), r) ? "connected"
                    : "disconnected" + refusal(n.nodeId());
                out.printf("\t\tnodeid: %10s:\t%s%n", Integer.toUnsignedString(n.nodeId()), state);
            }
        }
        return 0;
    }

    /**
     * corosync-cfgtool -n: each node of the ring other than this one ("reachable": a member of the current
     * membership), then one line per link: {@code LINK: <r> <transport> (<local addr>-><node's addr>) enabled
     * [connected] mtu: <netmtu>}, and an empty line.
     */
    private void nodeStatus(VigilConfig cfg, int self, int rings, PrintStream out) {
        String transport = cfg.totem().transport().equals("udp") ? "udp" : "udpu";
        for (VigilConfig.Node n : cfg.nodes()) {
            boolean reachable = cmap.get(RingKeys.memberStatus(n.nodeId())).map(CmapEntry::valueString)
                .map("joined"::equals).orElse(false);
            if (n.nodeId() == self || !reachable) {
                continue;
            }
            out.println("nodeid: " + Integer.toUnsignedString(n.nodeId()) + " reachable");
            for (int r = 0; r < rings; r++) {
                int ring = r;
                String src = cfg.node(self).map(m -> m.addresses().get(ring)).orElse(null);
                String dst = n.addresses().get(r);
                if (src == null || dst == null) {
                    continue;
                }
                out.println("   LINK: " + r + " " + transport + " (" + src + "->" + dst + ") enabled"
                    + (connected(n.nodeId(), r) ? " connected" : "") + " mtu: " + cfg.totem().netmtu());
            }
            out.println();
        }
    }

    /**
     * Why a node is kept out for its release: what it told this node (refused_by), then what this node decided
     * (refused; the rule is symmetric, so usually both), or nothing.
     */
    private String refusal(int nodeId) {
        String id = Integer.toUnsignedString(nodeId);
        String why = java.util.stream.Stream.of("runtime.totem.refused_by." + id, "runtime.totem.refused." + id)
            .map(cmap::get).flatMap(Optional::stream).map(CmapEntry::valueString)
            .collect(java.util.stream.Collectors.joining("; "));
        return why.isEmpty() ? "" : " (refused: " + why + ")";
    }

    private boolean connected(int nodeId, int ring) {
        Optional<CmapEntry> e = cmap.get(RingKeys.connected(nodeId, ring));
        return e.isPresent() && e.get().longValue() != 0;
    }
}
