package org.vigil.kernel.internal.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The framed admin request is read within fixed bounds: argument count, total size (checked against the declared
 * lengths, before anything of that size is read or allocated), and a node-wide byte budget; refusals say why in a
 * few dozen bytes, never echoing what was sent. A 30 MB argument used to be read whole into the node's 256 MB heap
 * and end the node; a 10 MB one came back whole in the error.
 */
class AdminRequestTest {

    private static final AdminRequest.Limits LIMITS = new AdminRequest.Limits(16, 1 << 20, 4096);

    private static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static AdminRequest.BadRequest refused(String request) {
        return assertThrows(AdminRequest.BadRequest.class,
            () -> AdminRequest.read(in(request), LIMITS, new AdminBudget(8 << 20, 10)));
    }

    @Test
    void argumentsArriveVerbatimWithTheClientsWorkingDirectory() throws Exception {
        AdminBudget budget = new AdminBudget(8 << 20, 10);
        AdminRequest.Parsed p = AdminRequest.read(in("C9\n/home/adm3\n6\nstatus5\na b\n\n0\n"), LIMITS, budget);
        assertEquals(List.of("status", "a b\n\n", ""), p.argv());
        assertEquals(Path.of("/home/adm"), p.cwd());
        assertEquals(3 * (6 + 5), budget.used());
        budget.release(p.chargedBytes());
        assertEquals(0, budget.used());
        assertNull(AdminRequest.read(in("1\n4\nhelp"), LIMITS, budget).cwd());
        AdminRequest.Parsed piped = AdminRequest.read(in("I5\n<a/>\nC1\n/2\n8\ncibadmin2\n-p"), LIMITS, budget);
        assertEquals("<a/>\n", new String(piped.stdin(), StandardCharsets.UTF_8));
        assertEquals(List.of("cibadmin", "-p"), piped.argv());
        assertEquals(Path.of("/"), piped.cwd());
    }

    @Test
    void anArgumentOverTheLimitIsRefusedFromItsDeclaredLengthWithoutReadingIt() {
        // the body is never sent: if the reader tried to read it, it would report truncation instead
        AdminRequest.BadRequest e = refused("1\n31457280\n");
        assertTrue(e.getMessage().contains("request too large: argument 1 brings it to 31457280 bytes; the limit is "
            + (1 << 20)), e.getMessage());
        assertEquals(31457280, e.unreadBytes());
        // the total counts, not each argument alone
        String half = "x".repeat(600_000);
        AdminRequest.BadRequest t = refused("2\n600000\n" + half + "600000\n" + half);
        assertTrue(t.getMessage().contains("argument 2 brings it to 1200000 bytes"), t.getMessage());
    }

    @Test
    void countsAndLengthsOutOfRangeOrNotNumbersAreRefusedWithAMessage() {
        assertTrue(refused("99999999999\n").getMessage().contains("argument count 99999999999 is out of range 0..16"));
        assertTrue(refused("17\n").getMessage().contains("argument count 17 is out of range 0..16"));
        assertTrue(refused("-1\n").getMessage().contains("argument count '-1' is not a non-negative number"));
        assertTrue(refused("1\n-5\n").getMessage().contains("length of argument 1 '-5' is not a non-negative number"));
        assertTrue(refused("1\n99999999999999999999\n").getMessage().contains("is not a non-negative number"));
        // 19 digits beyond a long: found by AdminSocketFuzzTest (it threw NumberFormatException)
        assertTrue(refused("9999999999999999999\n").getMessage().contains("argument count 9999999999999999999 is out of "
            + "range"));
        assertTrue(refused("x".repeat(100) + "\n").getMessage().contains("longer than 32 bytes"));
        assertTrue(refused("2\n4\nstat").getMessage().contains("ended after 1 of 2 arguments"));
        assertTrue(refused("1\n10\nstat").getMessage().contains("argument 1 is truncated (4 of 10 bytes arrived)"));
        assertTrue(refused("C5\nrel/a1\n4\nhelp").getMessage().contains("not an absolute path"));
        assertTrue(refused("C99999\n").getMessage().contains("working directory length 99999 is out of range"));
    }

    @Test
    void aRefusalNeverQuotesMoreThanAFewBytesOfTheRequest() {
        String junk = "\u0007".repeat(20) + "A".repeat(10_000);
        String m = refused(junk.substring(0, 30) + "\n").getMessage();
        assertTrue(m.length() < 200, m);
        assertTrue(m.contains("\\x07"), m);
    }

    @Test
    void theNodeWideBudgetMakesALargeRequestWaitThenRefusesIt() throws Exception {
        AdminBudget budget = new AdminBudget(3 * 1000, 50);
        AdminRequest.Parsed first = AdminRequest.read(in("1\n1000\n" + "y".repeat(1000)), LIMITS, budget);
        AdminRequest.BadRequest busy = assertThrows(AdminRequest.BadRequest.class,
            () -> AdminRequest.read(in("1\n10\n0123456789"), LIMITS, budget));
        assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
        assertEquals(3000, budget.used());
        budget.release(first.chargedBytes());
        assertEquals("0123456789", AdminRequest.read(in("1\n10\n0123456789"), LIMITS, budget).argv().get(0));
    }

    @Test
    void aFailedReadGivesBackWhatItTook() {
        AdminBudget budget = new AdminBudget(1 << 20, 10);
        InputStream truncated = new SequenceInputStream(in("2\n3\nabc"), in("5\nab"));
        assertThrows(AdminRequest.BadRequest.class, () -> AdminRequest.read(truncated, LIMITS, budget));
        assertEquals(0, budget.used());
    }

    @Test
    void aLineWithoutItsNewlineAtTheEndIsATruncatedRequest() throws Exception {
        assertThrows(AdminRequest.BadRequest.class, () -> AdminRequest.readLine(in("12"), 32, "argument count"));
        assertNull(AdminRequest.readLine(in(""), 32, "x"));
    }
}
