package org.vigil.crm.cib.internal.command;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * {@code crm_standby}: queries, sets or deletes a node's {@code standby} attribute through {@code crm_attribute},
 * as Pacemaker 2.1.5's tools/crm_standby.in (a shell script around crm_attribute) does: the node is {@code -N}, else
 * this one; a query without {@code -l} reports the permanent value when there is one, else the transient one, else
 * {@code off}; an update without {@code -l} sets the permanent one; a delete without {@code -l} deletes both.
 */
@Component(property = {AdminCommand.NAME + "=crm_standby",
    AdminCommand.DESCRIPTION + "=query or change a node's standby mode: crm_standby [-N NODE] [-G|-v on|off|-D] "
        + "[-l reboot|forever]"})
public final class CrmStandbyCommand implements AdminCommand {

    private static final String TOOL = "crm_standby";

    private final AdminCommand attribute;

    /** {@code crm_attribute}, the command this one runs. */
    @Activate
    public CrmStandbyCommand(@Reference(target = "(" + AdminCommand.NAME + "=crm_attribute)") AdminCommand attribute) {
        this.attribute = attribute;
    }

    static ToolOptions options() {
        return new ToolOptions(TOOL, "crm_standby <command> [options]")
            .flag("V", "verbose", "Specify multiple times to increase debug output")
            .flag("q", "quiet", "Print only the standby status (if querying)")
            .flag("Q", null, "(deprecated) as -q")
            .flag("G", "query", "Query the current value of standby mode (on/off)")
            .longFlag("get-value", "(deprecated) as --query")
            .value("v", "update", "VALUE", "Update the value of standby mode (on/off)")
            .longValue("attr-value", "VALUE", "(deprecated) as --update")
            .flag("D", "delete", "Let standby mode use default value")
            .longFlag("delete-attr", "(deprecated) as --delete")
            .value("N", "node", "NODE", "Operate on the named node instead of the current one")
            .value("U", "uname", "NODE", "(deprecated) as --node")
            .value("l", "lifetime", "VALUE", "Until when should the setting take effect (valid values: reboot, "
                + "forever)")
            .value("i", "id", "VALUE", "(Advanced) XML ID used to identify standby attribute")
            .longValue("attr-id", "VALUE", "(deprecated) as --id");
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = options().parseOrHelp(args, out);
        if (cl == null) {
            return 0;
        }
        List<String> base = new ArrayList<>();
        String node = cl.getOptionValue("node", cl.getOptionValue("uname"));
        if (node != null) {
            base.add("-N");
            base.add(node);
        }
        base.add("-n");
        base.add("standby");
        if (cl.hasOption("quiet") || cl.hasOption("Q")) {
            base.add("-q");
        }
        String id = cl.getOptionValue("id", cl.getOptionValue("attr-id"));
        if (id != null) {
            base.add("--id");
            base.add(id);
        }
        String value = cl.getOptionValue("update", cl.getOptionValue("attr-value"));
        char op = value != null ? 'u' : cl.hasOption("delete") || cl.hasOption("delete-attr") ? 'd' : 'g';
        switch (op) {
            case 'u' -> {
                base.add("--update");
                base.add(value);
            }
            case 'd' -> base.add("--delete");
            default -> base.add("--query");
        }
        String lifetime = cl.getOptionValue("lifetime");
        if (lifetime != null) {
            return run(base, List.of("--lifetime", lifetime), out, err);
        }
        switch (op) {
            case 'g' -> {
                // the permanent value if there is one, else the transient one, else "off"
                PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
                if (run(base, List.of("-l", "forever"), quiet, quiet) == 0) {
                    return run(base, List.of("-l", "forever"), out, err);
                }
                return run(base, List.of("-l", "reboot", "-d", "off"), out, err);
            }
            case 'u' -> {
                return run(base, List.of("-l", "forever"), out, err);
            }
            default -> {
                run(base, List.of("-l", "forever"), out, err);
                run(base, List.of("-l", "reboot"), out, err);
                return 0;
            }
        }
    }

    private int run(List<String> base, List<String> more, PrintStream out, PrintStream err) throws Exception {
        List<String> a = new ArrayList<>(base);
        a.addAll(more);
        return attribute.execute(a, out, err);
    }
}
