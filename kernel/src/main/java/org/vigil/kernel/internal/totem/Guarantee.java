package org.vigil.kernel.internal.totem;

/**
 * Delivery guarantee of one application message. Both are delivered in the one total order of the ring.
 *
 * <ul>
 *   <li>{@link #AGREED}: delivered as soon as every earlier message of the ring has been delivered;</li>
 *   <li>{@link #SAFE}: additionally delivered only once every member of the configuration it is delivered in has
 *       received it (Totem's safe delivery; corosync accepts the flag but ignores it, Vigil implements it).</li>
 * </ul>
 */
public enum Guarantee {
    AGREED, SAFE;

    static final Guarantee[] VALUES = values();
}
