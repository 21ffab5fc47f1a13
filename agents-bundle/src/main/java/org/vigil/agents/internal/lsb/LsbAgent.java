package org.vigil.agents.internal.lsb;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * An LSB init script {@code lsb:<script>} in {@code /etc/init.d}: {@code monitor} runs {@code status}, and the
 * status exit codes are mapped as the LSB defines them (0 running; 1, 2, 3 not running; 4 unknown). Other
 * actions' codes 0–7 mean what the OCF codes of the same number mean. Init scripts take no parameters; the
 * meta-data is made from the script's {@code ### BEGIN INIT INFO} block. Thread-safe.
 */
public final class LsbAgent extends ExternalResourceAgent {

    private static final List<String> ACTIONS = List.of("start", "stop", "status", "monitor", "restart",
        "force-reload", "reload", "meta-data", "validate-all");

    private final String script;
    private final Path path;
    private final AgentSettings settings;
    private final Map<String, String> baseEnv;

    public LsbAgent(String script, AgentSettings settings, AgentRunner runner) {
        super(runner);
        this.script = script;
        this.settings = settings;
        this.path = settings.lsbDir().resolve(script);
        this.baseEnv = Outcomes.baseEnvironment(settings);
    }

    @Override
    public String standard() {
        return "lsb";
    }

    @Override
    public String provider() {
        return null;
    }

    @Override
    public String type() {
        return script;
    }

    /** LSB status exit code to OCF meaning. */
    public static OcfStatus statusToOcf(int code) {
        return switch (code) {
            case 0 -> OcfStatus.OK;
            case 1, 2, 3 -> OcfStatus.NOT_RUNNING;
            default -> OcfStatus.ERR_GENERIC;
        };
    }

    /** LSB exit code of any other action to OCF meaning. */
    public static OcfStatus actionToOcf(int code) {
        return code >= 0 && code <= 7 ? OcfStatus.of(code) : OcfStatus.ERR_GENERIC;
    }

    @Override
    public String metaData() throws IOException {
        Map<String, String> info = initInfo(path);
        String shortDesc = info.getOrDefault("Short-Description", script);
        String longDesc = info.getOrDefault("Description", shortDesc);
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\"?>\n");
        b.append("<resource-agent name=\"").append(Xml.escape(script)).append("\" version=\"0.1\">\n");
        b.append("  <version>1.0</version>\n");
        b.append("  <longdesc lang=\"en\">").append(Xml.escape(longDesc)).append("</longdesc>\n");
        b.append("  <shortdesc lang=\"en\">").append(Xml.escape(shortDesc)).append("</shortdesc>\n");
        b.append("  <parameters/>\n  <actions>\n");
        for (String a : List.of("meta-data", "start", "stop", "status", "restart", "force-reload")) {
            b.append("    <action name=\"").append(a).append("\" timeout=\"").append(a.equals("meta-data") ? "5s" : "15s")
                .append("\"/>\n");
        }
        b.append("    <action name=\"monitor\" timeout=\"15s\" interval=\"15s\"/>\n");
        b.append("  </actions>\n  <special tag=\"LSB\">\n");
        for (String k : List.of("Provides", "Required-Start", "Required-Stop", "Should-Start", "Should-Stop",
            "Default-Start", "Default-Stop")) {
            if (info.containsKey(k)) {
                String tag = k.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
                b.append("    <").append(tag).append(">").append(Xml.escape(info.get(k))).append("</").append(tag)
                    .append(">\n");
            }
        }
        b.append("  </special>\n</resource-agent>\n");
        return b.toString();
    }

    /** The {@code key: value} lines of an init script's INIT INFO block (continuation lines joined). */
    static Map<String, String> initInfo(Path script) throws IOException {
        Map<String, String> info = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(script, StandardCharsets.ISO_8859_1)) {
            boolean in = false;
            String last = null;
            String line;
            int n = 0;
            while ((line = r.readLine()) != null && n++ < 400) {
                if (line.startsWith("### BEGIN INIT INFO")) {
                    in = true;
                } else if (line.startsWith("### END INIT INFO")) {
                    break;
                } else if (in && line.startsWith("#")) {
                    String body = line.substring(1);
                    int colon = body.indexOf(':');
                    if ((body.startsWith("\t") || body.startsWith("  ")) && last != null) {
                        info.merge(last, " " + body.strip(), String::concat);
                    } else if (colon > 0) {
                        last = body.substring(0, colon).strip();
                        info.put(last, body.substring(colon + 1).strip());
                    }
                }
            }
        }
        return info;
    }

    @Override
    protected CompletableFuture<Prepared> prepare(AgentRequest req) {
        String what = Outcomes.opKey(req.resource(), req.action(), req.interval()) + " (" + spec() + ")";
        if (!req.params().isEmpty()) {
            return CompletableFuture.completedFuture(Prepared.answer(AgentResult.failed(ExecStatus.ERROR,
                OcfStatus.ERR_CONFIGURED, what + " not run: LSB init scripts take no parameters (given: "
                    + String.join(", ", new java.util.TreeSet<>(req.params().keySet())) + ")", Duration.ZERO)));
        }
        if (!ACTIONS.contains(req.action())) {
            return CompletableFuture.completedFuture(Prepared.answer(AgentResult.failed(ExecStatus.ERROR,
                OcfStatus.ERR_UNIMPLEMENTED, what + ": LSB scripts have no '" + req.action() + "' action",
                Duration.ZERO)));
        }
        if (req.action().equals("meta-data") || req.action().equals("validate-all")) {
            try {
                String out = req.action().equals("meta-data") ? metaData() : "";
                return CompletableFuture.completedFuture(Prepared.answer(new AgentResult(ExecStatus.DONE,
                    OcfStatus.OK, 0, out, "", Duration.ZERO)));
            } catch (IOException e) {
                return CompletableFuture.completedFuture(Prepared.answer(AgentResult.failed(
                    ExecStatus.NOT_INSTALLED, OcfStatus.ERR_INSTALLED, what + ": " + path + ": " + e.getMessage(),
                    Duration.ZERO)));
            }
        }
        boolean status = req.action().equals("monitor") || req.action().equals("status");
        Map<String, String> env = new java.util.HashMap<>(baseEnv);
        return CompletableFuture.completedFuture(Prepared.run(program(List.of(path.toString(),
            status ? "status" : req.action()), env, null, req.timeout(), settings),
            status ? LsbAgent::statusToOcf : LsbAgent::actionToOcf));
    }
}
