package org.vigil.http.internal;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The cluster's resource manager state as {@code crm_mon --output-as=xml} reports it (Pacemaker's
 * {@code <pacemaker-result>} document, which Vigil's crm_mon prints as Pacemaker 2.1.5 does): nodes, resources
 * (flattened out of groups and clones, each with the nodes it is active on), failed actions, fail counts and bans.
 * Reading it through the command keeps this bundle independent of the scheduler's internals, as
 * ha_cluster_exporter reads Pacemaker through {@code crm_mon}.
 *
 * @param dc             the DC's name, or null
 * @param quorate        whether the DC's partition has quorum (crm_mon's {@code with_quorum})
 * @param nodes          nodes in crm_mon's order
 * @param resources      primitives in crm_mon's order
 * @param failures       failed actions
 * @param failCounts     fail counts, by node then resource
 * @param bans           location bans ({@code resource}, {@code node}, {@code id})
 */
public record CrmStatus(String dc, boolean quorate, List<CrmNode> nodes, List<CrmResource> resources,
                        List<Map<String, String>> failures, Map<String, Map<String, Long>> failCounts,
                        List<Map<String, String>> bans) {

    /** One node of {@code <nodes>}. */
    public record CrmNode(String name, String id, boolean online, boolean standby, boolean maintenance,
                          boolean unclean, boolean dc, int resourcesRunning) {
    }

    /**
     * One primitive.
     *
     * @param id      its id as crm_mon prints it (a clone instance has its {@code :N} suffix)
     * @param parent  the group, clone or bundle it belongs to, or null
     * @param role    Started, Stopped, Promoted, Unpromoted, ...
     * @param nodes   the nodes it is active on
     */
    public record CrmResource(String id, String parent, String agent, String role, boolean active, boolean failed,
                              boolean managed, boolean blocked, List<String> nodes) {
    }

    /**
     * Parses crm_mon's XML.
     *
     * @throws IllegalArgumentException if it is not the document crm_mon prints
     */
    public static CrmStatus parse(byte[] xml) {
        Element root;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            root = b.parse(new ByteArrayInputStream(xml)).getDocumentElement();
        } catch (Exception e) {
            throw new IllegalArgumentException("crm_mon's XML could not be read: " + e.getMessage(), e);
        }
        String dc = null;
        boolean quorate = false;
        Element summary = child(root, "summary");
        if (summary != null) {
            Element cdc = child(summary, "current_dc");
            if (cdc != null && "true".equals(cdc.getAttribute("present"))) {
                dc = cdc.getAttribute("name");
                quorate = "true".equals(cdc.getAttribute("with_quorum"));
            }
        }
        List<CrmNode> nodes = new ArrayList<>();
        Element nodesEl = child(root, "nodes");
        if (nodesEl != null) {
            for (Element n : children(nodesEl, "node")) {
                nodes.add(new CrmNode(n.getAttribute("name"), n.getAttribute("id"), bool(n, "online"),
                    bool(n, "standby"), bool(n, "maintenance"), bool(n, "unclean"), bool(n, "is_dc"),
                    intAttr(n, "resources_running")));
            }
        }
        List<CrmResource> resources = new ArrayList<>();
        Element res = child(root, "resources");
        if (res != null) {
            collect(res, null, resources);
        }
        List<Map<String, String>> failures = new ArrayList<>();
        Element fl = child(root, "failures");
        if (fl != null) {
            for (Element f : children(fl, "failure")) {
                failures.add(attributes(f));
            }
        }
        Map<String, Map<String, Long>> failCounts = new LinkedHashMap<>();
        Element hist = child(root, "node_history");
        if (hist != null) {
            for (Element n : children(hist, "node")) {
                for (Element h : children(n, "resource_history")) {
                    if (h.hasAttribute("fail-count")) {
                        failCounts.computeIfAbsent(n.getAttribute("name"), k -> new LinkedHashMap<>())
                            .put(h.getAttribute("id"), failCount(h.getAttribute("fail-count")));
                    }
                }
            }
        }
        List<Map<String, String>> bans = new ArrayList<>();
        Element bl = child(root, "bans");
        if (bl != null) {
            for (Element b : children(bl, "ban")) {
                bans.add(attributes(b));
            }
        }
        return new CrmStatus(dc, quorate, nodes, resources, failures, failCounts, bans);
    }

    /** INFINITY counts as 1000000, Pacemaker's score of it. */
    static long failCount(String text) {
        if (text.equalsIgnoreCase("INFINITY") || text.equalsIgnoreCase("+INFINITY")) {
            return 1_000_000;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void collect(Element parent, String owner, List<CrmResource> out) {
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (!(c instanceof Element e)) {
                continue;
            }
            switch (e.getTagName()) {
                case "resource" -> {
                    List<String> on = new ArrayList<>();
                    for (Element n : children(e, "node")) {
                        on.add(n.getAttribute("name"));
                    }
                    out.add(new CrmResource(e.getAttribute("id"), owner, e.getAttribute("resource_agent"),
                        e.getAttribute("role"), bool(e, "active"), bool(e, "failed"),
                        !e.hasAttribute("managed") || bool(e, "managed"), bool(e, "blocked"), List.copyOf(on)));
                }
                case "group", "clone", "bundle", "replica" -> collect(e,
                    e.getTagName().equals("replica") ? owner : e.getAttribute("id"), out);
                default -> {
                }
            }
        }
    }

    static Map<String, String> attributes(Element e) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < e.getAttributes().getLength(); i++) {
            Node a = e.getAttributes().item(i);
            m.put(a.getNodeName(), a.getNodeValue());
        }
        return m;
    }

    private static boolean bool(Element e, String name) {
        return "true".equals(e.getAttribute(name));
    }

    private static int intAttr(Element e, String name) {
        try {
            return Integer.parseInt(e.getAttribute(name));
        } catch (NumberFormatException ex) {
            return 0;
        }
    }

    static Element child(Element e, String name) {
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element el && el.getTagName().equals(name)) {
                return el;
            }
        }
        return null;
    }

    static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element el && el.getTagName().equals(name)) {
                out.add(el);
            }
        }
        return out;
    }
}
