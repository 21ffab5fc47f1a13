package org.vigil.crm.cib.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.api.command.UsageException;

/** Runs an {@link AdminCommand} as the admin socket does: output captured, a usage error printed with its status. */
public final class Commands {

    private Commands() {
    }

    /** What a command printed and returned. */
    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(AdminCommand cmd, Path cwd, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            try {
                exit = cmd.execute(args, new CommandContext(cwd.toAbsolutePath()), o, e);
            } catch (UsageException u) {
                e.println(u.getMessage());
                exit = u.status();
            } catch (Exception x) {
                throw new AssertionError(args + " threw " + x, x);
            }
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public static Result run(AdminCommand cmd, Path cwd, String... args) {
        return run(cmd, cwd, List.of(args));
    }
}
