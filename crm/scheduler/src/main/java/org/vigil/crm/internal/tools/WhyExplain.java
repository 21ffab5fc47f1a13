package org.vigil.crm.internal.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.crm.api.CibElement;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.ScoreTrace;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;

/**
 * {@code crm_resource --why -r RSC --explain} (Vigil's; Pacemaker has no such answer): the scheduler run on the
 * CIB as the DC would run it now, and for the resource and each of its instances, on every node, the score it was
 * assigned with (the scheduler's own "allocation score" lines, as {@code crm_simulate -s} prints them) and the
 * changes that made it: location constraints (bans and moves named as such), stickiness, fail counts at their
 * migration threshold, target-role, tickets, colocations, failures in the history. A node that cannot run
 * resources says why (offline, standby, maintenance, unclean), and a partition without quorum says what its
 * no-quorum-policy does. Changes the scheduler makes by merging colocated resources' scores (groups, clones,
 * colocation chains) are not itemised: the "other" line is what the listed changes leave unexplained.
 */
final class WhyExplain {

    private static final Pattern SCORE_LINE = Pattern.compile("^(\\S+): (\\S+) allocation score on (\\S+): (\\S+)$");

    private WhyExplain() {
    }

    /** The explanation of {@code rscId} (an id the caller has checked) in {@code cib} as of the clock's now. */
    static String explain(CibElement cib, String rscId, ToolClock clock) {
        ScoreTrace trace = new ScoreTrace();
        WorkingSet ws = Scheduler.run(ClusterState.copy(cib), CrmTime.ofEpochSecond(clock.nowMillis() / 1000,
            clock.zone()), true, false, null, trace);
        Resource top = ws.findResource(rscId);
        StringBuilder out = new StringBuilder();
        if (top == null) {
            return "Resource " + rscId + " is not known to the scheduler\n";
        }
        if (!ws.is(WorkingSet.HAVE_QUORUM)) {
            out.append("The partition has no quorum: no-quorum-policy=")
                .append(ws.noQuorumPolicy.name().toLowerCase(java.util.Locale.ROOT))
                .append(ws.noQuorumPolicy == WorkingSet.NoQuorum.IGNORE ? " (resources are placed as with quorum)"
                    : " (resources are not started; with stop they are stopped)").append('\n');
        }
        for (Node n : ws.nodes) {
            String why = cannotRun(n);
            if (why != null) {
                out.append("Node ").append(n.uname).append(" cannot run resources: ").append(why).append('\n');
            }
        }
        // the final scores, per resource (the one asked and its instances or members) and node, the last printed
        Map<String, Map<String, String>> finals = new LinkedHashMap<>();
        for (String line : ws.scores.lines) {
            Matcher m = SCORE_LINE.matcher(line);
            if (m.matches() && related(m.group(2), top)) {
                finals.computeIfAbsent(m.group(2), k -> new LinkedHashMap<>()).put(m.group(3), m.group(4));
            }
        }
        List<Resource> rscs = new ArrayList<>();
        collect(top, rscs);
        for (Resource r : rscs) {
            out.append("Resource ").append(r.id).append(": ").append(placement(r)).append('\n');
            Map<String, String> scores = finals.getOrDefault(r.id, Map.of());
            for (Node n : ws.nodes) {
                List<ScoreTrace.Entry> changes = new ArrayList<>();
                for (ScoreTrace.Entry e : trace.entries()) {
                    if (e.rsc().equals(r.id) && e.node().equals(n.uname)) {
                        changes.add(e);
                    }
                }
                String score = scores.get(n.uname);
                if (score == null && changes.isEmpty()) {
                    continue;
                }
                String blocked = cannotRun(n);
                out.append("  * on ").append(n.uname).append(": ")
                    .append(score == null ? "not considered (not an allowed node)" : "score " + score)
                    .append(blocked == null ? "" : " (but the node cannot run resources: " + blocked + ")")
                    .append('\n');
                int sum = 0;
                for (ScoreTrace.Entry e : changes) {
                    sum = Score.add(sum, e.score());
                    out.append("      ").append(signed(e.score())).append("  ").append(source(e.source(), r, n))
                        .append('\n');
                }
                if (score != null) {
                    int fin = Score.parse(score);
                    if (fin != sum && Math.abs(sum) < Score.INFINITY) {
                        out.append("      ").append(signed(Score.add(fin, -sum))).append("  other (scores merged from")
                            .append(" colocated resources, group members or clone instances)\n");
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * The explanation for each of the newest {@code count} scheduler inputs the DC saved in {@code dir}
     * ({@code pe-input-N.bz2}, newest first by the time they were written), each as of that time: why the resource
     * went where it went in those transitions. Nothing saved: a line saying so.
     */
    static String history(java.nio.file.Path dir, int count, String rscId) {
        List<java.nio.file.Path> inputs = new ArrayList<>();
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().matches("pe-input-\\d+\\.bz2")).forEach(inputs::add);
        } catch (java.io.IOException e) {
            return "No saved transitions in " + dir + " (" + e.getMessage() + "): they are kept by the DC\n";
        }
        inputs.sort(java.util.Comparator.comparing(WhyExplain::modified).reversed());
        if (inputs.isEmpty()) {
            return "No saved transitions in " + dir + ": they are kept by the DC\n";
        }
        StringBuilder out = new StringBuilder();
        for (java.nio.file.Path p : inputs.subList(0, Math.min(count, inputs.size()))) {
            long when = modified(p);
            out.append("\nTransition input ").append(p.getFileName()).append(" (")
                .append(java.time.Instant.ofEpochMilli(when)).append("):\n");
            try (java.io.InputStream raw = java.nio.file.Files.newInputStream(p);
                 java.io.InputStream in = org.vigil.crm.internal.simulate.Bunzip2.open(raw)) {
                org.vigil.crm.api.cib.XmlNode cib = org.vigil.crm.api.cib.XmlText.parse(in, p.toString(),
                    org.vigil.crm.api.cib.XmlText.DEFAULT_MAX_BYTES);
                out.append(explain(cib, rscId, fixedClock(when)));
            } catch (Exception e) {
                out.append("  cannot read it: ").append(e.getMessage()).append('\n');
            }
        }
        return out.toString();
    }

    private static long modified(java.nio.file.Path p) {
        try {
            return java.nio.file.Files.getLastModifiedTime(p).toMillis();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** The system clock's zone, stopped at {@code millis}. */
    private static ToolClock fixedClock(long millis) {
        return new ToolClock() {
            @Override
            public long nowMillis() {
                return millis;
            }

            @Override
            public java.time.ZoneId zone() {
                return ToolClock.SYSTEM.zone();
            }

            @Override
            public void sleep(long ms) {
                throw new UnsupportedOperationException();
            }

            @Override
            public <T> T await(java.util.concurrent.CompletionStage<T> stage, long timeoutMs) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static void collect(Resource r, List<Resource> into) {
        into.add(r);
        for (Resource c : r.children) {
            collect(c, into);
        }
    }

    private static boolean related(String id, Resource top) {
        if (id.equals(top.id)) {
            return true;
        }
        for (Resource c : top.children) {
            if (related(id, c)) {
                return true;
            }
        }
        return false;
    }

    private static String signed(int score) {
        String s = Score.toString(score);
        return score >= 0 && !s.startsWith("+") ? "+" + s : s;
    }

    /** Where the resource runs now and where the scheduler puts it. */
    private static String placement(Resource r) {
        String now = r.runningOn.isEmpty() ? "stopped" : "running on " + String.join(", ",
            r.runningOn.stream().map(n -> n.uname).toList());
        String next = r.allocatedTo == null ? "to be stopped (no node it may run on wins)"
            : "assigned to " + r.allocatedTo.node.uname;
        return now + "; " + (r.children.isEmpty() ? next : "its instances or members below");
    }

    /** Why a node cannot run resources, or null. */
    private static String cannotRun(Node n) {
        if (!n.online) {
            return n.unclean ? "offline and unclean (to be fenced)" : "offline";
        }
        if (n.unclean) {
            return "unclean (to be fenced)";
        }
        if (n.standby) {
            return "standby";
        }
        if (n.maintenance) {
            return "maintenance mode";
        }
        if (n.pending) {
            return "pending (joining)";
        }
        if (n.shutdown) {
            return "shutting down";
        }
        return null;
    }

    /** The plain words of a score's source (a constraint id or one of the scheduler's tags). */
    static String source(String tag, Resource r, Node n) {
        if (tag.startsWith("location constraint cli-ban-")) {
            return tag + " (a ban: crm_resource --ban, pcs resource ban)";
        }
        if (tag.startsWith("location constraint cli-prefer-")) {
            return tag + " (a move: crm_resource --move, pcs resource move)";
        }
        if (tag.startsWith("location constraint ") || tag.startsWith("colocation ")) {
            return tag;
        }
        return switch (tag) {
            case "symmetric_default" -> "symmetric cluster (every node allowed)";
            case "remote_connection_default" -> "remote connection default";
            case "stickiness" -> "resource-stickiness " + r.stickiness + " (it runs there now)";
            case "__fail_limit__" -> "fail count reached migration-threshold " + r.migrationThreshold;
            case "target-role" -> "target-role is Stopped";
            case "__loss_of_ticket__" -> "ticket lost (loss-policy)";
            case "__no_ticket__" -> "ticket not granted";
            case "__ticket_standby__" -> "ticket in standby";
            case "__stateful_without_ticket__" -> "ticket not granted (promotion)";
            case "__orphan_do_not_run__" -> "orphan: no longer in the configuration";
            case "hard-error" -> "a hard error on this node in its history (on-fail / OCF_ERR_ARGS...)";
            case "fatal-error" -> "a fatal error in its history (OCF_ERR_CONFIGURED: nowhere)";
            case "masked-probe-failure" -> "a failed probe on this node";
            case "__stop_fail__" -> "a failed stop on this node";
            case "__action_migration_auto__" -> "a failed live migration";
            case "not_managed_default" -> "unmanaged: stays where it is";
            case "shutdown-lock" -> "shutdown lock (it waits for its node)";
            case "__limit_utilization__" -> "not enough capacity (utilization, placement-strategy)";
            case "clone:limit_reached" -> "clone-max or clone-node-max reached";
            default -> tag;
        };
    }
}
