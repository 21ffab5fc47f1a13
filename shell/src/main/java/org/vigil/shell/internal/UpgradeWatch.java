package org.vigil.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.ClusterMembership;
import org.vigil.kernel.api.MembershipEvent;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.QuorumState;

/**
 * What happened on this node while a bundle was swapped, for the upgrade report: membership changes and quorum
 * changes (listeners on the kernel's services, which stay while CRM bundles come and go), and the counters the CRM
 * bundles keep in the kernel's cmap (so that they span revisions): resource starts and stops the executor ran (a
 * resource stopped and then started again is a restart),
 * recurring operations (monitors) that began late and by how much, transitions the controller aborted.
 * Opened before the swap, closed after it and a short settle (monitors that fell due during the swap run then).
 */
final class UpgradeWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.MAIN");
    static final String STARTS = "runtime.crm.exec.stats.starts";
    static final String STOPS = "runtime.crm.exec.stats.stops";
    static final String LATE = "runtime.crm.exec.stats.monitors_late";
    static final String LAST_LATE = "runtime.crm.exec.stats.last_late";
    static final String LAST_OP = "runtime.crm.exec.stats.last_op";
    static final String ABORTED = "runtime.crm.controller.stats.transitions_aborted";

    private final Cmap cmap;
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private final long starts;
    private final long stops;
    private final long late;
    private final long aborted;
    private final AtomicInteger membershipChanges = new AtomicInteger();
    private final AtomicInteger quorumChanges = new AtomicInteger();
    private final AtomicLong longestLate = new AtomicLong();
    private volatile Boolean quorate;
    /** Resources the executor stopped, and those it started, during the watch. */
    private final java.util.Set<String> stopped = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> restarted = new java.util.concurrent.ConcurrentSkipListSet<>();
    /** Ring ids seen since the watch began, the one it began in first (a listener is told the current one). */
    private final java.util.Set<Object> rings = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private String summary;

    UpgradeWatch(Cmap cmap, ClusterMembership membership, QuorumService quorum) {
        this.cmap = cmap;
        starts = value(STARTS);
        stops = value(STOPS);
        late = value(LATE);
        aborted = value(ABORTED);
        try {
            if (membership != null) {
                MembershipEvent now = membership.current();
                if (now != null) {
                    rings.add(now.ringId());
                }
                listeners.add(membership.addListener(this::membershipChanged));
            }
            if (quorum != null) {
                quorate = quorum.current().map(QuorumState::quorate).orElse(null);
                listeners.add(quorum.addListener(this::quorumChanged));
            }
            if (cmap != null) {
                listeners.add(cmap.track(LAST_OP, false, e -> {
                    if (e.newEntry() != null) {
                        String[] w = String.valueOf(e.newEntry().value()).split(" ");
                        if (w.length == 3 && w[2].equals("stop")) {
                            stopped.add(w[1]);
                        } else if (w.length == 3 && w[2].equals("start") && stopped.contains(w[1])) {
                            restarted.add(w[1]);
                        }
                    }
                }));
                listeners.add(cmap.track(LAST_LATE, false, e -> {
                    if (e.newEntry() != null) {
                        String v = String.valueOf(e.newEntry().value());
                        try {
                            long ms = Long.parseLong(v.substring(v.lastIndexOf(' ') + 1));
                            longestLate.accumulateAndGet(ms, Math::max);
                        } catch (NumberFormatException | IndexOutOfBoundsException x) {
                            LOG.debug("upgrade: unreadable {}: {}", LAST_LATE, v);
                        }
                    }
                }));
            }
        } catch (RuntimeException e) {
            LOG.warn("upgrade: watching the node during the swap: {}", e.toString());
        }
    }

    /** A new ring (a configuration this node had not been in since the watch began) is a membership change. */
    private void membershipChanged(MembershipEvent e) {
        if (rings.add(e.ringId()) && rings.size() > 1) {
            membershipChanges.incrementAndGet();
        }
    }

    private void quorumChanged(QuorumState q) {
        Boolean before = quorate;
        quorate = q.quorate();
        if (before != null && before != q.quorate()) {
            quorumChanges.incrementAndGet();
        }
    }

    private long value(String key) {
        if (cmap == null) {
            return 0;
        }
        return cmap.get(key).map(CmapEntry::value).filter(Number.class::isInstance).map(v -> ((Number) v).longValue())
            .orElse(0L);
    }

    /** Stops watching (once) and returns the report's second line. */
    String summary() {
        close();
        return summary;
    }

    @Override
    public synchronized void close() {
        if (summary != null) {
            return;
        }
        for (AutoCloseable l : listeners) {
            try {
                l.close();
            } catch (Exception e) {
                LOG.debug("upgrade: closing a watch: {}", e.toString());
            }
        }
        long s = value(STARTS) - starts;
        long p = value(STOPS) - stops;
        long m = value(LATE) - late;
        summary = String.format("  on this node during the swap: resources restarted %d%s (starts %d, stops %d run "
            + "here); monitors delayed %d%s; membership changes %d; quorum changes %d; transitions aborted %d",
            restarted.size(), restarted.isEmpty() ? "" : " " + restarted, s, p, m, m > 0 ? " (longest " + longestLate.get() + " ms late)" : "",
            membershipChanges.get(), quorumChanges.get(), value(ABORTED) - aborted);
    }
}
