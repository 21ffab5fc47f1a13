package org.vigil.crm.internal.scheduler.unpack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.RuleContext;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.OnFail;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.Ticket;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Bundle;
import org.vigil.crm.internal.scheduler.schedule.Clone;
import org.vigil.crm.internal.scheduler.schedule.Migration;

/**
 * Builds the working set from the CIB (Pacemaker's {@code cluster_status} and {@code unpack.c}): cluster options,
 * nodes, resources, tags, then the status section: node states (online, standby, unclean...), ticket states and
 * every resource's operation history, from which the current role, location, failures and pending work follow.
 *
 * <p>Follows lib/pengine/unpack.c ({@code cluster_status()} and the {@code unpack_*()} functions) and
 * lib/pengine/failcounts.c.
 */
public final class Unpacker {

    private final WorkingSet ws;
    private final Map<Node, XmlElement> nodeStateXml = new HashMap<>();
    private final Map<Resource, Pattern[]> failRegex = new HashMap<>();

    public Unpacker(WorkingSet ws) {
        this.ws = ws;
    }

    /** Follows {@code get_object_root()} in lib/cib/cib_utils.c. */
    public static XmlElement section(XmlElement root, String name) {
        XmlElement conf = root.firstChild("configuration");
        return conf == null ? null : conf.firstChild(name);
    }

    /** Follows {@code cluster_status()} in lib/pengine/status.c. */
    public void unpack() {
        XmlElement root = ws.input;
        ws.dcUuid = root.get("dc-uuid");
        if (Util.isTrue(root.get("have-quorum"))) {
            ws.set(WorkingSet.HAVE_QUORUM);
        } else {
            ws.clear(WorkingSet.HAVE_QUORUM);
        }
        ws.opDefaults = section(root, "op_defaults");
        ws.rscDefaults = section(root, "rsc_defaults");
        ws.unpackConfig(section(root, "crm_config"));
        unpackNodes(section(root, "nodes"));
        XmlElement resources = section(root, "resources");
        unpackRemoteNodes(resources);
        new ResourceFactory(ws).unpackResources(resources);
        unpackTags(section(root, "tags"));
        XmlElement status = root.firstChild("status");
        if (status != null) {
            unpackStatus(status);
        }
    }

    // ---------------------------------------------------------------- nodes

    /** Follows {@code handle_startup_fencing()} in lib/pengine/unpack.c. */
    private void handleStartupFencing(Node n) {
        if (n.type == Node.Type.REMOTE && n.remoteRsc == null) {
            return;
        }
        n.unclean = ws.is(WorkingSet.STARTUP_FENCING);
        n.unseen = true;
    }

    /** Follows {@code unpack_nodes()} in lib/pengine/unpack.c. */
    private void unpackNodes(XmlElement xmlNodes) {
        if (xmlNodes == null) {
            return;
        }
        for (XmlElement x : xmlNodes.kids()) {
            if (!x.is("node")) {
                continue;
            }
            String id = x.get("id");
            String uname = x.get("uname");
            if (id == null) {
                ws.warn("Ignoring <node> entry in configuration without id");
                continue;
            }
            if (uname == null) {
                ws.warn("Ignoring <node> entry '" + id + "' in configuration without uname");
                continue;
            }
            String type = x.get("type");
            if ("normal".equals(type)) {
                type = "member";
            }
            Node n = ws.createNode(id, uname, type, x.get("score"));
            handleStartupFencing(n);
            addNodeAttrs(x, n, false);
            ws.rules.unpackNvpairs(x, "utilization", ws.ruleContext(null), n.utilization, null, false);
        }
    }

    /** Follows {@code xml_contains_remote_node()} in lib/pengine/remote.c. */
    public static boolean containsRemoteNode(XmlElement xml) {
        return xml != null && "remote".equalsIgnoreCase(xml.get("type")) && "ocf".equalsIgnoreCase(xml.get("class"))
            && "pacemaker".equalsIgnoreCase(xml.get("provider"));
    }

    /** Follows {@code unpack_remote_nodes()} in lib/pengine/unpack.c. */
    private void unpackRemoteNodes(XmlElement resources) {
        if (resources == null) {
            return;
        }
        List<XmlElement> kids = new ArrayList<>(resources.kids());
        for (XmlElement x : kids) {
            if (containsRemoteNode(x)) {
                String id = x.get("id");
                if (id != null && ws.findNode(id) == null) {
                    ws.createNode(id, id, "remote", null);
                }
                continue;
            }
            if (x.is("primitive")) {
                String id = expandRemoteRscMeta(x, resources);
                if (id != null && ws.findNode(id) == null) {
                    ws.createNode(id, id, "remote", null);
                }
                continue;
            }
            if (x.is("group")) {
                for (XmlElement x2 : new ArrayList<>(x.kids())) {
                    String id = expandRemoteRscMeta(x2, resources);
                    if (id != null && ws.findNode(id) == null) {
                        ws.createNode(id, id, "remote", null);
                    }
                }
            }
        }
    }

    /**
     * A guest node's connection resource, added to the configuration like Pacemaker does. Follows {@code
     * expand_remote_rsc_meta()} in lib/pengine/unpack.c.
     */
    private String expandRemoteRscMeta(XmlElement xml, XmlElement parent) {
        String containerId = xml.get("id");
        String remoteName = null;
        String server = null;
        String port = null;
        String connectTimeout = "60s";
        String allowMigrate = null;
        String managed = null;
        for (XmlElement set : xml.kids()) {
            if (!set.name().equalsIgnoreCase("meta_attributes")) {
                continue;
            }
            for (XmlElement a : set.kids()) {
                String name = a.get("name");
                String value = a.get("value");
                if (name == null) {
                    continue;
                }
                switch (name.toLowerCase(java.util.Locale.ROOT)) {
                    case "remote-node" -> remoteName = value;
                    case "remote-addr" -> server = value;
                    case "remote-port" -> port = value;
                    case "remote-connect-timeout" -> connectTimeout = value;
                    case "remote-allow-migrate" -> allowMigrate = value;
                    case "is-managed" -> managed = value;
                    default -> {
                    }
                }
            }
        }
        if (remoteName == null) {
            return null;
        }
        if (ws.index.first(remoteName) != null && isResourceXml(ws.index.first(remoteName))) {
            return null;
        }
        parent.addChild(createRemoteXml(remoteName, containerId, allowMigrate, managed, connectTimeout, server,
            port));
        return remoteName;
    }

    private static boolean isResourceXml(XmlElement e) {
        return e.is("primitive") || e.is("group") || e.is("clone") || e.is("master") || e.is("bundle");
    }

    /** Follows {@code pe_create_remote_xml()} in lib/pengine/remote.c. */
    public static XmlElement createRemoteXml(String uname, String containerId, String migrateable, String managed,
                                      String startTimeout, String server, String port) {
        XmlElement r = new XmlElement("primitive", 0, 0);
        r.set("id", uname);
        r.set("class", "ocf");
        r.set("provider", "pacemaker");
        r.set("type", "remote");
        XmlElement meta = new XmlElement("meta_attributes", 0, 0);
        meta.set("id", uname + "-meta_attributes");
        r.addChild(meta);
        meta.addChild(nvpair(uname + "-meta_attributes-internal_rsc", "internal_rsc", "true"));
        if (containerId != null) {
            meta.addChild(nvpair(uname + "-meta_attributes-container", "container", containerId));
        }
        if (migrateable != null) {
            meta.addChild(nvpair(uname + "-meta_attributes-allow-migrate", "allow-migrate", migrateable));
        }
        if (managed != null) {
            meta.addChild(nvpair(uname + "-meta_attributes-is-managed", "is-managed", managed));
        }
        if (port != null || server != null) {
            XmlElement inst = new XmlElement("instance_attributes", 0, 0);
            inst.set("id", uname + "-instance_attributes");
            r.addChild(inst);
            if (server != null) {
                inst.addChild(nvpair(uname + "-instance_attributes-addr", "addr", server));
            }
            if (port != null) {
                inst.addChild(nvpair(uname + "-instance_attributes-port", "port", port));
            }
        }
        XmlElement ops = new XmlElement("operations", 0, 0);
        r.addChild(ops);
        ops.addChild(op(uname, "monitor", "30s", "30s"));
        if (startTimeout != null) {
            ops.addChild(op(uname, "start", "0", startTimeout));
        }
        return r;
    }

    public static XmlElement nvpair(String id, String name, String value) {
        XmlElement n = new XmlElement("nvpair", 0, 0);
        n.set("id", id);
        n.set("name", name);
        n.set("value", value);
        return n;
    }

    private static XmlElement op(String prefix, String task, String interval, String timeout) {
        XmlElement o = new XmlElement("op", 0, 0);
        o.set("id", prefix + "-" + task + "-" + interval);
        o.set("name", task);
        o.set("interval", interval);
        o.set("timeout", timeout);
        return o;
    }

    /** Follows {@code unpack_tags()} in lib/pengine/unpack.c. */
    private void unpackTags(XmlElement xmlTags) {
        if (xmlTags == null) {
            return;
        }
        for (XmlElement tag : xmlTags.kids()) {
            if (!tag.is("tag")) {
                continue;
            }
            String tagId = tag.get("id");
            if (tagId == null) {
                continue;
            }
            for (XmlElement ref : tag.kids()) {
                if (!ref.is("obj_ref") || ref.get("id") == null) {
                    continue;
                }
                List<String> refs = ws.tags.computeIfAbsent(tagId, k -> new ArrayList<>());
                if (!refs.contains(ref.get("id"))) {
                    refs.add(ref.get("id"));
                }
            }
        }
    }

    /** Follows {@code add_node_attrs()} in lib/pengine/unpack.c. */
    void addNodeAttrs(XmlElement xml, Node node, boolean overwrite) {
        node.attrs.put("#uname", node.uname);
        node.attrs.put("#id", node.id);
        if (node.id != null && node.id.equalsIgnoreCase(ws.dcUuid)) {
            ws.dcNode = node;
            node.isDc = true;
            node.attrs.put("#is_dc", "true");
        } else {
            node.attrs.put("#is_dc", "false");
        }
        String clusterName = ws.config.get("cluster-name");
        if (clusterName != null) {
            node.attrs.put("#cluster-name", clusterName);
        }
        ws.rules.unpackNvpairs(xml, "instance_attributes", ws.ruleContext(null), node.attrs, null, overwrite);
        if (node.attrs.get("#site-name") == null) {
            String site = node.attrs.get("site-name");
            if (site != null) {
                node.attrs.put("#site-name", site);
            } else if (clusterName != null) {
                node.attrs.put("#site-name", clusterName);
            }
        }
    }

    // ---------------------------------------------------------------- status

    /** Follows {@code unpack_status()} in lib/pengine/unpack.c. */
    private void unpackStatus(XmlElement status) {
        for (XmlElement state : status.kids()) {
            if (state.is("tickets")) {
                unpackTickets(state);
            } else if (state.is("node_state")) {
                unpackNodeState(state);
            }
        }
        while (unpackNodeHistory(status, false)) {
            // another pass: remote node histories may depend on resources unpacked in this one
        }
        unpackNodeHistory(status, ws.is(WorkingSet.STONITH_ENABLED));

        for (Resource container : ws.stopNeeded) {
            Node node = container.currentNode();
            if (node != null) {
                ws.stopAction(container, node, false);
            }
        }
        ws.stopNeeded.clear();

        for (Node n : ws.nodes) {
            if (!n.isGuestOrRemote()) {
                continue;
            }
            if (n.shutdown && n.remoteRsc != null) {
                n.remoteRsc.setNextRole(Role.STOPPED, "remote shutdown");
            }
            if (!n.unpacked) {
                determineRemoteOnlineStatus(n);
            }
        }
    }

    /** Follows {@code unpack_tickets_state()} in lib/pengine/unpack.c. */
    private void unpackTickets(XmlElement tickets) {
        for (XmlElement t : tickets.kids()) {
            if (!t.is("ticket_state")) {
                continue;
            }
            String id = t.get("id");
            if (id == null || id.isEmpty()) {
                continue;
            }
            Ticket ticket = ws.tickets.computeIfAbsent(id, Ticket::new);
            for (int i = 0; i < t.attributeCount(); i++) {
                if (!"id".equals(t.attributeName(i))) {
                    ticket.state.put(t.attributeName(i), t.attributeValue(i));
                }
            }
            ticket.granted = Util.isTrue(ticket.state.get("granted"));
            String lg = ticket.state.get("last-granted");
            if (lg != null) {
                ticket.lastGranted = Score.parseLeadingLong(lg, 0);
            }
            ticket.standby = Util.isTrue(ticket.state.get("standby"));
        }
    }

    /** Follows {@code unpack_node_state()} in lib/pengine/unpack.c. */
    private void unpackNodeState(XmlElement state) {
        String id = state.get("id");
        String uname = state.get("uname");
        if (id == null || uname == null) {
            return;
        }
        Node node = ws.findNodeAny(id, uname);
        if (node == null) {
            ws.warn("Ignoring recorded node state for '" + uname + "' because it is no longer in the configuration");
            return;
        }
        nodeStateXml.putIfAbsent(node, state);
        if (node.isGuestOrRemote()) {
            node.remoteWasFenced = Score.parseLeadingLong(state.get("node_fenced"), 0) > 0;
            return;
        }
        unpackTransientAttributes(state, node);
        node.unclean = false;
        node.unseen = false;
        determineOnlineStatus(state, node);
        if (!ws.is(WorkingSet.HAVE_QUORUM) && node.online && ws.noQuorumPolicy == WorkingSet.NoQuorum.SUICIDE) {
            ws.fenceNode(node, "cluster does not have quorum", false);
        }
    }

    /** Follows {@code unpack_transient_attributes()} in lib/pengine/unpack.c. */
    private void unpackTransientAttributes(XmlElement state, Node node) {
        XmlElement attrs = state.firstChild("transient_attributes");
        addNodeAttrs(attrs, node, true);
        if (Util.isTrue(node.attrs.get("standby"))) {
            node.standby = true;
        }
        if (Util.isTrue(node.attrs.get("maintenance"))) {
            node.maintenance = true;
        }
    }

    /** Follows {@code pe__shutdown_requested()} in lib/pengine/utils.c. */
    public static boolean shutdownRequested(Node node) {
        String s = node.attrs.get("shutdown");
        return s != null && !s.equals("0");
    }

    /** Follows {@code determine_online_status()} in lib/pengine/unpack.c. */
    private void determineOnlineStatus(XmlElement state, Node node) {
        boolean online;
        String exp = state.get("expected");
        node.shutdown = false;
        node.expectedUp = false;
        if (shutdownRequested(node)) {
            node.shutdown = true;
        } else if ("member".equalsIgnoreCase(exp)) {
            node.expectedUp = true;
        }
        if (node.type == Node.Type.PING) {
            node.unclean = false;
            online = false;
        } else if (!ws.is(WorkingSet.STONITH_ENABLED)) {
            online = onlineNoFencing(state, node);
        } else {
            online = onlineFencing(state, node);
        }
        if (online) {
            node.online = true;
        } else {
            node.fixed = true;
            node.weight = -Score.INFINITY;
        }
        if (online && node.shutdown) {
            node.fixed = true;
            node.weight = -Score.INFINITY;
        }
    }

    /** Follows {@code determine_online_status_no_fencing()} in lib/pengine/unpack.c. */
    private boolean onlineNoFencing(XmlElement state, Node node) {
        String join = state.get("join");
        String isPeer = state.get("crmd");
        String inCluster = state.get("in_ccm");
        if (!Util.isTrue(inCluster)) {
            return false;
        } else if ("online".equalsIgnoreCase(isPeer)) {
            return "member".equalsIgnoreCase(join);
        } else if (!node.expectedUp) {
            return false;
        } else {
            ws.fenceNode(node, "peer is unexpectedly down", false);
            return false;
        }
    }

    /** Follows {@code determine_online_status_fencing()} in lib/pengine/unpack.c. */
    private boolean onlineFencing(XmlElement state, Node node) {
        String join = state.get("join");
        String isPeer = state.get("crmd");
        String inCluster = state.get("in_ccm");
        String exp = state.get("expected");
        String terminate = node.attrs.get("terminate");
        boolean doTerminate = false;
        if (Util.isTrue(terminate)) {
            doTerminate = true;
        } else if (terminate != null && !terminate.isEmpty()) {
            char t = terminate.charAt(0);
            if (t != '0' && Character.isDigit(t)) {
                doTerminate = true;
            }
        }
        boolean online = Util.isTrue(inCluster);
        boolean crmdOnline = "online".equalsIgnoreCase(isPeer);
        if (exp == null) {
            exp = "down";
        }
        if (node.shutdown) {
            online = crmdOnline;
        } else if (inCluster == null) {
            ws.fenceNode(node, "peer has not been seen by the cluster", false);
        } else if ("banned".equalsIgnoreCase(join)) {
            ws.fenceNode(node, "peer failed Pacemaker membership criteria", false);
        } else if (!doTerminate && "down".equalsIgnoreCase(exp)) {
            if (Util.isTrue(inCluster) || crmdOnline) {
                node.standby = true;
                node.pending = true;
            }
        } else if (doTerminate && "down".equalsIgnoreCase(join) && !Util.isTrue(inCluster) && !crmdOnline) {
            online = false;
        } else if (!Util.isTrue(inCluster)) {
            ws.fenceNode(node, "peer is no longer part of the cluster", true);
        } else if (!crmdOnline) {
            ws.fenceNode(node, "peer process is no longer available", false);
        } else if (doTerminate) {
            ws.fenceNode(node, "termination was requested", false);
        } else if ("member".equalsIgnoreCase(join)) {
            // active
        } else if ("pending".equalsIgnoreCase(join) || "down".equalsIgnoreCase(join)) {
            node.standby = true;
            node.pending = true;
        } else {
            ws.fenceNode(node, "peer was in an unknown state", false);
        }
        return online;
    }

    /** Follows {@code determine_remote_online_status()} in lib/pengine/unpack.c. */
    private void determineRemoteOnlineStatus(Node node) {
        Resource rsc = node.remoteRsc;
        if (rsc == null) {
            node.online = false;
            return;
        }
        Resource container = rsc.container;
        Node host = null;
        if (container != null && rsc.runningOn.size() == 1) {
            host = rsc.runningOn.get(0);
        }
        if (rsc.role == Role.STARTED) {
            node.online = true;
        }
        if (rsc.role == Role.STARTED && rsc.nextRole == Role.STOPPED) {
            node.shutdown = true;
        }
        if (container != null && container.is(Resource.FAILED)) {
            node.online = false;
            node.remoteRequiresReset = true;
        } else if (rsc.is(Resource.FAILED)) {
            node.online = false;
        } else if (rsc.role == Role.STOPPED || (container != null && container.role == Role.STOPPED)) {
            node.online = false;
            node.remoteRequiresReset = false;
        } else if (host != null && !host.online && host.unclean) {
            node.online = false;
            node.remoteRequiresReset = true;
        }
    }

    /** Follows {@code unpack_handle_remote_attrs()} in lib/pengine/unpack.c. */
    private void unpackHandleRemoteAttrs(Node node, XmlElement state) {
        node.remoteMaintenance = Score.parseLeadingLong(state.get("node_in_maintenance"), 0) > 0;
        Resource rsc = node.remoteRsc;
        if (!node.remoteRequiresReset) {
            node.unclean = false;
            node.unseen = false;
        }
        addNodeAttrs(state.firstChild("transient_attributes"), node, true);
        if (shutdownRequested(node)) {
            node.shutdown = true;
        }
        if (Util.isTrue(node.attrs.get("standby"))) {
            node.standby = true;
        }
        if (Util.isTrue(node.attrs.get("maintenance")) || (rsc != null && !rsc.is(Resource.MANAGED))) {
            node.maintenance = true;
        }
        String disc = node.attrs.get("resource-discovery-enabled");
        if (disc != null && !Util.isTrue(disc)) {
            if (node.isRemoteOnly() && !ws.is(WorkingSet.STONITH_ENABLED)) {
                // ignored
            } else {
                node.rscDiscoveryEnabled = false;
            }
        }
    }

    /**
     * One pass over node histories; returns true when something was unpacked (another pass may help). Follows {@code
     * unpack_node_history()} in lib/pengine/unpack.c.
     */
    private boolean unpackNodeHistory(XmlElement status, boolean fence) {
        boolean again = false;
        for (XmlElement state : status.kids()) {
            if (!state.is("node_state")) {
                continue;
            }
            String id = state.get("id");
            String uname = state.get("uname");
            if (id == null || uname == null) {
                continue;
            }
            Node node = ws.findNodeAny(id, uname);
            if (node == null || node.unpacked) {
                continue;
            }
            if (fence) {
                // all remaining nodes
            } else if (node.isGuest()) {
                Resource rsc = node.remoteRsc;
                if (rsc == null || rsc.role != Role.STARTED || rsc.container.role != Role.STARTED) {
                    continue;
                }
            } else if (node.isRemoteOnly()) {
                Resource rsc = node.remoteRsc;
                if (rsc == null || (!ws.is(WorkingSet.SHUTDOWN_LOCK) && rsc.role != Role.STARTED)) {
                    continue;
                }
            } else if (!ws.is(WorkingSet.STONITH_ENABLED | WorkingSet.SHUTDOWN_LOCK) && !node.online) {
                continue;
            }
            if (node.isGuestOrRemote()) {
                determineRemoteOnlineStatus(node);
                unpackHandleRemoteAttrs(node, state);
            }
            node.unpacked = true;
            unpackNodeLrm(node, state);
            again = true;
        }
        return again;
    }

    /** Follows {@code unpack_node_lrm()} in lib/pengine/unpack.c. */
    private void unpackNodeLrm(Node node, XmlElement state) {
        XmlElement lrm = state.firstChild("lrm");
        if (lrm == null) {
            return;
        }
        XmlElement lrmRscs = lrm.firstChild("lrm_resources");
        if (lrmRscs == null) {
            return;
        }
        boolean foundFiller = false;
        for (XmlElement entry : lrmRscs.kids()) {
            if (!entry.is("lrm_resource")) {
                continue;
            }
            Resource rsc = unpackLrmResource(node, entry);
            if (rsc != null && rsc.is(Resource.ORPHAN_CONTAINER_FILLER)) {
                foundFiller = true;
            }
        }
        if (foundFiller) {
            for (XmlElement entry : lrmRscs.kids()) {
                if (!entry.is("lrm_resource")) {
                    continue;
                }
                String containerId = entry.get("container");
                String rscId = entry.get("id");
                if (containerId == null || rscId == null) {
                    continue;
                }
                Resource container = ws.findResource(containerId);
                if (container == null) {
                    continue;
                }
                Resource rsc = ws.findResource(rscId);
                if (rsc == null || !rsc.is(Resource.ORPHAN_CONTAINER_FILLER) || rsc.container != null) {
                    continue;
                }
                rsc.container = container;
                container.fillers.add(rsc);
            }
        }
    }

    // ---------------------------------------------------------------- resource history

    /**
     * Compares operation history entries the way Pacemaker sorts them (call id, then rc change time). Follows {@code
     * pe__is_newer_op()} in lib/pengine/pe_actions.c.
     */
    public static int isNewerOp(XmlElement a, XmlElement b, boolean sameNodeDefault) {
        String aNode = a.get("on_node");
        String bNode = b.get("on_node");
        boolean sameNode;
        if (aNode == null || bNode == null) {
            sameNode = sameNodeDefault;
        } else {
            sameNode = aNode.equalsIgnoreCase(bNode);
        }
        String aId = a.get("id");
        String bId = b.get("id");
        if (sameNode && aId != null && aId.equals(bId)) {
            return 0;
        }
        int aCall = intAttr(a, "call-id", -1);
        int bCall = intAttr(b, "call-id", -1);
        if (aCall == -1 && bCall == -1) {
            return 0;
        } else if (sameNode && aCall >= 0 && aCall < bCall) {
            return -1;
        } else if (sameNode && bCall >= 0 && aCall > bCall) {
            return 1;
        } else if (aCall >= 0 && bCall >= 0 && (!sameNode || aCall == bCall)) {
            long lastA = longAttr(a, "last-rc-change", -1);
            long lastB = longAttr(b, "last-rc-change", -1);
            if (lastA >= 0 && lastA < lastB) {
                return -1;
            } else if (lastB >= 0 && lastA > lastB) {
                return 1;
            }
            return 0;
        } else {
            String aMagic = a.get("transition-magic");
            String bMagic = b.get("transition-magic");
            if (aMagic == null || bMagic == null) {
                return 0;
            }
            Magic ma = Magic.parse(aMagic);
            Magic mb = Magic.parse(bMagic);
            if (ma == null || mb == null) {
                return 0;
            }
            if (!ma.uuid.equalsIgnoreCase(mb.uuid) || ma.transitionId == mb.transitionId) {
                if (bCall == -1) {
                    return -1;
                } else if (aCall == -1) {
                    return 1;
                }
            } else if ((ma.transitionId >= 0 && ma.transitionId < mb.transitionId) || mb.transitionId == -1) {
                return -1;
            } else if ((mb.transitionId >= 0 && ma.transitionId > mb.transitionId) || ma.transitionId == -1) {
                return 1;
            }
            return 0;
        }
    }

    /** A decoded transition key/magic. */
    record Magic(int opStatus, int opRc, int actionId, int transitionId, int targetRc, String uuid) {

        static Magic parse(String magic) {
            int semi = magic.indexOf(';');
            if (semi < 0) {
                return null;
            }
            String[] sr = magic.substring(0, semi).split(":");
            if (sr.length < 2) {
                return null;
            }
            int[] key = decodeKey(magic.substring(semi + 1));
            if (key == null) {
                return null;
            }
            String uuid = magic.substring(semi + 1).split(":", 4)[3];
            return new Magic((int) Score.parseLeadingLong(sr[0], -1), (int) Score.parseLeadingLong(sr[1], -1),
                key[0], key[1], key[2], uuid);
        }
    }

    /**
     * Action id, transition id, target rc; null when invalid. Follows {@code decode_transition_key()} in
     * lib/common/operations.c.
     */
    static int[] decodeKey(String key) {
        if (key == null) {
            return null;
        }
        String[] p = key.split(":", 4);
        if (p.length < 4) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()),
                Integer.parseInt(p[2].trim())};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Follows {@code pe__target_rc_from_xml()} in lib/pengine/unpack.c. */
    static int targetRc(XmlElement op) {
        String key = op.get("transition-key");
        if (key == null) {
            return -1;
        }
        int[] k = decodeKey(key);
        return k == null ? -1 : k[2];
    }

    public static int intAttr(XmlElement e, String name, int dflt) {
        String v = e.get(name);
        if (v == null) {
            return dflt;
        }
        long l = Score.parseLeadingLong(v, dflt);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l));
    }

    public static long longAttr(XmlElement e, String name, long dflt) {
        String v = e.get(name);
        return v == null ? dflt : Score.parseLeadingLong(v, dflt);
    }

    /** Follows {@code sort_op_by_callid()} in lib/pengine/pe_actions.c. */
    public static List<XmlElement> sortedOps(XmlElement lrmResource) {
        List<XmlElement> ops = new ArrayList<>();
        List<XmlElement> kids = lrmResource.kids();
        for (int i = kids.size() - 1; i >= 0; i--) { // prepended in Pacemaker, then stable-sorted
            if (kids.get(i).is("lrm_rsc_op")) {
                ops.add(kids.get(i));
            }
        }
        mergeSort(ops);
        return ops;
    }

    /** GLib's g_list_sort is a stable merge sort; the comparison is not a total order, so mimic it exactly. */
    private static void mergeSort(List<XmlElement> list) {
        if (list.size() < 2) {
            return;
        }
        XmlElement[] a = list.toArray(new XmlElement[0]);
        XmlElement[] sorted = msort(a, 0, a.length);
        for (int i = 0; i < sorted.length; i++) {
            list.set(i, sorted[i]);
        }
    }

    private static XmlElement[] msort(XmlElement[] a, int lo, int hi) {
        int n = hi - lo;
        if (n == 1) {
            return new XmlElement[] {a[lo]};
        }
        int mid = lo + (n + 1) / 2;
        XmlElement[] l = msort(a, lo, mid);
        XmlElement[] r = msort(a, mid, hi);
        XmlElement[] out = new XmlElement[n];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < l.length && j < r.length) {
            if (isNewerOp(l[i], r[j], true) <= 0) {
                out[k++] = l[i++];
            } else {
                out[k++] = r[j++];
            }
        }
        while (i < l.length) {
            out[k++] = l[i++];
        }
        while (j < r.length) {
            out[k++] = r[j++];
        }
        return out;
    }

    /**
     * Indexes of the last start-like and stop operations. Follows {@code calculate_active_ops()} in
     * lib/pengine/unpack.c.
     */
    public static int[] activeOps(List<XmlElement> sorted) {
        int stopIndex = -1;
        int startIndex = -1;
        int impliedMonitorStart = -1;
        int impliedCloneStart = -1;
        for (int counter = 0; counter < sorted.size(); counter++) {
            XmlElement op = sorted.get(counter);
            String task = op.get("operation");
            String status = op.get("op-status");
            if ("stop".equalsIgnoreCase(task) && "0".equals(status)) {
                stopIndex = counter;
            } else if ("start".equalsIgnoreCase(task) || "migrate_from".equalsIgnoreCase(task)) {
                startIndex = counter;
            } else if (impliedMonitorStart <= stopIndex && "monitor".equalsIgnoreCase(task)) {
                String rc = op.get("rc-code");
                if ("0".equals(rc) || "8".equals(rc)) {
                    impliedMonitorStart = counter;
                }
            } else if ("promote".equalsIgnoreCase(task) || "demote".equalsIgnoreCase(task)) {
                impliedCloneStart = counter;
            }
        }
        if (startIndex == -1) {
            if (impliedCloneStart != -1) {
                startIndex = impliedCloneStart;
            } else if (impliedMonitorStart != -1) {
                startIndex = impliedMonitorStart;
            }
        }
        return new int[] {startIndex, stopIndex};
    }

    /** Follows {@code unpack_lrm_resource()} in lib/pengine/unpack.c. */
    private Resource unpackLrmResource(Node node, XmlElement entry) {
        String rscId = entry.get("id");
        if (rscId == null) {
            return null;
        }
        List<XmlElement> opList = entry.children("lrm_rsc_op");
        if (!ws.is(WorkingSet.SHUTDOWN_LOCK) && opList.isEmpty()) {
            return null;
        }
        Resource rsc = unpackFindResource(node, rscId);
        if (rsc == null) {
            if (opList.isEmpty()) {
                return null;
            }
            rsc = processOrphanResource(entry, node);
        }
        if (ws.is(WorkingSet.SHUTDOWN_LOCK)) {
            unpackShutdownLock(entry, rsc, node);
        }
        Role savedRole = rsc.role;
        rsc.role = Role.UNKNOWN;
        List<XmlElement> sorted = sortedOps(entry);
        XmlElement migrateOp = null;
        OpState st = new OpState();
        for (XmlElement op : sorted) {
            if ("migrate_from".equalsIgnoreCase(op.get("operation"))) {
                migrateOp = op;
            }
            unpackRscOp(rsc, node, op, st);
        }
        int[] idx = activeOps(sorted);
        processRecurring(node, rsc, idx[0], idx[1], sorted);
        processRscState(rsc, node, st.onFail, migrateOp);

        Role req = targetRole(rsc);
        if (req != null) {
            if (rsc.nextRole == Role.UNKNOWN || req.lt(rsc.nextRole)) {
                rsc.setNextRole(req, "target-role");
            }
        }
        if (savedRole.gt(rsc.role)) {
            rsc.role = savedRole;
        }
        return rsc;
    }

    /**
     * The configured target-role, or null when it is the default. Follows {@code get_target_role()} in
     * lib/pengine/utils.c.
     */
    Role targetRole(Resource rsc) {
        String value = rsc.meta.get("target-role");
        if (value == null || "started".equalsIgnoreCase(value) || "default".equalsIgnoreCase(value)) {
            return null;
        }
        Role r = Role.parse(value);
        if (r == Role.UNKNOWN) {
            ws.warn("Ignoring 'target-role' for " + rsc.id + " because '" + value + "' is not valid");
            return null;
        } else if (r.gt(Role.STARTED)) {
            if (rsc.top().is(Resource.PROMOTABLE)) {
                if (r.gt(Role.UNPROMOTED)) {
                    return null;
                }
            } else {
                ws.warn("Ignoring 'target-role' for " + rsc.id + " because '" + value
                    + "' only makes sense for promotable clones");
                return null;
            }
        }
        return r;
    }

    /** Follows {@code unpack_shutdown_lock()} in lib/pengine/unpack.c. */
    private void unpackShutdownLock(XmlElement entry, Resource rsc, Node node) {
        long lockTime = Score.parseLeadingLong(entry.get("shutdown-lock"), 0);
        if (entry.get("shutdown-lock") != null && lockTime != 0) {
            if (ws.shutdownLockSec > 0 && ws.effectiveTime() > lockTime + ws.shutdownLockSec) {
                ws.clearResourceHistory(rsc, node);
            } else {
                rsc.lockNode = node;
                rsc.lockTime = lockTime;
            }
        }
    }

    /** Follows {@code unpack_find_resource()} in lib/pengine/unpack.c. */
    private Resource unpackFindResource(Node node, String rscId) {
        Resource rsc = ws.findResource(rscId);
        Resource parent = null;
        if (rsc == null) {
            String clone0Id = WorkingSet.cloneZero(rscId);
            Resource clone0 = ws.findResource(clone0Id);
            if (clone0 != null && !clone0.is(Resource.UNIQUE)) {
                rsc = clone0;
                parent = clone0.top();
            }
        } else if (rsc.variant != Resource.Variant.PRIMITIVE) {
            return null;
        } else {
            parent = rsc.top();
        }
        if (parent != null && parent.isAnonClone()) {
            if (parent.isBundled()) {
                rsc = Bundle.findReplica(parent.parent, node);
            } else {
                String base = WorkingSet.cloneStrip(rscId);
                rsc = findAnonymousClone(node, (Clone) parent, base);
            }
        }
        if (rsc != null && !rscId.equalsIgnoreCase(rsc.id) && !rscId.equalsIgnoreCase(rsc.cloneName)) {
            ws.setCloneName(rsc, rscId);
        }
        return rsc;
    }

    /** Follows {@code find_anonymous_clone()} in lib/pengine/unpack.c. */
    private Resource findAnonymousClone(Node node, Clone parent, String rscId) {
        Resource rsc = null;
        Resource inactive = null;
        boolean skipInactive = false;
        for (Resource child : parent.children) {
            if (rsc != null) {
                break;
            }
            List<Node> locations = new ArrayList<>();
            child.location(locations, 2);
            if (!locations.isEmpty()) {
                if (locations.get(0) == node) {
                    rsc = child.findRsc(rscId, null, Resource.FIND_CLONE);
                    if (rsc != null) {
                        if (!rsc.runningOn.isEmpty()) {
                            skipInactive = true;
                            rsc = null;
                        }
                    }
                }
            } else {
                if (!skipInactive && inactive == null && !child.is(Resource.BLOCK)) {
                    inactive = child.findRsc(rscId, null, Resource.FIND_CLONE);
                    if (inactive != null && inactive.pendingNode != null && inactive.pendingNode != node) {
                        inactive = null;
                    }
                }
            }
        }
        if (rsc == null && !skipInactive && inactive != null) {
            rsc = inactive;
        }
        if (rsc != null && !rsc.is(Resource.NEEDS_FENCING) && (!node.online || node.unclean) && !node.isGuest()
            && !parent.isUniversal()) {
            rsc = null;
        }
        if (rsc == null) {
            Resource top = parent.createChild();
            rsc = top.findRsc(rscId, null, Resource.FIND_CLONE);
        }
        return rsc;
    }

    /** Follows {@code process_orphan_resource()} in lib/pengine/unpack.c. */
    private Resource processOrphanResource(XmlElement entry, Node node) {
        String rscId = entry.get("id");
        Resource rsc = createFakeResource(rscId, entry);
        if (!ws.is(WorkingSet.STOP_RSC_ORPHANS)) {
            rsc.clear(Resource.MANAGED);
        } else {
            ws.resourceLocation(rsc, null, -Score.INFINITY, "__orphan_do_not_run__");
        }
        return rsc;
    }

    /** Follows {@code create_fake_resource()} in lib/pengine/unpack.c. */
    private Resource createFakeResource(String rscId, XmlElement entry) {
        XmlElement xml = new XmlElement("primitive", entry.line(), entry.column());
        for (int i = 0; i < entry.attributeCount(); i++) {
            xml.set(entry.attributeName(i), entry.attributeValue(i));
        }
        xml.set("id", rscId);
        Resource rsc = new ResourceFactory(ws).unpackResource(xml, null);
        if (containsRemoteNode(xml)) {
            Node node = ws.findNode(rscId);
            if (node == null) {
                node = ws.createNode(rscId, rscId, "remote", null);
            }
            ResourceFactory.linkRscToRemoteNode(ws, rsc, this);
            node.shutdown = true;
        }
        if (entry.get("container") != null) {
            rsc.set(Resource.ORPHAN_CONTAINER_FILLER);
        }
        rsc.set(Resource.ORPHAN);
        ws.resources.add(rsc);
        ws.indexResource(rsc);
        return rsc;
    }

    /** Follows {@code handle_startup_fencing()} in lib/pengine/unpack.c. */
    void startupFencingFor(Node n) {
        handleStartupFencing(n);
    }

    /** Mutable state while one resource's history on one node is read. */
    static final class OpState {
        XmlElement lastFailure;
        OnFail onFail = OnFail.IGNORE;
    }

    /** Follows {@code process_recurring()} in lib/pengine/unpack.c. */
    private void processRecurring(Node node, Resource rsc, int startIndex, int stopIndex, List<XmlElement> sorted) {
        int counter = -1;
        for (XmlElement op : sorted) {
            counter++;
            if (!node.online) {
                break;
            } else if (startIndex < stopIndex && counter <= stopIndex) {
                continue;
            } else if (counter < startIndex) {
                continue;
            }
            long interval = longAttr(op, "interval", 0);
            if (interval == 0) {
                continue;
            }
            if ("-1".equals(op.get("op-status"))) {
                continue;
            }
            String task = op.get("operation");
            if (task == null) {
                // An entry without an operation (skipped by unpackRscOp too); Pacemaker would assert in
                // pcmk__op_key here.
                continue;
            }
            ws.customAction(rsc, Util.opKey(rsc.id, task, interval), task, node, true, true);
        }
    }

    /** Follows {@code set_active()} in lib/pengine/unpack.c. */
    private void setActive(Resource rsc) {
        if (rsc.top().is(Resource.PROMOTABLE)) {
            rsc.role = Role.UNPROMOTED;
        } else {
            rsc.role = Role.STARTED;
        }
    }

    /** Follows {@code unpack_rsc_op()} in lib/pengine/unpack.c. */
    private void unpackRscOp(Resource rsc, Node node, XmlElement op, OpState st) {
        int targetRc = targetRc(op);
        String taskKey = opKeyOf(op);
        String task = op.get("operation");
        int rc = intAttr(op, "rc-code", 0);
        int status = intAttr(op, "op-status", -2);
        long interval = longAttr(op, "interval", 0);
        if (task == null) {
            return;
        }
        if (taskKey == null) {
            ws.warn("Ignoring resource history entry of " + rsc.id + " on " + node.uname + " without id");
            return;
        }
        if (status < -1 || status > 11) {
            return;
        }
        if (task.equals("notify") || task.equals("meta-data")) {
            return;
        }
        Resource parent = rsc;
        if (!rsc.is(Resource.UNIQUE)) {
            parent = rsc.top();
        }
        boolean expired = false;
        if (status != 7 && checkOperationExpiry(rsc, node, rc, op)) {
            expired = true;
        }
        int oldRc = rc;
        int oldTargetRc = targetRc;
        int[] rs = remapOperation(op, rsc, node, st, targetRc, rc, status);
        rc = rs[0];
        status = rs[1];
        boolean maskable = !rsc.isBundled() && maskProbeFailure(op);

        if (expired && maskable && oldRc != oldTargetRc) {
            if (rsc.role.le(Role.STOPPED)) {
                rsc.role = Role.UNKNOWN;
            }
            return;
        } else if (expired && rc != targetRc) {
            if (interval == 0) {
                return;
            } else if (node.online && !node.unclean) {
                op.set("op-restart-digest", "calculated-failure-timeout");
                return;
            }
        }
        if (maskable) {
            updateResourceState(rsc, node, op, task, targetRc, st);
            op.set("uname", node.uname);
            recordFailedOp(op, node, rsc);
            ws.resourceLocation(parent, node, -Score.INFINITY, "masked-probe-failure");
            return;
        }
        switch (status) {
            case 1: // cancelled
                return;
            case -1: // pending
                if ("start".equals(task)) {
                    rsc.set(Resource.START_PENDING);
                    setActive(rsc);
                } else if ("promote".equals(task)) {
                    rsc.role = Role.PROMOTED;
                } else if ("migrate_to".equals(task) && node.unclean) {
                    Node target = ws.findNode(op.get("migrate_target"));
                    if (target != null) {
                        ws.stopAction(rsc, target, false);
                    }
                }
                if (rsc.pendingTask == null) {
                    if (interval != 0 || !"monitor".equals(task)) {
                        rsc.pendingTask = task;
                        rsc.pendingNode = node;
                    }
                }
                return;
            case 0: // done
                updateResourceState(rsc, node, op, task, rc, st);
                return;
            case 7: { // not installed
                OnFail strategy = actionOnFail(rsc, taskKey, task);
                if (strategy == OnFail.IGNORE) {
                    st.onFail = OnFail.MIGRATE;
                }
                ws.resourceLocation(parent, node, -Score.INFINITY, "hard-error");
                unpackRscOpFailure(rsc, node, rc, op, st);
                return;
            }
            case 8: // not connected
                if (node.isGuestOrRemote() && node.remoteRsc.is(Resource.MANAGED)) {
                    node.remoteRsc.set(Resource.FAILED | Resource.STOP);
                }
                break;
            case 10, 11:
                status = 5;
                break;
            default:
                break;
        }
        OnFail strategy = actionOnFail(rsc, taskKey, task);
        if (strategy == OnFail.IGNORE || (strategy == OnFail.RESTART_CONTAINER && "stop".equals(task))) {
            updateResourceState(rsc, node, op, task, targetRc, st);
            op.set("uname", node.uname);
            rsc.set(Resource.FAILURE_IGNORED);
            recordFailedOp(op, node, rsc);
            if (strategy == OnFail.RESTART_CONTAINER && OnFail.compare(st.onFail, OnFail.RECOVER) <= 0) {
                st.onFail = strategy;
            }
        } else {
            unpackRscOpFailure(rsc, node, rc, op, st);
            if (status == 5) {
                ws.resourceLocation(parent, node, -Score.INFINITY, "hard-error");
            } else if (status == 6) {
                ws.resourceLocation(parent, null, -Score.INFINITY, "fatal-error");
            }
        }
    }

    static String opKeyOf(XmlElement op) {
        String k = op.get("operation_key");
        return k != null ? k : op.get("id");
    }

    /** Follows {@code pcmk_xe_is_probe()} in lib/common/operations.c. */
    static boolean isProbe(XmlElement op) {
        return "monitor".equals(op.get("operation")) && Math.max(0, longAttr(op, "interval", 0)) == 0;
    }

    /** Follows {@code pcmk_xe_mask_probe_failure()} in lib/common/operations.c. */
    static boolean maskProbeFailure(XmlElement op) {
        if (!isProbe(op)) {
            return false;
        }
        int status = intAttr(op, "op-status", -2);
        int rc = intAttr(op, "rc-code", 0);
        return rc == 5 || rc == 2 || status == 7;
    }

    /** Follows {@code get_action_on_fail()} in lib/pengine/unpack.c. */
    private OnFail actionOnFail(Resource rsc, String key, String task) {
        Action a = ws.customAction(rsc, key, task, null, true, false);
        return a.onFail;
    }

    /** Follows {@code record_failed_op()} in lib/pengine/unpack.c. */
    private void recordFailedOp(XmlElement op, Node node, Resource rsc) {
        if (!node.online) {
            return;
        }
        String key = op.get("operation_key");
        for (XmlElement f : ws.failedOps) {
            if (key != null && key.equalsIgnoreCase(f.get("operation_key"))
                && node.uname.equalsIgnoreCase(f.get("uname"))) {
                return;
            }
        }
        XmlElement copy = op.deepCopy();
        copy.set("uname", node.uname);
        copy.set("rsc-id", rsc.id);
        ws.failedOps.add(copy);
    }

    /** Returns {rc, status}. Follows {@code remap_operation()} in lib/pengine/unpack.c. */
    private int[] remapOperation(XmlElement op, Resource rsc, Node node, OpState st, int targetRc, int rc,
                                 int status) {
        String task = op.get("operation");
        if ("monitor".equals(task)) {
            int remapped = rc == 190 ? 0 : (rc == 191 ? 8 : rc);
            if (rc != remapped) {
                if (!node.shutdown || node.online) {
                    recordFailedOp(op, node, rsc);
                }
                rc = remapped;
            }
        }
        if (!rsc.isBundled() && maskProbeFailure(op)) {
            status = 0;
            rc = 7;
        }
        if (status != 0 && status != 4) {
            return new int[] {rc, status};
        }
        status = 0;
        boolean probe = isProbe(op);
        if (targetRc < 0) {
            status = 4;
        } else if (targetRc != rc) {
            status = 4;
        }
        switch (rc) {
            case 0:
                if (probe && targetRc == 7) {
                    status = 0;
                }
                break;
            case 7:
                if (probe || targetRc == rc || !rsc.is(Resource.MANAGED)) {
                    status = 0;
                    rsc.role = Role.STOPPED;
                    st.onFail = OnFail.IGNORE;
                    rsc.setNextRole(Role.UNKNOWN, "not running");
                }
                break;
            case 8:
                if (probe && rc != targetRc) {
                    status = 0;
                }
                rsc.role = Role.PROMOTED;
                break;
            case 191:
            case 9:
                rsc.role = Role.PROMOTED;
                status = 4;
                break;
            case 6:
                status = 6;
                break;
            case 3:
                if (longAttr(op, "interval", 0) == 0) {
                    checkRecoverable(rsc, node, task);
                    status = 5;
                } else {
                    status = 3;
                }
                break;
            case 5:
            case 2:
            case 4:
                checkRecoverable(rsc, node, task);
                status = 5;
                break;
            default:
                if (status == 0) {
                    status = 4;
                }
                break;
        }
        return new int[] {rc, status};
    }

    /** Follows {@code check_recoverable()} in lib/pengine/unpack.c. */
    private void checkRecoverable(Resource rsc, Node node, String task) {
        if (!"stop".equals(task)) {
            return;
        }
        if (ws.canFence(node)) {
            return;
        }
        rsc.clear(Resource.MANAGED);
        rsc.set(Resource.BLOCK);
    }

    /** Follows {@code update_resource_state()} in lib/pengine/unpack.c. */
    private void updateResourceState(Resource rsc, Node node, XmlElement op, String task, int rc, OpState st) {
        boolean clearPast = false;
        if (rc == 5 || (!rsc.isBundled() && maskProbeFailure(op))) {
            rsc.role = Role.STOPPED;
        } else if (rc == 7) {
            clearPast = true;
        } else if ("monitor".equalsIgnoreCase(task)) {
            if (st.lastFailure != null) {
                String k = opKeyOf(op);
                String lk = opKeyOf(st.lastFailure);
                if (k != null && k.equalsIgnoreCase(lk)) {
                    clearPast = true;
                }
            }
            if (rsc.role.lt(Role.STARTED)) {
                setActive(rsc);
            }
        } else if ("start".equalsIgnoreCase(task)) {
            rsc.role = Role.STARTED;
            clearPast = true;
        } else if ("stop".equalsIgnoreCase(task)) {
            rsc.role = Role.STOPPED;
            clearPast = true;
        } else if ("promote".equalsIgnoreCase(task)) {
            rsc.role = Role.PROMOTED;
            clearPast = true;
        } else if ("demote".equalsIgnoreCase(task)) {
            if (st.onFail == OnFail.DEMOTE) {
                clearPast = true;
            }
            rsc.role = Role.UNPROMOTED;
        } else if ("migrate_from".equalsIgnoreCase(task)) {
            rsc.role = Role.STARTED;
            clearPast = true;
        } else if ("migrate_to".equalsIgnoreCase(task)) {
            Migration.unpackMigrateToSuccess(ws, this, rsc, node, op);
        } else if (rsc.role.lt(Role.STARTED)) {
            setActive(rsc);
        }
        if (clearPast) {
            switch (st.onFail) {
                case STOP, FENCE, MIGRATE, STANDBY -> {
                }
                case BLOCK, IGNORE, DEMOTE, RECOVER, RESTART_CONTAINER -> {
                    st.onFail = OnFail.IGNORE;
                    rsc.setNextRole(Role.UNKNOWN, "clear past failures");
                }
                case RESET_REMOTE -> {
                    if (rsc.remoteReconnectMs == 0) {
                        st.onFail = OnFail.IGNORE;
                        rsc.setNextRole(Role.UNKNOWN, "clear past failures and reset remote");
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Follows {@code unpack_rsc_op_failure()} in lib/pengine/unpack.c. */
    private void unpackRscOpFailure(Resource rsc, Node node, int rc, XmlElement op, OpState st) {
        String key = opKeyOf(op);
        String task = op.get("operation");
        st.lastFailure = op;
        boolean probe = isProbe(op);
        if (!(!ws.is(WorkingSet.SYMMETRIC) && rc == 5)) {
            recordFailedOp(op, node, rsc);
        }
        Action action = ws.customAction(rsc, key, task, null, true, false);
        if (OnFail.compare(st.onFail, action.onFail) < 0) {
            st.onFail = action.onFail;
        }
        if ("stop".equals(task)) {
            ws.resourceLocation(rsc, node, -Score.INFINITY, "__stop_fail__");
        } else if ("migrate_to".equals(task)) {
            Migration.unpackMigrateToFailure(ws, this, rsc, node, op);
        } else if ("migrate_from".equals(task)) {
            Migration.unpackMigrateFromFailure(ws, this, rsc, node, op);
        } else if ("promote".equals(task)) {
            rsc.role = Role.PROMOTED;
        } else if ("demote".equals(task)) {
            if (action.onFail == OnFail.BLOCK) {
                rsc.role = Role.PROMOTED;
                rsc.setNextRole(Role.STOPPED, "demote with on-fail=block");
            } else if (rc == 7) {
                rsc.role = Role.STOPPED;
            } else {
                rsc.role = Role.UNPROMOTED;
            }
        }
        if (probe && rc == 5) {
            rsc.role = Role.STOPPED;
        } else if (rsc.role.lt(Role.STARTED)) {
            setActive(rsc);
        }
        if (action.failRole != Role.STARTED && rsc.nextRole.lt(action.failRole)) {
            rsc.setNextRole(action.failRole, "failure");
        }
        if (action.failRole == Role.STOPPED) {
            Resource failRsc = rsc;
            if (failRsc.parent != null) {
                Resource p = failRsc.top();
                if (p.isAnonClone()) {
                    failRsc = p;
                }
            }
            Map<Node, NodeScore> table = new java.util.LinkedHashMap<>();
            for (Node n : ws.nodes) {
                NodeScore s = n.copy();
                s.weight = -Score.INFINITY;
                table.put(n, s);
            }
            failRsc.allowedNodes = table;
        }
    }

    /** Follows {@code check_operation_expiry()} in lib/pengine/unpack.c. */
    private boolean checkOperationExpiry(Resource rsc, Node node, int rc, XmlElement op) {
        boolean expired = false;
        String id = op.get("id");
        boolean isLastFailure = id != null && id.endsWith("_last_failure_0");
        long interval = longAttr(op, "interval", 0);
        String task = op.get("operation");
        int unexpiredFailCount = 0;
        String clearReason = null;
        long lastRun = longAttr(op, "last-rc-change", Long.MIN_VALUE);

        if (rsc.failureTimeout > 0 && op.get("last-rc-change") != null && lastRun != Long.MIN_VALUE) {
            long now = ws.effectiveTime();
            if (now >= lastRun + rsc.failureTimeout && !shouldIgnoreFailureTimeout(rsc, task, interval)) {
                expired = true;
            }
            long[] lastFailure = {0};
            unexpiredFailCount = failcount(ws, node, rsc, FC_EFFECTIVE, op, failRegex, lastFailure);
            // ask for a new run when the last failure expires
            long expires = lastFailure[0] + rsc.failureTimeout + 1;
            if (unexpiredFailCount != 0 && now < expires) {
                ws.updateRecheckTime(expires);
            }
        }
        if (expired) {
            if (failcount(node, rsc, FC_DEFAULT, op) != 0) {
                if (unexpiredFailCount == 0) {
                    clearReason = "it expired";
                } else {
                    expired = false;
                }
            } else if (isLastFailure && rsc.remoteReconnectMs != 0) {
                clearReason = "reconnect interval is set";
            }
        }
        if (!expired && isLastFailure && shouldClearForParamChange(op, task, rsc, node)) {
            clearReason = "resource parameters have changed";
        }
        if (clearReason != null) {
            Action clear = ws.clearFailcount(rsc, node, clearReason);
            if (ws.is(WorkingSet.STONITH_ENABLED) && rsc.remoteReconnectMs != 0) {
                Node remote = ws.findNode(rsc.id);
                if (remote != null) {
                    Action fence = ws.fenceOp(remote, null, true, null, false);
                    ws.orderActions(fence, clear, Ordering.IMPLIES_THEN);
                }
            }
        }
        if (expired && interval == 0 && "monitor".equalsIgnoreCase(task)) {
            switch (rc) {
                case 0, 7, 8, 190, 191 -> expired = false;
                default -> {
                }
            }
        }
        return expired;
    }

    /** Follows {@code should_ignore_failure_timeout()} in lib/pengine/unpack.c. */
    private boolean shouldIgnoreFailureTimeout(Resource rsc, String task, long interval) {
        if (rsc.remoteReconnectMs != 0 && ws.is(WorkingSet.STONITH_ENABLED) && interval != 0
            && "monitor".equalsIgnoreCase(task)) {
            Node remote = ws.findNode(rsc.id);
            return remote != null && !remote.remoteWasFenced;
        }
        return false;
    }

    /** Follows {@code should_clear_for_param_change()} in lib/pengine/unpack.c. */
    private boolean shouldClearForParamChange(XmlElement op, String task, Resource rsc, Node node) {
        if ("start".equals(task) || "monitor".equals(task)) {
            if (Bundle.needsRemoteName(rsc)) {
                ws.paramChecks.add(0, new WorkingSet.ParamCheck(op, rsc, node, true));
            } else {
                Digests d = Digests.compare(ws, rsc, op, node);
                return d.rc != Digests.UNKNOWN && d.rc != Digests.MATCH;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- fail counts

    public static final int FC_DEFAULT = 0;
    public static final int FC_EFFECTIVE = 1;
    public static final int FC_FILLERS = 2;

    /**
     * The fail count of a resource on a node (optionally ignoring expired failures). Follows {@code
     * pe_get_failcount()} in lib/pengine/failcounts.c.
     */
    public int failcount(Node node, Resource rsc, int fcFlags, XmlElement op) {
        return failcount(ws, node, rsc, fcFlags, op, failRegex, null);
    }

    /**
     * Follows {@code pe_get_failcount()} in lib/pengine/failcounts.c.
     *
     * @param lastFailure when not null, its first element receives the time of the last failure (epoch seconds)
     *                    when there is a fail count, as Pacemaker's {@code last_failure} output
     */
    static int failcount(WorkingSet ws, Node node, Resource rsc, int fcFlags, XmlElement op,
                         Map<Resource, Pattern[]> cache, long[] lastFailure) {
        Pattern[] re = null;
        int failcount = 0;
        long last = 0;
        for (Map.Entry<String, String> e : node.attrs.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("fail-count-") && !key.startsWith("last-failure-")) {
                continue;
            }
            if (re == null) {
                // compiled only for nodes that have fail counts at all
                re = cache == null ? null : cache.get(rsc);
                if (re == null) {
                    re = failRegexes(ws, rsc);
                    if (cache != null) {
                        cache.put(rsc, re);
                    }
                }
            }
            if (re[0].matcher(key).matches()) {
                failcount = Score.add(failcount, ws.score(e.getValue()));
            } else if (re[1].matcher(key).matches()) {
                long v = Score.parseLeadingLong(e.getValue(), Long.MIN_VALUE);
                if (v != Long.MIN_VALUE) {
                    last = Math.max(last, v);
                }
            }
        }
        if (failcount > 0 && last > 0 && lastFailure != null) {
            lastFailure[0] = last;
        }
        if (failcount > 0 && rsc.failureTimeout != 0 && blockFailure(ws, node, rsc, op)) {
            rsc.failureTimeout = 0;
        }
        if ((fcFlags & FC_EFFECTIVE) != 0 && failcount > 0 && last > 0 && rsc.failureTimeout != 0) {
            long now = ws.effectiveTime();
            if (now > last + rsc.failureTimeout) {
                failcount = 0;
            }
        }
        if ((fcFlags & FC_FILLERS) != 0 && !rsc.fillers.isEmpty() && !rsc.isBundled()) {
            for (Resource filler : rsc.fillers) {
                long[] fillerLast = {0};
                failcount += failcount(ws, node, filler, fcFlags, op, cache, fillerLast);
                if (lastFailure != null && fillerLast[0] > lastFailure[0]) {
                    lastFailure[0] = fillerLast[0];
                }
            }
        }
        return failcount;
    }

    /** Follows {@code generate_fail_regexes()} in lib/pengine/failcounts.c. */
    private static Pattern[] failRegexes(WorkingSet ws, Resource rsc) {
        String name = rsc.cloneName != null ? rsc.cloneName : rsc.id;
        if (!rsc.is(Resource.UNIQUE)) {
            name = WorkingSet.cloneStrip(name);
        }
        String version = ws.input.get("crm_feature_set");
        boolean legacy = org.vigil.crm.internal.cib.Rules.compareVersion(version, "3.0.13") < 0;
        String opPattern = legacy ? "" : "#.+_[0-9]+";
        String instPattern = rsc.is(Resource.UNIQUE) ? "" : "(:[0-9]+)?";
        String q = Pattern.quote(name);
        return new Pattern[] {Pattern.compile("fail-count-" + q + instPattern + opPattern),
            Pattern.compile("last-failure-" + q + instPattern + opPattern)};
    }

    /**
     * Whether an on-fail=block operation's failure is the one recorded. Follows {@code block_failure()} in
     * lib/pengine/failcounts.c.
     */
    private static boolean blockFailure(WorkingSet ws, Node node, Resource rsc, XmlElement xmlOp) {
        String xmlName = WorkingSet.cloneStrip(rsc.id);
        List<XmlElement> prefs = new ArrayList<>();
        collectBlockOps(rsc.xml, xmlName, prefs, false);
        for (XmlElement pref : prefs) {
            if (xmlOp != null) {
                if (isMatchedFailure(xmlName, pref, xmlOp)) {
                    return true;
                }
            } else {
                String confName = pref.get("name");
                long confInterval = Util.parseInterval(pref.get("interval"));
                for (XmlElement lrmOp : StatusIndex.ops(ws, node.uname, xmlName)) {
                    if (confName != null && confName.equals(lrmOp.get("operation"))
                        && Long.toString(confInterval).equals(lrmOp.get("interval"))
                        && isMatchedFailure(xmlName, pref, lrmOp)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void collectBlockOps(XmlElement e, String primitiveId, List<XmlElement> out, boolean inside) {
        boolean in = inside || (e.is("primitive") && primitiveId.equals(e.get("id")));
        if (in && e.is("op") && "block".equals(e.get("on-fail"))) {
            out.add(e);
        }
        for (XmlElement c : e.kids()) {
            collectBlockOps(c, primitiveId, out, in);
        }
    }

    /** Follows {@code is_matched_failure()} in lib/pengine/failcounts.c. */
    private static boolean isMatchedFailure(String rscId, XmlElement confOp, XmlElement lrmOp) {
        String confName = confOp.get("name");
        long confInterval = Util.parseInterval(confOp.get("interval"));
        String lrmTask = lrmOp.get("operation");
        long lrmInterval = longAttr(lrmOp, "interval", 0);
        if (confInterval != lrmInterval || confName == null || !confName.equalsIgnoreCase(lrmTask)) {
            return false;
        }
        String lrmId = lrmOp.get("id");
        if (Util.opKey(rscId, "last_failure", 0).equalsIgnoreCase(lrmId)) {
            return true;
        }
        if (Util.opKey(rscId, confName, confInterval).equalsIgnoreCase(lrmId)) {
            int rc = intAttr(lrmOp, "rc-code", 0);
            return rc != targetRc(lrmOp);
        }
        return false;
    }

    // ---------------------------------------------------------------- process_rsc_state

    /** Follows {@code process_rsc_state()} in lib/pengine/unpack.c. */
    private void processRscState(Resource rsc, Node node, OnFail onFail, XmlElement migrateOp) {
        if (rsc.role != Role.UNKNOWN) {
            Resource iter = rsc;
            while (iter != null) {
                iter.knownOn.add(node);
                if (iter.is(Resource.UNIQUE)) {
                    break;
                }
                iter = iter.parent;
            }
        }
        if (rsc.role.gt(Role.STOPPED) && !node.online && !node.maintenance && rsc.is(Resource.MANAGED)) {
            boolean shouldFence = false;
            String reason = null;
            if (node.isGuest()) {
                rsc.set(Resource.FAILED | Resource.STOP);
                shouldFence = true;
            } else if (ws.is(WorkingSet.STONITH_ENABLED)) {
                if (node.isRemoteOnly() && node.remoteRsc != null && !node.remoteRsc.is(Resource.FAILED)) {
                    node.unseen = true;
                    reason = rsc.id + " is active there (fencing will be revoked if remote connection can be "
                        + "re-established elsewhere)";
                }
                shouldFence = true;
            }
            if (shouldFence) {
                if (reason == null) {
                    reason = rsc.id + " is thought to be active there";
                }
                ws.fenceNode(node, reason, false);
            }
        }
        OnFail saveOnFail = onFail;
        if (node.unclean) {
            onFail = OnFail.IGNORE;
        }
        switch (onFail) {
            case IGNORE:
                break;
            case DEMOTE:
                rsc.set(Resource.FAILED);
                ws.demoteAction(rsc, node, false);
                break;
            case FENCE:
                ws.fenceNode(node, rsc.id + " failed there", false);
                break;
            case STANDBY:
                node.standby = true;
                node.standbyOnfail = true;
                break;
            case BLOCK:
                rsc.clear(Resource.MANAGED);
                rsc.set(Resource.BLOCK);
                break;
            case MIGRATE:
                ws.resourceLocation(rsc, node, -Score.INFINITY, "__action_migration_auto__");
                break;
            case STOP:
                rsc.setNextRole(Role.STOPPED, "on-fail=stop");
                break;
            case RECOVER:
                if (rsc.role != Role.STOPPED && rsc.role != Role.UNKNOWN) {
                    rsc.set(Resource.FAILED | Resource.STOP);
                    ws.stopAction(rsc, node, false);
                }
                break;
            case RESTART_CONTAINER:
                rsc.set(Resource.FAILED | Resource.STOP);
                if (rsc.container != null && rsc.isBundled()) {
                    ws.stopNeeded.add(0, rsc.container);
                } else if (rsc.container != null) {
                    ws.stopAction(rsc.container, node, false);
                } else if (rsc.role != Role.STOPPED && rsc.role != Role.UNKNOWN) {
                    ws.stopAction(rsc, node, false);
                }
                break;
            case RESET_REMOTE:
                rsc.set(Resource.FAILED | Resource.STOP);
                if (ws.is(WorkingSet.STONITH_ENABLED)) {
                    Node tmp = rsc.isRemoteNode ? ws.findNode(rsc.id) : null;
                    if (tmp != null && tmp.isRemoteOnly() && !tmp.remoteWasFenced) {
                        ws.fenceNode(tmp, "remote connection is unrecoverable", false);
                    }
                }
                if (rsc.role.gt(Role.STOPPED)) {
                    ws.stopAction(rsc, node, false);
                }
                if (rsc.remoteReconnectMs != 0) {
                    rsc.setNextRole(Role.STOPPED, "remote reset");
                }
                break;
            default:
                break;
        }
        if (rsc.is(Resource.FAILED) && rsc.isRemoteNode) {
            Node tmp = ws.findNode(rsc.id);
            if (tmp != null && tmp.unclean) {
                tmp.unseen = false;
            }
        }
        if (rsc.role != Role.STOPPED && rsc.role != Role.UNKNOWN) {
            if (rsc.is(Resource.ORPHAN)) {
                if (rsc.is(Resource.MANAGED)) {
                    ws.warn("Detected active orphan " + rsc.id + " running on " + node.uname);
                } else {
                    ws.warn("Resource '" + rsc.id + "' must be stopped manually on " + node.uname
                        + " because cluster is configured not to stop active orphans");
                }
            }
            addRunning(ws, rsc, node, saveOnFail != OnFail.IGNORE);
            switch (onFail) {
                case IGNORE:
                    break;
                case DEMOTE, BLOCK:
                    rsc.set(Resource.FAILED);
                    break;
                default:
                    rsc.set(Resource.FAILED | Resource.STOP);
                    break;
            }
        } else if (rsc.cloneName != null && rsc.cloneName.indexOf(':') >= 0) {
            ws.setCloneName(rsc, null);
        } else {
            for (Action stop : WorkingSet.resourceActions(rsc, node, "stop", false)) {
                stop.set(Action.OPTIONAL);
            }
        }
        if (rsc.role == Role.STOPPED && rsc.partialMigrationSource != null && rsc.partialMigrationSource == node
            && rsc.partialMigrationTarget != null && !rsc.runningOn.isEmpty()) {
            rsc.role = Role.STARTED;
        }
    }

    /** Follows {@code native_add_running()} in lib/pengine/native.c. */
    public static void addRunning(WorkingSet ws, Resource rsc, Node node, boolean failed) {
        if (rsc.runningOn.contains(node)) {
            return;
        }
        rsc.runningOn.add(node);
        if (rsc.variant == Resource.Variant.PRIMITIVE) {
            node.runningRsc.add(rsc);
            priorityToNode(rsc, node, failed);
            if (node.maintenance) {
                rsc.clear(Resource.MANAGED);
            }
        }
        if (!rsc.is(Resource.MANAGED)) {
            ws.resourceLocation(rsc, node, Score.INFINITY, "not_managed_default");
            Resource p = rsc.parent;
            while (p != null && node.online) {
                p.runningOn.add(node);
                p = p.parent;
            }
            return;
        }
        if (isMultiplyActive(rsc)) {
            switch (rsc.recoveryType) {
                case STOP_ONLY -> {
                    Map<Node, NodeScore> table = new java.util.LinkedHashMap<>();
                    for (Node n : ws.nodes) {
                        NodeScore s = n.copy();
                        s.weight = -Score.INFINITY;
                        table.put(n, s);
                    }
                    rsc.allowedNodes = table;
                }
                case BLOCK -> {
                    rsc.clear(Resource.MANAGED);
                    rsc.set(Resource.BLOCK);
                    if (rsc.parent != null && (rsc.parent.variant == Resource.Variant.GROUP
                        || rsc.parent.variant == Resource.Variant.BUNDLE)
                        && rsc.parent.recoveryType == Resource.Recovery.BLOCK) {
                        for (Resource c : rsc.parent.children) {
                            c.clear(Resource.MANAGED);
                            c.set(Resource.BLOCK);
                        }
                    }
                }
                default -> {
                }
            }
        }
        if (rsc.parent != null) {
            addRunning(ws, rsc.parent, node, false);
        }
    }

    /** Follows {@code is_multiply_active()} in lib/pengine/native.c. */
    private static boolean isMultiplyActive(Resource rsc) {
        if (rsc.variant != Resource.Variant.PRIMITIVE) {
            return false;
        }
        int[] counts = new int[2];
        rsc.findActiveOn(counts);
        int count = rsc.is(Resource.NEEDS_FENCING) ? counts[0] : counts[1];
        return count > 1;
    }

    private static void priorityToNode(Resource rsc, Node node, boolean failed) {
        if (rsc.priority == 0 || failed) {
            return;
        }
        int priority = rsc.role == Role.PROMOTED ? rsc.priority + 1 : rsc.priority;
        node.priority += priority;
        if (node.remoteRsc != null && node.remoteRsc.container != null) {
            for (Node n : node.remoteRsc.container.runningOn) {
                n.priority += priority;
            }
        }
    }
}
