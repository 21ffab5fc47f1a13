package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Location;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.Output;
import org.vigil.crm.internal.scheduler.output.StatusPrinter;
import org.vigil.crm.internal.scheduler.unpack.ResourceFactory;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;

/**
 * A bundle (Pacemaker's {@code pe_container} variant): {@code replicas} container resources (docker, rkt or
 * podman), each with an optional IP address resource, and, when the bundle wraps a primitive, a Pacemaker Remote
 * connection per replica that makes the container a guest node on which one instance of that primitive (a clone
 * created for the purpose) runs. The implicit resources are created from the bundle's configuration when it is
 * unpacked, with the ids, parameters and command lines Pacemaker gives them (so stored operation digests match).
 *
 * <p>Follows lib/pacemaker/pcmk_sched_bundle.c (scheduling) and lib/pengine/bundle.c (unpacking the replicas).
 */
public final class Bundle extends Resource {

    /** One replica of a bundle. */
    static final class Replica {
        int offset;
        /** The replica's guest node entry (weight 500, exclusive discovery), or null without a primitive. */
        NodeScore node;
        String ipaddr;
        Resource ip;
        Resource child;
        Resource container;
        Resource remote;
    }

    private enum Agent { DOCKER, RKT, PODMAN }

    private record Mount(String source, String target, String options, boolean subdir) {
    }

    private record Port(String source, String target) {
    }

    private static final int DEFAULT_REMOTE_PORT = 3121;
    private static final String REMOTE_KEY_LOCATION = "/etc/pacemaker/authkey";
    private static final String BUNDLE_LOG_DIR = "/var/log/pacemaker/bundles";
    private static final String REMOTED = "/usr/sbin/pacemaker-remoted";

    final List<Replica> replicas = new ArrayList<>();
    int nReplicas = 1;
    int nReplicasPerHost = 1;
    int promotedMax;
    /** The clone wrapping the bundled primitive, or null for a bundle of bare containers. */
    Resource child;

    private Agent agent;
    private String prefix;
    private String image;
    private String containerCommand;
    private String launcherOptions;
    private String containerNetwork;
    private String ipRangeStart;
    private String hostNetmask;
    private String hostNetwork;
    private String controlPort;
    private boolean addHost = true;
    private String ipLast;
    private String containerHostOptions = "";
    private final List<Mount> mounts = new ArrayList<>();
    private final List<Port> ports = new ArrayList<>();

    public Bundle(WorkingSet ws) {
        super(ws, Variant.BUNDLE);
    }

    int replicasPerHost() {
        return nReplicasPerHost;
    }

    /** Follows {@code get_container_list()} in lib/pacemaker/pcmk_sched_bundle.c. */
    List<Resource> containerList() {
        List<Resource> l = new ArrayList<>(replicas.size());
        for (Replica r : replicas) {
            l.add(r.container);
        }
        return l;
    }

    private String agentName() {
        return agent.name().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- unpacking (pe__unpack_bundle)

    /** Follows {@code pe__unpack_bundle()} in lib/pengine/bundle.c. */
    public boolean unpack(ResourceFactory f) {
        prefix = id;
        XmlElement agentXml = null;
        for (Agent a : Agent.values()) {
            agentXml = xml.firstChild(a.name().toLowerCase(Locale.ROOT));
            if (agentXml != null) {
                agent = a;
                break;
            }
        }
        if (agentXml == null) {
            return false;
        }
        String value = agentXml.get("promoted-max");
        if (value == null) {
            value = agentXml.get("masters");
        }
        promotedMax = ResourceFactory.scanMinInt(value, 0);
        value = agentXml.get("replicas");
        if (value == null && promotedMax > 0) {
            nReplicas = promotedMax;
        } else {
            nReplicas = ResourceFactory.scanMinInt(value, 1);
        }
        nReplicasPerHost = ResourceFactory.scanMinInt(agentXml.get("replicas-per-host"), 1);
        if (nReplicasPerHost == 1) {
            clear(UNIQUE);
        }
        containerCommand = agentXml.get("run-command");
        launcherOptions = agentXml.get("options");
        image = agentXml.get("image");
        containerNetwork = agentXml.get("network");

        XmlElement network = xml.firstChild("network");
        if (network != null) {
            ipRangeStart = network.get("ip-range-start");
            hostNetmask = network.get("host-netmask");
            hostNetwork = network.get("host-interface");
            controlPort = network.get("control-port");
            Boolean b = Util.toBoolean(network.get("add-host"));
            addHost = b == null || b;
            for (XmlElement pm : network.kids()) {
                String source = pm.get("port");
                String target = null;
                if (source == null) {
                    source = pm.get("range");
                } else {
                    target = pm.get("internal-port");
                }
                if (source != null && !source.isEmpty()) {
                    ports.add(new Port(source, target == null ? source : target));
                } else {
                    ws.warn("Invalid port directive " + pm.get("id"));
                }
            }
        }
        boolean needLogMount = true;
        XmlElement storage = xml.firstChild("storage");
        if (storage != null) {
            for (XmlElement sm : storage.kids()) {
                String source = sm.get("source-dir");
                String target = sm.get("target-dir");
                boolean subdir = false;
                if (source == null) {
                    source = sm.get("source-dir-root");
                    subdir = true;
                }
                if (source != null && target != null) {
                    mounts.add(new Mount(source, target, sm.get("options"), subdir));
                    if ("/var/log".equals(target)) {
                        needLogMount = false;
                    }
                } else {
                    ws.warn("Invalid mount directive " + sm.get("id"));
                }
            }
        }

        XmlElement primitive = xml.firstChild("primitive");
        XmlElement cloneXml = null;
        if (primitive != null && validNetwork()) {
            cloneXml = new XmlElement("clone", primitive.line(), primitive.column());
            cloneXml.set("id", prefix + "-" + (promotedMax > 0 ? "master" : "clone"));
            XmlElement meta = new XmlElement("meta_attributes", 0, 0);
            String metaId = prefix + "-clone-meta";
            meta.set("id", metaId);
            cloneXml.addChild(meta);
            meta.addChild(Unpacker.nvpair(metaId + "-ordered", "ordered", "true"));
            meta.addChild(Unpacker.nvpair(metaId + "-clone-max", "clone-max", Integer.toString(nReplicas)));
            meta.addChild(Unpacker.nvpair(metaId + "-clone-node-max", "clone-node-max",
                Integer.toString(nReplicasPerHost)));
            meta.addChild(Unpacker.nvpair(metaId + "-globally-unique", "globally-unique",
                nReplicasPerHost > 1 ? "true" : "false"));
            if (promotedMax > 0) {
                meta.addChild(Unpacker.nvpair(metaId + "-promotable", "promotable", "true"));
                meta.addChild(Unpacker.nvpair(metaId + "-promoted-max", "promoted-max",
                    Integer.toString(promotedMax)));
            }
            cloneXml.addChild(primitive.deepCopy());
        } else if (primitive != null) {
            ws.warn("Cannot control " + id + " inside " + primitive.get("id")
                + " without either ip-range-start or control-port");
            return false;
        }

        StringBuilder hostOptions = new StringBuilder();
        if (cloneXml != null) {
            child = f.unpackResource(cloneXml, this);
            if (child == null) {
                return false;
            }
            mounts.add(new Mount(REMOTE_KEY_LOCATION, REMOTE_KEY_LOCATION, null, false));
            if (needLogMount) {
                mounts.add(new Mount(BUNDLE_LOG_DIR, "/var/log", null, true));
            }
            String port = controlPort != null ? controlPort : Integer.toString(DEFAULT_REMOTE_PORT);
            ports.add(new Port(port, port));
            String attributeTarget = null;
            int offset = 0;
            for (Resource instance : child.children) {
                Replica r = new Replica();
                r.child = instance;
                instance.exclusiveDiscover = true;
                r.offset = offset++;
                if (instance.is(NOTIFY)) {
                    child.set(NOTIFY);
                }
                allocateIp(r, hostOptions);
                replicas.add(r);
                attributeTarget = instance.meta.get("container-attribute-target");
            }
            if (attributeTarget != null) {
                meta.put("container-attribute-target", attributeTarget);
                child.meta.put("container-attribute-target", attributeTarget);
            }
        } else {
            for (int i = 0; i < nReplicas; i++) {
                Replica r = new Replica();
                r.offset = i;
                allocateIp(r, hostOptions);
                replicas.add(r);
            }
        }
        containerHostOptions = hostOptions.toString();
        for (Replica r : replicas) {
            if (!createReplicaResources(f, r)) {
                ws.warn("Failed unpacking resource " + id);
                return false;
            }
            if (r.child != null) {
                Map<String, String> childUtil = new java.util.LinkedHashMap<>(r.child.utilization);
                r.child.utilization.clear();
                r.child.utilization.putAll(r.container.utilization);
                r.container.utilization.clear();
                r.container.utilization.putAll(childUtil);
            }
        }
        if (child != null) {
            children.add(child);
        }
        return true;
    }

    /** Follows {@code valid_network()} in lib/pengine/bundle.c. */
    private boolean validNetwork() {
        if (ipRangeStart != null) {
            return true;
        }
        if (controlPort != null) {
            if (nReplicasPerHost > 1) {
                ws.warn("Specifying the 'control-port' for " + prefix + " requires 'replicas-per-host=1'");
                nReplicasPerHost = 1;
            }
            return true;
        }
        return false;
    }

    /**
     * The next address of the range, or null when the range is exhausted. Follows {@code next_ip()} in
     * lib/pengine/bundle.c.
     */
    static String nextIp(String last) {
        String[] p = last.split("\\.");
        if (p.length != 4) {
            return null;
        }
        long[] o = new long[4];
        try {
            for (int i = 0; i < 4; i++) {
                o[i] = Long.parseLong(p[i].trim());
                if (o[i] < 0) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        if (o[2] > 253) {
            return null;
        } else if (o[3] > 253) {
            o[2]++;
            o[3] = 1;
        } else {
            o[3]++;
        }
        return o[0] + "." + o[1] + "." + o[2] + "." + o[3];
    }

    /** Follows {@code allocate_ip()} in lib/pengine/bundle.c. */
    private void allocateIp(Replica r, StringBuilder buffer) {
        if (ipRangeStart == null) {
            return;
        }
        r.ipaddr = ipLast != null ? nextIp(ipLast) : ipRangeStart;
        ipLast = r.ipaddr;
        switch (agent) {
            case DOCKER, PODMAN -> {
                if (addHost) {
                    buffer.append(" --add-host=").append(prefix).append('-').append(r.offset).append(':')
                        .append(r.ipaddr);
                } else {
                    buffer.append(" --hosts-entry=").append(r.ipaddr).append('=').append(prefix).append('-')
                        .append(r.offset);
                }
            }
            case RKT -> buffer.append(" --hosts-entry=").append(r.ipaddr).append('=').append(prefix).append('-')
                .append(r.offset);
            default -> {
            }
        }
    }

    /** Characters not allowed in an XML id become '.'. Follows {@code crm_xml_sanitize_id()} in lib/common/xml.c. */
    static String sanitizeId(String id) {
        StringBuilder sb = new StringBuilder(id.length());
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            sb.append(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '.');
        }
        return sb.toString();
    }

    private static XmlElement resourceXml(String name, String provider, String kind) {
        XmlElement r = new XmlElement("primitive", 0, 0);
        r.set("id", name);
        r.set("class", "ocf");
        r.set("provider", provider);
        r.set("type", kind);
        return r;
    }

    private static void nvpair(XmlElement set, String name, String value) {
        set.addChild(Unpacker.nvpair(set.get("id") + "-" + name, name, value));
    }

    private static void monitorOp(XmlElement rsc, String interval) {
        XmlElement ops = new XmlElement("operations", 0, 0);
        XmlElement op = new XmlElement("op", 0, 0);
        op.set("id", rsc.get("id") + "-monitor-" + interval);
        op.set("name", "monitor");
        op.set("interval", interval);
        ops.addChild(op);
        rsc.addChild(ops);
    }

    /** Follows {@code create_container_resource()} in lib/pengine/bundle.c. */
    private boolean createContainerResource(ResourceFactory f, Replica r) {
        String hostnameOpt;
        String envOpt;
        switch (agent) {
            case DOCKER, PODMAN -> {
                hostnameOpt = "-h ";
                envOpt = "-e ";
            }
            default -> {
                hostnameOpt = "--hostname=";
                envOpt = "--environment=";
            }
        }
        String agentStr = agentName();
        XmlElement x = resourceXml(sanitizeId(prefix + "-" + agentStr + "-" + r.offset), "heartbeat", agentStr);
        XmlElement attrs = new XmlElement("instance_attributes", 0, 0);
        attrs.set("id", prefix + "-attributes-" + r.offset);
        x.addChild(attrs);
        nvpair(attrs, "image", image);
        nvpair(attrs, "allow_pull", "true");
        nvpair(attrs, "force_kill", "false");
        nvpair(attrs, "reuse", "false");
        StringBuilder b = new StringBuilder();
        if (agent == Agent.DOCKER) {
            b.append(" --restart=no");
        }
        if (ipRangeStart != null) {
            b.append(' ').append(hostnameOpt).append(prefix).append('-').append(r.offset);
        }
        b.append(' ').append(envOpt).append("PCMK_stderr=1");
        if (containerNetwork != null) {
            b.append(" --net=").append(containerNetwork);
        }
        if (controlPort != null) {
            b.append(' ').append(envOpt).append("PCMK_remote_port=").append(controlPort);
        } else {
            b.append(' ').append(envOpt).append("PCMK_remote_port=").append(DEFAULT_REMOTE_PORT);
        }
        StringBuilder dirs = null;
        int volid = 0;
        for (Mount m : mounts) {
            String source = null;
            if (m.subdir()) {
                source = m.source() + "/" + prefix + "-" + r.offset;
                if (dirs == null) {
                    dirs = new StringBuilder(source);
                } else {
                    dirs.append(',').append(source);
                }
            }
            String src = source != null ? source : m.source();
            switch (agent) {
                case DOCKER, PODMAN -> {
                    b.append(" -v ").append(src).append(':').append(m.target());
                    if (m.options() != null) {
                        b.append(':').append(m.options());
                    }
                }
                case RKT -> {
                    b.append(" --volume vol").append(volid).append(",kind=host,source=").append(src)
                        .append(m.options() != null ? "," : "").append(m.options() != null ? m.options() : "")
                        .append(" --mount volume=vol").append(volid).append(",target=").append(m.target());
                    volid++;
                }
                default -> {
                }
            }
        }
        for (Port p : ports) {
            switch (agent) {
                case DOCKER, PODMAN -> {
                    if (r.ipaddr != null) {
                        b.append(" -p ").append(r.ipaddr).append(':').append(p.source()).append(':')
                            .append(p.target());
                    } else if (!"host".equals(containerNetwork)) {
                        b.append(" -p ").append(p.source()).append(':').append(p.target());
                    }
                }
                case RKT -> {
                    if (r.ipaddr != null) {
                        b.append(" --port=").append(p.target()).append(':').append(r.ipaddr).append(':')
                            .append(p.source());
                    } else {
                        b.append(" --port=").append(p.target()).append(':').append(p.source());
                    }
                }
                default -> {
                }
            }
        }
        if (launcherOptions != null) {
            b.append(' ').append(launcherOptions);
        }
        if (containerHostOptions != null) {
            b.append(' ').append(containerHostOptions);
        }
        nvpair(attrs, "run_opts", b.toString());
        nvpair(attrs, "mount_points", dirs == null ? "" : dirs.toString());
        if (r.child != null) {
            nvpair(attrs, "run_cmd", containerCommand != null ? containerCommand : REMOTED);
            nvpair(attrs, "monitor_cmd", "/bin/true");
        } else {
            if (containerCommand != null) {
                nvpair(attrs, "run_cmd", containerCommand);
            }
            nvpair(attrs, "monitor_cmd", "/bin/true");
        }
        monitorOp(x, "60s");
        r.container = f.unpackResource(x, this);
        if (r.container == null) {
            return false;
        }
        children.add(r.container);
        return true;
    }

    /** Follows {@code create_ip_resource()} in lib/pengine/bundle.c. */
    private boolean createIpResource(ResourceFactory f, Replica r) {
        if (ipRangeStart == null) {
            return true;
        }
        XmlElement x = resourceXml(sanitizeId(prefix + "-ip-" + r.ipaddr), "heartbeat", "IPaddr2");
        XmlElement attrs = new XmlElement("instance_attributes", 0, 0);
        attrs.set("id", prefix + "-attributes-" + r.offset);
        x.addChild(attrs);
        nvpair(attrs, "ip", r.ipaddr);
        if (hostNetwork != null) {
            nvpair(attrs, "nic", hostNetwork);
        }
        nvpair(attrs, "cidr_netmask", hostNetmask != null ? hostNetmask : "32");
        monitorOp(x, "60s");
        r.ip = f.unpackResource(x, this);
        if (r.ip == null) {
            return false;
        }
        children.add(r.ip);
        return true;
    }

    /** Follows {@code disallow_node()} in lib/pengine/bundle.c. */
    private static void disallowNode(Resource rsc, Node node) {
        NodeScore match = rsc.allowedNodes.get(node);
        if (match != null) {
            match.weight = -Score.INFINITY;
            match.discoverMode = NodeScore.DISCOVER_NEVER;
        }
        for (Resource c : rsc.children) {
            disallowNode(c, node);
        }
    }

    /** Follows {@code create_remote_resource()} in lib/pengine/bundle.c. */
    private boolean createRemoteResource(ResourceFactory f, Replica r) {
        if (r.child == null || !validNetwork()) {
            return true;
        }
        String rid = prefix + "-" + r.offset;
        if (ws.findResource(rid) != null) {
            rid = "pcmk-internal-" + r.child.id + "-remote-" + r.offset;
        }
        String connectName = r.ipaddr != null ? r.ipaddr : "#uname";
        String port = controlPort != null ? controlPort : Integer.toString(DEFAULT_REMOTE_PORT);
        XmlElement x = Unpacker.createRemoteXml(rid, r.container.id, null, null, null, connectName, port);
        Node node = ws.findNode(rid);
        if (node == null) {
            node = ws.createNode(rid, rid, "remote", "-INFINITY");
        } else {
            node.weight = -Score.INFINITY;
        }
        node.discoverMode = NodeScore.DISCOVER_NEVER;
        for (Resource rsc : ws.resources) {
            disallowNode(rsc, node);
        }
        r.node = node.copy();
        r.node.weight = 500;
        r.node.discoverMode = NodeScore.DISCOVER_EXCLUSIVE;
        r.child.allowedNodes = new java.util.LinkedHashMap<>();
        r.child.allowedNodes.put(node, r.node.copy());
        NodeScore banned = r.node.copy();
        banned.weight = -Score.INFINITY;
        r.child.parent.allowedNodes.put(node, banned);
        r.remote = f.unpackResource(x, this);
        if (r.remote == null) {
            return false;
        }
        for (NodeScore ns : r.remote.allowedNodes.values()) {
            if (ns.node.isGuestOrRemote()) {
                ns.weight = -Score.INFINITY;
            }
        }
        node.remoteRsc = r.remote;
        r.remote.container = r.container;
        node.attrs.put("#kind", "container");
        children.add(r.remote);
        return true;
    }

    /** Follows {@code create_replica_resources()} in lib/pengine/bundle.c. */
    private boolean createReplicaResources(ResourceFactory f, Replica r) {
        if (!createContainerResource(f, r) || !createIpResource(f, r) || !createRemoteResource(f, r)) {
            return false;
        }
        if (r.child != null && r.ipaddr != null) {
            WorkingSet.addHashParam(r.child.meta, "external-ip", r.ipaddr);
        }
        if (r.remote != null) {
            r.remote.set(ALLOW_REMOTE_REMOTES);
        }
        return true;
    }

    // ---------------------------------------------------------------- lookups

    private static Bundle topBundle(Resource rsc) {
        Resource top = rsc;
        while (top.parent != null) {
            top = top.parent;
        }
        return top instanceof Bundle b ? b : null;
    }

    /**
     * The bundled primitive's instance on a replica's guest node. Follows {@code pe__find_bundle_replica()} in
     * lib/pengine/bundle.c.
     */
    public static Resource findReplica(Resource bundle, Node node) {
        if (!(bundle instanceof Bundle b)) {
            return null;
        }
        for (Replica r : b.replicas) {
            if (r.node != null && r.node.node == node) {
                return r.child;
            }
        }
        return null;
    }

    /** Follows {@code replica_for_container()} in lib/pacemaker/pcmk_sched_bundle.c. */
    static Replica replicaForContainer(Resource rsc, Resource container, Node node) {
        if (!(rsc instanceof Bundle b)) {
            return null;
        }
        for (Replica r : b.replicas) {
            if (r.child != null && r.container == container && r.node != null && r.node.node == node) {
                return r;
            }
        }
        return null;
    }

    /** Follows {@code replica_for_remote()} in lib/pengine/bundle.c. */
    private static Replica replicaForRemote(Resource remote) {
        Bundle b = topBundle(remote);
        if (b == null) {
            return null;
        }
        for (Replica r : b.replicas) {
            if (r.remote == remote) {
                return r;
            }
        }
        return null;
    }

    /**
     * A bundle connection whose address is "#uname" (the container's host). Follows {@code
     * pe__bundle_needs_remote_name()} in lib/pengine/bundle.c.
     */
    public static boolean needsRemoteName(Resource rsc) {
        if (rsc == null) {
            return false;
        }
        String value = rsc.params(null).get("addr");
        return "#uname".equalsIgnoreCase(value) && Unpacker.containsRemoteNode(rsc.xml);
    }

    /**
     * Puts the container's host as {@code field} into {@code params}. Follows {@code pe__add_bundle_remote_name()}
     * in lib/pengine/bundle.c.
     */
    public static String addRemoteName(WorkingSet ws, Resource rsc, Map<String, String> params, String field) {
        if (!needsRemoteName(rsc)) {
            return null;
        }
        Replica r = replicaForRemote(rsc);
        if (r == null) {
            return null;
        }
        Node node = r.container.allocatedTo != null ? r.container.allocatedTo.node : r.container.currentNode();
        if (node == null) {
            return null;
        }
        if (params != null && field != null) {
            params.put(field, node.uname);
        }
        return node.uname;
    }

    /** Follows {@code is_bundle_node()} in lib/pacemaker/pcmk_sched_bundle.c. */
    private boolean isBundleNode(Node node) {
        for (Replica r : replicas) {
            if (r.node != null && r.node.node == node) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- status

    @Override
    public boolean active(boolean all) {
        for (Replica r : replicas) {
            for (Resource rsc : new Resource[] {r.ip, r.child, r.container, r.remote}) {
                if (rsc != null) {
                    boolean a = rsc.active(all);
                    if (a && !all) {
                        return true;
                    } else if (!a && all) {
                        return false;
                    }
                }
            }
        }
        return all;
    }

    @Override
    public Role state(boolean current) {
        return Role.UNKNOWN;
    }

    // ---------------------------------------------------------------- assignment (pcmk__bundle_allocate)

    /** Follows {@code pcmk__bundle_allocate()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public NodeScore assign(Node prefer) {
        set(ALLOCATING);
        List<Resource> containers = containerList();
        ws.scores.show(this, "pcmk__bundle_allocate", allowedNodes);
        List<NodeScore> nodes = new ArrayList<>(allowedNodes.values());
        ws.locations.sortNodes(nodes, null);
        containers = Clone.mergeSort(containers, (a, b) -> ws.clones.cmpInstance(a, b));
        Clone.distributeChildren(ws, containers, nodes, nReplicas, nReplicasPerHost);
        Unpacker u = new Unpacker(ws);
        for (Replica r : replicas) {
            if (r.ip != null) {
                r.ip.assign(prefer);
            }
            Node containerHost = r.container.allocatedTo == null ? null : r.container.allocatedTo.node;
            if (r.remote != null && containerHost != null && containerHost.isGuestOrRemote()) {
                ws.colocations.newColocation("child-remote-with-docker-remote", null, Score.INFINITY, r.remote,
                    containerHost.remoteRsc, null, null, true);
            }
            if (r.remote != null) {
                r.remote.assign(prefer);
            }
            if (r.child != null) {
                for (NodeScore ns : r.child.allowedNodes.values()) {
                    if (ns.node != r.node.node) {
                        ns.weight = -Score.INFINITY;
                    } else if (Scheduler.thresholdReached(ws, r.child, ns.node, u) == null) {
                        ns.weight = Score.INFINITY;
                    }
                }
                r.child.parent.set(ALLOCATING);
                r.child.assign(r.node.node);
                r.child.parent.clear(ALLOCATING);
            }
        }
        if (child != null) {
            for (NodeScore ns : child.allowedNodes.values()) {
                ns.weight = isBundleNode(ns.node) ? 0 : -Score.INFINITY;
            }
            child.assign(prefer);
        }
        clear(ALLOCATING | PROVISIONAL);
        return null;
    }

    // ---------------------------------------------------------------- actions

    /** Follows {@code pcmk__bundle_create_actions()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public void createActions() {
        List<Resource> containers = containerList();
        for (Replica r : replicas) {
            if (r.ip != null) {
                r.ip.createActions();
            }
            if (r.container != null) {
                r.container.createActions();
            }
            if (r.remote != null) {
                r.remote.createActions();
            }
        }
        Clone.createPseudoActions(ws, this, containers, false);
        if (child != null) {
            child.createActions();
            if (child.is(PROMOTABLE)) {
                ws.newRscPseudoAction(this, "promote", true, true);
                ws.newRscPseudoAction(this, "promoted", true, true).priority = Score.INFINITY;
                ws.newRscPseudoAction(this, "demote", true, true);
                ws.newRscPseudoAction(this, "demoted", true, true).priority = Score.INFINITY;
            }
        }
    }

    /** Follows {@code pcmk__bundle_create_probe()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public boolean createProbe(Node node) {
        boolean any = false;
        for (Replica r : replicas) {
            if (r.ip != null && r.ip.createProbe(node)) {
                any = true;
            }
            if (r.child != null && r.node != null && node == r.node.node && r.child.createProbe(node)) {
                any = true;
            }
            if (r.container != null && r.container.createProbe(node)) {
                any = true;
                for (Replica other : replicas) {
                    if (nReplicasPerHost != 1) {
                        break;
                    }
                    if (other != r && other.container != null) {
                        ws.newOrdering(r.container, Util.opKey(r.container.id, "monitor", 0), null, other.container,
                            Util.opKey(other.container.id, "start", 0), null, Ordering.OPTIONAL | Ordering.SAME_NODE);
                    }
                }
            }
            if (r.container != null && r.remote != null && r.remote.createProbe(node)) {
                Action probe = WorkingSet.findFirstAction(r.remote.actions, Util.opKey(r.remote.id, "monitor", 0),
                    null, node);
                if (probe != null) {
                    any = true;
                    ws.newOrdering(r.container, Util.opKey(r.container.id, "start", 0), null, r.remote, null, probe,
                        Ordering.PROBE);
                }
            }
        }
        return any;
    }

    /** Follows {@code pcmk__bundle_internal_constraints()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public void internalConstraints() {
        if (child != null) {
            ws.orderResourceActions(this, "start", child, "start", Ordering.IMPLIES_FIRST_PRINTED);
            ws.orderResourceActions(this, "stop", child, "stop", Ordering.IMPLIES_FIRST_PRINTED);
            if (!child.children.isEmpty()) {
                ws.orderResourceActions(child, "running", this, "running", Ordering.IMPLIES_THEN_PRINTED);
                ws.orderResourceActions(child, "stopped", this, "stopped", Ordering.IMPLIES_THEN_PRINTED);
            } else {
                ws.orderResourceActions(child, "start", this, "running", Ordering.IMPLIES_THEN_PRINTED);
                ws.orderResourceActions(child, "stop", this, "stopped", Ordering.IMPLIES_THEN_PRINTED);
            }
        }
        for (Replica r : replicas) {
            r.container.internalConstraints();
            ws.orderResourceActions(this, "start", r.container, "start",
                Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_FIRST_PRINTED);
            if (r.child != null) {
                ws.orderResourceActions(this, "stop", r.child, "stop", Ordering.IMPLIES_FIRST_PRINTED);
            }
            ws.orderResourceActions(this, "stop", r.container, "stop", Ordering.IMPLIES_FIRST_PRINTED);
            ws.orderResourceActions(r.container, "start", this, "running", Ordering.IMPLIES_THEN_PRINTED);
            ws.orderResourceActions(r.container, "stop", this, "stopped", Ordering.IMPLIES_THEN_PRINTED);
            if (r.ip != null) {
                r.ip.internalConstraints();
                ws.orderResourceActions(r.ip, "start", r.container, "start",
                    Ordering.RUNNABLE_LEFT | Ordering.PRESERVE);
                ws.orderResourceActions(r.container, "stop", r.ip, "stop",
                    Ordering.IMPLIES_FIRST | Ordering.PRESERVE);
                ws.colocations.newColocation("ip-with-docker", null, Score.INFINITY, r.ip, r.container, null, null,
                    true);
            }
            if (r.remote != null) {
                r.remote.internalConstraints();
            }
        }
        if (child != null) {
            child.internalConstraints();
            if (child.is(PROMOTABLE)) {
                ws.orderings.promotableRestartOrdering(this);
                ws.orderResourceActions(child, "demoted", this, "demoted", Ordering.IMPLIES_THEN_PRINTED);
                ws.orderResourceActions(this, "demote", child, "demote", Ordering.IMPLIES_FIRST_PRINTED);
                ws.orderResourceActions(child, "promoted", this, "promoted", Ordering.IMPLIES_THEN_PRINTED);
                ws.orderResourceActions(this, "promote", child, "promote", Ordering.IMPLIES_FIRST_PRINTED);
            }
        }
    }

    /** Follows {@code compatible_replica_for_node()} in lib/pacemaker/pcmk_sched_bundle.c. */
    private Resource compatibleReplicaForNode(Node candidate, Role filter, boolean current) {
        if (candidate == null) {
            return null;
        }
        for (Replica r : replicas) {
            if (Clone.isChildCompatible(r.container, candidate, filter, current)) {
                return r.container;
            }
        }
        return null;
    }

    /** Follows {@code compatible_replica()} in lib/pacemaker/pcmk_sched_bundle.c. */
    private Resource compatibleReplica(Resource dependent, Role filter, boolean current) {
        Node active = dependent.location(null, current ? 1 : 0);
        if (active != null) {
            return compatibleReplicaForNode(active, filter, current);
        }
        List<NodeScore> scratch = new ArrayList<>(dependent.allowedNodes.values());
        ws.locations.sortNodes(scratch, null);
        for (NodeScore ns : scratch) {
            Resource pair = compatibleReplicaForNode(ns.node, filter, current);
            if (pair != null) {
                return pair;
            }
        }
        return null;
    }

    /** Follows {@code pcmk__bundle_apply_coloc_score()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public void applyColocScore(Resource dependent, Resource primary, Colocation c, boolean forDependent) {
        if (forDependent || dependent.variant != Variant.PRIMITIVE) {
            return;
        }
        if (primary.is(PROVISIONAL)) {
            return;
        } else if (c.dependent.variant.ordinal() > Variant.GROUP.ordinal()) {
            Resource primaryReplica = compatibleReplica(dependent, Role.UNKNOWN, false);
            if (primaryReplica != null) {
                dependent.applyColocScore(dependent, primaryReplica, c, true);
            } else if (c.score >= Score.INFINITY) {
                ws.locations.assignResource(dependent, null, true);
            }
            return;
        }
        List<Node> allocated = new ArrayList<>();
        for (Replica r : replicas) {
            if (c.score < Score.INFINITY) {
                r.container.applyColocScore(dependent, r.container, c, false);
            } else {
                Node chosen = r.container.location(null, 0);
                if (chosen == null || Clone.isSetRecursive(r.container, BLOCK, true)) {
                    continue;
                }
                if (c.primaryRole.ordinal() >= Role.PROMOTED.ordinal() && r.child == null) {
                    continue;
                }
                if (c.primaryRole.ordinal() >= Role.PROMOTED.ordinal()
                    && r.child.nextRole.ordinal() < Role.PROMOTED.ordinal()) {
                    continue;
                }
                allocated.add(0, chosen);
            }
        }
        if (c.score >= Score.INFINITY) {
            for (NodeScore ns : dependent.allowedNodes.values()) {
                if (!allocated.contains(ns.node)) {
                    ns.weight = -Score.INFINITY;
                }
            }
        }
    }

    /** Follows {@code pcmk__bundle_rsc_location()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public void applyLocation(Location location) {
        ws.locations.applyLocation(this, location);
        for (Replica r : replicas) {
            if (r.container != null) {
                r.container.applyLocation(location);
            }
            if (r.ip != null) {
                r.ip.applyLocation(location);
            }
        }
        if (child != null && (location.roleFilter == Role.UNPROMOTED || location.roleFilter == Role.PROMOTED)) {
            child.applyLocation(location);
            child.locations.add(0, location);
        }
    }

    /** Follows {@code pcmk__bundle_action_flags()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public int actionFlags(Action action, Node node) {
        if (child != null) {
            String task = Clone.complexTask(child, action.task);
            switch (task) {
                case "notify", "notified", "promote", "promoted", "demote", "demoted":
                    return Clone.summaryActionFlags(action, child.children, node);
                case "stop", "stopped", "start", "running", "monitor", "do_shutdown", "stonith", "delete",
                    "migrate_to", "migrate_from", "cancel", "lrm_delete", "clear_failcount":
                    break;
                default:
                    return Clone.summaryActionFlags(action, child.children, node);
            }
        }
        return Clone.summaryActionFlags(action, containerList(), node);
    }

    /** Follows {@code pcmk__multi_update_actions()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public int updateOrderedActions(Action first, Action then, Node node, int flags, int filter, int type) {
        return ws.clones.multiUpdateActions(first, then, node, flags, filter, type);
    }

    /** Follows {@code pcmk__output_bundle_actions()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public void outputActions(Output out) {
        for (Replica r : replicas) {
            if (r.ip != null) {
                r.ip.outputActions(out);
            }
            if (r.container != null) {
                r.container.outputActions(out);
            }
            if (r.remote != null) {
                r.remote.outputActions(out);
            }
            if (r.child != null) {
                r.child.outputActions(out);
            }
        }
    }

    /** Follows {@code pcmk__bundle_add_utilization()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public void addUtilization(Resource orig, List<Resource> all, Map<String, Integer> utilization) {
        if (!is(PROVISIONAL) || replicas.isEmpty()) {
            return;
        }
        Replica r = replicas.get(0);
        if (r.container != null) {
            r.container.addUtilization(orig, all, utilization);
        }
    }

    /** Follows {@code pcmk__bundle_shutdown_lock()} in lib/pacemaker/pcmk_sched_bundle.c. */
    @Override
    public void shutdownLock() {
        // bundles do not support shutdown locks
    }

    /**
     * The graph gets the bundled clone's actions, then each replica's. Follows {@code pcmk__bundle_expand()} in
     * lib/pacemaker/pcmk_sched_bundle.c.
     */
    public void addActionsToGraph(java.util.function.Consumer<Resource> add) {
        if (child != null) {
            add.accept(child);
        }
        for (Replica r : replicas) {
            if (r.remote != null && r.container != null && needsRemoteName(r.remote)) {
                String addr = addRemoteName(ws, r.remote, null, null);
                if (addr != null) {
                    r.remote.params(null).put("addr", addr);
                }
            }
            if (r.ip != null) {
                add.accept(r.ip);
            }
            if (r.container != null) {
                add.accept(r.container);
            }
            if (r.remote != null) {
                add.accept(r.remote);
            }
        }
    }

    // ---------------------------------------------------------------- display (pe__bundle_text)

    /**
     * Prints this bundle in the status display; returns whether anything was printed. Follows {@code
     * pe__bundle_text()} in lib/pengine/bundle.c.
     */
    public boolean printStatus(StatusPrinter p) {
        boolean header = false;
        for (Replica r : replicas) {
            if (!header) {
                p.bundleBegin("Container bundle" + (nReplicas > 1 ? " set" : "") + ": " + id + " [" + image + "]"
                    + (is(UNIQUE) ? " (unique)" : "") + (is(MANAGED) ? "" : " (unmanaged)"));
                header = true;
            }
            Resource rsc = r.child != null ? r.child : r.container;
            String name = r.remote != null ? r.remote.printableId() : r.container.printableId();
            if (r.ipaddr != null) {
                name = name + " (" + r.ipaddr + ")";
            }
            p.bundleReplica(rsc, name, r.container.currentNode());
        }
        if (header) {
            p.bundleEnd();
        }
        return header;
    }
}
