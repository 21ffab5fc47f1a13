package org.vigil.agents.internal.exec;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;

/**
 * Turns a {@link ProcessOutcome} into the {@link AgentResult} Pacemaker would record, logs the agent's output
 * with the resource name, and builds agent environments. Stateless and thread-safe.
 */
public final class Outcomes {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.EXECD");
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int ENOEXEC = 8;
    private static final int LOGGED_LINES = 40;

    private Outcomes() {
    }

    /**
     * @param o       what the runner reported
     * @param mapping exit status to OCF status (OCF agents: {@link OcfStatus#of}; LSB status has its own)
     * @param what    the action for messages, e.g. {@code d1_monitor_10000 (ocf:heartbeat:Dummy)}
     * @param timeout the action's timeout, for the "timed out" message
     */
    public static AgentResult toResult(ProcessOutcome o, IntFunction<OcfStatus> mapping, String what,
                                       Duration timeout) {
        String out = o.stdoutText();
        String err = o.stderrText();
        return switch (o.ending()) {
            case EXITED -> new AgentResult(ExecStatus.DONE, mapping.apply(o.code()), o.code(), out, err, o.elapsed());
            case SIGNALED -> new AgentResult(ExecStatus.ERROR, OcfStatus.ERR_GENERIC, -1, out,
                what + " was killed by signal " + o.code() + " (" + signalName(o.code()) + ")\n" + err, o.elapsed());
            case TIMED_OUT -> new AgentResult(ExecStatus.TIMED_OUT, OcfStatus.ERR_GENERIC, -1, out,
                what + " timed out after " + timeout.toMillis() + " ms; its process group was killed ("
                    + o.message() + ")\n" + err, o.elapsed());
            case CANCELLED -> new AgentResult(ExecStatus.CANCELLED, OcfStatus.ERR_GENERIC, -1, out,
                what + " was cancelled; its process group was killed (" + o.message() + ")\n" + err, o.elapsed());
            case NOT_STARTED -> switch (o.code()) {
                case ENOENT -> AgentResult.failed(ExecStatus.NOT_INSTALLED, OcfStatus.ERR_INSTALLED,
                    what + " is not installed: " + o.message(), o.elapsed());
                case EACCES -> AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_PERM,
                    what + " cannot be executed: " + o.message(), o.elapsed());
                case ENOEXEC -> AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC,
                    what + " is not an executable program (no #! line?): " + o.message(), o.elapsed());
                default -> AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC,
                    what + " could not be started: " + o.message(), o.elapsed());
            };
            case RUNNER_LOST -> AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_GENERIC, what + ": " + o.message(),
                o.elapsed());
        };
    }

    /** Logs the result and the agent's output lines (bounded), tagged with the operation key and pid. */
    public static void log(String opKey, String spec, long pid, AgentResult r, boolean quiet) {
        String tag = opKey + "[" + pid + "]";
        logLines(tag, "output", r.output(), quiet);
        if (r.exec() == ExecStatus.DONE) {
            logLines(tag, "error output", r.error(), quiet);
        }
        String summary = r.exec() == ExecStatus.DONE
            ? r.status().description() + (r.status() == OcfStatus.UNKNOWN ? " (exit status " + r.exitCode() + ")" : "")
            : r.exec().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        String reason = r.exitReason();
        if (quiet && (r.ok() || r.status() == OcfStatus.NOT_RUNNING)) {
            LOG.debug("Result of {} ({}): {} ({} ms)", opKey, spec, summary, r.elapsed().toMillis());
        } else if (r.exec() == ExecStatus.DONE) {
            LOG.info("Result of {} ({}): {}{} ({} ms)", opKey, spec, summary, reason == null ? "" : ": " + reason,
                r.elapsed().toMillis());
        } else {
            LOG.warn("Result of {} ({}): {}: {}", opKey, spec, summary, reason);
        }
    }

    private static void logLines(String tag, String kind, String text, boolean quiet) {
        if (text == null || text.isEmpty() || !(quiet ? LOG.isDebugEnabled() : LOG.isInfoEnabled())) {
            return;
        }
        String[] lines = text.split("\n");
        int n = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (++n > LOGGED_LINES) {
                log(quiet, "{} {}: ... ({} more lines not logged)", tag, kind, lines.length - LOGGED_LINES);
                return;
            }
            log(quiet, "{} {} [ {} ]", tag, kind, line.length() > 500 ? line.substring(0, 500) + "..." : line);
        }
    }

    private static void log(boolean quiet, String fmt, Object... args) {
        if (quiet) {
            LOG.debug(fmt, args);
        } else {
            LOG.info(fmt, args);
        }
    }

    /** Pacemaker's operation key: {@code <resource>_<action>_<interval ms>}. */
    public static String opKey(String resource, String action, Duration interval) {
        return resource + "_" + action + "_" + interval.toMillis();
    }

    /**
     * The environment every external agent of a node starts from: {@link #baseEnvironment()}, with
     * {@code VIGIL_STATE_DIR} set to the node's state directory and the distribution's {@code shims} directory
     * (Vigil's {@code attrd_updater}, {@code crm_attribute}, {@code crm_node}, {@code crm_resource}, {@code crm_mon},
     * {@code crm_failcount}, {@code cibadmin}, {@code crm_master}) first on the PATH when it exists, so the Pacemaker commands agents run
     * reach this node, never an installed Pacemaker.
     */
    public static Map<String, String> baseEnvironment(org.vigil.agents.internal.AgentSettings settings) {
        Map<String, String> env = baseEnvironment();
        if (settings.nodeStateDir() != null) {
            env.put("VIGIL_STATE_DIR", settings.nodeStateDir().toString());
        }
        java.nio.file.Path shims = settings.shimsDir();
        if (shims != null) {
            env.put("PATH", shims + ":" + env.get("PATH"));
        }
        return env;
    }

    /**
     * The environment every external agent starts from: the node's environment without inherited
     * {@code OCF_*}/{@code HA_*} variables (those are set per action) nor {@code VIGIL_STATE_DIR}, with
     * {@code /usr/sbin} and {@code /sbin} on the PATH.
     */
    public static Map<String, String> baseEnvironment() {
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (!k.startsWith("OCF_") && !k.startsWith("HA_") && !k.equals("VIGIL_STATE_DIR")) {
                env.put(k, v);
            }
        });
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            if (!(":" + path + ":").contains(":" + dir + ":")) {
                path = path + ":" + dir;
            }
        }
        env.put("PATH", path);
        env.putIfAbsent("LANG", "C");
        return env;
    }

    private static String signalName(int sig) {
        return switch (sig) {
            case 1 -> "HUP";
            case 2 -> "INT";
            case 6 -> "ABRT";
            case 9 -> "KILL";
            case 11 -> "SEGV";
            case 13 -> "PIPE";
            case 15 -> "TERM";
            default -> "signal " + sig;
        };
    }
}
