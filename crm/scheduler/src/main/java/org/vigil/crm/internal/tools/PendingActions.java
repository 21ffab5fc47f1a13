package org.vigil.crm.internal.tools;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;

/**
 * {@code crm_resource --wait}: polls the CIB and runs the scheduler on it here, in this bundle, until no action is
 * pending, as Pacemaker 2.1.5's {@code wait_till_stable()} (tools/crm_resource_runtime.c) does.
 *
 * <p>An action is pending when it is not optional, not a pseudo action, runnable and not a notification
 * ({@code action_is_pending()}); Vigil also counts operations its executors recorded as in progress
 * ({@code op-status="-1"}) on nodes whose controller is online, as {@code vigil wait --ready} does.
 *
 * <p>Deliberate differences: the CIB is polled every {@value #POLL_MS} ms (Pacemaker sleeps 2 s between checks, so
 * a settled cluster answers within a fifth of a second instead of up to 2 s later); the warning about a
 * mixed-version cluster is not printed (Vigil's controller writes no {@code dc-version}, and the scheduler here is
 * the DC's). The scheduler runs as the {@code PolicyEngine} service runs it for the DC.
 *
 * <p>One instance per invocation; not thread-safe.
 */
final class PendingActions {

    /** How long to sleep between checks (Pacemaker: {@code WAIT_SLEEP_S}, 2 s). */
    static final long POLL_MS = 200;
    /** The timeout without {@code --timeout} (Pacemaker: {@code WAIT_DEFAULT_TIMEOUT_S}, one hour). */
    static final long DEFAULT_TIMEOUT_MS = 60L * 60 * 1000;

    private final Cib cib;
    private final ToolClock clock;
    private final PrintStream out;

    PendingActions(Cib cib, ToolClock clock, PrintStream out) {
        this.cib = cib;
        this.clock = clock;
        this.out = out;
    }

    /**
     * Waits until nothing is pending, at most {@code timeoutMs} (rounded up to whole seconds as Pacemaker does;
     * 0 for the default of one hour). On timeout prints "Pending actions:" and one line per pending action, and
     * returns false.
     */
    boolean waitTillStable(long timeoutMs) throws InterruptedException {
        long timeoutS = timeoutMs > 0 ? (timeoutMs + 999) / 1000 : DEFAULT_TIMEOUT_MS / 1000;
        long expires = clock.nowMillis() + timeoutS * 1000;
        List<String> pending = List.of();
        boolean first = true;
        do {
            if (clock.nowMillis() >= expires) {
                out.println("Pending actions:");
                for (String line : pending) {
                    out.println(line);
                }
                return false;
            }
            if (!first) {
                clock.sleep(POLL_MS);
            }
            first = false;
            pending = pending(cib.current().root(), clock);
        } while (!pending.isEmpty());
        return true;
    }

    /**
     * The pending actions of the scheduler's transition for {@code root}, as print_pending_actions() lists them
     * ({@code "\tAction ID: KEY\ton NODE"}, newest action first as Pacemaker's list is), then the operations
     * recorded as in progress on online nodes ({@code "\tIn progress: KEY\ton NODE"}).
     */
    static List<String> pending(XmlNode root, ToolClock clock) {
        WorkingSet ws = Scheduler.run(ClusterState.copy(root),
            CrmTime.ofEpochSecond(clock.nowMillis() / 1000, clock.zone()), false, false);   // as the DC runs it
        List<String> lines = new ArrayList<>();
        for (int i = ws.actions.size() - 1; i >= 0; i--) {
            Action a = ws.actions.get(i);
            if (!isPending(a)) {
                continue;
            }
            lines.add("\tAction " + a.id + ": " + a.uuid + (a.node != null ? "\ton " + a.node.uname : ""));
        }
        XmlNode status = root.firstChild("status");
        if (status != null) {
            for (XmlNode ns : status.children("node_state")) {
                XmlNode lrm = ns.firstChild("lrm");
                XmlNode lrs = lrm == null ? null : lrm.firstChild("lrm_resources");
                if (!"online".equals(ns.attribute("crmd")) || lrs == null) {
                    continue;
                }
                for (XmlNode lr : lrs.children("lrm_resource")) {
                    for (XmlNode op : lr.children("lrm_rsc_op")) {
                        if ("-1".equals(op.attribute("op-status"))) {
                            lines.add("\tIn progress: " + op.attribute("operation_key") + "\ton "
                                + ns.attribute("uname"));
                        }
                    }
                }
            }
        }
        return lines;
    }

    /** Follows action_is_pending(). */
    static boolean isPending(Action a) {
        return !a.is(Action.OPTIONAL) && !a.is(Action.PSEUDO) && a.is(Action.RUNNABLE)
            && !"notify".equalsIgnoreCase(a.task);
    }
}
