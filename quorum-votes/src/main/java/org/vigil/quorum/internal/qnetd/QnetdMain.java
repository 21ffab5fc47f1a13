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
 * </pre>
 * Defaults: port 5403, all addresses, 256 clients. Logs to standard error; stops on SIGTERM/SIGINT.
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
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--port", "-p" -> port = Integer.parseInt(value(args, ++i, a));
                    case "--bind", "-l" -> bind = value(args, ++i, a);
                    case "--max-clients", "-m" -> maxClients = Integer.parseInt(value(args, ++i, a));
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
        InetSocketAddress addr;
        try {
            addr = new InetSocketAddress(InetAddress.getByName(bind), port);
        } catch (UnknownHostException e) {
            err.println("vigil qnetd: cannot resolve bind address '" + bind + "'");
            return 2;
        }
        QnetdServer server;
        try {
            server = new QnetdServer(addr, maxClients, err);
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
        return "usage: vigil qnetd [--port P] [--bind ADDRESS] [--max-clients N]\n"
            + "  the quorum arbiter: gives one cluster partition the tie-breaker vote (algorithms ffsplit, lms)\n"
            + "  --port P         TCP port (default 5403)\n"
            + "  --bind ADDRESS   address to listen on (default all)\n"
            + "  --max-clients N  most connections at once (default 256)";
    }
}
