package org.vigil.quorum.internal.qnetd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.vigil.kernel.api.RingId;

/**
 * The line protocol between a quorum device ({@code QdeviceProvider}) and the arbiter ({@code vigil qnetd}),
 * version 1. One message per line, UTF-8, terminated by {@code \n}, at most {@value #MAX_LINE} bytes; a verb,
 * a sequence number and {@code key=value} parameters separated by single spaces.
 *
 * <pre>
 * device → arbiter
 *   HELLO 1 cluster=NAME node=ID algorithm=ffsplit|lms tie_breaker=lowest|highest|ID kap=on|off hb=MS lease=MS
 *           mw=on|off                              master_wins: the node may be quorate through another's vote
 *   CONFIG SEQ nodes=ID,ID,...                   the configured node list
 *   HELD SEQ ring=REP.SEQ nodes=ID,...             after CONFIG (no answer): the node may still count a vote
 *                                                  given for this ring (by this arbiter or one before); one line
 *                                                  per ring, ring 0.0 for "unknown ring, these nodes"
 *   MEMBERSHIP SEQ ring=REP.SEQ nodes=ID,...       the node's current ring (after each membership change)
 *   QUORUM SEQ quorate=0|1 nodes=ID,...            votequorum's decision (informative; lms re-decides)
 *   VOTE_REPLY SEQ                                 acknowledges a VOTE; for vote=nack only once the node counts
 *                                                  and announces no vote of the device any more
 *   PING SEQ                                       heartbeat, every hb ms
 * arbiter → device
 *   WELCOME 1 server=vigil-qnetd                   answer to HELLO
 *   ERROR CODE TEXT...                             fatal; the arbiter closes the connection
 *   REPLY SEQ vote=ack|nack|wait|ask_later|no_change ring=REP.SEQ    answer to CONFIG/MEMBERSHIP/QUORUM
 *   VOTE SEQ vote=ack|nack ring=REP.SEQ            a vote decided later (ffsplit sends NACKs before ACKs)
 *   PONG SEQ                                       answer to PING
 * </pre>
 *
 * <p>{@code lease} (ms) bounds how long a node may go on counting a vote after its device lost the arbiter (its
 * silence limit, then votequorum's poll timeout or a membership sync): after a disconnection the arbiter gives
 * the vote to no partition disjoint from the rings the node may count it for, until that time has passed.
 *
 * <p>Ring ids are printed as corosync does ({@code rep.seq} in hex). A line that does not parse is ignored and
 * counted by the receiver; it never closes the connection (except as the first line, HELLO). Stateless and
 * thread-safe.
 */
public final class QnetdProtocol {

    /** Protocol version. */
    public static final int VERSION = 1;
    /** Longest line accepted, in bytes (without the newline). */
    public static final int MAX_LINE = 1024;
    /** Most node ids in one list. */
    public static final int MAX_NODES = 256;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern WORD = Pattern.compile("[A-Z_]{2,16}");

    private QnetdProtocol() {
    }

    /** A line that cannot be parsed; the message says why. */
    public static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        public BadLine(String reason) {
            super(reason);
        }
    }

    /**
     * One parsed line.
     *
     * @param verb   e.g. {@code MEMBERSHIP}
     * @param seq    the sequence number (the version for HELLO/WELCOME, the code for ERROR)
     * @param params the parameters, in order
     * @param text   for ERROR: the text after the code
     */
    public record Line(String verb, long seq, Map<String, String> params, String text) {

        public String param(String key) throws BadLine {
            String v = params.get(key);
            if (v == null) {
                throw new BadLine(verb + " without " + key + "=");
            }
            return v;
        }

        public int nodeId(String key) throws BadLine {
            return parseNodeId(param(key));
        }

        public List<Integer> nodes(String key) throws BadLine {
            return parseNodes(param(key));
        }

        public RingId ring(String key) throws BadLine {
            return parseRing(param(key));
        }
    }

    /** Parses a line (without its newline). */
    public static Line parse(String line) throws BadLine {
        if (line.length() > MAX_LINE) {
            throw new BadLine("line longer than " + MAX_LINE + " bytes");
        }
        String[] w = line.split(" ", -1);
        if (w.length < 2 || !WORD.matcher(w[0]).matches()) {
            throw new BadLine("no verb and sequence number");
        }
        long seq;
        try {
            seq = Long.parseLong(w[1]);
        } catch (NumberFormatException e) {
            throw new BadLine("bad sequence number '" + w[1] + "'");
        }
        if (seq < 0 || seq > 0xFFFF_FFFFL) {
            throw new BadLine("sequence number out of range");
        }
        if (w[0].equals("ERROR")) {
            StringBuilder t = new StringBuilder();
            for (int i = 2; i < w.length; i++) {
                t.append(i > 2 ? " " : "").append(w[i]);
            }
            return new Line(w[0], seq, Map.of(), t.toString());
        }
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 2; i < w.length; i++) {
            int eq = w[i].indexOf('=');
            if (eq <= 0 || eq == w[i].length() - 1) {
                throw new BadLine("bad parameter '" + w[i] + "'");
            }
            if (p.put(w[i].substring(0, eq), w[i].substring(eq + 1)) != null) {
                throw new BadLine("parameter " + w[i].substring(0, eq) + " given twice");
            }
        }
        return new Line(w[0], seq, p, "");
    }

    /** Formats a line from a verb, a sequence number and parameters (key, value, key, value, ...). */
    public static String format(String verb, long seq, Object... kv) {
        StringBuilder b = new StringBuilder(verb).append(' ').append(seq);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            b.append(' ').append(kv[i]).append('=').append(kv[i + 1]);
        }
        return b.toString();
    }

    /** A node id: 1..4294967295. */
    public static int parseNodeId(String s) throws BadLine {
        try {
            long v = Long.parseLong(s);
            if (v < 1 || v > 0xFFFF_FFFFL) {
                throw new BadLine("node id out of range: " + s);
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new BadLine("bad node id '" + s + "'");
        }
    }

    /** A comma-separated list of distinct node ids, 1..{@value #MAX_NODES} of them, sorted on return. */
    public static List<Integer> parseNodes(String s) throws BadLine {
        String[] parts = s.split(",", -1);
        if (parts.length > MAX_NODES) {
            throw new BadLine("more than " + MAX_NODES + " nodes");
        }
        TreeSet<Integer> out = new TreeSet<>((a, b) -> Integer.compareUnsigned(a, b));
        for (String p : parts) {
            if (!out.add(parseNodeId(p))) {
                throw new BadLine("node " + p + " listed twice");
            }
        }
        return new ArrayList<>(out);
    }

    /** A ring id as corosync prints it: {@code rep.seq} in hex. */
    public static RingId parseRing(String s) throws BadLine {
        int dot = s.indexOf('.');
        if (dot <= 0 || dot == s.length() - 1 || dot > 8 || s.length() - dot - 1 > 16) {
            throw new BadLine("bad ring id '" + s + "'");
        }
        try {
            return new RingId((int) Long.parseLong(s.substring(0, dot), 16), Long.parseUnsignedLong(s.substring(dot + 1), 16));
        } catch (NumberFormatException e) {
            throw new BadLine("bad ring id '" + s + "'");
        }
    }

    /** Node ids as a comma-separated list. */
    public static String nodes(List<Integer> ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(Integer.toUnsignedString(id));
        }
        return b.toString();
    }

    /** True for a valid cluster name. */
    public static boolean validName(String s) {
        return NAME.matcher(s).matches();
    }
}
