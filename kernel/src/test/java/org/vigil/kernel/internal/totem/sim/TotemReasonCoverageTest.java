package org.vigil.kernel.internal.totem.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.internal.totem.TotemSrp;

/**
 * Every reason the engine can give for entering GATHER (leaving OPERATIONAL, COMMIT or RECOVERY, or starting a
 * gather round again) appears in at least one golden scenario file, as a trace line {@code X -> GATHER (reason)}.
 * The reasons are read from the engine's code: the constant passed at each {@code gatherEnter(...)} call and as
 * the reason argument of each {@code foreign(...)} call in TotemSrp.java, resolved to their texts; a new reason
 * without a scenario fails this test.
 */
class TotemReasonCoverageTest {

    private static final Path SOURCE = Path.of("src/main/java/org/vigil/kernel/internal/totem/TotemSrp.java");

    /** The reason constants the engine enters GATHER with, by name, with their texts. */
    static TreeMap<String, String> gatherReasons() throws Exception {
        String code = Files.readString(SOURCE);
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("gatherEnter\\(([A-Za-z_][A-Za-z_0-9]*)\\)").matcher(code);
        while (m.find()) {
            names.add(m.group(1));
        }
        Matcher f = Pattern.compile("foreign\\([^;)]*,\\s*([A-Z_][A-Z_0-9]*)\\)").matcher(code);
        while (f.find()) {
            names.add(f.group(1));
        }
        TreeMap<String, String> reasons = new TreeMap<>();
        for (String n : names) {
            if (n.equals("reason")) {
                continue; // foreign()'s own parameter: its callers' constants are collected above
            }
            Field field = TotemSrp.class.getDeclaredField(n);
            assertTrue(Modifier.isStatic(field.getModifiers()) && field.getType() == String.class,
                n + " is not a reason constant");
            field.setAccessible(true);
            reasons.put(n, (String) field.get(null));
        }
        return reasons;
    }

    @Test
    void everyReasonForEnteringGatherHasAGoldenScenario() throws Exception {
        TreeMap<String, String> reasons = gatherReasons();
        assertTrue(reasons.size() >= 10, "too few reasons found in " + SOURCE + ": " + reasons);
        assertTrue(reasons.containsKey("TOKEN_LOST") && reasons.containsKey("FAILED_TO_RECEIVE")
            && reasons.containsKey("HEARTBEAT_LOST"), "the parse missed known reasons: " + reasons);
        StringBuilder all = new StringBuilder();
        for (Path f : scenarioFiles()) {
            all.append(Files.readString(f));
        }
        List<String> missing = new ArrayList<>();
        reasons.forEach((name, text) -> {
            if (!all.toString().contains(" -> GATHER (" + text + ")")) {
                missing.add(name + " (\"" + text + "\")");
            }
        });
        assertTrue(missing.isEmpty(), "reasons for entering GATHER without a golden scenario in "
            + "src/test/resources/totem/scenarios: " + missing);
    }

    private List<Path> scenarioFiles() throws Exception {
        Path dir;
        try {
            dir = Path.of(getClass().getResource("/totem/scenarios").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
    }
}
