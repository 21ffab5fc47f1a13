package org.vigil.shell.internal.ring;

/**
 * The cmap keys the kernel's ring driver publishes and the ring commands read (see docs/design/ring.md).
 */
final class RingKeys {

    private RingKeys() {
    }

    /** {@code r(0) ip(10.0.0.2) r(1) ip(10.1.0.2) } as corosync writes it. */
    static String memberIp(int node) {
        return "runtime.members." + Integer.toUnsignedString(node) + ".ip";
    }

    static String memberStatus(int node) {
        return "runtime.members." + Integer.toUnsignedString(node) + ".status";
    }

    static String memberJoinCount(int node) {
        return "runtime.members." + Integer.toUnsignedString(node) + ".join_count";
    }

    /** u8 1 when this node currently hears node {@code node} on ring {@code ring} (corosync 3's knet name). */
    static String connected(int node, int ring) {
        return "stats.knet.node" + Integer.toUnsignedString(node) + ".link" + ring + ".connected";
    }

    /** u8 1 when this node marked its ring {@code ring} faulty. */
    static String faulty(int ring) {
        return "runtime.totem.link." + ring + ".faulty";
    }

    /** Why the ring was marked faulty (text). */
    static String faultReason(int ring) {
        return "runtime.totem.link." + ring + ".fault_reason";
    }

    /** Counter: writing (adding 1) asks the driver to re-enable faulty rings. */
    static final String REENABLE = "runtime.totem.link_reenable";

    static final String RING_ID = "runtime.totem.ring_id";
    static final String STATE = "runtime.totem.state";
}
