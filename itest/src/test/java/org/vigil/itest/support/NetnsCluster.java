package org.vigil.itest.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * A cluster of real Vigil node processes, each in its own network namespace, joined by a bridge that lives in a
 * namespace of its own: nothing is added to the host's network. Node {@code i} has address
 * {@code <subnet>.<10+i>/24} on {@code eth0}. Faults are nftables rules inside the node namespaces (this kernel
 * has no netem): partitions drop traffic from the other side's addresses, loss drops a random share.
 *
 * <p>Every namespace is named {@code <prefix><i>} (the bridge {@code <prefix>br}); {@link #close()} stops the
 * nodes it started (by pid) and deletes its namespaces. Needs root.
 */
public final class NetnsCluster implements AutoCloseable {

    /** Output and status of one command. */
    public record Result(int status, String out, String err) {
    }

    private final String prefix;
    private final String subnet;
    private final int size;
    private final Path dir;
    private final Path vigil;
    private final Map<Integer, Process> nodes = new LinkedHashMap<>();
    private Path config;
    private boolean up;
    /** Local mode: no namespaces, every node on 127.0.0.1 with its own ports from here. */
    private int basePort;
    /** Rings of the last configuration written. */
    private int rings = 1;
    /** JVM options every node is started with (VIGIL_JAVA_OPTS), besides its own agents' directories. */
    private String javaOpts = "";
    /** Node {@code i}'s own JVM options, besides {@link #javaOpts}; null: none. */
    private IntFunction<String> nodeJavaOpts;
    /** What runs a node in its namespace (it must exec the command after it); null: {@code ip netns exec}. */
    private IntFunction<List<String>> launcher;

    /**
     * A cluster of node processes on this host, all on 127.0.0.1: node {@code i} uses port {@code basePort + i}
     * on ring 0 and {@code basePort + 100 + i} on ring 1. No namespaces, no root; no fault rules.
     */
    public static NetnsCluster local(int size, Path dir, int basePort) {
        NetnsCluster c = new NetnsCluster("local", "10.0.0", size, dir);
        c.basePort = basePort;
        return c;
    }

    /**
     * @param prefix namespace name prefix (unique to the test class), e.g. {@code vtr}
     * @param subnet the first three octets of a 10.x /24 used only inside these namespaces, e.g. {@code 10.64.0}
     * @param size   number of nodes
     * @param dir    working directory for configurations, state and logs
     */
    public NetnsCluster(String prefix, String subnet, int size, Path dir) {
        if (!subnet.startsWith("10.")) {
            throw new IllegalArgumentException("only 10.x addresses may be used in test namespaces");
        }
        this.prefix = prefix;
        this.subnet = subnet;
        this.size = size;
        this.dir = dir;
        this.vigil = root().resolve("vigil");
    }

    /** The project root (where the {@code vigil} launcher is). */
    public static Path root() {
        return Path.of(System.getProperty("vigil.root", "..")).toAbsolutePath().normalize();
    }

    public String ns(int i) {
        return prefix + i;
    }

    public String address(int i) {
        return basePort > 0 ? "127.0.0.1" : subnet + "." + (10 + i);
    }

    public Path stateDir(int i) {
        return dir.resolve("node" + i);
    }

    public Path log(int i) {
        return dir.resolve("node" + i + ".log");
    }

    /**
     * Node {@code i}'s HA_RSCTMP and HA_VARRUN (where OCF agents keep their state: Dummy's and Stateful's state
     * files). Nodes on one machine share the filesystem, so each gets its own, as each machine has its own
     * {@code /run}.
     */
    public Path agentsDir(int i) {
        return stateDir(i).resolve("rsctmp");
    }

    /** Sets JVM options (system properties) for the nodes started from now on, e.g. the agents' OCF root. */
    public NetnsCluster javaOpts(String opts) {
        this.javaOpts = opts == null ? "" : opts;
        return this;
    }

    /** Sets JVM options of each node for the nodes started from now on (added to {@link #javaOpts}). */
    public NetnsCluster nodeJavaOpts(IntFunction<String> opts) {
        this.nodeJavaOpts = opts;
        return this;
    }

    /**
     * Starts the nodes from now on with {@code launcher.apply(i)} in front of the node command instead of
     * {@code ip netns exec <ns>}: a command that enters node {@code i}'s namespace (and, say, a mount namespace of
     * its own) and execs the rest, so that the process started is still the node's JVM.
     */
    public NetnsCluster launcher(IntFunction<List<String>> launcher) {
        this.launcher = launcher;
        return this;
    }

    /** Runs a command, failing on a non-zero status. */
    public static String sh(String... cmd) throws IOException, InterruptedException {
        Result r = run(List.of(cmd), null);
        if (r.status() != 0) {
            throw new IOException(String.join(" ", cmd) + " (status " + r.status() + "): " + r.out() + r.err());
        }
        return r.out();
    }

    /** Runs a command with optional standard input and returns its result. */
    public static Result run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Creates the namespaces, the bridge and the veths (removing leftovers of an earlier run first). */
    public NetnsCluster up() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        if (basePort > 0) {
            return this;
        }
        deleteNamespaces();
        up = true;
        String br = prefix + "br";
        sh("ip", "netns", "add", br);
        sh("ip", "-n", br, "link", "set", "lo", "up");
        sh("ip", "-n", br, "link", "add", "br0", "type", "bridge");
        sh("ip", "-n", br, "link", "set", "br0", "type", "bridge", "mcast_snooping", "0", "stp_state", "0",
            "forward_delay", "0");
        sh("ip", "-n", br, "link", "set", "br0", "up");
        for (int i = 1; i <= size; i++) {
            String ns = ns(i);
            sh("ip", "netns", "add", ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
            sh("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "v" + i, "netns", br);
            sh("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
            sh("ip", "-n", ns, "link", "set", "eth0", "up", "multicast", "on");
            sh("ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0");
            sh("ip", "-n", br, "link", "set", "v" + i, "master", "br0");
            sh("ip", "-n", br, "link", "set", "v" + i, "up");
        }
        return this;
    }

    /**
     * Writes the cluster's configuration: a {@code totem} section with {@code totemExtra} lines, the node list
     * with the namespace addresses, and {@code extra} sections (e.g. {@code quorum {...}}).
     */
    public Path configure(String totemExtra, String extra) throws IOException {
        return configure(totemExtra, extra, 1);
    }

    /** As {@link #configure(String, String)}, with {@code rings} rings (2 needs an rrp_mode in totemExtra). */
    public Path configure(String totemExtra, String extra, int rings) throws IOException {
        return configure(totemExtra, extra, rings, size);
    }

    /** As above, listing only nodes 1..{@code listed} (the other namespaces run helpers, such as an arbiter). */
    public Path configure(String totemExtra, String extra, int rings, int listed) throws IOException {
        StringBuilder c = new StringBuilder("totem {\n    version: 2\n    cluster_name: " + prefix + "\n");
        for (String line : totemExtra.split("\n")) {
            if (!line.isBlank()) {
                c.append("    ").append(line.strip()).append('\n');
            }
        }
        for (int r = 0; r < rings && rings > 1; r++) {
            c.append("    interface {\n        ringnumber: ").append(r).append("\n    }\n");
        }
        c.append("}\nnodelist {\n");
        for (int i = 1; i <= listed; i++) {
            c.append("    node {\n");
            for (int r = 0; r < rings; r++) {
                c.append("        ring").append(r).append("_addr: ").append(address(i)).append('\n');
                if (basePort > 0) {
                    c.append("        ring").append(r).append("_port: ").append(basePort + 100 * r + i).append('\n');
                }
            }
            c.append("        nodeid: ").append(i).append("\n        name: node").append(i).append("\n    }\n");
        }
        c.append("}\n").append(extra == null ? "" : extra);
        config = dir.resolve("vigil.conf");
        this.rings = rings;
        Files.writeString(config, c.toString());
        return config;
    }

    /**
     * Starts node {@code i} in its namespace with the cluster configuration (or {@code altConfig}). In local mode
     * its ports must be free first: the transport binds with {@code SO_REUSEADDR}, so a node left running by an
     * earlier run on the same ports would otherwise share them and join this cluster (same cluster name).
     */
    public Process start(int i, Path altConfig) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (basePort == 0) {
            cmd.addAll(launcher != null ? launcher.apply(i) : List.of("ip", "netns", "exec", ns(i)));
        } else {
            for (int r = 0; r < rings; r++) {
                int port = basePort + 100 * r + i;
                try (java.net.DatagramSocket s = new java.net.DatagramSocket(null)) {
                    s.setReuseAddress(false);
                    s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
                } catch (java.net.SocketException e) {
                    throw new IOException("127.0.0.1:" + port + " (node" + i + ", ring " + r + ") is already in use,"
                        + " by a node left running by an earlier run? It would take part in this cluster: " + e);
                }
            }
        }
        cmd.addAll(List.of(vigil.toString(), "node", "-c", (altConfig != null ? altConfig : config).toString(),
            "--state-dir", stateDir(i).toString(), "--node-id", Integer.toString(i)));
        Files.createDirectories(agentsDir(i));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()));
        String inherited = System.getenv().getOrDefault("VIGIL_JAVA_OPTS", "");
        String own = nodeJavaOpts == null ? "" : nodeJavaOpts.apply(i);
        pb.environment().put("VIGIL_JAVA_OPTS", (inherited + " " + javaOpts + " " + own + " -Dvigil.agents.rsctmp=" + agentsDir(i)
            + " -Dvigil.agents.varrun=" + agentsDir(i)).strip());
        Process p = pb.start();
        nodes.put(i, p);
        return p;
    }

    public Process start(int i) throws IOException {
        return start(i, null);
    }

    /** Waits until node {@code i} answers on its admin socket. */
    public void awaitUp(int i, long timeoutMs) throws Exception {
        await("node" + i + " answering", timeoutMs, () -> {
            try {
                return nodes.get(i).isAlive() && vigil(i, "status").status() == 0;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Runs an admin command on node {@code i} (through its state directory's socket). */
    public Result vigil(int i, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(vigil.toString(), "--state-dir", stateDir(i).toString()));
        cmd.addAll(List.of(args));
        return run(cmd, null);
    }

    /** Starts any command in node {@code i}'s namespace (stopped with the cluster), output to {@code log}. */
    public Process exec(int i, Path log, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(i)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        nodes.put(1000 + i, p);
        return p;
    }

    /** SIGKILL, as a crash or power loss. */
    public void kill9(int i) throws InterruptedException {
        Process p = nodes.get(i);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM and wait: a clean stop. */
    public void stop(int i) throws InterruptedException {
        Process p = nodes.get(i);
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** SIGSTOP: the node hangs (answers nothing, holds what it holds) without dying, as a hung kernel. */
    public void pause(int i) throws IOException, InterruptedException {
        signal(i, "STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume(int i) throws IOException, InterruptedException {
        signal(i, "CONT");
    }

    private void signal(int i, String signal) throws IOException, InterruptedException {
        Process p = nodes.get(i);
        if (p != null && p.isAlive()) {
            run(List.of("kill", "-" + signal, Long.toString(p.pid())), null);
        }
    }

    /** The pid of node {@code i}'s process (its JVM: the launcher and {@code ip netns exec} exec it), or -1. */
    public long pid(int i) {
        Process p = nodes.get(i);
        return p == null ? -1 : p.pid();
    }

    public boolean alive(int i) {
        Process p = nodes.get(i);
        return p != null && p.isAlive();
    }

    /** Loads an nftables ruleset into node {@code i}'s namespace (table {@code inet vigiltest}, replaced). */
    public void nft(int i, String chainRules) throws IOException, InterruptedException {
        String rules = "table inet vigiltest\ndelete table inet vigiltest\ntable inet vigiltest {\n"
            + "  chain input { type filter hook input priority 0; policy accept;\n" + chainRules + "\n  }\n}\n";
        Result r = run(List.of("ip", "netns", "exec", ns(i), "nft", "-f", "-"), rules);
        if (r.status() != 0) {
            throw new IOException("nft in " + ns(i) + ": " + r.err());
        }
    }

    /** Drops, on every node of each side, all traffic from the nodes of the other side. */
    public void partition(Collection<Integer> a, Collection<Integer> b) throws IOException, InterruptedException {
        for (int i : a) {
            nft(i, dropFrom(b));
        }
        for (int i : b) {
            nft(i, dropFrom(a));
        }
    }

    private String dropFrom(Collection<Integer> others) {
        StringBuilder s = new StringBuilder();
        for (int o : others) {
            s.append("    ip saddr ").append(address(o)).append(" drop\n");
        }
        return s.toString();
    }

    /** Drops {@code percent} % of the datagrams node {@code i} receives from the other nodes, at random. */
    public void loss(int i, int percent) throws IOException, InterruptedException {
        String random = percent >= 100 ? "" : " numgen random mod 100 < " + percent;
        nft(i, "    ip saddr " + subnet + ".0/24 ip saddr != " + address(i) + random + " drop\n");
    }

    /** Removes every fault rule. */
    public void heal() throws IOException, InterruptedException {
        for (int i = 1; i <= size; i++) {
            run(List.of("ip", "netns", "exec", ns(i), "nft", "delete", "table", "inet", "vigiltest"), null);
        }
    }

    /** Polls {@code condition} every 50 ms until it holds, or fails with {@code what}. */
    public static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private void deleteNamespaces() throws IOException, InterruptedException {
        String list = sh("ip", "netns", "list");
        for (String line : list.split("\n")) {
            String name = line.split(" ")[0];
            if (name.equals(prefix + "br") || name.matches(java.util.regex.Pattern.quote(prefix) + "\\d+")) {
                run(List.of("ip", "netns", "del", name), null);
            }
        }
    }

    /** Stops every node this cluster started (SIGKILL if SIGTERM is not enough) and deletes the namespaces. */
    @Override
    public void close() throws Exception {
        for (Process p : nodes.values()) {
            if (p.isAlive()) {
                run(List.of("kill", "-CONT", Long.toString(p.pid())), null);   // a paused node could not stop
                p.destroy();
            }
        }
        for (Process p : nodes.values()) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (up) {
            deleteNamespaces();
        }
    }
}
