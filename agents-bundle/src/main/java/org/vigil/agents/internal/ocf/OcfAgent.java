package org.vigil.agents.internal.ocf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.agents.internal.AgentSettings;
import org.vigil.agents.internal.exec.AgentRunner;
import org.vigil.agents.internal.exec.ExternalResourceAgent;
import org.vigil.agents.internal.exec.Outcomes;
import org.vigil.agents.internal.exec.ProcessSpec;
import org.vigil.agents.internal.meta.AgentMetadata;
import org.vigil.agents.internal.meta.MetadataException;
import org.vigil.agents.internal.meta.MetadataParser;
import org.vigil.agents.internal.meta.ParameterCheck;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.OcfStatus;

/**
 * An OCF resource agent {@code ocf:<provider>:<type>}: the executable {@code <OCF_ROOT>/resource.d/<provider>/<type>},
 * run with the action as its only argument and everything else in the OCF environment:
 * {@code OCF_ROOT}, {@code OCF_RA_VERSION_MAJOR/MINOR}, {@code OCF_RESOURCE_INSTANCE}, {@code OCF_RESOURCE_TYPE},
 * {@code OCF_RESOURCE_PROVIDER}, {@code OCF_RESKEY_<param>}, {@code OCF_RESKEY_CRM_meta_<meta>} (with
 * {@code timeout} and {@code interval} in milliseconds), {@code OCF_EXIT_REASON_PREFIX} and {@code HA_RSCTMP}.
 *
 * <p>Before any action but {@code meta-data}, the parameters are checked against the agent's meta-data (run once
 * and cached until the file changes). Thread-safe.
 */
public final class OcfAgent extends ExternalResourceAgent {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.AGENTS");

    /** Cached meta-data, valid while the agent file keeps its modification time and size. */
    private record MetaState(Object fileKey, String xml, AgentMetadata parsed, String problem) {
    }

    private final String provider;
    private final String type;
    private final Path path;
    private final AgentSettings settings;
    private final Map<String, String> baseEnv;
    private CompletableFuture<Object> metaCache;   // completes with MetaState or AgentResult; guarded by this
    private Object metaKey;                        // guarded by this

    public OcfAgent(String provider, String type, AgentSettings settings, AgentRunner runner) {
        super(runner);
        this.provider = provider;
        this.type = type;
        this.settings = settings;
        this.path = settings.resourceDir().resolve(provider).resolve(type);
        this.baseEnv = Outcomes.baseEnvironment(settings);
    }

    @Override
    public String standard() {
        return "ocf";
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public String type() {
        return type;
    }

    /** The agent's file. */
    public Path path() {
        return path;
    }

    @Override
    public String metaData() throws Exception {
        Object m = metaState().get(settings.metadataTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        if (m instanceof MetaState ms) {
            if (ms.parsed() == null) {
                throw new MetadataException(ms.problem());
            }
            return ms.xml();
        }
        AgentResult r = (AgentResult) m;
        throw new MetadataException("meta-data of " + spec() + " could not be obtained: "
            + (r.exitReason() != null ? r.exitReason() : r.exec() + " " + r.status().description()));
    }

    /** The parsed meta-data (blocking, like {@link #metaData()}). */
    public AgentMetadata parsedMetaData() throws Exception {
        Object m = metaState().get(settings.metadataTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        if (m instanceof MetaState ms) {
            if (ms.parsed() == null) {
                throw new MetadataException(ms.problem());
            }
            return ms.parsed();
        }
        metaData();
        throw new IllegalStateException();
    }

    @Override
    public List<String> validate(Map<String, String> params) {
        try {
            return ParameterCheck.check(parsedMetaData(), spec(), params);
        } catch (ExecutionException | TimeoutException e) {
            return List.of("meta-data of " + spec() + " could not be obtained: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("interrupted");
        } catch (Exception e) {
            return List.of(e.getMessage());
        }
    }

    @Override
    protected CompletableFuture<Prepared> prepare(AgentRequest req) {
        if (req.action().equals("meta-data")) {
            return CompletableFuture.completedFuture(Prepared.run(processSpec(req), OcfStatus::of));
        }
        return metaState().thenApply(m -> {
            if (m instanceof AgentResult failure) {
                // The agent could not even describe itself (missing, not executable, hanging): that is the answer.
                return Prepared.answer(new AgentResult(failure.exec(), failure.status(), failure.exitCode(),
                    failure.output(), Outcomes.opKey(req.resource(), req.action(), req.interval()) + " (" + spec()
                    + ") not run: " + failure.error(), failure.elapsed()));
            }
            MetaState ms = (MetaState) m;
            if (ms.parsed() != null) {
                List<String> problems = ParameterCheck.check(ms.parsed(), spec(), req.params());
                if (!problems.isEmpty()) {
                    return Prepared.answer(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_CONFIGURED,
                        Outcomes.opKey(req.resource(), req.action(), req.interval()) + " (" + spec()
                            + ") not run: " + String.join("; ", problems), Duration.ZERO));
                }
            } else {
                for (String name : req.params().keySet()) {
                    String np = ParameterCheck.nameProblem(name);
                    if (np != null || req.params().get(name).indexOf('\0') >= 0) {
                        return Prepared.answer(AgentResult.failed(ExecStatus.ERROR, OcfStatus.ERR_CONFIGURED,
                            spec() + ": parameter '" + name + "' cannot be passed to an agent", Duration.ZERO));
                    }
                }
            }
            return Prepared.run(processSpec(req), OcfStatus::of);
        });
    }

    private ProcessSpec processSpec(AgentRequest req) {
        Map<String, String> env = new java.util.HashMap<>(baseEnv);
        env.put("OCF_ROOT", settings.ocfRoot().toString());
        env.put("OCF_RA_VERSION_MAJOR", "1");
        env.put("OCF_RA_VERSION_MINOR", "1");
        env.put("OCF_RESOURCE_INSTANCE", req.resource());
        env.put("OCF_RESOURCE_TYPE", type);
        env.put("OCF_RESOURCE_PROVIDER", provider);
        env.put("OCF_EXIT_REASON_PREFIX", AgentResult.EXIT_REASON_PREFIX);
        env.put("HA_RSCTMP", settings.rscTmp().toString());
        if (settings.varRun() != null) {
            env.put("HA_VARRUN", settings.varRun().toString());
        }
        if (settings.shimsDir() != null) {
            // agents run Pacemaker's commands as ${HA_SBIN_DIR}/crm_attribute etc. (ocf-directories defaults it to
            // /usr/sbin, where an installed Pacemaker's would answer "Could not connect to the CIB")
            env.put("HA_SBIN_DIR", settings.shimsDir().toString());
        }
        req.params().forEach((k, v) -> env.put("OCF_RESKEY_" + k, v));
        req.meta().forEach((k, v) -> env.put("OCF_RESKEY_CRM_meta_" + k.replace('-', '_'), v));
        env.put("OCF_RESKEY_CRM_meta_timeout", Long.toString(req.timeout().toMillis()));
        env.put("OCF_RESKEY_CRM_meta_interval", Long.toString(req.interval().toMillis()));
        return program(List.of(path.toString(), req.action()), env, null, req.timeout(), settings);
    }

    /** The meta-data state, refreshed when the agent file changed; failures are not cached. */
    private synchronized CompletableFuture<Object> metaState() {
        Object key = fileKey();
        if (metaCache != null && key != null && key.equals(metaKey)) {
            CompletableFuture<Object> c = metaCache;
            if (!c.isDone() || c.join() instanceof MetaState ms && ms.parsed() != null) {
                return c;
            }
        }
        AgentRequest md = AgentRequest.of(type, "meta-data", Map.of(), settings.metadataTimeout());
        CompletableFuture<Object> f = execute(md).toCompletableFuture().thenApply(r -> {
            if (r.exec() != ExecStatus.DONE) {
                return r;
            }
            if (r.status() != OcfStatus.OK) {
                String problem = spec() + ": meta-data exited with " + r.exitCode() + " ("
                    + r.status().description() + ")";
                LOG.warn("{}; its parameters are not checked before it runs", problem);
                return new MetaState(key, r.output(), null, problem);
            }
            try {
                return new MetaState(key, r.output(), MetadataParser.parse(r.output(), spec()), null);
            } catch (MetadataException e) {
                LOG.warn("{}; its parameters are not checked before it runs", e.getMessage());
                return new MetaState(key, r.output(), null, e.getMessage());
            }
        });
        metaCache = f;
        metaKey = key;
        return f;
    }

    private Object fileKey() {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime(), a.size(), a.fileKey() == null ? "" : a.fileKey());
        } catch (IOException e) {
            return null;
        }
    }
}
