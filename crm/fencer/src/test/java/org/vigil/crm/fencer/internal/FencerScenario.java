package org.vigil.crm.fencer.internal;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.api.fencer.FenceAction;
import org.vigil.crm.fencer.internal.FencerConfig.AgentInfo;

/**
 * Runs a fencer scenario script on {@link FencerSim} and returns the script with each command's actual output (the
 * Totem scenarios' style). A script is blocks separated by blank lines; each block is a command (its first line,
 * with more lines for {@code cib}), {@code ----}, then the output expected. Lines starting with {@code #} outside
 * blocks are comments.
 *
 * <pre>
 * cluster nodes=3 [seed=1]        n1..n3 boot; agents fence_sim (list, status), fence_static (no list, no status),
 *                                 fence_status (status only), fence_plug (list, plug)
 * cib                             then lines: device ID AGENT [name=value...] | level TARGET INDEX DEV,DEV |
 *                                 level-pattern REGEX INDEX DEVS | level-attr NAME=VALUE INDEX DEVS |
 *                                 node-attr NODE NAME=VALUE | ban DEV NODE | stopped DEV | stonith-timeout SPAN
 * behave DEV ok|fail|hang [ms]    how a device answers (and how long it takes)
 * list-output DEV PLUG...         what its list action prints
 * status-plugs DEV PLUG...        the plugs its status action knows (others: exit 1)
 * fence NODE TARGET ACTION        NODE's fencer is asked
 * confirm NODE TARGET             stonith_admin --confirm on NODE
 * list NODE TARGET                stonith_admin --list on NODE
 * crash NODE / boot NODE       crash: gone, the others see it leave a token timeout later
 * freeze NODE / thaw NODE       its fencer stops taking input (kill -STOP) but it stays a member
 * run MS / stabilize
 * history NODE / verbose on|off
 * </pre>
 */
final class FencerScenario {

    private FencerScenario() {
    }

    static String run(String script) {
        StringBuilder out = new StringBuilder();
        FencerSim sim = null;
        List<String> lines = List.of(script.split("\n", -1));
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                out.append(line).append('\n');
                i++;
                continue;
            }
            List<String> cmd = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).equals("----")) {
                cmd.add(lines.get(i));
                i++;
            }
            i++; // ----
            while (i < lines.size() && !lines.get(i).isBlank()) {
                i++; // old output
            }
            for (String c : cmd) {
                out.append(c).append('\n');
            }
            out.append("----\n");
            String result;
            try {
                if (cmd.get(0).startsWith("cluster")) {
                    sim = cluster(cmd.get(0));
                    result = take(sim);
                } else if (sim == null) {
                    result = "error: no cluster yet\n";
                } else {
                    result = step(sim, cmd);
                }
            } catch (RuntimeException | CibException e) {
                result = "error: " + e + "\n";
            }
            if (result.isEmpty()) {
                result = "ok\n";
            }
            out.append(result);
        }
        String s = out.toString();
        return s.endsWith("\n\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static FencerSim cluster(String line) {
        int nodes = 3;
        long seed = 1;
        for (String w : line.split("\\s+")) {
            if (w.startsWith("nodes=")) {
                nodes = Integer.parseInt(w.substring(6));
            } else if (w.startsWith("seed=")) {
                seed = Long.parseLong(w.substring(5));
            }
        }
        FencerSim sim = new FencerSim(seed);
        sim.agents.put("fence_sim", new AgentInfo(true, true, false));
        sim.agents.put("fence_static", new AgentInfo(false, false, false));
        sim.agents.put("fence_status", new AgentInfo(false, true, false));
        sim.agents.put("fence_plug", new AgentInfo(true, false, true));
        for (int n = 1; n <= nodes; n++) {
            sim.addNode("n" + n);
        }
        for (int n = 1; n <= nodes; n++) {
            sim.boot("n" + n);
        }
        sim.runUntil(sim.now + 10);
        return sim;
    }

    private static String step(FencerSim sim, List<String> cmd) throws CibException {
        String[] w = cmd.get(0).trim().split("\\s+");
        switch (w[0]) {
            case "cib" -> sim.setCib(XmlText.parse(cibXml(cmd.subList(1, cmd.size())), "scenario"));
            case "behave" -> {
                sim.behaviour.put(w[1], FencerSim.Behaviour.valueOf(w[2].toUpperCase(java.util.Locale.ROOT)));
                if (w.length > 3) {
                    sim.deviceMs.put(w[1], Long.parseLong(w[3]));
                }
            }
            case "list-output" -> sim.listOutput.put(w[1], String.join(" ", List.of(w).subList(2, w.length)));
            case "status-plugs" -> sim.statusPlugs.put(w[1], java.util.Set.copyOf(List.of(w).subList(2, w.length)));
            case "fence" -> sim.fence(w[1], w[2], FenceAction.of(w[3]));
            case "confirm" -> sim.confirm(w[1], w[2]);
            case "list" -> sim.list(w[1], w[2]);
            case "crash" -> sim.crash(w[1]);
            case "freeze" -> sim.freeze(w[1], true);
            case "thaw" -> sim.freeze(w[1], false);
            case "boot" -> sim.boot(w[1]);
            case "run" -> sim.runUntil(sim.now + Long.parseLong(w[1]));
            case "stabilize" -> sim.stabilize();
            case "history" -> {
                return take(sim) + sim.history(w[1]);
            }
            case "verbose" -> sim.verbose = w[1].equals("on");
            default -> throw new IllegalArgumentException("unknown command " + w[0]);
        }
        return take(sim);
    }

    private static String take(FencerSim sim) {
        String s = sim.trace.toString();
        sim.trace.setLength(0);
        return s;
    }

    /** The CIB the {@code cib} block describes. */
    static String cibXml(List<String> lines) {
        StringBuilder res = new StringBuilder();
        StringBuilder cons = new StringBuilder();
        StringBuilder topo = new StringBuilder();
        StringBuilder nodes = new StringBuilder();
        StringBuilder props = new StringBuilder();
        java.util.Map<String, StringBuilder> nodeAttrs = new java.util.TreeMap<>();
        java.util.Set<String> stopped = new java.util.HashSet<>();
        for (String l : lines) {
            String[] w = l.trim().split("\\s+");
            if (w[0].equals("stopped")) {
                stopped.add(w[1]);
            }
        }
        int n = 0;
        for (String l : lines) {
            String[] w = l.trim().split("\\s+");
            n++;
            switch (w[0]) {
                case "device" -> {
                    res.append("<primitive id='").append(w[1]).append("' class='stonith' type='").append(w[2])
                        .append("'><instance_attributes id='").append(w[1]).append("-ia'>");
                    for (int k = 3; k < w.length; k++) {
                        int eq = w[k].indexOf('=');
                        res.append("<nvpair id='").append(w[1]).append("-").append(k).append("' name='")
                            .append(w[k], 0, eq).append("' value='").append(w[k].substring(eq + 1)).append("'/>");
                    }
                    res.append("</instance_attributes>");
                    if (stopped.contains(w[1])) {
                        res.append("<meta_attributes id='").append(w[1]).append("-meta'><nvpair id='").append(w[1])
                            .append("-tr' name='target-role' value='Stopped'/></meta_attributes>");
                    }
                    res.append("</primitive>");
                }
                case "level", "level-pattern", "level-attr" -> {
                    topo.append("<fencing-level id='fl").append(n).append("' index='").append(w[2])
                        .append("' devices='").append(w[3]).append("' ");
                    if (w[0].equals("level")) {
                        topo.append("target='").append(w[1]).append("'");
                    } else if (w[0].equals("level-pattern")) {
                        topo.append("target-pattern='").append(w[1]).append("'");
                    } else {
                        String[] kv = w[1].split("=", 2);
                        topo.append("target-attribute='").append(kv[0]).append("' target-value='").append(kv[1])
                            .append("'");
                    }
                    topo.append("/>");
                }
                case "node-attr" -> {
                    String[] kv = w[2].split("=", 2);
                    nodeAttrs.computeIfAbsent(w[1], k -> new StringBuilder()).append("<nvpair id='na").append(n)
                        .append("' name='").append(kv[0]).append("' value='").append(kv[1]).append("'/>");
                }
                case "ban" -> cons.append("<rsc_location id='ban").append(n).append("' rsc='").append(w[1])
                    .append("' node='").append(w[2]).append("' score='-INFINITY'/>");
                case "stonith-timeout" -> props.append("<nvpair id='st' name='stonith-timeout' value='").append(w[1])
                    .append("'/>");
                case "stopped" -> {
                }
                default -> throw new IllegalArgumentException("unknown cib line: " + l);
            }
        }
        for (var e : nodeAttrs.entrySet()) {
            nodes.append("<node id='").append(e.getKey()).append("' uname='").append(e.getKey())
                .append("'><instance_attributes id='").append(e.getKey()).append("-attrs'>").append(e.getValue())
                .append("</instance_attributes></node>");
        }
        return "<cib><configuration><crm_config><cluster_property_set id='cib-bootstrap-options'>" + props
            + "</cluster_property_set></crm_config><nodes>" + nodes + "</nodes><resources>" + res
            + "</resources><constraints>" + cons + "</constraints><fencing-topology>" + topo
            + "</fencing-topology></configuration><status/></cib>";
    }
}
