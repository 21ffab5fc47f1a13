package org.vigil.crm.controller.internal;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.controller.ControllerStatus;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.QuorumState;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;

/**
 * {@code vigil wait --ready [--timeout T] [--quiet]}: returns once the cluster is ready for work, so scripts need no
 * sleeps: this node's partition is quorate, a DC is elected, every member of the partition that runs a controller
 * has joined the DC (its {@code node_state} in the CIB says so), no operation is pending in the CIB, and the scheduler,
 * this node itself has joined the DC since it started (a node started moments ago may still read a CIB that shows
 * its previous life as joined), the scheduler,
 * run on the current CIB here, has nothing left to do (probes done, everything started or stopped where it should
 * be), as Pacemaker's {@code crm_resource --wait} decides. Exit 0 when ready, 124 at the timeout with what is still
 * missing, 64 for bad usage.
 */
@Component(property = {AdminCommand.NAME + "=wait",
    AdminCommand.DESCRIPTION + "=wait until the cluster is quorate, has a DC and nothing is pending (--ready)"})
public final class WaitCommand implements AdminCommand {

    static final long DEFAULT_TIMEOUT_MS = 60_000;
    static final long POLL_MS = 100;

    @Reference
    private Cib cib;

    @Reference
    private Controller controller;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    private volatile PolicyEngine scheduler;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    private volatile QuorumService quorum;

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err)
        throws InterruptedException, UsageException {
        ToolOptions o = new ToolOptions("wait", "vigil wait --ready [--timeout T] [--quiet]")
            .longFlag("ready", "return once the cluster is ready")
            .value("t", "timeout", "T", "give up after T (e.g. 30s, 2min, 500ms; default 60s), exit 124")
            .flag("q", "quiet", "print nothing when ready");
        CommandLine cl = o.parseOrHelp(args, out);
        if (cl == null) {
            return 0;
        }
        long timeout = DEFAULT_TIMEOUT_MS;
        if (cl.hasOption("t")) {
            timeout = Durations.parseMs(cl.getOptionValue("t"));
            if (timeout < 0) {
                err.println("wait: invalid --timeout '" + cl.getOptionValue("t") + "' (e.g. 30s, 2min, 500ms)");
                return 64;
            }
        }
        boolean ready = cl.hasOption("ready");
        boolean quiet = cl.hasOption("q");
        if (!ready) {
            err.println("usage: vigil wait --ready [--timeout T] [--quiet]");
            return 64;
        }
        long start = System.nanoTime();
        long deadline = start + timeout * 1_000_000L;
        List<String> missing;
        while (true) {
            missing = missing();
            if (missing.isEmpty()) {
                if (!quiet) {
                    out.println("ready after " + (System.nanoTime() - start) / 1_000_000 + " ms");
                }
                return 0;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Thread.sleep(Math.min(POLL_MS, Math.max(1, left / 1_000_000)));
        }
        err.println("wait: not ready after " + timeout + " ms; waiting for:");
        for (String m : missing) {
            err.println("  " + m);
        }
        return 124;
    }

    /** What the cluster still lacks to be ready; empty when it is. */
    List<String> missing() {
        List<String> out = new ArrayList<>();
        QuorumService q = quorum;
        Optional<QuorumState> state = q == null ? Optional.empty() : q.current();
        if (state.isEmpty() || !state.get().quorate()) {
            out.add("quorum");
        }
        ControllerStatus s;
        try {
            s = controller.status();
        } catch (IllegalStateException e) {
            out.add("the controller (" + e.getMessage() + ")");
            return out;
        }
        if (s.dc() == null) {
            out.add("a DC to be elected");
        } else if (controller instanceof ControllerService cs && !cs.joinedDc()) {
            out.add("this node to join the DC");   // its CIB copy may still show its previous life as joined
        }
        CibSnapshot snapshot = cib.current();
        if (state.isPresent()) {
            out.addAll(notJoined(snapshot, state.get().members()));
        }
        int pending = pending(snapshot);
        if (pending > 0) {
            out.add(pending + " pending operation" + (pending == 1 ? "" : "s"));
        }
        PolicyEngine pe = scheduler;
        if (pe == null) {
            out.add("the scheduler (not running on this node)");
        } else if (s.dc() != null) {
            Transition t = pe.schedule(snapshot, Instant.now(), ZoneId.systemDefault(), 0, "vigil-wait");
            List<String> work = new ArrayList<>();
            for (TransitionAction a : t.actions()) {
                if (a.kind() != TransitionAction.Kind.PSEUDO) {
                    work.add(a.key() + (a.node() == null ? "" : " on " + a.node()));
                }
            }
            if (!work.isEmpty()) {
                out.add(work.size() + " action" + (work.size() == 1 ? "" : "s") + " to run: "
                    + String.join(", ", work.subList(0, Math.min(5, work.size()))) + (work.size() > 5 ? ", ..." : "")
                    + (t.summary().isEmpty() ? "" : " (" + String.join("; ", t.summary()) + ")"));
            }
        }
        return out;
    }

    /**
     * Members of this node's partition the DC has not taken in yet, as the CIB tells: a member without a
     * {@code node_state}, or not {@code in_ccm} there (the DC has not written the membership change yet), or with an
     * online controller whose join is not {@code member}. A member whose controller is offline (a node that runs
     * no CRM) is not waited for. Without this, a node that has just come back counts as ready before the DC has
     * probed it and started what belongs there.
     */
    static List<String> notJoined(CibSnapshot s, List<Integer> members) {
        List<String> out = new ArrayList<>();
        XmlNode status = s.status();
        for (int id : members) {
            String uuid = Integer.toUnsignedString(id);
            XmlNode ns = null;
            if (status != null) {
                for (XmlNode n : status.children("node_state")) {
                    if (uuid.equals(n.attribute("id"))) {
                        ns = n;
                        break;
                    }
                }
            }
            String name = ns == null || ns.attribute("uname") == null ? "node " + uuid : ns.attribute("uname");
            if (ns == null || !"true".equals(ns.attribute("in_ccm"))) {
                out.add("the DC to see " + name + " (a member) in the CIB");
            } else if ("online".equals(ns.attribute("crmd")) && !"member".equals(ns.attribute("join"))) {
                out.add(name + " to join the DC (join=" + ns.attribute("join") + ")");
            }
        }
        return out;
    }

    /**
     * Operations recorded as pending ({@code op-status="-1"}) on nodes whose controller is online (a pending record of
     * a node that died is history, not work).
     */
    static int pending(CibSnapshot s) {
        XmlNode status = s.status();
        int n = 0;
        if (status == null) {
            return 0;
        }
        for (XmlNode ns : status.children("node_state")) {
            if (!"online".equals(ns.attribute("crmd"))) {
                continue;
            }
            XmlNode lrm = ns.firstChild("lrm");
            XmlNode lrs = lrm == null ? null : lrm.firstChild("lrm_resources");
            if (lrs == null) {
                continue;
            }
            for (XmlNode lr : lrs.children("lrm_resource")) {
                for (XmlNode op : lr.children("lrm_rsc_op")) {
                    if ("-1".equals(op.attribute("op-status"))) {
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
