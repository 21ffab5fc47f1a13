package org.vigil.shell.internal.agents;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.OcfStatus;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * {@code crm_resource}, the agent half of Pacemaker's tool: list standards, OCF providers and agents, show an
 * agent's meta-data, and run one action of an agent now with {@code --force-start|--force-stop|--force-check|
 * --force-promote|--force-demote|--validate} given {@code --class}, {@code --provider}, {@code --agent} and
 * {@code --option name=value}. Output and exit codes follow Pacemaker's: a forced action prints
 * {@code Operation force-check (ocf:heartbeat:Dummy) returned 7 (not running)} followed by the agent's output, and
 * exits with the agent's OCF code (124 on a timeout, 5 when the agent is not installed, 64 for bad usage).
 */
@Component(property = {AdminCommand.NAME + "=crm_resource",
    AdminCommand.DESCRIPTION + "=list and describe resource agents, run one agent action now (crm_resource)"})
public final class CrmResourceCommand implements AdminCommand {

    static final String USAGE = """
        Usage: crm_resource [OPTION...]
        Agent listings and meta-data:
          --list-standards              list the supported standards
          --list-ocf-providers          list all available OCF providers
          --list-ocf-alternatives=TYPE  list the OCF providers that have an agent TYPE
          --list-agents=STD[:PROV]      list the agents of a standard (and OCF provider)
          --show-metadata=SPEC          show an agent's meta-data (e.g. ocf:heartbeat:IPaddr2)
        Running one action now (no cluster involved):
          --force-start | --force-stop | --force-check | --force-promote | --force-demote | --validate
              --class=STD [--provider=PROV] --agent=TYPE [--option NAME=VALUE]... [-r NAME] [--timeout=20s]
        Exit status: the agent's OCF code for forced actions; 124 timed out; 5 not installed; 64 bad usage.""";

    private static final Set<String> WITH_VALUE = Set.of("list-ocf-alternatives", "list-agents", "show-metadata",
        "class", "provider", "agent", "option", "resource", "timeout");
    private static final Set<String> FLAGS = Set.of("list-standards", "list-ocf-providers", "force-start",
        "force-stop", "force-check", "force-promote", "force-demote", "validate", "verbose", "help");
    /** The standards Vigil runs (printed by --list-standards). */
    static final List<String> STANDARDS = List.of("ocf", "lsb", "service", "systemd", "stonith", "vigil");

    private static final int EX_TIMEOUT = 124;
    private static final int EX_NOT_INSTALLED = 5;
    private static final int EX_NOSUCH = 105;
    private static final int EX_USAGE = 64;
    /**
     * The longest timeout: Pacemaker's are {@code int} milliseconds. (Longer ones overflowed the wait for the
     * agent: an {@code ArithmeticException} out of the command.)
     */
    static final Duration MAX_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

    private final AgentDirectory agents;

    @Activate
    public CrmResourceCommand(@Reference AgentDirectory agents) {
        this.agents = agents;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        List<Args.Opt> opts = Args.parse(args, WITH_VALUE, FLAGS, "crm_resource", "-r", "resource", "-V", "verbose",
            "-h", "help", "-?", "help");
        String command = null;
        String commandArg = null;
        String standard = null;
        String provider = null;
        String type = null;
        String resource = null;
        Duration timeout = Duration.ofSeconds(20);
        Map<String, String> params = new LinkedHashMap<>();
        for (Args.Opt o : opts) {
            switch (o.name()) {
                case "help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "class" -> standard = o.value();
                case "provider" -> provider = o.value();
                case "agent" -> type = o.value();
                case "resource" -> resource = o.value();
                case "verbose" -> {
                    // accepted for compatibility; agent output is always shown
                }
                case "timeout" -> timeout = duration(o.value());
                case "option" -> {
                    int eq = o.value().indexOf('=');
                    if (eq <= 0) {
                        throw new UsageException("crm_resource: --option needs NAME=VALUE, got '" + o.value() + "'",
                            EX_USAGE);
                    }
                    params.put(o.value().substring(0, eq), o.value().substring(eq + 1));
                }
                default -> {
                    if (command != null && !command.equals(o.name())) {
                        throw new UsageException("crm_resource: --" + command + " and --" + o.name()
                            + " cannot be used together", EX_USAGE);
                    }
                    command = o.name();
                    commandArg = o.value();
                }
            }
        }
        if (command == null) {
            throw new UsageException(resource != null
                ? "crm_resource: resources of the cluster configuration are managed by the CRM; this node's "
                    + "crm_resource runs agents directly: give --class, --provider and --agent with a --force-* "
                    + "option\n" + USAGE
                : "crm_resource: nothing to do\n" + USAGE, EX_USAGE);
        }
        return switch (command) {
            case "list-standards" -> {
                STANDARDS.forEach(out::println);
                yield 0;
            }
            case "list-ocf-providers" -> listProviders(null, out, err);
            case "list-ocf-alternatives" -> listProviders(commandArg, out, err);
            case "list-agents" -> listAgents(commandArg, out, err);
            case "show-metadata" -> showMetadata(commandArg, out, err);
            default -> force(command, standard, provider, type, resource, params, timeout, out, err);
        };
    }

    private int listProviders(String type, PrintStream out, PrintStream err) {
        Set<String> providers = new TreeSet<>();
        for (ResourceAgent a : agents.resources()) {
            if (a.standard().equals("ocf") && (type == null || a.type().equals(type))) {
                providers.add(a.provider());
            }
        }
        if (providers.isEmpty()) {
            err.println(type == null ? "crm_resource: No OCF providers found"
                : "crm_resource: No OCF providers found for " + type);
            return type == null ? 1 : EX_NOSUCH;
        }
        providers.forEach(out::println);
        return 0;
    }

    private int listAgents(String spec, PrintStream out, PrintStream err) {
        String[] p = spec.split(":", -1);
        String std = p[0].toLowerCase(Locale.ROOT);
        String prov = p.length > 1 ? p[1] : null;
        Set<String> names = new TreeSet<>();
        if (std.equals("stonith")) {
            agents.fences().forEach(f -> names.add(f.name()));
        } else {
            for (ResourceAgent a : agents.resources()) {
                if (a.standard().equals(std) && (prov == null || prov.equals(a.provider()))) {
                    names.add(a.type());
                }
            }
        }
        if (names.isEmpty()) {
            err.println("crm_resource: No agents found for standard '" + std + "'"
                + (prov == null ? "" : " and provider '" + prov + "'"));
            return 1;
        }
        names.forEach(out::println);
        return 0;
    }

    private int showMetadata(String spec, PrintStream out, PrintStream err) {
        String[] p = spec.split(":");
        try {
            String xml;
            if (p[0].equals("stonith") && p.length == 2) {
                FenceAgent f = agents.fence(p[1]).orElse(null);
                if (f == null) {
                    err.println("crm_resource: Metadata query for " + spec + " failed: no such fence agent");
                    return EX_NOSUCH;
                }
                xml = f.metaData();
            } else {
                ResourceAgent a = agents.resource(spec).orElse(null);
                if (a == null) {
                    err.println("crm_resource: Metadata query for " + spec + " failed: no such agent is installed");
                    return EX_NOSUCH;
                }
                xml = a.metaData();
            }
            out.print(xml.endsWith("\n") ? xml : xml + "\n");
            return 0;
        } catch (Exception e) {
            err.println("crm_resource: Metadata query for " + spec + " failed: " + e.getMessage());
            return 1;
        }
    }

    private int force(String command, String standard, String provider, String type, String resource,
                      Map<String, String> params, Duration timeout, PrintStream out, PrintStream err)
        throws Exception {
        if (standard == null || type == null) {
            throw new UsageException("crm_resource: --" + command + " needs --class and --agent (and --provider "
                + "for ocf)", EX_USAGE);
        }
        standard = standard.toLowerCase(Locale.ROOT);
        if (standard.equals("ocf") && provider == null) {
            throw new UsageException("crm_resource: --class ocf needs --provider", EX_USAGE);
        }
        if (!standard.equals("ocf") && provider != null) {
            throw new UsageException("crm_resource: --provider is only meaningful with --class ocf", EX_USAGE);
        }
        String spec = provider == null ? standard + ":" + type : standard + ":" + provider + ":" + type;
        String action = switch (command) {
            case "force-start" -> "start";
            case "force-stop" -> "stop";
            case "force-check" -> "monitor";
            case "force-promote" -> "promote";
            case "force-demote" -> "demote";
            default -> "validate-all";
        };
        String opName = command.equals("validate") ? "validate" : command;
        ResourceAgent agent = agents.resource(spec).orElse(null);
        if (agent == null) {
            err.println("crm_resource: " + spec + " is not installed on this node"
                + (standard.equals("systemd") ? " (systemd units are only available where systemd runs)" : ""));
            err.println("Error performing operation: Not installed");
            return EX_NOT_INSTALLED;
        }
        AgentRequest req = AgentRequest.of(resource != null ? resource : type, action, params, timeout);
        AgentResult r;
        try {
            r = agent.execute(req).toCompletableFuture().get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            agent.cancel(req);
            err.println("crm_resource: " + spec + " " + action + " did not report back in time");
            return EX_TIMEOUT;
        }
        String reason = r.exitReason();
        switch (r.exec()) {
            case DONE -> out.println("Operation " + opName + " (" + spec + ") returned " + r.exitCode() + " ("
                + r.status().description() + (reason == null || r.ok() ? "" : ": " + reason) + ")");
            case TIMED_OUT -> out.println("Operation " + opName + " (" + spec + ") timed out after "
                + timeout.toMillis() + " ms");
            case ERROR, NOT_INSTALLED -> out.println("Operation " + opName + " (" + spec + ") returned "
                + (r.status() == OcfStatus.UNKNOWN ? 1 : r.status().code()) + " (" + r.status().description()
                + (reason == null ? "" : ": " + reason) + ")");
            case CANCELLED -> out.println("Operation " + opName + " (" + spec + ") was cancelled");
        }
        if (r.exec() == ExecStatus.DONE || r.exec() == ExecStatus.TIMED_OUT) {
            if (!r.output().isEmpty()) {
                out.print(r.output().endsWith("\n") ? r.output() : r.output() + "\n");
            }
            String e = r.error();
            if (r.exec() == ExecStatus.TIMED_OUT) {
                int nl = e.indexOf('\n');
                e = nl >= 0 ? e.substring(nl + 1) : "";
            }
            if (!e.isEmpty()) {
                out.print(e.endsWith("\n") ? e : e + "\n");
            }
        }
        int status = switch (r.exec()) {
            case DONE -> r.status() == OcfStatus.UNKNOWN ? 1 : r.status().code();
            case TIMED_OUT -> EX_TIMEOUT;
            case NOT_INSTALLED -> EX_NOT_INSTALLED;
            case CANCELLED -> 1;
            case ERROR -> r.status() == OcfStatus.UNKNOWN ? 1 : r.status().code();
        };
        if (status != 0) {
            err.println("crm_resource: Error performing operation: " + switch (r.exec()) {
                case TIMED_OUT -> "Timeout occurred";
                case NOT_INSTALLED -> "Not installed";
                default -> capitalize(r.status().description());
            });
        }
        return status;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** {@code 20s}, {@code 500ms}, {@code 2min}, or plain milliseconds as Pacemaker's --timeout takes them. */
    static Duration duration(String text) throws UsageException {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("[0-9]+")) {
                return positive(Duration.ofMillis(Long.parseLong(t)), text);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)\\s*(ms|msec|s|sec|m|min|h|hr)")
                .matcher(t);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return positive(switch (m.group(2)) {
                    case "ms", "msec" -> Duration.ofMillis(n);
                    case "s", "sec" -> Duration.ofSeconds(n);
                    case "m", "min" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                }, text);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // fall through to the error
        }
        throw new UsageException("crm_resource: invalid timeout '" + text + "' (e.g. 20s, 500ms, 2min)", EX_USAGE);
    }

    private static Duration positive(Duration d, String text) throws UsageException {
        if (d.isZero()) {
            throw new UsageException("crm_resource: the timeout must be positive, got '" + text + "'", EX_USAGE);
        }
        if (d.compareTo(MAX_TIMEOUT) > 0) {
            throw new UsageException("crm_resource: the timeout '" + text + "' is too long (at most "
                + MAX_TIMEOUT.toMillis() + " ms, about 24 days)", EX_USAGE);
        }
        return d;
    }
}
