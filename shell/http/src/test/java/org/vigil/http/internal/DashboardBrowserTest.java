package org.vigil.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless browser (Debian's chromium, .ci/packages): the page runs its script, polls the
 * status and draws the 3 nodes and the resources, with no console message; a resource id and a failure reason that
 * hold markup are shown as text, never run. A screenshot is kept in target/dashboard-test.png. About 3 s.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void pageShowsNodesAndResourcesAndEscapesNames() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            Assumptions.assumeFalse(Boolean.getBoolean("vigil.systemTests"), "chromium missing (.ci/packages)");
            Assumptions.abort("chromium not installed");
        }
        FakeNode node = new FakeNode();
        PrometheusRegistry registry = new PrometheusRegistry();
        try (HttpServer srv = new HttpServer(HttpSettings.local(0).with(null, true), node, registry, () -> {
            try {
                return CrmStatus.parse(ClusterMetricsTest.sample());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            String url = "http://127.0.0.1:" + srv.port() + "/";
            Path target = Path.of("target");
            Files.createDirectories(target);
            Path profile = Files.createTempDirectory(target, "chromium-");
            Run dom = chromium(profile, "--dump-dom", url);
            assertEquals(0, dom.status, dom.err);
            Run shot = chromium(profile, "--screenshot=" + target.toAbsolutePath().resolve("dashboard-test.png"),
                "--window-size=1280,900", url);
            assertEquals(0, shot.status, shot.err);
            String html = dom.out;
            // drawn by the script from /api/status
            List<String> cards = new ArrayList<>();
            Matcher m = Pattern.compile("class=\"node (\\w+)\" data-node=\"(\\w+)\"").matcher(html);
            while (m.find()) {
                cards.add(m.group(2) + ":" + m.group(1));
            }
            assertEquals(List.of("node1:online", "node2:online", "node3:offline"), cards, html);
            assertTrue(html.contains("data-resource=\"vip\""), html);
            // the ring panel: each node's links with their heartbeat round trip
            assertTrue(html.contains("data-link=\"0\">link 0 up 0.21 ms (0.15-0.48)<"), html);
            assertTrue(html.contains("data-link=\"0\">link 0 down<"), html);
            assertTrue(html.contains("web-ip"), html);
            // the markup in names is text: escaped in the DOM, no element made from it
            assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
            assertTrue(html.contains("&lt;img src=x onerror=alert(2)&gt;"), html);
            assertFalse(html.contains("<img src=\"x\""), html);
            assertFalse(html.contains("<script>alert"), html);
            // no console message: no script error, no failed request
            List<String> console = dom.err.lines().filter(l -> l.contains("CONSOLE")).toList();
            assertTrue(console.isEmpty(), String.join("\n", console));
        }
    }

    private record Run(int status, String out, String err) {
    }

    private static Run chromium(Path profile, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile.toAbsolutePath(),
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(profile, "out", ".txt");
        Path err = Files.createTempFile(profile, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 60 s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }
}
