package org.vigil.shell.internal.ring;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
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

    private static final String USAGE = """
        corosync-cpgtool [-d delimiter] [-e] [-n] [-h]
        Display CPG groups and their members (Vigil's ring, as corosync-cpgtool).
        \t-d\tDelimiter between fields.
        \t-e\tDon't escape unprintable characters in group name.
        \t-n\tDisplay only all existing group names.
        \t-h\tDisplay this help.""";

    /** corosync-cpgtool's options: {@code getopt(argc, argv, "hd:ne")} (tools/corosync-cpgtool.c, main()). */
    static ToolOptions options() {
        return ToolOptions.getopt("corosync-cpgtool", USAGE, false).shortFlag("h", "help")
            .shortValue("d", "DELIMITER", "delimiter").shortFlag("n", "names only").shortFlag("e", "no escaping");
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        // the real tool's own wording, printed as it is (ToolOptions words getopt's errors with the tool's name)
        return ToolOptions.printingUsage(out, err, () -> run(args, out, err));
    }

    private int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = options().parse(args, true);
        if (cl.hasOption("h")) {
            out.println(USAGE);
            return 0;
        }
        // getopt's "-d ''" leaves no delimiter; corosync uses the first character
        String delimiter = cl.hasOption("d") && !cl.getOptionValue("d").isEmpty()
            ? cl.getOptionValue("d").substring(0, 1) : null;
        boolean namesOnly = cl.hasOption("n");
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
