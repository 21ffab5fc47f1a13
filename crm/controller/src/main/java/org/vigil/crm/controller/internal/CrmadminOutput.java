package org.vigil.crm.controller.internal;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.toolsupport.JsonOutput;

/**
 * {@code crmadmin}'s answers in its three forms: text (Pacemaker's wording), {@code --output-as xml} (Pacemaker's
 * {@code pacemaker-result} document: {@code <dc node_name>}, {@code <crmd node_name state result>},
 * {@code <nodes><node type name id>}) and {@code --output-as json} (that document by {@link JsonOutput}'s rule).
 * Follows {@code dc_text()}/{@code dc_xml()}, {@code health_text()}/{@code health_xml()} and
 * {@code crmadmin_node_text()}/{@code crmadmin_node_xml()} in lib/pacemaker/pcmk_output.c, and
 * {@code pcmk__list_nodes()} in lib/pacemaker/pcmk_cluster_queries.c.
 */
final class CrmadminOutput {

    /** A configured node: cluster (a {@code nodes/node} of no type or type member), guest or remote. */
    record ConfiguredNode(String type, String name, String id) {
    }

    private CrmadminOutput() {
    }

    /**
     * The nodes of a CIB of the types asked ({@code null}, empty or containing "all": every type; else those whose
     * name the list contains: cluster, guest, remote), cluster nodes first, then guests, then remotes, each in
     * document order, as {@code pcmk__list_nodes()} finds them with its three XPath searches.
     */
    static List<ConfiguredNode> nodes(XmlNode cib, String types) {
        boolean all = types == null || types.isEmpty() || types.contains("all");
        List<ConfiguredNode> out = new ArrayList<>();
        XmlNode config = cib.firstChild("configuration");
        if (config == null) {
            return out;
        }
        if (all || types.contains("cluster")) {
            XmlNode nodes = config.firstChild("nodes");
            if (nodes != null) {
                for (XmlNode n : nodes.children()) {
                    String type = n.attribute("type");
                    if (n.name().equals("node") && (type == null || type.equals("member"))) {
                        String id = n.attribute("id");
                        String uname = n.attribute("uname");
                        out.add(new ConfiguredNode("cluster", uname != null ? uname : id, id));
                    }
                }
            }
        }
        if (all || types.contains("guest")) {
            // every primitive's meta_attributes' remote-node nvpair, at any depth
            walk(config, n -> {
                if (n.name().equals("primitive")) {
                    walk(n, m -> {
                        if (m.name().equals("meta_attributes")) {
                            walk(m, p -> {
                                if (p.name().equals("nvpair") && "remote-node".equals(p.attribute("name"))) {
                                    String v = p.attribute("value");
                                    out.add(new ConfiguredNode("guest", v, v));
                                }
                            });
                        }
                    });
                }
            });
        }
        if (all || types.startsWith("remote") || types.contains(",")) {
            walk(config, n -> {
                if (n.name().equals("primitive") && "remote".equals(n.attribute("type"))
                    && "pacemaker".equals(n.attribute("provider"))) {
                    out.add(new ConfiguredNode("remote", n.attribute("id"), n.attribute("id")));
                }
            });
        }
        return out;
    }

    /** Every descendant of {@code n} (not n itself), in document order, each once. */
    private static void walk(XmlNode n, java.util.function.Consumer<XmlNode> visit) {
        for (XmlNode c : n.children()) {
            visit.accept(c);
            walk(c, visit);
        }
    }

    /** {@code crmadmin -N} as text: "cluster node: NAME (ID)", {@code -B} "export NAME=ID", {@code -q} the names. */
    static String nodesText(List<ConfiguredNode> nodes, boolean bash, boolean quiet) {
        StringBuilder b = new StringBuilder();
        for (ConfiguredNode n : nodes) {
            if (quiet) {
                b.append(n.name()).append('\n');
            } else if (bash) {
                b.append("export ").append(n.name()).append('=').append(n.id()).append('\n');
            } else {
                b.append(n.type()).append(" node: ").append(n.name()).append(" (").append(n.id()).append(")\n");
            }
        }
        if (nodes.isEmpty() && !quiet) {
            b.append("No nodes configured\n");
        }
        return b.toString();
    }

    /** The XML body of {@code crmadmin -N}: the {@code nodes} list (empty: {@code <nodes/>}). */
    static String nodesXml(List<ConfiguredNode> nodes) {
        if (nodes.isEmpty()) {
            return "  <nodes/>\n";
        }
        StringBuilder b = new StringBuilder("  <nodes>\n");
        for (ConfiguredNode n : nodes) {
            b.append("    <node type=\"").append(esc(n.type())).append("\" name=\"").append(esc(n.name()))
                .append("\" id=\"").append(esc(n.id())).append("\"/>\n");
        }
        return b.append("  </nodes>\n").toString();
    }

    /** The XML body of {@code crmadmin -D}. */
    static String dcXml(String dc) {
        return "  <dc node_name=\"" + esc(dc == null ? "" : dc) + "\"/>\n";
    }

    /** The XML body of {@code crmadmin -S}: the answering daemon's element ({@code crmd}). */
    static String healthXml(String node, String state, String result) {
        return "  <crmd node_name=\"" + esc(node) + "\" state=\"" + esc(state) + "\" result=\"" + esc(result)
            + "\"/>\n";
    }

    /** The {@code pacemaker-result} document around a body, with the status (and the error, if any). */
    static String result(List<String> args, String body, int exit, String exitText, String error) {
        StringBuilder b = new StringBuilder("<pacemaker-result api-version=\"2.25\" request=\"")
            .append(esc("crmadmin" + (args.isEmpty() ? "" : " " + String.join(" ", args)))).append("\">\n")
            .append(body).append("  <status code=\"").append(exit).append("\" message=\"").append(esc(exitText))
            .append('"');
        if (error == null) {
            b.append("/>\n");
        } else {
            b.append(">\n    <errors>\n      <error>").append(esc(error)).append("</error>\n    </errors>\n"
                + "  </status>\n");
        }
        return b.append("</pacemaker-result>\n").toString();
    }

    /** The document in the form asked: xml as it is, json by {@link JsonOutput}. */
    static String as(String format, String xml) {
        return format.equals("json") ? JsonOutput.fromXml(xml, "crmadmin") : xml;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
