package org.vigil.crm.api;

import java.util.List;

/**
 * The result of one scheduler run: the graph the controller executes (settings and actions, each action listing
 * the actions it waits for) and the human-readable summary {@code crm_simulate} prints under
 * {@code Transition Summary:}.
 *
 * @param transitionId the transition's number, as given to {@link PolicyEngine#schedule}
 * @param teUuid       the transition engine UUID, as given to {@link PolicyEngine#schedule}
 * @param settings     the graph-wide settings (timeouts, limits, recheck time)
 * @param actions      the graph's actions, each listing its inputs; executable in list order
 * @param summary      one line per decision, in crm_simulate's wording without the leading {@code "  * "},
 *                     e.g. {@code "Start      rsc2    ( node1 )"} or {@code "Fence (reboot) node2 'peer is unclean'"}
 * @param warnings     configuration problems the scheduler worked around (Pacemaker logs these as warnings)
 */
public record Transition(int transitionId, String teUuid, GraphSettings settings, List<TransitionAction> actions,
                         List<String> summary, List<String> warnings) {

    public Transition {
        actions = List.copyOf(actions);
        summary = List.copyOf(summary);
        warnings = List.copyOf(warnings);
    }
}
