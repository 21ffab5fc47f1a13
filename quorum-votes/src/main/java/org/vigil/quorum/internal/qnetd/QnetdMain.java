package org.vigil.quorum.internal.qnetd;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code vigil qnetd}: the quorum arbiter process, a plain Java program (no framework) run on a host outside the
 * cluster. Nodes configured with {@code quorum.device { model: net; net { host: H; port: P } }} ask it for the
 * tie-breaker vote.
 *
 * <pre>
 * vigil qnetd [--port P] [--bind ADDRESS] [--max-clients N]
 *             [--tls off|on|required --tls-keystore FILE.p12 --tls-password-file FILE [--tls-truststore FILE.p12]]
 * </pre>
 * Defaults: port 5403, all addresses, 256 clients, no TLS. With {@code --tls on} clients may speak TLS or plain
 * TCP, with {@code required} only TLS (corosync-qnetd's {@code -s}); the key store holds the arbiter's key and
 * certificate, the trust store (when given) what the clients' certificates must chain to (corosync-qnetd's
 * {@code -c on}). Logs to standard error; stops on SIGTERM/SIGINT.
 */
public final class QnetdMain {

    private QnetdMain() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Parses the arguments and runs the arbiter until it is stopped; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        int port = QnetdServer.DEFAULT_PORT;
        String bind = "0.0.0.0";
        int maxClients = 256;
        QnetdTls.Mode tls = QnetdTls.Mode.OFF;
        java.nio.file.Path keystore = null;
        java.nio.file.Path passwordFile = null;
        java.nio.file.Path truststore = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--port", "-p" -> port = Integer.parseInt(value(args, ++i, a));
                    case "--bind", "-l" -> bind = value(args, ++i, a);
                    case "--max-clients", "-m" -> maxClients = Integer.parseInt(value(args, ++i, a));
                    case "--tls", "-s" -> {
                        String m = value(args, ++i, a);
                        try {
                            tls = QnetdTls.Mode.valueOf(m.toUpperCase(java.util.Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("--tls must be off, on or required, not '" + m + "'");
                        }
                    }
                    case "--tls-keystore" -> keystore = java.nio.file.Path.of(value(args, ++i, a));
                    case "--tls-password-file" -> passwordFile = java.nio.file.Path.of(value(args, ++i, a));
                    case "--tls-truststore" -> truststore = java.nio.file.Path.of(value(args, ++i, a));
                    case "--help", "-h" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> {
                        err.println("vigil qnetd: unknown option '" + a + "'\n" + usage());
                        return 2;
                    }
                }
            } catch (NumberFormatException e) {
                err.println("vigil qnetd: " + a + " needs a number\n" + usage());
                return 2;
            } catch (IllegalArgumentException e) {
                err.println("vigil qnetd: " + e.getMessage() + "\n" + usage());
                return 2;
            }
        }
        if (port < 1 || port > 65535) {
            err.println("vigil qnetd: port " + port + " is out of range 1..65535");
            return 2;
        }
        if (maxClients < 1) {
            err.println("vigil qnetd: --max-clients must be at least 1");
            return 2;
        }
        io.netty.handler.ssl.SslContext ssl = null;
        if (tls != QnetdTls.Mode.OFF) {
            if (keystore == null || passwordFile == null) {
                err.println("vigil qnetd: --tls " + tls.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs --tls-keystore and --tls-password-file");
                return 2;
            }
            try {
                char[] password = java.nio.file.Files.readString(passwordFile).strip().toCharArray();
                ssl = QnetdTls.server(keystore, password, truststore);
            } catch (IOException e) {
                err.println("vigil qnetd: " + e.getMessage());
                return 2;
            }
        } else if (keystore != null || truststore != null) {
            err.println("vigil qnetd: --tls-keystore and --tls-truststore need --tls on or --tls required");
            return 2;
        }
        InetSocketAddress addr;
        try {
            addr = new InetSocketAddress(InetAddress.getByName(bind), port);
        } catch (UnknownHostException e) {
            err.println("vigil qnetd: cannot resolve bind address '" + bind + "'");
            return 2;
        }
        QnetdServer server;
        try {
            server = new QnetdServer(addr, maxClients, err, ssl, tls == QnetdTls.Mode.REQUIRED);
        } catch (IOException e) {
            err.println("vigil qnetd: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "vigil-qnetd-shutdown"));
        server.start();
        try {
            server.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static String usage() {
        return "usage: vigil qnetd [--port P] [--bind ADDRESS] [--max-clients N] [--tls off|on|required\n"
            + "                   --tls-keystore FILE.p12 --tls-password-file FILE [--tls-truststore FILE.p12]]\n"
            + "  the quorum arbiter: gives one cluster partition the tie-breaker vote (algorithms ffsplit, lms)\n"
            + "  --port P         TCP port (default 5403)\n"
            + "  --bind ADDRESS   address to listen on (default all)\n"
            + "  --max-clients N  most connections at once (default 256)\n"
            + "  --tls MODE       off (default), on (TLS or plain TCP) or required (TLS only)\n"
            + "  --tls-keystore F PKCS#12 file with the arbiter's key and certificate\n"
            + "  --tls-password-file F  file holding the key store's password\n"
            + "  --tls-truststore F     PKCS#12 file of the CA(s) client certificates must chain to (then\n"
            + "                   every TLS client must present one)";
    }
}
