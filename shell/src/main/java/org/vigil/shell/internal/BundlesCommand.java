package org.vigil.shell.internal;

import java.io.PrintStream;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.BundleLedger;
import org.vigil.kernel.api.command.AdminCommand;

/** {@code vigil:bundles [FILTER]}: the bundle table, optionally only bundles whose name contains FILTER. */
@Component(property = {AdminCommand.NAME + "=bundles",
    AdminCommand.DESCRIPTION + "=list bundles with id, state, start level, version and origin"})
public final class BundlesCommand implements AdminCommand {

    private final BundleContext context;
    private final BundleLedger ledger;

    @Activate
    public BundlesCommand(BundleContext context, @Reference BundleLedger ledger) {
        this.context = context;
        this.ledger = ledger;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) {
        String filter = args.isEmpty() ? "" : args.get(0);
        out.println(Bundles.header());
        for (Bundle b : context.getBundles()) {
            String bsn = b.getSymbolicName() == null ? "" : b.getSymbolicName();
            if (bsn.contains(filter)) {
                out.println(Bundles.line(b, ledger));
            }
        }
        return 0;
    }
}
