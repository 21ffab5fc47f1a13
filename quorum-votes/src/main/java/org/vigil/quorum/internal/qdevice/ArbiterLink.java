package org.vigil.quorum.internal.qdevice;

import java.io.IOException;

/**
 * How a quorum device reaches its arbiter: {@link TcpArbiterLink} in production (a TCP connection with a
 * connector thread and a reader thread), a simulated link in deterministic protocol tests.
 *
 * <p>Threading: {@link #connect} returns at once; the {@link Events} of one connection attempt are called later,
 * from any thread, in order. The device hands them to its own scheduler.
 */
public interface ArbiterLink {

    /** What happens to one connection attempt, in order: {@code connected} or {@code failed}, then lines. */
    interface Events {
        /** The connection is open; lines may follow. */
        void connected(Connection connection);

        /** The connection could not be opened; nothing follows. */
        void failed(String why);

        /** One line from the arbiter, without its newline (at most {@code QnetdProtocol.MAX_LINE} bytes). */
        void line(String text);

        /** A line was discarded (longer than {@code QnetdProtocol.MAX_LINE} bytes). */
        void oversized();

        /** The connection is gone (closed by the arbiter, or broken); nothing follows. */
        void closed(String why);
    }

    /** An open connection to the arbiter. */
    interface Connection {
        /**
         * Sends one line (the newline is added).
         *
         * @throws IOException if the connection is broken
         */
        void send(String line) throws IOException;

        /** Closes the connection; idempotent. Events may still arrive; the device ignores them. */
        void close();
    }

    /**
     * Starts connecting to {@code host:port}.
     *
     * @param timeoutMs how long the attempt may take, in ms
     */
    void connect(String host, int port, int timeoutMs, Events events);
}
