package org.vigil.crm.cib.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.cib.internal.ops.CibOps;
import org.vigil.crm.cib.internal.validate.CibValidator;

/**
 * Sync rounds when members see the group's changes in different steps, as CPG shows them after a fast double join
 * (nodes 1 and 3 formed a ring, node 2 joined 10 ms later): nodes 1 and 3 see [1, 3] then [1, 2, 3], node 2 sees
 * [1, 2] then [1, 2, 3], and the coordinator's start for the round reaches node 2 between its two changes. Before
 * the fix node 2 waited for a start that never came and nodes 1 and 3 for its hello: the CIB was stuck for good.
 */
class CibEngineViewsTest {

    private final Map<Integer, CibEngine> engines = new TreeMap<>();
    private final Map<Integer, List<byte[]>> sent = new TreeMap<>();

    private CibEngine engine(int id) {
        List<byte[]> out = new ArrayList<>();
        sent.put(id, out);
        CibEngine e = new CibEngine(member(id), "node" + id, new CibSnapshot(CibOps.empty("pacemaker-3.9")),
            new CibValidator(java.nio.file.Path.of("/nonexistent")), new CibEngine.Output() {
                @Override
                public void multicast(byte[] message) {
                    out.add(message);
                }

                @Override
                public void completed(long requestId, CibSnapshot after) {
                }

                @Override
                public void failed(long requestId, CibError error) {
                }

                @Override
                public void persist(CibSnapshot snapshot) {
                }

                @Override
                public void changed(CibChange change) {
                }

                @Override
                public void log(boolean warn, String message) {
                }
            });
        engines.put(id, e);
        return e;
    }

    private static CibEngine.Member member(int id) {
        return new CibEngine.Member(id, 100 + id);
    }

    private static List<CibEngine.Member> view(int... ids) {
        List<CibEngine.Member> l = new ArrayList<>();
        for (int i : ids) {
            l.add(member(i));
        }
        return l;
    }

    /** Delivers what {@code from} sent so far to the listed nodes, in order; returns how many. */
    private int deliver(int from, int... to) {
        List<byte[]> msgs = new ArrayList<>(sent.get(from));
        sent.get(from).clear();
        for (byte[] m : msgs) {
            for (int t : to) {
                engines.get(t).delivered(member(from), "node" + from, m);
            }
        }
        return msgs.size();
    }

    /** Every message reaches all three, in one order, until nothing more is said. */
    private void deliverAllUntilQuiet() {
        for (int pass = 0; pass < 20; pass++) {
            int moved = 0;
            for (int from : List.of(1, 2, 3)) {
                moved += deliver(from, 1, 2, 3);
            }
            if (moved == 0) {
                return;
            }
        }
    }

    @Test
    void aMemberThatSeesTheGroupGrowInTwoStepsStillEndsTheRoundWithTheOthers() {
        CibEngine n1 = engine(1);
        CibEngine n2 = engine(2);
        CibEngine n3 = engine(3);
        // nodes 1 and 3 in the short-lived ring; node 2 alone meanwhile: each ends its own rounds
        n1.configurationChanged(view(1, 3));
        n3.configurationChanged(view(1, 3));
        n2.configurationChanged(view(2));
        deliver(2, 2);
        deliver(2, 2);
        assertFalse(n2.syncing(), "node 2 alone is in sync");
        sent.get(1).clear();   // the [1, 3] round's start: stale by the time it would be delivered
        sent.get(3).clear();
        // the ring with all three: nodes 1 and 3 see one change, node 2 two
        n1.configurationChanged(view(1, 2, 3));
        n3.configurationChanged(view(1, 2, 3));
        n2.configurationChanged(view(1, 2));
        // the coordinator's start reaches everyone, node 2 before its second change
        deliver(1, 1, 2, 3);
        deliver(3, 1, 2, 3);
        n2.configurationChanged(view(1, 2, 3));
        // from here on every message reaches all three, in one order, until nothing more is said
        deliverAllUntilQuiet();
        for (Map.Entry<Integer, CibEngine> e : engines.entrySet()) {
            assertFalse(e.getValue().syncing(), "node " + e.getKey() + " ended the round");
        }
        assertEquals(n1.current().digest(), n2.current().digest());
        assertEquals(n1.current().digest(), n3.current().digest());
    }

    @Test
    void aMemberWhoseSecondChangeComesAfterTheRoundEndedGetsARoundForEveryone() {
        CibEngine n1 = engine(1);
        CibEngine n2 = engine(2);
        CibEngine n3 = engine(3);
        n1.configurationChanged(view(1, 3));
        n3.configurationChanged(view(1, 3));
        n2.configurationChanged(view(2));
        deliver(2, 2);
        deliver(2, 2);
        sent.get(1).clear();
        sent.get(3).clear();
        n1.configurationChanged(view(1, 2, 3));
        n3.configurationChanged(view(1, 2, 3));
        n2.configurationChanged(view(1, 2));
        // node 2 answers the coordinator's start while it sees [1, 2]; the round ends everywhere
        deliverAllUntilQuiet();
        assertFalse(n1.syncing(), "node 1 ended the round");
        assertFalse(n3.syncing(), "node 3 ended the round");
        // only then node 2 sees its second change: it syncs again, and asks for a round
        n2.configurationChanged(view(1, 2, 3));
        deliverAllUntilQuiet();
        for (Map.Entry<Integer, CibEngine> e : engines.entrySet()) {
            assertFalse(e.getValue().syncing(), "node " + e.getKey() + " is in sync");
        }
        assertEquals(n1.current().digest(), n2.current().digest());
        assertEquals(n1.current().digest(), n3.current().digest());
    }
}
