package org.vigil.crm.api.exec;

/**
 * The CPG group of the controllers and executors, and its message kinds. Every message is a
 * {@code <vigil-crmd op="...">} element (compact XML, one byte {@code 'X'} before it, as the CIB's messages):
 * <ul>
 * <li>{@code start round} / {@code hello round feature-set started name}: the DC election round (controllers);</li>
 * <li>{@code join dc join-id}: the DC asks every node to publish its operation history;
 *     {@code join-confirm node join-id}: the node's executor did;</li>
 * <li>{@code execute node dc} holding an {@link ExecRequest} ({@code <rsc_op>}): run an operation;</li>
 * <li>{@code cancel node dc resource operation interval transition-key}: stop a recurring operation;</li>
 * <li>{@code delete node dc resource}: forget a resource's history (Pacemaker's {@code lrm_delete}).</li>
 * </ul>
 * Results travel through the CIB (the executor records them; the DC reads them there), as in Pacemaker.
 */
public final class CrmdMessages {

    /** The group. */
    public static final String GROUP = "vigil_crmd";
    /** The element every message is. */
    public static final String ELEMENT = "vigil-crmd";

    private CrmdMessages() {
    }
}
