package org.vigil.kernel.internal.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.MembershipListener;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.RingId;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.spi.DevicePoll;
import org.vigil.kernel.spi.VoteContext;
import org.vigil.kernel.spi.VoteProvider;

/** The kernel's quorum service: provider selection, kept decisions across swaps, joined/left, device polls. */
class QuorumKeeperTest {

    static final class FakeProvider implements VoteProvider {
        final String name;
        VoteContext context;
        int starts;
        int stops;
        final List<DevicePoll> polls = new ArrayList<>();
        final List<java.util.concurrent.CompletableFuture<Void>> withdrawals = new ArrayList<>();

        FakeProvider(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start(VoteContext c) {
            context = c;
            starts++;
        }

        @Override
        public void stop() {
            stops++;
        }

        @Override
        public void devicePoll(DevicePoll poll) {
            polls.add(poll);
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> withdrawDeviceVote(DevicePoll poll) {
            polls.add(poll);
            java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
            withdrawals.add(f);
            return f;
        }
    }

    static VigilNode node() throws Exception {
        VigilConfig cfg = VigilConfig.fromText("k.conf", "nodelist {\n node {\n  ring0_addr: 10.62.0.1\n  nodeid: 1\n"
            + " }\n}\n");
        return new VigilNode() {
            public int nodeId() {
                return 1;
            }

            public String name() {
                return "n1";
            }

            public Path stateDir() {
                return Path.of("/tmp");
            }

            public VigilConfig config() {
                return cfg;
            }

            public long startedAtMillis() {
                return 0;
            }

            public String version() {
                return "0";
            }
        };
    }

    static final ClusterMembership MEMBERSHIP = new ClusterMembership() {
        public MembershipEvent current() {
            return null;
        }

        public AutoCloseable addListener(MembershipListener l) {
            return () -> { };
        }
    };
    static final Cpg CPG = new Cpg() {
        @Override
        public org.vigil.kernel.api.CpgGroup join(String group, org.vigil.kernel.api.CpgListener listener) {
            return null;
        }

        @Override
        public org.vigil.kernel.api.CpgGroup join(String group, org.vigil.kernel.api.CpgListener listener, long pid) {
            return null;
        }

        @Override
        public Map<String, java.util.List<org.vigil.kernel.api.CpgMember>> groups() {
            return Map.of();
        }
    };

    static Map<String, Object> props(String role, long id, int ranking) {
        return Map.of(VoteProvider.ROLE, role, "service.id", id, "service.ranking", ranking);
    }

    static QuorumState state(boolean quorate, int... members) {
        List<Integer> m = new ArrayList<>();
        for (int x : members) {
            m.add(x);
        }
        return new QuorumState(quorate, new RingId(1, 4), m, List.of(), List.of(), members.length, 3, 2, "vq");
    }

    QuorumKeeper keeper() throws Exception {
        QuorumKeeper k = new QuorumKeeper(node(), new CmapStore());
        k.activate();
        return k;
    }

    @Test
    void providersStartOnlyWithTheRingServices() throws Exception {
        QuorumKeeper k = keeper();
        FakeProvider p = new FakeProvider("vq");
        k.bindProvider(p, props("quorum", 1, 0));
        assertEquals(0, p.starts);
        k.bindMembership(MEMBERSHIP);
        assertEquals(0, p.starts);
        k.bindCpg(CPG);
        assertEquals(1, p.starts);
        k.unbindCpg(CPG);
        assertEquals(1, p.stops);
    }

    @Test
    void decisionsCarryJoinedAndLeftAndDuplicatesAreNotAnnounced() throws Exception {
        QuorumKeeper k = keeper();
        k.bindMembership(MEMBERSHIP);
        k.bindCpg(CPG);
        FakeProvider p = new FakeProvider("vq");
        k.bindProvider(p, props("quorum", 1, 0));
        List<QuorumState> seen = new ArrayList<>();
        k.addListener(seen::add);
        p.context.publish(state(true, 1, 2, 3));
        p.context.publish(state(true, 3, 2, 1));
        assertEquals(1, seen.size(), "the same decision (members in another order) is announced once");
        assertEquals(List.of(1, 2, 3), seen.get(0).joined());
        p.context.publish(state(true, 1, 2, 4));
        assertEquals(List.of(4), seen.get(1).joined());
        assertEquals(List.of(3), seen.get(1).left());
        List<QuorumState> late = new ArrayList<>();
        k.addListener(late::add);
        assertEquals(List.of(seen.get(1)), late, "a new listener first gets the current decision");
    }

    @Test
    void aSwapKeepsTheLastDecisionAndIgnoresTheOldProvider() throws Exception {
        QuorumKeeper k = keeper();
        k.bindMembership(MEMBERSHIP);
        k.bindCpg(CPG);
        FakeProvider old = new FakeProvider("vq");
        k.bindProvider(old, props("quorum", 1, 0));
        List<QuorumState> seen = new ArrayList<>();
        k.addListener(seen::add);
        old.context.publish(state(true, 1, 2));
        VoteContext oldContext = old.context;
        k.unbindProvider(old, props("quorum", 1, 0));
        assertEquals(1, old.stops);
        assertTrue(k.current().orElseThrow().quorate(), "kept while no provider runs");
        oldContext.publish(state(false, 1));
        assertEquals(1, seen.size(), "a stopped provider cannot publish");
        FakeProvider fresh = new FakeProvider("vq");
        k.bindProvider(fresh, props("quorum", 2, 0));
        assertEquals(Optional.of(seen.get(0)), fresh.context.lastDecision(), "the new provider sees the kept decision");
        assertEquals(1, seen.size(), "binding announces nothing");
        fresh.context.publish(state(true, 1, 2));
        assertEquals(1, seen.size(), "the same decision from the new provider is not announced again");
    }

    @Test
    void theHighestRankedProviderOfEachRoleRunsAndDevicePollsReachTheQuorumProvider() throws Exception {
        QuorumKeeper k = keeper();
        k.bindMembership(MEMBERSHIP);
        k.bindCpg(CPG);
        FakeProvider a = new FakeProvider("a");
        FakeProvider b = new FakeProvider("b");
        FakeProvider dev = new FakeProvider("dev");
        k.bindProvider(a, props("quorum", 1, 0));
        k.bindProvider(b, props("quorum", 2, 10));
        assertEquals(1, a.stops, "greedy: the higher-ranked b replaces a");
        assertEquals(Optional.of("b"), k.running("quorum"));
        k.bindProvider(dev, props("device", 3, 0));
        DevicePoll poll = new DevicePoll("Qdevice", new RingId(1, 4), true, false);
        dev.context.devicePoll(poll);
        assertEquals(List.of(poll), b.polls);
        assertTrue(a.polls.isEmpty());
        b.context.devicePoll(poll);
        assertEquals(1, b.polls.size(), "a quorum provider cannot pose as the device");
        k.unbindProvider(b, props("quorum", 2, 10));
        assertEquals(Optional.of("a"), k.running("quorum"));
        assertEquals(Optional.of(poll), a.context.lastDevicePoll(), "the kept device poll");
    }

    @Test
    void aDeviceVoteWithdrawalCompletesWhenTheQuorumProviderConfirmsAndSurvivesAProviderSwap() throws Exception {
        QuorumKeeper k = keeper();
        k.bindMembership(MEMBERSHIP);
        k.bindCpg(CPG);
        FakeProvider a = new FakeProvider("a");
        FakeProvider dev = new FakeProvider("dev");
        k.bindProvider(a, props("quorum", 1, 0));
        k.bindProvider(dev, props("device", 2, 0));
        DevicePoll nack = new DevicePoll("Qdevice", new RingId(1, 8), false, false);
        java.util.concurrent.CompletableFuture<Void> done = dev.context.withdrawVote(nack).toCompletableFuture();
        assertEquals(List.of(nack), a.polls, "the withdrawal is a poll for the quorum provider");
        assertEquals(Optional.of(nack), a.context.lastDevicePoll());
        assertFalse(done.isDone(), "not before the quorum provider confirms");
        // votequorum is upgraded before it confirmed: the new provider is asked, the old one's answer is moot
        FakeProvider b = new FakeProvider("b");
        k.bindProvider(b, props("quorum", 3, 10));
        assertEquals(List.of(nack), b.polls, "the new quorum provider is asked to confirm");
        assertFalse(done.isDone());
        b.withdrawals.get(0).complete(null);
        assertTrue(done.isDone());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> dev.context.withdrawVote(
            new DevicePoll("Qdevice", new RingId(1, 8), true, false)), "a withdrawal never casts the vote");
        assertFalse(a.context.withdrawVote(nack).toCompletableFuture().isDone(), "a quorum provider is no device");
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() throws Exception {
        QuorumKeeper k = keeper();
        k.bindMembership(MEMBERSHIP);
        k.bindCpg(CPG);
        FakeProvider p = new FakeProvider("vq");
        k.bindProvider(p, props("quorum", 1, 0));
        k.addListener(s -> {
            throw new IllegalStateException("boom");
        });
        List<QuorumState> seen = new ArrayList<>();
        k.addListener(seen::add);
        p.context.publish(state(false, 1));
        assertEquals(1, seen.size());
        assertFalse(seen.get(0).quorate());
    }
}
