package org.vigil.crm.cib.internal.command;

import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.cib.internal.offline.FileCib;
import org.vigil.crm.cib.internal.validate.CibValidator;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;

/**
 * The CIB tools on a file, without a node: {@code CIB_file=F vigil crm_mon -1} (the launcher runs this program
 * when {@code CIB_file} is set and the command reads or writes the CIB), as Pacemaker's tools work on
 * {@code CIB_file} through its file-based CIB client. The commands are the ones a node runs, given a
 * {@link FileCib} instead of the replicated CIB: {@code cibadmin}, {@code crm_attribute}, {@code crm_standby},
 * {@code crm_verify} (with the scheduler), {@code crm_mon}, {@code crm_resource} and {@code crm_ticket} (from the
 * scheduler's jar, found by name: this bundle does not depend on it). What needs a running cluster (the controller, the attribute
 * manager, the fencer) is absent, and the commands say so where they need it, as Pacemaker's do.
 *
 * <pre>java -cp crm-cib.jar:crm-scheduler.jar:crm-api.jar:kernel.jar ...OfflineMain COMMAND [ARG...]</pre>
 */
public final class OfflineMain {

    /** The commands that run on a file. */
    public static final Set<String> COMMANDS = Set.of("cibadmin", "crm_attribute", "crm_standby", "crm_verify",
        "crm_mon", "crm_resource", "crm_ticket", "pcs", "crm");

    private OfflineMain() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
            StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
            StandardCharsets.UTF_8);
        int status = run(System.getenv("CIB_file"), args, System.in, out, err);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs {@code args[0]} on the CIB in {@code file}; returns its exit status. */
    public static int run(String file, String[] args, PrintStream out, PrintStream err) {
        return run(file, args, java.io.InputStream.nullInputStream(), out, err);
    }

    /**
     * As {@link #run(String, String[], PrintStream, PrintStream)}, with the standard input a command given
     * {@code -p}/{@code --xml-pipe} reads (pcs patches a simulated CIB file with {@code cibadmin --patch --xml-pipe}
     * and {@code CIB_file} set).
     */
    public static int run(String file, String[] args, java.io.InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            err.println("vigil: with CIB_file set, only these commands work on the file: "
                + String.join(", ", COMMANDS.stream().sorted().toList()));
            return 64;
        }
        String tool = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (file == null || file.isEmpty()) {
            err.println(tool + ": CIB_file is empty");
            return 66;
        }
        FileCib cib;
        try {
            cib = FileCib.open(Path.of(file), hostName());
        } catch (Exception e) {
            // Pacemaker: "Could not connect to the CIB: No such device or address" and CRM_EX_NOSUCH... our own words
            err.println(tool + ": could not open the CIB file: " + e.getMessage());
            return 66;
        }
        try {
            AdminCommand cmd = command(tool, cib);
            byte[] stdin = rest.contains("-p") || rest.contains("--xml-pipe") ? in.readAllBytes() : null;
            return cmd.execute(rest, new org.vigil.kernel.api.command.CommandContext(
                Path.of("").toAbsolutePath(), stdin), out, err);
        } catch (UsageException e) {
            err.println(e.getMessage());
            return e.status();
        } catch (Exception e) {
            err.println(tool + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    static AdminCommand command(String tool, Cib cib) throws ReflectiveOperationException {
        VigilNode node = localNode();
        return switch (tool) {
            case "cibadmin" -> new CibadminCommand(cib);
            case "crm_attribute" -> new CrmAttributeCommand(cib, node);
            case "crm_standby" -> new CrmStandbyCommand(new CrmAttributeCommand(cib, node));
            case "crm_verify" -> new CrmVerifyCommand(cib, policyEngine(), CibValidator.standard());
            case "crm_mon" -> scheduler("tools.CrmMonCommand", cib, 1);
            case "crm_resource" -> scheduler("tools.CrmResourceCommand", cib, 2);
            case "crm_ticket" -> scheduler("tools.CrmTicketCommand", cib, 0);
            // the admin shells: with CIB_file (or pcs -f / crm --cib-file, which the launcher turns into it)
            case "pcs" -> withCibTools(scheduler("pcs.PcsCommand", cib, 0), cib);
            case "crm" -> scheduler("pcs.CrmshCommand", cib, 0);
            default -> throw new IllegalArgumentException(tool);
        };
    }

    /** pcs's {@code cluster cib-push} runs cibadmin and crm_diff: the file's. */
    private static AdminCommand withCibTools(AdminCommand pcs, Cib cib) throws ReflectiveOperationException {
        return (AdminCommand) pcs.getClass().getMethod("withCibTools", AdminCommand.class, AdminCommand.class)
            .invoke(pcs, new CibadminCommand(cib), new CrmDiffCommand());
    }

    /**
     * A class of the scheduler's jar, by its name under {@code org.vigil.crm.internal.}: built at run time, so bnd
     * does not take the name for a package this bundle imports (the OSGi bundle never runs this program).
     */
    private static Class<?> schedulerClass(String name) throws ClassNotFoundException {
        return Class.forName(SCHEDULER_PACKAGES + name);
    }

    private static final String SCHEDULER_PACKAGES = "org.vigil.crm.internal.";

    /** A scheduler-bundle tool: its (Cib, Controller, [Attrd,] ToolClock) constructor, services absent. */
    private static AdminCommand scheduler(String className, Cib cib, int absentServices)
        throws ReflectiveOperationException {
        Class<?> c = schedulerClass(className);
        Class<?> clock = schedulerClass("tools.ToolClock");
        Object system = clock.getField("SYSTEM").get(null);
        for (Constructor<?> k : c.getConstructors()) {
            Class<?>[] p = k.getParameterTypes();
            if (p.length == absentServices + 2 && p[0] == Cib.class && p[p.length - 1] == clock) {
                Object[] a = new Object[p.length];
                a[0] = cib;
                a[p.length - 1] = system;
                return (AdminCommand) k.newInstance(a);
            }
        }
        throw new NoSuchMethodException(className + ": no (Cib, ..., ToolClock) constructor");
    }

    private static PolicyEngine policyEngine() {
        try {
            return (PolicyEngine) schedulerClass("scheduler.StandardPolicyEngine").getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** This host's name, as Pacemaker's tools take the local node's name with a file CIB ({@code uname -n}). */
    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "localhost" : h;
        }
    }

    /** A node that only knows its name (the commands ask nothing else of it offline). */
    private static VigilNode localNode() {
        String name = hostName();
        return (VigilNode) Proxy.newProxyInstance(OfflineMain.class.getClassLoader(), new Class<?>[] {VigilNode.class},
            (proxy, m, a) -> switch (m.getName()) {
                case "name" -> name;
                case "nodeId" -> 0;
                case "toString" -> "offline node " + name;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == a[0];
                default -> throw new UnsupportedOperationException("no node: " + m.getName() + " needs a running node");
            });
    }
}
