package org.vigil.crm.cib.internal.command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Component;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.patch.Differ;
import org.vigil.crm.cib.internal.patch.Patcher;
import org.vigil.crm.cib.internal.patch.Patchset;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;

/**
 * {@code crm_diff}, with Pacemaker 2.1.5's options, output and exit codes ({@code tools/crm_diff.c}): the v2
 * patchset from {@code -o}/{@code -O} to {@code -n}/{@code -N} on standard output (exit 1 when they differ, 0 with
 * no output when they are the same), or {@code -p PATCH} applied to the original and the result printed. Files are
 * read relative to the client's directory. The patch has Pacemaker's shape: the version block (left out with
 * {@code --no-version}, which also ignores a version change), deletions first, then creations and attribute changes
 * in document order, the root's version attributes as an attribute change of {@code /cib}, each change-list in the
 * new element's attribute order; {@code --cib} adds the digest of the new CIB and, when applying, checks the
 * versions ({@code xml_patch_version_check()}) and that digest.
 *
 * <p>Vigil always writes format 2: Pacemaker 2.1.5 falls back to the legacy format 1 when the original has no
 * {@code crm_feature_set} or one of 3.0.8 or older (see {@code docs/design/cib.md}). Standard input
 * ({@code -s}) is not available through the admin socket yet.
 */
@Component(property = {AdminCommand.NAME + "=crm_diff",
    AdminCommand.DESCRIPTION + "=compare two CIBs as a v2 patchset, or apply one: crm_diff -o OLD -n NEW | "
        + "crm_diff -o OLD -p PATCH [--no-version] [--cib]"})
public final class CrmDiffCommand implements AdminCommand {

    private static final String TOOL = "crm_diff";
    private static final Set<String> VERSION = Set.of("admin_epoch", "epoch", "num_updates");

    static ToolOptions options() {
        return new ToolOptions(TOOL, "crm_diff [options]")
            .value("o", "original", "FILE", "XML is contained in the named file")
            .value("O", "original-string", "STRING", "XML is contained in the supplied string")
            .value("n", "new", "FILE", "Compare the original XML to the contents of the named file")
            .value("N", "new-string", "STRING", "Compare the original XML with the contents of the supplied string")
            .value("p", "patch", "FILE", "Patch the original XML with the contents of the named file")
            .flag("c", "cib", "Compare/patch the inputs as a CIB (includes versions details)")
            .flag("s", "stdin", "Read the XML from standard input (not available through the admin socket)")
            .flag("u", "no-version", "Generate the difference without versions details")
            .flag("V", "verbose", "Increase debug output");
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return execute(args, CommandContext.ofNode(), out, err);
    }

    @Override
    public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = options().parseOrHelp(args, out);
        if (cl == null) {
            return 0;
        }
        boolean apply = cl.hasOption("patch");
        boolean asCib = cl.hasOption("cib");
        boolean noVersion = cl.hasOption("no-version");
        if (apply && noVersion) {
            err.println("warning: -u/--no-version ignored with -p/--patch");
        } else if (asCib && noVersion) {
            err.println("error: -u/--no-version incompatible with -c/--cib");
            return 64;
        }
        if (cl.hasOption("stdin")) {
            err.println("crm_diff: --stdin is not available through the node's admin socket yet; give the XML with -o/-n "
                + "FILE or -O/-N STRING");
            return 64;
        }
        // the last of -o/-O (and of -n/-N/-p) wins, as with glib's callbacks
        String[] first = last(cl, "original", "original-string");
        String[] second = last(cl, "new", "new-string", "patch");
        XmlNode one = read(first, ctx);
        XmlNode two = read(second, ctx);
        if (one == null) {
            err.println("Could not parse the first XML fragment");
            return 65;
        }
        if (two == null) {
            err.println("Could not parse the second XML fragment");
            return 65;
        }
        return apply ? apply(one, two, asCib, out, err) : generate(one, two, asCib, noVersion, out, err);
    }

    /** The value of whichever of {@code names} came last: {name, value}; or null. */
    private static String[] last(CommandLine cl, String... names) {
        String[] found = null;
        for (org.apache.commons.cli.Option o : cl.getOptions()) {
            for (String n : names) {
                if (n.equals(o.getLongOpt())) {
                    found = new String[] {n, o.getValue()};
                }
            }
        }
        return found;
    }

    private static XmlNode read(String[] source, CommandContext ctx) {
        if (source == null) {
            return null;
        }
        try {
            if (source[0].endsWith("-string")) {
                return XmlText.parse(source[1], "input string");
            }
            Path f = ctx.resolve(source[1]);
            try (InputStream in = Files.newInputStream(f)) {
                return XmlText.parse(in, source[1], XmlText.DEFAULT_MAX_BYTES);
            }
        } catch (CibException | IOException | InvalidPathException e) {
            return null;
        }
    }

    // ---- generating ----------------------------------------------------------------------------------------

    private static int generate(XmlNode one, XmlNode two, boolean asCib, boolean noVersion, PrintStream out,
                                PrintStream err) {
        if (!one.name().equals(two.name())) {
            err.println("crm_diff: cannot compare <" + one.name() + "> with <" + two.name() + ">: the documents must "
                + "have the same root element");
            return 1;
        }
        if (noVersion) {
            // make the versions identical, so they are not seen as a change
            for (String f : List.of("admin_epoch", "epoch", "num_updates")) {
                if (one.attribute(f) != null) {
                    two = two.with(f, one.attribute(f));
                }
            }
        }
        XmlNode patch = patchset(one, two, !noVersion);
        if (patch == null) {
            return 0;
        }
        if (asCib) {
            patch = patch.with("digest", CibSnapshot.digestOf(two));
        }
        out.print(patch.toPrettyXml());
        return 1;
    }

    /**
     * The v2 patchset from {@code one} to {@code two} as {@code xml_create_patchset()} prints it for crm_diff, or
     * null if they are the same.
     */
    static XmlNode patchset(XmlNode one, XmlNode two, boolean withVersion) {
        Patchset p = Differ.diff(one, two, versionOf(one), versionOf(two));
        List<Patchset.Change> deletes = new ArrayList<>();
        List<Patchset.Change> others = new ArrayList<>();
        for (Patchset.Change c : p.changes()) {
            (c instanceof Patchset.Delete ? deletes : others).add(c);
        }
        // the root's version attributes are ordinary attributes here: one change of the root with all of them
        String rootPath = "/" + two.name() + (two.id() != null ? "[@id='" + two.id() + "']" : "");
        Patchset.Modify rootChange = rootChange(one, two, rootPath);
        others.removeIf(c -> c instanceof Patchset.Modify m && m.path().equals(rootPath));
        List<Patchset.Change> all = new ArrayList<>(deletes);
        if (rootChange != null) {
            all.add(rootChange);
        }
        for (Patchset.Change c : others) {
            all.add(c instanceof Patchset.Modify m ? inResultOrder(m) : c);
        }
        if (all.isEmpty()) {
            return null;
        }
        XmlNode xml = new Patchset(p.source(), p.target(), all).toXml();
        if (!withVersion) {
            xml = xml.minusChild(0);   // the <version> block
        }
        return xml;
    }

    /** Pacemaker's version block: a missing counter is 1. */
    private static CibVersion versionOf(XmlNode root) {
        return new CibVersion(counter(root, "admin_epoch"), counter(root, "epoch"), counter(root, "num_updates"));
    }

    private static long counter(XmlNode root, String name) {
        String v = root.attribute(name);
        if (v == null) {
            return 1;
        }
        try {
            return Math.max(0, Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Patchset.Modify rootChange(XmlNode one, XmlNode two, String path) {
        List<Patchset.AttrChange> changes = new ArrayList<>();
        for (int i = 0; i < two.attributeCount(); i++) {
            String n = two.attributeName(i);
            if (!two.attributeValue(i).equals(one.attribute(n))) {
                changes.add(new Patchset.AttrChange(n, two.attributeValue(i)));
            }
        }
        for (int i = 0; i < one.attributeCount(); i++) {
            if (two.attribute(one.attributeName(i)) == null) {
                changes.add(new Patchset.AttrChange(one.attributeName(i), null));
            }
        }
        return changes.isEmpty() ? null : new Patchset.Modify(path, changes, two.withoutChildren());
    }

    /** The attribute changes in the order Pacemaker lists them: set ones in the element's order, then unset ones. */
    private static Patchset.Modify inResultOrder(Patchset.Modify m) {
        if (m.result() == null) {
            return m;
        }
        Map<String, Patchset.AttrChange> byName = new LinkedHashMap<>();
        for (Patchset.AttrChange a : m.attributes()) {
            byName.put(a.name(), a);
        }
        List<Patchset.AttrChange> ordered = new ArrayList<>();
        for (int i = 0; i < m.result().attributeCount(); i++) {
            Patchset.AttrChange a = byName.remove(m.result().attributeName(i));
            if (a != null && a.value() != null) {
                ordered.add(a);
            }
        }
        ordered.addAll(byName.values());
        return new Patchset.Modify(m.path(), ordered, m.result());
    }

    // ---- applying ---------------------------------------------------------------------------------------------

    private static int apply(XmlNode original, XmlNode patchXml, boolean asCib, PrintStream out, PrintStream err) {
        Patchset patch;
        try {
            patch = Patchset.fromXml(patchXml, "patch");
        } catch (CibException e) {
            err.println("Could not apply patch: " + (e.detail().contains("format")
                ? "Protocol not supported" : "Invalid argument"));
            err.println(e.getMessage());
            return e.detail().contains("format") ? 76 : 70;
        }
        if (asCib) {
            String why = versionCheck(original, patchXml);
            if (why != null) {
                err.println("Could not apply patch: " + why);
                return why.startsWith("Update was older") ? 103 : 1;
            }
        }
        XmlNode result;
        try {
            result = Patcher.apply(original, patch);
        } catch (Patcher.Conflict e) {
            err.println("Could not apply patch: Application of update diff failed");
            err.println(e.getMessage());
            return 1;
        }
        String digest = patchXml.attribute("digest");
        if (digest != null && !digest.equalsIgnoreCase(CibSnapshot.digestOf(result))) {
            err.println("Could not apply patch: Application of update diff failed");
            return 1;
        }
        out.print(result.toPrettyXml());
        return 0;
    }

    /** {@code xml_patch_version_check()}: null if the patch fits, else Pacemaker's reason. */
    private static String versionCheck(XmlNode cib, XmlNode patch) {
        long[] now = {counterOrZero(cib, "admin_epoch"), counterOrZero(cib, "epoch"), counterOrZero(cib, "num_updates")};
        long[] del = now.clone();
        long[] add = {now[0], now[1], now[2] + 1};
        XmlNode version = patch.firstChild("version");
        if (version != null) {
            read(version.firstChild("source"), del);
            read(version.firstChild("target"), add);
        }
        for (int i = 0; i < 3; i++) {
            if (now[i] < del[i]) {
                return "Application of update diff failed, requesting full refresh";
            } else if (now[i] > del[i]) {
                return "Update was older than existing configuration";
            }
        }
        for (int i = 0; i < 3; i++) {
            if (add[i] > del[i]) {
                return null;
            }
        }
        return "Update was older than existing configuration";
    }

    private static long counterOrZero(XmlNode n, String name) {
        try {
            return Math.max(0, Long.parseLong(n.attribute(name, "0").strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void read(XmlNode v, long[] into) {
        if (v == null) {
            return;
        }
        String[] names = {"admin_epoch", "epoch", "num_updates"};
        for (int i = 0; i < 3; i++) {
            if (v.attribute(names[i]) != null) {
                into[i] = counterOrZero(v, names[i]);
            }
        }
    }
}
