package org.vigil.crm.internal.scheduler.schedule;

import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Ordering;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.StatusIndex;
import org.vigil.crm.internal.scheduler.unpack.Unpacker;

/**
 * Live migration: reading migrate_to/migrate_from history (partial and dangling migrations), creating
 * migrate_to/migrate_from actions, and the orderings that make migrations respect start/stop orderings.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_migration.c.
 */
public final class Migration {

    /** Follows {@code pcmk__abort_dangling_migration()} in lib/pacemaker/pcmk_sched_migration.c. */
    private Migration() {
    }

    // ---------------------------------------------------------------- history

    /** Follows {@code unknown_on_node()} in lib/pengine/unpack.c. */
    private static boolean unknownOnNode(WorkingSet ws, String rscId, String uname) {
        XmlElement r = StatusIndex.lrmResource(ws, uname, rscId);
        return r == null || r.firstChild("lrm_rsc_op") == null;
    }

    /** Follows {@code monitor_not_running_after()} in lib/pengine/unpack.c. */
    private static boolean monitorNotRunningAfter(WorkingSet ws, String rscId, String uname, XmlElement op,
                                                  boolean sameNode) {
        XmlElement monitor = StatusIndex.findLrmOp(ws, rscId, "monitor", uname, null, 7);
        return monitor != null && Unpacker.isNewerOp(monitor, op, sameNode) > 0;
    }

    /** Follows {@code non_monitor_after()} in lib/pengine/unpack.c. */
    private static boolean nonMonitorAfter(WorkingSet ws, String rscId, String uname, XmlElement xmlOp,
                                           boolean sameNode) {
        XmlElement r = StatusIndex.lrmResource(ws, uname, rscId);
        if (r == null) {
            return false;
        }
        for (XmlElement op : r.children("lrm_rsc_op")) {
            if (op == xmlOp) {
                continue;
            }
            String task = op.get("operation");
            if (("start".equals(task) || "stop".equals(task) || "migrate_to".equals(task)
                || "migrate_from".equals(task)) && Unpacker.isNewerOp(op, xmlOp, sameNode) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Follows {@code newer_state_after_migrate()} in lib/pengine/unpack.c. */
    private static boolean newerStateAfterMigrate(WorkingSet ws, String rscId, String uname, XmlElement migrateTo,
                                                  XmlElement migrateFrom) {
        XmlElement xmlOp = migrateFrom != null ? migrateFrom : migrateTo;
        String source = xmlOp.get("migrate_source");
        String target = xmlOp.get("migrate_target");
        boolean sameNode = false;
        if (uname.equalsIgnoreCase(target)) {
            if (migrateFrom != null) {
                xmlOp = migrateFrom;
                sameNode = true;
            } else {
                xmlOp = migrateTo;
            }
        } else if (uname.equalsIgnoreCase(source)) {
            if (migrateTo != null) {
                xmlOp = migrateTo;
                sameNode = true;
            } else {
                xmlOp = migrateFrom;
            }
        }
        return nonMonitorAfter(ws, rscId, uname, xmlOp, sameNode)
            || monitorNotRunningAfter(ws, rscId, uname, xmlOp, sameNode);
    }

    /** Follows {@code unpack_migrate_to_success()} in lib/pengine/unpack.c. */
    public static void unpackMigrateToSuccess(WorkingSet ws, Unpacker u, Resource rsc, Node node, XmlElement xmlOp) {
        String source = xmlOp.get("migrate_source");
        String target = xmlOp.get("migrate_target");
        if (source == null || target == null || !source.equals(node.uname)) {
            return;
        }
        boolean sourceNewerOp = nonMonitorAfter(ws, rsc.id, source, xmlOp, true);
        XmlElement migrateFrom = StatusIndex.findLrmOp(ws, rsc.id, "migrate_from", target, source, -1);
        if (sourceNewerOp && migrateFrom != null) {
            return;
        }
        boolean targetNewerState = newerStateAfterMigrate(ws, rsc.id, target, xmlOp, migrateFrom);
        if (sourceNewerOp && targetNewerState) {
            return;
        }
        rsc.role = Role.STARTED;
        Node targetNode = ws.findNode(target);
        Node sourceNode = ws.findNode(source);
        int fromRc = 0;
        int fromStatus = 0;
        if (migrateFrom != null) {
            fromRc = Unpacker.intAttr(migrateFrom, "rc-code", 0);
            fromStatus = Unpacker.intAttr(migrateFrom, "op-status", 0);
        }
        if (migrateFrom != null && fromRc == 0 && fromStatus == 0) {
            rsc.role = Role.STOPPED;
            rsc.danglingMigrations.add(0, node);
        } else if (migrateFrom != null && fromStatus != -1) {
            if (!targetNewerState && targetNode != null && targetNode.online) {
                Unpacker.addRunning(ws, rsc, targetNode, true);
            } else {
                rsc.set(Resource.FAILED | Resource.STOP);
                rsc.clear(Resource.ALLOW_MIGRATE);
            }
        } else {
            if (!targetNewerState && targetNode != null && targetNode.online) {
                Unpacker.addRunning(ws, rsc, targetNode, false);
                if (sourceNode != null && sourceNode.online) {
                    rsc.partialMigrationTarget = targetNode;
                    rsc.partialMigrationSource = sourceNode;
                }
            } else if (!sourceNewerOp) {
                rsc.set(Resource.FAILED | Resource.STOP);
                rsc.clear(Resource.ALLOW_MIGRATE);
            }
        }
    }

    /** Follows {@code unpack_migrate_to_failure()} in lib/pengine/unpack.c. */
    public static void unpackMigrateToFailure(WorkingSet ws, Unpacker u, Resource rsc, Node node, XmlElement xmlOp) {
        String source = xmlOp.get("migrate_source");
        String target = xmlOp.get("migrate_target");
        if (source == null || target == null || !source.equals(node.uname)) {
            return;
        }
        rsc.role = Role.STARTED;
        XmlElement targetMigrateFrom = StatusIndex.findLrmOp(ws, rsc.id, "migrate_from", target, source, 0);
        if (!unknownOnNode(ws, rsc.id, target)
            && !newerStateAfterMigrate(ws, rsc.id, target, xmlOp, targetMigrateFrom)) {
            Node targetNode = ws.findNode(target);
            if (targetNode != null && targetNode.online) {
                Unpacker.addRunning(ws, rsc, targetNode, false);
            }
        } else if (!nonMonitorAfter(ws, rsc.id, source, xmlOp, true)) {
            rsc.danglingMigrations.add(0, node);
        }
    }

    /** Follows {@code unpack_migrate_from_failure()} in lib/pengine/unpack.c. */
    public static void unpackMigrateFromFailure(WorkingSet ws, Unpacker u, Resource rsc, Node node, XmlElement xmlOp) {
        String source = xmlOp.get("migrate_source");
        String target = xmlOp.get("migrate_target");
        if (source == null || target == null || !target.equals(node.uname)) {
            return;
        }
        rsc.role = Role.STARTED;
        XmlElement sourceMigrateTo = StatusIndex.findLrmOp(ws, rsc.id, "migrate_to", source, target, 0);
        if (!unknownOnNode(ws, rsc.id, source)
            && !newerStateAfterMigrate(ws, rsc.id, source, sourceMigrateTo, xmlOp)) {
            Node sourceNode = ws.findNode(source);
            if (sourceNode != null && sourceNode.online) {
                Unpacker.addRunning(ws, rsc, sourceNode, true);
            }
        }
    }

    // ---------------------------------------------------------------- scheduling

    /** Follows {@code pcmk__create_migration_actions()} in lib/pacemaker/pcmk_sched_migration.c. */
    static void createMigrationActions(WorkingSet ws, Resource rsc, Node current) {
        Action start = ws.startAction(rsc, rsc.allocatedTo.node, true);
        Action stop = ws.stopAction(rsc, current, true);
        Action migrateTo = null;
        if (rsc.partialMigrationTarget == null) {
            migrateTo = ws.customAction(rsc, Util.opKey(rsc.id, "migrate_to", 0), "migrate_to", current, true,
                true);
        }
        Action migrateFrom = ws.customAction(rsc, Util.opKey(rsc.id, "migrate_from", 0), "migrate_from",
            rsc.allocatedTo.node, true, true);
        if (migrateFrom != null && (migrateTo != null || rsc.partialMigrationTarget != null)) {
            start.set(Action.MIGRATE_RUNNABLE);
            stop.set(Action.MIGRATE_RUNNABLE);
            start.set(Action.PSEUDO);
            if (rsc.partialMigrationTarget == null) {
                migrateFrom.set(Action.MIGRATE_RUNNABLE);
                if (migrateTo != null) {
                    migrateTo.set(Action.MIGRATE_RUNNABLE);
                    migrateTo.needs = start.needs;
                }
                ws.orderResourceActions(rsc, "monitor", rsc, "migrate_to", Ordering.OPTIONAL);
                ws.orderResourceActions(rsc, "migrate_to", rsc, "migrate_from",
                    Ordering.OPTIONAL | Ordering.IMPLIES_FIRST_MIGRATABLE);
            } else {
                migrateFrom.set(Action.MIGRATE_RUNNABLE);
                migrateFrom.needs = start.needs;
                ws.orderResourceActions(rsc, "monitor", rsc, "migrate_from", Ordering.OPTIONAL);
            }
            ws.orderResourceActions(rsc, "migrate_from", rsc, "stop",
                Ordering.OPTIONAL | Ordering.IMPLIES_FIRST_MIGRATABLE);
            ws.orderResourceActions(rsc, "migrate_from", rsc, "start",
                Ordering.OPTIONAL | Ordering.IMPLIES_FIRST_MIGRATABLE | Ordering.PSEUDO_LEFT);
        }
        if (migrateTo != null) {
            WorkingSet.addHashParam(migrateTo.meta, "migrate_source", current.uname);
            WorkingSet.addHashParam(migrateTo.meta, "migrate_target", rsc.allocatedTo.node.uname);
            if (!rsc.isRemoteNode) {
                WorkingSet.addHashParam(migrateTo.meta, "record-pending", "true");
            }
        }
        if (migrateFrom != null) {
            WorkingSet.addHashParam(migrateFrom.meta, "migrate_source", current.uname);
            WorkingSet.addHashParam(migrateFrom.meta, "migrate_target", rsc.allocatedTo.node.uname);
        }
    }

    /** Follows {@code pcmk__abort_dangling_migration()} in lib/pacemaker/pcmk_sched_migration.c. */
    static void abortDanglingMigration(WorkingSet ws, Resource rsc, Node danglingSource) {
        boolean cleanup = ws.is(WorkingSet.REMOVE_AFTER_STOP);
        Action stop = ws.stopAction(rsc, danglingSource, false);
        stop.set(Action.DANGLE);
        if (cleanup) {
            Primitive.scheduleCleanup(ws, rsc, danglingSource, false);
        }
    }

    /** Follows {@code pcmk__rsc_can_migrate()} in lib/pacemaker/pcmk_sched_migration.c. */
    static boolean canMigrate(Resource rsc, Node current) {
        if (!rsc.is(Resource.ALLOW_MIGRATE) || !rsc.is(Resource.MANAGED) || rsc.is(Resource.FAILED)
            || rsc.is(Resource.START_PENDING)) {
            return false;
        }
        if (current == null || current.unclean) {
            return false;
        }
        return rsc.allocatedTo != null && !rsc.allocatedTo.node.unclean;
    }

    /** Follows {@code task_from_action_or_key()} in lib/pacemaker/pcmk_sched_migration.c. */
    private static String taskOf(Action a, String key) {
        if (a != null) {
            return a.task;
        }
        Util.OpKey k = Util.parseOpKey(key);
        return k == null ? null : k.task();
    }

    /** Follows {@code pcmk__order_migration_equivalents()} in lib/pacemaker/pcmk_sched_migration.c. */
    public static void orderMigrationEquivalents(WorkingSet ws, Ordering order) {
        Resource first = order.firstRsc;
        Resource then = order.thenRsc;
        if (first == null || then == null || first == then || then.isAncestorOf(first)
            || first.isAncestorOf(then)) {
            return;
        }
        boolean firstMigratable = first.is(Resource.ALLOW_MIGRATE);
        boolean thenMigratable = then.is(Resource.ALLOW_MIGRATE);
        if (!firstMigratable && !thenMigratable) {
            return;
        }
        String firstTask = taskOf(order.firstAction, order.firstTask);
        String thenTask = taskOf(order.thenAction, order.thenTask);
        if ("start".equals(firstTask) && "start".equals(thenTask)) {
            int flags = Ordering.OPTIONAL;
            if (firstMigratable && thenMigratable) {
                ws.orderResourceActions(first, "migrate_from", then, "migrate_to", flags);
            }
            if (thenMigratable) {
                if (firstMigratable) {
                    flags |= Ordering.APPLY_FIRST_NON_MIGRATABLE;
                }
                ws.orderResourceActions(first, "start", then, "migrate_to", flags);
            }
        } else if (thenMigratable && "stop".equals(firstTask) && "stop".equals(thenTask)) {
            int flags = Ordering.OPTIONAL;
            if (firstMigratable) {
                flags |= Ordering.APPLY_FIRST_NON_MIGRATABLE;
            }
            ws.orderResourceActions(first, "stop", then, "migrate_to", flags);
            if (then.partialMigrationTarget != null) {
                ws.orderResourceActions(first, "stop", then, "migrate_from", flags);
            }
        } else if ("promote".equals(firstTask) && "start".equals(thenTask)) {
            if (thenMigratable) {
                ws.orderResourceActions(first, "promote", then, "migrate_to", Ordering.OPTIONAL);
            }
        } else if ("demote".equals(firstTask) && "stop".equals(thenTask)) {
            if (thenMigratable) {
                ws.orderResourceActions(first, "demote", then, "migrate_to", Ordering.OPTIONAL);
                if (then.partialMigrationTarget != null) {
                    ws.orderResourceActions(first, "demote", then, "migrate_from", Ordering.OPTIONAL);
                }
            }
        }
    }
}
