package org.vigil.crm.internal.scheduler.schedule;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.ActionLink;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.ResourceFactory;
import org.vigil.crm.internal.scheduler.unpack.Tags;

/**
 * Ordering constraints and action flag propagation (Pacemaker's pcmk_sched_ordering.c and the ordering half of
 * pcmk_sched_actions.c): unpacking rsc_order (kinds, symmetry, sets, clone-min), turning orderings into action
 * links, and propagating "required" and "unrunnable" along the links until nothing changes.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_ordering.c (unpacking, {@code pcmk__apply_orderings()}) and
 * lib/pacemaker/pcmk_sched_actions.c ({@code update_action()}, flag propagation).
 */
public final class Orderings {

    static final int UPDATED_NONE = 0;
    static final int UPDATED_FIRST = 1;
    static final int UPDATED_THEN = 2;

    private enum Kind { OPTIONAL, MANDATORY, SERIALIZE }

    private enum Symmetry { ASYMMETRIC, SYMMETRIC, SYMMETRIC_INVERSE }

    private final WorkingSet ws;

    public Orderings(WorkingSet ws) {
        this.ws = ws;
    }

    // ---------------------------------------------------------------- unpacking

    /** Follows {@code invert_action()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private static String invertAction(String action) {
        if (action == null) {
            return null;
        }
        switch (action.toLowerCase(java.util.Locale.ROOT)) {
            case "start":
                return "stop";
            case "stop":
                return "start";
            case "promote":
                return "demote";
            case "demote":
                return "promote";
            case "promoted":
                return "demoted";
            case "demoted":
                return "promoted";
            case "running":
                return "stopped";
            case "stopped":
                return "running";
            default:
                return null;
        }
    }

    /** Follows {@code get_ordering_type()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private Kind orderingType(XmlElement xml) {
        String kind = xml.get("kind");
        if (kind == null) {
            String score = xml.get("score");
            if (score != null && ws.score(score) == 0) {
                return Kind.OPTIONAL;
            }
            return Kind.MANDATORY;
        } else if ("Mandatory".equalsIgnoreCase(kind)) {
            return Kind.MANDATORY;
        } else if ("Optional".equalsIgnoreCase(kind)) {
            return Kind.OPTIONAL;
        } else if ("Serialize".equalsIgnoreCase(kind)) {
            return Kind.SERIALIZE;
        }
        return Kind.MANDATORY;
    }

    /** Follows {@code get_ordering_symmetry()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private Symmetry orderingSymmetry(XmlElement xml, Kind parentKind, String parentSymmetrical) {
        Kind kind = parentKind;
        if (xml.get("kind") != null || xml.get("score") != null) {
            kind = orderingType(xml);
        }
        Boolean symmetric = Util.toBoolean(xml.get("symmetrical"));
        if (symmetric == null && parentSymmetrical != null) {
            symmetric = Util.isTrue(parentSymmetrical);
        }
        if (symmetric != null) {
            if (symmetric && kind != Kind.SERIALIZE) {
                return Symmetry.SYMMETRIC;
            }
            return Symmetry.ASYMMETRIC;
        }
        return kind == Kind.SERIALIZE ? Symmetry.ASYMMETRIC : Symmetry.SYMMETRIC;
    }

    /** Follows {@code ordering_flags_for_kind()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private static int flagsForKind(Kind kind, String first, Symmetry symmetry) {
        int flags = Ordering.OPTIONAL;
        switch (kind) {
            case OPTIONAL:
                break;
            case SERIALIZE:
                flags |= Ordering.SERIALIZE_ONLY;
                break;
            case MANDATORY:
                switch (symmetry) {
                    case ASYMMETRIC -> flags |= Ordering.ASYMMETRICAL;
                    case SYMMETRIC -> {
                        flags |= Ordering.IMPLIES_THEN;
                        if ("start".equalsIgnoreCase(first) || "promote".equalsIgnoreCase(first)) {
                            flags |= Ordering.RUNNABLE_LEFT;
                        }
                    }
                    case SYMMETRIC_INVERSE -> flags |= Ordering.IMPLIES_FIRST;
                }
                break;
        }
        return flags;
    }

    /** Follows {@code get_ordering_resource()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private Resource orderingResource(XmlElement xml, String attr, String instAttr) {
        String rscId = xml.get(attr);
        String instance = xml.get(instAttr);
        if (rscId == null) {
            ws.warn("Ignoring constraint '" + xml.get("id") + "' without " + attr);
            return null;
        }
        Resource rsc = ws.findConstraintResource(rscId);
        if (rsc == null) {
            ws.warn("Ignoring constraint '" + xml.get("id") + "' because resource '" + rscId + "' does not exist");
            return null;
        }
        if (instance != null) {
            if (!rsc.isClone()) {
                return null;
            }
            rsc = ((Clone) rsc).findInstance(instance);
        }
        return rsc;
    }

    /** Follows {@code get_minimum_first_instances()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private int minimumFirstInstances(Resource rsc, XmlElement xml) {
        if (!rsc.isClone()) {
            return 0;
        }
        String cloneMin = rsc.meta.get("clone-min");
        if (cloneMin != null) {
            return ResourceFactory.scanMinInt(cloneMin, 0);
        }
        Boolean requireAll = Util.toBoolean(xml.get("require-all"));
        if (xml.get("require-all") != null && requireAll != null && !requireAll) {
            return 1;
        }
        return 0;
    }

    /** Follows {@code clone_min_ordering()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private void cloneMinOrdering(String id, Resource first, String actionFirst, Resource then, String actionThen,
                                  int flags, int cloneMin) {
        Action met = ws.pseudoOp("clone-one-or-more:" + id);
        met.requiredRunnableBefore = cloneMin;
        met.set(Action.REQUIRES_ANY);
        for (Resource child : first.children) {
            ws.newOrdering(child, Util.opKey(child.id, actionFirst, 0), null, null, null, met,
                Ordering.ONE_OR_MORE | Ordering.IMPLIES_THEN_PRINTED);
        }
        ws.newOrdering(null, null, met, then, Util.opKey(then.id, actionThen, 0), null,
            flags | Ordering.RUNNABLE_LEFT);
    }

    /** Follows {@code inverse_ordering()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private void inverseOrdering(String id, Kind kind, Resource first, String actionFirst, Resource then,
                                 String actionThen) {
        actionThen = invertAction(actionThen);
        actionFirst = invertAction(actionFirst);
        if (actionThen == null || actionFirst == null) {
            ws.warn("Cannot invert constraint '" + id + "' (please specify inverse manually)");
            return;
        }
        int flags = flagsForKind(kind, actionFirst, Symmetry.SYMMETRIC_INVERSE);
        if (kind == Kind.OPTIONAL && then.restartTypeRestart) {
            flags |= Ordering.IMPLIES_FIRST;
        }
        ws.orderResourceActions(then, actionThen, first, actionFirst, flags);
    }

    /** Follows {@code unpack_simple_rsc_order()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private void unpackSimple(XmlElement xml) {
        String id = xml.get("id");
        if (id == null) {
            return;
        }
        Resource first = orderingResource(xml, "first", "first-instance");
        if (first == null) {
            return;
        }
        Resource then = orderingResource(xml, "then", "then-instance");
        if (then == null) {
            return;
        }
        String actionFirst = xml.get("first-action");
        if (actionFirst == null) {
            actionFirst = "start";
        }
        String actionThen = xml.get("then-action");
        if (actionThen == null) {
            actionThen = actionFirst;
        }
        Kind kind = orderingType(xml);
        Symmetry symmetry = orderingSymmetry(xml, kind, null);
        int flags = flagsForKind(kind, actionFirst, symmetry);
        if (kind == Kind.OPTIONAL && then.restartTypeRestart) {
            flags |= Ordering.IMPLIES_THEN;
        }
        int minRequired = minimumFirstInstances(first, xml);
        if (minRequired > 0) {
            cloneMinOrdering(id, first, actionFirst, then, actionThen, flags, minRequired);
        } else {
            ws.orderResourceActions(first, actionFirst, then, actionThen, flags);
        }
        if (symmetry == Symmetry.SYMMETRIC) {
            inverseOrdering(id, kind, first, actionFirst, then, actionThen);
        }
    }

    /** Follows {@code unpack_order_set()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private boolean unpackOrderSet(XmlElement set, Kind parentKind, String parentSymmetrical) {
        String id = set.get("id");
        String action = set.get("action");
        String seqS = set.get("sequential");
        String kindS = set.get("kind");
        if (action == null) {
            action = "start";
        }
        Kind localKind = parentKind;
        if (kindS != null) {
            localKind = orderingType(set);
        }
        if (seqS == null) {
            seqS = "1";
        }
        boolean sequential = Util.isTrue(seqS);
        Symmetry symmetry = orderingSymmetry(set, parentKind, parentSymmetrical);
        int flags = flagsForKind(localKind, action, symmetry);
        List<Resource> resources = new ArrayList<>();
        for (XmlElement ref : set.children("resource_ref")) {
            Resource r = ws.findConstraintResource(ref.get("id"));
            if (r == null) {
                ws.warn(id + ": No resource found for " + ref.get("id"));
                return false;
            }
            resources.add(r);
        }
        if (resources.size() == 1) {
            return true;
        }
        Resource last = null;
        for (int i = 0; i < resources.size(); i++) {
            Resource r = resources.get(i);
            String key = Util.opKey(r.id, action, 0);
            if (localKind == Kind.SERIALIZE) {
                for (int j = i + 1; j < resources.size(); j++) {
                    Resource thenRsc = resources.get(j);
                    ws.newOrdering(r, key, null, thenRsc, Util.opKey(thenRsc.id, action, 0), null, flags);
                }
            } else if (sequential) {
                if (last != null) {
                    ws.orderResourceActions(last, action, r, action, flags);
                }
                last = r;
            }
        }
        if (symmetry == Symmetry.ASYMMETRIC) {
            return true;
        }
        last = null;
        action = invertAction(action);
        flags = flagsForKind(localKind, action, Symmetry.SYMMETRIC_INVERSE);
        for (Resource r : resources) {
            if (sequential) {
                if (last != null) {
                    ws.orderResourceActions(r, action, last, action, flags);
                }
                last = r;
            }
        }
        return true;
    }

    /** Follows {@code order_rsc_sets()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private boolean orderRscSets(String id, XmlElement set1, XmlElement set2, Kind kind, Symmetry symmetry) {
        String action1 = set1.get("action");
        String action2 = set2.get("action");
        Boolean ra = Util.toBoolean(set1.get("require-all"));
        boolean requireAll = ra == null || ra;
        if (action1 == null) {
            action1 = "start";
        }
        if (action2 == null) {
            action2 = "start";
        }
        if (symmetry == Symmetry.SYMMETRIC_INVERSE) {
            action1 = invertAction(action1);
            action2 = invertAction(action2);
        }
        if ("stop".equalsIgnoreCase(action1) || "demote".equalsIgnoreCase(action1)) {
            requireAll = true;
        }
        int flags = flagsForKind(kind, action2, symmetry);
        if (!requireAll) {
            Action unordered = ws.pseudoOp("one-or-more:" + set1.get("id"));
            unordered.set(Action.REQUIRES_ANY);
            for (XmlElement ref : set1.children("resource_ref")) {
                Resource r1 = resolve(id, ref.get("id"));
                if (r1 == null) {
                    return false;
                }
                ws.newOrdering(r1, Util.opKey(r1.id, action1, 0), null, null, null, unordered,
                    Ordering.ONE_OR_MORE | Ordering.IMPLIES_THEN_PRINTED);
            }
            for (XmlElement ref : set2.children("resource_ref")) {
                Resource r2 = resolve(id, ref.get("id"));
                if (r2 == null) {
                    return false;
                }
                ws.newOrdering(null, null, unordered, r2, Util.opKey(r2.id, action2, 0), null,
                    flags | Ordering.RUNNABLE_LEFT);
            }
            return true;
        }
        Resource rsc1 = null;
        Resource rsc2 = null;
        if (Util.isTrue(set1.get("sequential"))) {
            List<XmlElement> refs = set1.children("resource_ref");
            if (symmetry == Symmetry.SYMMETRIC_INVERSE) {
                if (!refs.isEmpty()) {
                    rsc1 = resolve(id, refs.get(0).get("id"));
                    if (rsc1 == null) {
                        return false;
                    }
                }
            } else {
                String rid = refs.isEmpty() ? null : refs.get(refs.size() - 1).get("id");
                rsc1 = resolve(id, rid);
                if (rsc1 == null) {
                    return false;
                }
            }
        }
        if (Util.isTrue(set2.get("sequential"))) {
            List<XmlElement> refs = set2.children("resource_ref");
            if (symmetry == Symmetry.SYMMETRIC_INVERSE) {
                String rid = refs.isEmpty() ? null : refs.get(refs.size() - 1).get("id");
                rsc2 = resolve(id, rid);
                if (rsc2 == null) {
                    return false;
                }
            } else if (!refs.isEmpty()) {
                rsc2 = resolve(id, refs.get(0).get("id"));
                if (rsc2 == null) {
                    return false;
                }
            }
        }
        if (rsc1 != null && rsc2 != null) {
            ws.orderResourceActions(rsc1, action1, rsc2, action2, flags);
        } else if (rsc1 != null) {
            for (XmlElement ref : set2.children("resource_ref")) {
                Resource r2 = resolve(id, ref.get("id"));
                if (r2 == null) {
                    return false;
                }
                ws.orderResourceActions(rsc1, action1, r2, action2, flags);
            }
        } else if (rsc2 != null) {
            for (XmlElement ref : set1.children("resource_ref")) {
                Resource r1 = resolve(id, ref.get("id"));
                if (r1 == null) {
                    return false;
                }
                ws.orderResourceActions(r1, action1, rsc2, action2, flags);
            }
        } else {
            for (XmlElement ref : set1.children("resource_ref")) {
                Resource r1 = resolve(id, ref.get("id"));
                if (r1 == null) {
                    return false;
                }
                for (XmlElement ref2 : set2.children("resource_ref")) {
                    Resource r2 = resolve(id, ref2.get("id"));
                    if (r2 == null) {
                        return false;
                    }
                    ws.orderResourceActions(r1, action1, r2, action2, flags);
                }
            }
        }
        return true;
    }

    private Resource resolve(String setId, String rid) {
        Resource r = ws.findConstraintResource(rid);
        if (r == null) {
            ws.warn(setId + ": No resource found for " + rid);
        }
        return r;
    }

    /** Follows {@code pcmk__unpack_ordering()} in lib/pacemaker/pcmk_sched_ordering.c. */
    void unpack(XmlElement xml) {
        String id = xml.get("id");
        String invert = xml.get("symmetrical");
        Kind kind = orderingType(xml);
        Symmetry symmetry = orderingSymmetry(xml, kind, null);
        XmlElement expanded = ws.constraintTags.expandOrderTags(xml);
        if (expanded == Tags.INVALID) {
            return;
        }
        XmlElement obj = expanded != null ? expanded : xml;
        XmlElement last = null;
        for (XmlElement set : obj.children("resource_set")) {
            set = ws.rules.expand(set);
            if (set == null || !unpackOrderSet(set, kind, invert)) {
                return;
            }
            if (last != null) {
                if (!orderRscSets(id, last, set, kind, symmetry)) {
                    return;
                }
                if (symmetry == Symmetry.SYMMETRIC && !orderRscSets(id, set, last, kind,
                    Symmetry.SYMMETRIC_INVERSE)) {
                    return;
                }
            }
            last = set;
        }
        if (last == null) {
            unpackSimple(xml);
        }
    }

    // ---------------------------------------------------------------- applying orderings

    /** Follows {@code find_actions_by_task()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private static List<Action> findActionsByTask(Resource rsc, String originalKey) {
        // (every action of the uuid index has the uuid: no need to compare again; the list is not modified
        // while callers iterate it, since ordering actions creates none)
        List<Action> list = rsc.actionsWithUuid(originalKey);
        if (list.isEmpty() && !(originalKey.startsWith(rsc.id) && originalKey.length() > rsc.id.length()
            && originalKey.charAt(rsc.id.length()) == '_')) {
            // the key names another spelling of the resource (a clone instance's history name): retry with its id
            Util.OpKey k = Util.parseOpKey(originalKey);
            if (k != null) {
                String key = Util.opKey(rsc.id, k.task(), k.intervalMs());
                list = rsc.actionsWithUuid(key);
            }
        }
        return list;
    }

    /** Follows {@code order_resource_actions_after()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private void orderResourceActionsAfter(Action firstAction, Resource rsc, Ordering order) {
        int flags = order.flags;
        List<Action> thenActions;
        if (order.thenAction != null) {
            thenActions = List.of(order.thenAction);
        } else {
            thenActions = findActionsByTask(rsc, order.thenTask);
        }
        if (thenActions.isEmpty()) {
            return;
        }
        if (firstAction != null && firstAction.rsc == rsc && firstAction.is(Action.DANGLE)) {
            flags &= ~Ordering.IMPLIES_THEN;
        }
        if (firstAction == null && (flags & Ordering.IMPLIES_THEN) == 0) {
            return;
        }
        for (Action then : thenActions) {
            if (firstAction != null) {
                ws.orderActions(firstAction, then, flags);
            } else {
                then.clear(Action.RUNNABLE);
            }
        }
    }

    /** Follows {@code rsc_order_first()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private void rscOrderFirst(Resource firstRsc, Ordering order) {
        List<Action> firstActions;
        Action firstAction = order.firstAction;
        Resource thenRsc = order.thenRsc;
        if (firstAction != null) {
            firstActions = List.of(firstAction);
        } else {
            firstActions = findActionsByTask(firstRsc, order.firstTask);
        }
        if (firstActions.isEmpty() && firstRsc == thenRsc) {
            // ignored
        } else if (firstActions.isEmpty()) {
            Util.OpKey k = Util.parseOpKey(order.firstTask);
            String opType = k == null ? null : k.task();
            long interval = k == null ? 0 : k.intervalMs();
            String key = Util.opKey(firstRsc.id, opType, interval);
            if (firstRsc.state(true) == Role.STOPPED && "stop".equalsIgnoreCase(opType)) {
                // nothing to order after
            } else if (firstRsc.state(true) == Role.UNPROMOTED && "demote".equalsIgnoreCase(opType)) {
                // nothing to order after
            } else {
                firstAction = ws.customAction(firstRsc, key, opType, null, true, true);
                firstActions = List.of(firstAction);
            }
        }
        if (thenRsc == null) {
            if (order.thenAction == null) {
                return;
            }
            thenRsc = order.thenAction.rsc;
        }
        for (Action fa : firstActions) {
            if (thenRsc == null) {
                ws.orderActions(fa, order.thenAction, order.flags);
            } else {
                orderResourceActionsAfter(fa, thenRsc, order);
            }
        }
    }

    /** Follows {@code pcmk__apply_orderings()} in lib/pacemaker/pcmk_sched_ordering.c. */
    void applyAll() {
        for (Ordering order : new ArrayList<>(ws.orderingConstraints)) {
            Resource rsc = order.firstRsc;
            if (rsc != null) {
                rscOrderFirst(rsc, order);
                continue;
            }
            rsc = order.thenRsc;
            if (rsc != null) {
                orderResourceActionsAfter(order.firstAction, rsc, order);
            } else {
                ws.orderActions(order.firstAction, order.thenAction, order.flags);
            }
        }
        List<Action> all = ws.actions;
        for (int i = all.size() - 1; i >= 0; i--) {
            ws.colocations.blockDependents(all.get(i));
        }
        ws.probes.orderProbes();
        for (int i = all.size() - 1; i >= 0; i--) {
            updateActionForOrderings(all.get(i));
        }
        disableInvalidOrderings();
    }

    /** Follows {@code pcmk__disable_invalid_orderings()} in lib/pacemaker/pcmk_sched_ordering.c. */
    private void disableInvalidOrderings() {
        // both of Pacemaker's lists are prepended: newest first
        for (int i = ws.actions.size() - 1; i >= 0; i--) {
            Action action = ws.actions.get(i);
            for (int j = action.before.size() - 1; j >= 0; j--) {
                ActionLink input = action.before.get(j);
                if ((input.type & Ordering.PRESERVE) == 0 && input.action.rsc != null
                    && Remote.rscCorrespondsToGuest(action.rsc, input.action.node)) {
                    ws.warn("Invalid ordering constraint between " + input.action.rsc.id + " and "
                        + action.rsc.id);
                    input.type = Ordering.NONE;
                } else if (input.type == Ordering.LOAD && action.rsc != null
                    && "migrate_to".equalsIgnoreCase(action.task)
                    && GraphBuilder.graphHasLoop(action, action, input)) {
                    // a migration in each direction through load_stopped pseudo-actions: break the loop
                    input.type = Ordering.NONE;
                }
            }
        }
    }

    // ---------------------------------------------------------------- flag propagation

    /** Follows {@code action_flags_for_ordering()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static int flagsForOrdering(Action action, Node node) {
        if (action.rsc == null) {
            return action.flags;
        }
        int flags = action.rsc.actionFlags(action, null);
        if (node == null || !action.rsc.isClone()) {
            return flags;
        }
        boolean runnable = (flags & Action.RUNNABLE) != 0;
        flags = action.rsc.actionFlags(action, node);
        if (runnable && (flags & Action.RUNNABLE) == 0) {
            flags |= Action.RUNNABLE;
        }
        return flags;
    }

    /**
     * The "done" action of a collective resource's task. Follows {@code action_uuid_for_ordering()} in
     * lib/pacemaker/pcmk_sched_actions.c.
     */
    private static String uuidForOrdering(String firstUuid, Resource firstRsc) {
        if (firstUuid.contains("notify") || firstRsc.variant.ordinal() < Resource.Variant.GROUP.ordinal()) {
            return firstUuid;
        }
        Util.OpKey k = Util.parseOpKey(firstUuid);
        if (k == null || k.intervalMs() > 0) {
            return firstUuid;
        }
        String remapped = null;
        switch (k.task()) {
            case "stop" -> remapped = "stopped";
            case "start" -> remapped = "running";
            case "notify" -> remapped = "notified";
            case "promote" -> remapped = "promoted";
            case "demote" -> remapped = "demoted";
            case "stopped", "running", "notified", "promoted", "demoted" -> remapped = k.task();
            default -> {
            }
        }
        if (remapped == null) {
            return firstUuid;
        }
        if (firstRsc.is(Resource.NOTIFY) && (firstRsc.parent == null
            || (firstRsc.isClone() && firstRsc.parent.variant == Resource.Variant.BUNDLE))) {
            return Util.notifyKey(k.rsc(), "confirmed-post", remapped);
        }
        return Util.opKey(k.rsc(), remapped, 0);
    }

    /** Follows {@code action_for_ordering()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static Action actionForOrdering(Action action) {
        Resource rsc = action.rsc;
        if (rsc != null && rsc.variant.ordinal() >= Resource.Variant.GROUP.ordinal() && action.uuid != null) {
            String uuid = uuidForOrdering(action.uuid, rsc);
            Action result = WorkingSet.findFirstAction(rsc.actions, uuid, null, null);
            return result != null ? result : action;
        }
        return action;
    }

    /** Follows {@code update_action_for_ordering_flags()} in lib/pacemaker/pcmk_sched_actions.c. */
    private int updateActionForOrderingFlags(Action first, Action then, int firstFlags, int thenFlags,
                                             ActionLink order) {
        int changed = UPDATED_NONE;
        Node node = then.node;
        if ((order.type & Ordering.IMPLIES_THEN_ON_NODE) != 0) {
            order.type &= ~Ordering.IMPLIES_THEN_ON_NODE;
            order.type |= Ordering.IMPLIES_THEN;
            node = first.node;
        }
        if ((order.type & Ordering.IMPLIES_THEN) != 0) {
            if (then.rsc != null) {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags & Action.OPTIONAL,
                    Action.OPTIONAL, Ordering.IMPLIES_THEN);
            } else if ((firstFlags & Action.OPTIONAL) == 0 && then.isOptional()) {
                then.clear(Action.OPTIONAL);
                changed |= UPDATED_THEN;
            }
        }
        if ((order.type & Ordering.RESTART) != 0 && then.rsc != null) {
            changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags,
                Action.OPTIONAL | Action.RUNNABLE, Ordering.RESTART);
        }
        if ((order.type & Ordering.IMPLIES_FIRST) != 0) {
            if (first.rsc != null) {
                changed |= first.rsc.updateOrderedActions(first, then, node, firstFlags, Action.OPTIONAL,
                    Ordering.IMPLIES_FIRST);
            } else if ((firstFlags & Action.OPTIONAL) == 0 && first.isRunnable()) {
                first.clear(Action.RUNNABLE);
                changed |= UPDATED_FIRST;
            }
        }
        if ((order.type & Ordering.PROMOTED_IMPLIES_FIRST) != 0) {
            if (then.rsc != null) {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags & Action.OPTIONAL,
                    Action.OPTIONAL, Ordering.PROMOTED_IMPLIES_FIRST);
            }
        }
        if ((order.type & Ordering.ONE_OR_MORE) != 0) {
            if (then.rsc != null) {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags, Action.RUNNABLE,
                    Ordering.ONE_OR_MORE);
            } else if ((firstFlags & Action.RUNNABLE) != 0) {
                then.runnableBefore++;
                if (then.runnableBefore >= then.requiredRunnableBefore && !then.isRunnable()) {
                    then.set(Action.RUNNABLE);
                    changed |= UPDATED_THEN;
                }
            }
        }
        if ((order.type & Ordering.PROBE) != 0 && then.rsc != null) {
            if ((firstFlags & Action.RUNNABLE) == 0 && !first.rsc.runningOn.isEmpty()) {
                order.type = Ordering.NONE;
            } else {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags, Action.RUNNABLE,
                    Ordering.RUNNABLE_LEFT);
            }
        }
        if ((order.type & Ordering.RUNNABLE_LEFT) != 0) {
            if (then.rsc != null) {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags, Action.RUNNABLE,
                    Ordering.RUNNABLE_LEFT);
            } else if ((firstFlags & Action.RUNNABLE) == 0 && then.isRunnable()) {
                then.clear(Action.RUNNABLE);
                changed |= UPDATED_THEN;
            }
        }
        if ((order.type & Ordering.IMPLIES_FIRST_MIGRATABLE) != 0) {
            if (then.rsc != null) {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags, Action.OPTIONAL,
                    Ordering.IMPLIES_FIRST_MIGRATABLE);
            }
        }
        if ((order.type & Ordering.PSEUDO_LEFT) != 0) {
            if (then.rsc != null) {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags, Action.OPTIONAL,
                    Ordering.PSEUDO_LEFT);
            }
        }
        if ((order.type & Ordering.OPTIONAL) != 0) {
            if (then.rsc != null) {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags, Action.RUNNABLE,
                    Ordering.OPTIONAL);
            }
        }
        if ((order.type & Ordering.ASYMMETRICAL) != 0) {
            if (then.rsc != null) {
                changed |= then.rsc.updateOrderedActions(first, then, node, firstFlags, Action.RUNNABLE,
                    Ordering.ASYMMETRICAL);
            }
        }
        if (first.isRunnable() && (order.type & Ordering.IMPLIES_THEN_PRINTED) != 0
            && (firstFlags & Action.OPTIONAL) == 0) {
            then.set(Action.PRINT_ALWAYS);
        }
        if ((order.type & Ordering.IMPLIES_FIRST_PRINTED) != 0 && (thenFlags & Action.OPTIONAL) == 0) {
            first.set(Action.PRINT_ALWAYS);
        }
        if ((order.type & (Ordering.IMPLIES_THEN | Ordering.IMPLIES_FIRST | Ordering.RESTART)) != 0
            && first.rsc != null && !first.rsc.is(Resource.MANAGED) && first.rsc.is(Resource.BLOCK)
            && !first.isRunnable() && "stop".equalsIgnoreCase(first.task)) {
            if (then.isRunnable()) {
                then.clear(Action.RUNNABLE);
                changed |= UPDATED_THEN;
            }
        }
        return changed;
    }

    /**
     * Updates an action from all orderings where it is "then". Follows {@code pcmk__update_action_for_orderings()}
     * in lib/pacemaker/pcmk_sched_actions.c.
     */
    public void updateActionForOrderings(Action then) {
        int changed = UPDATED_NONE;
        int lastFlags = then.flags;
        if (then.is(Action.REQUIRES_ANY)) {
            then.runnableBefore = 0;
            if (then.requiredRunnableBefore == 0) {
                then.requiredRunnableBefore = 1;
            }
            then.clear(Action.RUNNABLE);
        }
        for (int i = then.before.size() - 1; i >= 0; i--) {
            ActionLink other = then.before.get(i);
            Action first = other.action;
            Node thenNode = then.node;
            Node firstNode = first.node;
            if (first.rsc != null && first.rsc.variant == Resource.Variant.GROUP && "start".equalsIgnoreCase(
                first.task)) {
                firstNode = first.rsc.location(null, 0);
            }
            if (then.rsc != null && then.rsc.variant == Resource.Variant.GROUP && "start".equalsIgnoreCase(
                then.task)) {
                thenNode = then.rsc.location(null, 0);
            }
            if ((other.type & Ordering.SAME_NODE) != 0 && firstNode != null && thenNode != null
                && firstNode != thenNode) {
                other.type = Ordering.NONE;
                continue;
            }
            changed &= ~UPDATED_FIRST;
            if (first.rsc != null && (other.type & Ordering.THEN_CANCELS_FIRST) != 0 && !then.isOptional()) {
                other.action.set(Action.OPTIONAL);
                if ("reload-agent".equals(first.task)) {
                    first.rsc.clear(Resource.RELOAD);
                }
            }
            if (first.rsc != null && then.rsc != null && first.rsc != then.rsc && !first.rsc.isAncestorOf(
                then.rsc)) {
                first = actionForOrdering(first);
            }
            if (first == other.action) {
                int firstFlags = flagsForOrdering(first, thenNode);
                int thenFlags = flagsForOrdering(then, firstNode);
                changed |= updateActionForOrderingFlags(first, then, firstFlags, thenFlags, other);
            } else if (ws.orderActions(first, then, other.type)) {
                changed |= UPDATED_THEN;
                other.type = Ordering.NONE;
            }
            if ((changed & UPDATED_FIRST) != 0) {
                for (int j = first.after.size() - 1; j >= 0; j--) {
                    updateActionForOrderings(first.after.get(j).action);
                }
                updateActionForOrderings(first);
            }
        }
        if (then.is(Action.REQUIRES_ANY)) {
            if (lastFlags == then.flags) {
                changed &= ~UPDATED_THEN;
            } else {
                changed |= UPDATED_THEN;
            }
        }
        if ((changed & UPDATED_THEN) != 0) {
            if ((lastFlags & Action.RUNNABLE) != 0 && !then.isRunnable()) {
                ws.colocations.blockDependents(then);
            }
            updateActionForOrderings(then);
            for (int j = then.after.size() - 1; j >= 0; j--) {
                updateActionForOrderings(then.after.get(j).action);
            }
        }
    }

    private static void clearBecause(Action action, int flag, Action reason) {
        if (action.is(flag)) {
            action.clear(flag);
            if (action.rsc != reason.rsc) {
                String change = (flag == Action.RUNNABLE || flag == Action.MIGRATE_RUNNABLE) ? "unrunnable"
                    : "required";
                String text = change + (reason.rsc == null ? "" : " " + reason.rsc.id) + " " + reason.task;
                action.setReason(text, flag == Action.MIGRATE_RUNNABLE);
            }
        }
    }

    /** Follows {@code handle_asymmetric_ordering()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static void handleAsymmetricOrdering(Action first, Action then) {
        if (then.rsc == null) {
            return;
        }
        Role thenRole = then.rsc.state(true);
        List<Node> thenOn = then.rsc.runningOn;
        if (thenRole == Role.STOPPED && "stop".equals(then.task)) {
            return;
        }
        if (thenRole.ge(Role.STARTED) && then.isOptional() && then.node != null && thenOn.size() == 1
            && then.node == thenOn.get(0) && "start".equals(then.task)) {
            return;
        }
        if (!first.isRunnable()) {
            clearBecause(then, Action.OPTIONAL, first);
            clearBecause(then, Action.RUNNABLE, first);
        }
    }

    /** Follows {@code handle_restart_ordering()} in lib/pacemaker/pcmk_sched_actions.c. */
    private static void handleRestartOrdering(Action first, Action then, int filter) {
        String reason = null;
        if ((filter & Action.OPTIONAL) != 0 && !then.isOptional()) {
            reason = "restart";
        }
        if ((filter & Action.RUNNABLE) != 0 && !then.isRunnable() && then.rsc.is(Resource.MANAGED)
            && first.rsc == then.rsc) {
            reason = "stop";
        }
        if (reason == null) {
            return;
        }
        if (first.isRunnable()) {
            clearBecause(first, Action.OPTIONAL, then);
        }
        if (!then.isOptional()) {
            clearBecause(first, Action.OPTIONAL, then);
        }
        if (!then.is(Action.MIGRATE_RUNNABLE)) {
            clearBecause(first, Action.MIGRATE_RUNNABLE, then);
        }
        if (!first.isOptional() && !first.isRunnable()) {
            clearBecause(then, Action.RUNNABLE, first);
        }
    }

    /**
     * pcmk__update_ordered_actions (the primitive implementation). Follows {@code pcmk__update_ordered_actions()} in
     * lib/pacemaker/pcmk_sched_actions.c.
     */
    public int updateOrderedActions(Action first, Action then, Node node, int flags, int filter, int type) {
        int changed = UPDATED_NONE;
        int thenFlags = then.flags;
        int firstFlags = first.flags;
        if ((type & Ordering.ASYMMETRICAL) != 0) {
            handleAsymmetricOrdering(first, then);
        }
        if ((type & Ordering.IMPLIES_FIRST) != 0 && (thenFlags & Action.OPTIONAL) == 0) {
            if ((filter & Action.OPTIONAL) != 0 && (flags & Action.OPTIONAL) == 0
                && (firstFlags & Action.OPTIONAL) != 0) {
                clearBecause(first, Action.OPTIONAL, then);
            }
            if ((flags & Action.MIGRATE_RUNNABLE) != 0 && !then.is(Action.MIGRATE_RUNNABLE)) {
                clearBecause(first, Action.MIGRATE_RUNNABLE, then);
            }
        }
        if ((type & Ordering.PROMOTED_IMPLIES_FIRST) != 0 && then.rsc != null && then.rsc.role == Role.PROMOTED
            && (filter & Action.OPTIONAL) != 0 && !then.isOptional()) {
            clearBecause(first, Action.OPTIONAL, then);
            if (first.is(Action.MIGRATE_RUNNABLE) && !then.is(Action.MIGRATE_RUNNABLE)) {
                clearBecause(first, Action.MIGRATE_RUNNABLE, then);
            }
        }
        if ((type & Ordering.IMPLIES_FIRST_MIGRATABLE) != 0 && (filter & Action.OPTIONAL) != 0) {
            if ((then.flags & (Action.MIGRATE_RUNNABLE | Action.RUNNABLE))
                != (Action.MIGRATE_RUNNABLE | Action.RUNNABLE)) {
                clearBecause(first, Action.RUNNABLE, then);
            }
            if (!then.isOptional()) {
                clearBecause(first, Action.OPTIONAL, then);
            }
        }
        if ((type & Ordering.PSEUDO_LEFT) != 0 && (filter & Action.OPTIONAL) != 0 && !first.isRunnable()) {
            clearBecause(then, Action.MIGRATE_RUNNABLE, first);
            then.clear(Action.PSEUDO);
        }
        if ((type & Ordering.RUNNABLE_LEFT) != 0 && (filter & Action.RUNNABLE) != 0 && then.isRunnable()
            && (flags & Action.RUNNABLE) == 0) {
            clearBecause(then, Action.RUNNABLE, first);
            clearBecause(then, Action.MIGRATE_RUNNABLE, first);
        }
        if ((type & Ordering.IMPLIES_THEN) != 0 && (filter & Action.OPTIONAL) != 0 && then.isOptional()
            && (flags & Action.OPTIONAL) == 0 && !first.is(Action.MIGRATE_RUNNABLE)) {
            clearBecause(then, Action.OPTIONAL, first);
        }
        if ((type & Ordering.RESTART) != 0) {
            handleRestartOrdering(first, then, filter);
        }
        if (thenFlags != then.flags) {
            changed |= UPDATED_THEN;
            if (then.rsc != null && then.rsc.parent != null) {
                updateActionForOrderings(then);
            }
        }
        if (firstFlags != first.flags) {
            changed |= UPDATED_FIRST;
        }
        return changed;
    }

    // ---------------------------------------------------------------- misc

    /** Follows {@code pcmk__order_stops_before_shutdown()} in lib/pacemaker/pcmk_sched_ordering.c. */
    void orderStopsBeforeShutdown(Node node, Action shutdown) {
        for (Action action : new ArrayList<>(ws.actions)) {
            if (action.rsc == null || action.node != node || !"stop".equalsIgnoreCase(action.task)) {
                continue;
            }
            if (action.rsc.is(Resource.MAINTENANCE) || node.maintenance) {
                continue;
            }
            if (!action.rsc.is(Resource.MANAGED) && !action.rsc.is(Resource.BLOCK)) {
                continue;
            }
            action.clear(Action.OPTIONAL);
            ws.newOrdering(action.rsc, null, action, null, "do_shutdown", shutdown,
                Ordering.OPTIONAL | Ordering.RUNNABLE_LEFT);
        }
    }

    /** Follows {@code pcmk__order_after_each()} in lib/pacemaker/pcmk_sched_ordering.c. */
    void orderAfterEach(Action after, List<Action> list) {
        for (Action before : list) {
            ws.orderActions(before, after, Ordering.OPTIONAL);
        }
    }

    /** Follows {@code pcmk__promotable_restart_ordering()} in lib/pacemaker/pcmk_sched_ordering.c. */
    void promotableRestartOrdering(Resource rsc) {
        ws.orderResourceActions(rsc, "stopped", rsc, "start", Ordering.OPTIONAL);
        ws.orderResourceActions(rsc, "stopped", rsc, "promote", Ordering.OPTIONAL);
        ws.orderResourceActions(rsc, "demoted", rsc, "stop", Ordering.OPTIONAL);
        ws.orderResourceActions(rsc, "demoted", rsc, "start", Ordering.OPTIONAL);
        ws.orderResourceActions(rsc, "demoted", rsc, "promote", Ordering.OPTIONAL);
        ws.orderResourceActions(rsc, "running", rsc, "promote", Ordering.OPTIONAL);
        ws.orderResourceActions(rsc, "demote", rsc, "demoted", Ordering.OPTIONAL);
    }
}
