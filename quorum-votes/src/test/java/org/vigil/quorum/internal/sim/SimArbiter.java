package org.vigil.quorum.internal.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.vigil.quorum.internal.qdevice.ArbiterLink;
import org.vigil.quorum.internal.qnetd.QnetdCore;

/**
 * A simulated {@code vigil qnetd} for deterministic protocol tests: the arbiter's real decision logic
 * ({@link QnetdCore}) on the shared {@link ManualScheduler}, reached by each node's device through an
 * {@link ArbiterLink} with seeded per-message latency (first in, first out per direction, as TCP). The test can
 * cut one node's link (both directions go silent, as a partition between that node and the arbiter: both sides
 * find out by their silence limits) and stop or start the arbiter. The arbiter drops a connection silent for three
 * of its heartbeats, as {@code QnetdServer} does. Everything runs on the test's thread.
 */
public final class SimArbiter {

    private final ManualScheduler scheduler;
    private final Random random;
    private final int maxLatencyMs;
    private QnetdCore core;
    private final Map<Long, Conn> conns = new HashMap<>();
    private final Set<Integer> cut = new HashSet<>();
    /** Every line the arbiter sent, per node, for diagnostics. */
    final List<String> trace = new ArrayList<>();
    private boolean up = true;
    private long nextConn = 1;

    private final class Conn {
        final long id;
        final int node;
        final ArbiterLink.Events events;
        long lastHeard;
        long toArbiterAt;
        long toDeviceAt;
        boolean broken;
        boolean closed;

        Conn(long id, int node, ArbiterLink.Events events) {
            this.id = id;
            this.node = node;
            this.events = events;
            this.lastHeard = scheduler.now();
        }
    }

    public SimArbiter(ManualScheduler scheduler, long seed, int maxLatencyMs) {
        this.scheduler = scheduler;
        this.random = new Random(seed);
        this.maxLatencyMs = maxLatencyMs;
        this.core = new QnetdCore(new Out(), scheduler::now);
        scheduler.at(100, this::checkIdle);
    }

    /** The link node {@code nodeId}'s device uses. */
    public ArbiterLink linkFor(int nodeId) {
        return (host, port, timeoutMs, events) -> {
            if (!up || cut.contains(nodeId)) {
                scheduler.at(up ? timeoutMs : 1, () -> events.failed(up ? "connect timed out" : "Connection refused"));
                return;
            }
            Conn c = new Conn(nextConn++, nodeId, events);
            scheduler.at(latency(), () -> {
                if (!up || cut.contains(nodeId)) {
                    events.failed("connect timed out");
                    return;
                }
                conns.put(c.id, c);
                core.connected(c.id);
                c.toDeviceAt = scheduler.now();
                events.connected(new ArbiterLink.Connection() {
                    @Override
                    public void send(String line) throws IOException {
                        if (c.closed) {
                            throw new IOException("connection closed");
                        }
                        toArbiter(c, line);
                    }

                    @Override
                    public void close() {
                        if (!c.closed) {
                            c.closed = true;
                            long at = Math.max(c.toArbiterAt, scheduler.now() + latency());
                            c.toArbiterAt = at;
                            scheduler.at(at - scheduler.now(), () -> drop(c, null));
                        }
                    }
                });
            });
        };
    }

    /** Cuts (or restores) the network between node {@code nodeId} and the arbiter. */
    public void cut(int nodeId, boolean isCut) {
        if (isCut) {
            cut.add(nodeId);
            for (Conn c : conns.values()) {
                if (c.node == nodeId) {
                    c.broken = true;
                }
            }
        } else {
            cut.remove(nodeId);
        }
    }

    /** Stops the arbiter (every connection is closed, new ones refused) or starts it again (empty state). */
    public void setUp(boolean isUp) {
        if (!isUp && up) {
            for (Conn c : List.copyOf(conns.values())) {
                drop(c, "arbiter stopped");
            }
        }
        if (isUp && !up) {
            core = new QnetdCore(new Out(), scheduler::now); // a restarted arbiter remembers nothing
        }
        up = isUp;
    }

    public boolean isUp() {
        return up;
    }

    private int latency() {
        return 1 + random.nextInt(Math.max(1, maxLatencyMs));
    }

    private void toArbiter(Conn c, String line) {
        long at = Math.max(c.toArbiterAt, scheduler.now() + latency());
        c.toArbiterAt = at;
        scheduler.at(at - scheduler.now(), () -> {
            if (c.broken || !conns.containsKey(c.id)) {
                return;
            }
            c.lastHeard = scheduler.now();
            core.line(c.id, line);
        });
    }

    private void toDevice(Conn c, Runnable event) {
        long at = Math.max(c.toDeviceAt, scheduler.now() + latency());
        c.toDeviceAt = at;
        scheduler.at(at - scheduler.now(), () -> {
            if (!c.broken) {
                event.run();
            }
        });
    }

    /** The arbiter closes a connection (or the device closed it): the core forgets it, the device is told. */
    private void drop(Conn c, String reason) {
        if (conns.remove(c.id) == null) {
            return;
        }
        core.disconnected(c.id);
        if (reason != null) {
            toDevice(c, () -> c.events.closed(reason));
        }
    }

    private void checkIdle() {
        long now = scheduler.now();
        for (Conn c : List.copyOf(conns.values())) {
            long limit = Math.max(3000, 3 * core.heartbeat(c.id));
            if (now - c.lastHeard > limit) {
                drop(c, "nothing received for " + limit + " ms");
            }
        }
        core.tick();
        scheduler.at(100, this::checkIdle);
    }

    private final class Out implements QnetdCore.Out {
        @Override
        public void send(long conn, String line) {
            Conn c = conns.get(conn);
            if (c == null) {
                return;
            }
            trace.add(scheduler.now() + " ->" + c.node + " " + line);
            toDevice(c, () -> c.events.line(line));
        }

        @Override
        public void close(long conn, String reason) {
            Conn c = conns.get(conn);
            if (c != null) {
                drop(c, reason);
            }
        }

        @Override
        public void timer(long conn, long delayMs) {
            scheduler.at(delayMs, () -> {
                if (conns.containsKey(conn)) {
                    core.timer(conn);
                }
            });
        }

        @Override
        public void log(String text) {
            trace.add(scheduler.now() + " " + text);
        }
    }
}
