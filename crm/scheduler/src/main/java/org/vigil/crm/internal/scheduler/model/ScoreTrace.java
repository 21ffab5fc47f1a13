package org.vigil.crm.internal.scheduler.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a resource's node scores come from, for {@code crm_resource --why --explain}: each change the scheduler
 * makes to a resource's score on a node, with what made it (a location constraint, a ban, stickiness, a fail count
 * at its migration threshold, a ticket, a colocation...). Recorded only when a working set has one
 * ({@link WorkingSet#trace}, null by default): it observes the scheduler and changes none of its decisions.
 * Pacemaker has no such record; its sources are named after the tags {@code resource_location()} is given in
 * lib/pengine/utils.c and the constraints of lib/pacemaker/pcmk_sched_location.c and pcmk_sched_colocation.c.
 */
public final class ScoreTrace {

    /** One change: {@code score} added to {@code rsc}'s score on {@code node} by {@code source}. */
    public record Entry(String rsc, String node, int score, String source) {
    }

    private final List<Entry> entries = new ArrayList<>();

    public void add(Resource rsc, Node node, int score, String source) {
        entries.add(new Entry(rsc.id, node.uname, score, source));
    }

    /** Everything recorded, in the order the scheduler did it. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }
}
