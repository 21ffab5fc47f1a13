package org.vigil.agents.internal.systemd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.vigil.agents.internal.AgentSettings;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.exec.ExternalResourceAgent;
import org.vigil.agents.internal.exec.Outcomes;
import org.vigil.agents.internal.meta.Xml;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;

/**
 * A systemd unit {@code systemd:<unit>} driven through {@code systemctl}: {@code start}/{@code stop} wait for
 * the job, {@code monitor}/{@code status} ask {@code systemctl is-active}. On a node where systemd is not the
 * init system every action reports "not installed" without running anything. Thread-safe.
 */
public final class SystemdAgent extends ExternalResourceAgent {

    private static final Path SYSTEMD_RUNNING = Path.of("/run/systemd/system");

    private final String unit;
    private final AgentSettings settings;
    private final Path runningMarker;
    private final Map<String, String> baseEnv;

    public SystemdAgent(String unit, AgentSettings settings, AgentRunner runner) {
        this(unit, settings, runner, SYSTEMD_RUNNING);
    }

    /** For tests: {@code runningMarker} is the directory whose presence means systemd is running. */
    public SystemdAgent(String unit, AgentSettings settings, AgentRunner runner, Path runningMarker) {
        super(runner);
        this.unit = unit;
        this.settings = settings;
        this.runningMarker = runningMarker;
        this.baseEnv = Outcomes.baseEnvironment(settings);
    }

    /** True when systemd is this node's init system (as {@code sd_booted()} decides). */
    public static boolean systemdRunning() {
        return Files.isDirectory(SYSTEMD_RUNNING);
    }

    @Override
    public String standard() {
        return "systemd";
    }

    @Override
    public String provider() {
        return null;
    }

    @Override
    public String type() {
        return unit;
    }

    private String unitName() {
        return unit.contains(".") ? unit : unit + ".service";
    }

    @Override
    public String metaData() {
        String n = Xml.escape(unit);
        return "<?xml version=\"1.0\"?>\n"
            + "<resource-agent name=\"" + n + "\" version=\"0.1\">\n"
            + "  <version>1.0</version>\n"
            + "  <longdesc lang=\"en\">systemd unit " + Xml.escape(unitName()) + ", managed through systemctl</longdesc>\n"
            + "  <shortdesc lang=\"en\">systemd unit " + n + "</shortdesc>\n"
            + "  <parameters/>\n  <actions>\n"
            + "    <action name=\"start\" timeout=\"100s\"/>\n    <action name=\"stop\" timeout=\"100s\"/>\n"
            + "    <action name=\"status\" timeout=\"100s\"/>\n"
            + "    <action name=\"monitor\" timeout=\"100s\" interval=\"60s\"/>\n"
            + "    <action name=\"meta-data\" timeout=\"5s\"/>\n  </actions>\n"
            + "  <special tag=\"systemd\"/>\n</resource-agent>\n";
    }

    @Override
    protected CompletableFuture<Prepared> prepare(AgentRequest req) {
        String what = Outcomes.opKey(req.resource(), req.action(), req.interval()) + " (" + spec() + ")";
        if (!Files.isDirectory(runningMarker) || !Files.isExecutable(settings.systemctl())) {
            return answer(AgentResult.failed(ExecStatus.NOT_INSTALLED, OcfStatus.ERR_INSTALLED,
                what + ": systemd is not running on this node, so systemd units are not installed here",
                Duration.ZERO));
        }
        if (!req.params().isEmpty()) {
            return answer(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_CONFIGURED,
                what + " not run: systemd units take no parameters", Duration.ZERO));
        }
        String sc = settings.systemctl().toString();
        Map<String, String> env = new java.util.HashMap<>(baseEnv);
        return switch (req.action()) {
            case "meta-data" -> answer(new AgentResult(ExecStatus.DONE, OcfStatus.OK, 0, metaData(), "",
                Duration.ZERO));
            case "validate-all" -> answer(new AgentResult(ExecStatus.DONE, OcfStatus.OK, 0, "", "", Duration.ZERO));
            case "start", "stop", "reload", "restart" -> run(List.of(sc, "--no-ask-password", req.action(),
                unitName()), env, req, code -> code == 0 ? OcfStatus.OK
                : code == 5 || code == 4 ? OcfStatus.ERR_INSTALLED : OcfStatus.ERR_GENERIC);
            case "monitor", "status" -> run(List.of(sc, "is-active", "--quiet", unitName()), env, req,
                code -> code == 0 ? OcfStatus.OK : code == 4 ? OcfStatus.ERR_INSTALLED : OcfStatus.NOT_RUNNING);
            default -> answer(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_UNIMPLEMENTED,
                what + ": systemd units have no '" + req.action() + "' action", Duration.ZERO));
        };
    }

    private CompletableFuture<Prepared> run(List<String> argv, Map<String, String> env, AgentRequest req,
                                            java.util.function.IntFunction<OcfStatus> mapping) {
        return CompletableFuture.completedFuture(Prepared.run(program(argv, env, null, req.timeout(), settings),
            mapping));
    }

    private static CompletableFuture<Prepared> answer(AgentResult r) {
        return CompletableFuture.completedFuture(Prepared.answer(r));
    }
}
