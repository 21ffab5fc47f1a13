package org.vigil.crm.internal.tools;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.cib.Util;
import org.vigil.crm.internal.scheduler.model.Ticket;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.GHashOrder;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;
import org.vigil.crm.toolsupport.ToolOptions;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * {@code crm_ticket}: lists, queries and changes the tickets this cluster site holds, with Pacemaker 2.1.5's options,
 * output and exit codes (follows {@code main()} and its helpers in tools/crm_ticket.c). A ticket's state is a
 * {@code <ticket_state id="T" granted="true" .../>} in the status section's {@code <tickets>}; the scheduler's
 * unpacking of the CIB ({@code cluster_status()} then {@code pcmk__unpack_constraints()}) gives the tickets,
 * including those only an {@code rsc_ticket} constraint names.
 *
 * <p>Lists come in the order Pacemaker's hash tables ({@code pcmk__strkey_table()}) iterate them, as it prints them
 * ({@link GHashOrder#ofPacemakerStrkey}): the tickets, each one's state attributes ({@code --details}), and the
 * attributes a change sets (their order in the written {@code ticket_state}).
 */
@Component(property = {AdminCommand.NAME + "=crm_ticket",
    AdminCommand.DESCRIPTION + "=cluster tickets: crm_ticket -l|-L|-w [-t T], -t T -q|-c|-g|-r|-s|-a|-C [--force], "
        + "-t T -G NAME [-d DEFAULT], -t T -S NAME -v VALUE, -t T -D NAME"})
public final class CrmTicketCommand implements AdminCommand {

    static final String TOOL = "crm_ticket";
    private static final int EX_INSUFFICIENT_PRIV = 4;
    private static final int EX_USAGE = 64;
    private static final int EX_NOSUCH = 105;
    private static final long TIMEOUT_MS = 30_000;
    /** {@code asctime()} without its newline: {@code Mon Dec  7 22:04:27 2026}. */
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy",
        Locale.ROOT);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    volatile Cib cib;

    private final ToolClock clock;

    @Activate
    public CrmTicketCommand() {
        this(null, ToolClock.SYSTEM);
    }

    /** On {@code cib} (a file's, offline), with {@code clock} for the time of a grant and the printed dates. */
    public CrmTicketCommand(Cib cib, ToolClock clock) {
        this.cib = cib;
        this.clock = clock;
    }

    static ToolOptions options() {
        return new ToolOptions(TOOL, "crm_ticket [options]")
            .flag("l", "info", "Display the information of ticket(s)")
            .flag("L", "details", "Display the details of ticket(s)")
            .flag("w", "raw", "Display the IDs of ticket(s)")
            .flag("q", "query-xml", "Query the XML of ticket(s)")
            .flag("c", "constraints", "Display the rsc_ticket constraints that apply to ticket(s)")
            .flag("g", "grant", "Grant a ticket to this cluster site")
            .flag("r", "revoke", "Revoke a ticket from this cluster site")
            .flag("s", "standby", "Tell this cluster site this ticket is standby")
            .flag("a", "activate", "Tell this cluster site this ticket is active")
            .value("G", "get-attr", "ATTRIBUTE", "Display the named attribute for a ticket")
            .value("S", "set-attr", "ATTRIBUTE", "Set the named attribute for a ticket")
            .value("D", "delete-attr", "ATTRIBUTE", "Delete the named attribute for a ticket")
            .flag("C", "cleanup", "Delete all state of a ticket at this cluster site")
            .value("v", "attr-value", "VALUE", "Attribute value to use with -S")
            .value("d", "default", "VALUE", "(Advanced) Default attribute value to display if none is found (for "
                + "use with -G)")
            .flag("f", "force", "(Advanced) Force the action to be performed")
            .value("t", "ticket", "ID", "Ticket ID")
            .value("x", "xml-file", "FILE", "(hidden) read the tickets from this CIB file")
            .value("n", "set-name", "ID", "(Advanced) ID of the instance_attributes object to change (deprecated)")
            .value("i", "nvpair", "ID", "(Advanced) ID of the nvpair object to change/delete (deprecated)")
            .flag("Q", "quiet", "Print only the value on stdout (deprecated)")
            .flag("V", "verbose", "Increase debug output");
    }

    /** The command line after Pacemaker's option callbacks, run in command-line order. */
    private static final class Request {
        char command = 'S';
        String ticketId;
        String attrName;
        String attrValue;
        String getAttrName;
        String fallback;
        String xmlFile;
        boolean force;
        boolean modified;
        /** {@code attr_set}: inserted in this order; a repeated key keeps its place, as in a GHashTable. */
        final Map<String, String> attrSet = new LinkedHashMap<>();
        final List<String> attrDelete = new ArrayList<>();

        /** {@code set_attr_cb()} and {@code attr_value_cb()}: a name and a value make a pair. */
        void pair() {
            if (attrName != null && attrValue != null) {
                attrSet.put(attrName, attrValue);
                attrName = null;
                attrValue = null;
                modified = true;
            }
        }
    }

    /** A failure: the exit status and the message for standard error (none when null). */
    private static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        final int exit;

        Failed(int exit, String message) {
            super(message, null, false, false);
            this.exit = exit;
        }
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = options().parseOrHelp(args, out);
        if (cl == null) {
            return 0;
        }
        Request q = new Request();
        for (Option o : cl.getOptions()) {
            switch (o.getLongOpt()) {
                case "info" -> q.command = 'l';
                case "details" -> q.command = 'L';
                case "raw" -> q.command = 'w';
                case "query-xml" -> q.command = 'q';
                case "constraints" -> q.command = 'c';
                case "cleanup" -> q.command = 'C';
                case "grant" -> grantStandby(q, "granted", "true");
                case "revoke" -> grantStandby(q, "granted", "false");
                case "standby" -> grantStandby(q, "standby", "true");
                case "activate" -> grantStandby(q, "standby", "false");
                case "get-attr" -> {
                    q.getAttrName = o.getValue();
                    q.command = 'G';
                }
                case "set-attr" -> {
                    q.attrName = o.getValue();
                    q.pair();
                }
                case "attr-value" -> {
                    q.attrValue = o.getValue();
                    q.pair();
                }
                case "delete-attr" -> {
                    q.attrDelete.add(o.getValue());
                    q.modified = true;
                }
                case "default" -> q.fallback = o.getValue();
                case "force" -> q.force = true;
                case "ticket" -> q.ticketId = o.getValue();
                case "xml-file" -> q.xmlFile = o.getValue();
                default -> {
                    // --set-name, --nvpair, --quiet, --verbose: accepted, without effect (as in 2.1.5)
                }
            }
        }
        Cib c = cib;
        if (c == null) {
            err.println(TOOL + ": Could not connect to the CIB: Transport endpoint is not connected");
            return 102;
        }
        try {
            return run(q, c, out);
        } catch (Failed f) {
            if (f.getMessage() != null) {
                err.println(TOOL + ": " + f.getMessage());
            }
            return f.exit;
        }
    }

    private static void grantStandby(Request q, String name, String value) {
        q.attrSet.put(name, value);
        q.modified = true;
    }

    /** Follows {@code main()} of tools/crm_ticket.c from the CIB query on. */
    private int run(Request q, Cib c, PrintStream out) throws Failed, Exception {
        XmlNode input;
        if (q.xmlFile != null) {
            try {
                input = XmlText.parse(java.nio.file.Files.readString(java.nio.file.Path.of(q.xmlFile)), q.xmlFile);
            } catch (Exception e) {
                throw new Failed(EX_NOSUCH, "Could not read " + q.xmlFile + ": " + e.getMessage());
            }
        } else {
            input = c.current().root();
        }
        WorkingSet ws = ClusterState.unpack(input, clock);
        // the tickets rsc_ticket constraints name that were never granted
        Scheduler.unpackConstraints(ws);

        switch (q.command) {
            case 'l', 'L', 'w' -> {
                boolean raw = q.command == 'w';
                boolean details = q.command == 'L';
                if (q.ticketId != null) {
                    Ticket t = ws.tickets.get(q.ticketId);
                    if (t == null) {
                        throw new Failed(EX_NOSUCH, "No such ticket '" + q.ticketId + "'");
                    }
                    printTicket(t, raw, details, out);
                } else {
                    for (String id : GHashOrder.ofPacemakerStrkey(ws.tickets.keySet())) {
                        printTicket(ws.tickets.get(id), raw, details, out);
                    }
                }
                return 0;
            }
            case 'q' -> {
                XmlNode state = findTicketState(c, q.ticketId, out);
                if (state == null) {
                    throw new Failed(EX_NOSUCH, "Could not query ticket XML: No such device or address");
                }
                out.print("State XML:\n\n" + pretty(state));
                return 0;
            }
            case 'c' -> {
                XmlNode cons = findTicketConstraints(c, q.ticketId);
                if (cons == null) {
                    throw new Failed(EX_NOSUCH, "Could not show ticket constraints: No such device or address");
                }
                out.print("Constraints XML:\n\n" + pretty(cons));
                return 0;
            }
            case 'G' -> {
                if (q.ticketId == null) {
                    throw new Failed(EX_NOSUCH, "Must supply ticket ID with -t");
                }
                Ticket t = ws.tickets.get(q.ticketId);
                String value = t == null ? null : t.state.get(q.getAttrName);
                if (value == null) {
                    if (q.fallback == null) {
                        throw new Failed(EX_NOSUCH, null);
                    }
                    value = q.fallback;
                }
                out.println(value);
                return 0;
            }
            case 'C' -> {
                if (q.ticketId == null) {
                    throw new Failed(EX_USAGE, "Must supply ticket ID with -t");
                }
                if (!q.force) {
                    Ticket t = ws.tickets.get(q.ticketId);
                    if (t == null) {
                        throw new Failed(EX_NOSUCH, "No such ticket '" + q.ticketId + "'");
                    }
                    if (t.granted) {
                        warning(q.ticketId, "revoke", out);
                        throw new Failed(EX_INSUFFICIENT_PRIV, null);
                    }
                }
                deleteTicketState(c, q.ticketId, out);
                return 0;
            }
            default -> {
            }
        }
        if (q.modified) {
            if (q.ticketId == null) {
                throw new Failed(EX_USAGE, "Must supply ticket ID with -t");
            }
            if (q.attrValue != null && (q.attrName == null || q.attrName.isEmpty())) {
                throw new Failed(EX_USAGE, "Must supply attribute name with -S for -v " + q.attrValue);
            }
            if (q.attrName != null && (q.attrValue == null || q.attrValue.isEmpty())) {
                // Pacemaker names the (absent) value here, which glib prints as "(null)"
                throw new Failed(EX_USAGE, "Must supply attribute value with -v for -S "
                    + (q.attrValue == null ? "(null)" : q.attrValue));
            }
            if (!allowModification(q, out)) {
                throw new Failed(EX_INSUFFICIENT_PRIV, "Ticket modification not allowed");
            }
            modifyTicketState(q, c, ws);
            return 0;
        }
        if (q.command == 'S') {
            if (q.attrName == null || q.attrName.isEmpty()) {
                throw new Failed(EX_USAGE, "Must supply a command");
            }
            if (q.ticketId == null) {
                throw new Failed(EX_USAGE, "Must supply ticket ID with -t");
            }
            if (q.attrValue == null || q.attrValue.isEmpty()) {
                throw new Failed(EX_USAGE, "Must supply value with -v for -S " + q.attrName);
            }
            return 0;
        }
        throw new Failed(EX_USAGE, "Unknown command: " + q.command);
    }

    /** {@code dump_xml_formatted()}: two spaces per level, a newline after the last element. */
    private static String pretty(XmlNode x) {
        String s = x.toPrettyXml();
        return s.endsWith("\n") ? s : s + "\n";
    }

    /** Follows {@code print_ticket()}. */
    private void printTicket(Ticket t, boolean raw, boolean details, PrintStream out) {
        if (raw) {
            out.print(t.id + "\n");
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append(t.id).append('\t').append(t.granted ? "granted" : "revoked").append(' ')
            .append(t.standby ? "[standby]" : "         ");
        if (details && !t.state.isEmpty()) {
            b.append(" (");
            int n = 0;
            for (String name : GHashOrder.ofPacemakerStrkey(t.state.keySet())) {
                if (n++ > 0) {
                    b.append(", ");
                }
                b.append(name).append('=');
                String value = t.state.get(name);
                if (name.equals("last-granted") || name.equals("expires")) {
                    b.append(date(Score.parseLeadingLong(value, 0)));
                } else {
                    b.append(value);
                }
            }
            b.append(")\n");
        } else {
            if (t.lastGranted > -1) {
                b.append(" last-granted=").append(date(t.lastGranted));
            }
            b.append('\n');
        }
        out.print(b);
    }

    /** Follows {@code print_date()}: {@code asctime(localtime(t))} in quotes. */
    private String date(long epochSecond) {
        return "'" + ASCTIME.format(Instant.ofEpochSecond(epochSecond).atZone(clock.zone())) + "'";
    }

    /**
     * Follows {@code find_ticket_state()}: what the query of {@code /cib/status/tickets[/ticket_state[@id=T]]}
     * answers (the element, or an {@code xpath-query} holding several), or null when nothing matches.
     */
    private static XmlNode findTicketState(Cib c, String ticketId, PrintStream out) {
        XmlNode root = c.current().root();
        List<XmlNode> found = new ArrayList<>();
        XmlNode status = root.firstChild("status");
        if (status != null) {
            for (XmlNode tickets : status.children("tickets")) {
                if (ticketId == null) {
                    found.add(tickets);
                    continue;
                }
                for (XmlNode s : tickets.children("ticket_state")) {
                    if (ticketId.equals(s.attribute("id"))) {
                        found.add(s);
                    }
                }
            }
        }
        XmlNode result = answer(found);
        if (result != null && !result.children().isEmpty() && ticketId != null) {
            out.print("Multiple ticket_states match ticket_id=" + ticketId + "\n");
        }
        return result;
    }

    /** {@code cib_process_xpath()}'s answer to a query: one match, several in an {@code xpath-query}, or none. */
    private static XmlNode answer(List<XmlNode> found) {
        if (found.isEmpty()) {
            return null;
        }
        return found.size() == 1 ? found.get(0) : XmlNode.of("xpath-query").withChildren(found);
    }

    /** Follows {@code find_ticket_constraints()}: {@code /cib/configuration/constraints/rsc_ticket[@ticket=T]}. */
    private static XmlNode findTicketConstraints(Cib c, String ticketId) {
        XmlNode conf = c.current().root().firstChild("configuration");
        List<XmlNode> found = new ArrayList<>();
        if (conf != null) {
            for (XmlNode cons : conf.children("constraints")) {
                for (XmlNode t : cons.children("rsc_ticket")) {
                    if (ticketId == null || ticketId.equals(t.attribute("ticket"))) {
                        found.add(t);
                    }
                }
            }
        }
        return answer(found);
    }

    /** Follows {@code ticket_warning()}: printed on standard output. */
    private static void warning(String id, String action, PrintStream out) {
        StringBuilder w = new StringBuilder();
        String word;
        if (action.equals("grant")) {
            w.append("This command cannot help you verify whether '").append(id)
                .append("' has been already granted elsewhere.\n");
            word = "to";
        } else {
            w.append("Revoking '").append(id).append("' can trigger the specified 'loss-policy'(s) relating to '")
                .append(id).append("'.\n\nYou can check that with:\ncrm_ticket --ticket ").append(id)
                .append(" --constraints\n\nOtherwise before revoking '").append(id).append("', you may want to make '")
                .append(id).append("' standby with:\ncrm_ticket --ticket ").append(id).append(" --standby\n\n");
            word = "from";
        }
        w.append("If you really want to ").append(action).append(" '").append(id).append("' ").append(word)
            .append(" this site now, and you know what you are doing,\nplease specify --force.\n");
        out.print(w);
    }

    /** Follows {@code allow_modification()}: granting or revoking needs {@code --force}. */
    private static boolean allowModification(Request q, PrintStream out) {
        if (q.force) {
            return true;
        }
        String granted = q.attrSet.get("granted");
        if (q.attrSet.containsKey("granted")) {
            warning(q.ticketId, Util.isTrue(granted) ? "grant" : "revoke", out);
            return false;
        }
        for (String key : q.attrDelete) {
            if (key.equalsIgnoreCase("granted")) {
                warning(q.ticketId, "revoke", out);
                return false;
            }
        }
        return true;
    }

    /** Follows {@code modify_ticket_state()}. */
    private void modifyTicketState(Request q, Cib c, WorkingSet ws) throws Failed, InterruptedException {
        XmlNode state = findTicketState(c, q.ticketId, new PrintStream(java.io.OutputStream.nullOutputStream()));
        boolean found = state != null;
        if (!found && q.attrSet.isEmpty()) {
            return;
        }
        if (!found) {
            state = XmlNode.of("ticket_state", "id", q.ticketId);
        }
        for (String key : q.attrDelete) {
            state = state.without(key);
        }
        Ticket ticket = ws.tickets.get(q.ticketId);
        for (String key : GHashOrder.ofPacemakerStrkey(q.attrSet.keySet())) {
            String value = q.attrSet.get(key);
            state = state.with(key, value);
            if (key.equalsIgnoreCase("granted") && (ticket == null || !ticket.granted) && Util.isTrue(value)) {
                state = state.with("last-granted", Long.toString(clock.nowMillis() / 1000));
            }
        }
        CibRequest r;
        if (found && !q.attrDelete.isEmpty()) {
            r = new CibRequest(CibRequest.Op.REPLACE, "status", null, state, Set.of(), TOOL, "root");
        } else {
            XmlNode top = found ? state : XmlNode.of("status").withChildren(List.of(
                XmlNode.of("tickets").withChildren(List.of(state))));
            r = new CibRequest(CibRequest.Op.MODIFY, "status", null, top, Set.of(), TOOL, "root");
        }
        submit(c, r, "Could not modify ticket: ");
    }

    /** Follows {@code delete_ticket_state()}. */
    private void deleteTicketState(Cib c, String ticketId, PrintStream out) throws Failed, InterruptedException {
        XmlNode state = findTicketState(c, ticketId, out);
        if (state == null) {
            return;
        }
        submit(c, new CibRequest(CibRequest.Op.DELETE, "status", null, state, Set.of(), TOOL, "root"),
            "Could not clean up ticket: ");
        out.print("Cleaned up " + ticketId + "\n");
    }

    private void submit(Cib c, CibRequest r, String what) throws Failed, InterruptedException {
        try {
            clock.await(c.update(r), TIMEOUT_MS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CibError ce) {
                throw new Failed(ce.exitCode(), what + ce.reason());
            }
            throw new Failed(1, what + e.getCause());
        } catch (TimeoutException e) {
            throw new Failed(CibError.TIMEOUT, what + "Timer expired");
        }
    }
}
