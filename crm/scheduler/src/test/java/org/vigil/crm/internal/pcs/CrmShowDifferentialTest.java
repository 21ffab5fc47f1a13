package org.vigil.crm.internal.pcs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.command.CommandContext;

/**
 * {@code crm configure show}: crmsh 4.4.1 (Debian's, offline with {@code CIB_file}) and Vigil's crm
 * ({@code --cib-file}) on the same CIB files must print the same text. By default a few CIBs of Pacemaker's
 * scheduler corpus (nodes, bundles, tags, resource sets, fencing topology, alerts, what crmsh shows as XML) and two
 * generated ones of {@link PcsDifferentialTest} (about 20 s); with
 * {@code -Dvigil.pcs.corpus=true} the whole corpus. Under {@code -Dvigil.systemTests=true} a missing crm fails.
 */
class CrmShowDifferentialTest {

    static final List<String> SHORT = List.of("group1", "clone-anon-failcount", "promoted-1", "stonith-0",
        "bundle-replicas-change", "order-sets", "bug-lf-2493", "allow-unhealthy-nodes", "colocation-influence",
        "op-defaults-3", "per-node-attrs", "date-2", "bug-5014-ordered-set-symmetrical-true", "662", "base-score",
        "template-2");

    @TempDir
    Path tmp;

    static Path crm() {
        Path p = Path.of("/usr/sbin/crm");
        boolean there = Files.isExecutable(p);
        if (Boolean.getBoolean("vigil.systemTests")) {
            assertTrue(there, "vigil.systemTests is set but crmsh is not installed (.ci/packages installs crmsh)");
        }
        return there ? p : null;
    }

    static String real(Path crm, Path cib) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(crm.toString(), "configure", "show")
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("CIB_file", cib.toString());
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().remove("TERM");
        Path o = Files.createTempFile(cib.getParent(), "out", ".txt");
        pb.redirectOutput(o.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("crm configure show on " + cib + " did not finish in 60 s");
        }
        return Files.readString(o);
    }

    static String vigil(Path cib) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            new CrmshCommand(null, org.vigil.crm.internal.tools.ToolClock.SYSTEM).execute(
                List.of("--cib-file", cib.toString(), "configure", "show"), new CommandContext(cib.getParent()), out,
                err);
        }
        return o.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sameAsCrmsh() throws Exception {
        Path crm = crm();
        assumeTrue(crm != null, "crmsh is not installed");
        List<Path> cibs = new ArrayList<>();
        if (Boolean.getBoolean("vigil.pcs.corpus")) {
            try (Stream<Path> s = Files.list(PcsDifferentialTest.CORPUS)) {
                s.filter(p -> p.toString().endsWith(".xml")).sorted().forEach(cibs::add);
            }
        } else {
            SHORT.forEach(n -> cibs.add(PcsDifferentialTest.CORPUS.resolve(n + ".xml")));
        }
        for (long seed = 1; seed <= (Boolean.getBoolean("vigil.pcs.corpus") ? 4 : 2); seed++) {
            Path g = tmp.resolve("generated-" + seed + ".xml");
            Files.writeString(g, PcsDifferentialTest.generated(seed));
            cibs.add(g);
        }
        int same = 0;
        List<String> differ = new ArrayList<>();
        for (Path c : cibs) {
            Path copy = tmp.resolve("copy.xml");
            Files.copy(c, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String want = real(crm, copy);
            String got = vigil(copy);
            if (want.equals(got)) {
                same++;
            } else {
                differ.add(c.getFileName() + "\n--- crmsh\n" + want + "--- vigil\n" + got);
            }
        }
        String report = String.format("crm configure show: %d/%d the same (%.1f %%)%n", same, cibs.size(),
            100.0 * same / cibs.size());
        System.out.println(report);
        Files.writeString(Path.of("target/crm-show-differential.txt"), report + String.join("\n", differ));
        assertTrue(differ.isEmpty(), report + String.join("\n", differ));
    }
}
