package org.vigil.crm.cib.internal.command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.api.attrd.Attrd;
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.ops.CibXPath;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code crm_attribute}: cluster options, resource and operation defaults, tickets, and permanent and transient
 * node attributes, with Pacemaker 2.1.5's options, output and exit codes ({@code tools/crm_attribute.c},
 * {@code lib/cib/cib_attrs.c}).
 *
 * <p>An attribute is an {@code nvpair} in a set: {@code cluster_property_set} in {@code crm_config} (default
 * {@code cib-bootstrap-options}), {@code meta_attributes} in {@code rsc_defaults}/{@code op_defaults},
 * {@code instance_attributes} (or {@code utilization} with {@code -z}) of a {@code configuration/nodes/node}
 * ({@code -l forever}, the default with {@code -N}), or of a node's {@code status/node_state/transient_attributes}
 * ({@code -l reboot}). A query prints {@code scope=crm_config  name=NAME value=VALUE} per match ({@code -q}: the
 * value only); a missing attribute is {@code Error performing operation: No such device or address}, exit 105,
 * unless {@code -d} gives a default. An update finds the nvpair by set, id and name and changes its value, or
 * creates it (and its set) with Pacemaker's ids; several matches are refused with exit 109. Node names map to node
 * ids as {@link NodeNames} says. Transient attributes are written to the CIB directly, as Pacemaker's tool does when
 * it works on a file (there is no attribute daemon yet).
 *
 * <p>Where Vigil deliberately differs (Pacemaker bugs, see {@code docs/design/cib.md}): {@code -D} with several
 * matches exits 109 (Pacemaker prints the matches and exits 0 without deleting); {@code -D -i ID} names the id it
 * deleted (Pacemaker prints {@code id=(null)}); {@code -P} with {@code -v}/{@code -D} also acts when exactly one
 * attribute is in the set (Pacemaker then does nothing); a node known to the kernel but not yet to the CIB gets its
 * {@code configuration/nodes/node} entry created with a permanent attribute (Pacemaker's controller has always
 * written it by then).
 */
@Component(property = {AdminCommand.NAME + "=crm_attribute",
    AdminCommand.DESCRIPTION + "=query and change cluster options and node attributes: crm_attribute -n NAME "
        + "[-G|-v VALUE|-D] [-t crm_config|rsc_defaults|op_defaults|tickets] [-N NODE [-l reboot|forever]] [-q]"})
public final class CrmAttributeCommand implements AdminCommand {

    private static final String TOOL = "crm_attribute";
    private static final int ENXIO = 1;
    private static final int EINVAL = 2;
    private static final int ENOMSG = 3;
    private static final int ENOTUNIQ = 4;
    private static final long TIMEOUT_SECONDS = 30;

    private final Cib cib;
    private final VigilNode node;

    /**
     * The node's attribute manager, when its bundle runs: transient attributes are set and deleted through it, as
     * Pacemaker's crm_attribute does ({@code use_attrd()}), so it writes them again when a CIB sync loses them.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Attrd attrd;

    @Activate
    public CrmAttributeCommand(@Reference Cib cib, @Reference VigilNode node) {
        this.cib = cib;
        this.node = node;
    }

    static ToolOptions options() {
        return new ToolOptions(TOOL, "crm_attribute [options]")
            .value("i", "id", "XML_ID", "(Advanced) Operate on instance of specified attribute with this XML ID")
            .value("n", "name", "NAME", "Operate on attribute or option with this name. For queries, this is "
                + "optional, in which case all matching attributes will be returned.")
            .value("P", "pattern", "PATTERN", "Operate on all attributes matching this pattern (with -G, or with "
                + "-v/-D and -l reboot)")
            .optionalValue("p", "promotion", "RESOURCE", "Operate on node attribute used as promotion score for "
                + "specified resource; this also defaults -l/--lifetime to reboot")
            .value("s", "set-name", "NAME", "(Advanced) Operate on instance of specified attribute that is within "
                + "set with this XML ID")
            .flag("D", "delete", "Delete the attribute/option")
            .flag("G", "query", "Query the current value of the attribute/option. See also: -n, -P")
            .value("v", "update", "VALUE", "Update the value of the attribute/option")
            .value("d", "default", "VALUE", "(Advanced) Default value to display if none is found in configuration")
            .value("l", "lifetime", "LIFETIME", "Lifetime of the node attribute. Valid values: reboot, forever")
            .value("N", "node", "NODE", "Set a node attribute for named node (instead of a cluster option). See "
                + "also: -l")
            .value("t", "type", "SECTION", "Which part of the configuration to update/delete/query the option in. "
                + "Valid values: crm_config, rsc_defaults, op_defaults, tickets")
            .flag("z", "utilization", "Set an utilization attribute for the node.")
            .flag("q", "quiet", "Print only the value on stdout")
            .flag("Q", null, "Print only the value on stdout (deprecated spelling)")
            .longFlag("inhibit-policy-engine", "(ignored)")
            .longValue("attr-id", "XML_ID", "deprecated spelling of --id")
            .longValue("attr-name", "NAME", "deprecated spelling of --name")
            .longValue("attr-value", "VALUE", "deprecated spelling of --update")
            .longFlag("delete-attr", "deprecated spelling of --delete")
            .longFlag("get-value", "deprecated spelling of --query")
            .value("U", "node-uname", "NODE", "deprecated spelling of --node")
            .value(null, "output-as", "FORMAT", "Specify output format (text only)")
            .flag("V", "verbose", "Increase debug output");
    }

    /** What the command line asks for, after Pacemaker's option callbacks. */
    private static final class Request {
        char command = 'G';
        String value;
        String name;
        String id;
        String pattern;
        String set;
        String setType;
        String type;
        String nodeName;
        String nodeId;
        boolean remote;
        boolean nodeFromKernel;
        String fallback;
        boolean promotion;
        boolean quiet;
        /** The exit status and text of the CIB request that failed. */
        int cibExit;
        String cibReason;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return execute(args, CommandContext.ofNode(), out, err);
    }

    @Override
    public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = options().parseOrHelp(args, out);
        if (cl == null) {
            return 0;
        }
        Request q = new Request();
        // as glib runs the callbacks: in command-line order, the last one wins
        for (Option o : cl.getOptions()) {
            String key = o.getLongOpt() != null ? o.getLongOpt() : o.getOpt();
            switch (key) {
                case "delete", "delete-attr" -> {
                    q.command = 'D';
                    q.value = null;
                }
                case "query", "get-value" -> {
                    q.command = 'G';
                    q.value = null;
                }
                case "update", "attr-value" -> {
                    q.command = 'u';
                    q.value = o.getValue();
                }
                case "name", "attr-name" -> q.name = o.getValue();
                case "id", "attr-id" -> q.id = o.getValue();
                case "pattern" -> q.pattern = o.getValue();
                case "set-name" -> q.set = o.getValue();
                case "lifetime", "type" -> q.type = o.getValue();
                case "utilization" -> {
                    q.type = "nodes";
                    q.setType = "utilization";
                }
                case "node", "node-uname" -> q.nodeName = o.getValue();
                case "default" -> q.fallback = o.getValue();
                case "promotion" -> {
                    q.promotion = true;
                    // pcmk_promotion_score_name(); the agent's OCF_RESOURCE_INSTANCE is not passed through
                    q.name = o.getValue() == null || o.getValue().isEmpty() ? null : "master-" + o.getValue();
                }
                case "quiet", "Q" -> q.quiet = true;
                case "output-as" -> {
                    if (!"text".equals(o.getValue())) {
                        throw new UsageException(TOOL + ": --output-as=" + o.getValue() + " is not supported (text "
                            + "only)", CibError.USAGE);
                    }
                }
                default -> {
                }
            }
        }
        if (q.promotion && q.name == null) {
            return fail(err, CibError.USAGE, "-p/--promotion must be called from an OCF resource agent or with a "
                + "resource ID specified");
        }
        if (q.type == null) {
            q.type = q.promotion ? "status" : q.nodeName != null ? "nodes" : "crm_config";
        } else if (q.type.equalsIgnoreCase("reboot")) {
            q.type = "status";
        } else if (q.type.equalsIgnoreCase("forever")) {
            q.type = "nodes";
        }
        XmlNode root = cib.current().root();
        if (!q.type.equalsIgnoreCase("crm_config") && !q.type.equalsIgnoreCase("tickets")) {
            String target = q.nodeName != null ? q.nodeName : node.name();
            NodeNames.Found f = NodeNames.find(root, node, target);
            if (f == null) {
                return fail(err, CibError.NOSUCH, "Could not map name=" + target + " to a UUID");
            }
            q.nodeName = target;
            q.nodeId = f.id();
            q.remote = f.remote();
            q.nodeFromKernel = f.fromNodeList();
        }
        if (q.command == 'D' && q.name == null && q.pattern == null) {
            return fail(err, CibError.USAGE, "Error: must specify attribute name or pattern to delete");
        }
        if (q.pattern != null) {
            if (!(q.command == 'G' || ((q.command == 'u' || q.command == 'D') && q.type.equalsIgnoreCase("status")))) {
                return fail(err, CibError.USAGE, "Error: pattern can only be used with query, or with till-reboot "
                    + "update or delete");
            }
            q.name = q.pattern;
        }
        Attrd a = attrd;
        if (a != null && q.type.equalsIgnoreCase("status") && (q.command == 'u' || q.command == 'D')
            && q.pattern == null && q.id == null && !q.remote && q.name != null) {
            // try_ipc_update(): through attrd; on failure the CIB directly, as Pacemaker falls back
            try {
                a.update(new AttributeUpdate(q.name, q.nodeName, true, q.command == 'u' ? q.value : null, null,
                    q.set, AttributeUpdate.Lifetime.REBOOT, false, null)).toCompletableFuture()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            } catch (ExecutionException | TimeoutException | RuntimeException
                     | org.vigil.crm.api.attrd.AttrdError e) {
                // fall through to the CIB
            }
        }
        int rc;
        if (q.command == 'D') {
            rc = delete(q, root, out, err);
        } else if (q.command == 'u') {
            rc = update(q, root, out, err);
        } else {
            rc = query(q, root, out);
        }
        return finish(q, rc, err);
    }

    /** The outcome of a step: 0, one of the errno-like codes above, or a CIB error. */
    private static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        final CibError error;

        Failed(CibError error) {
            super(null, null, false, false);
            this.error = error;
        }
    }

    private static int finish(Request q, int rc, PrintStream err) {
        return switch (rc) {
            case 0 -> 0;
            case ENXIO -> fail(err, CibError.NOSUCH, "Error performing operation: No such device or address");
            case EINVAL -> fail(err, 70, "Error performing operation: Invalid argument");
            case ENOMSG -> fail(err, 76, "Error performing operation: No message of desired type");
            case ENOTUNIQ -> fail(err, 109, "Please choose from one of the matches below and supply the 'id' with "
                + "--attr-id");
            default -> fail(err, q.cibExit, "Error performing operation: " + q.cibReason);
        };
    }

    private static int fail(PrintStream err, int exit, String message) {
        err.println(TOOL + ": " + message);
        return exit;
    }

    // ---- finding attributes (find_attr) ------------------------------------------------------------------------

    /** The matching nvpairs, or an error code in {@code code[0]}. */
    private static List<XmlNode> find(XmlNode root, String section, String nodeId, String setType, String set,
                                      String id, String name, int[] code) {
        String type = setType != null ? setType : "instance_attributes";
        String nodeType = null;
        if (section.equalsIgnoreCase("crm_config")) {
            nodeId = null;
            type = "cluster_property_set";
        } else if (section.equalsIgnoreCase("op_defaults") || section.equalsIgnoreCase("rsc_defaults")) {
            nodeId = null;
            type = "meta_attributes";
        } else if (section.equalsIgnoreCase("tickets")) {
            nodeId = null;
            section = "status";
            nodeType = "tickets";
        } else if (nodeId == null) {
            code[0] = EINVAL;
            return List.of();
        }
        String base = xpathFor(section);
        if (base == null) {
            code[0] = ENOMSG;
            return List.of();
        }
        StringBuilder x = new StringBuilder(base);
        if (nodeType != null) {
            x.append("//tickets");
        } else if (nodeId != null) {
            String element = "node";
            if (section.equalsIgnoreCase("status")) {
                element = "node_state";
                type = "transient_attributes";
            }
            x.append("//").append(element).append("[@id=").append(NodeNames.literal(nodeId)).append(']');
        }
        x.append("//").append(type);
        if (set != null) {
            x.append("[@id=").append(NodeNames.literal(set)).append(']');
        }
        x.append("//nvpair");
        if (id != null && name != null) {
            x.append("[@id=").append(NodeNames.literal(id)).append(" and @name=").append(NodeNames.literal(name))
                .append(']');
        } else if (id != null) {
            x.append("[@id=").append(NodeNames.literal(id)).append(']');
        } else if (name != null) {
            x.append("[@name=").append(NodeNames.literal(name)).append(']');
        }
        List<XmlNode> out = new ArrayList<>();
        try {
            for (int[] p : CibXPath.select(root, x.toString())) {
                out.add(root.at(p));
            }
        } catch (CibError e) {
            // an expression that does not parse finds nothing, as in Pacemaker
        }
        code[0] = out.isEmpty() ? ENXIO : 0;
        return out;
    }

    /** {@code pcmk_cib_xpath_for()}. */
    private static String xpathFor(String section) {
        return switch (section.toLowerCase(Locale.ROOT)) {
            case "cib", "all" -> "//cib";
            case "status" -> "//cib/status";
            case "configuration" -> "//cib/configuration";
            case "crm_config", "nodes", "resources", "constraints", "op_defaults", "rsc_defaults", "acls",
                 "fencing-topology", "tags", "alerts" -> "//cib/configuration/" + section.toLowerCase(Locale.ROOT);
            default -> null;
        };
    }

    private static boolean matches(String pattern, String name) {
        if (name == null) {
            return false;
        }
        try {
            return Pattern.compile(pattern).matcher(name).find();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    // ---- query ---------------------------------------------------------------------------------------------

    private int query(Request q, XmlNode root, PrintStream out) {
        int[] code = {0};
        List<XmlNode> found = q.pattern != null
            ? find(root, q.type, q.nodeId, q.setType, q.set, null, null, code)
            : find(root, q.type, q.nodeId, q.setType, q.set, q.id, q.name, code);
        if (code[0] == ENXIO && q.fallback != null) {
            print(out, q, q.name, q.fallback);
            return 0;
        }
        if (code[0] != 0) {
            return code[0];
        }
        boolean printed = false;
        for (XmlNode nv : found) {
            if (q.pattern != null && !matches(q.pattern, nv.attribute("name"))) {
                continue;
            }
            print(out, q, nv.attribute("name"), nv.attribute("value"));
            printed = true;
        }
        // several matches of which none fit the pattern: nothing found (one that does not fit prints nothing)
        return printed || found.size() == 1 ? 0 : ENXIO;
    }

    private static void print(PrintStream out, Request q, String name, String value) {
        if (q.quiet) {
            if (value != null) {
                out.println(value);
            }
            return;
        }
        out.println("scope=" + q.type + " " + (q.id != null ? "id=" + q.id : "") + " "
            + (name != null ? "name=" + name : "") + " value=" + (value != null ? value : "(null)"));
    }

    private static void info(PrintStream out, Request q, String line) {
        if (!q.quiet) {
            out.println(line);
        }
    }

    private static int multiples(PrintStream out, Request q, List<XmlNode> found, String name) {
        info(out, q, "Multiple attributes match name=" + name);
        for (XmlNode nv : found) {
            info(out, q, "  Value: " + nv.attribute("value") + " \t(id=" + nv.id() + ")");
        }
        return ENOTUNIQ;
    }

    // ---- update (cib__update_node_attr) ----------------------------------------------------------------------

    private int update(Request q, XmlNode root, PrintStream out, PrintStream err) throws InterruptedException {
        if (q.pattern != null) {
            int[] code = {0};
            List<XmlNode> all = find(root, q.type, q.nodeId, q.setType, q.set, null, null, code);
            if (code[0] != 0) {
                return code[0];
            }
            for (XmlNode nv : all) {
                if (matches(q.pattern, nv.attribute("name"))) {
                    int rc = updateOne(q, cib.current().root(), q.id, nv.attribute("name"), out, err);
                    if (rc != 0) {
                        return rc;
                    }
                }
            }
            return 0;
        }
        return updateOne(q, root, q.id, q.name, out, err);
    }

    private int updateOne(Request q, XmlNode root, String attrId, String attrName, PrintStream out, PrintStream err)
        throws InterruptedException {
        String section = q.type;
        String nodeId = q.nodeId;
        String set = q.set;
        int[] code = {0};
        List<XmlNode> found = find(root, section, nodeId, q.setType, set, attrId, attrName, code);
        XmlNode top;
        boolean create = false;
        if (code[0] == 0) {
            if (found.size() > 1) {
                return multiples(out, q, found, attrName);
            }
            top = nvpair(null, found.get(0).id(), attrName, q.value);
        } else if (code[0] != ENXIO) {
            return code[0];
        } else {
            XmlNode topNode = null;
            String tag = null;
            String nodeType = q.remote ? "remote" : null;
            boolean tickets = false;
            if (section.equalsIgnoreCase("tickets")) {
                nodeId = null;
                section = "status";
                tickets = true;
            } else if (section.equalsIgnoreCase("nodes")) {
                if (nodeId == null) {
                    return EINVAL;
                }
                if ("remote".equals(nodeType)) {
                    topNode = XmlNode.of("node", "type", "remote", "id", nodeId, "uname", nodeId);
                } else {
                    tag = "node";
                }
            } else if (section.equalsIgnoreCase("status")) {
                tag = "transient_attributes";
                if (nodeId == null) {
                    return EINVAL;
                }
            } else {
                tag = section;
                nodeId = null;
            }
            if (set == null) {
                if (section.equalsIgnoreCase("crm_config")) {
                    set = "cib-bootstrap-options";
                } else if (tickets) {
                    set = section + "-tickets";
                } else if (nodeId != null) {
                    set = section + "-" + nodeId + (q.setType != null ? "-" + q.setType : "");
                } else {
                    set = section + "-options";
                }
            }
            if (attrId == null) {
                attrId = sanitize(set + "-" + attrName);
            } else if (attrName == null) {
                attrName = attrId;
            }
            String setElement;
            if (nodeId == null && !tickets) {
                setElement = section.equalsIgnoreCase("crm_config") ? "cluster_property_set" : "meta_attributes";
            } else {
                setElement = q.setType != null ? q.setType : "instance_attributes";
            }
            XmlNode setNode = nvpair(XmlNode.of(setElement, "id", set), attrId, attrName, q.value);
            XmlNode holder;
            if (tag != null) {
                holder = nodeId != null ? XmlNode.of(tag, "id", nodeId) : XmlNode.of(tag);
                if (tag.equals("node") && q.nodeFromKernel) {
                    // the controller writes <node id uname> at join; Vigil has none yet: create it
                    holder = holder.with("uname", q.nodeName);
                    create = true;
                }
                holder = holder.plusChild(setNode);
            } else {
                holder = setNode;
            }
            if (section.equalsIgnoreCase("status") && !tickets) {
                top = XmlNode.of("node_state", "id", nodeId).plusChild(holder);
            } else if (tickets) {
                top = XmlNode.of("status").plusChild(XmlNode.of("tickets").plusChild(holder));
            } else if (topNode != null) {
                top = XmlNode.of("nodes").plusChild(topNode.plusChild(holder));
            } else {
                top = holder;
            }
        }
        Set<CibRequest.Flag> flags = create ? EnumSet.of(CibRequest.Flag.CAN_CREATE) : Set.of();
        try {
            submit(new CibRequest(CibRequest.Op.MODIFY, section, null, top, flags, TOOL, "root"));
            return 0;
        } catch (Failed f) {
            err.println("Error setting " + attrName + "=" + q.value + " (section=" + section + ", set="
                + (set != null ? set : "<null>") + "): " + f.error.reason());
            q.cibExit = f.error.exitCode();
            q.cibReason = f.error.reason();
            return -1;
        }
    }

    /** {@code crm_create_nvpair_xml()}: an nvpair (id, name, value, in that order) under {@code parent}. */
    private static XmlNode nvpair(XmlNode parent, String id, String name, String value) {
        XmlNode nv = XmlNode.of("nvpair");
        if (id != null) {
            nv = nv.with("id", id);
        } else {
            String parentId = parent == null ? null : parent.id();
            nv = nv.with("id", sanitize((parentId != null ? parentId : "nvpair") + "-" + name));
        }
        if (name != null) {
            nv = nv.with("name", name);
        }
        if (value != null) {
            nv = nv.with("value", value);
        }
        return parent == null ? nv : parent.plusChild(nv);
    }

    /** {@code crm_xml_sanitize_id()}: ':' and '#' become '.'. */
    static String sanitize(String id) {
        return id.replace(':', '.').replace('#', '.');
    }

    private void submit(CibRequest r) throws Failed, InterruptedException {
        try {
            cib.update(r).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new Failed(e.getCause() instanceof CibError ce ? ce
                : new CibError(CibError.ERROR, "Error", String.valueOf(e.getCause())));
        } catch (TimeoutException e) {
            throw new Failed(new CibError(CibError.TIMEOUT, "Timer expired", null));
        }
    }

    // ---- delete (cib__delete_node_attr) ------------------------------------------------------------------

    private int delete(Request q, XmlNode root, PrintStream out, PrintStream err) throws InterruptedException {
        if (q.pattern != null) {
            int[] code = {0};
            List<XmlNode> all = find(root, q.type, q.nodeId, q.setType, q.set, null, null, code);
            if (code[0] != 0) {
                return code[0] == ENXIO ? 0 : code[0];
            }
            for (XmlNode nv : all) {
                if (matches(q.pattern, nv.attribute("name"))) {
                    int rc = deleteOne(q, cib.current().root(), q.id, nv.attribute("name"), out, err);
                    if (rc != 0 && rc != ENXIO) {
                        return rc;
                    }
                }
            }
            return 0;
        }
        int rc = deleteOne(q, root, q.id, q.name, out, err);
        return rc == ENXIO ? 0 : rc;   // nothing to delete is what the admin wanted
    }

    private int deleteOne(Request q, XmlNode root, String attrId, String attrName, PrintStream out, PrintStream err)
        throws InterruptedException {
        if (attrId == null) {
            int[] code = {0};
            List<XmlNode> found = find(root, q.type, q.nodeId, q.setType, q.set, null, attrName, code);
            if (code[0] != 0) {
                return code[0];
            }
            if (found.size() > 1) {
                return multiples(out, q, found, attrName);
            }
            attrId = found.get(0).id();
        }
        XmlNode nv = nvpair(null, attrId, attrName, null);
        try {
            // tickets live in the status section
            submit(new CibRequest(CibRequest.Op.DELETE, q.type.equalsIgnoreCase("tickets") ? "status" : q.type, null,
                nv, Set.of(), TOOL, "root"));
        } catch (Failed f) {
            q.cibExit = f.error.exitCode();
            q.cibReason = f.error.reason();
            return -1;
        }
        info(out, q, "Deleted " + q.type + " " + (q.nodeId != null ? "attribute" : "option") + ": id=" + attrId
            + (q.set != null ? " set=" + q.set : "") + (attrName != null ? " name=" + attrName : ""));
        return 0;
    }
}
