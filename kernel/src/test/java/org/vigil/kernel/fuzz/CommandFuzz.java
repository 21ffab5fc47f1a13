package org.vigil.kernel.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/**
 * What the admin-command fuzz targets ({@code *CommandsFuzzTest}, docs/design/fuzzing.md) share: the input format,
 * running a command as the admin socket runs it, and the invariants every command keeps.
 *
 * <p>An input is a short session of command lines, as text (UTF-8, standard input as raw bytes):
 * <pre>
 * cibadmin            the command: its name, or a number that picks one of the target's commands
 * -Q                  one argument per line
 * --xpath=@17         "@N" (one to four digits) stands for word N (modulo their count) of the target's vocabulary
 * &lt;&lt;&lt;                 optional: the rest of the block is the command's standard input
 * %%                  the next command line of the session (at most {@value #MAX_LINES})
 * </pre>
 * The vocabulary holds what an admin types: every spelling of every option of the target's commands, the ids,
 * names and values of the target's state, paths, XPath and XML fragments, numbers at the edges. libFuzzer mutates
 * the text and the word numbers alike, so arguments are real words, near misses and arbitrary strings.
 */
public final class CommandFuzz {

    /** Command lines run per input. */
    public static final int MAX_LINES = 4;
    /** Arguments per command line (the rest are dropped). */
    public static final int MAX_ARGS = 32;

    /**
     * Pacemaker's {@code crm_exit_t} values (Pacemaker 2.1.5 {@code include/crm/common/results.h}): the exit
     * statuses a CRM tool may give. {@code CRM_EX_NONE} (193) and {@code CRM_EX_MAX} (255) are markers, not statuses.
     */
    public static final Set<Integer> CRM_EXIT = union(range(0, 9), range(64, 78), range(100, 113),
        new int[] {124, 190, 191});

    private static final byte[] SEPARATOR = "\n%%\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDIN = "\n<<<\n".getBytes(StandardCharsets.US_ASCII);

    private CommandFuzz() {
    }

    /** One command line: the command, its arguments, its standard input (null when none was sent). */
    public record Line(String command, List<String> args, byte[] stdin) {

        /** Bytes the admin typed or piped: arguments (UTF-8) and standard input. */
        public int inputBytes() {
            int n = stdin == null ? 0 : stdin.length;
            for (String a : args) {
                n += a.getBytes(StandardCharsets.UTF_8).length + 1;
            }
            return n;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(command);
            for (String a : args) {
                b.append(" '").append(a.length() > 200 ? a.substring(0, 200) + "...(" + a.length() + ")" : a)
                    .append('\'');
            }
            if (stdin != null) {
                b.append(" <<< ").append(stdin.length).append(" bytes");
            }
            return b.toString();
        }
    }

    /** A command line without standard input. */
    public static Line line(String command, String... args) {
        return new Line(command, List.of(args), null);
    }

    /** A command line with standard input. */
    public static Line piped(String stdin, String command, String... args) {
        return new Line(command, List.of(args), stdin.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code word} as a reference into {@code words} ("@N"): seeds written with references teach libFuzzer the
     * form, so that its mutations of N swap one real word for another.
     */
    public static String ref(List<String> words, String word) {
        int i = words.indexOf(word);
        if (i < 0) {
            throw new IllegalArgumentException("not in the vocabulary: " + word);
        }
        return "@" + i;
    }

    /** The input that {@link #decode} reads back as {@code lines} (words are written out, not as "@N"). */
    public static byte[] encode(Line... lines) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                b.writeBytes(SEPARATOR);
            }
            b.writeBytes(lines[i].command().getBytes(StandardCharsets.UTF_8));
            for (String a : lines[i].args()) {
                b.write('\n');
                b.writeBytes(a.getBytes(StandardCharsets.UTF_8));
            }
            if (lines[i].stdin() != null) {
                b.writeBytes(STDIN);
                b.writeBytes(lines[i].stdin());
            }
        }
        return b.toByteArray();
    }

    /**
     * The command lines of {@code input}.
     *
     * @param commands the target's command names (a command line naming none of them, or a number, picks one by
     *                 number or hash)
     * @param words    the vocabulary "@N" draws from
     */
    public static List<Line> decode(byte[] input, List<String> commands, List<String> words) {
        List<Line> lines = new ArrayList<>();
        int from = 0;
        while (from <= input.length && lines.size() < MAX_LINES) {
            int end = indexOf(input, SEPARATOR, from);
            if (end < 0) {
                end = input.length;
            }
            lines.add(block(Arrays.copyOfRange(input, from, end), commands, words));
            from = end + SEPARATOR.length;
        }
        return lines;
    }

    private static Line block(byte[] block, List<String> commands, List<String> words) {
        int in = indexOf(block, STDIN, 0);
        byte[] stdin = in < 0 ? null : Arrays.copyOfRange(block, in + STDIN.length, block.length);
        String text = new String(block, 0, in < 0 ? block.length : in, StandardCharsets.UTF_8);
        String[] parts = text.split("\n", -1);
        String command = command(parts[0], commands);
        List<String> args = new ArrayList<>();
        for (int i = 1; i < parts.length && args.size() < MAX_ARGS; i++) {
            args.add(substitute(parts[i], words));
        }
        return new Line(command, List.copyOf(args), stdin);
    }

    private static String command(String first, List<String> commands) {
        if (commands.contains(first)) {
            return first;
        }
        int pick = first.matches("[0-9]{1,9}") ? Integer.parseInt(first) : first.hashCode();
        return commands.get(Math.floorMod(pick, commands.size()));
    }

    /** {@code arg} with each "@N" replaced by the vocabulary's word N (modulo the word count). */
    static String substitute(String arg, List<String> words) {
        int at = arg.indexOf('@');
        if (at < 0 || words.isEmpty()) {
            return arg;
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (at >= 0) {
            int d = at + 1;
            while (d < arg.length() && d - at <= 4 && arg.charAt(d) >= '0' && arg.charAt(d) <= '9') {
                d++;
            }
            b.append(arg, i, at);
            if (d > at + 1) {
                b.append(words.get(Integer.parseInt(arg.substring(at + 1, d)) % words.size()));
            } else {
                b.append('@');
            }
            i = d;
            at = arg.indexOf('@', i);
        }
        return b.append(arg, i, arg.length()).toString();
    }

    private static int indexOf(byte[] a, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length <= a.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (a[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ---- running ---------------------------------------------------------------------------------------------

    /**
     * What a command did: its exit status, what it printed, and what it let escape (null if nothing: the only
     * exception a command may throw is {@link UsageException}, printed and returned as the admin socket does).
     */
    public record Outcome(int status, byte[] out, byte[] err, Throwable escaped) {

        public String outText() {
            return new String(out, StandardCharsets.UTF_8);
        }

        public String errText() {
            return new String(err, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout (" + out.length + " bytes)\n" + clip(outText()) + "--- stderr ("
                + err.length + " bytes)\n" + clip(errText());
        }

        private static String clip(String s) {
            return s.length() <= 2000 ? s : s.substring(0, 2000) + "\n...\n";
        }
    }

    /** Runs {@code line} on {@code command} as {@code AdminSocket.run} does. */
    public static Outcome run(AdminCommand command, Line line, CommandContext context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        Throwable escaped = null;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            try {
                status = command.execute(line.args(), context, o, e);
            } catch (UsageException u) {
                e.println(line.command() + ": " + u.getMessage());
                status = u.status();
            } catch (Throwable x) {   // anything but a usage error is a finding: Error and RuntimeException alike
                escaped = x;
                status = -1;
            }
        }
        return new Outcome(status, out.toByteArray(), err.toByteArray(), escaped);
    }

    // ---- invariants ------------------------------------------------------------------------------------------

    /** Nothing but {@link UsageException} left the command: anything else is reported as a crash-like failure. */
    public static void assertNothingEscaped(Line line, Outcome o) {
        if (o.escaped() != null) {
            throw new AssertionError(line + ": " + o.escaped() + " escaped the command (the admin socket answers '"
                + line.command() + ": failed: ...')", o.escaped());
        }
    }

    /** The exit status is one the tool documents. */
    public static void assertStatusIn(Set<Integer> documented, Line line, Outcome o) {
        if (!documented.contains(o.status())) {
            throw new AssertionError(line + ": exit status " + o.status() + " is none the tool documents "
                + new TreeSet<>(documented) + "\n" + o);
        }
    }

    /**
     * A non-zero exit says why on standard error, unless {@code answer} is true: the status is the answer and
     * standard output holds it ({@code crm_diff}'s 1 for "the documents differ", a "not quorate" status).
     */
    public static void assertFailureExplained(Line line, Outcome o, boolean answer) {
        if (o.status() != 0 && o.err().length == 0 && !(answer && o.out().length > 0)) {
            throw new AssertionError(line + ": exit status " + o.status() + " with nothing on standard error\n" + o);
        }
    }

    /**
     * What the command printed is bounded by what it was given: at most {@code fixed} bytes, plus
     * {@code perArgument} for each argument (a tool may print its whole state once per argument, as
     * {@code corosync-cmapctl PREFIX...} does), plus {@code perByte} for each byte of arguments and input.
     */
    public static void assertOutputBounded(Line line, Outcome o, long fixed, long perArgument, long perByte) {
        long printed = (long) o.out().length + o.err().length;
        long limit = fixed + perArgument * line.args().size() + perByte * line.inputBytes();
        if (printed > limit) {
            throw new AssertionError(line + ": printed " + printed + " bytes for " + line.args().size()
                + " arguments of " + line.inputBytes() + " bytes with input (the bound is " + fixed + " + "
                + perArgument + " per argument + " + perByte + " per byte = " + limit + ")\n" + o);
        }
    }

    /** {@code from} to {@code to}, both included. */
    public static int[] range(int from, int to) {
        int[] r = new int[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    /** A set of exit statuses: the union of {@code groups}. */
    public static Set<Integer> union(int[]... groups) {
        Set<Integer> s = new TreeSet<>();
        for (int[] g : groups) {
            for (int v : g) {
                s.add(v);
            }
        }
        return Set.copyOf(s);
    }

    /** A set of exit statuses. */
    public static Set<Integer> statuses(int... values) {
        return union(values);
    }
}
