package org.vigil.crm.cib.internal.command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.config.VigilConfig;

/**
 * {@code crm_node}, with Pacemaker 2.1.5's options, output and exit codes ({@code tools/crm_node.c}), answered from
 * the kernel's membership ({@link ClusterMembership}) and quorum ({@link QuorumService}) where Pacemaker asks its
 * controller: {@code -l} lists every known node as {@code ID NAME STATE} ({@code member} or {@code lost}), sorted by
 * name as Pacemaker sorts (case-insensitive, digit runs by value); {@code -p} prints the members' names on one line;
 * {@code -q} prints {@code 1} or {@code 0} (exit 106 when not quorate); {@code -i} and {@code -n} give this node's
 * id and name; {@code -N ID} a node's name (exit 68 if unknown). Known nodes are the kernel's nodelist and the
 * current members; names come from the nodelist, else {@code configuration/nodes}.
 *
 * <p>{@code -R NAME --force} removes a node that is no longer a member from {@code configuration/nodes} and the
 * status section, as Pacemaker's {@code cib_remove_node()} does; a current member is refused (its entries would be
 * written again at once). Node ids are printed unsigned (Pacemaker prints them as signed integers).
 */
@Component(property = {AdminCommand.NAME + "=crm_node",
    AdminCommand.DESCRIPTION + "=node information: crm_node -l|-p|-q|-i|-n|-N ID|-R NAME --force"})
public final class CrmNodeCommand implements AdminCommand {

    private static final String TOOL = "crm_node";

    private final ClusterMembership membership;
    private final QuorumService quorum;
    private final VigilNode node;
    private final Cib cib;

    @Activate
    public CrmNodeCommand(@Reference ClusterMembership membership, @Reference QuorumService quorum,
                          @Reference VigilNode node, @Reference Cib cib) {
        this.membership = membership;
        this.quorum = quorum;
        this.node = node;
        this.cib = cib;
    }

    static ToolOptions options() {
        return new ToolOptions(TOOL, "crm_node [options]")
            .flag("i", "cluster-id", "Display this node's cluster id")
            .flag("l", "list", "Display all known members (past and present) of this cluster")
            .flag("n", "name", "Display the name used by the cluster for this node")
            .flag("p", "partition", "Display the members of this partition")
            .flag("q", "quorum", "Display a 1 if our partition has quorum, 0 if not")
            .value("N", "name-for-id", "ID", "Display the name used by the cluster for the node with the specified ID")
            .value("R", "remove", "NAME", "(Advanced) Remove the (stopped) node with the specified name from "
                + "Pacemaker's configuration and caches (the node must already have been removed from the underlying "
                + "cluster stack configuration")
            .flag("f", "force", "Force the action to be performed")
            .flag("Q", "quiet", "Be less descriptive in output.")
            .flag("C", "corosync", "(deprecated, ignored)")
            .flag("V", "verbose", "Increase debug output")
            .longValue("output-as", "FORMAT", "With -l (Vigil's; Pacemaker 2.1.5's crm_node has no other format): "
                + "text (default), xml or json");
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return execute(args, CommandContext.ofNode(), out, err);
    }

    @Override
    public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) throws Exception {
        ToolOptions opts = options();
        CommandLine cl = opts.parseOrHelp(args, true, out);
        if (cl == null) {
            return 0;
        }
        char command = 0;
        String value = null;
        for (org.apache.commons.cli.Option o : cl.getOptions()) {
            switch (o.getOpt() == null ? "" : o.getOpt()) {
                case "i", "l", "n", "p", "q" -> command = o.getOpt().charAt(0);
                case "N", "R" -> {
                    command = o.getOpt().charAt(0);
                    value = o.getValue();
                }
                default -> {
                }
            }
        }
        if (command == 0) {
            err.println(opts.help());   // as Pacemaker's crm_node: its usage, exit 64
            return CibError.USAGE;
        }
        if (!cl.getArgList().isEmpty()) {
            // Pacemaker's crm_node ignores stray words; Vigil refuses them (a typo is not silently dropped)
            err.println("crm_node: non-option arguments: " + String.join(" ", cl.getArgList())
                + "\nTry 'crm_node --help' for the options");
            return CibError.USAGE;
        }
        String format = cl.getOptionValue("output-as", "text");
        if (!List.of("text", "xml", "json").contains(format) || (!format.equals("text") && command != 'l')) {
            err.println("crm_node: --output-as " + format + " is not available here (text, or xml and json with -l)");
            return CibError.USAGE;
        }
        if (command == 'R' && !cl.hasOption("force")) {
            err.println("The supplied command is considered dangerous.  To prevent accidental destruction of the "
                + "cluster, the --force flag is required in order to proceed.");
            return CibError.USAGE;
        }
        List<Integer> members = membership.current().members();
        switch (command) {
            case 'i' -> out.println(Integer.toUnsignedString(node.nodeId()));
            case 'n' -> out.println(node.name());
            case 'N' -> {
                // as the controller answers: id 0 (or no number) is this node
                int id = parseId(value);
                String name = id == 0 ? node.name() : NodeNames.nameOf(cib.current().root(), node, id);
                if (name == null) {
                    err.println("Node is not known to cluster");
                    return 68;
                }
                out.println(name);
            }
            case 'q' -> {
                Optional<QuorumState> q = quorum.current();
                boolean quorate = q.isPresent() && q.get().quorate();
                out.println(quorate ? "1" : "0");
                return quorate ? 0 : 106;
            }
            case 'l', 'p' -> {
                XmlNode root = cib.current().root();
                Map<Integer, String> known = new LinkedHashMap<>();
                for (VigilConfig.Node n : node.config().nodes()) {
                    known.put(n.nodeId(), n.displayName());
                }
                for (int m : members) {
                    known.putIfAbsent(m, NodeNames.nameOf(root, node, m));
                }
                List<Map.Entry<Integer, String>> sorted = new ArrayList<>(known.entrySet());
                sorted.sort(Comparator.comparing(e -> e.getValue() == null ? "" : e.getValue(),
                    CrmNodeCommand::numericCaseInsensitive));
                StringBuilder b = new StringBuilder();
                for (Map.Entry<Integer, String> e : sorted) {
                    String name = e.getValue() == null ? "" : e.getValue();
                    boolean member = members.contains(e.getKey());
                    if (command == 'l' && !format.equals("text")) {
                        b.append("    <node id=\"").append(Integer.toUnsignedString(e.getKey())).append("\" name=\"")
                            .append(name.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;"))
                            .append("\" state=\"").append(member ? "member" : "lost").append("\"/>\n");
                    } else if (command == 'l') {
                        b.append(Integer.toUnsignedString(e.getKey())).append(' ').append(name).append(' ')
                            .append(member ? "member" : "lost").append('\n');
                    } else if (member) {
                        b.append(name).append(' ');
                    }
                }
                if (command == 'p') {
                    b.append('\n');
                }
                if (!format.equals("text")) {
                    // the form of Pacemaker's later crm_node (its "node-list" message): nodes, then the status
                    String doc = "<pacemaker-result api-version=\"2.25\" request=\"crm_node "
                        + String.join(" ", args).replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;")
                        + "\">\n" + (b.isEmpty() ? "  <nodes/>\n" : "  <nodes>\n" + b + "  </nodes>\n")
                        + "  <status code=\"0\" message=\"OK\"/>\n</pacemaker-result>\n";
                    out.print(format.equals("json") ? org.vigil.crm.toolsupport.JsonOutput.fromXml(doc, "crm_node")
                        : doc);
                    return 0;
                }
                out.print(b);
            }
            case 'R' -> {
                return remove(value, members, out, err);
            }
            default -> throw new IllegalStateException();
        }
        return 0;
    }

    /** A positive node id, or 0 ({@code pcmk__scan_min_int} with minimum 0). */
    private static int parseId(String s) {
        try {
            long v = Long.parseLong(s.strip());
            return v > 0 && v <= 0xffffffffL ? (int) v : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Removes the node's {@code <node>} and {@code <node_state>} (by name, and by id when one is given). */
    private int remove(String target, List<Integer> members, PrintStream out, PrintStream err)
        throws InterruptedException {
        int id = parseId(target);
        String name = id == 0 ? target : null;
        XmlNode root = cib.current().root();
        int memberId = id;
        if (memberId == 0) {
            NodeNames.Found f = NodeNames.find(root, node, target);
            if (f != null && !f.remote()) {
                try {
                    memberId = Integer.parseUnsignedInt(f.id());
                } catch (NumberFormatException e) {
                    memberId = 0;
                }
            }
        }
        if (memberId != 0 && members.contains(memberId)) {
            err.println("error: Could not remove " + target + ": it is still a member of the cluster (stop it and "
                + "remove it from the nodelist first)");
            return CibError.UNSAFE;
        }
        XmlNode nodeEntry = XmlNode.of("node");
        XmlNode state = XmlNode.of("node_state");
        if (name != null) {
            nodeEntry = nodeEntry.with("uname", name);
            state = state.with("uname", name);
        }
        if (id > 0) {
            nodeEntry = nodeEntry.with("id", Integer.toUnsignedString(id));
            state = state.with("id", Integer.toUnsignedString(id));
        }
        int rc = 0;
        for (String[] section : List.of(new String[] {"nodes"}, new String[] {"status"})) {
            XmlNode data = section[0].equals("nodes") ? nodeEntry : state;
            try {
                cib.update(new CibRequest(CibRequest.Op.DELETE, section[0], null, data, Set.of(), TOOL, "root"))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                String why = e.getCause() instanceof CibError ce ? ce.reason() : String.valueOf(e.getCause());
                out.print("Could not remove " + (name != null ? name : "(null)") + "[" + id + "] from " + section[0]
                    + ": " + why);
                rc = e.getCause() instanceof CibError ce ? ce.exitCode() : CibError.ERROR;
            } catch (TimeoutException e) {
                err.println("Call cib_delete failed: Timer expired");
                return CibError.TIMEOUT;
            }
        }
        return rc;
    }

    /**
     * {@code pcmk__numeric_strcasecmp()}: case-insensitive, but runs of digits compare by value ({@code node2}
     * before {@code node10}).
     */
    static int numericCaseInsensitive(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String da = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String db = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) {
                    return c;
                }
                continue;
            }
            int c = Character.compare(Character.toLowerCase(x), Character.toLowerCase(y));
            if (c != 0) {
                return c;
            }
            i++;
            j++;
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
