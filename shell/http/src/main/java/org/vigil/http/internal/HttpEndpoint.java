package org.vigil.http.internal;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.fencer.Fencer;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * The node's HTTP endpoint (Prometheus {@code /metrics} and the dashboard), started with the node and configured by
 * its {@code http {}} section. It needs only the kernel: the CRM's services are optional, dynamic references read at
 * each request, so the endpoint keeps serving the kernel's metrics while a CRM bundle is stopped or upgraded, and
 * picks the new revision up as soon as it registers.
 */
@Component(immediate = true)
public final class HttpEndpoint implements NodeView {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.HTTP");
    /** How long one crm_mon result serves the scrapes and page polls that come together (ms). */
    static final long CRM_CACHE_MS = 250;

    @Reference
    VigilNode node;
    @Reference
    Cmap cmap;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile QuorumService quorum;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Cpg cpg;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Controller controller;

    private volatile Cib cib;
    private volatile Fencer fencer;
    private volatile AutoCloseable cibListen;
    private volatile AutoCloseable fencerListen;
    private final Map<AdminCommand, Map<String, Object>> commands = new ConcurrentHashMap<>();
    private volatile ClusterMetrics metrics;
    private HttpServer server;
    private volatile CrmStatus cached;
    private volatile long cachedAt;

    @Activate
    void activate() {
        HttpSettings s;
        try {
            s = HttpSettings.of(node.config(), node.nodeId());
        } catch (Exception e) {
            LOG.error("[HTTP] the HTTP endpoint is not started: {}", e.getMessage());
            return;
        }
        if (!s.enabled()) {
            LOG.info("[HTTP] the HTTP endpoint is disabled (http.enabled: no)");
            return;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        metrics = new ClusterMetrics(this, this::crmStatus);
        registry.register(metrics);
        JvmMetrics.builder().register(registry);
        try {
            server = new HttpServer(s, this, registry, this::crmStatus);
            LOG.info("[HTTP] metrics and dashboard on {}://{}:{}/ (token {}, actions {})", s.tls() ? "https" : "http",
                s.bind(), server.port(), s.token() != null ? "required" : "not required",
                s.actions() ? "enabled" : "disabled");
        } catch (Exception e) {
            // the node runs on without it (another process may hold the port: several nodes on one host)
            LOG.warn("[HTTP] the HTTP endpoint is not started: {}", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
            server = null;
        }
        closeQuietly(cibListen);
        closeQuietly(fencerListen);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void setCib(Cib c) {
        closeQuietly(cibListen);
        cib = c;
        try {
            cibListen = c.listen(change -> {
                ClusterMetrics m = metrics;
                if (m != null) {
                    m.cibUpdated();
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("[HTTP] cannot listen to the CIB: {}", e.toString());
        }
    }

    void unsetCib(Cib c) {
        if (cib == c) {
            closeQuietly(cibListen);
            cibListen = null;
            cib = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void setFencer(Fencer f) {
        closeQuietly(fencerListen);
        fencer = f;
        try {
            fencerListen = f.listen(e -> {
                ClusterMetrics m = metrics;
                if (m != null) {
                    m.fenceEvent(e);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("[HTTP] cannot listen to the fencer: {}", e.toString());
        }
    }

    void unsetFencer(Fencer f) {
        if (fencer == f) {
            closeQuietly(fencerListen);
            fencerListen = null;
            fencer = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCommand(AdminCommand c, Map<String, Object> props) {
        commands.put(c, props);
    }

    void removeCommand(AdminCommand c) {
        commands.remove(c);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // the service is going away anyway
            }
        }
    }

    /** crm_mon's view, at most {@link #CRM_CACHE_MS} old; null while crm_mon is not available or fails. */
    CrmStatus crmStatus() {
        long now = System.nanoTime();
        CrmStatus c = cached;
        if (c != null && now - cachedAt < CRM_CACHE_MS * 1_000_000) {
            return c;
        }
        synchronized (this) {
            if (cached != null && System.nanoTime() - cachedAt < CRM_CACHE_MS * 1_000_000) {
                return cached;
            }
            AdminCommand mon = command("crm_mon");
            CrmStatus s = null;
            if (mon != null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                     PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                    int rc = mon.execute(List.of("--output-as=xml", "-r", "-f"), o, e);
                    if (rc == 0) {
                        s = CrmStatus.parse(out.toByteArray());
                    } else {
                        LOG.debug("[HTTP] crm_mon: exit {}: {}", rc, err.toString(StandardCharsets.UTF_8).strip());
                    }
                } catch (Exception ex) {
                    LOG.debug("[HTTP] crm_mon failed: {}", ex.toString());
                }
            }
            cached = s;
            cachedAt = System.nanoTime();
            return s;
        }
    }

    @Override
    public String nodeName() {
        return node.name();
    }

    @Override
    public int nodeId() {
        return node.nodeId();
    }

    @Override
    public Cmap cmap() {
        return cmap;
    }

    @Override
    public QuorumService quorum() {
        return quorum;
    }

    @Override
    public Cpg cpg() {
        return cpg;
    }

    @Override
    public Cib cib() {
        return cib;
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Fencer fencer() {
        return fencer;
    }

    @Override
    public AdminCommand command(String name) {
        AdminCommand best = null;
        int bestRank = Integer.MIN_VALUE;
        for (Map.Entry<AdminCommand, Map<String, Object>> e : commands.entrySet()) {
            Object n = e.getValue().get(AdminCommand.NAME);
            boolean match = n instanceof String s ? s.equals(name)
                : n instanceof String[] a && List.of(a).contains(name);
            if (!match) {
                continue;
            }
            int rank = e.getValue().get("service.ranking") instanceof Integer i ? i : 0;
            if (best == null || rank > bestRank) {
                best = e.getKey();
                bestRank = rank;
            }
        }
        return best;
    }
}
