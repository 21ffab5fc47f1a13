package org.vigil.crm.internal.scheduler.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Resource;

/**
 * Records allocation scores for {@code --show-scores} ({@code PREFIX: rsc allocation score on node: SCORE}).
 *
 * <p>Follows {@code pe__show_node_weights_as()} in lib/pengine/utils.c and the promotion score output of
 * lib/pacemaker/pcmk_sched_promotable.c.
 */
public final class Scores {

    public final List<String> lines = new ArrayList<>();
    public boolean enabled;

    public void show(Resource rsc, String prefix, Map<Node, NodeScore> nodes) {
        if (!enabled || nodes == null || (rsc != null && rsc.is(Resource.ORPHAN))) {
            return;
        }
        List<NodeScore> list = new ArrayList<>(nodes.values());
        list.sort((a, b) -> Util.numericCompare(a.node.uname, b.node.uname));
        for (NodeScore ns : list) {
            lines.add(prefix + ": " + rsc.id + " allocation score on " + ns.node.uname + ": "
                + Score.toString(ns.weight));
        }
        if (rsc != null) {
            for (Resource c : rsc.children) {
                show(c, prefix, c.allowedNodes);
            }
        }
    }

    public void promotion(Resource rsc, Node node, int score) {
        if (enabled) {
            lines.add(rsc.id + " promotion score on " + (node == null ? "none" : node.uname) + ": "
                + Score.toString(score));
        }
    }
}
