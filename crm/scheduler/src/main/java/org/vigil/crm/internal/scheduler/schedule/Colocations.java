package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.Tags;

/**
 * Colocation constraints (Pacemaker's pcmk_sched_colocation.c): unpacking (simple, sets, tags), applying a
 * colocation to node scores or promotion priorities, merging the attenuated scores of colocated resources, and
 * blocking dependents whose mandatory primary cannot start. Scores are combined with single-precision factors,
 * exactly as Pacemaker does, so placements match.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_colocation.c.
 */
public final class Colocations {

    static final int SELECT_DEFAULT = 0;
    static final int SELECT_THIS_WITH = 1;
    static final int SELECT_NONNEGATIVE = 2;
    static final int SELECT_ACTIVE = 4;

    /** Temporarily marks a node unusable while merging scores. */
    static final int INFINITY_HACK = Score.INFINITY * -100;

    enum Affects { NOTHING, LOCATION, ROLE }

    private final WorkingSet ws;

    public Colocations(WorkingSet ws) {
        this.ws = ws;
    }

    // ---------------------------------------------------------------- ordering of colocation lists

    private static int variantRank(Resource r) {
        return r.variant.ordinal();
    }

    /** Follows {@code cmp_dependent_priority()} in lib/pacemaker/pcmk_sched_colocation.c. */
    static int cmpDependentPriority(Colocation a, Colocation b) {
        return cmpBy(a.dependent, b.dependent);
    }

    /** Follows {@code cmp_primary_priority()} in lib/pacemaker/pcmk_sched_colocation.c. */
    static int cmpPrimaryPriority(Colocation a, Colocation b) {
        return cmpBy(a.primary, b.primary);
    }

    /** Follows {@code cmp_dependent_priority()} in lib/pacemaker/pcmk_sched_colocation.c. */
    private static int cmpBy(Resource r1, Resource r2) {
        if (r1.priority > r2.priority) {
            return -1;
        }
        if (r1.priority < r2.priority) {
            return 1;
        }
        if (variantRank(r1) > variantRank(r2)) {
            return -1;
        }
        if (variantRank(r1) < variantRank(r2)) {
            return 1;
        }
        if (r1.variant == Resource.Variant.CLONE) {
            if (r1.is(Resource.PROMOTABLE) && !r2.is(Resource.PROMOTABLE)) {
                return -1;
            } else if (!r1.is(Resource.PROMOTABLE) && r2.is(Resource.PROMOTABLE)) {
                return 1;
            }
        }
        return Integer.signum(r1.id.compareTo(r2.id));
    }

    /**
     * g_list_insert_sorted: after all elements that do not compare greater. Follows {@code pcmk__add_this_with()} in
     * lib/pacemaker/pcmk_sched_colocation.c.
     */
    private static void insertSorted(List<Colocation> list, Colocation c, boolean byPrimary) {
        int i = 0;
        while (i < list.size()) {
            int cmp = byPrimary ? cmpPrimaryPriority(c, list.get(i)) : cmpDependentPriority(c, list.get(i));
            if (cmp < 0) {
                break;
            }
            i++;
        }
        list.add(i, c);
    }

    /** Follows {@code pcmk__add_this_with()} in lib/pacemaker/pcmk_sched_colocation.c. */
    static void addThisWith(Resource rsc, Colocation c) {
        insertSorted(rsc.thisWith, c, true);
    }

    /** Follows {@code pcmk__add_with_this()} in lib/pacemaker/pcmk_sched_colocation.c. */
    static void addWithThis(Resource rsc, Colocation c) {
        insertSorted(rsc.withThis, c, false);
    }

    // ---------------------------------------------------------------- creation

    /** Follows {@code anti_colocation_order()} in lib/pacemaker/pcmk_sched_colocation.c. */
    private void antiColocationOrder(Resource first, Role firstRole, Resource then, Role thenRole) {
        String[] firstTasks = new String[2];
        String[] thenTasks = new String[2];
        if (firstRole == Role.PROMOTED) {
            firstTasks[0] = "demote";
        } else {
            firstTasks[0] = "stop";
            if (firstRole == Role.UNPROMOTED) {
                firstTasks[1] = "promote";
            }
        }
        if (thenRole == Role.PROMOTED) {
            thenTasks[0] = "promote";
        } else {
            thenTasks[0] = "start";
            if (thenRole == Role.UNPROMOTED) {
                thenTasks[1] = "demote";
            }
        }
        for (int f = 0; f <= 1 && firstTasks[f] != null; f++) {
            for (int t = 0; t <= 1 && thenTasks[t] != null; t++) {
                ws.orderResourceActions(first, firstTasks[f], then, thenTasks[t], Ordering.ANTI_COLOCATION);
            }
        }
    }

    /** Follows {@code pcmk__new_colocation()} in lib/pacemaker/pcmk_sched_colocation.c. */
    void newColocation(String id, String nodeAttr, int score, Resource dependent, Resource primary,
                       String dependentRole, String primaryRole, boolean influence) {
        if (score == 0) {
            return;
        }
        if (dependent == null || primary == null) {
            ws.warn("Ignoring colocation '" + id + "' because resource does not exist");
            return;
        }
        if (dependentRole == null || "started".equalsIgnoreCase(dependentRole)) {
            dependentRole = "unknown";
        }
        if (primaryRole == null || "started".equalsIgnoreCase(primaryRole)) {
            primaryRole = "unknown";
        }
        Colocation c = new Colocation(id, dependent, primary, score, Role.parse(dependentRole),
            Role.parse(primaryRole), nodeAttr, influence);
        addThisWith(dependent, c);
        addWithThis(primary, c);
        ws.colocationConstraints.add(c);
        if (score <= -Score.INFINITY) {
            antiColocationOrder(dependent, c.dependentRole, primary, c.primaryRole);
            antiColocationOrder(primary, c.primaryRole, dependent, c.dependentRole);
        }
    }

    /** Follows {@code unpack_influence()} in lib/pacemaker/pcmk_sched_colocation.c. */
    private boolean unpackInfluence(String colocId, Resource rsc, String influenceS) {
        if (influenceS != null) {
            Boolean b = Util.toBoolean(influenceS);
            if (b != null) {
                return b;
            }
            ws.warn("Constraint '" + colocId + "' has invalid value for influence (using default)");
        }
        return rsc.is(Resource.CRITICAL);
    }

    /** Follows {@code pcmk__unpack_colocation()} in lib/pacemaker/pcmk_sched_colocation.c. */
    void unpack(XmlElement xml) {
        String id = xml.get("id");
        String score = xml.get("score");
        String influenceS = xml.get("influence");
        int scoreI = score == null ? 0 : ws.score(score);
        XmlElement expanded = ws.constraintTags.expandColocationTags(xml);
        if (expanded == Tags.INVALID) {
            return;
        }
        XmlElement obj = expanded != null ? expanded : xml;
        XmlElement last = null;
        for (XmlElement set : obj.children("resource_set")) {
            set = ws.rules.expand(set);
            if (set == null) {
                return;
            }
            unpackColocationSet(set, scoreI, id, influenceS);
            if (last != null) {
                colocateRscSets(id, last, set, scoreI, influenceS);
            }
            last = set;
        }
        if (last == null) {
            unpackSimple(xml, id, influenceS);
        }
    }

    private Resource setResource(String setId, XmlElement ref) {
        Resource r = ws.findConstraintResource(ref.get("id"));
        if (r == null) {
            ws.warn(setId + ": No resource found for " + ref.get("id"));
        }
        return r;
    }

    /** Follows {@code unpack_colocation_set()} in lib/pacemaker/pcmk_sched_colocation.c. */
    private void unpackColocationSet(XmlElement set, int score, String colocId, String influenceS) {
        String setId = set.get("id");
        String role = set.get("role");
        String ordering = set.get("ordering");
        int localScore = score;
        String scoreS = set.get("score");
        if (scoreS != null) {
            localScore = ws.score(scoreS);
        }
        if (localScore == 0) {
            return;
        }
        if (ordering == null) {
            ordering = "group";
        }
        Boolean seq = Util.toBoolean(set.get("sequential"));
        if (set.get("sequential") != null && seq != null && !seq) {
            return;
        }
        if (localScore > 0 && "group".equalsIgnoreCase(ordering)) {
            Resource with = null;
            for (XmlElement ref : set.children("resource_ref")) {
                Resource r = setResource(setId, ref);
                if (r == null) {
                    return;
                }
                if (with != null) {
                    newColocation(setId, null, localScore, r, with, role, role,
                        unpackInfluence(colocId, r, influenceS));
                }
                with = r;
            }
        } else if (localScore > 0) {
            Resource lastR = null;
            for (XmlElement ref : set.children("resource_ref")) {
                Resource r = setResource(setId, ref);
                if (r == null) {
                    return;
                }
                if (lastR != null) {
                    newColocation(setId, null, localScore, lastR, r, role, role,
                        unpackInfluence(colocId, lastR, influenceS));
                }
                lastR = r;
            }
        } else {
            List<XmlElement> refs = set.children("resource_ref");
            for (XmlElement ref : refs) {
                Resource r = setResource(setId, ref);
                if (r == null) {
                    return;
                }
                boolean influence = unpackInfluence(colocId, r, influenceS);
                for (XmlElement ref2 : refs) {
                    if (r.id.equalsIgnoreCase(ref2.get("id"))) {
                        break;
                    }
                    Resource with = setResource(setId, ref2);
                    if (with == null) {
                        return;
                    }
                    newColocation(setId, null, localScore, r, with, role, role, influence);
                }
            }
        }
    }

    /** Follows {@code colocate_rsc_sets()} in lib/pacemaker/pcmk_sched_colocation.c. */
    private void colocateRscSets(String id, XmlElement set1, XmlElement set2, int score, String influenceS) {
        String role1 = set1.get("role");
        String role2 = set2.get("role");
        if (score == 0) {
            return;
        }
        Resource rsc1 = null;
        Resource rsc2 = null;
        Boolean seq1 = Util.toBoolean(set1.get("sequential"));
        if (seq1 == null || seq1) {
            XmlElement first = set1.firstChild("resource_ref");
            if (first != null) {
                rsc1 = setResource(id, first);
                if (rsc1 == null) {
                    return;
                }
            }
        }
        Boolean seq2 = Util.toBoolean(set2.get("sequential"));
        if (seq2 == null || seq2) {
            List<XmlElement> refs = set2.children("resource_ref");
            String rid = refs.isEmpty() ? null : refs.get(refs.size() - 1).get("id");
            rsc2 = ws.findConstraintResource(rid);
            if (rsc2 == null) {
                ws.warn(id + ": No resource found for " + rid);
                return;
            }
        }
        if (rsc1 != null && rsc2 != null) {
            newColocation(id, null, score, rsc1, rsc2, role1, role2, unpackInfluence(id, rsc1, influenceS));
        } else if (rsc1 != null) {
            boolean influence = unpackInfluence(id, rsc1, influenceS);
            for (XmlElement ref : set2.children("resource_ref")) {
                Resource r2 = setResource(id, ref);
                if (r2 == null) {
                    return;
                }
                newColocation(id, null, score, rsc1, r2, role1, role2, influence);
            }
        } else if (rsc2 != null) {
            for (XmlElement ref : set1.children("resource_ref")) {
                Resource r1 = setResource(id, ref);
                if (r1 == null) {
                    return;
                }
                newColocation(id, null, score, r1, rsc2, role1, role2, unpackInfluence(id, r1, influenceS));
            }
        } else {
            for (XmlElement ref : set1.children("resource_ref")) {
                Resource r1 = setResource(id, ref);
                if (r1 == null) {
                    return;
                }
                boolean influence = unpackInfluence(id, r1, influenceS);
                for (XmlElement ref2 : set2.children("resource_ref")) {
                    Resource r2 = setResource(id, ref2);
                    if (r2 == null) {
                        return;
                    }
                    newColocation(id, null, score, r1, r2, role1, role2, influence);
                }
            }
        }
    }

    /** Follows {@code unpack_simple_colocation()} in lib/pacemaker/pcmk_sched_colocation.c. */
    private void unpackSimple(XmlElement xml, String id, String influenceS) {
        String score = xml.get("score");
        String depId = xml.get("rsc");
        String primId = xml.get("with-rsc");
        String depRole = xml.get("rsc-role");
        String primRole = xml.get("with-rsc-role");
        String attr = xml.get("node-attribute");
        String depInst = xml.get("rsc-instance");
        String primInst = xml.get("with-rsc-instance");
        Resource dependent = ws.findConstraintResource(depId);
        Resource primary = ws.findConstraintResource(primId);
        if (dependent == null) {
            ws.warn("Ignoring constraint '" + id + "' because resource '" + depId + "' does not exist");
            return;
        } else if (primary == null) {
            ws.warn("Ignoring constraint '" + id + "' because resource '" + primId + "' does not exist");
            return;
        } else if (depInst != null && !dependent.isClone()) {
            return;
        } else if (primInst != null && !primary.isClone()) {
            return;
        }
        if (depInst != null) {
            dependent = ((Clone) dependent).findInstance(depInst);
            if (dependent == null) {
                return;
            }
        }
        if (primInst != null) {
            primary = ((Clone) primary).findInstance(primInst);
            if (primary == null) {
                return;
            }
        }
        int scoreI = score == null ? 0 : ws.score(score);
        newColocation(id, attr, scoreI, dependent, primary, depRole, primRole,
            unpackInfluence(id, dependent, influenceS));
    }

    // ---------------------------------------------------------------- application

    static boolean hasInfluence(Colocation c, Resource rsc) {
        if (rsc == null) {
            rsc = c.primary;
        }
        if (c.dependent.is(Resource.ALLOW_REMOTE_REMOTES) && !rsc.is(Resource.FAILED) && rsc.runningOn.size() == 1) {
            return false;
        }
        return c.influence || rsc.runningOn.isEmpty();
    }

    /** Follows {@code pcmk__colocation_affects()} in lib/pacemaker/pcmk_sched_colocation.c. */
    Affects affects(Resource dependent, Resource primary, Colocation c, boolean preview) {
        if (!preview && primary.is(Resource.PROVISIONAL)) {
            return Affects.NOTHING;
        }
        if (c.dependentRole.ge(Role.UNPROMOTED) && dependent.parent != null
            && dependent.parent.is(Resource.PROMOTABLE) && !dependent.is(Resource.PROVISIONAL)) {
            return Affects.ROLE;
        }
        if (!preview && !dependent.is(Resource.PROVISIONAL)) {
            return Affects.NOTHING;
        }
        if (c.score > 0 && c.dependentRole != Role.UNKNOWN && c.dependentRole != dependent.nextRole) {
            return Affects.NOTHING;
        }
        if (c.score > 0 && c.primaryRole != Role.UNKNOWN && c.primaryRole != primary.nextRole) {
            return Affects.NOTHING;
        }
        if (c.score < 0 && c.dependentRole != Role.UNKNOWN && c.dependentRole == dependent.nextRole) {
            return Affects.NOTHING;
        }
        if (c.score < 0 && c.primaryRole != Role.UNKNOWN && c.primaryRole == primary.nextRole) {
            return Affects.NOTHING;
        }
        return Affects.LOCATION;
    }

    private static boolean attrEquals(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equalsIgnoreCase(b);
    }

    /** Follows {@code pcmk__apply_coloc_to_weights()} in lib/pacemaker/pcmk_sched_colocation.c. */
    void applyToWeights(Resource dependent, Resource primary, Colocation c) {
        String attribute = c.nodeAttribute != null ? c.nodeAttribute : "#id";
        String value = null;
        if (primary.allocatedTo != null) {
            value = primary.allocatedTo.node.attrs.get(attribute);
        } else if (c.score < 0) {
            return;
        }
        Map<Node, NodeScore> work = Locations.copyTable(dependent.allowedNodes);
        for (NodeScore ns : work.values()) {
            if (primary.allocatedTo == null) {
                ns.weight = Score.add(-c.score, ns.weight);
            } else if (attrEquals(ns.node.attrs.get(attribute), value)) {
                if (c.score < Score.INFINITY) {
                    ns.weight = Score.add(c.score, ns.weight);
                }
            } else if (c.score >= Score.INFINITY) {
                ns.weight = Score.add(-c.score, ns.weight);
            }
        }
        if (c.score <= -Score.INFINITY || c.score >= Score.INFINITY || Locations.anyAvailable(work)) {
            if (ws.trace != null) {
                for (NodeScore ns : work.values()) {
                    NodeScore before = dependent.allowedNodes.get(ns.node);
                    int delta = Math.max(-Score.INFINITY, Math.min(Score.INFINITY,
                        ns.weight - (before == null ? 0 : before.weight)));
                    if (delta != 0) {
                        ws.trace.add(dependent, ns.node, delta, "colocation " + c.id + " with " + primary.id
                            + (primary.allocatedTo == null ? " (not placed)" : " (placed on "
                            + primary.allocatedTo.node.uname + ")"));
                    }
                }
            }
            dependent.allowedNodes = work;
        }
    }

    /** Follows {@code pcmk__apply_coloc_to_priority()} in lib/pacemaker/pcmk_sched_colocation.c. */
    void applyToPriority(Resource dependent, Resource primary, Colocation c) {
        if (primary.allocatedTo == null || dependent.allocatedTo == null) {
            return;
        }
        String attribute = c.nodeAttribute != null ? c.nodeAttribute : "#id";
        String dv = dependent.allocatedTo.node.attrs.get(attribute);
        String pv = primary.allocatedTo.node.attrs.get(attribute);
        if (!attrEquals(dv, pv)) {
            if (c.score == Score.INFINITY && c.dependentRole == Role.PROMOTED) {
                dependent.priority = -Score.INFINITY;
            }
            return;
        }
        if (c.primaryRole != Role.UNKNOWN && c.primaryRole != primary.nextRole) {
            return;
        }
        int mult = c.dependentRole == Role.UNPROMOTED ? -1 : 1;
        dependent.priority = Score.add(mult * c.score, dependent.priority);
    }

    /** Follows {@code add_node_scores_matching_attr()} in lib/pacemaker/pcmk_sched_colocation.c. */
    private static void addNodeScoresMatchingAttr(Map<Node, NodeScore> nodes, Resource rsc, String attr,
                                                  float factor, boolean onlyPositive) {
        if (attr == null) {
            attr = "#uname";
        }
        // best_node_score_matching_attr() for every value at once: one pass over rsc's nodes, not one per node
        Map<String, Integer> bestByValue = new java.util.HashMap<>();
        int bestForNull = -Score.INFINITY;
        for (NodeScore ns : rsc.allowedNodes.values()) {
            if (!Locations.available(ns, false, false)) {
                continue;
            }
            String v = ns.node.attrs.get(attr);
            if (v == null) {
                bestForNull = Math.max(bestForNull, ns.weight);
            } else {
                bestByValue.merge(v.toLowerCase(java.util.Locale.ROOT), ns.weight, Math::max);
            }
        }
        for (NodeScore ns : nodes.values()) {
            String value = ns.node.attrs.get(attr);
            int score = value == null ? bestForNull
                : Math.max(-Score.INFINITY, bestByValue.getOrDefault(value.toLowerCase(java.util.Locale.ROOT),
                    -Score.INFINITY));
            if (factor < 0 && score < 0) {
                continue;
            }
            if (ns.weight == INFINITY_HACK) {
                continue;
            }
            float weightF = factor * score;
            int weight = (int) ((weightF < 0) ? (weightF - 0.5) : (weightF + 0.5));
            if (weight == 0 && score != 0) {
                if (factor > 0.0f) {
                    weight = 1;
                } else if (factor < 0.0f) {
                    weight = -1;
                }
            }
            int newScore = Score.add(weight, ns.weight);
            if (onlyPositive && newScore < 0 && ns.weight > 0) {
                ns.weight = INFINITY_HACK;
                continue;
            }
            if (onlyPositive && newScore < 0 && ns.weight == 0) {
                continue;
            }
            ns.weight = newScore;
        }
    }

    /**
     * pcmk__add_colocated_node_scores: merges {@code rsc}'s scores (scaled by {@code factor}) into {@code nodes}
     * (a fresh copy of rsc's allowed nodes when null), following further colocations. Returns the new table (or
     * the unchanged one).
     *
     * <p>Follows {@code pcmk__add_colocated_node_scores()} in lib/pacemaker/pcmk_sched_colocation.c.
     */
    Map<Node, NodeScore> addColocatedNodeScores(Resource rsc, String logId, Map<Node, NodeScore> nodes,
                                                String attr, float factor, int flags) {
        if (rsc.is(Resource.MERGING)) {
            return nodes;
        }
        rsc.set(Resource.MERGING);
        Map<Node, NodeScore> work;
        if (rsc.variant == Resource.Variant.GROUP) {
            if (rsc.children.isEmpty()) {
                rsc.clear(Resource.MERGING);
                return nodes;
            }
            Resource member = nodes == null ? ((Group) rsc).lastMember() : rsc.children.get(0);
            work = Locations.copyTable(nodes);
            work = addColocatedNodeScores(member, logId, work, attr, factor, flags);
        } else {
            if (nodes == null) {
                work = Locations.copyTable(rsc.allowedNodes);
            } else {
                work = Locations.copyTable(nodes);
                addNodeScoresMatchingAttr(work, rsc, attr, factor, (flags & SELECT_NONNEGATIVE) != 0);
            }
        }
        if (work == null) {
            rsc.clear(Resource.MERGING);
            return nodes;
        }
        if (Locations.anyAvailable(work)) {
            float multiplier = factor < 0.0f ? -1.0f : 1.0f;
            List<Colocation> list;
            if ((flags & SELECT_THIS_WITH) != 0) {
                list = rsc.thisWith;
            } else if (rsc.variant == Resource.Variant.GROUP) {
                list = ((Group) rsc).lastMember().withThis;
            } else {
                list = rsc.withThis;
            }
            for (Colocation c : new ArrayList<>(list)) {
                Resource other;
                if ((flags & SELECT_THIS_WITH) != 0) {
                    other = c.primary;
                } else if (!hasInfluence(c, null)) {
                    continue;
                } else {
                    other = c.dependent;
                }
                float f = multiplier * c.score / (float) Score.INFINITY;
                work = addColocatedNodeScores(other, logId, work, c.nodeAttribute, f, flags | SELECT_ACTIVE);
            }
        } else if ((flags & SELECT_ACTIVE) != 0) {
            rsc.clear(Resource.MERGING);
            return nodes;
        }
        if ((flags & SELECT_NONNEGATIVE) != 0) {
            for (NodeScore ns : work.values()) {
                if (ns.weight == INFINITY_HACK) {
                    ns.weight = 1;
                }
            }
        }
        rsc.clear(Resource.MERGING);
        return work;
    }

    /**
     * pcmk__colocated_resources (shared implementation). Follows {@code pcmk__colocated_resources()} in
     * lib/pacemaker/pcmk_sched_resource.c.
     */
    public List<Resource> colocatedResources(Resource rsc, Resource orig, List<Resource> acc) {
        if (orig == null) {
            orig = rsc;
        }
        if (rsc == null || acc.contains(rsc)) {
            return acc;
        }
        acc.add(rsc);
        for (Colocation c : new ArrayList<>(rsc.thisWith)) {
            Resource primary = c.primary;
            if (primary == orig) {
                continue;
            }
            if (c.score == Score.INFINITY && affects(rsc, primary, c, true) == Affects.LOCATION) {
                acc = primary.colocatedResources(orig, acc);
            }
        }
        for (Colocation c : new ArrayList<>(rsc.withThis)) {
            Resource dependent = c.dependent;
            if (dependent == orig) {
                continue;
            }
            if (rsc.isClone() && !dependent.isClone()) {
                continue;
            }
            if (c.score == Score.INFINITY && affects(dependent, rsc, c, true) == Affects.LOCATION) {
                acc = dependent.colocatedResources(orig, acc);
            }
        }
        return acc;
    }

    // ---------------------------------------------------------------- blocking

    /** Follows {@code mark_action_blocked()} in lib/pacemaker/pcmk_sched_colocation.c. */
    private void markActionBlocked(Resource rsc, String task, Resource reason) {
        String text = "colocation with " + reason.id;
        for (Action a : new ArrayList<>(rsc.actions)) {
            if (a.isRunnable() && a.task.equalsIgnoreCase(task)) {
                a.clear(Action.RUNNABLE);
                a.setReason(text, false);
                blockDependents(a);
                ws.orderings.updateActionForOrderings(a);
            }
        }
        for (Resource c : rsc.children) {
            markActionBlocked(c, task, reason);
        }
    }

    /** Follows {@code pcmk__block_colocation_dependents()} in lib/pacemaker/pcmk_sched_colocation.c. */
    void blockDependents(Action action) {
        if (action.isRunnable()) {
            return;
        }
        boolean isStart = "start".equals(action.task);
        if (!isStart && !"promote".equals(action.task)) {
            return;
        }
        Resource rsc = action.rsc.top();
        if (rsc.parent != null) {
            rsc = rsc.parent;
        }
        if (rsc.withThis.isEmpty()) {
            return;
        }
        for (Resource child : rsc.children) {
            Action childAction = WorkingSet.findFirstAction(child, action.task, null);
            if (childAction == null || childAction.isRunnable()) {
                return;
            }
        }
        for (Colocation c : new ArrayList<>(rsc.withThis)) {
            if (c.score < Score.INFINITY) {
                continue;
            }
            if (!isStart && c.primaryRole != Role.PROMOTED) {
                continue;
            }
            if (c.dependentRole == Role.PROMOTED) {
                markActionBlocked(c.dependent, "promote", action.rsc);
            } else {
                markActionBlocked(c.dependent, "start", action.rsc);
            }
        }
    }
}
