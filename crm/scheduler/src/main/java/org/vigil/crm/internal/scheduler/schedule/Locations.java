package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.RuleContext;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Location;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.Tags;

/**
 * Node scores for resources: location constraints (simple, rules, patterns, sets, tags), node health, node
 * ordering for placement, and recording the chosen node (Pacemaker's pcmk_sched_location.c, pcmk_sched_nodes.c
 * and the assignment helpers of pcmk_sched_resource.c).
 *
 * <p>Follows lib/pacemaker/pcmk_sched_location.c, with node health from lib/pengine/pe_health.c and
 * lib/pacemaker/pcmk_sched_nodes.c.
 */
public final class Locations {

    private final WorkingSet ws;

    /** Follows {@code pcmk__apply_locations()} in lib/pacemaker/pcmk_sched_location.c. */
    public Locations(WorkingSet ws) {
        this.ws = ws;
    }

    // ---------------------------------------------------------------- node helpers

    /** Follows {@code pcmk__node_available()} in lib/pacemaker/pcmk_sched_nodes.c. */
    static boolean available(NodeScore ns, boolean considerScore, boolean considerGuest) {
        if (ns == null) {
            return false;
        }
        if (!available(ns.node, considerGuest)) {
            return false;
        }
        return !(considerScore && ns.weight < 0);
    }

    /** Follows {@code pcmk__node_available()} in lib/pacemaker/pcmk_sched_nodes.c. */
    static boolean available(Node n, boolean considerScoreUnused, boolean considerGuest) {
        return available(n, considerGuest);
    }

    /** Follows {@code pcmk__node_available()} in lib/pacemaker/pcmk_sched_nodes.c. */
    private static boolean available(Node n, boolean considerGuest) {
        if (n == null || !n.online || n.shutdown || n.unclean || n.standby || n.maintenance) {
            return false;
        }
        if (considerGuest && n.isGuest()) {
            Resource guest = n.remoteRsc.container;
            return guest.location(null, 0) != null;
        }
        return true;
    }

    /** Follows {@code pcmk__copy_node_table()} in lib/pacemaker/pcmk_sched_nodes.c. */
    static Map<Node, NodeScore> copyTable(Map<Node, NodeScore> nodes) {
        if (nodes == null) {
            return null;
        }
        Map<Node, NodeScore> t = new LinkedHashMap<>();
        for (Map.Entry<Node, NodeScore> e : nodes.entrySet()) {
            t.put(e.getKey(), e.getValue().copy());
        }
        return t;
    }

    /** Follows {@code pcmk__any_node_available()} in lib/pacemaker/pcmk_sched_nodes.c. */
    static boolean anyAvailable(Map<Node, NodeScore> nodes) {
        if (nodes == null) {
            return false;
        }
        for (NodeScore ns : nodes.values()) {
            if (available(ns, true, false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Best first (score, utilization, fewest resources, current node, name). Follows {@code compare_nodes()} in
     * lib/pacemaker/pcmk_sched_nodes.c.
     */
    int compareNodes(NodeScore a, NodeScore b, Node active) {
        int w1 = available(a.node, false) ? a.weight : -Score.INFINITY;
        int w2 = available(b.node, false) ? b.weight : -Score.INFINITY;
        if (w1 > w2) {
            return -1;
        }
        if (w1 < w2) {
            return 1;
        }
        if ("minimal".equalsIgnoreCase(ws.placementStrategy)) {
            return Integer.signum(a.node.uname.compareTo(b.node.uname));
        }
        if ("balanced".equalsIgnoreCase(ws.placementStrategy)) {
            int r = ws.utilizationEngine.compareNodeCapacities(a.node, b.node);
            if (r < 0) {
                return -1;
            } else if (r > 0) {
                return 1;
            }
        }
        if (a.node.numResources < b.node.numResources) {
            return -1;
        } else if (a.node.numResources > b.node.numResources) {
            return 1;
        }
        if (active != null) {
            if (active == a.node) {
                return -1;
            } else if (active == b.node) {
                return 1;
            }
        }
        return Integer.signum(a.node.uname.compareTo(b.node.uname));
    }

    /** Follows {@code pcmk__sort_nodes()} in lib/pacemaker/pcmk_sched_nodes.c. */
    void sortNodes(List<NodeScore> nodes, Node active) {
        nodes.sort((a, b) -> compareNodes(a, b, active));
    }

    // ---------------------------------------------------------------- assignment bookkeeping

    /**
     * Records the chosen node (or that none could be chosen). Follows {@code pcmk__finalize_assignment()} in
     * lib/pacemaker/pcmk_sched_resource.c.
     */
    boolean finalizeAssignment(Resource rsc, NodeScore chosen, boolean force) {
        if (!force && chosen != null) {
            if (chosen.weight < 0 || (!available(chosen, true, false) && !chosen.node.isGuest())) {
                rsc.setNextRole(Role.STOPPED, "node availability");
                chosen = null;
            }
        }
        unassign(rsc);
        rsc.clear(Resource.PROVISIONAL);
        if (chosen == null) {
            rsc.setNextRole(Role.STOPPED, "unable to allocate");
            for (Action op : rsc.actions) {
                if ("stop".equalsIgnoreCase(op.task)) {
                    op.clear(Action.OPTIONAL);
                } else if ("start".equalsIgnoreCase(op.task)) {
                    op.clear(Action.RUNNABLE);
                } else {
                    String interval = op.meta.get("interval");
                    String targetRc = op.meta.get("op_target_rc");
                    if (interval != null && !"0".equals(interval) && !"7".equals(targetRc)) {
                        op.clear(Action.RUNNABLE);
                    }
                }
            }
            return false;
        }
        rsc.allocatedTo = chosen.copy();
        chosen.node.allocatedRsc.add(0, rsc);
        chosen.node.numResources++;
        chosen.count++;
        ws.utilizationEngine.consume(chosen.node, rsc);
        return true;
    }

    /** Follows {@code pcmk__unassign_resource()} in lib/pacemaker/pcmk_sched_resource.c. */
    void unassign(Resource rsc) {
        NodeScore old = rsc.allocatedTo;
        if (old == null) {
            return;
        }
        rsc.set(Resource.PROVISIONAL);
        rsc.allocatedTo = null;
        old.node.allocatedRsc.remove(rsc);
        old.node.numResources--;
        ws.utilizationEngine.release(old.node, rsc);
    }

    /**
     * Assigns a resource and its descendants to a node. Follows {@code pcmk__assign_resource()} in
     * lib/pacemaker/pcmk_sched_resource.c.
     */
    boolean assignResource(Resource rsc, NodeScore node, boolean force) {
        boolean changed = false;
        if (rsc.children.isEmpty()) {
            if (rsc.allocatedTo != null) {
                changed = true;
            }
            finalizeAssignment(rsc, node, force);
        } else {
            for (Resource c : rsc.children) {
                changed |= assignResource(c, node, force);
            }
        }
        return changed;
    }

    // ---------------------------------------------------------------- constraints

    /** Follows {@code pcmk__new_location()} in lib/pacemaker/pcmk_sched_location.c. */
    Location newLocation(String id, Resource rsc, int weight, String discoverMode, Node node) {
        if (id == null || rsc == null) {
            return null;
        }
        Location l = new Location(id, rsc);
        if (discoverMode == null || "always".equalsIgnoreCase(discoverMode)) {
            l.discoverMode = NodeScore.DISCOVER_ALWAYS;
        } else if ("never".equalsIgnoreCase(discoverMode)) {
            l.discoverMode = NodeScore.DISCOVER_NEVER;
        } else if ("exclusive".equalsIgnoreCase(discoverMode)) {
            l.discoverMode = NodeScore.DISCOVER_EXCLUSIVE;
            rsc.exclusiveDiscover = true;
        } else {
            ws.warn("Invalid resource-discovery value " + discoverMode + " in location constraint");
        }
        if (node != null) {
            NodeScore copy = node.copy();
            copy.weight = weight;
            l.nodes.add(copy);
        }
        ws.placementConstraints.add(l);
        rsc.locations.add(0, l);
        return l;
    }

    /**
     * Newest first, as Pacemaker's prepended list. Follows {@code pcmk__apply_locations()} in
     * lib/pacemaker/pcmk_sched_location.c.
     */
    void applyAll() {
        List<Location> all = ws.placementConstraints;
        for (int i = all.size() - 1; i >= 0; i--) {
            Location l = all.get(i);
            l.rsc.applyLocation(l);
        }
    }

    /**
     * pcmk__apply_location (primitive and default behaviour). Follows {@code pcmk__apply_location()} in
     * lib/pacemaker/pcmk_sched_location.c.
     */
    public void applyLocation(Resource rsc, Location location) {
        boolean needRole = location.roleFilter.gt(Role.UNKNOWN);
        if (needRole && location.roleFilter != rsc.nextRole) {
            return;
        }
        if (location.nodes.isEmpty()) {
            return;
        }
        for (NodeScore n : location.nodes) {
            NodeScore w = rsc.allowedNodes.get(n.node);
            if (w == null) {
                w = n.copy();
                rsc.allowedNodes.put(n.node, w);
            } else {
                w.weight = Score.add(w.weight, n.weight);
            }
            if (ws.trace != null) {
                ws.trace.add(rsc, n.node, n.weight, "location constraint " + location.id);
            }
            if (w.discoverMode < location.discoverMode) {
                if (location.discoverMode == NodeScore.DISCOVER_EXCLUSIVE) {
                    rsc.exclusiveDiscover = true;
                }
                w.discoverMode = location.discoverMode;
            }
        }
    }

    /** Follows {@code get_node_score()} in lib/pacemaker/pcmk_sched_location.c. */
    private int nodeScore(String ruleId, String score, boolean raw, Node node, Resource rsc) {
        if (score == null) {
            return 0;
        } else if (raw) {
            return ws.score(score);
        }
        String attr = ws.nodeAttributeCalculated(node, score, rsc);
        if (attr == null) {
            return -Score.INFINITY;
        }
        return ws.score(attr);
    }

    /** Follows {@code generate_location_rule()} in lib/pacemaker/pcmk_sched_location.c. */
    private void generateLocationRule(Resource rsc, XmlElement ruleXml, String discovery, String[] reGroups) {
        ruleXml = ws.rules.expand(ruleXml);
        if (ruleXml == null) {
            return;
        }
        String ruleId = ruleXml.get("id");
        String bool = ruleXml.get("boolean-op");
        String role = ruleXml.get("role");
        if (role != null && Role.parse(role) == Role.UNKNOWN) {
            return;
        }
        String score = ruleXml.get("score");
        boolean raw = true;
        if (score == null) {
            score = ruleXml.get("score-attribute");
            if (score != null) {
                raw = false;
            }
        }
        boolean doAnd = !"or".equalsIgnoreCase(bool);
        Location rule = newLocation(ruleId, rsc, 0, discovery, null);
        if (rule == null) {
            return;
        }
        if (reGroups != null && !raw && score != null) {
            String r = expandMatches(score, reGroups);
            if (r != null) {
                score = r;
            }
        }
        if (role != null) {
            rule.roleFilter = Role.parse(role);
            if (rule.roleFilter == Role.UNPROMOTED) {
                rule.roleFilter = Role.UNKNOWN;
            }
        }
        List<NodeScore> matchList = new ArrayList<>();
        if (doAnd) {
            // pcmk__copy_node_list prepends
            for (Node n : ws.nodes) {
                NodeScore c = n.copy();
                c.weight = 0;
                matchList.add(0, c);
            }
            for (NodeScore ns : matchList) {
                ns.weight = nodeScore(ruleId, score, raw, ns.node, rsc);
            }
        }
        for (Node node : ws.nodes) {
            RuleContext ctx = ws.ruleContext(node.attrs).withMatch(reGroups, rsc.params(node), rsc.meta);
            boolean accept = ws.rules.evalExpr(ruleXml, ctx);
            int scoreF = nodeScore(ruleId, score, raw, node, rsc);
            if (accept) {
                NodeScore local = find(matchList, node);
                if (local == null && doAnd) {
                    continue;
                } else if (local == null) {
                    local = node.copy();
                    matchList.add(local);
                }
                if (!doAnd) {
                    local.weight = Score.add(local.weight, scoreF);
                }
            } else if (doAnd) {
                NodeScore del = find(matchList, node);
                if (del != null) {
                    matchList.remove(del);
                }
            }
        }
        rule.nodes = matchList;
    }

    private static NodeScore find(List<NodeScore> list, Node node) {
        for (NodeScore ns : list) {
            if (ns.node == node) {
                return ns;
            }
        }
        return null;
    }

    private static String expandMatches(String s, String[] groups) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                int g = s.charAt(i + 1) - '0';
                if (g < groups.length && groups[g] != null && !groups[g].isEmpty()) {
                    sb.append(groups[g]);
                }
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Follows {@code unpack_rsc_location()} in lib/pacemaker/pcmk_sched_location.c. */
    private void unpackRscLocation(XmlElement xml, Resource rsc, String role, String score, String[] reGroups) {
        String rscId = xml.get("rsc");
        String id = xml.get("id");
        String node = xml.get("node");
        String discovery = xml.get("resource-discovery");
        if (rsc == null) {
            ws.warn("Ignoring constraint '" + id + "' because resource '" + rscId + "' does not exist");
            return;
        }
        if (score == null) {
            score = xml.get("score");
        }
        Location location = null;
        if (node != null && score != null) {
            int s = ws.score(score);
            Node match = ws.findNode(node);
            if (match == null) {
                return;
            }
            location = newLocation(id, rsc, s, discovery, match);
        } else {
            boolean empty = true;
            for (XmlElement ruleXml : xml.children("rule")) {
                empty = false;
                generateLocationRule(rsc, ruleXml, discovery, reGroups);
            }
            if (empty) {
                ws.warn("Ignoring constraint '" + id + "' because it contains no rules");
            }
            return;
        }
        if (role == null) {
            role = xml.get("role");
        }
        if (location != null && role != null) {
            Role r = Role.parse(role);
            if (r == Role.UNKNOWN) {
                return;
            }
            switch (r) {
                case UNKNOWN, STARTED, UNPROMOTED -> location.roleFilter = Role.UNKNOWN;
                default -> location.roleFilter = r;
            }
        }
    }

    /** Follows {@code unpack_simple_location()} in lib/pacemaker/pcmk_sched_location.c. */
    private void unpackSimpleLocation(XmlElement xml) {
        String id = xml.get("id");
        String value = xml.get("rsc");
        if (value != null) {
            Resource rsc = ws.findConstraintResource(value);
            unpackRscLocation(xml, rsc, null, null, null);
        }
        value = xml.get("rsc-pattern");
        if (value != null) {
            boolean invert = false;
            if (value.startsWith("!")) {
                value = value.substring(1);
                invert = true;
            }
            Pattern p;
            try {
                p = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                ws.warn("Ignoring constraint '" + id + "' because rsc-pattern has invalid value '" + value + "'");
                return;
            }
            for (Resource r : new ArrayList<>(ws.resources)) {
                Matcher m = p.matcher(r.id);
                boolean found = m.find();
                if (!invert && found) {
                    String[] groups = new String[m.groupCount() + 1];
                    for (int g = 0; g <= m.groupCount(); g++) {
                        groups[g] = m.group(g);
                    }
                    unpackRscLocation(xml, r, null, null, groups);
                } else if (invert && !found) {
                    unpackRscLocation(xml, r, null, null, null);
                }
            }
        }
    }

    /** Follows {@code pcmk__unpack_location()} in lib/pacemaker/pcmk_sched_location.c. */
    void unpack(XmlElement xml) {
        XmlElement expanded = ws.constraintTags.expandSingleResourceTags(xml);
        if (expanded == Tags.INVALID) {
            return;
        }
        XmlElement obj = expanded != null ? expanded : xml;
        boolean anySets = false;
        for (XmlElement set : obj.children("resource_set")) {
            anySets = true;
            set = ws.rules.expand(set);
            if (set == null || !unpackLocationSet(obj, set)) {
                return;
            }
        }
        if (!anySets) {
            unpackSimpleLocation(xml);
        }
    }

    /** Follows {@code unpack_location_set()} in lib/pacemaker/pcmk_sched_location.c. */
    private boolean unpackLocationSet(XmlElement location, XmlElement set) {
        String setId = set.get("id");
        if (setId == null) {
            return false;
        }
        String role = set.get("role");
        String localScore = set.get("score");
        for (XmlElement ref : set.children("resource_ref")) {
            Resource r = ws.findConstraintResource(ref.get("id"));
            if (r == null) {
                ws.warn(setId + ": No resource found for " + ref.get("id"));
                return false;
            }
            unpackRscLocation(location, r, role, localScore, null);
        }
        return true;
    }

    // ---------------------------------------------------------------- node health

    /** Follows {@code pcmk__apply_node_health()} in lib/pacemaker/pcmk_sched_nodes.c. */
    void applyNodeHealth() {
        String strategy = ws.healthStrategy();
        if ("none".equals(strategy)) {
            return;
        }
        int base = 0;
        if ("progressive".equals(strategy)) {
            base = ws.score(ws.pref("node-health-base"));
        }
        for (Node node : ws.nodes) {
            int health = base;
            for (Map.Entry<String, String> e : node.attrs.entrySet()) {
                if (e.getKey().startsWith("#health")) {
                    health = Score.add(ws.score(e.getValue()), health);
                }
            }
            if (health == 0) {
                continue;
            }
            for (Resource rsc : ws.resources) {
                boolean constrain = true;
                if (health < 0) {
                    constrain = !org.vigil.crm.internal.cib.Util.isTrue(rsc.meta.get("allow-unhealthy-nodes"));
                }
                if (constrain) {
                    newLocation(ws.pref("node-health-strategy"), rsc, health, null, node);
                }
            }
        }
    }
}
