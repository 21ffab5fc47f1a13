package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.cib.internal.TestNode;
import org.vigil.crm.cib.internal.ops.CibXPath;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.QuorumListener;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.RingId;

/**
 * {@code crm_node} from the kernel's membership and quorum: Pacemaker's output for {@code -l}, {@code -p},
 * {@code -q}, {@code -i}, {@code -n}, {@code -N}, exit codes, and {@code -R} removing a departed node from the CIB.
 * (Pacemaker's own crm_node needs a running controller, so there is no offline comparison; the formats are those
 * of {@code tools/crm_node.c}.)
 */
class CrmNodeCommandTest {

    @TempDir
    Path tmp;

    /** A membership that is whatever the test sets. */
    static final class Members implements ClusterMembership {
        volatile List<Integer> ids;

        Members(Integer... ids) {
            this.ids = List.of(ids);
        }

        @Override
        public MembershipEvent current() {
            return new MembershipEvent(MembershipEvent.Type.REGULAR, new RingId(1, 7), ids, List.of(), List.of());
        }

        @Override
        public AutoCloseable addListener(org.vigil.kernel.api.MembershipListener listener) {
            return () -> { };
        }
    }

    /** A quorum decision the test sets (none at first). */
    static final class Quorum implements QuorumService {
        volatile QuorumState state;

        @Override
        public Optional<QuorumState> current() {
            return Optional.ofNullable(state);
        }

        @Override
        public AutoCloseable addListener(QuorumListener listener) {
            return () -> { };
        }

        void set(boolean quorate, List<Integer> members) {
            state = new QuorumState(quorate, new RingId(1, 7), members, List.of(), List.of(), members.size(), 3, 2,
                "test");
        }
    }

    static final String CIB = """
        <cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
          <configuration>
            <crm_config/>
            <nodes>
              <node id="1" uname="node10"/>
              <node id="2" uname="Node2"/>
              <node id="3" uname="alpha"/>
              <node id="7" uname="seven"/>
            </nodes>
            <resources/>
            <constraints/>
          </configuration>
          <status>
            <node_state id="7" uname="seven" in_ccm="false" crmd="offline" join="down" expected="down"/>
          </status>
        </cib>
        """;

    private final Members members = new Members(1, 2, 9);
    private final Quorum quorum = new Quorum();
    private final LoopbackCib cib;
    private final CrmNodeCommand cmd;

    CrmNodeCommandTest() throws Exception {
        cib = new LoopbackCib(XmlText.parse(CIB, "test"));
        // the nodelist knows 1, 2, 3 and 5 (never seen); 9 is a member the nodelist does not name (only its address)
        cmd = new CrmNodeCommand(members, quorum, new TestNode(2, "Node2", Map.of(1, "node10", 2, "Node2", 3, "alpha",
            5, "beta")), cib);
    }

    private Commands.Result run(String... args) {
        return Commands.run(cmd, tmp, args);
    }

    @Test
    void listPrintsIdNameStateOfEveryKnownNodeSortedByNameAsPacemakerSorts() {
        Commands.Result r = run("-l");
        assertEquals(0, r.exit());
        // node 9's name is unknown: empty, sorted first, as Pacemaker prints a peer without uname
        assertEquals("9  member\n3 alpha lost\n5 beta lost\n2 Node2 member\n1 node10 member\n", r.out());
    }

    @Test
    void listAsXmlAndJson() {
        Commands.Result x = run("-l", "--output-as", "xml");
        assertEquals(0, x.exit(), x.err());
        assertEquals("""
            <pacemaker-result api-version="2.25" request="crm_node -l --output-as xml">
              <nodes>
                <node id="9" name="" state="member"/>
                <node id="3" name="alpha" state="lost"/>
                <node id="5" name="beta" state="lost"/>
                <node id="2" name="Node2" state="member"/>
                <node id="1" name="node10" state="member"/>
              </nodes>
              <status code="0" message="OK"/>
            </pacemaker-result>
            """, x.out());
        Commands.Result j = run("-l", "--output-as=json");
        assertEquals(0, j.exit(), j.err());
        assertTrue(j.out().contains("""
                      {
                        "id": "3",
                        "name": "alpha",
                        "state": "lost"
                      },
            """), j.out());
        assertEquals(64, run("-n", "--output-as", "xml").exit());
        assertEquals(64, run("-l", "--output-as", "yaml").exit());
    }

    @Test
    void partitionPrintsTheMembersNamesOnOneLine() {
        assertEquals(" Node2 node10 \n", run("-p").out());
        members.ids = List.of(1, 3);
        assertEquals("alpha node10 \n", run("--partition").out());
    }

    @Test
    void quorumIsOneOrZeroWithExit106WhenNotQuorate() {
        Commands.Result none = run("-q");
        assertEquals("0\n", none.out(), "no decision yet is not quorate");
        assertEquals(106, none.exit());
        quorum.set(true, List.of(1, 2, 9));
        Commands.Result yes = run("-q");
        assertEquals("1\n", yes.out());
        assertEquals(0, yes.exit());
        quorum.set(false, List.of(2));
        assertEquals(106, run("--quorum").exit());
    }

    @Test
    void thisNodesIdAndNameAndTheNameForAnId() {
        assertEquals("2\n", run("-i").out());
        assertEquals("Node2\n", run("-n").out());
        assertEquals("alpha\n", run("-N", "3").out());
        assertEquals("seven\n", run("-N", "7").out(), "a node only the CIB names");
        assertEquals("Node2\n", run("-N", "0").out(), "id 0 is this node, as the controller answers");
        Commands.Result unknown = run("-N", "42");
        assertEquals(68, unknown.exit());
        assertEquals("Node is not known to cluster\n", unknown.err());
    }

    @Test
    void noCommandPrintsHelpWithUsageExit() {
        Commands.Result r = run();
        assertEquals(64, r.exit());
        assertTrue(r.err().contains("--list"), r.err());
    }

    @Test
    void removeNeedsForceRefusesAMemberAndDeletesADepartedNodesEntries() throws Exception {
        Commands.Result noForce = run("-R", "seven");
        assertEquals(64, noForce.exit());
        assertTrue(noForce.err().startsWith("The supplied command is considered dangerous."), noForce.err());
        Commands.Result member = run("-R", "node10", "--force");
        assertEquals(107, member.exit(), member.toString());
        assertNotNull(one("/cib/configuration/nodes/node[@uname='node10']"));
        Commands.Result gone = run("-R", "seven", "--force");
        assertEquals(0, gone.exit(), gone.toString());
        assertNull(one("/cib/configuration/nodes/node[@uname='seven']"));
        assertNull(one("/cib/status/node_state[@uname='seven']"));
        assertNotNull(one("/cib/configuration/nodes/node[@uname='alpha']"), "nothing else is removed");
    }

    private XmlNode one(String xpath) throws Exception {
        List<int[]> hits = CibXPath.select(cib.current().root(), xpath);
        return hits.isEmpty() ? null : cib.current().root().at(hits.get(0));
    }

    @Test
    void namesSortCaseInsensitivelyWithNumbersByValue() {
        assertTrue(CrmNodeCommand.numericCaseInsensitive("node2", "node10") < 0);
        assertTrue(CrmNodeCommand.numericCaseInsensitive("Node2", "node2") == 0);
        assertTrue(CrmNodeCommand.numericCaseInsensitive("alpha", "Beta") < 0);
        assertTrue(CrmNodeCommand.numericCaseInsensitive("node", "node1") < 0);
    }
}
