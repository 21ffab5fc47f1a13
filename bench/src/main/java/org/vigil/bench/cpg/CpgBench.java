package org.vigil.bench.cpg;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.vigil.shell.client.CpgClient;

/**
 * The CPG load generator with the shape of the corosync anchor's {@code vcpgbench}, against a Vigil node's admin
 * socket: agreed-order messages of fixed sizes for a bounded time, counting what the group delivers back.
 *
 * <pre>
 * CpgBench send --socket S [-s 64,40000] [-t SECS | -n COUNT] [-w MEMBERS] [-g GROUP]   one line per size:
 *     RESULT size=N secs=T delivered=D msgs_per_s=R mb_per_s=M own=O sent=S gaps=G missing=M reordered=R
 * CpgBench recv --socket S [-t QUIET_SECS] [-g GROUP]                          counts deliveries until quiet:
 *     RESULT delivered=D bytes=B msgs_per_s=R max_gap_ms=P gaps=G missing=M reordered=R
 *         (P: the longest pause between two deliveries)
 * CpgBench watch --socket S [-t SECS] [-g GROUP]       joins and prints every configuration change for SECS s:
 *     CONFCHG t_ms=EPOCH_MS members=N nodes=1,2 left=3 (what the anchor's cswatch prints for corosync)
 * </pre>
 * {@code delivered} counts every message delivered to this member (its own and the other senders') within the
 * timed window, as vcpgbench does; with one sender it is its own. Messages carry a sequence number so every
 * member checks the agreed order per sender: a jump forward is a gap ({@code missing} messages skipped), a step
 * back is {@code reordered}; any of them fails the run with exit status 2 (the first five are described on
 * standard error). If the node ends the connection before the client is done (an ERROR frame, end of stream or
 * reset), the client prints {@code CLOSED_BY_NODE reason} after its RESULT lines and exits with status 3.
 */
public final class CpgBench {

    private CpgBench() {
    }

    /** {@code --safe}: the sender's messages in safe order (CpgGuarantee.SAFE) instead of agreed. */
    private static boolean safe;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        Path socket = null;
        List<Integer> sizes = List.of(64, 40000);
        double secs = 5;
        int waitMembers = 1;
        long count = 0;
        String group = "cpg_bm";
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--socket" -> socket = Path.of(args[++i]);
                case "-s" -> {
                    List<Integer> s = new ArrayList<>();
                    for (String x : args[++i].split(",")) {
                        s.add(Integer.parseInt(x));
                    }
                    sizes = s;
                }
                case "-t" -> secs = Double.parseDouble(args[++i]);
                case "-w" -> waitMembers = Integer.parseInt(args[++i]);
                case "-n" -> count = Long.parseLong(args[++i]);
                case "-g" -> group = args[++i];
                case "--safe" -> safe = true;
                default -> usage();
            }
        }
        if (socket == null || !(mode.equals("send") || mode.equals("recv") || mode.equals("watch"))) {
            usage();
        }
        int status = switch (mode) {
            case "send" -> send(socket, group, sizes, secs, waitMembers, count);
            case "recv" -> recv(socket, group, secs);
            default -> watch(socket, group, secs);
        };
        System.exit(status);
    }

    private static void usage() {
        System.err.println("usage: CpgBench send|recv|watch --socket PATH [-s SIZES] [-t SECS] [-w MEMBERS] [-g GROUP]"
            + " [--safe]");
        System.exit(64);
    }

    /**
     * Per-sender order check: every message carries (phase, seq); seq must be contiguous per sender and phase.
     * A forward jump counts the skipped messages as {@code missing}; a step back (or repeat) counts as
     * {@code reordered}. The first few violations are described on standard error.
     */
    private static final class Order {
        final java.util.Map<Long, Long> next = new java.util.HashMap<>();
        long violations;
        long missing;
        long reordered;

        void see(int node, long pid, byte[] m) {
            if (m.length < 12) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(m);
            int phase = b.getInt();
            long key = ((long) node << 32) ^ pid ^ ((long) phase << 48);
            long seq = b.getLong();
            Long expected = next.put(key, seq + 1);
            if (expected == null && seq != 0 || expected != null && expected != seq) {
                long want = expected == null ? 0 : expected;
                violations++;
                if (seq > want) {
                    missing += seq - want;
                } else {
                    reordered++;
                }
                if (violations <= 5) {
                    System.err.printf("ORDER node=%d pid=%d phase=%d expected_seq=%d got_seq=%d%n", node, pid, phase,
                        want, seq);
                }
            }
        }

        /** Appends the order figures to a RESULT line. */
        String summary() {
            return " gaps=" + violations + " missing=" + missing + " reordered=" + reordered;
        }
    }

    /** How the node's side of the connection ended, if it ended before this client was done. */
    private static final class Ending {
        volatile String reason;

        void set(String r) {
            if (reason == null) {
                reason = r;
            }
        }
    }

    private static int send(Path socket, String group, List<Integer> sizes, double secs, int waitMembers, long count)
        throws Exception {
        long pid = ProcessHandle.current().pid();
        AtomicInteger members = new AtomicInteger();
        AtomicLong delivered = new AtomicLong();
        AtomicLong own = new AtomicLong();
        Order order = new Order();
        Ending ending = new Ending();
        boolean done = false;
        try (CpgClient c = CpgClient.connect(socket, group, pid)) {
            Thread reader = new Thread(() -> {
                try {
                    c.dispatch(new CpgClient.Handler() {
                        @Override
                        public void deliver(int nodeId, long from, byte[] message) {
                            delivered.incrementAndGet();
                            if (from == pid) {
                                own.incrementAndGet();
                            }
                            order.see(nodeId, from, message);
                        }

                        @Override
                        public void configurationChanged(List<CpgClient.Member> m, List<CpgClient.Member> l,
                                                         List<CpgClient.Member> j) {
                            members.set(m.size());
                        }

                        @Override
                        public void error(String message) {
                            ending.set("error from the node: " + message);
                        }
                    });
                    ending.set("the node closed the connection");
                } catch (Exception e) {
                    ending.set("connection failed: " + e);
                }
            }, "cpgbench-reader");
            reader.setDaemon(true);
            reader.start();
            long waitUntil = System.nanoTime() + 60_000_000_000L;
            while (members.get() < waitMembers && System.nanoTime() < waitUntil) {
                Thread.sleep(20);
            }
            int phase = 0;
            try {
            for (int size : sizes) {
                phase++;
                byte[] msg = new byte[Math.max(size, 12)];
                delivered.set(0);
                own.set(0);
                long sent = 0;
                long t0 = System.nanoTime();
                long end = t0 + (long) (secs * 1e9);
                while (count > 0 ? sent < count : System.nanoTime() < end) {
                    ByteBuffer.wrap(msg).putInt(phase).putLong(sent++);
                    if (safe) {
                        c.mcastSafe(msg.clone());
                    } else {
                        c.mcast(msg.clone());
                    }
                    if ((sent & 63) == 0) {
                        c.flush();
                    }
                }
                c.flush();
                long counted = delivered.get();
                double elapsed = (System.nanoTime() - t0) / 1e9;
                // let the tail drain before the next size, so its messages are not counted there
                // Wait for this member's own messages to come back (bounded), so they are not counted in the next
                // size: 30 s after a timed run, 300 s in all for a counted one.
                long drainDeadline = count > 0 ? t0 + 300_000_000_000L : end + 30_000_000_000L;
                long before;
                do {
                    before = own.get();
                    Thread.sleep(300);
                } while ((own.get() != before || own.get() < sent) && System.nanoTime() < drainDeadline);
                System.out.printf("RESULT size=%d secs=%.2f delivered=%d msgs_per_s=%.0f mb_per_s=%.2f own=%d sent=%d%s%n",
                    size, elapsed, counted, counted / elapsed, counted * (double) size / elapsed / 1e6, own.get(), sent,
                    order.summary());
                System.out.flush();
                if (ending.reason != null) {
                    break;
                }
            }
            c.leave();
            done = true;
            } catch (java.io.IOException e) {
                ending.set("send failed: " + e);
            }
        }
        return verdict(!done || ending.reason != null && ending.reason.startsWith("error"), ending.reason, order);
    }

    /** The exit status: 3 (and why) when the node ended the connection, 2 on order violations, else 0. */
    private static int verdict(boolean closedByNode, String reason, Order order) {
        if (closedByNode) {
            System.out.println("CLOSED_BY_NODE " + reason);
            return 3;
        }
        if (order.violations > 0) {
            System.out.println("ORDER_VIOLATIONS " + order.violations);
            return 2;
        }
        return 0;
    }

    private static int recv(Path socket, String group, double quietSecs) throws Exception {
        AtomicLong delivered = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong maxGap = new AtomicLong();
        Order order = new Order();
        Ending ending = new Ending();
        String early;
        try (CpgClient c = CpgClient.connect(socket, group, ProcessHandle.current().pid())) {
            Thread reader = new Thread(() -> {
                try {
                    c.dispatch(new CpgClient.Handler() {
                        @Override
                        public void deliver(int nodeId, long from, byte[] message) {
                            long now = System.nanoTime();
                            first.compareAndSet(0, now);
                            long prev = last.getAndSet(now);
                            if (prev != 0) {
                                maxGap.accumulateAndGet(now - prev, Math::max);
                            }
                            delivered.incrementAndGet();
                            bytes.addAndGet(message.length);
                            order.see(nodeId, from, message);
                        }

                        @Override
                        public void error(String message) {
                            ending.set("error from the node: " + message);
                        }
                    });
                    ending.set("the node closed the connection");
                } catch (Exception e) {
                    ending.set("connection failed: " + e);
                } finally {
                    done.set(true);
                }
            }, "cpgbench-recv");
            reader.setDaemon(true);
            reader.start();
            long quiet = (long) (quietSecs * 1e9);
            long started = System.nanoTime();
            while (!done.get()) {
                Thread.sleep(50);
                long l = last.get();
                long now = System.nanoTime();
                if (l != 0 && now - l > quiet || l == 0 && now - started > 120_000_000_000L) {
                    break;
                }
            }
            // the reader ended before this client stopped listening: the node ended the connection
            early = done.get() ? ending.reason : null;
        }
        double active = (last.get() - first.get()) / 1e9;
        System.out.printf("RESULT delivered=%d bytes=%d msgs_per_s=%.0f max_gap_ms=%d%s%n", delivered.get(), bytes.get(),
            active > 0 ? delivered.get() / active : 0, maxGap.get() / 1_000_000, order.summary());
        return verdict(early != null, early, order);
    }

    /**
     * Joins the group and prints each configuration change with its wall-clock time (epoch ms), the member
     * count, the distinct nodes of the members and of those that left, until {@code secs} seconds pass or the
     * node ends the connection.
     */
    private static int watch(Path socket, String group, double secs) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        try (CpgClient c = CpgClient.connect(socket, group, ProcessHandle.current().pid())) {
            System.out.println("READY t_ms=" + System.currentTimeMillis());
            System.out.flush();
            Thread reader = new Thread(() -> {
                try {
                    c.dispatch(new CpgClient.Handler() {
                        @Override
                        public void deliver(int nodeId, long from, byte[] message) {
                        }

                        @Override
                        public void configurationChanged(List<CpgClient.Member> m, List<CpgClient.Member> l,
                                                         List<CpgClient.Member> j) {
                            long now = System.currentTimeMillis();
                            System.out.printf("CONFCHG t_ms=%d members=%d nodes=%s left=%s%n", now, m.size(), nodes(m),
                                nodes(l));
                            System.out.flush();
                        }
                    });
                } catch (Exception e) {
                    // ends
                } finally {
                    done.set(true);
                }
            }, "cpgbench-watch");
            reader.setDaemon(true);
            reader.start();
            long end = System.nanoTime() + (long) (secs * 1e9);
            while (!done.get() && System.nanoTime() < end) {
                Thread.sleep(50);
            }
        }
        return 0;
    }

    private static String nodes(List<CpgClient.Member> members) {
        java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
        members.forEach(m -> ids.add(m.nodeId()));
        return ids.isEmpty() ? "-" : ids.toString().replaceAll("[\\[\\] ]", "");
    }
}
