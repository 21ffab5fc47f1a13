package org.vigil.quorum.internal.votequorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.config.VigilConfig;

/** The quorum device's flags in the votequorum state machine of one node. */
class VotequorumDeviceTest {

    static Votequorum node1() throws Exception {
        VigilConfig cfg = VigilConfig.fromText("d.conf", "totem {\n  version: 2\n  cluster_name: d\n}\n"
            + "quorum {\n  provider: corosync_votequorum\n  device {\n    model: net\n    votes: 1\n"
            + "    net {\n      host: 127.0.0.1\n      algorithm: ffsplit\n    }\n  }\n}\n"
            + "nodelist {\n  node {\n    ring0_addr: 10.62.0.1\n    nodeid: 1\n  }\n"
            + "  node {\n    ring0_addr: 10.62.0.2\n    nodeid: 2\n  }\n}\n");
        return new Votequorum(VotequorumSettings.from(cfg, 1), 1, 0, null);
    }

    /** Delivers every NODEINFO/QDEVICE_REG the node sent back to itself (a ring of one); returns the NODEINFOs. */
    static List<VqMessage.NodeInfo> loopback(Votequorum vq, List<VqAction> actions) {
        List<VqMessage.NodeInfo> sent = new ArrayList<>();
        List<VqAction> todo = new ArrayList<>(actions);
        while (!todo.isEmpty()) {
            VqAction a = todo.remove(0);
            if (a instanceof VqAction.Send s) {
                if (s.message() instanceof VqMessage.NodeInfo n && n.nodeId() == 1) {
                    sent.add(n);
                }
                todo.addAll(vq.deliver(1, s.message()));
            }
        }
        return sent;
    }

    @Test
    void anOldEchoOfOurOwnNodeinfoNeverBringsBackAVoteTheDeviceTookAway() throws Exception {
        Votequorum vq = node1();
        RingId ring = new RingId(1, 8);
        loopback(vq, vq.takeActions());
        loopback(vq, vq.syncInit(ring, List.of(1)));
        loopback(vq, vq.syncProcess());
        loopback(vq, vq.syncActivate());
        assertEquals(Votequorum.Status.OK, vq.qdeviceRegister("Qdevice"));
        loopback(vq, vq.takeActions());
        assertEquals(Votequorum.Status.OK, vq.qdevicePoll("Qdevice", ring, true));
        List<VqAction> withVote = vq.takeActions(); // a NODEINFO with the cast-vote flag, not delivered yet
        assertEquals(Votequorum.Status.OK, vq.qdevicePoll("Qdevice", ring, false));
        List<VqAction> withoutVote = vq.takeActions();
        // the first NODEINFO comes back after the device took its vote away
        List<VqMessage.NodeInfo> echoed = loopback(vq, withVote);
        assertTrue(echoed.stream().anyMatch(n -> (n.flags() & NodeFlags.QDEVICE_CAST_VOTE) != 0), "the old echo");
        assertFalse(vq.info(0).orElseThrow().has(Votequorum.Info.QDEVICE_CAST_VOTE), "the vote stays taken away");
        assertFalse(vq.lastCalculation().withDevice(), "and is not counted");
        assertEquals(1, vq.lastCalculation().totalVotes());
        assertFalse(vq.quorate(), "1 vote of 3");
        loopback(vq, withoutVote);
        assertFalse(vq.info(0).orElseThrow().has(Votequorum.Info.QDEVICE_CAST_VOTE));
    }
}
