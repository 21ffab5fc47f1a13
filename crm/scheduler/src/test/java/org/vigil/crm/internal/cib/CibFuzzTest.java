package org.vigil.crm.internal.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.crm.api.CibDocument;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.internal.scheduler.StandardPolicyEngine;
import org.vigil.crm.internal.simulate.Simulation;

/**
 * Fuzz target: CIB XML through the policy engine as a node and {@code vigil simulate} use it: {@link CibParser}
 * and {@link CibChecker} ({@link PolicyEngine#parse}), then, for a CIB they accept, the scheduler
 * ({@link PolicyEngine#schedule}, on the calling thread) and crm_simulate's run ({@link Simulation#run}: status,
 * scores, transition, revised status, on the large-stack thread {@code vigil simulate} runs it on).
 *
 * <p>Seeds: two small Pacemaker scheduler regression CIBs per feature class, a template CIB, and hostile documents (an
 * entity expansion bomb, an external entity, deep nesting); libFuzzer mutates them byte-wise (its comparison
 * tracing learns element and attribute names from the checker's and scheduler's string compares).
 *
 * <p>Invariants: parsing either succeeds or throws {@link CibException} with its location in the message
 * ({@code cib.xml:LINE:COLUMN:}, or {@code cib.xml:} alone for whole-document problems: empty, too large); no
 * other exception, no {@link StackOverflowError}, no {@link OutOfMemoryError} under the node's heap; entities are
 * never expanded; a CIB that parses is scheduled and simulated without an exception.
 */
class CibFuzzTest {

    private static final String SOURCE = "cib.xml";
    private static final PolicyEngine ENGINE = new StandardPolicyEngine();
    /** A fixed "now" (2023-11-14), so rules with dates decide the same way on every run of an input. */
    private static final long NOW = 1_700_000_000L;
    private static final int MAX_SEED_BYTES = 8 << 10;
    private static final int SEEDS_PER_CLASS = 2;

    @MethodSource("seeds")
    @FuzzTest
    void cib(byte[] input) throws Exception {
        CibDocument doc;
        try {
            doc = ENGINE.parse(new ByteArrayInputStream(input), SOURCE);
        } catch (CibException e) {
            checkLocated(e);
            return;
        }
        XmlElement root = (XmlElement) doc.root();
        assertTrue(root.is("cib"), "accepted a document whose root is <" + root.name() + ">");
        // The bomb seed's entities spell BOOM: expanded, the tree would hold more of them than the input.
        assertTrue(count(root.toString(), "BOOM") <= count(new String(input, StandardCharsets.ISO_8859_1), "BOOM"),
            "an entity was expanded");
        XmlElement copy = root.deepCopy();
        if (!copy.has("execution-date")) {
            copy.set("execution-date", Long.toString(NOW));
        }
        // The API on the caller's thread (here with the node's stack size), the simulator on its own thread.
        Transition t = ENGINE.schedule(doc, java.time.Instant.ofEpochSecond(NOW), java.time.ZoneOffset.UTC, 0, "fuzz");
        assertNotNull(t.actions());
        Simulation.withLargeStack(() -> Simulation.run(copy, new Simulation.Options(true, true, true, java.time.Instant.ofEpochSecond(NOW), java.time.ZoneOffset.UTC)));
    }

    private static int count(String s, String word) {
        int n = 0;
        for (int i = s.indexOf(word); i >= 0; i = s.indexOf(word, i + 1)) {
            n++;
        }
        return n;
    }

    /** The error names the document and, unless it is about the document as a whole, the line and column. */
    private static void checkLocated(CibException e) {
        assertEquals(SOURCE, e.source(), e.getMessage());
        assertTrue(e.line() >= 0 && e.column() >= 0, e.getMessage());
        if (e.line() == 0) {
            String d = e.detail();
            assertTrue(d.startsWith("refused:") || d.startsWith("no XML element found"),
                "an error without a line that is not about the whole document: " + e.getMessage());
        }
        assertTrue(e.getMessage().startsWith(SOURCE + ":" + (e.line() > 0 ? e.line() + ":" : "")),
            "not located as " + SOURCE + ":LINE:COLUMN: " + e.getMessage());
    }

    static Stream<Arguments> seeds() throws IOException {
        List<Arguments> seeds = new ArrayList<>();
        String template = new String(resource("/bad/template.xml"), StandardCharsets.UTF_8);
        seeds.add(Arguments.of((Object) template.replace("CONS", "<rsc_order id=\"o\" first=\"A\" then=\"B\"/>")
            .getBytes(StandardCharsets.UTF_8)));
        seeds.add(Arguments.of((Object) ("<?xml version=\"1.0\"?>\n<!DOCTYPE cib [\n"
            + "<!ENTITY b0 \"BOOMBOOM\">\n<!ENTITY b1 \"&b0;&b0;&b0;&b0;&b0;&b0;&b0;&b0;&b0;&b0;\">\n"
            + "<!ENTITY boom \"&b1;&b1;&b1;&b1;&b1;&b1;&b1;&b1;&b1;&b1;\">\n]>\n"
            + template.replace("CONS", "").replace("<status>", "<status>&boom;"))
            .getBytes(StandardCharsets.UTF_8)));
        seeds.add(Arguments.of((Object) ("<?xml version=\"1.0\"?>\n<!DOCTYPE cib [<!ENTITY x SYSTEM "
            + "\"file:///etc/passwd\">]>\n" + template.replace("CONS", "").replace("<status>", "<status>&x;"))
            .getBytes(StandardCharsets.UTF_8)));
        seeds.add(Arguments.of((Object) ("<cib>" + "<a>".repeat(2000) + "</a>".repeat(2000) + "</cib>")
            .getBytes(StandardCharsets.UTF_8)));
        // From the regression corpus, the two smallest CIBs of each feature class (manifest.csv's second column):
        // every area of the scheduler in the seeds, few enough that fuzzing starts within seconds.
        Map<String, List<byte[]>> byClass = new TreeMap<>();
        String list = new String(resource("/pacemaker-scheduler/manifest.csv"), StandardCharsets.UTF_8);
        for (String line : list.split("\n")) {
            String[] cols = line.split(",", 3);
            if (cols.length < 2 || cols[0].equals("test") || cols[0].isBlank()) {
                continue;
            }
            byte[] xml = resourceOrNull("/pacemaker-scheduler/xml/" + cols[0].strip() + ".xml");
            if (xml != null && xml.length <= MAX_SEED_BYTES) {
                byClass.computeIfAbsent(cols[1].strip(), c -> new ArrayList<>()).add(xml);
            }
        }
        for (List<byte[]> cibs : byClass.values()) {
            cibs.sort(Comparator.comparingInt(b -> b.length));
            cibs.stream().limit(SEEDS_PER_CLASS).forEach(xml -> seeds.add(Arguments.of((Object) xml)));
        }
        return seeds.stream();
    }

    private static byte[] resource(String name) throws IOException {
        byte[] b = resourceOrNull(name);
        if (b == null) {
            throw new UncheckedIOException(new IOException("no resource " + name));
        }
        return b;
    }

    private static byte[] resourceOrNull(String name) throws IOException {
        try (InputStream in = CibFuzzTest.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
