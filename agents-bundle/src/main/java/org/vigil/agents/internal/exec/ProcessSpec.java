package org.vigil.agents.internal.exec;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One external program to run for an agent action: exactly this argument vector and exactly this environment
 * (nothing is inherited implicitly and nothing goes through a shell).
 *
 * @param argv      the program (absolute path) and its arguments
 * @param env       the complete environment of the program
 * @param cwd       working directory, or null for the runner's own (the node's)
 * @param stdin     bytes fed to the program's standard input, then closed (empty: /dev/null); at most
 *                  {@link #MAX_STDIN} bytes
 * @param timeout   how long the program may run before its process group gets SIGTERM; zero for no limit
 * @param grace     how long after SIGTERM the process group gets SIGKILL
 * @param maxOutput how many bytes of each of stdout and stderr are kept (the rest is read and counted)
 */
public record ProcessSpec(List<String> argv, Map<String, String> env, String cwd, byte[] stdin, Duration timeout,
                          Duration grace, int maxOutput) {

    /** Largest standard input accepted: well below a pipe's capacity, so feeding it never blocks. */
    public static final int MAX_STDIN = 32 * 1024;

    public ProcessSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
        stdin = stdin == null ? new byte[0] : stdin.clone();
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argument vector");
        }
        if (stdin.length > MAX_STDIN) {
            throw new IllegalArgumentException("standard input of " + stdin.length + " bytes exceeds " + MAX_STDIN);
        }
        if (timeout.isNegative() || grace.isNegative() || maxOutput < 0) {
            throw new IllegalArgumentException("negative timeout, grace or output bound");
        }
    }
}
