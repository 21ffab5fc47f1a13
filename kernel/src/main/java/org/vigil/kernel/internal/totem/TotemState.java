package org.vigil.kernel.internal.totem;

/**
 * The membership states of one Totem SRP node (corosync's {@code memb_state}, same names).
 *
 * <ul>
 *   <li>{@link #OPERATIONAL}: in a ring, passing the ORF token, sending and delivering messages;</li>
 *   <li>{@link #GATHER}: exchanging JOIN messages to agree on a new membership (consensus);</li>
 *   <li>{@link #COMMIT}: the commit token makes its first rotation of the agreed new ring;</li>
 *   <li>{@link #RECOVERY}: the commit token's second rotation is done and the new ring's token runs, carrying
 *       the old rings' messages that some members miss; ends with the transitional and regular configuration
 *       changes (extended virtual synchrony).</li>
 * </ul>
 */
public enum TotemState {
    OPERATIONAL, GATHER, COMMIT, RECOVERY
}
