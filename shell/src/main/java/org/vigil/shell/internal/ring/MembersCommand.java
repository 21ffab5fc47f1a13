package org.vigil.shell.internal.ring;

import java.io.PrintStream;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.config.VigilConfig;

/** {@code vigil members}: the ring id and every configured node with its membership status and addresses. */
@Component(property = {AdminCommand.NAME + "=members",
    AdminCommand.DESCRIPTION + "=the ring's membership: every node, joined or not"})
public final class MembersCommand implements AdminCommand {

    private final Cmap cmap;
    private final VigilNode node;

    @Activate
    public MembersCommand(@Reference Cmap cmap, @Reference VigilNode node) {
        this.cmap = cmap;
        this.node = node;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) {
        VigilConfig cfg = node.config();
        out.println("Ring ID: " + cmap.get(RingKeys.RING_ID).map(CmapEntry::valueString).orElse("(none)")
            + "  state: " + cmap.get(RingKeys.STATE).map(CmapEntry::valueString).orElse("(not running)"));
        out.printf("%10s  %-16s %-8s %10s  %s%n", "Nodeid", "Name", "Status", "Joins", "Addresses");
        for (VigilConfig.Node n : cfg.nodes()) {
            int id = n.nodeId();
            String status = cmap.get(RingKeys.memberStatus(id)).map(CmapEntry::valueString).orElse("-");
            String joins = cmap.get(RingKeys.memberJoinCount(id)).map(CmapEntry::valueString).orElse("0");
            String ip = cmap.get(RingKeys.memberIp(id)).map(CmapEntry::valueString).orElse(
                n.addresses().entrySet().stream().map(e -> "r(" + e.getKey() + ") ip(" + e.getValue() + ") ")
                    .reduce("", String::concat)).strip();
            out.printf("%10s  %-16s %-8s %10s  %s%s%n", Integer.toUnsignedString(id), n.displayName(), status, joins,
                ip, id == node.nodeId() ? " (local)" : "");
        }
        return 0;
    }
}
