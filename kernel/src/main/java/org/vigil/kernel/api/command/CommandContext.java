package org.vigil.kernel.api.command;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a command was typed: the client's working directory, against which a command resolves the relative file
 * names it is given (an admin who types {@code vigil upgrade ./x.jar} means the {@code x.jar} beside them, not in
 * the node's directory), and what the client piped to the command's standard input, for the commands that read it
 * ({@code cibadmin --xml-pipe}).
 *
 * @param cwd   the client's working directory, absolute; for commands run inside the node (a Gogo console, a test)
 *              it is the node process's own working directory
 * @param stdin the bytes the client sent as standard input, or null when it sent none
 */
public record CommandContext(Path cwd, byte[] stdin) {

    public CommandContext {
        Objects.requireNonNull(cwd, "cwd");
        if (!cwd.isAbsolute()) {
            throw new IllegalArgumentException("the working directory must be absolute: " + cwd);
        }
    }

    /** A context without standard input. */
    public CommandContext(Path cwd) {
        this(cwd, null);
    }

    /** The node process's own working directory, no standard input. */
    public static CommandContext ofNode() {
        return new CommandContext(Path.of("").toAbsolutePath());
    }

    /**
     * {@code name} resolved against the working directory (an absolute name is returned as it is).
     *
     * @throws java.nio.file.InvalidPathException if {@code name} cannot be a path (it holds a NUL character: a
     *                                            command line cannot, but an admin request can): a command reports
     *                                            it as a file it cannot open
     */
    public Path resolve(String name) {
        return cwd.resolve(name).normalize();
    }

    /** True if the client sent standard input. */
    public boolean hasStdin() {
        return stdin != null;
    }

    /** The client's standard input (empty when it sent none). */
    public InputStream openStdin() {
        return new ByteArrayInputStream(stdin == null ? new byte[0] : stdin);
    }
}
