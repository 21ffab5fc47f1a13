package org.vigil.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /metrics text: what it holds with and without the CRM, and that Prometheus's own promtool accepts it. */
class ClusterMetricsTest {

    static byte[] sample() throws IOException {
        try (InputStream in = ClusterMetricsTest.class.getResourceAsStream("crm_mon-3nodes.xml")) {
            return in.readAllBytes();
        }
    }

    static String scrape(FakeNode node, CrmStatus crm, boolean jvm) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ClusterMetrics(node, () -> crm));
        if (jvm) {
            JvmMetrics.builder().register(registry);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.builder().build().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void kernelAndCrmMetrics() throws IOException {
        String text = scrape(new FakeNode(), CrmStatus.parse(sample()), false);
        assertTrue(text.contains("vigil_totem_orf_token_rx_total 12345.0"), text);
        assertTrue(text.contains("vigil_totem_mcast_retx_total 7.0"), text);
        assertTrue(text.contains("vigil_totem_huge_total 1.8446744073709552E19"), "u64 read unsigned: " + text);
        assertTrue(text.contains("vigil_ring_rejected_packets_total{reason=\"malformed\"} 2.0"), text);
        assertTrue(text.contains("vigil_link_connected{link=\"0\",nodeid=\"3\"} 0.0"), text);
        assertTrue(text.contains("vigil_link_latency_seconds{link=\"0\",nodeid=\"2\"} 2.1E-4"), text);
        assertTrue(text.contains("vigil_link_latency_min_seconds{link=\"0\",nodeid=\"2\"} 1.5E-4"), text);
        assertTrue(text.contains("vigil_link_latency_max_seconds{link=\"0\",nodeid=\"2\"} 4.8E-4"), text);
        assertFalse(text.contains("vigil_link_latency_seconds{link=\"0\",nodeid=\"3\"}"), "no sample, no point: " + text);
        assertTrue(text.contains("vigil_link_down_total{link=\"0\",nodeid=\"3\"} 2.0"), text);
        assertTrue(text.contains("vigil_member_joined{nodeid=\"3\",status=\"left\"} 0.0"), text);
        assertTrue(text.contains("vigil_ring_members 2.0"), text);
        assertTrue(text.contains("vigil_resource_role{agent=\"ocf:heartbeat:Dummy\",failed=\"false\",managed=\"true\","
            + "node=\"node1\",resource=\"vip\",role=\"Started\"} 1.0"), text);
        assertTrue(text.contains("vigil_resource_role{agent=\"ocf:heartbeat:Dummy\",failed=\"false\",managed=\"true\","
            + "node=\"\",resource=\"db\",role=\"Stopped\"} 1.0"), text);
        assertTrue(text.contains("vigil_resource_failcount{node=\"node1\",resource=\"vip\"} 2.0"), text);
        assertTrue(text.contains("vigil_node_state{dc=\"false\",node=\"node3\",state=\"offline\"} 1.0"), text);
        assertTrue(text.contains("vigil_crm_service_up{service=\"crm_mon\"} 1.0"), text);
    }

    /** Transitions: counted by the controller in cmap (so across its upgrades), read at the scrape. */
    @Test
    void transitionCountsDurationAndActions() throws IOException {
        FakeNode node = new FakeNode();
        node.controller = new org.vigil.crm.api.controller.Controller() {
            @Override
            public org.vigil.crm.api.controller.ControllerStatus status() {
                return new org.vigil.crm.api.controller.ControllerStatus("node1", "node1", true, true, 9, true, 0, "");
            }

            @Override
            public java.util.List<org.vigil.crm.api.controller.TimelineEvent> timeline() {
                return java.util.List.of();
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> forgetHistory(String r, java.util.Collection<String> n) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> failResource(String r, String n, String c, String p,
                                                                           String t) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
        };
        node.cmap().set("runtime.crm.controller.stats.transitions", org.vigil.kernel.api.CmapType.UINT64, 10L);
        node.cmap().set("runtime.crm.controller.stats.transitions_aborted", org.vigil.kernel.api.CmapType.UINT64, 2L);
        node.cmap().set("runtime.crm.controller.stats.transition_ms", org.vigil.kernel.api.CmapType.UINT64, 4500L);
        node.cmap().set("runtime.crm.controller.stats.transition_actions", org.vigil.kernel.api.CmapType.UINT64,
            37L);
        String text = scrape(node, CrmStatus.parse(sample()), false);
        assertTrue(text.contains("vigil_transitions_total 10.0"), text);
        assertTrue(text.contains("vigil_transitions_aborted_total 2.0"), text);
        assertTrue(text.contains("vigil_transition_seconds_total 4.5"), text);
        assertTrue(text.contains("vigil_transition_actions_total 37.0"), text);
        assertTrue(text.contains("vigil_transition_last 9.0"), text);
    }

    /** The kernel's part does not depend on the CRM: with crm_mon gone (bundle stopped) it is all still there. */
    @Test
    void kernelMetricsWithoutTheCrm() throws IOException {
        String text = scrape(new FakeNode(), null, false);
        assertTrue(text.contains("vigil_totem_orf_token_rx_total 12345.0"), text);
        assertTrue(text.contains("vigil_crm_service_up{service=\"crm_mon\"} 0.0"), text);
        assertTrue(text.contains("vigil_crm_service_up{service=\"cib\"} 0.0"), text);
        assertFalse(text.contains("vigil_resource_role{"), text);
    }

    /**
     * promtool (Debian's prometheus package, .ci/packages) checks the exposition format: names, types, HELP, label
     * syntax and escaping (a resource id with quotes and a backslash), histogram buckets, the JVM's metrics.
     */
    @Test
    void promtoolAcceptsTheScrape(@TempDir Path dir) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool)) {
            Assumptions.assumeFalse(Boolean.getBoolean("vigil.systemTests"), "promtool missing (.ci/packages)");
            Assumptions.abort("promtool not installed (apt-get install prometheus)");
        }
        String xml = new String(sample(), StandardCharsets.UTF_8).replace("id=\"vip\"", "id=\"v&quot;i\\p\"");
        FakeNode node = new FakeNode();
        ClusterMetrics m = new ClusterMetrics(node, () -> CrmStatus.parse(xml.getBytes(StandardCharsets.UTF_8)));
        m.actionDuration.labelValues("start").observe(0.2);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(m);
        JvmMetrics.builder().register(registry);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.builder().build().write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("resource=\"v\\\"i\\\\p\""), text);
        assertTrue(text.contains("vigil_agent_action_duration_seconds_bucket{operation=\"start\",le=\"0.25\"} 1"),
            text);
        assertTrue(text.contains("jvm_memory_used_bytes"), text);
        Path f = dir.resolve("metrics.txt");
        Files.writeString(f, text);
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(f.toFile())
            .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool hung");
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + report);
    }
}
