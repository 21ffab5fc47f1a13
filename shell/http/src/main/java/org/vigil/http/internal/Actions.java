package org.vigil.http.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * The dashboard's actions, each run as the admin command an admin would type ({@code crm_resource --move}, ...), so
 * they behave exactly as the command line does, and are refused unless {@code http.actions: yes}.
 */
public final class Actions {

    /** Resource and node names: what Pacemaker accepts as XML ids and node names, nothing that looks like an option. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,199}");

    /** The result of an action: the command's exit status and its output. */
    public record Result(int status, String output) {
    }

    private Actions() {
    }

    /**
     * The command line for an action.
     *
     * @param params {@code action}, {@code resource}, {@code node}, and for standby {@code value} (on/off)
     * @throws IllegalArgumentException for an unknown action or a missing or malformed name
     */
    static List<String> commandLine(Map<String, String> params) {
        String action = params.getOrDefault("action", "");
        String rsc = params.get("resource");
        String node = params.get("node");
        List<String> cmd = new ArrayList<>();
        switch (action) {
            case "move", "ban" -> {
                cmd.addAll(List.of("crm_resource", "--" + action, "--resource", name(rsc, "resource")));
                if (node != null && !node.isEmpty()) {
                    cmd.addAll(List.of("--node", name(node, "node")));
                }
            }
            case "clear" -> cmd.addAll(List.of("crm_resource", "--clear", "--resource", name(rsc, "resource")));
            case "cleanup" -> {
                cmd.addAll(List.of("crm_resource", "--cleanup", "--resource", name(rsc, "resource")));
                if (node != null && !node.isEmpty()) {
                    cmd.addAll(List.of("--node", name(node, "node")));
                }
            }
            case "standby" -> {
                String value = params.getOrDefault("value", "on");
                if (!value.equals("on") && !value.equals("off")) {
                    throw new IllegalArgumentException("standby: value must be on or off");
                }
                cmd.addAll(List.of("crm_attribute", "--node", name(node, "node"), "--name", "standby", "--update",
                    value, "--lifetime", "forever"));
            }
            default -> throw new IllegalArgumentException("unknown action '" + action
                + "' (move, ban, clear, standby, cleanup)");
        }
        return cmd;
    }

    private static String name(String v, String what) {
        if (v == null || !NAME.matcher(v).matches()) {
            throw new IllegalArgumentException("a valid " + what + " name is required");
        }
        return v;
    }

    /** Runs an action through the node's admin commands. */
    static Result run(NodeView view, Map<String, String> params) throws Exception {
        List<String> line = commandLine(params);
        AdminCommand c = view.command(line.get(0));
        if (c == null) {
            return new Result(69, line.get(0) + " is not available on this node (its bundle is not running)");
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            status = c.execute(line.subList(1, line.size()), out, out);
        }
        return new Result(status, buf.toString(StandardCharsets.UTF_8));
    }
}
