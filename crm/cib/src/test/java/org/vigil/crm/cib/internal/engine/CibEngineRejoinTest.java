package org.vigil.crm.cib.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.cib.internal.ops.CibOps;
import org.vigil.crm.cib.internal.validate.CibValidator;

/**
 * A node's CIB starts again (its bundle swapped, issue 18, or the node restarted) while nothing changed the
 * configuration: its copy, read from disk, has the group's version (num_updates is 0 after a configuration change)
 * but no status. Node 1, the lowest, won the tie and replaced every node's status with nothing (the DC then asked
 * every node for its history again). The group's copy must win.
 */
class CibEngineRejoinTest {

    private final Map<Integer, CibEngine> engines = new TreeMap<>();
    private final Map<Integer, List<byte[]>> sent = new TreeMap<>();
    private final Map<Integer, List<CibChange>> changes = new TreeMap<>();
    private long requests;

    private CibEngine engine(int id, long pid, CibSnapshot initial) {
        List<byte[]> out = new ArrayList<>();
        List<CibChange> seen = new ArrayList<>();
        sent.put(id, out);
        changes.put(id, seen);
        CibEngine[] self = new CibEngine[1];
        CibEngine e = new CibEngine(new CibEngine.Member(id, pid), "node" + id, initial,
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
                    throw new AssertionError("request " + requestId + " failed: " + error);
                }

                @Override
                public void persist(CibSnapshot snapshot) {
                    self[0].persisted(snapshot.version());   // on disk at once
                }

                @Override
                public void changed(CibChange change) {
                    seen.add(change);
                }

                @Override
                public void log(boolean warn, String message) {
                }
            });
        self[0] = e;
        engines.put(id, e);
        return e;
    }

    private final Map<Integer, Long> pids = new TreeMap<>(Map.of(1, 101L, 2, 102L, 3, 103L));

    private CibEngine.Member member(int id) {
        return new CibEngine.Member(id, pids.get(id));
    }

    /** Every message reaches every engine, in one order, until nothing more is said. */
    private void deliverAllUntilQuiet() {
        for (int pass = 0; pass < 50; pass++) {
            int moved = 0;
            for (int from : List.copyOf(engines.keySet())) {
                List<byte[]> msgs = new ArrayList<>(sent.get(from));
                sent.get(from).clear();
                for (byte[] m : msgs) {
                    for (CibEngine e : engines.values()) {
                        e.delivered(member(from), "node" + from, m);
                    }
                }
                moved += msgs.size();
            }
            if (moved == 0) {
                return;
            }
        }
    }

    /** Delivers what {@code node} says to itself only, until it is quiet. */
    private void deliverOnlyTo(int node) {
        for (int pass = 0; pass < 20 && !sent.get(node).isEmpty(); pass++) {
            List<byte[]> msgs = new ArrayList<>(sent.get(node));
            sent.get(node).clear();
            for (byte[] m : msgs) {
                engines.get(node).delivered(member(node), "node" + node, m);
            }
        }
    }

    private void view(int... ids) {
        List<CibEngine.Member> v = new ArrayList<>();
        for (int i : ids) {
            v.add(member(i));
        }
        for (CibEngine e : engines.values()) {
            e.configurationChanged(v);
        }
        deliverAllUntilQuiet();
    }

    private void request(int node, CibRequest r) {
        engines.get(node).request(++requests, r, 1_800_000_000_000L);
        deliverAllUntilQuiet();
    }

    /** What CibStore.load() gives of a copy written to disk: no status, no dc-uuid, num_updates 0. */
    static CibSnapshot fromDisk(CibSnapshot s) {
        XmlNode root = s.root();
        for (int i = 0; i < root.children().size(); i++) {
            if (root.children().get(i).is("status")) {
                root = root.withChild(i, XmlNode.of("status"));
            }
        }
        return new CibSnapshot(root.without("dc-uuid").with("num_updates", "0"));
    }

    @Test
    void aCopyReadFromDiskLosesTheTieToTheGroupsCopyWhichKeepsTheStatus() {
        CibSnapshot empty = new CibSnapshot(CibOps.empty("pacemaker-3.9"));
        for (int i = 1; i <= 3; i++) {
            engine(i, pids.get(i), empty);
        }
        view(1, 2, 3);
        request(2, CibRequest.of(CibRequest.Op.CREATE, "status", XmlNode.of("node_state", "id", "2", "uname",
            "node2", "crmd", "online"), "crmd"));
        request(3, CibRequest.of(CibRequest.Op.CREATE, "crm_config", XmlNode.of("cluster_property_set", "id", "w1"),
            "cibadmin"));
        CibSnapshot group = engines.get(2).current();
        assertEquals(0, group.version().numUpdates(), "a configuration change last: num_updates 0");
        assertNotNull(group.status().firstChild("node_state"));

        // node 1's CIB stops and starts again with its copy from disk: the same version, no status
        engines.remove(1);
        sent.remove(1);
        view(2, 3);
        pids.put(1, 201L);
        CibEngine again = engine(1, 201L, fromDisk(group));
        assertEquals(group.version(), again.current().version());
        assertFalse(again.current().digest().equals(group.digest()));
        // alone for a moment first (its ring formed before it met the others): still a copy from disk
        again.configurationChanged(List.of(member(1)));
        deliverOnlyTo(1);
        assertFalse(again.syncing(), "its round alone is over");
        view(1, 2, 3);

        for (int i = 1; i <= 3; i++) {
            CibSnapshot s = engines.get(i).current();
            assertFalse(engines.get(i).syncing(), "node" + i + " is out of the round");
            assertEquals(group.digest(), s.digest(), "node" + i + " has the group's copy, the status with it");
        }
        assertTrue(changes.get(2).stream().noneMatch(CibChange::sync), "node2's copy was not replaced");
        assertTrue(changes.get(3).stream().noneMatch(CibChange::sync), "node3's copy was not replaced");
        assertTrue(changes.get(1).stream().anyMatch(CibChange::sync), "node1 took the group's copy");
    }

    @Test
    void withEveryCopyReadFromDiskTheLowestNodeStillWinsATie() {
        // a cold start of the whole cluster: all fresh, the rule before (and the same pick on every node)
        CibSnapshot a = new CibSnapshot(CibOps.empty("pacemaker-3.9").with("epoch", "5"));
        CibSnapshot b = new CibSnapshot(CibOps.empty("pacemaker-3.9").with("epoch", "5").with("validate-with",
            "pacemaker-3.8"));
        engine(1, 101L, a);
        engine(2, 102L, b);
        engine(3, 103L, b);
        view(1, 2, 3);
        for (int i = 1; i <= 3; i++) {
            assertEquals(a.digest(), engines.get(i).current().digest(), "node" + i);
        }
    }
}
