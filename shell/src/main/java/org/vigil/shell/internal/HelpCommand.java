package org.vigil.shell.internal;

import java.io.PrintStream;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.command.AdminCommand;

/** {@code vigil help}: every admin command with one line of description. */
@Component(property = {AdminCommand.NAME + "=help", AdminCommand.DESCRIPTION + "=list the admin commands"})
public final class HelpCommand implements AdminCommand {

    private final CommandCatalog catalog;

    @Activate
    public HelpCommand(@Reference CommandCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) {
        out.println("Commands of this node (vigil <command> ..., or <scope>:<command> in Gogo):");
        for (CommandCatalog.Entry e : catalog.entries()) {
            out.printf("  %-22s %s%n", e.name(), e.description());
        }
        out.println("Other Gogo commands (lb, scr:list, ...) are passed to the Gogo shell.");
        return 0;
    }
}
