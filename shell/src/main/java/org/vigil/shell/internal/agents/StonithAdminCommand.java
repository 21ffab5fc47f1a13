package org.vigil.shell.internal.agents;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.spi.FenceAgent;

/**
 * {@code stonith_admin}, the agent half of Pacemaker's tool: {@code --list-installed} (one agent per line, then
 * {@code N fence devices found}) and {@code --metadata --agent NAME}. Fencing a node needs the cluster's fencer,
 * which the CRM provides.
 */
@Component(property = {AdminCommand.NAME + "=stonith_admin",
    AdminCommand.DESCRIPTION + "=list fence agents and show their meta-data (stonith_admin)"})
public final class StonithAdminCommand implements AdminCommand {

    static final String USAGE = """
        Usage: stonith_admin [OPTION...]
          -I, --list-installed     list the fence agents installed on this node
          -M, --metadata           show the meta-data of the agent given with --agent
          -a, --agent=AGENT        the fence agent (e.g. fence_ipmilan)""";

    private final AgentDirectory agents;

    @Activate
    public StonithAdminCommand(@Reference AgentDirectory agents) {
        this.agents = agents;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        List<Args.Opt> opts = Args.parse(args, Set.of("agent"), Set.of("list-installed", "metadata", "help",
            "verbose"), "stonith_admin", "-I", "list-installed", "-M", "metadata", "-a", "agent", "-h", "help", "-V",
            "verbose", "-?", "help");
        boolean list = false;
        boolean metadata = false;
        String agent = null;
        for (Args.Opt o : opts) {
            switch (o.name()) {
                case "help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "list-installed" -> list = true;
                case "metadata" -> metadata = true;
                case "agent" -> agent = o.value();
                default -> {
                    // verbose: accepted
                }
            }
        }
        if (list == metadata) {
            throw new UsageException("stonith_admin: give one of --list-installed or --metadata\n" + USAGE, 64);
        }
        if (list) {
            List<FenceAgent> all = agents.fences();
            all.forEach(f -> out.println(f.name()));
            out.println(all.size() + " fence device" + (all.size() == 1 ? "" : "s") + " found");
            return 0;
        }
        if (agent == null) {
            throw new UsageException("stonith_admin: --metadata needs --agent", 64);
        }
        FenceAgent f = agents.fence(agent).orElse(null);
        if (f == null) {
            err.println("Can't get fence agent meta-data: " + agent + " is not installed on this node");
            return 105;
        }
        try {
            String xml = f.metaData();
            out.print(xml.endsWith("\n") ? xml : xml + "\n");
            return 0;
        } catch (Exception e) {
            err.println("Can't get fence agent meta-data: " + e.getMessage());
            return 1;
        }
    }
}
