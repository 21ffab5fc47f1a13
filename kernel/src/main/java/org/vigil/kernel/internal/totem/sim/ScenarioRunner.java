package org.vigil.kernel.internal.totem.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.internal.totem.Guarantee;
import org.vigil.kernel.internal.totem.Release;
import org.vigil.kernel.internal.totem.TotemConfig;
import org.vigil.kernel.internal.totem.TotemState;

/**
 * Runs a Totem scenario script, in the spirit of etcd raft's {@code testdata/*.txt}: blocks of one command line,
 * a {@code ----} line, and the expected output, separated by blank lines ({@code #} lines are comments). Running
 * a script produces the same text with the outputs the simulator actually gave, so a test compares the two and
 * {@code -Dvigil.rewrite=true} regenerates the expectations (review the diff before committing it).
 *
 * <p>Commands:
 * <pre>
 * cluster nodes=N [seed=S] [totem_key=value ...]   a new simulated cluster (ids 1..N, none booted)
 * boot ID... | boot all                              start nodes (again: a new incarnation)
 * crash ID...                                        stop nodes at once
 * leave ID                                           clean shutdown (LEAVE message)
 * run MS                                             advance virtual time
 * run until ID regular [MS]                          until node ID installs a regular configuration (at most MS, default 60000)
 * stabilize [MS]                                     run until one ring of all live nodes holds, queues empty (at most MS, default 60000)
 * submit ID agreed|safe SIZE [count=N]               queue messages
 * partition 1,2 | 3,4                                cut the links between groups (both ways)
 * block FROM TO                                      cut one direction
 * unblock FROM TO [both]                             restore one direction (or both)
 * loss FROM TO PERCENT [both]                        random loss on a link
 * drop-token [N]                                     lose the next N ORF tokens
 * drop-commit [N]                                    lose the next N commit tokens
 * block-mcast FROM TO | unblock-mcast FROM TO        cut (restore) only the MCAST packets of one direction
 * pause ID MS                                        the node's process is not scheduled for MS
 * heal                                               undo every network fault
 * status                                             every node's state, ring and members
 * stats ID KEY...                                    engine counters of a node
 * trace CATEGORY on|off                              what the run commands print (fault, state, config, deliver)
 * release ID M.m [features=HEX]                      the release node ID runs from its next boot on (a
 *                                                    rolling upgrade: crash ID, release ID ..., boot ID)
 * releases                                           every live node's release, its ring's effective feature
 *                                                    set, the members' releases and the nodes it refuses
 * cpg on                                             every node runs CPG over its engine (before booting)
 * cpg join ID GROUP                                  a new CPG member of GROUP on node ID
 * cpg mcast ID GROUP [count=N] [safe]                every member of GROUP on node ID sends N messages (safe:
 *                                                    in safe order, CpgGuarantee.SAFE)
 * cpg status                                         every live node's CPG groups (members' node ids)
 * cpg round                                          forgets the messages sent so far (those a partition lost): the
 *                                                    next check looks at later ones only
 * cpg check                                          all live nodes agree on the groups, every member got every
 *                                                    message sent since the last check, in one order (else VIOLATION)
 * </pre>
 * The run commands ({@code run}, {@code stabilize}, and commands with immediate effects) print the trace lines
 * of what happened, prefixed with the virtual time in ms; then, per node, the messages it delivered.
 */
public final class ScenarioRunner {

    private Simulator sim;
    private CpgMembers cpg;
    private Trace trace;
    private final Map<Integer, List<String>> deliveries = new TreeMap<>();

    /** Runs a whole script; returns it with the actual outputs. */
    public static String run(String script) {
        return new ScenarioRunner().runScript(script);
    }

    /** {@code java ... ScenarioRunner FILE [--rewrite]}: prints (or rewrites) a script with actual outputs. */
    public static void main(String[] args) throws IOException {
        Path f = Path.of(args[0]);
        String out = run(Files.readString(f));
        if (args.length > 1 && args[1].equals("--rewrite")) {
            Files.writeString(f, out);
        } else {
            System.out.print(out);
        }
    }

    private String runScript(String script) {
        StringBuilder out = new StringBuilder();
        String[] lines = script.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                out.append(line).append('\n');
                i++;
                continue;
            }
            out.append(line).append('\n');
            i++;
            // Skip the old expected output.
            if (i < lines.length && lines[i].equals("----")) {
                i++;
                while (i < lines.length && !lines[i].isEmpty()) {
                    i++;
                }
            }
            out.append("----\n");
            String result;
            try {
                result = execute(line.trim());
            } catch (Checker.Violation v) {
                result = "VIOLATION: " + v.getMessage() + "\n";
            } catch (RuntimeException e) {
                result = "error: " + e + "\n";
            }
            out.append(result.isEmpty() ? "ok\n" : result);
            if (i < lines.length) {
                out.append('\n');
                if (lines[i].isEmpty()) {
                    i++;
                }
            }
        }
        String s = out.toString();
        while (s.endsWith("\n\n")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private String execute(String line) {
        String[] w = line.split("\\s+");
        String cmd = w[0];
        if (cmd.equals("cluster")) {
            return cluster(w);
        }
        if (sim == null) {
            throw new IllegalStateException("no cluster: start with 'cluster nodes=N'");
        }
        trace.clear();
        String extra = "";
        switch (cmd) {
            case "boot" -> {
                if (w.length == 2 && w[1].equals("all")) {
                    for (int id = 1; id <= sim.size(); id++) {
                        sim.boot(id);
                    }
                } else {
                    for (int k = 1; k < w.length; k++) {
                        sim.boot(Integer.parseInt(w[k]));
                    }
                }
            }
            case "crash" -> {
                for (int k = 1; k < w.length; k++) {
                    sim.crash(Integer.parseInt(w[k]));
                }
            }
            case "leave" -> sim.leave(Integer.parseInt(w[1]));
            case "run" -> {
                if (w.length > 1 && w[1].equals("until")) {
                    extra = runUntilRegular(Integer.parseInt(w[2]), w.length > 4 ? Long.parseLong(w[4]) : 60_000);
                } else {
                    sim.runFor(Long.parseLong(w[1]) * Simulator.MS);
                }
            }
            case "stabilize" -> {
                // Until one ring of all live nodes has held for a token plus a consensus timeout with every
                // send queue empty (a ring that looks whole may still be about to break), at most MS.
                long max = (w.length > 1 ? Long.parseLong(w[1]) : 60_000) * Simulator.MS;
                long end = sim.now() + max;
                long hold = (sim.config().token() + sim.config().consensus()) * Simulator.MS;
                long since = -1;
                while (sim.now() < end && (since < 0 || sim.now() - since < hold)) {
                    sim.runFor(Simulator.MS);
                    if (sim.converged() && drained()) {
                        since = since < 0 ? sim.now() : since;
                    } else {
                        since = -1;
                    }
                }
                extra = since >= 0 ? "" : "not converged:\n" + sim.status();
            }
            case "submit" -> {
                int id = Integer.parseInt(w[1]);
                Guarantee g = Guarantee.valueOf(w[2].toUpperCase());
                int size = Integer.parseInt(w[3]);
                int count = w.length > 4 ? Integer.parseInt(w[4].substring("count=".length())) : 1;
                int refused = 0;
                for (int k = 0; k < count; k++) {
                    if (!sim.submit(id, size, g)) {
                        refused++;
                    }
                }
                extra = refused > 0 ? refused + " refused\n" : "";
            }
            case "partition" -> {
                List<List<Integer>> groups = new ArrayList<>();
                for (String g : line.substring("partition".length()).split("\\|")) {
                    List<Integer> ids = new ArrayList<>();
                    for (String id : g.trim().split(",")) {
                        ids.add(Integer.parseInt(id.trim()));
                    }
                    groups.add(ids);
                }
                sim.partition(groups);
            }
            case "block" -> sim.block(Integer.parseInt(w[1]), Integer.parseInt(w[2]), true);
            case "unblock" -> {
                sim.block(Integer.parseInt(w[1]), Integer.parseInt(w[2]), false);
                if (w.length > 3 && w[3].equals("both")) {
                    sim.block(Integer.parseInt(w[2]), Integer.parseInt(w[1]), false);
                }
            }
            case "cpg" -> {
                String r = cpg(w);
                if (!w[1].equals("mcast") && !w[1].equals("join") && !w[1].equals("on")) {
                    return r;
                }
                extra = r;
            }
            case "loss" -> {
                int a = Integer.parseInt(w[1]);
                int b = Integer.parseInt(w[2]);
                double p = Integer.parseInt(w[3]) / 100.0;
                sim.loss(a, b, p);
                if (w.length > 4 && w[4].equals("both")) {
                    sim.loss(b, a, p);
                }
            }
            case "drop-token" -> sim.dropNextTokens(w.length > 1 ? Integer.parseInt(w[1]) : 1);
            case "drop-commit" -> sim.dropNextCommitTokens(w.length > 1 ? Integer.parseInt(w[1]) : 1);
            case "block-mcast" -> sim.blockMcast(Integer.parseInt(w[1]), Integer.parseInt(w[2]), true);
            case "unblock-mcast" -> sim.blockMcast(Integer.parseInt(w[1]), Integer.parseInt(w[2]), false);
            case "pause" -> sim.pause(Integer.parseInt(w[1]), Long.parseLong(w[2]) * Simulator.MS);
            case "heal" -> sim.healAll();
            case "status" -> {
                return sim.status();
            }
            case "release" -> {
                long features = Release.OWN_FEATURES;
                for (int k = 3; k < w.length; k++) {
                    if (w[k].startsWith("features=")) {
                        features = Long.parseUnsignedLong(w[k].substring("features=".length()), 16);
                    } else {
                        throw new IllegalArgumentException("release: unknown argument " + w[k]);
                    }
                }
                sim.setRelease(Integer.parseInt(w[1]), Release.parse(w[2], features));
            }
            case "releases" -> {
                return sim.releases();
            }
            case "stats" -> {
                StringBuilder sb = new StringBuilder();
                var e = sim.engine(Integer.parseInt(w[1]));
                for (int k = 2; k < w.length; k++) {
                    sb.append(w[k]).append(' ').append(e.stats().get(w[k])).append('\n');
                }
                return sb.toString();
            }
            case "trace" -> {
                trace.enable(Trace.Category.valueOf(w[1].toUpperCase()), w[2].equals("on"));
                return "";
            }
            default -> throw new IllegalArgumentException("unknown command " + cmd);
        }
        return output() + extra;
    }

    private String cpg(String[] w) {
        switch (w[1]) {
            case "on" -> {
                sim.enableCpg();
                return "";
            }
            case "join" -> {
                cpg.join(Integer.parseInt(w[2]), w[3]);
                return "";
            }
            case "mcast" -> {
                int count = 1;
                org.vigil.kernel.api.CpgGuarantee g = org.vigil.kernel.api.CpgGuarantee.AGREED;
                for (int k = 4; k < w.length; k++) {
                    if (w[k].startsWith("count=")) {
                        count = Integer.parseInt(w[k].substring("count=".length()));
                    } else if (w[k].equals("safe")) {
                        g = org.vigil.kernel.api.CpgGuarantee.SAFE;
                    } else {
                        throw new IllegalArgumentException("cpg mcast: unknown argument " + w[k]);
                    }
                }
                int refused = cpg.mcast(Integer.parseInt(w[2]), w[3], count, g);
                return refused > 0 ? refused + " refused\n" : "";
            }
            case "status" -> {
                return cpg.status();
            }
            case "round" -> {
                cpg.newRound();
                return "";
            }
            case "check" -> {
                StringBuilder sb = new StringBuilder();
                for (String b : cpg.check()) {
                    sb.append("VIOLATION: ").append(b).append('\n');
                }
                return sb.length() == 0 ? "CPG members agree, every message delivered to every member\n"
                    : sb.toString();
            }
            default -> throw new IllegalArgumentException("unknown cpg command " + w[1]);
        }
    }

    /** Runs until node {@code id} installs a regular configuration, at most {@code maxMs}. */
    private String runUntilRegular(int id, long maxMs) {
        boolean[] seen = {false};
        sim.setConfigurationHook((node, ev) -> {
            if (node == id && ev.type() == MembershipEvent.Type.REGULAR) {
                seen[0] = true;
            }
        });
        try {
            long end = sim.now() + maxMs * Simulator.MS;
            while (!seen[0] && sim.now() < end && sim.step()) {
                // one event at a time: stop right after the configuration is installed
            }
        } finally {
            sim.setConfigurationHook(null);
        }
        return seen[0] ? "" : "no regular configuration on n" + id + " within " + maxMs + " ms\n";
    }

    private boolean drained() {
        for (int id : sim.aliveNodes()) {
            if (sim.engine(id).queuedMessages() > 0) {
                return false;
            }
        }
        return true;
    }

    private String cluster(String[] w) {
        int nodes = 3;
        long seed = 1;
        List<String> totem = new ArrayList<>();
        for (int k = 1; k < w.length; k++) {
            String[] kv = w[k].split("=", 2);
            switch (kv[0]) {
                case "nodes" -> nodes = Integer.parseInt(kv[1]);
                case "seed" -> seed = Long.parseLong(kv[1]);
                default -> totem.add(kv[0] + ": " + kv[1]);
            }
        }
        TotemConfig cfg = TotemConfig.parse(nodes, totem.toArray(new String[0]));
        trace = new Trace(0, Trace.Category.FAULT, Trace.Category.STATE, Trace.Category.CONFIG);
        sim = new Simulator(seed, nodes, cfg, trace);
        cpg = new CpgMembers(sim);
        deliveries.clear();
        sim.setListener(new Simulator.Listener() {
            @Override
            public void delivered(long micros, int node, int sender, int counter, int length, Guarantee g) {
                deliveries.computeIfAbsent(node, k -> new ArrayList<>()).add(sender + ":" + counter
                    + (g == Guarantee.SAFE ? "s" : "") + (length > 1000 ? "(" + length + "B)" : ""));
            }

            @Override
            public void stateChanged(long micros, int node, TotemState from, TotemState to, String reason) {
            }

            @Override
            public void configurationChange(long micros, int node, MembershipEvent ev) {
            }
        });
        return "token " + cfg.token() + " token_retransmit " + cfg.tokenRetransmit() + " hold " + cfg.hold()
            + " join " + cfg.join() + " consensus " + cfg.consensus() + " merge " + cfg.merge() + " max_messages "
            + cfg.maxMessages() + " window_size " + cfg.windowSize() + " netmtu " + cfg.netmtu()
            + (cfg.sendJoin() > 0 ? " send_join " + cfg.sendJoin() : "")
            + (cfg.heartbeat() > 0 ? " heartbeat " + cfg.heartbeat() : "") + "\n";
    }

    /** The trace lines of the last command, then the deliveries per node (compressed runs of one sender). */
    private String output() {
        StringBuilder sb = new StringBuilder();
        for (String l : trace.lines()) {
            sb.append(l).append('\n');
        }
        for (var e : deliveries.entrySet()) {
            sb.append("n").append(e.getKey()).append(" delivered ").append(compress(e.getValue())).append('\n');
        }
        deliveries.clear();
        return sb.toString();
    }

    /** {@code 1:1 1:2 1:3 2:1} → {@code 1:1..3 2:1}. */
    static String compress(List<String> ids) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < ids.size()) {
            String[] a = parse(ids.get(i));
            int j = i;
            while (j + 1 < ids.size()) {
                String[] b = parse(ids.get(j + 1));
                String[] c = parse(ids.get(j));
                if (b[0].equals(a[0]) && b[2].equals(a[2]) && Integer.parseInt(b[1]) == Integer.parseInt(c[1]) + 1) {
                    j++;
                } else {
                    break;
                }
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(a[0]).append(':').append(a[1]);
            if (j > i) {
                sb.append("..").append(parse(ids.get(j))[1]);
            }
            sb.append(a[2]);
            i = j + 1;
        }
        return sb.toString();
    }

    private static String[] parse(String id) {
        int colon = id.indexOf(':');
        int k = colon + 1;
        while (k < id.length() && Character.isDigit(id.charAt(k))) {
            k++;
        }
        return new String[] {id.substring(0, colon), id.substring(colon + 1, k), id.substring(k)};
    }
}
