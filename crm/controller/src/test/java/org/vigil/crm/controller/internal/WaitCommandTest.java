package org.vigil.crm.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlText;

/** What {@code vigil wait --ready} waits for in the CIB's node states. */
class WaitCommandTest {

    private static CibSnapshot cib(String status) throws Exception {
        return new CibSnapshot(XmlText.parse("<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\"><configuration>"
            + "<crm_config/><nodes/><resources/><constraints/></configuration><status>" + status + "</status></cib>",
            "test"));
    }

    private static String state(int id, boolean inCcm, String crmd, String join) {
        return "<node_state id=\"" + id + "\" uname=\"node" + id + "\" in_ccm=\"" + inCcm + "\" crmd=\"" + crmd
            + "\" join=\"" + join + "\"/>";
    }

    @Test
    void aClusterWhoseMembersAllJoinedTheDcWaitsForNoNode() throws Exception {
        CibSnapshot s = cib(state(1, true, "online", "member") + state(2, true, "online", "member")
            + state(3, false, "offline", "down"));
        assertEquals(List.of(), WaitCommand.notJoined(s, List.of(1, 2)));
    }

    @Test
    void aNodeBackInTheRingIsWaitedForUntilTheDcHasWrittenItAndItsJoinIsDone() throws Exception {
        // the ring has node3 again; the CIB still has it as the DC last wrote it: lost
        CibSnapshot lost = cib(state(1, true, "online", "member") + state(2, true, "online", "member")
            + state(3, false, "offline", "down"));
        assertEquals(List.of("the DC to see node3 (a member) in the CIB"),
            WaitCommand.notJoined(lost, List.of(1, 2, 3)));
        // the DC saw it, the join is under way
        CibSnapshot joining = cib(state(1, true, "online", "member") + state(2, true, "online", "member")
            + state(3, true, "online", "pending"));
        assertEquals(List.of("node3 to join the DC (join=pending)"), WaitCommand.notJoined(joining, List.of(1, 2, 3)));
        // a member never written at all
        assertEquals(List.of("the DC to see node 4 (a member) in the CIB"),
            WaitCommand.notJoined(joining, List.of(1, 2, 4)));
    }

    @Test
    void aMemberWithoutAControllerIsNotWaitedFor() throws Exception {
        CibSnapshot s = cib(state(1, true, "online", "member") + state(2, true, "offline", "down"));
        assertEquals(List.of(), WaitCommand.notJoined(s, List.of(1, 2)));
    }
}
