package org.vigil.agents.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * Where the agents bundle looks for agents and how it runs them. Read from framework (or system) properties, so
 * a node's launcher or a test can relocate everything; every property has the default an admin expects.
 *
 * @param ocfRoot        {@code vigil.agents.ocf.root}: OCF_ROOT, default {@code /usr/lib/ocf}; agents are
 *                       {@code <ocfRoot>/resource.d/<provider>/<type>}
 * @param rscTmp         {@code vigil.agents.rsctmp}: HA_RSCTMP for OCF agents, default {@code /run/resource-agents}
 * @param varRun         {@code vigil.agents.varrun}: HA_VARRUN for OCF agents (where {@code ocf:pacemaker:Stateful}
 *                       and others keep their state), or null (unset: the agents' own default, {@code /var/run});
 *                       set when several nodes run on one machine
 * @param lsbDir         {@code vigil.agents.lsb.dir}: LSB init scripts, default {@code /etc/init.d}
 * @param fenceDir       {@code vigil.agents.fence.dir}: where {@code fence_*} agents are, default {@code /usr/sbin}
 * @param stateDir       {@code vigil.agents.state.dir}: state of the built-in agents, default
 *                       {@code /run/vigil/agents}
 * @param systemctl      {@code vigil.agents.systemctl}: default {@code /usr/bin/systemctl} (falls back to
 *                       {@code /bin/systemctl})
 * @param python         {@code vigil.agents.python}: interpreter of the Python runner helper, default: python3
 *                       found on the usual paths
 * @param runner         {@code vigil.agents.runner}: which runner helper starts external agents: {@code auto}
 *                       (default: the native one where the bundle was built with it, else Python), {@code native}
 *                       or {@code python}
 * @param maxOutput      {@code vigil.agents.max.output}: bytes of stdout and of stderr kept per action, default
 *                       256 KiB
 * @param killGrace      {@code vigil.agents.kill.grace.ms}: SIGTERM to SIGKILL delay after a timeout, default
 *                       5000 ms
 * @param metadataTimeout {@code vigil.agents.metadata.timeout.ms}: timeout of a {@code meta-data} action, default
 *                       30000 ms
 * @param rescanDelay    {@code vigil.agents.rescan.ms}: how long a directory must be quiet after a change before
 *                       it is rescanned, default 500 ms
 * @param nodeStateDir   {@code vigil.state.dir} (the node's own framework property): the node's state directory,
 *                       which agents find as {@code VIGIL_STATE_DIR} so that the Pacemaker commands they run
 *                       ({@code attrd_updater}, ...) reach this node; null outside a node
 * @param vigilHome      {@code vigil.home} (the node's own framework property): the distribution, whose
 *                       {@code shims} directory goes first on the agents' PATH; null outside a node
 */
public record AgentSettings(Path ocfRoot, Path rscTmp, Path varRun, Path lsbDir, Path fenceDir, Path stateDir, Path systemctl,
                            String python, String runner, int maxOutput, Duration killGrace, Duration metadataTimeout,
                            Duration rescanDelay, Path nodeStateDir, Path vigilHome) {

    /** The defaults, overridden by the properties that {@code lookup} returns (null: not set). */
    public static AgentSettings from(Function<String, String> lookup) {
        String systemctl = get(lookup, "vigil.agents.systemctl",
            java.nio.file.Files.isExecutable(Path.of("/usr/bin/systemctl")) ? "/usr/bin/systemctl" : "/bin/systemctl");
        return new AgentSettings(
            Path.of(get(lookup, "vigil.agents.ocf.root", "/usr/lib/ocf")),
            Path.of(get(lookup, "vigil.agents.rsctmp", "/run/resource-agents")),
            path(lookup, "vigil.agents.varrun"),
            Path.of(get(lookup, "vigil.agents.lsb.dir", "/etc/init.d")),
            Path.of(get(lookup, "vigil.agents.fence.dir", "/usr/sbin")),
            Path.of(get(lookup, "vigil.agents.state.dir", "/run/vigil/agents")),
            Path.of(systemctl),
            lookup.apply("vigil.agents.python"),
            get(lookup, "vigil.agents.runner", "auto"),   // checked by AgentRunner
            (int) number(lookup, "vigil.agents.max.output", 256 * 1024),
            Duration.ofMillis(number(lookup, "vigil.agents.kill.grace.ms", 5000)),
            Duration.ofMillis(number(lookup, "vigil.agents.metadata.timeout.ms", 30000)),
            Duration.ofMillis(number(lookup, "vigil.agents.rescan.ms", 500)),
            path(lookup, "vigil.state.dir"),
            path(lookup, "vigil.home"));
    }

    /** The directory of the Pacemaker command stand-ins ({@code <vigil.home>/shims}), or null when absent. */
    public Path shimsDir() {
        if (vigilHome == null) {
            return null;
        }
        Path d = vigilHome.resolve("shims");
        return java.nio.file.Files.isDirectory(d) ? d : null;
    }

    private static Path path(Function<String, String> lookup, String key) {
        String v = lookup.apply(key);
        return v == null || v.isBlank() ? null : Path.of(v.strip());
    }

    /** The OCF agents' directory, {@code <ocfRoot>/resource.d}. */
    public Path resourceDir() {
        return ocfRoot.resolve("resource.d");
    }

    private static String get(Function<String, String> lookup, String key, String dflt) {
        String v = lookup.apply(key);
        return v == null || v.isBlank() ? dflt : v.strip();
    }

    private static long number(Function<String, String> lookup, String key, long dflt) {
        String v = lookup.apply(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("property " + key + ": '" + v + "' is not a non-negative number");
        }
    }
}
