package org.vigil.kernel.api.command;

import java.io.PrintStream;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One administrative command, such as {@code corosync-cmapctl} or {@code crm_mon}, registered as an OSGi
 * service with the property {@value #NAME} (the command name; several values register aliases) and optionally
 * {@value #SCOPE} (Gogo scope, default {@code vigil}) and {@value #DESCRIPTION}. A name may be two words, such
 * as {@code pcs quorum}, so that several bundles can contribute subcommands of one tool: the admin socket tries
 * the first two words of a command line before the first one (two-word commands are not published in Gogo).
 *
 * <p>{@link #execute} runs on the thread of the admin connection or Gogo session that called it; several calls
 * may run at once. It writes normal output to {@code out} and diagnostics to {@code err}, and returns the
 * process exit status the command-line tool would have (0 success). It must not call {@code System.exit}.
 * An exception is reported on {@code err} as the command's failure (exit status 1).
 */
@ConsumerType
public interface AdminCommand {

    /** Service property: the command name(s), e.g. {@code corosync-cmapctl}. */
    String NAME = "vigil.command";
    /** Service property: the Gogo scope, default {@code vigil}. */
    String SCOPE = "vigil.command.scope";
    /** Service property: one line of help. */
    String DESCRIPTION = "vigil.command.description";

    /**
     * Runs the command.
     *
     * @param args the arguments after the command name, verbatim (no shell or Gogo interpretation)
     * @param out  standard output
     * @param err  standard error
     * @return the exit status
     */
    int execute(List<String> args, PrintStream out, PrintStream err) throws Exception;

    /**
     * Runs the command on behalf of a client whose working directory is known. Commands that take file names
     * override this one and resolve them with {@link CommandContext#resolve}; the default ignores the context.
     *
     * @param args    the arguments after the command name, verbatim
     * @param context where the command was typed
     * @param out     standard output
     * @param err     standard error
     * @return the exit status
     */
    default int execute(List<String> args, CommandContext context, PrintStream out, PrintStream err)
        throws Exception {
        return execute(args, out, err);
    }
}
