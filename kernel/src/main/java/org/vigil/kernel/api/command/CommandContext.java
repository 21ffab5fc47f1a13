package org.vigil.kernel.api.command;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a command was typed: the client's working directory, against which a command resolves the relative file
 * names it is given (an admin who types {@code vigil upgrade ./x.jar} means the {@code x.jar} beside them, not in
 * the node's directory).
 *
 * @param cwd the client's working directory, absolute; for commands run inside the node (a Gogo console, a test)
 *            it is the node process's own working directory
 */
public record CommandContext(Path cwd) {

    public CommandContext {
        Objects.requireNonNull(cwd, "cwd");
        if (!cwd.isAbsolute()) {
            throw new IllegalArgumentException("the working directory must be absolute: " + cwd);
        }
    }

    /** The node process's own working directory. */
    public static CommandContext ofNode() {
        return new CommandContext(Path.of("").toAbsolutePath());
    }

    /** {@code name} resolved against the working directory (an absolute name is returned as it is). */
    public Path resolve(String name) {
        return cwd.resolve(name).normalize();
    }
}
