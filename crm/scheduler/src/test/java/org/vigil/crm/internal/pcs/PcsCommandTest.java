package org.vigil.crm.internal.pcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.internal.tools.ToolClock;
import org.vigil.kernel.api.command.CommandContext;

/**
 * Vigil's pcs and crm without the real tools (the differential tests compare with those): the texts below are
 * pcs 0.11.5's and crmsh 4.4.1's for the same command lines, an agent with Dummy's meta-data standing in for the
 * installed one; {@code --dry-run} prints the scheduler's transition and leaves the CIB alone; on a node a change
 * replaces the configuration through the CIB service.
 */
class PcsCommandTest {

    @TempDir
    Path tmp;

    static final String DUMMY_MD = """
        <resource-agent name="Dummy"><parameters><parameter name="state"/><parameter name="fake"/></parameters>
        <actions><action name="start" timeout="20s"/><action name="stop" timeout="20s"/>
        <action name="monitor" timeout="20s" interval="10s" depth="0"/><action name="reload" timeout="20s"/>
        <action name="migrate_to" timeout="20s"/><action name="migrate_from" timeout="20s"/>
        <action name="meta-data" timeout="5s"/><action name="validate-all" timeout="20s"/></actions>
        </resource-agent>""";

    static final AgentMetadata.Source AGENTS = new AgentMetadata.Source() {
        @Override
        public XmlNode metadata(AgentMetadata.Agent agent) {
            try {
                return agent.type().equals("Dummy") ? XmlText.parse(DUMMY_MD, "md") : null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public List<String> providers(String type) {
            return type.equals("Dummy") ? List.of("heartbeat", "pacemaker") : List.of();
        }
    };

    static final ToolClock CLOCK = new ToolClock() {
        @Override
        public long nowMillis() {
            return 1_700_000_000_000L;
        }

        @Override
        public ZoneId zone() {
            return ZoneId.of("UTC");
        }

        @Override
        public void sleep(long ms) {
        }

        @Override
        public <T> T await(CompletionStage<T> stage, long timeoutMs) throws InterruptedException,
            java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
            return stage.toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    };

    /** A running node1 with V1 started on it, node2 online. */
    static final String RUNNING = """
        <cib admin_epoch="0" epoch="5" num_updates="0" validate-with="pacemaker-3.9" have-quorum="1"><configuration><crm_config>
        <cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/>
        </cluster_property_set></crm_config><nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
        <resources><primitive id="V1" class="ocf" provider="heartbeat" type="Dummy"/></resources><constraints/>
        </configuration><status>
        <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1">
        <lrm_resources><lrm_resource id="V1" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="V1_last_0"
        operation_key="V1_start_0" operation="start" crm-debug-origin="t" crm_feature_set="3.16.2"
        transition-key="1:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
        transition-magic="0:0;1:1:0:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" call-id="2" rc-code="0" op-status="0"
        interval="0" last-rc-change="1699999000" exec-time="1" queue-time="0" op-digest="x"/></lrm_resource>
        </lrm_resources></lrm></node_state>
        <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
        </status></cib>
        """;

    record Run(int exit, String out, String err) {
    }

    Run pcs(Cib cib, String... args) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            rc = new PcsCommand(cib, CLOCK, AGENTS).execute(List.of(args), new CommandContext(tmp), out, err);
        }
        return new Run(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    Path file(String xml) throws Exception {
        Path f = tmp.resolve("cib.xml");
        Files.writeString(f, xml);
        return f;
    }

    @Test
    void createConfigAndConstraintsAsPcsPrintsThem() throws Exception {
        Path f = file(RUNNING);
        assertEquals(0, pcs(null, "-f", f.toString(), "resource", "create", "D1", "ocf:heartbeat:Dummy", "fake=1",
            "meta", "target-role=Stopped", "op", "monitor", "interval=30s").exit());
        assertEquals("""
            Resource: D1 (class=ocf provider=heartbeat type=Dummy)
              Attributes: D1-instance_attributes
                fake=1
              Meta Attributes: D1-meta_attributes
                target-role=Stopped
              Operations:
                migrate_from: D1-migrate_from-interval-0s
                  interval=0s
                  timeout=20s
                migrate_to: D1-migrate_to-interval-0s
                  interval=0s
                  timeout=20s
                monitor: D1-monitor-interval-30s
                  interval=30s
                reload: D1-reload-interval-0s
                  interval=0s
                  timeout=20s
                start: D1-start-interval-0s
                  interval=0s
                  timeout=20s
                stop: D1-stop-interval-0s
                  interval=0s
                  timeout=20s
            """, pcs(null, "-f", f.toString(), "resource", "config", "D1").out());
        assertEquals("Warning: Validation for node existence in the cluster will be skipped\n",
            pcs(null, "-f", f.toString(), "constraint", "location", "D1", "prefers", "node1=100").err());
        pcs(null, "-f", f.toString(), "constraint", "location", "D1", "avoids", "node2");
        assertEquals("Adding D1 V1 (kind: Mandatory) (Options: first-action=start then-action=start)\n",
            pcs(null, "-f", f.toString(), "constraint", "order", "D1", "then", "V1").err());
        pcs(null, "-f", f.toString(), "constraint", "colocation", "add", "D1", "with", "V1", "INFINITY");
        assertEquals("""
            Location Constraints:
              Resource: D1
                Enabled on:
                  Node: node1 (score:100) (id:location-D1-node1-100)
                Disabled on:
                  Node: node2 (score:-INFINITY) (id:location-D1-node2--INFINITY)
            Ordering Constraints:
              start D1 then start V1 (kind:Mandatory) (id:order-D1-V1-mandatory)
            Colocation Constraints:
              D1 with V1 (score:INFINITY) (id:colocation-D1-V1-INFINITY)
            Ticket Constraints:
            """, pcs(null, "-f", f.toString(), "constraint", "--full").out());
        Run dup = pcs(null, "-f", f.toString(), "constraint", "colocation", "add", "V1", "with", "D1");
        assertEquals(new Run(1, "", "Error: duplicate constraint already exists, use --force to override\n"
            + "  D1 with V1 (score:INFINITY) (id:colocation-D1-V1-INFINITY)\n"), dup);
        assertEquals("""
            Removing Constraint - colocation-D1-V1-INFINITY
            Removing Constraint - location-D1-node1-100
            Removing Constraint - location-D1-node2--INFINITY
            Removing Constraint - order-D1-V1-mandatory
            Deleting Resource - D1
            """, pcs(null, "-f", f.toString(), "resource", "delete", "D1").err());
        assertTrue(Files.readString(f).contains("<constraints/>") || !Files.readString(f).contains("rsc_"),
            Files.readString(f));
    }

    @Test
    void refusalsChangeNothing() throws Exception {
        Path f = file(RUNNING);
        String before = Files.readString(f);
        assertEquals(new Run(1, "", "Error: Multiple agents match 'Dummy', please specify full name: "
            + "'ocf:heartbeat:Dummy' or 'ocf:pacemaker:Dummy'\nError: Errors have occurred, therefore pcs is unable "
            + "to continue\n"), pcs(null, "-f", f.toString(), "resource", "create", "X", "Dummy"));
        assertEquals(new Run(1, "", "Error: invalid resource option 'bogus', allowed options are: 'fake', 'state', "
            + "'trace_file', 'trace_ra', use --force to override\nError: Errors have occurred, therefore pcs is "
            + "unable to continue\n"), pcs(null, "-f", f.toString(), "resource", "create", "X",
            "ocf:heartbeat:Dummy", "bogus=1"));
        assertEquals(1, pcs(null, "-f", f.toString(), "resource", "create", "V1", "ocf:heartbeat:Dummy").exit());
        assertEquals(before, Files.readString(f));
    }

    @Test
    void dryRunPrintsTheTransitionAndLeavesTheFile() throws Exception {
        Path f = file(RUNNING);
        String before = Files.readString(f);
        Run r = pcs(null, "-f", f.toString(), "--dry-run", "resource", "disable", "V1");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("(?s).*Transition Summary:\n  \\* Stop +V1 +\\( node1 \\).*"), r.out());
        assertEquals(before, Files.readString(f));
        Run ban = pcs(null, "-f", f.toString(), "--dry-run", "resource", "ban", "V1", "node1");
        assertTrue(ban.out().matches("(?s).*\\* Move +V1 +\\( node1 -> node2 \\).*"), ban.out());
        assertEquals(before, Files.readString(f));
        Run none = pcs(null, "-f", f.toString(), "--dry-run", "property", "set", "cluster-name=x");
        // a change that causes nothing: what the transition holds was planned anyway (this hand-made status has
        // no real digests, so the scheduler restarts V1 with or without it)
        for (String l : none.out().split("\n")) {
            assertTrue(!l.startsWith("  * ") || l.endsWith("(already planned without the change)"), none.out());
        }
    }

    @Test
    void onANodeTheConfigurationIsReplaced() throws Exception {
        List<CibRequest> sent = new ArrayList<>();
        XmlNode root = XmlText.parse(RUNNING, "cib");
        Cib cib = new Cib() {
            @Override
            public CibSnapshot current() {
                return new CibSnapshot(root);
            }

            @Override
            public CompletionStage<CibSnapshot> update(CibRequest request) {
                sent.add(request);
                return CompletableFuture.completedFuture(current());
            }

            @Override
            public AutoCloseable listen(CibListener listener) {
                return () -> { };
            }

            @Override
            public boolean syncing() {
                return false;
            }
        };
        assertEquals(0, pcs(cib, "property", "set", "maintenance-mode=true").exit());
        assertEquals(1, sent.size());
        assertEquals(CibRequest.Op.REPLACE, sent.get(0).op());
        assertEquals("configuration", sent.get(0).scope());
        assertTrue(sent.get(0).data().toXml().contains("name=\"maintenance-mode\" value=\"true\""),
            sent.get(0).data().toXml());
        assertEquals(0, pcs(cib, "--dry-run", "node", "standby", "node1").exit());
        assertEquals(1, sent.size(), "a dry run sends nothing");
    }

    @Test
    void fenceAndHistoryGoThroughStonithAdmin() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        PcsCommand cmd = new PcsCommand(null, CLOCK, AGENTS);
        cmd.stonithAdmin = new org.vigil.kernel.api.command.AdminCommand() {
            @Override
            public int execute(List<String> args, PrintStream out, PrintStream err) {
                calls.add(args);
                return args.contains("node9") ? 1 : 0;
            }

            @Override
            public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) {
                return execute(args, out, err);
            }
        };
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8)) {
            assertEquals(0, cmd.execute(List.of("stonith", "fence", "node2"), new CommandContext(tmp), out, out));
            assertEquals(0, cmd.execute(List.of("stonith", "fence", "node2", "--off"), new CommandContext(tmp), out,
                out));
            assertEquals(1, cmd.execute(List.of("stonith", "fence", "node9"), new CommandContext(tmp), out, out));
            assertEquals(0, cmd.execute(List.of("stonith", "history"), new CommandContext(tmp), out, out));
        }
        assertEquals(List.of(List.of("--reboot", "node2"), List.of("--fence", "node2"), List.of("--reboot", "node9"),
            List.of("--history", "*")), calls);
        assertEquals("Node: node2 fenced\nNode: node2 powered off\nError: unable to fence 'node9'\n",
            o.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unmanageAndManageAsPcsPicksTheResources() throws Exception {
        Path f = file(RUNNING.replace("<resources>", "<resources><clone id=\"C\"><group id=\"G\"><primitive id=\"G1\" "
            + "class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"G1-m\" name=\"monitor\" "
            + "interval=\"10s\"/></operations></primitive><primitive id=\"G2\" class=\"ocf\" provider=\"heartbeat\" "
            + "type=\"Dummy\"/></group></clone>"));
        assertEquals(new Run(0, "", ""), pcs(null, "-f", f.toString(), "resource", "unmanage", "C", "--monitor"));
        String x = Files.readString(f);
        // a clone's group: its primitives are unmanaged, not the clone nor the group
        assertTrue(x.contains("<nvpair id=\"G1-meta_attributes-is-managed\" name=\"is-managed\" value=\"false\"/>")
            && x.contains("G2-meta_attributes-is-managed") && !x.contains("C-meta_attributes")
            && !x.contains("G-meta_attributes") && x.contains("enabled=\"false\""), x);
        assertEquals(new Run(0, "", "Warning: Resource 'G1' has no enabled monitor operations. Re-run with "
            + "'--monitor' to enable them.\n"),
            pcs(null, "-f", f.toString(), "resource", "manage", "G1"));
        x = Files.readString(f);
        assertTrue(!x.contains("G1-meta_attributes-is-managed") && x.contains("G2-meta_attributes-is-managed"), x);
        assertEquals(new Run(0, "", ""), pcs(null, "-f", f.toString(), "resource", "manage", "C", "--monitor"));
        x = Files.readString(f);
        assertTrue(!x.contains("is-managed") && !x.contains("enabled="), x);
        assertEquals(new Run(1, "", "Error: bundle/clone/group/resource/tag 'NO' does not exist\nError: Errors have "
            + "occurred, therefore pcs is unable to continue\n"), pcs(null, "-f", f.toString(), "resource",
            "unmanage", "V1", "NO"));
        assertEquals(x, Files.readString(f));
    }

    @Test
    void nodeAttributesAndMaintenanceAsCrmAttributeWritesThem() throws Exception {
        Path f = file(RUNNING);
        String p = f.toString();
        assertEquals(new Run(0, "", ""), pcs(null, "-f", p, "node", "attribute", "node2", "rack=1", "zone=a"));
        assertEquals(new Run(0, "", ""), pcs(null, "-f", p, "node", "maintenance", "node2"));
        assertEquals(new Run(0, "Node Attributes:\n node2: maintenance=on rack=1 zone=a\n", ""),
            pcs(null, "-f", p, "node", "attribute"));
        assertTrue(Files.readString(f).contains("<nvpair id=\"nodes-2-rack\" name=\"rack\" value=\"1\"/>"),
            Files.readString(f));
        assertEquals(new Run(0, "", ""), pcs(null, "-f", p, "node", "attribute", "node2", "zone="));
        assertEquals(new Run(0, "", ""), pcs(null, "-f", p, "node", "unmaintenance", "node2"));
        assertEquals(new Run(0, "Node Attributes:\n node2: rack=1\n", ""), pcs(null, "-f", p, "node", "attribute",
            "node2"));
        String before = Files.readString(f);
        assertEquals(new Run(2, "", "Error: attribute: 'zone' doesn't exist for node: 'node2'\n"),
            pcs(null, "-f", p, "node", "attribute", "node2", "zone="));
        assertEquals(before, Files.readString(f));
    }

    @Test
    void ticketConstraintsAddConfigRemove() throws Exception {
        Path f = file(RUNNING);
        String p = f.toString();
        assertEquals(new Run(0, "", "Deprecation Warning: Value 'Master' of option role is deprecated and should not "
            + "be used, use 'Promoted' value instead\n"), pcs(null, "-f", p, "constraint", "ticket", "add", "T1",
            "master", "V1", "loss-policy=stop"));
        assertTrue(Files.readString(f).contains("<rsc_ticket id=\"ticket-T1-V1-Promoted\" ticket=\"T1\" "
            + "rsc=\"V1\" rsc-role=\"Promoted\" loss-policy=\"stop\"/>"), Files.readString(f));
        assertEquals(new Run(0, "Ticket Constraints:\n  Promoted V1 loss-policy=stop ticket=T1 "
            + "(id:ticket-T1-V1-Promoted)\n", ""), pcs(null, "-f", p, "constraint", "ticket", "config", "--full"));
        assertEquals(new Run(1, "", "Duplicate constraints:\n  Promoted V1 loss-policy=stop ticket=T1 "
            + "(id:ticket-T1-V1-Promoted)\nError: duplicate constraint already exists, use --force to override\n"
            + "Error: Errors have occurred, therefore pcs is unable to continue\n"), pcs(null, "-f", p, "constraint",
            "ticket", "add", "T1", "Promoted", "V1"));
        assertEquals(1, pcs(null, "-f", p, "constraint", "ticket", "add", "T2", "NOPE").exit());
        assertEquals(new Run(1, "", "Error: no matching ticket constraint found\n"), pcs(null, "-f", p,
            "constraint", "ticket", "remove", "T2", "V1"));
        assertEquals(new Run(0, "", ""), pcs(null, "-f", p, "constraint", "ticket", "remove", "T1", "V1"));
        assertTrue(!Files.readString(f).contains("rsc_ticket"), Files.readString(f));
    }

    @Test
    void restartGoesThroughCrmResourceOnANodeOnly() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        XmlNode root = XmlText.parse(RUNNING.replace("<resources>", "<resources><clone id=\"C\"><primitive id=\"CP\" "
            + "class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></clone>"), "cib");
        Cib cib = new Cib() {
            @Override
            public CibSnapshot current() {
                return new CibSnapshot(root);
            }

            @Override
            public CompletionStage<CibSnapshot> update(CibRequest request) {
                throw new AssertionError("restart changes no CIB");
            }

            @Override
            public AutoCloseable listen(CibListener listener) {
                return () -> { };
            }

            @Override
            public boolean syncing() {
                return false;
            }
        };
        PcsCommand cmd = new PcsCommand(cib, CLOCK, AGENTS);
        cmd.crmResource = new org.vigil.kernel.api.command.AdminCommand() {
            @Override
            public int execute(List<String> args, PrintStream out, PrintStream err) {
                calls.add(args);
                return 0;
            }

            @Override
            public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) {
                return execute(args, out, err);
            }
        };
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8)) {
            assertEquals(0, cmd.execute(List.of("resource", "restart", "V1", "--wait=20"), new CommandContext(tmp),
                out, out));
            assertEquals(0, cmd.execute(List.of("resource", "restart", "CP", "node1"), new CommandContext(tmp), out,
                out));
            assertEquals(1, cmd.execute(List.of("resource", "restart", "V1", "node1"), new CommandContext(tmp), out,
                out));
            assertEquals(1, cmd.execute(List.of("-f", "x.xml", "resource", "restart", "V1"), new CommandContext(tmp),
                out, out));
        }
        assertEquals(List.of(List.of("--restart", "--resource", "V1", "--timeout", "20"),
            List.of("--restart", "--resource", "C", "--node", "node1")), calls);
        assertEquals("V1 successfully restarted\nWarning: using C... (if a resource is a clone or bundle you must "
            + "use the clone or bundle name)\nC successfully restarted\nError: can only restart on a specific node "
            + "for a clone or bundle resource\nError: Specified option '-f' is not supported in this command\n",
            o.toString(StandardCharsets.UTF_8));
    }

    @Test
    void crmConfigureShowAsCrmshPrintsIt() throws Exception {
        Path f = file(RUNNING.replace("<constraints/>", "<constraints><rsc_location id=\"l1\" rsc=\"V1\" "
            + "node=\"node1\" score=\"INFINITY\"/><rsc_order id=\"a-o\" first=\"V1\" then=\"V1\" kind=\"Optional\"/>"
            + "</constraints>"));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8)) {
            new CrmshCommand(null, CLOCK).execute(List.of("--cib-file", f.toString(), "configure", "show"),
                new CommandContext(tmp), out, out);
        }
        assertEquals("""
            node 1: node1
            node 2: node2
            primitive V1 Dummy
            order a-o Optional: V1 V1
            location l1 V1 inf: node1
            property cib-bootstrap-options: \\
            \tstonith-enabled=false
            """, o.toString(StandardCharsets.UTF_8));
    }
}
