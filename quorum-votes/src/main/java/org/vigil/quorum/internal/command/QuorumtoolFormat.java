package org.vigil.quorum.internal.command;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import org.vigil.quorum.internal.driver.VotequorumDriver;
import org.vigil.quorum.internal.qdevice.QdeviceStatus;
import org.vigil.quorum.internal.votequorum.Votequorum;

/**
 * The text of {@code corosync-quorumtool -s} and {@code -l}, laid out as corosync 3.1.7 prints it (field names,
 * column widths, the trailing spaces after {@code Quorum:} and each flag), so that admins' eyes and scripts
 * (pcs parses {@code -p}) keep working. Pure functions; thread-safe.
 */
public final class QuorumtoolFormat {

    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy",
        Locale.US);

    /** How node ids are printed ({@code -H}: hexadecimal). */
    public enum IdFormat { DECIMAL, HEX }

    /** Node order ({@code -o a|n|i}); corosync's default (address) keeps the ring's order. */
    public enum Order { ADDRESS, NAME, ID }

    private QuorumtoolFormat() {
    }

    /**
     * {@code corosync-quorumtool -s} (and {@code -p} with {@code machineParsable}).
     *
     * @param s        the votequorum state
     * @param provider the quorum provider's name
     * @param names    node id → name, as corosync-quorumtool shows it (nodelist name, else ring0 address)
     * @param device   the quorum device's status, or null when none is configured
     * @param now      the time to print on the Date line
     */
    public static String status(VotequorumDriver.Snapshot s, String provider, IntFunction<String> names,
                                QdeviceStatus device, boolean machineParsable, IdFormat ids, Order order,
                                Instant now, ZoneId zone) {
        StringBuilder b = new StringBuilder();
        b.append("Quorum information\n");
        b.append("------------------\n");
        b.append("Date:             ").append(CTIME.format(now.atZone(zone))).append('\n');
        b.append("Quorum provider:  ").append(provider).append('\n');
        b.append("Nodes:            ").append(s.members().size()).append('\n');
        b.append("Node ID:          ").append(ids == IdFormat.HEX ? hex(s.nodeId())
            : Integer.toUnsignedString(s.nodeId())).append('\n');
        b.append("Ring ID:          ").append(s.ring() == null ? "0.0" : s.ring().toString()).append('\n');
        b.append("Quorate:          ").append(s.quorate() ? "Yes" : "No").append('\n');
        Votequorum.Info i = s.ours();
        b.append("\nVotequorum information\n");
        b.append("----------------------\n");
        b.append("Expected votes:   ").append(i.expectedVotes()).append('\n');
        b.append("Highest expected: ").append(i.highestExpected()).append('\n');
        b.append("Total votes:      ").append(i.totalVotes()).append('\n');
        b.append("Quorum:           ").append(i.quorum()).append(' ').append(i.has(Votequorum.Info.QUORATE) ? " "
            : "Activity blocked").append('\n');
        b.append("Flags:            ");
        flag(b, i, Votequorum.Info.TWONODE, "2Node");
        flag(b, i, Votequorum.Info.QUORATE, "Quorate");
        flag(b, i, Votequorum.Info.WAIT_FOR_ALL, "WaitForAll");
        flag(b, i, Votequorum.Info.LAST_MAN_STANDING, "LastManStanding");
        flag(b, i, Votequorum.Info.AUTO_TIE_BREAKER, "AutoTieBreaker");
        flag(b, i, Votequorum.Info.ALLOW_DOWNSCALE, "AllowDownscale");
        flag(b, i, Votequorum.Info.QDEVICE_REGISTERED, "Qdevice");
        b.append('\n');
        b.append(nodes(s, names, machineParsable, ids, order));
        if (device != null && !machineParsable) {
            b.append(device(s, device));
        }
        return b.toString();
    }

    /** {@code corosync-quorumtool -l}: the membership table alone. */
    public static String nodes(VotequorumDriver.Snapshot s, IntFunction<String> names, boolean machineParsable,
                               IdFormat ids, Order order) {
        StringBuilder b = new StringBuilder();
        Map<Integer, Votequorum.Info> info = s.nodes();
        boolean qdevice = info.values().stream().anyMatch(x -> x.has(Votequorum.Info.QDEVICE_REGISTERED));
        b.append("\nMembership information\n");
        b.append("----------------------\n");
        b.append(pad("Nodeid")).append(pad("Votes"));
        if (qdevice || machineParsable) {
            b.append(pad("Qdevice"));
        }
        b.append("Name\n");
        List<Integer> members = new ArrayList<>(s.members());
        if (order == Order.ID) {
            members.sort(Integer::compareUnsigned);
        } else if (order == Order.NAME) {
            members.sort(Comparator.comparing(names::apply));
        }
        int ourFlags = 0;
        for (int id : members) {
            Votequorum.Info n = info.get(id);
            b.append(ids == IdFormat.HEX ? hex(id) + " " : pad(Integer.toUnsignedString(id)));
            b.append(pad(String.valueOf(n == null ? 0 : n.votes())));
            if (qdevice || machineParsable) {
                if (n != null && n.has(Votequorum.Info.QDEVICE_REGISTERED)) {
                    b.append(pad((n.has(Votequorum.Info.QDEVICE_ALIVE) ? "A" : "NA") + ","
                        + (n.has(Votequorum.Info.QDEVICE_CAST_VOTE) ? "V" : "NV") + ","
                        + (n.has(Votequorum.Info.QDEVICE_MASTER_WINS) ? "MW" : "NMW")));
                } else {
                    b.append(pad("NR"));
                }
            }
            b.append(names.apply(id));
            if (id == s.nodeId()) {
                b.append(" (local)");
                ourFlags = n == null ? 0 : n.flags();
            }
            b.append('\n');
        }
        if (qdevice) {
            boolean casting = (ourFlags & Votequorum.Info.QDEVICE_CAST_VOTE) != 0;
            b.append(ids == IdFormat.HEX ? hex(0) + " " : pad("0"));
            b.append(pad(String.valueOf(casting ? s.ours().qdeviceVotes() : 0)));
            b.append("           ").append(s.ours().qdeviceName());
            b.append(casting ? "\n" : " (votes " + s.ours().qdeviceVotes() + ")\n");
        }
        return b.toString();
    }

    /** Vigil's addition after the table: the arbiter connection, as corosync-qdevice-tool -s shows it. */
    static String device(VotequorumDriver.Snapshot s, QdeviceStatus d) {
        StringBuilder b = new StringBuilder();
        b.append("\nQdevice information\n");
        b.append("-------------------\n");
        b.append("Model:            Net\n");
        b.append("QNetd host:       ").append(d.host()).append(':').append(d.port()).append('\n');
        b.append("Algorithm:        ").append(d.algorithm().equals("lms") ? "LMS" : "Fifty-Fifty split").append('\n');
        b.append("Tie-breaker:      ").append(switch (d.tieBreaker()) {
            case "lowest" -> "Node with lowest node ID";
            case "highest" -> "Node with highest node ID";
            default -> "Node with ID " + d.tieBreaker();
        }).append('\n');
        b.append("State:            ").append(d.state());
        if (!d.state().equals("Connected") && d.lastError() != null && !d.lastError().isEmpty()) {
            b.append(" (").append(d.lastError()).append(')');
        }
        b.append('\n');
        b.append("Vote:             ").append(d.vote());
        if (d.voteRing() != null) {
            b.append(" (ring ").append(d.voteRing()).append(')');
        }
        b.append('\n');
        b.append("Votes:            ").append(d.votes()).append(d.castVote() ? " (cast)" : " (not cast)").append('\n');
        b.append("Malformed replies: ").append(d.malformed()).append('\n');
        return b.toString();
    }

    private static void flag(StringBuilder b, Votequorum.Info i, int bit, String name) {
        if (i.has(bit)) {
            b.append(name).append(' ');
        }
    }

    /** corosync's print_string_padded: right-aligned in 10 characters, then a space. */
    static String pad(String s) {
        return " ".repeat(Math.max(0, 10 - s.length())) + s + " ";
    }

    private static String hex(int id) {
        return String.format("0x%08x", id);
    }
}
