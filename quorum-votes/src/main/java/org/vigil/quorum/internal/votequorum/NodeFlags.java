package org.vigil.quorum.internal.votequorum;

/** The per-node flag bits of votequorum's NODEINFO message, with corosync's values. */
public final class NodeFlags {

    /** The sender is quorate. */
    public static final int QUORATE = 1;
    /** The sender is leaving cleanly (allow_downscale). */
    public static final int LEAVING = 2;
    /** The sender is still waiting for all nodes (wait_for_all). */
    public static final int WFASTATUS = 4;
    /** The sender has not been in a ring with other nodes yet. */
    public static final int FIRST = 8;
    /** The sender has a registered quorum device. */
    public static final int QDEVICE_REGISTERED = 16;
    /** The sender's quorum device polled within its timeout. */
    public static final int QDEVICE_ALIVE = 32;
    /** The sender's quorum device casts its vote. */
    public static final int QDEVICE_CAST_VOTE = 64;
    /** The sender's quorum device asked for master_wins. */
    public static final int QDEVICE_MASTER_WINS = 128;
    /** Every defined bit. */
    public static final int ALL = 255;

    private NodeFlags() {
    }

    /** The flags as corosync's debug log names them. */
    public static String describe(int flags) {
        return "quorate: " + yn(flags, QUORATE) + " Leaving: " + yn(flags, LEAVING) + " WFA Status: "
            + yn(flags, WFASTATUS) + " First: " + yn(flags, FIRST) + " Qdevice: " + yn(flags, QDEVICE_REGISTERED)
            + " QdeviceAlive: " + yn(flags, QDEVICE_ALIVE) + " QdeviceCastVote: " + yn(flags, QDEVICE_CAST_VOTE)
            + " QdeviceMasterWins: " + yn(flags, QDEVICE_MASTER_WINS);
    }

    private static String yn(int flags, int bit) {
        return (flags & bit) != 0 ? "Yes" : "No";
    }
}
