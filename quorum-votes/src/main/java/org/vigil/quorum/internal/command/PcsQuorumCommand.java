package org.vigil.quorum.internal.command;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.UsageException;
import org.vigil.quorum.internal.VotequorumProvider;
import org.vigil.quorum.internal.driver.VotequorumDriver;
import org.vigil.quorum.internal.votequorum.Votequorum;

/**
 * {@code pcs quorum} with pcs's behaviour:
 * <pre>
 * pcs quorum status                 the runtime status, as pcs prints it (corosync-quorumtool -p)
 * pcs quorum expected-votes N       set expected votes in the live cluster
 * pcs quorum unblock --force        stop waiting for all nodes (wait_for_all) now
 * </pre>
 * Exit status 0 on success (also when not quorate: pcs only reports), 1 on error; without a subcommand the usage
 * goes to standard error with status 1.
 */
@Component(property = {AdminCommand.NAME + "=pcs quorum",
    AdminCommand.DESCRIPTION + "=pcs quorum status | expected-votes N | unblock --force"})
public final class PcsQuorumCommand implements AdminCommand {

    static final String USAGE = """
        Usage: pcs quorum [commands]...
        Manage cluster quorum settings.

        Commands:
            status
                Show quorum runtime status.

            expected-votes <votes>
                Set expected votes in the live cluster to specified value. This only
                affects the live cluster, not changes any configuration files.

            unblock [--force]
                Cancel waiting for all nodes when establishing quorum. Useful in
                situations where you know the cluster is inquorate, but you are
                confident that the cluster should proceed with resource management
                regardless. This command should ONLY be used when nodes which the
                cluster is waiting for have been confirmed to be powered off and to
                have no access to shared resources.""";

    @Reference
    private VigilNode node;

    @Reference
    private Cmap cmap;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    private volatile VotequorumProvider votequorum;

    /** For DS. */
    public PcsQuorumCommand() {
    }

    /** For tests. */
    public PcsQuorumCommand(VigilNode node, Cmap cmap, VotequorumProvider votequorum) {
        this.node = node;
        this.cmap = cmap;
        this.votequorum = votequorum;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        if (args.isEmpty()) {
            // a failure says why where failures go: on standard error
            err.println(USAGE);
            return 1;
        }
        if (args.get(0).equals("help") || args.get(0).equals("--help")) {
            out.println(USAGE);
            return 0;
        }
        Optional<VotequorumDriver> driver = Optional.ofNullable(votequorum).flatMap(VotequorumProvider::driver);
        Optional<VotequorumDriver.Snapshot> snap = driver.flatMap(VotequorumDriver::snapshot);
        String notRunning = "votequorum is not running on this node (no ring yet, or the org.vigil.quorum bundle "
            + "is stopped)";
        switch (args.get(0)) {
            case "status" -> {
                if (args.size() > 1) {
                    throw new UsageException("pcs quorum status takes no arguments\n" + USAGE);
                }
                if (snap.isEmpty() || snap.get().ring() == null) {
                    err.println("Error: Unable to get quorum status: " + notRunning);
                    return 1;
                }
                out.print(QuorumtoolFormat.status(snap.get(), VotequorumProvider.NAME,
                    QuorumtoolCommand.names(node.config(), false), null, true, QuorumtoolFormat.IdFormat.DECIMAL,
                    QuorumtoolFormat.Order.ADDRESS, Instant.now(), ZoneId.systemDefault()));
                return 0;
            }
            case "expected-votes" -> {
                if (args.size() != 2 || !args.get(1).matches("[0-9]{1,10}") || Long.parseLong(args.get(1)) < 1
                    || Long.parseLong(args.get(1)) > Integer.MAX_VALUE) {
                    err.println("Error: '" + (args.size() > 1 ? args.get(1) : "") + "' is not a valid number of "
                        + "votes, use a positive integer");
                    return 1;
                }
                if (driver.isEmpty() || snap.isEmpty()) {
                    err.println("Error: Unable to set expected votes: " + notRunning);
                    return 1;
                }
                Votequorum.Status s = await(driver.get().setExpected(Long.parseLong(args.get(1))));
                if (s != Votequorum.Status.OK) {
                    err.println("Error: Unable to set expected votes: " + s.csName());
                    return 1;
                }
                return 0;
            }
            case "unblock" -> {
                boolean force = args.subList(1, args.size()).contains("--force");
                if (args.size() > 2 || (args.size() == 2 && !force)) {
                    throw new UsageException("usage: pcs quorum unblock [--force]");
                }
                if (driver.isEmpty() || snap.isEmpty()) {
                    err.println("Error: " + notRunning);
                    return 1;
                }
                boolean waiting = cmap.get("runtime.votequorum.wait_for_all_status").map(CmapEntry::value)
                    .map(v -> ((Number) v).longValue() != 0).orElse(false);
                if (!snap.get().ours().has(Votequorum.Info.WAIT_FOR_ALL) || !waiting) {
                    err.println("Error: cluster is not waiting for nodes to establish quorum");
                    return 1;
                }
                if (!force) {
                    err.println("Error: If node(s) the cluster is waiting for are not powered off or still have "
                        + "access to shared resources, data corruption and/or cluster failure may occur; use "
                        + "--force to override");
                    return 1;
                }
                Votequorum.Status s = await(driver.get().cancelWaitForAll());
                if (s != Votequorum.Status.OK) {
                    err.println("Error: Unable to cancel waiting for nodes: " + s.csName());
                    return 1;
                }
                out.println("Quorum unblocked");
                out.println("Waiting for nodes canceled");
                return 0;
            }
            default -> throw new UsageException("unknown command 'pcs quorum " + args.get(0) + "'\n" + USAGE);
        }
    }

    private static Votequorum.Status await(java.util.concurrent.CompletableFuture<Votequorum.Status> f) {
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Votequorum.Status.TRY_AGAIN;
        } catch (ExecutionException | TimeoutException e) {
            return Votequorum.Status.TRY_AGAIN;
        }
    }
}
