package org.vigil.crm.internal.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vigil.crm.internal.cib.XmlElement;

/**
 * The regression gate: runs every case of Pacemaker 2.1.5's scheduler regression suite (copied under
 * {@code src/test/resources/pacemaker-scheduler}, GPL-2.0+ test data, see its NOTICE) through the simulator in
 * this JVM with {@code -S -s}, one dynamic test per case named after it ({@code -Dcorpus.case=NAME,...} runs only
 * those: see {@link #everyCase()}), compares with the expected {@code crm_simulate} output, prints the pass counts per
 * tier and class (the layout of the corpus' compare.py), and holds the differences to the list checked in as
 * {@code scheduler-gate-tolerated.csv} (case, check, tier, why): a difference in a case/check not on the list
 * fails, whatever the counts, and so does a listed difference that is gone (the list is trimmed in the commit
 * that fixes it). The checks: {@code summary} (Transition Summary), {@code scores} ({@code -s} lines as a
 * multiset), {@code status.current} and {@code status.revised} (section text identical), {@code
 * status.executing} (executed actions as a multiset). A case whose run fails differs in every check.
 *
 * <p>The Transition Summary comparison has compare.py's semantics: the section's item lines as a multiset, runs
 * of white space collapsed, the space inside parentheses dropped, Master/Slave read as Promoted/Unpromoted; a
 * case whose run fails counts as failed.
 */
class PacemakerCorpusTest {

    private record Case(String name, String cls, int tier) {
    }

    private static final Pattern OPEN = Pattern.compile("\\(\\s+");
    private static final Pattern CLOSE = Pattern.compile("\\s+\\)");
    private static final Pattern MASTER = Pattern.compile("\\bMaster\\b");
    private static final Pattern SLAVE = Pattern.compile("\\bSlave\\b");

    /** compare.py's normalise(). */
    static String normalise(String line) {
        String s = String.join(" ", line.trim().split("\\s+"));
        s = OPEN.matcher(s).replaceAll("(");
        s = CLOSE.matcher(s).replaceAll(")");
        s = MASTER.matcher(s).replaceAll("Promoted");
        return SLAVE.matcher(s).replaceAll("Unpromoted");
    }

    /** compare.py's section(): the Transition Summary item lines, or null without that header. */
    static List<String> summaryItems(String text) {
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length && !lines[i].trim().equals("Transition Summary:")) {
            i++;
        }
        if (i == lines.length) {
            return null;
        }
        List<String> items = new ArrayList<>();
        for (i++; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank()) {
                continue;
            }
            if (!Character.isWhitespace(l.charAt(0))) {
                break;
            }
            items.add(l);
        }
        return items;
    }

    static Map<String, Integer> multiset(List<String> lines, boolean normalise) {
        Map<String, Integer> m = new HashMap<>();
        for (String l : lines) {
            m.merge(normalise ? normalise(l) : l, 1, Integer::sum);
        }
        return m;
    }

    /** The text of a top-level section ("Title:" up to the next top-level line), trailing blank lines dropped. */
    static String section(String text, String title) {
        String[] lines = text.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        boolean on = false;
        for (String l : lines) {
            if (l.equals(title + ":")) {
                on = true;
                continue;
            }
            if (on && !l.isEmpty() && !Character.isWhitespace(l.charAt(0))) {
                break;
            }
            if (on) {
                sb.append(l).append('\n');
            }
        }
        return on ? sb.toString().stripTrailing() : null;
    }

    static List<String> lines(String section) {
        List<String> out = new ArrayList<>();
        if (section != null) {
            for (String l : section.split("\n")) {
                if (!l.isBlank()) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    static List<String> scoreLines(String text) {
        String[] lines = text.split("\n", -1);
        List<String> out = new ArrayList<>();
        boolean on = false;
        for (String l : lines) {
            if (l.startsWith("Allocation Scores")) {
                on = true;
                continue;
            }
            if (on && l.startsWith("Transition Summary")) {
                break;
            }
            if (on && !l.isBlank()) {
                out.add(l);
            }
        }
        return out;
    }

    private static Path corpus() throws URISyntaxException {
        return Path.of(PacemakerCorpusTest.class.getResource("/pacemaker-scheduler/manifest.csv").toURI()).getParent();
    }

    private static List<Case> manifest(Path dir) throws IOException {
        List<Case> cases = new ArrayList<>();
        List<String> rows = Files.readAllLines(dir.resolve("manifest.csv"), StandardCharsets.UTF_8);
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", 4);
            if (f.length >= 3 && Files.isRegularFile(dir.resolve("xml/" + f[0] + ".xml"))
                && Files.isRegularFile(dir.resolve("summary/" + f[0] + ".summary"))) {
                cases.add(new Case(f[0], f[1].isEmpty() ? "unclassified" : f[1], Integer.parseInt(f[2].trim())));
            }
        }
        return cases;
    }

    /** One case's outcome: the checks it ran and the checks that differ from Pacemaker's output. */
    private record Outcome(Case c, boolean summaryPass, Set<String> ran, Set<String> differing, String error) {
    }

    /** The outcomes of the cases run so far in this JVM (the report at the end of a full run reads them). */
    private static final Map<String, Outcome> OUTCOMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The system property that restricts the run to some cases: names separated by commas, {@code *} wildcards. */
    static final String CASE_PROPERTY = "corpus.case";

    /**
     * One dynamic test per corpus case, named after the case: its differences from Pacemaker's output must be
     * exactly the ones {@code scheduler-gate-tolerated.csv} lists for it (a new difference fails, and so does a
     * listed one that is gone). A full run also checks that the corpus is complete and prints the per-class and
     * per-tier report. {@code -Dcorpus.case=NAME[,NAME...]} (with {@code *} wildcards) runs only those cases, e.g.
     * {@code mvn -o test -pl crm/scheduler -am -Dtest=PacemakerCorpusTest -Dsurefire.failIfNoSpecifiedTests=false
     * -Dcorpus.case='bundle-*,notify-3'}.
     */
    @TestFactory
    Stream<DynamicNode> everyCase() throws Exception {
        Path dir = corpus();
        List<Case> cases = manifest(dir);
        Map<String, Case> byName = new HashMap<>();
        cases.forEach(c -> byName.put(c.name(), c));
        String list;
        try (InputStream in = PacemakerCorpusTest.class.getResourceAsStream("/scheduler-gate-tolerated.csv")) {
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Tolerated> listed = tolerated(list, byName);
        String only = System.getProperty(CASE_PROPERTY, "").trim();
        List<DynamicNode> tests = new ArrayList<>();
        List<Case> selected = cases;
        if (only.isEmpty()) {
            tests.add(DynamicTest.dynamicTest("the corpus is complete (" + cases.size() + " cases)",
                () -> assertTrue(cases.size() > 500, "corpus incomplete: " + cases.size() + " cases")));
        } else {
            List<Pattern> wanted = new ArrayList<>();
            for (String w : only.split(",")) {
                wanted.add(Pattern.compile(Pattern.quote(w.trim()).replace("*", "\\E.*\\Q")));
            }
            selected = cases.stream().filter(c -> wanted.stream().anyMatch(w -> w.matcher(c.name()).matches()))
                .toList();
            List<Case> chosen = selected;
            tests.add(DynamicTest.dynamicTest(CASE_PROPERTY + "=" + only + " selects cases",
                () -> assertTrue(!chosen.isEmpty(), "no corpus case matches " + CASE_PROPERTY + "=" + only)));
        }
        for (Case c : selected) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                Outcome o = run(dir, c);
                OUTCOMES.put(c.name(), o);
                Map<String, Tolerated> mine = new TreeMap<>();
                listed.forEach((k, t) -> {
                    if (t.name().equals(c.name())) {
                        mine.put(k, t);
                    }
                });
                Set<String> seen = new TreeSet<>();
                for (String check : o.differing()) {
                    seen.add(c.name() + " " + check);
                }
                List<String> problems = verdict(seen, mine);
                assertTrue(problems.isEmpty(), String.join("\n", problems)
                    + (o.error() == null ? "" : "\nthe run failed: " + o.error()));
            }));
        }
        if (only.isEmpty()) {
            tests.add(DynamicTest.dynamicTest("report", () -> {
                System.out.print(report(cases));
                assertEquals(cases.size(), OUTCOMES.size(), "cases without an outcome");
            }));
        }
        return tests.stream();
    }

    /** Runs one case with {@code -S -s} and compares each check with the expected output. */
    private static Outcome run(Path dir, Case c) throws IOException {
        Simulation.Options opts = TestClock.options(true, true, true);
        String expected = Files.readString(dir.resolve("summary/" + c.name() + ".summary"));
        Set<String> ran = new TreeSet<>();
        Set<String> differing = new TreeSet<>();
        String actual;
        try {
            actual = Simulation.withLargeStack(() -> {
                XmlElement root = Simulation.load(dir.resolve("xml/" + c.name() + ".xml"));
                return Simulation.run(root, opts);
            });
        } catch (Exception | StackOverflowError e) {
            differing.addAll(CHECKS);
            return new Outcome(c, false, ran, differing, e.toString());
        }
        List<String> exp = summaryItems(expected);
        List<String> act = summaryItems(actual);
        boolean pass = exp != null && act != null && multiset(exp, true).equals(multiset(act, true));
        ran.add("summary");
        if (!pass) {
            differing.add("summary");
        }
        Path scores = dir.resolve("scores/" + c.name() + ".scores");
        if (Files.isRegularFile(scores)) {
            ran.add("scores");
            List<String> expScores = lines(Files.readString(scores));
            if (!multiset(expScores, false).equals(multiset(scoreLines(actual), false))) {
                differing.add("scores");
            }
        }
        String cur = section(expected, "Current cluster status");
        if (cur != null) {
            ran.add("status.current");
            if (!cur.equals(section(actual, "Current cluster status"))) {
                differing.add("status.current");
            }
        }
        String exe = section(expected, "Executing Cluster Transition");
        if (exe != null) {
            ran.add("status.executing");
            if (!multiset(lines(exe), false).equals(
                multiset(lines(section(actual, "Executing Cluster Transition")), false))) {
                differing.add("status.executing");
            }
        }
        String rev = section(expected, "Revised Cluster Status");
        if (rev != null) {
            ran.add("status.revised");
            if (!rev.equals(section(actual, "Revised Cluster Status"))) {
                differing.add("status.revised");
            }
        }
        return new Outcome(c, pass, ran, differing, null);
    }

    /** The per-class and per-tier report (the layout of the corpus' compare.py) over the outcomes recorded. */
    private static String report(List<Case> cases) {
        Map<String, int[]> perClass = new LinkedHashMap<>();
        Map<String, int[]> classTiers = new HashMap<>();
        Map<Integer, int[]> perTier = new TreeMap<>();
        List<String> failed = new ArrayList<>();
        Map<String, int[]> perCheck = new LinkedHashMap<>();
        for (String check : CHECKS) {
            perCheck.put(check, new int[2]);
        }
        Set<String> differences = new TreeSet<>();
        int summaryPass = 0;
        for (Case c : cases) {
            Outcome o = OUTCOMES.get(c.name());
            if (o == null) {
                continue;
            }
            for (String check : o.ran()) {
                perCheck.get(check)[1]++;
                if (!o.differing().contains(check)) {
                    perCheck.get(check)[0]++;
                }
            }
            for (String d : o.differing()) {
                differences.add(c.name() + ":" + d);
            }
            if (!o.summaryPass()) {
                failed.add(c.name() + (o.error() == null ? "" : " (" + o.error() + ")"));
            } else {
                summaryPass++;
            }
            int[] pc = perClass.computeIfAbsent(c.cls(), k -> new int[2]);
            pc[1]++;
            int[] tiers = classTiers.computeIfAbsent(c.cls(), k -> new int[] {Integer.MAX_VALUE, 0});
            tiers[0] = Math.min(tiers[0], c.tier());
            tiers[1] = Math.max(tiers[1], c.tier());
            int[] pt = perTier.computeIfAbsent(c.tier(), k -> new int[2]);
            pt[1]++;
            if (o.summaryPass()) {
                pc[0]++;
                pt[0]++;
            }
        }
        StringBuilder report = new StringBuilder("Pacemaker scheduler corpus (" + cases.size() + " cases)\n");
        report.append(String.format("%-24s %-6s %9s%n", "class", "tiers", "passed"));
        List<String> classes = new ArrayList<>(perClass.keySet());
        classes.sort((a, b) -> {
            int t = Integer.compare(classTiers.get(a)[0], classTiers.get(b)[0]);
            return t != 0 ? t : a.compareTo(b);
        });
        for (String cls : classes) {
            int[] t = classTiers.get(cls);
            int[] pc = perClass.get(cls);
            report.append(String.format("%-24s %-6s %5d/%d%n", cls, t[0] == t[1] ? "" + t[0] : t[0] + "-" + t[1],
                pc[0], pc[1]));
        }
        report.append("by tier:");
        String sep = " ";
        for (Map.Entry<Integer, int[]> e : perTier.entrySet()) {
            report.append(sep).append(e.getKey()).append(": ").append(e.getValue()[0]).append('/')
                .append(e.getValue()[1]);
            sep = ", ";
        }
        report.append('\n');
        report.append("failed: ").append(String.join(" ", failed)).append('\n');
        report.append(String.format("summary %d passed, %d failed; scores %d/%d; current status %d/%d; executing "
            + "%d/%d; revised status %d/%d%n", summaryPass, cases.size() - summaryPass, perCheck.get("scores")[0],
            perCheck.get("scores")[1], perCheck.get("status.current")[0], perCheck.get("status.current")[1],
            perCheck.get("status.executing")[0], perCheck.get("status.executing")[1],
            perCheck.get("status.revised")[0], perCheck.get("status.revised")[1]));
        report.append("differences: ").append(String.join(" ", differences)).append('\n');
        return report.toString();
    }

    /** One tolerated difference: a case, the check it fails, the case's tier, and why it is tolerated. */
    record Tolerated(String name, String check, int tier, String why) {
    }

    /** The checks compared per case, in report order. */
    static final List<String> CHECKS = List.of("summary", "scores", "status.current", "status.executing",
        "status.revised");

    /**
     * Reads {@code scheduler-gate-tolerated.csv}: {@code case,check,tier,why}, {@code #} comments; the why may hold
     * commas. Fails on a malformed row, an unknown check, a duplicate, or a tier that disagrees with the manifest.
     */
    static Map<String, Tolerated> tolerated(String text, Map<String, Case> byName) {
        Map<String, Tolerated> out = new TreeMap<>();
        for (String row : text.split("\n")) {
            if (row.isBlank() || row.startsWith("#")) {
                continue;
            }
            String[] f = row.split(",", 4);
            if (f.length != 4 || f[3].isBlank()) {
                throw new IllegalArgumentException("tolerated list: want case,check,tier,why: " + row);
            }
            Tolerated t = new Tolerated(f[0].trim(), f[1].trim(), Integer.parseInt(f[2].trim()), f[3].trim());
            if (!CHECKS.contains(t.check())) {
                throw new IllegalArgumentException("tolerated list: unknown check " + t.check() + " in " + row);
            }
            Case c = byName.get(t.name());
            if (c == null) {
                throw new IllegalArgumentException("tolerated list: no such case " + t.name());
            }
            if (c.tier() != t.tier()) {
                throw new IllegalArgumentException("tolerated list: " + t.name() + " is tier " + c.tier()
                    + " in the manifest, not " + t.tier());
            }
            if (out.put(t.name() + " " + t.check(), t) != null) {
                throw new IllegalArgumentException("tolerated list: duplicate " + t.name() + " " + t.check());
            }
        }
        return out;
    }

    /**
     * The gate's verdict on the differences seen: every difference must be listed (a new one, wherever, is a
     * regression), and every listed difference must still be seen (a listed case that passes now must leave the
     * list, so the list only shrinks). Returns the problems, empty when the gate holds.
     */
    static List<String> verdict(Set<String> seen, Map<String, Tolerated> listed) {
        List<String> problems = new ArrayList<>();
        for (String d : new TreeSet<>(seen)) {
            if (!listed.containsKey(d)) {
                problems.add("new difference (not in scheduler-gate-tolerated.csv): " + d);
            }
        }
        for (String d : listed.keySet()) {
            if (!seen.contains(d)) {
                problems.add("passes now, remove it from scheduler-gate-tolerated.csv: " + d);
            }
        }
        return problems;
    }

    @Test
    void theGateVerdictNamesNewDifferencesAndListedCasesThatPassNow() {
        Map<String, Tolerated> listed = Map.of("a scores", new Tolerated("a", "scores", 1, "why"));
        assertEquals(List.of(), verdict(Set.of("a scores"), listed));
        // same count, another case: still a regression
        assertEquals(List.of("new difference (not in scheduler-gate-tolerated.csv): b scores",
            "passes now, remove it from scheduler-gate-tolerated.csv: a scores"), verdict(Set.of("b scores"), listed));
        assertEquals(List.of("passes now, remove it from scheduler-gate-tolerated.csv: a scores"),
            verdict(Set.of(), listed));
    }
}
