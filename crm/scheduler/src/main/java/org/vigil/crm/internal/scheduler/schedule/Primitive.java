package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.Output;
import org.vigil.crm.internal.scheduler.unpack.ActionConfig;

/**
 * A primitive resource: one agent instance. Placement, actions and constraints for a single resource.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_primitive.c (the primitive's {@code resource_alloc_functions_t} entries).
 */
public final class Primitive extends Resource {

    public Primitive(WorkingSet ws) {
        super(ws, Variant.PRIMITIVE);
    }

    /** The next role on the way from one role to a target role (rsc_state_matrix). */
    static Role nextStep(Role current, Role target) {
        switch (current) {
            case UNKNOWN:
                return target == Role.UNKNOWN ? Role.UNKNOWN : Role.STOPPED;
            case STOPPED:
                switch (target) {
                    case UNKNOWN, STOPPED:
                        return Role.STOPPED;
                    case STARTED:
                        return Role.STARTED;
                    default:
                        return Role.UNPROMOTED;
                }
            case STARTED:
                switch (target) {
                    case UNKNOWN, STOPPED:
                        return Role.STOPPED;
                    case STARTED:
                        return Role.STARTED;
                    case UNPROMOTED:
                        return Role.UNPROMOTED;
                    default:
                        return Role.PROMOTED;
                }
            case UNPROMOTED:
                switch (target) {
                    case UNKNOWN, STOPPED, STARTED:
                        return Role.STOPPED;
                    case UNPROMOTED:
                        return Role.UNPROMOTED;
                    default:
                        return Role.PROMOTED;
                }
            default: // PROMOTED
                switch (target) {
                    case UNKNOWN:
                        return Role.STOPPED;
                    case PROMOTED:
                        return Role.PROMOTED;
                    default:
                        return Role.UNPROMOTED;
                }
        }
    }

    private enum Step { NONE, STOP, START, PROMOTE, DEMOTE, ERROR }

    /** The function needed to go directly between two roles (rsc_action_matrix). */
    private static Step transition(Role from, Role to) {
        switch (from) {
            case UNKNOWN:
                return to == Role.STOPPED ? Step.STOP : Step.ERROR;
            case STOPPED:
                switch (to) {
                    case STOPPED:
                        return Step.NONE;
                    case STARTED, UNPROMOTED:
                        return Step.START;
                    default:
                        return Step.ERROR;
                }
            case STARTED:
                switch (to) {
                    case STOPPED:
                        return Step.STOP;
                    case STARTED, UNPROMOTED:
                        return Step.NONE;
                    case PROMOTED:
                        return Step.PROMOTE;
                    default:
                        return Step.ERROR;
                }
            case UNPROMOTED:
                switch (to) {
                    case STOPPED, STARTED:
                        return Step.STOP;
                    case UNPROMOTED:
                        return Step.NONE;
                    case PROMOTED:
                        return Step.PROMOTE;
                    default:
                        return Step.ERROR;
                }
            default:
                switch (to) {
                    case STOPPED, STARTED, UNPROMOTED:
                        return Step.DEMOTE;
                    case PROMOTED:
                        return Step.NONE;
                    default:
                        return Step.ERROR;
                }
        }
    }

    private boolean apply(Step s, Node node, boolean optional) {
        switch (s) {
            case STOP -> stopResource(node, optional);
            case START -> startResource(node, optional);
            case PROMOTE -> promoteResource(node, optional);
            case DEMOTE -> demoteResource(node, optional);
            case NONE -> {
                return false;
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- assignment

    /** Follows {@code sorted_allowed_nodes()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private List<NodeScore> sortedAllowedNodes() {
        List<NodeScore> nodes = new ArrayList<>(allowedNodes.values());
        ws.locations.sortNodes(nodes, currentNode());
        return nodes;
    }

    /** Follows {@code assign_best_node()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private boolean assignBestNode(Node prefer) {
        Node mostFree = ws.utilizationEngine.banInsufficientCapacity(this);
        if (prefer == null) {
            prefer = mostFree;
        }
        if (!is(PROVISIONAL)) {
            return allocatedTo != null;
        }
        List<NodeScore> nodes = sortedAllowedNodes();
        NodeScore best = nodes.isEmpty() ? null : nodes.get(0);
        NodeScore chosen = null;
        if (prefer != null && !nodes.isEmpty()) {
            chosen = allowedNodes.get(prefer);
            if (chosen == null) {
                // not allowed
            } else if (chosen.weight < best.weight) {
                chosen = null;
            } else if (!Locations.available(chosen, true, false)) {
                chosen = null;
            }
        }
        if (chosen == null && best != null) {
            chosen = best;
            if (!(parent != null && parent.isUniqueClone()) && chosen.weight > 0
                && Locations.available(chosen, false, false)) {
                Node running = currentNode();
                if (running == null) {
                    // nothing
                } else if (!Locations.available(running, true, false)) {
                    // cannot stay
                } else {
                    for (int i = 1; i < nodes.size(); i++) {
                        NodeScore allowed = nodes.get(i);
                        if (allowed.weight != chosen.weight) {
                            break;
                        }
                        if (allowed.node == running) {
                            chosen = allowed;
                        }
                    }
                }
            }
        }
        return ws.locations.finalizeAssignment(this, chosen, false);
    }

    /** Follows {@code apply_this_with()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void applyThisWith(Colocation c) {
        Map<Node, NodeScore> archive = null;
        Resource other = c.primary;
        if (c.dependentRole.ge(Role.PROMOTED) || (c.score < 0 && c.score > -Score.INFINITY)) {
            archive = Locations.copyTable(allowedNodes);
        }
        other.assign(null);
        this.applyColocScore(this, other, c, true);
        if (archive != null && !Locations.anyAvailable(allowedNodes)) {
            allowedNodes = archive;
        }
    }

    /** Follows {@code apply_with_this()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void applyWithThis(Colocation c) {
        Resource other = c.dependent;
        float factor = c.score / (float) Score.INFINITY;
        if (!Colocations.hasInfluence(c, null)) {
            return;
        }
        allowedNodes = ws.colocations.addColocatedNodeScores(other, id, allowedNodes, c.nodeAttribute, factor,
            Colocations.SELECT_ACTIVE);
    }

    /** Follows {@code remote_connection_assigned()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void remoteConnectionAssigned() {
        Node remote = ws.findNode(id);
        if (remote == null) {
            return;
        }
        if (allocatedTo != null && nextRole != Role.STOPPED) {
            remote.online = true;
            if (remote.unseen) {
                remote.unclean = false;
            }
        } else {
            remote.shutdown = true;
        }
    }

    /** Follows {@code pcmk__primitive_assign()} in lib/pacemaker/pcmk_sched_primitive.c. */
    @Override
    public NodeScore assign(Node prefer) {
        if (parent != null && !parent.is(ALLOCATING)) {
            parent.assign(prefer);
        }
        if (!is(PROVISIONAL)) {
            return allocatedTo;
        }
        if (is(ALLOCATING)) {
            return null;
        }
        set(ALLOCATING);
        for (Colocation c : new ArrayList<>(thisWith)) {
            applyThisWith(c);
        }
        for (Colocation c : new ArrayList<>(withThis)) {
            applyWithThis(c);
        }
        if (nextRole == Role.STOPPED) {
            ws.resourceLocation(this, null, -Score.INFINITY, "target-role");
        } else if (nextRole.gt(role) && !ws.is(WorkingSet.HAVE_QUORUM)
            && ws.noQuorumPolicy == WorkingSet.NoQuorum.FREEZE) {
            setNextRole(role, "no-quorum-policy=freeze");
        }
        ws.scores.show(this, "pcmk__primitive_assign", allowedNodes);
        if (ws.is(WorkingSet.STONITH_ENABLED) && !ws.is(WorkingSet.HAVE_STONITH_RESOURCE)) {
            clear(MANAGED);
        }
        if (!is(MANAGED)) {
            setNextRole(role, "unmanaged");
            Node assignTo = currentNode();
            ws.locations.finalizeAssignment(this, assignTo == null ? null : scoreFor(assignTo), true);
        } else if (ws.is(WorkingSet.STOP_EVERYTHING)) {
            ws.locations.finalizeAssignment(this, null, true);
        } else if (is(PROVISIONAL) && assignBestNode(prefer)) {
            // assigned
        }
        clear(ALLOCATING);
        if (isRemoteNode) {
            remoteConnectionAssigned();
        }
        return allocatedTo;
    }

    /** A score entry for a node: the allowed-node entry when present, else the node list's. */
    NodeScore scoreFor(Node n) {
        NodeScore s = allowedNodes.get(n);
        return s != null ? s : n.copy();
    }

    // ---------------------------------------------------------------- actions

    /** Follows {@code schedule_restart_actions()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void scheduleRestartActions(Node current, boolean needStop, boolean needPromote) {
        Role r = role;
        set(RESTARTING);
        while (r != Role.STOPPED) {
            Role next = nextStep(r, Role.STOPPED);
            Step s = transition(r, next);
            if (!apply(s, current, !needStop)) {
                break;
            }
            r = next;
        }
        while (role.le(nextRole) && r != role && !is(BLOCK)) {
            boolean required = needStop;
            Role next = nextStep(r, role);
            if (next == Role.PROMOTED && needPromote) {
                required = true;
            }
            Step s = transition(r, next);
            if (!apply(s, allocatedTo == null ? null : allocatedTo.node, !required)) {
                break;
            }
            r = next;
        }
        clear(RESTARTING);
    }

    /** Follows {@code schedule_role_transition_actions()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void scheduleRoleTransitionActions() {
        Role r = role;
        while (r != nextRole) {
            Role next = nextStep(r, nextRole);
            Step s = transition(r, next);
            if (!apply(s, allocatedTo == null ? null : allocatedTo.node, false)) {
                break;
            }
            r = next;
        }
    }

    /** Follows {@code pcmk__primitive_create_actions()} in lib/pacemaker/pcmk_sched_primitive.c. */
    @Override
    public void createActions() {
        boolean needStop = false;
        boolean needPromote = false;
        boolean isMoving = false;
        boolean allowMigrate = false;
        boolean multiplyActive;
        if (nextRole == Role.UNKNOWN) {
            setNextRole(allocatedTo == null ? Role.STOPPED : Role.STARTED, "assignment");
        }
        int[] counts = new int[2];
        Node current = findActiveOn(counts);
        int numAll = counts[0];
        int numClean = counts[1];
        for (Node dangling : new ArrayList<>(danglingMigrations)) {
            Migration.abortDanglingMigration(ws, this, dangling);
        }
        if (current != null && allocatedTo != null && current != allocatedTo.node && nextRole.ge(Role.STARTED)) {
            isMoving = true;
            allowMigrate = Migration.canMigrate(this, current);
            needStop = true;
        }
        if (partialMigrationSource != null && partialMigrationTarget != null && allowMigrate && numAll == 2
            && current == partialMigrationSource && allocatedTo != null
            && allocatedTo.node == partialMigrationTarget) {
            multiplyActive = false;
        } else if (partialMigrationSource != null || partialMigrationTarget != null) {
            needStop = true;
            partialMigrationSource = null;
            partialMigrationTarget = null;
            allowMigrate = false;
            multiplyActive = false;
        } else if (is(NEEDS_FENCING)) {
            multiplyActive = numAll > 1;
        } else {
            multiplyActive = numClean > 1;
        }
        if (multiplyActive) {
            ws.warn(agentClass() + " resource " + id + " might be active on " + numAll + " nodes");
            switch (recoveryType) {
                case STOP_START -> needStop = true;
                case STOP_UNEXPECTED -> {
                    needStop = true;
                    set(STOP_UNEXPECTED);
                }
                default -> {
                }
            }
        } else {
            clear(STOP_UNEXPECTED);
        }
        if (is(START_PENDING)) {
            Action start = ws.startAction(this, allocatedTo == null ? null : allocatedTo.node, true);
            start.set(Action.PRINT_ALWAYS);
        }
        if (isMoving) {
            // remaining checks only for resources staying put
        } else if (is(FAILED)) {
            if (is(STOP)) {
                needStop = true;
            } else if (nextRole == Role.PROMOTED) {
                needPromote = true;
            }
        } else if (is(BLOCK)) {
            needStop = true;
        } else if (role.gt(Role.STARTED) && current != null && allocatedTo != null) {
            Action start = ws.startAction(this, allocatedTo.node, true);
            if (!start.isOptional()) {
                needStop = true;
            }
        }
        scheduleRestartActions(current, needStop, needPromote);
        scheduleRoleTransitionActions();
        ws.recurring.createRecurringActions(this);
        if (allowMigrate) {
            Migration.createMigrationActions(ws, this, current);
        }
    }

    /** Follows {@code is_expected_node()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private boolean isExpectedNode(Node node) {
        return all(STOP_UNEXPECTED | RESTARTING) && nextRole.gt(Role.STOPPED) && allocatedTo != null
            && allocatedTo.node == node;
    }

    /** Follows {@code stop_resource()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void stopResource(Node ignored, boolean optional) {
        for (Node current : new ArrayList<>(runningOn)) {
            if (isExpectedNode(current)) {
                continue;
            }
            boolean opt = optional;
            if (partialMigrationTarget != null) {
                if (current == partialMigrationTarget && allocatedTo != null && current == allocatedTo.node) {
                    continue;
                } else {
                    opt = false;
                }
            }
            Action stop = ws.stopAction(this, current, opt);
            if (allocatedTo == null) {
                stop.setReason("node availability", true);
            } else if (all(RESTARTING | STOP_UNEXPECTED)) {
                stop.setReason("being multiply active", true);
            }
            if (!is(MANAGED)) {
                stop.clear(Action.RUNNABLE);
            }
            if (ws.is(WorkingSet.REMOVE_AFTER_STOP)) {
                scheduleCleanup(ws, this, current, opt);
            }
            if (is(NEEDS_UNFENCING)) {
                Action unfence = ws.fenceOp(current, "on", true, null, false);
                ws.orderActions(stop, unfence, Ordering.IMPLIES_FIRST);
            }
        }
    }

    /** Follows {@code start_resource()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void startResource(Node node, boolean optional) {
        if (node == null) {
            return;
        }
        Action start = ws.startAction(this, node, true);
        Fencing.orderVsUnfence(ws, this, node, start, Ordering.IMPLIES_THEN);
        if (start.isRunnable() && !optional) {
            start.clear(Action.OPTIONAL);
        }
        if (isExpectedNode(node)) {
            start.set(Action.PSEUDO);
        }
    }

    /** Follows {@code promote_resource()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void promoteResource(Node node, boolean optional) {
        if (node == null) {
            return;
        }
        boolean runnable = true;
        for (Action start : WorkingSet.resourceActions(this, node, "start", true)) {
            if (!start.isRunnable()) {
                runnable = false;
            }
        }
        if (runnable) {
            Action promote = ws.promoteAction(this, node, optional);
            if (isExpectedNode(node)) {
                promote.set(Action.PSEUDO);
            }
        } else {
            for (Action promote : WorkingSet.resourceActions(this, node, "promote", true)) {
                promote.clear(Action.RUNNABLE);
            }
        }
    }

    /** Follows {@code demote_resource()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private void demoteResource(Node ignored, boolean optional) {
        for (Node current : new ArrayList<>(runningOn)) {
            if (!isExpectedNode(current)) {
                ws.demoteAction(this, current, optional);
            }
        }
    }

    /** Follows {@code pcmk__schedule_cleanup()} in lib/pacemaker/pcmk_sched_primitive.c. */
    static void scheduleCleanup(WorkingSet ws, Resource rsc, Node node, boolean optional) {
        int flag = optional ? Ordering.IMPLIES_THEN : Ordering.OPTIONAL;
        if (rsc.is(FAILED) || node.unclean || !node.online) {
            return;
        }
        ws.deleteAction(rsc, node, optional);
        ws.orderResourceActions(rsc, "stop", rsc, "delete", flag);
        ws.orderResourceActions(rsc, "delete", rsc, "start", flag);
    }

    // ---------------------------------------------------------------- constraints

    /** Follows {@code pcmk__primitive_internal_constraints()} in lib/pacemaker/pcmk_sched_primitive.c. */
    @Override
    public void internalConstraints() {
        if (!is(MANAGED)) {
            return;
        }
        Resource top = top();
        boolean checkUnfencing = !is(FENCE_DEVICE) && ws.is(WorkingSet.ENABLE_UNFENCING) && is(NEEDS_UNFENCING);
        boolean checkUtilization = !utilization.isEmpty() && !"default".equalsIgnoreCase(ws.placementStrategy);

        ws.newOrdering(this, Util.opKey(id, "stop", 0), null, this, Util.opKey(id, "start", 0), null,
            Ordering.OPTIONAL | Ordering.IMPLIES_THEN | Ordering.RESTART);
        if (top.is(PROMOTABLE) || role.gt(Role.UNPROMOTED)) {
            ws.newOrdering(this, Util.opKey(id, "demote", 0), null, this, Util.opKey(id, "stop", 0), null,
                Ordering.PROMOTED_IMPLIES_FIRST);
            ws.newOrdering(this, Util.opKey(id, "start", 0), null, this, Util.opKey(id, "promote", 0), null,
                Ordering.RUNNABLE_LEFT);
        }
        ws.newOrdering(this, Util.opKey(id, "lrm_delete", 0), null, this, Util.opKey(id, "monitor", 0), null,
            Ordering.SAME_NODE | Ordering.THEN_CANCELS_FIRST);

        List<NodeScore> allowed = null;
        if (checkUnfencing || checkUtilization || container != null) {
            allowed = new ArrayList<>(allowedNodes.values());
            allowed.sort((a, b) -> Util.numericCompare(a.node.uname, b.node.uname));
        }
        if (checkUnfencing) {
            for (NodeScore ns : allowed) {
                Fencing.orderRestartVsUnfence(ws, this, ns.node);
            }
        }
        if (checkUtilization) {
            ws.utilizationEngine.createUtilizationConstraints(this, allowed);
        }
        if (container != null) {
            Resource remoteRsc = null;
            if (isRemoteNode) {
                if (!is(ALLOW_REMOTE_REMOTES)) {
                    avoidRemoteNodes(container);
                }
                ws.orderResourceActions(container, "monitor", this, "stop", Ordering.OPTIONAL);
            } else if (container.isRemoteNode) {
                remoteRsc = container;
            } else {
                remoteRsc = Remote.resourceContainsGuestNode(ws, container);
            }
            if (remoteRsc != null) {
                for (NodeScore ns : allowed) {
                    if (ns.node.remoteRsc != remoteRsc) {
                        ns.weight = -Score.INFINITY;
                    }
                }
            } else {
                ws.newOrdering(container, Util.opKey(container.id, "start", 0), null, this,
                    Util.opKey(id, "start", 0), null, Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT);
                ws.newOrdering(this, Util.opKey(id, "stop", 0), null, container,
                    Util.opKey(container.id, "stop", 0), null, Ordering.IMPLIES_FIRST);
                int score = is(ALLOW_REMOTE_REMOTES) ? 10000 : Score.INFINITY;
                ws.colocations.newColocation("resource-with-container", null, score, this, container, null, null,
                    true);
            }
        }
        if (isRemoteNode || is(FENCE_DEVICE)) {
            avoidRemoteNodes(this);
        }
    }

    /** Follows {@code rsc_avoids_remote_nodes()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private static void avoidRemoteNodes(Resource rsc) {
        for (NodeScore ns : rsc.allowedNodes.values()) {
            if (ns.node.remoteRsc != null) {
                ns.weight = -Score.INFINITY;
            }
        }
    }

    /** Follows {@code pcmk__primitive_apply_coloc_score()} in lib/pacemaker/pcmk_sched_primitive.c. */
    @Override
    public void applyColocScore(Resource dependent, Resource primary, Colocation c, boolean forDependent) {
        if (forDependent) {
            primary.applyColocScore(dependent, primary, c, false);
            return;
        }
        switch (ws.colocations.affects(dependent, primary, c, false)) {
            case ROLE -> ws.colocations.applyToPriority(dependent, primary, c);
            case LOCATION -> ws.colocations.applyToWeights(dependent, primary, c);
            default -> {
            }
        }
    }

    /** Follows {@code pcmk__primitive_action_flags()} in lib/pacemaker/pcmk_sched_primitive.c. */
    @Override
    public int actionFlags(Action action, Node node) {
        return action.flags;
    }

    /** Follows {@code pcmk__output_resource_actions()} in lib/pacemaker/pcmk_sched_resource.c. */
    @Override
    public void outputActions(Output out) {
        Node next = allocatedTo == null ? null : allocatedTo.node;
        Node current = null;
        if (!runningOn.isEmpty()) {
            current = currentNode();
            if (role == Role.STOPPED) {
                role = Role.STARTED;
            }
        }
        if (current == null && is(ORPHAN)) {
            return;
        }
        out.rscAction(this, current, next);
    }

    /** Follows {@code pcmk__primitive_add_utilization()} in lib/pacemaker/pcmk_sched_primitive.c. */
    @Override
    public void addUtilization(Resource orig, List<Resource> all, Map<String, Integer> util) {
        if (!is(PROVISIONAL)) {
            return;
        }
        Utilization.addTo(util, this);
    }

    /** Follows {@code pcmk__primitive_shutdown_lock()} in lib/pacemaker/pcmk_sched_primitive.c. */
    @Override
    public void shutdownLock() {
        String cls = xml.get("class");
        if (cls == null || "stonith".equals(cls) || ActionConfig.isRemoteConnection(ws, this)) {
            return;
        }
        if (lockNode != null) {
            if (!runningOn.isEmpty()) {
                ws.clearResourceHistory(this, lockNode);
                lockNode = null;
                lockTime = 0;
            }
        } else if (runningOn.size() == 1) {
            Node node = runningOn.get(0);
            if (node.shutdown) {
                if (!node.unclean) {
                    lockNode = node;
                    lockTime = shutdownTime(node);
                }
            }
        }
        if (lockNode == null) {
            return;
        }
        if (ws.shutdownLockSec > 0) {
            // run again the second after the lock expires
            ws.updateRecheckTime(lockTime + ws.shutdownLockSec + 1);
        }
        for (Node n : ws.nodes) {
            if (!n.uname.equals(lockNode.uname)) {
                ws.resourceLocation(this, n, -Score.INFINITY, "shutdown-lock");
            }
        }
    }

    /** Follows {@code shutdown_time()} in lib/pacemaker/pcmk_sched_primitive.c. */
    private long shutdownTime(Node node) {
        String s = node.attrs.get("shutdown");
        long result = 0;
        if (s != null) {
            result = Score.parseLeadingLong(s, 0);
        }
        return result == 0 ? ws.effectiveTime() : result;
    }
}
