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
 * {@code crm_resource --list, --locate, --move, --ban, --clear} compared with Pacemaker 2.1.5's on a hand-made CIB
 * and regression CIBs of its scheduler corpus: the same script of command lines runs through Pacemaker's tool
 * ({@code CIB_file} on a copy) and Vigil's (the real CIB engine, {@link LoopbackCib}), one after the other on the
 * same evolving CIB; exit status, standard output, standard error and the resulting constraints must be the same.
 * Only the clock is masked (the end of a {@code --lifetime}).
 */
class CrmResourceDifferentialTest {

    static final Path SCHEDULER_RESOURCES = Path.of("../scheduler/src/test/resources");
    static final List<String> CORPUS = List.of("clone-anon-failcount", "colocate-primitive-with-clone", "group1",
        "migrate-1", "promoted-1", "rsc-discovery-per-node");
    private static final Pattern UNTIL = Pattern.compile("(Migration will take effect until: )\\S+ \\S+");

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
        if (x.is(name)) {
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
        Path file = tmp.resolve(source.getFileName());
        Files.copy(source, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        XmlNode initial = XmlText.parse(Files.readString(file), file.getFileName().toString());
        LoopbackCib cib = new LoopbackCib(initial);
        List<String> differences = new ArrayList<>();
        for (List<String> args : script(initial)) {
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
            } else if (!UNTIL.matcher(pm.out()).replaceAll("$1<masked>")
                .equals(UNTIL.matcher(vg.out()).replaceAll("$1<masked>"))) {
                what = "stdout";
            } else if (!withoutLogLines(pm.err()).equals(vg.err())) {
                what = "stderr";
            } else if (XmlDiffs.firstDifference(constraints(ours), constraints(theirs)) != null) {
                what = "constraints differ (Vigil first) at "
                    + XmlDiffs.firstDifference(constraints(ours), constraints(theirs));
            }
            if (what != null) {
                differences.add(source.getFileName() + ": crm_resource " + String.join(" ", args) + ": " + what
                    + "\n  Vigil: " + vg + "\n  Pacemaker: " + pm);
                cib = new LoopbackCib(theirs);   // carry on from Pacemaker's copy
            }
        }
        return differences;
    }

    @Test
    void locationCommandsAnswerAndChangeConstraintsAsPacemakersCrmResource() throws Exception {
        assumeTrue(PacemakerTools.available("crm_resource"), "Pacemaker's crm_resource is not installed");
        List<String> differences = new ArrayList<>();
        int[] count = {0};
        for (Path cib : cibs()) {
            differences.addAll(compare(cib, count));
        }
        assertTrue(count[0] > 300, "only " + count[0] + " command lines");
        assertTrue(differences.isEmpty(), differences.size() + " of " + count[0] + " command lines differ:\n"
            + String.join("\n", differences.subList(0, Math.min(15, differences.size()))));
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
