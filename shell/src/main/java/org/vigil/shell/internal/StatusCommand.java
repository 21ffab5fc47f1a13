package org.vigil.shell.internal;

import java.io.PrintStream;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.vigil.kernel.api.BundleLedger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.config.VigilConfig;

/** {@code vigil:status}: node id, uptime, configuration, rings, and every bundle with its state and version. */
@Component(property = {AdminCommand.NAME + "=status",
    AdminCommand.DESCRIPTION + "=node id, uptime, rings and bundles of this node"})
public final class StatusCommand implements AdminCommand {

    private final BundleContext context;
    private final BundleLedger ledger;
    private final VigilNode node;
    private final Cmap cmap;

    @Activate
    public StatusCommand(BundleContext context, @Reference VigilNode node, @Reference Cmap cmap,
                         @Reference BundleLedger ledger) {
        this.ledger = ledger;
        this.context = context;
        this.node = node;
        this.cmap = cmap;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (!args.isEmpty()) {
            throw new UsageException("usage: vigil status", 2);
        }
        VigilConfig cfg = node.config();
        long up = System.currentTimeMillis() - node.startedAtMillis();
        out.printf("Vigil %s, node %s (%s), up %s, pid %d%n", node.version(), Integer.toUnsignedString(node.nodeId()),
            node.name(), Bundles.uptime(up), ProcessHandle.current().pid());
        out.printf("Config:    %s (%d nodes, transport %s, rrp_mode %s)%n", cfg.file(), cfg.nodes().size(),
            cfg.totem().transport(), cfg.totem().rrpMode());
        out.printf("State dir: %s%n", node.stateDir());
        for (int ring = 0; ring < 2; ring++) {
            String p = "runtime.transport.ring" + ring + ".";
            var status = cmap.get(p + "status");
            if (status.isEmpty()) {
                continue;
            }
            out.printf("Ring %d:    %s%s%n", ring, status.get().valueString(), cmap.get(p + "bundle")
                .map(b -> " (" + b.valueString() + " " + cmap.get(p + "bundle_version").map(CmapEntry::valueString)
                    .orElse("") + ")").orElse(""));
        }
        // the release this node announces on the ring, what the ring shares, and who is kept out for a release
        // the rule does not allow (docs/design/versioning.md)
        cmap.get("runtime.totem.release").ifPresent(r -> out.printf("Release:   %s (ring features: %s)%n",
            r.valueString(), cmap.get("runtime.totem.features").map(CmapEntry::valueString).orElse("")));
        for (CmapEntry e : cmap.iterate("runtime.totem.refused.")) {
            out.printf("Refused:   node %s: %s%n", e.key().substring("runtime.totem.refused.".length()),
                e.valueString());
        }
        for (CmapEntry e : cmap.iterate("runtime.totem.refused_by.")) {
            out.printf("Refused:   this node, %s%n", e.valueString());
        }
        Bundle[] bundles = context.getBundles();
        long activeCount = java.util.Arrays.stream(bundles).filter(b -> b.getState() == Bundle.ACTIVE).count();
        out.printf("Bundles:   %d, %d active%n", bundles.length, activeCount);
        out.println(Bundles.header());
        for (Bundle b : bundles) {
            out.println(Bundles.line(b, ledger));
        }
        return 0;
    }
}
