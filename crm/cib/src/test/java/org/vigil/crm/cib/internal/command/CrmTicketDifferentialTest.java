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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.PacemakerTools;
import org.vigil.crm.cib.internal.XmlDiffs;

/**
 * {@code crm_ticket} compared with Pacemaker 2.1.5's, both run offline with {@code CIB_file} on their own copy of
 * the same CIB: a script of command lines (every query, grant, revoke, standby, activate, attribute set, get and
 * delete, cleanup, with and without {@code --force}, and the usage errors) runs through Pacemaker's tool and through
 * Vigil's ({@link OfflineMain}, the program {@code CIB_file=F vigil crm_ticket} runs), one after the other on the
 * evolving files; exit status, standard output, standard error and the resulting CIB must be the same. Masked: the
 * time of a grant ({@code last-granted}, set from the clock by each tool) and {@code cib-last-written}.
 *
 * <p>CIBs: on CI two generated ones (a ticket only a constraint names; several tickets with extra state
 * attributes), about 250 command lines; with {@code -Dvigil.ticket.full=true} also one without tickets and the
 * scheduler corpus's CIBs with tickets ({@code rsc_ticket} constraints, {@code ticket_state}s), every
 * {@value #SAMPLE_DEFAULT}th ({@code -Dvigil.differential.sample=1}: all).
 */
class CrmTicketDifferentialTest {

    static final Path CORPUS = Path.of("../scheduler/src/test/resources/pacemaker-scheduler/xml");
    static final int SAMPLE_DEFAULT = 40;
    static final int SAMPLE = Integer.getInteger("vigil.differential.sample", SAMPLE_DEFAULT);
    private static final Pattern GRANTED_DATE = Pattern.compile("last-granted='[^']*'");
    private static final Pattern GRANTED_ATTR = Pattern.compile("last-granted=\"[0-9]*\"");

    @TempDir
    Path tmp;

    /** The tickets a CIB names (constraints and states) and one it does not. */
    static List<String> tickets(XmlNode cib) {
        Set<String> ids = new LinkedHashSet<>();
        collect(cib, ids);
        ids.add("ticketNew");
        return new ArrayList<>(ids);
    }

    private static void collect(XmlNode x, Set<String> ids) {
        if (x.is("rsc_ticket") && x.attribute("ticket") != null) {
            ids.add(x.attribute("ticket"));
        } else if (x.is("ticket_state") && x.attribute("id") != null) {
            ids.add(x.attribute("id"));
        }
        for (XmlNode c : x.children()) {
            collect(c, ids);
        }
    }

    static List<List<String>> script(XmlNode cib) {
        List<List<String>> s = new ArrayList<>();
        s.add(List.of());
        s.add(List.of("-l"));
        s.add(List.of("--details"));
        s.add(List.of("-w"));
        s.add(List.of("--query-xml"));
        s.add(List.of("-c"));
        s.add(List.of("-g"));
        s.add(List.of("-G", "granted"));
        s.add(List.of("-C"));
        s.add(List.of("-S", "x"));
        for (String t : tickets(cib)) {
            s.add(List.of("-t", t, "-l"));
            s.add(List.of("--ticket", t, "-L"));
            s.add(List.of("-t", t, "--raw"));
            s.add(List.of("-t", t, "-q"));
            s.add(List.of("-t", t, "--constraints"));
            s.add(List.of("-t", t, "-G", "granted"));
            s.add(List.of("-t", t, "--get-attr", "nope", "-d", "dflt"));
            s.add(List.of("-t", t, "-G", "nope"));
            s.add(List.of("-t", t, "--grant"));
            s.add(List.of("-t", t, "-g", "--force"));
            s.add(List.of("-t", t, "-G", "granted"));
            s.add(List.of("-t", t, "-L"));
            s.add(List.of("-t", t, "-g", "-f"));
            s.add(List.of("-t", t, "--standby"));
            s.add(List.of("-t", t, "-l"));
            s.add(List.of("-t", t, "-a"));
            s.add(List.of("-t", t, "-S", "owner", "-v", "site-a"));
            s.add(List.of("-t", t, "--set-attr", "a", "--attr-value", "1", "-S", "b", "-v", "2", "-v", "3", "-S",
                "c"));
            s.add(List.of("-t", t, "-G", "owner"));
            s.add(List.of("-t", t, "-L"));
            s.add(List.of("-t", t, "-q"));
            s.add(List.of("-t", t, "-D", "owner"));
            s.add(List.of("-t", t, "--delete-attr", "a", "-D", "nope"));
            s.add(List.of("-t", t, "-D", "granted"));
            s.add(List.of("-t", t, "-C"));
            s.add(List.of("-t", t, "--revoke"));
            s.add(List.of("-t", t, "-r", "--force"));
            s.add(List.of("-t", t, "-w"));
            s.add(List.of("-t", t, "-C"));
            s.add(List.of("-t", t, "-q"));
            s.add(List.of("-t", t, "-s", "-S", "granted", "-v", "yes", "--force"));
            s.add(List.of("-t", t, "-D", "granted", "--force"));
            s.add(List.of("-t", t, "-l"));
            // usage errors
            s.add(List.of("-t", t));
            s.add(List.of("-t", t, "-S", "owner"));
            s.add(List.of("-t", t, "-v", "x"));
            s.add(List.of("-t", t, "-g", "-v", "x"));
            s.add(List.of("-t", t, "-a", "-S", "y"));
            s.add(List.of("-t", t, "--cleanup", "--force"));
            s.add(List.of("-t", t, "-C", "-f"));
        }
        s.add(List.of("-L"));
        s.add(List.of("-q"));
        return s;
    }

    /** The CIB with the time of grants and of the last write masked. */
    static XmlNode masked(XmlNode x) {
        XmlNode m = x;
        if (m.is("ticket_state") && m.attribute("last-granted") != null) {
            m = m.with("last-granted", "<masked>");
        }
        if (m.is("cib") && m.attribute("cib-last-written") != null) {
            m = m.with("cib-last-written", "<masked>");
        }
        List<XmlNode> children = new ArrayList<>();
        for (XmlNode c : m.children()) {
            children.add(masked(c));
        }
        return m.withChildren(children);
    }

    static String mask(String text) {
        return GRANTED_ATTR.matcher(GRANTED_DATE.matcher(text).replaceAll("last-granted=<masked>"))
            .replaceAll("last-granted=<masked>");
    }

    /** Pacemaker's standard error without log lines. */
    private static String withoutLogLines(String err) {
        return err.lines().filter(l -> !l.startsWith("(")).map(l -> l + "\n").collect(Collectors.joining());
    }

    /** Runs the script on one CIB through both tools; returns the differences, counts lines in {@code count}. */
    List<String> compare(String name, String xml, int[] count) throws Exception {
        Path theirs = tmp.resolve("pacemaker-" + name);
        Path ours = tmp.resolve("vigil-" + name);
        Files.writeString(theirs, xml);
        Files.writeString(ours, xml);
        List<String> differences = new ArrayList<>();
        for (List<String> args : script(XmlText.parse(xml, name))) {
            PacemakerTools.Run pm = PacemakerTools.run(tmp, Map.of("CIB_file", theirs.toString()), "crm_ticket",
                args);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> argv = new ArrayList<>();
            argv.add("crm_ticket");
            argv.addAll(args);
            int exit;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                exit = OfflineMain.run(ours.toString(), argv.toArray(new String[0]), o, e);
            }
            String vOut = out.toString(StandardCharsets.UTF_8);
            String vErr = err.toString(StandardCharsets.UTF_8);
            count[0]++;
            XmlNode pmCib = masked(XmlText.parse(Files.readString(theirs), "pacemaker"));
            XmlNode vgCib = masked(XmlText.parse(Files.readString(ours), "vigil"));
            String what = null;
            if (pm.exit() != exit) {
                what = "exit " + exit + " (Pacemaker " + pm.exit() + ")";
            } else if (!mask(pm.out()).equals(mask(vOut))) {
                what = "stdout";
            } else if (!withoutLogLines(pm.err()).equals(vErr)) {
                what = "stderr";
            } else if (XmlDiffs.firstDifference(vgCib, pmCib) != null) {
                what = "CIB differs (Vigil first) at " + XmlDiffs.firstDifference(vgCib, pmCib);
            }
            if (what != null) {
                differences.add(name + ": crm_ticket " + String.join(" ", args) + ": " + what + "\n  Vigil: exit "
                    + exit + "\n--- stdout\n" + vOut + "--- stderr\n" + vErr + "  Pacemaker: " + pm);
                Files.copy(theirs, ours, StandardCopyOption.REPLACE_EXISTING);   // carry on from Pacemaker's
            }
        }
        return differences;
    }

    /** Generated CIBs: no tickets at all, no status section content, several tickets with odd states. */
    static Map<String, String> generated() {
        String conf = "<configuration><crm_config><cluster_property_set id=\"o\"><nvpair id=\"o-s\" "
            + "name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config><nodes><node id=\"1\" "
            + "uname=\"n1\"/><node id=\"2\" uname=\"n2\"/></nodes><resources><primitive id=\"d1\" class=\"ocf\" "
            + "provider=\"pacemaker\" type=\"Dummy\"/><primitive id=\"d2\" class=\"ocf\" provider=\"pacemaker\" "
            + "type=\"Dummy\"/></resources><constraints>%s</constraints></configuration>";
        String head = "<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"5\" num_updates=\"2\" "
            + "admin_epoch=\"0\">";
        return Map.of(
            "no-tickets.xml", head + String.format(conf, "") + "<status/></cib>",
            "constraint-only.xml", head + String.format(conf, "<rsc_ticket id=\"t1\" rsc=\"d1\" ticket=\"T1\" "
                + "loss-policy=\"stop\"/>") + "<status/></cib>",
            "several.xml", head + String.format(conf, "<rsc_ticket id=\"t1\" rsc=\"d1\" ticket=\"alpha\"/>"
                + "<rsc_ticket id=\"t2\" rsc=\"d2\" ticket=\"beta\" loss-policy=\"fence\"/><rsc_ticket id=\"t3\" "
                + "rsc=\"d2\" ticket=\"alpha\" rsc-role=\"Started\"/>") + "<status><tickets><ticket_state "
                + "id=\"gamma\" granted=\"true\" last-granted=\"1700000000\" expires=\"1700003600\" owner=\"x\"/>"
                + "<ticket_state id=\"beta\" standby=\"on\" granted=\"1\"/></tickets><node_state id=\"1\" "
                + "uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/></status></cib>");
    }

    @Test
    void everyCommandAnswersAndChangesTheCibAsPacemakersCrmTicket() throws Exception {
        assumeTrue(PacemakerTools.available("crm_ticket"), "Pacemaker's crm_ticket is not installed");
        List<String> differences = new ArrayList<>();
        int[] count = {0};
        int cibs = 0;
        boolean full = Boolean.getBoolean("vigil.ticket.full");
        for (Map.Entry<String, String> g : new java.util.TreeMap<>(generated()).entrySet()) {
            if (!full && g.getKey().equals("no-tickets.xml")) {
                continue;
            }
            differences.addAll(compare(g.getKey(), g.getValue(), count));
            cibs++;
        }
        List<Path> corpus;
        try (var files = Files.list(CORPUS)) {
            corpus = files.filter(p -> {
                try {
                    String s = Files.readString(p);
                    return s.contains("<rsc_ticket") || s.contains("<ticket_state");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
        for (int k = 0; full && k < corpus.size(); k += SAMPLE) {
            Path p = corpus.get(k);
            differences.addAll(compare(p.getFileName().toString(), Files.readString(p), count));
            cibs++;
        }
        differences.forEach(d -> System.out.println("DIFF " + d.lines().findFirst().orElse("")));
        System.out.println("crm_ticket differential: " + (count[0] - differences.size()) + " of "
            + count[0] + " command lines identical (" + cibs + " CIBs, " + corpus.size() + " corpus CIBs with tickets, every "
            + SAMPLE + ")");
        assertTrue(count[0] > 200, "only " + count[0] + " command lines");
        assertTrue(differences.isEmpty(), differences.size() + " of " + count[0] + " command lines differ:\n"
            + String.join("\n", differences.subList(0, Math.min(10, differences.size()))));
    }
}
