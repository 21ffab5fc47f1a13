package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Location;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.Output;

/**
 * A group: members placed together (colocated) and started in order (ordered), both by default.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_group.c.
 */
public final class Group extends Resource {

    public boolean ordered = true;
    public boolean colocated = true;

    /** Follows {@code colocate_with_group()} in lib/pacemaker/pcmk_sched_group.c. */
    public Group(WorkingSet ws) {
        super(ws, Variant.GROUP);
    }

    Resource lastMember() {
        return children.isEmpty() ? null : children.get(children.size() - 1);
    }

    /** Follows {@code expand_group_colocations()} in lib/pacemaker/pcmk_sched_group.c. */
    private void expandGroupColocations() {
        if (children.isEmpty()) {
            return;
        }
        Resource member = children.get(0);
        for (Colocation c : thisWith) {
            Colocations.addThisWith(member, c);
        }
        boolean anyUnmanaged = !member.is(MANAGED);
        for (int i = 1; i < children.size(); i++) {
            member = children.get(i);
            if (anyUnmanaged) {
                for (Colocation c : thisWith) {
                    if (c.score == Score.INFINITY) {
                        Colocations.addThisWith(member, c);
                    }
                }
            } else if (!member.is(MANAGED)) {
                anyUnmanaged = true;
            }
        }
        thisWith = new ArrayList<>();
        member = lastMember();
        for (Colocation c : withThis) {
            Colocations.addWithThis(member, c);
        }
        withThis = new ArrayList<>();
    }

    /** Follows {@code pcmk__group_assign()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public NodeScore assign(Node prefer) {
        if (!is(PROVISIONAL)) {
            return allocatedTo;
        }
        if (is(ALLOCATING)) {
            return null;
        }
        if (children.isEmpty()) {
            clear(PROVISIONAL);
            return null;
        }
        set(ALLOCATING);
        Resource first = children.get(0);
        role = first.role;
        expandGroupColocations();
        ws.scores.show(this, "pcmk__group_assign", allowedNodes);
        NodeScore firstAssigned = null;
        boolean firstDone = false;
        for (Resource member : children) {
            NodeScore n = member.assign(prefer);
            if (!firstDone) {
                firstAssigned = n;
                firstDone = n != null;
            }
        }
        setNextRole(first.nextRole, "first group member");
        clear(ALLOCATING | PROVISIONAL);
        if (!colocated) {
            return null;
        }
        return firstAssigned;
    }

    /** Follows {@code create_group_pseudo_op()} in lib/pacemaker/pcmk_sched_group.c. */
    private Action pseudoOp(String task) {
        Action op = ws.customAction(this, Util.opKey(id, task, 0), task, null, true, true);
        op.set(Action.PSEUDO | Action.RUNNABLE);
        return op;
    }

    /** Follows {@code pcmk__group_create_actions()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public void createActions() {
        for (Resource m : children) {
            m.createActions();
        }
        pseudoOp("start");
        pseudoOp("running");
        pseudoOp("stop");
        pseudoOp("stopped");
        if (Util.isTrue(meta.get("promotable"))) {
            pseudoOp("demote");
            pseudoOp("demoted");
            pseudoOp("promote");
            pseudoOp("promoted");
        }
    }

    /** Follows {@code pcmk__group_internal_constraints()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public void internalConstraints() {
        ws.orderResourceActions(this, "stop", this, "stopped", Ordering.RUNNABLE_LEFT);
        ws.orderResourceActions(this, "stopped", this, "start", Ordering.OPTIONAL);
        ws.orderResourceActions(this, "start", this, "running", Ordering.RUNNABLE_LEFT);
        boolean promotable = top().is(PROMOTABLE);
        Resource lastActive = null;
        Resource previous = null;
        for (Resource member : children) {
            int downFlags = Ordering.IMPLIES_FIRST_PRINTED;
            int postDownFlags = Ordering.IMPLIES_THEN_PRINTED;
            member.internalConstraints();
            if (previous == null) {
                if (ordered) {
                    downFlags |= Ordering.OPTIONAL;
                    postDownFlags = Ordering.IMPLIES_THEN;
                }
            } else if (colocated) {
                ws.colocations.newColocation("group:internal_colocation", null, Score.INFINITY, member, previous,
                    null, null, member.is(CRITICAL));
            }
            if (promotable) {
                ws.orderResourceActions(this, "demote", member, "demote", downFlags);
                ws.orderResourceActions(member, "demote", this, "demoted", postDownFlags);
                ws.orderResourceActions(member, "promote", this, "promoted",
                    Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN | Ordering.IMPLIES_THEN_PRINTED);
                ws.orderResourceActions(this, "promote", member, "promote", Ordering.IMPLIES_FIRST_PRINTED);
            }
            ws.orderResourceActions(this, "stop", member, "stop", downFlags);
            ws.orderResourceActions(member, "stop", this, "stopped", postDownFlags);
            ws.orderResourceActions(this, "start", member, "start", Ordering.IMPLIES_FIRST_PRINTED);
            ws.orderResourceActions(member, "start", this, "running",
                Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN | Ordering.IMPLIES_THEN_PRINTED);
            if (!ordered) {
                ws.orderResourceActions(this, "start", member, "start",
                    Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_FIRST_PRINTED);
                if (promotable) {
                    ws.orderResourceActions(this, "promote", member, "promote",
                        Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_FIRST_PRINTED);
                }
            } else if (previous == null) {
                ws.orderResourceActions(this, "start", member, "start", Ordering.NONE);
                if (promotable) {
                    ws.orderResourceActions(this, "promote", member, "promote", Ordering.NONE);
                }
            } else {
                ws.orderResourceActions(previous, "start", member, "start",
                    Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT);
                ws.orderResourceActions(member, "stop", previous, "stop", Ordering.OPTIONAL | Ordering.RESTART);
                if (promotable) {
                    ws.orderResourceActions(previous, "promote", member, "promote",
                        Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT);
                    ws.orderResourceActions(member, "demote", previous, "demote", Ordering.OPTIONAL);
                }
            }
            if (!member.runningOn.isEmpty()) {
                if (ordered && previous != null && previous.runningOn.isEmpty() && lastActive != null
                    && !lastActive.runningOn.isEmpty()) {
                    ws.orderResourceActions(member, "stop", lastActive, "stop", Ordering.OPTIONAL);
                }
                lastActive = member;
            }
            previous = member;
        }
    }

    /** Follows {@code pcmk__group_apply_coloc_score()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public void applyColocScore(Resource dependent, Resource primary, Colocation c, boolean forDependent) {
        if (forDependent) {
            if (dependent.children.isEmpty()) {
                return;
            }
            Group g = (Group) dependent;
            if (g.colocated) {
                Resource member = dependent.children.get(0);
                member.applyColocScore(member, primary, c, true);
                return;
            }
            if (c.score >= Score.INFINITY) {
                ws.warn(dependent.id + ": Cannot perform mandatory colocation between non-colocated group and "
                    + primary.id);
                return;
            }
            for (Resource member : dependent.children) {
                member.applyColocScore(member, primary, c, true);
            }
        } else {
            if (primary.is(PROVISIONAL)) {
                return;
            }
            Group g = (Group) primary;
            if (g.colocated) {
                Resource member;
                if (c.score >= Score.INFINITY) {
                    member = g.lastMember();
                } else {
                    member = primary.children.isEmpty() ? null : primary.children.get(0);
                }
                if (member == null) {
                    return;
                }
                member.applyColocScore(dependent, member, c, false);
                return;
            }
            if (c.score >= Score.INFINITY) {
                ws.warn(dependent.id + ": Cannot perform mandatory colocation with non-colocated group "
                    + primary.id);
                return;
            }
            for (Resource member : primary.children) {
                member.applyColocScore(dependent, member, c, false);
            }
        }
    }

    /** Follows {@code pcmk__group_action_flags()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public int actionFlags(Action action, Node node) {
        int flags = Action.OPTIONAL | Action.RUNNABLE | Action.PSEUDO;
        for (Resource member : action.rsc.children) {
            String task = Clone.complexTask(member, action.task);
            Action memberAction = WorkingSet.findFirstAction(member, task, node);
            if (memberAction != null) {
                int memberFlags = member.actionFlags(memberAction, node);
                if ((flags & Action.OPTIONAL) != 0 && (memberFlags & Action.OPTIONAL) == 0) {
                    flags &= ~Action.OPTIONAL;
                    action.clear(Action.OPTIONAL);
                }
                if (!task.equals(action.task) && (flags & Action.RUNNABLE) != 0
                    && (memberFlags & Action.RUNNABLE) == 0) {
                    flags &= ~Action.RUNNABLE;
                    action.clear(Action.RUNNABLE);
                }
            } else if (!"stop".equals(task) && !"demote".equals(task)) {
                flags &= ~Action.RUNNABLE;
            }
        }
        return flags;
    }

    /** Follows {@code pcmk__group_update_ordered_actions()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public int updateOrderedActions(Action first, Action then, Node node, int flags, int filter, int type) {
        int changed = ws.orderings.updateOrderedActions(first, then, node, flags, filter, type);
        for (Resource member : then.rsc.children) {
            Action memberAction = WorkingSet.findFirstAction(member, then.task, node);
            if (memberAction != null) {
                changed |= member.updateOrderedActions(first, memberAction, node, flags, filter, type);
            }
        }
        return changed;
    }

    /** Follows {@code pcmk__group_apply_location()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public void applyLocation(Location location) {
        List<NodeScore> orig = location.nodes;
        List<NodeScore> copy = new ArrayList<>();
        for (int i = orig.size() - 1; i >= 0; i--) { // pcmk__copy_node_list prepends
            NodeScore c = orig.get(i).copy();
            c.weight = 0;
            copy.add(c);
        }
        boolean resetScores = colocated;
        ws.locations.applyLocation(this, location);
        for (Resource member : children) {
            member.applyLocation(location);
            if (resetScores) {
                resetScores = false;
                location.nodes = copy;
            }
        }
        location.nodes = orig;
    }

    /** Follows {@code pcmk__group_colocated_resources()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public List<Resource> colocatedResources(Resource orig, List<Resource> acc) {
        if (orig == null) {
            orig = this;
        }
        if (colocated || (parent != null && parent.isClone())) {
            for (Resource m : children) {
                acc = m.colocatedResources(orig, acc);
            }
        } else if (!children.isEmpty()) {
            acc = children.get(0).colocatedResources(orig, acc);
        }
        return ws.colocations.colocatedResources(this, orig, acc);
    }

    /** Follows {@code pcmk__output_resource_actions()} in lib/pacemaker/pcmk_sched_resource.c. */
    @Override
    public void outputActions(Output out) {
        for (Resource c : children) {
            c.outputActions(out);
        }
    }

    /** Follows {@code pcmk__group_add_utilization()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public void addUtilization(Resource orig, List<Resource> all, Map<String, Integer> util) {
        if (!is(PROVISIONAL)) {
            return;
        }
        if (colocated || (parent != null && parent.isClone())) {
            for (Resource m : children) {
                if (m.is(PROVISIONAL) && !all.contains(m)) {
                    m.addUtilization(orig, all, util);
                }
            }
        } else if (!children.isEmpty()) {
            Resource m = children.get(0);
            if (m.is(PROVISIONAL) && !all.contains(m)) {
                m.addUtilization(orig, all, util);
            }
        }
    }

    /** Follows {@code pcmk__group_shutdown_lock()} in lib/pacemaker/pcmk_sched_group.c. */
    @Override
    public void shutdownLock() {
        for (Resource m : children) {
            m.shutdownLock();
        }
    }
}
