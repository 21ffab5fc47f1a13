package org.vigil.quorum.internal.qnetd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.VirtualClockIdleStateHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The arbiter's Netty pipeline on {@code EmbeddedChannel}s (no sockets, time advanced by hand): line framing,
 * over-long lines, idle peers, garbage, the connection limit.
 */
class QnetdPipelineTest {

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    /** The virtual clock of the idle handlers, in ns; {@link #advance} moves it and the channels' together. */
    private long nanos;
    private final QnetdPipeline pipeline = new QnetdPipeline(2, new PrintStream(logged, true), null, false,
        ms -> new VirtualClockIdleStateHandler(() -> nanos, ms));

    private EmbeddedChannel connect() {
        EmbeddedChannel ch = new EmbeddedChannel(pipeline);
        ch.freezeTime();
        return ch;
    }

    /** Time passes for every channel given (the same amount), and their due tasks run. */
    private void advance(long ms, EmbeddedChannel... channels) {
        nanos += TimeUnit.MILLISECONDS.toNanos(ms);
        for (EmbeddedChannel ch : channels) {
            ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
        }
    }

    private static void write(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static void write(EmbeddedChannel ch, byte[] bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    /** The lines the arbiter wrote to the channel so far. */
    private static List<String> read(EmbeddedChannel ch) {
        StringBuilder b = new StringBuilder();
        ByteBuf out;
        while ((out = ch.readOutbound()) != null) {
            b.append(out.toString(StandardCharsets.UTF_8));
            out.release();
        }
        List<String> lines = new ArrayList<>();
        for (String l : b.toString().split("\n", -1)) {
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        assertTrue(b.length() == 0 || b.charAt(b.length() - 1) == '\n', "every line ends with a newline: " + b);
        return lines;
    }

    private static final String HELLO = "HELLO 1 cluster=c node=1 algorithm=ffsplit tie_breaker=lowest kap=on";

    @Test
    void linesSplitAcrossReadsOrSharingOneAreFramedAndCrLfIsStripped() {
        EmbeddedChannel ch = connect();
        write(ch, HELLO.substring(0, 10));
        assertEquals(List.of(), read(ch), "half a line is no line");
        write(ch, HELLO.substring(10) + "\r\nPING 5\r\nPI");
        write(ch, "NG 6\n");
        assertEquals(List.of("WELCOME 1 server=vigil-qnetd", "PONG 5", "PONG 6"), read(ch));
        assertEquals(0, pipeline.malformed());
        assertTrue(ch.isActive());
        ch.finishAndReleaseAll();
    }

    @Test
    void anOverLongLineIsDiscardedToItsNewlineAndCountedAndTheConnectionStays() {
        EmbeddedChannel ch = connect();
        write(ch, HELLO + "\n");
        read(ch);
        // exactly the limit is a line; one byte more is not, even when it comes in pieces
        write(ch, "PING 7 " + "x".repeat(QnetdProtocol.MAX_LINE - 7) + "\n");
        assertEquals(1, pipeline.malformed(), "a line of exactly the limit is parsed (a bad parameter)");
        write(ch, "PING 8 " + "Z".repeat(600));
        write(ch, "Z".repeat(600));
        write(ch, "Z".repeat(600) + "\nPING 9\n");
        assertEquals(List.of("PONG 9"), read(ch), "nothing of the over-long line is answered, the next line is");
        assertEquals(2, pipeline.malformed(), "the over-long line is counted once");
        assertTrue(ch.isActive(), "an over-long line does not close the connection");
        ch.finishAndReleaseAll();
    }

    @Test
    void garbageBeforeHelloClosesTheConnectionWithAnErrorAfterItIsCounted() {
        EmbeddedChannel before = connect();
        write(before, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n'});
        List<String> lines = read(before);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("ERROR 1 "), lines.toString());
        before.runPendingTasks();
        assertFalse(before.isActive(), "a bad first line closes the connection");
        before.finishAndReleaseAll();

        EmbeddedChannel after = connect();
        write(after, HELLO + "\n");
        read(after);
        write(after, new byte[] {(byte) 0xc3, (byte) 0x28, ' ', 0, '\n', 'Q', '\n', '\n'});
        write(after, "MEMBERSHIP 2 ring=zz nodes=1\nVOTE_REPLY x\nPING 3\n");
        assertEquals(List.of("PONG 3"), read(after));
        assertEquals(1 + 5, pipeline.malformed(), "the bad HELLO and five bad lines");
        assertTrue(after.isActive(), "garbage after HELLO does not close the connection");
        after.finishAndReleaseAll();
    }

    @Test
    void aSilentPeerIsDroppedAfterThreeOfItsHeartbeatsAndOneThatPingsIsNot() {
        EmbeddedChannel silent = connect();
        EmbeddedChannel pinging = connect();
        write(silent, HELLO + " hb=2000\n");
        write(pinging, HELLO.replace("node=1", "node=2") + " hb=2000\n");
        read(silent);
        read(pinging);
        for (int i = 0; i < 8; i++) {
            advance(1000, silent, pinging);
            write(pinging, "PING " + (10 + i) + "\n");
            if (i < 5) {
                assertTrue(silent.isActive(), "still within 3 heartbeats (6 s) after " + (i + 1) + " s");
            }
        }
        assertFalse(silent.isActive(), "dropped after 6 s of silence");
        assertTrue(pinging.isActive(), "a pinging peer stays");
        assertTrue(logged.toString().contains("nothing received for 6000 ms"), logged.toString());
        assertEquals(1, pipeline.connections());
        pinging.finishAndReleaseAll();
        silent.finishAndReleaseAll();
    }

    @Test
    void aPeerThatNeverSaysHelloIsDroppedAfterTheDefaultSilence() {
        EmbeddedChannel ch = connect();
        advance(3 * QnetdServer.DEFAULT_HB_MS - 100, ch);
        assertTrue(ch.isActive());
        advance(200, ch);
        assertFalse(ch.isActive(), "dropped after 3 default heartbeats");
        assertEquals(0, pipeline.connections());
        ch.finishAndReleaseAll();
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnce() {
        EmbeddedChannel a = connect();
        EmbeddedChannel b = connect();
        EmbeddedChannel c = connect();
        assertTrue(a.isActive() && b.isActive());
        assertFalse(c.isActive(), "a third connection with max clients 2");
        assertNull(c.readOutbound());
        assertTrue(logged.toString().contains("2 clients already"), logged.toString());
        a.close();
        EmbeddedChannel d = connect();
        assertTrue(d.isActive(), "room again once one closed");
        for (EmbeddedChannel x : List.of(a, b, c, d)) {
            x.finishAndReleaseAll();
        }
    }
}
