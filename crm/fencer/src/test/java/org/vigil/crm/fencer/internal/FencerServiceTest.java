package org.vigil.crm.fencer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.api.fencer.FenceEvent;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgGuarantee;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.CpgReason;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;

/**
 * Three {@link FencerService}s on an in-memory CPG group (one delivery thread: agreed order), a fixed CIB and a
 * recording fence agent: the service wiring (messages through the codec, node names from node ids, the agent's
 * request as a {@code fence_*} agent gets it, futures, listeners, history) works end to end.
 */
@Timeout(60)
class FencerServiceTest {

    private static final Map<Integer, String> NODES = Map.of(1, "n1", 2, "n2", 3, "n3");

    private final LoopbackCpg cpg = new LoopbackCpg();
    private final List<FencerService> services = new ArrayList<>();

    @AfterEach
    void stop() {
        services.forEach(FencerService::deactivate);
        cpg.thread.shutdownNow();
    }

    @Test
    void fencesThroughThePeersAndRecordsEverywhere() throws Exception {
        Cib cib = cib(List.of("device d1 fence_test pcmk_host_list=n3 ipaddr=10.0.0.9 pcmk_reboot_timeout=7s"));
        RecordingAgent agent = new RecordingAgent(true);
        for (int id = 1; id <= 3; id++) {
            FencerService s = new FencerService(node(id), cib, cpg.node(id));
            s.bindAgent(agent);
            services.add(s);
        }
        waitUntil(() -> services.stream().allMatch(s -> s.registeredDevices().equals(List.of("d1"))));
        waitUntil(() -> cpg.members.size() == 3);
        List<FenceEvent> seenOnN2 = new CopyOnWriteArrayList<>();
        services.get(1).listen(seenOnN2::add);

        assertEquals(List.of("d1"), services.get(1).devicesFor("n3").toCompletableFuture().get(20, TimeUnit.SECONDS));
        FenceEvent e = services.get(0).fence("n3", FenceAction.REBOOT, "test.1", null).toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
        assertEquals(FenceEvent.State.DONE, e.state(), e.toString());
        assertEquals("n1", e.origin());
        assertEquals("d1", e.device());
        assertTrue(List.of("n1", "n2").contains(e.delegate()), e.toString());
        assertNull(e.reason());

        FenceRequest req = agent.requests.get(agent.requests.size() - 1);
        assertEquals("reboot", req.action());
        assertEquals("n3", req.target());
        assertEquals(Map.of("ipaddr", "10.0.0.9", "nodename", "n3"), req.params(), "pcmk_* stay out");
        assertEquals(Duration.ofSeconds(7), req.timeout());

        waitUntil(() -> !seenOnN2.isEmpty());
        assertEquals(e.id(), seenOnN2.get(0).id());
        waitUntil(() -> services.get(2).history("n3").size() == 1);
        assertEquals(FenceEvent.State.DONE, services.get(2).history(null).get(0).state());
    }

    @Test
    void aFailingDeviceFailsTheRequestWithItsReason() throws Exception {
        Cib cib = cib(List.of("device d1 fence_test pcmk_host_list=n3"));
        RecordingAgent agent = new RecordingAgent(false);
        for (int id = 1; id <= 3; id++) {
            FencerService s = new FencerService(node(id), cib, cpg.node(id));
            s.bindAgent(agent);
            services.add(s);
        }
        waitUntil(() -> services.stream().allMatch(s -> s.registeredDevices().equals(List.of("d1"))));
        waitUntil(() -> cpg.members.size() == 3);
        FenceEvent e = services.get(1).fence("n3", FenceAction.OFF, "test.2", Duration.ofSeconds(5))
            .toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(FenceEvent.State.FAILED, e.state());
        assertTrue(e.reason().contains("switch on fire"), e.reason());
        FenceEvent none = services.get(1).fence("n9", FenceAction.OFF, "test.2", null).toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
        assertEquals("no fence device can fence n9", none.reason());
    }

    @Test
    void aNodeThatJoinsLaterSeesTheFencingsDoneMeanwhile() throws Exception {
        Cib cib = cib(List.of("device d1 fence_test pcmk_host_list=n3 pcmk_host_lst=n3",
            "device d2 fence_test pcmk_host_check=sometimes"));
        RecordingAgent agent = new RecordingAgent(true);
        for (int id = 1; id <= 2; id++) {
            FencerService s = new FencerService(node(id), cib, cpg.node(id));
            s.bindAgent(agent);
            services.add(s);
        }
        waitUntil(() -> services.stream().allMatch(s -> s.registeredDevices().equals(List.of("d1"))));
        waitUntil(() -> cpg.members.size() == 2);
        FenceEvent e = services.get(0).fence("n3", FenceAction.REBOOT, "test.3", null).toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
        assertEquals(FenceEvent.State.DONE, e.state(), e.toString());

        FencerService n3 = new FencerService(node(3), cib, cpg.node(3));
        n3.bindAgent(agent);
        services.add(n3);
        waitUntil(() -> n3.history(null).size() == 1);
        assertEquals(e.id(), n3.history("n3").get(0).id());
        assertEquals(FenceEvent.State.DONE, n3.history("n3").get(0).state());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        var admin = new org.vigil.crm.fencer.internal.command.StonithAdminCommand(n3);
        assertEquals(0, admin.execute(List.of("--history", "n3"), new java.io.PrintStream(out, true),
            new java.io.PrintStream(err, true)));
        assertTrue(out.toString().startsWith("reboot of n3 successful: delegate=n1, client=test.3, origin=n1, "
            + "last-successful="), out.toString());

        // the configuration's problems, as stonith_admin shows them
        waitUntil(() -> n3.configurationProblems().size() == 2);
        assertTrue(n3.configurationProblems().get(0).startsWith("CIB: primitive 'd1' (line "), n3
            .configurationProblems().toString());
        assertTrue(n3.configurationProblems().get(0).contains("unknown fence device option 'pcmk_host_lst'"));
        assertTrue(n3.configurationProblems().get(1).contains("pcmk_host_check 'sometimes'"));
        err.reset();
        assertEquals(0, admin.execute(List.of("-L"), new java.io.PrintStream(out, true),
            new java.io.PrintStream(err, true)));
        assertTrue(err.toString().contains("stonith_admin: warning: CIB: primitive 'd2'"), err.toString());
    }

    // ------------------------------------------------------------------------------------------- fakes

    private static void waitUntil(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting");
            }
            Thread.sleep(20);
        }
    }

    private static Cib cib(List<String> lines) throws Exception {
        CibSnapshot snap = new CibSnapshot(XmlText.parse(FencerScenario.cibXml(lines), "test"));
        return new Cib() {
            @Override
            public CibSnapshot current() {
                return snap;
            }

            @Override
            public CompletionStage<CibSnapshot> update(CibRequest request) {
                throw new UnsupportedOperationException();
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
    }

    private static VigilNode node(int id) throws Exception {
        StringBuilder b = new StringBuilder("totem {\n  version: 2\n  cluster_name: test\n}\n"
            + "quorum {\n  provider: corosync_votequorum\n}\nnodelist {\n");
        for (Map.Entry<Integer, String> e : new TreeMap<>(NODES).entrySet()) {
            b.append("  node {\n    ring0_addr: 10.63.0.").append(e.getKey()).append("\n    nodeid: ")
                .append(e.getKey()).append("\n    name: ").append(e.getValue()).append("\n  }\n");
        }
        b.append("}\n");
        VigilConfig config = VigilConfig.fromText("test.conf", b.toString());
        return new VigilNode() {
            @Override
            public int nodeId() {
                return id;
            }

            @Override
            public String name() {
                return NODES.get(id);
            }

            @Override
            public Path stateDir() {
                return Path.of("/nonexistent");
            }

            @Override
            public VigilConfig config() {
                return config;
            }

            @Override
            public long startedAtMillis() {
                return 1000L * id;
            }

            @Override
            public String version() {
                return "test";
            }
        };
    }

    /** A fence agent that answers at once: success or failure; records every request. */
    static final class RecordingAgent implements FenceAgent {
        final List<FenceRequest> requests = new CopyOnWriteArrayList<>();
        final boolean works;

        RecordingAgent(boolean works) {
            this.works = works;
        }

        @Override
        public String name() {
            return "fence_test";
        }

        @Override
        public String metaData() {
            return "<resource-agent name=\"fence_test\"><parameters><parameter name=\"port\"/></parameters>"
                + "<actions><action name=\"off\"/><action name=\"reboot\"/></actions></resource-agent>";
        }

        @Override
        public CompletionStage<AgentResult> execute(FenceRequest request) {
            requests.add(request);
            return CompletableFuture.completedFuture(works
                ? new AgentResult(ExecStatus.DONE, OcfStatus.OK, 0, "", "", Duration.ofMillis(1))
                : new AgentResult(ExecStatus.DONE, OcfStatus.ERR_GENERIC, 1, "", "switch on fire\n",
                Duration.ofMillis(1)));
        }
    }

    /** One CPG group in memory: every message to every member, in one order, on one thread. */
    static final class LoopbackCpg {
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        final List<Member> members = new CopyOnWriteArrayList<>();
        final AtomicLong pids = new AtomicLong();

        record Member(CpgMember id, CpgListener listener) {
        }

        /** The group as node {@code nodeId} sees it. */
        Cpg node(int nodeId) {
            return new Cpg() {
                @Override
                public CpgGroup join(String group, CpgListener listener) {
                    return LoopbackCpg.this.join(group, listener, nodeId);
                }

                @Override
                public CpgGroup join(String group, CpgListener listener, long pid) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Map<String, List<CpgMember>> groups() {
                    return Map.of();
                }
            };
        }

        CpgGroup join(String group, CpgListener listener, int nodeId) {
            Member me = new Member(new CpgMember(nodeId, pids.incrementAndGet(), CpgReason.JOIN), listener);
            thread.execute(() -> {
                members.add(me);
                List<CpgMember> now = members.stream().map(Member::id).toList();
                for (Member m : members) {
                    m.listener().configurationChanged(group, now, List.of(), List.of(me.id()));
                }
            });
            return new CpgGroup() {
                @Override
                public String name() {
                    return group;
                }

                @Override
                public CpgMember self() {
                    return me.id();
                }

                @Override
                public boolean mcast(byte[] message, CpgGuarantee guarantee) {
                    thread.execute(() -> {
                        for (Member m : members) {
                            m.listener().deliver(group, me.id(), message.clone());
                        }
                    });
                    return true;
                }

                @Override
                public List<CpgMember> members() {
                    return members.stream().map(Member::id).toList();
                }

                @Override
                public void close() {
                    thread.execute(() -> {
                        members.remove(me);
                        List<CpgMember> now = members.stream().map(Member::id).toList();
                        for (Member m : members) {
                            m.listener().configurationChanged(group, now, List.of(me.id()), List.of());
                        }
                    });
                }
            };
        }
    }
}
