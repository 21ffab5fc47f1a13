package org.vigil.crm.cib.internal.command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.ops.CibOps;
import org.vigil.crm.cib.internal.ops.CibXPath;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code cibadmin}, with Pacemaker 2.1.5's options, output and exit codes ({@code tools/cibadmin.c}): queries
 * are answered from the local copy; every change goes through the replicated {@link Cib} and returns once it
 * is applied here (and, for the configuration, on disk). Failures print {@code Call cib_<op> failed: <reason>}
 * on standard error, then what exactly was wrong, and exit with Pacemaker's code (105 no such object, 108 exists,
 * 103 older, 78 invalid or unparsable input, 107 a dangerous command without {@code --force}, 124 timeout).
 */
@Component(property = {AdminCommand.NAME + "=cibadmin",
    AdminCommand.DESCRIPTION + "=query and change the CIB: cibadmin -Q|-C|-M|-D|-R|-E|-B|-P [-o SCOPE] [--xpath X] "
        + "[-X XML | -x FILE]"})
public final class CibadminCommand implements AdminCommand {

    private final Cib cib;

    @Activate
    public CibadminCommand(@Reference Cib cib) {
        this.cib = cib;
    }

    static ToolOptions options() {
        return new ToolOptions("cibadmin", "cibadmin [options]")
            .flag("Q", "query", "Query the contents of the CIB")
            .flag("E", "erase", "Erase the contents of the whole CIB (needs --force)")
            .flag("B", "bump", "Increase the CIB's epoch value by 1")
            .flag("C", "create", "Create an object in the CIB (will fail if object already exists)")
            .flag("M", "modify", "Find object somewhere in CIB's XML tree and update it (fails if not found unless -c)")
            .flag("P", "patch", "Supply an update in the form of an XML diff (see crm_diff)")
            .flag("R", "replace", "Recursively replace an object in the CIB")
            .flag("D", "delete", "Delete first object matching supplied criteria")
            .flag("d", "delete-all", "With --xpath: delete all objects matching the expression (needs --force)")
            .flag("u", "upgrade", "Upgrade the configuration to the latest installed schema (needs --force)")
            .flag("5", "md5-sum", "Calculate the on-disk CIB digest of the given XML")
            .flag("6", "md5-sum-versioned", "Calculate the digest Vigil compares copies by, of the given XML")
            .flag("a", "empty", "Print an empty CIB")
            .value("X", "xml-text", "XML", "Retrieve XML from the supplied string")
            .value("x", "xml-file", "FILE", "Retrieve XML from the named file")
            .flag("p", "xml-pipe", "Retrieve XML from stdin")
            .value("o", "scope", "SECTION", "Limit scope of operation to specific section of CIB (configuration, "
                + "nodes, resources, constraints, crm_config, rsc_defaults, op_defaults, acls, fencing-topology, "
                + "tags, alerts, status)")
            .value("A", "xpath", "XPATH", "A valid XPath to use instead of --scope")
            .flag("e", "node-path", "When performing XPath queries, return paths of any matches found")
            .flag("n", "no-children", "When performing queries, do not include any children")
            .flag("c", "allow-create", "(Advanced) Allow target of --modify/-M to be created if it does not exist")
            .flag("f", "force", "Force the action to be performed")
            .value("t", "timeout", "SECONDS", "Time (in seconds) to wait before declaring the operation failed")
            .flag("s", "sync-call", "Wait for the call to complete before returning (always the case here)")
            .flag("l", "local", "Command takes effect locally (queries are always answered locally)")
            .value("N", "node", "NODE", "(Advanced) Send command to the specified host")
            .value("U", "user", "USER", "Run the command with the access rights of USER")
            .flag("V", "verbose", "Increase debug output");
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return execute(args, CommandContext.ofNode(), out, err);
    }

    @Override
    public int execute(List<String> args, CommandContext ctx, PrintStream out, PrintStream err) throws Exception {
        ToolOptions opts = options();
        CommandLine cl = opts.parseOrHelp(args, out);
        if (cl == null) {
            return 0;
        }
        String action = action(cl);
        if (action == null) {
            throw new UsageException("no command given (one of -Q -C -M -D -R -E -B -P -u -5 -a)\nTry 'cibadmin "
                + "--help' for the options", 64);
        }
        if (action.equals("empty")) {
            out.print(CibOps.empty("pacemaker-3.9").with("epoch", "1").toPrettyXml());
            return 0;
        }
        boolean dangerous = action.equals("erase") || action.equals("upgrade") || cl.hasOption("delete-all");
        if (dangerous && !cl.hasOption("force")) {
            err.println("The supplied command is considered dangerous.  To prevent accidental destruction of the "
                + "cluster, the --force flag is required in order to proceed.");
            return CibError.UNSAFE;
        }
        if (cl.hasOption("node")) {
            err.println("cibadmin: --node is not supported: every node holds the same CIB; run the command there, or "
                + "here");
            return CibError.USAGE;
        }
        XmlNode input;
        try {
            input = input(cl, ctx, err);
        } catch (InputError e) {
            return e.status;
        }
        if (action.equals("md5-sum") || action.equals("md5-sum-versioned")) {
            if (input == null) {
                err.println("Please supply XML to process with -X, -x or -p");
                return CibError.USAGE;
            }
            if (action.equals("md5-sum")) {
                err.print("Digest: ");
                out.println(org.vigil.crm.cib.internal.store.CibDigests.onDisk(input));
            } else {
                err.print("Versioned (" + input.attribute("crm_feature_set", "") + ") digest: ");
                out.println(CibSnapshot.digestOf(input));
            }
            return 0;
        }
        String scope = cl.getOptionValue("scope");
        String xpath = cl.getOptionValue("xpath");
        try {
            CibOps.checkScope(scope);
        } catch (CibError e) {
            err.println("cibadmin: " + e.getMessage().substring(e.reason().length() + 2));
            return CibError.USAGE;
        }
        if (action.equals("query")) {
            return query(cl, scope, xpath, out, err);
        }
        CibRequest.Op op = switch (action) {
            case "create" -> CibRequest.Op.CREATE;
            case "modify" -> CibRequest.Op.MODIFY;
            case "delete" -> CibRequest.Op.DELETE;
            case "replace" -> CibRequest.Op.REPLACE;
            case "erase" -> CibRequest.Op.ERASE;
            case "bump" -> CibRequest.Op.BUMP;
            case "patch" -> CibRequest.Op.PATCH;
            case "upgrade" -> CibRequest.Op.REPLACE;
            default -> throw new IllegalStateException(action);
        };
        if (action.equals("upgrade")) {
            return upgrade(cl, out, err);
        }
        boolean needsData = op != CibRequest.Op.ERASE && op != CibRequest.Op.BUMP
            && !(op == CibRequest.Op.DELETE && xpath != null);
        if (needsData && input == null) {
            err.println("Please supply XML to process with -X, -x or -p");
            return CibError.USAGE;
        }
        if (op == CibRequest.Op.REPLACE && input != null && input.is("cib") && input.firstChild("status") == null) {
            input = input.plusChild(XmlNode.of("status"));   // as do_work() adds it
        }
        Set<CibRequest.Flag> flags = EnumSet.noneOf(CibRequest.Flag.class);
        if (cl.hasOption("allow-create")) {
            flags.add(CibRequest.Flag.CAN_CREATE);
        }
        if (cl.hasOption("force")) {
            flags.add(CibRequest.Flag.FORCE);
        }
        if (cl.hasOption("delete-all")) {
            flags.add(CibRequest.Flag.ALL_MATCHES);
        }
        if (cl.hasOption("delete-all") && xpath == null) {
            err.println("cibadmin: --delete-all needs --xpath");
            return CibError.USAGE;
        }
        CibRequest request = new CibRequest(op, scope, xpath, input, flags, "cibadmin",
            cl.getOptionValue("user", "root"));
        return submit(request, timeoutSeconds(cl), "cib_" + opName(op), err);
    }

    private static String opName(CibRequest.Op op) {
        return switch (op) {
            case PATCH -> "apply_diff";
            default -> op.name().toLowerCase();
        };
    }

    private static long timeoutSeconds(CommandLine cl) throws UsageException {
        String t = cl.getOptionValue("timeout", "30");
        try {
            long v = Long.parseLong(t.strip());
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--timeout '" + t + "' is not a positive number of seconds", 64);
        }
    }

    /** Sends a change and waits for it; prints Pacemaker's failure line. */
    int submit(CibRequest request, long timeoutSeconds, String callName, PrintStream err) throws InterruptedException {
        try {
            cib.update(request).toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
            return 0;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof CibError ce) {
                err.println("Call " + callName + " failed: " + ce.reason());
                String detail = ce.getMessage().length() > ce.reason().length()
                    ? ce.getMessage().substring(ce.reason().length() + 2) : null;
                if (detail != null && !detail.isBlank()) {
                    err.println(detail);
                }
                return ce.exitCode();
            }
            err.println("Call " + callName + " failed: " + c);
            return CibError.ERROR;
        } catch (TimeoutException e) {
            err.println("Call " + callName + " failed: Timer expired");
            return CibError.TIMEOUT;
        }
    }

    private int query(CommandLine cl, String scope, String xpath, PrintStream out, PrintStream err) {
        XmlNode root = cib.current().root();
        try {
            if (cl.hasOption("node-path")) {
                if (xpath == null) {
                    err.println("cibadmin: --node-path needs --xpath");
                    return CibError.USAGE;
                }
                List<int[]> hits = CibXPath.select(root, xpath);
                if (hits.isEmpty()) {
                    throw CibError.noSuch(null);
                }
                for (int[] h : hits) {
                    out.println(nodePath(root, h));
                }
                return 0;
            }
            out.print(CibOps.query(root, scope, xpath, cl.hasOption("no-children")).toPrettyXml());
            return 0;
        } catch (CibError e) {
            err.println("Call cib_query failed: " + e.reason());
            return e.exitCode();
        }
    }

    /** {@code /cib/configuration/resources/primitive[@id='x']}, as cib_process_xpath() writes node paths. */
    private static String nodePath(XmlNode root, int[] at) {
        StringBuilder b = new StringBuilder();
        XmlNode n = root;
        append(b, n);
        for (int i : at) {
            n = n.children().get(i);
            append(b, n);
        }
        return b.toString();
    }

    private static void append(StringBuilder b, XmlNode n) {
        b.append('/').append(n.name());
        if (n.id() != null) {
            b.append("[@id='").append(n.id()).append("']");
        }
    }

    /** {@code --upgrade}: the configuration moved to the newest installed schema it validates against. */
    private int upgrade(CommandLine cl, PrintStream out, PrintStream err) throws InterruptedException, UsageException {
        var validator = org.vigil.crm.cib.internal.validate.CibValidator.standard();
        var newest = validator.newestSchema();
        CibSnapshot now = cib.current();
        String with = now.root().attribute("validate-with");
        if (newest.isEmpty() || newest.get().equals(with)) {
            out.println("Upgrade unnecessary: Schema is already the latest available");
            return 0;
        }
        XmlNode upgraded = now.root().with("validate-with", newest.get());
        var r = validator.validate(upgraded);
        if (!r.valid()) {
            err.println("Call cib_upgrade failed: Update does not conform to the configured schema");
            r.problems().forEach(p -> err.println("  " + p));
            return CibError.CONFIG;
        }
        XmlNode replacement = upgraded.with("epoch", Long.toString(now.version().epoch()));
        return submit(new CibRequest(CibRequest.Op.REPLACE, null, null, replacement, Set.of(), "cibadmin", "root"),
            timeoutSeconds(cl), "cib_upgrade", err);
    }

    private static String action(CommandLine cl) {
        for (String a : List.of("query", "erase", "bump", "create", "modify", "patch", "replace", "delete",
            "upgrade", "md5-sum", "md5-sum-versioned", "empty")) {
            if (cl.hasOption(a)) {
                return a;
            }
        }
        return cl.hasOption("delete-all") ? "delete" : null;
    }

    private static final class InputError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        InputError(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    /** The request's XML from -X, -x or -p; null when none was given. */
    private static XmlNode input(CommandLine cl, CommandContext ctx, PrintStream err) throws InputError {
        String text = cl.getOptionValue("xml-text");
        String file = cl.getOptionValue("xml-file");
        String source;
        try {
            if (file != null) {
                source = file;
                Path f;
                try {
                    f = ctx.resolve(file);
                } catch (InvalidPathException e) {
                    // a NUL character: no such file can exist (a C tool's argv cannot even hold one)
                    err.println("Couldn't parse input from " + file + ".");
                    err.println(e.getMessage());
                    throw new InputError(CibError.CONFIG);
                }
                try (InputStream in = Files.newInputStream(f)) {
                    return XmlText.parse(in, file, XmlText.DEFAULT_MAX_BYTES);
                } catch (NoSuchFileException e) {
                    err.println("Couldn't parse input from " + file + ".");
                    err.println(f + ": no such file");
                    throw new InputError(CibError.CONFIG);
                } catch (IOException e) {
                    err.println("Couldn't parse input from " + file + ".");
                    err.println(f + ": " + e.getMessage());
                    throw new InputError(CibError.CONFIG);
                }
            }
            if (text != null) {
                source = "input string";
                return XmlText.parse(text, "input string");
            }
            if (cl.hasOption("xml-pipe")) {
                if (!ctx.hasStdin()) {
                    err.println("Couldn't parse input from STDIN.");
                    err.println("no standard input reached the node (the vigil client sends it for cibadmin -p)");
                    throw new InputError(CibError.CONFIG);
                }
                try (InputStream in = ctx.openStdin()) {
                    return XmlText.parse(in, "STDIN", XmlText.DEFAULT_MAX_BYTES);
                } catch (IOException e) {
                    throw new InputError(CibError.CONFIG);
                } catch (CibException e) {
                    err.println("Couldn't parse input from STDIN.");
                    err.println(e.getMessage());
                    throw new InputError(CibError.CONFIG);
                }
            }
            return null;
        } catch (CibException e) {
            err.println("Couldn't parse input from " + (file != null ? file : "input string") + ".");
            err.println(e.getMessage());
            throw new InputError(CibError.CONFIG);
        }
    }
}
