package org.vigil.agents.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for the real-agent tests: named {@code vag<random>}, addressed only inside 10.61.0.0/16,
 * removed by {@link #close()} (which also removes the veth ends living in them). Needs root.
 */
final class Netns implements AutoCloseable {

    private final List<String> names = new ArrayList<>();

    /** Creates a namespace with its loopback up; returns its name. */
    String create() throws IOException, InterruptedException {
        String name = "vag" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24), 36);
        sh("ip", "netns", "add", name);
        names.add(name);
        sh("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Runs a command; fails with its output if it exits non-zero. Returns stdout+stderr. */
    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    public void close() {
        for (String n : names) {
            try {
                sh("ip", "netns", "del", n);
            } catch (IOException | InterruptedException e) {
                System.err.println("could not remove network namespace " + n + ": " + e.getMessage());
            }
        }
        names.clear();
    }
}
