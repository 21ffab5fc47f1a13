package org.vigil.crm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;

/**
 * {@code crm_mon} compared line by line with Pacemaker 2.1.5's on the CIBs of its scheduler corpus: Pacemaker's
 * tool reads the file ({@code CIB_file=X crm_mon ...}), Vigil's reads the same document through a read-only
 * {@link FileCib}; only the "Last updated" line (the clock) is masked.
 */
class CrmMonDifferentialTest {

    static final Path CORPUS = Path.of("src/test/resources/pacemaker-scheduler/xml");
    /** Hand-made CIBs: failures with reasons and times, fail counts, ping attributes, standby, maintenance... */
    static final Path HAND_MADE = Path.of("src/test/resources/crm_mon");
    /**
     * Every option combination: on the hand-made CIBs and a sample of the corpus CIBs in CI, on every corpus CIB
     * with {@code -Dvigil.crmmon.full=true}. The first two are run on more of the corpus (see {@link #sampled}).
     */
    static final List<List<String>> ALL_VARIANTS = List.of(List.of("-1"), List.of("-1", "-r", "-f", "-A"),
        List.of("-1", "-n"), List.of("-1", "-n", "-r"), List.of("-1", "-R"), List.of("-1", "-R", "-r", "-f", "-A"),
        List.of("-1", "-j", "-r"), List.of("-1", "-D", "-f"), List.of("--one-shot", "--inactive", "--failcounts",
            "--show-node-attributes", "--group-by-node"), List.of("-1", "-o"), List.of("-1", "-t", "-r"),
        List.of("-1", "--operations", "-n", "-R"), List.of("-1", "-L"), List.of("-1", "--neg-locations=cli-", "-r"),
        List.of("-s"), List.of("--simple-status"), List.of("-1", "-m", "0"), List.of("-1", "-f", "-o", "-L", "-A"));
    /**
     * Corpus CIBs CI always runs with every variant: what the full run found and the sample missed
     * (dc-fence-ordering: an operation with the deprecated exit code 198, "unknown" in Pacemaker's output).
     */
    static final java.util.Set<String> ALWAYS = java.util.Set.of("dc-fence-ordering.xml");
    /** The whole corpus with every variant (text) and every corpus CIB (XML): a few minutes, not for CI. */
    static final boolean FULL = Boolean.getBoolean("vigil.crmmon.full");
    private static final Pattern LAST_UPDATED = Pattern.compile("(?m)^(  \\* Last updated:|\\s*<last_update time=).*$");

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
            public void sleep(long ms) {
                throw new UnsupportedOperationException();
            }

            @Override
            public <T> T await(CompletionStage<T> stage, long timeoutMs) {
                throw new UnsupportedOperationException();
            }
        };
    }

    record Out(int exit, String out, String err) {
    }

    static Out vigil(XmlNode cib, List<String> args) throws Exception {
        CrmMonCommand cmd = new CrmMonCommand(new FileCib(cib), null, clock());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = cmd.execute(args, o, e);
        }
        return new Out(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String mask(String s) {
        return LAST_UPDATED.matcher(s).replaceAll("$1 <masked>");
    }

    /**
     * Pacemaker's output with Vigil's deliberate differences applied: without {@code cluster-infrastructure} in the
     * CIB, Pacemaker prints the stack as "unknown", Vigil as "corosync" (the protocols it speaks).
     */
    static String expected(String pacemaker) {
        return pacemaker.replace("  * Stack: unknown\n", "  * Stack: corosync\n")
            .replace("<stack type=\"unknown\"/>", "<stack type=\"corosync\"/>");
    }

    /** The first differing line of two outputs, or null when equal. */
    static String firstDifference(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end>";
            String y = i < b.length ? b[i] : "<end>";
            if (!x.equals(y)) {
                return "line " + (i + 1) + ":\n  pacemaker: " + x + "\n  vigil:     " + y;
            }
        }
        return null;
    }

    static List<Path> files(Path dir) throws IOException {
        String only = System.getProperty("crmmon.case");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".xml"))
                .filter(p -> only == null || List.of(only.split(",")).contains(
                    p.getFileName().toString().replace(".xml", "")))
                .sorted().toList();
        }
    }

    /**
     * Which variants a CIB gets: every hand-made CIB, and with {@link #FULL} every corpus CIB, all of them; in CI
     * every fourth corpus CIB the first two and every twentieth all of them (about 40 s).
     */
    static List<List<String>> sampled(Path file, int index) {
        if (FULL || !file.startsWith(CORPUS) || index % 20 == 0 || ALWAYS.contains(file.getFileName().toString())) {
            return ALL_VARIANTS;
        }
        return index % 4 == 0 ? ALL_VARIANTS.subList(0, 2) : List.of();
    }

    /** Text output, compared line by line, of the variants {@link #sampled} picks. */
    @Test
    void textMatchesPacemakersLineByLine() throws Exception {
        assumeTrue(PacemakerTool.available("crm_mon"), "Pacemaker's crm_mon is not installed");
        Map<String, String> differences = new TreeMap<>();
        Map<String, int[]> perVariant = new TreeMap<>();
        int compared = 0;
        List<Path> corpus = files(CORPUS);
        List<Path> all = new ArrayList<>(files(HAND_MADE));
        all.addAll(corpus);
        for (Path file : all) {
            List<List<String>> variants = sampled(file, corpus.indexOf(file));
            if (variants.isEmpty()) {
                continue;
            }
            XmlNode cib = XmlText.parse(Files.readString(file), file.getFileName().toString());
            for (List<String> args : variants) {
                PacemakerTool.Run pm = PacemakerTool.run(file.toAbsolutePath(), "crm_mon", args);
                Out vg = vigil(cib, args);
                compared++;
                String d = pm.exit() != vg.exit() ? "exit " + pm.exit() + " vs " + vg.exit()
                    : firstDifference(mask(expected(pm.out())), mask(vg.out()));
                int[] tally = perVariant.computeIfAbsent(String.join(" ", args), k -> new int[2]);
                tally[0]++;
                if (d != null) {
                    differences.put(file.getFileName() + " " + String.join(" ", args), d);
                } else {
                    tally[1]++;
                }
            }
        }
        perVariant.forEach((k, v) -> System.out.println("crm_mon " + k + ": " + v[1] + " of " + v[0] + " match"));
        differences.forEach((k, v) -> System.out.println("DIFF " + k + " " + v));
        System.out.println("crm_mon text: " + (compared - differences.size()) + " of " + compared + " match");
        assertEquals(Map.of(), differences);
    }

    /**
     * {@code --output-as=xml} (what pcs reads) and the deprecated {@code -X}, on every hand-made CIB and every sixth
     * corpus CIB (every one with {@link #FULL}): the documents must be identical but for the clock and the tool's path in {@code request}.
     */
    @Test
    void xmlMatchesPacemakers() throws Exception {
        assumeTrue(PacemakerTool.available("crm_mon"), "Pacemaker's crm_mon is not installed");
        Map<String, String> differences = new TreeMap<>();
        int compared = 0;
        List<Path> corpus = files(CORPUS);
        List<Path> all = new ArrayList<>(files(HAND_MADE));
        for (int i = 0; i < corpus.size(); i += FULL ? 1 : 6) {
            all.add(corpus.get(i));
        }
        for (Path file : all) {
            XmlNode cib = XmlText.parse(Files.readString(file), file.getFileName().toString());
            for (List<String> args : List.of(List.of("-1", "--output-as", "xml"), List.of("-X"),
                List.of("--output-as=xml", "-n"))) {
                PacemakerTool.Run pm = PacemakerTool.run(file.toAbsolutePath(), "crm_mon", args);
                Out vg = vigil(cib, args);
                compared++;
                String theirs = mask(expected(pm.out())).replace("request=\"" + PacemakerTool.find("crm_mon"),
                    "request=\"crm_mon");
                String d = pm.exit() != vg.exit() ? "exit " + pm.exit() + " vs " + vg.exit()
                    : firstDifference(theirs, mask(vg.out()));
                if (d != null) {
                    differences.put(file.getFileName() + " " + String.join(" ", args), d);
                }
            }
        }
        differences.forEach((k, v) -> System.out.println("DIFF " + k + " " + v));
        System.out.println("crm_mon xml: " + (compared - differences.size()) + " of " + compared + " match");
        assertEquals(Map.of(), differences);
    }
}
