package org.vigil.shell.internal.ring;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.config.VigilConfig;

/**
 * {@code corosync-cpgtool}: CPG groups and their members, in corosync's layout ({@code -d DELIM} for a
 * delimited form, {@code -n} for group names only).
 */
@Component(property = {AdminCommand.NAME + "=corosync-cpgtool",
    AdminCommand.DESCRIPTION + "=CPG groups and members (corosync-cpgtool)"})
public final class CpgtoolCommand implements AdminCommand {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    private volatile Cpg cpg;

    @Reference
    private VigilNode node;

    /** For DS. */
    public CpgtoolCommand() {
    }

    /** For tests: the command on a given CPG service (or none) and node. */
    public CpgtoolCommand(Cpg cpg, VigilNode node) {
        this.cpg = cpg;
        this.node = node;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        String delimiter = null;
        boolean namesOnly = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-d" -> {
                    if (++i >= args.size()) {
                        throw new UsageException("-d needs a delimiter");
                    }
                    delimiter = args.get(i);
                }
                case "-n" -> namesOnly = true;
                case "-e" -> { }
                default -> throw new UsageException("usage: corosync-cpgtool [-d DELIMITER] [-n] [-e]");
            }
        }
        Cpg service = cpg;
        if (service == null) {
            err.println("Could not initialize corosync cpg API error CS_ERR_LIBRARY (the ring is not running)");
            return 1;
        }
        Map<String, List<CpgMember>> groups = service.groups();
        VigilConfig cfg = node.config();
        if (delimiter == null && !namesOnly) {
            out.println("Group Name\t       PID\t   Node ID");
        }
        for (Map.Entry<String, List<CpgMember>> g : groups.entrySet()) {
            if (namesOnly) {
                out.println(g.getKey());
                continue;
            }
            if (delimiter != null) {
                for (CpgMember m : g.getValue()) {
                    out.println(g.getKey() + delimiter + m.pid() + delimiter + Integer.toUnsignedString(m.nodeId())
                        + delimiter + ip(cfg, m.nodeId()));
                }
                continue;
            }
            out.println(g.getKey());
            for (CpgMember m : g.getValue()) {
                out.printf("\t\t%10d\t%10s (%s)%n", m.pid(), Integer.toUnsignedString(m.nodeId()), ip(cfg, m.nodeId()));
            }
        }
        return 0;
    }

    private static String ip(VigilConfig cfg, int nodeId) {
        return cfg.node(nodeId).map(n -> n.addresses().get(0)).orElse("?");
    }
}
