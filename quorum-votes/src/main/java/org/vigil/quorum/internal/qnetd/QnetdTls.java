package org.vigil.quorum.internal.qnetd;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The arbiter's TLS settings, from PKCS#12 files (corosync-qnetd keeps the same in its NSS database: its server
 * certificate and key, and the CA that signs the clusters' certificates, whose {@code qdevice-net-node.p12} the
 * nodes hold). With a trust store the arbiter asks every TLS client for a certificate that chains to it (as
 * corosync-qnetd's {@code -c on}, its default); without one, any TLS client is accepted.
 */
final class QnetdTls {

    /** TLS off, offered next to plain TCP, or required (corosync-qnetd's {@code -s off|on|required}). */
    enum Mode { OFF, ON, REQUIRED }

    private QnetdTls() {
    }

    /**
     * The server context.
     *
     * @param keystore   PKCS#12 file with the arbiter's private key and certificate chain
     * @param password   its password (also the key's)
     * @param truststore PKCS#12 file with the certificates client certificates must chain to, or null
     * @throws IOException with a message naming the file when one cannot be read or used
     */
    static SslContext server(Path keystore, char[] password, Path truststore) throws IOException {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore, password), password);
            SslContextBuilder b = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2");
            if (truststore != null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(truststore, password));
                b.trustManager(tmf).clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the TLS key store " + keystore + (truststore == null ? ""
                : " or trust store " + truststore) + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return ks;
    }
}
