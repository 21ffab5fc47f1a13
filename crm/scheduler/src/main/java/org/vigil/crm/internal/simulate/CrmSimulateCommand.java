package org.vigil.crm.internal.simulate;

import java.io.PrintStream;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.BundleLedger;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;

/**
 * {@code crm_simulate} as an admin command of the node (admin socket and Gogo shell): the same options and output
 * as {@code vigil simulate}, with file names relative to the admin's working directory. The scheduler runs in a
 * child JVM with its own heap ({@link ToolProcess}): an admin's CIB file can be of any size, and must never
 * exhaust the node's heap. Stateless; concurrent calls are independent.
 */
@Component(property = {AdminCommand.NAME + "=crm_simulate", AdminCommand.NAME + "=simulate",
    AdminCommand.DESCRIPTION + "=run the scheduler on a CIB file: crm_simulate -x FILE [-S] [-s]"})
public final class CrmSimulateCommand implements AdminCommand {

    private final ToolProcess tool;

    @Activate
    public CrmSimulateCommand(BundleContext context, @Reference BundleLedger ledger) {
        this(new ToolProcess(withApi(context), ledger));
    }

    /** This bundle and the one exporting the CRM API it imports: the child's class path. */
    private static List<Bundle> withApi(BundleContext context) {
        List<Bundle> out = new java.util.ArrayList<>(List.of(context.getBundle()));
        BundleWiring wiring = context.getBundle().adapt(BundleWiring.class);
        for (BundleWire w : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            if ("org.vigil.crm.api".equals(w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE))) {
                out.add(w.getProvider().getBundle());
            }
        }
        return out;
    }

    CrmSimulateCommand(ToolProcess tool) {
        this.tool = tool;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return execute(args, CommandContext.ofNode(), out, err);
    }

    @Override
    public int execute(List<String> args, CommandContext context, PrintStream out, PrintStream err)
        throws Exception {
        return tool.run("crm_simulate", SimulateMain.class.getName(), args, context.cwd(),
            context.hasStdin() ? context.stdin() : null, out, err);
    }
}
