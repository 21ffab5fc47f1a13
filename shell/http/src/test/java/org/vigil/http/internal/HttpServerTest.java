package org.vigil.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.command.AdminCommand;

/** The endpoint's HTTP surface and its security: token, TLS, actions switch, request header, escaping. */
class HttpServerTest {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpServer start(FakeNode node, HttpSettings s) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ClusterMetrics(node, () -> null));
        return new HttpServer(s, node, registry, () -> {
            try {
                return CrmStatus.parse(ClusterMetricsTest.sample());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private HttpResponse<String> get(HttpServer srv, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srv.port() + path))
            .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(HttpServer srv, String body, boolean header, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srv.port() + "/api/action"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
        if (header) {
            b.header("X-Vigil-Request", "1");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesMetricsPageAndStatusOnLoopback() throws Exception {
        try (HttpServer srv = start(new FakeNode(), HttpSettings.local(0))) {
            HttpResponse<String> m = get(srv, "/metrics", null);
            assertEquals(200, m.statusCode());
            assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertTrue(m.body().contains("vigil_totem_orf_token_rx_total 12345.0"), m.body());
            HttpResponse<String> page = get(srv, "/", null);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script src=\"dashboard.js\""), page.body());
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
            HttpResponse<String> st = get(srv, "/api/status", null);
            assertEquals(200, st.statusCode());
            assertTrue(st.body().contains("\"dc\":\"node1\""), st.body());
            assertEquals(404, get(srv, "/etc/passwd", null).statusCode());
        }
    }

    /** A resource id or failure reason holding markup travels as inert JSON text (the page adds it as text). */
    @Test
    void statusEscapesMarkup() throws Exception {
        try (HttpServer srv = start(new FakeNode(), HttpSettings.local(0))) {
            String body = get(srv, "/api/status", null).body();
            assertTrue(body.contains("\"id\":\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\""), body);
            assertFalse(body.contains("<"), body);
        }
    }

    /** Even without the configuration check, a network bind without TLS and a token does not start. */
    @Test
    void networkBindWithoutTlsAndTokenIsRefused() {
        HttpSettings open = new HttpSettings(true, "0.0.0.0", 0, null, null, null, false);
        IOException e = assertThrows(IOException.class, () -> start(new FakeNode(), open));
        assertTrue(e.getMessage().contains("TLS and a token are required"), e.getMessage());
        assertThrows(IOException.class, () -> start(new FakeNode(), open.with("tok", false)));
    }

    /** Without a token, a request for another host name (a DNS-rebinding page) is refused. */
    @Test
    void loopbackWithoutTokenAnswersOnlyLoopbackHostNames() throws Exception {
        try (HttpServer srv = start(new FakeNode(), HttpSettings.local(0))) {
            for (String ok : List.of("127.0.0.1:9664", "localhost:9664", "localhost", "[::1]:9664", "127.0.0.1")) {
                assertTrue(srv.hostAllowed(ok), ok);
            }
            for (String bad : List.of("evil.example:9664", "127.0.0.1.evil.example", "localhost.evil", "")) {
                assertFalse(srv.hostAllowed(bad), bad);
            }
            assertFalse(srv.hostAllowed(null));
            // the JDK client lets no test set Host: a raw request
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", srv.port())) {
                s.getOutputStream().write(("GET /api/status HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 421"), answer);
            }
        }
        try (HttpServer srv = start(new FakeNode(), HttpSettings.local(0).with("tok", false))) {
            assertTrue(srv.hostAllowed("node1.example.org:9664"), "with a token the token decides");
        }
    }

    @Test
    void tokenIsRequiredWhenConfigured() throws Exception {
        try (HttpServer srv = start(new FakeNode(), HttpSettings.local(0).with("s3cret", false))) {
            assertEquals(401, get(srv, "/metrics", null).statusCode());
            assertEquals(401, get(srv, "/metrics", "wrong").statusCode());
            assertEquals(401, get(srv, "/api/status", null).statusCode());
            assertEquals(401, post(srv, "action=clear&resource=vip", true, null).statusCode());
            assertEquals(200, get(srv, "/metrics", "s3cret").statusCode());
            assertEquals(200, get(srv, "/api/status", "s3cret").statusCode());
            // the page itself holds no data: it loads, then asks for the token
            assertEquals(200, get(srv, "/", null).statusCode());
        }
    }

    @Test
    void actionsAreRefusedUnlessEnabled() throws Exception {
        FakeNode node = new FakeNode();
        List<List<String>> ran = new ArrayList<>();
        AdminCommand crmResource = (args, out, err) -> {
            ran.add(args);
            out.println("done");
            return 0;
        };
        node.commands.put("crm_resource", crmResource);
        node.commands.put("crm_attribute", crmResource);
        try (HttpServer srv = start(node, HttpSettings.local(0))) {
            HttpResponse<String> r = post(srv, "action=move&resource=vip&node=node2", true, null);
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(ran.isEmpty());
        }
        try (HttpServer srv = start(node, HttpSettings.local(0).with(null, true))) {
            // a cross-site form cannot add the header: refused
            assertEquals(403, post(srv, "action=move&resource=vip&node=node2", false, null).statusCode());
            assertTrue(ran.isEmpty());
            assertEquals(400, post(srv, "action=move&resource=--force&node=node2", true, null).statusCode());
            assertEquals(400, post(srv, "action=reboot&node=node2", true, null).statusCode());
            assertEquals(405, get(srv, "/api/action?action=clear&resource=vip", null).statusCode());
            assertTrue(ran.isEmpty());
            HttpResponse<String> r = post(srv, "action=move&resource=vip&node=node2", true, null);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(List.of("--move", "--resource", "vip", "--node", "node2"), ran.get(0));
            post(srv, "action=standby&node=node3&value=on", true, null);
            assertEquals(List.of("--node", "node3", "--name", "standby", "--update", "on", "--lifetime", "forever"),
                ran.get(1));
            post(srv, "action=cleanup&resource=vip", true, null);
            assertEquals(List.of("--cleanup", "--resource", "vip"), ran.get(2));
        }
    }

    /** With a certificate the endpoint speaks HTTPS only; the client that trusts the certificate gets through. */
    @Test
    void tlsWithToken(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
            "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
            .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl could not make a key");
        HttpSettings s = new HttpSettings(true, "127.0.0.1", 0, cert, key, "tok", false);
        try (HttpServer srv = start(new FakeNode(), s)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream in = new FileInputStream(cert.toFile())) {
                ks.setCertificateEntry("node", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            HttpClient tls = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("https://127.0.0.1:" + srv.port() + "/metrics");
            assertEquals(401, tls.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
            HttpResponse<String> ok = tls.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer tok")
                .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("vigil_totem_orf_token_rx_total"));
            // plain HTTP on the TLS port gets no answer
            assertThrows(IOException.class, () -> get(srv, "/metrics", "tok"));
        }
    }
}
