package org.vigil.agents.internal.builtin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.vigil.agents.internal.meta.AgentMetadata;
import org.vigil.agents.internal.meta.MetadataException;
import org.vigil.agents.internal.meta.MetadataParser;
import org.vigil.agents.internal.meta.ParameterCheck;
import org.vigil.kernel.spi.OcfStatus;

/**
 * What {@code vigil:Dummy} does, without any threading: a resource whose "running" state is a state file, with
 * configurable delays and failures for tests and the demo. Used by {@link DummyAgent} (the service, which adds
 * delays and timeouts without blocking threads) and by {@link DummyMain} (an OCF-script face of the same logic
 * for {@code ocf-tester}). Stateless apart from the files; thread-safe.
 *
 * <p>Parameters: {@code state} (state file, default {@code <state dir>/Dummy-<resource>.state}), {@code fake}
 * (written into the state file; changing it needs only a reload), {@code start_delay}, {@code stop_delay},
 * {@code monitor_delay} (seconds, decimals allowed), {@code fail_start}, {@code fail_stop},
 * {@code fail_monitor} (an OCF exit code the action returns instead of doing its work), and {@code log} (a file
 * to which every action appends {@code <resource> <action>}).
 */
public final class DummyLogic {

    /** The meta-data: OCF 1.1 shape that also validates against resource-agents' ra-api-1.dtd. */
    public static final String META_DATA = """
        <?xml version="1.0"?>
        <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
        <resource-agent name="Dummy" version="1.0">
        <version>1.1</version>
        <longdesc lang="en">
        Vigil's built-in Dummy agent (vigil:Dummy). It only remembers whether it runs, in a state file, and can be
        told to be slow or to fail, for tests and demonstrations.
        </longdesc>
        <shortdesc lang="en">Built-in Dummy resource agent</shortdesc>
        <parameters>
        <parameter name="state" unique="1">
        <longdesc lang="en">Location of the state file; default: Dummy-RESOURCE.state in Vigil's agent state directory.</longdesc>
        <shortdesc lang="en">State file</shortdesc>
        <content type="string"/>
        </parameter>
        <parameter name="fake">
        <longdesc lang="en">Any value; written into the state file. Changing it only needs a reload.</longdesc>
        <shortdesc lang="en">Fake attribute that can be changed to cause a reload</shortdesc>
        <content type="string" default="dummy"/>
        </parameter>
        <parameter name="start_delay">
        <longdesc lang="en">Seconds (decimals allowed) the start action takes.</longdesc>
        <shortdesc lang="en">Start delay</shortdesc>
        <content type="string" default="0"/>
        </parameter>
        <parameter name="stop_delay">
        <longdesc lang="en">Seconds (decimals allowed) the stop action takes.</longdesc>
        <shortdesc lang="en">Stop delay</shortdesc>
        <content type="string" default="0"/>
        </parameter>
        <parameter name="monitor_delay">
        <longdesc lang="en">Seconds (decimals allowed) the monitor action takes.</longdesc>
        <shortdesc lang="en">Monitor delay</shortdesc>
        <content type="string" default="0"/>
        </parameter>
        <parameter name="fail_start">
        <longdesc lang="en">If set, start returns this OCF exit code and does nothing.</longdesc>
        <shortdesc lang="en">Make start fail</shortdesc>
        <content type="integer"/>
        </parameter>
        <parameter name="fail_stop">
        <longdesc lang="en">If set, stop returns this OCF exit code and does nothing.</longdesc>
        <shortdesc lang="en">Make stop fail</shortdesc>
        <content type="integer"/>
        </parameter>
        <parameter name="fail_monitor">
        <longdesc lang="en">If set, monitor returns this OCF exit code.</longdesc>
        <shortdesc lang="en">Make monitor fail</shortdesc>
        <content type="integer"/>
        </parameter>
        <parameter name="log">
        <longdesc lang="en">If set, every action appends a line "RESOURCE ACTION" to this file.</longdesc>
        <shortdesc lang="en">Action log file</shortdesc>
        <content type="string"/>
        </parameter>
        </parameters>
        <actions>
        <action name="start" timeout="20s"/>
        <action name="stop" timeout="20s"/>
        <action name="monitor" timeout="20s" interval="10s" depth="0"/>
        <action name="reload" timeout="20s"/>
        <action name="migrate_to" timeout="20s"/>
        <action name="migrate_from" timeout="20s"/>
        <action name="meta-data" timeout="5s"/>
        <action name="validate-all" timeout="20s"/>
        </actions>
        </resource-agent>
        """;

    private static final AgentMetadata PARSED;

    static {
        try {
            PARSED = MetadataParser.parse(META_DATA, "vigil:Dummy");
        } catch (MetadataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What one action returns. */
    public record Outcome(OcfStatus status, String output, String error) {
    }

    private final Path stateDir;

    /** @param stateDir where state files go when the {@code state} parameter is not given */
    public DummyLogic(Path stateDir) {
        this.stateDir = stateDir;
    }

    public static AgentMetadata metadata() {
        return PARSED;
    }

    /** Parameter problems (see {@link ParameterCheck}), plus delays that are not numbers. */
    public static List<String> validate(Map<String, String> params) {
        List<String> problems = new java.util.ArrayList<>(ParameterCheck.check(PARSED, "vigil:Dummy", params));
        for (String k : List.of("start_delay", "stop_delay", "monitor_delay")) {
            String v = params.get(k);
            if (v != null) {
                try {
                    if (Double.parseDouble(v.strip()) < 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    problems.add("parameter '" + k + "' of vigil:Dummy: '" + v + "' is not a number of seconds");
                }
            }
        }
        return problems;
    }

    /** The delay before an action's work, from its {@code <action>_delay} parameter. */
    public static Duration delay(String action, Map<String, String> params) {
        String key = switch (action) {
            case "start", "migrate_from" -> "start_delay";
            case "stop", "migrate_to" -> "stop_delay";
            case "monitor", "status" -> "monitor_delay";
            default -> null;
        };
        String v = key == null ? null : params.get(key);
        return v == null ? Duration.ZERO : Duration.ofNanos((long) (Double.parseDouble(v.strip()) * 1e9));
    }

    /** Does the work of an action (after its delay). */
    public Outcome run(String resource, String action, Map<String, String> params) {
        Path state = params.containsKey("state") ? Path.of(params.get("state"))
            : stateDir.resolve("Dummy-" + resource.replace('/', '_') + ".state");
        try {
            String log = params.get("log");
            if (log != null) {
                Files.writeString(Path.of(log), resource + " " + action + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            String fail = params.get("fail_" + (action.equals("status") ? "monitor" : action));
            if (fail != null) {
                return new Outcome(OcfStatus.of(Integer.parseInt(fail.strip())), "",
                    "vigil:Dummy: " + action + " made to fail with " + fail.strip());
            }
            switch (action) {
                case "start", "migrate_from", "reload", "reload-agent" -> {
                    if (action.startsWith("reload") && !Files.exists(state)) {
                        return new Outcome(OcfStatus.OK, "", "");
                    }
                    Files.createDirectories(state.toAbsolutePath().getParent());
                    Files.writeString(state, params.getOrDefault("fake", "dummy") + "\n", StandardCharsets.UTF_8);
                    return new Outcome(OcfStatus.OK, "", "");
                }
                case "stop", "migrate_to" -> {
                    Files.deleteIfExists(state);
                    return new Outcome(OcfStatus.OK, "", "");
                }
                case "monitor", "status" -> {
                    return new Outcome(Files.exists(state) ? OcfStatus.OK : OcfStatus.NOT_RUNNING, "", "");
                }
                case "notify" -> {
                    return new Outcome(OcfStatus.OK, "", "");
                }
                case "validate-all" -> {
                    Path dir = state.toAbsolutePath().getParent();
                    if (Files.isDirectory(dir) && !Files.isWritable(dir)) {
                        return new Outcome(OcfStatus.ERR_PERM, "", "ocf-exit-reason:" + dir + " is not writable");
                    }
                    return new Outcome(OcfStatus.OK, "", "");
                }
                case "meta-data" -> {
                    return new Outcome(OcfStatus.OK, META_DATA, "");
                }
                default -> {
                    return new Outcome(OcfStatus.ERR_UNIMPLEMENTED, "", "vigil:Dummy has no " + action + " action");
                }
            }
        } catch (IOException e) {
            return new Outcome(OcfStatus.ERR_GENERIC, "", "ocf-exit-reason:" + action + " failed: " + e);
        }
    }
}
