package org.vigil.kernel.internal.totem.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgGuarantee;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.internal.cpg.CpgEngine;

/**
 * CPG members on the simulated nodes ({@link Simulator#enableCpg()}) and the checks of CPG's promise: every node
 * of the ring agrees on every group's members, and every member gets every message sent to its group, in one
 * order. Messages are counted in rounds: {@link #check()} looks at the messages sent since the previous check,
 * so a scenario sends them once the members are in, lets the ring deliver, and checks.
 *
 * <p>Members of a node that crashed are forgotten with it (its CPG engine is gone).
 */
public final class CpgMembers {

    private final Simulator sim;
    /** Members in the order they joined. */
    private final List<Member> members = new ArrayList<>();
    /** group -> the messages sent to it this round, in the order they were sent (a sender's own order). */
    private final Map<String, List<String>> sent = new TreeMap<>();

    /** One member: its node's CPG engine (the incarnation it joined on), its handle, what it received. */
    private static final class Member implements CpgListener {
        final int node;
        final CpgEngine engine;
        final String group;
        CpgGroup handle;
        boolean closed;
        int next;
        final List<String> received = new ArrayList<>();

        Member(int node, CpgEngine engine, String group) {
            this.node = node;
            this.engine = engine;
            this.group = group;
        }

        @Override
        public void deliver(String g, CpgMember sender, byte[] message) {
            received.add(new String(message, StandardCharsets.UTF_8));
        }

        @Override
        public void configurationChanged(String g, List<CpgMember> groupMembers, List<CpgMember> left,
                                         List<CpgMember> joined) {
        }
    }

    public CpgMembers(Simulator sim) {
        this.sim = sim;
    }

    private boolean live(Member m) {
        return sim.alive(m.node) && sim.cpg(m.node) == m.engine && m.handle != null && !m.closed;
    }

    private List<Member> live() {
        List<Member> l = new ArrayList<>();
        for (Member m : members) {
            if (live(m)) {
                l.add(m);
            }
        }
        return l;
    }

    /** Node {@code node}'s first live member of {@code group} leaves it; false if it has none. */
    public boolean leave(int node, String group) {
        for (Member m : live()) {
            if (m.node == node && m.group.equals(group)) {
                m.closed = true;
                m.handle.close();
                return true;
            }
        }
        return false;
    }

    /** Gives every live node that has no live member one member of {@code group}. */
    public void ensureMembers(String group) {
        List<Integer> without = new ArrayList<>(sim.aliveNodes());
        for (Member m : live()) {
            without.remove(Integer.valueOf(m.node));
        }
        for (int id : without) {
            if (sim.cpg(id) != null) {
                join(id, group);
            }
        }
    }

    /** One random operation on a random live node: a join, a leave or a message (for the seeded soak). */
    public void randomOperation(SplittableRandom r, int groups) {
        List<Integer> alive = sim.aliveNodes();
        if (alive.isEmpty()) {
            return;
        }
        int node = alive.get(r.nextInt(alive.size()));
        String group = "g" + r.nextInt(groups);
        switch (r.nextInt(6)) {
            case 0 -> join(node, group);
            case 1 -> leave(node, group);
            case 5 -> mcast(node, group, 1 + r.nextInt(3), CpgGuarantee.SAFE);
            default -> mcast(node, group, 1 + r.nextInt(3));
        }
    }

    /** True when no live node's CPG waits for join lists and nothing CPG submitted waits for Totem. */
    public boolean settled() {
        for (int id : sim.aliveNodes()) {
            CpgEngine e = sim.cpg(id);
            if (e != null && (e.inSync() || sim.cpgBacklog(id) > 0 || sim.engine(id).queuedMessages() > 0)) {
                return false;
            }
        }
        return true;
    }

    /** Forgets the messages sent and received so far: the next {@link #check()} looks at later ones only. */
    public void newRound() {
        for (Member m : members) {
            m.received.clear();
        }
        sent.clear();
    }

    /** A new member of {@code group} on node {@code node}. */
    public void join(int node, String group) {
        CpgEngine e = sim.cpg(node);
        if (e == null) {
            throw new IllegalStateException("node " + node + " is down or runs no CPG");
        }
        Member m = new Member(node, e, group);
        m.handle = e.join(group, m);
        members.add(m);
    }

    /** Every live member of {@code group} on node {@code node} sends {@code count} messages; returns those refused. */
    public int mcast(int node, String group, int count) {
        return mcast(node, group, count, CpgGuarantee.AGREED);
    }

    /** As {@link #mcast(int, String, int)}, the messages sent with {@code guarantee}. */
    public int mcast(int node, String group, int count, CpgGuarantee guarantee) {
        int refused = 0;
        for (Member m : members) {
            if (m.node != node || !m.group.equals(group) || !live(m)) {
                continue;
            }
            for (int k = 0; k < count; k++) {
                String text = node + "/" + (m.handle.self().pid() & 0xFFFF) + "#" + (++m.next);
                if (m.handle.mcast(text.getBytes(StandardCharsets.UTF_8), guarantee)) {
                    sent.computeIfAbsent(group, x -> new ArrayList<>()).add(text);
                } else {
                    m.next--;
                    refused++;
                }
            }
        }
        return refused;
    }

    /** Each live node's view: per group, the members' node ids; "(in sync)" while CPG waits for join lists. */
    public String status() {
        StringBuilder sb = new StringBuilder();
        for (int id : sim.aliveNodes()) {
            CpgEngine e = sim.cpg(id);
            if (e == null) {
                continue;
            }
            sb.append('n').append(id);
            Map<String, List<CpgMember>> groups = e.groups();
            if (groups.isEmpty()) {
                sb.append(" no groups");
            }
            for (var g : groups.entrySet()) {
                List<Integer> nodes = new ArrayList<>();
                for (CpgMember m : g.getValue()) {
                    nodes.add(m.nodeId());
                }
                sb.append(' ').append(g.getKey()).append(' ').append(nodes);
            }
            sb.append(e.inSync() ? " (in sync)\n" : "\n");
        }
        return sb.toString();
    }

    /**
     * Checks CPG's promise and starts a new round of messages. Returns one line per broken promise (empty when
     * kept): a live node whose groups differ from the first live node's, a live member that did not get every
     * message sent to its group this round, or got them in another order than another member.
     */
    public List<String> check() {
        List<String> broken = new ArrayList<>();
        Map<String, List<CpgMember>> first = null;
        int firstNode = 0;
        for (int id : sim.aliveNodes()) {
            CpgEngine e = sim.cpg(id);
            if (e == null) {
                continue;
            }
            Map<String, List<CpgMember>> g = e.groups();
            if (first == null) {
                first = g;
                firstNode = id;
            } else if (!first.equals(g)) {
                broken.add("CPG members differ: n" + firstNode + " " + brief(first) + ", n" + id + " " + brief(g));
            }
        }
        for (Member m : live()) {
            List<CpgMember> g = m.engine.groups().getOrDefault(m.group, List.of());
            if (!g.contains(m.handle.self())) {
                broken.add("member " + m.handle.self().nodeId() + "/" + (m.handle.self().pid() & 0xFFFF) + " of "
                    + m.group + " is not in the group on its own node n" + m.node + ": " + g);
            }
        }
        Map<String, List<String>> order = new LinkedHashMap<>();
        for (Member m : members) {
            if (!live(m)) {
                continue;
            }
            List<String> expected = sent.getOrDefault(m.group, List.of());
            // Messages of earlier rounds may still arrive (a member that joined later gets fewer of them).
            List<String> got = new ArrayList<>(m.received);
            got.retainAll(expected);
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(got);
            if (!missing.isEmpty()) {
                broken.add("member " + m.handle.self().nodeId() + "/" + (m.handle.self().pid() & 0xFFFF) + " of "
                    + m.group + " on n" + m.node + " missed " + missing.size() + " of " + expected.size()
                    + " messages, first " + missing.get(0));
            } else if (got.size() != expected.size()) {
                broken.add("member " + m.handle.self().nodeId() + "/" + (m.handle.self().pid() & 0xFFFF) + " of "
                    + m.group + " on n" + m.node + " got " + got.size() + " messages, " + expected.size() + " sent");
            } else {
                List<String> o = order.putIfAbsent(m.group, got);
                if (o != null && !o.equals(got)) {
                    broken.add("members of " + m.group + " got its messages in different orders: " + o + " and "
                        + got + " (member on n" + m.node + ")");
                }
            }
        }
        newRound();
        return broken;
    }

    private static String brief(Map<String, List<CpgMember>> groups) {
        StringBuilder sb = new StringBuilder("{");
        for (var g : groups.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            List<Integer> nodes = new ArrayList<>();
            for (CpgMember m : g.getValue()) {
                nodes.add(m.nodeId());
            }
            sb.append(g.getKey()).append('=').append(nodes);
        }
        return sb.append('}').toString();
    }
}
