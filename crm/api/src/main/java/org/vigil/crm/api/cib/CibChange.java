package org.vigil.crm.api.cib;

/**
 * One change of the local CIB copy, as {@link CibListener}s see it: the versions before and after, and the v2
 * patchset between them.
 *
 * @param before   the copy before
 * @param after    the copy after
 * @param patchset {@code <diff format="2">} from {@code before} to {@code after}
 * @param origin   the node the change came from (its name), or null when the copy was replaced by a sync
 * @param client   the client that asked for it ({@code cibadmin}, ...), or null for a sync
 * @param sync     true if the copy was replaced by another node's during a sync, not changed by an update
 * @param replaced true if an update replaced the whole CIB ({@code cibadmin --replace} of a {@code <cib>}; what
 *                 Pacemaker notifies as a replace, {@code T_CIB_REPLACE_NOTIFY})
 */
public record CibChange(CibSnapshot before, CibSnapshot after, XmlNode patchset, String origin, String client,
                        boolean sync, boolean replaced) {

    /** A change that is not a whole-CIB replace. */
    public CibChange(CibSnapshot before, CibSnapshot after, XmlNode patchset, String origin, String client,
                     boolean sync) {
        this(before, after, patchset, origin, client, sync, false);
    }
}
