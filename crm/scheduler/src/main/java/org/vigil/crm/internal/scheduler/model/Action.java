package org.vigil.crm.internal.scheduler.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.XmlElement;

/**
 * One scheduled action (Pacemaker's {@code pe_action_t}): a task on a resource and/or node with its flags and
 * its orderings to other actions. Ordering lists are kept in creation order; code that mirrors Pacemaker's
 * prepended lists iterates them backwards.
 *
 * <p>Follows {@code pe_action_t} and {@code enum pe_action_flags} (include/crm/pengine/pe_types.h).
 */
public final class Action {

    public static final int PSEUDO = 0x1;
    public static final int RUNNABLE = 0x2;
    public static final int OPTIONAL = 0x4;
    public static final int PRINT_ALWAYS = 0x8;
    public static final int HAVE_NODE_ATTRS = 0x10;
    public static final int IMPLIED_BY_STONITH = 0x40;
    public static final int MIGRATE_RUNNABLE = 0x80;
    public static final int DUMPED = 0x100;
    public static final int PROCESSED = 0x200;
    public static final int DANGLE = 0x800;
    public static final int REQUIRES_ANY = 0x1000;
    public static final int RESCHEDULE = 0x2000;
    public static final int TRACKING = 0x4000;
    public static final int DEDUP = 0x8000;
    public static final int DC = 0x10000;

    /** What must be true before the action may run. */
    public enum Needs { NOTHING, QUORUM, FENCING, UNFENCING }

    public int id;
    public final Resource rsc;
    public Node node;
    public String task;
    public final String uuid;
    public int flags;
    public String reason;
    public String cancelTask;
    public final Map<String, String> meta = new LinkedHashMap<>();
    public final Map<String, String> extra = new LinkedHashMap<>();
    public XmlElement opEntry;
    public Needs needs = Needs.NOTHING;
    public OnFail onFail = OnFail.IGNORE;
    public Role failRole = Role.UNKNOWN;
    public int priority;
    public int runnableBefore;
    public int requiredRunnableBefore;

    /** Actions that must happen before this one (Pacemaker's actions_before, in creation order). */
    public final List<ActionLink> before = new ArrayList<>(2);
    /** Actions that must happen after this one. */
    public final List<ActionLink> after = new ArrayList<>(2);

    Action(Resource rsc, String uuid, String task, Node node) {
        this.rsc = rsc;
        this.uuid = uuid;
        this.task = task;
        this.node = node;
    }

    public boolean is(int flag) {
        return (flags & flag) != 0;
    }

    public void set(int flag) {
        flags |= flag;
    }

    public void clear(int flag) {
        flags &= ~flag;
    }

    public boolean isOptional() {
        return (flags & OPTIONAL) != 0;
    }

    public boolean isRunnable() {
        return (flags & RUNNABLE) != 0;
    }

    public boolean isPseudo() {
        return (flags & PSEUDO) != 0;
    }

    /** pe_action_set_reason. */
    public void setReason(String r, boolean overwrite) {
        if (reason != null && !overwrite) {
            return;
        }
        reason = r;
    }

    public long intervalMs() {
        String v = meta.get("interval");
        return v == null ? 0 : Long.parseLong(v);
    }

    @Override
    public String toString() {
        return uuid + (node == null ? "" : " " + node.uname) + "[" + (isOptional() ? "o" : "R")
            + (isRunnable() ? "r" : "U") + (isPseudo() ? "p" : "") + "]";
    }
}
