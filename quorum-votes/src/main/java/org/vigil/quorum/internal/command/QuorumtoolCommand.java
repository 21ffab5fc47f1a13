package org.vigil.quorum.internal.command;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.apache.commons.cli.CommandLine;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.quorum.internal.VotequorumProvider;
import org.vigil.quorum.internal.driver.VotequorumDriver;
import org.vigil.quorum.internal.qdevice.QdeviceProvider;
import org.vigil.quorum.internal.qdevice.QdeviceStatus;
import org.vigil.quorum.internal.votequorum.Votequorum;

/**
 * {@code corosync-quorumtool}, with corosync's options, output and exit status (0 quorate, 2 not quorate, 1
 * error for {@code -s}):
 * <pre>
 * corosync-quorumtool [-s] [-p] [-H] [-o a|n|i]   quorum status
 * corosync-quorumtool -l [-p] [-H] [-o a|n|i]     node list with votes
 * corosync-quorumtool -e N                         set expected votes (cluster-wide)
 * corosync-quorumtool -v V [-n NODEID]             set a node's votes (cluster-wide)
 * </pre>
 * When a quorum device is configured, {@code -s} ends with a "Qdevice information" section (Vigil's addition,
 * from corosync-qdevice-tool): the arbiter's address, whether it is reachable, its vote and the count of
 * malformed replies.
 */
@Component(property = {AdminCommand.NAME + "=corosync-quorumtool",
    AdminCommand.DESCRIPTION + "=show or change votequorum (corosync-quorumtool -s, -l, -e N, -v V)"})
public final class QuorumtoolCommand implements AdminCommand {

    /** Exit status for "not quorate", as corosync-quorumtool's EXIT_NOT_QUORATE. */
    public static final int EXIT_NOT_QUORATE = 2;

    static final String USAGE = """
        usage:\s
        corosync-quorumtool <options>

          options:

          -s             show quorum status
          -m             constantly monitor quorum status (not supported by Vigil)
          -l             list nodes
          -a             show all names or addresses for each node
          -p             when used with -s or -l, generates machine parsable output
          -v <votes>     change the number of votes for a node (*)
          -n <nodeid>    optional nodeid of node for -v
          -e <expected>  change expected votes for the cluster (*)
          -H             show nodeids in hexadecimal rather than decimal
          -i             show node IP addresses instead of the resolved name
          -o <a|n|i>     order by [a] IP address (default), [n] name, [i] nodeid
          -f             forcefully unregister a quorum device *DANGEROUS* (*)
          -h             show this help text
          -V             show version and exit

          (*) Starred items only work if votequorum is the quorum provider for corosync
        """;

    @Reference
    private VigilNode node;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    private volatile VotequorumProvider votequorum;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    private volatile QdeviceProvider qdevice;

    /** For DS. */
    public QuorumtoolCommand() {
    }

    /** For tests. */
    public QuorumtoolCommand(VigilNode node, VotequorumProvider votequorum, QdeviceProvider qdevice) {
        this.node = node;
        this.votequorum = votequorum;
        this.qdevice = qdevice;
    }

    private enum Cmd { STATUS, LIST, EXPECTED, VOTES }

    /**
     * corosync-quorumtool's options, as corosync 3.1.7 parses them: {@code getopt()} with
     * "VHaslpmfe:v:hin:o:W:X:C" (tools/corosync-quorumtool.c, main()); a parse error prints the usage after
     * getopt's line.
     */
    static ToolOptions options() {
        ToolOptions o = ToolOptions.getopt("corosync-quorumtool", USAGE, false).usageOnError(USAGE);
        for (String f : new String[] {"V", "H", "a", "s", "l", "p", "m", "f", "h", "i", "C"}) {
            o.shortFlag(f, f);
        }
        for (String v : new String[] {"e", "v", "n", "o", "W", "X"}) {
            o.shortValue(v, "VALUE", v);
        }
        return o;
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) {
        Cmd cmd = Cmd.STATUS;
        boolean parsable = false;
        boolean ipNames = false;
        QuorumtoolFormat.IdFormat ids = QuorumtoolFormat.IdFormat.DECIMAL;
        QuorumtoolFormat.Order order = QuorumtoolFormat.Order.ADDRESS;
        long value = 0;
        long nodeId = 0;
        ToolOptions.Parsed parsed = options().parseOrExit(args, true, out, err);
        CommandLine cl = parsed.line();
        if (cl == null) {
            return parsed.status();
        }
        if (!cl.getArgList().isEmpty()) {
            err.print(USAGE);
            return 1;
        }
        // in corosync's order of the command line: the last of -s/-l/-e/-v decides, a bad value ends it
        for (org.apache.commons.cli.Option o : cl.getOptions()) {
            String v = o.getValue();
            switch (o.getOpt()) {
                case "s" -> cmd = Cmd.STATUS;
                case "l" -> cmd = Cmd.LIST;
                case "p" -> parsable = true;
                case "a" -> { }
                case "i" -> ipNames = true;
                case "H" -> ids = QuorumtoolFormat.IdFormat.HEX;
                case "h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "V" -> {
                    out.println("corosync-quorumtool version: " + node.version() + " (Vigil)");
                    return 0;
                }
                case "m", "W", "X", "C" -> {
                    err.println("corosync-quorumtool: -" + o.getOpt() + " (monitor) is not supported by Vigil; use -s"
                        + " repeatedly");
                    return 1;
                }
                case "f" -> {
                    err.println("corosync-quorumtool: -f is not supported by Vigil (stop the device's bundle"
                        + " or remove quorum.device from the configuration)");
                    return 1;
                }
                case "e" -> {
                    value = number(v, 1, Integer.MAX_VALUE);
                    if (value < 0) {
                        err.println("New expected votes value was not valid, try a positive number");
                        return 1;
                    }
                    cmd = Cmd.EXPECTED;
                }
                case "v" -> {
                    value = number(v, 0, Integer.MAX_VALUE);
                    if (value < 0) {
                        err.println("New votes value was not valid, try a positive number or zero");
                        return 1;
                    }
                    cmd = Cmd.VOTES;
                }
                case "n" -> {
                    nodeId = number(v, 1, 0xFFFF_FFFFL);
                    if (nodeId < 0) {
                        err.println("The nodeid was not valid, try a positive number");
                        return 1;
                    }
                }
                default -> {   // -o
                    switch (v) {
                        case "a" -> order = QuorumtoolFormat.Order.ADDRESS;
                        case "n" -> order = QuorumtoolFormat.Order.NAME;
                        case "i" -> order = QuorumtoolFormat.Order.ID;
                        default -> {
                            err.println("Invalid ordering option. valid orders are a(address), "
                                + "i(node ID) or n(name)");
                            return 1;
                        }
                    }
                }
            }
        }
        VotequorumDriver driver = Optional.ofNullable(votequorum).flatMap(VotequorumProvider::driver).orElse(null);
        Optional<VotequorumDriver.Snapshot> snap = driver == null ? Optional.empty() : driver.snapshot();
        if (snap.isEmpty() || snap.get().ring() == null) {
            err.println("Cannot initialize QUORUM service");
            err.println("(votequorum is not running on this node: the ring has not formed yet, or the "
                + "org.vigil.quorum bundle is stopped)");
            return 1;
        }
        IntFunction<String> names = names(node.config(), ipNames);
        switch (cmd) {
            case LIST -> {
                out.print(QuorumtoolFormat.nodes(snap.get(), names, parsable, ids, order));
                return 0;
            }
            case EXPECTED -> {
                return change(driver.setExpected(value), "Unable to set expected votes: ", err);
            }
            case VOTES -> {
                int target = nodeId == 0 ? snap.get().nodeId() : (int) nodeId;
                return change(driver.setVotes(target, value), "Unable to set votes " + value + " for nodeid: "
                    + Integer.toUnsignedString(target) + ": ", err);
            }
            default -> {
                QdeviceStatus device = Optional.ofNullable(qdevice).flatMap(QdeviceProvider::status).orElse(null);
                out.print(QuorumtoolFormat.status(snap.get(), VotequorumProvider.NAME, names, device, parsable, ids,
                    order, Instant.now(), ZoneId.systemDefault()));
                return snap.get().quorate() ? 0 : EXIT_NOT_QUORATE;
            }
        }
    }

    private static int change(java.util.concurrent.CompletableFuture<Votequorum.Status> f, String prefix,
                              PrintStream err) {
        try {
            Votequorum.Status s = f.get(5, TimeUnit.SECONDS);
            if (s == Votequorum.Status.OK) {
                return 0;
            }
            err.println(prefix + s.csName());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(prefix + "CS_ERR_INTERRUPT");
            return 1;
        } catch (ExecutionException | TimeoutException e) {
            err.println(prefix + "CS_ERR_TIMEOUT");
            return 1;
        }
    }

    /** corosync-quorumtool's names: the nodelist name, else the ring0 address (-i: always the address). */
    static IntFunction<String> names(VigilConfig config, boolean ip) {
        return id -> config.node(id).map(n -> ip || n.name() == null ? n.addresses().get(0) : n.name())
            .orElse("Node " + Integer.toUnsignedString(id));
    }

    /** Strict decimal in [min, max]; -1 when invalid. */
    private static long number(String s, long min, long max) {
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit) || s.length() > 10) {
            return -1;
        }
        long v = Long.parseLong(s);
        return v < min || v > max ? -1 : v;
    }
}
