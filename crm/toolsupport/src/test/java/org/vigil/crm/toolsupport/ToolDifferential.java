package org.vigil.crm.toolsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;

/**
 * The same bad command lines to a real tool (Pacemaker's, corosync's, pcs, installed by .ci/packages) and to
 * Vigil's: the exit status and the first line of the error (stderr's first non-blank line, else stdout's) must be
 * the same, the program's path taken out ({@code /usr/sbin/corosync-cmapctl: } is {@code corosync-cmapctl: }).
 * The lines are ones the real tool refuses before it connects to anything, so no cluster is needed.
 *
 * <p>Without the real tool the comparison is skipped, and fails under {@code -Dvigil.systemTests=true} (CI installs
 * the packages).
 */
public final class ToolDifferential {

    /** What a tool answered: exit status and the first error line. */
    public record Answer(int status, String firstLine) {
        @Override
        public String toString() {
            return "exit " + status + ": " + firstLine;
        }
    }

    private ToolDifferential() {
    }

    /** Whether /usr/sbin/TOOL or /usr/bin/TOOL runs here; fails under -Dvigil.systemTests=true when it does not. */
    public static boolean installed(String tool, String debianPackage) {
        boolean there = path(tool) != null;
        if (Boolean.getBoolean("vigil.systemTests")) {
            assertTrue(there, tool + " is not installed (.ci/packages: " + debianPackage + ")");
        }
        return there;
    }

    private static String path(String tool) {
        for (String dir : new String[] {"/usr/sbin/", "/usr/bin/"}) {
            if (new File(dir + tool).canExecute()) {
                return dir + tool;
            }
        }
        return null;
    }

    /** The real tool on ARGS (stdin empty, C locale, 60 s at most). */
    public static Answer real(String tool, List<String> args) throws IOException, InterruptedException {
        return real(tool, args, java.util.Map.of(), false);
    }

    /**
     * The real tool on ARGS with these environment variables (CIB_file is otherwise removed); with {@code last},
     * the answer's line is the last of its standard error (argparse prints the usage first, the error last).
     */
    public static Answer real(String tool, List<String> args, java.util.Map<String, String> env, boolean last)
        throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(path(tool));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("CIB_file");
        pb.environment().remove("TERM");
        pb.environment().putAll(env);
        File outF = File.createTempFile("tooldiff", ".out");
        File errF = File.createTempFile("tooldiff", ".err");
        try {
            Process p = pb.redirectOutput(outF).redirectError(errF).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Answer(-1, "(timed out)");
            }
            return answer(tool, p.exitValue(), java.nio.file.Files.readString(errF.toPath(), StandardCharsets.UTF_8),
                java.nio.file.Files.readString(outF.toPath(), StandardCharsets.UTF_8), last);
        } finally {
            outF.delete();
            errF.delete();
        }
    }

    /**
     * Vigil's command on ARGS, as the admin socket runs it (a UsageException's message printed, its status the exit
     * status; the socket adds the tool's name unless the message starts with it).
     */
    public static Answer vigil(String tool, AdminCommand command, List<String> args) {
        return vigil(tool, command, args, false);
    }

    /** As {@link #vigil(String, AdminCommand, List)}; with {@code last}, the last line of standard error. */
    public static Answer vigil(String tool, AdminCommand command, List<String> args, boolean last) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            try {
                status = command.execute(List.copyOf(args), o, e);
            } catch (UsageException x) {
                e.println(x.getMessage().startsWith(tool + ": ") ? x.getMessage() : tool + ": " + x.getMessage());
                status = x.status();
            } catch (Exception x) {
                e.println(tool + ": failed: " + x);
                status = 1;
            }
        }
        return answer(tool, status, err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8), last);
    }

    /** An answer from the text a tool printed. */
    public static Answer answer(String tool, int status, String err, String out) {
        return answer(tool, status, err, out, false);
    }

    /**
     * An answer from the text a tool printed: the first line of its standard error (with {@code last}, the last),
     * else the first of its standard output; terminal colours taken out (crmsh colours "ERROR" even without a
     * terminal).
     */
    public static Answer answer(String tool, int status, String err, String out, boolean last) {
        err = err.replaceAll("\u001B\\[[0-9;]*m", "");
        String line = last ? err.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(null) : first(err);
        if (line == null) {
            line = first(out);
        }
        line = line == null ? "" : line;
        for (String dir : new String[] {"/usr/sbin/", "/usr/bin/"}) {
            line = line.replace(dir + tool, tool);
        }
        // GLib prints "[OPTION…]" in a UTF-8 locale and "[OPTION?]" in C
        return new Answer(status, line.replace("OPTION\u2026", "OPTION?").strip());
    }

    private static String first(String text) {
        return text.lines().filter(l -> !l.isBlank()).findFirst().orElse(null);
    }

    /** A line of the comparison: the command line, the real tool's answer and Vigil's. */
    public record Row(List<String> args, Answer real, Answer vigil) {
        public boolean same() {
            return real.equals(vigil);
        }

        @Override
        public String toString() {
            return (same() ? "same  " : "DIFF  ") + String.join(" ", args) + "\n    real:  " + real + "\n    vigil: "
                + vigil;
        }
    }

    /** Each line to both; the rows in order. */
    public static List<Row> compare(String tool, List<List<String>> lines,
                                    java.util.function.Function<List<String>, Answer> vigil)
        throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        for (List<String> args : lines) {
            rows.add(new Row(args, real(tool, args), vigil.apply(args)));
        }
        return rows;
    }

    /** The rows as a report, and whether all are the same (for assertTrue(..., report)). */
    public static String report(String tool, List<Row> rows) {
        long same = rows.stream().filter(Row::same).count();
        StringBuilder b = new StringBuilder(tool + ": " + same + "/" + rows.size()
            + " bad command lines answered alike (exit status and first error line)\n");
        rows.forEach(r -> b.append(r).append('\n'));
        return b.toString();
    }
}
