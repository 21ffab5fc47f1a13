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
}
