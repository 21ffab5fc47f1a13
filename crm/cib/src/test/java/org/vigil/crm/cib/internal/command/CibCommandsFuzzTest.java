package org.vigil.crm.cib.internal.command;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.LoopbackCib;
import org.vigil.crm.cib.internal.TestNode;
import org.vigil.crm.cib.internal.ops.CibXPath;
import org.vigil.crm.cib.internal.validate.CibValidator;
import org.vigil.crm.internal.scheduler.StandardPolicyEngine;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.fuzz.CommandFuzz;
import org.vigil.kernel.fuzz.CommandFuzz.Line;
import org.vigil.kernel.fuzz.CommandFuzz.Outcome;

/**
 * Fuzz target {@code cibcommands}: sessions of up to four command lines of {@code cibadmin}, {@code crm_attribute},
 * {@code crm_node}, {@code crm_verify} and {@code crm_diff} (the real commands, with fuzzer-chosen arguments and,
 * for {@code cibadmin -p}, standard input) on the real CIB engine in memory ({@link LoopbackCib}), which starts from
 * a Pacemaker regression CIB (three cluster nodes, a remote node, groups, clones, constraints, fencing levels,
 * transient attributes; with resource defaults and a ticket added), with the real scheduler behind
 * {@code crm_verify}; files are read from (and {@code crm_verify -S} writes into) a directory of its own, the
 * client's working directory. Arguments come from the input format of {@link CommandFuzz}: the tools' option
 * spellings, the CIB's ids, names and values, sections, XPath and XML fragments, file names, edge numbers, and
 * whatever libFuzzer makes of them.
 *
 * <p>Invariants, per command line: nothing but a usage error leaves the command (the admin socket would answer
 * "failed" with the exception); the exit status is a {@code crm_exit_t} value; a non-zero exit says why on
 * standard error (except the statuses that are the answer: {@code crm_diff}'s 1 "the documents differ" with the
 * patch on standard output, {@code crm_node -q}'s 106 "not quorate"); what is printed is bounded (64 KiB plus twice
 * the CIB plus 64 bytes per byte of arguments and input); a command that failed left the CIB as it was (nothing
 * half-applied), every request the command made was answered by the engine (on a node, an unanswered one makes
 * the client wait for its timeout), and a command that only reads ({@code crm_verify}, {@code crm_diff}, {@code cibadmin -Q},
 * {@code crm_node} without {@code -R}) never changes it; every argument of {@code crm_attribute} and
 * {@code crm_node}, put into an XPath expression as those tools put names, stays a literal (this replaces Jazzer's
 * XPath-injection sanitizer, which the module's POM turns off: it reports every expression that does not compile,
 * and {@code cibadmin --xpath} compiles what the admin typed, by design).
 *
 * <p>An input whose file arguments name anything outside the sandbox directory is skipped (the fuzzer must not
 * read devices or write over the machine's files); a path the JDK refuses ({@code InvalidPathException}) is run.
 */
class CibCommandsFuzzTest {

    private static final List<String> COMMANDS = List.of("cibadmin", "crm_attribute", "crm_node", "crm_verify",
        "crm_diff");
    /** Options whose values are file names, per command. */
    private static final Map<String, Set<String>> FILE_OPTIONS = Map.of("cibadmin", Set.of("xml-file"),
        "crm_verify", Set.of("xml-file", "save-xml"), "crm_diff", Set.of("original", "new", "patch"));
    private static final String SEED_FILE = "crm/scheduler/src/test/resources/pacemaker-scheduler/xml/"
        + "remote-stale-node-entry.xml";
    private static final long FIXED_OUTPUT = 64 << 10;
    private static final long OUTPUT_PER_BYTE = 64;

    static final XmlNode SEED;
    /** The seed with epoch + 1 and three changes: what -R, -x and crm_diff -n use. */
    static final XmlNode CHANGED;
    private static final long SEED_BYTES;
    static final List<String> WORDS;
    private static final Path SANDBOX;
    private static final Map<Path, byte[]> SANDBOX_FILES = new LinkedHashMap<>();
    private static final PolicyEngine SCHEDULER = new StandardPolicyEngine();
    private static final CibValidator VALIDATOR = CibValidator.standard();
    /** Node 1 of a nodelist of four; node 4 is known to the kernel only, not to the CIB. */
    private static final TestNode NODE = new TestNode(1, "rhel7-node1", Map.of(1, "rhel7-node1", 2, "rhel7-node2",
        3, "rhel7-node3", 4, "rhel7-node4"));

    static {
        try {
            String text = Files.readString(Path.of(System.getProperty("vigil.root", "../.."), SEED_FILE))
                .replace("</op_defaults>", "</op_defaults>\n    <rsc_defaults>\n      <meta_attributes "
                    + "id=\"rsc-options\">\n        <nvpair id=\"rsc-options-resource-stickiness\" "
                    + "name=\"resource-stickiness\" value=\"1\"/>\n      </meta_attributes>\n    </rsc_defaults>")
                .replace("  </status>", "    <tickets>\n      <ticket_state id=\"ticketA\" granted=\"true\" "
                    + "last-granted=\"1700000000\"/>\n    </tickets>\n  </status>")
                .replace("<node id=\"2\" uname=\"rhel7-node2\"/>", "<node id=\"2\" uname=\"rhel7-node2\">\n"
                    + "        <utilization id=\"nodes-2-utilization\">\n          <nvpair id=\"nodes-2-cpu\" "
                    + "name=\"cpu\" value=\"4\"/>\n        </utilization>\n      </node>");
            SEED = XmlText.parse(text, "seed");
            assertTrue(VALIDATOR.validate(SEED).valid(), "the seed CIB validates: " + VALIDATOR.validate(SEED));
            SEED_BYTES = SEED.toPrettyXml().getBytes(StandardCharsets.UTF_8).length;
            CHANGED = XmlText.parse(text.replace("epoch=\"98\"", "epoch=\"99\"")
                .replace("value=\"90s\"", "value=\"120s\"")
                .replace("<rsc_order id=\"lsb-dummy-after-group-1\"", "<rsc_location id=\"loc-migrator\" "
                    + "rsc=\"migrator\" node=\"rhel7-node2\" score=\"50\"/>\n      <rsc_order id=\"lsb-dummy-after-group-1\"")
                .replace("<nvpair id=\"cts-batch-limit\" name=\"batch-limit\" value=\"10\"/>", ""), "changed");
            SANDBOX = Files.createTempDirectory("vigil-cibcommands-fuzz");
            Runtime.getRuntime().addShutdownHook(new Thread(CibCommandsFuzzTest::removeSandbox));
            sandboxFile("cib.xml", SEED.toPrettyXml());
            sandboxFile("new.xml", CHANGED.toPrettyXml());
            sandboxFile("patch.xml", CrmDiffCommand.patchset(SEED, CHANGED, true).toPrettyXml());
            sandboxFile("bad.xml", "<cib><configuration>");
            sandboxFile("empty.xml", "");
            sandboxFile("resources.xml", "<resources/>\n");
            Files.createDirectories(SANDBOX.resolve("sub"));
            sandboxFile("sub/cib.xml", SEED.toPrettyXml());
            WORDS = words();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @MethodSource("sessions")
    @FuzzTest
    void sessions(byte[] input) throws Exception {
        List<Line> lines = CommandFuzz.decode(input, COMMANDS, WORDS);
        for (Line l : lines) {
            if (!confined(l)) {
                return;
            }
        }
        LoopbackCib cib = new LoopbackCib(SEED);
        CrmNodeCommandTest.Members members = new CrmNodeCommandTest.Members(1, 2);
        CrmNodeCommandTest.Quorum quorum = new CrmNodeCommandTest.Quorum();
        quorum.set(true, List.of(1, 2));
        for (Line l : lines) {
            AdminCommand command = switch (l.command()) {
                case "cibadmin" -> new CibadminCommand(cib);
                case "crm_attribute" -> new CrmAttributeCommand(cib, NODE);
                case "crm_node" -> new CrmNodeCommand(members, quorum, NODE, cib);
                case "crm_verify" -> new CrmVerifyCommand(cib, SCHEDULER, VALIDATOR);
                default -> new CrmDiffCommand();
            };
            CibSnapshot before = cib.current();
            int unanswered = cib.unanswered();
            Outcome o = CommandFuzz.run(command, l, new CommandContext(SANDBOX, l.stdin()));
            restoreSandbox(l);
            CibSnapshot after = cib.current();
            if (cib.unanswered() != unanswered) {
                throw new AssertionError(l + ": the CIB engine left a request unanswered (a node's client waits for its "
                    + "timeout); the engine logged: " + cib.log() + "\n" + o);
            }
            if (Boolean.getBoolean("vigil.fuzz.trace")) {
                System.err.println("TRACE " + l + " -> " + o.status() + " changed=" + !before.equals(after) + " err="
                    + o.errText().lines().findFirst().orElse(""));
            }
            check(l, o, before, after);
        }
    }

    /** The invariants for one command line (package-visible for the tests that show each check catches its bug). */
    static void check(Line l, Outcome o, CibSnapshot before, CibSnapshot after) {
        CommandFuzz.assertNothingEscaped(l, o);
        CommandFuzz.assertStatusIn(CommandFuzz.CRM_EXIT, l, o);
        CommandFuzz.assertFailureExplained(l, o, (l.command().equals("crm_diff") && o.status() == 1)
            || (l.command().equals("crm_node") && o.status() == 106));
        long fixed = FIXED_OUTPUT + 2 * SEED_BYTES;
        if ((long) o.out().length + o.err().length > fixed + OUTPUT_PER_BYTE * l.inputBytes()) {
            // the CIB may have grown in this session: measure it
            fixed = FIXED_OUTPUT + 2L * Math.max(bytes(before), bytes(after));
        }
        CommandFuzz.assertOutputBounded(l, o, fixed, 0, OUTPUT_PER_BYTE);
        if (o.status() != 0 && !before.equals(after)) {
            throw new AssertionError(l + ": failed (exit " + o.status() + ") but changed the CIB from "
                + before.version() + " to " + after.version() + " (half-applied)\n" + o);
        }
        if (readOnly(l) && !before.equals(after)) {
            throw new AssertionError(l + ": only reads, but changed the CIB from " + before.version() + " to "
                + after.version() + "\n" + o);
        }
        if (l.command().equals("crm_attribute") || l.command().equals("crm_node")) {
            l.args().forEach(CibCommandsFuzzTest::assertStaysLiteral);
        }
    }

    /**
     * A name typed to crm_attribute or crm_node goes into the XPath expressions they build as a literal
     * ({@link NodeNames#literal}): it matches itself and nothing else, whatever quotes it holds (no XPath injection).
     */
    static void assertStaysLiteral(String name) {
        XmlNode probe = XmlNode.of("cib").plusChild(XmlNode.of("a", "v", name)).plusChild(XmlNode.of("a", "v",
            name + "'")).plusChild(XmlNode.of("a", "v", "\"" + name));
        List<int[]> hits;
        try {
            hits = CibXPath.select(probe, "/cib/a[@v=" + NodeNames.literal(name) + "]");
        } catch (CibError e) {
            throw new AssertionError("the name '" + name + "' breaks the XPath literal " + NodeNames.literal(name)
                + ": " + e.getMessage(), e);
        }
        if (hits.size() != 1 || hits.get(0)[0] != 0) {
            throw new AssertionError("the name '" + name + "' as the XPath literal " + NodeNames.literal(name)
                + " selects " + hits.size() + " elements, not itself alone");
        }
    }

    private static long bytes(CibSnapshot s) {
        return s.root().toPrettyXml().getBytes(StandardCharsets.UTF_8).length;
    }

    private static ToolOptions options(String command) {
        return switch (command) {
            case "cibadmin" -> CibadminCommand.options();
            case "crm_attribute" -> CrmAttributeCommand.options();
            case "crm_node" -> CrmNodeCommand.options();
            case "crm_verify" -> CrmVerifyCommand.options();
            default -> CrmDiffCommand.options();
        };
    }

    /** The command line as the command parses it; null for a usage error. */
    private static CommandLine parsed(Line l) {
        try {
            return options(l.command()).parse(l.args());
        } catch (UsageException e) {
            return null;
        }
    }

    private static boolean readOnly(Line l) {
        switch (l.command()) {
            case "crm_verify", "crm_diff" -> {
                return true;
            }
            case "crm_node" -> {
                CommandLine cl = parsed(l);
                return cl == null || !cl.hasOption("remove");
            }
            case "cibadmin" -> {
                CommandLine cl = parsed(l);
                return cl == null || cl.hasOption("query");
            }
            default -> {
                return parsed(l) == null;
            }
        }
    }

    /** The files the command line names, resolved as the command resolves them (a path the JDK refuses: none). */
    private static List<Path> files(Line l) {
        Set<String> names = FILE_OPTIONS.get(l.command());
        CommandLine cl = names == null ? null : parsed(l);
        List<Path> files = new ArrayList<>();
        if (cl != null) {
            for (Option o : cl.getOptions()) {
                if (names.contains(o.getLongOpt()) && o.getValue() != null) {
                    try {
                        files.add(SANDBOX.resolve(o.getValue()).normalize());
                    } catch (InvalidPathException e) {
                        // the command fails the same way before it touches a file
                    }
                }
            }
        }
        return files;
    }

    /** True unless a file argument leaves the sandbox. */
    private static boolean confined(Line l) {
        for (Path p : files(l)) {
            if (!p.startsWith(SANDBOX)) {
                return false;
            }
        }
        return true;
    }

    /** After {@code crm_verify -S}: the sandbox as it was (a file written over is restored, a new one removed). */
    private static void restoreSandbox(Line l) throws IOException {
        if (!l.command().equals("crm_verify")) {
            return;
        }
        for (Path p : files(l)) {
            byte[] original = SANDBOX_FILES.get(p);
            if (original != null) {
                if (!java.util.Arrays.equals(original, Files.readAllBytes(p))) {
                    Files.write(p, original);
                }
            } else if (Files.isRegularFile(p)) {
                Files.delete(p);
            }
        }
    }

    private static void sandboxFile(String name, String content) throws IOException {
        Path p = SANDBOX.resolve(name);
        Files.createDirectories(p.getParent());
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        Files.write(p, b);
        SANDBOX_FILES.put(p, b);
    }

    private static void removeSandbox() {
        try (Stream<Path> all = Files.walk(SANDBOX)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- vocabulary and seeds --------------------------------------------------------------------------------

    private static List<String> words() {
        Set<String> w = new LinkedHashSet<>();
        for (String c : COMMANDS) {
            w.addAll(options(c).spellings());
        }
        collect(SEED, w);
        w.addAll(List.of(
            // sections, types, lifetimes
            "configuration", "nodes", "resources", "constraints", "crm_config", "rsc_defaults", "op_defaults", "acls",
            "fencing-topology", "tags", "alerts", "status", "cib", "all", "tickets", "reboot", "forever",
            "utilization", "text", "xml",
            // nodes
            "rhel7-node4", "RHEL7-NODE2", "remote1", "nosuchnode", "0", "4", "9",
            // values, patterns, numbers
            "true", "false", "INFINITY", "-INFINITY", "a'b\"c", "", " ", "master-stateful-1", ".*", "[", "cts-.*",
            "(a|", "1", "-1", "30", "2147483648", "4294967296", "9223372036854775807", "99999999999999999999",
            "1e3", " 5",
            // files (relative to the sandbox)
            "cib.xml", "new.xml", "patch.xml", "bad.xml", "empty.xml", "resources.xml", "sub", "sub/cib.xml",
            "missing.xml", ".", "saved.xml", "sub/saved.xml", "cib.xml/x", "nul\0byte",
            // XPath
            "/cib", "/cib/configuration", "/cib/configuration/resources", "//primitive",
            "//primitive[@id='migrator']", "//nvpair[@name='resource-stickiness']", "//node_state",
            "/cib/status/node_state[@id='1']/transient_attributes", "//*", "//op[@name='monitor']",
            "count(//primitive)", "//@id", "/cib/configuration/nodes/node[@uname='rhel7-node1']", "//constraints/*",
            "..", "//text()", "|", "']", "//nvpair[contains(@name,'s')]", "/cib/status/tickets",
            // XML
            "<primitive id=\"new-rsc\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>",
            "<primitive id=\"migrator\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>",
            "<nvpair id=\"cts-stonith-enabled\" name=\"stonith-enabled\" value=\"0\"/>",
            "<nvpair id=\"x\" name=\"y\" value=\"z\"/>",
            "<rsc_location id=\"loc\" rsc=\"migrator\" node=\"rhel7-node1\" score=\"INFINITY\"/>",
            "<constraints><rsc_order id=\"o\" first=\"migrator\" then=\"group-1\"/></constraints>",
            "<resources><primitive id=\"migrator\"><meta_attributes id=\"migrator-meta\"><nvpair "
                + "id=\"migrator-target-role\" name=\"target-role\" value=\"Stopped\"/></meta_attributes>"
                + "</primitive></resources>",
            "<node id=\"9\" uname=\"nine\"/>", "<node_state id=\"1\" uname=\"rhel7-node1\"><transient_attributes "
                + "id=\"1\"/></node_state>",
            "<tickets><ticket_state id=\"ticketB\" granted=\"false\"/></tickets>", "<status/>", "<resources/>",
            "<cib/>", "<bogus/>", "<primitive/>", "<a", "<!DOCTYPE cib [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<cib>&e;</cib>",
            SEED.toXml(), CHANGED.toXml(), CrmDiffCommand.patchset(SEED, CHANGED, true).toXml(),
            CrmDiffCommand.patchset(SEED, CHANGED, false).toXml(),
            "<diff format=\"2\"><version><source admin_epoch=\"1\" epoch=\"98\" num_updates=\"3394\"/><target "
                + "admin_epoch=\"1\" epoch=\"99\" num_updates=\"0\"/></version><change operation=\"delete\" "
                + "path=\"/cib/configuration/resources/primitive[@id='migrator']\"/></diff>",
            "<diff format=\"2\"><change operation=\"modify\" path=\"/cib\"><change-list><change-attr "
                + "name=\"epoch\" operation=\"set\" value=\"-5\"/></change-list></change></diff>"));
        return List.copyOf(w);
    }

    /** The ids, names and values of the CIB (the words an admin types about this cluster). */
    private static void collect(XmlNode n, Set<String> into) {
        for (String a : List.of("id", "uname", "name", "value", "rsc", "type")) {
            String v = n.attribute(a);
            if (v != null && v.length() <= 64) {
                into.add(v);
            }
        }
        for (XmlNode c : n.children()) {
            collect(c, into);
        }
    }

    static Stream<Arguments> sessions() {
        List<Line[]> s = new ArrayList<>();
        // cibadmin
        s.add(lines(CommandFuzz.line("cibadmin", "-Q")));
        s.add(lines(CommandFuzz.line("cibadmin", "-Q", "-o", "resources", "--no-children")));
        s.add(lines(CommandFuzz.line("cibadmin", "--query", "--xpath", r("//primitive[@id='migrator']"), "-e")));
        s.add(lines(CommandFuzz.line("cibadmin", r("-Q"), r("--scope"), r("status"), r("--xpath"), r("//node_state"),
            r("--no-children"))));
        s.add(lines(CommandFuzz.line("cibadmin", "-C", "-o", "resources", "-X",
            "<primitive id=\"new-rsc\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>"),
            CommandFuzz.line("cibadmin", "-D", "--xpath", "//primitive[@id='new-rsc']")));
        s.add(lines(CommandFuzz.line("cibadmin", "-M", "-X",
            "<nvpair id=\"cts-stonith-enabled\" name=\"stonith-enabled\" value=\"0\"/>")));
        s.add(lines(CommandFuzz.line("cibadmin", r("-M"), r("-X"), r("<resources><primitive id=\"migrator\">"
            + "<meta_attributes id=\"migrator-meta\"><nvpair id=\"migrator-target-role\" name=\"target-role\" "
            + "value=\"Stopped\"/></meta_attributes></primitive></resources>"))));
        s.add(lines(CommandFuzz.line("cibadmin", "-M", "-c", "-o", "constraints", "-X",
            "<rsc_location id=\"loc\" rsc=\"migrator\" node=\"rhel7-node1\" score=\"INFINITY\"/>")));
        s.add(lines(CommandFuzz.line("cibadmin", "-R", "-x", "new.xml")));
        s.add(lines(CommandFuzz.line("cibadmin", "-R", "-o", "constraints", "-X", "<constraints/>")));
        s.add(lines(CommandFuzz.line("cibadmin", "-P", "-x", "patch.xml")));
        s.add(lines(CommandFuzz.piped(CrmDiffCommand.patchset(SEED, CHANGED, true).toPrettyXml(), "cibadmin",
            "--patch", "--xml-pipe")));
        s.add(lines(CommandFuzz.piped("<nvpair id=\"x\" name=\"y\" value=\"z\"/>", "cibadmin", "-C", "-p",
            "--scope", "crm_config")));
        s.add(lines(CommandFuzz.line("cibadmin", "-d", "--force", "--xpath", "//nvpair[@name='shutdown']")));
        s.add(lines(CommandFuzz.line("cibadmin", "-E", "--force")));
        s.add(lines(CommandFuzz.line("cibadmin", "-B", "-t", "5")));
        s.add(lines(CommandFuzz.line("cibadmin", "-u", "--force")));
        s.add(lines(CommandFuzz.line("cibadmin", "-5", "-x", "cib.xml")));
        s.add(lines(CommandFuzz.line("cibadmin", "--md5-sum-versioned", "-X", "<cib epoch=\"1\"/>")));
        s.add(lines(CommandFuzz.line("cibadmin", "-a")));
        s.add(lines(CommandFuzz.line("cibadmin", "--help")));
        // crm_attribute
        s.add(lines(CommandFuzz.line("crm_attribute", "-n", "no-quorum-policy", "-G")));
        s.add(lines(CommandFuzz.line("crm_attribute", "--name", "batch-limit", "--update", "20")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-t", "rsc_defaults", "-n", "resource-stickiness", "-D")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-N", "rhel7-node2", "-n", "site", "-v", "north"),
            CommandFuzz.line("crm_attribute", "-N", "rhel7-node2", "-n", "site", "-G", "-q")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-N", "rhel7-node1", "-l", "reboot", "-n", "pingd", "-v",
            "100")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-N", "rhel7-node4", "-n", "weight", "-v", "3")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-N", "remote1", "-n", "site", "-v", "far")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-N", "rhel7-node2", "-z", "-n", "cpu", "-G")));
        s.add(lines(CommandFuzz.line("crm_attribute", r("--node"), r("remote1"), r("--lifetime"), r("reboot"),
            r("--name"), r("connected"), r("--update"), r("1"))));
        s.add(lines(CommandFuzz.line("crm_attribute", r("-t"), r("op_defaults"), r("-n"), r("timeout"), r("-v"),
            r("INFINITY"))));
        s.add(lines(CommandFuzz.line("crm_attribute", "-P", "shut.*", "-l", "reboot", "-N", "rhel7-node3", "-D")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-t", "tickets", "-n", "granted", "-G", "-d", "false")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-N", "rhel7-node1", "-n", "it's", "-v", "a \"quoted\" value"),
            CommandFuzz.line("crm_attribute", "-N", "rhel7-node1", "-n", "it's", "-G")));
        s.add(lines(CommandFuzz.line("crm_attribute", "--promotion=stateful-1", "-N", "rhel7-node1", "-v", "10")));
        s.add(lines(CommandFuzz.line("crm_attribute", "-n", "x", "-i", "cts-dc-deadtime", "-s",
            "cib-bootstrap-options", "-v", "10s")));
        // crm_node
        s.add(lines(CommandFuzz.line("crm_node", "-l")));
        s.add(lines(CommandFuzz.line("crm_node", "-p"), CommandFuzz.line("crm_node", "-q"),
            CommandFuzz.line("crm_node", "-i"), CommandFuzz.line("crm_node", "-n")));
        s.add(lines(CommandFuzz.line("crm_node", "-N", r("3"))));
        s.add(lines(CommandFuzz.line("crm_node", "-R", "rhel7-node3", "--force")));
        s.add(lines(CommandFuzz.line("crm_node", "--remove", "3", "-f")));
        s.add(lines(CommandFuzz.line("crm_node", "-R", "rhel7-node2", "--force")));
        // crm_verify
        s.add(lines(CommandFuzz.line("crm_verify", "-L", "-V")));
        s.add(lines(CommandFuzz.line("crm_verify", "-x", "new.xml", "-VV")));
        s.add(lines(CommandFuzz.line("crm_verify", "-X", "<cib><configuration/></cib>")));
        s.add(lines(CommandFuzz.line("crm_verify", "-L", "-S", "saved.xml")));
        // crm_diff
        s.add(lines(CommandFuzz.line("crm_diff", "-o", "cib.xml", "-n", "new.xml")));
        s.add(lines(CommandFuzz.line("crm_diff", "-o", "cib.xml", "-n", "new.xml", "--cib")));
        s.add(lines(CommandFuzz.line("crm_diff", "-o", "cib.xml", "-p", "patch.xml")));
        s.add(lines(CommandFuzz.line("crm_diff", r("--original"), r("cib.xml"), r("--new-string"), r("<cib/>"),
            r("--no-version"))));
        s.add(lines(CommandFuzz.line("crm_diff", "-O", "<a x=\"1\"><b id=\"2\"/></a>", "-N",
            "<a x=\"2\"><c id=\"3\"/></a>", "-u")));
        // sessions mixing the tools
        s.add(lines(CommandFuzz.line("crm_attribute", "-n", "stonith-enabled", "-v", "false"),
            CommandFuzz.line("crm_verify", "-L"), CommandFuzz.line("cibadmin", "-Q", "-o", "crm_config")));
        s.add(lines(CommandFuzz.line("crm_node", "-R", "rhel7-node3", "--force"),
            CommandFuzz.line("crm_attribute", "-N", "rhel7-node3", "-n", "x", "-v", "1")));
        return s.stream().map(l -> Arguments.of((Object) CommandFuzz.encode(l)));
    }

    private static Line[] lines(Line... l) {
        return l;
    }

    private static String r(String word) {
        return CommandFuzz.ref(WORDS, word);
    }
}
