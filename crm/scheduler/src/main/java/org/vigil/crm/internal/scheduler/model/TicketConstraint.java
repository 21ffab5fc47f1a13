package org.vigil.crm.internal.scheduler.model;

import org.vigil.crm.internal.cib.Role;

/**
 * An rsc_ticket constraint: what happens to a resource (in a role) when the ticket is lost.
 *
 * <p>Follows {@code rsc_ticket_t} (include/pcmki/pcmki_scheduler.h).
 */
public final class TicketConstraint {

    public enum LossPolicy { STOP, DEMOTE, FENCE, FREEZE }

    public final String id;
    public final Resource rsc;
    public final Ticket ticket;
    public final LossPolicy lossPolicy;
    public final Role role;

    public TicketConstraint(String id, Resource rsc, Ticket ticket, LossPolicy lossPolicy, Role role) {
        this.id = id;
        this.rsc = rsc;
        this.ticket = ticket;
        this.lossPolicy = lossPolicy;
        this.role = role;
    }
}
