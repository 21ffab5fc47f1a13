package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;

/**
 * {@code pcs cluster cib [FILE] [scope=S|--config]} and {@code pcs cluster cib-push FILE [scope=S|--config]
 * [diff-against=ORIG]} compared with Debian's pcs 0.11.5, both with {@code -f} on their own copy of the same CIB
 * (Vigil's through {@link OfflineMain}, the program {@code vigil pcs -f F} runs, whose push goes through its
 * {@code cibadmin} and {@code crm_diff} as pcs's goes through Pacemaker's): a round trip (save, change with
 * {@code pcs -f}, save, push back whole, by scope, as a diff), the refusals (an older CIB, bad scopes, a missing
 * file, conflicting options). Compared: exit status, standard output and error (the two sides' file names shown as
 * one), the files {@code cluster cib FILE} wrote, and the resulting CIB without its version counters.
 *
 * <p>Not compared: pcs's usage text after a command line it cannot parse (pcs's help text is not copied; Vigil
 * prints its own usage line), and the detail of cibadmin's refusal ({@link #sameErr}).
 */
class PcsCibPushDifferentialTest {

    @TempDir
    Path tmp;

    static final String CIB = "<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"7\" "
        + "num_updates=\"3\" admin_epoch=\"0\"><configuration><crm_config><cluster_property_set "
        + "id=\"cib-bootstrap-options\"><nvpair id=\"cib-bootstrap-options-stonith-enabled\" name=\"stonith-enabled\" "
        + "value=\"false\"/></cluster_property_set></crm_config><nodes><node id=\"1\" uname=\"node1\"/><node id=\"2\" "
        + "uname=\"node2\"/></nodes><resources><primitive id=\"D1\" class=\"ocf\" provider=\"heartbeat\" "
        + "type=\"Dummy\"><operations><op id=\"D1-monitor-10s\" name=\"monitor\" interval=\"10s\"/></operations>"
        + "</primitive></resources><constraints/></configuration><status><node_state id=\"1\" uname=\"node1\" "
        + "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/></status></cib>\n";

    static final List<String> SCRIPT = List.of(
        "cluster cib",
        "cluster cib scope=resources",
        "cluster cib --config",
        "cluster cib scope=bogus",
        "cluster cib scope=tags",
        "cluster cib scope=status",
        "cluster cib @orig.xml",
        "cluster cib @res.xml scope=resources",
        "cluster cib @conf.xml --config",
        "resource create V9 ocf:heartbeat:Dummy",
        "constraint location V9 prefers node1",
        "cluster cib @new.xml",
        "cluster cib-push @orig.xml",
        "cluster cib-push @orig.xml --config",
        "cluster cib-push @new.xml diff-against=@orig.xml",
        "cluster cib-push @new.xml diff-against=@new.xml",
        "cluster cib-push @nothere.xml",
        "cluster cib-push @new.xml scope=nope",
        "cluster cib-push scope=resources diff-against=@orig.xml",
        "cluster cib-push @new.xml scope=resources --config",
        "cluster cib-push @new.xml scope=tags",
        "cluster cib-push @new.xml --wait=10",
        "cluster cib-push @conf.xml scope=configuration",
        "cluster cib-push @new.xml --config",
        "cluster cib-push @res.xml scope=resources",
        "cluster cib @final.xml",
        "cluster cib-push @final.xml",
        "cluster cib-push @orig.xml diff-against=@final.xml");

    record Run(int exit, String out, String err) {
    }

    /** A script line for one side: {@code @NAME} becomes that side's file {@code SIDE-NAME}. */
    static List<String> args(String line, Path dir, String side) {
        List<String> a = new ArrayList<>();
        for (String w : line.split(" ")) {
            int at = w.indexOf('@');
            a.add(at < 0 ? w : w.substring(0, at) + dir.resolve(side + "-" + w.substring(at + 1)));
        }
        return a;
    }

    Run pcs(Path cib, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/pcs", "-f", cib.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().remove("CIB_file");
        Path o = Files.createTempFile(tmp, "out", ".txt");
        Path e = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(o.toFile()).redirectError(e.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pcs " + args + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), Files.readString(o), Files.readString(e));
    }

    static Run vigil(Path cib, List<String> args) {
        List<String> argv = new ArrayList<>(List.of("pcs", "-f", cib.toString()));
        argv.addAll(args);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            rc = OfflineMain.run(cib.toString(), argv.toArray(new String[0]), out, err);
        }
        return new Run(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** The CIB without its version counters and write stamps, attributes sorted. */
    static String normal(Path cib) throws Exception {
        StringBuilder sb = new StringBuilder();
        canonical(XmlText.parse(Files.readString(cib), cib.toString()), sb, 0, true);
        return sb.toString();
    }

    private static void canonical(XmlNode e, StringBuilder sb, int depth, boolean root) {
        sb.append("  ".repeat(depth)).append('<').append(e.name());
        TreeMap<String, String> attrs = new TreeMap<>(e.attributes());
        if (root) {
            for (String a : List.of("epoch", "num_updates", "cib-last-written", "update-origin", "update-client",
                "update-user", "execution-date")) {
                attrs.remove(a);
            }
        }
        attrs.forEach((k, v) -> sb.append(' ').append(k).append("=\"").append(v).append('"'));
        sb.append(">\n");
        for (XmlNode c : e.children()) {
            canonical(c, sb, depth + 1, false);
        }
    }

    /** The written files' text, the version counters of the root masked (each side counts its own writes). */
    static String written(Path f) throws Exception {
        if (!Files.exists(f)) {
            return "(no file)";
        }
        // Vigil's file CIB also stamps its writes (cib-last-written, update-origin/-client/-user) as its node's
        // CIB does; Pacemaker's file CIB does not (cib_no_mtime): masked, as normal() masks them
        return Files.readString(f).replaceAll("(epoch|num_updates)=\"[0-9]+\"", "$1=\"N\"")
            .replaceAll(" (cib-last-written|update-origin|update-client|update-user)=\"[^\"]*\"", "");
    }

    /**
     * Standard error the same; where pcs shows what cibadmin printed on a refused push, only pcs's line and the
     * reason are compared: Pacemaker's cibadmin on a file says "Call failed: REASON" after libxml's numbered listing
     * of the document, Vigil's "Call cib_replace failed: REASON" (its wording on a node) and which element is wrong.
     */
    static boolean sameErr(String pcs, String vigil) {
        String head = "Error: unable to push cib\n";
        if (pcs.startsWith(head) && vigil.startsWith(head)) {
            String reason = pcs.lines().filter(l -> l.startsWith("Call failed: ")).findFirst().orElse(null);
            return reason != null && vigil.lines().anyMatch(l -> l.matches("Call (cib_\\w+ )?failed: .*")
                && l.endsWith(reason.substring("Call ".length())));
        }
        return pcs.equals(vigil);
    }

    @Test
    void clusterCibAndCibPushAsPcs() throws Exception {
        boolean there = Files.isExecutable(Path.of("/usr/sbin/pcs"));
        if (Boolean.getBoolean("vigil.systemTests")) {
            assertTrue(there, "vigil.systemTests is set but pcs is not installed (.ci/packages installs pcs)");
        }
        assumeTrue(there, "pcs is not installed");
        Path a = tmp.resolve("pcs-cib.xml");
        Path b = tmp.resolve("vigil-cib.xml");
        Files.writeString(a, CIB);
        Files.writeString(b, CIB);
        List<String> mismatches = new ArrayList<>();
        for (String line : SCRIPT) {
            Run want = pcs(a, args(line, tmp, "pcs"));
            Run got = vigil(b, args(line, tmp, "vigil"));
            String pcsPrefix = tmp.resolve("pcs-").toString();
            String vigilPrefix = tmp.resolve("vigil-").toString();
            Run w = new Run(want.exit(), want.out().replace(pcsPrefix, "@"), want.err().replace(pcsPrefix, "@"));
            Run g = new Run(got.exit(), got.out().replace(vigilPrefix, "@"), got.err().replace(vigilPrefix, "@"));
            String what = null;
            if (w.exit() != g.exit()) {
                what = "exit";
            } else if (!w.out().equals(g.out())) {
                what = "stdout";
            } else if (!sameErr(w.err(), g.err())) {
                what = "stderr";
            } else if (!normal(a).equals(normal(b))) {
                what = "CIB";
            } else {
                for (String word : line.split(" ")) {
                    if (line.startsWith("cluster cib ") && word.startsWith("@")) {
                        String name = word.substring(1);
                        if (!written(tmp.resolve("pcs-" + name)).equals(written(tmp.resolve("vigil-" + name)))) {
                            what = "written file " + name + ":\n" + written(tmp.resolve("pcs-" + name)) + "\nVigil:\n"
                                + written(tmp.resolve("vigil-" + name));
                        }
                    }
                }
            }
            System.out.println((what == null ? "same    " : "DIFFERS ") + "pcs " + line);
            if (what != null) {
                mismatches.add("pcs " + line + ": " + what + "\n  pcs:   " + w + "\n  vigil: " + g
                    + (what.equals("CIB") ? "\n  pcs CIB:\n" + normal(a) + "\n  vigil CIB:\n" + normal(b) : ""));
                Files.copy(a, b, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.out.println("pcs cluster cib/cib-push differential: " + (SCRIPT.size() - mismatches.size()) + " of "
            + SCRIPT.size() + " command lines identical");
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + SCRIPT.size() + " differ:\n"
            + String.join("\n", mismatches));
    }
}
