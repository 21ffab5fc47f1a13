package org.vigil.kernel.api;

/**
 * How a CPG message is delivered (the ordered kinds of corosync's {@code cpg_guarantee_t}). Both kinds are delivered
 * in the one total order of the ring, to every member of the group, the sender included.
 *
 * <ul>
 *   <li>{@link #AGREED}: as soon as every earlier message of the ring has been delivered (corosync's CPG delivers
 *       every message so, whatever the flag);</li>
 *   <li>{@link #SAFE}: additionally only once every node of the configuration it is delivered in has received it,
 *       so a member that gets it knows every other member of that configuration will, unless it fails (Totem's
 *       safe delivery). It costs up to two more token rotations of latency.</li>
 * </ul>
 */
public enum CpgGuarantee {
    AGREED, SAFE
}
