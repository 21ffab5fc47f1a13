package org.vigil.crm.api.controller;

/**
 * A controller's state.
 *
 * @param node          this node's name
 * @param dc            the DC's name, or null while an election is under way
 * @param isDc          whether this node is the DC
 * @param joined        on the DC: whether every node has joined (its history is in the CIB); else false
 * @param transition    on the DC: the number of the last transition, or -1
 * @param idle          on the DC: the join is done, no transition is running or waiting to be computed
 * @param pendingActions on the DC: actions in flight
 * @param summary       one line for people ({@code crmadmin -S})
 */
public record ControllerStatus(String node, String dc, boolean isDc, boolean joined, int transition, boolean idle,
                               int pendingActions, String summary) {
}
