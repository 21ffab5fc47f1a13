package org.vigil.crm.fencer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every fencer scenario script in {@code src/test/resources/fencer/scenarios} on {@link FencerSim} and
 * compares the output with the one written in the file.
 *
 * <p>After an intended change, regenerate the expectations with {@code mvn -o -q test -pl crm/fencer -am
 * -Dtest=FencerScenarioTest -Dvigil.rewrite=true -Dsurefire.failIfNoSpecifiedTests=false}, read the diff and
 * commit it only if every change is understood.
 */
class FencerScenarioTest {

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("/fencer/scenarios").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertTrue(files.size() >= 6, "scenario files missing: " + files);
        boolean rewrite = Boolean.getBoolean("vigil.rewrite");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String expected = Files.readString(f);
            String actual = FencerScenario.run(expected);
            if (rewrite && !actual.equals(expected)) {
                Path src = Path.of(System.getProperty("vigil.root", "."), "crm/fencer/src/test/resources/fencer/scenarios",
                    f.getFileName().toString());
                Files.writeString(src, actual);
            }
            assertFalse(actual.contains("VIOLATION"), "an invariant was broken:\n" + actual);
            assertFalse(actual.contains("\nerror: "), "a command failed:\n" + actual);
            if (!rewrite) {
                assertEquals(expected, actual, "scenario output differs (see the class comment to regenerate)");
            }
        }));
    }
}
