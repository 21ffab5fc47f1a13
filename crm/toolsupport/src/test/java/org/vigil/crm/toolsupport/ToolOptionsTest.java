package org.vigil.crm.toolsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.command.UsageException;

/** The parse errors in each real parser's wording (checked against the real tools by each tool's differential test). */
class ToolOptionsTest {

    private static ToolOptions glib() {
        return new ToolOptions("crmadmin", "crmadmin [options]").flag("D", "dc_lookup", "DC")
            .value("t", "timeout", "TIMESPEC", "timeout").optionalValue("N", "nodes", "TYPES", "nodes");
    }

    private static ToolOptions getopt(boolean longs) {
        ToolOptions o = ToolOptions.getopt("corosync-cfgtool", "usage", longs).shortFlag("s", "status")
            .shortValue("k", "NODEID", "kill");
        return o;
    }

    private static String fail(ToolOptions o, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> o.parse(List.of(args), true));
        return e.status() + " " + e.getMessage().lines().findFirst().orElse("");
    }

    @Test
    void glibWording() {
        assertEquals("64 crmadmin: Unknown option --bogus", fail(glib(), "--bogus"));
        assertEquals("64 crmadmin: Unknown option --bogus=1", fail(glib(), "-D", "--bogus=1"));
        assertEquals("64 crmadmin: Unknown option -x", fail(glib(), "-Dx"));
        assertEquals("64 crmadmin: Missing argument for -t", fail(glib(), "-D", "-t"));
        assertEquals("64 crmadmin: Missing argument for --timeout", fail(glib(), "-D", "--timeout"));
        assertEquals("64 crmadmin: Error parsing option --timeout", glib().badValue("t", null).status() + " "
            + errorOf(glib(), "--timeout", "x"));
    }

    private static String errorOf(ToolOptions o, String... args) {
        try {
            o.parse(List.of(args), true);
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
        return o.badValue("t", null).getMessage();
    }

    @Test
    void aValueMayStartWithADash() throws Exception {
        CommandLine cl = glib().parse(List.of("-t", "-D"), true);
        assertEquals("-D", cl.getOptionValue("t"));
        cl = getopt(true).parse(List.of("-k", "-s"), true);
        assertEquals("-s", cl.getOptionValue("k"));
    }

    @Test
    void getoptWording() {
        assertEquals("1 corosync-cfgtool: invalid option -- 'Z'", fail(getopt(false), "-Z"));
        assertEquals("1 corosync-cfgtool: invalid option -- 'Z'", fail(getopt(false), "-sZ"));
        assertEquals("1 corosync-cfgtool: invalid option -- '-'", fail(getopt(false), "--bogus"));
        assertEquals("1 corosync-cfgtool: unrecognized option '--bogus'", fail(getopt(true), "--bogus"));
        assertEquals("1 corosync-cfgtool: option requires an argument -- 'k'", fail(getopt(true), "-s", "-k"));
        ToolOptions withUsage = getopt(false).usageOnError("usage: ...");
        UsageException e = assertThrows(UsageException.class, () -> withUsage.parse(List.of("-Z"), true));
        assertEquals("corosync-cfgtool: invalid option -- 'Z'\nusage: ...", e.getMessage());
    }

    @Test
    void glibOptionalValueIsNeverAWordStartingWithADash() throws Exception {
        assertEquals("64 crmadmin: Unknown option --bogus=1", fail(glib(), "-N", "--bogus=1"));
        assertEquals("remote", glib().parse(List.of("-N", "remote"), true).getOptionValue("N"));
        assertEquals(null, glib().parse(List.of("-N", "-D"), true).getOptionValue("N"));
    }

    @Test
    void pythonGetoptWording() throws Exception {
        ToolOptions pcs = ToolOptions.pythonGetopt("pcs", "pcs").shortValue("f", "FILE", "file")
            .longFlag("full", "full").longFlag("force", "force").longValue("group", "G", "group")
            .longFlag("help", "help").longFlag("hide-inactive", "hide");
        assertEquals("1 Error: option --bogus not recognized", fail(pcs, "status", "--bogus"));
        assertEquals("1 Error: option -Z not recognized", fail(pcs, "-Z"));
        assertEquals("1 Error: option -f requires argument", fail(pcs, "-f"));
        assertEquals("1 Error: option --group requires argument", fail(pcs, "--group"));
        assertEquals("1 Error: option --full must not have an argument", fail(pcs, "--full=1"));
        assertEquals("1 Error: option --h not a unique prefix", fail(pcs, "--h"));
        assertEquals("G", pcs.parse(List.of("--gr", "G"), true).getOptionValue("group"));
    }

    private static ToolOptions argparse() {
        return ToolOptions.argparse("crm", "crm [OPTIONS] [SUBCOMMAND ARGS...]").ignoreUnknown()
            .longFlag("version", "v").value("f", "file", "FILE", "f").value("D", "display", "T", "d")
            .flag("F", "force", "F").flag("w", "wait", "w").flag("d", "debug", "d").shortValue("X", "P", "x")
            .longFlag("dry-run", "Vigil's").exactOnly("dry-run");
    }

    private static String argparseFail(ToolOptions o, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> o.parse(List.of(args), true));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals("usage: crm [OPTIONS] [SUBCOMMAND ARGS...]", lines.get(0), "argparse prints its usage first");
        return e.status() + " " + lines.get(lines.size() - 1);
    }

    /** Python argparse as crmsh's crm reads its own options (checked against crmsh by CrmshOptionsDifferentialTest). */
    @Test
    void argparseWording() throws Exception {
        assertEquals("2 crm: error: argument -f/--file: expected one argument", argparseFail(argparse(), "-f"));
        assertEquals("2 crm: error: argument -f/--file: expected one argument", argparseFail(argparse(), "--fi",
            "-w"));
        assertEquals("2 crm: error: argument -X: expected one argument", argparseFail(argparse(), "-X"));
        assertEquals("2 crm: error: ambiguous option: --d could match --display, --debug",
            argparseFail(argparse(), "--d", "x"));
        assertEquals("2 crm: error: argument -w/--wait: ignored explicit argument 'Z'", argparseFail(argparse(),
            "-wZ"));
        assertEquals("2 crm: error: argument -w/--wait: ignored explicit argument '1'", argparseFail(argparse(),
            "--wait=1"));
        // unknown options before the subcommand are left aside; options stop at the first other word
        CommandLine cl = argparse().parse(List.of("--bogus", "-wF", "-Dplain", "-X=p", "status", "-w", "--bogus"),
            true);
        assertEquals(List.of("status", "-w", "--bogus"), cl.getArgList());
        assertEquals("plain", cl.getOptionValue("D"));
        assertEquals("p", cl.getOptionValue("X"));
        assertEquals(true, cl.hasOption("F") && cl.hasOption("w"));
        assertEquals("", argparse().parse(List.of("--file=", "x"), true).getOptionValue("f"));
        assertEquals(List.of("--", "x"), argparse().parse(List.of("--", "x"), true).getArgList());
        assertEquals(true, argparse().parse(List.of("--dry-run"), true).hasOption("dry-run"));
        assertEquals(List.of(), argparse().parse(List.of("--dry"), true).getArgList(), "Vigil's own: only in full");
        UsageException help = assertThrows(UsageException.class, () -> argparse().parse(List.of("-dh", "-f"), true));
        assertEquals(0, help.status(), "-h answered where it is read, before the error after it");
        assertEquals(true, help.getMessage().startsWith("usage: crm [OPTIONS] [SUBCOMMAND ARGS...]"));
        // options among the arguments (a subcommand's parser), unknown ones kept in their place
        ToolOptions node = ToolOptions.argparse("crm", "standby [--all | <node>... ]").interspersed().ignoreUnknown()
            .longFlag("all", "all");
        cl = node.parse(List.of("n1", "--bogus", "--all", "n2"), true);
        assertEquals(true, cl.hasOption("all"));
        assertEquals(List.of("n1", "--bogus", "n2"), cl.getArgList());
    }

    /** GLib answers -h with the help when the tool has no -h of its own (crm_simulate -h; crm_mon's -h is HTML). */
    @Test
    void glibHelpOnDashH() throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> glib().parse(List.of("-Dh"), true));
        assertEquals(0, e.status());
        assertEquals(true, e.getMessage().startsWith("Usage:\n  crmadmin [options]"), e.getMessage());
        ToolOptions own = new ToolOptions("crm_mon", "crm_mon").optionalValue("h", "as-html", "F", "html");
        assertEquals(true, own.parse(List.of("-h"), true).hasOption("as-html"));
    }

    /** The help printed and null, or the command line; a bad line is the tool's error (printed by parseOrExit). */
    @Test
    void parseOrHelpAndParseOrExit() throws Exception {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(o, true);
        java.io.PrintStream err = new java.io.PrintStream(e, true);
        assertEquals(null, glib().parseOrHelp(List.of("--help"), out));
        assertEquals(true, o.toString().startsWith("Usage:"));
        assertEquals(true, glib().parseOrHelp(List.of("-D"), out).hasOption("D"));
        assertThrows(UsageException.class, () -> glib().parseOrHelp(List.of("--bogus"), out));
        ToolOptions.Parsed p = glib().parseOrExit(List.of("--bogus"), true, out, err);
        assertEquals(null, p.line());
        assertEquals(64, p.status());
        assertEquals("crmadmin: Unknown option --bogus\n", e.toString());
        assertEquals(7, ToolOptions.printingUsage(out, err, () -> 7));
        assertEquals(1, ToolOptions.printingUsage(out, err, () -> {
            throw new UsageException("x: bad", 1);
        }));
    }
}
