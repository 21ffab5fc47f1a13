package org.vigil.crm.internal.scheduler.schedule;

import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.Ticket;
import org.vigil.crm.internal.scheduler.model.TicketConstraint;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.unpack.Tags;

/**
 * Ticket constraints (rsc_ticket, Pacemaker's pcmk_sched_tickets.c): a resource may run (in a role) only while a
 * ticket is granted and not in standby; losing it stops, demotes, fences or freezes the resource.
 *
 * <p>Follows lib/pacemaker/pcmk_sched_tickets.c.
 */
final class Tickets {

    /** Follows {@code pcmk__require_promotion_tickets()} in lib/pacemaker/pcmk_sched_tickets.c. */
    private Tickets() {
    }

    /** Follows {@code ticket_role_matches()} in lib/pacemaker/pcmk_sched_tickets.c. */
    private static boolean roleMatches(Resource rsc, TicketConstraint t) {
        return t.role == Role.UNKNOWN || t.role == rsc.role;
    }

    /** Follows {@code constraints_for_ticket()} in lib/pacemaker/pcmk_sched_tickets.c. */
    private static void constraintsForTicket(WorkingSet ws, Resource rsc, TicketConstraint t) {
        if (t.ticket.granted && !t.ticket.standby) {
            return;
        }
        if (!rsc.children.isEmpty()) {
            for (Resource c : rsc.children) {
                constraintsForTicket(ws, c, t);
            }
            return;
        }
        if (!t.ticket.granted && !rsc.runningOn.isEmpty()) {
            switch (t.lossPolicy) {
                case STOP -> ws.resourceLocation(rsc, null, -Score.INFINITY, "__loss_of_ticket__");
                case DEMOTE -> {
                    if (t.role != Role.PROMOTED) {
                        ws.resourceLocation(rsc, null, -Score.INFINITY, "__loss_of_ticket__");
                    }
                }
                case FENCE -> {
                    if (!roleMatches(rsc, t)) {
                        return;
                    }
                    ws.resourceLocation(rsc, null, -Score.INFINITY, "__loss_of_ticket__");
                    for (Node n : new java.util.ArrayList<>(rsc.runningOn)) {
                        ws.fenceNode(n, "deadman ticket was lost", false);
                    }
                }
                case FREEZE -> {
                    if (!roleMatches(rsc, t)) {
                        return;
                    }
                    if (!rsc.runningOn.isEmpty()) {
                        rsc.clear(Resource.MANAGED);
                        rsc.set(Resource.BLOCK);
                    }
                }
                default -> {
                }
            }
        } else if (!t.ticket.granted) {
            if (t.role != Role.PROMOTED || t.lossPolicy == TicketConstraint.LossPolicy.STOP) {
                ws.resourceLocation(rsc, null, -Score.INFINITY, "__no_ticket__");
            }
        } else if (t.ticket.standby) {
            if (t.role != Role.PROMOTED || t.lossPolicy == TicketConstraint.LossPolicy.STOP) {
                ws.resourceLocation(rsc, null, -Score.INFINITY, "__ticket_standby__");
            }
        }
    }

    /** Follows {@code rsc_ticket_new()} in lib/pacemaker/pcmk_sched_tickets.c. */
    private static void newTicketConstraint(WorkingSet ws, String id, Resource rsc, Ticket ticket, String state,
                                            String lossPolicy) {
        if (rsc == null) {
            ws.warn("Ignoring ticket '" + id + "' because resource does not exist");
            return;
        }
        if (state == null || "started".equalsIgnoreCase(state)) {
            state = "unknown";
        }
        Role role = Role.parse(state);
        TicketConstraint.LossPolicy policy = null;
        if ("fence".equalsIgnoreCase(lossPolicy)) {
            if (ws.is(WorkingSet.STONITH_ENABLED)) {
                policy = TicketConstraint.LossPolicy.FENCE;
            } else {
                ws.warn("Resetting 'loss-policy' for ticket '" + ticket.id + "' to 'stop' because fencing is not "
                    + "configured");
                lossPolicy = "stop";
            }
        }
        if (policy == null) {
            if ("freeze".equalsIgnoreCase(lossPolicy)) {
                policy = TicketConstraint.LossPolicy.FREEZE;
            } else if ("demote".equalsIgnoreCase(lossPolicy)) {
                policy = TicketConstraint.LossPolicy.DEMOTE;
            } else if ("stop".equalsIgnoreCase(lossPolicy)) {
                policy = TicketConstraint.LossPolicy.STOP;
            } else if (role == Role.PROMOTED) {
                policy = TicketConstraint.LossPolicy.DEMOTE;
            } else {
                policy = TicketConstraint.LossPolicy.STOP;
            }
        }
        TicketConstraint t = new TicketConstraint(id, rsc, ticket, policy, role);
        rsc.ticketConstraints.add(t);
        ws.ticketConstraints.add(t);
        if (!ticket.granted || ticket.standby) {
            constraintsForTicket(ws, rsc, t);
        }
    }

    /** Follows {@code pcmk__unpack_rsc_ticket()} in lib/pacemaker/pcmk_sched_tickets.c. */
    static void unpack(WorkingSet ws, XmlElement xml) {
        String id = xml.get("id");
        String ticketStr = xml.get("ticket");
        String lossPolicy = xml.get("loss-policy");
        if (id == null) {
            return;
        }
        if (ticketStr == null) {
            ws.warn("Ignoring constraint '" + id + "' without ticket");
            return;
        }
        Ticket ticket = ws.tickets.computeIfAbsent(ticketStr, Ticket::new);
        XmlElement expanded = ws.constraintTags.expandSingleResourceTags(xml);
        if (expanded == Tags.INVALID) {
            return;
        }
        XmlElement obj = expanded != null ? expanded : xml;
        boolean anySets = false;
        for (XmlElement set : obj.children("resource_set")) {
            anySets = true;
            set = ws.rules.expand(set);
            if (set == null) {
                return;
            }
            String setId = set.get("id");
            String role = set.get("role");
            for (XmlElement ref : set.children("resource_ref")) {
                Resource r = ws.findConstraintResource(ref.get("id"));
                if (r == null) {
                    ws.warn(setId + ": No resource found for " + ref.get("id"));
                    return;
                }
                newTicketConstraint(ws, setId, r, ticket, role, lossPolicy);
            }
        }
        if (anySets) {
            return;
        }
        String rscId = xml.get("rsc");
        String state = xml.get("rsc-role");
        String instance = xml.get("rsc-instance");
        if (rscId == null) {
            ws.warn("Ignoring constraint '" + id + "' without resource");
            return;
        }
        Resource rsc = ws.findConstraintResource(rscId);
        if (rsc == null) {
            ws.warn("Ignoring constraint '" + id + "' because resource '" + rscId + "' does not exist");
            return;
        } else if (instance != null && !rsc.isClone()) {
            return;
        }
        if (instance != null) {
            rsc = ((Clone) rsc).findInstance(instance);
            if (rsc == null) {
                return;
            }
        }
        newTicketConstraint(ws, id, rsc, ticket, state, lossPolicy);
    }

    /** Follows {@code pcmk__require_promotion_tickets()} in lib/pacemaker/pcmk_sched_tickets.c. */
    static void requirePromotionTickets(WorkingSet ws, Resource rsc) {
        for (TicketConstraint t : rsc.ticketConstraints) {
            if (t.role == Role.PROMOTED && (!t.ticket.granted || t.ticket.standby)) {
                ws.resourceLocation(rsc, null, -Score.INFINITY, "__stateful_without_ticket__");
            }
        }
    }
}
