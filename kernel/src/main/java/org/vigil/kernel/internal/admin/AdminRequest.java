package org.vigil.kernel.internal.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One framed admin request after its first line ({@link AdminSocket#MAGIC}): optional headers, each a letter, a
 * length and that many bytes ({@code C<len>\n<bytes>}: the client's current directory, so relative file
 * arguments mean what the admin typed; {@code I<len>\n<bytes>}: what the client read from its standard input
 * for a command that reads it), the argument count, then each argument as {@code <len>\n<bytes>}.
 *
 * <p>Reading is bounded in every dimension before anything is allocated: at most {@link Limits#maxArgs()}
 * arguments, {@link Limits#maxRequestBytes()} bytes in all (checked against the declared lengths, so a forged
 * length never makes the node allocate it), and the bytes held by all requests being read at once are charged to
 * a shared {@link AdminBudget}. A refused request is described by a {@link BadRequest} whose message never quotes
 * more than a few dozen bytes of what was sent.
 *
 * <p>Not thread-safe; one reader per connection.
 */
public final class AdminRequest {

    /** The request limits; {@link #DEFAULT} is what a node uses. */
    public record Limits(int maxArgs, long maxRequestBytes, int maxCwdBytes) {
        /** 4096 arguments, 8 MiB of arguments in all, a 4 KiB working directory. */
        public static final Limits DEFAULT = new Limits(4096, 8L << 20, 4096);
    }

    /** A request that was refused: the message says why, for the client. */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        private final long unreadBytes;

        BadRequest(String message, long unreadBytes) {
            super(message);
            this.unreadBytes = unreadBytes;
        }

        /** Bytes the client announced but that were not read (the node drains them before answering). */
        public long unreadBytes() {
            return unreadBytes;
        }
    }

    /** The parsed request: verbatim arguments, the client's working directory and standard input, if sent. */
    public record Parsed(List<String> argv, Path cwd, byte[] stdin, long chargedBytes) {
    }

    private AdminRequest() {
    }

    /**
     * Reads the rest of a framed request. On success the returned request holds {@code chargedBytes} of the
     * budget, which the caller must give back ({@link AdminBudget#release}) when the command has run; on failure
     * nothing is held.
     */
    public static Parsed read(InputStream in, Limits limits, AdminBudget budget) throws IOException, BadRequest {
        long charged = 0;
        boolean ok = false;
        try {
            String line = readLine(in, 32, "argument count");
            Path cwd = null;
            byte[] stdin = null;
            long total = 0;
            if (line != null && line.startsWith("I")) {
                long len = number(line.substring(1), "standard input length", 0, limits.maxRequestBytes());
                total += len;
                charged += charge(budget, len);
                stdin = readExactly(in, (int) len, "the standard input");
                line = readLine(in, 32, "argument count");
            }
            if (line != null && line.startsWith("C")) {
                long len = number(line.substring(1), "working directory length", 0, limits.maxCwdBytes());
                byte[] b = readExactly(in, (int) len, "the working directory");
                String s = new String(b, StandardCharsets.UTF_8);
                try {
                    cwd = s.isEmpty() || s.indexOf('\0') >= 0 ? null : Path.of(s);
                } catch (InvalidPathException e) {
                    cwd = null;
                }
                if (cwd == null || !cwd.isAbsolute()) {
                    throw new BadRequest("the working directory sent by the client is not an absolute path", 0);
                }
                line = readLine(in, 32, "argument count");
            }
            if (line == null) {
                throw new BadRequest("the request ended before its argument count", 0);
            }
            long argc = number(line, "argument count", 0, limits.maxArgs());
            List<String> argv = new ArrayList<>((int) argc);
            for (int i = 0; i < argc; i++) {
                String lenLine = readLine(in, 32, "length of argument " + (i + 1));
                if (lenLine == null) {
                    throw new BadRequest("the request ended after " + i + " of " + argc + " arguments", 0);
                }
                long len = number(lenLine, "length of argument " + (i + 1), 0, Long.MAX_VALUE);
                total += len;
                if (total > limits.maxRequestBytes()) {
                    throw new BadRequest("request too large: argument " + (i + 1) + " brings it to " + total
                        + " bytes; the limit is " + limits.maxRequestBytes() + " bytes (pass large input as a file name)",
                        len);
                }
                // the bytes, and the String made of them (up to two bytes a character)
                charged += charge(budget, 3 * len);
                byte[] b = readExactly(in, (int) len, "argument " + (i + 1));
                argv.add(new String(b, StandardCharsets.UTF_8));
            }
            ok = true;
            return new Parsed(argv, cwd, stdin, charged);
        } finally {
            if (!ok) {
                budget.release(charged);
            }
        }
    }

    /** Takes {@code cost} bytes of the budget (waiting a little), or refuses the request as busy. */
    private static long charge(AdminBudget budget, long cost) throws IOException, BadRequest {
        boolean room;
        try {
            room = budget.acquire(cost);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for room");
        }
        if (!room) {
            throw new BadRequest("the node is busy with other large requests (" + budget.capacity()
                + " bytes of admin requests in flight); try again", cost);
        }
        return cost;
    }

    private static long number(String s, String what, long min, long max) throws BadRequest {
        if (s.isEmpty() || s.length() > 19 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            String shown = s.length() > 24 ? s.substring(0, 24) + "..." : s;
            throw new BadRequest(what + " '" + printable(shown) + "' is not a non-negative number", 0);
        }
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            // 19 digits beyond Long.MAX_VALUE (found by AdminSocketFuzzTest)
            throw new BadRequest(what + " " + s + " is out of range " + min + ".." + max, 0);
        }
        if (v < min || v > max) {
            throw new BadRequest(what + " " + v + " is out of range " + min + ".." + max, 0);
        }
        return v;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c & 0xff));
        }
        return b.toString();
    }

    private static byte[] readExactly(InputStream in, int len, String what) throws IOException, BadRequest {
        byte[] b = in.readNBytes(len);
        if (b.length != len) {
            throw new BadRequest(what + " is truncated (" + b.length + " of " + len + " bytes arrived)", 0);
        }
        return b;
    }

    /** One {@code \n}-terminated line of at most {@code max} bytes; null at end of stream before any byte. */
    static String readLine(InputStream in, int max, String what) throws IOException, BadRequest {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return b.toString(StandardCharsets.UTF_8);
            }
            if (b.size() >= max) {
                throw new BadRequest("the line holding the " + what + " is longer than " + max + " bytes", 0);
            }
            b.write(c);
        }
        if (b.size() == 0) {
            return null;
        }
        throw new BadRequest("the request ended in the middle of the " + what, 0);
    }
}
