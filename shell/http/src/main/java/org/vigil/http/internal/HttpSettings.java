package org.vigil.http.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.vigil.kernel.config.VigilConfig;

/**
 * The HTTP endpoint's settings, from the node's configuration file ({@code http {}} section, checked by the kernel's
 * configuration loader: a non-loopback {@code bind} without TLS and a token never gets this far).
 *
 * @param enabled whether the endpoint runs ({@code http.enabled})
 * @param bind    the address it listens on ({@code http.bind}, default 127.0.0.1)
 * @param port    its TCP port: the node's {@code nodelist.node.N.http_port}, else {@code http.port} (default 9664)
 * @param tlsCert PEM certificate file, or null for plain HTTP
 * @param tlsKey  PEM PKCS#8 key file, or null
 * @param token   the bearer token every request must carry, or null when none is required (loopback only)
 * @param actions whether the dashboard's actions (move, ban, clear, standby, cleanup) are allowed
 */
public record HttpSettings(boolean enabled, String bind, int port, Path tlsCert, Path tlsKey, String token,
                           boolean actions) {

    /** ha_cluster_exporter's port, which Prometheus set-ups for Pacemaker clusters already scrape. */
    public static final int DEFAULT_PORT = 9664;

    /** Loopback, plain HTTP, no token, read-only, on {@code port}. */
    public static HttpSettings local(int port) {
        return new HttpSettings(true, "127.0.0.1", port, null, null, null, false);
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /** Same settings, another token and actions switch (tests). */
    public HttpSettings with(String newToken, boolean newActions) {
        return new HttpSettings(enabled, bind, port, tlsCert, tlsKey, newToken, newActions);
    }

    /**
     * The settings of the node {@code nodeId} in {@code config}.
     *
     * @throws IOException if the token file cannot be read
     */
    public static HttpSettings of(VigilConfig config, int nodeId) throws IOException {
        boolean enabled = !config.raw("http.enabled").map(String::strip).orElse("yes").equals("no");
        String bind = config.raw("http.bind").map(String::strip).orElse("127.0.0.1");
        int port = config.raw("http.port").map(s -> Integer.parseInt(s.strip())).orElse(DEFAULT_PORT);
        Optional<VigilConfig.Node> self = config.node(nodeId);
        if (self.isPresent()) {
            Optional<String> own = config.raw("nodelist.node." + self.get().position() + ".http_port");
            if (own.isPresent()) {
                port = Integer.parseInt(own.get().strip());
            }
        }
        Path cert = config.raw("http.tls_cert").map(s -> Path.of(s.strip())).orElse(null);
        Path key = config.raw("http.tls_key").map(s -> Path.of(s.strip())).orElse(null);
        String token = config.raw("http.token").map(String::strip).orElse(null);
        Optional<String> tokenFile = config.raw("http.token_file").map(String::strip);
        if (tokenFile.isPresent()) {
            String text = Files.readString(Path.of(tokenFile.get()), StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            token = nl < 0 ? text : text.substring(0, nl).strip();
            if (token.isEmpty()) {
                throw new IOException("http.token_file " + tokenFile.get() + " is empty");
            }
        }
        boolean actions = config.raw("http.actions").map(String::strip).orElse("no").equals("yes");
        return new HttpSettings(enabled, bind, port, cert, key, token, actions);
    }

    /** True if {@link #bind} is a loopback address. */
    public boolean loopback() {
        InetAddress a = VigilConfig.literal(bind);
        return a != null && a.isLoopbackAddress();
    }
}
