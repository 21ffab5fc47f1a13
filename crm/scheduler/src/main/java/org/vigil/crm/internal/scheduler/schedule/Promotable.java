package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Location;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Promotable clones (Pacemaker's pcmk_sched_promotable.c): promotion scores from {@code master-RSC} node
 * attributes, choosing which instances to promote (promoted-max, promoted-node-max, promoted-role location and
 * colocation preferences, tickets), and the promote/demote pseudo-actions and orderings of the clone.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_promotable.c.
 */
final class Promotable {

    /** Follows {@code pcmk__update_dependent_with_promotable()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private Promotable() {
    }

    // ---------------------------------------------------------------- promotion scores

    /** Follows {@code find_active_anon_instance()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static Resource findActiveAnonInstance(Clone clone, String id, Node node) {
        for (Resource child : clone.children) {
            Resource active = child.findRsc(id, node, Resource.FIND_CLONE | Resource.FIND_CURRENT);
            if (active != null) {
                return active;
            }
        }
        return null;
    }

    /** Follows {@code anonymous_known_on()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static boolean anonymousKnownOn(Clone clone, String id, Node node) {
        for (Resource child : clone.children) {
            Resource c = child.findRsc(id, null, Resource.FIND_CLONE);
            if (c != null && c.knownOn.contains(node)) {
                return true;
            }
        }
        return false;
    }

    /** Follows {@code is_allowed()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static boolean isAllowed(Resource rsc, Node node) {
        NodeScore a = rsc.allowedNodes.get(node);
        return a != null && a.weight >= 0;
    }

    /** Follows {@code promotion_score_applies()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static boolean scoreApplies(Resource rsc, Node node) {
        String id = WorkingSet.cloneStrip(rsc.id);
        Resource parent = rsc.top();
        if (!rsc.is(Resource.UNIQUE) && parent instanceof Clone clone) {
            Resource active = findActiveAnonInstance(clone, id, node);
            if (active == rsc) {
                return isAllowed(rsc, node);
            }
            if (active == null && anonymousKnownOn(clone, id, node)) {
                return isAllowed(rsc, node);
            }
        }
        if (rsc.runningOn.isEmpty() && rsc.knownOn.isEmpty()) {
            return isAllowed(rsc, node);
        }
        if (rsc.knownOn.contains(node) || rsc.runningOn.contains(node)) {
            return isAllowed(rsc, node);
        }
        return false;
    }

    /** Follows {@code promotion_attr_value()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static String attrValue(WorkingSet ws, Resource rsc, Node node, String name) {
        return ws.nodeAttributeCalculated(node, "master-" + name, rsc);
    }

    /**
     * promotion_score; {@code isDefault[0]} is set false when any score came from an attribute. Follows {@code
     * promotion_score()} in lib/pacemaker/pcmk_sched_promotable.c.
     */
    private static int promotionScore(WorkingSet ws, Resource rsc, Node node, boolean[] isDefault) {
        if (isDefault != null) {
            isDefault[0] = true;
        }
        if (!rsc.children.isEmpty()) {
            int score = 0;
            for (Resource child : rsc.children) {
                boolean[] cd = new boolean[1];
                int cs = promotionScore(ws, child, node, cd);
                if (!cd[0] && isDefault != null) {
                    isDefault[0] = false;
                }
                score += cs;
            }
            return score;
        }
        if (!scoreApplies(rsc, node)) {
            return 0;
        }
        String name = rsc.cloneName == null ? rsc.id : rsc.cloneName;
        String value = attrValue(ws, rsc, node, name);
        if (value == null && !rsc.is(Resource.UNIQUE)) {
            String base = WorkingSet.cloneStrip(rsc.id);
            if (!base.equals(rsc.id)) {
                value = attrValue(ws, rsc, node, base);
            }
        }
        if (value == null) {
            return 0;
        }
        if (isDefault != null) {
            isDefault[0] = false;
        }
        return ws.score(value);
    }

    /** Follows {@code pcmk__add_promotion_scores()} in lib/pacemaker/pcmk_sched_promotable.c. */
    static void addPromotionScores(WorkingSet ws, Clone clone) {
        if (clone.promotionAdded) {
            return;
        }
        clone.promotionAdded = true;
        for (Resource child : clone.children) {
            for (NodeScore ns : child.allowedNodes.values()) {
                if (!Locations.available(ns.node, false, false)) {
                    continue;
                }
                int score = promotionScore(ws, child, ns.node, null);
                if (score > 0) {
                    int newScore = Score.add(ns.weight, score);
                    if (newScore != ns.weight) {
                        ns.weight = newScore;
                    }
                }
                if (score > child.priority) {
                    child.priority = score;
                }
            }
        }
    }

    // ---------------------------------------------------------------- roles

    /** Follows {@code apply_promoted_locations()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static void applyPromotedLocations(Resource child, List<Location> locations, Node chosen) {
        for (Location l : locations) {
            NodeScore w = null;
            if (l.roleFilter == Role.PROMOTED) {
                for (NodeScore ns : l.nodes) {
                    if (ns.node.id.equalsIgnoreCase(chosen.id)) {
                        w = ns;
                        break;
                    }
                }
            }
            if (w != null) {
                child.priority = Score.add(child.priority, w.weight);
            }
        }
    }

    /** Follows {@code set_current_role_unpromoted()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static void setCurrentRoleUnpromoted(Resource rsc) {
        if (rsc.role == Role.STARTED) {
            rsc.role = Role.UNPROMOTED;
        }
        for (Resource c : rsc.children) {
            setCurrentRoleUnpromoted(c);
        }
    }

    /** Follows {@code set_next_role_unpromoted()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static void setNextRoleUnpromoted(Resource rsc) {
        List<Node> assigned = new ArrayList<>();
        rsc.location(assigned, 0);
        if (assigned.isEmpty()) {
            rsc.setNextRole(Role.STOPPED, "stopped instance");
        } else {
            rsc.setNextRole(Role.UNPROMOTED, "unpromoted instance");
        }
        for (Resource c : rsc.children) {
            setNextRoleUnpromoted(c);
        }
    }

    /** Follows {@code set_next_role_promoted()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static void setNextRolePromoted(Resource rsc) {
        if (rsc.nextRole == Role.UNKNOWN) {
            rsc.setNextRole(Role.PROMOTED, "promoted instance");
        }
        for (Resource c : rsc.children) {
            setNextRolePromoted(c);
        }
    }

    /** Follows {@code set_instance_priority()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static void setInstancePriority(WorkingSet ws, Resource instance, Clone clone) {
        if (instance.state(true) == Role.STARTED) {
            setCurrentRoleUnpromoted(instance);
        }
        List<Node> list = new ArrayList<>();
        Node chosen = instance.location(list, 0);
        if (chosen == null) {
            return;
        }
        Role next = instance.state(false);
        switch (next) {
            case STARTED, UNKNOWN -> {
                boolean[] isDefault = new boolean[1];
                instance.priority = promotionScore(ws, instance, chosen, isDefault);
                if (isDefault[0]) {
                    instance.priority = -1;
                }
            }
            case UNPROMOTED, STOPPED -> instance.priority = -Score.INFINITY;
            default -> {
            }
        }
        applyPromotedLocations(instance, instance.locations, chosen);
        applyPromotedLocations(instance, clone.locations, chosen);
        for (Colocation c : new ArrayList<>(instance.thisWith)) {
            instance.applyColocScore(instance, c.primary, c, true);
        }
        instance.sortIndex = instance.priority;
        if (next == Role.PROMOTED) {
            instance.sortIndex = Score.INFINITY;
        }
    }

    /** Follows {@code node_to_be_promoted_on()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static Node nodeToBePromotedOn(WorkingSet ws, Resource rsc) {
        Resource parent = rsc.top();
        for (Resource c : rsc.children) {
            if (nodeToBePromotedOn(ws, c) == null) {
                return null;
            }
        }
        Node node = rsc.location(null, 0);
        if (node == null) {
            return null;
        } else if (!rsc.is(Resource.MANAGED)) {
            if (rsc.state(true) != Role.PROMOTED) {
                return null;
            }
        } else if (rsc.priority < 0) {
            return null;
        } else if (!Locations.available(node, false, true)) {
            return null;
        }
        NodeScore local = parent.allowedNodes.get(node);
        if (local == null) {
            return null;
        } else if (local.count >= ((Clone) parent).promotedNodeMax && rsc.is(Resource.MANAGED)) {
            return null;
        }
        return node;
    }

    /** Follows {@code cmp_promotable_instance()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static int cmpPromotableInstance(WorkingSet ws, Resource a, Resource b) {
        if (a.sortIndex > b.sortIndex) {
            return -1;
        } else if (a.sortIndex < b.sortIndex) {
            return 1;
        }
        Role r1 = a.state(true);
        Role r2 = b.state(true);
        if (r1.gt(r2)) {
            return -1;
        } else if (r1.lt(r2)) {
            return 1;
        }
        return ws.clones.cmpInstance(a, b);
    }

    /** Follows {@code sort_promotable_instances()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static void sortPromotableInstances(WorkingSet ws, Clone clone) {
        if (clone.promotionConstrained) {
            return;
        }
        clone.promotionConstrained = true;
        clone.set(Resource.MERGING);
        for (Resource child : clone.children) {
            if (child.sortIndex < 0) {
                continue;
            }
            Node chosen = child.location(null, 0);
            if (chosen == null) {
                continue;
            }
            NodeScore n = clone.allowedNodes.get(chosen);
            if (n != null) {
                n.weight = Score.add(child.sortIndex, n.weight);
            }
        }
        for (Colocation c : new ArrayList<>(clone.thisWith)) {
            if (c.dependentRole != Role.PROMOTED) {
                continue;
            }
            int flags = c.score < Score.INFINITY ? Colocations.SELECT_ACTIVE : Colocations.SELECT_DEFAULT;
            clone.allowedNodes = ws.colocations.addColocatedNodeScores(c.primary, clone.id, clone.allowedNodes,
                c.nodeAttribute, c.score / (float) Score.INFINITY, flags);
        }
        for (Colocation c : new ArrayList<>(clone.withThis)) {
            if (c.primaryRole != Role.PROMOTED || !Colocations.hasInfluence(c, null)) {
                continue;
            }
            clone.allowedNodes = ws.colocations.addColocatedNodeScores(c.dependent, clone.id, clone.allowedNodes,
                c.nodeAttribute, c.score / (float) Score.INFINITY,
                Colocations.SELECT_ACTIVE | Colocations.SELECT_NONNEGATIVE);
        }
        Tickets.requirePromotionTickets(ws, clone);
        for (Resource child : clone.children) {
            Node chosen = child.location(null, 0);
            if (!child.is(Resource.MANAGED) && child.nextRole == Role.PROMOTED) {
                child.sortIndex = Score.INFINITY;
            } else if (chosen == null || child.sortIndex < 0) {
                // keep
            } else {
                NodeScore n = clone.allowedNodes.get(chosen);
                if (n != null) {
                    child.sortIndex = n.weight;
                }
            }
        }
        List<Resource> sorted = Clone.mergeSort(clone.children, (a, b) -> cmpPromotableInstance(ws, a, b));
        clone.children.clear();
        clone.children.addAll(sorted);
        clone.clear(Resource.MERGING);
    }

    /** Follows {@code set_instance_role()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static void setInstanceRole(WorkingSet ws, Resource instance, int[] count) {
        Clone clone = (Clone) instance.top();
        Node chosen = null;
        ws.scores.promotion(instance, instance.location(null, 0), instance.sortIndex);
        if (instance.sortIndex < 0) {
            // can't be promoted
        } else if (count[0] < clone.promotedMax || !clone.is(Resource.MANAGED)) {
            chosen = nodeToBePromotedOn(ws, instance);
        }
        if (chosen == null) {
            setNextRoleUnpromoted(instance);
            return;
        }
        if (instance.role.lt(Role.PROMOTED) && !ws.is(WorkingSet.HAVE_QUORUM)
            && ws.noQuorumPolicy == WorkingSet.NoQuorum.FREEZE) {
            setNextRoleUnpromoted(instance);
            return;
        }
        clone.allowedNodes.get(chosen).count++;
        setNextRolePromoted(instance);
        count[0]++;
    }

    /** Follows {@code pcmk__set_instance_roles()} in lib/pacemaker/pcmk_sched_promotable.c. */
    static void setInstanceRoles(WorkingSet ws, Clone clone) {
        for (NodeScore ns : clone.allowedNodes.values()) {
            ns.count = 0;
        }
        for (Resource child : new ArrayList<>(clone.children)) {
            setInstancePriority(ws, child, clone);
        }
        sortPromotableInstances(ws, clone);
        int[] promoted = new int[1];
        for (Resource child : new ArrayList<>(clone.children)) {
            setInstanceRole(ws, child, promoted);
        }
    }

    // ---------------------------------------------------------------- actions

    /** Follows {@code check_for_role_change()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static boolean[] checkForRoleChange(Resource rsc, boolean[] st) {
        // st = {demoting, promoting}
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                checkForRoleChange(c, st);
            }
            return st;
        }
        for (int i = rsc.actions.size() - 1; i >= 0; i--) {
            Action a = rsc.actions.get(i);
            if (st[0] && st[1]) {
                return st;
            } else if (a.isOptional()) {
                continue;
            } else if ("demote".equals(a.task)) {
                st[0] = true;
            } else if ("promote".equals(a.task)) {
                st[1] = true;
            }
        }
        return st;
    }

    /** Follows {@code pcmk__create_promotable_actions()} in lib/pacemaker/pcmk_sched_promotable.c. */
    static void createActions(WorkingSet ws, Clone clone) {
        boolean[] st = new boolean[2];
        for (Resource instance : clone.children) {
            // instance actions were created by the clone already; only look for role changes
            checkForRoleChange(instance, st);
        }
        createPseudoOps(ws, clone, st[1], st[0]);
        for (Resource instance : clone.children) {
            instance.priority = clone.priority;
        }
    }

    /** Follows {@code pe__create_promotable_pseudo_ops()} in lib/pengine/clone.c. */
    static void createPseudoOps(WorkingSet ws, Clone clone, boolean anyPromoting, boolean anyDemoting) {
        Action action = ws.newRscPseudoAction(clone, "promote", !anyPromoting, true);
        Action complete = ws.newRscPseudoAction(clone, "promoted", !anyPromoting, true);
        complete.priority = Score.INFINITY;
        if (clone.promoteNotify == null) {
            clone.promoteNotify = Notifications.cloneNotifPseudoOps(ws, clone, "promote", action, complete);
        }
        action = ws.newRscPseudoAction(clone, "demote", !anyDemoting, true);
        complete = ws.newRscPseudoAction(clone, "demoted", !anyDemoting, true);
        complete.priority = Score.INFINITY;
        if (clone.demoteNotify == null) {
            clone.demoteNotify = Notifications.cloneNotifPseudoOps(ws, clone, "demote", action, complete);
            if (clone.promoteNotify != null) {
                ws.orderActions(clone.stopNotify.postDone, clone.promoteNotify.pre, Ordering.OPTIONAL);
                ws.orderActions(clone.startNotify.postDone, clone.promoteNotify.pre, Ordering.OPTIONAL);
                ws.orderActions(clone.demoteNotify.postDone, clone.promoteNotify.pre, Ordering.OPTIONAL);
                ws.orderActions(clone.demoteNotify.postDone, clone.startNotify.pre, Ordering.OPTIONAL);
                ws.orderActions(clone.demoteNotify.postDone, clone.stopNotify.pre, Ordering.OPTIONAL);
            }
        }
    }

    /** Follows {@code pcmk__order_promotable_instances()} in lib/pacemaker/pcmk_sched_promotable.c. */
    static void orderPromotableInstances(WorkingSet ws, Clone clone) {
        ws.orderings.promotableRestartOrdering(clone);
        Resource previous = null;
        for (Resource instance : clone.children) {
            ws.orderResourceActions(instance, "demote", instance, "promote", Ordering.OPTIONAL);
            ws.orderResourceActions(clone, "promote", instance, "promote", Ordering.OPTIONAL);
            ws.orderResourceActions(instance, "promote", clone, "promoted", Ordering.OPTIONAL);
            if (previous != null && clone.ordered) {
                ws.orderResourceActions(previous, "promote", instance, "promote", Ordering.OPTIONAL);
            }
            ws.orderResourceActions(clone, "demote", instance, "demote", Ordering.IMPLIES_FIRST_PRINTED);
            ws.orderResourceActions(instance, "demote", clone, "demoted", Ordering.IMPLIES_THEN_PRINTED);
            if (previous != null && clone.ordered) {
                ws.orderResourceActions(instance, "demote", previous, "demote", Ordering.OPTIONAL);
            }
            previous = instance;
        }
    }

    // ---------------------------------------------------------------- colocation with promotable clones

    /** Follows {@code update_dependent_allowed_nodes()} in lib/pacemaker/pcmk_sched_promotable.c. */
    private static void updateDependentAllowedNodes(Resource dependent, Node primaryNode, Colocation c) {
        if (c.score >= Score.INFINITY) {
            return;
        }
        String attr = c.nodeAttribute == null ? "#uname" : c.nodeAttribute;
        String pv = primaryNode.attrs.get(attr);
        for (NodeScore ns : dependent.allowedNodes.values()) {
            String dv = ns.node.attrs.get(attr);
            if (pv == null ? dv == null : pv.equalsIgnoreCase(dv)) {
                ns.weight = Score.add(ns.weight, c.score);
            }
        }
    }

    /**
     * The allocated node entry of a (possibly collective) resource when it is on exactly one node. Follows {@code
     * promotion_score()} in lib/pacemaker/pcmk_sched_promotable.c.
     */
    static NodeScore allocatedScore(Resource r) {
        List<NodeScore> found = new ArrayList<>();
        collectAllocated(r, found);
        return found.size() == 1 ? found.get(0) : null;
    }

    private static void collectAllocated(Resource r, List<NodeScore> found) {
        if (!r.children.isEmpty()) {
            for (Resource c : r.children) {
                collectAllocated(c, found);
            }
        } else if (r.allocatedTo != null) {
            for (NodeScore f : found) {
                if (f.node == r.allocatedTo.node) {
                    return;
                }
            }
            found.add(r.allocatedTo);
        }
    }

    /** Follows {@code pcmk__update_dependent_with_promotable()} in lib/pacemaker/pcmk_sched_promotable.c. */
    static void updateDependentWithPromotable(WorkingSet ws, Resource primary, Resource dependent, Colocation c) {
        List<NodeScore> affected = new ArrayList<>();
        for (Resource instance : primary.children) {
            NodeScore node = allocatedScore(instance);
            if (node == null) {
                continue;
            }
            if (instance.state(false) == c.primaryRole) {
                updateDependentAllowedNodes(dependent, node.node, c);
                affected.add(0, node);
            }
        }
        if (c.score >= Score.INFINITY && (c.dependentRole != Role.PROMOTED || c.primaryRole != Role.PROMOTED)) {
            for (NodeScore ns : dependent.allowedNodes.values()) {
                NodeScore other = null;
                for (NodeScore n : affected) {
                    if (n.node == ns.node) {
                        other = n;
                        break;
                    }
                }
                if (other == null) {
                    ns.weight = -Score.INFINITY;
                } else {
                    ns.weight = Score.add(ns.weight, other.weight);
                }
            }
            for (NodeScore n : affected) {
                if (!dependent.allowedNodes.containsKey(n.node)) {
                    NodeScore c2 = n.copy();
                    c2.weight = -Score.INFINITY;
                    dependent.allowedNodes.put(n.node, c2);
                }
            }
        }
    }

    /** Follows {@code pcmk__update_promotable_dependent_priority()} in lib/pacemaker/pcmk_sched_promotable.c. */
    static void updatePromotableDependentPriority(WorkingSet ws, Resource primary, Resource dependent,
                                                  Colocation c) {
        Resource primaryInstance = Clone.findCompatibleChild(ws, dependent, primary, c.primaryRole, false);
        if (primaryInstance != null) {
            dependent.priority = Score.add(dependent.priority, c.score);
        } else if (c.score >= Score.INFINITY) {
            dependent.priority = -Score.INFINITY;
        }
    }
}
