package org.vigil.crm.api.attrd;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Node attributes, as Pacemaker's {@code pacemaker-attrd} keeps them: every node runs one; each takes updates for
 * any node's attributes, holds a changed value for the attribute's dampening delay and then writes it into the
 * CIB, in Pacemaker's form:
 * <pre>
 * status/node_state[@id=ID]/transient_attributes[@id=ID]/instance_attributes[@id="status-ID"]
 *       /nvpair[@id="status-ID-NAME" name=NAME value=VALUE]
 * configuration/nodes/node[@id=ID]/instance_attributes[@id="nodes-ID"]/nvpair[@id="nodes-ID-NAME" ...]
 * </pre>
 * where ID is the node's id in the CIB (the corosync node id in decimal). A deleted value removes its nvpair.
 *
 * <p><b>Dampening.</b> A value that differs from the current one is held; with no delay it is written at once,
 * with a delay it is written when the node's timer for that attribute fires, and every further change restarts
 * that timer, so a value that keeps changing faster than the delay is written only once it settles. A value equal
 * to the current one changes nothing. Changing an attribute's delay writes its held values at once. Values due at
 * the same time go out as one CIB update, and at most one update per section is in flight: values that become due
 * meanwhile follow as soon as it completes. A failed write is tried again after the delay (2 s without one).
 *
 * <p><b>State.</b> The CIB is where values live: once written, a value is read back from the CIB, so changes made
 * there by anyone else (another node's attrd, {@code cibadmin}) are seen. Only values not yet written and private
 * values live in this node's memory; private values are seen only by queries to this node. When attrd first
 * starts in a node process it deletes that node's {@code transient_attributes} (Pacemaker's
 * {@code attrd_erase_attrs}): a restarted node starts without transient attributes.
 *
 * <p>Thread-safe.
 */
@ProviderType
public interface Attrd {

    /**
     * Takes a change. Returns once it is held (or refused); the returned stage completes once the value it set,
     * or a later one of the same node's attribute, is in the CIB (at once for private attributes and for updates
     * that change nothing), or exceptionally with the CIB's error if the write failed (it is then retried).
     *
     * @throws AttrdError {@link AttrdError#NOSUCH} for an unknown node or a delay-only update of an attribute that
     *                    does not exist
     */
    CompletionStage<Void> update(AttributeUpdate update) throws AttrdError;

    /**
     * The transient values of attribute {@code name}: the held value where this node holds one, else the CIB's.
     *
     * @param node a node's name, or null for every node that has a value
     * @return one entry per node, sorted by node name; for a named node that has no value, one entry with a null
     *         value when the attribute exists elsewhere; empty when the attribute does not exist at all
     * @throws AttrdError {@link AttrdError#NOSUCH} for an unknown node
     */
    List<AttributeValue> query(String name, String node) throws AttrdError;

    /**
     * Writes every held value now, ignoring dampening ({@code attrd_updater -R}).
     *
     * @return completes once they are in the CIB
     */
    CompletionStage<Void> refresh();

    /**
     * Deletes the fail counts and last-failure times of a resource ({@code fail-count-RSC#OP_INTERVAL},
     * {@code last-failure-RSC#OP_INTERVAL} and the older {@code fail-count-RSC}), as Pacemaker's
     * {@code clear-failure} request does.
     *
     * @param resource   the resource, or null for every resource
     * @param operation  the operation (with {@code intervalMs}), or null for every operation
     * @param intervalMs the operation's interval in milliseconds
     * @param node       a node's name, or null for every node
     * @return the attributes deleted (name and node, value null); the stage completes once they are gone from the
     *         CIB
     * @throws AttrdError {@link AttrdError#NOSUCH} for an unknown node
     */
    Cleared clearFailures(String resource, String operation, long intervalMs, String node) throws AttrdError;

    /** What {@link #clearFailures} deleted, and when it is done. */
    record Cleared(List<AttributeValue> deleted, CompletionStage<Void> written) {
    }

    /** This node's name. */
    String localNode();
}
