package org.vigil.crm.internal.simulate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.crm.api.CibException;
import org.vigil.crm.internal.cib.CibChecker;
import org.vigil.crm.internal.cib.XmlElement;

/**
 * Bad CIBs made on purpose: seeded random mutations of the corpus inputs (elements removed or duplicated,
 * attributes removed or given odd values), checked and, with {@code validate-with="none"}, unchecked. Each must
 * end in a {@link CibException} (a clear error) or a normal run: never another exception.
 */
class MutatedCibRobustnessTest {

    private static final String[] ODD_VALUES = {"", "-1", "x", "INFINITY", "-INFINITY", "99999999999999999999", "0",
        "true", "#uname", "Promoted", "P1D", "2000-01-01"};

    private static List<XmlElement> elements(XmlElement e, List<XmlElement> acc) {
        acc.add(e);
        for (XmlElement c : e.kids()) {
            elements(c, acc);
        }
        return acc;
    }

    private static void mutate(XmlElement root, Random r) {
        List<XmlElement> all = elements(root, new ArrayList<>());
        for (int m = 0; m < 3; m++) {
            XmlElement e = all.get(1 + r.nextInt(all.size() - 1));
            switch (r.nextInt(4)) {
                case 0 -> {
                    if (e.parent() != null) {
                        e.parent().removeChild(e);
                    }
                }
                case 1 -> {
                    if (e.attributeCount() > 0) {
                        e.removeAttribute(e.attributeName(r.nextInt(e.attributeCount())));
                    }
                }
                case 2 -> {
                    if (e.attributeCount() > 0) {
                        e.set(e.attributeName(r.nextInt(e.attributeCount())), ODD_VALUES[r.nextInt(ODD_VALUES.length)]);
                    }
                }
                default -> {
                    if (e.parent() != null) {
                        e.parent().addChild(e.deepCopy());
                    }
                }
            }
        }
    }

    @Test
    void mutatedCorpusCibsGiveAnErrorOrARunNeverAnotherException() throws Exception {
        Path dir = Path.of(getClass().getResource("/pacemaker-scheduler/manifest.csv").toURI()).resolveSibling("xml");
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.xml")) {
            for (Path p : ds) {
                files.add(p);
            }
        }
        Collections.sort(files);
        Random r = new Random(20221123L);
        List<String> failures = new ArrayList<>();
        int runs = 0;
        for (int i = 0; i < 400; i++) {
            Path f = files.get(r.nextInt(files.size()));
            XmlElement root = Simulation.load(f);
            mutate(root, r);
            boolean unchecked = (i % 2) == 1;
            if (unchecked) {
                root.set("validate-with", "none");
            }
            try {
                CibChecker.check(root, f.getFileName().toString());
            } catch (CibException expected) {
                continue;
            }
            runs++;
            try {
                Simulation.withLargeStack(() -> Simulation.run(root, TestClock.options(true, true, true)));
            } catch (Exception | StackOverflowError e) {
                failures.add("mutation " + i + " of " + f.getFileName() + (unchecked ? " (unchecked)" : "") + ": " + e);
            }
        }
        assertTrue(runs > 200, "too few mutated CIBs got past the checks: " + runs);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
