package org.vigil.crm.internal.simulate;

import java.io.PrintStream;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * {@code crm_simulate} as an admin command of the node (admin socket and Gogo shell): the same options and output
 * as {@code vigil simulate}; files are read on the node. Stateless; concurrent calls are independent.
 */
@Component(property = {AdminCommand.NAME + "=crm_simulate", AdminCommand.NAME + "=simulate",
    AdminCommand.DESCRIPTION + "=run the scheduler on a CIB file: crm_simulate -x FILE [-S] [-s]"})
public final class CrmSimulateCommand implements AdminCommand {

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) {
        return SimulateMain.run(args.toArray(new String[0]), out, err);
    }
}
