package org.vigil.crm.internal.scheduler.model;

/**
 * One side of an ordering between two actions (Pacemaker's {@code pe_action_wrapper_t}): the other action and
 * the ordering flags ({@link Ordering} constants). The flags may be cleared to disable the link.
 *
 * <p>Follows {@code pe_action_wrapper_t} (include/crm/pengine/pe_types.h).
 */
public final class ActionLink {

    public final Action action;
    public int type;
    public boolean dumped;

    ActionLink(Action action, int type) {
        this.action = action;
        this.type = type;
    }
}
