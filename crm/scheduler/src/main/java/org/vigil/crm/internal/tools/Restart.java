package org.vigil.crm.internal.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.simulate.Simulation;
import org.vigil.crm.internal.tools.CrmResourceCommand.Failed;

/**
 * {@code crm_resource --restart -r RSC [-N NODE] [--timeout T]}, following Pacemaker 2.1.5's
 * {@code cli_resource_restart()} (tools/crm_resource_runtime.c):
 *
 * <ol>
 *   <li>the resource must be active (on {@code NODE} when given; for a clone, any instance): else "RSC is not
 *       running anywhere and so cannot be restarted" (or "on NODE"), exit 105;</li>
 *   <li>remember the active resources (groups counted by member);</li>
 *   <li>stop it: {@code target-role=stopped} in its meta-attributes, written as {@code cli_resource_update_attribute()}
 *       writes it (the existing nvpair's id, else {@code RSC-meta_attributes} / {@code RSC-meta_attributes-target-role};
 *       "Set 'RSC' option: ..."), the original value remembered; or, for a clone (or a clone's instance) with
 *       {@code -N}, a {@code cli-ban-RSC-on-NODE} constraint, after which nothing informational is printed (as
 *       Pacemaker, whose output stays quiet from the ban on);</li>
 *   <li>compute what the cluster will stop, by simulating the scheduler's transition on the changed CIB; print
 *       "Waiting for N resources to stop:" and " * RSC" lines; wait until those are stopped;</li>
 *   <li>put the original {@code target-role} back (or delete the one written, or clear the ban); print
 *       "Waiting for N resources to start again:" and the list; wait until they are active again (anywhere).</li>
 * </ol>
 *
 * <p>Waiting goes in steps: a step lasts {@code --timeout} (without it, 5 s plus the longest stop timeout of the
 * resources waited for); a step in which nothing more stopped (started) fails with "Could not complete shutdown of
 * RSC, N resources remaining" ("restart of") and the list, the {@code target-role} restored (or the ban cleared),
 * exit 124 ("Timeout occurred"). As in Pacemaker, the time a stop phase used is taken off the start phase's step.
 * Deliberate difference: the CIB is checked every {@value PendingActions#POLL_MS} ms (Pacemaker: every 2 s).
 *
 * <p>One instance per invocation; not thread-safe.
 */
final class Restart {

    private static final String TARGET_ROLE = "target-role";
    private static final String META = "meta_attributes";

    private final CrmResourceCommand.Run run;
    private final ToolClock clock;

    Restart(CrmResourceCommand.Run run) {
        this.run = run;
        this.clock = run.clock();
    }

    void run(long timeoutMs) throws Failed, InterruptedException {
        Resource rsc = run.rsc;
        Resource parent = rsc.top();
        String id = rsc.cloneName != null ? rsc.cloneName : rsc.id;
        String host = run.node != null ? run.node.uname : null;
        if (rsc.isBundled()) {
            rsc = parent.parent;
        }
        boolean running = runningOn(rsc, host);
        if (parent.isClone() && !running) {
            String lookup = parent.isUniqueClone() ? rsc.id : WorkingSet.cloneStrip(rsc.id);
            rsc = parent.findRsc(lookup, run.node, Resource.FIND_ANY | Resource.FIND_CURRENT);
            running = rsc != null && runningOn(rsc, host);
        }
        if (!running) {
            run.err.println(id + " is not running " + (host != null ? "on " + host : "anywhere")
                + " and so cannot be restarted");
            throw CrmResourceCommand.operationFailed(CrmResourceCommand.EX_NOSUCH, null);
        }
        String rscId = rsc.id;
        String lookupId = parent.isUniqueClone() ? rsc.id : WorkingSet.cloneStrip(rsc.id);
        boolean stopViaBan = false;
        if (host != null) {
            if (rsc.isClone() || rsc.variant == Resource.Variant.BUNDLE) {
                stopViaBan = true;
            } else if (parent.isClone()) {
                stopViaBan = true;
                lookupId = parent.id;
            }
        }

        WorkingSet ws = unpack();
        List<String> restartTargetActive = active(host, ws.resources);
        List<String> currentActive = active(host, ws.resources);
        String origTargetRole = null;
        try {
            if (stopViaBan) {
                run.silenced = true;
                run.banNode(lookupId, host);
            } else {
                List<XmlNode> found = findAttr(lookupId, null, TARGET_ROLE);
                origTargetRole = found.size() == 1 ? found.get(0).attribute("value") : null;
                updateAttribute(rsc, rscId, "stopped");   // RSC_STOPPED, lower case as Pacemaker writes it
            }
        } catch (Failed f) {
            run.err.println("Could not set target-role for " + rscId + ": " + CrmResourceCommand.exitText(f.exit));
            throw CrmResourceCommand.operationFailed(f.exit, null);
        }

        boolean restoreFailed = false;
        try {
            org.vigil.crm.internal.cib.XmlElement after = Simulation.afterTransition(
                ClusterState.copy(run.cib.current().root()), now());
            List<String> targetActive = active(host, ClusterState.unpack(after, clock).resources);
            List<String> delta = minus(currentActive, targetActive);
            run.info("Waiting for " + delta.size() + " resources to stop:");
            list(delta);
            long[] remaining = {timeoutMs};
            long stepMs = timeoutMs;
            while (!delta.isEmpty()) {
                int before = delta.size();
                if (timeoutMs == 0) {
                    stepMs = maxDelayMs(ws, delta);
                }
                long stepEnd = clock.nowMillis() + stepMs;
                while (clock.nowMillis() < stepEnd && !delta.isEmpty()) {
                    sleep(remaining);
                    ws = unpack();
                    currentActive = active(host, ws.resources);
                    delta = minus(currentActive, targetActive);
                }
                if (before == delta.size()) {
                    run.err.println("Could not complete shutdown of " + rscId + ", " + delta.size()
                        + " resources remaining");
                    list(delta);
                    throw CrmResourceCommand.operationFailed(CrmResourceCommand.EX_TIMEOUT, null);
                }
            }

            try {
                restore(stopViaBan, rsc, rscId, lookupId, host, origTargetRole);
            } catch (Failed f) {
                restoreFailed = true;
                run.err.println("Could not unset target-role for " + rscId + ": "
                    + CrmResourceCommand.exitText(f.exit));
                throw CrmResourceCommand.operationFailed(f.exit, null);
            }

            delta = minus(restartTargetActive, currentActive);
            run.info("Waiting for " + delta.size() + " resources to start again:");
            list(delta);
            stepMs = remaining[0];
            while (!delta.isEmpty()) {
                int before = delta.size();
                if (timeoutMs == 0) {
                    stepMs = maxDelayMs(ws, delta);
                }
                long stepEnd = clock.nowMillis() + stepMs;
                while (clock.nowMillis() < stepEnd && !delta.isEmpty()) {
                    sleep(remaining);
                    ws = unpack();
                    // dependents may have moved: active anywhere counts
                    currentActive = active(null, ws.resources);
                    delta = minus(restartTargetActive, currentActive);
                }
                if (before == delta.size()) {
                    run.err.println("Could not complete restart of " + rscId + ", " + delta.size()
                        + " resources remaining");
                    list(delta);
                    throw CrmResourceCommand.operationFailed(CrmResourceCommand.EX_TIMEOUT, null);
                }
            }
        } catch (Failed f) {
            if (!restoreFailed) {
                // Pacemaker's failure path: undo the stop (again, when the start phase failed)
                try {
                    restore(stopViaBan, rsc, rscId, lookupId, host, origTargetRole);
                } catch (Failed ignored) {
                    // the original failure is what is reported
                }
            }
            throw f;
        }
    }

    /** Puts back what stopped the resource: clears the ban, writes the original target-role or deletes it. */
    private void restore(boolean stopViaBan, Resource rsc, String rscId, String lookupId, String host,
                         String origTargetRole) throws Failed, InterruptedException {
        if (stopViaBan) {
            run.clear(lookupId, host, true);
        } else if (origTargetRole != null) {
            updateAttribute(rsc, rscId, origTargetRole);
        } else {
            deleteAttribute(rsc, rscId);
        }
    }

    private CrmTime now() {
        return CrmTime.ofEpochSecond(clock.nowMillis() / 1000, clock.zone());
    }

    private WorkingSet unpack() {
        return ClusterState.unpack(run.cib.current().root(), clock);
    }

    /** Sleeps one poll interval, taking it off the time {@code remaining[0]} (as Pacemaker's {@code timeout}). */
    private void sleep(long[] remaining) throws InterruptedException {
        long start = clock.nowMillis();
        clock.sleep(PendingActions.POLL_MS);
        if (remaining[0] != 0) {
            remaining[0] -= clock.nowMillis() - start;
        }
    }

    private void list(List<String> ids) {
        for (String i : ids) {
            run.info(" * " + i);
        }
    }

    /** The items of {@code a} not in {@code b}, in order. Follows pcmk__subtract_lists(). */
    static List<String> minus(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.removeAll(b);
        return out;
    }

    /** Follows resource_is_running_on(): active at all (host null), or on the node named (or numbered) host. */
    static boolean runningOn(Resource rsc, String host) {
        List<Node> hosts = new ArrayList<>();
        rsc.location(hosts, 1);
        if (host == null) {
            return !hosts.isEmpty();
        }
        for (Node n : hosts) {
            if (host.equalsIgnoreCase(n.uname) || host.equalsIgnoreCase(n.id)) {
                return true;
            }
        }
        return false;
    }

    /** Follows get_active_resources(): ids of the resources active on host (groups by member). */
    static List<String> active(String host, List<Resource> resources) {
        List<String> out = new ArrayList<>();
        for (Resource r : resources) {
            if (r.variant == Resource.Variant.GROUP) {
                out.addAll(active(host, r.children));
            } else if (runningOn(r, host)) {
                out.add(r.id);
            }
        }
        return out;
    }

    /**
     * One step's length: 5 s plus the longest stop timeout among {@code ids} (in whole seconds, as max_delay_in()
     * computes it; Pacemaker then polls that many seconds in 2 s sleeps).
     */
    private static long maxDelayMs(WorkingSet ws, List<String> ids) {
        long max = 0;
        for (String i : ids) {
            Resource r = null;
            for (Resource top : ws.resources) {
                r = top.findRsc(i, null, Resource.FIND_RENAMED | Resource.FIND_ANON);
                if (r != null) {
                    break;
                }
            }
            max = Math.max(max, maxStopTimeout(ws, r));
        }
        return (5 + max / 1000) * 1000;
    }

    /** Follows max_delay_for_resource(): the stop timeout of a primitive, the largest of a collective's children. */
    private static long maxStopTimeout(WorkingSet ws, Resource r) {
        if (r == null) {
            return 0;
        }
        if (!r.children.isEmpty()) {
            long max = 0;
            for (Resource c : r.children) {
                max = Math.max(max, maxStopTimeout(ws, c));
            }
            return max;
        }
        Action stop = ws.customAction(r, r.id + "_stop_0", "stop", null, true, false);
        try {
            long t = Long.parseLong(stop.meta.getOrDefault("timeout", "-1"));
            return t >= 0 && t <= Integer.MAX_VALUE ? t : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---- meta-attributes, as cli_resource_update_attribute() and cli_resource_delete_attribute() write them

    /** The nvpairs named {@code name} below the element(s) {@code id} (find_resource_attr(), any set type). */
    List<XmlNode> findAttr(String id, String setType, String name) {
        return new ResourceAttributes(run).find(id, setType, null, null, name);
    }

    /** cli_resource_update_attribute() of target-role (meta-attributes, no set or nvpair id, not recursive). */
    void updateAttribute(Resource rsc, String requested, String value) throws Failed, InterruptedException {
        new ResourceAttributes(run).update(rsc, requested, null, META, null, TARGET_ROLE, value, false);
    }

    /** cli_resource_delete_attribute() of target-role (meta-attributes, no set or nvpair id). */
    void deleteAttribute(Resource rsc, String requested) throws Failed, InterruptedException {
        new ResourceAttributes(run).delete(rsc, requested, null, META, null, TARGET_ROLE);
    }
}
