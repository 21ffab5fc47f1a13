package org.vigil.quorum.internal.qnetd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vigil qnetd with TLS on 127.0.0.1 (ports the system picks): required refuses plain TCP, on serves both, a trust
 * store makes client certificates mandatory; bad TLS options are refused. Certificates are made by the JDK's
 * keytool (self-signed: each side trusts the other's certificate).
 */
class QnetdTlsTest {

    @TempDir
    static Path dir;
    private static final char[] PASSWORD = "secret".toCharArray();
    private static final String HELLO = "HELLO 1 cluster=c node=1 algorithm=ffsplit tie_breaker=lowest\n";

    @BeforeAll
    static void certificates() throws Exception {
        // one self-signed key pair each, made at once; a key store serves as the other side's trust store too
        List<Process> running = new ArrayList<>();
        for (String who : List.of("qnetd", "node")) {
            running.add(keytool("-genkeypair", "-alias", who, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + who, "-validity", "30", "-keystore", who + ".p12", "-storetype", "PKCS12", "-storepass",
                "secret", "-keypass", "secret"));
        }
        for (Process p : running) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool hung");
            assertEquals(0, p.exitValue(), "keytool: " + out);
        }
        Files.writeString(dir.resolve("password"), "secret\n");
        anyClient = QnetdTls.server(dir.resolve("qnetd.p12"), PASSWORD, null);
        nodesOnly = QnetdTls.server(dir.resolve("qnetd.p12"), PASSWORD, dir.resolve("node.p12"));
    }

    /** The arbiter's TLS contexts: any TLS client, or only those with the node's certificate. */
    private static io.netty.handler.ssl.SslContext anyClient;
    private static io.netty.handler.ssl.SslContext nodesOnly;

    private static Process keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    private static QnetdServer server(boolean required, io.netty.handler.ssl.SslContext ssl) throws Exception {
        return new QnetdServer(new InetSocketAddress("127.0.0.1", 0), 8,
            new PrintStream(OutputStream.nullOutputStream()), ssl, required).start();
    }

    /** A TLS client trusting the arbiter's certificate, presenting the node's when {@code withCertificate}. */
    private static Socket tls(QnetdServer s, boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("qnetd.p12"))) {
            trust.load(in, PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCertificate) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve("node.p12"))) {
                keys.load(in, PASSWORD);
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLSocket sock = (SSLSocket) ctx.getSocketFactory().createSocket();
        sock.connect(s.address(), 5000);
        sock.setSoTimeout(10_000);
        return sock;
    }

    private static Socket plain(QnetdServer s) throws Exception {
        Socket sock = new Socket();
        sock.connect(s.address(), 5000);
        sock.setSoTimeout(10_000);
        return sock;
    }

    /** Says HELLO; the arbiter's first line, or null when the connection ends (or fails) without one. */
    private static String hello(Socket sock) {
        try (sock) {
            sock.getOutputStream().write(HELLO.getBytes(StandardCharsets.UTF_8));
            sock.getOutputStream().flush();
            return new BufferedReader(new InputStreamReader(sock.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Test
    void requiredServesTlsClientsAndRefusesPlainTcp() throws Exception {
        try (QnetdServer s = server(true, anyClient)) {
            assertEquals("WELCOME 1 server=vigil-qnetd", hello(tls(s, false)));
            assertNull(hello(plain(s)), "plain TCP gets no answer when TLS is required");
        }
    }

    @Test
    void onServesTlsAndPlainClients() throws Exception {
        try (QnetdServer s = server(false, anyClient)) {
            assertEquals("WELCOME 1 server=vigil-qnetd", hello(tls(s, false)));
            assertEquals("WELCOME 1 server=vigil-qnetd", hello(plain(s)));
        }
    }

    @Test
    void aTrustStoreMakesClientCertificatesMandatory() throws Exception {
        try (QnetdServer s = server(true, nodesOnly)) {
            assertEquals("WELCOME 1 server=vigil-qnetd", hello(tls(s, true)), "the node's certificate is trusted");
            assertNull(hello(tls(s, false)), "a client without a certificate is refused");
        }
    }

    @Test
    void badTlsOptionsAreRefusedWithTheReason() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true);
        PrintStream o = new PrintStream(OutputStream.nullOutputStream());
        assertEquals(2, QnetdMain.run(new String[] {"--tls", "on"}, o, e));
        assertTrue(err.toString().contains("--tls on needs --tls-keystore and --tls-password-file"), err.toString());
        err.reset();
        assertEquals(2, QnetdMain.run(new String[] {"--tls", "maybe"}, o, e));
        assertTrue(err.toString().contains("--tls must be off, on or required, not 'maybe'"), err.toString());
        err.reset();
        assertEquals(2, QnetdMain.run(new String[] {"--tls-keystore", "x.p12"}, o, e));
        assertTrue(err.toString().contains("need --tls on or --tls required"), err.toString());
        err.reset();
        assertEquals(2, QnetdMain.run(new String[] {"--tls", "required", "--tls-keystore",
            dir.resolve("missing.p12").toString(), "--tls-password-file", dir.resolve("password").toString()}, o, e));
        assertTrue(err.toString().contains("cannot read " + dir.resolve("missing.p12")), err.toString());
    }
}
