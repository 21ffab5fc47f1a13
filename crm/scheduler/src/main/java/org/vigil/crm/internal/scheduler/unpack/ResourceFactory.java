package org.vigil.crm.internal.scheduler.unpack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Bundle;
import org.vigil.crm.internal.scheduler.schedule.Clone;
import org.vigil.crm.internal.scheduler.schedule.Group;
import org.vigil.crm.internal.scheduler.schedule.Primitive;

/**
 * Creates resources from configuration XML (Pacemaker's {@code pe__unpack_resource} and the per-variant unpack
 * functions): template expansion, meta-attributes with their defaults and inheritance, flags, recovery policy,
 * stickiness, migration threshold, failure timeout, requirements; then children for groups and clones.
 *
 * <p>Follows {@code pe__unpack_resource()} in lib/pengine/complex.c and the variant unpackers of
 * lib/pengine/native.c, group.c and clone.c.
 */
public final class ResourceFactory {

    private final WorkingSet ws;

    ResourceFactory(WorkingSet ws) {
        this.ws = ws;
    }

    /** Follows {@code unpack_resources()} in lib/pengine/unpack.c. */
    void unpackResources(XmlElement xmlResources) {
        if (xmlResources != null) {
            for (XmlElement x : new ArrayList<>(xmlResources.kids())) {
                String id = x.get("id");
                if (id == null || id.isEmpty()) {
                    continue;
                }
                if (x.is("template")) {
                    ws.templateRscSets.putIfAbsent(id, null);
                    continue;
                }
                Resource r = unpackResource(x, null);
                if (r != null) {
                    ws.resources.add(r);
                    ws.indexResource(r);
                } else {
                    ws.warn("Ignoring <" + x.name() + "> resource '" + id + "' because configuration is invalid");
                }
            }
        }
        Unpacker u = new Unpacker(ws);
        for (Resource r : ws.resources) {
            setupContainer(r);
            linkRscToRemoteNode(ws, r, u);
        }
        // g_list_sort: stable, by priority descending
        List<Resource> sorted = new ArrayList<>(ws.resources);
        sorted.sort((a, b) -> Integer.compare(b.priority, a.priority));
        ws.resources.clear();
        ws.resources.addAll(sorted);
        if (ws.is(WorkingSet.STONITH_ENABLED) && !ws.is(WorkingSet.HAVE_STONITH_RESOURCE)) {
            ws.warn("Resource start-up disabled since no STONITH resources have been defined");
        }
    }

    /** Follows {@code setup_container()} in lib/pengine/unpack.c. */
    private void setupContainer(Resource rsc) {
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                setupContainer(c);
            }
            return;
        }
        String containerId = rsc.meta.get("container");
        if (containerId != null && !containerId.equalsIgnoreCase(rsc.id)) {
            Resource container = ws.findResource(containerId);
            if (container != null) {
                rsc.container = container;
                container.set(Resource.IS_CONTAINER);
                container.fillers.add(rsc);
            } else {
                ws.warn("Resource " + rsc.id + ": Unknown resource container (" + containerId + ")");
            }
        }
    }

    /** Follows {@code link_rsc2remotenode()} in lib/pengine/unpack.c. */
    static void linkRscToRemoteNode(WorkingSet ws, Resource rsc, Unpacker u) {
        if (!rsc.isRemoteNode) {
            return;
        }
        Node remote = ws.findNode(rsc.id);
        if (remote == null) {
            return;
        }
        remote.remoteRsc = rsc;
        if (rsc.container == null) {
            u.startupFencingFor(remote);
        } else {
            remote.attrs.put("#kind", "container");
        }
    }

    /** Follows {@code template_op_key()} in lib/pengine/complex.c. */
    private static String templateOpKey(XmlElement op) {
        String name = op.get("name");
        String role = op.get("role");
        if (role == null || role.equalsIgnoreCase("Started") || role.equalsIgnoreCase("Unpromoted")
            || role.equalsIgnoreCase("Slave")) {
            role = "Unknown";
        }
        return name + "-" + role;
    }

    /**
     * The primitive's XML with a template's content merged in, or the XML itself. Follows {@code unpack_template()}
     * in lib/pengine/complex.c.
     */
    private XmlElement expandTemplate(XmlElement xml) {
        String ref = xml.get("template");
        if (ref == null) {
            return xml;
        }
        String id = xml.get("id");
        if (ref.equals(id)) {
            return null;
        }
        XmlElement template = null;
        XmlElement resources = Unpacker.section(ws.input, "resources");
        if (resources != null) {
            for (XmlElement t : resources.kids()) {
                if (t.is("template") && ref.equals(t.get("id"))) {
                    template = t;
                    break;
                }
            }
        }
        if (template == null) {
            return null;
        }
        XmlElement newXml = template.copyAs(xml.name());
        newXml.set("id", id);
        String clone = xml.get("clone");
        if (clone != null) {
            newXml.set("clone", clone);
        }
        XmlElement templateOps = newXml.firstChild("operations");
        XmlElement rscOps = null;
        for (XmlElement child : xml.kids()) {
            XmlElement copy = child.deepCopy();
            newXml.addChild(copy);
            if (copy.is("operations")) {
                rscOps = copy;
            }
        }
        if (templateOps != null && rscOps != null) {
            Map<String, XmlElement> have = new HashMap<>();
            for (XmlElement op : rscOps.kids()) {
                have.put(templateOpKey(op), op);
            }
            for (XmlElement op : templateOps.kids()) {
                if (!have.containsKey(templateOpKey(op))) {
                    rscOps.addChild(op.deepCopy());
                }
            }
            newXml.removeChild(templateOps);
        }
        return newXml;
    }

    /** Follows {@code pe__unpack_resource()} in lib/pengine/complex.c. */
    public Resource unpackResource(XmlElement xmlObj, Resource parent) {
        String id = xmlObj.get("id");
        if (id == null) {
            return null;
        }
        XmlElement expanded = expandTemplate(xmlObj);
        if (expanded == null) {
            return null;
        }
        Resource.Variant variant;
        switch (expanded.name()) {
            case "primitive" -> variant = Resource.Variant.PRIMITIVE;
            case "group" -> variant = Resource.Variant.GROUP;
            case "clone", "master" -> variant = Resource.Variant.CLONE;
            case "bundle" -> variant = Resource.Variant.BUNDLE;
            default -> {
                ws.warn("Ignoring resource '" + id + "' of unknown type '" + expanded.name() + "'");
                return null;
            }
        }
        Resource rsc = switch (variant) {
            case PRIMITIVE -> new Primitive(ws);
            case GROUP -> new Group(ws);
            case CLONE -> new Clone(ws);
            case BUNDLE -> new Bundle(ws);
        };
        rsc.xml = expanded;
        rsc.origXml = expanded == xmlObj ? null : xmlObj;
        rsc.parent = parent;
        XmlElement ops = expanded.firstChild("operations");
        rsc.opsXml = ws.rules.expand(ops);

        String incarnation = expanded.get("clone");
        if (incarnation != null) {
            rsc.id = id + ":" + incarnation;
            WorkingSet.addHashParam(rsc.meta, "clone", incarnation);
        } else {
            rsc.id = id;
        }
        ws.metaAttributes(rsc.meta, rsc, null);

        rsc.flags = Resource.RUNNABLE | Resource.PROVISIONAL;
        if (!ws.is(WorkingSet.MAINTENANCE_MODE)) {
            rsc.set(Resource.MANAGED);
        }
        rsc.role = Role.STOPPED;
        rsc.nextRole = Role.UNKNOWN;
        rsc.recoveryType = Resource.Recovery.STOP_START;
        rsc.stickiness = 0;
        rsc.migrationThreshold = Score.INFINITY;
        rsc.failureTimeout = 0;

        rsc.priority = ws.score(rsc.meta.get("priority"));
        String v = rsc.meta.get("critical");
        if (v == null || Util.isTrue(v)) {
            rsc.set(Resource.CRITICAL);
        }
        if (Util.isTrue(rsc.meta.get("notify"))) {
            rsc.set(Resource.NOTIFY);
        }
        boolean guestNode = false;
        boolean remoteNode = false;
        if (Unpacker.containsRemoteNode(rsc.xml)) {
            rsc.isRemoteNode = true;
            if (rsc.meta.get("container") != null) {
                guestNode = true;
            } else {
                remoteNode = true;
            }
        }
        v = rsc.meta.get("allow-migrate");
        if (Util.isTrue(v)) {
            rsc.set(Resource.ALLOW_MIGRATE);
        } else if (v == null && remoteNode) {
            rsc.set(Resource.ALLOW_MIGRATE);
        }
        v = rsc.meta.get("is-managed");
        if (v != null && !"default".equalsIgnoreCase(v)) {
            if (Util.isTrue(v)) {
                rsc.set(Resource.MANAGED);
            } else {
                rsc.clear(Resource.MANAGED);
            }
        }
        if (Util.isTrue(rsc.meta.get("maintenance"))) {
            rsc.clear(Resource.MANAGED);
            rsc.set(Resource.MAINTENANCE);
        }
        if (ws.is(WorkingSet.MAINTENANCE_MODE)) {
            rsc.clear(Resource.MANAGED);
            rsc.set(Resource.MAINTENANCE);
        }
        if (rsc.top().isClone()) {
            if (Util.isTrue(rsc.meta.get("globally-unique"))) {
                rsc.set(Resource.UNIQUE);
            }
            if (Util.isTrue(rsc.meta.get("promotable"))) {
                rsc.set(Resource.PROMOTABLE);
            } else if (rsc.xml.is("master")) {
                rsc.meta.put("promotable", "true");
                rsc.set(Resource.PROMOTABLE);
            }
        } else {
            rsc.set(Resource.UNIQUE);
        }
        v = rsc.meta.get("restart-type");
        rsc.restartTypeRestart = "restart".equalsIgnoreCase(v);
        v = rsc.meta.get("multiple-active");
        if ("stop_only".equalsIgnoreCase(v)) {
            rsc.recoveryType = Resource.Recovery.STOP_ONLY;
        } else if ("block".equalsIgnoreCase(v)) {
            rsc.recoveryType = Resource.Recovery.BLOCK;
        } else if ("stop_unexpected".equalsIgnoreCase(v)) {
            rsc.recoveryType = Resource.Recovery.STOP_UNEXPECTED;
        } else {
            rsc.recoveryType = Resource.Recovery.STOP_START;
        }
        v = rsc.meta.get("resource-stickiness");
        if (v != null && !"default".equalsIgnoreCase(v)) {
            rsc.stickiness = ws.score(v);
        }
        v = rsc.meta.get("migration-threshold");
        if (v != null && !"default".equalsIgnoreCase(v)) {
            rsc.migrationThreshold = ws.score(v);
            if (rsc.migrationThreshold < 0) {
                rsc.migrationThreshold = 1;
            }
        }
        if ("stonith".equalsIgnoreCase(rsc.xml.get("class"))) {
            ws.set(WorkingSet.HAVE_STONITH_RESOURCE);
            rsc.set(Resource.FENCE_DEVICE);
        }
        unpackRequires(rsc, rsc.meta.get("requires"), false);
        v = rsc.meta.get("failure-timeout");
        if (v != null) {
            rsc.failureTimeout = (int) (Util.parseInterval(v) / 1000);
        }
        if (remoteNode) {
            String ri = rsc.params(null).get("reconnect_interval");
            if (ri != null) {
                rsc.remoteReconnectMs = Util.parseInterval(ri);
                rsc.failureTimeout = (int) (rsc.remoteReconnectMs / 1000);
            }
        }
        Role target = new Unpacker(ws).targetRole(rsc);
        if (target != null) {
            rsc.nextRole = target;
        }
        if (!unpackVariant(rsc)) {
            return null;
        }
        if (ws.is(WorkingSet.SYMMETRIC)) {
            ws.resourceLocation(rsc, null, 0, "symmetric_default");
        } else if (guestNode) {
            ws.resourceLocation(rsc, null, 0, "remote_connection_default");
        }
        ws.rules.unpackNvpairs(rsc.xml, "utilization", ws.ruleContext(null), rsc.utilization, null, false);
        if (rsc.origXml != null) {
            String ref = xmlObj.get("template");
            List<String> refs = ws.templateRscSets.get(ref);
            if (refs == null) {
                refs = new ArrayList<>();
                ws.templateRscSets.put(ref, refs);
            }
            if (!refs.contains(xmlObj.get("id"))) {
                refs.add(xmlObj.get("id"));
            }
        }
        return rsc;
    }

    /** Follows {@code unpack_requires()} in lib/pengine/complex.c. */
    private void unpackRequires(Resource rsc, String value, boolean isDefault) {
        if ("nothing".equalsIgnoreCase(value)) {
            return;
        } else if ("quorum".equalsIgnoreCase(value)) {
            rsc.set(Resource.NEEDS_QUORUM);
        } else if ("fencing".equalsIgnoreCase(value)) {
            rsc.set(Resource.NEEDS_FENCING);
        } else if ("unfencing".equalsIgnoreCase(value)) {
            if (rsc.is(Resource.FENCE_DEVICE)) {
                unpackRequires(rsc, "quorum", true);
            } else if (!ws.is(WorkingSet.STONITH_ENABLED)) {
                unpackRequires(rsc, "quorum", true);
            } else {
                rsc.set(Resource.NEEDS_FENCING | Resource.NEEDS_UNFENCING);
            }
        } else {
            String v;
            if (rsc.is(Resource.FENCE_DEVICE)) {
                v = "quorum";
            } else if (rsc.variant == Resource.Variant.PRIMITIVE && Unpacker.containsRemoteNode(rsc.xml)) {
                v = "quorum";
            } else if (ws.is(WorkingSet.ENABLE_UNFENCING)) {
                v = "unfencing";
            } else if (ws.is(WorkingSet.STONITH_ENABLED)) {
                v = "fencing";
            } else if (ws.noQuorumPolicy == WorkingSet.NoQuorum.IGNORE) {
                v = "nothing";
            } else {
                v = "quorum";
            }
            unpackRequires(rsc, v, true);
        }
    }

    /** Follows {@code pe__unpack_resource()} in lib/pengine/complex.c. */
    private boolean unpackVariant(Resource rsc) {
        switch (rsc.variant) {
            case PRIMITIVE:
                return unpackPrimitive(rsc);
            case GROUP:
                return unpackGroup((Group) rsc);
            case CLONE:
                return unpackClone((Clone) rsc);
            case BUNDLE:
                return ((Bundle) rsc).unpack(this);
            default:
                return false;
        }
    }

    /** Follows {@code native_unpack()} in lib/pengine/native.c. */
    private boolean unpackPrimitive(Resource rsc) {
        Resource parent = rsc.top();
        String standard = rsc.xml.get("class");
        if (!ActionConfig.supportsUnique(standard) && rsc.is(Resource.UNIQUE) && parent.isClone()) {
            ((Clone) parent).forceAnonymous();
            clearUniqueRecursive(parent);
            clearUniqueRecursive(rsc);
        }
        if (!ActionConfig.supportsPromotable(standard) && parent.is(Resource.PROMOTABLE)) {
            ws.warn("Resource " + rsc.id + " is of type " + standard
                + " and therefore cannot be used as a promotable clone resource");
            return false;
        }
        return true;
    }

    /** Follows {@code recursive_clear_unique()} in lib/pengine/native.c. */
    private static void clearUniqueRecursive(Resource r) {
        r.clear(Resource.UNIQUE);
        r.meta.put("globally-unique", "false");
        for (Resource c : r.children) {
            clearUniqueRecursive(c);
        }
    }

    /** Follows {@code group_unpack()} in lib/pengine/group.c. */
    private boolean unpackGroup(Group g) {
        Boolean ordered = Util.toBoolean(g.meta.get("ordered"));
        g.ordered = ordered == null || ordered;
        Boolean colocated = Util.toBoolean(g.meta.get("collocated"));
        g.colocated = colocated == null || colocated;
        String cloneId = g.xml.get("clone");
        for (XmlElement x : g.xml.kids()) {
            if (!x.is("primitive")) {
                continue;
            }
            if (cloneId != null) {
                x.set("clone", cloneId);
            }
            Resource child = unpackResource(x, g);
            if (child == null) {
                continue;
            }
            g.children.add(child);
        }
        if (g.children.isEmpty()) {
            ws.warn("Group " + g.id + " will be ignored because it does not have any members");
        }
        return true;
    }

    /** Follows {@code clone_unpack()} in lib/pengine/clone.c. */
    private boolean unpackClone(Clone c) {
        String maxClones = c.meta.get("clone-max");
        String maxClonesNode = c.meta.get("clone-node-max");
        if (c.is(Resource.PROMOTABLE)) {
            String pm = c.meta.get("promoted-max");
            if (pm == null) {
                pm = c.meta.get("master-max");
            }
            String pnm = c.meta.get("promoted-node-max");
            if (pnm == null) {
                pnm = c.meta.get("master-node-max");
            }
            c.promotedMax = pm == null ? 1 : scanMinInt(pm, 0);
            c.promotedNodeMax = pnm == null ? 1 : scanMinInt(pnm, 0);
        }
        c.cloneNodeMax = maxClonesNode == null ? 1 : scanMinInt(maxClonesNode, 0);
        c.cloneMax = maxClones == null ? Math.max(1, ws.nodes.size()) : scanMinInt(maxClones, 0);
        if (Util.isTrue(c.meta.get("ordered"))) {
            c.ordered = true;
        }
        if (!c.is(Resource.UNIQUE) && c.cloneNodeMax > 1) {
            ws.warn("Ignoring clone-node-max for " + c.id + " because anonymous clones support only one instance "
                + "per node");
            c.cloneNodeMax = 1;
        }
        for (XmlElement x : c.xml.kids()) {
            if (x.is("primitive") || x.is("group")) {
                c.childXml = x;
                break;
            }
        }
        if (c.childXml == null) {
            ws.warn(c.id + " has nothing to clone");
            return false;
        }
        if (c.meta.get("resource-stickiness") == null) {
            WorkingSet.addHashParam(c.meta, "resource-stickiness", "1");
        }
        WorkingSet.addHashParam(c.meta, "globally-unique", c.is(Resource.UNIQUE) ? "true" : "false");
        c.factory = this;
        if (c.cloneMax <= 0) {
            return c.createChild() != null;
        }
        for (int i = 0; i < c.cloneMax; i++) {
            if (c.createChild() == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * The integer, at least {@code minimum} (the minimum when invalid). Follows {@code pcmk__scan_min_int()} in
     * lib/common/strings.c.
     */
    public static int scanMinInt(String text, int minimum) {
        long v = Score.parseLeadingLong(text, Long.MIN_VALUE);
        if (v == Long.MIN_VALUE) {
            return minimum;
        }
        if (v < minimum) {
            return minimum;
        }
        return (int) Math.min(v, Integer.MAX_VALUE);
    }
}
