package org.vigil.crm.cib.internal.command;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.validate.CibValidator;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code crm_verify}, with Pacemaker 2.1.5's options, output and exit codes ({@code tools/crm_verify.c}): the live
 * CIB ({@code -L}), a file relative to the client's directory ({@code -x}) or a string ({@code -X}) is checked against
 * its RelaxNG schema ({@link CibValidator}: each problem printed, then "CIB did not pass schema validation"), and, if
 * it passes, run through the scheduler ({@link PolicyEngine}, in the scheduler bundle: optional, used when present)
 * whose configuration problems count as errors or warnings as Pacemaker classifies the same messages. Errors give
 * {@code Errors found during check: config not valid}, warnings {@code Warnings found during check: config may not
 * be valid}, both exit 78, with {@code -V may provide more details} unless {@code -V} was given; {@code -V} prints
 * the errors, {@code -VV} the warnings too.
 *
 * <p>Differences (see {@code docs/design/cib.md}): schema messages are Jing's, not libxml2's; messages are printed
 * as {@code error: ...} without Pacemaker's C function name in front; what the scheduler checks is what Vigil's
 * scheduler reports; an old schema is not upgraded in memory before the check; {@code -p} (stdin) is not available
 * through the admin socket yet.
 */
@Component(property = {AdminCommand.NAME + "=crm_verify",
    AdminCommand.DESCRIPTION + "=check a configuration: crm_verify -L | -x FILE | -X XML [-V]"})
public final class CrmVerifyCommand implements AdminCommand {

    private static final String TOOL = "crm_verify";

    private final Cib cib;
    private final CibValidator validator;

    /** The scheduler, when its bundle runs (it may come and go: upgraded in place). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile PolicyEngine scheduler;

    @Activate
    public CrmVerifyCommand(@Reference Cib cib) {
        this(cib, null, CibValidator.standard());
    }

    /** For tests: a given scheduler (or none) and validator. */
    CrmVerifyCommand(Cib cib, PolicyEngine scheduler, CibValidator validator) {
        this.cib = cib;
        this.scheduler = scheduler;
        this.validator = validator;
    }

    static ToolOptions options() {
        return new ToolOptions(TOOL, "crm_verify [options]")
            .flag("L", "live-check", "Check the configuration used by the running cluster")
            .value("x", "xml-file", "FILE", "Check the configuration in the named file")
            .flag("p", "xml-pipe", "Check the configuration piped in via stdin (not available through the admin "
                + "socket)")
            .value("X", "xml-text", "XML", "Check the configuration in the supplied string")
            .value("S", "save-xml", "FILE", "Save verified XML to named file (most useful with -L)")
            .value(null, "output-as", "FORMAT", "Specify output format (text only)")
            .flag("V", "verbose", "Increase debug output");
    }

    /** How Pacemaker 2.1.5 reports a scheduler message. */
    enum Kind { ERROR, WARNING, LOG }

    /**
     * Pacemaker's class of a message of Vigil's scheduler, by its text: {@code pcmk__config_warn()}/{@code pe_warn()}
     * make a warning, plain log calls ({@code crm_warn()}, {@code pe_proc_err()}) nothing crm_verify counts, and
     * everything else ({@code pcmk__config_err()}, {@code pe_err()}) an error.
     */
    static Kind classify(String message) {
        if (message.startsWith("Ignoring requirement that") || message.startsWith("Invalid ordering constraint between")
            || message.startsWith("Next role '") || message.contains(" might be active on ")) {
            return Kind.LOG;
        }
        if (message.startsWith("Cannot invert constraint") || message.startsWith("Detected active orphan")
            || message.startsWith("Ignoring recorded node state") || message.startsWith("More than one node entry")
            || message.contains("must be stopped manually") || message.contains("does not have an instance")) {
            return Kind.WARNING;
        }
        return Kind.ERROR;
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
        int verbosity = 0;
        for (org.apache.commons.cli.Option o : cl.getOptions()) {
            if ("V".equals(o.getOpt())) {
                verbosity++;
            }
        }
        if (cl.hasOption("output-as") && !"text".equals(cl.getOptionValue("output-as"))) {
            throw new UsageException(TOOL + ": --output-as=" + cl.getOptionValue("output-as") + " is not supported "
                + "(text only)", 64);
        }
        XmlNode root;
        String source;
        if (cl.hasOption("live-check")) {
            root = cib.current().root();
            source = null;
        } else if (cl.hasOption("xml-file")) {
            String name = cl.getOptionValue("xml-file");
            try (InputStream in = Files.newInputStream(ctx.resolve(name))) {
                root = XmlText.parse(in, name, PolicyEngine.MAX_CIB_BYTES);
            } catch (IOException | CibException | InvalidPathException e) {
                err.println(TOOL + ": Couldn't parse input file: " + name);
                return 1;
            }
            source = name;
        } else if (cl.hasOption("xml-text")) {
            try {
                root = XmlText.parse(cl.getOptionValue("xml-text"), "input string");
            } catch (CibException e) {
                err.println(TOOL + ": Couldn't parse input string: " + cl.getOptionValue("xml-text"));
                return 1;
            }
            source = null;
        } else if (cl.hasOption("xml-pipe")) {
            err.println(TOOL + ": --xml-pipe (-p) is not available through the node's admin socket yet; give the "
                + "configuration with -x FILE or -X XML");
            return 64;
        } else {
            err.println(TOOL + ": No configuration source specified.  Use --help for usage information.");
            return 1;
        }
        if (!root.is("cib")) {
            err.println(TOOL + ": This tool can only check complete configurations (i.e. those starting with <cib>).");
            return 76;
        }
        if (cl.hasOption("save-xml")) {
            save(cl.getOptionValue("save-xml"), root, ctx, err);
        }
        if (root.firstChild("status") == null) {
            root = root.plusChild(XmlNode.of("status"));
        }
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        CibValidator.Result v = validator.validate(root);
        if (!v.valid()) {
            for (CibValidator.Problem p : v.problems()) {
                err.println((source != null && p.line() > 0 ? source + ":" + p.line() + ": " : "") + "element "
                    + elementOf(p.where()) + ": Relax-NG validity error : " + p.reason());
            }
            errors.add("CIB did not pass schema validation");
        } else {
            PolicyEngine pe = scheduler;
            if (pe == null) {
                err.println(TOOL + ": the scheduler is not running on this node: only the schema was checked");
            } else {
                try {
                    var doc = pe.parse(new ByteArrayInputStream(root.toXml().getBytes(StandardCharsets.UTF_8)),
                        source != null ? source : "live CIB");
                    // the CIB's own execution-date when it has one, as crm_verify's scheduler run does
                    java.time.Instant now = doc.executionDate().isPresent()
                        ? java.time.Instant.ofEpochSecond(doc.executionDate().getAsLong()) : java.time.Instant.now();
                    Transition t = pe.schedule(doc, now, java.time.ZoneId.systemDefault(), 0, "crm_verify");
                    for (String w : t.warnings()) {
                        switch (classify(w)) {
                            case ERROR -> errors.add(w);
                            case WARNING -> warnings.add(w);
                            case LOG -> {
                                if (verbosity > 1) {
                                    err.println("warning: " + w);
                                }
                            }
                            default -> throw new IllegalStateException();
                        }
                    }
                } catch (CibException e) {
                    errors.add(e.getMessage());
                }
            }
        }
        if (verbosity > 0) {
            errors.forEach(e -> err.println("error: " + e));
        }
        if (verbosity > 1) {
            warnings.forEach(w -> err.println("warning: " + w));
        }
        String hint = verbosity > 0 ? "" : "\n-V may provide more details";
        if (!errors.isEmpty()) {
            err.println(TOOL + ": Errors found during check: config not valid" + hint);
            return 78;
        }
        if (!warnings.isEmpty()) {
            err.println(TOOL + ": Warnings found during check: config may not be valid" + hint);
            return 78;
        }
        return 0;
    }

    /**
     * {@code -S FILE}: the CIB written to the file. A file that cannot be written is reported and the check goes on,
     * as in Pacemaker (whose crm_verify logs the error and ignores it).
     */
    private static void save(String name, XmlNode root, CommandContext ctx, PrintStream err) {
        try {
            Files.writeString(ctx.resolve(name), root.toPrettyXml(), StandardCharsets.UTF_8);
        } catch (IOException | InvalidPathException e) {
            err.println(TOOL + ": Cannot open " + name + " for writing: " + why(e));
        }
    }

    /** What the JDK says about a file that cannot be opened, in a few words. */
    private static String why(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage();
    }

    /** The element name at the end of a validator path ({@code /cib/.../primitive[@id='x']}). */
    private static String elementOf(String where) {
        String last = where.substring(where.lastIndexOf('/') + 1);
        int bracket = last.indexOf('[');
        return bracket < 0 ? last : last.substring(0, bracket);
    }
}
