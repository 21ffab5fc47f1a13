package org.vigil.crm.internal.scheduler.model;

/**
 * An ordering between two actions given by resource and action key (resolved to actions once they exist) or
 * by the actions themselves (Pacemaker's {@code pe__ordering_t}). Flags are Pacemaker's pe_order_* values.
 *
 * <p>Follows {@code pe__ordering_t} and {@code enum pe_ordering} (include/crm/pengine/pe_types.h,
 * lib/pacemaker/pcmk_sched_ordering.c).
 */
public final class Ordering {

    public static final int NONE = 0x0;
    public static final int OPTIONAL = 0x1;
    public static final int APPLY_FIRST_NON_MIGRATABLE = 0x2;
    public static final int IMPLIES_FIRST = 0x10;
    public static final int IMPLIES_THEN = 0x20;
    public static final int PROMOTED_IMPLIES_FIRST = 0x40;
    public static final int IMPLIES_FIRST_MIGRATABLE = 0x80;
    public static final int RUNNABLE_LEFT = 0x100;
    public static final int PSEUDO_LEFT = 0x200;
    public static final int IMPLIES_THEN_ON_NODE = 0x400;
    public static final int PROBE = 0x800;
    public static final int RESTART = 0x1000;
    public static final int STONITH_STOP = 0x2000;
    public static final int SERIALIZE_ONLY = 0x4000;
    public static final int SAME_NODE = 0x8000;
    public static final int IMPLIES_FIRST_PRINTED = 0x10000;
    public static final int IMPLIES_THEN_PRINTED = 0x20000;
    public static final int ASYMMETRICAL = 0x100000;
    public static final int LOAD = 0x200000;
    public static final int ONE_OR_MORE = 0x400000;
    public static final int ANTI_COLOCATION = 0x800000;
    public static final int PRESERVE = 0x1000000;
    public static final int THEN_CANCELS_FIRST = 0x2000000;

    public final int id;
    public int flags;
    public final Resource firstRsc;
    public final Action firstAction;
    public final String firstTask;
    public final Resource thenRsc;
    public final Action thenAction;
    public final String thenTask;

    Ordering(int id, int flags, Resource firstRsc, Action firstAction, String firstTask, Resource thenRsc,
             Action thenAction, String thenTask) {
        this.id = id;
        this.flags = flags;
        this.firstRsc = firstRsc;
        this.firstAction = firstAction;
        this.firstTask = firstTask;
        this.thenRsc = thenRsc;
        this.thenAction = thenAction;
        this.thenTask = thenTask;
    }

    @Override
    public String toString() {
        return id + ":" + firstTask + "->" + thenTask + "/" + Integer.toHexString(flags);
    }
}
