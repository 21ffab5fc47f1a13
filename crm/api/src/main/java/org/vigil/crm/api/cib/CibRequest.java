package org.vigil.crm.api.cib;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One change to the CIB, as {@code cibadmin} and the other tools ask for it; {@link Cib#update} applies it as
 * one transaction on every node.
 *
 * <p>Semantics follow Pacemaker's {@code lib/cib/cib_ops.c}: {@link Op#CREATE} adds {@code data} as a child of the
 * scope element and fails with "File exists" if an element with the same name and id is there; {@link Op#MODIFY}
 * merges {@code data} into the matching element (by name and id, recursively), failing with "No such device or
 * address" unless {@link Flag#CAN_CREATE}; {@link Op#DELETE} removes the matching element (absent is not an
 * error); {@link Op#REPLACE} replaces the scope element (or the whole CIB, which must not be older);
 * {@link Op#ERASE} empties the configuration and status and adds 1 to {@code admin_epoch}; {@link Op#BUMP} adds 1
 * to {@code epoch}; {@link Op#PATCH} applies a v2 patchset ({@code <diff format="2">}).
 *
 * @param op      what to do
 * @param scope   a section of the CIB ({@code configuration}, {@code nodes}, {@code resources},
 *                {@code constraints}, {@code crm_config}, {@code rsc_defaults}, {@code op_defaults}, {@code acls},
 *                {@code fencing-topology}, {@code tags}, {@code alerts}, {@code status}), or null for the whole CIB
 * @param xpath   an XPath selecting the target instead of a scope (DELETE, MODIFY, REPLACE), or null
 * @param data    the XML of the request, or null (DELETE by xpath, ERASE, BUMP)
 * @param flags   options
 * @param client  the client's name as Pacemaker records it ({@code cibadmin}, {@code crm_attribute}, ...)
 * @param user    the user on whose behalf it is made
 */
public record CibRequest(Op op, String scope, String xpath, XmlNode data, Set<Flag> flags, String client,
                         String user) {

    /** The operations. */
    public enum Op { CREATE, MODIFY, DELETE, REPLACE, ERASE, BUMP, PATCH }

    /** Request options. */
    public enum Flag {
        /** MODIFY: create the target if it does not exist ({@code cibadmin -c}). */
        CAN_CREATE,
        /** DELETE with an XPath: every match, not only the first ({@code cibadmin --delete-all}). */
        ALL_MATCHES,
        /** Dangerous requests ({@code --erase}) go ahead ({@code --force}). */
        FORCE,
        /**
         * MODIFY without an XPath: after the merge, every element carrying a {@code __delete__} attribute is removed
         * (Pacemaker's {@code cib_mixed_update}, how attrd writes unset values). Without it, {@code __delete__} is
         * stored like any other attribute, as {@code cibadmin --modify} does.
         */
        MIXED_UPDATE
    }

    public CibRequest {
        Objects.requireNonNull(op, "op");
        flags = flags == null || flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        client = client == null ? "vigil" : client;
        user = user == null ? "root" : user;
    }

    /** A request without flags, by {@code client} as root. */
    public static CibRequest of(Op op, String scope, XmlNode data, String client) {
        return new CibRequest(op, scope, null, data, Set.of(), client, "root");
    }

    /** True if the request carries {@code flag}. */
    public boolean has(Flag flag) {
        return flags.contains(flag);
    }
}
