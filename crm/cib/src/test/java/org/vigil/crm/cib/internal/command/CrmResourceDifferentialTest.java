package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.Commands;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.cib.internal.PacemakerTools;
import org.vigil.crm.cib.internal.XmlDiffs;
import org.vigil.crm.internal.tools.CrmResourceCommand;
import org.vigil.crm.internal.tools.ToolClock;

/**
 * {@code crm_resource --list, --locate, --move, --ban, --clear} (also with {@code --promoted}), the attribute commands
 * ({@code --set/--get/--delete-parameter}, {@code --query-xml}), {@code --why} and {@code --list-operations}
 * compared with Pacemaker 2.1.5's on a hand-made CIB
 * and regression CIBs of its scheduler corpus: the same script of command lines runs through Pacemaker's tool
 * ({@code CIB_file} on a copy) and Vigil's (the real CIB engine, {@link LoopbackCib}), one after the other on the
 * same evolving CIB; exit status, standard output, standard error and the resulting constraints (resources, for the
 * attribute commands) must be the same.
 * Only the clock is masked (the end of a {@code --lifetime}), and the path of Pacemaker's tool in the XML output's
 * {@code request}. Also {@code --constraints}, {@code --stack}, {@code --delete}, the refusals of {@code --fail},
 * {@code --clear --expired}, {@code --digests} and {@code --output-as xml} (--list, --locate, --constraints,
 * --stack, --why, --query-xml).
 */
class CrmResourceDifferentialTest {

    static final Path SCHEDULER_RESOURCES = Path.of("../scheduler/src/test/resources");

    /**
     * Every how many CIBs of each list run (the suite's time: the whole corpus takes over six minutes on CI's two
     * cores, every second CIB over three); {@code -Dvigil.differential.sample=1} runs them all.
     */
    static final int SAMPLE = Integer.getInteger("vigil.differential.sample", 4);
    /**
     * Which of each {@link #SAMPLE} CIBs run: by default it moves on by one every day, so that successive CI runs
     * cover the whole corpus; {@code -Dvigil.differential.offset=N} repeats a run (a failure names its offset).
     */
    static final int OFFSET = Integer.getInteger("vigil.differential.offset",
        (int) Math.floorMod(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toEpochDay(), (long) SAMPLE));
    static final List<String> CORPUS = List.of("clone-anon-failcount", "colocate-primitive-with-clone", "group1",
        "migrate-1", "promoted-1", "rsc-discovery-per-node");
    private static final Pattern UNTIL = Pattern.compile("(Migration will take effect until: )\\S+ \\S+");

    /**
     * How the test runs Pacemaker's tool: its XML output's {@code request} names the program as invoked (a user's
     * {@code crm_resource}), so this is masked.
     */
    private static final Pattern PROGRAM = Pattern.compile("request=\"[^\" ]*/crm_resource");

    private static final Pattern NUMBERED = Pattern.compile("^ *[0-9]+ .*|^ *[0-9]+$");

    @TempDir
    Path tmp;

    static ToolClock clock() {
        ZoneId zone = ZoneId.systemDefault();
        return new ToolClock() {
            @Override
            public long nowMillis() {
                return System.currentTimeMillis();
            }

            @Override
            public ZoneId zone() {
                return zone;
            }

            @Override
            public void sleep(long ms) throws InterruptedException {
                Thread.sleep(ms);
            }

            @Override
            public <T> T await(CompletionStage<T> stage, long timeoutMs) throws InterruptedException,
                java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
                return stage.toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
            }
        };
    }

    /** The ids of elements of a kind, in document order. */
    static List<XmlNode> all(XmlNode x, String name, List<XmlNode> into) {
        if (name.equals("*") || x.is(name)) {
            into.add(x);
        }
        for (XmlNode c : x.children()) {
            all(c, name, into);
        }
        return into;
    }

    /** Command lines for a CIB: per resource (up to five), locate, ban, move, clear in their variants. */
    static List<List<String>> script(XmlNode cib) {
        XmlNode conf = cib.firstChild("configuration");
        List<String> nodes = all(conf.firstChild("nodes"), "node", new ArrayList<>()).stream()
            .map(n -> n.attribute("uname")).toList();
        List<String> rscs = conf.firstChild("resources").children().stream().map(r -> r.attribute("id"))
            .limit(5).collect(Collectors.toCollection(ArrayList::new));
        List<XmlNode> prims = all(conf.firstChild("resources"), "primitive", new ArrayList<>());
        if (!prims.isEmpty() && !rscs.contains(prims.get(prims.size() - 1).attribute("id"))) {
            rscs.add(prims.get(prims.size() - 1).attribute("id"));   // a group member or clone's primitive
        }
        String n1 = nodes.isEmpty() ? "none" : nodes.get(0);
        String n2 = nodes.size() > 1 ? nodes.get(1) : n1;
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("--list"));
        s.add(List.of("-W", "-r", "no-such-resource"));
        for (String r : rscs) {
            s.add(List.of("-W", "-r", r));
            s.add(List.of("--locate", "--resource", r, "-Q"));
            s.add(List.of("-B", "-r", r));
            s.add(List.of("-U", "-r", r));
            s.add(List.of("-M", "-r", r, "-N", n2));
            s.add(List.of("-M", "-r", r, "-N", n2));
            s.add(List.of("-M", "-r", r, "-N", n1));
            s.add(List.of("-B", "-r", r, "-N", n1));
            s.add(List.of("-B", "-r", r, "-N", n2, "--lifetime", "P1D"));
            s.add(List.of("-U", "-r", r, "-N", n1));
            s.add(List.of("--move", "-r", r));
            s.add(List.of("-M", "-r", r, "-N", n1, "-u", "PT2H"));
            s.add(List.of("--clear", "-r", r));
            s.add(List.of("-B", "-r", r, "-N", "zulu"));
            s.add(List.of("-M", "-r", r, "-N", n2, "--force"));
            s.add(List.of("-U", "-r", r, "--force"));
        }
        s.add(List.of("-L"));
        return s;
    }

    /** The constraints section, the end of lifetimes masked. */
    static XmlNode constraints(XmlNode cib) {
        return mask(cib.firstChild("configuration").firstChild("constraints"));
    }

    /** A section of the configuration (constraints with the end of lifetimes masked). */
    static XmlNode section(XmlNode cib, String name) {
        if (name.equals("constraints")) {
            return constraints(cib);
        }
        XmlNode s = cib.firstChild("configuration").firstChild(name);
        return s == null ? XmlNode.of(name) : s;
    }

    static XmlNode mask(XmlNode x) {
        if (x == null) {
            return XmlNode.of("constraints");
        }
        XmlNode m = x.is("date_expression") && x.attribute("end") != null ? x.with("end", "<masked>") : x;
        List<XmlNode> children = new ArrayList<>();
        for (XmlNode c : m.children()) {
            children.add(mask(c));
        }
        return m.withChildren(children);
    }

    /**
     * Pacemaker's standard error without its log lines and without the numbered listing of a document its CIB
     * rejected (libxml's validation report, which Vigil does not print).
     */
    private static String withoutLogLines(String err) {
        return err.lines().filter(l -> !l.startsWith("(") && !NUMBERED.matcher(l).matches())
            .map(l -> l + "\n").collect(Collectors.joining());
    }

    static List<Path> cibs() throws Exception {
        List<Path> l = new ArrayList<>();
        l.add(SCHEDULER_RESOURCES.resolve("crm_mon/three-nodes.xml"));
        l.add(SCHEDULER_RESOURCES.resolve("crm_mon/blocked.xml"));
        for (String c : CORPUS) {
            l.add(SCHEDULER_RESOURCES.resolve("pacemaker-scheduler/xml/" + c + ".xml"));
        }
        return l;
    }

    /** Runs the script of one CIB through both tools; returns the differences. */
    List<String> compare(Path source, int[] count) throws Exception {
        return compare(source, count, CrmResourceDifferentialTest::script, "constraints", null);
    }

    /**
     * Runs the command lines {@code script} makes for one CIB through both tools, comparing exit status, output and
     * the configuration section {@code section} after each; returns the differences. Counts the command lines in
     * {@code count[0]} and those without any difference in {@code same[0]} (when given).
     */
    List<String> compare(Path source, int[] count, java.util.function.Function<XmlNode, List<List<String>>> script,
                         String section, int[] same) throws Exception {
        Path file = tmp.resolve(source.getFileName());
        Files.copy(source, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        XmlNode initial = XmlText.parse(Files.readString(file), file.getFileName().toString());
        LoopbackCib cib = new LoopbackCib(initial);
        List<String> differences = new ArrayList<>();
        for (List<String> args : script.apply(initial)) {
            PacemakerTools.Run pm = PacemakerTools.run(tmp, Map.of("CIB_file", file.toString()), "crm_resource",
                args);
            Commands.Result vg = Commands.run(new CrmResourceCommand(cib, null, null, clock()), tmp, args);
            count[0]++;
            XmlNode theirs;
            try (InputStream in = Files.newInputStream(file)) {
                theirs = XmlText.parse(in, "pacemaker", 1 << 24);
            }
            XmlNode ours = cib.current().root();
            String what = null;
            if (pm.exit() != vg.exit()) {
                what = "exit " + vg.exit() + " (Pacemaker " + pm.exit() + ")";
            } else if (!UNTIL.matcher(PROGRAM.matcher(pm.out()).replaceAll("request=\"crm_resource"))
                .replaceAll("$1<masked>").equals(UNTIL.matcher(vg.out()).replaceAll("$1<masked>"))) {
                what = "stdout";
            } else if (!withoutLogLines(pm.err()).equals(vg.err())) {
                what = "stderr";
            } else if (XmlDiffs.firstDifference(section(ours, section), section(theirs, section)) != null) {
                what = section + " differ (Vigil first) at "
                    + XmlDiffs.firstDifference(section(ours, section), section(theirs, section));
            }
            if (what != null) {
                differences.add(source.getFileName() + ": crm_resource " + String.join(" ", args) + ": " + what
                    + "\n  Vigil: " + vg + "\n  Pacemaker: " + pm);
                cib = new LoopbackCib(theirs);   // carry on from Pacemaker's copy
            } else if (same != null) {
                same[0]++;
            }
        }
        return differences;
    }

    @Test
    void locationCommandsAnswerAndChangeConstraintsAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        List<String> differences = new ArrayList<>();
        int[] count = {0};
        eachInParallel(cibs(), (cib, c, same) -> compare(cib, c), differences, count, new int[] {0});
        System.out.println("crm_resource differential (constraints, location commands): "
            + (count[0] - differences.size()) + " of " + count[0] + " command lines identical");
        assertTrue(count[0] > 300 / SAMPLE, "only " + count[0] + " command lines");
        assertTrue(differences.isEmpty(), differences.size() + " of " + count[0] + " command lines differ:\n"
            + String.join("\n", differences.subList(0, Math.min(15, differences.size()))));
    }

    /** CIBs for the attribute and --why scripts: groups, clones, promotable clones, templates, health, locks. */
    static final List<String> ATTRIBUTE_CORPUS = List.of("clone-anon-failcount", "group1", "promoted-1",
        "cloned-group", "group-unmanaged", "template-clone-primitive", "template-2", "systemhealthm3",
        "systemhealtho3", "allow-unhealthy-nodes", "shutdown-lock", "coloc-group", "colocation-priority-group", "promoted-unmanaged-monitor",
        "colocated-utilization-group");

    static List<Path> attributeCibs() {
        List<Path> l = new ArrayList<>();
        l.add(SCHEDULER_RESOURCES.resolve("crm_mon/three-nodes.xml"));
        l.add(SCHEDULER_RESOURCES.resolve("crm_mon/blocked.xml"));
        for (String c : ATTRIBUTE_CORPUS) {
            l.add(SCHEDULER_RESOURCES.resolve("pacemaker-scheduler/xml/" + c + ".xml"));
        }
        return l;
    }

    /** The resources the scripts work on: the top ones (up to six), plus group members and clone children. */
    static List<String> scriptResources(XmlNode cib) {
        XmlNode resources = cib.firstChild("configuration").firstChild("resources");
        List<String> rscs = new ArrayList<>();
        for (XmlNode r : resources.children()) {
            if (r.attribute("id") != null && rscs.size() < 6) {
                rscs.add(r.attribute("id"));
            }
        }
        for (XmlNode r : resources.children()) {
            for (XmlNode c : r.children()) {
                if ((c.is("primitive") || c.is("group")) && rscs.size() < 10) {
                    rscs.add(c.attribute("id"));
                    if (c.is("group") && !c.children("primitive").isEmpty()) {
                        rscs.add(c.children("primitive").get(0).attribute("id"));
                    }
                }
            }
        }
        return rscs;
    }

    /** The top resources' ids. */
    static List<String> rscs(XmlNode cib) {
        return cib.firstChild("configuration").firstChild("resources").children().stream()
            .map(r -> r.attribute("id")).toList();
    }

    /** The name of the first nvpair of a kind of set of the resource {@code id}, or a made-up one. */
    static String firstName(XmlNode cib, String id, String setType) {
        for (XmlNode e : all(cib.firstChild("configuration").firstChild("resources"), "*", new ArrayList<>())) {
            if (id.equals(e.attribute("id"))) {
                for (XmlNode set : e.children(setType)) {
                    for (XmlNode nv : set.children("nvpair")) {
                        return nv.attribute("name");
                    }
                }
            }
        }
        return "no-" + setType;
    }

    /**
     * Command lines for --get-parameter, --set-parameter and --delete-parameter (instance, meta, utilization;
     * --set-name, --nvpair, --force, refusals) and --query-xml on every script resource.
     */
    static List<List<String>> attributeScript(XmlNode cib) {
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("-p", "a", "-v", "b"));
        s.add(List.of("-r", "no-such-resource", "-p", "a", "-v", "b"));
        s.add(List.of("-r", "no-such-resource", "-g", "a"));
        for (String r : scriptResources(cib)) {
            String param = firstName(cib, r, "instance_attributes");
            String meta = firstName(cib, r, "meta_attributes");
            s.add(List.of("-r", r, "-g", param));
            s.add(List.of("-r", r, "--get-parameter", meta, "--meta"));
            s.add(List.of("-r", r, "-g", "target-role", "-m"));
            s.add(List.of("-r", r, "-g", "nope"));
            s.add(List.of("-r", r, "-q"));
            s.add(List.of("-r", r, "--query-xml-raw"));
            s.add(List.of("-r", r, "-p", "newp"));
            s.add(List.of("-r", r, "-p", "newp", "-v", "1"));
            s.add(List.of("-r", r, "-p", "newp", "-v", "2"));
            s.add(List.of("-r", r, "-g", "newp"));
            s.add(List.of("-r", r, "-p", param, "-v", "changed"));
            s.add(List.of("--resource", r, "--set-parameter", "target-role", "--parameter-value", "Stopped",
                "--meta"));
            s.add(List.of("-r", r, "-Y"));
            s.add(List.of("-r", r, "-p", "target-role", "-v", "Started", "-m"));
            s.add(List.of("-r", r, "-p", "is-managed", "-v", "false", "-m", "-Q"));
            s.add(List.of("-Y"));
            s.add(List.of("-r", r, "-p", "is-managed", "-v", "false"));
            s.add(List.of("-r", r, "-p", "is-managed", "-v", "true", "--force"));
            s.add(List.of("-r", r, "-d", "is-managed", "-m"));
            s.add(List.of("-r", r, "-d", "target-role", "-m"));
            s.add(List.of("-r", r, "-d", "target-role", "-m"));
            s.add(List.of("-r", r, "-d", "target-role", "--meta", "--force"));
            s.add(List.of("-r", r, "-p", meta, "-v", "7", "-m"));
            s.add(List.of("-r", r, "-p", "resource-stickiness", "-v", "5", "-m", "--recursive"));
            s.add(List.of("-r", r, "-p", "target-role", "-v", "Started", "--meta", "--recursive"));
            s.add(List.of("-r", r, "-p", "cpu", "-v", "2", "-z"));
            s.add(List.of("-r", r, "-g", "cpu", "--utilization"));
            s.add(List.of("-r", r, "-d", "cpu", "-z"));
            s.add(List.of("-r", r, "-p", "x", "-v", "1", "--set-name", r + "-extra"));
            s.add(List.of("-r", r, "-p", "x", "-v", "2", "-s", r + "-extra"));
            s.add(List.of("-r", r, "-d", "x", "--set-name", r + "-extra"));
            s.add(List.of("-r", r, "-p", "y", "-v", "1", "--nvpair", r + "-y"));
            s.add(List.of("-r", r, "-p", "y", "-v", "3", "-i", r + "-y"));
            s.add(List.of("-r", r, "-d", "y", "--nvpair", r + "-y"));
            s.add(List.of("-r", r, "-d", "newp"));
            s.add(List.of("-r", r, "-d", "newp"));
            s.add(List.of("-r", r, "-p", "newp", "-v", "3", "-m", "--force"));
            s.add(List.of("-r", r, "-p", "newp", "-v", "3"));
            s.add(List.of("-r", r, "-p", "newp", "-v", "4", "-N", "no-such-node"));
            // bad input: ids taken by other elements, odd values
            s.add(List.of("-r", r, "-p", "z", "-v", "1", "--set-name", rscs(cib).get(0)));
            s.add(List.of("-r", r, "-p", "z", "-v", "1", "--nvpair", rscs(cib).get(0)));
            s.add(List.of("-r", r, "-p", "z", "-v", "a&b\"c<d>'e"));
            s.add(List.of("-r", r, "-g", "z"));
            s.add(List.of("-r", r, "-d", "z", "--force"));
        }
        return s;
    }

    /** Command lines for --why: the whole cluster, each node, each script resource on its own and on each node. */
    static List<List<String>> whyScript(XmlNode cib) {
        List<String> nodes = all(cib.firstChild("configuration").firstChild("nodes"), "node", new ArrayList<>())
            .stream().map(n -> n.attribute("uname")).toList();
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("--why"));
        s.add(List.of("-Y", "-N", "zulu"));
        s.add(List.of("-Y", "-r", "no-such-resource"));
        for (String n : nodes) {
            s.add(List.of("-Y", "-N", n));
        }
        for (String r : scriptResources(cib)) {
            s.add(List.of("-Y", "-r", r));
            for (String n : nodes.subList(0, Math.min(3, nodes.size()))) {
                s.add(List.of("--why", "--resource", r, "--node", n));
            }
        }
        return s;
    }

    /** Command lines for --list-operations and --list-all-operations, by resource and node. */
    static List<List<String>> operationsScript(XmlNode cib) {
        List<String> nodes = all(cib.firstChild("configuration").firstChild("nodes"), "node", new ArrayList<>())
            .stream().map(n -> n.attribute("uname")).toList();
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("-O"));
        s.add(List.of("--list-all-operations"));
        s.add(List.of("-O", "-r", "no-such-resource"));
        s.add(List.of("-o", "-N", "zulu"));
        for (String n : nodes) {
            s.add(List.of("-o", "-N", n));
            s.add(List.of("--list-operations", "--node", n));
        }
        List<String> rscs = new ArrayList<>(scriptResources(cib));
        all(cib, "lrm_resource", new ArrayList<>()).stream().map(e -> e.attribute("id")).distinct().limit(8)
            .forEach(rscs::add);
        for (String r : rscs) {
            s.add(List.of("-O", "-r", r));
            s.add(List.of("-o", "-r", r));
            s.add(List.of("-o", "-r", r, "-N", nodes.isEmpty() ? "none" : nodes.get(0)));
        }
        return s;
    }

    /** Command lines for --promoted with --ban, --move, --clear and --locate on promotable clones and others. */
    static List<List<String>> promotedScript(XmlNode cib) {
        List<String> nodes = all(cib.firstChild("configuration").firstChild("nodes"), "node", new ArrayList<>())
            .stream().map(n -> n.attribute("uname")).toList();
        String n1 = nodes.isEmpty() ? "none" : nodes.get(0);
        String n2 = nodes.size() > 1 ? nodes.get(1) : n1;
        List<List<String>> s = new ArrayList<>();
        for (String r : scriptResources(cib)) {
            s.add(List.of("-W", "-r", r, "--promoted"));
            s.add(List.of("-B", "-r", r, "--promoted"));
            s.add(List.of("-U", "-r", r, "--promoted"));
            s.add(List.of("-B", "-r", r, "-N", n1, "--promoted"));
            s.add(List.of("-M", "-r", r, "-N", n2, "--promoted"));
            s.add(List.of("-M", "-r", r, "-N", n1, "--master", "--force"));
            s.add(List.of("-M", "-r", r, "-N", n2, "--promoted", "-u", "PT1H"));
            s.add(List.of("--move", "-r", r, "--promoted"));
            s.add(List.of("-U", "-r", r, "-N", n1, "--promoted"));
            s.add(List.of("-B", "-r", r, "-N", n2, "--promoted", "--lifetime", "P1D", "-Q"));
            s.add(List.of("--clear", "-r", r, "--promoted"));
        }
        return s;
    }

    /** One CIB's comparison: its differences, counting into {@code count} and {@code same}. */
    interface PerCib {
        List<String> run(Path cib, int[] count, int[] same) throws Exception;
    }

    /**
     * Runs {@code each} on every CIB, two at a time (each CIB's command lines stay in order: they build on each
     * other; the CIBs are independent, and both tools spend their time starting processes), adding up the counts and
     * the differences in the CIBs' order.
     */
    static void eachInParallel(List<Path> cibs, PerCib each, List<String> differences, int[] count, int[] same)
        throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Object[]>> results = new ArrayList<>();
            for (int k = Math.min(OFFSET, cibs.size() - 1); k >= 0 && k < cibs.size(); k += SAMPLE) {
                Path cib = cibs.get(k);
                results.add(pool.submit(() -> {
                    int[] c = {0};
                    int[] sm = {0};
                    List<String> d = each.run(cib, c, sm);
                    return new Object[] {d, c[0], sm[0]};
                }));
            }
            for (java.util.concurrent.Future<Object[]> f : results) {
                Object[] r;
                try {
                    r = f.get(10, java.util.concurrent.TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
                @SuppressWarnings("unchecked")
                List<String> d = (List<String>) r[0];
                differences.addAll(d);
                count[0] += (Integer) r[1];
                same[0] += (Integer) r[2];
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs one kind of script on every attribute CIB; asserts no difference; returns {count, identical}. */
    private int[] compareAll(java.util.function.Function<XmlNode, List<List<String>>> script, String section,
                             List<Path> cibs) throws Exception {
        List<String> differences = new ArrayList<>();
        int[] count = {0};
        int[] same = {0};
        eachInParallel(cibs, (cib, c, sm) -> compare(cib, c, script, section, sm), differences, count, same);
        System.out.println("crm_resource differential (" + section + "): " + same[0] + " of " + count[0]
            + " command lines identical (every " + SAMPLE + "th CIB from offset " + OFFSET + ")");
        assertTrue(differences.isEmpty(), differences.size() + " of " + count[0] + " command lines differ (-Dvigil"
            + ".differential.sample=" + SAMPLE + " -Dvigil.differential.offset=" + OFFSET + " repeats it):\n"
            + differences.stream().map(d -> d.lines().findFirst().orElse("")).collect(Collectors.joining("\n"))
            + "\n\nthe first ones in full:\n"
            + String.join("\n", differences.subList(0, Math.min(8, differences.size()))));
        return new int[] {count[0], same[0]};
    }

    @Test
    void attributeCommandsAnswerAndChangeResourcesAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        int[] r = compareAll(CrmResourceDifferentialTest::attributeScript, "resources", attributeCibs());
        assertTrue(r[0] > 1000 / SAMPLE, "only " + r[0] + " command lines");
    }

    @Test
    void whyAnswersAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        // only-green with a yellow node: unhealthy for only-green, not for migrate-on-red
        Path yellow = tmp.resolve("gen").resolve("systemhealtho3-yellow.xml");
        Files.createDirectories(yellow.getParent());
        Files.writeString(yellow, Files.readString(SCHEDULER_RESOURCES.resolve(
            "pacemaker-scheduler/xml/systemhealtho3.xml")).replace("value=\"red\"", "value=\"yellow\""));
        List<Path> cibs = new ArrayList<>(attributeCibs());
        cibs.add(yellow);
        int[] r = compareAll(CrmResourceDifferentialTest::whyScript, "resources", cibs);
        assertTrue(r[0] > 150 / SAMPLE, "only " + r[0] + " command lines");
    }

    @Test
    void operationListsAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        List<Path> cibs = new ArrayList<>(attributeCibs());
        for (String c : List.of("migrate-1", "rsc-discovery-per-node", "colocate-primitive-with-clone",
            "failed-demote-recovery-promoted", "probe-target-of-failed-migrate_to-2")) {
            cibs.add(SCHEDULER_RESOURCES.resolve("pacemaker-scheduler/xml/" + c + ".xml"));
        }
        int[] r = compareAll(CrmResourceDifferentialTest::operationsScript, "resources", cibs);
        assertTrue(r[0] > 300 / SAMPLE, "only " + r[0] + " command lines");
    }

    @Test
    void promotedLocationCommandsAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        int[] r = compareAll(CrmResourceDifferentialTest::promotedScript, "constraints", attributeCibs());
        assertTrue(r[0] > 300 / SAMPLE, "only " + r[0] + " command lines");
    }

    /** CIBs for --constraints and --stack: loops, sets, rules, roles, node attributes, clones, bundles, groups. */
    static final List<String> CONSTRAINTS_CORPUS = List.of("coloc-loop", "coloc-list", "coloc-group",
        "colocate-primitive-with-clone", "anti-colocation-promoted", "colo_promoted_w_native", "coloc-intra-set",
        "colocation-influence", "complex_enforce_colo", "bug-lf-2551", "asymmetric", "attrs3", "594", "1360",
        "bundle-order-fencing", "load-stopped-loop", "colocated-utilization-group", "cloned-group", "year-2038");

    static List<Path> constraintsCibs() {
        List<Path> l = new ArrayList<>();
        l.add(SCHEDULER_RESOURCES.resolve("crm_mon/three-nodes.xml"));
        for (String c : CONSTRAINTS_CORPUS) {
            l.add(SCHEDULER_RESOURCES.resolve("pacemaker-scheduler/xml/" + c + ".xml"));
        }
        return l;
    }

    /**
     * Command lines for --constraints and --stack: each resource of the script and each resource named by a
     * colocation (up to twelve), plain and with --force (the member or instance itself); with bans and a lifetime.
     */
    static List<List<String>> constraintsScript(XmlNode cib) {
        List<String> nodes = all(cib.firstChild("configuration").firstChild("nodes"), "node", new ArrayList<>())
            .stream().map(n -> n.attribute("uname")).toList();
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("-a"));
        s.add(List.of("--stack", "-r", "no-such-resource"));
        List<String> rscs = new ArrayList<>(scriptResources(cib));
        all(cib, "rsc_colocation", new ArrayList<>()).stream().flatMap(c -> Stream.of(c.attribute("rsc"),
            c.attribute("with-rsc"))).filter(r -> r != null && !rscs.contains(r)).distinct().limit(12)
            .forEach(rscs::add);
        for (String r : rscs) {
            s.add(List.of("-a", "-r", r));
            s.add(List.of("--stack", "--resource", r));
            s.add(List.of("--constraints", "-r", r, "--force"));
            s.add(List.of("-A", "-r", r, "-f"));
        }
        if (!rscs.isEmpty() && !nodes.isEmpty()) {
            String r = rscs.get(0);
            s.add(List.of("-B", "-r", r, "-N", nodes.get(0), "-Q"));
            s.add(List.of("-M", "-r", r, "-N", nodes.get(nodes.size() - 1), "-u", "PT1H", "-Q"));
            s.add(List.of("-a", "-r", r));
            s.add(List.of("-A", "-r", r));
        }
        return s;
    }

    @Test
    void constraintsAndStackAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        int[] r = compareAll(CrmResourceDifferentialTest::constraintsScript, "constraints", constraintsCibs());
        assertTrue(r[0] > 300 / SAMPLE, "only " + r[0] + " command lines");
    }

    /** The element name of the resource {@code id} in the configuration, or null. */
    static String kind(XmlNode cib, String id) {
        for (XmlNode e : all(cib.firstChild("configuration").firstChild("resources"), "*", new ArrayList<>())) {
            if (id.equals(e.attribute("id"))) {
                return e.name();
            }
        }
        return null;
    }

    /**
     * Command lines for --delete and the refusals of --fail (without a controller here, its last one is
     * Pacemaker's "connection refused"): refusals (no -t, no -r, unknown resource), a wrong -t, an instance name, then
     * each script resource (last first: members before their groups), its element name sometimes capitalised; the
     * deletions the schema refuses (an emptied clone, a constraint left without its resource) included.
     */
    static List<List<String>> deleteScript(XmlNode cib) {
        List<String> nodes = all(cib.firstChild("configuration").firstChild("nodes"), "node", new ArrayList<>())
            .stream().map(n -> n.attribute("uname")).toList();
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("-D", "-t", "primitive"));
        s.add(List.of("-F", "-N", "zulu"));
        s.add(List.of("-D", "-r", "no-such-resource", "-t", "primitive"));
        List<String> rscs = new ArrayList<>(scriptResources(cib));
        java.util.Collections.reverse(rscs);
        int i = 0;
        for (String r : rscs) {
            String kind = kind(cib, r);
            if (kind == null) {
                continue;
            }
            s.add(List.of("--delete", "-r", r));
            s.add(List.of("--fail", "-r", r));
            s.add(List.of("-F", "-r", r, "-N", "zulu"));
            s.add(List.of("-F", "-r", r, "-N", "zulu", "-Q"));
            s.add(List.of("--fail", "--resource", r, "--node", nodes.get(0)));
            s.add(List.of("-D", "-r", r, "-t", kind.equals("group") ? "primitive" : "group"));
            s.add(List.of("-D", "-r", r + ":0", "-t", kind));
            String t = i++ % 2 == 0 ? kind : Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
            s.add(List.of("-D", "-r", r, "-t", t));
            s.add(List.of("--delete", "--resource", r, "--resource-type", kind, "-Q"));
        }
        s.add(List.of("-L"));
        return s;
    }

    @Test
    void deleteAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        int[] r = compareAll(CrmResourceDifferentialTest::deleteScript, "resources", attributeCibs());
        assertTrue(r[0] > 300 / SAMPLE, "only " + r[0] + " command lines");
    }

    /** A cli-ban or cli-prefer constraint with a lifetime ending at {@code end}, as crm_resource writes them. */
    private static String lifetime(String id, String rsc, String role, String node, String score, String exprId,
                                   String lifetimeId, String end) {
        return "<rsc_location id=\"" + id + "\" rsc=\"" + rsc + "\" role=\"" + role + "\">"
            + "<rule id=\"" + (id.startsWith("cli-ban-") ? id + "-rule" : "cli-prefer-rule-" + rsc) + "\" score=\""
            + score + "\" boolean-op=\"and\"><expression id=\"" + exprId + "\" attribute=\"#uname\" operation=\"eq\" "
            + "value=\"" + node + "\" type=\"string\"/><date_expression id=\"" + lifetimeId + "\" operation=\"lt\""
            + " end=\"" + end + "\"/></rule></rsc_location>";
    }

    /** The hand-made CIB with expired and current cli-ban/cli-prefer constraints of every form. */
    private Path expiredCib() throws Exception {
        Path p = tmp.resolve("gen").resolve("three-nodes-expired.xml");
        Files.createDirectories(p.getParent());
        String past = "2001-01-01 00:00:00Z";
        String future = "2099-01-01 00:00:00Z";
        String cons = lifetime("cli-ban-vip-on-alpha", "vip", "Started", "alpha", "-INFINITY",
            "cli-ban-vip-on-alpha-expr", "cli-ban-vip-on-alpha-lifetime", past)
            + lifetime("cli-ban-vip-on-bravo", "vip", "Started", "bravo", "-INFINITY", "cli-ban-vip-on-bravo-expr",
                "cli-ban-vip-on-bravo-lifetime", future)
            + lifetime("cli-prefer-web", "web", "Started", "bravo", "INFINITY", "cli-prefer-expr-web",
                "cli-prefer-lifetime-end-web", "2010-06-01")
            + lifetime("cli-ban-db-clone-on-alpha", "db-clone", "Promoted", "alpha", "-INFINITY",
                "cli-ban-db-clone-on-alpha-expr", "cli-ban-db-clone-on-alpha-lifetime", past)
            + lifetime("cli-ban-db-clone-on-bravo", "db-clone", "Started", "bravo", "-INFINITY",
                "cli-ban-db-clone-on-bravo-expr", "cli-ban-db-clone-on-bravo-lifetime", past)
            + lifetime("cli-ban-report-on-charlie", "report", "Started", "charlie", "-INFINITY",
                "cli-ban-report-on-charlie-expr", "cli-ban-report-on-charlie-lifetime", "not a date")
            + lifetime("cli-prefer-batch", "batch", "Started", "charlie", "INFINITY", "cli-prefer-expr-batch",
                "cli-prefer-lifetime-end-batch", "2001-01-01T10:00:00+05:00")
            + "<rsc_location id=\"cli-ban-ping-clone-on-alpha\" rsc=\"ping-clone\" role=\"Started\" node=\"alpha\" "
            + "score=\"-INFINITY\"/>"
            + lifetime("cli-ban-ping-clone-on-bravo", "ping-clone", "Started", "bravo", "-INFINITY",
                "cli-ban-ping-clone-on-bravo-expr", "cli-ban-ping-clone-on-bravo-lifetime", past)
            + lifetime("cli-ban-ping-clone-on-charlie", "ping-clone", "Started", "charlie", "-INFINITY",
                "cli-ban-ping-clone-on-charlie-expr", "cli-ban-ping-clone-on-charlie-lifetime", past)
            + "<rsc_location id=\"cli-ban-ping-clone-on-charlie-x\" rsc=\"ping-clone\" role=\"Started\" "
            + "node=\"charlie\" score=\"-INFINITY\"/>";
        Files.writeString(p, Files.readString(SCHEDULER_RESOURCES.resolve("crm_mon/three-nodes.xml"))
            .replace("</constraints>", cons + "</constraints>"));
        return p;
    }

    /** Command lines for --clear --expired: refusals, by resource, node and role, then everything left. */
    static List<List<String>> expiredScript(XmlNode cib) {
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("--expired"));
        s.add(List.of("-e", "-r", "vip"));
        s.add(List.of("-W", "-r", "vip", "--expired"));
        s.add(List.of("-U", "--expired", "-r", "no-such-resource"));
        s.add(List.of("-U", "-e", "-N", "zulu"));
        s.add(List.of("-U", "--expired", "-r", "ping-clone:0"));
        s.add(List.of("-U", "--expired", "-r", "vip", "-N", "bravo"));
        s.add(List.of("-U", "--expired", "-r", "vip", "-N", "alpha"));
        s.add(List.of("-U", "--expired", "-r", "db-clone", "--promoted"));
        s.add(List.of("--clear", "--expired", "-N", "alpha"));
        s.add(List.of("--clear", "--expired", "-N", "charlie", "-r", "ping-clone"));
        s.add(List.of("-B", "-r", "web", "-N", "alpha", "-u", "PT1H", "-Q"));
        s.add(List.of("-U", "--expired", "-Q", "-r", "report"));
        s.add(List.of("-U", "--expired"));
        s.add(List.of("-U", "--expired"));
        return s;
    }

    @Test
    void clearExpiredAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        List<Path> cibs = new ArrayList<>(cibs());
        cibs.add(0, expiredCib());
        int[] r = compareAll(CrmResourceDifferentialTest::expiredScript, "constraints", cibs);
        assertTrue(r[0] > 100 / SAMPLE, "only " + r[0] + " command lines");
    }

    /**
     * Command lines for --digests: refusals and parse errors, then each script resource and history entry on each
     * node (up to three), plain, with parameter overrides and with an overridden interval.
     */
    static List<List<String>> digestsScript(XmlNode cib) {
        List<String> nodes = all(cib.firstChild("configuration").firstChild("nodes"), "node", new ArrayList<>())
            .stream().map(n -> n.attribute("uname")).limit(3).toList();
        String n1 = nodes.isEmpty() ? "none" : nodes.get(0);
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("--digests"));
        s.add(List.of("--digests", "-N", n1));
        s.add(List.of("--digests", "-r", "no-such-resource", "-N", n1));
        s.add(List.of("--digests", "-r", "no-such-resource"));
        s.add(List.of("-r", "x", "--digests", "-N", n1, "bad"));
        s.add(List.of("--digests", "-r", "x", "-N", n1, "a="));
        s.add(List.of("--digests", "-r", "x", "-N", n1, "=b"));
        s.add(List.of("-W", "-r", "x", "a=b"));
        List<String> rscs = new ArrayList<>(scriptResources(cib));
        all(cib, "lrm_resource", new ArrayList<>()).stream().map(e -> e.attribute("id")).distinct()
            .filter(r -> !rscs.contains(r)).limit(8).forEach(rscs::add);
        for (String r : rscs) {
            s.add(List.of("--digests", "-r", r, "-N", "zulu"));
            for (String n : nodes) {
                s.add(List.of("--digests", "-r", r, "-N", n));
            }
            s.add(List.of("--digests", "-r", r, "-N", n1, "extra=1", "passwd=secret"));
            s.add(List.of("--digests", "--resource", r, "--node", n1, "CRM_meta_interval=10000", "a=b=c"));
            s.add(List.of("--digests", "-r", r, "-N", n1, "CRM_meta_interval=x", "CRM_meta_timeout=5000"));
        }
        return s;
    }

    @Test
    void digestsAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        List<Path> cibs = new ArrayList<>(attributeCibs());
        for (String c : List.of("migrate-1", "rsc-discovery-per-node", "failed-demote-recovery-promoted",
            "probe-target-of-failed-migrate_to-2", "params-2", "params-6", "reload-becomes-restart",
            "stonith-4", "unfence-definition", "bug-5186-partial-migrate", "remote-reconnect-delay",
            "bundle-order-fencing", "whitebox-fail1", "1360", "year-2038")) {
            Path p = SCHEDULER_RESOURCES.resolve("pacemaker-scheduler/xml/" + c + ".xml");
            if (Files.exists(p)) {
                cibs.add(p);
            }
        }
        int[] r = compareAll(CrmResourceDifferentialTest::digestsScript, "resources", cibs);
        assertTrue(r[0] > 500 / SAMPLE, "only " + r[0] + " command lines");
    }

    /**
     * Command lines for --output-as xml: --list, --locate, --constraints, --stack, --why and --query-xml(-raw) in their
     * forms, and errors.
     */
    static List<List<String>> xmlScript(XmlNode cib) {
        List<String> nodes = all(cib.firstChild("configuration").firstChild("nodes"), "node", new ArrayList<>())
            .stream().map(n -> n.attribute("uname")).limit(3).toList();
        List<List<String>> s = new ArrayList<>();
        s.add(List.of("-W", "--output-as", "xml"));
        s.add(List.of("--list", "--output-as", "xml"));
        s.add(List.of("-L", "--output-as=xml"));
        s.add(List.of("-W", "-r", "no-such-resource", "--output-as", "xml"));
        s.add(List.of("--why", "--output-as=xml"));
        s.add(List.of("-Y", "-N", "zulu", "--output-as", "xml"));
        for (String n : nodes) {
            s.add(List.of("-Y", "-N", n, "--output-as", "xml"));
        }
        List<String> rscs = new ArrayList<>(scriptResources(cib));
        all(cib, "rsc_colocation", new ArrayList<>()).stream().flatMap(c -> Stream.of(c.attribute("rsc"),
            c.attribute("with-rsc"))).filter(r -> r != null && !rscs.contains(r)).distinct().limit(6)
            .forEach(rscs::add);
        for (String r : rscs) {
            s.add(List.of("-W", "-r", r, "--output-as", "xml"));
            s.add(List.of("--output-as", "xml", "-a", "-r", r));
            s.add(List.of("-A", "-r", r, "--output-as=xml"));
            s.add(List.of("-A", "-r", r, "--output-as", "xml", "--force"));
            s.add(List.of("-Y", "-r", r, "--output-as", "xml"));
            for (String n : nodes) {
                s.add(List.of("-Y", "-r", r, "-N", n, "--output-as", "xml"));
            }
            s.add(List.of("-W", "-r", r, "--output-as", "text"));
            s.add(List.of("-q", "-r", r, "--output-as", "xml"));
            s.add(List.of("--query-xml-raw", "-r", r, "--output-as=xml"));
        }
        return s;
    }

    @Test
    void xmlOutputAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        List<Path> cibs = new ArrayList<>(attributeCibs());
        for (String c : List.of("coloc-loop", "coloc-list", "colocate-primitive-with-clone",
            "anti-colocation-promoted", "colo_promoted_w_native", "colocation-influence", "complex_enforce_colo",
            "bug-lf-2551", "asymmetric", "594")) {
            cibs.add(SCHEDULER_RESOURCES.resolve("pacemaker-scheduler/xml/" + c + ".xml"));
        }
        int[] r = compareAll(CrmResourceDifferentialTest::xmlScript, "resources", cibs);
        assertTrue(r[0] > 500 / SAMPLE, "only " + r[0] + " command lines");
    }

    /** The script's premise: the hand-made CIB has resources running, so bans and moves really write. */
    @Test
    void theScriptCreatesConstraints() throws Exception {
        XmlNode cib = XmlText.parse(Files.readString(cibs().get(0)), "three-nodes");
        LoopbackCib loop = new LoopbackCib(cib);
        Commands.Result r = Commands.run(new CrmResourceCommand(loop, null, null, clock()), tmp, "-B", "-r", "vip");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(1, all(constraints(loop.current().root()), "rsc_location", new ArrayList<>()).stream()
            .filter(l -> "cli-ban-vip-on-alpha".equals(l.attribute("id"))).count());
    }
}
