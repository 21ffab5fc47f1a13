package org.vigil.quorum.internal.qdevice;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.vigil.quorum.internal.qnetd.QnetdProtocol;

/**
 * The production {@link ArbiterLink}: TCP with {@code TCP_NODELAY}, one daemon thread to connect and one to read
 * each connection. Lines are bounded: a line longer than {@link QnetdProtocol#MAX_LINE} bytes is discarded up to
 * its newline and reported as {@link ArbiterLink.Events#oversized}. Thread-safe.
 */
public final class TcpArbiterLink implements ArbiterLink {

    @Override
    public void connect(String host, int port, int timeoutMs, Events events) {
        Thread t = new Thread(() -> {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(host, port), timeoutMs);
                TcpConnection c = new TcpConnection(s);
                events.connected(c);
                Thread reader = new Thread(() -> read(s, events), "vigil-qdevice-read");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException | RuntimeException e) {
                close(s);
                events.failed(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }, "vigil-qdevice-connect");
        t.setDaemon(true);
        t.start();
    }

    private static void read(Socket s, Events events) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean discarding = false;
        byte[] buf = new byte[4096];
        try {
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        if (discarding) {
                            discarding = false;
                            events.oversized();
                        } else {
                            events.line(line.toString(StandardCharsets.UTF_8));
                        }
                        line.reset();
                    } else if (!discarding) {
                        if (line.size() >= QnetdProtocol.MAX_LINE) {
                            discarding = true;
                            line.reset();
                        } else {
                            line.write(b);
                        }
                    }
                }
            }
            events.closed("closed by the arbiter");
        } catch (IOException e) {
            events.closed(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static final class TcpConnection implements Connection {
        private final Socket socket;
        private final OutputStream out;

        TcpConnection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        @Override
        public synchronized void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() {
            TcpArbiterLink.close(socket);
        }
    }
}
