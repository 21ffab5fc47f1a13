package org.vigil.quorum.internal.votequorum;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code corosync-vqsim} process, driven through its standard input (a pipe, as vqsim requires) from a
 * private directory. vqsim refuses config paths of 8 characters or more (it compares the length against
 * {@code sizeof(size_t)}), so the config is written as {@code c.conf} in the directory and vqsim runs there.
 *
 * <p>With the test's LD_PRELOAD shim ({@code vqsim-log-shim.c}) the simulated nodes' votequorum debug log is
 * captured, and the last quorum calculation of each node (its node table) is kept: it gives the total votes
 * and the node's expected votes as corosync computed them.
 */
final class VqsimProcess implements AutoCloseable {

    private static final Pattern NODE_LINE =
        Pattern.compile("(\\d+):(\\d+): q=(-?\\d+) ring=\\[([0-9a-f]+\\.[0-9a-f]+)\\] nodes=\\[([0-9 ]*)\\]");
    private static final Pattern UNINIT = Pattern.compile("(\\d+):(\\d+): q=UNINITIALIZED");
    private static final Pattern TABLE = Pattern.compile("node (\\d+) state=(\\d+), votes=(\\d+), expected=(\\d+)");
    private static final Pattern DEVICE = Pattern.compile("node 0 state=1, votes=(\\d+)");

    /** A node as vqsim shows it; {@code quorate} is null while uninitialized. */
    record Shown(int partition, int nodeId, Boolean quorate, String ring, List<Integer> view) {
    }

    /**
     * The last quorum calculation a simulated node logged.
     *
     * @param totalVotes  the members' votes (plus a voting device)
     * @param ourExpected the node's own expected votes at the time
     */
    record Logged(long totalVotes, long ourExpected) {
    }

    /** With -Dvigil.vqsim.dump=true every stderr line of every vqsim run is kept here (debugging aid). */
    static final List<String> DUMP = Boolean.getBoolean("vigil.vqsim.dump") ? new ArrayList<>() : null;

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = new ArrayList<>();
    private final boolean logging;
    private final Object logLock = new Object();
    private final List<Integer> forks = new ArrayList<>();
    private final Map<Integer, List<String>> childLines = new HashMap<>();
    private volatile long lastLogNanos = System.nanoTime();
    private int marks;

    VqsimProcess(Path dir, String configText, Path shim) throws IOException {
        Files.writeString(dir.resolve("c.conf"), configText);
        ProcessBuilder pb = new ProcessBuilder("corosync-vqsim", "-c", "c.conf").directory(dir.toFile());
        if (shim != null) {
            pb.environment().put("LD_PRELOAD", shim.toString());
        }
        logging = shim != null;
        process = pb.start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread out = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)), true), "vqsim-stdout");
        Thread err = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(),
            StandardCharsets.UTF_8)), false), "vqsim-stderr");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    private void pump(BufferedReader r, boolean stdout) {
        try {
            String line;
            while ((line = r.readLine()) != null) {
                if (stdout) {
                    lines.add(line);
                } else {
                    stderrLine(line);
                }
            }
        } catch (IOException e) {
            // process gone
        }
    }

    private void stderrLine(String line) {
        if (DUMP != null) {
            synchronized (DUMP) {
                DUMP.add(line);
            }
        }
        if (line.startsWith("VQFORK ")) {
            synchronized (logLock) {
                forks.add(Integer.parseInt(line.substring(7).trim()));
            }
            return;
        }
        if (!line.startsWith("VQLOG ")) {
            synchronized (logLock) {
                transcript.add("stderr: " + line);
            }
            return;
        }
        int sp = line.indexOf(' ', 6);
        if (sp < 0) {
            return;
        }
        int pid = Integer.parseInt(line.substring(6, sp));
        String text = line.substring(sp + 1);
        synchronized (logLock) {
            if (pid == process.pid()) {
                return; // vqsim itself (libqb's poll messages at every prompt), not a simulated node
            }
            lastLogNanos = System.nanoTime();
            childLines.computeIfAbsent(pid, k -> new ArrayList<>()).add(text);
        }
    }

    /** True when the simulated nodes' logs are captured. */
    boolean logging() {
        return logging;
    }

    /** Nanotime of the last log line seen. */
    long lastLogNanos() {
        return lastLogNanos;
    }

    void send(String command) throws IOException {
        synchronized (logLock) {
            transcript.add("> " + command);
        }
        stdin.write(command + "\n");
        stdin.flush();
    }

    /** Runs {@code show} and returns every node it printed, by node id. */
    Map<Integer, Shown> show(long timeoutMs) throws IOException, InterruptedException {
        String mark = "#vigil-mark-" + (++marks);
        send(mark);
        send("show");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean seenMark = false;
        Map<Integer, Shown> shown = new TreeMap<>();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IOException("corosync-vqsim did not answer 'show' within " + timeoutMs + " ms"
                    + (process.isAlive() ? "" : " (exited with status " + process.exitValue() + ")"));
            }
            synchronized (logLock) {
                transcript.add(line);
            }
            if (!seenMark) {
                seenMark = line.contains(mark);
                continue;
            }
            if (line.startsWith("#autofence")) {
                return shown;
            }
            String body = line.startsWith("#vqsim> ") ? line.substring(8) : line;
            Matcher m = NODE_LINE.matcher(body);
            if (m.find()) {
                List<Integer> view = new ArrayList<>();
                for (String s : m.group(5).trim().split(" ")) {
                    if (!s.isEmpty()) {
                        view.add(Integer.parseInt(s));
                    }
                }
                shown.put(Integer.parseInt(m.group(2)), new Shown(Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)), !m.group(3).equals("0"), m.group(4), view));
            } else {
                Matcher u = UNINIT.matcher(body);
                if (u.find()) {
                    shown.put(Integer.parseInt(u.group(2)), new Shown(Integer.parseInt(u.group(1)),
                        Integer.parseInt(u.group(2)), null, "", List.of()));
                }
            }
        }
    }

    /**
     * The last quorum calculation node process {@code pid} logged before line {@code to}: its node table gives
     * the total votes (members' votes, plus the device's line when it votes) and the node's own expected votes.
     *
     * @return null when there is none
     */
    Logged logged(int pid, int to, int nodeId) {
        List<String> l;
        synchronized (logLock) {
            List<String> all = childLines.getOrDefault(pid, List.of());
            l = new ArrayList<>(all.subList(0, Math.min(to, all.size())));
        }
        int end = l.lastIndexOf("LEAVING calculate_quorum()");
        if (end < 0) {
            return null;
        }
        long total = 0;
        long ours = -1;
        for (int i = end - 1; i >= 0 && !l.get(i).equals("ENTERING calculate_quorum()"); i--) {
            Matcher d = DEVICE.matcher(l.get(i));
            if (d.matches()) {
                total += Long.parseLong(d.group(1));
                continue;
            }
            Matcher m = TABLE.matcher(l.get(i));
            if (m.matches()) {
                if (m.group(2).equals("1")) {
                    total += Long.parseLong(m.group(3));
                }
                if (Integer.parseInt(m.group(1)) == nodeId) {
                    ours = Long.parseLong(m.group(4));
                }
            }
        }
        return new Logged(total, ours);
    }

    /** The pid of the {@code index}-th node process vqsim created, or -1 if not seen yet. */
    int pid(int index) {
        synchronized (logLock) {
            return index < forks.size() ? forks.get(index) : -1;
        }
    }

    /** How many log lines each node process has written so far, by pid. */
    Map<Integer, Integer> logPositions() {
        synchronized (logLock) {
            Map<Integer, Integer> out = new HashMap<>();
            for (int pid : forks) {
                out.put(pid, childLines.getOrDefault(pid, List.of()).size());
            }
            return out;
        }
    }

    private static final Pattern GOT = Pattern.compile("got nodeinfo message from cluster node (\\d+)");
    private static final Pattern INFO =
        Pattern.compile("nodeinfo message\\[(\\d+)\\]: votes: (-?\\d+), expected: (-?\\d+) flags: (-?\\d+)");
    private static final Pattern NODELIST = Pattern.compile("Sending nodelist callback\\. ring_id = (\\S+)");

    /**
     * The votequorum inputs a node process logged between two positions: sync start, process (with the ring
     * it announced), activation, each NODEINFO received and the last_man_standing timer.
     *
     * @throws IOException for an input the replay does not support (reconfigure, quorum device)
     */
    List<VqsimReplay.Event> events(int pid, int from, int to) throws IOException {
        List<String> l;
        synchronized (logLock) {
            List<String> all = childLines.getOrDefault(pid, List.of());
            l = new ArrayList<>(all.subList(Math.min(from, all.size()), Math.min(to, all.size())));
        }
        List<VqsimReplay.Event> out = new ArrayList<>();
        // votequorum traces ENTERING/LEAVING of most functions; sync_process and sync_activate have no trace,
        // so they show as top-level calls of what they call (send_nodeinfo, recalculate_quorum). Some functions
        // return without their LEAVING line, so a LEAVING pops the stack down to its own frame.
        java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
        Integer sender = null;
        boolean processSeen = false;
        for (int li = 0; li < l.size(); li++) {
            String text = l.get(li);
            Matcher m;
            if (text.startsWith("ENTERING ")) {
                String fn = text.substring(9);
                if (stack.isEmpty()) {
                    switch (fn) {
                        case "votequorum_exec_init_fn()" -> out.add(new VqsimReplay.Init());
                        case "votequorum_sync_init()" -> {
                            out.add(new VqsimReplay.SyncInit());
                            processSeen = false;
                        }
                        case "votequorum_exec_send_nodeinfo()" -> {
                            if (!processSeen) {
                                out.add(new VqsimReplay.Process(null));
                                processSeen = true;
                            }
                        }
                        case "recalculate_quorum()" -> out.add(new VqsimReplay.Activate());
                        case "votequorum_last_man_standing_timer_fn()" -> out.add(new VqsimReplay.LmsTimer());
                        case "message_handler_req_exec_votequorum_nodeinfo()",
                            "votequorum_exec_send_nodelist_notification()",
                            "votequorum_exec_send_quorum_notification()", "votequorum_init()",
                            "allocate_node()", "node_add_ordered()", "votequorum_readconfig()",
                            "quorum_lib_init_fn()", "votequorum_exec_send_qdevice_reg()" -> { }
                        default -> throw new IOException("vqsim input not replayed by the test: " + text
                            + " (node process " + pid + ", log lines " + from + ".." + to + ", context: "
                            + l.subList(Math.max(0, li - 8), li) + ")");
                    }
                }
                stack.push(fn);
            } else if (text.startsWith("LEAVING ")) {
                String fn = text.substring(8);
                if (stack.contains(fn)) {
                    while (!stack.pop().equals(fn)) {
                        // frames that returned without a LEAVING line
                    }
                }
            } else if ((m = NODELIST.matcher(text)).matches()) {
                int last = out.size() - 1;
                if (last >= 0 && out.get(last) instanceof VqsimReplay.Process) {
                    out.set(last, new VqsimReplay.Process(m.group(1)));
                }
            } else if ((m = GOT.matcher(text)).matches()) {
                sender = Integer.parseInt(m.group(1));
            } else if ((m = INFO.matcher(text)).matches()) {
                if (sender == null) {
                    throw new IOException("node " + pid + ": NODEINFO content without a sender line");
                }
                out.add(new VqsimReplay.Deliver(sender, new VqMessage.NodeInfo(Integer.parseInt(m.group(1)),
                    Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Integer.parseInt(m.group(4)))));
                sender = null;
            }
        }
        return out;
    }

    /** The commands sent and the lines vqsim printed, for a failure report. */
    String transcript() {
        synchronized (logLock) {
            return String.join("\n", transcript);
        }
    }

    @Override
    public void close() {
        try {
            send("quit");
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }
}
