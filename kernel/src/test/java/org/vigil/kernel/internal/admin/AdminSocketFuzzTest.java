package org.vigil.kernel.internal.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.kernel.fuzz.FuzzChecks;
import org.vigil.kernel.internal.cmap.CmapStore;

/**
 * Fuzz target {@code adminsocket}: arbitrary bytes as one admin connection's request (framed, plain or CPG),
 * through the node's real request handling ({@link AdminSocket#handle}) with three commands (one echoes its
 * arguments, working directory and standard input; one fails; one is misused). Invariants: nothing but the
 * answer comes out (no exception escapes); a framed request is answered with well-formed frames ending in an exit
 * status; a refused request is explained ("bad request") and counted in {@code stats.ipcs.global.rejected}; the
 * node-wide request budget is given back; and what the node allocates follows the bytes it was sent, never a
 * length written in them.
 */
class AdminSocketFuzzTest {

    private static final long FIXED = 512 * 1024;
    private static final long PER_BYTE = 24;

    private static final CmapStore CMAP = new CmapStore();
    private static final AdminSocket SOCKET = new AdminSocket(CMAP);

    static {
        CMAP.set("stats.ipcs.global.rejected", org.vigil.kernel.api.CmapType.UINT64, 0L);
        SOCKET.addCommand("echo", new AdminCommand() {
            @Override
            public int execute(List<String> args, java.io.PrintStream out, java.io.PrintStream err) {
                out.println(String.join(" ", args));
                return args.size() % 3;
            }

            @Override
            public int execute(List<String> args, org.vigil.kernel.api.command.CommandContext ctx,
                               java.io.PrintStream out, java.io.PrintStream err) throws Exception {
                out.println(ctx.cwd() + " " + String.join(" ", args));
                if (ctx.hasStdin()) {
                    err.println(ctx.openStdin().readAllBytes().length + " bytes of stdin");
                }
                return args.size() % 3;
            }
        });
        SOCKET.addCommand("fail", (args, out, err) -> {
            throw new IllegalStateException("the command failed");
        });
        SOCKET.addCommand("usage", (args, out, err) -> {
            throw new UsageException("usage: usage", 64);
        });
    }

    @MethodSource("requests")
    @FuzzTest
    void frames(byte[] input) throws IOException {
        if (!run(input, false)) {
            run(input, true);   // over the bound maybe only from first use on this thread: a warm run decides
        }
    }

    private static long rejected() {
        CmapEntry e = CMAP.get("stats.ipcs.global.rejected").orElseThrow();
        return ((Number) e.value()).longValue();
    }

    private static boolean run(byte[] input, boolean strict) throws IOException {
        long before = rejected();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long alloc = FuzzChecks.allocatedBytes();
        SOCKET.handle(new ByteArrayInputStream(input), out, null, () -> { });
        long allocated = FuzzChecks.allocatedBytes() - alloc;
        byte[] answer = out.toByteArray();
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        boolean framed = startsWith(input, (AdminSocket.MAGIC + "\n").getBytes(StandardCharsets.UTF_8));
        if (framed) {
            checkFrames(answer);
        }
        // a refusal is the whole answer (a command may print that text too: an echo of it is not a refusal)
        boolean refused = framed ? text.matches("(?s)E\\d+\nvigil: bad request: [^\n]*\nX2\n")
            : text.startsWith("vigil: bad request:");
        assertEquals(before + (refused ? 1 : 0), rejected(), refused ? "a refused request was not counted"
            : "a request that was answered was counted as refused");
        assertEquals(0, SOCKET.budgetInUse(), "the request budget was not given back");
        if (!strict && allocated > FIXED + PER_BYTE * input.length) {
            return false;
        }
        FuzzChecks.assertAllocationBounded(allocated, input.length, FIXED, PER_BYTE, "handling one admin request");
        return true;
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** O/E frames with exact lengths, then one X frame, then nothing. */
    private static void checkFrames(byte[] a) {
        int p = 0;
        while (true) {
            assertTrue(p < a.length, "the answer ended without an exit frame");
            char kind = (char) a[p++];
            int nl = p;
            while (nl < a.length && a[nl] != '\n') {
                nl++;
            }
            assertTrue(nl < a.length, "a frame header without its newline");
            String digits = new String(a, p, nl - p, StandardCharsets.US_ASCII);
            assertTrue(digits.matches("\\d{1,10}"), "a frame length '" + digits + "'");
            long n = Long.parseLong(digits);
            p = nl + 1;
            if (kind == 'X') {
                assertEquals(a.length, p, "bytes after the exit frame");
                return;
            }
            assertTrue(kind == 'O' || kind == 'E', "a frame of kind '" + kind + "'");
            assertTrue(p + n <= a.length, "a frame longer than the answer");
            p += (int) n;
        }
    }

    static Stream<Arguments> requests() {
        String m = AdminSocket.MAGIC + "\n";
        return Stream.of(
            m + "2\n4\necho5\nhello",
            m + "C5\n/tmp/3\n4\necho1\na0\n",
            m + "I6\n<cib/>C1\n/2\n4\necho2\n-p",
            m + "1\n4\nfail",
            m + "1\n5\nusage",
            m + "1\n7\nnothere",
            m + "99999999999\n",
            m + "1\n-1\n",
            m + "1\n31457280\n",
            m + "3\n4\necho",
            "echo plain line\n",
            "\u0001VIGIL-CPG/1\n",
            "").map(s -> Arguments.of((Object) s.getBytes(StandardCharsets.UTF_8)));
    }
}
